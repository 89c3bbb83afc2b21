"""SOAP 1.1 beside the legacy SOAP 1.2 endpoint, for toolkits that only speak 1.1."""
import pytest
import requests
import zeep
from lxml import etree

from callfire_soap.domain.contacts import Contact
from tests.support import SVC, assert_legacy_valid, envelope, soap_post

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture
def soap11_service(server, account):
    session = requests.Session()
    session.auth = (account.login, account.password)
    client = zeep.Client(server + "/api/1.1/soap/contact?wsdl",
                         transport=zeep.transports.Transport(session=session))
    return client.service


def test_soap11_client_from_its_wsdl(soap11_service, account, seed, server):
    (cid,) = seed(account, [Contact(first_name="Eleven", custom={"Z": "1"})])
    contact = soap11_service.GetContact(Id=cid)
    assert contact.firstName == "Eleven" and contact._attr_1 == {"Z": "1"}
    result = soap11_service.QueryContacts(String="eleven")
    assert [c.id for c in result.Contact] == [cid]
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        soap11_service.GetContact(Id=987654)
    info = excinfo.value.detail.find("{%s}ServiceFaultInfo" % SVC)
    assert info.findtext("{%s}FaultCode" % SVC) == "NOT_FOUND"
    assert_legacy_valid(info)
    wsdl = etree.fromstring(requests.get(server + "/api/1.1/soap/contact?wsdl", timeout=10).content)
    address = wsdl.find(".//{http://schemas.xmlsoap.org/wsdl/soap/}address")
    assert address.get("location") == server + "/api/1.1/soap/contact"


def test_soap11_raw_request_with_soapaction(server, account, seed):
    (cid,) = seed(account, [Contact(first_name="Raw")])
    body = (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><GetContact xmlns="{SVC}"><Id>{cid}</Id></GetContact>'
            f'</s:Body></s:Envelope>').encode()
    reply = requests.post(server + "/api/1.1/soap/contact", data=body, timeout=10, headers={
        "Content-Type": "text/xml; charset=utf-8", "Authorization": account.auth,
        "SOAPAction": '"http://api.callfire.com/service/wsdl/ContactServicePortType/GetContact"'})
    assert reply.status_code == 200 and reply.headers["Content-Type"].startswith("text/xml")
    contact = etree.fromstring(reply.content).find(f"{{{SOAP11}}}Body/{{http://api.callfire.com/data}}Contact")
    assert contact.get("firstName") == "Raw"


@pytest.mark.parametrize("path", ["/api/1.1/soap12/contact", "/api/1.1/soap/contact"])
def test_soap11_envelope_is_answered_in_soap11_at_either_address(server, account, seed, path):
    """The official PHP SDK sends SOAP 1.1 to the SOAP 1.2 address (CONTRACT.md quirk 14)."""
    (cid,) = seed(account, [Contact(first_name="Either", custom={"K": "v"})])
    for request_id, expected in ((cid, None), (987654, "NOT_FOUND")):
        body = (f'<s:Envelope xmlns:s="{SOAP11}"><s:Body><GetContact xmlns="{SVC}"><Id>{request_id}</Id>'
                f'</GetContact></s:Body></s:Envelope>').encode()
        reply = soap_post(server + path, body, account.auth, content_type="text/xml; charset=utf-8")
        assert reply.response.headers["Content-Type"] == "text/xml; charset=utf-8"
        assert reply.root.tag == f"{{{SOAP11}}}Envelope"
        if expected is None:
            assert reply.status == 200
            contact = reply.root.find(f"{{{SOAP11}}}Body/{{http://api.callfire.com/data}}Contact")
            assert contact.get("firstName") == "Either" and contact.get("K") == "v"
            assert_legacy_valid(contact)
        else:
            fault = reply.root.find(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
            assert reply.status == 500
            assert fault.findtext("faultcode") == "env:Client" and fault.findtext("faultstring")
            info = fault.find("detail/{%s}ServiceFaultInfo" % SVC)
            assert info.findtext("{%s}FaultCode" % SVC) == expected
            assert_legacy_valid(info)


def test_soap12_envelope_is_answered_in_soap12_at_the_soap11_address(server, account, seed):
    (cid,) = seed(account, [Contact(first_name="Twelve")])
    request = envelope(f"<svc:GetContact><svc:Id>{cid}</svc:Id></svc:GetContact>")
    reply = soap_post(server + "/api/1.1/soap/contact", request,
                      account.auth)
    assert reply.status == 200
    assert reply.response.headers["Content-Type"] == "application/soap+xml; charset=utf-8"
    body = "{http://www.w3.org/2003/05/soap-envelope}Body"
    assert reply.root.find(body + "/{http://api.callfire.com/data}Contact") is not None


def test_envelope_of_neither_version_is_version_mismatch_in_the_address_version(server, account):
    body = (b'<s:Envelope xmlns:s="http://example.com/not-soap/"><s:Body><GetContact xmlns="' + SVC.encode()
            + b'"><Id>1</Id></GetContact></s:Body></s:Envelope>')
    reply = soap_post(server + "/api/1.1/soap/contact", body, account.auth, content_type="text/xml; charset=utf-8")
    assert reply.status == 500
    assert reply.root.findtext(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault/faultcode") == "env:VersionMismatch"
