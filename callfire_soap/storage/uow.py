"""Unit of work: one connection, one transaction, the repositories bound to it.

UnitOfWork and UnitOfWorkFactory implement the protocols of services/ports.py."""
from __future__ import annotations

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from ..domain.contacts import Contact
from ..domain.dnc import DncList
from ..domain.errors import Retryable
from .accounts import AccountRepository
from .contacts import ContactReads, ContactRepository
from .database import refresh_statistics
from .dnc import DncListReads, DncRepository
from .history import HistoryRepository
from .list_bulk import forget_paused_indexes, resume_number_indexes
from .lists import ListRepository

# PostgreSQL: deadlock_detected, serialization_failure. The server aborted the transaction;
# rerunning all of it is the documented remedy.
RETRYABLE_SQLSTATES = {"40P01": "deadlock", "40001": "serialization failure"}


def retryable_reason(exc: BaseException | None) -> str | None:
    """What made the database abort the transaction, if a rerun may succeed; else None."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return None
    state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return RETRYABLE_SQLSTATES.get(state)


class UnitOfWork:
    """Use as a context manager; nothing is written unless commit() is called."""

    # Bound to the connection on __enter__.
    accounts: AccountRepository
    contacts: ContactRepository
    history: HistoryRepository
    lists: ListRepository
    dnc: DncRepository

    def __init__(self, engine: Engine, write: bool = True, snapshot: bool = False):
        self.engine = engine
        self.write = write and not snapshot
        self.snapshot = snapshot
        self.conn: Connection | None = None

    def __enter__(self) -> UnitOfWork:
        self.conn = self.engine.connect()
        try:
            # Read by the SQLite "begin" hook (storage.database); cheaper than execution_options.
            self.conn.info["callfire_write"] = self.write
            self._tx = self.conn.begin()
            if self.snapshot and self.conn.dialect.name == "postgresql":
                # The transaction's first statement (psycopg sends BEGIN before it): at the
                # default READ COMMITTED every statement would see what was committed before
                # it started. The snapshot is taken at the first read. SQLite needs nothing: a
                # read transaction (BEGIN, WAL) sees one snapshot from its first read to its end.
                self.conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        except BaseException:
            # __exit__ does not run when __enter__ fails: give the connection back here.
            self.conn.close()
            raise
        self.accounts = AccountRepository(self.conn)
        self.contacts = ContactRepository(self.conn)
        self.history = HistoryRepository(self.conn)
        self.lists = ListRepository(self.conn)
        self.dnc = DncRepository(self.conn)
        return self

    def commit(self) -> None:
        resume_number_indexes(self.conn)  # a list import may have paused them (list_bulk)
        self._tx.commit()

    def rollback(self) -> None:
        if self._tx.is_active:
            self._tx.rollback()

    def __exit__(self, *exc_info) -> None:
        try:
            self.rollback()
        finally:
            forget_paused_indexes(self.conn)  # conn.info outlives the transaction (pooled)
            self.conn.close()
            self.conn = None
        # Translated here, after the rollback, so that services see a domain error (they know
        # nothing of SQLAlchemy) and may rerun the whole use case (services/retry.py).
        reason = retryable_reason(exc_info[1])
        if reason is not None:
            raise Retryable(f"the transaction met a concurrent one ({reason}); please retry") from exc_info[1]


class UnitOfWorkFactory:
    def __init__(self, engine: Engine):
        self.engine = engine
        # Hot reads that are one statement and need no unit of work (storage/autocommit_read.py).
        self.contact_reads = ContactReads(engine)
        self.dnc_list_reads = DncListReads(engine)

    def __call__(self, write: bool = True) -> UnitOfWork:
        """write=False for read-only work (on SQLite it then does not take the write lock)."""
        return UnitOfWork(self.engine, write)

    def snapshot(self) -> UnitOfWork:
        """Read-only, one snapshot: REPEATABLE READ, READ ONLY on PostgreSQL; on SQLite a
        read transaction, which in WAL mode reads one snapshot until it ends."""
        return UnitOfWork(self.engine, write=False, snapshot=True)

    def get_contact(self, account_id: int, contact_id: int) -> Contact | None:
        return self.contact_reads.get(account_id, contact_id)

    def get_dnc_list(self, account_id: int, list_id: int) -> DncList | None:
        return self.dnc_list_reads.get(account_id, list_id)

    def refresh_statistics(self) -> None:
        refresh_statistics(self.engine)
