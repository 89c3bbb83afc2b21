"""`callfire-soap contacts import`: the report, --rejects, the no-phone-column failure,
--allow-empty, line numbers in errors and --progress (issue 15)."""
from __future__ import annotations

import csv

import pytest

from tests.e2e.test_cli import PASSWORD, run

A, B, C = "12132212384", "12132212385", "12132212386"


@pytest.fixture
def db(tmp_path):
    url = "sqlite:///" + str(tmp_path / "cli.db")
    assert run("db", "upgrade", "--database", url).returncode == 0
    assert run("account", "create", "gina", "--password", PASSWORD, "--database", url).returncode == 0
    return url


def _import(db, path, *extra):
    return run("contacts", "import", str(path), "--list", "L", "--database", db, *extra)


def test_report_and_rejects_name_every_dropped_row_with_its_line(tmp_path, db):
    source = tmp_path / "export.csv"
    source.write_text("First Name,Phone,Mobile,Member Level,id\n"
                      f"Ann,{A},,gold,1\n"
                      "Bad,111,abc,x,2\n"
                      "\n"
                      f"Dup,+1 (213) 221-2384,,y,3\n"
                      f'"Multi\nLine",{B},,z,4\n'
                      f"Cee,{C},,,5\n")
    rejects = tmp_path / "rejects.csv"
    done = _import(db, source, "--rejects", str(rejects))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "3 contacts" in lines[0]
    assert "created 3, merged 0 (into existing contacts), invalid 1, duplicate 1, DNC-scrubbed 0" in lines[1]
    assert "'Member Level' as Member_Level" in done.stdout and "not imported: 'id'" in done.stdout
    assert f"2 dropped rows written to {rejects}" in done.stdout
    with rejects.open(newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "reason", "First Name", "Phone", "Mobile", "Member Level", "id"]
    assert [(r[0], r[1].split(":")[0], r[2]) for r in rows[1:]] == [("3", "invalid", "Bad"), ("5", "duplicate", "Dup")]
    assert not (tmp_path / "rejects.csv.partial").exists()


def test_dnc_scrubbed_rows_are_rejects_too(tmp_path, db):
    from callfire_soap.backend import Backend
    from callfire_soap.services.dnc import create_dnc_list

    backend = Backend.open(db)
    with backend.uow(write=False) as uow:
        account_id = uow.accounts.id_of("gina")
    create_dnc_list(backend.uow, account_id, "dnc", tokens=[B])
    backend.close()
    source = tmp_path / "export.csv"
    source.write_text(f"phone\n{A}\n{B}\n")
    rejects = tmp_path / "r.csv"
    done = _import(db, source, "--rejects", str(rejects))
    assert done.returncode == 0 and "DNC-scrubbed 1" in done.stdout, done.stdout + done.stderr
    assert list(csv.reader(rejects.open()))[1][:2] == ["3", f"dnc: {B} is on a Do Not Contact list"]


@pytest.mark.parametrize("header", ["Name,Telephone,Notes", "first,mobileNumber"])
def test_a_file_without_a_phone_column_fails_naming_its_columns(tmp_path, db, header):
    source = tmp_path / "export.csv"
    source.write_text(f"{header}\nAnn,{A},x\n")
    rejects = tmp_path / "r.csv"
    failed = _import(db, source, "--rejects", str(rejects))
    assert failed.returncode == 1
    first = failed.stderr.splitlines()[0]
    assert "no phone column" in first and repr(header.split(",")[1]) in first
    assert "homephone" in first and "mobile" in first and "--allow-empty" in failed.stderr
    assert not rejects.exists() and not (tmp_path / "r.csv.partial").exists()
    allowed = _import(db, source, "--allow-empty")
    assert allowed.returncode == 0 and "0 contacts" in allowed.stdout and "invalid 1" in allowed.stdout


@pytest.mark.parametrize("content, line", [
    (f'phone\n{A}\n"{B}\n', 3),                              # unterminated quote
    (f"phone\n{A}\n{B}\x00\n", 3),                           # binary
    (f"phone,firstName\n{A},ok\n\n{B},{'x' * 2000}\n", 4),   # value too long
])
def test_format_errors_name_the_line_and_import_nothing(tmp_path, db, content, line):
    source = tmp_path / "bad.csv"
    source.write_bytes(content.encode())
    failed = _import(db, source)
    assert failed.returncode == 1 and "nothing imported" in failed.stderr
    assert f"line {line}" in failed.stderr.splitlines()[0], failed.stderr


def test_not_utf8_names_the_line(tmp_path, db):
    source = tmp_path / "latin1.csv"
    source.write_bytes(f"phone,firstName\n{A},ok\n{B},Jos\xe9\n".encode("latin-1"))
    failed = _import(db, source)
    assert failed.returncode == 1 and "File is not UTF-8 text (line 3)" in failed.stderr


def test_progress_is_quiet_off_a_terminal_unless_asked_for(tmp_path, db):
    source = tmp_path / "export.csv"
    source.write_text("phone\n" + "".join(f"1213221{n:04d}\n" for n in range(2380, 2400)))
    quiet = _import(db, source)
    assert quiet.returncode == 0 and "rows/s" not in quiet.stderr and "importing" not in quiet.stderr
    shown = run("contacts", "import", str(source), "--list", "M", "--database", db, "--progress")
    assert shown.returncode == 0 and "importing export.csv" in shown.stderr and "20 rows" in shown.stderr
