"""GetDncList's transaction-free read (UnitOfWorkFactory.get_dnc_list, an AutocommitSelect in
storage/dnc.py) against the real database: the same answer as the repository's read in a
unit of work, scoped to the account, and NOT_FOUND for a list that is not the caller's."""
from __future__ import annotations

import pytest

from callfire_soap.domain.dnc import flags_to_add
from callfire_soap.domain.errors import NotFound
from callfire_soap.services import dnc as service
from callfire_soap.storage.dnc import DncListReads

LA1, LA2, SM1 = "12132212384", "12132212385", "13105551212"


def _in_transaction(app, account_id, list_id):
    with app.backend.uow(write=False) as uow:
        return uow.dnc.get_list(account_id, list_id)


def test_the_factory_reads_through_the_autocommit_select(app):
    assert isinstance(app.backend.uow.dnc_list_reads, DncListReads)


@pytest.mark.parametrize("name, campaign_id, tokens", [
    ("Opt-outs", 42, [LA1, LA2, SM1]),
    ("Empty, no campaign", None, []),
    ("ünïcode ✓", 2**40, [LA1]),
])
def test_dnc_list_read_gives_the_repository_answer(app, account, name, campaign_id, tokens):
    list_id = service.create_dnc_list(app.backend.uow, account.id, name, campaign_id, tokens=tokens)
    direct = app.backend.uow.get_dnc_list(account.id, list_id)
    assert direct == _in_transaction(app, account.id, list_id)
    assert (direct.id, direct.name, direct.campaign_id, direct.size) == (list_id, name, campaign_id, len(tokens))
    assert all(type(value) is int for value in (direct.id, direct.size))


def test_dnc_list_read_keeps_accounts_apart(app, make_account):
    owner, other = make_account(), make_account()
    theirs = service.create_dnc_list(app.backend.uow, owner.id, "Private", None, tokens=[LA1])
    service.create_dnc_list(app.backend.uow, other.id, "Decoy", None, tokens=[LA1, LA2])
    assert app.backend.uow.get_dnc_list(other.id, theirs) is None
    assert app.backend.uow.get_dnc_list(owner.id, theirs + 10_000) is None
    assert app.backend.uow.get_dnc_list(owner.id, theirs).size == 1  # the other list's numbers don't count


def test_get_dnc_list_of_another_account_or_a_missing_list_is_not_found(app, make_account):
    owner, other = make_account(), make_account()
    theirs = service.create_dnc_list(app.backend.uow, owner.id, "Private", None, tokens=[LA1])
    for account_id, list_id in ((other.id, theirs), (owner.id, theirs + 10_000), (owner.id, -1)):
        with pytest.raises(NotFound, match=f"DNC list {list_id} not found"):
            service.get_dnc_list(app.backend.uow, account_id, list_id)
    assert service.get_dnc_list(app.backend.uow, owner.id, theirs).name == "Private"


def test_dnc_list_read_sees_committed_writes_at_once(app, account):
    list_id = service.create_dnc_list(app.backend.uow, account.id, "Growing", None, tokens=[LA1])
    assert service.get_dnc_list(app.backend.uow, account.id, list_id).size == 1
    service.add_numbers(app.backend.uow, account.id, list_id, None, None, [LA2, SM1])
    assert service.get_dnc_list(app.backend.uow, account.id, list_id).size == 3
    with app.backend.uow() as uow:
        uow.dnc.put_numbers(account.id, list_id, ["13105559999"], flags_to_add(None, None))
        assert app.backend.uow.get_dnc_list(account.id, list_id).size == 3  # not before commit
        uow.commit()
    assert service.get_dnc_list(app.backend.uow, account.id, list_id).size == 4
    service.delete_dnc_list(app.backend.uow, account.id, list_id)
    with pytest.raises(NotFound):
        service.get_dnc_list(app.backend.uow, account.id, list_id)
