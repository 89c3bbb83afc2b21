"""The six contact-list operations through zeep clients (served and legacy WSDL); every
response is validated against the legacy XSD by the client fixture."""
from datetime import UTC, datetime, timedelta

import pytest

from callfire_soap.domain.contacts import Contact
from tests.list_helpers import (
    account_state,
    add_dnc,
    count_lists,
    expect_fault,
    list_contacts,
    list_numbers,
    numbers_source,
)
from tests.support import DATA

A, B, C, D = "12132212384", "12132212385", "12132212386", "12132212387"


def _contact(service, **attrs):
    return service.client.get_element("{%s}Contact" % DATA)(**attrs)


# -- CreateContactList / GetContactList ------------------------------------------------------
def test_create_from_numbers_defaults_to_home_phone(service):
    before = datetime.now(UTC) - timedelta(seconds=5)
    list_id = service.CreateContactList(Name="numbers", ContactSource=numbers_source([A, "+12132212385"]))
    got = service.GetContactList(Id=list_id)
    assert (got.id, got.Name, got.Size, got.Status) == (list_id, "numbers", 2, "ACTIVE")
    assert before <= got.Created <= datetime.now(UTC) + timedelta(seconds=5)
    people = list_contacts(service, list_id)
    assert sorted(c.homePhone for c in people) == [A, B]  # normalised to the 11-digit form
    assert all(c.workPhone is None and c.mobilePhone is None for c in people)


@pytest.mark.parametrize("field", ["homePhone", "workPhone", "mobilePhone"])
def test_numbers_field_name_picks_the_phone_field(service, field):
    list_id = service.CreateContactList(Name="f", ContactSource=numbers_source([A, B], field))
    people = list_contacts(service, list_id)
    assert sorted(getattr(c, field) for c in people) == [A, B]
    others = {"homePhone", "workPhone", "mobilePhone"} - {field}
    assert all(getattr(c, other) is None for c in people for other in others)


def test_numbers_comma_separated_and_field_prefix(service):
    list_id = service.CreateContactList(
        Name="prefix", ContactSource=numbers_source([f"workPhone:+{A},+{B}", C]))
    assert list_numbers(service, list_id, "workPhone") == [A, B, C]
    assert service.GetContactList(Id=list_id).Size == 3


def test_unknown_field_name_or_prefix_is_bad_request_and_creates_nothing(service, app, account):
    expect_fault("BAD_REQUEST", service.CreateContactList, Name="x",
                 ContactSource=numbers_source([A], "faxPhone"))
    expect_fault("BAD_REQUEST", service.CreateContactList, Name="x",
                 ContactSource=numbers_source([f"faxPhone:{A}"]))
    expect_fault("BAD_REQUEST", service.CreateContactList, Name="x",
                 ContactSource=numbers_source([f"workPhone:{A}"], "mobilePhone"))
    state = account_state(app, account)
    assert not state["lists"] and not state["contacts"]


def test_validation_scrubs_duplicates_invalid_and_dnc(service, app, account):
    add_dnc(app, account, [C])
    list_id = service.CreateContactList(
        Name="scrub", ContactSource=numbers_source([A, A, "2132212384", "111", "abc", C, B]))
    assert service.GetContactList(Id=list_id).Size == 2
    assert list_numbers(service, list_id) == [A, B]
    assert service.QueryContacts(String=C).TotalResults == 0  # a DNC number makes no contact


def test_validate_true_is_the_default_and_explicit(service):
    implicit = service.CreateContactList(Name="i", ContactSource=numbers_source(["111", A]))
    explicit = service.CreateContactList(Name="e", Validate=True, ContactSource=numbers_source(["111", B]))
    assert list_numbers(service, implicit) == [A]
    assert list_numbers(service, explicit) == [B]


def test_validate_false_keeps_numbers_as_given_without_scrub_or_merge(service, app, account, seed):
    (existing,) = seed(account, [Contact(first_name="old", home_phone=A)])
    add_dnc(app, account, [B])
    list_id = service.CreateContactList(
        Name="raw", Validate=False, ContactSource=numbers_source(["111", "555000", "111", A, B]))
    people = list_contacts(service, list_id)
    assert sorted(c.homePhone for c in people) == sorted(["111", "555000", "111", A, B])
    assert existing not in [c.id for c in people]  # no merge
    assert service.GetContactList(Id=list_id).Size == 5


def test_existing_number_merges_into_the_existing_contact(service, account, seed):
    (existing,) = seed(account, [Contact(first_name="Kept", work_phone=A, custom={"G": "gold"})])
    list_id = service.CreateContactList(Name="merge", ContactSource=numbers_source(["2132212384", B]))
    people = {c.id: c for c in list_contacts(service, list_id)}
    assert existing in people and len(people) == 2
    assert people[existing].firstName == "Kept" and people[existing].workPhone == A
    assert people[existing].homePhone is None  # the existing contact is reused, not changed
    assert service.QueryContacts(String=A).TotalResults == 1  # no second contact for A


