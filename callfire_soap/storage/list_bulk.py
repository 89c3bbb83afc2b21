"""Bulk writes and lookups of list import, one implementation per backend.

A list import may insert 100,000 contacts in one transaction. SQLAlchemy's portable
paths are slow for that on both supported backends:
* SQLite: an ordered INSERT .. RETURNING is sent one row per statement, and the FTS5
  search trigger (storage/search.py) then flushes its index once per row.
* PostgreSQL: insertmanyvalues renders statements with ~11,000 named parameters, which
  psycopg re-parses with a regular expression every time (uncached: the text is long).
So SQLite gets ids assigned under its write lock and whole columns as one JSON array
(json_each; multi-row INSERTs where that is not possible), PostgreSQL gets statements that
take whole columns as arrays (unnest / = ANY). Contacts of a Numbers source hold one number
each and are written with insert_numbers, which sends nothing but that column.
"""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

from sqlalchemy import bindparam, func, select, text, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.types import BigInteger, DateTime, Text

from ..domain.contacts import DECLARED_FIELDS, Contact
from . import search
from .contacts import ContactRepository, chunks
from .dnc import DncRepository
from .tables import contacts, list_members

DECLARED_COLUMNS = tuple(DECLARED_FIELDS.values())
_PHONE_COLUMNS = (contacts.c.home_phone, contacts.c.work_phone, contacts.c.mobile_phone)
PHONE_COLUMN_NAMES = tuple(column.name for column in _PHONE_COLUMNS)


@contextmanager
def index_lookups(conn: Connection) -> Iterator[None]:
    """PostgreSQL: plan each statement for its actual parameters while inside.

    psycopg prepares a statement once it has run 5 times, and PostgreSQL may then keep the
    generic plan it made while an import's table looked empty (no statistics yet): a scan
    of all the account's contacts for every chunk, 20 s instead of 1 s for 20,000 numbers.
    The setting is restored afterwards: forcing custom plans for the whole import would
    also re-plan every foreign-key check of the bulk inserts (3x slower)."""
    if conn.dialect.name != "postgresql":
        yield
        return
    saved = conn.exec_driver_sql("SELECT current_setting('plan_cache_mode')").scalar_one()
    conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        conn.execute(text("SELECT set_config('plan_cache_mode', :mode, true)"), {"mode": saved})


def bulk_writer(conn: Connection) -> "PortableBulk":
    name = conn.dialect.name
    if name == "sqlite":
        return SqliteJsonBulk(conn) if has_json(conn) else SqliteBulk(conn)
    if name == "postgresql":
        return PostgresBulk(conn)
    return PortableBulk(conn)


class PortableBulk:
    """Plain SQLAlchemy Core: correct everywhere, fast enough for small imports."""

    def __init__(self, conn: Connection):
        self.conn = conn

    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        return ContactRepository(self.conn).add_many(account_id, new_contacts)

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        """Insert one contact per (normalised) number, held in the phone column named;
        their ids in input order. The contacts are those insert_contacts would write for
        Contact(<column>=number)."""
        return self.insert_contacts(account_id, [Contact(**{_phone_column(column): n}) for n in numbers])

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        """DncRepository.blocked_numbers: the numbers that the account's DNC lists block."""
        return DncRepository(self.conn).blocked_numbers(account_id, numbers)

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        """Add memberships that do not exist yet."""
        existing: set[int] = set()
        for part in chunks(list(contact_ids)):
            existing.update(self.conn.execute(
                select(list_members.c.contact_id)
                .where(list_members.c.list_id == list_id, list_members.c.contact_id.in_(part))
            ).scalars())
        rows = [{"list_id": list_id, "contact_id": cid} for cid in contact_ids if cid not in existing]
        if rows:
            self.conn.execute(list_members.insert(), rows)

    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        """For each number, the lowest-id contact of the account holding it in any phone
        field. A UNION ALL lets each branch use its (account_id, phone) index; an OR of
        three IN lists makes SQLite scan all of the account's contacts."""
        found: dict[str, int] = {}
        for part in chunks(list(numbers)):
            branches = [
                select(contacts.c.id, column.label("number"))
                .where(contacts.c.account_id == account_id, column.in_(part))
                for column in _PHONE_COLUMNS
            ]
            _keep_lowest(found, self.conn.execute(union_all(*branches)))
        return found


def _phone_column(name: str) -> str:
    """``name`` if it is a phone column: it is written into statement texts."""
    if name not in PHONE_COLUMN_NAMES:
        raise ValueError(f"{name!r} is not a phone column")
    return name


def _keep_lowest(found: dict[str, int], rows) -> None:
    for contact_id, number in rows:
        if number not in found or contact_id < found[number]:
            found[number] = contact_id


