"""The wire contract: the served WSDL against the legacy one, the HTTP surface, auth, faults."""
import re

import pytest
import requests
import zeep
from lxml import etree

from tests.support import (
    BINDING,
    HAVE_LEGACY,
    LEGACY_TRIMMED_WSDL,
    NO_LEGACY_REASON,
    NS,
    basic_auth,
    envelope,
    soap_post,
    validate_envelope,
)

needs_legacy = pytest.mark.skipif(not HAVE_LEGACY, reason=NO_LEGACY_REASON)

ALL_OPERATIONS = {
    "QueryContacts", "UpdateContacts", "RemoveContacts", "GetContact", "GetContactHistory",
    "CreateContactList", "QueryContactLists", "DeleteContactList", "AddContactsToList",
    "GetContactList", "RemoveContactsFromList", "QueryDncNumbers", "UpdateDncNumber",
    "QueryDncLists", "CreateDncList", "GetDncList", "DeleteDncList", "AddNumbersToDncList",
    "RemoveNumbersFromDncList",
}


def _operations(client: zeep.Client) -> dict:
    binding = client.wsdl.bindings[BINDING]
    described = {}
    for name, op in binding._operations.items():
        described[name] = {
            "soapAction": op.soapaction,
            "input": op.input.body.qname if op.input.body is not None else None,
            "output": op.output.body.qname if op.output.body is not None else None,
            "faults": sorted(op.faults),
        }
    return described


def _signatures(client: zeep.Client) -> dict:
    """Every global element's content model as zeep sees it, with prefixes made neutral."""
    prefixes = {prefix: ns for prefix, ns in client.wsdl.types.prefix_map.items()}
    result = {}
    for element in client.wsdl.types.elements:
        if element.qname.namespace not in (NS["svc"], NS["data"]):
            continue  # annotation vocabulary of the legacy files: never on the wire
        text = element.signature(schema=client.wsdl.types)
        for prefix, ns in prefixes.items():
            text = re.sub(r"\b%s:" % re.escape(prefix), "{%s}" % ns, text)
        result[element.qname.text] = text
    return result


@pytest.fixture(scope="module")
def served_client(served_wsdl_url):
    return zeep.Client(served_wsdl_url)


@needs_legacy
def test_served_wsdl_matches_legacy_operation_by_operation(served_client):
    legacy = _operations(zeep.Client(str(LEGACY_TRIMMED_WSDL)))
    served = _operations(served_client)
    assert set(legacy) == ALL_OPERATIONS
    assert set(served) == ALL_OPERATIONS
    for name in sorted(ALL_OPERATIONS):
        assert served[name] == legacy[name], name


@needs_legacy
def test_served_schema_declares_the_legacy_elements_with_the_same_content(served_client):
    legacy = _signatures(zeep.Client(str(LEGACY_TRIMMED_WSDL)))
    served = _signatures(served_client)
    assert set(served) == set(legacy)
    for qname in sorted(legacy):
        assert served[qname] == legacy[qname], qname


def test_wsdl_address_is_the_url_the_client_used(server):
    for url in (server + "/api/1.1/soap12/contact?wsdl",
                server + "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"):
        reply = requests.get(url, timeout=10)
        assert reply.status_code == 200
        root = etree.fromstring(reply.content)
        address = root.find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address")
        assert address.get("location") == server + "/api/1.1/soap12/contact"
    other_host = requests.get(server + "/api/1.1/soap12/contact?wsdl", timeout=10,
                              headers={"Host": "soap.example.com:8443"})
    address = etree.fromstring(other_host.content).find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address")
    assert address.get("location") == "http://soap.example.com:8443/api/1.1/soap12/contact"


def test_wsdl_from_the_endpoint_url_loads_all_operations(server):
    client = zeep.Client(server + "/api/1.1/soap12/contact?wsdl")
    assert set(_operations(client)) == ALL_OPERATIONS


def test_every_imported_file_is_served_beside_the_wsdl(server):
    seen, queue = set(), ["callfire-service-http-soap12.wsdl"]
    while queue:
        name = queue.pop()
        if name in seen:
            continue
        seen.add(name)
        reply = requests.get(server + "/api/1.1/wsdl/" + name, timeout=10)
        assert reply.status_code == 200, name
        root = etree.fromstring(reply.content)
        for el in root.iter("{http://schemas.xmlsoap.org/wsdl/}import",
                            "{http://www.w3.org/2001/XMLSchema}import",
                            "{http://www.w3.org/2001/XMLSchema}include"):
            location = el.get("location") or el.get("schemaLocation")
            if location:
                queue.append(location.rsplit("/", 1)[-1])
    assert seen == {"callfire-service-http-soap12.wsdl", "callfire-service.wsdl",
                    "callfire-service.xsd", "callfire-data.xsd"}
    assert requests.get(server + "/api/1.1/wsdl/../../etc/passwd", timeout=10).status_code == 404
    assert requests.get(server + "/api/1.1/wsdl/nothing.xsd", timeout=10).status_code == 404


def test_missing_or_wrong_credentials_get_a_basic_challenge(endpoint, account):
    body = envelope("<svc:GetContact><svc:Id>1</svc:Id></svc:GetContact>")
    for auth in (None, basic_auth(account.login, "wrong"), basic_auth("nobody-" + account.login, "x"),
                 "Basic !!!notbase64", "Bearer abc", basic_auth(account.login, "x" * 5000)):
        reply = soap_post(endpoint, body, auth, "GetContact")
        assert reply.status == 401, auth
        assert reply.headers["WWW-Authenticate"].startswith('Basic realm="')


