"""A session over all 19 operations over REST: in XML (every body checked against the
reconstructed r: schema and the data XSD), then each operation once in JSON."""
from __future__ import annotations

import io

from callfire_soap.domain.contacts import Contact
from callfire_soap.services.history import import_history_csv
from tests.e2e.rest_support import NS, rest
from tests.e2e.test_history import _csv

A, B, C = "12132212384", "12132212385", "12132212386"


def test_all_19_operations_in_xml(server, app, account, seed):
    def call(method, path, expect, **kw):
        return rest(server, account, method, path, expect=expect, **kw)

    # CreateContactList (201, ResourceReference, Location)
    created = call("POST", "contact/list", 201, data={"Name": "friends", "Numbers": f"{A} {B}"})
    list_id = created.created_id
    location = created.root.findtext("r:Location", namespaces=NS)
    assert location == f"{server}/api/1.1/rest/contact/list/{list_id}"
    assert created.headers["Location"] == location
    # GetContactList
    got = call("GET", f"contact/list/{list_id}", 200).resource
    assert got.get("id") == str(list_id) and got.findtext("d:Name", namespaces=NS) == "friends"
    assert got.findtext("d:Size", namespaces=NS) == "2" and got.findtext("d:Status", namespaces=NS) == "ACTIVE"
    # QueryContactLists
    lists = call("GET", "contact/list", 200, params={"MaxResults": 10})
    assert [el.get("id") for el in lists.items("ContactList")] == [str(list_id)]
    # QueryContacts (Field/String filter, ContactListId)
    found = call("GET", "contact", 200, params={"ContactListId": list_id, "Field": "homePhone", "String": A})
    assert found.total == 1
    (contact,) = found.items("Contact")
    contact_id = int(contact.get("id"))
    assert contact.get("homePhone") == A
    # UpdateContacts (204, custom field)
    reply = call("PUT", "contact", 204, data={"Contact[0][id]": contact_id, "Contact[0][firstName]": "Ann",
                                              "Contact[0][F]": "team1"})
    assert reply.content == b""
    # GetContact
    got = call("GET", f"contact/{contact_id}", 200).resource
    assert (got.get("firstName"), got.get("F"), got.get("homePhone")) == ("Ann", "team1", A)
    # GetContactHistory
    (other,) = seed(account, [Contact(first_name="History", home_phone=B)])
    import_history_csv(app.backend.uow, io.StringIO(_csv(other)), default_login=account.login)
    history = call("GET", f"contact/{other}/history", 200, params={"MaxResults": 10}).resource
    assert [el.tag.split("}")[1] for el in history] == ["Call", "Text", "Text"]
    assert history.find("d:Call/d:ToNumber", NS).get("ClientData") == "crm-9"
    # AddContactsToList (204)
    call("POST", f"contact/list/{list_id}/add", 204, data={"Numbers": C, "Numbers[fieldName]": "mobilePhone"})
    assert call("GET", f"contact/list/{list_id}", 200).resource.findtext("d:Size", namespaces=NS) == "3"
    # RemoveContactsFromList (204)
    call("POST", f"contact/list/{list_id}/remove", 204, data={"ContactId": contact_id})
    assert call("GET", f"contact/list/{list_id}", 200).resource.findtext("d:Size", namespaces=NS) == "2"
    # RemoveContacts (204)
    call("DELETE", "contact", 204, data={"ContactId": contact_id})
    call("GET", f"contact/{contact_id}", 404)
    # DeleteContactList (204; soft)
    call("DELETE", f"contact/list/{list_id}", 204)
    assert call("GET", f"contact/list/{list_id}", 200).resource.findtext("d:Status", namespaces=NS) == "DELETED"

    # CreateDncList
    dnc_id = call("POST", "contact/dnc/list", 201, data={"Name": "blocked", "Numbers": A}).created_id
    # GetDncList
    dnc = call("GET", f"contact/dnc/list/{dnc_id}", 200).resource
    assert dnc.findtext("d:Name", namespaces=NS) == "blocked" and dnc.findtext("d:Size", namespaces=NS) == "1"
    # AddNumbersToDncList
    call("POST", f"contact/dnc/list/{dnc_id}/add", 204, data={"Numbers": B, "TextDnc": "false"})
    # QueryDncNumbers
    numbers = call("GET", "contact/dnc", 200, params={"DncListId": dnc_id})
    assert [(n.findtext("d:Number", namespaces=NS), n.findtext("d:TextDnc", namespaces=NS))
            for n in numbers.items("DncNumber")] == [(A, "true"), (B, "false")]
    # UpdateDncNumber
    call("PUT", f"contact/dnc/{B}", 204, data={"TextDnc": "true"})
    assert call("GET", "contact/dnc", 200, params={"Prefix": B}).items("DncNumber")[0].findtext(
        "d:TextDnc", namespaces=NS) == "true"
    # RemoveNumbersFromDncList
    call("POST", f"contact/dnc/list/{dnc_id}/remove", 204, data={"Numbers": A})
    # QueryDncLists
    dnc_lists = call("GET", "contact/dnc/list", 200, params={"Name": "block"})
    assert dnc_lists.total == 1 and dnc_lists.items("DncList")[0].findtext("d:Size", namespaces=NS) == "1"
    # DeleteDncList
    call("DELETE", f"contact/dnc/list/{dnc_id}", 204)
    call("GET", f"contact/dnc/list/{dnc_id}", 404)


