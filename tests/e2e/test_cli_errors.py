"""Every CLI failure is one short message (exit 1; 2 for usage) naming the database with its
password masked, and never a traceback."""
from __future__ import annotations

import socket

import pytest

from callfire_soap import __version__
from tests.e2e.serving import cli, free_port


def first_line(result) -> str:
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr.splitlines()[0]


def test_version():
    result = cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"callfire-soap {__version__}"


def test_usage_errors_exit_2():
    result = cli("account")
    assert result.returncode == 2 and "usage:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url, expected", [
    ("notaurl", "callfire-soap: invalid database URL notaurl"),
    ("foo://u:s3cret@h/db", "callfire-soap: unsupported database URL foo://u:***@h/db"),
    ("postgresql://u:s3cret@127.0.0.1:1/db",
     "callfire-soap: cannot connect to database postgresql://u:***@127.0.0.1:1/db"),
])
def test_database_url_errors(url, expected):
    for command in (("account", "list"), ("db", "upgrade"), ("serve", "--port", str(free_port()))):
        result = cli(*command, "--database", url)
        assert result.returncode == 1, command
        assert first_line(result) == expected, command
        assert "s3cret" not in result.stderr + result.stdout
        assert "SOAP 1.2 endpoint" not in result.stdout


def test_missing_driver_names_the_pip_install(tmp_path):
    # A psycopg that cannot be imported, as on a machine without the postgresql extra.
    fake = tmp_path / "nodriver" / "psycopg"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'psycopg'\", name='psycopg')\n")
    result = cli("account", "list", "--database", "postgresql://u:s3cret@127.0.0.1:1/db",
                 env={"PYTHONPATH": str(tmp_path / "nodriver")})
    assert result.returncode == 1
    assert first_line(result) == ("callfire-soap: the database driver psycopg is not installed "
                                  "(database postgresql://u:***@127.0.0.1:1/db)")
    assert "pip install 'callfire-soap[postgresql]'" in result.stderr.splitlines()[1]
    assert "s3cret" not in result.stderr


def test_missing_sqlite_file_is_refused_not_created(tmp_path):
    for command in (("account", "list"), ("account", "create", "alice", "--password", "long-enough-pw"),
                    ("contacts", "import", "x.csv", "--list", "L"), ("history", "import", "x.csv")):
        result = cli(*command, cwd=tmp_path, env={"CALLFIRE_DATABASE_URL": ""})
        assert result.returncode == 1, command
        assert first_line(result) == (f"callfire-soap: no database at {tmp_path / 'callfire.db'} "
                                      "(sqlite:///callfire.db)")
        assert "callfire-soap db upgrade" in result.stderr.splitlines()[1]
    assert not (tmp_path / "callfire.db").exists()
    upgraded = cli("db", "upgrade", cwd=tmp_path, env={"CALLFIRE_DATABASE_URL": ""})
    assert upgraded.returncode == 0 and str(tmp_path / "callfire.db") in upgraded.stdout
    listed = cli("account", "list", cwd=tmp_path, env={"CALLFIRE_DATABASE_URL": ""})
    assert listed.returncode == 0 and "no accounts" in listed.stdout
    assert f"file {tmp_path / 'callfire.db'}" in listed.stderr


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]])
def test_port_in_use(tmp_path, workers):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--port", str(port), *workers, "--database", f"sqlite:///{tmp_path / 's.db'}")
    assert result.returncode == 1
    assert first_line(result) == f"callfire-soap: cannot listen on 127.0.0.1:{port}: the address is already in use"
    assert "SOAP 1.2 endpoint" not in result.stdout  # no banner for a server that never listened


def test_unknown_account_names_the_database(tmp_path, fresh_sqlite):
    url = fresh_sqlite(tmp_path / "a.db")
    result = cli("account", "passwd", "ghost", "--password", "long-enough-pw", "--database", url)
    assert result.returncode == 1
    assert first_line(result) == "callfire-soap: unknown account 'ghost'"
    assert f"file {tmp_path / 'a.db'}" in result.stderr
