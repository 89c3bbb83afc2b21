"""Engine creation and schema migration."""
from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError

DEFAULT_DATABASE_URL = "sqlite:///callfire.db"
MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision under migrations/ (tests/integration/test_migrations.py holds it to
# alembic's own answer): a database already there is checked without importing alembic,
# which is a third of every CLI command's start-up.
HEAD_REVISION = "0003"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("CALLFIRE_DATABASE_URL") or DEFAULT_DATABASE_URL


def _normalise_url(url: str) -> str:
    # "postgresql://" would pick psycopg2, which is not a dependency; psycopg 3 is.
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str | None = None, *, sqlite_cache_mib: int | None = None, **kwargs) -> Engine:
    """``sqlite_cache_mib``: each SQLite connection's page cache (SQLite's default is ~2 MiB).
    For the bulk commands: a larger cache keeps more of the contact indexes in memory while
    rows are inserted in random key order. Not for the server, whose pool holds a connection
    per thread (BENCHMARKS.md, "CSV import")."""
    url = _normalise_url(database_url(url))
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            if ":memory:" not in url and "mode=memory" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            if sqlite_cache_mib:
                cursor.execute(f"PRAGMA cache_size=-{int(sqlite_cache_mib) * 1024}")  # in KiB
            cursor.close()

        # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT; take it over.
        @event.listens_for(engine, "connect")
        def _no_pysqlite_tx(dbapi_conn, _record):
            dbapi_conn.isolation_level = None

        # Writers take the write lock up front (BEGIN IMMEDIATE): a deferred transaction
        # that reads and then writes can fail at once with SQLITE_BUSY under WAL.
        @event.listens_for(engine, "begin")
        def _begin(conn):
            write = conn.info.get("callfire_write", True)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    engine = create_engine(url, **kwargs)
    _ping_idle_connections(engine)
    return engine


# A pooled connection unused for this long is checked before it is handed out.
PING_IDLE_AFTER = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    """Pessimistic disconnect handling for connections that sat idle, where a dropped
    connection (server restart, firewall idle timeout) is found. pool_pre_ping would ping
    on every checkout: a second round trip for every one-statement read. A connection in
    steady use that breaks is discarded by the error it raises (SQLAlchemy invalidates it;
    storage/autocommit_read.py retries its reads once)."""

    @event.listens_for(engine, "checkin")
    def _mark_idle(dbapi_conn, record):
        record.info["callfire_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, proxy):
        idle_since = record.info.get("callfire_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_IDLE_AFTER:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
            dbapi_conn.rollback()
        except engine.dialect.loaded_dbapi.Error as exc:
            if engine.dialect.is_disconnect(exc, dbapi_conn, None):
                # The pool discards this connection, and every older one (a restarted
                # server dropped them all), and checks out another.
                error = DisconnectionError()
                error.invalidate_pool = True
                raise error from exc
            raise


# What a bulk import changes the most; QueryContacts plans depend on their statistics.
BULK_TABLES = ("contacts", "contact_fields", "list_members")

# Advisory-lock namespaces (pg_advisory_xact_lock's first key), one per kind of lock, so
# that the keys of two kinds never meet; within a kind, keys that collide merely share a lock.
LIST_IMPORT_LOCKS = 0x4C495354  # "LIST": the list imports of one account
DNC_LIST_NAME_LOCKS = 0x444E434C  # "DNCL": one account's DNC lists of one name


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:space, :key)")


def advisory_transaction_lock(conn: Connection, space: int, key: int) -> None:
    """PostgreSQL: wait for, then hold until the transaction ends, the advisory lock
    (space, key), a signed 32-bit integer each. Callers decide what SQLite needs instead."""
    conn.execute(_ADVISORY_LOCK, {"space": space, "key": key})


def refresh_statistics(engine: Engine, tables=BULK_TABLES) -> None:
    """PostgreSQL: ANALYZE after a bulk load. Until autovacuum gets to it, the planner keeps
    the statistics of the table before the load, and may then combine the trigram index with
    a scan of the whole account for every String search (BENCHMARKS.md, Search). SQLite plans
    without statistics: nothing to do."""
    if engine.dialect.name != "postgresql":
        return
    from .search import PG_INDEX

    with engine.begin() as conn:
        # It runs after an import has committed, in the request's thread: never wait long
        # for a lock (another ANALYZE, a VACUUM) or for a slow statement.
        conn.exec_driver_sql("SET LOCAL lock_timeout = '2s'")
        conn.exec_driver_sql("SET LOCAL statement_timeout = '60s'")
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table}")
        # The trigram index takes bulk inserts into its pending list (GIN fastupdate), which
        # every String search then reads in full until autovacuum merges it: merge it now.
        if conn.exec_driver_sql(f"SELECT to_regclass('{PG_INDEX}')").scalar() is not None:
            conn.exec_driver_sql(f"SELECT gin_clean_pending_list('{PG_INDEX}'::regclass)")


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser interpolates "%"; URLs may carry %-escapes (e.g. options=-csearch_path%3D...).
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def revisions(engine: Engine) -> tuple[set[str], set[str]]:
    """(the database's current revisions, the newest revisions this code knows)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    return current, set(script.get_heads())


def current_revisions(engine: Engine) -> set[str]:
    """The database's revisions as alembic records them (none for an empty database)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return set()
        return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


class SchemaBehind(RuntimeError):
    """The database has an older schema than this code and must be upgraded first."""


def prepare(engine: Engine) -> None:
    """Make the schema usable. An empty database is created, and SQLite (the embedded,
    single-operator setup) is upgraded in place. A server database with an older schema is
    refused: upgrading a shared PostgreSQL is an operator's step (`callfire-soap db upgrade`),
    taken once, before new workers start, not by whichever worker starts first."""
    if current_revisions(engine) == {HEAD_REVISION}:
        return
    current, heads = revisions(engine)
    if current == heads:
        return
    if not current or engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    raise SchemaBehind(
        "the database schema is at revision %s, this version needs %s: run "
        "'callfire-soap db upgrade --database URL' first"
        % (", ".join(sorted(current)), ", ".join(sorted(heads)))
    )
