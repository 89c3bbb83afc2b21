"""Figure: REST GetContact (XML) against SOAP GetContact on the same server, requests/s at
concurrency 8. The issue's target: the REST twin answers at least as fast as SOAP (ratio
REST/SOAP >= 1). The server is started the way an operator does (`callfire-soap serve
--workers 2 --threads 4`), so the figure follows whatever server that command runs."""
from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

import requests

from callfire_soap.backend import Backend
from callfire_soap.domain.contacts import Contact
from callfire_soap.services.accounts import create_account

from .common import Figure, child_server, free_port, python
from .http_getcontact import _all_workers_up

WORKERS, THREADS, CONNECTIONS = 2, 4, 8
ROUNDS = 3
AUTH = "Basic YmVuY2g6YmVuY2gtcGFzc3dvcmQ="  # bench:bench-password


def _wrk(url: str, method: str, headers: dict[str, str], body: str | None, seconds: int) -> float:
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = [[{body}]]")
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text("\n".join(lines) + "\n")
    try:
        result = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", str(script), url],
                                capture_output=True, text=True, check=True)
    finally:
        script.unlink()
    if re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout):
        raise RuntimeError("wrk saw error responses:\n" + result.stdout)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))


def run(database_url: str, seconds: int = 10) -> Figure:
    if shutil.which("wrk") is None:
        raise SystemExit("the REST figure needs wrk (apt-get install wrk)")
    backend = Backend.open(database_url)
    create_account(backend.uow, "bench", "bench-password")
    with backend.uow() as uow:
        account_id = uow.accounts.id_of("bench")
        (cid,) = uow.contacts.add_many(account_id, [Contact(
            first_name="Robert", last_name="Shmidt", mobile_phone="12132212384", custom={"F": "12132212384"})])
        uow.commit()
    backend.close()
    soap_body = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>'
                 '<svc:GetContact xmlns:svc="http://api.callfire.com/service/xsd">'
                 f"<svc:Id>{cid}</svc:Id></svc:GetContact></env:Body></env:Envelope>")
    soap_headers = {"Content-Type": "application/soap+xml; charset=utf-8", "Authorization": AUTH}
    rest_headers = {"Authorization": AUTH}

    port = free_port()
    serve = [python(), "-m", "callfire_soap.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(WORKERS), "--threads", str(THREADS), "--database", database_url]
    with child_server(serve, port):
        _all_workers_up("granian", port)
        soap_url = f"http://127.0.0.1:{port}/api/1.1/soap12/contact"
        rest_url = f"http://127.0.0.1:{port}/api/1.1/rest/contact/{cid}"
        soap_check = requests.post(soap_url, data=soap_body, headers=soap_headers, timeout=10)
        rest_check = requests.get(rest_url, headers=rest_headers, timeout=10)
        for check in (soap_check, rest_check):
            assert check.status_code == 200 and b'firstName="Robert"' in check.content, check.text
        # Alternating runs spread the host's drift over both sides; the medians are compared.
        soap_runs, rest_runs = [], []
        for _ in range(ROUNDS):
            soap_runs.append(_wrk(soap_url, "POST", soap_headers, soap_body, seconds))
            rest_runs.append(_wrk(rest_url, "GET", rest_headers, None, seconds))
    soap_rps, rest_rps = statistics.median(soap_runs), statistics.median(rest_runs)
    ratio = rest_rps / soap_rps
    return Figure(
        name=f"REST GetContact (XML) vs SOAP GetContact, same server, c={CONNECTIONS} "
             f"(callfire-soap serve --workers {WORKERS} --threads {THREADS})",
        measured=f"{rest_rps:,.0f} req/s (REST)", baseline=f"{soap_rps:,.0f} req/s (SOAP)",
        ratio=ratio, target=">= 1.0", met=ratio >= 1.0,
        notes=["runs (req/s), REST: " + ", ".join(f"{r:,.0f}" for r in rest_runs)
               + "; SOAP: " + ", ".join(f"{r:,.0f}" for r in soap_runs)],
    )