def test_each_operation_in_json(server, app, account, seed):
    def call(method, path, expect, **kw):
        reply = rest(server, account, method, path + ".json", expect=expect, **kw)
        if expect != 204:
            assert reply.headers["Content-Type"] == "application/json; charset=UTF-8"
        return reply

    created = call("POST", "contact/list", 201, data={"Name": "json", "Numbers": A}).json
    list_id = created["ResourceReference"]["Id"]
    assert created["ResourceReference"]["Location"].endswith(f"/api/1.1/rest/contact/list/{list_id}")
    got = call("GET", f"contact/list/{list_id}", 200).json["Resource"]["ContactList"]
    assert got["@id"] == list_id and got["Name"] == "json" and got["Size"] == 1 and got["Status"] == "ACTIVE"
    lists = call("GET", "contact/list", 200).json["ResourceList"]
    assert lists["@totalResults"] == 1 and [x["@id"] for x in lists["ContactList"]] == [list_id]
    contacts = call("GET", "contact", 200, params={"ContactListId": list_id}).json["ResourceList"]
    assert set(contacts) == {"@totalResults", "Contact"} and len(contacts["Contact"]) == 1
    contact_id = contacts["Contact"][0]["@id"]
    call("PUT", "contact", 204, data={"Contact[0][id]": contact_id, "Contact[0][F]": "x"})
    contact = call("GET", f"contact/{contact_id}", 200).json["Resource"]["Contact"]
    assert contact == {"@id": contact_id, "@homePhone": A, "F": "x"}  # custom field bare (D4)
    (other,) = seed(account, [Contact(first_name="History", home_phone=B)])
    import_history_csv(app.backend.uow, io.StringIO(_csv(other)), default_login=account.login)
    history = call("GET", f"contact/{other}/history", 200).json["Resource"]["ContactHistory"]
    first_call = history["Call"][0]
    assert first_call["ToNumber"] == {"value": B, "@ClientData": "crm-9"}
    assert first_call["BatchId"] == 10680242003 and first_call["Inbound"] is False
    assert first_call["CallRecord"][0]["BilledAmount"] == 1.0 and first_call["CallRecord"][0]["Duration"] == 12
    assert [label["Name"] for label in first_call["Label"]] == ["vip", "west"]
    assert len(history["Text"]) == 2
    empty = call("GET", "contact/0/history", 200).json
    assert empty == {"Resource": {"ContactHistory": {}}}
    call("POST", f"contact/list/{list_id}/add", 204, data={"Numbers": C})
    call("POST", f"contact/list/{list_id}/remove", 204, data={"Numbers": C})
    call("DELETE", "contact", 204, params={"ContactId": contact_id})
    call("DELETE", f"contact/list/{list_id}", 204)

    dnc_id = call("POST", "contact/dnc/list", 201, data={"Name": "dnc", "Numbers": A}).json[
        "ResourceReference"]["Id"]
    assert call("GET", f"contact/dnc/list/{dnc_id}", 200).json == {
        "Resource": {"DncList": {"@id": dnc_id, "Name": "dnc", "Size": 1}}}
    call("POST", f"contact/dnc/list/{dnc_id}/add", 204, data={"Numbers": B, "CallDnc": "true"})
    numbers = call("GET", "contact/dnc", 200, params={"DncListId": dnc_id}).json["ResourceList"]
    assert numbers["DncNumber"][0] == {"Number": A, "DncListId": dnc_id, "CallDnc": True, "TextDnc": True}
    call("PUT", f"contact/dnc/{A}", 204, data={"CallDnc": "false"})
    call("POST", f"contact/dnc/list/{dnc_id}/remove", 204, data={"Numbers": B})
    dnc_lists = call("GET", "contact/dnc/list", 200).json["ResourceList"]
    assert dnc_lists["DncList"] == [{"@id": dnc_id, "Name": "dnc", "Size": 1}]
    call("DELETE", f"contact/dnc/list/{dnc_id}", 204)
    error = call("GET", f"contact/dnc/list/{dnc_id}", 404).json
    assert error["ResourceException"]["HttpStatus"] == 404 and set(error["ResourceException"]) == {
        "HttpStatus", "Message"}
    assert call("GET", "contact", 200, params={"ContactListId": 999999}).json == {
        "ResourceList": {"@totalResults": 0}}
