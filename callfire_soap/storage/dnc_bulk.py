"""`dnc import`'s bulk merge: a file's entries onto a DNC list in a few set-based statements.

The entries go into a temporary staging table (PostgreSQL: COPY; SQLite: executemany, which
sqlite3 runs in C), then one statement counts what is new or changed and one upsert writes
it. A number staged twice keeps its last entry (the highest sequence number), as a second
AddNumbersToDncList would. Entries whose flags are unchanged are not rewritten.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection

STAGE = "dnc_import_stage"
LATEST = "dnc_import_latest"
_BATCH = 10_000

# The last entry of each number. A window function: the same statement on both backends.
_LATEST = (
    f"CREATE TEMP TABLE {LATEST} AS SELECT number, call_dnc, text_dnc FROM ("
    f"SELECT number, call_dnc, text_dnc, row_number() OVER (PARTITION BY number ORDER BY seq DESC) AS rn "
    f"FROM {STAGE}) AS s WHERE rn = 1"
)
_COUNTS = text(
    "SELECT count(*), "
    "coalesce(sum(CASE WHEN d.number IS NULL THEN 1 ELSE 0 END), 0), "
    "coalesce(sum(CASE WHEN d.number IS NOT NULL AND (d.call_dnc <> l.call_dnc OR d.text_dnc <> l.text_dnc) "
    "THEN 1 ELSE 0 END), 0) "
    f"FROM {LATEST} AS l LEFT JOIN dnc_numbers AS d ON d.dnc_list_id = :list_id AND d.number = l.number"
)
# "WHERE true": SQLite needs it to tell the ON CONFLICT clause from a join constraint.
_UPSERT = text(
    "INSERT INTO dnc_numbers (dnc_list_id, account_id, number, call_dnc, text_dnc) "
    f"SELECT :list_id, :account_id, number, call_dnc, text_dnc FROM {LATEST} WHERE true ORDER BY number "
    "ON CONFLICT (dnc_list_id, number) DO UPDATE SET call_dnc = excluded.call_dnc, text_dnc = excluded.text_dnc "
    "WHERE dnc_numbers.call_dnc <> excluded.call_dnc OR dnc_numbers.text_dnc <> excluded.text_dnc"
)


def _stage_postgresql(conn: Connection, entries: Iterable[tuple[int, str, bool, bool]]) -> None:
    conn.exec_driver_sql(f"CREATE TEMP TABLE {STAGE} (seq bigint, number text, call_dnc boolean, "
                         "text_dnc boolean) ON COMMIT DROP")
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {STAGE} (seq, number, call_dnc, text_dnc) FROM STDIN") as copy:
        for batch in _batches(entries, check=True):
            # COPY's text format: normalised numbers are digits, nothing needs escaping (checked).
            copy.write("".join(f"{seq}\t{number}\t{'t' if call else 'f'}\t{'t' if txt else 'f'}\n"
                               for seq, number, call, txt in batch))


def _stage_sqlite(conn: Connection, entries: Iterable[tuple[int, str, bool, bool]]) -> None:
    conn.exec_driver_sql(f"CREATE TEMP TABLE {STAGE} (seq INTEGER, number TEXT, call_dnc INTEGER, "
                         "text_dnc INTEGER)")
    cursor = conn.connection.driver_connection.cursor()
    try:
        for batch in _batches(entries):
            cursor.executemany(f"INSERT INTO {STAGE} VALUES (?, ?, ?, ?)", batch)
    finally:
        cursor.close()


def _batches(entries: Iterable[tuple[int, str, bool, bool]], check: bool = False):
    iterator = iter(entries)
    while batch := list(itertools.islice(iterator, _BATCH)):
        if check:
            for _, number, _, _ in batch:
                if not number.isdigit() or not number.isascii():
                    raise ValueError(f"not a normalised number: {number!r}")
        yield batch


def merge_numbers(conn: Connection, account_id: int, list_id: int,
                  entries: Iterable[tuple[int, str, bool, bool]]) -> tuple[int, int, int]:
    """Put (seq, number, call_dnc, text_dnc) entries on the list; returns (added, updated,
    unchanged): numbers new on the list, numbers on it whose flags changed, the rest."""
    if conn.dialect.name == "postgresql":
        _stage_postgresql(conn, entries)
    elif conn.dialect.name == "sqlite":
        _stage_sqlite(conn, entries)
    else:
        raise NotImplementedError(f"dnc import supports SQLite and PostgreSQL, not {conn.dialect.name}")
    conn.exec_driver_sql(_LATEST)
    distinct, added, updated = conn.execute(_COUNTS, {"list_id": list_id}).one()
    conn.execute(_UPSERT, {"list_id": list_id, "account_id": account_id})
    # On failure the rollback takes the temporary tables with it (DDL is transactional on both).
    conn.exec_driver_sql(f"DROP TABLE {LATEST}")
    conn.exec_driver_sql(f"DROP TABLE {STAGE}")
    return int(added), int(updated), int(distinct) - int(added) - int(updated)
