"""Substring search over contacts (QueryContacts/String) with a trigram index.

``contacts.search_text`` holds the lower-cased searchable values. The index lives outside
the SQLAlchemy metadata, because it is backend-specific (migration 0002 creates it):
* SQLite: an FTS5 table with the ``trigram`` tokenizer, kept in step by triggers; GLOB
  '*needle*' on it is answered from the index. GLOB, not LIKE, because it is exact on the
  already lower-cased text and its metacharacters can be escaped ([*]).
* PostgreSQL: a GIN ``gin_trgm_ops`` index (pg_trgm), which ``LIKE '%...%'`` uses by itself.
Needles shorter than 3 characters, or a database without the index, fall back to a scan.
"""
from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

FTS_TABLE = "contacts_search"
DEFERRED_TABLE = "contacts_search_deferred"
PG_INDEX = "ix_contacts_search_trgm"
MIN_INDEXED = 3

# Whether each engine's SQLite database has the FTS table: a String search asks every time.
_HAS_FTS: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def is_search_object(name: str | None) -> bool:
    """Objects of the search index (migrations' autogenerate must not touch them)."""
    return bool(name) and (name.startswith(FTS_TABLE) or name == PG_INDEX)


def has_fts(conn: Connection) -> bool:
    """Whether this SQLite database has the trigram FTS table (remembered per engine)."""
    found = _HAS_FTS.get(conn.engine)
    if found is None:
        found = _HAS_FTS[conn.engine] = bool(
            conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (FTS_TABLE,)
            ).scalar()
        )
    return found


def glob_pattern(needle: str) -> str:
    """A GLOB pattern matching ``needle`` anywhere, its metacharacters taken literally."""
    return "*" + "".join("[%s]" % c if c in "*?[" else c for c in needle) + "*"


FTS_MATCH = text(f"SELECT rowid FROM {FTS_TABLE} WHERE search_text GLOB :pattern")


@contextmanager
def deferred_index(conn: Connection, first_id: int, last_id: int) -> Iterator[None]:
    """SQLite bulk insert of contacts first_id..last_id: index them in one statement at the
    end, instead of the trigger's one index update per row. Only valid for a writer holding
    the write lock (the flag and the ids are then seen by nobody else until commit, and a
    rollback undoes all of it)."""
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