# -- SQLite ------------------------------------------------------------------------------------
_SQLITE_CONTACT_COLUMNS = ("id", "account_id", *DECLARED_COLUMNS, "search_text", "created_at")
# SQLite allows 32766 parameters per statement (3.32+); stay well below it.
_SQLITE_MAX_PARAMS = 6000
_SQLITE_LOOKUP_CHUNK = 2000


class SqliteBulk(PortableBulk):
    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        if not new_contacts:
            return []
        first, created_at = self._first_id(), self._now()
        rows = []
        for offset, contact in enumerate(new_contacts):
            contact.id = first + offset
            rows.append((contact.id, account_id, *(getattr(contact, col) for col in DECLARED_COLUMNS),
                         contact.search_text(), created_at))
        with search.deferred_index(self.conn, first, first + len(rows) - 1):
            self._insert_rows("contacts", _SQLITE_CONTACT_COLUMNS, rows)
        fields = [(c.id, name, value) for c in new_contacts for name, value in c.custom.items()]
        self._insert_rows("contact_fields", ("contact_id", "name", "value"), fields)
        return [c.id for c in new_contacts]

    def _first_id(self) -> int:
        """The first id of contacts inserted now."""
        # Writers hold the database write lock (BEGIN IMMEDIATE, see database.py), so the
        # ids above the current maximum are ours to assign.
        if not self.conn.info.get("callfire_write", True):
            raise RuntimeError("inserting contacts needs a writing unit of work")
        # AUTOINCREMENT: above every id the table ever had (sqlite_sequence), not just the
        # current maximum, so that deleted contacts' ids are never reused.
        return max(
            self.conn.execute(select(func.coalesce(func.max(contacts.c.id), 0))).scalar_one(),
            self.conn.exec_driver_sql(
                "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'contacts'"
            ).scalar_one(),
        ) + 1

    def _now(self):
        """created_at as the SQLAlchemy type stores it (the driver is given it directly)."""
        dialect = self.conn.dialect
        return contacts.c.created_at.type.dialect_impl(dialect).bind_processor(dialect)(
            datetime.now(timezone.utc)
        )

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        rows = [(list_id, cid) for cid in contact_ids]
        self._insert_rows("list_members", ("list_id", "contact_id"), rows, or_ignore=True)

    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        """As the portable query, straight to the driver: SQLAlchemy's expanding IN costs
        more to render per chunk (~1.3 ms) than SQLite takes to answer it."""
        found: dict[str, int] = {}
        for part in chunks(list(dict.fromkeys(numbers)), _SQLITE_LOOKUP_CHUNK):
            marks = ", ".join("?" * len(part))
            sql = " UNION ALL ".join(
                f"SELECT id, {column} FROM contacts WHERE account_id = ? AND {column} IN ({marks})"
                for column in ("home_phone", "work_phone", "mobile_phone")
            )
            _keep_lowest(found, self.conn.exec_driver_sql(sql, (account_id, *part) * 3))
        return found

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple],
                     or_ignore: bool = False) -> None:
        """Multi-row INSERTs straight to the driver (table and column names are constants)."""
        per_statement = _SQLITE_MAX_PARAMS // len(columns)
        one = "(" + ", ".join("?" * len(columns)) + ")"
        head = f"INSERT {'OR IGNORE ' if or_ignore else ''}INTO {table} ({', '.join(columns)}) VALUES "
        for part in chunks(rows, per_statement):
            self.conn.exec_driver_sql(head + ", ".join([one] * len(part)),
                                      tuple(itertools.chain.from_iterable(part)))


def has_json(conn: Connection) -> bool:
    """Whether SQLite has the JSON functions (built in since 3.38; cached per engine)."""
    cache = conn.engine.__dict__.setdefault("_callfire_has_json", {})
    if "value" not in cache:
        try:
            conn.exec_driver_sql("SELECT json_array_length('[]')").scalar()
            cache["value"] = True
        except OperationalError:  # "no such function": a build without JSON1
            cache["value"] = False
    return cache["value"]


