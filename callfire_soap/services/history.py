"""Loading contact history (calls and texts) from a CSV export.

The columns are documented in the README ("History CSV"). The whole file is one
transaction: a single bad row rejects the file and nothing is written.
"""
from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable
from datetime import datetime, timezone

from ..domain.errors import BadRequest
from ..domain.phone import wire_number
from ..domain.history import (
    ACTION_STATES,
    CALL,
    RESULTS,
    TEXT,
    Action,
    ActionRecord,
    QuestionResponse,
    Recording,
)

REQUIRED = ("type", "contact_id", "from_number", "to_number", "state", "created")
KNOWN = REQUIRED + (
    "account", "action_ref", "modified", "client_data", "batch_id", "broadcast_id", "inbound",
    "final_result", "labels", "message", "result", "finish_time", "billed_amount",
    "originate_time", "answer_time", "duration", "record_message", "questions",
    "recording_name", "recording_created", "recording_length", "recording_link",
)
_KINDS = {"call": CALL, "text": TEXT}
# XML 1.0 cannot carry these: a stored value with one would break every later response.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}


class _Row:
    def __init__(self, line: int, values: dict[str, str]):
        self.line = line
        self.values = {k: (v or "").strip() for k, v in values.items() if k}

    def fail(self, message: str):
        raise BadRequest(f"line {self.line}: {message}")

    def get(self, name: str) -> str | None:
        value = self.values.get(name) or None
        if value is not None and _CONTROL.search(value):
            self.fail(f"{name} contains a control character")
        return value

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

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            self.fail(f"{name} {value!r} is not a whole number")

    def number(self, name: str) -> float | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{name} {value!r} is not a number")
        if not math.isfinite(number):
            self.fail(f"{name} {value!r} is not a finite number")
        return number

    def boolean(self, name: str) -> bool:
        value = (self.get(name) or "").lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        self.fail(f"{name} {value!r} is not true or false")

    def when(self, name: str, required: bool = False) -> datetime | None:
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{name} {value!r} is not an ISO 8601 date-time")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

    def choice(self, name: str, allowed: Iterable[str], required: bool = False) -> str | None:
        value = self.required(name) if required else self.get(name)
        if value is None:
            return None
        value = value.upper()
        if value not in allowed:
            self.fail(f"{name} {value!r} is not one of {', '.join(allowed)}")
        return value


def _parse_action(row: _Row) -> Action:
    kind = _KINDS.get((row.get("type") or "").lower())
    if kind is None:
        row.fail("type must be 'call' or 'text'")
    created = row.when("created", required=True)
    return Action(
        kind=kind,
        contact_id=row.integer("contact_id"),
        from_number=row.number_text("from_number"),
        to_number=row.number_text("to_number"),
        to_client_data=row.get("client_data"),
        state=row.choice("state", ACTION_STATES, required=True),
        batch_id=row.integer("batch_id"),
        broadcast_id=row.integer("broadcast_id"),
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
        record.duration = row.integer("duration") or 0
        if row.get("recording_name"):
            record.recordings.append(Recording(
                name=row.required("recording_name"),
                created=row.when("recording_created") or record.finish_time,
                length_seconds=row.integer("recording_length"),
                link=row.get("recording_link"),
            ))
    else:
        record.message = row.get("record_message") or action.message or ""
    return record


def import_history_csv(uow_factory, stream, default_login: str | None = None) -> int:
    """Import every row of ``stream``; returns the number of calls and texts created."""
    reader = csv.DictReader(stream)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise BadRequest("the CSV header lacks the column(s) " + ", ".join(missing))
    if "account" not in header and not default_login:
        raise BadRequest("give --account LOGIN or an 'account' column")
    reader.fieldnames = header

    with uow_factory() as uow:
        account_ids: dict[str, int] = {}
        by_ref: dict[tuple[int, str], Action] = {}
        pending: dict[int, list[Action]] = {}
        for index, values in enumerate(reader, start=2):
            row = _Row(index, values)
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
