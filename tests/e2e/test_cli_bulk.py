"""`callfire-soap dnc import|export` and `contacts export` as operators run them (the real
command, as a subprocess), on the session's database (SQLite or PostgreSQL)."""
from __future__ import annotations

import csv
import os
import uuid

from tests.e2e.cli_support import cli_as, fails_cleanly
from tests.e2e.test_cli import PASSWORD, run

A, B, C = "12132212384", "12132212385", "12132212386"



def _rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_dnc_import_rejects_a_file_with_invalid_lines_and_writes_nothing(database_url, login, tmp_path):
    source = tmp_path / "suppress.txt"
    source.write_text(f"{A}\n(213) 221-2385\nnot a number\n\n+1 213 221 2386\n{A}\n555\n")
    rejects = tmp_path / "rejects.csv"
    bad = cli_as(database_url, login, "dnc", "import", str(source), "--list", "Suppress", "--rejects", str(rejects))
    fails_cleanly(bad, "nothing imported: 2 invalid lines (line 3: 'not a number'")
    assert _rows(rejects) == [["line", "value", "reason"], ["3", "not a number", "not a valid phone number"],
                              ["7", "555", "not a valid phone number"]]
    fails_cleanly(cli_as(database_url, login, "dnc", "export", "--list", "Suppress"), "no DNC list named 'Suppress'")

    ok = cli_as(database_url, login, "dnc", "import", str(source), "--list", "Suppress", "--skip-invalid",
              "--no-text-dnc")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().endswith("created: read 6, added 3, updated 0, unchanged 0, duplicates 1, "
                                      "invalid 2; size 3")
    exported = cli_as(database_url, login, "dnc", "export", "--list", "Suppress")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.splitlines() == ["number,call_dnc,text_dnc", f"{A},true,false", f"{B},true,false",
                                            f"{C},true,false"]
    again = cli_as(database_url, login, "dnc", "import", str(source), "--list", "Suppress", "--skip-invalid")
    assert "extended: read 6, added 0, updated 3, unchanged 0, duplicates 1, invalid 2; size 3" in again.stdout


def test_dnc_export_then_import_into_a_new_list_is_the_same_list(database_url, login, tmp_path):
    source = tmp_path / "flags.csv"
    source.write_text(f"Phone;Call DNC;Text DNC;note\n{A};false;true;x\n{B};true;false;\n{C};;;y\n")
    assert cli_as(database_url, login, "dnc", "import", str(source), "--list", "Original").returncode == 0
    first = tmp_path / "first.csv"
    done = cli_as(database_url, login, "dnc", "export", "--list", "Original", "-o", str(first))
    assert done.returncode == 0 and "exported 3 numbers" in done.stderr, done.stderr
    assert _rows(first) == [["number", "call_dnc", "text_dnc"], [A, "false", "true"], [B, "true", "false"],
                            [C, "true", "true"]]
    copied = cli_as(database_url, login, "dnc", "import", str(first), "--list", "Copy")
    assert copied.returncode == 0 and "added 3" in copied.stdout, copied.stderr
    second = tmp_path / "second.csv"
    assert cli_as(database_url, login, "dnc", "export", "--list", "Copy", "-o", str(second)).returncode == 0
    assert second.read_bytes() == first.read_bytes()
    conflicting = cli_as(database_url, login, "dnc", "import", str(first), "--list", "Copy", "--call-dnc")
    fails_cleanly(conflicting, "nothing imported: the file has a call_dnc column")


