"""Command line: serve, account, contacts import/export, dnc import/export, history import, db upgrade.

Every failure ends as one short message (cli_support.py) with exit code 1, 2 for usage."""
from __future__ import annotations

import argparse
import logging
import os
import sys

from . import __version__, logconfig
from .cli_accounts import add_account_commands, run_account_command
from .cli_bulk import add_bulk_commands, run_bulk_command
from .cli_import import add_import_arguments, run_import
from .cli_support import CliError, describe, explain, fail, require_existing_sqlite
from .server import DEFAULT_SERVER, SERVERS
from .storage.database import DEFAULT_DATABASE_URL, database_url


def _add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database", metavar="URL", default=None,
        help=f"SQLAlchemy URL (default: $CALLFIRE_DATABASE_URL, else {DEFAULT_DATABASE_URL})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callfire-soap", description="CallFire API 1.1 ContactService")
    parser.add_argument("--version", action="version", version=f"callfire-soap {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the SOAP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--threads", type=int, default=8, help="request threads per process (default 8)")
    serve.add_argument("--workers", type=int, default=0,
                       help="run N worker processes (for PostgreSQL); default: one process")
    serve.add_argument("--server", choices=SERVERS, default=DEFAULT_SERVER,
                       help=f"HTTP server (default {DEFAULT_SERVER}; waitress runs one process only)")
    serve.add_argument("--log-format", choices=logconfig.FORMATS, default=None,
                       help="text or json (default: $CALLFIRE_LOG_FORMAT, else text)")
    _add_database(serve)

    contacts = commands.add_parser("contacts", help="contacts and lists")
    contacts_commands = contacts.add_subparsers(dest="contacts_command", required=True)
    load = contacts_commands.add_parser(
        "import", help="create a contact list from a CSV export (as CreateContactList with a File)")
    add_import_arguments(load)
    _add_database(load)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate the schema to this version")
    _add_database(upgrade)

    add_account_commands(commands, _add_database)
    add_bulk_commands(commands, contacts_commands, _add_database)

    history = commands.add_parser("history", help="contact history (calls and texts)")
    history_commands = history.add_subparsers(dest="history_command", required=True)
    imp = history_commands.add_parser("import", help="load call/text history from a CSV export")
    imp.add_argument("file")
    imp.add_argument("--account", metavar="LOGIN", help="account for rows without an 'account' column")
    _add_database(imp)
    return parser


def _fail(message: str) -> int:
    return fail(message)


# The page cache of the bulk commands' SQLite connections: with it the 200,000-row CSV
# import of the benchmark took 9% less time, and the 1,000,000-row import stays within its
# memory budget (BENCHMARKS.md).
BULK_SQLITE_CACHE_MIB = 32


def _open_backend(url: str | None, bulk: bool = False):
    """The backend of an existing database (the command says which one, on stderr); ``bulk``
    for the commands that load or export whole files."""
    from .backend import Backend
    from .storage.database import SchemaBehind

    require_existing_sqlite(url)
    try:
        backend = Backend.open(url, **({"sqlite_cache_mib": BULK_SQLITE_CACHE_MIB} if bulk else {}))
    except SchemaBehind as exc:
        raise CliError(str(exc)) from None
    _opened.append(describe(url))
    return backend


# The database a one-shot command opened: named on stderr after its result or its error
# (the error itself comes first, so that its first line says what went wrong).
_opened: list[str] = []


