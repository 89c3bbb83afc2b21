"""The four ContactSource inputs of CreateContactList/AddContactsToList, read lazily.

Each source yields candidate contacts one at a time so that a 100,000-number request
or CSV file is never copied into intermediate lists of the whole input.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..domain.contacts import DECLARED_FIELDS, PHONE_FIELDS, Contact
from ..domain.errors import BadRequest
from .list_csv import COLUMN_ALIASES, read_csv, row_contacts  # noqa: F401 - the names a header may use

DEFAULT_FIELD = "homePhone"


@dataclass
class ContactsSource:
    """data:Contact elements (custom attributes included; a supplied id is never used)."""

    contacts: Iterable[Contact]


@dataclass
class NumbersSource:
    """A PhoneNumberList text plus the fieldName attribute (None when absent)."""

    text: str
    field_name: str | None = None


@dataclass
class ValidatedNumbers:
    """A NumbersSource with Validate=true, already normalised (services/lists.py does it
    before the unit of work opens): the Contact attribute, and per token its legacy form
    or None when it is invalid."""

    attribute: str
    numbers: Sequence[str | None]


@dataclass
class ContactIdsSource:
    """Ids of contacts that already exist; ids of other accounts are ignored."""

    ids: Sequence[int]


@dataclass
class FileSource:
    """The decoded bytes of a CSV attachment, in one or more chunks. require_phone: a header
    without a phone column is BAD_REQUEST (`contacts import`; the SOAP and REST File source
    keeps the legacy behaviour, an empty list)."""

    chunks: Iterable[bytes]
    require_phone: bool = False


ListSource = ContactsSource | NumbersSource | ContactIdsSource | FileSource


# -- Numbers ---------------------------------------------------------------------------------
# Tokens are runs of characters other than whitespace and commas. str.split() has the same
# notion of whitespace as the regex \s (both use Py_UNICODE_ISSPACE) and is ~5x faster.
_SEPARATOR = re.compile(r"[\s,]")
_SLICE = 1 << 16
# Numbers per request (a Numbers source, a DNC number operation, RemoveContactsFromList).
# The legacy service documented no limit; the largest request this project knows of is its
# own benchmark's 100,000 numbers (~1.2 MB of text), and no hand-kept legacy client sends
# more. Twice that bounds a request's phonenumbers work (up to ~0.2 ms a number) and its
# memory, where the 32 MiB body limit alone would let ~2.8 million numbers through.
MAX_NUMBERS = 200_000
# REST-era syntax from the legacy demo value: "workPhone:+12345678912,+12345678923".
_FIELD_PREFIX = re.compile(r"\s*([A-Za-z_]+)\s*:")


def phone_attribute(field_name: str | None) -> str:
    """The Contact attribute a Numbers source fills; blank means the homePhone default."""
    if field_name is None or not field_name.strip():
        return DECLARED_FIELDS[DEFAULT_FIELD]
    if field_name.strip() not in PHONE_FIELDS:
        raise BadRequest(
            f"fieldName {field_name!r} is not one of {', '.join(PHONE_FIELDS)}"
        )
    return DECLARED_FIELDS[field_name.strip()]


def number_tokens(text: str | None, start: int = 0, limit: int | None = None) -> Iterator[str]:
    """Whitespace- or comma-separated tokens of text[start:], split a slice at a time (a
    slice ends at a separator) so that a 100,000-number text is never one list of tokens.
    More than ``limit`` (default MAX_NUMBERS) tokens is BAD_REQUEST, raised on the slice
    that crosses it, before any of them is normalised or stored."""
    limit = MAX_NUMBERS if limit is None else limit
    text = text or ""
    count = 0
    while start < len(text):
        found = _SEPARATOR.search(text, start + _SLICE)
        end = found.start() if found else len(text)
        tokens = text[start:end].replace(",", " ").split()
        count += len(tokens)
        if count > limit:
            raise BadRequest(f"Numbers holds more than {limit:,} numbers; send at most {limit:,} "
                             "in one request")
        yield from tokens
        start = end


def parse_numbers_source(source: NumbersSource) -> tuple[str, Iterator[str]]:
    """The Contact attribute the source's numbers go to, and its tokens. The fieldName and
    prefix are checked here, before any token is read, so a bad one faults up front."""
    text = source.text or ""
    field_name = source.field_name
    prefix = _FIELD_PREFIX.match(text)
    start = 0
    if prefix:
        named = prefix.group(1)
        if named not in PHONE_FIELDS:
            raise BadRequest(f"Numbers prefix {named!r} is not one of {', '.join(PHONE_FIELDS)}")
        # zeep and others send the default fieldName="homePhone" explicitly, so only a
        # non-default fieldName can contradict the prefix.
        explicit = (field_name or "").strip()
        if explicit not in ("", DEFAULT_FIELD, named):
            raise BadRequest(f"fieldName {field_name!r} contradicts the prefix {named!r}")
        field_name, start = named, prefix.end()
    return phone_attribute(field_name), number_tokens(text, start)


def numbers_contacts(source: NumbersSource) -> Iterator[Contact]:
    attribute, tokens = parse_numbers_source(source)
    return (Contact(**{attribute: token}) for token in tokens)


# -- CSV file --------------------------------------------------------------------------------
def csv_contacts(source: FileSource) -> Iterator[Contact]:
    """Contacts from a CSV file: a header row names the columns (see list_csv.COLUMN_ALIASES;
    any other header becomes a custom field); a file whose first row holds only phone numbers
    has no header and every cell is a homePhone number."""
    layout, rows = read_csv(source.chunks, source.require_phone)
    for _line, row in rows:
        yield from row_contacts(layout, row)


def source_contacts(source: ListSource) -> Iterator[Contact]:
    """Candidate contacts of a Contact, Numbers or File source (ContactId is separate)."""
    if isinstance(source, ContactsSource):
        return iter(source.contacts)
    if isinstance(source, NumbersSource):
        return numbers_contacts(source)
    if isinstance(source, FileSource):
        return csv_contacts(source)
    raise TypeError(f"{type(source).__name__} does not yield new contacts")