def test_contacts_export_then_import_into_a_new_list_gives_the_same_contacts(database_url, login, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("first,last,phone,cell,zip,Member Level,Notes\n"
                      'Ann,Lee,2132212384,,90210,gold,"two\nlines, and a comma"\n'
                      "Bob,,2132212385,+1 213 221 2386,,,x\n")
    assert cli_as(database_url, login, "contacts", "import", str(source), "--list", "People").returncode == 0
    exported = tmp_path / "exported.csv"
    done = cli_as(database_url, login, "contacts", "export", "--list", "People", "-o", str(exported))
    assert done.returncode == 0 and "exported 2 contacts of list 'People'" in done.stderr, done.stderr
    rows = _rows(exported)
    assert rows[0] == ["firstName", "lastName", "zipcode", "homePhone", "workPhone", "mobilePhone", "externalId",
                       "externalSystem", "Member_Level", "Notes"]
    assert rows[1] == ["Ann", "Lee", "90210", A, "", "", "", "", "gold", "two\nlines, and a comma"]

    other = "bulk-" + uuid.uuid4().hex[:10]
    assert run("account", "create", other, "--password", PASSWORD, "--database", database_url).returncode == 0
    imported = cli_as(database_url, other, "contacts", "import", str(exported), "--list", "Copy")
    assert imported.returncode == 0 and "2 contacts" in imported.stdout, imported.stderr
    again = cli_as(database_url, other, "contacts", "export", "--list", "Copy")
    assert again.returncode == 0, again.stderr
    assert again.stdout == exported.read_text()
    everything = cli_as(database_url, other, "contacts", "export")
    assert everything.stdout == exported.read_text() and "exported 2 contacts" in everything.stderr


def test_progress_is_quiet_off_a_terminal_unless_asked_for(database_url, login, tmp_path):
    source = tmp_path / "many.txt"
    source.write_text("".join(f"1213221{n:04d}\n" for n in range(3000)))
    quiet = cli_as(database_url, login, "dnc", "import", str(source), "--list", "Quiet")
    assert quiet.returncode == 0 and "rows" not in quiet.stderr, quiet.stderr
    shown = cli_as(database_url, login, "dnc", "import", str(source), "--list", "Shown", "--progress")
    assert shown.returncode == 0, shown.stderr
    assert "reading many.txt" in shown.stderr and "3,000 rows" in shown.stderr and "writing to 'Shown'" in shown.stderr


def test_bulk_command_failures_are_one_line(database_url, login, tmp_path):
    source = tmp_path / "one.txt"
    source.write_text(f"{A}\n")
    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(tmp_path / "missing.txt"), "--list", "L"),
                   "cannot read")
    fails_cleanly(cli_as(database_url, "nobody-" + uuid.uuid4().hex[:6], "dnc", "import", str(source), "--list", "L"),
                   "unknown account")
    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(source), "--list", "  "), "Name must not be empty")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"2132212384\n\x00\x01\x02\x03")
    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(binary), "--list", "L"),
                   "nothing imported: the file is not a text file")
    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(source), "--list", "L", "--rejects",
                        str(tmp_path / "no-such-dir" / "r.csv")), "cannot write")
    fails_cleanly(cli_as(database_url, login, "contacts", "export", "--list-id", "999999999"),
                   "contact list 999999999 not found")
    target = tmp_path / "out.csv"
    fails_cleanly(cli_as(database_url, login, "contacts", "export", "--list", "No such list", "-o", str(target)),
                   "no contact list named 'No such list'")
    assert not target.exists()
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".callfire-export-")]


def test_an_ambiguous_dnc_list_name_is_refused(app, database_url, login, tmp_path):
    from callfire_soap.services.dnc import create_dnc_list

    with app.backend.uow(write=False) as uow:
        account_id = uow.accounts.id_of(login)
    first = create_dnc_list(app.backend.uow, account_id, "Twice")
    second = create_dnc_list(app.backend.uow, account_id, "Twice")
    source = tmp_path / "one.txt"
    source.write_text(f"{A}\n")
    fails_cleanly(cli_as(database_url, login, "dnc", "import", str(source), "--list", "Twice"),
                   f"2 DNC lists are named 'Twice' (ids {first}, {second})")
    fails_cleanly(cli_as(database_url, login, "dnc", "export", "--list", "Twice"), "2 DNC lists are named")


def test_an_export_into_a_closed_pipe_stops_with_one_line(database_url, login, tmp_path):
    import subprocess

    from tests.e2e.test_cli import COMMAND

    source = tmp_path / "many.txt"
    source.write_text("".join(f"1213221{n:04d}\n" for n in range(5000)))
    assert cli_as(database_url, login, "dnc", "import", str(source), "--list", "Piped").returncode == 0
    child = subprocess.Popen([*COMMAND, "dnc", "export", "--list", "Piped", "--account", login,
                              "--database", database_url], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout.readline() == b"number,call_dnc,text_dnc\n"
    child.stdout.close()
    errors = child.stderr.read().decode()
    assert child.wait(timeout=60) == 1
    assert errors.startswith("callfire-soap: the export stopped: its output was closed") and "Traceback" not in errors
