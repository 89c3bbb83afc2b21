"""Do Not Contact repository: dnc_lists and their dnc_numbers, always scoped to an account."""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from sqlalchemy import Integer, String, and_, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql import Select

from ..domain.dnc import Channels, DncList, DncNumber, Flags
from ..domain.paging import Page
from . import dnc_bulk
from .autocommit_read import AutocommitSelect
from .contacts import chunks, like_pattern
from .database import DNC_LIST_NAME_LOCKS, advisory_transaction_lock
from .list_bulk import bulk_writer
from .tables import dnc_lists, dnc_numbers

_STREAM_ROWS = 5000
_UPSERT_DIALECTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

_SIZE = (
    select(func.count())
    .where(dnc_numbers.c.dnc_list_id == dnc_lists.c.id)
    .correlate(dnc_lists)
    .scalar_subquery()
)
_LIST_COLUMNS = (dnc_lists.c.id, dnc_lists.c.name, dnc_lists.c.campaign_id, _SIZE.label("size"))
# GetDncList: the list with its size, one statement built once, so that SQLAlchemy reuses its
# compiled form and DncListReads can run it outside a transaction.
_GET_LIST = select(*_LIST_COLUMNS).where(
    dnc_lists.c.account_id == bindparam("account_id"), dnc_lists.c.id == bindparam("list_id")
)
_NUMBER_COLUMNS = (dnc_numbers.c.number, dnc_numbers.c.dnc_list_id, dnc_numbers.c.call_dnc,
                   dnc_numbers.c.text_dnc)
