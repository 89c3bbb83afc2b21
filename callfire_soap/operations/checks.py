"""Rules on a decoded request message that hold whatever entrypoint decoded it.

The SOAP entrypoint validates the XML against the XSD before decoding; REST has no schema,
so the rules the schema alone would enforce are spelled out here for REST (``check_required``),
and the rules that are not expressible in the XSD are applied by both (``check_message``).
"""
from __future__ import annotations

import dataclasses
import re

from ..domain.contacts import PHONE_FIELDS
from ..domain.errors import BadRequest
from . import messages as m

# Fields that carry resource ids: ids are positive, so a negative one is a malformed request
# (BAD_REQUEST), not merely an unknown id.
_ID_FIELDS = frozenset({"Id", "ContactId", "ContactListId", "DncListId", "CampaignId"})


def reduce_source(source: m.Source | None) -> None:
    """Keep only the branch of a ContactSource that the documented precedence selects when a
    lenient client sends several: contacts, then numbers, then contact ids, then the file
    (CONTRACT.md quirk 4, REST-CONTRACT.md 6.5). The branches left out are never looked at,
    so a malformed one that loses does not fail the request."""
    if source is None:
        return
    if source.Contact:
        source.Numbers = source.ContactId = source.File = None
    elif source.Numbers is not None:
        source.ContactId = source.File = None
    elif source.ContactId is not None:
        source.File = None


def check_ids(message) -> None:
    """No id field, id list or Contact id may be negative."""
    for f in dataclasses.fields(message):
        value = getattr(message, f.name)
        if value is None:
            continue
        if f.name in _ID_FIELDS and (
            (isinstance(value, int) and value < 0) or (isinstance(value, str) and "-" in value)
        ):
            raise BadRequest(f"Invalid request: {f.name} must not be negative")
        if isinstance(value, list):
            for contact in value:
                if isinstance(contact, m.WireContact) and contact.id is not None and contact.id < 0:
                    raise BadRequest("Invalid request: Contact id must not be negative")
        elif dataclasses.is_dataclass(value):
            check_ids(value)


def check_message(message) -> None:
    """The rules both entrypoints apply to every decoded request."""
    for f in dataclasses.fields(message):
        value = getattr(message, f.name)
        if isinstance(value, m.Source):
            reduce_source(value)
    check_ids(message)


# Fields the XSD requires (minOccurs 1), by message class; a tuple is a choice of which one
# must be present. Path parameters always are. RemoveContacts.ContactId is required by the XSD
# but an absent one is a no-op over REST (REST-CONTRACT.md 5.3: the C# SDK sends an empty
# DELETE for a null list and expects success).
REQUIRED: dict[type, tuple] = {
    m.IdRequest: ("Id",),
    m.GetContactHistory: ("ContactId",),
    m.CreateContactList: ("Name", "ContactSource"),
    m.ContactListRequest: ("ContactListId", "ContactSource"),
    m.RemoveContactsFromList: ("ContactListId", ("ContactId", "Numbers")),
    m.UpdateDncNumber: ("Number",),
    m.CreateDncList: ("Name",),
    m.DncNumbersRequest: ("Id", "Numbers"),
}


# data:PhoneNumber; an empty value clears the field in UpdateContacts.
_PHONE = re.compile(r"([a-zA-Z_]+)|(\+?[0-9]+)|")


def check_schema_rules(message) -> None:
    """What the XSD enforces on a SOAP request before it is decoded, for an entrypoint that
    has no schema: required fields present, data:PhoneNumber values well formed."""
    for required in REQUIRED.get(type(message), ()):
        names = required if isinstance(required, tuple) else (required,)
        if all(getattr(message, name) is None for name in names):
            raise BadRequest(" or ".join(names) + " is required")
    contacts = getattr(message, "Contact", None)
    source = getattr(message, "ContactSource", None)
    if source is not None:
        contacts = source.Contact
    for contact in contacts or ():
        for name in PHONE_FIELDS:
            value = contact.declared.get(name)
            if value is not None and not _PHONE.fullmatch(value):
                raise BadRequest(f"Invalid request: Contact {name} {value[:40]!r} is not a phone number")
    number = getattr(message, "Number", None)
    if isinstance(message, m.UpdateDncNumber) and number is not None and not _PHONE.fullmatch(number):
        raise BadRequest(f"Invalid request: {number[:40]!r} is not a phone number")
