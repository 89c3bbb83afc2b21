"""Running the WSGI application. `serve` runs granian (a Rust HTTP server with a WSGI
interface) by default, for one process and for several; gunicorn (gthread) and waitress remain
selectable with --server. BENCHMARKS.md has the comparison that chose granian."""
from __future__ import annotations

import os
import sys

SERVERS = ("granian", "gunicorn", "waitress")
DEFAULT_SERVER = "granian"

# Passed from `serve` to the worker processes, which build their own application from them.
# granian counts connections, not requests, against its backpressure limit: an idle
# keep-alive connection holds a slot. The limit only bounds memory per worker; the blocking
# threads bound the requests running in Python.
BACKPRESSURE = 1024

_ENV_URL = "CALLFIRE_DATABASE_URL"
_ENV_POOL = "CALLFIRE_SERVE_POOL_SIZE"
_ENV_SUPERVISOR = "CALLFIRE_SERVE_SUPERVISOR"


def worker_app():
    """The application of one worker process, built after the fork: each worker has its own
    connection pool, so no database connection is ever shared between processes."""
    from .app import create_app

    supervisor = os.environ.get(_ENV_SUPERVISOR)
    if supervisor:
        _die_with(int(supervisor))
        # granian starts every request's environ from a copy of the worker's os.environ (as
        # CGI does), taken after this factory returns: a variable such as HTTP_AUTHORIZATION
        # or CONTENT_TYPE in the server's environment would otherwise stand in for a header
        # the request did not send.
        for key in [k for k in os.environ if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")]:
            del os.environ[key]
    # One pooled connection per request thread, plus a little headroom.
    return create_app(os.environ[_ENV_URL], pool_size=int(os.environ[_ENV_POOL]), max_overflow=4)


def _die_with(supervisor: int) -> None:
    """granian's workers outlive a supervisor that is killed (SIGKILL, OOM killer) and go on
    serving with nobody to stop them; gunicorn's and waitress's do not. Make the worker die
    with it: the server stays one unit that a supervisor (systemd, a test) can kill."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != supervisor:  # it died before the prctl
        os._exit(1)


def serve(database_url: str, host: str, port: int, workers: int, threads: int,
          server: str = DEFAULT_SERVER) -> None:
    """Serve from worker processes until SIGTERM/SIGINT (granian or gunicorn; waitress, one
    process, is serve_waitress). ``workers`` 0 means one worker."""
    os.environ[_ENV_URL] = database_url
    os.environ[_ENV_POOL] = str(threads)
    if server == "gunicorn":
        serve_gunicorn("callfire_soap.server:worker_app()", host, port, max(workers, 1), threads)
    elif server == "granian":
        os.environ[_ENV_SUPERVISOR] = str(os.getpid())
        serve_granian("callfire_soap.server:worker_app", host, port, max(workers, 1), threads, factory=True)
    else:
        raise SystemExit(f"callfire-soap: unknown server {server!r}")


def serve_waitress(app, host: str, port: int, threads: int, on_bound=None) -> None:
    """waitress in this process, with an application built here. ``on_bound(port)`` runs once
    the socket is bound (a port in use fails before it). waitress has no access log of its
    own; accesslog.py writes one line per request."""
    import waitress

    # waitress drops X-Forwarded-* from untrusted peers; the app decides whether to trust them.
    server = waitress.create_server(app, host=host, port=port, threads=threads, ident="callfire-soap",
                                    max_request_body_size=app.max_body + 1,
                                    clear_untrusted_proxy_headers=not app.trust_forwarded)
    if on_bound is not None:
        on_bound(server.effective_port)
    try:
        server.run()
    finally:
        server.close()


def serve_granian(target: str, host: str, port: int, workers: int, threads: int, factory: bool = False) -> None:
    """granian: a supervisor process and ``workers`` worker processes, each with ``threads``
    Python threads that run the WSGI application while Rust threads do the network I/O."""
    from granian.constants import HTTPModes, Interfaces
    from granian.server import Server

    Server(
        target, address=host, port=port, interface=Interfaces.WSGI, factory=factory,
        workers=workers, blocking_threads=threads,
        backpressure=BACKPRESSURE,
        # The documented setup is HTTP/1.1 behind a proxy; SOAP clients speak HTTP/1.1.
        http=HTTPModes.http1, websockets=False,
        # A worker that dies (OOM kill, segfault) is replaced; a crash loop stops the server.
        respawn_failed_workers=True,
        # SIGTERM: workers finish their requests in flight, then exit; one still busy after
        # 30 s is killed (systemd's TimeoutStopSec should be longer).
        workers_kill_timeout=30,
        log_access=False,
    ).serve()


def serve_gunicorn(target: str, host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn (gthread): ``workers`` processes forked from an arbiter, each building its
    application after the fork (preload off)."""
    if sys.platform == "win32":
        raise SystemExit("callfire-soap: gunicorn runs on Unix only")
    from gunicorn.app.base import BaseApplication
    from gunicorn.util import import_app

    class _Gunicorn(BaseApplication):
        def load_config(self):
            settings = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "preload_app": False,
                "proc_name": "callfire-soap",
                "accesslog": None,
                "graceful_timeout": 30,
                "timeout": 120,
                # The app decides whether to trust X-Forwarded-* (CALLFIRE_TRUST_FORWARDED);
                # gunicorn must not rewrite wsgi.url_scheme from them on its own.
                "forwarded_allow_ips": "",
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            return import_app(target)

    _Gunicorn().run()
