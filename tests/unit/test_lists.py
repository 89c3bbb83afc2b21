"""Contact-list use cases (services/lists.py, list_import.py, list_sources.py) against the fakes."""
from __future__ import annotations

import logging

import pytest

from callfire_soap.domain.contacts import MAX_CUSTOM_FIELDS, Contact
from callfire_soap.domain.dnc import MAX_NAME_LENGTH, Flags
from callfire_soap.domain.errors import BadRequest, DuplicateRequestId, NotFound
from callfire_soap.domain.lists import ACTIVE, DELETED
from callfire_soap.domain.paging import Page
from callfire_soap.services import list_import
from callfire_soap.services import lists as service
from callfire_soap.services.list_sources import ContactIdsSource, ContactsSource, FileSource, NumbersSource
from tests.csv_samples import BAD_CSV_FILES

ALL = Page(1000, 0)
A, B, C, D = (f"121322123{n}" for n in (84, 85, 86, 87))


def numbers(*tokens: str, field_name: str | None = None) -> NumbersSource:
    return NumbersSource(" ".join(tokens), field_name)


def csv_file(text: str | bytes) -> FileSource:
    return FileSource([text.encode() if isinstance(text, str) else text])


def members(uow_factory, account_id: int, list_id: int) -> list[Contact]:
    with uow_factory(write=False) as uow:
        return uow.contacts.query(account_id, ALL, list_id=list_id)[1]


def member_phones(uow_factory, account_id: int, list_id: int) -> list[str]:
    return [n for c in members(uow_factory, account_id, list_id) for n in c.phones()]


def all_contacts(uow_factory, account_id: int) -> list[Contact]:
    with uow_factory(write=False) as uow:
        return uow.contacts.query(account_id, ALL)[1]


BLOCK_BOTH = Flags(True, True)


def block(uow_factory, account_id: int, *numbers: str, flags: Flags = BLOCK_BOTH) -> None:
    with uow_factory() as uow:
        list_id = uow.dnc.create_list(account_id, "dnc", None)
        uow.dnc.put_numbers(account_id, list_id, list(numbers), flags)
        uow.commit()


def state(uow_factory):
    """Everything the store holds, to compare before and after a failed request."""
    return repr(uow_factory.store)


# -- create: Numbers -------------------------------------------------------------------------
def test_numbers_default_to_home_phone(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, "(213)221-2385"))
    people = members(uow_factory, account_id, list_id)
    assert [(c.home_phone, c.work_phone) for c in people] == [(A, None), (B, None)]


@pytest.mark.parametrize("field, attribute", [
    ("homePhone", "home_phone"), ("workPhone", "work_phone"), ("mobilePhone", "mobile_phone"),
    ("", "home_phone"), ("  ", "home_phone"), (None, "home_phone"),
])
def test_numbers_field_name_picks_the_phone_field(uow_factory, account_id, field, attribute):
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, field_name=field))
    [contact] = members(uow_factory, account_id, list_id)
    assert getattr(contact, attribute) == A


@pytest.mark.parametrize("text, field, attribute", [
    (f"workPhone:{A},{B}", None, "work_phone"),
    (f"workPhone:{A},{B}", "homePhone", "work_phone"),   # zeep's explicit default yields
    (f" mobilePhone : {A} {B}", "mobilePhone", "mobile_phone"),
    (f"{A},{B}\n", None, "home_phone"),
])
def test_numbers_comma_separated_and_field_prefix(uow_factory, account_id, text, field, attribute):
    list_id = service.create_list(uow_factory, account_id, "L", NumbersSource(text, field))
    assert sorted(getattr(c, attribute) for c in members(uow_factory, account_id, list_id)) == [A, B]


@pytest.mark.parametrize("text, field", [
    (A, "fax"), (f"faxPhone:{A}", None), (f"workPhone:{A}", "mobilePhone"), (A, "firstName"),
])
def test_bad_field_name_or_prefix_is_bad_request_and_creates_nothing(uow_factory, account_id, text, field):
    before = state(uow_factory)
    with pytest.raises(BadRequest):
        service.create_list(uow_factory, account_id, "L", NumbersSource(text, field))
    assert state(uow_factory) == before


def test_validation_scrubs_invalid_duplicate_and_dnc_numbers(uow_factory, account_id):
    block(uow_factory, account_id, C)
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, "111", A, "+1 213 221 2384", C, B))
    assert member_phones(uow_factory, account_id, list_id) == [A, B]


