"""`dnc import`: a DNC file of any size onto a DNC list, with the number rules of
CreateDncList/AddNumbersToDncList (services/dnc.py).

Two passes, so that a bad file writes nothing and the write transaction does only writing:
1. scan(): read the file a chunk at a time, normalise every number (outside any
   transaction), report each rejected line, and spool the valid entries to a file.
2. store(): one unit of work that creates or locks the list and merges the spooled entries
   in bulk (storage/dnc_bulk.py). Memory stays flat whatever the file's size.

The file is one number per line (no header: the first non-blank line is a number), or a CSV
with a header naming a number column and optionally ``call_dnc``/``text_dnc`` columns (what
`dnc export` writes). A number that appears twice counts once and its last line's flags win,
as a second AddNumbersToDncList would.
"""
from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from ..domain import nanp
from ..domain.dnc import DncList, check_list_name, flags_to_add
from ..domain.errors import BadRequest, NotFound
from ..domain.phone import DEFAULT_REGION, looks_like_phone, normalize, normalize_all
from .export import dnc_list_in, find_dnc_list
from .ports import UnitOfWorkFactory
from .text_lines import decoded_lines

# Header cells (compared lower-cased, without spaces, '_', '-', '.') that name the number.
NUMBER_COLUMNS = ("number", "phonenumber", "phone", "dncnumber", "telephone", "tel", "homephone",
                  "mobilephone", "mobile", "cellphone", "cell", "workphone")
CALL_COLUMN, TEXT_COLUMN = "calldnc", "textdnc"
_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}
_NOISE = re.compile(r"[\s_.\-]+")
# A NANP number written the usual way: "(213) 555-1007", "213.555.1007", "+1 213-555-1007".
_FORMATTED_NANP = re.compile(r"(\+?1[ .\-]?)?\(?([2-9][0-9]{2})\)?[ .\-]?([0-9]{3})[ .\-]?([0-9]{4})")
_DELIMITERS = (",", ";", "\t")
BATCH = 5000
# How many rejected lines an error message quotes.
_QUOTED = 5
_QUOTED_CHARS = 40


@dataclass
class Reject:
    line: int
    value: str
    reason: str


@dataclass
class Scan:
    """What pass 1 found: data rows read, rows rejected, valid entries spooled."""

    read: int = 0
    invalid: int = 0
    valid: int = 0
    first_rejects: list[Reject] | None = None


@dataclass
class DncImportReport:
    list_id: int
    name: str
    created: bool
    read: int
    invalid: int
    duplicates: int
    added: int
    updated: int
    unchanged: int
    size: int


def _key(header: str) -> str:
    return _NOISE.sub("", header).lower()




def _flag(cell: str | None, default: bool) -> bool | None:
    """A call_dnc/text_dnc cell: empty means the default; None for a value that is no flag."""
    if cell is None:
        return default
    value = cell.strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def _rows(chunks: Iterable[bytes], call_dnc: bool | None, text_dnc: bool | None,
          ) -> Iterator[tuple[int, str, str | None, str | None]]:
    """(line number, number cell, call_dnc cell, text_dnc cell) of each non-blank data row."""
    lines = decoded_lines(chunks, label="the file", xml_text=False)
    line_no = 0
    for line in lines:
        line_no += 1
        if line.strip():
            first = line
            break
    else:
        raise BadRequest("the file is empty")
    if looks_like_phone(first):
        yield line_no, first.strip(), None, None
        for line in lines:
            line_no += 1
            if line.strip():
                yield line_no, line.strip(), None, None
        return
    skipped = line_no - 1  # blank lines before the header
    delimiter = max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
    try:
        header = [_key(cell) for cell in next(reader)]
        number_at = next((header.index(name) for name in NUMBER_COLUMNS if name in header), None)
        if number_at is None:
            raise BadRequest("the file has no number column (expected a header such as 'number', "
                             "or one number per line)")
        call_at = header.index(CALL_COLUMN) if CALL_COLUMN in header else None
        text_at = header.index(TEXT_COLUMN) if TEXT_COLUMN in header else None
        # The file's flags and the command's options would both claim the same entries.
        if call_at is not None and call_dnc is not None:
            raise BadRequest("the file has a call_dnc column: leave out --call-dnc/--no-call-dnc")
        if text_at is not None and text_dnc is not None:
            raise BadRequest("the file has a text_dnc column: leave out --text-dnc/--no-text-dnc")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue

            def cell(index: int | None, row=row) -> str | None:
                return row[index] if index is not None and index < len(row) else None

            yield (skipped + reader.line_num, (cell(number_at) or "").strip(), cell(call_at),
                   cell(text_at))
    except csv.Error as exc:
        raise BadRequest(f"line {skipped + reader.line_num}: not a valid CSV row ({exc})") from None


