"""WSGI composition: routes, HTTP Basic authentication, WSDL publishing, health."""
from __future__ import annotations

import base64
import binascii
import gc
import logging
import math
import os
import re
from urllib.parse import parse_qs

from . import landing, logconfig
from .accesslog import ObservedApp, metrics_token_from_env
from .admission import DEFAULT_WAIT_MS, gate_from_env
from .backend import Backend
from .operations import OPERATIONS, Scope
from .request_body import BodyError, read_body
from .request_context import LOG_NOTE, RETRY_AFTER, client_address
from .rest import PREFIX as REST_PREFIX
from .rest import RestEndpoint
from .services.authenticator import Throttled
from .soap import build_endpoints
from .soap.wsdl import CONCRETE, CONCRETE_WSDL, CONCRETE_WSDL_11, SOAP11_PATH, SOAP12_PATH, WSDL_DIR, WsdlPublisher

log = logging.getLogger("callfire_soap.app")

REALM = "CallFire API"
DEFAULT_MAX_BODY = 32 * 1024 * 1024
MAX_AUTH_HEADER = 4096
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")

def _plain(start_response, status: str, text: str, extra_headers=()):
    body = (text + "\n").encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))), *extra_headers])
    return [body]

class CallFireApp:
    def __init__(self, backend: Backend, max_body: int = DEFAULT_MAX_BODY, trust_forwarded: bool = False):
        self.backend = backend
        self.max_body = max_body
        self.trust_forwarded = trust_forwarded
        self.wsdl = WsdlPublisher()
        self.soap12, self.soap11 = build_endpoints(OPERATIONS)
        # endpoint path -> (SOAP endpoint, the concrete WSDL that names it)
        self.endpoints = {
            SOAP12_PATH: (self.soap12, CONCRETE_WSDL),
            SOAP11_PATH: (self.soap11, CONCRETE_WSDL_11),
        }
        self.rest = RestEndpoint(OPERATIONS, backend, self._authenticate, max_body,
                                 lambda environ: _base_url(environ, trust_forwarded),
                                 f'Basic realm="{REALM}", charset="UTF-8"')

    # -- routing -------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "HEAD":
            # The headers of the GET answer (Content-Length included), no body: the WSGI
            # servers pass a body through as it is, even for HEAD.
            for _ in self._route(environ, start_response):
                pass
            return [b""]
        return self._route(environ, start_response)

    def _route(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        endpoint = self.endpoints.get(path)
        if endpoint is not None:
            soap_endpoint, wsdl_name = endpoint
            if method == "POST":
                return self._soap(environ, start_response, soap_endpoint)
            if method in ("GET", "HEAD") and "wsdl" in _query_keys(environ):
                return self._wsdl(environ, start_response, wsdl_name)
            return _plain(start_response, "405 Method Not Allowed",
                          "POST SOAP requests here; GET ?wsdl for the WSDL",
                          [("Allow", "GET, POST")])
        if path.startswith(REST_PREFIX):
            return self.rest(environ, start_response)
        if path.startswith(WSDL_DIR) and method in ("GET", "HEAD"):
            return self._wsdl(environ, start_response, path[len(WSDL_DIR):])
        if path == "/healthz" and method in ("GET", "HEAD"):
            if self.backend.database_ok():
                return _plain(start_response, "200 OK", "ok")
            return _plain(start_response, "503 Service Unavailable", "database unreachable")
        if path == "/" and method in ("GET", "HEAD"):
            return landing.respond(environ, start_response)
        return _plain(start_response, "404 Not Found", "not found")

    # -- WSDL ----------------------------------------------------------------------------
    def _wsdl(self, environ, start_response, name: str):
        if name in CONCRETE:
            base = _base_url(environ, self.trust_forwarded)
            if base is None:
                return _plain(start_response, "400 Bad Request", "invalid Host header")
            document = self.wsdl.concrete(name, base)
        else:
            document = self.wsdl.static(name)
            if document is None:
                return _plain(start_response, "404 Not Found", "no such WSDL/XSD file")
        start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8"),
                                  ("Content-Length", str(len(document)))])
        return [document]

    # -- SOAP ----------------------------------------------------------------------------
    def _soap(self, environ, start_response, soap_endpoint):
        account_id = self._authenticate(environ)
        if account_id is None:
            return self._refused(environ, start_response)
        media_type = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        # Either SOAP media type is let through: the envelope then decides, and the wrong
        # version gets a VersionMismatch fault rather than a bare HTTP error.
        if media_type not in ("application/soap+xml", "text/xml"):
            return _plain(start_response, "415 Unsupported Media Type",
                          "SOAP requests use Content-Type application/soap+xml (SOAP 1.2) "
                          "or text/xml (SOAP 1.1)")
        try:
            payload = read_body(environ, self.max_body)
        except BodyError as error:
            return _plain(start_response, error.status, error.message)
        scope = Scope(account_id, self.backend.uow, self.backend.region)
        status, content_type, document = soap_endpoint.respond(payload, scope, environ.get(LOG_NOTE))
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(document)))])
        return [document]

    def _authenticate(self, environ) -> int | None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        if not header or len(header) > MAX_AUTH_HEADER:
            return None
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        login, sep, password = decoded.partition(":")
        if not sep:
            return None
        return self._verify(environ, login, password)

    def _verify(self, environ, login: str, password: str) -> int | None:
        """The authenticator's answer, noted for the access log and the metrics (and for
        _refused: throttled credentials get 429, not 401)."""
        note = environ.get(LOG_NOTE, {})
        note["login"] = login
        address = client_address(environ, self.trust_forwarded)
        try:
            account_id = self.backend.authenticator.verify(login, password, address)
        except Throttled as exc:
            note["auth"] = "throttled"
            environ[RETRY_AFTER] = exc.retry_after
            return None
        if account_id is None:
            note["auth"] = "invalid"
        return account_id

    def _refused(self, environ, start_response):
        """The answer to a request _authenticate let through as None, for any entrypoint:
        429 with Retry-After after too many failures, else the 401 challenge."""
        retry_after = environ.get(RETRY_AFTER)
        if retry_after is not None:
            return _plain(start_response, "429 Too Many Requests", "too many failed logins; try again later",
                          [("Retry-After", str(max(1, math.ceil(retry_after))))])
        return _plain(start_response, "401 Unauthorized", "authentication required",
                      [("WWW-Authenticate", f'Basic realm="{REALM}", charset="UTF-8"')])