def test_challenge_then_credentials_like_wcf(endpoint, account, seed):
    from callfire_soap.domain.contacts import Contact

    (cid,) = seed(account, [Contact(first_name="wcf")])
    body = envelope(f"<svc:GetContact><svc:Id>{cid}</svc:Id></svc:GetContact>")
    first = soap_post(endpoint, body, None, "GetContact")
    assert first.status == 401
    second = soap_post(endpoint, body, account.auth, "GetContact")
    assert second.status == 200
    assert second.body_child.get("firstName") == "wcf"


def test_void_operation_answers_an_empty_body(endpoint, account):
    reply = soap_post(endpoint, envelope("<svc:RemoveContacts><svc:ContactId>1 2</svc:ContactId></svc:RemoveContacts>"),
                      account.auth, "RemoveContacts")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("application/soap+xml")
    body = reply.root.find("env:Body", NS)
    assert body is not None and len(body) == 0


def test_fault_shape(endpoint, account):
    reply = soap_post(endpoint, envelope("<svc:GetContact><svc:Id>424242</svc:Id></svc:GetContact>"),
                      account.auth, "GetContact")
    assert reply.status == 500
    fault = reply.root.find("env:Body/env:Fault", NS)
    assert fault.findtext("env:Code/env:Value", namespaces=NS) == "env:Sender"
    assert "424242" in fault.findtext("env:Reason/env:Text", namespaces=NS)
    assert reply.fault_code == "NOT_FOUND"
    validate_envelope(reply.root)


@pytest.mark.parametrize("body, code", [
    ("<svc:GetContact><svc:Id>abc</svc:Id></svc:GetContact>", "BAD_REQUEST"),
    ("<svc:GetContact><svc:Id>99999999999999999999</svc:Id></svc:GetContact>", "BAD_REQUEST"),
    ("<svc:GetContact/>", "BAD_REQUEST"),
    ("<svc:NoSuchOperation/>", "BAD_REQUEST"),
    ("", "BAD_REQUEST"),
    ("<svc:GetContact><svc:Id>1</svc:Id></svc:GetContact><svc:GetContact><svc:Id>2</svc:Id></svc:GetContact>",
     "BAD_REQUEST"),
])
def test_bad_requests_are_sender_faults(endpoint, account, body, code):
    reply = soap_post(endpoint, envelope(body), account.auth)
    assert reply.status == 500
    assert reply.fault_code == code
    assert reply.root.findtext("env:Body/env:Fault/env:Code/env:Value", namespaces=NS) == "env:Sender"
    assert b"Traceback" not in reply.response.content


def test_non_xml_and_doctype_bodies_are_rejected(endpoint, account):
    for body in (b"not xml at all", b"<env:Envelope", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                 + envelope("<svc:GetContact><svc:Id>&e;</svc:Id></svc:GetContact>")):
        reply = soap_post(endpoint, body, account.auth)
        assert reply.status == 500 and reply.fault_code == "BAD_REQUEST", body
        assert b"root:" not in reply.response.content


def test_envelope_of_neither_soap_version_gets_version_mismatch(endpoint, account):
    body = (b'<s:Envelope xmlns:s="http://example.com/not-soap/envelope/"><s:Body>'
            b'<GetContact xmlns="http://api.callfire.com/service/xsd"><Id>1</Id></GetContact></s:Body></s:Envelope>')
    reply = soap_post(endpoint, body, account.auth)
    assert reply.root.findtext("env:Body/env:Fault/env:Code/env:Value", namespaces=NS) == "env:VersionMismatch"


def test_wrong_content_type_is_415(endpoint, account):
    reply = soap_post(endpoint, envelope("<svc:GetContact><svc:Id>1</svc:Id></svc:GetContact>"),
                      account.auth, content_type="application/json")
    assert reply.status == 415


def test_get_on_endpoint_without_wsdl_is_405(endpoint):
    assert requests.get(endpoint, timeout=10).status_code == 405


def test_healthz(server):
    reply = requests.get(server + "/healthz", timeout=10)
    assert reply.status_code == 200 and reply.text.strip() == "ok"


def test_forwarded_headers_are_honoured_only_when_trusted(app, server):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "api.example.com"}
    url = server + "/api/1.1/soap12/contact?wsdl"
    location = ".//{http://schemas.xmlsoap.org/wsdl/soap12/}address"
    plain = etree.fromstring(requests.get(url, headers=headers, timeout=10).content)
    assert plain.find(location).get("location") == server + "/api/1.1/soap12/contact"
    app.trust_forwarded = True
    try:
        proxied = etree.fromstring(requests.get(url, headers=headers, timeout=10).content)
    finally:
        app.trust_forwarded = False
    assert proxied.find(location).get("location") == "https://api.example.com/api/1.1/soap12/contact"


def _raw_http(server: str, request: bytes) -> bytes:
    import socket

    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_head_of_the_wsdl_has_its_headers_and_no_body(server):
    get = requests.get(server + "/api/1.1/soap12/contact?wsdl", timeout=10)
    raw = _raw_http(server, b"HEAD /api/1.1/soap12/contact?wsdl HTTP/1.0\r\nHost: x.example\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200") or head.startswith(b"HTTP/1.1 200")
    assert b"Content-Type: text/xml" in head and body == b""
    assert get.status_code == 200 and get.content


def test_wsdl_address_without_a_host_header_is_a_usable_url(server):
    raw = _raw_http(server, b"GET /api/1.1/soap12/contact?wsdl HTTP/1.0\r\n\r\n")
    body = raw.partition(b"\r\n\r\n")[2]
    location = etree.fromstring(body).find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address").get("location")
    assert ".invalid" not in location and location.endswith("/api/1.1/soap12/contact")
    assert location.startswith("http://") and ":" + server.rsplit(":", 1)[1] + "/" in location
