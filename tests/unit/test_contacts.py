"""Contact use cases (services/contacts.py) against the fakes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callfire_soap.domain.contacts import MAX_CUSTOM_FIELDS, MAX_SEARCH_TEXT, MAX_VALUE, Contact
from callfire_soap.domain.errors import BadRequest, NotFound
from callfire_soap.domain.history import CALL, TEXT, Action
from callfire_soap.domain.paging import Page
from callfire_soap.domain.phone import MAX_LENGTH as MAX_PHONE
from callfire_soap.services import contacts as service
from callfire_soap.services.contacts import ContactChanges

ALL = Page(1000, 0)


def ids(result) -> list[int]:
    return [c.id for c in result[1]]


@pytest.fixture
def seed(uow_factory):
    def seed(account_id: int, *contacts: Contact) -> list[int]:
        return uow_factory.add_contacts(account_id, *contacts)
    return seed


# -- query -----------------------------------------------------------------------------------
def test_query_lists_the_accounts_contacts_by_id(uow_factory, account_id, seed):
    created = seed(account_id, *(Contact(first_name=f"c{i}") for i in range(5)))
    total, found = service.query_contacts(uow_factory, account_id, ALL)
    assert total == 5 and [c.id for c in found] == created


@pytest.mark.parametrize("limit, offset, expected", [
    (2, 0, [0, 1]), (2, 2, [2, 3]), (2, 4, [4]), (2, 5, []), (0, 0, []), (1000, 3, [3, 4]),
])
def test_query_pages_and_counts_everything(uow_factory, account_id, seed, limit, offset, expected):
    created = seed(account_id, *(Contact(first_name=f"c{i}") for i in range(5)))
    total, found = service.query_contacts(uow_factory, account_id, Page(limit, offset))
    assert total == 5
    assert [c.id for c in found] == [created[i] for i in expected]


def test_query_returns_custom_fields(uow_factory, account_id, seed):
    seed(account_id, Contact(first_name="A", custom={"tier": "gold"}))
    [contact] = service.query_contacts(uow_factory, account_id, ALL)[1]
    assert contact.custom == {"tier": "gold"}


@pytest.mark.parametrize("text, expected", [
    ("anna", ["ann"]), ("ANNA", ["ann"]), ("3105551", ["bob"]), ("gold MEMBER", ["bob"]),
    ("77%_", ["cat"]), ("%", ["cat"]), ("a%b", []), ("zzz", []), ("", ["ann", "bob", "cat"]),
])
def test_query_string_is_a_case_insensitive_substring(uow_factory, account_id, seed, text, expected):
    names = dict(zip(seed(account_id,
        Contact(first_name="Annabel", home_phone="12132212384"),
        Contact(first_name="Bob", work_phone="13105551212", custom={"G": "Gold member"}),
        Contact(first_name="Cat", external_id="crm-77%_"),
    ), ["ann", "bob", "cat"], strict=True))
    result = service.query_contacts(uow_factory, account_id, ALL, text=text)
    assert [names[i] for i in ids(result)] == expected


@pytest.mark.parametrize("field, text, expected", [
    ("homePhone", "555000", ["a"]),
    ("workPhone", "555", ["b"]),
    ("H", "VIP", ["b"]),
    ("H", None, ["b"]),
    ("firstName", None, ["a", "b"]),
    ("zipcode", "555", []),
    ("zipcode", None, []),
])
def test_query_field_restricts_the_match(uow_factory, account_id, seed, field, text, expected):
    names = dict(zip(seed(account_id,
        Contact(first_name="555000", home_phone="555000"),
        Contact(first_name="Other", work_phone="555000", custom={"H": "vip"}),
    ), ["a", "b"], strict=True))
    result = service.query_contacts(uow_factory, account_id, ALL, field_name=field, text=text)
    assert [names[i] for i in ids(result)] == expected


@pytest.mark.parametrize("field", ["not a field", "xmlThing", "id", "1abc", "x" * 65])
def test_query_by_a_field_that_cannot_exist_is_bad_request(uow_factory, account_id, field):
    with pytest.raises(BadRequest):
        service.query_contacts(uow_factory, account_id, ALL, field_name=field, text="x")


@pytest.mark.parametrize("field", [None, "firstName", "custom1"])
def test_query_string_over_the_limit_is_bad_request_naming_it(uow_factory, account_id, seed, field):
    seed(account_id, Contact(first_name="a" * MAX_SEARCH_TEXT, custom={"custom1": "a" * MAX_SEARCH_TEXT}))
    total, _ = service.query_contacts(uow_factory, account_id, ALL, field_name=field, text="a" * MAX_SEARCH_TEXT)
    assert total == 1
    with pytest.raises(BadRequest, match=f"String is longer than {MAX_SEARCH_TEXT} characters"):
        service.query_contacts(uow_factory, account_id, ALL, field_name=field, text="a" * (MAX_SEARCH_TEXT + 1))


def test_query_by_list_gives_its_members_and_an_unknown_list_nothing(uow_factory, account_id, seed):
    a, b, c = seed(account_id, Contact(first_name="a"), Contact(first_name="b"), Contact(first_name="c"))
    with uow_factory() as uow:
        list_id = uow.lists.create(account_id, "L")
        uow.lists.add_members(list_id, [c, a])
        uow.commit()
    assert ids(service.query_contacts(uow_factory, account_id, ALL, list_id=list_id)) == [a, c]
    assert service.query_contacts(uow_factory, account_id, ALL, list_id=list_id + 99) == (0, [])


def test_accounts_see_only_their_contacts(uow_factory, account_id, other_account, seed):
    [mine] = seed(account_id, Contact(first_name="shared-name"))
    [theirs] = seed(other_account, Contact(first_name="shared-name"))
    assert ids(service.query_contacts(uow_factory, account_id, ALL, text="shared")) == [mine]
    assert ids(service.query_contacts(uow_factory, other_account, ALL, text="shared")) == [theirs]


# -- get -------------------------------------------------------------------------------------
def test_get_returns_declared_and_custom_attributes(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact(first_name="Ann", home_phone="12132212384", custom={"k": "v"}))
    contact = service.get_contact(uow_factory, account_id, cid)
    assert (contact.id, contact.first_name, contact.home_phone, contact.custom) == (
        cid, "Ann", "12132212384", {"k": "v"})


def test_get_of_an_unknown_or_foreign_id_is_not_found(uow_factory, account_id, other_account, seed):
    [theirs] = seed(other_account, Contact(first_name="x"))
    for contact_id in (theirs, theirs + 1, 0):
        with pytest.raises(NotFound):
            service.get_contact(uow_factory, account_id, contact_id)


def test_get_uses_the_factory_read_and_no_unit_of_work(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact(first_name="x"))
    before = len(uow_factory.units)
    service.get_contact(uow_factory, account_id, cid)
    assert len(uow_factory.units) == before


# -- update ----------------------------------------------------------------------------------
def test_update_sets_declared_and_custom_attributes(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact(first_name="Old", last_name="Keep"))
    updated = service.update_contacts(uow_factory, account_id, [
        ContactChanges(cid, declared={"firstName": "New"}, custom={"tier": "gold"})])
    contact = service.get_contact(uow_factory, account_id, cid)
    assert updated == 1
    assert (contact.first_name, contact.last_name, contact.custom) == ("New", "Keep", {"tier": "gold"})


@pytest.mark.parametrize("empty", ["", None])
def test_update_with_an_empty_attribute_clears_the_field(uow_factory, account_id, seed, empty):
    [cid] = seed(account_id, Contact(first_name="Ann", home_phone="12132212384"))
    service.update_contacts(uow_factory, account_id, [
        ContactChanges(cid, declared={"firstName": empty, "homePhone": empty})])
    contact = service.get_contact(uow_factory, account_id, cid)
    assert contact.first_name is None and contact.home_phone is None


def test_update_with_an_empty_custom_value_removes_the_field(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact(custom={"a": "1", "b": "2"}))
    service.update_contacts(uow_factory, account_id, [ContactChanges(cid, custom={"a": ""})])
    assert service.get_contact(uow_factory, account_id, cid).custom == {"b": "2"}


@pytest.mark.parametrize("given, stored", [
    ("(213) 221-2384", "12132212384"),
    ("+1 213 221 2384", "12132212384"),
    ("111", "111"),          # kept as given: UpdateContacts has no Validate switch
    ("   ", None),
])
def test_update_normalises_valid_numbers_and_keeps_others(uow_factory, account_id, seed, given, stored):
    [cid] = seed(account_id, Contact(first_name="x"))
    service.update_contacts(uow_factory, account_id, [ContactChanges(cid, declared={"mobilePhone": given})])
    assert service.get_contact(uow_factory, account_id, cid).mobile_phone == stored


def test_update_ignores_unknown_and_foreign_ids(uow_factory, account_id, other_account, seed):
    [mine] = seed(account_id, Contact(first_name="mine"))
    [theirs] = seed(other_account, Contact(first_name="theirs"))
    updated = service.update_contacts(uow_factory, account_id, [
        ContactChanges(theirs, declared={"firstName": "hacked"}),
        ContactChanges(theirs + 100, declared={"firstName": "ghost"}),
        ContactChanges(mine, declared={"firstName": "changed"}),
    ])
    assert updated == 1
    assert service.get_contact(uow_factory, other_account, theirs).first_name == "theirs"
    assert service.get_contact(uow_factory, account_id, mine).first_name == "changed"


@pytest.mark.parametrize("change", [
    ContactChanges(0, custom={"bad name": "x"}),
    ContactChanges(0, custom={"xmlFoo": "x"}),
    ContactChanges(0, custom={"firstName": "x"}),
    ContactChanges(0, custom={"ok": "v" * (MAX_VALUE + 1)}),
    ContactChanges(0, declared={"firstName": "v" * (MAX_VALUE + 1)}),
    ContactChanges(0, declared={"homePhone": "1" * (MAX_PHONE + 1)}),
    ContactChanges(0, declared={"lastName": "a\x00b"}),
    ContactChanges(0, custom={"ok": "a\x00b"}),
], ids=["space", "xml", "declared-name", "long-custom", "long-value", "long-phone", "nul", "nul-custom"])
def test_one_bad_element_rejects_the_request_and_changes_nothing(uow_factory, account_id, seed, change):
    [cid] = seed(account_id, Contact(first_name="before"))
    change.id = cid
    good = ContactChanges(cid, declared={"firstName": "after"})
    with pytest.raises(BadRequest):
        service.update_contacts(uow_factory, account_id, [good, change])
    assert service.get_contact(uow_factory, account_id, cid).first_name == "before"


def test_update_at_the_limits_is_accepted(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact())
    service.update_contacts(uow_factory, account_id, [ContactChanges(
        cid, declared={"firstName": "v" * MAX_VALUE}, custom={"n" * 64: "v" * MAX_VALUE})])
    contact = service.get_contact(uow_factory, account_id, cid)
    assert len(contact.first_name) == MAX_VALUE and contact.custom == {"n" * 64: "v" * MAX_VALUE}


def fields(count: int, start: int = 0) -> dict[str, str]:
    return {f"c{i}": "v" for i in range(start, start + count)}


def test_update_to_the_custom_field_limit_is_accepted_one_more_is_bad_request(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact(first_name="before", custom=fields(MAX_CUSTOM_FIELDS - 1)))
    # Replacing existing fields and adding the 200th is fine; an empty value removes one.
    service.update_contacts(uow_factory, account_id, [ContactChanges(cid, custom={"c0": "w", "new": "v"})])
    assert len(service.get_contact(uow_factory, account_id, cid).custom) == MAX_CUSTOM_FIELDS
    service.update_contacts(uow_factory, account_id, [ContactChanges(cid, custom={"c1": "", "other": "v"})])
    # Fields the contact already has count: 200 + 1 new, even spread over two elements.
    for changes in ([ContactChanges(cid, custom={"one_more": "v"})],
                    [ContactChanges(cid, declared={"firstName": "after"}, custom={"x1": "v"}),
                     ContactChanges(cid, custom={"x2": "v"})]):
        with pytest.raises(BadRequest, match=f"at most {MAX_CUSTOM_FIELDS}"):
            service.update_contacts(uow_factory, account_id, changes)
    contact = service.get_contact(uow_factory, account_id, cid)
    assert len(contact.custom) == MAX_CUSTOM_FIELDS and contact.first_name == "before"


def test_update_element_with_too_many_custom_fields_is_bad_request_before_any_work(uow_factory, account_id):
    with pytest.raises(BadRequest, match=f"at most {MAX_CUSTOM_FIELDS}"):
        service.update_contacts(uow_factory, account_id,
                                [ContactChanges(1, custom=fields(MAX_CUSTOM_FIELDS + 1))])


# -- remove ----------------------------------------------------------------------------------
def test_remove_deletes_own_contacts_and_their_memberships(uow_factory, account_id, other_account, seed):
    a, b = seed(account_id, Contact(first_name="a"), Contact(first_name="b"))
    [theirs] = seed(other_account, Contact(first_name="t"))
    with uow_factory() as uow:
        list_id = uow.lists.create(account_id, "L")
        uow.lists.add_members(list_id, [a, b])
        uow.commit()
    removed = service.remove_contacts(uow_factory, account_id, [a, a, theirs, theirs + 50])
    assert removed == 1
    assert ids(service.query_contacts(uow_factory, account_id, ALL)) == [b]
    assert ids(service.query_contacts(uow_factory, account_id, ALL, list_id=list_id)) == [b]
    assert service.get_contact(uow_factory, other_account, theirs).first_name == "t"


def test_remove_takes_the_import_lock_of_the_account(uow_factory, account_id):
    service.remove_contacts(uow_factory, account_id, [])
    assert uow_factory.import_locks == [account_id]


def test_removed_ids_are_not_reused(uow_factory, account_id, seed):
    [old] = seed(account_id, Contact(first_name="old"))
    service.remove_contacts(uow_factory, account_id, [old])
    [new] = seed(account_id, Contact(first_name="new"))
    assert new != old
    with pytest.raises(NotFound):
        service.get_contact(uow_factory, account_id, old)


# -- history ---------------------------------------------------------------------------------
def _action(kind: str, contact_id: int, minutes: int) -> Action:
    when = datetime(2014, 5, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    return Action(kind=kind, contact_id=contact_id, from_number="1", to_number="2", state="FINISHED",
                  inbound=False, created=when, modified=when)


def test_history_lists_calls_then_texts_each_oldest_first(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact(first_name="x"))
    with uow_factory() as uow:
        uow.history.add(account_id, [_action(TEXT, cid, 1), _action(CALL, cid, 5), _action(CALL, cid, 2),
                                     _action(TEXT, cid, 0)])
        uow.commit()
    found = service.contact_history(uow_factory, account_id, cid, ALL)
    assert [(a.kind, a.created.minute) for a in found] == [(CALL, 2), (CALL, 5), (TEXT, 0), (TEXT, 1)]
    assert [a.kind for a in service.contact_history(uow_factory, account_id, cid, Page(2, 1))] == [CALL, TEXT]


def test_history_of_unknown_or_foreign_contact_is_empty(uow_factory, account_id, other_account, seed):
    [cid] = seed(account_id, Contact(first_name="x"))
    with uow_factory() as uow:
        uow.history.add(account_id, [_action(CALL, cid, 1)])
        uow.commit()
    assert service.contact_history(uow_factory, other_account, cid, ALL) == []
    assert service.contact_history(uow_factory, account_id, 0, ALL) == []


def test_history_stays_after_the_contact_is_removed(uow_factory, account_id, seed):
    [cid] = seed(account_id, Contact(first_name="x"))
    with uow_factory() as uow:
        uow.history.add(account_id, [_action(CALL, cid, 1)])
        uow.commit()
    service.remove_contacts(uow_factory, account_id, [cid])
    assert len(service.contact_history(uow_factory, account_id, cid, ALL)) == 1
