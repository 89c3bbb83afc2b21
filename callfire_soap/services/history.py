"""Loading contact history (calls and texts) from a CSV export.

The columns are documented in the README ("History CSV"). The whole file is one
transaction: a single bad row rejects the file and nothing is written. Every value is checked
against what GetContactHistory can carry back (the types of data:Call and data:Text), so that
an accepted row is always served back as given; times are stored in UTC.
"""
from __future__ import annotations

import csv
import itertools
import math
import re
import struct
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from ..domain.errors import BadRequest
from ..domain.history import (
    ACTION_STATES,
    CALL,
    EARLIEST,
    LATEST,
    MAX_TEXT,
    RESULTS,
    TEXT,
    XS_INT,
    XS_LONG,
    Action,
    ActionRecord,
    QuestionResponse,
    Recording,
)
from ..domain.phone import wire_number

REQUIRED = ("type", "contact_id", "from_number", "to_number", "state", "created")
KNOWN = REQUIRED + (
    "account", "action_ref", "modified", "client_data", "batch_id", "broadcast_id", "inbound",
    "final_result", "labels", "message", "result", "finish_time", "billed_amount",
    "originate_time", "answer_time", "duration", "record_message", "questions",
    "recording_name", "recording_created", "recording_length", "recording_link",
)
_KINDS = {"call": CALL, "text": TEXT}
# XML 1.0 cannot carry these: a stored value with one would break every later response.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}
# The lexical forms of xs:int/xs:long and of a finite xs:float (ASCII digits only).
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_UTF8_BOM = b"\xef\xbb\xbf"


