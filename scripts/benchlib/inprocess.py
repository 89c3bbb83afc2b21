"""CPU time per request of the whole WSGI application (access log and metrics included), in
process: no server, no socket, one thread. What the HTTP figures cannot show on a shared host
(their wall-clock rates move with the neighbours): how many microseconds of CPU one request
of each hot operation costs in this project's Python.

    python -m scripts.benchlib.inprocess [--database URL] [--requests 20000] [--profile OP]

The access log is written to /dev/null through the project's own handler and formatter, as a
server writes it to its stderr.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import time

from callfire_soap import logconfig
from callfire_soap.app import create_app
from callfire_soap.backend import Backend
from callfire_soap.services import dnc as dnc_service

from .common import scratch_database
from .http_getcontact import AUTH, LOGIN, seed_contact

_ENV = "http://www.w3.org/2003/05/soap-envelope"
_SVC = "http://api.callfire.com/service/xsd"


def _envelope(inner: str) -> bytes:
    return (f'<env:Envelope xmlns:env="{_ENV}"><env:Body>{inner}</env:Body></env:Envelope>').encode()


def seed(database_url: str) -> dict[str, bytes]:
    """The account, a contact and a DNC list; the request bodies of the hot reads."""
    cid, _, _ = seed_contact(database_url)
    backend = Backend.open(database_url)
    with backend.uow(write=False) as uow:
        account_id = uow.accounts.id_of(LOGIN)
    dnc_id = dnc_service.create_dnc_list(backend.uow, account_id, "bench", None, True, True,
                                         ["12132212384", "12132212385"])
    backend.close()
    svc = f'xmlns:svc="{_SVC}"'
    return {
        "GetContact": _envelope(f"<svc:GetContact {svc}><svc:Id>{cid}</svc:Id></svc:GetContact>"),
        "QueryContacts": _envelope(f"<svc:QueryContacts {svc}><svc:MaxResults>10</svc:MaxResults>"
                                   "</svc:QueryContacts>"),
        "GetDncList": _envelope(f"<svc:GetDncListRequest {svc}><svc:Id>{dnc_id}</svc:Id></svc:GetDncListRequest>"),
        "QueryDncLists": _envelope(f"<svc:QueryDncListsRequest {svc}><svc:MaxResults>10</svc:MaxResults>"
                                   "</svc:QueryDncListsRequest>"),
        "QueryDncNumbers": _envelope(f"<svc:QueryDncNumbersRequest {svc}><svc:MaxResults>10</svc:MaxResults>"
                                     "</svc:QueryDncNumbersRequest>"),
    }


def _caller(app, body: bytes):
    base = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/1.1/soap12/contact", "QUERY_STRING": "",
            "CONTENT_TYPE": "application/soap+xml; charset=utf-8", "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": AUTH, "REMOTE_ADDR": "127.0.0.1", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "wsgi.url_scheme": "http"}
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    def call():
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(body)
        result = app(environ, start_response)
        out = b"".join(result)
        close = getattr(result, "close", None)
        if close is not None:
            close()
        return out

    return call, statuses


def cpu_per_request(app, body: bytes, requests: int) -> float:
    """µs of this thread's CPU per request, the best of 5 batches."""
    call, statuses = _caller(app, body)
    for _ in range(200):
        call()
    assert statuses[-1].startswith("200"), (statuses[-1], call())
    best = float("inf")
    batch = max(requests // 5, 1)
    for _ in range(5):
        start = time.thread_time()
        for _ in range(batch):
            call()
        best = min(best, (time.thread_time() - start) / batch)
    return best * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database")
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--profile", help="an operation to profile with cProfile instead")
    parser.add_argument("--operation", action="append")
    args = parser.parse_args()
    with scratch_database(args.database) as url, open("/dev/null", "w") as sink:
        bodies = seed(url)
        logconfig.configure()
        logging.getLogger().handlers[0].stream = sink
        app = create_app(url, pool_size=4)
        if args.profile:
            call, _ = _caller(app, bodies[args.profile])
            for _ in range(200):
                call()
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                call()
            profile.disable()
            pstats.Stats(profile).sort_stats("tottime").print_stats(45)
            return 0
        for name in args.operation or bodies:
            print(f"{name:16} {cpu_per_request(app, bodies[name], args.requests):7.1f} µs CPU/request", flush=True)
        app.backend.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