def test_contact_source_with_custom_attributes(service):
    list_id = service.CreateContactList(Name="people", ContactSource={"Contact": [
        _contact(service, firstName="Ann", lastName="Lee", homePhone=A, zipcode="90210",
                 _attr_1={"F": "12132212384", "custom_2": "x y"}),
        _contact(service, firstName="Bob", mobilePhone="+12132212385", externalId="e-1",
                 externalSystem="SALES_FORCE"),
    ]})
    people = {c.firstName: c for c in list_contacts(service, list_id)}
    ann, bob = people["Ann"], people["Bob"]
    assert (ann.lastName, ann.homePhone, ann.zipcode) == ("Lee", A, "90210")
    assert ann._attr_1 == {"F": "12132212384", "custom_2": "x y"}
    assert (bob.mobilePhone, bob.externalId, bob.externalSystem) == (B, "e-1", "SALES_FORCE")
    assert service.GetContact(Id=ann.id)._attr_1 == {"F": "12132212384", "custom_2": "x y"}


def test_contact_source_scrubs_contacts_and_invalid_numbers(service, app, account):
    add_dnc(app, account, [D])
    list_id = service.CreateContactList(Name="c", ContactSource={"Contact": [
        _contact(service, firstName="one", homePhone=A, workPhone="111"),   # 111 dropped
        _contact(service, firstName="dup", mobilePhone=A),                  # duplicate of one
        _contact(service, firstName="none", homePhone="12"),                # no valid number
        _contact(service, firstName="nophone"),                             # no number at all
        _contact(service, firstName="dnc", homePhone=B, workPhone=D),       # D is on DNC
        _contact(service, firstName="two", workPhone=C),
    ]})
    people = {c.firstName: c for c in list_contacts(service, list_id)}
    assert sorted(people) == ["one", "two"]
    assert (people["one"].homePhone, people["one"].workPhone) == (A, None)


def test_supplied_contact_id_never_overwrites_an_existing_contact(service, account, seed):
    (existing,) = seed(account, [Contact(first_name="Original", home_phone=A)])
    list_id = service.CreateContactList(Name="ids", ContactSource={"Contact": [
        _contact(service, id=existing, firstName="Intruder", homePhone=B)]})
    assert service.GetContact(Id=existing).firstName == "Original"
    (new,) = list_contacts(service, list_id)
    assert new.id != existing and new.firstName == "Intruder"


def test_contact_id_source_ignores_unknown_and_foreign_ids(service, account, make_account, seed):
    other = make_account()
    mine = seed(account, [Contact(first_name=f"m{i}", home_phone=p) for i, p in enumerate([A, B])])
    (theirs,) = seed(other, [Contact(first_name="theirs", home_phone=C)])
    list_id = service.CreateContactList(
        Name="ids", ContactSource={"ContactId": [mine[0], theirs, 987654321, mine[1], mine[0]]})
    assert sorted(c.id for c in list_contacts(service, list_id)) == sorted(mine)
    assert service.GetContactList(Id=list_id).Size == 2


def test_contact_id_source_scrubs_dnc_contacts_unless_validate_is_false(service, app, account, seed):
    ids = seed(account, [Contact(home_phone=A), Contact(home_phone=B, mobile_phone=C)])
    add_dnc(app, account, [C])
    checked = service.CreateContactList(Name="v", ContactSource={"ContactId": ids})
    unchecked = service.CreateContactList(Name="nv", Validate=False, ContactSource={"ContactId": ids})
    assert [c.id for c in list_contacts(service, checked)] == [ids[0]]
    assert sorted(c.id for c in list_contacts(service, unchecked)) == sorted(ids)


def test_list_scrubbed_to_nothing_is_created_empty_and_active(service):
    list_id = service.CreateContactList(Name="empty", ContactSource=numbers_source(["111", "222"]))
    got = service.GetContactList(Id=list_id)
    assert (got.Size, got.Status) == (0, "ACTIVE")


def test_blank_name_is_bad_request(service, app, account):
    expect_fault("BAD_REQUEST", service.CreateContactList, Name="  ", ContactSource=numbers_source([A]))
    assert count_lists(app, account) == 0


