"""Scratch databases: a fresh, empty database for a test session, a benchmark or the soak."""
from __future__ import annotations

import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text


@contextmanager
def scratch_database(url: str | None):
    """A fresh, empty database: a temporary SQLite file, or a new schema in the given
    PostgreSQL database (dropped afterwards). The benchmarks, the soak and the test suite
    all work in one of these."""
    if not url or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="cf-scratch-") as tmp:
            yield "sqlite:///" + str(Path(tmp) / "callfire.db")
        return
    schema = "cf_scratch_" + uuid.uuid4().hex[:10]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
