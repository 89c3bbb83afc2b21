"""Contact history: the calls and texts an account made to or received from a contact."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CALL = "CALL"
TEXT = "TEXT"

ACTION_STATES = ("READY", "SELECTED", "FINISHED", "DNC", "DUP", "INVALID", "TIMEOUT")
RESULTS = (
    "LA", "AM", "BUSY", "DNC", "XFER", "XFER_LEG", "NO_ANS", "UNDIALED", "SENT", "RECEIVED",
    "DNT", "TOO_BIG", "INTERNAL_ERROR", "CARRIER_ERROR", "CARRIER_TEMP_ERROR",
)


@dataclass
class QuestionResponse:
    question: str
    response: str


@dataclass
class Recording:
    name: str
    created: datetime
    length_seconds: int | None = None
    link: str | None = None
    id: int | None = None


@dataclass
class ActionRecord:
    """A data:CallRecord (duration, times, recordings) or data:TextRecord (message)."""

    result: str
    finish_time: datetime
    billed_amount: float
    questions: list[QuestionResponse] = field(default_factory=list)
    originate_time: datetime | None = None
    answer_time: datetime | None = None
    duration: int | None = None
    message: str | None = None
    recordings: list[Recording] = field(default_factory=list)
    id: int | None = None


@dataclass
class Action:
    """A data:Call or data:Text."""

    kind: str
    contact_id: int
    from_number: str
    to_number: str
    state: str
    inbound: bool
    created: datetime
    modified: datetime
    to_client_data: str | None = None
    batch_id: int | None = None
    broadcast_id: int | None = None
    final_result: str | None = None
    labels: list[str] = field(default_factory=list)
    message: str | None = None
    records: list[ActionRecord] = field(default_factory=list)
    id: int | None = None
