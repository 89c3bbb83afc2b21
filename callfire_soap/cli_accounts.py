"""``callfire-soap account ...``: create, list, passwd, disable, enable, delete.

A running server notices passwd, disable and delete within the authenticator's freshness
window (services/authenticator.py, 2 s) on every worker: nothing needs restarting."""
from __future__ import annotations

import getpass
import os
import sys

from .cli_support import CliError


def add_account_commands(commands, add_database) -> None:
    account = commands.add_parser("account", help="manage API accounts")
    sub = account.add_subparsers(dest="account_command", required=True)
    create = sub.add_parser("create", help="create an API login")
    create.add_argument("login")
    create.add_argument("--password", help="default: $CALLFIRE_PASSWORD, else asked for")
    add_database(create)
    listing = sub.add_parser("list", help="list the accounts")
    add_database(listing)
    passwd = sub.add_parser("passwd", help="set a new password (the old one stops working)")
    passwd.add_argument("login")
    passwd.add_argument("--password", help="default: $CALLFIRE_PASSWORD, else asked for")
    add_database(passwd)
    for name, text in (("disable", "refuse the account's credentials, keep its data"),
                       ("enable", "accept the account's credentials again")):
        command = sub.add_parser(name, help=text)
        command.add_argument("login")
        add_database(command)
    delete = sub.add_parser("delete", help="delete the account and all its data")
    delete.add_argument("login")
    delete.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    add_database(delete)


def _new_password(args) -> str:
    from .domain.errors import BadRequest
    from .services.accounts import validate_new_password

    password = args.password or os.environ.get("CALLFIRE_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise CliError("no password: pass --password, set CALLFIRE_PASSWORD, or run interactively")
        password = getpass.getpass(f"Password for {args.login}: ")
        if password != getpass.getpass("Repeat password: "):
            raise CliError("passwords do not match")
    try:
        validate_new_password(password)
    except BadRequest as exc:
        raise CliError(exc.message) from None
    return password


def run_account_command(args, open_backend) -> int:
    """open_backend(url) -> Backend (or raises CliError)."""
    from .domain.errors import BadRequest
    from .services import accounts as service

    if args.account_command == "delete" and not args.yes:
        print(f"callfire-soap: 'account delete' removes {args.login!r} and all its contacts, lists, "
              "DNC lists and history; repeat with --yes", file=sys.stderr)
        return 2
    password = _new_password(args) if args.account_command in ("create", "passwd") else None
    backend = open_backend(args.database)
    uow = backend.uow
    try:
        if args.account_command == "create":
            account_id = service.create_account(uow, args.login, password)
            print(f"created account {args.login!r} (id {account_id})")
        elif args.account_command == "list":
            _print_accounts(service.list_accounts(uow))
        elif args.account_command == "passwd":
            service.change_password(uow, args.login, password)
            print(f"changed the password of {args.login!r}")
        elif args.account_command in ("disable", "enable"):
            service.set_enabled(uow, args.login, args.account_command == "enable")
            print(f"{args.account_command}d account {args.login!r}")
        elif args.account_command == "delete":
            account_id = service.delete_account(uow, args.login)
            print(f"deleted account {args.login!r} (id {account_id}) and all its data")
    except service.AccountExists:
        raise CliError(f"account {args.login!r} already exists") from None
    except service.UnknownAccount:
        raise CliError(f"unknown account {args.login!r}", "'callfire-soap account list' shows them") from None
    except BadRequest as exc:
        raise CliError(exc.message) from None
    finally:
        backend.close()
    return 0


def _print_accounts(rows) -> None:
    if not rows:
        print("no accounts; create one with 'callfire-soap account create LOGIN'")
        return
    width = max(5, *(len(row.login) for row in rows))
    print(f"{'ID':>6}  {'LOGIN':<{width}}  {'STATUS':<8}  CREATED")
    for row in rows:
        status = "enabled" if row.enabled else "disabled"
        created = row.created_at.strftime("%Y-%m-%d %H:%M") if row.created_at else "-"
        print(f"{row.id:>6}  {row.login:<{width}}  {status:<8}  {created}")


