"""The session database with its schema in place before a CLI subprocess or a server
subprocess opens it (commands other than serve refuse a SQLite file that does not exist),
and fresh SQLite files for tests that want a database of their own."""
import shutil

import pytest

from tests.e2e.cli_support import new_login


@pytest.fixture(scope="session")
def db_url(app, database_url):
    return database_url


@pytest.fixture(scope="session")
def upgraded_sqlite(tmp_path_factory):
    """A SQLite file at the head revision, upgraded once a session (in process: the
    `db upgrade` command has tests of its own in tests/integration/test_migrations.py and
    tests/e2e/test_cli.py)."""
    from callfire_soap.storage import database

    path = tmp_path_factory.mktemp("template") / "upgraded.db"
    engine = database.make_engine("sqlite:///" + str(path))
    try:
        database.upgrade(engine)
    finally:
        engine.dispose()
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed: the file is whole
    return path


@pytest.fixture
def fresh_sqlite(upgraded_sqlite):
    """fresh_sqlite(path) -> the URL of a new, empty SQLite database at ``path``, at the head
    revision (a copy of the session's upgraded file)."""

    def make(path) -> str:
        shutil.copyfile(upgraded_sqlite, path)
        return "sqlite:///" + str(path)

    return make


@pytest.fixture
def login(app) -> str:
    """A new account of the session database for a test of the bulk CLI commands."""
    return new_login(app, "cli")
