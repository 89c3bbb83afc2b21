"""The REST route table (built from the operations table) and the JSON mapping's schema
facts, without a server."""
from __future__ import annotations

import json

import pytest
from lxml import etree

from callfire_soap.operations import OPERATIONS
from callfire_soap.rest.json import FACTS, to_json
from callfire_soap.rest.routes import Router

ROUTES = [
    ("DELETE", "contact", "RemoveContacts"),
    ("DELETE", "contact/dnc/list/{Id}", "DeleteDncList"),
    ("DELETE", "contact/list/{Id}", "DeleteContactList"),
    ("GET", "contact", "QueryContacts"),
    ("GET", "contact/dnc", "QueryDncNumbers"),
    ("GET", "contact/dnc/list", "QueryDncLists"),
    ("GET", "contact/dnc/list/{Id}", "GetDncList"),
    ("GET", "contact/list", "QueryContactLists"),
    ("GET", "contact/list/{Id}", "GetContactList"),
    ("GET", "contact/{ContactId}/history", "GetContactHistory"),
    ("GET", "contact/{Id}", "GetContact"),
    ("POST", "contact/dnc/list", "CreateDncList"),
    ("POST", "contact/dnc/list/{Id}/add", "AddNumbersToDncList"),
    ("POST", "contact/dnc/list/{Id}/remove", "RemoveNumbersFromDncList"),
    ("POST", "contact/list", "CreateContactList"),
    ("POST", "contact/list/{ContactListId}/add", "AddContactsToList"),
    ("POST", "contact/list/{ContactListId}/remove", "RemoveContactsFromList"),
    ("PUT", "contact", "UpdateContacts"),
    ("PUT", "contact/dnc/{Number}", "UpdateDncNumber"),
]
ROUTER = Router(OPERATIONS)


def test_the_19_routes_of_the_contract():
    assert ROUTER.routes() == ROUTES


@pytest.mark.parametrize("path, method, name, params, as_json", [
    ("contact/list", "GET", "QueryContactLists", {}, False),  # not GetContact with Id=list
    ("contact/list/", "POST", "CreateContactList", {}, False),
    ("contact/dnc/list.json", "GET", "QueryDncLists", {}, True),  # not UpdateDncNumber's {Number}
    ("contact/dnc/+12132212384", "PUT", "UpdateDncNumber", {"Number": "+12132212384"}, False),
    ("contact/5/history.json", "GET", "GetContactHistory", {"ContactId": "5"}, True),
    ("contact/list/7/add.xml", "POST", "AddContactsToList", {"ContactListId": "7"}, False),
])
def test_matching(path, method, name, params, as_json):
    target = ROUTER.match(path)
    assert target.by_method[method].name == name and target.params == params and target.json is as_json


@pytest.mark.parametrize("path", ["contact/abc", "contact/-1", "contact/1.5", "contact/99999999999999999999",
                                  "contact/list/history", "contact/list/x/add", "contacts", "", "contact/1/2"])
def test_no_route(path):
    assert ROUTER.match(path) is None


def test_json_facts_come_from_the_data_xsd():
    assert {"@id", "Size", "BatchId", "BilledAmount", "Duration", "DncListId"} <= FACTS.numbers
    assert {"Inbound", "CallDnc", "TextDnc"} <= FACTS.booleans
    assert {"Call", "Text", "CallRecord", "Label", "QuestionResponse"} <= FACTS.repeated
    assert "ToNumber" in FACTS.simple_content and "ContactHistory" in FACTS.complex
    assert "firstName" in FACTS.declared_attributes["Contact"]


def test_json_of_a_contact_keeps_custom_fields_bare():
    root = etree.fromstring(
        '<r:Resource xmlns="http://api.callfire.com/data" xmlns:r="http://api.callfire.com/resource">'
        '<Contact id="7" firstName="A" F="1"/></r:Resource>')
    assert json.dumps(to_json(root)) == '{"Resource": {"Contact": {"@id": 7, "@firstName": "A", "F": "1"}}}'