def cmd_serve(args) -> int:
    from .backend import Backend
    from .storage.database import SchemaBehind

    url = database_url(args.database)
    if args.server == "waitress" and args.workers > 1:
        raise CliError("waitress runs one process: use --server granian or gunicorn for --workers")
    # Before anything imports prometheus_client or the app, so the workers inherit them.
    os.environ[logconfig.ENV] = logconfig.log_format(args.log_format)
    if args.server != "waitress":  # granian and gunicorn serve from worker processes
        _multiprocess_metrics_dir()
    shown = describe(url)
    try:
        if args.server == "waitress":
            from .app import create_app

            app = create_app(url)
        else:
            _check_port_free(args.host, args.port)
            Backend.open(url).close()  # create or check the schema once, before the workers start
    except SchemaBehind as exc:
        raise CliError(str(exc)) from None
    if args.server == "waitress":
        from .server import serve_waitress

        serve_waitress(app, args.host, args.port, args.threads, lambda port: announce(args.host, port, shown))
    else:
        from .server import serve

        # The server binds in its supervisor; the probe above caught a port in use.
        announce(args.host, args.port, shown)
        serve(url, args.host, args.port, args.workers, args.threads, server=args.server)
    return 0


def announce(host: str, port: int, shown: str) -> None:
    """The banner, printed once the port is bound."""
    where = f"http://{host}:{port}"
    print(f"callfire-soap: database           {shown}")
    print(f"callfire-soap: SOAP 1.2 endpoint  {where}/api/1.1/soap12/contact")
    print(f"callfire-soap: WSDL               {where}/api/1.1/soap12/contact?wsdl")
    print(f"callfire-soap:                    {where}/api/1.1/wsdl/callfire-service-http-soap12.wsdl")
    print(f"callfire-soap: service page       {where}/  (metrics {where}/metrics)")
    print("callfire-soap: credentials        HTTP Basic; create a login with "
          "'callfire-soap account create LOGIN'")
    sys.stdout.flush()


def _check_port_free(host: str, port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _multiprocess_metrics_dir() -> None:
    """prometheus_client's multiprocess mode: a fresh directory the workers write their
    samples to, removed when the server exits (unless the operator named one)."""
    import atexit
    import shutil
    import tempfile

    from .metrics_env import MULTIPROC_ENV

    if os.environ.get(MULTIPROC_ENV):
        return
    directory = tempfile.mkdtemp(prefix="callfire-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    atexit.register(shutil.rmtree, directory, ignore_errors=True)


def _open_bulk_backend(url: str | None):
    return _open_backend(url, bulk=True)


def cmd_contacts_import(args) -> int:
    return run_import(args, _open_bulk_backend)


def cmd_db_upgrade(args) -> int:
    from .storage import database

    engine = database.make_engine(args.database)
    try:
        before, heads = database.revisions(engine)
        database.upgrade(engine)
    finally:
        engine.dispose()
    was = ", ".join(sorted(before)) or "empty"
    print(f"database upgraded: {was} -> {', '.join(sorted(heads))} ({describe(args.database)})")
    return 0


def cmd_history_import(args) -> int:
    from .domain.errors import BadRequest
    from .services.history import import_history_csv

    backend = _open_backend(args.database)
    try:
        with open(args.file, encoding="utf-8-sig", newline="") as stream:
            count = import_history_csv(backend.uow, stream, default_login=args.account)
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    except BadRequest as exc:
        return _fail(exc.message)
    finally:
        backend.close()
    print(f"imported {count} history entries from {args.file}")
    return 0


COMMANDS = {
    "serve": cmd_serve,
    "account": lambda args: run_account_command(args, _open_backend),
    "history": cmd_history_import,
    "db": cmd_db_upgrade,
    "contacts": lambda args: (run_bulk_command(args, _open_bulk_backend) if args.contacts_command == "export"
                              else cmd_contacts_import(args)),
    "dnc": lambda args: run_bulk_command(args, _open_bulk_backend),
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The server logs every request; one-shot commands say only what went wrong.
    level = logging.INFO if args.command == "serve" else logging.WARNING
    logconfig.configure(getattr(args, "log_format", None), level=level)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - an operator gets a message, never a traceback
        if os.environ.get("CALLFIRE_DEBUG"):
            raise
        error = explain(exc, getattr(args, "database", None), getattr(args, "host", None),
                        getattr(args, "port", None))
        return fail(error.message, error.hint)
    finally:
        for shown in _opened:
            print(f"callfire-soap: database {shown}", file=sys.stderr)
        _opened.clear()


if __name__ == "__main__":
    sys.exit(main())
