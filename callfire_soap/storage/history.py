"""History repository: actions (calls, texts) with labels, records, answers and recordings."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import case, func, insert, select
from sqlalchemy.engine import Connection

from ..domain.history import CALL, Action, ActionRecord, QuestionResponse, Recording
from ..domain.paging import Page
from .contacts import chunks
from .tables import (
    history_actions as actions,
)
from .tables import (
    history_labels as labels,
)
from .tables import (
    history_question_responses as answers,
)
from .tables import (
    history_recordings as recordings,
)
from .tables import (
    history_records as records,
)


def _stored(value: datetime | None) -> datetime | None:
    """A time as it is written: aware, in UTC (naive means UTC). SQLite keeps the clock
    fields and drops the offset, so anything but UTC would come back as another instant."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _loaded(value: datetime | None) -> datetime | None:
    """A time as read (naive UTC from either database, see _Times) as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _Times:
    """Selects time columns as naive UTC. PostgreSQL would otherwise send them in the
    session's TimeZone, and a time near 9999-12-31 or 1000-01-01 UTC can be in another year
    there (after 9999 psycopg cannot load it at all)."""

    def __init__(self, conn: Connection):
        self.pg = conn.dialect.name == "postgresql"

    def __call__(self, column):
        return func.timezone("UTC", column).label(column.name) if self.pg else column

    def columns(self, table, *times):
        return [self(c) if c.name in times else c for c in table.c]


class HistoryRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
        self._times = _Times(conn)

    def for_contact(self, account_id: int, contact_id: int, page: Page) -> list[Action]:
        """Calls first, then texts (as the legacy service listed them), each oldest first."""
        rows = self.conn.execute(
            select(*self._times.columns(actions, "created", "modified"))
            .where(actions.c.account_id == account_id, actions.c.contact_id == contact_id)
            .order_by(case((actions.c.kind == CALL, 0), else_=1), actions.c.created, actions.c.id)
            .limit(page.limit)
            .offset(page.offset)
        ).all()
        found = [
            Action(
                id=r.id, kind=r.kind, contact_id=r.contact_id, from_number=r.from_number,
                to_number=r.to_number, to_client_data=r.to_client_data, state=r.state,
                batch_id=r.batch_id, broadcast_id=r.broadcast_id, inbound=r.inbound,
                created=_loaded(r.created), modified=_loaded(r.modified), final_result=r.final_result,
                message=r.message,
            )
            for r in rows
        ]
        if found:
            self._load_children(found)
        return found

    def _load_children(self, found: list[Action]) -> None:
        by_id = {a.id: a for a in found}
        for part in chunks(list(by_id)):
            for r in self.conn.execute(
                select(labels).where(labels.c.action_id.in_(part)).order_by(labels.c.action_id, labels.c.position)
            ):
                by_id[r.action_id].labels.append(r.name)
        record_by_id: dict[int, ActionRecord] = {}
        for part in chunks(list(by_id)):
            for r in self.conn.execute(
                select(*self._times.columns(records, "finish_time", "originate_time", "answer_time"))
                .where(records.c.action_id.in_(part)).order_by(records.c.id)
            ):
                record = ActionRecord(
                    id=r.id, result=r.result, finish_time=_loaded(r.finish_time), billed_amount=r.billed_amount,
                    originate_time=_loaded(r.originate_time), answer_time=_loaded(r.answer_time), duration=r.duration,
                    message=r.message,
                )
                record_by_id[r.id] = record
                by_id[r.action_id].records.append(record)
        for part in chunks(list(record_by_id)):
            for r in self.conn.execute(
                select(answers).where(answers.c.record_id.in_(part)).order_by(answers.c.record_id, answers.c.position)
            ):
                record_by_id[r.record_id].questions.append(QuestionResponse(r.question, r.response))
            for r in self.conn.execute(
                select(*self._times.columns(recordings, "created"))
                .where(recordings.c.record_id.in_(part)).order_by(recordings.c.id)
            ):
                record_by_id[r.record_id].recordings.append(
                    Recording(id=r.id, name=r.name, created=_loaded(r.created),
                              length_seconds=r.length_seconds, link=r.link)
                )

    def add(self, account_id: int, new_actions: Sequence[Action]) -> None:
        for action in new_actions:
            action.id = self.conn.execute(
                insert(actions).values(
                    account_id=account_id, contact_id=action.contact_id, kind=action.kind,
                    from_number=action.from_number, to_number=action.to_number,
                    to_client_data=action.to_client_data, state=action.state,
                    batch_id=action.batch_id, broadcast_id=action.broadcast_id,
                    inbound=action.inbound, created=_stored(action.created), modified=_stored(action.modified),
                    final_result=action.final_result, message=action.message,
                )
            ).inserted_primary_key[0]
            if action.labels:
                self.conn.execute(
                    insert(labels),
                    [{"action_id": action.id, "position": i, "name": n} for i, n in enumerate(action.labels)],
                )
            for record in action.records:
                record.id = self.conn.execute(
                    insert(records).values(
                        action_id=action.id, result=record.result, finish_time=_stored(record.finish_time),
                        billed_amount=record.billed_amount, originate_time=_stored(record.originate_time),
                        answer_time=_stored(record.answer_time), duration=record.duration, message=record.message,
                    )
                ).inserted_primary_key[0]
                if record.questions:
                    self.conn.execute(
                        insert(answers),
                        [
                            {"record_id": record.id, "position": i, "question": q.question, "response": q.response}
                            for i, q in enumerate(record.questions)
                        ],
                    )
                for rec in record.recordings:
                    rec.id = self.conn.execute(
                        insert(recordings).values(
                            record_id=record.id, name=rec.name, created=_stored(rec.created),
                            length_seconds=rec.length_seconds, link=rec.link,
                        )
                    ).inserted_primary_key[0]
