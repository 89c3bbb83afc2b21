"""Reading a CSV contact file (the File source, `contacts import`): decoding, the header's
columns, and rows numbered by the line they start on, so that every error and every dropped
row can name its line."""
from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..domain.contacts import DECLARED_FIELDS, MAX_CUSTOM_FIELDS, PHONE_FIELDS, Contact, to_custom_field_name
from ..domain.errors import BadRequest
from ..domain.phone import looks_like_phone
from .text_lines import decoded_lines

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
PHONE_ATTRIBUTES = frozenset(DECLARED_FIELDS[name] for name in PHONE_FIELDS)
_ALIAS_NOISE = re.compile(r"[\s_.\-]+")
# A header cell that names the contact id is dropped: ids are always assigned.
_IGNORED_COLUMNS = {"id", "contactid"}
# A header cell with this many digits or more that looks like a phone number suggests the
# file has no header at all (its first line is data).
_PHONE_DIGITS = 7
_DELIMITERS = (",", ";", "\t")


def phone_header_names() -> list[str]:
    """The header names that make a phone column (compared without case, spaces, '_-.')."""
    return sorted(alias for alias, name in COLUMN_ALIASES.items() if name in PHONE_FIELDS)


@dataclass
class CsvLayout:
    """What the header row made of the file's columns."""

    headerless: bool = False
    header: list[str] = field(default_factory=list)
    declared: list[tuple[int, str]] = field(default_factory=list)   # (cell index, Contact attribute)
    custom: list[tuple[int, str]] = field(default_factory=list)     # (cell index, custom field name)
    ignored: list[str] = field(default_factory=list)                # header cells not imported

    @property
    def custom_columns(self) -> dict[str, str]:
        """Header cell -> the custom field name it became (unmapped columns)."""
        return {self.header[index]: name for index, name in self.custom}

    @property
    def has_phone(self) -> bool:
        return self.headerless or any(attr in PHONE_ATTRIBUTES for _, attr in self.declared)




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
    return bool(values) and all(looks_like_phone(value) for value in values)


def looks_like_data(header: list[str]) -> bool:
    """A header with a cell that reads as a phone number: more likely a first data row."""
    return any(looks_like_phone(cell) and sum(ch.isdigit() for ch in cell) >= _PHONE_DIGITS for cell in header)


def _layout(header: list[str], require_phone: bool) -> CsvLayout:
    layout = CsvLayout(header=header)
    taken: set[tuple[str, str]] = set()
    for index, cell in enumerate(header):
        target = _column_target(cell)
        if target is None or target in taken:  # the first column for a name wins
            if cell.strip():
                layout.ignored.append(cell)
            continue
        taken.add(target)
        (layout.declared if target[0] == "declared" else layout.custom).append((index, target[1]))
    if not layout.declared and not layout.custom:
        raise BadRequest("File has no usable column (expected a header row or one number per line)")
    # Checked on the header, before any row is read: a file with 100,000 columns would
    # otherwise import quickly and leave contacts that every response pays for.
    if len(layout.custom) > MAX_CUSTOM_FIELDS:
        raise BadRequest(f"File has {len(layout.custom)} custom field columns; a contact may have at most "
                         f"{MAX_CUSTOM_FIELDS} custom fields")
    if require_phone and not layout.has_phone:
        seen = ", ".join(repr(cell) for cell in header[:50]) + (", ..." if len(header) > 50 else "")
        raise BadRequest(f"File has no phone column: its columns are {seen}; a phone column is named "
                         f"one of {', '.join(phone_header_names())} (case, spaces, '_', '-' and '.' "
                         "do not matter)"
                         + ("; its first line has a phone number in it, so the file may have no header "
                            "row" if looks_like_data(header) else ""))
    return layout


def read_csv(chunks: Iterable[bytes], require_phone: bool = False
             ) -> tuple[CsvLayout, Iterator[tuple[int, list[str]]]]:
    """The file's layout (its header row is read now) and its data rows, each with the line
    it starts on; rows without a non-blank cell are skipped. Errors are BadRequest naming
    the line. require_phone: a header without a phone column is an error."""
    lines = decoded_lines(chunks)
    skipped = 0
    first = None
    for line in lines:
        if line.strip():
            first = line
            break
        skipped += 1
    if first is None:
        raise BadRequest("File is empty")
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
    state = {"start": skipped + 1}

    def numbered() -> Iterator[tuple[int, list[str]]]:
        while True:
            state["start"] = skipped + reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise BadRequest(f"File is not a valid CSV file: line {state['start']}: {exc}") from None
            yield state["start"], row

    rows = numbered()
    line, header = next(rows)
    if _is_number_row(header):
        return CsvLayout(headerless=True), itertools.chain([(line, header)], _non_blank(rows))
    return _layout(header, require_phone), _non_blank(rows)


def _non_blank(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    return ((line, row) for line, row in rows if any(cell.strip() for cell in row))


def row_contacts(layout: CsvLayout, row: list[str]) -> Iterator[Contact]:
    """The candidate contacts of one data row: one per non-blank cell of a headerless file
    (a homePhone number each), else one contact (which may be empty)."""
    if layout.headerless:
        for cell in row:
            if cell.strip():
                yield Contact(home_phone=cell.strip())
        return
    width = len(row)
    declared = {}
    for index, attribute in layout.declared:
        if index < width and (value := row[index].strip()):
            declared[attribute] = value
    custom = {}
    for index, name in layout.custom:
        if index < width and (value := row[index].strip()):
            custom[name] = value
    yield Contact(**declared, custom=custom)
