"""Alembic revisions build exactly the schema the code uses, on SQLite and PostgreSQL."""
import subprocess
import sys
from contextlib import ExitStack

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.exc import OperationalError

from callfire_soap.storage import database
from callfire_soap.storage.scratch import scratch_database
from callfire_soap.storage.search import is_search_object
from callfire_soap.storage.tables import metadata
from tests.support import PG_BASE


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request):
    with ExitStack() as stack:
        try:
            url = stack.enter_context(scratch_database(PG_BASE if request.param == "postgresql" else None))
        except OperationalError as exc:
            pytest.skip(f"PostgreSQL not reachable at {PG_BASE}: {exc}")
        yield url


def test_upgrade_from_empty_matches_the_models(empty_database):
    engine = database.make_engine(empty_database)
    try:
        database.upgrade(engine)
        current, heads = database.revisions(engine)
        assert current == heads and heads
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True,
                "include_object": lambda obj, name, *_: not is_search_object(name),
            })
            diff = compare_metadata(context, metadata)
        assert diff == [], diff
    finally:
        engine.dispose()


def test_db_upgrade_command(empty_database):
    result = subprocess.run([sys.executable, "-m", "callfire_soap.cli", "db", "upgrade", "--database", empty_database],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "empty ->" in result.stdout
    again = subprocess.run([sys.executable, "-m", "callfire_soap.cli", "db", "upgrade", "--database", empty_database],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "empty" not in again.stdout


def test_prepare_refuses_an_old_server_schema_but_upgrades_sqlite(monkeypatch, empty_database):
    engine = database.make_engine(empty_database)
    upgraded = []
    monkeypatch.setattr(database, "revisions", lambda _engine: ({"0000_old"}, {"0001"}))
    monkeypatch.setattr(database, "upgrade", lambda _engine: upgraded.append(True))
    try:
        if engine.dialect.name == "sqlite":
            database.prepare(engine)
            assert upgraded == [True]
        else:
            with pytest.raises(database.SchemaBehind, match="callfire-soap db upgrade"):
                database.prepare(engine)
            assert upgraded == []
    finally:
        engine.dispose()


def test_search_index_exists_and_stays_in_step(empty_database):
    """The trigram index is created by the migrations, and updates and deletes reach it."""
    from callfire_soap.backend import Backend
    from callfire_soap.domain.contacts import Contact
    from callfire_soap.domain.paging import Page
    from callfire_soap.services.accounts import create_account
    from callfire_soap.storage import search

    backend = Backend.open(empty_database)
    try:
        with backend.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                assert search.has_fts(conn)
            else:
                assert conn.exec_driver_sql(
                    "SELECT 1 FROM pg_indexes WHERE indexname = %(name)s", {"name": search.PG_INDEX}).scalar()
        account_id = create_account(backend.uow, "searcher", "pw")
        with backend.uow() as uow:
            first, second = uow.contacts.add_many(account_id, [Contact(first_name="Zebulon"),
                                                               Contact(first_name="Quincy")])
            uow.commit()
        with backend.uow() as uow:
            contact = uow.contacts.get(account_id, first)
            contact.first_name = "Xavier"
            uow.contacts.save(contact)
            uow.contacts.remove(account_id, [second])
            uow.commit()
        with backend.uow(write=False) as uow:
            def found(needle):
                return [c.id for c in uow.contacts.query(account_id, Page(10, 0), text=needle)[1]]
            assert found("xavi") == [first]
            assert found("zebu") == []   # the old value left the index
            assert found("quin") == []   # so did the deleted contact
    finally:
        backend.close()


def test_revisions_do_not_import_the_application():
    """A revision must keep doing what it did when it was written: none may call code that
    later changes (its DDL is written out in the revision itself)."""
    import ast
    from pathlib import Path

    versions = Path(database.MIGRATIONS, "versions")
    for path in sorted(versions.glob("[0-9]*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.startswith("callfire_soap") for name in names), (path.name, names)


def test_the_head_revision_the_fast_check_knows_is_alembics(empty_database):
    engine = database.make_engine(empty_database)
    try:
        assert database.current_revisions(engine) == set()
        database.upgrade(engine)
        current, heads = database.revisions(engine)
        assert heads == {database.HEAD_REVISION}
        assert database.current_revisions(engine) == current == heads
    finally:
        engine.dispose()
