"""A list import large for its table stops maintaining the contacts' phone-number indexes
and rebuilds them before commit (SQLite: list_bulk.sqlite.pause_number_indexes): the
committed database has the same indexes, in use; a failed import leaves them untouched and
its connection goes back to the pool with nothing to rebuild; PostgreSQL never pauses."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from callfire_soap.services import number_lookups
from callfire_soap.services.accounts import create_account
from callfire_soap.services.list_import import ListImport
from callfire_soap.services.list_sources import NumbersSource
from callfire_soap.storage import list_bulk
from callfire_soap.storage.list_bulk import sqlite as sqlite_bulk
from callfire_soap.storage.tables import contacts

NUMBERS = [f"1213221{n:04d}" for n in range(2000, 2300)]
INDEXES = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts' ORDER BY name"


@pytest.fixture
def sqlite_app(app):
    if app.backend.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pauses the indexes; PostgreSQL is covered below")
    return app


def _indexes(app) -> list[tuple]:
    with app.backend.engine.connect() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(INDEXES)]


def _import(app, numbers: list[str], fail_after: int | None = None):
    """A Numbers import into a new account and list, in batches of 50; fail_after: raise
    from the insert of that batch (1-based), after the indexes were paused."""
    account_id = create_account(app.backend.uow, "pause-" + uuid.uuid4().hex[:12], "pw")
    inserted = []
    with app.backend.uow() as uow, pytest.MonkeyPatch.context() as patch:
        patch.setattr("callfire_soap.services.list_import.NUMBERS_BATCH", 50)
        if fail_after is not None:
            original = uow.lists.insert_numbers

            def insert_numbers(*args):
                inserted.append(args)
                if len(inserted) == fail_after:
                    raise RuntimeError("the import fails here")
                return original(*args)
            patch.setattr(uow.lists, "insert_numbers", insert_numbers)
        list_id = uow.lists.create(account_id, "pause")
        importer = ListImport(uow, account_id, list_id)
        report = importer.run(NumbersSource(" ".join(numbers), "homePhone"))
        paused = bool(uow.conn.info.get("callfire_paused_indexes"))
        uow.commit()
    return account_id, report, importer.lookups.indexes_paused, paused


def test_a_paused_import_commits_with_the_same_indexes_in_use(sqlite_app, monkeypatch):
    monkeypatch.setattr(sqlite_bulk, "INDEX_REBUILD_RATIO", 10**9)
    before = _indexes(sqlite_app)
    account_id, report, paused, pending = _import(sqlite_app, NUMBERS)
    assert paused and pending  # dropped during the import, waiting for commit
    assert report.created == len(NUMBERS)
    assert _indexes(sqlite_app) == before
    with sqlite_app.backend.engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE account_id = ? AND mobile_phone = ?",
            (account_id, NUMBERS[0])))
        assert "ix_contacts_account_id_mobile_phone" in plan
        assert conn.execute(select(contacts.c.home_phone).where(
            contacts.c.account_id == account_id, contacts.c.home_phone == NUMBERS[7])).scalar() == NUMBERS[7]
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_a_failed_paused_import_leaves_the_indexes_and_nothing_to_rebuild(sqlite_app, monkeypatch):
    monkeypatch.setattr(sqlite_bulk, "INDEX_REBUILD_RATIO", 10**9)
    before = _indexes(sqlite_app)
    with pytest.raises(RuntimeError, match="fails here"):
        _import(sqlite_app, NUMBERS, fail_after=3)
    assert _indexes(sqlite_app) == before
    # The pooled connection is reused: its next commit must not rebuild what rollback restored.
    account_id, report, paused, _ = _import(sqlite_app, NUMBERS[:10])
    assert report.created == 10 and _indexes(sqlite_app) == before


def test_a_table_large_for_the_import_keeps_its_indexes(sqlite_app, monkeypatch):
    monkeypatch.setattr(sqlite_bulk, "INDEX_REBUILD_RATIO", 0)  # the table is never small enough
    _, report, paused, pending = _import(sqlite_app, NUMBERS)
    assert report.created == len(NUMBERS) and not paused and not pending


def test_only_an_import_answered_from_memory_pauses(sqlite_app, monkeypatch):
    """An import that still probes the indexes for merges never drops them."""
    monkeypatch.setattr(sqlite_bulk, "INDEX_REBUILD_RATIO", 10**9)
    monkeypatch.setattr(number_lookups, "PRELOAD_RATIO", 0)
    account_id = create_account(sqlite_app.backend.uow, "held-" + uuid.uuid4().hex[:8], "pw")
    with sqlite_app.backend.uow() as uow:
        uow.lists.insert_numbers(account_id, "home_phone", NUMBERS[:1])
        list_id = uow.lists.create(account_id, "probe")
        importer = ListImport(uow, account_id, list_id)
        importer.run(NumbersSource(" ".join(NUMBERS), "homePhone"))
        assert not importer.lookups.indexes_paused and not uow.conn.info.get("callfire_paused_indexes")
        uow.commit()


def test_postgresql_never_pauses(app):
    if app.backend.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with app.backend.uow() as uow:
        assert list_bulk.bulk_writer(uow.conn).pause_number_indexes(10**9) is False


def test_the_table_is_measured_as_the_import_found_it(sqlite_app, monkeypatch):
    """Rows the import inserted itself do not count against pausing (the rebuild covers them
    as maintenance would): with room for the table from the second batch on, it pauses there."""
    other = create_account(sqlite_app.backend.uow, "filler-" + uuid.uuid4().hex[:8], "pw")
    with sqlite_app.backend.uow() as uow:
        uow.lists.insert_numbers(other, "home_phone", [f"1310555{n:04d}" for n in range(300)])
        before = uow.conn.exec_driver_sql("SELECT count(*) FROM contacts").scalar_one()
        uow.commit()
    monkeypatch.setattr(sqlite_bulk, "INDEX_REBUILD_RATIO", before / 100)  # room at 100 candidates
    asked = []
    original = sqlite_bulk.SqliteBulk.pause_number_indexes

    def recorded(self, candidates):
        asked.append((candidates, original(self, candidates)))
        return asked[-1][1]
    monkeypatch.setattr(sqlite_bulk.SqliteBulk, "pause_number_indexes", recorded)
    _, report, paused, _ = _import(sqlite_app, NUMBERS)
    assert paused and report.created == len(NUMBERS)
    assert asked[:2] == [(50, False), (100, True)]
