"""Helpers of the tests that run the bulk CLI commands (the real command, as a subprocess)
on the session's database."""
from __future__ import annotations

import uuid

from callfire_soap.services.accounts import create_account
from tests.e2e.test_cli import PASSWORD, run


def new_login(app, prefix: str) -> str:
    """A new account of the session database, made in process: the `account create` command
    has tests of its own, and a subprocess per test costs its start-up and a full KDF."""
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    create_account(app.backend.uow, name, PASSWORD)
    return name


def cli_as(database_url: str, login: str, *args):
    return run(*args, "--account", login, "--database", database_url)


def fails_cleanly(result, text: str) -> None:
    """Exit code 1 and one line saying ``text``: no traceback, no 'unexpected error'."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"callfire-soap: {text}" in result.stderr.splitlines()[0], result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected error" not in result.stderr
