"""The pieces of a production-shaped deployment, run as real processes for the end-to-end
deployment test: a least-privilege PostgreSQL database, `callfire-soap` commands, app nodes
(`callfire-soap serve --workers N`, each in its own process group) and Debian's nginx
terminating TLS with a self-signed certificate. Everything lives in the test's tmp dir and is
removed (processes killed by process group, role and database dropped) when the blocks end."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

# CI sets CALLFIRE_STRICT=1: a missing PostgreSQL, nginx or openssl then fails the test.
STRICT = os.environ.get("CALLFIRE_STRICT") == "1"
PG_BASE = os.environ.get("CALLFIRE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Hang guards only (a process that never comes up), never assertions on speed.
STARTUP_LIMIT = 60.0


def require(ok: bool, reason: str) -> None:
    """Skip the test when a prerequisite is missing, or fail under CALLFIRE_STRICT=1."""
    if ok:
        return
    if STRICT:
        pytest.fail(reason + " (CALLFIRE_STRICT=1)")
    pytest.skip(reason)


def which(name: str) -> str | None:
    # Debian installs nginx in /usr/sbin, which is not on every user's PATH.
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return ""


# -- callfire-soap commands --------------------------------------------------------------------
def cli_command() -> list[str]:
    """The `callfire-soap` console script of the interpreter running the tests."""
    script = Path(sys.executable).with_name("callfire-soap")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "callfire_soap.cli"]


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CALLFIRE_DATABASE_URL"}
    env.update(extra)
    return env


def cli(*args: str) -> str:
    """Run one `callfire-soap` command to completion; its stdout."""
    done = subprocess.run([*cli_command(), *args], env=child_env(), capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"callfire-soap {' '.join(args[:2])} failed ({done.returncode}):\n"
                             f"{done.stdout}\n{done.stderr}")
    return done.stdout


def create_account(database_url: str) -> tuple[str, str]:
    """A new API login (through the Python API: a `callfire-soap account create` would cost
    another interpreter start); (login, password)."""
    from callfire_soap.backend import Backend
    from callfire_soap.services.accounts import create_account as create

    login, password = "e2e-" + uuid.uuid4().hex[:8], "pw-" + uuid.uuid4().hex
    backend = Backend.open(database_url)
    try:
        create(backend.uow, login, password)
    finally:
        backend.close()
    return login, password


# -- PostgreSQL ----------------------------------------------------------------------------------
@dataclass
class LeastPrivilegeDatabase:
    role: str         # owns the database; runs `db upgrade`
    password: str
    name: str
    url: str          # connects as the owner role
    admin: object     # an AUTOCOMMIT engine on the base database, as the superuser
    app_role: str | None = None  # with runtime_role=True: a role with DML grants only
    app_url: str | None = None


def admin_engine():
    """An AUTOCOMMIT engine on PG_BASE, or a skip (a failure under CALLFIRE_STRICT) when
    PostgreSQL is unreachable."""
    from sqlalchemy import create_engine, text

    try:
        import psycopg  # noqa: F401
    except ImportError:
        require(False, "psycopg is not installed (pip install -e '.[test]')")
    engine = create_engine(PG_BASE, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    problem = None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        problem = str(exc).splitlines()[0]
        engine.dispose()
    require(problem is None, f"PostgreSQL is unreachable at {PG_BASE} (set CALLFIRE_TEST_PG_URL): {problem}")
    return engine


# What docs/deployment.md gives the runtime role when it is not the owner.
RUNTIME_GRANTS = """\
REVOKE ALL ON DATABASE {db} FROM PUBLIC;
GRANT CONNECT ON DATABASE {db} TO {app};
GRANT USAGE ON SCHEMA public TO {app};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO {app};
"""


@contextmanager
def least_privilege_database(runtime_role: bool = False):
    """A new role (LOGIN, password, no SUPERUSER/CREATEDB/CREATEROLE) owning a new, empty
    database made from template0, as docs/deployment.md tells an operator to set it up.
    runtime_role: also a second role that may only read and write the owner's tables (given
    before the tables exist, by default privileges). All are dropped afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = admin_engine()
    suffix = uuid.uuid4().hex[:10]
    role, name, password = f"cf_e2e_{suffix}", f"cf_e2e_{suffix}", "pw-" + uuid.uuid4().hex
    app_role = f"cf_e2e_app_{suffix}" if runtime_role else None
    roles = [r for r in (app_role, role) if r]
    base = make_url(PG_BASE)
    try:
        with admin.connect() as conn:
            for r in roles:
                conn.execute(text(f"CREATE ROLE {r} LOGIN PASSWORD '{password}' "
                                  "NOSUPERUSER NOCREATEDB NOCREATEROLE"))
            conn.execute(text(f"CREATE DATABASE {name} OWNER {role} TEMPLATE template0"))
        if app_role:
            from sqlalchemy import create_engine

            engine = create_engine(base.set(database=name), isolation_level="AUTOCOMMIT")
            try:
                with engine.connect() as conn:
                    for statement in RUNTIME_GRANTS.format(db=name, app=app_role, owner=role).split(";"):
                        if statement.strip():
                            conn.execute(text(statement))
            finally:
                engine.dispose()
        db = LeastPrivilegeDatabase(
            role, password, name, base.set(username=role, password=password, database=name)
            .render_as_string(hide_password=False), admin, app_role)
        if app_role:
            db.app_url = base.set(username=app_role, password=password, database=name).render_as_string(
                hide_password=False)
        yield db
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            for r in roles:
                conn.execute(text(f"DROP ROLE IF EXISTS {r}"))
        admin.dispose()


