"""Review fixes of the bulk CLI commands: output paths that would destroy the input or cannot
be written, dnc import's rejects file, --list-id for DNC lists (the real command, as a
subprocess, on the session's database)."""
from __future__ import annotations

import csv
import os
import uuid

import pytest

from tests.e2e.cli_support import cli_as, fails_cleanly
from tests.e2e.test_cli import run

A, B = "12132212384", "12132212385"



@pytest.mark.parametrize("command", ["contacts", "dnc"])
@pytest.mark.parametrize("how", ["same", "relative", "symlink"])
def test_rejects_naming_the_input_is_refused_and_the_input_kept(database_url, login, tmp_path, command, how,
                                                              monkeypatch):
    source = tmp_path / "in.csv"
    content = f"{A}\nnot a number\n"
    source.write_text(content)
    rejects = {"same": str(source), "relative": str(tmp_path / "sub" / ".." / "in.csv"),
               "symlink": str(tmp_path / "link.csv")}[how]
    (tmp_path / "sub").mkdir()
    if how == "symlink":
        os.symlink(source, rejects)
    result = cli_as(database_url, login, command, "import", str(source), "--list", "L" + uuid.uuid4().hex[:6],
                  "--rejects", rejects, "--skip-invalid" if command == "dnc" else "--no-validate")
    fails_cleanly(result, f"--rejects {rejects} is the input file")
    assert source.read_text() == content
    assert sorted(os.listdir(tmp_path)) == sorted(["in.csv", "sub"] + (["link.csv"] if how == "symlink" else []))


@pytest.mark.parametrize("command", ["contacts", "dnc"])
def test_rejects_naming_a_directory_is_refused_before_importing(database_url, login, tmp_path, command):
    source = tmp_path / "in.csv"
    source.write_text(f"{A}\nnot a number\n")
    target = tmp_path / "out"
    target.mkdir()
    name = "L" + uuid.uuid4().hex[:6]
    result = cli_as(database_url, login, command, "import", str(source), "--list", name, "--rejects", str(target),
                  "--skip-invalid" if command == "dnc" else "--no-validate")
    fails_cleanly(result, f"cannot write {target}: it is a directory")
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "out"]
    if command == "contacts":
        lists = cli_as(database_url, login, "contacts", "export", "--list", name)
        fails_cleanly(lists, f"no contact list named {name!r}")
    else:
        fails_cleanly(cli_as(database_url, login, "dnc", "export", "--list", name), f"no DNC list named {name!r}")


@pytest.mark.parametrize("args", [("contacts", "export"), ("dnc", "export", "--list", "X")])
def test_export_to_a_directory_is_refused_plainly(database_url, login, tmp_path, args):
    if args[0] == "dnc":
        source = tmp_path / "in.txt"
        source.write_text(f"{A}\n")
        assert cli_as(database_url, login, "dnc", "import", str(source), "--list", "X").returncode == 0
    result = cli_as(database_url, login, *args, "-o", str(tmp_path))
    fails_cleanly(result, f"cannot write {tmp_path}: it is a directory")


def test_export_into_a_missing_directory_is_refused_plainly(database_url, login, tmp_path):
    result = cli_as(database_url, login, "contacts", "export", "-o", str(tmp_path / "nowhere" / "x.csv"))
    fails_cleanly(result, f"cannot write {tmp_path / 'nowhere' / 'x.csv'}: no directory")


def test_dnc_rejects_file_is_not_left_when_the_file_is_refused_for_another_reason(database_url, login, tmp_path):
    rejects = tmp_path / "rejects.csv"
    no_column = tmp_path / "cols.csv"
    no_column.write_text("name,email\nAnn,a@example.com\n")
    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(no_column), "--list", "R",
                        "--rejects", str(rejects)), "nothing imported: the file has no number column")
    not_utf8 = tmp_path / "latin1.txt"
    not_utf8.write_bytes(f"{A}\n\xe9t\xe9\n".encode("latin-1"))
    result = cli_as(database_url, login, "dnc", "import", str(not_utf8), "--list", "R", "--rejects", str(rejects))
    assert result.returncode == 1, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["cols.csv", "latin1.txt"]


def test_dnc_rejects_file_is_written_on_success_and_for_invalid_lines(database_url, login, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text(f"{A}\nnope\n")
    rejects = tmp_path / "rejects.csv"
    refused = cli_as(database_url, login, "dnc", "import", str(source), "--list", "R", "--rejects", str(rejects))
    fails_cleanly(refused, "nothing imported: 1 invalid line")
    with open(rejects, newline="") as handle:
        assert list(csv.reader(handle)) == [["line", "value", "reason"], ["2", "nope", "not a valid phone number"]]
    rejects.unlink()
    ok = cli_as(database_url, login, "dnc", "import", str(source), "--list", "R", "--rejects", str(rejects),
              "--skip-invalid")
    assert ok.returncode == 0, ok.stderr
    assert rejects.exists() and not (tmp_path / "rejects.csv.partial").exists()


def test_list_id_picks_one_of_two_dnc_lists_of_the_same_name(database_url, login, tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(f"{A}\n")
    second.write_text(f"{B}\n")
    made = cli_as(database_url, login, "dnc", "import", str(first), "--list", "Twin")
    assert made.returncode == 0, made.stderr
    first_id = int(made.stdout.split("(id ")[1].split(")")[0])
    # Names need not be unique (CreateDncList allows it); give a second list the same name.
    dup = run("dnc", "import", str(second), "--list", "Twin2", "--account", login, "--database", database_url)
    assert dup.returncode == 0, dup.stderr
    second_id = int(dup.stdout.split("(id ")[1].split(")")[0])
    _rename_dnc_list(database_url, second_id, "Twin")

    stuck = cli_as(database_url, login, "dnc", "export", "--list", "Twin")
    fails_cleanly(stuck, "2 DNC lists are named 'Twin'")
    assert "--list-id" in stuck.stderr
    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(first), "--list", "Twin"),
                   "2 DNC lists are named 'Twin'")

    extended = cli_as(database_url, login, "dnc", "import", str(second), "--list-id", str(first_id))
    assert extended.returncode == 0, extended.stderr
    assert f"DNC list 'Twin' (id {first_id}) extended" in extended.stdout
    exported = cli_as(database_url, login, "dnc", "export", "--list-id", str(first_id))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.splitlines()[1:] == [f"{A},true,true", f"{B},true,true"]
    other = cli_as(database_url, login, "dnc", "export", "--list-id", str(second_id))
    assert other.stdout.splitlines()[1:] == [f"{B},true,true"]

    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(first), "--list-id", "999999999"),
                   "DNC list 999999999 not found")
    both = cli_as(database_url, login, "dnc", "export", "--list", "Twin", "--list-id", str(first_id))
    assert both.returncode == 2 and "not allowed with" in both.stderr


def _rename_dnc_list(database_url: str, list_id: int, name: str) -> None:
    from sqlalchemy import create_engine, text

    from callfire_soap.storage.database import _normalise_url

    engine = create_engine(_normalise_url(database_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE dnc_lists SET name = :name WHERE id = :id"), {"name": name, "id": list_id})
    engine.dispose()
