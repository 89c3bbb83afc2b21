"""History import then GetContactHistory over the real SOAP path: an accepted row is served
back as given (times as the same instant in UTC), on SQLite and on PostgreSQL."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.errors import BadRequest
from callfire_soap.domain.history import Action, ActionRecord, Recording
from callfire_soap.domain.paging import Page
from callfire_soap.services.history import import_history_csv
from callfire_soap.storage.history import HistoryRepository

UTC = UTC
COLUMNS = ["type", "contact_id", "from_number", "to_number", "client_data", "state", "batch_id",
           "broadcast_id", "inbound", "created", "modified", "final_result", "labels", "message",
           "result", "finish_time", "billed_amount", "originate_time", "answer_time", "duration",
           "record_message", "questions", "recording_name", "recording_created", "recording_length",
           "recording_link"]


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _import(app, account, rows) -> int:
    return import_history_csv(app.backend.uow, io.BytesIO(_csv(rows)), default_login=account.login)


# -- a time as a CSV may hold it: any offset (or none), any precision, near every edge -------
offsets = st.one_of(st.none(), st.just(0), st.integers(-(24 * 60 - 1), 24 * 60 - 1))
local_times = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59, 999999)),
    st.sampled_from([datetime(1, 1, 1), datetime(999, 12, 31, 23, 59), datetime(1000, 1, 1),
                     datetime(1000, 1, 1, 3), datetime(9999, 12, 31, 23), datetime(9999, 12, 31, 12),
                     datetime(9999, 12, 31, 23, 59, 59, 999000), datetime(2024, 6, 1, 10)]),
)
precision = st.sampled_from(["ms", "ms", "us"])


@st.composite
def iso_times(draw) -> str:
    moment = draw(local_times)
    if draw(precision) == "ms":
        moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    minutes = draw(offsets)
    if minutes is None:
        return moment.isoformat()
    tz = timezone(timedelta(minutes=minutes))
    text_ = moment.replace(tzinfo=tz).isoformat()
    return text_.replace("+00:00", "Z") if minutes == 0 and draw(st.booleans()) else text_


def _instant(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


words = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="|="), max_size=12)
integers = st.one_of(st.integers(-(2**31) - 2, 2**31 + 1), st.integers(-(2**64), 2**64),
                     st.sampled_from([2**31 - 1, -(2**31), 2**63 - 1, -(2**63), 2**63, 0]))
floats = st.one_of(st.floats(), st.floats(width=32), st.sampled_from([3.4028234663852886e38, 3.5e38, 1e29, -0.0]))


@st.composite
def rows(draw, contact_id: int) -> dict:
    kind = draw(st.sampled_from(["call", "text"]))
    row = {
        "type": kind, "contact_id": contact_id, "from_number": "12132212384", "to_number": "67076",
        "client_data": draw(words), "state": "FINISHED", "batch_id": draw(integers),
        "broadcast_id": draw(st.one_of(st.just(""), integers)), "inbound": draw(st.booleans()),
        "created": draw(iso_times()), "modified": draw(st.one_of(st.just(""), iso_times())),
        "final_result": "LA", "labels": "|".join(draw(st.lists(words, max_size=3))),
        "message": draw(words), "result": draw(st.sampled_from(["", "LA", "SENT"])),
        "finish_time": draw(st.one_of(st.just(""), iso_times())),
        "billed_amount": repr(draw(floats)),
        "originate_time": draw(st.one_of(st.just(""), iso_times())),
        "duration": draw(integers), "record_message": draw(words),
        "questions": draw(st.sampled_from(["", "Press 1?=1"])),
        "recording_name": draw(st.sampled_from(["", "greeting"])),
        "recording_created": draw(st.one_of(st.just(""), iso_times())),
        "recording_length": draw(integers), "recording_link": draw(words),
    }
    return {k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()}


def _check_served(row: dict, served) -> None:
    """The one data:Call or data:Text GetContactHistory returned, against the CSV row."""
    (item,) = served
    kind, action = next(iter(item.items()))
    assert kind == row["type"].capitalize()
    created = _instant(row["created"])
    modified = _instant(row["modified"]) if row["modified"] else created
    assert action.Created == created and action.Modified == modified
    assert action.BatchId == int(row["batch_id"])
    assert action.BroadcastId == (int(row["broadcast_id"]) if row["broadcast_id"] != "" else None)
    assert action.ToNumber.ClientData == (row["client_data"].strip() or None)
    assert [label.Name for label in action.Label] == [w.strip() for w in row["labels"].split("|") if w.strip()]
    records = action.CallRecord if kind == "Call" else action.TextRecord
    if kind == "Text":
        assert action.Message == (row["message"].strip() or None)
    if not row["result"]:
        assert not records
        return
    (record,) = records
    finish = _instant(row["finish_time"]) if row["finish_time"] else modified
    assert record.FinishTime == finish
    assert record.BilledAmount == float(row["billed_amount"]) or (
        record.BilledAmount == 0.0 and float(row["billed_amount"]) == 0.0)
    if kind == "Text":
        assert (record.Message or "") == (row["record_message"].strip() or row["message"].strip())  # zeep: "" is None
        return
    assert record.Duration == int(row["duration"])
    assert record.OriginateTime == (_instant(row["originate_time"]) if row["originate_time"] else None)
    if row["recording_name"]:
        (meta,) = record.RecordingMeta
        assert meta.Created == (_instant(row["recording_created"]) if row["recording_created"] else finish)
        assert meta.LengthInSeconds == int(row["recording_length"])
        assert meta.Link == (row["recording_link"].strip() or None)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_accepted_row_is_served_back_as_given(app, service, account, seed, data):
    (cid,) = seed(account, [Contact(first_name="Round trip")])
    row = data.draw(rows(cid))
    try:
        assert _import(app, account, [row]) == 1
    except BadRequest as exc:
        assert exc.message.startswith("line 2: ")
        assert not service.GetContactHistory(ContactId=cid)
        return
    _check_served(row, service.GetContactHistory(ContactId=cid))


def _row(cid: int, **values) -> dict:
    row = {"type": "call", "contact_id": cid, "from_number": "12132212384", "to_number": "12132212385",
           "state": "FINISHED", "created": "2024-06-01T10:00:00Z"}
    row.update(values)
    return row


def test_offsets_are_converted_to_utc(app, service, account, seed):
    (cid,) = seed(account, [Contact(first_name="Offsets")])
    _import(app, account, [_row(cid, created="2024-06-01T10:00:00+05:00", modified="2024-06-01T10:00:00-07:30",
                                result="LA", finish_time="2024-06-01T00:30:00.250+01:00",
                                originate_time="2024-06-01T10:00:00")])
    (item,) = service.GetContactHistory(ContactId=cid)
    call = item["Call"]
    assert call.Created == datetime(2024, 6, 1, 5, 0, tzinfo=UTC)
    assert call.Modified == datetime(2024, 6, 1, 17, 30, tzinfo=UTC)
    record = call.CallRecord[0]
    assert record.FinishTime == datetime(2024, 5, 31, 23, 30, 0, 250000, tzinfo=UTC)
    assert record.OriginateTime == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)  # no offset: UTC


def test_the_edges_of_the_time_range_are_served(app, service, account, seed):
    (cid,) = seed(account, [Contact(first_name="Edges")])
    _import(app, account, [_row(cid, created="1000-01-01T05:00:00+05:00"),
                           _row(cid, created="9999-12-31T18:59:59.999-05:00")])
    first, last = (item["Call"].Created for item in service.GetContactHistory(ContactId=cid))
    assert first == datetime(1000, 1, 1, tzinfo=UTC)
    assert last == datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


def test_times_are_read_in_utc_whatever_the_session_time_zone(app, account, seed, database_url):
    """PostgreSQL sends timestamptz in the session's TimeZone; 9999-12-31T23:00Z is in the
    year 10000 in Tokyo (psycopg cannot load it) and 1000-01-01T00:00Z in 999 in Honolulu."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the session time zone is a PostgreSQL setting")
    (cid,) = seed(account, [Contact(first_name="Zones")])
    late = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    early = datetime(1000, 1, 1, tzinfo=UTC)
    with app.backend.uow() as uow:
        uow.history.add(account.id, [Action(
            kind="CALL", contact_id=cid, from_number="1", to_number="2", state="FINISHED", inbound=False,
            created=early, modified=late,
            records=[ActionRecord(result="LA", finish_time=late, billed_amount=0.0, originate_time=early,
                                  answer_time=late, recordings=[Recording(name="r", created=late)])])])
        uow.commit()
    for zone in ("Asia/Tokyo", "Pacific/Honolulu", "UTC"):
        engine = create_engine(database_url)
        try:
            with engine.connect() as conn:
                conn.execute(text(f"SET TIME ZONE '{zone}'"))
                (action,) = HistoryRepository(conn).for_contact(account.id, cid, Page(limit=10, offset=0))
        finally:
            engine.dispose()
        record = action.records[0]
        assert (action.created, action.modified) == (early, late), zone
        assert (record.finish_time, record.originate_time, record.answer_time) == (late, early, late), zone
        assert record.recordings[0].created == late, zone
        assert all(t.tzinfo is not None for t in (action.created, record.finish_time)), zone
