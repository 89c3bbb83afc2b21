"""Figure 5: peak RSS of the server while CreateContactList imports a 200,000-row CSV (File
source), and of `callfire-soap contacts import FILE.csv --list NAME` for 1,000,000 rows."""
from __future__ import annotations

import base64
import os
import random
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import requests

from callfire_soap.backend import Backend
from callfire_soap.services.accounts import create_account

from .common import Figure, child_server, free_port, python
from .numbers import unique_numbers

LIMIT_MB = 300


def _write_csv(path: Path, rows: int) -> None:
    rng = random.Random(rows)
    numbers = unique_numbers(rows)
    with path.open("w") as out:
        out.write("firstName,lastName,homePhone,zipcode,Member Level,Notes\n")
        for i, number in enumerate(numbers):
            out.write(f"First{i},Last{rng.randint(0, 99999)},{number},{rng.randint(10000, 99999)},"
                      f"{rng.choice(('gold', 'silver', 'bronze'))},customer since {2000 + i % 25}\n")


def _own_peak_mb(pid: int) -> float:
    """VmHWM: the high-water mark of the process's resident set, kept by the kernel."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found.append(int(child))
            found.extend(_descendants(int(child)))
    return found


def post_to_a_server(database_url: str, body: bytes, auth: tuple[str, str], timeout: float,
                     server_args: tuple[str, ...] = ()) -> tuple[requests.Response, float, float, float]:
    """One SOAP 1.2 request to a `serve` child on the database: (the reply, its seconds,
    the server's peak RSS in MB before it and after it)."""
    port = free_port()
    with child_server([python(), "-m", "callfire_soap.cli", "serve", *server_args, "--port", str(port),
                       "--database", database_url], port) as proc:
        idle = _peak_rss_mb(proc.pid)
        start = time.perf_counter()
        reply = requests.post(f"http://127.0.0.1:{port}/api/1.1/soap12/contact", data=body, timeout=timeout,
                              auth=auth, headers={"Content-Type": "application/soap+xml; charset=utf-8"})
        seconds = time.perf_counter() - start
        return reply, seconds, idle, _peak_rss_mb(proc.pid)


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:  # it exited meanwhile
        pass
    return 0


class _TreeSampler:
    """The largest sum of the resident sets of a process and its descendants, sampled every
    10 ms until stop()."""

    def __init__(self, pid: int):
        self.pid = pid
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            try:
                pids = [self.pid, *_descendants(self.pid)]
            except OSError:  # a process of the tree exited while it was walked
                continue
            self.peak_mb = max(self.peak_mb, sum(_rss_kb(pid) for pid in pids) / 1024)

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def _peak_rss_mb(pid: int) -> float:
    """The largest VmHWM of the server process and its descendants: under granian the
    request is served by a worker process, not by the supervisor that was started."""
    return max(_own_peak_mb(p) for p in [pid, *_descendants(pid)])


def run(database_url: str, server_rows: int = 200_000, cli_rows: int = 1_000_000) -> Figure:
    backend = Backend.open(database_url)
    create_account(backend.uow, "mem", "mem-password")
    backend.close()
    with tempfile.TemporaryDirectory(prefix="cf-mem-") as tmp:
        server_csv = Path(tmp) / "server.csv"
        _write_csv(server_csv, server_rows)
        body = (b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
                b'<svc:CreateContactList xmlns:svc="http://api.callfire.com/service/xsd">'
                b'<svc:Name>server import</svc:Name>'
                b'<svc:ContactSource><svc:File>') + base64.b64encode(server_csv.read_bytes()) + (
                b"</svc:File></svc:ContactSource></svc:CreateContactList></env:Body></env:Envelope>")
        reply, server_seconds, before, server_peak = post_to_a_server(
            database_url, body, ("mem", "mem-password"), timeout=900)
        assert reply.status_code == 200, reply.text[:500]

        cli_csv = Path(tmp) / "cli.csv"
        _write_csv(cli_csv, cli_rows)
        start = time.perf_counter()
        child = subprocess.Popen([python(), "-m", "callfire_soap.cli", "contacts", "import", str(cli_csv),
                                  "--list", "cli import", "--account", "mem", "--database", database_url],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        tree_peak = _TreeSampler(child.pid)
        _, status, usage = os.wait4(child.pid, 0)
        cli_seconds = time.perf_counter() - start
        tree_peak.stop()
        output = child.stdout.read()
        assert os.waitstatus_to_exitcode(status) == 0, child.stderr.read()[-2000:]
        # The command prepares the file in a child process: their resident sets add up.
        cli_peak = max(usage.ru_maxrss / 1024, tree_peak.peak_mb)
        sizes = (server_csv.stat().st_size / 1e6, cli_csv.stat().st_size / 1e6)
    worst = max(server_peak, cli_peak)
    return Figure(
        name="peak RSS: server importing a 200k-row CSV; CLI importing 1M rows",
        measured=f"server {server_peak:.0f} MB (idle {before:.0f} MB), CLI {cli_peak:.0f} MB",
        baseline=f"limit {LIMIT_MB} MB", ratio=worst / LIMIT_MB, target="<= 300 MB each", met=worst <= LIMIT_MB,
        notes=[f"server: {server_rows:,} rows ({sizes[0]:.0f} MB CSV, base64 in the request) in {server_seconds:.1f} s",
               f"CLI (with its preparing child process): {cli_rows:,} "
               f"rows ({sizes[1]:.0f} MB CSV) in {cli_seconds:.1f} s: {output.strip()}"],
    )
