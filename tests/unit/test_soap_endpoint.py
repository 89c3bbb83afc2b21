"""The SOAP endpoint in process: version negotiation, envelope checks, dispatch through the
operations table, result shapes and faults. Use cases are replaced by stubs."""
from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.errors import NotFound
from callfire_soap.namespaces import DATA, SOAP11_ENV, SOAP12_ENV, SVC
from callfire_soap.operations import OPERATIONS, Scope
from callfire_soap.soap.endpoint import SOAP11, SOAP12, SoapEndpoint
from callfire_soap.soap.spyne_binding import SpyneBinding
from callfire_soap.soap.validation import RequestValidator

SCOPE = Scope(account_id=1, uow=None, region="US")
GET_1 = "<s:GetContact><s:Id>1</s:Id></s:GetContact>"
GET_5 = "<s:GetContact><s:Id>5</s:Id></s:GetContact>"
calls: list = []


def _get_contact(scope, request):
    calls.append(request)
    if request.Id == 404:
        raise NotFound("Contact 404 not found")
    if request.Id == 500:
        raise RuntimeError("disk on fire")
    return Contact(id=request.Id, first_name="Ann", custom={"team": "blue"})


def _query_contacts(scope, request):
    return 2, [Contact(id=1, first_name="A"), Contact(id=2, last_name="B")]


STUBS = {"GetContact": _get_contact, "QueryContacts": _query_contacts,
         "CreateContactList": lambda s, r: 77, "DeleteContactList": lambda s, r: None}
OPS = [dataclasses.replace(op, call=STUBS[op.name]) if op.name in STUBS else op for op in OPERATIONS]


@pytest.fixture(scope="module")
def endpoints():
    binding, validator = SpyneBinding(OPS), RequestValidator()
    return {v: SoapEndpoint(OPS, binding, validator, v) for v in (SOAP12, SOAP11)}


def _envelope(ns: str, body: str, header: str = "") -> bytes:
    return (f'<e:Envelope xmlns:e="{ns}" xmlns:s="{SVC}" xmlns:d="{DATA}">{header}<e:Body>{body}</e:Body>'
            f'</e:Envelope>').encode()


def _respond(endpoint, payload):
    status, content_type, document = endpoint.respond(payload, SCOPE)
    return status, content_type, etree.fromstring(document)


@pytest.mark.parametrize("native", [SOAP12, SOAP11], ids=["soap12-address", "soap11-address"])
@pytest.mark.parametrize("sent", [SOAP12, SOAP11], ids=["soap12-envelope", "soap11-envelope"])
def test_the_envelope_decides_the_version_at_either_address(endpoints, native, sent):
    status, content_type, root = _respond(endpoints[native], _envelope(sent.envelope_ns, GET_5))
    assert status == "200 OK" and content_type == sent.content_type
    assert root.tag == "{%s}Envelope" % sent.envelope_ns
    contact = root.find("{%s}Body/{%s}Contact" % (sent.envelope_ns, DATA))
    assert contact.attrib == {"id": "5", "firstName": "Ann", "team": "blue"}


@pytest.mark.parametrize("native", [SOAP12, SOAP11])
def test_an_envelope_of_neither_version_is_a_version_mismatch_in_the_address_version(endpoints, native):
    status, content_type, root = _respond(endpoints[native], _envelope("urn:not-soap", GET_5))
    assert status.startswith("500") and content_type == native.content_type
    if native is SOAP12:
        assert root.findtext(f"{{{SOAP12_ENV}}}Body/{{{SOAP12_ENV}}}Fault/{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value") \
            == "env:VersionMismatch"
    else:
        assert root.findtext(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault/faultcode") == "env:VersionMismatch"


def _fault_code(root, version=SOAP12) -> str:
    env = "{%s}" % version.envelope_ns
    detail = "Detail" if version is SOAP12 else "detail"
    prefix = env if version is SOAP12 else ""
    return root.findtext(f"{env}Body/{env}Fault/{prefix}{detail}/{{{SVC}}}ServiceFaultInfo/{{{SVC}}}FaultCode")


@pytest.mark.parametrize("payload, code", [
    (b"", "BAD_REQUEST"),
    (b"<not-xml", "BAD_REQUEST"),
    (_envelope(SOAP12_ENV, ""), "BAD_REQUEST"),
    (_envelope(SOAP12_ENV, "<s:GetContact><s:Id>1</s:Id></s:GetContact><s:GetContact><s:Id>2</s:Id></s:GetContact>"),
     "BAD_REQUEST"),
    (_envelope(SOAP12_ENV, "<s:GetContact><s:Id>-1</s:Id></s:GetContact>"), "BAD_REQUEST"),
    (_envelope(SOAP12_ENV, "<s:Frobnicate/>"), "BAD_REQUEST"),
    (_envelope(SOAP12_ENV, "<s:GetContact><s:Id>404</s:Id></s:GetContact>"), "NOT_FOUND"),
    (_envelope(SOAP12_ENV, "<s:GetContact><s:Id>500</s:Id></s:GetContact>"), "UNAVAILABLE"),
], ids=["empty", "malformed", "no-request", "two-requests", "negative-id", "unknown-operation", "not-found",
        "internal-error"])
def test_faults(endpoints, payload, code):
    status, _, root = _respond(endpoints[SOAP12], payload)
    assert status.startswith("500")
    assert _fault_code(root) == code


def test_internal_errors_do_not_leak(endpoints):
    _, _, root = _respond(endpoints[SOAP12], _envelope(SOAP12_ENV, "<s:GetContact><s:Id>500</s:Id></s:GetContact>"))
    assert b"disk on fire" not in etree.tostring(root)


def test_must_understand_header(endpoints):
    header = '<e:Header><x:Auth xmlns:x="urn:x" e:mustUnderstand="true"/></e:Header>'
    _, _, root = _respond(endpoints[SOAP12], _envelope(SOAP12_ENV, GET_1, header))
    assert root.findtext(f"{{{SOAP12_ENV}}}Body/{{{SOAP12_ENV}}}Fault/{{{SOAP12_ENV}}}Code/{{{SOAP12_ENV}}}Value") \
        == "env:MustUnderstand"
    calls.clear()
    ignored = '<e:Header><x:Auth xmlns:x="urn:x"/></e:Header>'
    status, _, _ = _respond(endpoints[SOAP12], _envelope(SOAP12_ENV, GET_1, ignored))
    assert status == "200 OK" and len(calls) == 1


def test_result_shapes(endpoints):
    env = "{%s}" % SOAP12_ENV
    _, _, root = _respond(endpoints[SOAP12], _envelope(SOAP12_ENV, "<s:QueryContacts/>"))
    result = root.find(f"{env}Body/{{{SVC}}}ContactQueryResult")
    assert result.findtext(f"{{{SVC}}}TotalResults") == "2"
    assert [c.get("id") for c in result.iter(f"{{{DATA}}}Contact")] == ["1", "2"]
    _, _, root = _respond(endpoints[SOAP12], _envelope(
        SOAP12_ENV, "<s:CreateContactList><s:Name>n</s:Name><s:ContactSource><s:ContactId>1</s:ContactId>"
                    "</s:ContactSource></s:CreateContactList>"))
    assert root.findtext(f"{env}Body/{{{SVC}}}CreatedId") == "77"
    delete = "<s:DeleteContactList><s:Id>3</s:Id></s:DeleteContactList>"
    status, _, root = _respond(endpoints[SOAP12], _envelope(SOAP12_ENV, delete))
    assert status == "200 OK" and len(root.find(f"{env}Body")) == 0
