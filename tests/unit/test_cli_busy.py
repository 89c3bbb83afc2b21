"""How the command line words a locked SQLite database, and a rejects file that cannot be
moved into place after contacts import committed."""
from __future__ import annotations

import os
import sqlite3

from sqlalchemy import exc as sa_exc

from callfire_soap import cli, cli_import
from callfire_soap.cli_support import explain


def test_a_locked_database_is_busy_not_unreachable():
    locked = sa_exc.OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))
    error = explain(locked, "sqlite:////tmp/x.db")
    assert error.message.startswith("the database is busy (another process is writing to it); "
                                    "try again when it has finished")
    assert "cannot connect" not in error.message


def test_other_operational_errors_still_say_cannot_connect():
    down = sa_exc.OperationalError("connect", {}, sqlite3.OperationalError("unable to open database file"))
    assert explain(down, "sqlite:////tmp/x.db").message.startswith("cannot connect to database")


def test_rejects_rename_failing_after_the_commit_names_the_list_and_the_partial(tmp_path, monkeypatch, capsys):
    url = "sqlite:///" + str(tmp_path / "db.sqlite")
    assert cli.main(["db", "upgrade", "--database", url]) == 0
    assert cli.main(["account", "create", "ops", "--password", "correct-horse-battery", "--database", url]) == 0
    source = tmp_path / "in.csv"
    source.write_text("12132212384\nnot a number\n")
    rejects = tmp_path / "rejects.csv"

    def refuse(self):
        self.handle.close()
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli_import.RejectsFile, "finish", refuse)
    capsys.readouterr()
    code = cli.main(["contacts", "import", str(source), "--list", "Late", "--rejects", str(rejects),
                     "--database", url])
    err = capsys.readouterr().err
    assert code == 1
    assert "unexpected error" not in err
    assert "list 'Late' (id " in err and "was created" in err
    assert f"they are in {rejects}.partial" in err
    assert os.path.exists(f"{rejects}.partial")
