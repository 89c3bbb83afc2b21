"""Command line: serve, account create, history import."""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys

from .server import DEFAULT_SERVER, SERVERS
from .storage.database import DEFAULT_DATABASE_URL, database_url


def _add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database", metavar="URL", default=None,
        help=f"SQLAlchemy URL (default: $CALLFIRE_DATABASE_URL, else {DEFAULT_DATABASE_URL})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="callfire-soap", description="CallFire API 1.1 ContactService")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the SOAP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--threads", type=int, default=8, help="request threads per process (default 8)")
    serve.add_argument("--workers", type=int, default=0,
                       help="run N worker processes (for PostgreSQL); default: one process")
    serve.add_argument("--server", choices=SERVERS, default=DEFAULT_SERVER,
                       help=f"HTTP server (default {DEFAULT_SERVER}; waitress runs one process only)")
    _add_database(serve)

    contacts = commands.add_parser("contacts", help="contacts and lists")
    contacts_commands = contacts.add_subparsers(dest="contacts_command", required=True)
    load = contacts_commands.add_parser(
        "import", help="create a contact list from a CSV export (as CreateContactList with a File)")
    load.add_argument("file")
    load.add_argument("--list", required=True, metavar="NAME", help="name of the new list")
    load.add_argument("--account", metavar="LOGIN", help="owner (default: the only account, if there is one)")
    load.add_argument("--no-validate", action="store_true",
                      help="store numbers as given (Validate=false): no scrubbing, no merging")
    _add_database(load)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    upgrade = db_commands.add_parser("upgrade", help="migrate the schema to this version")
    _add_database(upgrade)

    account = commands.add_parser("account", help="manage API accounts")
    account_commands = account.add_subparsers(dest="account_command", required=True)
    create = account_commands.add_parser("create", help="create an API login")
    create.add_argument("login")
    create.add_argument("--password", help="default: $CALLFIRE_PASSWORD, else asked for")
    _add_database(create)

    history = commands.add_parser("history", help="contact history (calls and texts)")
    history_commands = history.add_subparsers(dest="history_command", required=True)
    imp = history_commands.add_parser("import", help="load call/text history from a CSV export")
    imp.add_argument("file")
    imp.add_argument("--account", metavar="LOGIN", help="account for rows without an 'account' column")
    _add_database(imp)
    return parser


def _fail(message: str) -> int:
    print(f"callfire-soap: {message}", file=sys.stderr)
    return 1


def _open_backend(url: str | None):
    """The backend, or None after telling the operator why the schema is not usable."""
    from .backend import Backend
    from .storage.database import SchemaBehind

    try:
        return Backend.open(url)
    except SchemaBehind as exc:
        _fail(str(exc))
        return None


def cmd_serve(args) -> int:
    from .app import CallFireApp, create_app
    from .server import serve

    url = database_url(args.database)
    app: CallFireApp | None = None
    if args.server == "waitress":
        if args.workers > 1:
            return _fail("waitress runs one process: use --server granian or gunicorn for --workers")
        from .storage.database import SchemaBehind

        try:
            app = create_app(url)
        except SchemaBehind as exc:
            return _fail(str(exc))
        shown = app.backend.engine.url.render_as_string(hide_password=True)
    else:
        backend = _open_backend(url)  # create or check the schema once, before the workers start
        if backend is None:
            return 1
        shown = backend.engine.url.render_as_string(hide_password=True)
        backend.close()
    where = f"http://{args.host}:{args.port}"
    print(f"callfire-soap: database {shown}")
    print(f"callfire-soap: SOAP 1.2 endpoint  {where}/api/1.1/soap12/contact")
    print(f"callfire-soap: WSDL               {where}/api/1.1/soap12/contact?wsdl")
    print(f"callfire-soap:                    {where}/api/1.1/wsdl/callfire-service-http-soap12.wsdl")
    print("callfire-soap: credentials        HTTP Basic; create a login with "
          "'callfire-soap account create LOGIN'")
    sys.stdout.flush()
    serve(url, args.host, args.port, args.workers, args.threads, server=args.server, app=app)
    return 0


def cmd_contacts_import(args) -> int:
    from .domain.errors import BadRequest
    from .progress import ProgressReader
    from .services.list_sources import FileSource
    from .services.lists import create_list

    backend = _open_backend(args.database)
    if backend is None:
        return 1
    try:
        with backend.uow(write=False) as uow:
            if args.account:
                account_id = uow.accounts.id_of(args.account)
                if account_id is None:
                    return _fail(f"unknown account {args.account!r}")
            else:
                logins = uow.accounts.logins(limit=2)
                if len(logins) != 1:
                    return _fail("give --account LOGIN (the database has %s accounts)"
                                 % ("no" if not logins else "several"))
                account_id = uow.accounts.id_of(logins[0])
        try:
            reader = ProgressReader(args.file, label=f"importing {os.path.basename(args.file)}")
        except OSError as exc:
            return _fail(f"cannot read {args.file}: {exc.strerror}")
        with reader:
            try:
                # An operator's bulk load: refresh the planner statistics whatever its size.
                list_id = create_list(backend.uow, account_id, args.list, FileSource(reader.chunks()),
                                      validate=not args.no_validate, region=backend.region, analyze_after=0)
            except BadRequest as exc:
                reader.abandon()
                return _fail(f"nothing imported: {exc.message}")
        with backend.uow(write=False) as uow:
            created = uow.lists.get(account_id, list_id)
    finally:
        backend.close()
    print(f"list {created.name!r} (id {list_id}): {created.size} contacts, status {created.status}")
    return 0


def cmd_db_upgrade(args) -> int:
    from .storage import database

    engine = database.make_engine(args.database)
    try:
        before, heads = database.revisions(engine)
        database.upgrade(engine)
    finally:
        engine.dispose()
    was = ", ".join(sorted(before)) or "empty"
    print(f"database upgraded: {was} -> {', '.join(sorted(heads))}")
    return 0


def cmd_account_create(args) -> int:
    from .domain.errors import BadRequest
    from .services.accounts import AccountExists, create_account

    password = args.password or os.environ.get("CALLFIRE_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            return _fail("no password: pass --password, set CALLFIRE_PASSWORD, or run interactively")
        password = getpass.getpass(f"Password for {args.login}: ")
        if password != getpass.getpass("Repeat password: "):
            return _fail("passwords do not match")
    backend = _open_backend(args.database)
    if backend is None:
        return 1
    try:
        account_id = create_account(backend.uow, args.login, password)
    except AccountExists:
        return _fail(f"account {args.login!r} already exists")
    except BadRequest as exc:
        return _fail(exc.message)
    finally:
        backend.close()
    print(f"created account {args.login!r} (id {account_id})")
    return 0


def cmd_history_import(args) -> int:
    from .domain.errors import BadRequest
    from .services.history import import_history_csv

    backend = _open_backend(args.database)
    if backend is None:
        return 1
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The server logs its requests' outcomes; one-shot commands say only what went wrong.
    level = logging.INFO if args.command == "serve" else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "serve":
        return cmd_serve(args)
    if args.command == "account":
        return cmd_account_create(args)
    if args.command == "history":
        return cmd_history_import(args)
    if args.command == "db":
        return cmd_db_upgrade(args)
    if args.command == "contacts":
        return cmd_contacts_import(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
