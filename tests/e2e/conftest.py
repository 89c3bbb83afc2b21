"""The session database with its schema in place before a CLI subprocess or a server
subprocess opens it (commands other than serve refuse a SQLite file that does not exist)."""
import pytest


@pytest.fixture(scope="session")
def db_url(app, database_url):
    return database_url
