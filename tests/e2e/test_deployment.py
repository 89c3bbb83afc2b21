"""The deployment docs/deployment.md describes, run for real: Debian's nginx terminating TLS
(a self-signed certificate) in front of two app nodes, each `callfire-soap serve --workers 2`
with CALLFIRE_TRUST_FORWARDED=1, sharing one PostgreSQL database owned by a least-privilege
role that also ran `callfire-soap db upgrade`.

Only the CLI starts the nodes, so the test follows whichever server `serve --workers` runs.
nginx adds an X-Upstream header (the node that answered; a test-only addition) so that every
response says which node served it. Checked:
* the WSDL fetched through the proxy names the proxy's https:// address (zeep posts there);
* writes through node A are read through node B and the other way round;
* SIGKILL to node A's whole process group while three SOAP sessions run through the balanced
  upstream: the sessions go on through node B. A request in flight on A at that moment may
  fail once (nginx does not resend a POST that reached a node); it is counted, printed and
  sent again, which is safe because every write of the loop is idempotent (CreateContactList
  carries a RequestId; UpdateContacts sets values). Afterwards every write is read back,
  exactly once.
Run with -s to see the summary (failures counted when the node was killed).

A second test runs a node as a role with row privileges only (the owner role migrated), the
stricter split the guide also describes, under PHP SoapClient's session over every operation."""
from __future__ import annotations

import itertools
import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import zeep
from lxml import etree
from sqlalchemy import text
from zeep.transports import Transport

from .stack import (
    app_nodes,
    cli,
    create_account,
    free_port,
    least_privilege_database,
    nginx,
    nginx_config,
    require,
    self_signed_certificate,
    tail,
    which,
)

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="serve --workers runs on Unix only")

DATA = "http://api.callfire.com/data"
SOAP12_WSDL = "http://schemas.xmlsoap.org/wsdl/soap12/"
ENDPOINT_PATH = "/api/1.1/soap12/contact"
LOOPS = 3                # concurrent SOAP sessions during the kill
CALLS_BEFORE_KILL = 12   # ... at least this many calls, and both nodes seen, before it
ITERATIONS_AFTER_KILL = 5


def proxy_url(port: int) -> str:
    return f"https://127.0.0.1:{port}"


class Session:
    """A zeep client built from the WSDL served through the proxy, over one requests session
    that trusts the test's certificate; remembers which node answered each call."""

    def __init__(self, port: int, cert, login: str, password: str):
        http = https(cert)
        http.auth = (login, password)
        http.hooks["response"].append(self._record)
        self.upstream: str | None = None
        self.wsdl_url = f"{proxy_url(port)}{ENDPOINT_PATH}?wsdl"
        self.client = zeep.Client(self.wsdl_url, transport=Transport(session=http, timeout=30,
                                                                     operation_timeout=30))
        self.address = self.client.service._binding_options["address"]
        self.Contact = self.client.get_element("{%s}Contact" % DATA)

    def _record(self, response, *args, **kwargs):
        self.upstream = response.headers.get("X-Upstream")

    def call(self, operation: str, **kwargs):
        """(result, the node that served it). X-Upstream lists every node nginx tried, the one
        that answered last."""
        self.upstream = None
        result = getattr(self.client.service, operation)(**kwargs)
        served = (self.upstream or "").split(",")[-1].strip()
        return result, served


def https(cert) -> requests.Session:
    """A session that trusts the test's certificate and nothing from the environment."""
    http = requests.Session()
    http.trust_env = False  # no proxies or CA bundles from the environment
    http.verify = str(cert)
    return http


def served_wsdl_address(port: int, cert) -> str:
    response = https(cert).get(f"{proxy_url(port)}{ENDPOINT_PATH}?wsdl", timeout=30)
    response.raise_for_status()
    addresses = etree.fromstring(response.content).findall(f".//{{{SOAP12_WSDL}}}address")
    assert len(addresses) == 1, response.text[:2000]
    return addresses[0].get("location")


_numbers = itertools.count(1000)
_numbers_lock = threading.Lock()


def new_number() -> str:
    """A valid US number no other contact of the test has (so none are merged)."""
    with _numbers_lock:
        return f"1213221{next(_numbers):04d}"