# Each number is probed from json_each in the outer loop (CROSS JOIN fixes the join order),
# one index seek per number and column. An IN (list) builds and sorts a temporary index per
# column first: 2.5x slower. A plain JOIN lets SQLite scan the account's contacts instead.
# The numbers are sent sorted, so that the seeks walk each index in order (a third faster
# once the index outgrows SQLite's page cache).
_SQLITE_HOLDERS = {
    column: f"SELECT c.id, c.{column} FROM json_each(?2) AS n CROSS JOIN contacts AS c "
            f"WHERE c.account_id = ?1 AND c.{column} = n.value"
    for column in PHONE_COLUMN_NAMES
}
_SQLITE_COLUMNS_HELD = "SELECT " + ", ".join(
    f"EXISTS (SELECT 1 FROM contacts WHERE account_id = ?1 AND {column} IS NOT NULL)"
    for column in PHONE_COLUMN_NAMES
)
_SQLITE_BLOCKED = (
    "SELECT DISTINCT d.number FROM json_each(?2) AS n CROSS JOIN dnc_numbers AS d "
    "WHERE d.account_id = ?1 AND d.number = n.value AND (d.call_dnc OR d.text_dnc)"
)


def _json(values: Sequence) -> str:
    # Non-ASCII as is: no \u escapes (and surrogate pairs) for SQLite's parser to decode.
    return json.dumps(list(values), ensure_ascii=False)


class SqliteJsonBulk(SqliteBulk):
    """Whole columns go to SQLite as one JSON array parameter (json_each), which is cheaper
    than binding and compiling multi-row VALUES or long IN lists."""

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        if not numbers:
            return []
        first = self._first_id()
        # Only the columns that are not NULL; a number-only contact's search text is the
        # number itself (normalised numbers are digits, so lower() changes nothing).
        sql = (f"INSERT INTO contacts (id, account_id, {_phone_column(column)}, search_text, created_at) "
               "SELECT ?1 + n.key, ?2, n.value, n.value, ?3 FROM json_each(?4) AS n")
        with search.deferred_index(self.conn, first, first + len(numbers) - 1):
            self.conn.exec_driver_sql(sql, (first, account_id, self._now(), _json(numbers)))
        return list(range(first, first + len(numbers)))

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        self.conn.exec_driver_sql(
            "INSERT OR IGNORE INTO list_members (list_id, contact_id) SELECT ?1, value FROM json_each(?2)",
            (list_id, _json(contact_ids)),
        )

    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        if not numbers:
            return found
        # Most accounts leave work or mobile phone empty: skip probing those indexes for
        # nothing (a transaction reads one snapshot, so this cannot miss a holder).
        held = self.conn.exec_driver_sql(_SQLITE_COLUMNS_HELD, (account_id,)).one()
        branches = [_SQLITE_HOLDERS[column] for column, used in zip(PHONE_COLUMN_NAMES, held) if used]
        if branches:
            _keep_lowest(found, self.conn.exec_driver_sql(" UNION ALL ".join(branches),
                                                          (account_id, _json(sorted(numbers)))))
        return found

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        if not numbers:
            return set()
        return {row[0] for row in self.conn.exec_driver_sql(
            _SQLITE_BLOCKED, (account_id, _json(sorted(numbers))))}


# -- PostgreSQL --------------------------------------------------------------------------------
_TEXTS = ARRAY(Text)
_IDS = ARRAY(BigInteger)
_RESERVE_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('contacts', 'id')) FROM generate_series(1, :n)"
)
_PG_INSERT_CONTACTS = text(
    "INSERT INTO contacts (id, account_id, " + ", ".join(DECLARED_COLUMNS) + ", search_text, created_at) "
    "SELECT u.id, :account_id, " + ", ".join(f"u.{col}" for col in DECLARED_COLUMNS) + ", u.search_text, "
    ":created_at FROM unnest(:ids, " + ", ".join(f":{col}" for col in DECLARED_COLUMNS) + ", :search_text) "
    "AS u(id, " + ", ".join(DECLARED_COLUMNS) + ", search_text)"
).bindparams(bindparam("ids", type_=_IDS), bindparam("search_text", type_=_TEXTS),
             bindparam("account_id", type_=BigInteger),
             bindparam("created_at", type_=DateTime(timezone=True)),
             *(bindparam(col, type_=_TEXTS) for col in DECLARED_COLUMNS))
_PG_INSERT_FIELDS = text(
    "INSERT INTO contact_fields (contact_id, name, value) SELECT * FROM unnest(:ids, :names, :values_)"
).bindparams(bindparam("ids", type_=_IDS), bindparam("names", type_=_TEXTS),
             bindparam("values_", type_=_TEXTS))
