"""The bulk DNC merge (storage/dnc_bulk.py), the streamed exports' reads, and number-aware
QueryContacts/String, on the session's database (SQLite, or PostgreSQL with COPY)."""
from __future__ import annotations

import uuid

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.dnc import Flags
from callfire_soap.domain.paging import Page
from callfire_soap.services.accounts import create_account
from callfire_soap.services.contacts import query_contacts
from callfire_soap.services.dnc import create_dnc_list
from callfire_soap.storage import dnc_bulk
from callfire_soap.storage.contacts import search_needles

A, B, C, D = "12132212384", "12132212385", "12132212386", "12132212387"


def _account(app) -> int:
    return create_account(app.backend.uow, "dncbulk-" + uuid.uuid4().hex[:12], "pw")


def _entries(app, account_id, list_id) -> dict[str, Flags]:
    with app.backend.uow(write=False) as uow:
        return {e.number: Flags(e.call_dnc, e.text_dnc) for e in uow.dnc.iter_numbers(account_id, list_id)}


def test_merge_adds_updates_and_keeps_the_last_entry(app):
    account_id = _account(app)
    list_id = create_dnc_list(app.backend.uow, account_id, "bulk", tokens=[A, B], call_dnc=True, text_dnc=True)
    other = create_dnc_list(app.backend.uow, account_id, "other", tokens=[C], call_dnc=True, text_dnc=True)
    entries = [(1, A, True, True), (2, B, False, True), (3, C, True, False), (4, D, True, True),
               (5, C, False, False)]
    with app.backend.uow() as uow:
        counts = uow.dnc.merge_numbers(account_id, list_id, iter(entries))
        uow.commit()
    assert counts == (2, 1, 1)  # added C and D, updated B, A unchanged
    assert _entries(app, account_id, list_id) == {
        A: Flags(True, True), B: Flags(False, True), C: Flags(False, False), D: Flags(True, True)}
    assert _entries(app, account_id, other) == {C: Flags(True, True)}  # other lists untouched
    with app.backend.uow(write=False) as uow:
        assert uow.dnc.get_list(account_id, list_id).size == 4
        assert uow.dnc.blocked_numbers(account_id, [A, C, D]) == {A, C, D}  # C blocked by "other"


def test_merge_in_several_batches_and_twice_in_one_transaction(app, monkeypatch):
    monkeypatch.setattr(dnc_bulk, "_BATCH", 3)
    account_id = _account(app)
    list_id = create_dnc_list(app.backend.uow, account_id, "batches")
    numbers = [f"1213221{n:04d}" for n in range(2400, 2410)]
    with app.backend.uow() as uow:
        first = uow.dnc.merge_numbers(account_id, list_id, ((i, n, True, False) for i, n in enumerate(numbers)))
        second = uow.dnc.merge_numbers(account_id, list_id, ((i, n, True, True) for i, n in enumerate(numbers[5:])))
        uow.commit()
    assert (first, second) == ((10, 0, 0), (0, 5, 0))
    assert sum(flags.text_dnc for flags in _entries(app, account_id, list_id).values()) == 5


def test_a_failed_merge_writes_nothing(app):
    account_id = _account(app)
    list_id = create_dnc_list(app.backend.uow, account_id, "atomic", tokens=[A])
    def entries():
        yield 1, B, True, True
        raise OSError("the spool file went away")

    with pytest.raises(OSError, match="went away"):
        with app.backend.uow() as uow:
            uow.dnc.merge_numbers(account_id, list_id, entries())
            uow.commit()
    assert _entries(app, account_id, list_id) == {A: Flags(True, True)}
    with app.backend.uow() as uow:  # the staging tables went with the rollback
        assert uow.dnc.merge_numbers(account_id, list_id, iter([(1, B, True, True)])) == (1, 0, 0)
        uow.commit()


def test_copy_refuses_a_number_it_would_have_to_escape(app):
    if app.backend.engine.dialect.name != "postgresql":
        pytest.skip("SQLite binds each value as a parameter")
    account_id = _account(app)
    list_id = create_dnc_list(app.backend.uow, account_id, "escape")
    with pytest.raises(ValueError, match="not a normalised number"):
        with app.backend.uow() as uow:
            uow.dnc.merge_numbers(account_id, list_id, iter([(1, "12\t3", True, True)]))


def test_iter_contacts_streams_each_contact_once_with_its_fields(app):
    account_id = _account(app)
    people = [Contact(first_name=f"P{i}", home_phone=f"1213221{i:04d}",
                      custom={f"f{j}": f"v{i}.{j}" for j in range(i % 3)}) for i in range(7)]
    with app.backend.uow() as uow:
        ids = uow.contacts.add_many(account_id, people)
        list_id = uow.lists.create(account_id, "some")
        uow.lists.add_members(list_id, ids[2:5])
        uow.commit()
    with app.backend.uow(write=False) as uow:
        everyone = list(uow.contacts.iter_contacts(account_id))
        members = list(uow.contacts.iter_contacts(account_id, list_id))
        assert uow.contacts.custom_field_names(account_id) == ["f0", "f1"]
        assert uow.contacts.custom_field_names(account_id, list_id) == ["f0", "f1"]
        assert uow.contacts.custom_field_names(account_id, list_id + 10**9) == []  # no such list
    assert [c.id for c in everyone] == ids
    assert [(c.first_name, c.custom) for c in everyone] == [(p.first_name, p.custom) for p in people]
    assert [c.id for c in members] == ids[2:5]


@pytest.mark.parametrize("text, expected", [
    ("(213) 555-1007", ["(213) 555-1007", "2135551007"]),
    ("+1 213.555.1007", ["+1 213.555.1007", "12135551007"]),
    ("555-1007", ["555-1007", "5551007"]),
    ("2135551007", ["2135551007"]),
    ("Ann Lee", ["ann lee"]),
    ("213-x", ["213-x"]),
    ("()", ["()"]),
])
def test_search_needles(text, expected):
    assert search_needles(text) == expected


@pytest.mark.parametrize("text, field, expected", [
    ("(213) 555-1007", None, {"Ann"}),
    ("+1 (213) 555-1007", None, {"Ann"}),
    ("213.555.1007", None, {"Ann"}),
    ("555-1007", None, {"Ann", "Cy"}),  # Cy's note holds "555-1007" as typed
    ("2135551007", None, {"Ann"}),
    ("555 9999", None, {"Bob"}),
    ("555-1007", "homePhone", {"Ann"}),
    ("(213) 555-9999", "workPhone", {"Bob"}),
    ("555-1007", "note", {"Cy"}),  # custom fields match as typed
    ("Bob", None, {"Bob"}),
    ("(213) 555-0000", None, set()),
])
def test_number_aware_search(app, text, field, expected):
    account_id = _account(app)
    with app.backend.uow() as uow:
        uow.contacts.add_many(account_id, [
            Contact(first_name="Ann", home_phone="12135551007"),
            Contact(first_name="Bob", work_phone="12135559999"),
            Contact(first_name="Cy", home_phone="12135550001", custom={"note": "call 555-1007"}),
        ])
        uow.commit()
    total, found = query_contacts(app.backend.uow, account_id, Page(limit=10, offset=0), field_name=field, text=text)
    assert {c.first_name for c in found} == expected and total == len(expected)