def name_lock_key(account_id: int, name: str) -> int:
    """The advisory-lock key (a signed 32-bit integer) of the account's list name."""
    digest = hashlib.blake2b(f"{account_id}\0{name}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def name_contains(column, param: str):
    """Case-insensitive substring match of the LIKE pattern (like_pattern()) bound to
    ``param``. lower() is applied to both sides in SQL so that a name always matches
    itself, even where SQLite's lower() folds only ASCII letters."""
    return func.lower(column).like(func.lower(bindparam(param, type_=String())), escape="\\")


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest digit string above every string that starts with ``prefix``
    ("1213" -> "1214", "129" -> "13"); None for all nines."""
    stripped = prefix.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def _paged(statement: Select) -> Select:
    return statement.limit(bindparam("limit", type_=Integer())).offset(bindparam("offset", type_=Integer()))


# The paged queries are built once per combination of filters, every value a parameter, so
# that each call reuses a statement whose cache key and compiled form SQLAlchemy already has.
@functools.cache
def _query_lists(by_campaign: bool, by_name: bool) -> tuple[Select, Select]:
    """QueryDncLists' (count, page)."""
    conditions = [dnc_lists.c.account_id == bindparam("account_id")]
    if by_campaign:
        conditions.append(dnc_lists.c.campaign_id == bindparam("campaign_id"))
    if by_name:
        conditions.append(name_contains(dnc_lists.c.name, "name"))
    where = and_(*conditions)
    return (select(func.count()).select_from(dnc_lists).where(where),
            _paged(select(*_LIST_COLUMNS).where(where).order_by(dnc_lists.c.id)))


@functools.cache
def _query_numbers(by_prefix: bool, below_upper: bool, by_list_id: bool, by_list_name: bool,
                   call_dnc: bool | None, text_dnc: bool | None) -> tuple[Select, Select]:
    """QueryDncNumbers' (count, page). The flags stay constants in the SQL, as written."""
    conditions = [dnc_numbers.c.account_id == bindparam("account_id")]
    if by_prefix:
        conditions.append(dnc_numbers.c.number.like(bindparam("prefix_pattern")))
        # Stored numbers are digit strings, so a range gives the (account_id, number)
        # index something to seek on; LIKE stays as the exact test.
        conditions.append(dnc_numbers.c.number >= bindparam("prefix"))
        if below_upper:
            conditions.append(dnc_numbers.c.number < bindparam("upper"))
    if by_list_id:
        conditions.append(dnc_numbers.c.dnc_list_id == bindparam("list_id"))
    if by_list_name:
        conditions.append(exists().where(
            dnc_lists.c.id == dnc_numbers.c.dnc_list_id, name_contains(dnc_lists.c.name, "list_name")
        ))
    if call_dnc is not None:
        conditions.append(dnc_numbers.c.call_dnc == call_dnc)
    if text_dnc is not None:
        conditions.append(dnc_numbers.c.text_dnc == text_dnc)
    where = and_(*conditions)
    return (select(func.count()).select_from(dnc_numbers).where(where),
            _paged(select(*_NUMBER_COLUMNS).where(where).order_by(dnc_numbers.c.number, dnc_numbers.c.dnc_list_id)))


class DncListReads:
    """GetDncList's lookup as an AutocommitSelect: one statement, no transaction."""

    def __init__(self, engine: Engine):
        self._get_list = AutocommitSelect(engine, _GET_LIST)

    def get(self, account_id: int, list_id: int) -> DncList | None:
        rows = self._get_list.rows({"account_id": account_id, "list_id": list_id})
        return DncList(*rows[0]) if rows else None


class DncRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    # -- the import scrub (used by the contact-list operations) ----------------------------
    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        """The given (normalised) numbers that are on any of the account's DNC lists with
        at least one channel blocked (see BulkWriter.blocked_numbers)."""
        return bulk_writer(self.conn).blocked_numbers(account_id, numbers)

    # -- lists -----------------------------------------------------------------------------
    def create_list(self, account_id: int, name: str, campaign_id: int | None) -> int:
        return self.conn.execute(
            insert(dnc_lists)
            .values(account_id=account_id, name=name, campaign_id=campaign_id,
                    created_at=datetime.now(UTC))
            .returning(dnc_lists.c.id)
        ).scalar_one()

    def get_list(self, account_id: int, list_id: int) -> DncList | None:
        row = self.conn.execute(_GET_LIST, {"account_id": account_id, "list_id": list_id}).first()
        return DncList(*row) if row is not None else None

    def lists_named(self, account_id: int, name: str) -> list[DncList]:
        return [DncList(*row) for row in self.conn.execute(
            select(*_LIST_COLUMNS)
            .where(dnc_lists.c.account_id == account_id, dnc_lists.c.name == name)
            .order_by(dnc_lists.c.id)
        )]

    def lock_list_name(self, account_id: int, name: str) -> None:
        """Serialise, until the transaction ends, the transactions that look up and create
        the account's lists of this name, so that a lookup after this call sees a list that
        another one created. PostgreSQL: a transaction-scoped advisory lock on (account,
        name); each statement after it reads what was committed before it was granted.
        SQLite: a writing unit of work began with BEGIN IMMEDIATE (storage/database.py), so
        it already holds the database's write lock, and its reads see every committed list;
        a read-only one could not serialise anything, and is refused."""
        if self.conn.dialect.name == "postgresql":
            advisory_transaction_lock(self.conn, DNC_LIST_NAME_LOCKS, name_lock_key(account_id, name))
        elif not self.conn.info.get("callfire_write", True):
            raise RuntimeError("lock_list_name() needs a writing unit of work")

    def lock_list(self, account_id: int, list_id: int) -> bool:
        """Whether the account owns the list; on PostgreSQL the row stays locked until the
        transaction ends, so a concurrent DeleteDncList cannot orphan numbers being added."""
        return self.conn.execute(
            select(dnc_lists.c.id)
            .where(dnc_lists.c.account_id == account_id, dnc_lists.c.id == list_id)
            .with_for_update()
        ).first() is not None

    def query_lists(self, account_id: int, page: Page, campaign_id: int | None = None,
                    name: str | None = None) -> tuple[int, list[DncList]]:
        count, paged = _query_lists(campaign_id is not None, bool(name))
        params = {"account_id": account_id, "campaign_id": campaign_id,
                  "name": like_pattern(name) if name else None}
        total = self.conn.execute(count, params).scalar_one()
        rows = self.conn.execute(paged, {**params, "limit": page.limit, "offset": page.offset}).all()
        return total, [DncList(*row) for row in rows]

    def delete_list(self, account_id: int, list_id: int) -> bool:
        owned = and_(dnc_lists.c.account_id == account_id, dnc_lists.c.id == list_id)
        # Numbers first and explicitly: SQLite cascades only with foreign_keys=ON, which
        # a database opened by another tool may lack.
        self.conn.execute(
            delete(dnc_numbers).where(
                dnc_numbers.c.account_id == account_id, dnc_numbers.c.dnc_list_id == list_id
            )
        )
        return self.conn.execute(delete(dnc_lists).where(owned)).rowcount > 0

    # -- numbers on a list -----------------------------------------------------------------
    def put_numbers(self, account_id: int, list_id: int, numbers: Sequence[str], flags: Flags) -> None:
        """Insert the numbers on the list, or set the flags of those already on it.
        ``numbers`` must be free of duplicates (PostgreSQL refuses to upsert a row twice)."""
        if not numbers:
            return
        make_insert = _UPSERT_DIALECTS[self.conn.dialect.name]
        stmt = make_insert(dnc_numbers)
        stmt = stmt.on_conflict_do_update(
            index_elements=[dnc_numbers.c.dnc_list_id, dnc_numbers.c.number],
            set_={"call_dnc": stmt.excluded.call_dnc, "text_dnc": stmt.excluded.text_dnc},
        )
        for part in chunks(list(numbers)):
            self.conn.execute(stmt, [
                {"dnc_list_id": list_id, "account_id": account_id, "number": number,
                 "call_dnc": flags.call_dnc, "text_dnc": flags.text_dnc}
                for number in part
            ])

    def merge_numbers(self, account_id: int, list_id: int,
                      entries: Iterable[tuple[int, str, bool, bool]]) -> tuple[int, int, int]:
        return dnc_bulk.merge_numbers(self.conn, account_id, list_id, entries)

    def iter_numbers(self, account_id: int, list_id: int) -> Iterator[DncNumber]:
        """Streamed (a server-side cursor on PostgreSQL; SQLite steps its cursor lazily)."""
        result = self.conn.execution_options(yield_per=_STREAM_ROWS).execute(
            select(*_NUMBER_COLUMNS)
            .where(dnc_numbers.c.account_id == account_id, dnc_numbers.c.dnc_list_id == list_id)
            .order_by(dnc_numbers.c.number)
        )
        for row in result:
            yield DncNumber(*row)

    def remove_numbers(self, list_id: int, numbers: Sequence[str], channels: Channels) -> None:
        """Unblock the given channels of the numbers on the list; an entry left with no
        blocked channel is deleted. Numbers that are not on the list are ignored."""
        if channels.nothing:
            return
        for part in chunks(list(numbers)):
            on_list = and_(dnc_numbers.c.dnc_list_id == list_id, dnc_numbers.c.number.in_(part))
            if not channels.everything:
                cleared = {"call_dnc": False} if channels.call else {"text_dnc": False}
                self.conn.execute(update(dnc_numbers).where(on_list).values(**cleared))
                on_list = and_(on_list, ~dnc_numbers.c.call_dnc, ~dnc_numbers.c.text_dnc)
            self.conn.execute(delete(dnc_numbers).where(on_list))

    # -- numbers across the account's lists ------------------------------------------------
    def query_numbers(self, account_id: int, page: Page, prefix: str | None = None,
                      list_id: int | None = None, list_name: str | None = None,
                      call_dnc: bool | None = None, text_dnc: bool | None = None,
                      ) -> tuple[int, list[DncNumber]]:
        upper = prefix_upper_bound(prefix) if prefix else None
        count, paged = _query_numbers(bool(prefix), upper is not None, list_id is not None, bool(list_name),
                                      call_dnc, text_dnc)
        params = {"account_id": account_id, "prefix_pattern": f"{prefix}%" if prefix else None,
                  "prefix": prefix or None, "upper": upper, "list_id": list_id,
                  "list_name": like_pattern(list_name) if list_name else None}
        total = self.conn.execute(count, params).scalar_one()
        rows = self.conn.execute(paged, {**params, "limit": page.limit, "offset": page.offset}).all()
        return total, [DncNumber(*row) for row in rows]

    def is_listed(self, account_id: int, number: str) -> bool:
        return self.conn.execute(
            select(dnc_numbers.c.id)
            .where(dnc_numbers.c.account_id == account_id, dnc_numbers.c.number == number)
            .limit(1)
        ).first() is not None

    def set_flags(self, account_id: int, number: str, call_dnc: bool | None, text_dnc: bool | None) -> int:
        """Set the given flags of the number on every list of the account; returns the
        number of entries changed (omitted flags are left as they are)."""
        values = {}
        if call_dnc is not None:
            values["call_dnc"] = call_dnc
        if text_dnc is not None:
            values["text_dnc"] = text_dnc
        if not values:
            return 0
        return self.conn.execute(
            update(dnc_numbers)
            .where(dnc_numbers.c.account_id == account_id, dnc_numbers.c.number == number)
            .values(**values)
        ).rowcount
