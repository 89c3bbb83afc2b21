"""The command line as operators use it: account create, serve, history import, packaging."""
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests

from tests.support import REPO, basic_auth, envelope, soap_post

SCRIPT = shutil.which("callfire-soap", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "callfire_soap.cli"]


def run(*args, env=None, cwd=None, input_text=None):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("CALLFIRE_PASSWORD", None) if env is None or "CALLFIRE_PASSWORD" not in env else None
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=full_env, cwd=cwd,
                          input=input_text, timeout=120)


PASSWORD = "correct-horse-battery"


@pytest.fixture
def db_url(tmp_path, fresh_sqlite):
    """An existing, empty database (commands other than serve and db upgrade refuse a
    SQLite file that does not exist); `db upgrade` itself is run by
    test_database_url_defaults_to_environment and tests/integration/test_migrations.py."""
    return fresh_sqlite(tmp_path / "cli.db")


def test_account_create_with_password_option_and_env(db_url, tmp_path):
    first = run("account", "create", "alice", "--password", PASSWORD, "--database", db_url, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "alice" in first.stdout
    second = run("account", "create", "bob", "--database", db_url, env={"CALLFIRE_PASSWORD": "env-password-long"})
    assert second.returncode == 0, second.stderr
    again = run("account", "create", "alice", "--password", PASSWORD + "-2", "--database", db_url)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_account_create_without_password_fails_clearly(db_url):
    result = run("account", "create", "carol", "--database", db_url, input_text="")
    assert result.returncode == 1
    assert "password" in result.stderr.lower()


def test_database_url_defaults_to_environment(tmp_path):
    url = "sqlite:///" + str(tmp_path / "from-env.db")
    assert run("db", "upgrade", env={"CALLFIRE_DATABASE_URL": url}).returncode == 0
    assert (tmp_path / "from-env.db").exists()
    result = run("account", "create", "dave", "--password", PASSWORD, env={"CALLFIRE_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert str(tmp_path / "from-env.db") in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_from_any_directory_and_answers(tmp_path, db_url):
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*COMMAND, "serve", "--port", str(port), "--database", db_url], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "server did not come up"
            time.sleep(0.2)
        assert run("account", "create", "erin", "--password", PASSWORD, "--database", db_url).returncode == 0
        endpoint = base + "/api/1.1/soap12/contact"
        reply = soap_post(endpoint, envelope("<svc:GetContact><svc:Id>1</svc:Id></svc:GetContact>"),
                          basic_auth("erin", PASSWORD), "GetContact")
        assert reply.status == 500 and reply.fault_code == "NOT_FOUND"
        assert requests.get(endpoint + "?wsdl", timeout=5).status_code == 200
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert f"{base}/api/1.1/soap12/contact" in output
    assert "?wsdl" in output and "account create" in output


def test_history_import_command(tmp_path, db_url):
    from callfire_soap.backend import Backend
    from callfire_soap.domain.contacts import Contact

    assert run("account", "create", "frank", "--password", PASSWORD, "--database", db_url).returncode == 0
    backend = Backend.open(db_url)
    with backend.uow() as uow:
        (cid,) = uow.contacts.add_many(uow.accounts.id_of("frank"), [Contact(first_name="F")])
        uow.commit()
    backend.close()
    csv_path = tmp_path / "history.csv"
    csv_path.write_text("type,contact_id,from_number,to_number,state,created\n"
                        f"call,{cid},12132212384,12132212385,FINISHED,2020-01-01T10:00:00Z\n"
                        f"text,{cid},67076,12132212385,FINISHED,2020-01-02T10:00:00Z\n")
    ok = run("history", "import", str(csv_path), "--account", "frank", "--database", db_url)
    assert ok.returncode == 0, ok.stderr
    assert "imported 2" in ok.stdout
    bad = run("history", "import", str(csv_path), "--account", "nobody", "--database", db_url)
    assert bad.returncode == 1 and "unknown account" in bad.stderr


def test_wheel_ships_wsdl_and_migrations(tmp_path):
    """A plain `pip install .` must carry the published WSDL/XSD and the migrations."""
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                             "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("callfire_soap-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("callfire-service-http-soap12.wsdl", "callfire-service.wsdl", "callfire-service.xsd",
                 "callfire-data.xsd"):
        assert f"callfire_soap/wsdl/{name}" in names
    assert "callfire_soap/storage/migrations/env.py" in names
    assert "callfire_soap/storage/migrations/script.py.mako" in names
    assert any(n.startswith("callfire_soap/storage/migrations/versions/0001") for n in names)


def test_contacts_import_command(tmp_path, db_url):
    assert run("account", "create", "gina", "--password", PASSWORD, "--database", db_url).returncode == 0
    csv_path = tmp_path / "export.csv"
    csv_path.write_text("firstName,lastName,homePhone,Member Level\n"
                        "Ann,A,2132212384,gold\nBob,B,+1 213 221 2385,silver\nDup,D,12132212384,x\nBad,X,111,none\n")
    ok = run("contacts", "import", str(csv_path), "--list", "Export", "--database", db_url)
    assert ok.returncode == 0, ok.stderr
    assert "'Export'" in ok.stdout and "2 contacts" in ok.stdout and "ACTIVE" in ok.stdout
    raw = run("contacts", "import", str(csv_path), "--list", "Raw", "--no-validate", "--account", "gina",
              "--database", db_url)
    assert raw.returncode == 0 and "4 contacts" in raw.stdout, raw.stdout + raw.stderr
    png = tmp_path / "photo.csv"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    bad = run("contacts", "import", str(png), "--list", "Photo", "--database", db_url)
    assert bad.returncode == 1 and "nothing imported" in bad.stderr
    assert run("account", "create", "hank", "--password", PASSWORD, "--database", db_url).returncode == 0
    ambiguous = run("contacts", "import", str(csv_path), "--list", "Which", "--database", db_url)
    assert ambiguous.returncode == 1 and "--account" in ambiguous.stderr


def test_contacts_import_refreshes_postgresql_statistics(tmp_path, database_url):
    """After a bulk import the planner must see the new rows (see refresh_statistics)."""
    from sqlalchemy import create_engine, text

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite keeps no planner statistics")
    login = "stats-" + os.urandom(4).hex()
    assert run("account", "create", login, "--password", PASSWORD, "--database", database_url).returncode == 0
    csv_path = tmp_path / "export.csv"
    csv_path.write_text("homePhone\n" + "".join(f"1213{n:07d}\n" for n in range(2000000, 2000300)))
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            before = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'contacts'::regclass")).scalar()
        ok = run("contacts", "import", str(csv_path), "--list", "Stats", "--account", login,
                 "--database", database_url)
        assert ok.returncode == 0, ok.stderr
        with engine.connect() as conn:
            after = conn.execute(text("SELECT reltuples FROM pg_class WHERE oid = 'contacts'::regclass")).scalar()
    finally:
        engine.dispose()
    assert after >= max(before, 0) + 300  # ANALYZE counted the imported rows
