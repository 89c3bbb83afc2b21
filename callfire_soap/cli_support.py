"""What the command line tells an operator when something fails: one short line (plus at
most a hint), exit code 1, the database URL with its password masked, never a traceback."""
from __future__ import annotations

import csv
import errno
import os
import re
import sys

from .storage.database import _normalise_url, database_url

DRIVER_HINTS = {
    "psycopg": "pip install 'callfire-soap[postgresql]'  (or: pip install 'psycopg[binary]')",
    "psycopg2": "use a postgresql+psycopg:// URL, or pip install psycopg2-binary",
}


class CliError(Exception):
    """A failure the operator can act on; ``hint`` is an optional second line."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class CsvBesideDestination:
    """A CSV file written beside its destination, as PATH.partial, and renamed into place by
    finish(): the destination never holds a half-written file. discard() removes it."""

    def __init__(self, path: str, lineterminator: str = "\r\n"):
        self.path = path
        self.partial = f"{path}.partial"
        self.handle = open(self.partial, "w", encoding="utf-8", newline="")  # noqa: SIM115 - finish/discard
        self.writer = csv.writer(self.handle, lineterminator=lineterminator)

    def finish(self) -> None:
        self.handle.close()
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        self.handle.close()
        if os.path.exists(self.partial):
            os.unlink(self.partial)


def fail(message: str, hint: str | None = None) -> int:
    print(f"callfire-soap: {message}", file=sys.stderr)
    if hint:
        print(f"callfire-soap: {hint}", file=sys.stderr)
    return 1


def mask(url: str) -> str:
    """The URL with any password replaced by ***, even when SQLAlchemy cannot parse it."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparseable URL is masked by pattern instead
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def sqlite_file(url: str) -> str | None:
    """The absolute path of a SQLite URL's database file; None for other databases and for
    in-memory SQLite."""
    from sqlalchemy.engine import make_url

    parsed = make_url(_normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if not name or name == ":memory:" or parsed.query.get("mode") == "memory":
        return None
    return os.path.abspath(name)


def describe(url: str | None) -> str:
    """How commands name their database: the masked URL, and for SQLite the absolute file."""
    url = database_url(url)
    path = sqlite_file(url)
    return f"{mask(url)} (file {path})" if path else mask(url)


def require_existing_sqlite(url: str | None) -> None:
    """Commands that only work on an existing database refuse a SQLite path that does not
    exist instead of creating an empty database wherever they were started."""
    url = database_url(url)
    path = sqlite_file(url)
    if path is not None and not os.path.exists(path):
        raise CliError(f"no database at {path} ({mask(url)})",
                       f"create it with 'callfire-soap db upgrade --database {mask(url)}', "
                       "or name an existing one with --database or CALLFIRE_DATABASE_URL")


def explain(exc: BaseException, url: str | None, host: str | None = None,
            port: int | None = None) -> CliError:
    """The operator's message for an exception from opening the database or the port."""
    from sqlalchemy import exc as sa_exc

    shown = mask(database_url(url))
    if isinstance(exc, CliError):
        return exc
    if isinstance(exc, sa_exc.NoSuchModuleError):
        return CliError(f"unsupported database URL {shown}",
                        "use sqlite:///FILE or postgresql://USER:PASSWORD@HOST/DB")
    if isinstance(exc, sa_exc.ArgumentError):
        return CliError(f"invalid database URL {shown}",
                        "use sqlite:///FILE or postgresql://USER:PASSWORD@HOST/DB")
    if isinstance(exc, ImportError):
        module = (getattr(exc, "name", None) or "").split(".")[0]
        hint = DRIVER_HINTS.get(module, f"pip install {module}" if module else None)
        return CliError(f"the database driver {module or '?'} is not installed (database {shown})", hint)
    if isinstance(exc, sa_exc.OperationalError) and "database is locked" in str(exc.orig or exc):
        return CliError(f"the database is busy (another process is writing to it); try again when it "
                        f"has finished (database {shown})")
    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return CliError(f"cannot connect to database {shown}", _first_line(exc.orig or exc))
    if isinstance(exc, sa_exc.DBAPIError):
        return CliError(f"database error on {shown}", _first_line(exc.orig or exc))
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return CliError(f"cannot listen on {host}:{port}: the address is already in use",
                        "stop the other server or choose another --port")
    if isinstance(exc, OSError) and port is not None:
        return CliError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    return CliError(f"unexpected error: {type(exc).__name__}: {_first_line(exc)}",
                    "set CALLFIRE_DEBUG=1 for the traceback")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def account_id_for(backend, login: str | None) -> int:
    """The id of the account a one-shot command works on: LOGIN, or the only account."""
    with backend.uow(write=False) as uow:
        if login:
            account_id = uow.accounts.id_of(login)
            if account_id is None:
                raise CliError(f"unknown account {login!r}")
            return account_id
        logins = uow.accounts.logins(limit=2)
        if len(logins) != 1:
            raise CliError("give --account LOGIN (the database has %s accounts)"
                           % ("no" if not logins else "several"))
        return uow.accounts.id_of(logins[0])


def _same_file(a: str, b: str) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output_path(path: str | None, option: str, input_path: str | None = None) -> None:
    """Refuse, before any work, an output file (--rejects, -o) that would destroy the input,
    that names a directory, or whose directory cannot be written."""
    if path is None:
        return
    if input_path is not None and _same_file(path, input_path):
        raise CliError(f"{option} {path} is the input file: it would be overwritten; name another file")
    if os.path.isdir(path):
        raise CliError(f"cannot write {path}: it is a directory; {option} takes a file name")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise CliError(f"cannot write {path}: no directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise CliError(f"cannot write {path}: the directory {directory} is not writable")
