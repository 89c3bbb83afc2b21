"""The request messages of ContactService, as plain data: what every entrypoint (SOAP, REST)
decodes a request into before a service is called.

Field names are the wire names of the legacy XSD (callfire-service.xsd), so that the SOAP
binding and the REST parameter decoder can fill them by name; the type of each field tells
the REST decoder how to parse a parameter (int: xs:long, bool: xs:boolean, str, bytes:
xs:base64Binary). ``tests/unit/test_operation_table.py`` checks that every message has exactly
the child elements of its XSD element, in order.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WireContact:
    """A data:Contact as a client sent it: the declared attributes it carried (an empty value
    clears a field in UpdateContacts) and the undeclared ones, which are custom fields."""

    id: int | None = None
    declared: dict[str, str] = field(default_factory=dict)
    custom: dict[str, str] = field(default_factory=dict)


@dataclass
class SourceNumbers:
    """svc:ContactSource/Numbers: a number list and the contact field the numbers fill."""

    value: str | None = None
    fieldName: str | None = None


@dataclass
class Source:
    """svc:ContactSource."""

    Contact: list[WireContact] = field(default_factory=list)
    ContactId: str | None = None
    File: bytes | None = None
    Numbers: SourceNumbers | None = None


@dataclass
class IdRequest:
    Id: int | None = None


@dataclass
class Query:
    MaxResults: int | None = None
    FirstResult: int | None = None


@dataclass
class QueryContacts(Query):
    Field: str | None = None
    ContactListId: int | None = None
    String: str | None = None


@dataclass
class UpdateContacts:
    Contact: list[WireContact] = field(default_factory=list)


@dataclass
class RemoveContacts:
    ContactId: str | None = None


@dataclass
class GetContactHistory(Query):
    ContactId: int | None = None


@dataclass
class CreateContactList:
    RequestId: str | None = None
    Name: str | None = None
    Validate: bool | None = None
    ContactSource: Source | None = None


@dataclass
class ContactListRequest:
    ContactListId: int | None = None
    Validate: bool | None = None
    ContactSource: Source | None = None


@dataclass
class RemoveContactsFromList:
    ContactListId: int | None = None
    ContactId: str | None = None
    Numbers: str | None = None


@dataclass
class QueryDncNumbers(Query):
    Prefix: str | None = None
    DncListId: int | None = None
    DncListName: str | None = None
    CallDnc: bool | None = None
    TextDnc: bool | None = None


@dataclass
class UpdateDncNumber:
    Number: str | None = None
    CallDnc: bool | None = None
    TextDnc: bool | None = None


@dataclass
class QueryDncLists(Query):
    CampaignId: int | None = None
    Name: str | None = None


@dataclass
class CreateDncList:
    Name: str | None = None
    CampaignId: int | None = None
    CallDnc: bool | None = None
    TextDnc: bool | None = None
    Numbers: str | None = None


@dataclass
class DncNumbersRequest:
    Id: int | None = None
    CallDnc: bool | None = None
    TextDnc: bool | None = None
    Numbers: str | None = None
