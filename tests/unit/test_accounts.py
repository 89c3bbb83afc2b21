"""Accounts (services/accounts.py) against the fakes."""
from __future__ import annotations

import pytest

from callfire_soap.domain.errors import AccountExists, BadRequest
from callfire_soap.services import accounts as service


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch):
    """The production scrypt cost is ~50 ms a hash; the rules do not depend on it."""
    monkeypatch.setattr(service, "_N", 2**4)


def test_create_stores_a_hash_that_checks(uow_factory):
    account_id = service.create_account(uow_factory, "ann", "s3cret")
    with uow_factory(write=False) as uow:
        found_id, stored = uow.accounts.by_login("ann")
    assert found_id == account_id and stored.startswith("scrypt$") and "s3cret" not in stored
    assert service.check_password("s3cret", stored) and not service.check_password("other", stored)


@pytest.mark.parametrize("stored", ["", "md5$x", "scrypt$1$2$3$!!$??", "scrypt$a$b$c$d$e"])
def test_a_malformed_stored_hash_never_checks(stored):
    assert service.check_password("anything", stored) is False


def test_hashes_are_salted(uow_factory):
    assert service.hash_password("same") != service.hash_password("same")


@pytest.mark.parametrize("login", ["", "a:b", "tab\there", "x" * (service.MAX_LOGIN + 1)])
def test_invalid_login_is_bad_request(uow_factory, login):
    with pytest.raises(BadRequest):
        service.create_account(uow_factory, login, "pw")
    assert uow_factory.store.accounts == {}


@pytest.mark.parametrize("password", ["", "x" * (service.MAX_PASSWORD + 1)])
def test_invalid_password_is_bad_request(uow_factory, password):
    with pytest.raises(BadRequest):
        service.create_account(uow_factory, "ann", password)


def test_a_taken_login_is_account_exists(uow_factory):
    service.create_account(uow_factory, "ann", "pw")
    with pytest.raises(AccountExists):
        service.create_account(uow_factory, "ann", "other")
    assert len(uow_factory.store.accounts) == 1


def test_a_concurrent_create_of_the_same_login_is_account_exists(uow_factory):
    def rival_commits():
        with uow_factory() as rival:
            rival.accounts.add("ann", "h")
            rival.commit()
    uow_factory.on_begin.append(rival_commits)
    with pytest.raises(AccountExists):
        service.create_account(uow_factory, "ann", "pw")
    assert len(uow_factory.store.accounts) == 1


def test_account_exists_is_importable_from_the_service():
    # The CLI catches it from there.
    assert service.AccountExists is AccountExists


def test_the_unusable_hash_matches_no_password_at_the_real_cost():
    from callfire_soap.services import accounts

    stored = accounts.unusable_hash()
    assert stored.split("$")[1:4] == [str(accounts._N), str(accounts._R), str(accounts._P)]
    assert stored != accounts.unusable_hash()  # a fresh salt and digest each time
    for password in ("", "password", stored):
        assert not accounts.check_password(password, stored)
