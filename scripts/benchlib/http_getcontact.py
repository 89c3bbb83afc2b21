"""Figure 1: GetContact over HTTP (auth + database lookup) at concurrency 8: requests/s, p50
and p99, against a bare lxml WSGI handler under the same server (the one `serve` runs).

    python -m scripts.benchlib.http_getcontact [--database URL] [--server NAME ...] [--seconds 10] [--rounds 3]

compares the servers `serve --server` offers (and uWSGI), each with its bare floor (BENCHMARKS.md).
"""
from __future__ import annotations

import argparse
import base64
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import requests

from callfire_soap.backend import Backend
from callfire_soap.domain.contacts import Contact
from callfire_soap.server import DEFAULT_SERVER, SERVERS
from callfire_soap.services.accounts import create_account

from .common import Figure, child_server, free_port, python, scratch_database

WORKERS, THREADS, CONNECTIONS = 2, 4, 8
ROUNDS = 3
BARE = "scripts.benchlib.bare_wsgi:app"
# Measured for the comparison only (`pip install pyuwsgi`); `serve` does not offer it.
COMPARED = (*SERVERS, "uwsgi")


def _uwsgi(port: int, module: str, threads: int, *extra: str) -> list[str]:
    # http11-socket: keep-alive (plain http-socket closes every connection); lazy-apps: the
    # application is built in each worker after the fork; die-on-term: SIGTERM stops it.
    return [str(Path(python()).with_name("uwsgi")), "--http11-socket", f"127.0.0.1:{port}", "--master",
            "--processes", str(WORKERS), "--threads", str(threads), "--lazy-apps", "--die-on-term",
            "--need-app", "--disable-logging", "--module", module, *extra]
LOGIN, PASSWORD = "bench", "bench-password"
CONTACT = dict(first_name="Robert", last_name="Shmidt", mobile_phone="12132212384", custom={"F": "12132212384"})
AUTH = "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()


@dataclass
class Run:
    rps: float
    p50: float  # ms
    p99: float  # ms
    socket_errors: int = 0  # wrk's count: timeouts (2 s) and connection errors
    errors_detail: str = ""
    requests: int = 0
    cpu_us: float = 0.0  # CPU time of the server's processes per request, microseconds

    def __str__(self) -> str:
        errors = f" (wrk socket errors: {self.errors_detail})" if self.socket_errors else ""
        return f"{self.rps:,.0f} req/s p50 {self.p50:.2f} p99 {self.p99:.2f} ms, {self.cpu_us:.0f} us CPU/req{errors}"


