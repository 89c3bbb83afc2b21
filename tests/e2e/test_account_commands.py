"""Account commands against a running `serve --workers 2`: after passwd, disable and
delete, the old credentials stop working on every worker within the authenticator's
freshness window; enable and the new password work without a restart."""
from __future__ import annotations

import time
import uuid

import pytest
import requests

from callfire_soap.services.authenticator import FRESH_SECONDS
from tests.e2e.serving import Server, cli
from tests.support import basic_auth, envelope

# Scheduling slack on a loaded CI machine on top of the documented bound.
MARGIN = 2.0
GET_CONTACT = envelope("<svc:GetContact><svc:Id>999999999999</svc:Id></svc:GetContact>")


def call(base: str, login: str, password: str) -> int:
    """The HTTP status of one GetContact on a fresh connection (so the kernel spreads the
    calls over both workers): 500 with a NOT_FOUND fault means authenticated."""
    reply = requests.post(base + "/api/1.1/soap12/contact", data=GET_CONTACT, timeout=30,
                          headers={"Content-Type": "application/soap+xml",
                                   "Authorization": basic_auth(login, password),
                                   "Connection": "close"})
    return reply.status_code


def warm(base: str, login: str, password: str, calls: int = 12) -> None:
    """Every worker has the credentials cached (a dozen calls on fresh connections)."""
    assert all(call(base, login, password) == 500 for _ in range(calls))


def refused_within(base: str, login: str, password: str, since: float) -> float:
    """Seconds after ``since`` at which the last call that still got in was sent, once 16
    calls in a row (both workers) have been refused; fails if that never happens within 20 s."""
    last_in, refused = since, 0
    while refused < 16:
        assert time.monotonic() - since < 20, "old credentials still accepted after 20 s"
        sent = time.monotonic()
        status = call(base, login, password)
        if status == 401:
            refused += 1
        else:
            assert status == 500
            last_in, refused = sent, 0
    return last_in - since


@pytest.fixture(scope="module")
def workers(tmp_path_factory, db_url):
    # Polling with revoked credentials is a run of failed logins: no throttling here
    # (tests/unit/test_authenticator.py covers it).
    with Server(tmp_path_factory.mktemp("workers"), "--workers", "2", "--threads", "4",
                "--database", db_url, env={"CALLFIRE_FAILED_LOGIN_BURST": "0"}) as server:
        yield server


def test_passwd_disable_enable_delete_reach_every_worker(workers, db_url):
    login, old, new = "ops-" + uuid.uuid4().hex[:8], "old-password-123", "new-password-456"
    db = ("--database", db_url)
    assert cli("account", "create", login, "--password", old, *db).returncode == 0
    warm(workers.base, login, old)

    changed = cli("account", "passwd", login, "--password", new, *db)
    assert changed.returncode == 0, changed.stderr
    assert refused_within(workers.base, login, old, time.monotonic()) <= FRESH_SECONDS + MARGIN
    warm(workers.base, login, new)

    assert cli("account", "disable", login, *db).returncode == 0
    assert refused_within(workers.base, login, new, time.monotonic()) <= FRESH_SECONDS + MARGIN
    assert cli("account", "enable", login, *db).returncode == 0
    deadline = time.monotonic() + FRESH_SECONDS + MARGIN + 5
    while call(workers.base, login, new) != 500:
        assert time.monotonic() < deadline, "enabled account still refused"
        time.sleep(0.2)

    warm(workers.base, login, new)
    deleted = cli("account", "delete", login, "--yes", *db)
    assert deleted.returncode == 0, deleted.stderr
    assert refused_within(workers.base, login, new, time.monotonic()) <= FRESH_SECONDS + MARGIN
    listed = cli("account", "list", *db)
    assert listed.returncode == 0 and login not in listed.stdout


def test_short_password_refused_and_list_shows_state(db_url):
    db = ("--database", db_url)
    login = "ops-" + uuid.uuid4().hex[:8]
    short = cli("account", "create", login, "--password", "elevenchars", *db)
    assert short.returncode == 1
    assert short.stderr.splitlines()[0] == "callfire-soap: A password is 12 to 1024 characters"
    assert cli("account", "create", login, "--password", "twelve-chars", *db).returncode == 0
    assert cli("account", "passwd", login, "--password", "short", *db).returncode == 1
    assert cli("account", "disable", login, *db).returncode == 0
    line = next(row for row in cli("account", "list", *db).stdout.splitlines() if f" {login} " in row)
    assert "disabled" in line.split()
    unsure = cli("account", "delete", login, *db)
    assert unsure.returncode == 2 and "--yes" in unsure.stderr
    unknown = cli("account", "disable", "nobody-" + login, *db)
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines()[0] == f"callfire-soap: unknown account 'nobody-{login}'"


def test_delete_removes_the_data_and_never_reuses_the_id(app, make_account, seed):
    from sqlalchemy import func, select

    from callfire_soap.domain.contacts import Contact
    from callfire_soap.services.accounts import create_account, delete_account
    from callfire_soap.storage.tables import accounts, contacts

    doomed = make_account()
    seed(doomed, [Contact(first_name="Gone")])
    delete_account(app.backend.uow, doomed.login)
    with app.backend.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(accounts)
                            .where(accounts.c.id == doomed.id)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(contacts)
                            .where(contacts.c.account_id == doomed.id)).scalar() == 0
    # The newest account deleted, then a new one: on SQLite without AUTOINCREMENT it would
    # get the same id and, with it, whatever still named that id.
    last = make_account()
    delete_account(app.backend.uow, last.login)
    fresh = create_account(app.backend.uow, "fresh-" + uuid.uuid4().hex[:8], "password-long-enough")
    assert fresh > last.id