# -- the test -----------------------------------------------------------------------------------
def test_two_nodes_behind_tls_nginx_share_a_least_privilege_database(tmp_path):
    require(which("nginx") is not None, "nginx is not installed (apt-get install nginx)")
    phases = Phases()
    with ExitStack() as stack:
        stack.callback(phases.show)  # runs last: after the nodes, nginx and the database are gone
        db = stack.enter_context(least_privilege_database())
        check_least_privilege_upgrade(db)
        login, password = create_account(db.url)
        phases.done("database, db upgrade, account")

        cert, key = self_signed_certificate(tmp_path)
        a, b = stack.enter_context(app_nodes(["a", "b"], db.url, tmp_path))
        ports = {"all": free_port(), "a": free_port(), "b": free_port()}
        stack.enter_context(nginx(tmp_path, nginx_config(tmp_path, cert, key, [a, b], ports), cert, ports))
        phases.done("certificate, two nodes, nginx")

        # The WSDL names the address the client used: https, the proxy's host and port.
        for port in ports.values():
            expected = f"{proxy_url(port)}{ENDPOINT_PATH}"
            assert served_wsdl_address(port, cert) == expected, (
                "the WSDL fetched through nginx does not name the proxy's https address: is "
                "CALLFIRE_TRUST_FORWARDED=1 set and does nginx send X-Forwarded-Proto/-Host?")
        via_a = Session(ports["a"], cert, login, password)
        via_b = Session(ports["b"], cert, login, password)
        balanced = Session(ports["all"], cert, login, password)
        for session, port in ((via_a, ports["a"]), (via_b, ports["b"]), (balanced, ports["all"])):
            assert session.address == f"{proxy_url(port)}{ENDPOINT_PATH}"

        cross = cross_node(via_a, via_b, a, b)
        phases.done("WSDL and cross-node checks")

        # Both nodes connect as the service role, and nobody else uses its database.
        with db.admin.connect() as conn:
            users = set(conn.execute(text("SELECT DISTINCT usename FROM pg_stat_activity "
                                          "WHERE datname = :db"), {"db": db.name}).scalars())
        assert users == {db.role}

        failover(balanced, via_b, a, b, ports, cert, login, password, expected_lists=cross)
        phases.done("failover")


class Phases:
    """Wall time of the test's phases, printed (for the reader; nothing asserts on it)."""

    def __init__(self):
        self.last = time.monotonic()
        self.times: list[str] = []

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.times.append(f"{name} {now - self.last:.1f} s")
        self.last = now

    def show(self) -> None:
        self.done("teardown")
        print("deployment: phases: " + ", ".join(self.times))


