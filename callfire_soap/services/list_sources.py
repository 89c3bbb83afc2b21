"""The four ContactSource inputs of CreateContactList/AddContactsToList, read lazily.

Each source yields candidate contacts one at a time so that a 100,000-number request
or CSV file is never copied into intermediate lists of the whole input.
"""
from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..domain.contacts import DECLARED_FIELDS, MAX_CUSTOM_FIELDS, PHONE_FIELDS, Contact, to_custom_field_name
from ..domain.errors import BadRequest

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
    """The decoded bytes of a CSV attachment, in one or more chunks."""

    chunks: Iterable[bytes]


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
# Header aliases, compared after lower-casing and dropping spaces, '_', '-' and '.'.
# The declared attribute names themselves are always recognised (case-insensitive).
COLUMN_ALIASES: dict[str, str] = {
    "first": "firstName",
    "last": "lastName",
    "surname": "lastName",
    "zip": "zipcode",
    "postalcode": "zipcode",
    "postcode": "zipcode",
    "phone": "homePhone",
    "phonenumber": "homePhone",
    "number": "homePhone",
    "home": "homePhone",
    "work": "workPhone",
    "businessphone": "workPhone",
    "officephone": "workPhone",
    "mobile": "mobilePhone",
    "cell": "mobilePhone",
    "cellphone": "mobilePhone",
}
COLUMN_ALIASES.update({name.lower(): name for name in DECLARED_FIELDS})
_ALIAS_NOISE = re.compile(r"[\s_.\-]+")
# A header cell that names the contact id is dropped: ids are always assigned.
_IGNORED_COLUMNS = {"id", "contactid"}
# Text files carry no C0 control characters other than tab, CR and LF.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Decoded UTF-8 holds no surrogates; these two non-characters are the rest of what XML 1.0
# forbids, and a stored value holding one could never be sent back.
_NOT_XML = re.compile("[\ufffe\uffff]")
# A cell that looks like a phone number (so the first row is data, not a header).
_NUMBER_CELL = re.compile(r"^\+?[0-9][0-9 ().\-]*$")
_DELIMITERS = (",", ";", "\t")


def _pieces(chunks: Iterable[bytes], size: int = 1 << 16) -> Iterator[memoryview | None]:
    """Zero-copy slices of the chunks (so decoded text stays small), then None (end)."""
    for chunk in chunks:
        view = memoryview(chunk)
        for start in range(0, len(view), size):
            yield view[start:start + size]
    yield None


def _decoded_lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """UTF-8 text lines (with their line ends) from byte chunks, one line at a time."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    pending = ""
    try:
        for piece in _pieces(chunks):
            text = decoder.decode(b"", True) if piece is None else decoder.decode(piece)
            if _BINARY.search(text):
                raise BadRequest("File is not a CSV text file (it contains binary data)")
            if _NOT_XML.search(text):
                raise BadRequest("File contains U+FFFE or U+FFFF, which no SOAP response can carry")
            pending += text
            start = 0
            while (end := pending.find("\n", start)) >= 0:
                yield pending[start:end + 1]
                start = end + 1
            pending = pending[start:]
    except UnicodeDecodeError:
        raise BadRequest("File is not a CSV text file (it is not UTF-8)") from None
    if pending:
        yield pending


def _column_target(header: str) -> tuple[str, str] | None:
    """('declared', attribute) or ('custom', name) for a header cell, None to ignore it."""
    key = _ALIAS_NOISE.sub("", header).lower()
    if not key or key in _IGNORED_COLUMNS:
        return None
    if key in COLUMN_ALIASES:
        return "declared", DECLARED_FIELDS[COLUMN_ALIASES[key]]
    name = to_custom_field_name(header)
    return ("custom", name) if name else None


def _is_number_row(cells: list[str]) -> bool:
    values = [cell.strip() for cell in cells if cell.strip()]
    return bool(values) and all(_NUMBER_CELL.match(value) for value in values)


def csv_contacts(source: FileSource) -> Iterator[Contact]:
    """Contacts from a CSV file: a header row names the columns (see COLUMN_ALIASES; any
    other header becomes a custom field); a file whose first row holds only phone numbers
    has no header and every cell is a homePhone number."""
    lines = _decoded_lines(source.chunks)
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise BadRequest("File is empty")
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    rows = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
    try:
        header = next(rows)
        if _is_number_row(header):
            yield from _headerless(itertools.chain([header], rows))
        else:
            yield from _with_header(header, rows)
    except csv.Error as exc:
        raise BadRequest(f"File is not a valid CSV file: {exc}") from None


def _headerless(rows: Iterator[list[str]]) -> Iterator[Contact]:
    for row in rows:
        for cell in row:
            if cell.strip():
                yield Contact(home_phone=cell.strip())


def _with_header(header: list[str], rows: Iterator[list[str]]) -> Iterator[Contact]:
    declared: list[tuple[int, str]] = []
    custom: list[tuple[int, str]] = []
    taken: set[tuple[str, str]] = set()
    for index, cell in enumerate(header):
        target = _column_target(cell)
        if target is None or target in taken:  # the first column for a name wins
            continue
        taken.add(target)
        (declared if target[0] == "declared" else custom).append((index, target[1]))
    if not declared and not custom:
        raise BadRequest("File has no usable column (expected a header row or one number per line)")
    # Checked on the header, before any row is read: a file with 100,000 columns would
    # otherwise import quickly and leave contacts that every response pays for.
    if len(custom) > MAX_CUSTOM_FIELDS:
        raise BadRequest(f"File has {len(custom)} custom field columns; a contact may have at most "
                         f"{MAX_CUSTOM_FIELDS} custom fields")
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        width = len(row)
        contact = Contact()
        for index, attribute in declared:
            if index < width and row[index].strip():
                setattr(contact, attribute, row[index].strip())
        for index, name in custom:
            if index < width and row[index].strip():
                contact.custom[name] = row[index].strip()
        yield contact


def source_contacts(source: ListSource) -> Iterator[Contact]:
    """Candidate contacts of a Contact, Numbers or File source (ContactId is separate)."""
    if isinstance(source, ContactsSource):
        return iter(source.contacts)
    if isinstance(source, NumbersSource):
        return numbers_contacts(source)
    if isinstance(source, FileSource):
        return csv_contacts(source)
    raise TypeError(f"{type(source).__name__} does not yield new contacts")
