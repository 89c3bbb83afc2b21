"""Contact history: the calls and texts an account made to or received from a contact."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

CALL = "CALL"
TEXT = "TEXT"

ACTION_STATES = ("READY", "SELECTED", "FINISHED", "DNC", "DUP", "INVALID", "TIMEOUT")
RESULTS = (
    "LA", "AM", "BUSY", "DNC", "XFER", "XFER_LEG", "NO_ANS", "UNDIALED", "SENT", "RECEIVED",
    "DNT", "TOO_BIG", "INTERNAL_ERROR", "CARRIER_ERROR", "CARRIER_TEMP_ERROR",
)

# What GetContactHistory can carry back (wsdl/callfire-data.xsd, data:Call and data:Text).
XS_INT = (-(2**31), 2**31 - 1)        # Duration, LengthInSeconds
XS_LONG = (-(2**63), 2**63 - 1)       # BatchId, BroadcastId, ContactId
XS_FLOAT_MAX = 3.4028234663852886e38  # BilledAmount: the largest finite IEEE single
# xs:dateTime instants, in UTC. Both databases and Python hold years 1..9999; the response
# writer (soap.writers.xs_datetime, strftime("%Y")) writes years below 1000 without their
# leading zeros, which is not an xs:dateTime, so history starts in the year 1000. Times are
# written with millisecond precision, so a finer time could not be served back as given.
EARLIEST = datetime(1000, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)
# xs:string has no length limit; this service keeps every history text (message, label,
# question, link, ...) to this many characters so that one field cannot bloat a response.
MAX_TEXT = 4096


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
