"""Fixtures: a real server on loopback, accounts, and zeep clients built from the served
WSDL and from the legacy WSDL. The database is SQLite unless CALLFIRE_TEST_DATABASE=postgresql."""
from __future__ import annotations

import threading
import uuid

import pytest
import requests
import zeep
from zeep.plugins import Plugin
from zeep.transports import Transport

from callfire_soap.app import create_app
from callfire_soap.services.accounts import create_account
from callfire_soap.storage.scratch import scratch_database

from .support import (
    BINDING,
    HAVE_LEGACY,
    LEGACY_TRIMMED_WSDL,
    NO_LEGACY_REASON,
    PG_BASE,
    basic_auth,
    database_kind,
    validate_envelope,
)


@pytest.fixture(scope="session")
def database_url():
    """A fresh database for the session: a SQLite file, or a private PostgreSQL schema."""
    with scratch_database(PG_BASE if database_kind() == "postgresql" else None) as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def cheap_kdf():
    """Passwords hashed in the test processes (accounts the fixtures and tests create, the
    authenticator's dummy hash) use scrypt N=2**4 instead of the production 2**14 (~50 ms to
    170 ms a hash here, twice per account: at creation and at its first login), as
    tests/unit/test_accounts.py does: no rule depends on the cost, and the stored hash names
    its parameters, so servers verify it at that cost. The production cost still runs end to
    end where accounts are made by `callfire-soap account create` subprocesses (tests/e2e)."""
    from callfire_soap.services import accounts

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_N", 2**4)
        yield


@pytest.fixture(scope="session")
def app(database_url, cheap_kdf):
    application = create_app(database_url)
    # Every test client shares 127.0.0.1: the failed-login throttle (tested on servers of
    # their own in tests/e2e and tests/unit) must not turn one test's 401s into another's 429s.
    application.backend.authenticator.throttle.burst = 0
    yield application
    application.backend.close()


@pytest.fixture(scope="session")
def server(app):
    """The application under waitress (the server `callfire-soap serve` runs) on a free port."""
    import waitress.server

    srv = waitress.server.create_server(app, host="127.0.0.1", port=0, threads=8, ident="test",
                                        clear_untrusted_proxy_headers=False)
    stop = threading.Event()

    def serve():
        # One poll at a time, so that teardown can stop the loop before closing its sockets
        # (closing them under a running select() raised EBADF in this thread).
        while not stop.is_set():
            srv.asyncore.loop(timeout=0.2, map=srv._map, count=1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{srv.effective_port}"
    yield base
    stop.set()
    thread.join(timeout=10)
    srv.close()


@pytest.fixture(scope="session")
def endpoint(server):
    return server + "/api/1.1/soap12/contact"


@pytest.fixture(scope="session")
def served_wsdl_url(server):
    return server + "/api/1.1/wsdl/callfire-service-http-soap12.wsdl"


class Account:
    def __init__(self, login: str, password: str, account_id: int):
        self.login = login
        self.password = password
        self.id = account_id

    @property
    def auth(self) -> str:
        return basic_auth(self.login, self.password)


@pytest.fixture
def make_account(app):
    def make() -> Account:
        login = "user-" + uuid.uuid4().hex[:12]
        password = "pw-" + uuid.uuid4().hex
        return Account(login, password, create_account(app.backend.uow, login, password))

    return make


@pytest.fixture
def account(make_account):
    return make_account()


class LegacyXsdCheck(Plugin):
    """Validates every response envelope against the legacy XSD as zeep receives it."""

    def __init__(self):
        self.received = []

    def ingress(self, envelope, http_headers, operation):
        validate_envelope(envelope)
        self.received.append(envelope)
        return envelope, http_headers


def _transport(acct: Account | None) -> Transport:
    session = requests.Session()
    if acct is not None:
        session.auth = (acct.login, acct.password)
    return Transport(session=session, timeout=60, operation_timeout=120)


# Parsed WSDL documents by location, one parse a process: the served WSDL of the session
# server (fixed for the session) and the legacy file. A zeep Document is read only once
# parsed, and every client sends through its own transport (Client.transport), so clients
# for different accounts share it. tests/e2e/test_wire.py fetches and parses the served WSDL
# itself, uncached, to test it.
_DOCUMENTS: dict[str, zeep.wsdl.Document] = {}


def _document(wsdl: str) -> zeep.wsdl.Document:
    document = _DOCUMENTS.get(wsdl)
    if document is None:
        document = _DOCUMENTS[wsdl] = zeep.wsdl.Document(wsdl, _transport(None), settings=zeep.Settings())
    return document


def zeep_client(wsdl: str, acct: Account, endpoint: str | None = None):
    check = LegacyXsdCheck()
    client = zeep.Client(_document(wsdl), transport=_transport(acct), plugins=[check])
    service = client.create_service(BINDING, endpoint) if endpoint else client.service
    service.client = client
    service.check = check
    return service


@pytest.fixture(params=["served", "legacy"])
def client_kind(request):
    if request.param == "legacy" and not HAVE_LEGACY:
        pytest.skip(NO_LEGACY_REASON)
    return request.param


@pytest.fixture
def connect(client_kind, served_wsdl_url, endpoint):
    """connect(account) -> a zeep service proxy: built from the served WSDL URL, or from the
    legacy trimmed WSDL with only the address changed."""

    def make(acct: Account):
        if client_kind == "served":
            return zeep_client(served_wsdl_url, acct)
        return zeep_client(str(LEGACY_TRIMMED_WSDL), acct, endpoint)

    return make


@pytest.fixture
def service(connect, account):
    return connect(account)


@pytest.fixture
def seed(app):
    """seed(account, [Contact, ...]) -> ids: contacts stored directly through the repository,
    for tests of the contact operations that must not depend on list import."""

    def add(acct: Account, contacts):
        with app.backend.uow() as uow:
            ids = uow.contacts.add_many(acct.id, list(contacts))
            uow.commit()
        return ids

    return add


# Lines a test prints to report a measurement (failures counted when a node is killed, soak
# totals, latencies of a noisy neighbour): shown after the run, also under pytest-xdist, which
# carries each test's captured output back to the controller.
REPORT_PREFIXES = ("deployment:", "soak:", "noisy-neighbour:", "deadlock:")


def pytest_terminal_summary(terminalreporter):
    lines = []
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        if report.when != "call":
            continue
        lines += [line for line in report.capstdout.splitlines() if line.startswith(REPORT_PREFIXES)]
    if lines:
        terminalreporter.section("reported by tests")
        for line in lines:
            terminalreporter.write_line(line)
