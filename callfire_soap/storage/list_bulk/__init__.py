"""Bulk writes and lookups of list import, one implementation per backend.

A list import may insert 100,000 contacts in one transaction, and look up as many numbers
among the account's contacts and DNC entries. SQLAlchemy's portable paths are slow for that
on both supported backends:
* SQLite (sqlite.py): an ordered INSERT .. RETURNING is sent one row per statement, and the
  FTS5 search trigger then updates its index once per row; rendering an expanding IN list
  costs more than SQLite takes to answer it.
* PostgreSQL (postgresql.py): insertmanyvalues renders statements with thousands of named
  parameters, which psycopg re-parses on every execution (its cache skips long texts).
So each backend gets statements that take a whole column of values as one parameter
(SQLite: a JSON array read by json_each; PostgreSQL: an array read by unnest).
"""
from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from sqlalchemy.engine import Connection

from .base import BulkWriter
from .postgresql import PostgresBulk, custom_plans
from .sqlite import SqliteBulk, forget_paused_indexes, resume_number_indexes

__all__ = ["BulkWriter", "bulk_writer", "forget_paused_indexes", "index_lookups", "resume_number_indexes"]


def bulk_writer(conn: Connection) -> BulkWriter:
    name = conn.dialect.name
    if name == "sqlite":
        return SqliteBulk(conn)
    if name == "postgresql":
        return PostgresBulk(conn)
    raise NotImplementedError(f"list import supports SQLite and PostgreSQL, not {name}")


def index_lookups(conn: Connection) -> AbstractContextManager[None]:
    """Around statements that look rows up by index, one chunk of values at a time: on
    PostgreSQL, plan each for its actual parameters (see postgresql.custom_plans)."""
    return custom_plans(conn) if conn.dialect.name == "postgresql" else nullcontext()
