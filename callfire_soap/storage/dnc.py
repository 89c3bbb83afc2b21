"""Do Not Contact repository."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .contacts import chunks
from .tables import dnc_numbers


class DncRepository:
    def __init__(self, conn: Connection):
        self.conn = conn

    def blocked_numbers(self, account_id: int, numbers: Sequence[str]) -> set[str]:
        """The given (normalised) numbers that are on any of the account's DNC lists."""
        found: set[str] = set()
        for part in chunks(list(dict.fromkeys(numbers))):
            found.update(
                self.conn.execute(
                    select(dnc_numbers.c.number)
                    .where(dnc_numbers.c.account_id == account_id, dnc_numbers.c.number.in_(part))
                    .distinct()
                ).scalars()
            )
        return found