def normalize_values(values: list[str], region: str = DEFAULT_REGION) -> list[str | None]:
    """[normalize(value, region) for value in values], faster for NANP numbers written the
    usual way: their separators are dropped first, so that they take the fast path of
    domain/nanp.py instead of a full phonenumbers parse. Only where that reading is
    certain (a NANP region, or "+1"); a candidate that is not valid falls back to
    normalize() of the value as written, so the answer is always normalize()'s."""
    nanp_region = region in nanp.NANP_REGIONS
    candidates = list(values)
    rewritten = []
    for index, value in enumerate(values):
        if value.isdigit():
            continue
        match = _FORMATTED_NANP.fullmatch(value)
        if match is None:
            continue
        prefix = match.group(1) or ""
        if prefix.startswith("+"):
            candidates[index] = "+1" + "".join(match.groups()[1:])
        elif nanp_region:
            candidates[index] = prefix[:1] + "".join(match.groups()[1:])
        else:
            continue
        rewritten.append(index)
    result = normalize_all(candidates, region)
    for index in rewritten:
        if result[index] is None:
            result[index] = normalize(values[index], region)
    return result


def scan(chunks: Iterable[bytes], spool: IO[str], *, call_dnc: bool | None = None,
         text_dnc: bool | None = None, region: str = DEFAULT_REGION,
         on_reject: Callable[[Reject], None] | None = None,
         rows_done: Callable[[int], None] | None = None) -> Scan:
    """Pass 1: every row checked and normalised; valid entries written to ``spool`` as
    "line,number,call,text" lines (call/text 1 or 0), rejected ones given to on_reject."""
    defaults = flags_to_add(call_dnc, text_dnc)
    result = Scan(first_rejects=[])

    def reject(item: Reject) -> None:
        result.invalid += 1
        if len(result.first_rejects) < _QUOTED:
            result.first_rejects.append(item)
        if on_reject is not None:
            on_reject(item)

    rows = _rows(chunks, call_dnc, text_dnc)
    while batch := list(itertools.islice(rows, BATCH)):
        numbers = normalize_values([value for _, value, _, _ in batch], region)
        out = []
        for (line, value, call_cell, text_cell), number in zip(batch, numbers, strict=True):
            if not value:
                reject(Reject(line, value, "no number"))
                continue
            if number is None:
                reject(Reject(line, value, "not a valid phone number"))
                continue
            call = _flag(call_cell, defaults.call_dnc)
            text = _flag(text_cell, defaults.text_dnc)
            if call is None or text is None:
                bad = call_cell if call is None else text_cell
                column = "call_dnc" if call is None else "text_dnc"
                reject(Reject(line, value, f"{column} {bad.strip()[:_QUOTED_CHARS]!r} is not true or false"))
                continue
            out.append(f"{line},{number},{int(call)},{int(text)}\n")
        spool.writelines(out)
        result.read += len(batch)
        result.valid += len(out)
        if rows_done is not None:
            rows_done(len(batch))
    return result


def invalid_message(found: Scan) -> str:
    """The error of a file with invalid rows (the SOAP operations' rule: nothing is written)."""
    quoted = ", ".join(f"line {r.line}: {r.value[:_QUOTED_CHARS]!r} ({r.reason})" for r in found.first_rejects)
    more = f" and {found.invalid - len(found.first_rejects)} more" if found.invalid > len(found.first_rejects) else ""
    noun = "line" if found.invalid == 1 else "lines"
    return f"{found.invalid} invalid {noun} ({quoted}{more})"


def spooled_entries(chunks: Iterable[bytes]) -> Iterator[tuple[int, str, bool, bool]]:
    """The entries scan() spooled, read back a chunk at a time."""
    for line in decoded_lines(chunks, label="the file", xml_text=False):
        seq, number, call, text = line.rstrip("\n").split(",")
        yield int(seq), number, call == "1", text == "1"


def resolve_list(uow_factory: UnitOfWorkFactory, account_id: int, name: str | None,
                 list_id: int | None = None) -> DncList | None:
    """The account's DNC list with id ``list_id`` (it must exist), or called ``name`` (to
    extend), or None (one is created). Names need not be unique, and an import must not
    guess between lists."""
    return find_dnc_list(uow_factory, account_id, name, list_id, missing_ok=True)


def store(uow_factory: UnitOfWorkFactory, account_id: int, name: str, existing: DncList | None,
          entries: Iterable[tuple[int, str, bool, bool]], found: Scan) -> DncImportReport:
    """Pass 2, one unit of work: find or create the list (or lock the existing one) and merge.

    With no ``existing`` list (resolve_list() found none of that name, before pass 1), the
    name is looked up again under lock_list_name(), in the transaction that creates the
    list: of two imports into the same new name running at once, the second waits for the
    first to commit, then finds its list and extends it, instead of creating another."""
    name = check_list_name(name)
    created = False
    with uow_factory() as uow:
        if existing is None:
            uow.dnc.lock_list_name(account_id, name)
            existing = dnc_list_in(uow, account_id, name, missing_ok=True)
            created = existing is None
        if created:
            list_id = uow.dnc.create_list(account_id, name, None)
        else:
            list_id = existing.id
            if not uow.dnc.lock_list(account_id, list_id):
                raise NotFound(f"DNC list {list_id} ({name!r}) was deleted during the import")
        added, updated, unchanged = uow.dnc.merge_numbers(account_id, list_id, entries)
        size = uow.dnc.get_list(account_id, list_id).size
        uow.commit()
    return DncImportReport(
        list_id=list_id, name=name, created=created, read=found.read, invalid=found.invalid,
        duplicates=found.valid - added - updated - unchanged, added=added, updated=updated,
        unchanged=unchanged, size=size,
    )
