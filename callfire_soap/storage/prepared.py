"""Single-statement reads, run straight on a pooled DBAPI connection without a transaction.

GetContact is one SELECT. Through a SQLAlchemy Connection and a read transaction it cost
~70 us of Python per call on SQLite, and on PostgreSQL three round trips (BEGIN, SELECT,
ROLLBACK), ~465 us in all. One statement needs no transaction to be consistent: SQLite
runs it in autocommit mode (the driver's own transaction handling is off, see
database.py) and PostgreSQL gets autocommit for its duration, so it costs one round trip.

The SQL is still written once, as a SQLAlchemy statement in its repository module, and
compiled here once per engine. Only statements that need no type processing are accepted
(checked at compile time), because nothing converts values on this path.
"""
from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select


class PreparedSelect:
    def __init__(self, engine: Engine, statement: Select):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        converted = [name for name, proc in compiled._bind_processors.items() if proc is not None]
        converted += [entry.keyname for entry in compiled._result_columns
                      if entry.type._cached_result_processor(dialect, None) is not None]
        if converted:
            raise ValueError(f"PreparedSelect cannot convert values of {sorted(converted)}")
        self.engine = engine
        self.sql = str(compiled)
        # Positional paramstyles (SQLite's qmark) take a tuple in this order; named ones a dict.
        self.order = tuple(compiled.positiontup) if compiled.positional else None
        self.autocommit = dialect.name == "postgresql"
        self.dbapi_error = dialect.loaded_dbapi.Error

    def rows(self, params: dict) -> list[tuple]:
        args = tuple(params[name] for name in self.order) if self.order is not None else params
        try:
            return self._run(args)
        except self.dbapi_error as exc:
            if not getattr(exc, "_callfire_disconnect", False):
                raise
            # A connection the server had dropped (restart, idle timeout): it is discarded
            # already; the statement only reads, so one retry on a fresh connection is safe.
            return self._run(args)

    def _run(self, args) -> list[tuple]:
        proxy = self.engine.raw_connection()  # pooled: checkout/checkin events apply
        try:
            dbapi_conn = proxy.dbapi_connection
            try:
                if self.autocommit:
                    dbapi_conn.autocommit = True
                cursor = dbapi_conn.cursor()
                try:
                    cursor.execute(self.sql, args)
                    return cursor.fetchall()
                finally:
                    cursor.close()
            finally:
                if self.autocommit:
                    dbapi_conn.autocommit = False
        except self.dbapi_error as exc:
            if self.engine.dialect.is_disconnect(exc, proxy.dbapi_connection, None):
                # As a SQLAlchemy Connection does on a disconnect: discard this connection
                # and mark every older pooled one stale (a restarted server dropped them all),
                # so that the retry does not meet another dead one.
                self.engine.pool._invalidate(proxy, exc)
                exc._callfire_disconnect = True
            raise
        finally:
            proxy.close()
