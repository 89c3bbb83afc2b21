"""REST and SOAP are two doors to the same accounts: each reads the other's writes, both
keep accounts apart in the same way, and REST asks for credentials with a Basic challenge."""
from __future__ import annotations

import pytest
import requests
import zeep

from callfire_soap.domain.contacts import Contact
from tests.e2e.rest_support import BASE, NS, Reply, rest
from tests.list_helpers import SVC_NS, numbers_source

A, B = "12132212384", "12132212385"


def test_rest_writes_are_read_over_soap(server, account, service):
    list_id = rest(server, account, "POST", "contact/list", expect=201, data={
        "Name": "from rest", "Contact[0][firstName]": "Rita", "Contact[0][homePhone]": A,
        "Contact[0][F]": "custom"}).created_id
    assert service.GetContactList(Id=list_id).Name == "from rest"
    (contact,) = service.QueryContacts(ContactListId=list_id).Contact
    assert contact.firstName == "Rita" and contact._attr_1 == {"F": "custom"}
    dnc_id = rest(server, account, "POST", "contact/dnc/list", data={"Name": "rest dnc", "Numbers": B},
                  expect=201).created_id
    assert service.GetDncList(Id=dnc_id).Name == "rest dnc"


def test_soap_writes_are_read_over_rest(server, account, service):
    list_id = service.CreateContactList(Name="from soap", ContactSource=numbers_source([A]))
    reply = rest(server, account, "GET", f"contact/list/{list_id}", expect=200)
    assert reply.resource.findtext("d:Name", namespaces=NS) == "from soap"
    (contact,) = rest(server, account, "GET", "contact", params={"ContactListId": list_id}, expect=200).items(
        "Contact")
    service.UpdateContacts(Contact=[{"id": int(contact.get("id")), "firstName": "Sam"}])
    assert rest(server, account, "GET", f"contact/{contact.get('id')}.json", expect=200).json[
        "Resource"]["Contact"]["@firstName"] == "Sam"
    service.DeleteContactList(Id=list_id)
    assert rest(server, account, "GET", f"contact/list/{list_id}", expect=200).resource.findtext(
        "d:Status", namespaces=NS) == "DELETED"


def _soap_fault(call, *args, **kwargs) -> str | None:
    try:
        call(*args, **kwargs)
    except zeep.exceptions.Fault as fault:
        return fault.detail.findtext(f"{SVC_NS}ServiceFaultInfo/{SVC_NS}FaultCode")
    return None


def test_account_b_cannot_see_or_change_account_a(server, make_account, connect, seed):
    a, b = make_account(), make_account()
    (cid,) = seed(a, [Contact(first_name="Private", home_phone=A)])
    list_id = rest(server, a, "POST", "contact/list", data={"Name": "a's", "ContactId": cid}, expect=201).created_id
    dnc_id = rest(server, a, "POST", "contact/dnc/list", data={"Name": "a's", "Numbers": A}, expect=201).created_id
    soap_b = connect(b)

    # Reads: B gets what SOAP tells B (NOT_FOUND -> 404, empty results).
    assert rest(server, b, "GET", f"contact/{cid}", expect=404)
    assert _soap_fault(soap_b.GetContact, Id=cid) == "NOT_FOUND"
    rest(server, b, "GET", f"contact/list/{list_id}", expect=404)
    assert _soap_fault(soap_b.GetContactList, Id=list_id) == "NOT_FOUND"
    rest(server, b, "GET", f"contact/dnc/list/{dnc_id}", expect=404)
    assert _soap_fault(soap_b.GetDncList, Id=dnc_id) == "NOT_FOUND"
    assert rest(server, b, "GET", "contact", params={"ContactListId": list_id}, expect=200).total == 0
    assert soap_b.QueryContacts(ContactListId=list_id).TotalResults == 0
    assert rest(server, b, "GET", "contact/dnc", expect=200).total == 0
    assert rest(server, b, "GET", f"contact/{cid}/history.json", expect=200).json == {
        "Resource": {"ContactHistory": {}}}

    # Writes: B's attempts answer as over SOAP and change nothing of A's.
    rest(server, b, "PUT", "contact", data={"Contact[0][id]": cid, "Contact[0][firstName]": "Mallory"}, expect=204)
    rest(server, b, "DELETE", "contact", data={"ContactId": cid}, expect=204)
    rest(server, b, "DELETE", f"contact/list/{list_id}", expect=204)
    rest(server, b, "POST", f"contact/list/{list_id}/add", data={"Numbers": B}, expect=404)
    assert _soap_fault(soap_b.AddContactsToList, ContactListId=list_id,
                       ContactSource=numbers_source([B])) == "NOT_FOUND"
    rest(server, b, "POST", f"contact/list/{list_id}/remove", data={"ContactId": cid}, expect=404)
    rest(server, b, "DELETE", f"contact/dnc/list/{dnc_id}", expect=404)
    assert _soap_fault(soap_b.DeleteDncList, Id=dnc_id) == "NOT_FOUND"
    rest(server, b, "POST", f"contact/dnc/list/{dnc_id}/remove", data={"Numbers": A}, expect=404)
    rest(server, b, "PUT", f"contact/dnc/{A}", data={"CallDnc": "false"}, expect=404)
    # B's own list from A's contact id takes nothing of A's.
    own = rest(server, b, "POST", "contact/list", data={"Name": "b's", "ContactId": cid}, expect=201).created_id
    assert rest(server, b, "GET", f"contact/list/{own}.json", expect=200).json["Resource"]["ContactList"]["Size"] == 0

    contact = rest(server, a, "GET", f"contact/{cid}", expect=200).resource
    assert contact.get("firstName") == "Private"
    got = rest(server, a, "GET", f"contact/list/{list_id}", expect=200).resource
    assert got.findtext("d:Status", namespaces=NS) == "ACTIVE" and got.findtext("d:Size", namespaces=NS) == "1"
    assert rest(server, a, "GET", f"contact/dnc/list/{dnc_id}.json", expect=200).json["Resource"]["DncList"][
        "Size"] == 1
    assert rest(server, a, "GET", "contact/dnc.json", expect=200).json["ResourceList"]["DncNumber"][0][
        "CallDnc"] is True


@pytest.mark.parametrize("path", ["contact", "contact/1", "contact/list.json", "contact/dnc/list/1", "nowhere"])
def test_no_credentials_is_401_with_a_basic_challenge(server, path):
    reply = Reply(requests.get(server + BASE + path, timeout=30))
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"].startswith('Basic realm="CallFire API"')
    if path.endswith(".json"):
        assert reply.json == {"ResourceException": {"HttpStatus": 401, "Message": reply.message}}
    else:
        assert reply.root.findtext("r:HttpStatus", namespaces=NS) == "401"


def test_wrong_password_and_unknown_login_are_401(server, account):
    for auth in ((account.login, "wrong"), ("nobody-" + account.login, account.password)):
        reply = Reply(requests.get(server + BASE + "contact", auth=auth, timeout=30))
        assert reply.status == 401 and "WWW-Authenticate" in reply.headers
    broken = Reply(requests.get(server + BASE + "contact", headers={"Authorization": "Basic %%%"}, timeout=30))
    assert broken.status == 401
