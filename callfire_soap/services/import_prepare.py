"""The CPU work of a File or Contact list import, apart from the database: parsing, the
attribute checks, number normalisation, and the invalid and duplicate scrubs (which depend
only on the request itself). What is left for the write transaction is the DNC scrub, the
merge lookup and the writes (list_import.ListImport._import_prepared).

An in-memory source (a SOAP/REST request: at most 32 MiB) is prepared completely before the
unit of work opens, so that on SQLite the database write lock, which every other account's
writer waits for, is held only for the database work. Its prepared batches are kept
marshalled, about the size of the input, not as one Contact object per row. A streamed source
(`contacts import` of a file of any size) is prepared batch by batch inside its one
transaction instead: holding a million prepared rows would exceed the memory budget. A
thread prepares the next batches meanwhile (_ahead), or a child process (import_child, which
runs start() here).
"""
from __future__ import annotations

import itertools
import marshal
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from ..domain.contacts import DECLARED_FIELDS, MAX_VALUE, PHONE_FIELDS, Contact, declared_values
from ..domain.errors import BadRequest
from ..domain.phone import DEFAULT_REGION, normalize_all, normalize_or_keep
from ..domain.phone import MAX_LENGTH as MAX_PHONE
from .contacts import check_custom_fields, check_value
from .list_csv import CsvLayout, read_csv, row_contacts
from .list_sources import ContactsSource, FileSource

# Candidates per prepared batch (and per round of lookups and writes in the transaction):
# the PostgreSQL writer's own chunk (5,000 rows per INSERT or COPY), and small enough that
# the few batches a streamed import holds at once (_ahead) stay a few MB. Not tuned further
# by measurement: the writes' index maintenance, not per-statement overhead, dominates
# (BENCHMARKS.md, CSV import).
BATCH = 5000
_DECLARED = tuple(DECLARED_FIELDS.values())
_PHONE_ATTRS = tuple(DECLARED_FIELDS[name] for name in PHONE_FIELDS)
_PHONE_INDEXES = tuple(_DECLARED.index(attr) for attr in _PHONE_ATTRS)
_WIRE = {attr: wire for wire, attr in DECLARED_FIELDS.items()}

class RejectSink(Protocol):
    """Where dropped candidates go (`contacts import --rejects`)."""

    def header(self, cells: list[str]) -> None:
        """The file's header row (empty for a file without one), before any reject."""

    def __call__(self, line: int | None, reason: str, cells: list[str] | None) -> None:
        """A dropped candidate: its line (None outside a file), why, and its row's cells
        (None when the source is not a file)."""


# One candidate: its line, the contact (numbers already normalised), its row's cells.
Candidate = tuple[int | None, Contact, list[str] | None]


@dataclass
class Prepared:
    """A prepared source: batches of candidates, and what preparing them found."""

    batches: Iterable[list[Candidate]]
    validate: bool
    invalid: int = 0
    duplicate: int = 0
    custom_columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    reject: RejectSink | None = None
    progress: Callable[[int], None] | None = None  # called with the rows of each batch done
    streamed: bool = False

    def close(self) -> None:
        """Stop preparing (a thread or a child process may be at it), read or not."""
        close = getattr(self.batches, "close", None)
        if close is not None:
            close()


def packed(candidate: Candidate) -> tuple:
    """A candidate as marshal takes it: plain tuples, strings and the custom fields' dict."""
    line, contact, cells = candidate
    return (line, declared_values(contact), contact.custom, None if cells is None else tuple(cells))


def unpacked(row: tuple) -> Candidate:
    """packed() undone. marshal.loads made the dict afresh: the contact may keep it."""
    line, values, custom, cells = row
    return line, Contact(None, *values, custom), None if cells is None else list(cells)


class _Packed:
    """Prepared batches kept marshalled (compact; the rows are plain strings and tuples)."""

    def __init__(self, batches: Iterable[list[Candidate]]):
        self._blobs = [marshal.dumps([packed(c) for c in batch]) for batch in batches]

    def __iter__(self) -> Iterator[list[Candidate]]:
        for blob in self._blobs:
            yield [unpacked(row) for row in marshal.loads(blob)]  # noqa: S302 - our own bytes