def check_least_privilege_upgrade(db) -> None:
    """The role has no special attributes; `db upgrade` as the database's owner creates the
    schema, and pg_trgm (a trusted extension since PostgreSQL 13) with it."""
    with db.admin.connect() as conn:
        attributes = conn.execute(text(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
            "FROM pg_roles WHERE rolname = :r"), {"r": db.role}).one()
        assert not any(attributes), attributes
    output = cli("db", "upgrade", "--database", db.url)
    assert "-> " in output, output
    from sqlalchemy import create_engine

    engine = create_engine(db.url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == db.role
            owner = conn.execute(text("SELECT extowner::regrole::text FROM pg_extension "
                                      "WHERE extname = 'pg_trgm'")).scalar()
            assert owner == db.role, f"pg_trgm should be created by the role, is owned by {owner}"
            assert conn.execute(text("SELECT to_regclass('ix_contacts_search_trgm')")).scalar() is not None
            tables = conn.execute(text("SELECT DISTINCT tableowner FROM pg_tables "
                                       "WHERE schemaname = 'public'")).scalars().all()
            assert tables == [db.role]
    finally:
        engine.dispose()


def cross_node(via_a: Session, via_b: Session, a, b) -> dict[str, int]:
    """Writes through node A read through node B, and the other way round; returns the lists
    it created (name -> size)."""
    tag = uuid.uuid4().hex[:10]
    C = via_a.Contact
    name = f"cross {tag}"
    list_id, served = via_a.call("CreateContactList", Name=name, RequestId=f"urn:e2e:{tag}", ContactSource={
        "Contact": [C(firstName="Ann", lastName=tag, homePhone=new_number()),
                    C(firstName="Bob", lastName=tag, mobilePhone=new_number())]})
    assert served == a.address

    got, served = via_b.call("GetContactList", Id=list_id)
    assert served == b.address
    assert (got.Name, got.Size, got.Status) == (name, 2, "ACTIVE")
    found, served = via_b.call("QueryContacts", String=tag)
    assert served == b.address and found.TotalResults == 2
    people = {c.firstName: c for c in found.Contact}

    # A write through B (UpdateContacts) read through A, search index included.
    _, served = via_b.call("UpdateContacts", Contact=[via_b.Contact(id=people["Ann"].id, lastName="moved-" + tag)])
    assert served == b.address
    ann, served = via_a.call("GetContact", Id=people["Ann"].id)
    assert served == a.address and ann.lastName == "moved-" + tag
    found, served = via_a.call("QueryContacts", String=tag)
    assert served == a.address
    assert found.TotalResults == 2  # "moved-<tag>" still contains the tag
    found, _ = via_a.call("QueryContacts", String="moved-" + tag)
    assert [c.id for c in found.Contact] == [people["Ann"].id]
    print(f"\ndeployment: cross-node: list {list_id} written through node A ({a.address}), "
          f"read through node B ({b.address}); a contact updated through B, read through A")
    return {name: 2}


@dataclass
class Call:
    loop: int
    iteration: int
    operation: str
    served: str | None  # the node that answered; None when the request failed
    after_kill: bool    # sent after node A was dead and its port refused connections
    error: str | None = None


def failover(balanced: Session, via_b: Session, a, b, ports, cert, login, password, expected_lists):
    tag = uuid.uuid4().hex[:8]
    killed = threading.Event()
    stop = threading.Event()
    progress = threading.Condition()
    calls: list[Call] = []
    written: dict[tuple[int, int], tuple[str, int, str, str]] = {}
    errors: list[str] = []

    def call(session: Session, loop: int, iteration: int, operation: str, **kwargs):
        """One SOAP call; a failure is recorded and the call sent once more."""
        for attempt in (1, 2):
            after_kill = killed.is_set()
            try:
                result, served = session.call(operation, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every kind of failure is counted
                with progress:
                    calls.append(Call(loop, iteration, operation, None, after_kill, describe(exc)))
                if attempt == 2:
                    raise
                continue
            with progress:
                calls.append(Call(loop, iteration, operation, served, after_kill))
                progress.notify_all()
            return result

    def run_loop(loop: int, session: Session) -> None:
        C = session.Contact
        after = 0
        try:
            for iteration in itertools.count():
                if stop.is_set() or after >= ITERATIONS_AFTER_KILL:
                    return
                started_after_kill = killed.is_set()
                name, number = f"loop {tag} {loop}-{iteration}", new_number()
                list_id = call(session, loop, iteration, "CreateContactList",
                               RequestId=f"urn:e2e:{tag}:{loop}:{iteration}", Name=name,
                               ContactSource={"Contact": [C(firstName=name, homePhone=number)]})
                got = call(session, loop, iteration, "GetContactList", Id=list_id)
                assert (got.Name, got.Size) == (name, 1), got
                (contact,) = call(session, loop, iteration, "QueryContacts", ContactListId=list_id).Contact
                last_name = f"updated {loop}-{iteration}"
                call(session, loop, iteration, "UpdateContacts", Contact=[C(id=contact.id, lastName=last_name)])
                written[(loop, iteration)] = (name, contact.id, number, last_name)
                after += started_after_kill
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(f"loop {loop}: {type(exc).__name__}: {exc}")
            stop.set()
            with progress:
                progress.notify_all()

    sessions = [balanced] + [Session(ports["all"], cert, login, password) for _ in range(LOOPS - 1)]
    threads = [threading.Thread(target=run_loop, args=(n, s), daemon=True) for n, s in enumerate(sessions)]
    for thread in threads:
        thread.start()
    try:
        # Kill node A once the sessions are running on both nodes.
        with progress:
            ready = progress.wait_for(
                lambda: stop.is_set() or (
                    len(calls) >= CALLS_BEFORE_KILL and {a.address, b.address} <= {c.served for c in calls}),
                timeout=60)  # a hang guard: the loops had stopped making progress
        assert ready and not stop.is_set(), (
            f"the sessions did not reach both nodes: {errors or [c.served for c in calls]}")
        a.kill()
        wait_refused(a.port)
        killed.set()
        with progress:
            calls_at_kill = len(calls)
    finally:
        if not killed.is_set():
            stop.set()
        for thread in threads:
            thread.join(timeout=120)  # a hang guard
        stop.set()
    assert not any(t.is_alive() for t in threads), "a session hung"

    failures = [c for c in calls if c.error]
    before = [c for c in calls[:calls_at_kill] if c.served]
    after = [c for c in calls if c.after_kill and c.served]
    summary = (
        f"deployment: failover: {LOOPS} sessions through https://127.0.0.1:{ports['all']} "
        f"(nginx, upstream A {a.address} + B {b.address}); {len(calls)} calls\n"
        f"deployment:   before SIGKILL to node A's process group: {len(before)} calls answered, "
        f"served by A {sum(c.served == a.address for c in before)}, B {sum(c.served == b.address for c in before)}\n"
        f"deployment:   sent after the kill: {len(after)} calls, "
        f"served by B {sum(c.served == b.address for c in after)}\n"
        f"deployment:   failed requests (in flight on A when it was killed, then sent again): {len(failures)}"
        + "".join(f"\ndeployment:     loop {c.loop} iteration {c.iteration} {c.operation}: {c.error}"
                  for c in failures)
    )
    print(summary)
    assert not errors, f"a session did not complete: {errors}\n{summary}"
    assert len(after) >= LOOPS * ITERATIONS_AFTER_KILL * 4, summary
    assert all(c.served == b.address for c in after), f"a call after the kill was not served by B\n{summary}"
    assert not [c for c in failures if c.after_kill], f"a request sent after the kill failed\n{summary}"
    assert len(failures) <= LOOPS, f"more failures than requests in flight at the kill\n{summary}"

    # Node A's own proxy address now has no node behind it: it really was node A.
    assert https(cert).get(f"{proxy_url(ports['a'])}/healthz", timeout=30).status_code == 502

    # Every write is there, exactly once, read through node B.
    lists, served = via_b.call("QueryContactLists", MaxResults=1000)
    assert served == b.address
    sizes = {entry.Name: entry.Size for entry in lists.ContactList}
    expected = {**expected_lists, **{name: 1 for name, _, _, _ in written.values()}}
    assert lists.TotalResults == len(expected) and sizes == expected, (
        f"lists after the run differ from the writes (a retried write duplicated or lost?)\n{summary}")
    contacts, _ = via_b.call("QueryContacts", MaxResults=1000)
    by_id = {c.id: c for c in contacts.Contact}
    for name, contact_id, number, last_name in written.values():
        contact = by_id[contact_id]
        assert (contact.firstName, contact.homePhone, contact.lastName) == (name, number, last_name), summary
    assert contacts.TotalResults == sum(expected.values())


def describe(exc: Exception) -> str:
    if isinstance(exc, zeep.exceptions.TransportError):
        return f"HTTP {exc.status_code} from nginx"
    return f"{type(exc).__name__}: {exc}"[:300]


def wait_refused(port: int) -> None:
    """Until connections to the killed node's port are refused (its listening socket is gone
    with the last process of the group)."""
    for _ in range(300):  # a hang guard
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5):
                pass
        except ConnectionRefusedError:
            return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"port {port} still accepts connections after SIGKILL to its node")


