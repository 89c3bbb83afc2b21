"""accounts: an enabled flag; on SQLite, account ids are never reused (AUTOINCREMENT)

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_ACCOUNTS_SQLITE = """
CREATE TABLE accounts_new (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    login VARCHAR(128) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    created_at DATETIME NOT NULL,
    enabled BOOLEAN DEFAULT 1 NOT NULL,
    CONSTRAINT uq_accounts_login UNIQUE (login)
)
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild_sqlite_accounts(bind)
    else:
        op.add_column("accounts", sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False))


def _rebuild_sqlite_accounts(bind) -> None:
    """SQLite adds AUTOINCREMENT only by rebuilding the table. Every table references
    accounts with ON DELETE CASCADE, and with foreign keys on, dropping the old table would
    delete every account's data; the pragma changes only outside a transaction, so the
    rebuild runs in a transaction of its own with foreign keys off (SQLite's documented
    12-step procedure), and the check afterwards refuses a broken result."""
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        bind.exec_driver_sql(_ACCOUNTS_SQLITE)
        bind.exec_driver_sql(
            "INSERT INTO accounts_new (id, login, password_hash, created_at, enabled) "
            "SELECT id, login, password_hash, created_at, 1 FROM accounts")
        # The copy sets the new table's sequence to the highest id; the rename carries it over.
        bind.exec_driver_sql("DROP TABLE accounts")
        bind.exec_driver_sql("ALTER TABLE accounts_new RENAME TO accounts")
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"accounts rebuild broke foreign keys: {broken[:5]}")
        bind.exec_driver_sql("COMMIT")
    except BaseException:
        bind.exec_driver_sql("ROLLBACK")
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        bind.exec_driver_sql("BEGIN IMMEDIATE")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite 3.35+ drops a column in place; the table keeps AUTOINCREMENT, which is harmless.
        bind.exec_driver_sql("ALTER TABLE accounts DROP COLUMN enabled")
    else:
        op.drop_column("accounts", "enabled")
