"""A unit of work whose transaction cannot begin gives its connection back to the pool
(__exit__ does not run when __enter__ fails)."""
import pytest
from sqlalchemy.engine import Connection

from callfire_soap.storage.database import make_engine
from callfire_soap.storage.uow import UnitOfWorkFactory


@pytest.mark.parametrize("snapshot", [False, True])
def test_a_failed_begin_returns_the_connection(database_url, monkeypatch, snapshot):
    engine = make_engine(database_url)
    factory = UnitOfWorkFactory(engine)
    before = engine.pool.checkedout()

    def fail(self, *args, **kwargs):
        raise RuntimeError("cannot begin")

    monkeypatch.setattr(Connection, "begin", fail)
    unit = factory.snapshot() if snapshot else factory()  # kept alive: no garbage collection
    with pytest.raises(RuntimeError, match="cannot begin"):  # returns the connection for us
        with unit:
            pass
    assert engine.pool.checkedout() == before
    monkeypatch.undo()
    engine.dispose()