_PG_ADD_MEMBERS = text(
    "INSERT INTO list_members (list_id, contact_id) SELECT :list_id, unnest(:ids) ON CONFLICT DO NOTHING"
).bindparams(bindparam("ids", type_=_IDS), bindparam("list_id", type_=BigInteger))
# Every holder of each number, probing the three (account_id, phone) indexes once per
# number. A plain "phone = ANY(array)" relies on statistics that a table an import has
# just grown does not have: PostgreSQL then filtered all of the account's contacts per
# chunk (86 ms instead of 3 ms per 1,000 numbers at 200,000 contacts).
# The account id goes in as an InitPlan value, which the planner cannot look up in the
# statistics: for an account that is new since the last ANALYZE they promise ~1 row, every
# (account_id, ...) index then looks as good as the (account_id, phone) one, and PostgreSQL
# picked (account_id, work_phone) for the home_phone branch, filtering all of the account's
# contacts for every number (a 60,000-number import went from seconds to minutes).
_PG_HOLDERS = text(
    "SELECT n.number, c.id FROM unnest(:numbers) AS n(number) CROSS JOIN LATERAL ("
    + " UNION ALL ".join(
        f"SELECT id FROM contacts WHERE account_id = (SELECT :account_id) AND {col} = n.number"
        for col in ("home_phone", "work_phone", "mobile_phone")
    )
    + ") AS c"
).bindparams(bindparam("numbers", type_=_TEXTS), bindparam("account_id", type_=BigInteger))
# The numbers of the chunk on an enabled DNC entry, probing (account_id, number) per number.
_PG_BLOCKED = text(
    "SELECT n.number FROM unnest(:numbers) AS n(number) WHERE EXISTS (SELECT 1 FROM dnc_numbers d "
    "WHERE d.account_id = :account_id AND d.number = n.number AND (d.call_dnc OR d.text_dnc))"
).bindparams(bindparam("numbers", type_=_TEXTS), bindparam("account_id", type_=BigInteger))
# Number-only contacts: only the columns that are not NULL (see SqliteJsonBulk.insert_numbers).
_PG_INSERT_NUMBERS = {
    column: text(
        f"INSERT INTO contacts (id, account_id, {column}, search_text, created_at) "
        "SELECT u.id, :account_id, u.number, u.number, :created_at FROM unnest(:ids, :numbers) AS u(id, number)"
    ).bindparams(bindparam("ids", type_=_IDS), bindparam("numbers", type_=_TEXTS),
                 bindparam("account_id", type_=BigInteger), bindparam("created_at", type_=DateTime(timezone=True)))
    for column in PHONE_COLUMN_NAMES
}
_PG_CHUNK = 5000
_PG_LOOKUP_CHUNK = 1000


class PostgresBulk(PortableBulk):
    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        if not new_contacts:
            return []
        ids = self._reserve_ids(len(new_contacts))
        for contact, new_id in zip(new_contacts, ids):
            contact.id = new_id
        params = {col: [getattr(c, col) for c in new_contacts] for col in DECLARED_COLUMNS}
        params.update(ids=ids, account_id=account_id, search_text=[c.search_text() for c in new_contacts],
                      created_at=datetime.now(timezone.utc))
        self.conn.execute(_PG_INSERT_CONTACTS, params)
        fields = [(c.id, name, value) for c in new_contacts for name, value in c.custom.items()]
        if fields:
            field_ids, names, values = (list(column) for column in zip(*fields))
            self.conn.execute(_PG_INSERT_FIELDS, {"ids": field_ids, "names": names, "values_": values})
        return ids

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        if not numbers:
            return []
        statement = _PG_INSERT_NUMBERS[_phone_column(column)]
        ids = self._reserve_ids(len(numbers))
        self.conn.execute(statement, {"ids": ids, "numbers": list(numbers), "account_id": account_id,
                                      "created_at": datetime.now(timezone.utc)})
        return ids

    def _reserve_ids(self, count: int) -> list[int]:
        """Ids for new contacts, ascending. They come from the table's own sequence, so they
        never collide with concurrent writers."""
        return sorted(self.conn.execute(_RESERVE_IDS, {"n": count}).scalars())

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        # DncRepository's IN list, once psycopg prepares it, gets a generic plan that compares
        # every DNC entry of the account with every number of the chunk (30 ms per 500).
        found: set[str] = set()
        with index_lookups(self.conn):
            for part in chunks(list(dict.fromkeys(numbers)), _PG_LOOKUP_CHUNK):
                found.update(self.conn.execute(
                    _PG_BLOCKED, {"account_id": account_id, "numbers": list(part)}).scalars())
        return found

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        for part in chunks(list(contact_ids), _PG_CHUNK):
            self.conn.execute(_PG_ADD_MEMBERS, {"list_id": list_id, "ids": list(part)})

    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        with index_lookups(self.conn):
            for part in chunks(list(numbers), _PG_LOOKUP_CHUNK):
                _keep_lowest(found, ((cid, number) for number, cid in self.conn.execute(
                    _PG_HOLDERS, {"account_id": account_id, "numbers": list(part)}
                )))
        return found
