"""Substring search over contacts (QueryContacts/String) with a trigram index.

``contacts.search_text`` holds the lower-cased searchable values. The index lives outside
the SQLAlchemy metadata, because it is backend-specific:
* SQLite: an FTS5 table with the ``trigram`` tokenizer (detail=none: no positions, a third
  smaller and faster to load), kept in step by triggers; GLOB '*needle*' on it is answered
  from the index. GLOB, not LIKE, because it is exact on the already lower-cased text and
  its metacharacters can be escaped ([*]).
* PostgreSQL: a GIN ``gin_trgm_ops`` index (pg_trgm), which ``LIKE '%...%'`` uses by itself.
Needles shorter than 3 characters, or a database without the index, fall back to a scan.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection

log = logging.getLogger("callfire_soap.storage.search")

FTS_TABLE = "contacts_search"
DEFERRED_TABLE = "contacts_search_deferred"
PG_INDEX = "ix_contacts_search_trgm"
MIN_INDEXED = 3


def is_search_object(name: str | None) -> bool:
    """Objects this module manages by hand (migrations' autogenerate must not touch them)."""
    return bool(name) and (name.startswith(FTS_TABLE) or name == PG_INDEX)


def create_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        try:
            conn.exec_driver_sql(
                f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_text, content='contacts', "
                "content_rowid='id', tokenize='trigram', detail=none)"
            )
        except Exception as exc:  # noqa: BLE001 - SQLite < 3.34 has no trigram tokenizer
            log.warning("SQLite has no FTS5 trigram tokenizer (%s); String search will scan", exc)
            return
        # Row-by-row indexing costs ~45 us a contact; a bulk import sets the flag in
        # contacts_search_deferred (inside its own transaction) and indexes its rows in one
        # statement instead (deferred_index below).
        conn.exec_driver_sql(f"CREATE TABLE {DEFERRED_TABLE} (flag INTEGER NOT NULL)")
        conn.exec_driver_sql(
            f"CREATE TRIGGER {FTS_TABLE}_ai AFTER INSERT ON contacts "
            f"WHEN NOT EXISTS (SELECT 1 FROM {DEFERRED_TABLE}) BEGIN "
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {FTS_TABLE}_ad AFTER DELETE ON contacts BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END"
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {FTS_TABLE}_au AFTER UPDATE OF search_text ON contacts BEGIN "
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END"
        )
        conn.exec_driver_sql(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    elif conn.dialect.name == "postgresql":
        available = conn.exec_driver_sql(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
        ).scalar()
        if not available:
            log.warning("pg_trgm is not available; String search will scan")
            return
        schema = conn.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        ).scalar()
        if schema is None:
            # In public, not in whatever schema search_path names first: the operator class
            # must outlive (and be visible from) any one application schema.
            conn.exec_driver_sql("CREATE EXTENSION pg_trgm SCHEMA public")
            schema = "public"
        conn.exec_driver_sql(
            f'CREATE INDEX {PG_INDEX} ON contacts USING gin (search_text "{schema}".gin_trgm_ops)'
        )


def drop_index(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {FTS_TABLE}_{suffix}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {DEFERRED_TABLE}")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP INDEX IF EXISTS {PG_INDEX}")


def has_fts(conn: Connection) -> bool:
    """Whether this SQLite database has the trigram FTS table (cached per engine)."""
    cache = conn.engine.__dict__.setdefault("_callfire_has_fts", {})
    if "value" not in cache:
        cache["value"] = bool(
            conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
            ).scalar()
        )
    return cache["value"]


def glob_pattern(needle: str) -> str:
    """A GLOB pattern matching ``needle`` anywhere, its metacharacters taken literally."""
    return "*" + "".join("[%s]" % c if c in "*?[" else c for c in needle) + "*"


FTS_MATCH = text(f"SELECT rowid FROM {FTS_TABLE} WHERE search_text GLOB :pattern")


@contextmanager
def deferred_index(conn: Connection, first_id: int, last_id: int) -> Iterator[None]:
    """SQLite bulk insert of contacts first_id..last_id: index them in one statement at the
    end instead of row by row. Only valid for a writer holding the write lock (the flag and
    the ids are then seen by nobody else until commit, and a rollback undoes all of it)."""
    if conn.dialect.name != "sqlite" or not has_fts(conn):
        yield
        return
    conn.exec_driver_sql(f"INSERT INTO {DEFERRED_TABLE} (flag) VALUES (1)")
    yield
    conn.exec_driver_sql(f"DELETE FROM {DEFERRED_TABLE}")
    conn.exec_driver_sql(
        f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM contacts "
        "WHERE id BETWEEN ? AND ?", (first_id, last_id)
    )