def test_a_dnc_entry_with_both_flags_false_does_not_scrub(uow_factory, account_id):
    block(uow_factory, account_id, A, flags=Flags(False, False))
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A))
    assert member_phones(uow_factory, account_id, list_id) == [A]


def test_another_accounts_dnc_does_not_scrub(uow_factory, account_id, other_account):
    block(uow_factory, other_account, A)
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A))
    assert member_phones(uow_factory, account_id, list_id) == [A]


def test_validate_false_keeps_everything_as_given_without_scrub_or_merge(uow_factory, account_id):
    block(uow_factory, account_id, C)
    [existing] = uow_factory.add_contacts(account_id, Contact(home_phone=A))
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, A, "111", "(555)000", C),
                                  validate=False)
    people = members(uow_factory, account_id, list_id)
    assert [c.home_phone for c in people] == [A, A, "111", "555000", C]
    assert existing not in [c.id for c in people]


def test_an_existing_number_merges_into_the_lowest_id_contact(uow_factory, account_id):
    first, second = uow_factory.add_contacts(account_id, Contact(first_name="Old", mobile_phone=A),
                                             Contact(first_name="Older?", work_phone=A))
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, B))
    people = members(uow_factory, account_id, list_id)
    assert [c.id for c in people][0] == first and second not in [c.id for c in people]
    assert people[0].first_name == "Old" and people[0].home_phone is None  # not modified
    assert len(all_contacts(uow_factory, account_id)) == 3


def test_another_accounts_contacts_are_never_merged(uow_factory, account_id, other_account):
    [theirs] = uow_factory.add_contacts(other_account, Contact(home_phone=A))
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A))
    assert [c.id for c in members(uow_factory, account_id, list_id)] != [theirs]
    assert member_phones(uow_factory, account_id, list_id) == [A]


