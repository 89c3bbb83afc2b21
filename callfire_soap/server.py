"""Running the WSGI application: waitress in one process (the SQLite quick start), or
gunicorn with gthread workers for several processes (PostgreSQL in production)."""
from __future__ import annotations

import os
import sys


def serve_single(app, host: str, port: int, threads: int) -> None:
    import waitress

    # waitress drops X-Forwarded-* from untrusted peers; the app decides whether to trust them.
    waitress.serve(app, host=host, port=port, threads=threads, ident="callfire-soap",
                   max_request_body_size=app.max_body + 1,
                   clear_untrusted_proxy_headers=not app.trust_forwarded)


def serve_workers(database_url: str, host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn (gthread): each worker builds its own app and connection pool after the fork,
    so no database connection is ever shared between processes."""
    if sys.platform == "win32":
        raise SystemExit("callfire-soap: --workers needs gunicorn, which runs on Unix only")
    from gunicorn.app.base import BaseApplication

    from .app import create_app

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
            }
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self):
            # One pooled connection per request thread, plus a little headroom.
            return create_app(database_url, pool_size=threads, max_overflow=4)

    os.environ.setdefault("CALLFIRE_DATABASE_URL", database_url)
    _Gunicorn().run()
