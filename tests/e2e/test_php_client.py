"""The PHP SoapClient quirk of GetContact: custom fields travel as extra attributes of
data:Contact, and PHP's $response shows only the declared fields while the raw message
(__getLastResponse) carries them all."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from callfire_soap.domain.contacts import Contact
from tests.support import DATA, HAVE_LEGACY, LEGACY_FULL_WSDL, NO_LEGACY_REASON, STRICT

PHP = shutil.which("php")
SCRIPT = Path(__file__).resolve().parents[1] / "php" / "get_contact.php"
SESSION = Path(__file__).resolve().parents[1] / "php" / "session.php"


def _php_has_soap() -> bool:
    if PHP is None:
        return False
    return subprocess.run([PHP, "-r", "exit(class_exists('SoapClient') ? 0 : 1);"]).returncode == 0


if STRICT and not _php_has_soap():
    raise RuntimeError("CALLFIRE_STRICT=1 but php-cli with php-soap is not installed")

pytestmark = pytest.mark.skipif(not _php_has_soap(), reason="php-cli with php-soap is not installed "
                                "(.ci/run installs it: apt-get install php-cli php-soap)")


def _get_contact(wsdl: str, account, contact_id: int, location: str | None = None) -> dict:
    args = [PHP, str(SCRIPT), wsdl, account.login, account.password, str(contact_id)]
    if location:
        args.append(location)
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _check_quirk(reply: dict, contact_id: int) -> None:
    assert reply["ok"], reply
    response = reply["response"]
    assert response["id"] == contact_id
    assert response["firstName"] == "Robert" and response["mobilePhone"] == "12132212384"
    assert "F" not in response and "I" not in response  # PHP drops the anyAttribute fields...
    contact = etree.fromstring(reply["last_response"].encode()).find(".//{%s}Contact" % DATA)
    assert contact.get("F") == "12132212384" and contact.get("I") == "data3"  # ...the message has them
    assert "application/soap+xml" in reply["last_request_headers"]


def test_php_soapclient_with_served_wsdl(served_wsdl_url, account, seed):
    (cid,) = seed(account, [Contact(first_name="Robert", last_name="Shmidt", mobile_phone="12132212384",
                                    custom={"F": "12132212384", "I": "data3"})])
    _check_quirk(_get_contact(served_wsdl_url, account, cid), cid)


@pytest.mark.skipif(not HAVE_LEGACY, reason=NO_LEGACY_REASON)
def test_php_soapclient_with_legacy_wsdl_and_location(endpoint, account, seed):
    (cid,) = seed(account, [Contact(first_name="Robert", mobile_phone="12132212384",
                                    custom={"F": "12132212384", "I": "data3"})])
    _check_quirk(_get_contact(str(LEGACY_FULL_WSDL), account, cid, endpoint), cid)


def test_php_soapclient_sees_service_fault_info(served_wsdl_url, account):
    reply = _get_contact(served_wsdl_url, account, 987654)
    assert reply["ok"] is False
    assert reply["detail"]["ServiceFaultInfo"]["FaultCode"] == "NOT_FOUND"


def _session(wsdl: str, account, location: str | None = None, sdk: bool = False) -> dict:
    args = [PHP, str(SESSION), wsdl, account.login, account.password, location or "-"]
    if sdk:
        args.append("sdk")
    result = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_php_session_over_all_operations_with_wsdl_fetched_from_the_server(server, account):
    """What PHP integrations do: SoapClient downloads the WSDL and its imports at run time."""
    reply = _session(server + "/api/1.1/wsdl/callfire-service-http-soap12.wsdl", account)
    assert reply["failures"] == [] and reply["steps"] >= 45


@pytest.mark.skipif(not HAVE_LEGACY, reason=NO_LEGACY_REASON)
def test_php_session_with_the_legacy_wsdl_and_location(endpoint, account):
    reply = _session(str(LEGACY_FULL_WSDL), account, endpoint)
    assert reply["failures"] == [] and reply["steps"] >= 45


def test_php_sdk_soap_client_speaks_soap11_to_the_soap12_address(server, endpoint, account):
    """The official CallFire PHP SDK passes 'soap_version' => 'SOAP_1_2' as a string, which
    SoapClient ignores: every SDK user has sent SOAP 1.1 to /api/1.1/soap12/contact."""
    reply = _session(server + "/api/1.1/soap12/contact?wsdl", account, sdk=True)
    assert reply["failures"] == [] and reply["steps"] >= 45
    headers = reply["request_headers"]
    assert "POST /api/1.1/soap12/contact " in headers
    assert "Content-Type: text/xml" in headers and "SOAPAction:" in headers
    last = etree.fromstring(reply["response"].encode())
    assert last.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
