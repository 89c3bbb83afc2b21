"""Do Not Contact use cases (services/dnc.py) against the fakes: all eight operations."""
from __future__ import annotations

import pytest

from callfire_soap.domain.dnc import MAX_NAME_LENGTH, DncNumber
from callfire_soap.domain.errors import BadRequest, NotFound
from callfire_soap.domain.paging import Page
from callfire_soap.services import dnc as service

ALL = Page(1000, 0)
LA1, LA2, SM1, SM2 = "12132212384", "12132212385", "13105551212", "13105551213"


def entries(uow_factory, account_id: int, **filters) -> list[tuple[str, int, bool, bool]]:
    _, found = service.query_dnc_numbers(uow_factory, account_id, ALL, **filters)
    return [(n.number, n.dnc_list_id, n.call_dnc, n.text_dnc) for n in found]


def flags_of(uow_factory, account_id: int, list_id: int) -> dict[str, tuple[bool, bool]]:
    return {number: (call, text) for number, lst, call, text in entries(uow_factory, account_id, list_id=list_id)}


@pytest.fixture
def two_lists(uow_factory, account_id):
    first = service.create_dnc_list(uow_factory, account_id, "Opt-outs", 7, tokens=[LA1, SM1])
    second = service.create_dnc_list(uow_factory, account_id, "Complaints", None, call_dnc=False,
                                     tokens=[LA1, LA2])
    return first, second


# -- create, get, delete ---------------------------------------------------------------------
def test_create_get_and_delete(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "  Opt-outs ", 42, tokens=[LA1, "+1 310 555 1212"])
    got = service.get_dnc_list(uow_factory, account_id, list_id)
    assert (got.id, got.name, got.campaign_id, got.size) == (list_id, "Opt-outs", 42, 2)
    service.delete_dnc_list(uow_factory, account_id, list_id)
    with pytest.raises(NotFound):
        service.get_dnc_list(uow_factory, account_id, list_id)
    assert entries(uow_factory, account_id) == []


def test_get_reads_outside_any_unit_of_work(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1])
    opened = len(uow_factory.units)
    assert service.get_dnc_list(uow_factory, account_id, list_id).size == 1
    assert len(uow_factory.units) == opened  # one consistent read: UnitOfWorkFactory.get_dnc_list


def test_create_without_numbers_or_campaign(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "Empty")
    got = service.get_dnc_list(uow_factory, account_id, list_id)
    assert (got.campaign_id, got.size) == (None, 0)


def test_create_normalises_and_deduplicates_numbers(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L",
                                      tokens=["(213)221-2384", LA1, "+12132212384", "2132212385"])
    assert list(flags_of(uow_factory, account_id, list_id)) == [LA1, LA2]


@pytest.mark.parametrize("name", [None, "", "   ", "x" * (MAX_NAME_LENGTH + 1), "a\x00b"])
def test_create_with_a_blank_or_overlong_name_is_bad_request(uow_factory, account_id, name):
    with pytest.raises(BadRequest):
        service.create_dnc_list(uow_factory, account_id, name)
    assert uow_factory.store.dnc_lists == {}


def test_create_with_a_bad_number_names_it_and_creates_nothing(uow_factory, account_id):
    with pytest.raises(BadRequest) as excinfo:
        service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1, "555", "abc"])
    assert "'555'" in excinfo.value.message and "'abc'" in excinfo.value.message
    assert excinfo.value.detail == "555 abc"
    assert uow_factory.store.dnc_lists == {}


@pytest.mark.parametrize("operation", ["get", "delete"])
def test_get_and_delete_of_unknown_or_foreign_list_are_not_found(uow_factory, account_id, other_account,
                                                                  operation):
    theirs = service.create_dnc_list(uow_factory, other_account, "theirs", tokens=[LA1])
    call = service.get_dnc_list if operation == "get" else service.delete_dnc_list
    for list_id in (theirs, theirs + 1):
        with pytest.raises(NotFound):
            call(uow_factory, account_id, list_id)
    assert service.get_dnc_list(uow_factory, other_account, theirs).size == 1


def test_deleted_list_ids_are_not_reused(uow_factory, account_id):
    first = service.create_dnc_list(uow_factory, account_id, "a")
    service.delete_dnc_list(uow_factory, account_id, first)
    assert service.create_dnc_list(uow_factory, account_id, "b") > first


# -- query lists -----------------------------------------------------------------------------
@pytest.mark.parametrize("campaign, name, expected", [
    (None, None, ["Opt-outs", "opt in 50%", "Complaints"]),
    (7, None, ["Opt-outs", "Complaints"]),
    (8, None, ["opt in 50%"]),
    (None, "OPT", ["Opt-outs", "opt in 50%"]),
    (None, "50%", ["opt in 50%"]),
    (None, "_", []),
    (None, "", ["Opt-outs", "opt in 50%", "Complaints"]),
    (7, "plain", ["Complaints"]),
    (9, None, []),
])
def test_query_lists_filters_by_campaign_and_name(uow_factory, account_id, other_account, campaign, name, expected):
    for list_name, campaign_id in (("Opt-outs", 7), ("opt in 50%", 8), ("Complaints", 7)):
        service.create_dnc_list(uow_factory, account_id, list_name, campaign_id)
    service.create_dnc_list(uow_factory, other_account, "Opt-outs of another account", 7)
    _, found = service.query_dnc_lists(uow_factory, account_id, ALL, campaign_id=campaign, name=name)
    assert [lst.name for lst in found] == expected