def _query_keys(environ) -> set[str]:
    query = environ.get("QUERY_STRING", "")
    return {key.lower() for key in parse_qs(query, keep_blank_values=True)} | (
        {query.lower()} if query and "=" not in query else set()
    )

def _base_url(environ, trust_forwarded: bool = False) -> str | None:
    """The scheme and host the client used. Behind a TLS-terminating proxy that sets
    X-Forwarded-Proto/-Host, trust_forwarded makes the WSDL name the public https address."""
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST")
    if trust_forwarded:
        forwarded_proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
        if forwarded_proto in ("http", "https"):
            scheme = forwarded_proto
        forwarded_host = environ.get("HTTP_X_FORWARDED_HOST", "").split(",")[0].strip()
        if forwarded_host:
            host = forwarded_host
    if not host:
        # HTTP/1.0 without Host: the server's own name, unless the server made one up
        # (waitress says "waitress.invalid"), in which case the address the request came to.
        host = environ.get("SERVER_NAME") or ""
        if not host or host.endswith(".invalid"):
            host = "localhost"
        port = environ.get("SERVER_PORT", "")
        if port and port not in ("80", "443"):
            host += ":" + port
    if not _HOST.match(host):
        return None
    return f"{scheme}://{host}"

def create_app(database_url: str | None = None, **kwargs) -> ObservedApp:
    """The application wrapped in the access-log and metrics middleware (accesslog.py);
    attributes (``backend``, ``max_body``...) are the application's."""
    max_body = int(os.environ.get("CALLFIRE_MAX_BODY", DEFAULT_MAX_BODY))
    trust_forwarded = os.environ.get("CALLFIRE_TRUST_FORWARDED", "") in ("1", "true", "yes")
    app = CallFireApp(Backend.open(database_url, **kwargs), max_body=max_body,
                      trust_forwarded=trust_forwarded)
    # A server process that did not inherit the CLI's logging (a spawned worker, another
    # server importing callfire_soap.wsgi) logs in CALLFIRE_LOG_FORMAT all the same.
    logconfig.configure(force=False)
    local = app.backend.engine.dialect.name == "sqlite"  # admission.py: where the gate pays
    observed = ObservedApp(app, metrics_token=metrics_token_from_env(),
                           gate=gate_from_env(DEFAULT_WAIT_MS if local else 0))
    # Everything built so far (spyne's type machinery, schemas, SQLAlchemy metadata) lives as
    # long as the process: keep it out of the cyclic collector's full passes, which would
    # otherwise walk it every time (~45 ms pauses under load).
    gc.freeze()
    return observed
