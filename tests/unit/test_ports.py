"""The SQL adapters and the fakes implement every port, with the same parameter names, and
the fakes keep the unit-of-work rules the services rely on."""
from __future__ import annotations

import inspect
import typing

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.errors import AccountExists, DuplicateRequestId
from callfire_soap.domain.paging import Page
from callfire_soap.services import ports
from callfire_soap.storage import uow as storage_uow

from . import fakes

PORTS = [ports.AccountRepository, ports.ContactRepository, ports.HistoryRepository,
         ports.ListImportWriter, ports.ListRepository, ports.DncRepository, ports.UnitOfWork,
         ports.UnitOfWorkFactory]
_PROTOCOL_DUNDERS = {"__call__", "__enter__", "__exit__"}


def methods(protocol) -> dict[str, inspect.Signature]:
    found = {}
    for klass in reversed(protocol.__mro__):
        if klass in (object, typing.Protocol, typing.Generic):
            continue
        for name, value in vars(klass).items():
            if callable(value) and (not name.startswith("_") or name in _PROTOCOL_DUNDERS):
                found[name] = inspect.signature(value)
    return found


def attributes(klass) -> dict[str, type]:
    return typing.get_type_hints(klass)


def parameter_names(signature: inspect.Signature) -> list[str]:
    return [p.name for p in signature.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def assert_implements(klass, protocol) -> None:
    for name, expected in methods(protocol).items():
        assert hasattr(klass, name), f"{klass.__name__} lacks {protocol.__name__}.{name}"
        actual = inspect.signature(getattr(klass, name))
        assert parameter_names(actual) == parameter_names(expected), f"{klass.__name__}.{name}"
        defaults = {p.name: p.default for p in expected.parameters.values() if p.default is not p.empty}
        assert {n: actual.parameters[n].default for n in defaults} == defaults, f"{klass.__name__}.{name}"


def test_every_port_declares_something():
    for protocol in PORTS:
        assert methods(protocol), protocol


def test_sql_adapters_implement_the_ports():
    assert_implements(storage_uow.UnitOfWorkFactory, ports.UnitOfWorkFactory)
    assert_implements(storage_uow.UnitOfWork, ports.UnitOfWork)
    # The repositories the unit of work binds on __enter__, by its annotations (no database).
    bound = attributes(storage_uow.UnitOfWork)
    for name, port in attributes(ports.UnitOfWork).items():
        assert_implements(bound[name], port)


def test_fakes_implement_the_ports(uow_factory):
    assert_implements(fakes.FakeUnitOfWorkFactory, ports.UnitOfWorkFactory)
    assert isinstance(uow_factory, ports.UnitOfWorkFactory)
    with uow_factory() as uow:
        assert_implements(fakes.FakeUnitOfWork, ports.UnitOfWork)
        assert isinstance(uow, ports.UnitOfWork)
        for name, port in attributes(ports.UnitOfWork).items():
            assert_implements(type(getattr(uow, name)), port)


def test_the_check_catches_a_missing_method():
    class Incomplete:
        def by_login(self, login):
            return None

    with pytest.raises(AssertionError):
        assert_implements(Incomplete, ports.AccountRepository)


def test_the_check_catches_a_renamed_parameter():
    class Renamed(fakes.FakeAccountRepository):
        def add(self, name, password_hash):
            return 1

    with pytest.raises(AssertionError):
        assert_implements(Renamed, ports.AccountRepository)


# -- unit-of-work rules of the fakes ---------------------------------------------------------
def test_nothing_is_visible_before_commit(uow_factory, account_id):
    with uow_factory() as uow:
        [cid] = uow.lists.insert_contacts(account_id, [Contact(first_name="A")])
        assert uow_factory.get_contact(account_id, cid) is None
        with uow_factory(write=False) as other:
            assert other.contacts.existing_ids(account_id, [cid]) == set()
        uow.commit()
    assert uow_factory.get_contact(account_id, cid).first_name == "A"


def test_leaving_without_commit_discards(uow_factory, account_id):
    with uow_factory() as uow:
        uow.lists.insert_contacts(account_id, [Contact(first_name="A")])
    with uow_factory(write=False) as uow:
        assert uow.contacts.query(account_id, Page(10, 0)) == (0, [])


def test_rollback_discards_what_was_not_committed(uow_factory, account_id):
    with uow_factory() as uow:
        [kept] = uow.lists.insert_contacts(account_id, [Contact(first_name="kept")])
        uow.commit()
        [dropped] = uow.lists.insert_contacts(account_id, [Contact(first_name="dropped")])
        uow.rollback()
        assert uow.contacts.existing_ids(account_id, [kept, dropped]) == {kept}


def test_an_exception_discards_the_unit_of_work(uow_factory, account_id):
    with pytest.raises(ZeroDivisionError):
        with uow_factory() as uow:
            uow.dnc.create_list(account_id, "x", None)
            raise ZeroDivisionError
    assert uow_factory.store.dnc_lists == {}


def test_a_read_only_unit_of_work_cannot_commit(uow_factory):
    with uow_factory(write=False) as uow, pytest.raises(RuntimeError):
        uow.commit()


def test_loaded_contacts_are_copies(uow_factory, account_id):
    [cid] = uow_factory.add_contacts(account_id, Contact(first_name="A"))
    with uow_factory() as uow:
        uow.contacts.get_many(account_id, [cid])[cid].first_name = "changed without save"
        uow.commit()
    assert uow_factory.get_contact(account_id, cid).first_name == "A"


def test_ids_are_never_reused(uow_factory, account_id):
    [first] = uow_factory.add_contacts(account_id, Contact(first_name="A"))
    with uow_factory() as uow:
        uow.contacts.remove(account_id, [first])
        uow.commit()
    [second] = uow_factory.add_contacts(account_id, Contact(first_name="B"))
    assert second > first


def test_duplicate_login_is_a_conflict_across_units_of_work(uow_factory):
    with uow_factory() as first, uow_factory() as second:
        first.accounts.add("ann", "h")
        first.commit()
        with pytest.raises(AccountExists):
            second.accounts.add("ann", "h")


def test_duplicate_request_id_is_a_conflict_across_units_of_work(uow_factory, account_id, other_account):
    with uow_factory() as first, uow_factory() as second:
        first.lists.create(account_id, "a", "req")
        first.commit()
        with pytest.raises(DuplicateRequestId):
            second.lists.create(account_id, "b", "req")
        assert second.lists.create(other_account, "c", "req")  # another account's key
