"""Running the command line as operators do: one-shot commands, and `serve` as a
subprocess whose output goes to files the tests read."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

SCRIPT = shutil.which("callfire-soap", path=str(Path(sys.executable).parent))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "callfire_soap.cli"]


def cli(*args, env=None, cwd=None, input_text=None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    if not env or "CALLFIRE_PASSWORD" not in env:
        full_env.pop("CALLFIRE_PASSWORD", None)
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=full_env, cwd=cwd,
                          input=input_text, timeout=120)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """`callfire-soap serve ARGS` on a free port; stdout and stderr kept in files."""

    def __init__(self, directory: Path, *args: str, env=None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout_path = directory / f"serve-{self.port}.out"
        self.stderr_path = directory / f"serve-{self.port}.err"
        self.args = ["serve", "--port", str(self.port), *args]
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with open(self.stdout_path, "w") as out, open(self.stderr_path, "w") as err:
            # A session of its own, so that stopping it reaches the workers too.
            self.proc = subprocess.Popen([*COMMAND, *self.args], stdout=out, stderr=err, env=self.env,
                                         start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                if requests.get(self.base + "/healthz", timeout=10).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("server did not come up:\n" + self.stdout() + self.stderr())
            time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)

    def stdout(self) -> str:
        return self.stdout_path.read_text()

    def stderr(self) -> str:
        return self.stderr_path.read_text()
