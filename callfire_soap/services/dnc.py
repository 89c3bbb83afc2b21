"""Do Not Contact use cases: lists, the numbers on them, and per-number flags.

The rules (flag defaults, invalid numbers, unknown ids) are documented in
docs/api-notes-dnc.md. Every write runs in one unit of work and every number is
validated before it is opened, so a failing request changes nothing.
"""
from __future__ import annotations

from collections.abc import Sequence

from ..domain.dnc import (
    DncList,
    DncNumber,
    channels_to_remove,
    check_list_name,
    check_name_filter,
    flags_to_add,
    normalize_number,
    normalize_numbers,
    number_prefix,
)
from ..domain.errors import NotFound
from ..domain.paging import Page
from ..domain.phone import DEFAULT_REGION
from .ports import UnitOfWorkFactory
from .retry import rerun_on_conflict


def _list_not_found(list_id: int) -> NotFound:
    return NotFound(f"DNC list {list_id} not found")


@rerun_on_conflict
def create_dnc_list(uow_factory: UnitOfWorkFactory, account_id: int, name: str | None,
                    campaign_id: int | None = None, call_dnc: bool | None = None,
                    text_dnc: bool | None = None, tokens: Sequence[str] = (), region: str = DEFAULT_REGION) -> int:
    """A new list holding the given numbers (none is fine); returns its id."""
    name = check_list_name(name)
    numbers = normalize_numbers(tokens, region)
    flags = flags_to_add(call_dnc, text_dnc)
    with uow_factory() as uow:
        list_id = uow.dnc.create_list(account_id, name, campaign_id)
        uow.dnc.put_numbers(account_id, list_id, numbers, flags)
        uow.commit()
    return list_id


def get_dnc_list(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int) -> DncList:
    found = uow_factory.get_dnc_list(account_id, list_id)
    if found is None:
        raise _list_not_found(list_id)
    return found


def query_dnc_lists(uow_factory: UnitOfWorkFactory, account_id: int, page: Page,
                    campaign_id: int | None = None, name: str | None = None) -> tuple[int, list[DncList]]:
    """Lists of the account, by id; CampaignId matches exactly, Name is a case-insensitive
    substring. A blank Name does not filter."""
    check_name_filter("Name", name)
    with uow_factory(write=False) as uow:
        return uow.dnc.query_lists(account_id, page, campaign_id=campaign_id, name=name or None)


@rerun_on_conflict
def delete_dnc_list(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int) -> None:
    """Deletes the list and its numbers for good (a DNC list has no status to keep).
    An unknown id faults, so a client that deletes the wrong id finds out."""
    with uow_factory() as uow:
        if not uow.dnc.delete_list(account_id, list_id):
            raise _list_not_found(list_id)
        uow.commit()


@rerun_on_conflict
def add_numbers(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int, call_dnc: bool | None,
                text_dnc: bool | None, tokens: Sequence[str], region: str = DEFAULT_REGION) -> None:
    """Put the numbers on the list with the given flags (omitted = true); numbers already
    on the list take the new flags."""
    numbers = normalize_numbers(tokens, region)
    flags = flags_to_add(call_dnc, text_dnc)
    with uow_factory() as uow:
        if not uow.dnc.lock_list(account_id, list_id):
            raise _list_not_found(list_id)
        uow.dnc.put_numbers(account_id, list_id, numbers, flags)
        uow.commit()


@rerun_on_conflict
def remove_numbers(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int, call_dnc: bool | None,
                   text_dnc: bool | None, tokens: Sequence[str], region: str = DEFAULT_REGION) -> None:
    """Without flags the numbers leave the list; with flags only the channels given as
    true are unblocked. Numbers not on the list are ignored; invalid ones fault."""
    numbers = normalize_numbers(tokens, region)
    channels = channels_to_remove(call_dnc, text_dnc)
    with uow_factory() as uow:
        if not uow.dnc.lock_list(account_id, list_id):
            raise _list_not_found(list_id)
        uow.dnc.remove_numbers(list_id, numbers, channels)
        uow.commit()


def query_dnc_numbers(uow_factory: UnitOfWorkFactory, account_id: int, page: Page, prefix: str | None = None,
                      list_id: int | None = None, list_name: str | None = None,
                      call_dnc: bool | None = None, text_dnc: bool | None = None,
                      ) -> tuple[int, list[DncNumber]]:
    """One entry per (number, list), ordered by number then list id. Unknown list ids and
    names simply match nothing, as QueryContacts does with an unknown ContactListId."""
    digits = number_prefix(prefix)
    check_name_filter("DncListName", list_name)
    with uow_factory(write=False) as uow:
        return uow.dnc.query_numbers(
            account_id, page, prefix=digits, list_id=list_id, list_name=list_name or None,
            call_dnc=call_dnc, text_dnc=text_dnc,
        )


@rerun_on_conflict
def update_dnc_number(uow_factory: UnitOfWorkFactory, account_id: int, raw_number: str | None,
                      call_dnc: bool | None, text_dnc: bool | None, region: str = DEFAULT_REGION) -> None:
    """Set the given flags of the number on every list of the account (omitted flags stay
    as they are). A number that is on none of the account's lists is NOT_FOUND: there is
    no list to put it on, and creating entries implicitly would hide client mistakes."""
    number = normalize_number(raw_number, region)
    with uow_factory() as uow:
        if not uow.dnc.is_listed(account_id, number):
            raise NotFound(f"Number {number} is not on any DNC list")
        uow.dnc.set_flags(account_id, number, call_dnc, text_dnc)
        uow.commit()
