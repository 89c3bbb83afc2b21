"""SQLite: ids assigned under the write lock, whole columns sent as one JSON array.

Writers hold the database write lock (BEGIN IMMEDIATE, see database.py), so the ids above
the table's current maximum are theirs to assign, and contacts go in without RETURNING.
A column of values reaches a statement as one parameter, a JSON array read by json_each:
cheaper to bind and compile than multi-row VALUES or long IN lists. On a SQLite without the
JSON functions the same statements read the values from a VALUES list instead (_tables).
"""
from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from ...domain.contacts import Contact, declared_values
from .. import search
from ..contacts import chunks
from ..tables import contacts
from .base import DECLARED_COLUMNS, PHONE_COLUMN_NAMES, keep_lowest, phone_column

_CONTACT_COLUMNS = ("id", "account_id", *DECLARED_COLUMNS, "search_text", "created_at")
# A list import may stop maintaining the phone-number indexes and rebuild them before commit
# (pause_number_indexes) when the table held at most this many rows before it per candidate
# seen: rebuilding costs ~1.4 us per row of the table, maintaining ~4 us per row inserted.
# (An import whose candidates all merge inserts nothing, and then rebuilds for nothing.)
INDEX_REBUILD_RATIO = 1
_PAUSED = "callfire_paused_indexes"
_ROWS_BEFORE = "callfire_contacts_before_import"
_NUMBER_INDEXES = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' AND name IN ("
    + ", ".join(f"'ix_contacts_account_id_{column}'" for column in PHONE_COLUMN_NAMES) + ")"
)
# SQLite allows 32766 parameters per statement (3.32+); stay well below it.
_MAX_PARAMS = 6000
# Values per VALUES list, where there is no json_each (each statement adds a few of its own).
_MAX_VALUES = _MAX_PARAMS

# Statements over a table of values n(key, value), written in as {values}: key is the
# value's position in the column sent, starting at 0.
#
# Each number is probed from the values in the outer loop (CROSS JOIN fixes the join order),
# one index seek per number and column: an IN (list) would build and sort a temporary index
# per column first, and a plain JOIN lets SQLite scan the account's contacts instead. The
# numbers are sent sorted, so that the seeks walk each index in order.
_HOLDERS = {
    column: f"SELECT c.id, c.{column} FROM {{values}} AS n CROSS JOIN contacts AS c "
            f"WHERE c.account_id = :p1 AND c.{column} = n.value"
    for column in PHONE_COLUMN_NAMES
}
_COLUMNS_HELD = "SELECT " + ", ".join(
    f"EXISTS (SELECT 1 FROM contacts WHERE account_id = :p1 AND {column} IS NOT NULL)"
    for column in PHONE_COLUMN_NAMES
)
_BLOCKED = (
    "SELECT DISTINCT d.number FROM {values} AS n CROSS JOIN dnc_numbers AS d "
    "WHERE d.account_id = :p1 AND d.number = n.value AND (d.call_dnc OR d.text_dnc)"
)
# Number-only contacts: only the columns that are not NULL. Their search text is the number
# itself (normalised numbers are digits, so lower() changes nothing).
_INSERT_NUMBERS = {
    column: f"INSERT INTO contacts (id, account_id, {column}, search_text, created_at) "
            "SELECT :p1 + n.key, :p2, n.value, n.value, :p3 FROM {values} AS n"
    for column in PHONE_COLUMN_NAMES
}
_ADD_MEMBERS = "INSERT OR IGNORE INTO list_members (list_id, contact_id) SELECT :p1, n.value FROM {values} AS n"


@functools.cache
def has_json(dbapi) -> bool:
    """Whether the SQLite library behind this DB-API module has the JSON functions (built
    in since 3.38; an option of the build before)."""
    conn = dbapi.connect(":memory:")
    try:
        conn.execute("SELECT json_array_length('[]')")
        return True
    except dbapi.OperationalError:  # "no such function"
        return False
    finally:
        conn.close()


def _json(values: Sequence) -> str:
    # Non-ASCII as is: no \u escapes (and surrogate pairs) for SQLite's parser to decode.
    return json.dumps(list(values), ensure_ascii=False)