# -- a runtime role that is not the owner ----------------------------------------------------
PHP_SESSION = Path(__file__).resolve().parents[1] / "php" / "session.php"


def test_a_runtime_role_with_dml_grants_only_serves_every_operation(tmp_path):
    """The stricter split docs/deployment.md describes: the owner role runs `db upgrade`, the
    nodes connect as a role that can only read and write rows. PHP SoapClient's session over
    all 19 operations (tests/php/session.php) runs against a node as that role."""
    php = which("php")
    require(php is not None and subprocess.run(
        [php, "-r", "exit(class_exists('SoapClient') ? 0 : 1);"]).returncode == 0,
        "php-cli with php-soap is not installed (apt-get install php-cli php-soap)")
    from sqlalchemy import create_engine
    from sqlalchemy.exc import ProgrammingError

    with ExitStack() as stack:
        db = stack.enter_context(least_privilege_database(runtime_role=True))
        cli("db", "upgrade", "--database", db.url)
        engine = create_engine(db.app_url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT current_user")).scalar() == db.app_role
                with pytest.raises(ProgrammingError, match="permission denied"):
                    conn.execute(text("CREATE TABLE e2e_probe (x int)"))
                conn.rollback()
                with pytest.raises(ProgrammingError, match="must be owner"):
                    conn.execute(text("ALTER TABLE contacts ADD COLUMN e2e_probe int"))
        finally:
            engine.dispose()

        login, password = create_account(db.app_url)
        (node,) = stack.enter_context(app_nodes(["app"], db.app_url, tmp_path, workers=1))
        wsdl = f"http://{node.address}{ENDPOINT_PATH}?wsdl"
        done = subprocess.run([php, str(PHP_SESSION), wsdl, login, password],
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        reply = json.loads(done.stdout)
        assert reply["failures"] == [] and reply["steps"] >= 45, (reply, tail(node.log))
        print(f"\ndeployment: runtime role {db.app_role} (DML grants only): PHP session, "
              f"{reply['steps']} steps over all 19 operations, no failures")