# -- RequestId -------------------------------------------------------------------------------
def test_request_id_replay_returns_the_first_list(service, app, account, make_account, connect):
    first = service.CreateContactList(RequestId="MyUniqueIdForThisRequest", Name="one",
                                      ContactSource=numbers_source([A]))
    again = service.CreateContactList(RequestId="MyUniqueIdForThisRequest", Name="two",
                                      ContactSource=numbers_source([B, C]))
    assert again == first
    assert count_lists(app, account) == 1
    assert service.GetContactList(Id=first).Name == "one"
    assert service.QueryContacts().TotalResults == 1  # the replay created no contacts
    other = make_account()
    theirs = connect(other).CreateContactList(RequestId="MyUniqueIdForThisRequest", Name="theirs",
                                              ContactSource=numbers_source([B]))
    assert theirs != first and count_lists(app, other) == 1
    different = service.CreateContactList(RequestId="urn:another", Name="three",
                                          ContactSource=numbers_source([B]))
    assert different not in (first, theirs)


def test_request_id_of_a_deleted_list_still_replays(service, app, account):
    first = service.CreateContactList(RequestId="r-1", Name="one", ContactSource=numbers_source([A]))
    service.DeleteContactList(Id=first)
    assert service.CreateContactList(RequestId="r-1", Name="one", ContactSource=numbers_source([A])) == first
    assert count_lists(app, account) == 1


def test_failed_create_does_not_burn_its_request_id(service, app, account):
    expect_fault("BAD_REQUEST", service.CreateContactList, RequestId="r-2", Name="x",
                 ContactSource=numbers_source([A], "faxPhone"))
    list_id = service.CreateContactList(RequestId="r-2", Name="ok", ContactSource=numbers_source([A]))
    assert service.GetContactList(Id=list_id).Size == 1 and count_lists(app, account) == 1


# -- Get / Query / Delete --------------------------------------------------------------------
def test_get_unknown_or_foreign_list_is_not_found(service, make_account, connect):
    other = make_account()
    theirs = connect(other).CreateContactList(Name="theirs", ContactSource=numbers_source([A]))
    expect_fault("NOT_FOUND", service.GetContactList, Id=theirs)
    fault = expect_fault("NOT_FOUND", service.GetContactList, Id=987654321)
    assert "987654321" in fault.message


def test_query_contact_lists_paging_and_total(service, make_account, connect):
    ids = [service.CreateContactList(Name=f"l{i}", ContactSource=numbers_source([A] if i % 2 else []))
           for i in range(7)]
    connect(make_account()).CreateContactList(Name="foreign", ContactSource=numbers_source([A]))
    everything = service.QueryContactLists()
    assert everything.TotalResults == 7
    assert [cl.id for cl in everything.ContactList] == ids
    assert [cl.Size for cl in everything.ContactList] == [0, 1, 0, 1, 0, 1, 0]
    page = service.QueryContactLists(MaxResults=3, FirstResult=2)
    assert page.TotalResults == 7 and [cl.id for cl in page.ContactList] == ids[2:5]
    beyond = service.QueryContactLists(FirstResult=50)
    assert beyond.TotalResults == 7 and not beyond.ContactList
    expect_fault("BAD_REQUEST", service.QueryContactLists, MaxResults=-1)


def test_query_contact_lists_of_a_new_account_is_empty(service):
    result = service.QueryContactLists()
    assert result.TotalResults == 0 and not result.ContactList


def test_delete_is_soft_and_hides_the_list_from_queries(service, account):
    kept = service.CreateContactList(Name="kept", ContactSource=numbers_source([A]))
    gone = service.CreateContactList(Name="gone", ContactSource=numbers_source([B, C]))
    service.DeleteContactList(Id=gone)
    got = service.GetContactList(Id=gone)
    assert (got.Name, got.Status, got.Size) == ("gone", "DELETED", 2)
    assert list_numbers(service, gone) == [B, C]           # memberships stay
    assert service.QueryContacts().TotalResults == 3       # contacts stay
    result = service.QueryContactLists()
    assert result.TotalResults == 1 and [cl.id for cl in result.ContactList] == [kept]
    service.DeleteContactList(Id=gone)                     # again: no fault
    service.DeleteContactList(Id=987654321)                # unknown: no fault
    assert service.GetContactList(Id=gone).Status == "DELETED"


def test_delete_of_another_accounts_list_is_ignored(service, make_account, connect):
    other = connect(make_account())
    theirs = other.CreateContactList(Name="theirs", ContactSource=numbers_source([A]))
    service.DeleteContactList(Id=theirs)
    assert other.GetContactList(Id=theirs).Status == "ACTIVE"