# -- processes -------------------------------------------------------------------------------
def stop_groups(procs: list[subprocess.Popen], grace: float = 30.0) -> None:
    """SIGTERM the process groups the children lead (all at once), SIGKILL those that linger
    (and always after, for any straggler in a group)."""
    for proc in procs:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)  # start_new_session: pgid == pid
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


@dataclass
class Node:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL to the node's whole process group (the server and all its workers)."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def _wait_until_up(proc: subprocess.Popen, url: str, log: Path, what: str, verify=True) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}:\n{tail(log)}")
        try:
            session = requests.Session()
            session.trust_env = False
            if session.get(url, timeout=5, verify=verify).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not answer {url} within {STARTUP_LIMIT:.0f} s:\n{tail(log)}")
        time.sleep(0.2)


@contextmanager
def app_nodes(names: list[str], database_url: str, tmp: Path, workers: int = 2, threads: int = 4):
    """One `callfire-soap serve --workers N` per name, each on a free loopback port behind a
    proxy (CALLFIRE_TRUST_FORWARDED=1) and in its own process group; started together."""
    nodes: list[Node] = []
    try:
        for name in names:
            port = free_port()
            log = tmp / f"node-{name}.log"
            with open(log, "wb") as out:
                proc = subprocess.Popen(
                    [*cli_command(), "serve", "--host", "127.0.0.1", "--port", str(port),
                     "--workers", str(workers), "--threads", str(threads), "--database", database_url],
                    env=child_env(CALLFIRE_TRUST_FORWARDED="1"), stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )
            nodes.append(Node(name, port, proc, log))
        for node in nodes:
            _wait_until_up(node.proc, f"http://{node.address}/healthz", node.log, f"node {node.name}")
        yield nodes
    finally:
        stop_groups([node.proc for node in nodes])


# -- TLS and nginx ---------------------------------------------------------------------------
def self_signed_certificate(tmp: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 (subjectAltName IP), made by the openssl CLI."""
    openssl = which("openssl")
    require(openssl is not None, "openssl is not installed (apt-get install openssl)")
    cert, key = tmp / "proxy.pem", tmp / "proxy.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


# What docs/deployment.md recommends inside each `location /api/1.1/`.
PROXY_HEADERS = """\
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host:$server_port;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_connect_timeout 5s;
            proxy_read_timeout 300s;
"""


def nginx_config(tmp: Path, cert: Path, key: Path, nodes: list[Node], ports: dict[str, int],
                 proxy_headers: str = PROXY_HEADERS) -> str:
    """One TLS server per upstream: ``ports["all"]`` balances over every node (the
    production shape); ``ports[node.name]`` reaches that node alone, for the cross-node
    checks. X-Upstream (test only) tells the client which node answered."""
    upstreams = ["    upstream callfire_all {\n"
                 + "".join(f"        server {n.address} max_fails=1 fail_timeout=10s;\n" for n in nodes)
                 + "    }\n"]
    upstreams += [f"    upstream callfire_{n.name} {{\n        server {n.address};\n    }}\n" for n in nodes]
    servers = []
    for upstream, port in ports.items():
        servers.append(f"""\
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate     {cert};
        ssl_certificate_key {key};
        client_max_body_size 32m;
        add_header X-Upstream $upstream_addr always;

        location /api/1.1/ {{
            proxy_pass http://callfire_{upstream};
{proxy_headers}        }}
        location = /healthz {{
            proxy_pass http://callfire_{upstream};
        }}
    }}
""")
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the tmp dir
    return f"""\
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log info;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$remote_addr "$request" $status upstream=$upstream_addr '
                        'upstream_status=$upstream_status';
    access_log {tmp}/nginx-access.log upstream;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;

{''.join(upstreams)}
{''.join(servers)}}}
"""


@contextmanager
def nginx(tmp: Path, config: str, cert: Path, ports: dict[str, int]):
    """nginx in the foreground (`daemon off`) with the given config, its own process group."""
    binary = which("nginx")
    require(binary is not None, "nginx is not installed (apt-get install nginx)")
    conf = tmp / "nginx.conf"
    conf.write_text(config)
    log = tmp / "nginx-error.log"
    with open(tmp / "nginx-stderr.log", "wb") as stderr:
        proc = subprocess.Popen(
            [binary, "-p", str(tmp), "-c", str(conf), "-e", str(log), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        for port in ports.values():
            _wait_until_up(proc, f"https://127.0.0.1:{port}/healthz", log, "nginx", verify=str(cert))
        yield proc
    finally:
        stop_groups([proc], grace=10)
