"""Accounts repository."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..domain.errors import AccountExists
from .tables import accounts


class AccountRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def by_login(self, login: str) -> tuple[int, str] | None:
        row = self.conn.execute(
            select(accounts.c.id, accounts.c.password_hash).where(accounts.c.login == login)
        ).first()
        return (row.id, row.password_hash) if row else None

    def add(self, login: str, password_hash: str) -> int:
        """Raises AccountExists when the login is taken (on PostgreSQL, once the transaction
        that took it commits)."""
        try:
            result = self.conn.execute(
                insert(accounts).values(
                    login=login, password_hash=password_hash, created_at=datetime.now(UTC)
                )
            )
        except IntegrityError as exc:  # the login is the table's only unique key
            raise AccountExists(login) from exc
        return result.inserted_primary_key[0]

    def logins(self, limit: int) -> list[str]:
        return list(self.conn.execute(select(accounts.c.login).order_by(accounts.c.id).limit(limit)).scalars())

    def id_of(self, login: str) -> int | None:
        return self.conn.execute(select(accounts.c.id).where(accounts.c.login == login)).scalar()

    def auth_row(self, login: str) -> tuple[int, str, bool] | None:
        """(id, password hash, enabled): what a credential check needs, one indexed read."""
        row = self.conn.execute(
            select(accounts.c.id, accounts.c.password_hash, accounts.c.enabled)
            .where(accounts.c.login == login)
        ).first()
        return (row.id, row.password_hash, bool(row.enabled)) if row else None

    def all(self) -> list:
        return list(self.conn.execute(
            select(accounts.c.id, accounts.c.login, accounts.c.enabled, accounts.c.created_at)
            .order_by(accounts.c.id)))

    def set_password(self, account_id: int, password_hash: str) -> None:
        self.conn.execute(update(accounts).where(accounts.c.id == account_id).values(password_hash=password_hash))

    def set_enabled(self, account_id: int, enabled: bool) -> None:
        self.conn.execute(update(accounts).where(accounts.c.id == account_id).values(enabled=enabled))

    def delete(self, account_id: int) -> None:
        self.conn.execute(delete(accounts).where(accounts.c.id == account_id))