class SqliteBulk:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.json = has_json(conn.dialect.loaded_dbapi)

    # -- writes ----------------------------------------------------------------------------
    def insert_contacts(self, account_id: int, new_contacts: Sequence[Contact]) -> list[int]:
        if not new_contacts:
            return []
        first, created_at = self._first_id(), self._now()
        rows = []
        for contact_id, contact in enumerate(new_contacts, first):
            contact.id = contact_id
            rows.append((contact_id, account_id, *declared_values(contact), contact.search_text(), created_at))
        with search.deferred_index(self.conn, first, first + len(rows) - 1):
            self._insert_rows("contacts", _CONTACT_COLUMNS, rows)
        fields = [(c.id, name, value) for c in new_contacts for name, value in c.custom.items()]
        self._insert_rows("contact_fields", ("contact_id", "name", "value"), fields)
        return [c.id for c in new_contacts]

    def insert_numbers(self, account_id: int, column: str, numbers: Sequence[str]) -> list[int]:
        if not numbers:
            return []
        statement = _INSERT_NUMBERS[phone_column(column)]
        first = self._first_id()
        with search.deferred_index(self.conn, first, first + len(numbers) - 1):
            self._execute(statement, numbers, (first, account_id, self._now()))
        return list(range(first, first + len(numbers)))

    def add_members(self, list_id: int, contact_ids: Sequence[int]) -> None:
        self._execute(_ADD_MEMBERS, contact_ids, (list_id,))

    def pause_number_indexes(self, candidates: int) -> bool:
        info = self.conn.info
        if info.get(_PAUSED):
            return True
        if not info.get("callfire_write", True):
            raise RuntimeError("pausing indexes needs a writing unit of work")
        # The table as the import found it (counted at its first ask): not the rows it has
        # inserted since, which the rebuild covers as maintenance would.
        if _ROWS_BEFORE not in info:
            info[_ROWS_BEFORE] = self.conn.exec_driver_sql("SELECT count(*) FROM contacts").scalar_one()
        if info[_ROWS_BEFORE] > INDEX_REBUILD_RATIO * candidates:
            return False
        indexes = self.conn.exec_driver_sql(_NUMBER_INDEXES).all()
        for name, _ in indexes:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        info[_PAUSED] = [statement for _, statement in indexes]
        return True

    # -- lookups ---------------------------------------------------------------------------
    def contact_ids_by_number(self, account_id: int, numbers: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        if not numbers:
            return found
        # Most accounts leave work or mobile phone empty: skip probing those indexes for
        # nothing (a transaction reads one snapshot, so this cannot miss a holder).
        held = self.conn.exec_driver_sql(_COLUMNS_HELD, {"p1": account_id}).one()
        branches = [_HOLDERS[column] for column, used in zip(PHONE_COLUMN_NAMES, held, strict=True) if used]
        if branches:
            keep_lowest(found, self._execute(" UNION ALL ".join(branches), sorted(numbers), (account_id,)))
        return found

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        if not numbers:
            return set()
        return {row[0] for row in self._execute(_BLOCKED, sorted(numbers), (account_id,))}

    # -- helpers ---------------------------------------------------------------------------
    def _execute(self, template: str, values: Sequence, params: tuple) -> list[tuple]:
        """Run ``template`` with {values} as a table n(key, value) of ``values``, and the
        statement's own parameters bound by name as :p1..:pN; the rows of every execution.
        (Named, not ?NNN: numbered placeholders bound from a sequence are deprecated since
        CPython 3.12 and an error from 3.14.)"""
        rows: list[tuple] = []
        own = {f"p{i}": value for i, value in enumerate(params, 1)}
        for table, args in self._tables(values):
            result = self.conn.exec_driver_sql(template.format(values=table), {**own, **args})
            if result.returns_rows:
                rows.extend(result)
        return rows

    def _tables(self, values: Sequence) -> Iterator[tuple[str, dict]]:
        """``values`` as SQL for a table n(key, value), with its parameters (named :v...):
        one JSON array, or VALUES lists of at most _MAX_VALUES values where SQLite has no
        json_each."""
        if self.json:
            yield "json_each(:v)", {"v": _json(values)}
            return
        for start in range(0, len(values), _MAX_VALUES):
            part = values[start:start + _MAX_VALUES]
            rows = ", ".join(f"({start + i}, :v{i})" for i in range(len(part)))
            yield (f'(SELECT column1 AS "key", column2 AS "value" FROM (VALUES {rows}))',
                   {f"v{i}": value for i, value in enumerate(part)})

    def _first_id(self) -> int:
        """The first id of contacts inserted now."""
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
            datetime.now(UTC)
        )

    def _insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """Multi-row INSERTs straight to the driver (table and column names are constants)."""
        per_statement = _MAX_PARAMS // len(columns)
        one = "(" + ", ".join("?" * len(columns)) + ")"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        for part in chunks(rows, per_statement):
            self.conn.exec_driver_sql(head + ", ".join([one] * len(part)),
                                      tuple(itertools.chain.from_iterable(part)))


def resume_number_indexes(conn: Connection) -> None:
    """Rebuild the indexes pause_number_indexes dropped in this transaction (before commit)."""
    conn.info.pop(_ROWS_BEFORE, None)
    for statement in conn.info.pop(_PAUSED, None) or ():
        conn.exec_driver_sql(statement)


def forget_paused_indexes(conn: Connection) -> None:
    """The transaction ended (conn.info outlives it): a rollback restored the indexes."""
    conn.info.pop(_ROWS_BEFORE, None)
    conn.info.pop(_PAUSED, None)
