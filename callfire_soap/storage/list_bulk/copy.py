"""PostgreSQL COPY of contacts and their custom fields (psycopg 3), for list imports.

COPY streams rows in PostgreSQL's own format: no statement to plan per batch, no parameter
arrays to build in Python and unpack on the server (unnest), and psycopg writes the rows in
C. It runs on the unit of work's own connection, so it is part of the same transaction."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.engine import Connection


def copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY rows into table(columns); table and column names are constants of the caller."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()
