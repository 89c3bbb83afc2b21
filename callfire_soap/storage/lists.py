"""Contact lists repository (see the contact-lists issue)."""
from __future__ import annotations

from sqlalchemy.engine import Connection


class ListRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
