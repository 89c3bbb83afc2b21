"""Shared benchmark plumbing: scratch databases, timing, child servers, reporting."""
from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from callfire_soap.storage.scratch import scratch_database  # noqa: F401 - re-exported for the figures

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Figure:
    name: str
    measured: str
    baseline: str
    ratio: float
    target: str
    met: bool | None  # None: a figure reported without a target
    notes: list[str] = field(default_factory=list)


def best_of(fn, repeat: int) -> float:
    """Minimum wall time of fn() over repeat runs (the least disturbed run on a noisy host)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def median_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def child_server(args: list[str], port: int, env: dict | None = None, health: str = "/healthz", log=None):
    """Run a server process until the block ends; wait until it answers. ``log``: a binary
    file for the server's stderr (kept for the caller to read), else a temporary file. Never
    a pipe: the server writes an access-log line per request, and a pipe nobody reads fills
    up after ~64 KB and blocks every worker."""
    if log is None:
        log = tempfile.TemporaryFile()
    proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=log)

    def output() -> str:
        log.seek(0)
        return log.read().decode(errors="replace")[-2000:]

    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError("server exited: " + output())
            try:
                requests.get(f"http://127.0.0.1:{port}{health}", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start: " + output()) from None
                time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise RuntimeError("the server did not stop within 60 s of SIGTERM") from None


def python() -> str:
    return sys.executable
