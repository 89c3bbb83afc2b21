"""Contacts: declared attributes plus free-form custom fields."""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field

from .errors import BadRequest

# Declared attributes of data:Contact, in schema order, with their storage names.
DECLARED_FIELDS: dict[str, str] = {
    "firstName": "first_name",
    "lastName": "last_name",
    "zipcode": "zipcode",
    "homePhone": "home_phone",
    "workPhone": "work_phone",
    "mobilePhone": "mobile_phone",
    "externalId": "external_id",
    "externalSystem": "external_system",
}
PHONE_FIELDS = ("homePhone", "workPhone", "mobilePhone")
# A contact's declared attributes as a tuple, in DECLARED_FIELDS order (which is also the
# order of Contact's fields after id).
declared_values = operator.attrgetter(*DECLARED_FIELDS.values())

# Custom fields travel as XML attributes, so their names must be XML names without a
# prefix (NCName). A CSV header such as "custom data1" is rewritten to "custom_data1".
_NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9._-]*$")
_NOT_NAME_CHAR = re.compile(r"[^A-Za-z0-9._-]+")
MAX_CUSTOM_NAME = 64
MAX_VALUE = 1024
# Custom fields per contact. Legacy contacts carried a handful (the documented examples have
# one to three); 200 is beyond any spreadsheet export a person maintains, and it bounds the
# cost of one contact in every response that lists it.
MAX_CUSTOM_FIELDS = 200
# QueryContacts/String. A search term is something a person types into a search box; 256
# characters is far beyond a name, number or address, and it keeps the pattern built from
# it (each character may be escaped to "[c]", up to 4 bytes in UTF-8: about 3 KB) well
# under SQLite's 50,000-byte LIKE/GLOB pattern limit, whose error would otherwise reach
# the client as a server fault.
MAX_SEARCH_TEXT = 256


def check_search_text(label: str, text: str | None) -> None:
    """A search string the storage can match: longer ones are the client's mistake."""
    if text is not None and len(text) > MAX_SEARCH_TEXT:
        raise BadRequest(f"{label} is longer than {MAX_SEARCH_TEXT} characters")


def is_custom_field_name(name: str) -> bool:
    return (
        bool(_NCNAME.match(name))
        and len(name) <= MAX_CUSTOM_NAME
        and name not in DECLARED_FIELDS
        and name != "id"
        and not name.lower().startswith("xml")
    )


def to_custom_field_name(header: str) -> str | None:
    """An attribute-safe name for a CSV column header, or None if nothing usable is left."""
    name = _NOT_NAME_CHAR.sub("_", header.strip()).strip("_")
    if name and not (name[0].isalpha() or name[0] == "_"):
        name = "_" + name
    return name if name and is_custom_field_name(name) else None


@dataclass
class Contact:
    id: int | None = None
    first_name: str | None = None
    last_name: str | None = None
    zipcode: str | None = None
    home_phone: str | None = None
    work_phone: str | None = None
    mobile_phone: str | None = None
    external_id: str | None = None
    external_system: str | None = None
    custom: dict[str, str] = field(default_factory=dict)

    def get(self, wire_name: str) -> str | None:
        attr = DECLARED_FIELDS.get(wire_name)
        if attr is not None:
            return getattr(self, attr)
        return self.custom.get(wire_name)

    def phones(self) -> list[str]:
        return [p for p in (self.home_phone, self.work_phone, self.mobile_phone) if p]

    def search_text(self) -> str:
        """Lower-cased text that String queries match against (names, numbers, custom values),
        the declared attributes in DECLARED_FIELDS order (spelled out: a list import computes
        this for every new contact)."""
        return "\x1f".join(filter(None, (
            self.first_name, self.last_name, self.zipcode, self.home_phone, self.work_phone,
            self.mobile_phone, self.external_id, self.external_system, *self.custom.values(),
        ))).lower()