class Preparer:
    def __init__(self, prepared: Prepared, region: str = DEFAULT_REGION):
        self.prepared = prepared
        self.region = region
        # Numbers kept so far (as ints: half the memory of strings for a million rows).
        self._seen: set[int] = set()

    def batches(self, candidates: Iterator[Candidate], checked: bool) -> Iterator[list[Candidate]]:
        """checked: the candidates were checked already (_file_candidates)."""
        while batch := list(itertools.islice(candidates, BATCH)):
            if not checked:
                for _, contact, _ in batch:
                    _check(contact, not self.prepared.validate, checked_names=False)
            kept = self._validated(batch) if self.prepared.validate else self._as_given(batch)
            if self.prepared.progress:
                self.prepared.progress(len(batch))
            yield kept

    def _as_given(self, batch: list[Candidate]) -> list[Candidate]:
        for _, contact, _ in batch:
            numbers_as_given(contact, self.region)
        return batch

    def _validated(self, batch: list[Candidate]) -> list[Candidate]:
        """As ListImport._keep, for a batch at a time: normalise, then drop the candidates
        with no valid number left (invalid) or reusing a number kept earlier (duplicate)."""
        raws = [getattr(c, attr) for _, c, _ in batch for attr in _PHONE_ATTRS]
        present = [raw for raw in raws if raw is not None]
        normalised = iter(normalize_all(present, self.region))
        kept: list[Candidate] = []
        prepared, reject = self.prepared, self.prepared.reject
        for candidate in batch:
            contact = candidate[1]
            for attr in _PHONE_ATTRS:
                if getattr(contact, attr) is not None:
                    setattr(contact, attr, next(normalised))
            numbers = contact.phones()
            if not numbers:
                prepared.invalid += 1
                if reject:
                    reject(candidate[0], "invalid: no valid phone number", candidate[2])
                continue
            keys = [int(n) for n in numbers]
            if not self._seen.isdisjoint(keys):
                prepared.duplicate += 1
                if reject:
                    again = next(n for n, k in zip(numbers, keys, strict=True) if k in self._seen)
                    reject(candidate[0], f"duplicate: {again} is on an earlier row", candidate[2])
                continue
            self._seen.update(keys)
            kept.append(candidate)
        return kept


def numbers_as_given(contact: Contact, region: str) -> None:
    """Validation off (Validate=false): a valid number in the legacy 11-digit form, anything
    else ("111") as given, a blank one cleared; in place."""
    for attr in _PHONE_ATTRS:
        value = getattr(contact, attr)
        setattr(contact, attr, normalize_or_keep(value, region) if value and value.strip() else None)


def _check(contact: Contact, phones: bool, checked_names: bool) -> None:
    """As list_import._check_contact; a header's names need no second look."""
    for attr in _DECLARED:
        value = getattr(contact, attr)
        if value is not None and (phones or attr not in _PHONE_ATTRS):
            check_value(_WIRE[attr], value)
    if not checked_names:
        check_custom_fields(contact.custom)
        return
    for name, value in contact.custom.items():
        if len(value) > MAX_VALUE or "\x00" in value:
            check_value(name, value)


def prepare(source: ContactsSource | FileSource, validate: bool, region: str = DEFAULT_REGION,
            reject: RejectSink | None = None, progress: Callable[[int], None] | None = None,
            stream: bool = False) -> Prepared:
    """The source prepared for ListImport. stream=False: all of it now (the source is in
    memory anyway); True: lazily, as the import reads it, in a thread (then the CSV header is
    still read now, so a bad header fails before the transaction opens)."""
    prepared, batches = start(source, validate, region, reject, progress)
    prepared.streamed = stream
    prepared.batches = _ahead(batches) if stream else _Packed(batches)
    return prepared


def start(source: ContactsSource | FileSource, validate: bool, region: str = DEFAULT_REGION,
          reject: RejectSink | None = None, progress: Callable[[int], None] | None = None,
          ) -> tuple[Prepared, Iterator[list[Candidate]]]:
    """The source's header read now (a bad one raises here), and its batches prepared as
    they are iterated, in the caller's thread."""
    prepared = Prepared(batches=(), validate=validate, reject=reject, progress=progress)
    preparer = Preparer(prepared, region)
    if isinstance(source, FileSource):
        layout, rows = read_csv(source.chunks, source.require_phone)
        prepared.custom_columns = layout.custom_columns
        prepared.ignored_columns = list(layout.ignored)
        if reject is not None:
            reject.header(layout.header)
        candidates = _file_candidates(layout, rows, reject is not None, phones=not validate)
        return prepared, preparer.batches(candidates, checked=True)
    return prepared, preparer.batches(((None, c, None) for c in source.contacts), checked=False)


def _ahead(batches: Iterator[list[Candidate]], depth: int = 2) -> Iterator[list[Candidate]]:
    """The batches, each prepared in a thread while the caller writes the one before: the
    database's own work (SQLite's C code, a PostgreSQL server process) runs without the GIL,
    so parsing and normalising overlap with it. At most ``depth`` batches wait. An error of
    the preparing thread is raised here; closing this generator stops the thread."""
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in batches:
                if not put(("batch", batch)):
                    return
            put(("done", None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consuming thread
            put(("error", exc))

    thread = threading.Thread(target=produce, name="import-prepare", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = waiting.get()
            if kind == "error":
                raise value
            if kind == "done":
                return
            yield value
    finally:
        stop.set()
        thread.join()


def _file_candidates(layout: CsvLayout, rows: Iterator[tuple[int, list[str]]], keep_cells: bool,
                     phones: bool) -> Iterator[Candidate]:
    """The rows' candidates, checked. A row whose cells are all within the shortest limit
    (a phone's) needs no check of its values: decoding refused NUL characters already, and
    the header's custom field names are valid by construction."""
    for line, row in rows:
        short = max(map(len, row)) <= MAX_PHONE
        for contact in row_contacts(layout, row):
            if not short:
                try:
                    _check(contact, phones, checked_names=True)
                except BadRequest as exc:
                    raise BadRequest(f"File line {line}: {exc.message}") from None
            if not keep_cells:
                yield line, contact, None
            elif layout.headerless:
                # Each cell of a headerless row is a candidate of its own: its reject is that
                # cell, not the whole row again (a row of n numbers would write n rows of n).
                yield line, contact, [contact.home_phone]
            else:
                yield line, contact, row
