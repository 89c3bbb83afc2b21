"""Request values to the values the services take."""
from __future__ import annotations

import re

from ..domain.contacts import DECLARED_FIELDS, Contact
from ..domain.errors import BadRequest
from ..domain.paging import Page
from ..services.list_sources import ContactIdsSource, ContactsSource, FileSource, ListSource, NumbersSource
from .messages import Source, WireContact

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


def validate_flag(value: bool | None) -> bool:
    """Validate is xs:boolean with default true."""
    return True if value is None else bool(value)


def new_contact(wire: WireContact) -> Contact:
    """A new domain Contact from a wire data:Contact (its id is not taken: ids are assigned)."""
    result = Contact()
    for name, attr in DECLARED_FIELDS.items():
        setattr(result, attr, wire.declared.get(name) or None)
    result.custom = dict(wire.custom)
    return result


def list_source(source: Source | None) -> ListSource:
    """The branch of svc:ContactSource the request carries. Decoding has already reduced
    several branches to the documented precedence: Contact, Numbers, ContactId, File."""
    if source is None:
        raise BadRequest("ContactSource is required")
    if source.Contact:
        # A generator: contacts are converted as the import consumes them.
        return ContactsSource(new_contact(c) for c in source.Contact)
    if source.Numbers is not None:
        return NumbersSource(source.Numbers.value or "", source.Numbers.fieldName)
    if source.ContactId is not None:
        return ContactIdsSource(id_list(source.ContactId))
    if source.File is not None:
        return FileSource((source.File,))
    raise BadRequest("ContactSource must hold Contact, Numbers, ContactId or File")
