"""Figure 1: GetContact over HTTP (auth + database lookup) at concurrency 8, requests/s,
against a bare lxml WSGI handler under the same server (gunicorn gthread)."""
from __future__ import annotations

import base64
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import requests

from callfire_soap.backend import Backend
from callfire_soap.domain.contacts import Contact
from callfire_soap.services.accounts import create_account

from .common import Figure, child_server, free_port, python

WORKERS, THREADS, CONNECTIONS = 2, 4, 8
ROUNDS = 3
LOGIN, PASSWORD = "bench", "bench-password"
CONTACT = dict(first_name="Robert", last_name="Shmidt", mobile_phone="12132212384", custom={"F": "12132212384"})


@dataclass
class WrkRun:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _latency_ms(output: str, percentile: str) -> float:
    value, unit = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
    return float(value) * _UNIT_MS[unit]


def wrk(url: str, body: str, auth: str, seconds: int, connections: int = CONNECTIONS) -> WrkRun:
    """One wrk run (2 threads) posting the SOAP 1.2 request; fails on any non-2xx reply."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(
        'wrk.method = "POST"\n'
        f"wrk.body = [[{body}]]\n"
        'wrk.headers["Content-Type"] = "application/soap+xml; charset=utf-8"\n'
        f'wrk.headers["Authorization"] = "{auth}"\n'
    )
    result = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                            capture_output=True, text=True, check=True)
    script.unlink()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if errors:
        raise RuntimeError("wrk saw error responses:\n" + result.stdout)
    return WrkRun(requests=int(re.search(r"(\d+) requests in", result.stdout).group(1)),
                  rps=float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1)),
                  p50_ms=_latency_ms(result.stdout, "50"), p99_ms=_latency_ms(result.stdout, "99"))


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
    return cid, body, "Basic " + base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()


def _gunicorn(app: str, port: int) -> list[str]:
    return [python(), "-m", "gunicorn", "--worker-class", "gthread", "--workers", str(WORKERS),
            "--threads", str(THREADS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app]


def run(database_url: str, seconds: int = 10) -> Figure:
    if shutil.which("wrk") is None:
        raise SystemExit("the HTTP figure needs wrk (apt-get install wrk)")
    _, body, auth = seed_contact(database_url)

    # Both servers run side by side (idle while the other is measured), and the wrk runs
    # alternate, three each: the host's speed drifts, and alternating spreads the drift
    # over both sides; the medians are compared.
    service_port, baseline_port = free_port(), free_port()
    with child_server(_gunicorn("callfire_soap.wsgi:application", service_port), service_port,
                      env={"CALLFIRE_DATABASE_URL": database_url}), \
            child_server(_gunicorn("scripts.benchlib.bare_wsgi:app", baseline_port), baseline_port):
        service_url = f"http://127.0.0.1:{service_port}/api/1.1/soap12/contact"
        baseline_url = f"http://127.0.0.1:{baseline_port}/api/1.1/soap12/contact"
        check = requests.post(service_url, data=body, timeout=10, headers={
            "Content-Type": "application/soap+xml", "Authorization": auth})
        assert check.status_code == 200 and b'firstName="Robert"' in check.content, check.text
        service_runs, baseline_runs = [], []
        for _ in range(ROUNDS):
            baseline_runs.append(wrk(baseline_url, body, auth, seconds).rps)
            service_runs.append(wrk(service_url, body, auth, seconds).rps)
    service_rps, baseline_rps = statistics.median(service_runs), statistics.median(baseline_runs)

    ratio = service_rps / baseline_rps
    return Figure(
        name="GetContact over HTTP, c=8 (gunicorn gthread 2x4)",
        measured=f"{service_rps:,.0f} req/s", baseline=f"{baseline_rps:,.0f} req/s (bare lxml WSGI)",
        ratio=ratio, target=">= 0.5", met=ratio >= 0.5,
        notes=["runs (req/s), service: " + ", ".join(f"{r:,.0f}" for r in service_runs)
               + "; baseline: " + ", ".join(f"{r:,.0f}" for r in baseline_runs)],
    )