def test_a_list_scrubbed_to_nothing_is_created_empty_and_active(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L", numbers("111", "12"))
    got = service.get_list(uow_factory, account_id, list_id)
    assert (got.size, got.status) == (0, ACTIVE)


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_batches_share_duplicate_merge_and_dnc_checks(uow_factory, account_id, monkeypatch, batch):
    monkeypatch.setattr(list_import, "BATCH", batch)
    monkeypatch.setattr(list_import, "NUMBERS_BATCH", batch)
    [existing] = uow_factory.add_contacts(account_id, Contact(first_name="Old", home_phone=D))
    block(uow_factory, account_id, C)
    tokens = [A, B, "111", "12", A, C, D, B, "+12132212388", D, A]
    for source in (numbers(*tokens), ContactsSource([Contact(home_phone=t) for t in tokens])):
        list_id = service.create_list(uow_factory, account_id, "L", source)
        people = members(uow_factory, account_id, list_id)
        assert sorted(n for c in people for n in c.phones()) == [A, B, D, "12132212388"]
        assert existing in [c.id for c in people]
    assert len(all_contacts(uow_factory, account_id)) == 4  # Old + A, B, ...388, once


def test_numbers_and_contacts_sources_report_alike(uow_factory, account_id, other_account):
    tokens = [A, B, "111", A, C]
    block(uow_factory, account_id, C)
    block(uow_factory, other_account, C)
    uow_factory.add_contacts(account_id, Contact(home_phone=B))
    uow_factory.add_contacts(other_account, Contact(home_phone=B))
    reports = []
    for account, source in ((account_id, numbers(*tokens)),
                            (other_account, ContactsSource([Contact(home_phone=t) for t in tokens]))):
        list_id = service.create_list(uow_factory, account, "L", numbers())
        reports.append(service.add_to_list(uow_factory, account, list_id, source))
    assert reports[0] == reports[1]
    assert (reports[0].added, reports[0].created, reports[0].merged, reports[0].invalid,
            reports[0].duplicate, reports[0].dnc) == (2, 1, 1, 1, 1, 1)


# -- create: Contact source ----------------------------------------------------------------------
def test_contact_source_keeps_custom_attributes_and_never_uses_a_given_id(uow_factory, account_id):
    [existing] = uow_factory.add_contacts(account_id, Contact(first_name="Existing", home_phone=C))
    given = Contact(id=existing, first_name="Ann", home_phone=A, custom={"tier": "gold"})
    list_id = service.create_list(uow_factory, account_id, "L", ContactsSource([given]))
    [ann] = members(uow_factory, account_id, list_id)
    assert ann.id != existing and (ann.first_name, ann.custom) == ("Ann", {"tier": "gold"})
    assert service.get_list(uow_factory, account_id, list_id).size == 1


def test_contact_source_scrubs_invalid_numbers_from_a_contact(uow_factory, account_id):
    source = ContactsSource([Contact(first_name="Two", home_phone="111", work_phone=B),
                             Contact(first_name="None", home_phone="12"),
                             Contact(first_name="NoNumber")])
    list_id = service.create_list(uow_factory, account_id, "L", source)
    [two] = members(uow_factory, account_id, list_id)
    assert (two.first_name, two.home_phone, two.work_phone) == ("Two", None, B)


@pytest.mark.parametrize("contact", [
    Contact(first_name="x" * 1025, home_phone=A),
    Contact(home_phone=A, custom={"bad name": "v"}),
    Contact(home_phone=A, custom={"ok": "v" * 1025}),
    Contact(home_phone=A, last_name="a\x00b"),
], ids=["long-name", "bad-custom-name", "long-custom", "nul"])
def test_one_bad_contact_rejects_the_request(uow_factory, account_id, contact):
    before = state(uow_factory)
    with pytest.raises(BadRequest):
        service.create_list(uow_factory, account_id, "L", ContactsSource([Contact(home_phone=B), contact]))
    assert state(uow_factory) == before


@pytest.mark.parametrize("validate, stored", [(True, None), (False, "1" * 64)])
def test_a_phone_of_64_characters_is_invalid_or_kept(uow_factory, account_id, validate, stored):
    source = ContactsSource([Contact(first_name="x", home_phone="1" * 64, work_phone=A)])
    list_id = service.create_list(uow_factory, account_id, "L", source, validate=validate)
    assert members(uow_factory, account_id, list_id)[0].home_phone == stored


def test_a_phone_longer_than_64_characters_without_validation_is_bad_request(uow_factory, account_id):
    with pytest.raises(BadRequest):
        service.create_list(uow_factory, account_id, "L",
                            ContactsSource([Contact(home_phone="1" * 65)]), validate=False)


# -- create: ContactId source ----------------------------------------------------------------
def test_contact_id_source_ignores_unknown_foreign_and_repeated_ids(uow_factory, account_id, other_account):
    a, b = uow_factory.add_contacts(account_id, Contact(home_phone=A), Contact(first_name="no phone"))
    [theirs] = uow_factory.add_contacts(other_account, Contact(home_phone=C))
    list_id = service.create_list(uow_factory, account_id, "L", ContactIdsSource([b, a, theirs, a, 999]))
    assert sorted(c.id for c in members(uow_factory, account_id, list_id)) == [a, b]


@pytest.mark.parametrize("validate, expected", [(True, ["clean"]), (False, ["blocked", "clean"])])
def test_contact_id_source_scrubs_dnc_contacts_unless_validate_is_false(uow_factory, account_id,
                                                                        validate, expected):
    ids = uow_factory.add_contacts(account_id, Contact(first_name="blocked", work_phone=C),
                                   Contact(first_name="clean", home_phone=A))
    block(uow_factory, account_id, C)
    list_id = service.create_list(uow_factory, account_id, "L", ContactIdsSource(ids), validate=validate)
    assert sorted(c.first_name for c in members(uow_factory, account_id, list_id)) == expected


# -- create: File source ---------------------------------------------------------------------
def test_csv_header_maps_aliases_and_custom_columns(uow_factory, account_id):
    csv_text = (
        "First Name,last_name,Phone,Work,cell,ZIP,custom data1,F,id,mobileNumber\r\n"
        f"Ann,Lee,(213) 221-2384,,+1 213 221 2386,90210,hello,x,999,{D}\r\n"
        '"Smith, Bob",,,2132212385,,,"multi\nline",,,\r\n'
    )
    list_id = service.create_list(uow_factory, account_id, "csv", csv_file(csv_text))
    people = {c.first_name: c for c in members(uow_factory, account_id, list_id)}
    ann, bob = people["Ann"], people["Smith, Bob"]
    assert (ann.last_name, ann.home_phone, ann.work_phone, ann.mobile_phone, ann.zipcode) == (
        "Lee", A, None, C, "90210")
    assert ann.id != 999
    assert ann.custom == {"custom_data1": "hello", "F": "x", "mobileNumber": D}
    assert bob.work_phone == B and bob.custom == {"custom_data1": "multi\nline"}


def test_csv_declared_names_are_case_insensitive_and_semicolons_work(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L",
                                  csv_file("FIRSTNAME;HomePhone;externalsystem\nCy;2132212384;GG\n"))
    [cy] = members(uow_factory, account_id, list_id)
    assert (cy.first_name, cy.home_phone, cy.external_system) == ("Cy", A, "GG")


def test_csv_without_header_is_one_number_per_line(uow_factory, account_id):
    block(uow_factory, account_id, D)
    data = "\ufeff" + "\r\n".join([A, "", "(213) 221-2385", A, "111", D, "+12132212386"]) + "\r\n"
    list_id = service.create_list(uow_factory, account_id, "L", csv_file(data))
    assert member_phones(uow_factory, account_id, list_id) == [A, B, C]


def test_csv_in_several_chunks_splitting_a_character(uow_factory, account_id):
    data = "firstName,homePhone\nJosé,2132212384\n".encode()
    cut = data.index("é".encode()) + 1
    list_id = service.create_list(uow_factory, account_id, "L", FileSource([data[:cut], data[cut:]]))
    assert members(uow_factory, account_id, list_id)[0].first_name == "José"


BAD_FILES = {**BAD_CSV_FILES, "late failure": ("\n".join([A] * 50) + "\n\xff\xfe\n").encode("latin-1")}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_bad_request_and_changes_nothing(uow_factory, account_id, monkeypatch, name):
    monkeypatch.setattr(list_import, "BATCH", 5)
    existing = service.create_list(uow_factory, account_id, "existing", numbers(A))
    before = state(uow_factory)
    with pytest.raises(BadRequest):
        service.create_list(uow_factory, account_id, "bad", csv_file(BAD_FILES[name]), request_id="r")
    with pytest.raises(BadRequest):
        service.add_to_list(uow_factory, account_id, existing, csv_file(BAD_FILES[name]))
    assert state(uow_factory) == before


def _wide_csv(custom_columns: int, rows: int = 1) -> bytes:
    header = ",".join(["homePhone", *(f"c{i}" for i in range(custom_columns))])
    row = ",".join([A, *("v" for _ in range(custom_columns))])
    return ("\n".join([header] + [row] * rows) + "\n").encode()


def test_csv_with_the_most_custom_columns_imports(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "wide", csv_file(_wide_csv(MAX_CUSTOM_FIELDS)))
    [contact] = members(uow_factory, account_id, list_id)
    assert len(contact.custom) == MAX_CUSTOM_FIELDS


def test_csv_with_too_many_custom_columns_is_bad_request_before_any_row(uow_factory, account_id):
    def header_then_explode():
        yield _wide_csv(100_000, rows=0)
        raise AssertionError("a row was read")

    existing = service.create_list(uow_factory, account_id, "existing", numbers(A))
    before = state(uow_factory)
    for run in (lambda: service.create_list(uow_factory, account_id, "wide", FileSource(header_then_explode())),
                lambda: service.add_to_list(uow_factory, account_id, existing, FileSource(header_then_explode()))):
        with pytest.raises(BadRequest, match=f"at most {MAX_CUSTOM_FIELDS} custom fields"):
            run()
    assert state(uow_factory) == before


def test_contact_elements_with_too_many_custom_fields_are_bad_request(uow_factory, account_id):
    wide = Contact(home_phone=A, custom={f"c{i}": "v" for i in range(MAX_CUSTOM_FIELDS + 1)})
    with pytest.raises(BadRequest, match=f"at most {MAX_CUSTOM_FIELDS}"):
        service.create_list(uow_factory, account_id, "wide", ContactsSource([wide]))
    assert uow_factory.store.lists == {}


# -- names and RequestId ---------------------------------------------------------------------
@pytest.mark.parametrize("name", [None, "", "   ", "x" * (MAX_NAME_LENGTH + 1), "a\x00b"])
def test_bad_name_is_bad_request(uow_factory, account_id, name):
    with pytest.raises(BadRequest):
        service.create_list(uow_factory, account_id, name, numbers(A))
    assert uow_factory.store.lists == {}


def test_name_is_trimmed_and_may_be_as_long_as_a_dnc_list_name(uow_factory, account_id):
    long_id = service.create_list(uow_factory, account_id, "x" * MAX_NAME_LENGTH, numbers())
    trimmed_id = service.create_list(uow_factory, account_id, "  Leads \t", numbers())
    assert service.get_list(uow_factory, account_id, long_id).name == "x" * MAX_NAME_LENGTH
    assert service.get_list(uow_factory, account_id, trimmed_id).name == "Leads"


def test_request_id_replay_returns_the_first_list_and_changes_nothing(uow_factory, account_id, other_account,
                                                                     caplog):
    first = service.create_list(uow_factory, account_id, "L", numbers(A), request_id="req-1")
    before = state(uow_factory)
    with caplog.at_level(logging.INFO, logger="callfire_soap.lists"):
        assert service.create_list(uow_factory, account_id, "Other", numbers(B), request_id=" req-1 ") == first
    assert state(uow_factory) == before
    assert "raced" not in caplog.text  # found by the lookup, not by a refused insert
    theirs = service.create_list(uow_factory, other_account, "L", numbers(A), request_id="req-1")
    assert theirs != first


def test_request_id_of_a_deleted_list_still_replays(uow_factory, account_id):
    first = service.create_list(uow_factory, account_id, "L", numbers(A), request_id="r")
    service.delete_list(uow_factory, account_id, first)
    assert service.create_list(uow_factory, account_id, "L", numbers(A), request_id="r") == first


@pytest.mark.parametrize("blank", [None, "", "   "])
def test_a_blank_request_id_counts_as_absent(uow_factory, account_id, blank):
    first = service.create_list(uow_factory, account_id, "L", numbers(), request_id=blank)
    second = service.create_list(uow_factory, account_id, "L", numbers(), request_id=blank)
    assert first != second


def test_a_failed_create_does_not_use_up_its_request_id(uow_factory, account_id):
    with pytest.raises(BadRequest):
        service.create_list(uow_factory, account_id, "L", NumbersSource(A, "fax"), request_id="r")
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A), request_id="r")
    assert service.get_list(uow_factory, account_id, list_id).size == 1