def _tree_cpu(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (Linux /proc)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _tree_cpu(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


@dataclass
class WrkRun:
    requests: int
    rps: float
    p50_ms: float  # wrk's, see wrk()
    p99_ms: float
    socket_errors: str = ""  # wrk's line, when it counted any (timeouts are requests over 2 s)


def wrk(url: str, body: str, auth: str, seconds: int, connections: int = CONNECTIONS) -> WrkRun:
    """One wrk run (2 threads) posting the SOAP 1.2 request; fails on any non-2xx reply.
    Its p50/p99 are wrk's own latency distribution, which is not that of its requests (see
    ab_latency): use them only beside ab_latency's."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [[{body}]]\n"
        'wrk.headers["Content-Type"] = "application/soap+xml; charset=utf-8"\n'
        f'wrk.headers["Authorization"] = "{auth}"\n'
    )
    try:
        result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                                 url], capture_output=True, text=True, check=True)
    finally:
        script.unlink()
    if re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout):
        raise RuntimeError("wrk saw error responses:\n" + result.stdout)
    socket_errors = re.search(r"Socket errors: connect \d+, read \d+, write \d+, timeout \d+", result.stdout)
    latency = {p: _ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", result.stdout, re.M)}
    return WrkRun(requests=int(re.search(r"(\d+) requests in", result.stdout).group(1)),
                  rps=float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1)),
                  p50_ms=latency["50"], p99_ms=latency["99"],
                  socket_errors=socket_errors.group(0) if socket_errors else "")


def _wrk(url: str, body: str, seconds: int, pid: int) -> Run:
    """wrk() with the CPU time of the server's processes per request during the wrk run."""
    cpu = _tree_cpu(pid)
    run = wrk(url, body, AUTH, seconds)
    count, rps, socket_errors = run.requests, run.rps, run.socket_errors
    cpu = _tree_cpu(pid) - cpu
    p50, p99 = ab_latency(url, body, AUTH, seconds)
    return Run(rps, p50, p99, sum(map(int, re.findall(r"\d+", socket_errors))), socket_errors, count,
               cpu / max(count, 1) * 1e6)


def ab_latency(url: str, body: str, auth: str, seconds: int, connections: int = CONNECTIONS) -> tuple[float, float]:
    """p50 and p99 in ms of every request of an ab run (keep-alive, the same concurrency).
    wrk 4.1.0's latency distribution (Debian's build) is not one of the requests it made: on a
    handler that sleeps 300 ms once in 2,000 requests it reported p90 178 ms, p99 290 ms and a
    mean 100x what its own throughput allows (8 connections / 22,600 req/s = 0.35 ms), where ab
    and hey both saw p99 2-7 ms. ab keeps every request's time."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "body").write_text(body)
        result = subprocess.run(
            ["ab", "-q", "-k", "-c", str(connections), "-t", str(seconds), "-n", "100000000", "-p", f"{tmp}/body",
             "-T", "application/soap+xml; charset=utf-8", "-H", f"Authorization: {auth}", "-e", f"{tmp}/pct.csv",
             url], capture_output=True, text=True)
        if result.returncode != 0 or "Non-2xx responses" in result.stdout:
            raise RuntimeError("ab failed:\n" + result.stdout[-2000:] + result.stderr[-2000:])
        pct = dict(line.split(",") for line in (Path(tmp) / "pct.csv").read_text().splitlines()[1:])
    return float(pct["50"]), float(pct["99"])


def service_command(server: str, port: int, database_url: str) -> list[str]:
    """The project as `callfire-soap serve` runs it (waitress: one process, 8 threads)."""
    if server == "uwsgi":
        return _uwsgi(port, "callfire_soap.wsgi:application", THREADS)  # CALLFIRE_DATABASE_URL: measure()
    layout = ["--threads", str(WORKERS * THREADS)] if server == "waitress" else \
        ["--workers", str(WORKERS), "--threads", str(THREADS)]
    return [python(), "-m", "callfire_soap.cli", "serve", "--server", server, "--port", str(port),
            "--database", database_url, *layout]


def bare_command(server: str, port: int, threads: int = THREADS) -> list[str]:
    """The bare handler under the same server code and layout as the service."""
    if server == "uwsgi":
        return _uwsgi(port, BARE, threads)
    if server == "waitress":
        code = f"import waitress; from {BARE.replace(':', ' import ')}; waitress.serve(app, port={port}, " \
               f"threads={WORKERS * threads}, _quiet=True)"
    else:
        code = f"from callfire_soap.server import serve_{server}; " \
               f"serve_{server}({BARE!r}, '127.0.0.1', {port}, {WORKERS}, {threads})"
    return [python(), "-c", code]


def _all_workers_up(server: str, port: int) -> None:
    """granian gives each worker its own SO_REUSEPORT listening socket: /healthz answers once
    the first worker listens, and connections made before the others do all land on it (and
    keep-alive keeps them there for the whole run). Wait until every worker listens."""
    if server != "granian":
        return
    deadline = time.monotonic() + 60
    while True:
        listening = sum(1 for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                        if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A")
        if listening >= WORKERS:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("granian workers did not all start")
        time.sleep(0.1)


def seed_contact(database_url: str) -> tuple[int, str, str]:
    """The benchmark account and its contact: (contact id, GetContact request body, Authorization)."""
    backend = Backend.open(database_url)
    create_account(backend.uow, LOGIN, PASSWORD)
    with backend.uow() as uow:
        account_id = uow.accounts.id_of(LOGIN)
        (cid,) = uow.contacts.add_many(account_id, [Contact(**CONTACT)])
        uow.commit()
    backend.close()
    body = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
            '<svc:GetContact xmlns:svc="http://api.callfire.com/service/xsd">'
            f"<svc:Id>{cid}</svc:Id></svc:GetContact></env:Body></env:Envelope>")
    return cid, body, AUTH


def measure(database_url: str, servers: tuple[str, ...], seconds: int, rounds: int,
            bare: bool = True, log=print) -> dict[tuple[str, str], list[Run]]:
    """{(server, "service"|"bare"): runs}. Every server runs side by side (idle while another
    is measured) and the wrk runs alternate round by round: the host's speed drifts, and
    alternating spreads the drift over all of them."""
    if shutil.which("wrk") is None or shutil.which("ab") is None:
        raise SystemExit("the HTTP figure needs wrk and ab (apt-get install wrk apache2-utils)")
    _, body, _ = seed_contact(database_url)
    urls, pids = {}, {}
    with ExitStack() as stack:
        for server in servers:
            port = free_port()
            # The server's log goes to a file: an unread pipe that fills up would stall it.
            log_file = stack.enter_context(tempfile.TemporaryFile())
            proc = stack.enter_context(child_server(service_command(server, port, database_url), port, log=log_file,
                                                     env={"CALLFIRE_DATABASE_URL": database_url}))
            _all_workers_up(server, port)
            urls[server, "service"] = f"http://127.0.0.1:{port}/api/1.1/soap12/contact"
            pids[server, "service"] = proc.pid
            if bare:
                port = free_port()
                log_file = stack.enter_context(tempfile.TemporaryFile())
                proc = stack.enter_context(child_server(bare_command(server, port), port, log=log_file))
                _all_workers_up(server, port)
                urls[server, "bare"] = f"http://127.0.0.1:{port}/api/1.1/soap12/contact"
                pids[server, "bare"] = proc.pid
        for (_server, kind), url in urls.items():
            if kind == "service":
                check = requests.post(url, data=body, timeout=10, headers={
                    "Content-Type": "application/soap+xml", "Authorization": AUTH})
                assert check.status_code == 200 and b'firstName="Robert"' in check.content, check.text
        runs: dict[tuple[str, str], list[Run]] = {key: [] for key in urls}
        keys = list(urls)
        for n in range(rounds):
            for key in keys[n % len(keys):] + keys[:n % len(keys)]:  # a different one goes first each round
                runs[key].append(_wrk(urls[key], body, seconds, pids[key]))
                log(f"round {n + 1} {key[0]:9} {key[1]:8} {runs[key][-1]}  (load {os.getloadavg()[0]:.1f})")
    return runs


def _median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.rps for r in runs), statistics.median(r.p50 for r in runs),
               statistics.median(r.p99 for r in runs), cpu_us=statistics.median(r.cpu_us for r in runs))


def run(database_url: str, seconds: int = 10, server: str = DEFAULT_SERVER) -> Figure:
    runs = measure(database_url, (server,), seconds, ROUNDS, log=lambda _: None)
    service, baseline = runs[server, "service"], runs[server, "bare"]
    ratio = _median(service).rps / _median(baseline).rps
    return Figure(
        name=f"GetContact over HTTP, c={CONNECTIONS} ({server} {WORKERS}x{THREADS})",
        measured=f"{_median(service).rps:,.0f} req/s", baseline=f"{_median(baseline).rps:,.0f} req/s (bare lxml WSGI)",
        ratio=ratio, target=">= 0.5", met=ratio >= 0.5,
        notes=["service runs: " + "; ".join(map(str, service)),
               "bare runs:    " + "; ".join(map(str, baseline)),
               "p99 <= 5x p50 in every service round: "
               + ("yes" if all(r.p99 <= 5 * r.p50 for r in service) else "NO")],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="PostgreSQL URL (a scratch schema is used); default SQLite")
    parser.add_argument("--server", action="append", choices=COMPARED, help="default: all")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-bare", action="store_true", help="measure the service only")
    args = parser.parse_args()
    servers = tuple(args.server or COMPARED)
    with scratch_database(args.database) as url:
        runs = measure(url, servers, args.seconds, args.rounds, bare=not args.no_bare,
                       log=lambda line: print(line, flush=True))
    print("\n| server | app | req/s | p50 ms | p99 ms | server CPU µs/req | rounds: req/s; p99 ms |"
          "\n|---|---|---|---|---|---|---|")
    for (server, kind), rs in runs.items():
        m = _median(rs)
        print(f"| {server} | {kind} | {m.rps:,.0f} | {m.p50:.2f} | {m.p99:.2f} | {m.cpu_us:.0f} | "
              + ", ".join(f"{r.rps:,.0f}" for r in rs) + "; " + ", ".join(f"{r.p99:.1f}" for r in rs)
              + (f"; {sum(r.socket_errors for r in rs)} socket errors" if any(r.socket_errors for r in rs) else "")
              + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
