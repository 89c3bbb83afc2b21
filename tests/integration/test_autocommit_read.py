"""GetContact's transaction-free read (storage/autocommit_read.py) and the connection pool's
disconnect handling that replaced pool_pre_ping."""
from __future__ import annotations

import pytest
from sqlalchemy import PickleType, bindparam, select, text
from sqlalchemy.exc import DBAPIError

from callfire_soap.domain.contacts import Contact
from callfire_soap.storage import database
from callfire_soap.storage.autocommit_read import AutocommitSelect
from callfire_soap.storage.tables import contacts
from callfire_soap.storage.uow import UnitOfWorkFactory


def _both_reads(app, account_id, contact_id):
    with app.backend.uow(write=False) as uow:
        in_transaction = uow.contacts.get(account_id, contact_id)
    return in_transaction, app.backend.uow.contact_reads.get(account_id, contact_id)


@pytest.mark.parametrize("contact", [
    Contact(first_name="Ann", last_name="Lee", zipcode="90210", home_phone="12132212384",
            work_phone="12132212385", mobile_phone="12132212386", external_id="x-1", external_system="crm",
            custom={"Zeta": "last", "Alpha": "first", "Mid": "ünïcode"}),
    Contact(first_name="Bob"),
    Contact(mobile_phone="12132212384", custom={"F": "1"}),
])
def test_autocommit_read_gives_the_repository_answer(app, account, seed, contact):
    (cid,) = seed(account, [contact])
    in_transaction, direct = _both_reads(app, account.id, cid)
    assert direct is not None
    assert direct == in_transaction
    assert list(direct.custom) == sorted(contact.custom)  # custom fields in name order


def test_autocommit_read_keeps_accounts_apart(app, make_account, seed):
    owner, other = make_account(), make_account()
    (cid,) = seed(owner, [Contact(first_name="Private")])
    assert app.backend.uow.contact_reads.get(other.id, cid) is None
    assert app.backend.uow.contact_reads.get(owner.id, cid + 10_000) is None
    assert app.backend.uow.contact_reads.get(owner.id, cid).first_name == "Private"


def test_autocommit_read_sees_committed_writes_at_once(app, account, seed):
    (cid,) = seed(account, [Contact(first_name="Before")])
    assert app.backend.uow.contact_reads.get(account.id, cid).first_name == "Before"
    with app.backend.uow() as uow:
        uow.conn.execute(contacts.update().where(contacts.c.id == cid).values(first_name="After"))
        uow.commit()
    assert app.backend.uow.contact_reads.get(account.id, cid).first_name == "After"


def test_autocommit_select_refuses_columns_that_need_conversion(app):
    # created_at is a DateTime: SQLite stores it as text and SQLAlchemy converts it; psycopg
    # returns datetimes itself, so only SQLite must refuse.
    statement = select(contacts.c.id, contacts.c.created_at)
    if app.backend.engine.dialect.name == "sqlite":
        with pytest.raises(ValueError, match="created_at"):
            AutocommitSelect(app.backend.engine, statement)
    else:
        AutocommitSelect(app.backend.engine, statement)
    # A parameter the dialect would convert is refused the same way.
    statement = select(contacts.c.id).where(contacts.c.created_at > bindparam("since", type_=PickleType()))
    with pytest.raises(ValueError, match="since"):
        AutocommitSelect(app.backend.engine, statement)


@pytest.fixture
def pg_engine(app, database_url, monkeypatch):
    """pg_engine(pool_size, ping_idle_after): an engine of its own on the test database (its
    schema made by the app fixture), for tests that kill its server connections; PostgreSQL
    only."""
    engines = []

    def make(pool_size: int, ping_idle_after: float):
        engine = database.make_engine(database_url, pool_size=pool_size, max_overflow=0)
        engines.append(engine)
        if engine.dialect.name != "postgresql":
            pytest.skip("server-side disconnects need a database server")
        monkeypatch.setattr(database, "PING_IDLE_AFTER", ping_idle_after)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


def _backend_pid(conn) -> int:
    return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _terminate(database_url: str, pids) -> None:
    """What a server restart does to these connections."""
    admin = database.make_engine(database_url)
    try:
        with admin.connect() as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def test_autocommit_read_retries_once_on_a_dropped_connection(pg_engine, database_url):
    engine = pg_engine(pool_size=1, ping_idle_after=3600.0)  # no ping: the read itself meets the break
    reads = UnitOfWorkFactory(engine).contact_reads
    assert reads.get(-1, -1) is None  # the pool now holds one live connection
    with engine.connect() as conn:
        backend_pid = _backend_pid(conn)
    _terminate(database_url, [backend_pid])
    assert reads.get(-1, -1) is None  # answered on a fresh connection, no error
    with engine.connect() as conn:
        assert _backend_pid(conn) != backend_pid


def test_idle_connection_is_pinged_and_replaced(pg_engine, database_url):
    engine = pg_engine(pool_size=1, ping_idle_after=0.0)  # every checkout counts as idle
    with engine.connect() as conn:
        backend_pid = _backend_pid(conn)
    _terminate(database_url, [backend_pid])
    # Through a SQLAlchemy Connection, which does not retry: only the ping saves it.
    with engine.connect() as conn:
        assert _backend_pid(conn) != backend_pid


def test_write_on_a_dropped_connection_fails_once_then_the_pool_recovers(pg_engine, database_url):
    engine = pg_engine(pool_size=1, ping_idle_after=3600.0)
    uow_factory = UnitOfWorkFactory(engine)
    with engine.connect() as conn:
        backend_pid = _backend_pid(conn)
    _terminate(database_url, [backend_pid])
    with pytest.raises(DBAPIError) as failure:
        with uow_factory() as uow:
            uow.conn.execute(contacts.update().where(contacts.c.id == -1).values(first_name="x"))
            uow.commit()
    assert failure.value.connection_invalidated
    with uow_factory() as uow:  # the next unit of work gets a fresh connection
        uow.conn.execute(contacts.update().where(contacts.c.id == -1).values(first_name="x"))
        uow.commit()


def test_autocommit_read_after_a_server_restart_with_several_pooled_connections(pg_engine, database_url):
    """A restart drops every pooled connection: the retry must not meet another dead one."""
    engine = pg_engine(pool_size=3, ping_idle_after=3600.0)
    reads = UnitOfWorkFactory(engine).contact_reads
    held = [engine.connect() for _ in range(3)]  # fill the pool with three live connections
    pids = [_backend_pid(conn) for conn in held]
    for conn in held:
        conn.close()
    _terminate(database_url, pids)
    assert reads.get(-1, -1) is None
    assert reads.get(-1, -1) is None


@pytest.mark.parametrize("text_filter", [None, "needle"])
def test_query_total_with_max_results_zero_and_past_the_end(app, account, seed, text_filter):
    from callfire_soap.domain.paging import Page

    seed(account, [Contact(first_name="Needle One"), Contact(first_name="Needle Two")])
    with app.backend.uow(write=False) as uow:
        for page, expected_rows in ((Page(0, 0), 0), (Page(1, 0), 1), (Page(10, 0), 2), (Page(10, 5), 0)):
            total, rows = uow.contacts.query(account.id, page, text=text_filter)
            assert (total, len(rows)) == (2, expected_rows), page