def test_request_id_is_limited_in_bytes(uow_factory, account_id):
    service.create_list(uow_factory, account_id, "L", numbers(), request_id="é" * 512)
    with pytest.raises(BadRequest):
        service.create_list(uow_factory, account_id, "L", numbers(), request_id="é" * 513)


def test_a_request_that_loses_the_request_id_race_answers_the_winners_list(uow_factory, account_id, caplog):
    def rival_commits():
        with uow_factory() as rival:
            rival.lists.create(account_id, "winner", "race")
            rival.commit()
    uow_factory.on_begin.append(rival_commits)
    with caplog.at_level(logging.INFO, logger="callfire_soap.lists"):
        list_id = service.create_list(uow_factory, account_id, "loser", numbers(A), request_id="race")
    assert service.get_list(uow_factory, account_id, list_id).name == "winner"
    assert all_contacts(uow_factory, account_id) == []  # the loser's import was rolled back
    assert "raced another request" in caplog.text


def test_a_conflict_without_an_earlier_list_propagates(uow_factory, account_id, monkeypatch):
    from tests.unit import fakes

    def refuse(self, account_id, name, request_id=None):
        raise DuplicateRequestId(request_id)
    monkeypatch.setattr(fakes.FakeListRepository, "create", refuse)
    with pytest.raises(DuplicateRequestId):
        service.create_list(uow_factory, account_id, "L", numbers(A), request_id="r")