class _Row:
    def __init__(self, line: int, values: dict[str, str]):
        self.line = line
        self.values = {}
        for name, value in values.items():
            value = value.strip()
            if len(value) > MAX_TEXT:
                self.fail(f"{name} is longer than {MAX_TEXT} characters")
            if _CONTROL.search(value):
                self.fail(f"{name} contains a control character")
            self.values[name] = value

    def fail(self, message: str):
        raise BadRequest(f"line {self.line}: {message}")

    def get(self, name: str) -> str | None:
        return self.values.get(name) or None

    def number_text(self, name: str) -> str:
        """A number as data:PhoneNumber carries it (formatting characters dropped)."""
        value = self.required(name)
        number = wire_number(value)
        if number is None:
            self.fail(f"{name} {value!r} is not a phone number (digits with an optional +, or a short code name)")
        return number

    def required(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            self.fail(f"column {name!r} is empty")
        return value

    def integer(self, name: str, bounds: tuple[int, int], required: bool = False) -> int | None:
        """An xs:int or xs:long (bounds) in its lexical form."""
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        if not _INTEGER.fullmatch(value):
            self.fail(f"{name} {value!r} is not a whole number")
        low, high = bounds
        number = int(value)
        if not low <= number <= high:
            self.fail(f"{name} {value} is outside {low}..{high}")
        return number

    def number(self, name: str) -> float | None:
        """A finite xs:float: a decimal number whose magnitude a single-precision float holds."""
        value = self.get(name)
        if value is None:
            return None
        if not _DECIMAL.fullmatch(value):
            self.fail(f"{name} {value!r} is not a finite decimal number")
        number = float(value)
        try:
            struct.pack("<f", number)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            self.fail(f"{name} {value} is beyond the range of xs:float (about 3.4e38)")
        return number

    def boolean(self, name: str) -> bool:
        value = (self.get(name) or "").lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.fail(f"{name} {value!r} is not true or false")

    def when(self, name: str, required: bool = False) -> datetime | None:
        """An ISO 8601 date-time (no offset means UTC) as an aware UTC datetime."""
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{name} {value!r} is not an ISO 8601 date-time")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            utc = parsed.astimezone(UTC)
        except OverflowError:  # the offset moves it before year 1 or after 9999
            utc = None
        if utc is None or not EARLIEST <= utc <= LATEST:
            self.fail(f"{name} {value!r} is outside {_iso(EARLIEST)}..{_iso(LATEST)} in UTC")
        if utc.microsecond % 1000:
            self.fail(f"{name} {value!r} is more precise than a millisecond")
        return utc

    def choice(self, name: str, allowed: Iterable[str], required: bool = False) -> str | None:
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        value = value.upper()
        if value not in allowed:
            self.fail(f"{name} {value!r} is not one of {', '.join(allowed)}")
        return value


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def _parse_action(row: _Row) -> Action:
    kind = _KINDS.get((row.get("type") or "").lower())
    if kind is None:
        row.fail("type must be 'call' or 'text'")
    created = row.when("created", required=True)
    return Action(
        kind=kind,
        contact_id=row.integer("contact_id", (1, XS_LONG[1]), required=True),
        from_number=row.number_text("from_number"),
        to_number=row.number_text("to_number"),
        to_client_data=row.get("client_data"),
        state=row.choice("state", ACTION_STATES, required=True),
        batch_id=row.integer("batch_id", XS_LONG),
        broadcast_id=row.integer("broadcast_id", XS_LONG),
        inbound=row.boolean("inbound"),
        created=created,
        modified=row.when("modified") or created,
        final_result=row.choice("final_result", RESULTS),
        labels=[label.strip() for label in (row.get("labels") or "").split("|") if label.strip()],
        message=row.get("message") if kind == TEXT else None,
    )


def _parse_record(row: _Row, action: Action) -> ActionRecord | None:
    result = row.choice("result", RESULTS)
    if result is None:
        return None
    questions = []
    for pair in (row.get("questions") or "").split("|"):
        if pair.strip():
            question, sep, response = pair.partition("=")
            if not sep:
                row.fail("questions are 'question=response' pairs separated by '|'")
            questions.append(QuestionResponse(question.strip(), response.strip()))
    record = ActionRecord(
        result=result,
        finish_time=row.when("finish_time") or action.modified,
        billed_amount=row.number("billed_amount") or 0.0,
        questions=questions,
    )
    if action.kind == CALL:
        record.originate_time = row.when("originate_time")
        record.answer_time = row.when("answer_time")
        record.duration = row.integer("duration", XS_INT) or 0
        if row.get("recording_name"):
            record.recordings.append(Recording(
                name=row.required("recording_name"),
                created=row.when("recording_created") or record.finish_time,
                length_seconds=row.integer("recording_length", XS_INT),
                link=row.get("recording_link"),
            ))
    else:
        record.message = row.get("record_message") or action.message or ""
    return record


def _byte_lines(stream) -> Iterator[bytes]:
    """Lines of a binary stream ending in \n, \r\n or \r (as text mode with newline='')."""
    for chunk in stream:
        yield from chunk.splitlines(keepends=True)


def _text_lines(stream) -> Iterator[str]:
    """The lines of a text or binary stream as text. Bytes must be UTF-8 (a BOM is dropped);
    a line that is not is reported with its line number and the offset of the bad byte."""
    lines = iter(stream)
    first = next(lines, None)
    if first is None:
        return
    if isinstance(first, str):
        yield first
        yield from lines
        return
    yield from _decoded(_byte_lines(itertools.chain([first], lines)))


def _decoded(lines: Iterable[bytes]) -> Iterator[str]:
    offset = 0
    for number, line in enumerate(lines, start=1):
        start = len(_UTF8_BOM) if number == 1 and line.startswith(_UTF8_BOM) else 0
        try:
            yield line[start:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _not_utf8(number, offset + start + exc.start, line[start + exc.start]) from None
        offset += len(line)


def _not_utf8(line: int, offset: int, byte: int) -> BadRequest:
    return BadRequest(f"line {line}: the file is not UTF-8 text (byte 0x{byte:02X} at byte offset {offset})")


def _locate_bad_utf8(stream) -> BadRequest:
    """For a text stream whose decoding failed: find the bad byte in its underlying binary
    file (decoders work in blocks, so the text stream's position does not say which line)."""
    try:
        raw = stream.buffer
        raw.seek(0)
        for _ in _decoded(_byte_lines(raw)):
            pass
    except BadRequest as exc:
        return exc
    except (AttributeError, OSError, ValueError):
        pass
    return BadRequest("the file is not UTF-8 text")


class _Records:
    """CSV records of a text or binary stream with the line each starts on; malformed CSV,
    an over-long field and undecodable bytes become a BadRequest naming the line."""

    def __init__(self, stream):
        self.stream = stream
        self.reader = csv.reader(_text_lines(stream))

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            line = self.reader.line_num + 1
            try:
                cells = next(self.reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise _locate_bad_utf8(self.stream) from None
            except csv.Error as exc:
                if "field larger than field limit" in str(exc):
                    raise BadRequest(f"line {line}: a field is longer than {MAX_TEXT} characters") from None
                raise BadRequest(f"line {line}: malformed CSV ({exc})") from None
            if cells:  # blank lines are skipped
                yield line, cells


def _header(records: Iterator[tuple[int, list[str]]], default_login: str | None) -> list[str]:
    first = next(records, None)
    if first is None:
        raise BadRequest("the file is empty (a header row is required)")
    header = [name.strip() for name in first[1]]
    header[0] = header[0].lstrip("\ufeff")
    unknown = [name for name in header if name and name not in KNOWN]
    if unknown:
        raise BadRequest(
            "line 1: unknown column(s) " + ", ".join(repr(name[:64]) for name in unknown)
            + "; the known columns are " + ", ".join(KNOWN))
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise BadRequest("line 1: repeated column(s) " + ", ".join(repeated))
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadRequest("the CSV header lacks the column(s) " + ", ".join(missing))
    if "account" not in header and not default_login:
        raise BadRequest("give --account LOGIN or an 'account' column")
    return header


def _row(line: int, header: list[str], cells: list[str]) -> _Row:
    """A record as a _Row: missing trailing cells are empty; a value in a column without a
    name (or beyond the header) would be dropped silently, so it is an error."""
    for position, cell in enumerate(cells):
        if cell.strip() and (position >= len(header) or not header[position]):
            raise BadRequest(f"line {line}: value {cell.strip()[:64]!r} in column {position + 1}, "
                             "which has no name in the header")
    return _Row(line, {name: cell for name, cell in zip(header, cells, strict=False) if name})


def import_history_csv(uow_factory, stream, default_login: str | None = None) -> int:
    """Import every row of ``stream`` (text, or bytes in UTF-8); returns the number of calls
    and texts created. Any bad row raises BadRequest naming its line and nothing is written."""
    records = iter(_Records(stream))
    header = _header(records, default_login)

    with uow_factory() as uow:
        account_ids: dict[str, int] = {}
        by_ref: dict[tuple[int, str], Action] = {}
        pending: dict[int, list[Action]] = {}
        for line, cells in records:
            row = _row(line, header, cells)
            login = row.get("account") or default_login
            if login is None:
                row.fail("no account for this row")
            if login not in account_ids:
                account_id = uow.accounts.id_of(login)
                if account_id is None:
                    row.fail(f"unknown account {login!r}")
                account_ids[login] = account_id
            account_id = account_ids[login]
            ref = row.get("action_ref")
            action = by_ref.get((account_id, ref)) if ref else None
            if action is None:
                action = _parse_action(row)
                if not uow.contacts.existing_ids(account_id, [action.contact_id]):
                    row.fail(f"contact {action.contact_id} does not belong to account {login!r}")
                pending.setdefault(account_id, []).append(action)
                if ref:
                    by_ref[(account_id, ref)] = action
            record = _parse_record(row, action)
            if record is not None:
                action.records.append(record)
        count = 0
        for account_id, actions in pending.items():
            uow.history.add(account_id, actions)
            count += len(actions)
        uow.commit()
    return count