# -- AddContactsToList -----------------------------------------------------------------------
def test_add_numbers_and_contacts_grows_the_list_without_duplicates(service):
    list_id = service.CreateContactList(Name="grow", ContactSource=numbers_source([A]))
    service.AddContactsToList(ContactListId=list_id, ContactSource=numbers_source([A, B]))
    assert service.GetContactList(Id=list_id).Size == 2  # A merged into its contact, once
    service.AddContactsToList(ContactListId=list_id, ContactSource={"Contact": [
        _contact(service, firstName="Cy", mobilePhone=C, _attr_1={"H": "vip"})]})
    assert service.GetContactList(Id=list_id).Size == 3
    (cy,) = [c for c in list_contacts(service, list_id) if c.firstName == "Cy"]
    assert cy.mobilePhone == C and cy._attr_1 == {"H": "vip"}
    assert service.QueryContacts().TotalResults == 3


def test_add_by_contact_id_skips_members_and_foreign_ids(service, account, make_account, seed):
    ids = seed(account, [Contact(home_phone=A), Contact(home_phone=B)])
    (theirs,) = seed(make_account(), [Contact(home_phone=C)])
    list_id = service.CreateContactList(Name="ids", ContactSource={"ContactId": [ids[0]]})
    service.AddContactsToList(ContactListId=list_id, ContactSource={"ContactId": [ids[0], ids[1], theirs]})
    assert sorted(c.id for c in list_contacts(service, list_id)) == sorted(ids)
    assert service.GetContactList(Id=list_id).Size == 2


def test_add_applies_the_same_validation(service, app, account):
    add_dnc(app, account, [C])
    list_id = service.CreateContactList(Name="v", ContactSource=numbers_source([A]))
    service.AddContactsToList(ContactListId=list_id, ContactSource=numbers_source(["111", C, B, B]))
    assert list_numbers(service, list_id) == [A, B]
    service.AddContactsToList(ContactListId=list_id, Validate=False, ContactSource=numbers_source(["111"]))
    assert list_numbers(service, list_id) == ["111", A, B]


def test_add_to_unknown_foreign_or_deleted_list_is_not_found(service, app, account, make_account, connect):
    theirs = connect(make_account()).CreateContactList(Name="t", ContactSource=numbers_source([A]))
    deleted = service.CreateContactList(Name="d", ContactSource=numbers_source([A]))
    service.DeleteContactList(Id=deleted)
    before = account_state(app, account)
    for list_id in (987654321, theirs, deleted):
        expect_fault("NOT_FOUND", service.AddContactsToList, ContactListId=list_id,
                     ContactSource=numbers_source([B]))
    assert account_state(app, account) == before


# -- RemoveContactsFromList ------------------------------------------------------------------
def test_remove_by_contact_id_keeps_the_contacts(service):
    list_id = service.CreateContactList(Name="r", ContactSource=numbers_source([A, B, C]))
    people = {c.homePhone: c.id for c in list_contacts(service, list_id)}
    service.RemoveContactsFromList(ContactListId=list_id, ContactId=[people[A], people[C], 987654321])
    assert list_numbers(service, list_id) == [B]
    assert service.GetContactList(Id=list_id).Size == 1
    assert service.GetContact(Id=people[A]).homePhone == A  # the contact itself stays
    service.RemoveContactsFromList(ContactListId=list_id, ContactId=[people[B]])
    assert service.GetContactList(Id=list_id).Size == 0


def test_remove_by_numbers_matches_normalised_and_as_given(service):
    list_id = service.CreateContactList(Name="r", ContactSource=numbers_source([A, B, C]))
    service.AddContactsToList(ContactListId=list_id, Validate=False, ContactSource=numbers_source(["111"]))
    service.RemoveContactsFromList(ContactListId=list_id, Numbers=["+1(213)221-2384", "111"])
    assert list_numbers(service, list_id) == [B, C]
    service.RemoveContactsFromList(ContactListId=list_id, Numbers=["2132212386", "19999999999"])
    assert list_numbers(service, list_id) == [B]
    assert service.QueryContacts().TotalResults == 4  # no contact was deleted


def test_remove_only_touches_that_list(service):
    one = service.CreateContactList(Name="one", ContactSource=numbers_source([A, B]))
    two = service.CreateContactList(Name="two", ContactSource=numbers_source([A, B]))
    service.RemoveContactsFromList(ContactListId=one, Numbers=[A])
    assert list_numbers(service, one) == [B]
    assert list_numbers(service, two) == [A, B]


def test_remove_from_unknown_foreign_or_deleted_list_is_not_found(service, make_account, connect):
    other = connect(make_account())
    theirs = other.CreateContactList(Name="t", ContactSource=numbers_source([A]))
    deleted = service.CreateContactList(Name="d", ContactSource=numbers_source([A]))
    service.DeleteContactList(Id=deleted)
    for list_id in (987654321, theirs, deleted):
        expect_fault("NOT_FOUND", service.RemoveContactsFromList, ContactListId=list_id, Numbers=[A])
    assert other.GetContactList(Id=theirs).Size == 1
    assert service.GetContactList(Id=deleted).Size == 1