# -- query, get, delete ----------------------------------------------------------------------
def test_query_pages_oldest_first_and_hides_deleted_lists(uow_factory, account_id, other_account):
    ids = [service.create_list(uow_factory, account_id, f"L{i}", numbers()) for i in range(5)]
    service.create_list(uow_factory, other_account, "theirs", numbers())
    service.delete_list(uow_factory, account_id, ids[1])
    total, page = service.query_lists(uow_factory, account_id, Page(2, 1))
    assert total == 4 and [lst.id for lst in page] == [ids[2], ids[3]]


def test_get_unknown_or_foreign_list_is_not_found(uow_factory, account_id, other_account):
    theirs = service.create_list(uow_factory, other_account, "theirs", numbers())
    for list_id in (theirs, theirs + 1):
        with pytest.raises(NotFound):
            service.get_list(uow_factory, account_id, list_id)


def test_delete_is_soft_and_keeps_members_and_contacts(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, B))
    service.delete_list(uow_factory, account_id, list_id)
    got = service.get_list(uow_factory, account_id, list_id)
    assert (got.status, got.size) == (DELETED, 2)
    assert member_phones(uow_factory, account_id, list_id) == [A, B]


def test_delete_of_unknown_foreign_or_deleted_list_is_ignored(uow_factory, account_id, other_account):
    theirs = service.create_list(uow_factory, other_account, "theirs", numbers())
    mine = service.create_list(uow_factory, account_id, "mine", numbers())
    service.delete_list(uow_factory, account_id, mine)
    for list_id in (theirs, mine, 999):
        service.delete_list(uow_factory, account_id, list_id)
    assert service.get_list(uow_factory, other_account, theirs).status == ACTIVE


