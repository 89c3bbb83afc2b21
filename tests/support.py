"""Test helpers: the legacy contract, XSD validation of wire bodies, raw SOAP calls."""
from __future__ import annotations

import base64
import os
from functools import lru_cache
from pathlib import Path

import requests
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CALLFIRE_SHARED", REPO.parent / "shared"))
LEGACY = SHARED / "legacy-contract"
LEGACY_TRIMMED_WSDL = LEGACY / "trimmed" / "contactservice.wsdl"
LEGACY_TRIMMED_XSD = LEGACY / "trimmed" / "contactservice.xsd"
LEGACY_FULL_WSDL = LEGACY / "full" / "callfire-service-http-soap12.wsdl"
HAVE_LEGACY = LEGACY_TRIMMED_WSDL.exists()
NO_LEGACY_REASON = f"the legacy contract is not at {LEGACY} (set CALLFIRE_SHARED)"
# CI sets CALLFIRE_STRICT=1: a missing legacy contract or PHP then fails instead of skipping.
STRICT = os.environ.get("CALLFIRE_STRICT") == "1"
if STRICT and not HAVE_LEGACY:
    raise RuntimeError(NO_LEGACY_REASON)

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SVC = "http://api.callfire.com/service/xsd"
DATA = "http://api.callfire.com/data"
BINDING = "{http://api.callfire.com/service/wsdl/http/soap12}ContactServiceBinding"
NS = {"env": SOAP12, "svc": SVC, "data": DATA}
ACTION = "http://api.callfire.com/service/wsdl/ContactServicePortType/"


@lru_cache(maxsize=1)
def legacy_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(LEGACY_TRIMMED_XSD)))


def assert_legacy_valid(element: etree._Element) -> None:
    """A response body element (or ServiceFaultInfo) must validate against the legacy XSD."""
    schema = legacy_schema()
    if not schema.validate(element):
        raise AssertionError(
            "not valid against the legacy XSD: %s\n%s"
            % (schema.error_log, etree.tostring(element, pretty_print=True).decode()[:2000])
        )


def validate_envelope(envelope: etree._Element) -> None:
    """Validate the Body child, or a fault's ServiceFaultInfo, against the legacy XSD."""
    body = envelope.find("{%s}Body" % SOAP12)
    assert body is not None, "response has no SOAP 1.2 Body"
    children = [c for c in body if isinstance(c.tag, str)]
    assert len(children) <= 1, "more than one Body child"
    if not children:
        return
    child = children[0]
    if child.tag == "{%s}Fault" % SOAP12:
        info = child.find("env:Detail/svc:ServiceFaultInfo", NS)
        assert info is not None, "fault without ServiceFaultInfo detail"
        assert_legacy_valid(info)
    else:
        assert_legacy_valid(child)


def basic_auth(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


def envelope(body_xml: str) -> bytes:
    return (
        '<env:Envelope xmlns:env="%s" xmlns:svc="%s" xmlns:data="%s"><env:Body>%s</env:Body></env:Envelope>'
        % (SOAP12, SVC, DATA, body_xml)
    ).encode()


class RawReply:
    def __init__(self, response: requests.Response):
        self.response = response
        self.status = response.status_code
        self.headers = response.headers
        self.root = None
        if response.content and "xml" in response.headers.get("Content-Type", ""):
            self.root = etree.fromstring(response.content)

    @property
    def body_child(self):
        body = self.root.find("env:Body", NS)
        children = [c for c in body if isinstance(c.tag, str)]
        return children[0] if children else None

    @property
    def fault_code(self) -> str | None:
        if self.root is None:
            return None
        return self.root.findtext("env:Body/env:Fault/env:Detail/svc:ServiceFaultInfo/svc:FaultCode", namespaces=NS)


def soap_post(url: str, body: bytes, auth: str | None, operation: str | None = None,
              content_type: str = "application/soap+xml; charset=utf-8", timeout: float = 30) -> RawReply:
    headers = {"Content-Type": content_type}
    if operation:
        headers["Content-Type"] += f'; action="{ACTION}{operation}"'
    if auth:
        headers["Authorization"] = auth
    return RawReply(requests.post(url, data=body, headers=headers, timeout=timeout))


# The database the suite runs on: SQLite unless CALLFIRE_TEST_DATABASE=postgresql.
PG_BASE = os.environ.get("CALLFIRE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def database_kind() -> str:
    return os.environ.get("CALLFIRE_TEST_DATABASE", "sqlite").lower()


def start_server(database_url: str, port: int, *args: str, env=None):
    """`callfire-soap serve` as a subprocess on ``port``, once /healthz answers."""
    import subprocess
    import sys
    import time

    proc = subprocess.Popen([sys.executable, "-m", "callfire_soap.cli", "serve", "--port", str(port),
                             "--database", database_url, *args], env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
        time.sleep(0.1)
