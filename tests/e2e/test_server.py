"""`serve` under granian, as a process tree: the workers die with the supervisor, and the
server's environment never stands in for a header a request did not send."""
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support import envelope, start_server

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(database_url: str, port: int, *args: str, env=None) -> subprocess.Popen:
    return start_server(database_url, port, *args, env=env)


def _children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def test_workers_die_with_a_killed_supervisor(database_url):
    port = _free_port()
    server = _serve(database_url, port, "--workers", "2", "--threads", "2")
    try:
        workers = _children(server.pid)
        assert len(workers) == 2
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in workers):
            assert time.monotonic() < deadline, "a worker outlived its supervisor"
            time.sleep(0.1)
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    finally:
        if server.poll() is None:
            server.kill()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0]
    except (FileNotFoundError, IndexError):
        return "zombie"


def test_the_server_environment_is_not_a_request_header(database_url, account):
    """granian builds each environ from a copy of os.environ: HTTP_AUTHORIZATION there must
    not authenticate a request that sent no credentials."""
    port = _free_port()
    server = _serve(database_url, port, env={"HTTP_AUTHORIZATION": account.auth,
                                             "CONTENT_TYPE": "application/soap+xml"})
    try:
        url = f"http://127.0.0.1:{port}/api/1.1/soap12/contact"
        body = envelope("<svc:GetContact><svc:Id>1</svc:Id></svc:GetContact>")
        assert requests.post(url, data=body, timeout=10,
                             headers={"Content-Type": "application/soap+xml"}).status_code == 401
        with_auth = requests.post(url, data=body, timeout=10, headers={"Authorization": account.auth})
        assert with_auth.status_code == 415  # no Content-Type sent: none taken from the environment
    finally:
        server.terminate()
        server.wait(timeout=30)
