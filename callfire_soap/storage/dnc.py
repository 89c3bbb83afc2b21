"""Do Not Contact repository (see the DNC issue)."""
from __future__ import annotations

from sqlalchemy.engine import Connection


class DncRepository:
    def __init__(self, conn: Connection):
        self.conn = conn
