"""The observing middleware around the whole WSGI application: request ids, one access-log
line per request, request metrics, and the /metrics scrape.

What the wrapped application knows and the middleware cannot see (who logged in, which
operation ran, the FaultCode) it writes into ``environ["callfire.log"]``, a dict the
middleware puts there for every request:

* ``login``: the login from the Authorization header, verified or not (never the password);
* ``operation``: a bounded name (a WSDL operation name for SOAP, the operation for REST);
  it becomes a metrics label, so never a raw path or client text;
* ``fault``: the FaultCode of a fault answer (BAD_REQUEST, NOT_FOUND, UNAVAILABLE, ...);
* ``auth``: ``invalid`` or ``throttled`` when the credentials were refused.
"""
from __future__ import annotations

import hmac
import logging
import os
import time

from . import metrics
from .admission import AdmissionGate
from .request_context import LOG_NOTE, client_address, current_request_id, request_id_from
from .soap.wsdl import SOAP11_PATH, SOAP12_PATH, WSDL_DIR

access_log = logging.getLogger("callfire_soap.access")

REST_PREFIX = "/api/1.1/rest/"
NOTE = LOG_NOTE
METRICS_PATH = "/metrics"
_ROUTES = {"/": "landing", "/healthz": "healthz", METRICS_PATH: "metrics"}
MAX_LOGGED_PATH = 256


def entrypoint_of(method: str, path: str, query: str) -> str:
    if path in (SOAP12_PATH, SOAP11_PATH):
        if method == "POST":
            return "soap12" if path == SOAP12_PATH else "soap11"
        return "wsdl" if "wsdl" in query.lower() else "other"
    if path.startswith(WSDL_DIR):
        return "wsdl"
    if path.startswith(REST_PREFIX) or path == REST_PREFIX.rstrip("/"):
        return "rest"
    return "other"


def operation_of(entrypoint: str, path: str, note: dict) -> str:
    if note.get("operation"):
        return note["operation"]
    if entrypoint == "wsdl":
        return "wsdl"
    if entrypoint == "other":
        return _ROUTES.get(path, "other")
    return "unknown"  # a SOAP or REST request refused before an operation was picked


class _Body:
    """A streamed response, counting its bytes; ``done`` runs once, when the server closes
    it after the last byte."""

    def __init__(self, result, done):
        self._result = result
        self._done = done
        self.sent = 0

    def __iter__(self):
        for chunk in self._result:
            self.sent += len(chunk)
            yield chunk

    def close(self):
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            done, self._done = self._done, None
            if done is not None:
                done(self.sent)


class ObservedApp:
    """Wraps the application; other attributes, read or set, are the wrapped application's
    (``trust_forwarded`` included, which also decides the logged client address)."""

    _OWN = frozenset({"app", "metrics_token", "gate"})

    def __init__(self, app, metrics_token: str | None = None, gate: AdmissionGate | None = None):
        self.app = app
        self.metrics_token = metrics_token
        # Taken before anything else, logging included; the logged duration counts the wait.
        self.gate = gate

    def __getattr__(self, name):
        if name in self._OWN:  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.app, name)

    def __setattr__(self, name, value):
        if name in self._OWN:
            object.__setattr__(self, name, value)
        else:
            setattr(self.app, name, value)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        gate = self.gate
        if gate is None or not gate.enter():
            return self._observe(environ, start_response, started)
        try:
            return self._observe(environ, start_response, started)
        finally:
            gate.leave()

    def _observe(self, environ, start_response, started: float):
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        note: dict = {}
        environ[NOTE] = note
        environ["callfire.request_id"] = request_id
        answered: list[str] = []

        def start(status, headers, exc_info=None):
            answered[:] = [status]
            headers = [h for h in headers if h[0].lower() != "x-request-id"]
            headers.append(("X-Request-Id", request_id))
            return start_response(status, headers, exc_info)

        def done(sent: int) -> None:
            status = int(answered[0].split(" ", 1)[0]) if answered else 500
            self._record(environ, note, request_id, status, sent, time.perf_counter() - started)

        token = current_request_id.set(request_id)
        try:
            if environ.get("PATH_INFO") == METRICS_PATH:
                result = self._metrics(environ, start)
            else:
                result = self.app(environ, start)
        except BaseException:
            done(0)
            raise
        finally:
            current_request_id.reset(token)
        if isinstance(result, (list, tuple)):
            # The whole body is in hand: record now, before the client can see the answer,
            # so that a scrape right after a response already counts it.
            done(sum(len(chunk) for chunk in result))
            return result
        return _Body(result, done)

    def _metrics(self, environ, start):
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return _plain(start, "405 Method Not Allowed", b"GET /metrics\n", [("Allow", "GET")])
        if self.metrics_token:
            given = environ.get("HTTP_AUTHORIZATION", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.metrics_token}".encode()):
                return _plain(start, "401 Unauthorized", b"metrics need the bearer token\n",
                              [("WWW-Authenticate", 'Bearer realm="metrics"')])
        body, content_type = metrics.exposition()
        return _plain(start, "200 OK", body, content_type=content_type)

    def _record(self, environ, note, request_id, status, sent, seconds):
        method = environ.get("REQUEST_METHOD", "-")
        path = environ.get("PATH_INFO", "") or "/"
        entrypoint = entrypoint_of(method, path, environ.get("QUERY_STRING", ""))
        operation = operation_of(entrypoint, path, note)
        fault = note.get("fault")
        try:
            metrics.observe_request(entrypoint, operation, status, fault, seconds)
            if note.get("auth"):
                metrics.observe_failed_login(note["auth"])
        except Exception:  # noqa: BLE001 - metrics must never fail a request
            access_log.warning("could not record metrics", exc_info=True)
        if not access_log.isEnabledFor(logging.INFO):
            return
        # Logger.info() would first walk the stack for the caller's file and line (findCaller),
        # which no format here writes: the record is made and handed to the handlers directly.
        access_log.handle(access_log.makeRecord(access_log.name, logging.INFO, __file__, 0, "access", None, None,
                                                extra={"fields": {
            "request_id": request_id,
            "client": client_address(environ, getattr(self.app, "trust_forwarded", False)),
            "login": note.get("login"),
            "method": method,
            "path": path[:MAX_LOGGED_PATH],
            "entrypoint": entrypoint,
            "operation": operation,
            "status": status,
            "fault": fault,
            "auth": note.get("auth"),
            "duration_ms": round(seconds * 1000, 1),
            "bytes": sent,
        }}))


def _plain(start, status: str, body: bytes, headers=(), content_type="text/plain; charset=utf-8"):
    start(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *headers])
    return [body]


def metrics_token_from_env() -> str | None:
    return os.environ.get("CALLFIRE_METRICS_TOKEN") or None