# -- add -------------------------------------------------------------------------------------
def test_add_grows_the_list_without_duplicates(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A))
    [a] = [c.id for c in members(uow_factory, account_id, list_id)]
    report = service.add_to_list(uow_factory, account_id, list_id, numbers(A, B))
    service.add_to_list(uow_factory, account_id, list_id, ContactIdsSource([a]))
    assert (report.added, report.created, report.merged) == (2, 1, 1)
    assert service.get_list(uow_factory, account_id, list_id).size == 2


def test_add_applies_the_same_validation(uow_factory, account_id):
    block(uow_factory, account_id, C)
    list_id = service.create_list(uow_factory, account_id, "L", numbers())
    service.add_to_list(uow_factory, account_id, list_id, numbers(A, "111", A, C))
    assert member_phones(uow_factory, account_id, list_id) == [A]


def test_add_to_unknown_foreign_or_deleted_list_is_not_found(uow_factory, account_id, other_account):
    theirs = service.create_list(uow_factory, other_account, "theirs", numbers())
    deleted = service.create_list(uow_factory, account_id, "gone", numbers())
    service.delete_list(uow_factory, account_id, deleted)
    before = state(uow_factory)
    for list_id in (theirs, deleted, 999):
        with pytest.raises(NotFound):
            service.add_to_list(uow_factory, account_id, list_id, numbers(A))
    assert state(uow_factory) == before


# -- remove ----------------------------------------------------------------------------------
def test_remove_by_contact_id_keeps_the_contacts(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, B, C))
    a, b, c = [p.id for p in members(uow_factory, account_id, list_id)]
    assert service.remove_from_list(uow_factory, account_id, list_id, contact_ids=[a, a, c, 999]) == 2
    assert [p.id for p in members(uow_factory, account_id, list_id)] == [b]
    assert len(all_contacts(uow_factory, account_id)) == 3


def test_remove_by_numbers_matches_normalised_and_as_given(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L", numbers())
    service.add_to_list(uow_factory, account_id, list_id,
                        ContactsSource([Contact(home_phone="555000"), Contact(work_phone=B), Contact(home_phone=C)]),
                        validate=False)
    removed = service.remove_from_list(uow_factory, account_id, list_id, numbers="555000,(213)221-2385")
    assert removed == 2 and member_phones(uow_factory, account_id, list_id) == [C]


def test_remove_only_touches_that_list_and_that_account(uow_factory, account_id, other_account):
    first = service.create_list(uow_factory, account_id, "1", numbers(A))
    second = service.create_list(uow_factory, account_id, "2", numbers(A))  # the same contact
    theirs = service.create_list(uow_factory, other_account, "3", numbers(A))
    service.remove_from_list(uow_factory, account_id, first, numbers=A)
    assert member_phones(uow_factory, account_id, first) == []
    assert member_phones(uow_factory, account_id, second) == [A]
    assert member_phones(uow_factory, other_account, theirs) == [A]


def test_remove_from_unknown_foreign_or_deleted_list_is_not_found(uow_factory, account_id, other_account):
    theirs = service.create_list(uow_factory, other_account, "theirs", numbers(A))
    deleted = service.create_list(uow_factory, account_id, "gone", numbers(A))
    service.delete_list(uow_factory, account_id, deleted)
    for list_id in (theirs, deleted, 999):
        with pytest.raises(NotFound):
            service.remove_from_list(uow_factory, account_id, list_id, numbers=A)
    assert member_phones(uow_factory, account_id, deleted) == [A]


# -- statistics and locking ------------------------------------------------------------------
@pytest.mark.parametrize("threshold, created, refreshed", [(3, 2, 0), (3, 3, 1), (0, 0, 1)])
def test_statistics_are_refreshed_after_a_big_import(uow_factory, account_id, monkeypatch,
                                                     threshold, created, refreshed):
    monkeypatch.setattr(service, "ANALYZE_AFTER_CREATED", threshold)
    service.create_list(uow_factory, account_id, "L", numbers(*[A, B, C][:created]))
    assert uow_factory.statistics_refreshes == refreshed


def test_analyze_after_overrides_the_threshold(uow_factory, account_id):
    service.create_list(uow_factory, account_id, "L", numbers(A), analyze_after=1)
    service.create_list(uow_factory, account_id, "L", numbers(B), analyze_after=2)
    assert uow_factory.statistics_refreshes == 1


def test_a_failing_statistics_refresh_does_not_fail_the_import(uow_factory, account_id, monkeypatch, caplog):
    def broken():
        raise RuntimeError("ANALYZE failed")
    monkeypatch.setattr(uow_factory, "refresh_statistics", broken)
    with caplog.at_level(logging.WARNING, logger="callfire_soap.lists"):
        list_id = service.create_list(uow_factory, account_id, "L", numbers(A), analyze_after=1)
    assert service.get_list(uow_factory, account_id, list_id).size == 1
    assert "could not refresh statistics" in caplog.text


def test_imports_take_the_account_import_lock(uow_factory, account_id):
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A))
    service.add_to_list(uow_factory, account_id, list_id, numbers(B))
    assert uow_factory.import_locks == [account_id, account_id]


