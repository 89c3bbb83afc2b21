"""Wire values to domain values."""
from __future__ import annotations

import re

from ..domain.contacts import DECLARED_FIELDS, Contact
from ..domain.errors import BadRequest
from ..domain.paging import Page

_SEPARATORS = re.compile(r"[\s,]+")
_LONG_MAX = 2**63 - 1


def id_list(text: str | None) -> list[int]:
    """svc:IdList: whitespace-separated longs (commas tolerated)."""
    ids = []
    for token in _SEPARATORS.split(text or ""):
        if not token:
            continue
        try:
            value = int(token)
        except ValueError:
            raise BadRequest(f"{token!r} is not a valid id") from None
        if not -_LONG_MAX - 1 <= value <= _LONG_MAX:
            raise BadRequest(f"{token!r} is not a valid id")
        ids.append(value)
    return ids


def page(request) -> Page:
    return Page.from_request(request.MaxResults, request.FirstResult)


def declared_attributes(wire_contact) -> dict[str, str | None]:
    """The declared attributes the client actually sent on a data:Contact."""
    present = getattr(wire_contact, "present", None) or ()
    return {name: getattr(wire_contact, name) for name in DECLARED_FIELDS if name in present}


def custom_attributes(wire_contact) -> dict[str, str]:
    return dict(getattr(wire_contact, "custom_fields", None) or {})


def contact(wire_contact) -> Contact:
    """A new domain Contact from a wire data:Contact (its id is not taken: ids are assigned)."""
    result = Contact()
    for wire, attr in DECLARED_FIELDS.items():
        setattr(result, attr, getattr(wire_contact, wire) or None)
    result.custom = custom_attributes(wire_contact)
    return result
