"""Single-statement reads run on a pooled DBAPI connection in autocommit, outside any
transaction and outside SQLAlchemy's Connection.

GetContact and GetDncList are each one SELECT, and one statement needs no transaction to be
consistent. SQLite runs it in autocommit mode (the driver's own transaction handling is off,
see database.py); PostgreSQL gets autocommit for its duration, so the read is one round trip
instead of three (BEGIN, SELECT, ROLLBACK), and none of a Connection's per-call bookkeeping
is paid.

The SQL is still written once, as a SQLAlchemy statement in its repository module, and
compiled here once per engine. Only statements whose parameters and columns need no type
processing are accepted (checked at compile time), because nothing converts values on
this path. Public SQLAlchemy API only.
"""
from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select


class _Disconnected(Exception):
    """The statement met a connection the server had dropped (raised from ``error``)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _converted_names(compiled, statement: Select, dialect) -> list[str]:
    """Parameters and result columns that SQLAlchemy would convert on this dialect."""
    converted = [name for name, bind in compiled.binds.items()
                 if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None]
    converted += [column.key for column in statement.selected_columns
                  if column.type.dialect_impl(dialect).result_processor(dialect, None) is not None]
    return converted


class AutocommitSelect:
    def __init__(self, engine: Engine, statement: Select):
        dialect = engine.dialect
        compiled = statement.compile(dialect=dialect)
        converted = _converted_names(compiled, statement, dialect)
        if converted:
            raise ValueError(f"AutocommitSelect cannot convert values of {sorted(converted)}")
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
        except _Disconnected:
            # A connection the server had dropped (restart, idle timeout): it is discarded
            # already; the statement only reads, so one retry on a fresh connection is safe.
            pass
        try:
            return self._run(args)
        except _Disconnected as again:
            raise again.error from None

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
            if not self.engine.dialect.is_disconnect(exc, proxy.dbapi_connection, None):
                raise
            # As a SQLAlchemy Connection does on a disconnect: discard this connection and
            # every other one the pool holds (a restarted server dropped them all), so that
            # the retry does not meet another dead one.
            proxy.invalidate(exc)
            self.engine.dispose()
            raise _Disconnected(exc) from exc
        finally:
            proxy.close()
