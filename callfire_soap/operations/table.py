"""The 19 operations of ContactService, each declared once.

An entry names the operation as the WSDL does, the request element that selects it, the
message its request decodes into, the use case it calls, the shape of its result, and the
REST route that exposes it. The SOAP dispatch and the REST routes are built from this table,
and the SOAP application refuses to start if the served WSDL names other operations.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..services import contacts as contact_service
from ..services import dnc as dnc_service
from ..services import lists as list_service
from ..services.list_sources import number_tokens
from . import messages as m
from .convert import id_list, list_source, page, validate_flag


@dataclass(frozen=True)
class Scope:
    """Who is calling, and with what: the authenticated account and the service backend."""

    account_id: int
    uow: Any  # the unit-of-work factory (services.ports)
    region: str


# -- result shapes -----------------------------------------------------------------------
@dataclass(frozen=True)
class Items:
    """A page of data elements and the total: a Query* result. ``element`` is the SOAP
    result wrapper (svc namespace), ``item`` the data element of each item."""

    element: str
    item: str


@dataclass(frozen=True)
class Resource:
    """One data element (data namespace)."""

    item: str


@dataclass(frozen=True)
class Created:
    """The id of a new resource (svc:CreatedId); ``location`` is its REST path, with {id}."""

    location: str


Result = Items | Resource | Created | None  # None: no result (an empty SOAP Body, HTTP 204)


@dataclass(frozen=True)
class Route:
    """A REST route below /api/1.1/rest/: path parameters name request fields."""

    method: str
    path: str


@dataclass(frozen=True)
class Operation:
    name: str
    request_element: str
    message: type
    call: Callable[[Scope, Any], Any]
    result: Result
    rest: Route | None


OPERATIONS: list[Operation] = []


def operation(name: str, request_element: str, message: type, result: Result,
              rest: Route | None):
    def declare(call):
        OPERATIONS.append(Operation(name, request_element, message, call, result, rest))
        return call

    return declare


def _by_id(use_case):
    """The operations whose request is just the Id of the resource they read or delete."""

    def call(s: Scope, r: m.IdRequest):
        return use_case(s.uow, s.account_id, r.Id)

    return call


# -- contacts ------------------------------------------------------------------------------
@operation("QueryContacts", "QueryContacts", m.QueryContacts,
           Items("ContactQueryResult", "Contact"), Route("GET", "contact"))
def query_contacts(s: Scope, r: m.QueryContacts):
    return contact_service.query_contacts(
        s.uow, s.account_id, page(r), list_id=r.ContactListId, field_name=r.Field, text=r.String,
    )


@operation("UpdateContacts", "UpdateContacts", m.UpdateContacts, None, Route("PUT", "contact"))
def update_contacts(s: Scope, r: m.UpdateContacts):
    changes = [
        contact_service.ContactChanges(id=wire.id, declared=dict(wire.declared), custom=dict(wire.custom))
        for wire in r.Contact
        if wire.id is not None
    ]
    contact_service.update_contacts(s.uow, s.account_id, changes, s.region)


@operation("RemoveContacts", "RemoveContacts", m.RemoveContacts, None, Route("DELETE", "contact"))
def remove_contacts(s: Scope, r: m.RemoveContacts):
    contact_service.remove_contacts(s.uow, s.account_id, id_list(r.ContactId))


@operation("GetContact", "GetContact", m.IdRequest, Resource("Contact"), Route("GET", "contact/{Id}"))
def get_contact(s: Scope, r: m.IdRequest):
    return contact_service.get_contact(s.uow, s.account_id, r.Id)


@operation("GetContactHistory", "GetContactHistory", m.GetContactHistory,
           Resource("ContactHistory"), Route("GET", "contact/{ContactId}/history"))
def get_contact_history(s: Scope, r: m.GetContactHistory):
    return contact_service.contact_history(s.uow, s.account_id, r.ContactId, page(r))


# -- contact lists -------------------------------------------------------------------------
@operation("CreateContactList", "CreateContactList", m.CreateContactList,
           Created("contact/list/{id}"), Route("POST", "contact/list"))
def create_contact_list(s: Scope, r: m.CreateContactList):
    return list_service.create_list(
        s.uow, s.account_id, r.Name, list_source(r.ContactSource),
        validate=validate_flag(r.Validate), request_id=r.RequestId, region=s.region,
    )


@operation("QueryContactLists", "QueryContactLists", m.Query,
           Items("ContactListQueryResult", "ContactList"), Route("GET", "contact/list"))
def query_contact_lists(s: Scope, r: m.Query):
    return list_service.query_lists(s.uow, s.account_id, page(r))


operation("DeleteContactList", "DeleteContactList", m.IdRequest, None,
          Route("DELETE", "contact/list/{Id}"))(_by_id(list_service.delete_list))


@operation("AddContactsToList", "AddContactsToList", m.ContactListRequest, None,
           Route("POST", "contact/list/{ContactListId}/add"))
def add_contacts_to_list(s: Scope, r: m.ContactListRequest):
    list_service.add_to_list(
        s.uow, s.account_id, r.ContactListId, list_source(r.ContactSource),
        validate=validate_flag(r.Validate), region=s.region,
    )


operation("GetContactList", "GetContactList", m.IdRequest, Resource("ContactList"),
          Route("GET", "contact/list/{Id}"))(_by_id(list_service.get_list))


@operation("RemoveContactsFromList", "RemoveContactsFromList", m.RemoveContactsFromList, None,
           Route("POST", "contact/list/{ContactListId}/remove"))
def remove_contacts_from_list(s: Scope, r: m.RemoveContactsFromList):
    list_service.remove_from_list(
        s.uow, s.account_id, r.ContactListId, contact_ids=id_list(r.ContactId), numbers=r.Numbers,
        region=s.region,
    )


# -- do not contact ------------------------------------------------------------------------
@operation("QueryDncNumbers", "QueryDncNumbersRequest", m.QueryDncNumbers,
           Items("QueryDncNumbersResponse", "DncNumber"), Route("GET", "contact/dnc"))
def query_dnc_numbers(s: Scope, r: m.QueryDncNumbers):
    return dnc_service.query_dnc_numbers(
        s.uow, s.account_id, page(r), prefix=r.Prefix, list_id=r.DncListId,
        list_name=r.DncListName, call_dnc=r.CallDnc, text_dnc=r.TextDnc,
    )


@operation("UpdateDncNumber", "UpdateDncNumberRequest", m.UpdateDncNumber, None,
           Route("PUT", "contact/dnc/{Number}"))
def update_dnc_number(s: Scope, r: m.UpdateDncNumber):
    dnc_service.update_dnc_number(s.uow, s.account_id, r.Number, r.CallDnc, r.TextDnc, s.region)


@operation("QueryDncLists", "QueryDncListsRequest", m.QueryDncLists,
           Items("QueryDncListsResponse", "DncList"), Route("GET", "contact/dnc/list"))
def query_dnc_lists(s: Scope, r: m.QueryDncLists):
    return dnc_service.query_dnc_lists(s.uow, s.account_id, page(r), campaign_id=r.CampaignId,
                                       name=r.Name)


@operation("CreateDncList", "CreateDncListRequest", m.CreateDncList,
           Created("contact/dnc/list/{id}"), Route("POST", "contact/dnc/list"))
def create_dnc_list(s: Scope, r: m.CreateDncList):
    return dnc_service.create_dnc_list(
        s.uow, s.account_id, r.Name, r.CampaignId, r.CallDnc, r.TextDnc, list(number_tokens(r.Numbers)),
        s.region,
    )


operation("GetDncList", "GetDncListRequest", m.IdRequest, Resource("DncList"),
          Route("GET", "contact/dnc/list/{Id}"))(_by_id(dnc_service.get_dnc_list))


operation("DeleteDncList", "DeleteDncListRequest", m.IdRequest, None,
          Route("DELETE", "contact/dnc/list/{Id}"))(_by_id(dnc_service.delete_dnc_list))


def _dnc_numbers(use_case):
    """AddNumbersToDncList and RemoveNumbersFromDncList: one request shape, one call shape."""

    def call(s: Scope, r: m.DncNumbersRequest):
        use_case(s.uow, s.account_id, r.Id, r.CallDnc, r.TextDnc, list(number_tokens(r.Numbers)), s.region)

    return call


operation("AddNumbersToDncList", "AddNumbersToDncListRequest", m.DncNumbersRequest, None,
          Route("POST", "contact/dnc/list/{Id}/add"))(_dnc_numbers(dnc_service.add_numbers))
operation("RemoveNumbersFromDncList", "RemoveNumbersFromDncListRequest", m.DncNumbersRequest, None,
          Route("POST", "contact/dnc/list/{Id}/remove"))(_dnc_numbers(dnc_service.remove_numbers))


_BY_NAME = {op.name: op for op in OPERATIONS}
_BY_REQUEST = {op.request_element: op for op in OPERATIONS}


def by_name(name: str) -> Operation | None:
    return _BY_NAME.get(name)


def by_request_element(local_name: str) -> Operation | None:
    return _BY_REQUEST.get(local_name)
