"""Crash safety: SIGKILL the server in the middle of a large CreateContactList. After a
restart the list exists completely or not at all, and the RequestId can be retried."""
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid

import requests
from sqlalchemy import create_engine, text

from tests.support import envelope, start_server

N = 60_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(database_url: str, port: int) -> subprocess.Popen:
    return start_server(database_url, port)


def _import_in_progress(database_url: str) -> bool:
    """True while some connection holds an open write transaction on the database."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.split("///", 1)[1], timeout=0, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True  # the writer lock is taken
        finally:
            conn.close()
    engine = create_engine(database_url.split("?")[0])
    try:
        with engine.connect() as conn:
            return bool(conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND datname = current_database() AND backend_xid IS NOT NULL "
                "AND query ILIKE '%contact%'")).scalar())
    finally:
        engine.dispose()


def _lists_with(app, account_id: int, request_id: str):
    with app.backend.uow(write=False) as uow:
        return uow.conn.execute(text(
            "SELECT l.id, (SELECT count(*) FROM list_members m WHERE m.list_id = l.id) "
            "FROM contact_lists l WHERE l.account_id = :a AND l.request_id = :r"),
            {"a": account_id, "r": request_id}).all()


def test_sigkill_during_a_large_import_is_all_or_nothing(app, database_url, account):
    request_id = "urn:crash:" + uuid.uuid4().hex
    numbers = " ".join(f"1{npa}{n:07d}" for npa in (213, 310, 323) for n in range(2_000_000, 2_000_000 + N // 3))
    body = envelope(f"<svc:CreateContactList><svc:RequestId>{request_id}</svc:RequestId><svc:Name>crash</svc:Name>"
                    f"<svc:ContactSource><svc:Numbers>{numbers}</svc:Numbers></svc:ContactSource>"
                    "</svc:CreateContactList>")
    headers = {"Content-Type": "application/soap+xml; charset=utf-8", "Authorization": account.auth}
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/1.1/soap12/contact"
    server = _start(database_url, port)
    outcome = {}

    def send():
        try:
            outcome["status"] = requests.post(url, data=body, headers=headers, timeout=300).status_code
        except requests.RequestException as exc:
            outcome["error"] = exc

    client = threading.Thread(target=send)
    client.start()
    try:
        deadline = time.monotonic() + 120
        while not _import_in_progress(database_url):
            assert client.is_alive(), f"the import finished before it could be interrupted: {outcome}"
            assert time.monotonic() < deadline, "the import never started"
            time.sleep(0.02)
        time.sleep(0.2)  # well inside the transaction
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=30)
        client.join(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert "error" in outcome, f"the request completed before the kill: {outcome}"

    found = _lists_with(app, account.id, request_id)
    assert found == [] or [size for _, size in found] == [N], found  # nothing, or all of it

    server = _start(database_url, port)
    try:
        retried = requests.post(url, data=body, headers=headers, timeout=300)
        assert retried.status_code == 200, retried.text[:500]
        again = requests.post(url, data=body, headers=headers, timeout=300)
        assert again.content == retried.content  # the RequestId now answers with the same list
    finally:
        server.terminate()
        server.wait(timeout=30)
    found = _lists_with(app, account.id, request_id)
    assert len(found) == 1 and found[0][1] == N, found
