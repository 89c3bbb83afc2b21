"""The service backend: database engine, units of work, authentication, settings."""
from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Engine

from .domain.phone import DEFAULT_REGION
from .services.authenticator import Authenticator
from .storage import database
from .storage.uow import UnitOfWorkFactory


@dataclass
class Backend:
    engine: Engine
    uow: UnitOfWorkFactory
    authenticator: Authenticator
    region: str = DEFAULT_REGION

    @classmethod
    def open(cls, url: str | None = None, *, region: str | None = None, prepare: bool = True,
             **engine_kwargs) -> Backend:
        """prepare: create or check the schema (storage.database.prepare). region: for numbers
        without a country code; default $CALLFIRE_DEFAULT_REGION, else US (every command and
        the server read it here, so an import normalises numbers as the service does)."""
        region = region or os.environ.get("CALLFIRE_DEFAULT_REGION") or DEFAULT_REGION
        engine = database.make_engine(url, **engine_kwargs)
        if prepare:
            try:
                database.prepare(engine)
            except Exception:
                engine.dispose()
                raise
        uow = UnitOfWorkFactory(engine)
        return cls(engine=engine, uow=uow, authenticator=Authenticator(uow), region=region)

    def database_ok(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "not reachable"
            return False

    def close(self) -> None:
        self.engine.dispose()
