"""The bulk writer of the session's backend, and on SQLite both ways a column of values
reaches a statement (one JSON array, or VALUES lists split at the parameter limit),
against a model of each rule."""
from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from callfire_soap.domain.contacts import Contact
from callfire_soap.services.accounts import create_account
from callfire_soap.storage import list_bulk
from callfire_soap.storage.tables import contacts, list_members
from tests.list_helpers import add_dnc


@pytest.fixture(params=["json", "values"])
def writer_mode(request, app, monkeypatch):
    """'json', or 'values' with VALUES lists of at most 3 values (SQLite only)."""
    if request.param == "values":
        if app.backend.engine.dialect.name != "sqlite":
            pytest.skip("SQLite without the JSON functions")
        monkeypatch.setattr(list_bulk.sqlite, "has_json", lambda dbapi: False)
        monkeypatch.setattr(list_bulk.sqlite, "_MAX_VALUES", 3)
    return request.param


def _account(app) -> int:
    return create_account(app.backend.uow, "bulk-" + uuid.uuid4().hex[:12], "pw")


def test_insert_numbers_and_add_members(app, writer_mode):
    account_id = _account(app)
    numbers = [f"1213221{n:04d}" for n in range(2380, 2390)]
    with app.backend.uow() as uow:
        writer = list_bulk.bulk_writer(uow.conn)
        ids = writer.insert_numbers(account_id, "work_phone", numbers)
        list_id = uow.lists.create(account_id, "bulk")
        writer.add_members(list_id, ids[:6])
        writer.add_members(list_id, ids[4:])  # two already members: skipped
        uow.commit()
    assert ids == sorted(ids) and len(set(ids)) == len(numbers)
    with app.backend.engine.connect() as conn:
        rows = conn.execute(select(contacts.c.id, contacts.c.work_phone, contacts.c.home_phone,
                                   contacts.c.search_text).where(contacts.c.account_id == account_id)
                            .order_by(contacts.c.id)).all()
        members = conn.execute(select(list_members.c.contact_id).where(list_members.c.list_id == list_id)
                               .order_by(list_members.c.contact_id)).scalars().all()
    assert [tuple(row) for row in rows] == [(i, n, None, n) for i, n in zip(ids, numbers, strict=True)]
    assert members == ids
    with app.backend.uow(write=False) as uow:
        found = uow.contacts.get_many(account_id, ids)
    assert [found[i].work_phone for i in ids] == numbers


def test_contact_ids_by_number(app, writer_mode):
    account_id = _account(app)
    a, b, c, d = (f"1213221{n:04d}" for n in range(2380, 2384))
    with app.backend.uow() as uow:
        low, high, other = list_bulk.bulk_writer(uow.conn).insert_contacts(account_id, [
            Contact(work_phone=a, mobile_phone=b), Contact(home_phone=a), Contact(mobile_phone=c)])
        uow.commit()
    asked = [d, c, a, b, a, "\u00e9", c, d]
    with app.backend.uow(write=False) as uow:
        assert list_bulk.bulk_writer(uow.conn).contact_ids_by_number(account_id, asked) == {
            a: low, b: low, c: other}
        assert list_bulk.bulk_writer(uow.conn).contact_ids_by_number(account_id, []) == {}
        assert list_bulk.bulk_writer(uow.conn).contact_ids_by_number(_account(app), asked) == {}
    assert high > low


def test_blocked_numbers(app, writer_mode):
    account_id = _account(app)
    numbers = [f"1213221{n:04d}" for n in range(2380, 2388)]
    owner = SimpleNamespace(id=account_id)
    add_dnc(app, owner, numbers[:2], call_dnc=True, text_dnc=False)
    add_dnc(app, owner, numbers[1:3], call_dnc=False, text_dnc=True)
    add_dnc(app, owner, numbers[3:5], call_dnc=False, text_dnc=False)  # blocks nothing
    add_dnc(app, SimpleNamespace(id=_account(app)), numbers[5:], call_dnc=True, text_dnc=True)
    with app.backend.uow(write=False) as uow:
        writer = list_bulk.bulk_writer(uow.conn)
        assert writer.blocked_numbers(account_id, numbers + numbers[:1]) == set(numbers[:3])
        assert writer.blocked_numbers(account_id, []) == set()