def test_name_filters_over_the_longest_name_are_bad_request_naming_the_limit(uow_factory, account_id):
    longest = "n" * MAX_NAME_LENGTH
    list_id = service.create_dnc_list(uow_factory, account_id, longest, tokens=[LA1])
    assert [lst.id for lst in service.query_dnc_lists(uow_factory, account_id, ALL, name=longest)[1]] == [list_id]
    assert entries(uow_factory, account_id, list_name=longest) == [(LA1, list_id, True, True)]
    with pytest.raises(BadRequest, match=f"Name is longer than {MAX_NAME_LENGTH} characters"):
        service.query_dnc_lists(uow_factory, account_id, ALL, name=longest + "n")
    with pytest.raises(BadRequest, match=f"DncListName is longer than {MAX_NAME_LENGTH} characters"):
        service.query_dnc_numbers(uow_factory, account_id, ALL, list_name=longest + "n")


def test_query_lists_pages_and_counts(uow_factory, account_id):
    ids = [service.create_dnc_list(uow_factory, account_id, f"L{i}", tokens=[LA1][:i % 2]) for i in range(5)]
    total, found = service.query_dnc_lists(uow_factory, account_id, Page(2, 2))
    assert total == 5 and [(lst.id, lst.size) for lst in found] == [(ids[2], 0), (ids[3], 1)]


# -- add -------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, text, stored", [
    (None, None, (True, True)), (False, None, (False, True)), (None, False, (True, False)),
    (False, False, (False, False)), (True, True, (True, True)),
])
def test_omitted_flags_block_on_create_and_add(uow_factory, account_id, call, text, stored):
    created = service.create_dnc_list(uow_factory, account_id, "c", call_dnc=call, text_dnc=text, tokens=[LA1])
    added = service.create_dnc_list(uow_factory, account_id, "a")
    service.add_numbers(uow_factory, account_id, added, call, text, [LA1])
    assert flags_of(uow_factory, account_id, created) == {LA1: stored}
    assert flags_of(uow_factory, account_id, added) == {LA1: stored}


def test_numbers_already_on_the_list_take_the_new_flags(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1, LA2])
    service.add_numbers(uow_factory, account_id, list_id, False, None, [LA1, SM1])
    assert flags_of(uow_factory, account_id, list_id) == {
        LA1: (False, True), LA2: (True, True), SM1: (False, True)}


def test_add_with_a_bad_number_changes_nothing(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1])
    with pytest.raises(BadRequest):
        service.add_numbers(uow_factory, account_id, list_id, False, False, [LA1, SM1, "12"])
    assert flags_of(uow_factory, account_id, list_id) == {LA1: (True, True)}


def test_add_no_numbers_is_a_no_op_but_the_list_must_exist(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1])
    service.add_numbers(uow_factory, account_id, list_id, None, None, [])
    assert flags_of(uow_factory, account_id, list_id) == {LA1: (True, True)}
    with pytest.raises(NotFound):
        service.add_numbers(uow_factory, account_id, list_id + 1, None, None, [])


# -- remove ----------------------------------------------------------------------------------
def test_remove_without_flags_takes_the_numbers_off_the_list(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1, LA2])
    service.remove_numbers(uow_factory, account_id, list_id, None, None, [LA1, SM1])
    assert flags_of(uow_factory, account_id, list_id) == {LA2: (True, True)}


@pytest.mark.parametrize("call, text, left", [
    (True, None, {LA1: (False, True)}),
    (None, True, {LA1: (True, False)}),
    (True, False, {LA1: (False, True)}),
    (False, None, {LA1: (True, True)}),
    (False, False, {LA1: (True, True)}),
    (True, True, {}),
])
def test_remove_with_flags_unblocks_only_the_channels_given_as_true(uow_factory, account_id, call, text, left):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1])
    service.remove_numbers(uow_factory, account_id, list_id, call, text, [LA1])
    assert flags_of(uow_factory, account_id, list_id) == left


