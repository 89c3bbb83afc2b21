"""trigram index for QueryContacts String search

Revision ID: 0002
Revises: 0001

The DDL is written out here, as it stood when this revision was made: a revision must keep
doing what it did when databases were upgraded with it, whatever storage/search.py becomes.
"""
import logging

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("callfire_soap.storage.search")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _create_sqlite(conn)
    elif conn.dialect.name == "postgresql":
        _create_postgresql(conn)


def _create_sqlite(conn) -> None:
    # FTS5 with the trigram tokenizer; detail=none: no positions, which a substring GLOB
    # does not need.
    try:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE contacts_search USING fts5(search_text, content='contacts', "
            "content_rowid='id', tokenize='trigram', detail=none)"
        )
    except Exception as exc:  # noqa: BLE001 - SQLite < 3.34 has no trigram tokenizer
        log.warning("SQLite has no FTS5 trigram tokenizer (%s); String search will scan", exc)
        return
    # A bulk import puts a row in contacts_search_deferred (inside its own transaction) and
    # indexes its contacts in one statement at the end, instead of the per-row trigger.
    conn.exec_driver_sql("CREATE TABLE contacts_search_deferred (flag INTEGER NOT NULL)")
    conn.exec_driver_sql(
        "CREATE TRIGGER contacts_search_ai AFTER INSERT ON contacts "
        "WHEN NOT EXISTS (SELECT 1 FROM contacts_search_deferred) BEGIN "
        "INSERT INTO contacts_search(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER contacts_search_ad AFTER DELETE ON contacts BEGIN "
        "INSERT INTO contacts_search(contacts_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER contacts_search_au AFTER UPDATE OF search_text ON contacts BEGIN "
        "INSERT INTO contacts_search(contacts_search, rowid, search_text) "
        "VALUES ('delete', old.id, old.search_text); "
        "INSERT INTO contacts_search(rowid, search_text) VALUES (new.id, new.search_text); END"
    )
    conn.exec_driver_sql("INSERT INTO contacts_search(contacts_search) VALUES ('rebuild')")


def _create_postgresql(conn) -> None:
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
        f'CREATE INDEX ix_contacts_search_trgm ON contacts USING gin (search_text "{schema}".gin_trgm_ops)'
    )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS contacts_search_{suffix}")
        conn.exec_driver_sql("DROP TABLE IF EXISTS contacts_search")
        conn.exec_driver_sql("DROP TABLE IF EXISTS contacts_search_deferred")
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_contacts_search_trgm")