def test_add_refreshes_statistics_after_a_big_import_too(uow_factory, account_id, monkeypatch):
    list_id = service.create_list(uow_factory, account_id, "L", numbers())
    monkeypatch.setattr(service, "ANALYZE_AFTER_CREATED", 2)
    service.add_to_list(uow_factory, account_id, list_id, numbers(A))
    assert uow_factory.statistics_refreshes == 0
    service.add_to_list(uow_factory, account_id, list_id, numbers(B, C))
    assert uow_factory.statistics_refreshes == 1


@pytest.mark.parametrize("validate, writes_numbers", [(True, True), (False, False)])
def test_a_validated_numbers_source_is_written_as_bare_numbers(uow_factory, account_id, monkeypatch,
                                                               validate, writes_numbers):
    """The Numbers fast path (plain strings, insert_numbers) gives the general path's result."""
    from tests.unit import fakes

    columns = []
    original = fakes.FakeListRepository.insert_numbers

    def spy(self, account_id, column, new_numbers):
        columns.append(column)
        return original(self, account_id, column, new_numbers)
    monkeypatch.setattr(fakes.FakeListRepository, "insert_numbers", spy)
    list_id = service.create_list(uow_factory, account_id, "L", numbers(A, B, field_name="workPhone"),
                                  validate=validate)
    assert bool(columns) is writes_numbers and set(columns) <= {"work_phone"}
    assert [c.work_phone for c in members(uow_factory, account_id, list_id)] == [A, B]


# -- the numbers-per-request limit ----------------------------------------------------------
def test_numbers_beyond_the_limit_fault_before_any_is_normalised(uow_factory, account_id, monkeypatch):
    from callfire_soap.services import list_sources

    monkeypatch.setattr(list_sources, "MAX_NUMBERS", 3)
    normalised = []
    monkeypatch.setattr(service, "normalize_all", lambda raws, region: normalised.extend(raws) or raws)
    before = state(uow_factory)
    with pytest.raises(BadRequest, match="more than 3 numbers"):
        service.create_list(uow_factory, account_id, "L", numbers(A, B, C, D))
    assert normalised == [] and state(uow_factory) == before
    assert list(list_sources.number_tokens(f"{A},{B} {C}")) == [A, B, C]


def test_numbers_limit_also_bounds_unvalidated_imports_and_removal(uow_factory, account_id, monkeypatch):
    from callfire_soap.services import list_sources

    list_id = service.create_list(uow_factory, account_id, "L", numbers(A))
    monkeypatch.setattr(list_sources, "MAX_NUMBERS", 2)
    before = state(uow_factory)
    with pytest.raises(BadRequest, match="more than 2 numbers"):
        service.create_list(uow_factory, account_id, "M", numbers(A, B, C), validate=False)
    with pytest.raises(BadRequest, match="more than 2 numbers"):
        service.remove_from_list(uow_factory, account_id, list_id, numbers=f"{A} {B} {C}")
    assert state(uow_factory) == before
