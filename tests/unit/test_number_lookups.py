"""When a list import reads the account's DNC numbers and contacts' numbers once instead of
probing per batch (services/number_lookups.py), and that the answers do not change."""
from __future__ import annotations

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.dnc import Flags
from callfire_soap.services import number_lookups
from callfire_soap.services.number_lookups import NumberLookups

NUMBERS = [f"1213221{n:04d}" for n in range(2000, 2100)]


class Recording:
    """The fake list repository, with each read of number_lookups' kinds recorded."""

    def __init__(self, lists):
        self.lists = lists
        self.calls: list[tuple] = []

    def __getattr__(self, name):
        method = getattr(self.lists, name)

        def recorded(*args):
            self.calls.append((name, *args[1:]) if name != "pause_number_indexes" else (name, *args))
            return method(*args)
        return recorded


@pytest.fixture
def account(uow_factory, account_id):
    """An account with 10 contacts (NUMBERS[0:10] at home, the first also at work) and
    4 DNC entries (NUMBERS[10:14], the last with both channels cleared)."""
    with uow_factory() as uow:
        uow.lists.insert_contacts(account_id, [Contact(home_phone=n) for n in NUMBERS[:10]])
        uow.lists.insert_contacts(account_id, [Contact(work_phone=NUMBERS[0])])
        blocking = uow.dnc.create_list(account_id, "dnc", None)
        uow.dnc.put_numbers(account_id, blocking, NUMBERS[10:13], Flags(call_dnc=True, text_dnc=False))
        cleared = uow.dnc.create_list(account_id, "cleared", None)
        uow.dnc.put_numbers(account_id, cleared, NUMBERS[13:14], Flags(call_dnc=False, text_dnc=False))
        uow.commit()
    return account_id


def _lookups(uow_factory, account_id):
    uow = uow_factory()
    uow.__enter__()
    uow.lists = Recording(uow.lists)
    return NumberLookups(uow, account_id), uow.lists.calls


def test_a_small_account_is_read_once_and_answers_every_batch(uow_factory, account):
    lookups, calls = _lookups(uow_factory, account)
    lookups.batch(3)  # 12 rows allowed per lookup at ratio 4: 11 contacts, 4 DNC entries fit
    assert lookups.preloaded == (True, True)
    # Nothing looks contacts up by number any more: the storage may stop maintaining those indexes.
    assert calls == [("all_blocked_numbers", 12), ("all_contact_numbers", 12), ("pause_number_indexes", 3)]
    assert lookups.indexes_paused
    asked = NUMBERS[:20]
    assert lookups.blocked(asked) == set(NUMBERS[10:13])
    assert lookups.holders(asked) == {n: i + 1 for i, n in enumerate(NUMBERS[:10])}
    lookups.batch(1000)
    assert lookups.blocked(asked) == set(NUMBERS[10:13])
    assert [c[0] for c in calls] == ["all_blocked_numbers", "all_contact_numbers", "pause_number_indexes"]


def test_an_account_too_large_for_the_import_is_probed_and_tried_again_when_it_doubles(uow_factory, account):
    lookups, calls = _lookups(uow_factory, account)
    lookups.batch(2)  # 8 rows allowed: the 4 DNC entries fit, the 11 contacts do not
    assert lookups.preloaded == (True, False)
    assert lookups.holders(NUMBERS[:2]) == {NUMBERS[0]: 1, NUMBERS[1]: 2}
    assert calls[-1] == ("contact_ids_by_number", NUMBERS[:2])
    assert not lookups.indexes_paused and all(c[0] != "pause_number_indexes" for c in calls)
    lookups.batch(1)  # 3 candidates: not yet twice 2
    assert ("all_contact_numbers", 12) not in calls and lookups.preloaded == (True, False)
    lookups.batch(1)  # 4: 16 rows allowed
    assert calls[-2:] == [("all_contact_numbers", 16), ("pause_number_indexes", 4)]
    assert lookups.preloaded == (True, True)
    assert lookups.holders(NUMBERS[9:11]) == {NUMBERS[9]: 10}


def test_never_more_than_the_limit_is_read(uow_factory, account, monkeypatch):
    monkeypatch.setattr(number_lookups, "PRELOAD_LIMIT", 5)
    lookups, calls = _lookups(uow_factory, account)
    lookups.batch(1000)
    assert calls == [("all_blocked_numbers", 5), ("all_contact_numbers", 5)]
    assert lookups.preloaded == (True, False) and not lookups.indexes_paused
    lookups.batch(10_000)  # at the limit already: never tried again
    assert len(calls) == 2
    assert lookups.holders([NUMBERS[0]]) == {NUMBERS[0]: 1}
    assert calls[-1] == ("contact_ids_by_number", [NUMBERS[0]])


def test_existing_contacts_put_on_a_list_read_only_the_dnc_numbers(uow_factory, account):
    lookups, calls = _lookups(uow_factory, account)
    lookups.batch(100, merges=False)
    assert calls == [("all_blocked_numbers", 400)]
    assert lookups.preloaded == (True, False) and not lookups.indexes_paused