def test_an_entry_left_with_no_blocked_channel_leaves_the_list(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", text_dnc=False, tokens=[LA1])
    service.remove_numbers(uow_factory, account_id, list_id, True, None, [LA1])
    assert service.get_dnc_list(uow_factory, account_id, list_id).size == 0


def test_remove_with_a_bad_number_changes_nothing(uow_factory, account_id):
    list_id = service.create_dnc_list(uow_factory, account_id, "L", tokens=[LA1])
    with pytest.raises(BadRequest):
        service.remove_numbers(uow_factory, account_id, list_id, None, None, [LA1, "abc"])
    assert flags_of(uow_factory, account_id, list_id) == {LA1: (True, True)}


@pytest.mark.parametrize("operation", [service.add_numbers, service.remove_numbers])
def test_add_and_remove_on_unknown_or_foreign_list_are_not_found(uow_factory, account_id, other_account,
                                                                 operation):
    theirs = service.create_dnc_list(uow_factory, other_account, "theirs", tokens=[LA1])
    for list_id in (theirs, theirs + 1):
        with pytest.raises(NotFound):
            operation(uow_factory, account_id, list_id, None, None, [LA1])
    assert flags_of(uow_factory, other_account, theirs) == {LA1: (True, True)}


# -- query numbers ---------------------------------------------------------------------------
def test_query_numbers_lists_a_number_once_per_list_by_number_then_list(uow_factory, account_id, two_lists):
    first, second = two_lists
    assert entries(uow_factory, account_id) == [
        (LA1, first, True, True), (LA1, second, False, True), (LA2, second, False, True),
        (SM1, first, True, True)]


@pytest.mark.parametrize("prefix, expected", [
    ("1213", [LA1, LA1, LA2]), ("+1213", [LA1, LA1, LA2]), ("121322123", [LA1, LA1, LA2]),
    ("1310", [SM1]), ("213", []), ("", [LA1, LA1, LA2, SM1]), ("  ", [LA1, LA1, LA2, SM1]),
    (None, [LA1, LA1, LA2, SM1]), ("12132212385", [LA2]),
])
def test_query_numbers_by_prefix(uow_factory, account_id, two_lists, prefix, expected):
    assert [e[0] for e in entries(uow_factory, account_id, prefix=prefix)] == expected


@pytest.mark.parametrize("prefix", ["12a", "1-310", "１３１０", "1" * 16, "+", "1 213"])
def test_query_numbers_bad_prefix_is_bad_request(uow_factory, account_id, prefix):
    with pytest.raises(BadRequest):
        service.query_dnc_numbers(uow_factory, account_id, ALL, prefix=prefix)


def test_query_numbers_by_list_name_and_flags(uow_factory, account_id, two_lists):
    first, second = two_lists
    assert {e[1] for e in entries(uow_factory, account_id, list_id=second)} == {second}
    assert entries(uow_factory, account_id, list_id=999) == []
    assert {e[1] for e in entries(uow_factory, account_id, list_name="OPT")} == {first}
    assert entries(uow_factory, account_id, list_name="nothing like it") == []
    assert len(entries(uow_factory, account_id, list_name="")) == 4
    assert {e[1] for e in entries(uow_factory, account_id, call_dnc=False)} == {second}
    assert entries(uow_factory, account_id, call_dnc=True, text_dnc=False) == []


def test_query_numbers_pages_and_counts(uow_factory, account_id, two_lists):
    total, found = service.query_dnc_numbers(uow_factory, account_id, Page(2, 1))
    assert total == 4 and [n.number for n in found] == [LA1, LA2]
    assert service.query_dnc_numbers(uow_factory, account_id, Page(0, 0)) == (4, [])


# -- update number ---------------------------------------------------------------------------
def test_update_sets_the_given_flags_on_every_list_and_keeps_omitted_ones(uow_factory, account_id, two_lists):
    first, second = two_lists
    service.update_dnc_number(uow_factory, account_id, "+1 (213) 221-2384", None, False)
    assert [e for e in entries(uow_factory, account_id) if e[0] == LA1] == [
        (LA1, first, True, False), (LA1, second, False, False)]
    assert flags_of(uow_factory, account_id, second)[LA2] == (False, True)


def test_update_with_no_flags_changes_nothing(uow_factory, account_id, two_lists):
    before = entries(uow_factory, account_id)
    service.update_dnc_number(uow_factory, account_id, LA1, None, None)
    assert entries(uow_factory, account_id) == before


def test_update_of_a_number_on_no_list_of_the_account_is_not_found(uow_factory, account_id, other_account,
                                                                   two_lists):
    service.create_dnc_list(uow_factory, other_account, "theirs", tokens=[SM2])
    for number in (SM2, "13105551299"):
        with pytest.raises(NotFound):
            service.update_dnc_number(uow_factory, account_id, number, False, False)
    assert entries(uow_factory, other_account)[0][2:] == (True, True)


@pytest.mark.parametrize("number", [None, "", "  ", "555", "1310555121", "abc"])
def test_update_of_a_blank_or_invalid_number_is_bad_request(uow_factory, account_id, two_lists, number):
    with pytest.raises(BadRequest):
        service.update_dnc_number(uow_factory, account_id, number, False, False)


def test_accounts_do_not_see_each_others_numbers(uow_factory, account_id, other_account, two_lists):
    assert entries(uow_factory, other_account) == []
    assert service.query_dnc_lists(uow_factory, other_account, ALL) == (0, [])


def test_dnc_entries_are_domain_objects(uow_factory, account_id, two_lists):
    _, found = service.query_dnc_numbers(uow_factory, account_id, Page(1, 0))
    assert found == [DncNumber(LA1, two_lists[0], True, True)]
