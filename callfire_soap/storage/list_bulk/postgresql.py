"""PostgreSQL: statements that take whole columns as arrays (unnest), ids from the sequence."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.types import BigInteger, DateTime, Text

from ...domain.contacts import Contact, declared_values
from ..contacts import chunks
from .base import DECLARED_COLUMNS, PHONE_COLUMN_NAMES, keep_lowest, phone_column
from .copy import copy_rows

_TEXTS = ARRAY(Text)
_IDS = ARRAY(BigInteger)
# The sequence is looked up once (an InitPlan), not per id: ten times cheaper for 200,000 ids.
_RESERVE_IDS = text(
    "SELECT nextval((SELECT pg_get_serial_sequence('contacts', 'id'))::regclass) FROM generate_series(1, :n)"
)
_INSERT_CONTACTS = text(
    "INSERT INTO contacts (id, account_id, " + ", ".join(DECLARED_COLUMNS) + ", search_text, created_at) "
    "SELECT u.id, :account_id, " + ", ".join(f"u.{col}" for col in DECLARED_COLUMNS) + ", u.search_text, "
    ":created_at FROM unnest(:ids, " + ", ".join(f":{col}" for col in DECLARED_COLUMNS) + ", :search_text) "
    "AS u(id, " + ", ".join(DECLARED_COLUMNS) + ", search_text)"
).bindparams(bindparam("ids", type_=_IDS), bindparam("search_text", type_=_TEXTS),
             bindparam("account_id", type_=BigInteger),
             bindparam("created_at", type_=DateTime(timezone=True)),
             *(bindparam(col, type_=_TEXTS) for col in DECLARED_COLUMNS))
_INSERT_FIELDS = text(
    "INSERT INTO contact_fields (contact_id, name, value) SELECT * FROM unnest(:ids, :names, :values_)"
).bindparams(bindparam("ids", type_=_IDS), bindparam("names", type_=_TEXTS),
             bindparam("values_", type_=_TEXTS))
# Number-only contacts: only the columns that are not NULL; their search text is the number.
_INSERT_NUMBERS = {
    column: text(
        f"INSERT INTO contacts (id, account_id, {column}, search_text, created_at) "
        "SELECT u.id, :account_id, u.number, u.number, :created_at FROM unnest(:ids, :numbers) AS u(id, number)"
    ).bindparams(bindparam("ids", type_=_IDS), bindparam("numbers", type_=_TEXTS),
                 bindparam("account_id", type_=BigInteger), bindparam("created_at", type_=DateTime(timezone=True)))
    for column in PHONE_COLUMN_NAMES
}
_ADD_MEMBERS = text(
    "INSERT INTO list_members (list_id, contact_id) SELECT :list_id, unnest(:ids) ON CONFLICT DO NOTHING"
).bindparams(bindparam("ids", type_=_IDS), bindparam("list_id", type_=BigInteger))
# Every holder of each number, probing the three (account_id, phone) indexes once per
# number. A plain "phone = ANY(array)" relies on statistics that a table an import has just
# grown does not have yet, and PostgreSQL then filters all of the account's contacts per chunk.
# The account id goes in as an InitPlan value, which the planner cannot look up in the
# statistics: for an account that is new since the last ANALYZE they promise ~1 row, which
# makes every (account_id, ...) index look as good as the (account_id, phone) one, and the
# planner may then pick another phone column's index and filter the account's contacts.
HOLDERS = text(
    "SELECT c.id, n.number FROM unnest(:numbers) AS n(number) CROSS JOIN LATERAL ("
    + " UNION ALL ".join(
        f"SELECT id FROM contacts WHERE account_id = (SELECT :account_id) AND {col} = n.number"
        for col in PHONE_COLUMN_NAMES
    )
    + ") AS c"
).bindparams(bindparam("numbers", type_=_TEXTS), bindparam("account_id", type_=BigInteger))
# The numbers of the chunk on an enabled DNC entry, probing (account_id, number) per number;
# an IN list, once psycopg prepares it, gets a generic plan that compares every DNC entry of
# the account with every number of the chunk.
_BLOCKED = text(
    "SELECT n.number FROM unnest(:numbers) AS n(number) WHERE EXISTS (SELECT 1 FROM dnc_numbers d "
    "WHERE d.account_id = :account_id AND d.number = n.number AND (d.call_dnc OR d.text_dnc))"
).bindparams(bindparam("numbers", type_=_TEXTS), bindparam("account_id", type_=BigInteger))
_WRITE_CHUNK = 5000
# Contacts per insert from which COPY is used. A few contacts (an inline Contact request)
# keep the one INSERT per table, which needs no extra cursor and COPY round trips; the
# threshold is a judgement, not a measurement. Both write the same rows (the equivalence
# test runs either way).
COPY_FROM = 100
_COPY_COLUMNS = ("id", "account_id", *DECLARED_COLUMNS, "search_text", "created_at")
_LOOKUP_CHUNK = 1000


@contextmanager
def custom_plans(conn: Connection) -> Iterator[None]:
    """Plan each statement for its actual parameters while inside.

    psycopg prepares a statement once it has run 5 times, and PostgreSQL may then keep the
    generic plan it made while an import's table looked empty (no statistics yet): a scan
    of all the account's contacts for every chunk. The setting is restored afterwards:
    forcing custom plans for a whole import would also re-plan every foreign-key check of
    its bulk inserts."""
    saved = conn.exec_driver_sql("SELECT current_setting('plan_cache_mode')").scalar_one()
    conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        conn.execute(text("SELECT set_config('plan_cache_mode', :mode, true)"), {"mode": saved})


class PostgresBulk:
    def __init__(self, conn: Connection):
        self.conn = conn

    # -- writes ----------------------------------------------------------------------------
    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        if not new_contacts:
            return []
        ids = self._reserve_ids(len(new_contacts))
        for contact, new_id in zip(new_contacts, ids, strict=True):
            contact.id = new_id
        if len(new_contacts) >= COPY_FROM:
            self._copy_contacts(account_id, new_contacts)
            return ids
        params = {col: [getattr(c, col) for c in new_contacts] for col in DECLARED_COLUMNS}
        params.update(ids=ids, account_id=account_id, search_text=[c.search_text() for c in new_contacts],
                      created_at=datetime.now(UTC))
        self.conn.execute(_INSERT_CONTACTS, params)
        fields = [(c.id, name, value) for c in new_contacts for name, value in c.custom.items()]
        if fields:
            field_ids, names, values = (list(column) for column in zip(*fields, strict=True))
            self.conn.execute(_INSERT_FIELDS, {"ids": field_ids, "names": names, "values_": values})
        return ids

    def _copy_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> None:
        """The same rows as _INSERT_CONTACTS and _INSERT_FIELDS write, by COPY."""
        created_at = datetime.now(UTC)
        copy_rows(self.conn, "contacts", _COPY_COLUMNS, (
            (c.id, account_id, *declared_values(c), c.search_text(), created_at)
            for c in new_contacts))
        if any(c.custom for c in new_contacts):
            copy_rows(self.conn, "contact_fields", ("contact_id", "name", "value"), (
                (c.id, name, value) for c in new_contacts for name, value in c.custom.items()))

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        if not numbers:
            return []
        statement = _INSERT_NUMBERS[phone_column(column)]
        ids = self._reserve_ids(len(numbers))
        self.conn.execute(statement, {"ids": ids, "numbers": list(numbers), "account_id": account_id,
                                      "created_at": datetime.now(UTC)})
        return ids

    def _reserve_ids(self, count: int) -> list[int]:
        """Ids for new contacts, ascending. They come from the table's own sequence, so they
        never collide with concurrent writers."""
        return sorted(self.conn.execute(_RESERVE_IDS, {"n": count}).scalars())

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        for part in chunks(list(contact_ids), _WRITE_CHUNK):
            self.conn.execute(_ADD_MEMBERS, {"list_id": list_id, "ids": list(part)})

    def pause_number_indexes(self, candidates: int) -> bool:
        """Never: DROP INDEX would lock every account out of the contacts table until commit."""
        return False

    # -- lookups ---------------------------------------------------------------------------
    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        if not numbers:
            return found
        with custom_plans(self.conn):
            for part in chunks(list(numbers), _LOOKUP_CHUNK):
                keep_lowest(found, self.conn.execute(HOLDERS, {"account_id": account_id, "numbers": list(part)}))
        return found

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        found: set[str] = set()
        if not numbers:
            return found
        with custom_plans(self.conn):
            for part in chunks(list(dict.fromkeys(numbers)), _LOOKUP_CHUNK):
                found.update(self.conn.execute(
                    _BLOCKED, {"account_id": account_id, "numbers": list(part)}).scalars())
        return found
