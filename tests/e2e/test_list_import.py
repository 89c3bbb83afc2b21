"""List import details: CSV files, raw .NET-style envelopes, failure atomicity, batching,
and the RequestId race on PostgreSQL."""
import base64
import logging
import os
import threading

import pytest

from callfire_soap.domain.contacts import Contact
from callfire_soap.services import list_import
from tests.csv_samples import BAD_CSV_FILES
from tests.list_helpers import (
    account_state,
    add_dnc,
    count_lists,
    expect_fault,
    list_contacts,
    list_numbers,
    numbers_source,
)
from tests.support import NS, envelope, soap_post

A, B, C, D = "12132212384", "12132212385", "12132212386", "12132212387"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
       b"\x00\x00IEND\xaeB`\x82")


def _phones(n: int, start: int = 0) -> list[str]:
    return [f"1213{2000000 + start + i}" for i in range(n)]


# -- CSV files -------------------------------------------------------------------------------
def test_csv_header_maps_aliases_and_custom_columns(service):
    csv_text = (
        "First Name,last_name,Phone,Work,cell,ZIP,custom data1,F,id,mobileNumber\r\n"
        "Ann,Lee,(213) 221-2384,,+1 213 221 2386,90210,hello,x,999,12132212399\r\n"
        '"Smith, Bob",,,2132212385,,,"multi\nline",,,\r\n'
    )
    list_id = service.CreateContactList(Name="csv", ContactSource={"File": csv_text.encode()})
    people = {c.firstName: c for c in list_contacts(service, list_id)}
    ann, bob = people["Ann"], people["Smith, Bob"]
    assert (ann.lastName, ann.homePhone, ann.workPhone) == ("Lee", A, None)
    assert (ann.mobilePhone, ann.zipcode) == (C, "90210")
    assert ann.id != 999
    # Unknown headers become attribute-safe custom fields; "mobileNumber" is not an alias.
    assert ann._attr_1 == {"custom_data1": "hello", "F": "x", "mobileNumber": "12132212399"}
    assert bob.workPhone == B and bob._attr_1 == {"custom_data1": "multi\nline"}
    assert service.GetContact(Id=ann.id)._attr_1["custom_data1"] == "hello"
    assert service.GetContactList(Id=list_id).Size == 2


def test_csv_declared_names_are_case_insensitive_and_semicolons_work(service):
    csv_text = "FIRSTNAME;HomePhone;externalsystem\nCy;2132212384;GOOGLE_GROUPS\n"
    list_id = service.CreateContactList(Name="semi", ContactSource={"File": csv_text.encode()})
    (cy,) = list_contacts(service, list_id)
    assert (cy.firstName, cy.homePhone, cy.externalSystem) == ("Cy", A, "GOOGLE_GROUPS")


def test_csv_without_header_is_one_number_per_line(service, app, account):
    add_dnc(app, account, [D])
    data = "\ufeff" + "\r\n".join([A, "", "(213) 221-2385", A, "111", D, "+12132212386"]) + "\r\n"
    list_id = service.CreateContactList(Name="plain", ContactSource={"File": data.encode()})
    assert list_numbers(service, list_id) == [A, B, C]


def test_csv_with_validate_false_keeps_values(service):
    csv_text = "firstName,lastName,homePhone,workPhone,G\nRobert,Shmidt,555000,111,data1\nJo,Do,555000,,\n"
    list_id = service.CreateContactList(Name="raw", Validate=False, ContactSource={"File": csv_text.encode()})
    got = service.GetContactList(Id=list_id)
    assert (got.Size, got.Status) == (2, "ACTIVE")
    people = {c.firstName: c for c in list_contacts(service, list_id)}
    assert (people["Robert"].homePhone, people["Robert"].workPhone) == ("555000", "111")
    assert people["Robert"]._attr_1 == {"G": "data1"} and people["Jo"].homePhone == "555000"


def test_csv_rows_merge_and_scrub_like_numbers(service, account, seed):
    (existing,) = seed(account, [Contact(first_name="Old", mobile_phone=A)])
    csv_text = f"firstName,homePhone\nNew,{A}\nDup,{A}\nBad,12\nOk,{B}\n"
    list_id = service.CreateContactList(Name="m", ContactSource={"File": csv_text.encode()})
    people = {c.id: c.firstName for c in list_contacts(service, list_id)}
    assert people.pop(existing) == "Old" and list(people.values()) == ["Ok"]


BAD_FILES = {"png": PNG, **BAD_CSV_FILES}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_bad_request_and_changes_nothing(service, app, account, seed, name):
    seed(account, [Contact(first_name="before", home_phone=C)])
    existing = service.CreateContactList(Name="existing", ContactSource=numbers_source([A]))
    before = account_state(app, account)
    expect_fault("BAD_REQUEST", service.CreateContactList, RequestId="bad-file", Name="bad",
                 ContactSource={"File": BAD_FILES[name]})
    expect_fault("BAD_REQUEST", service.AddContactsToList, ContactListId=existing,
                 ContactSource={"File": BAD_FILES[name]})
    assert account_state(app, account) == before


def test_file_failing_after_many_rows_rolls_back_every_batch(service, app, account, monkeypatch):
    monkeypatch.setattr(list_import, "BATCH", 50)
    good = "\n".join(_phones(400)).encode()
    before = account_state(app, account)
    expect_fault("BAD_REQUEST", service.CreateContactList, Name="late failure",
                 ContactSource={"File": good + b"\n\xff\xfe\n"})
    assert account_state(app, account) == before


def test_batches_share_duplicate_merge_and_dnc_checks(service, app, account, seed, monkeypatch):
    monkeypatch.setattr(list_import, "BATCH", 3)
    monkeypatch.setattr(list_import, "NUMBERS_BATCH", 3)
    (existing,) = seed(account, [Contact(first_name="Old", home_phone=D)])
    add_dnc(app, account, [C])
    tokens = [A, B, "111", "12", A, C, D, B, "+12132212388", D, A]
    list_id = service.CreateContactList(Name="batched", ContactSource=numbers_source(tokens))
    people = list_contacts(service, list_id)
    assert sorted(c.homePhone for c in people) == [A, B, D, "12132212388"]
    assert existing in [c.id for c in people]
    assert service.GetContactList(Id=list_id).Size == 4
    assert service.QueryContacts().TotalResults == 4  # Old + A, B, ...388


def test_a_few_thousand_numbers_in_one_request(service, account):
    numbers = _phones(4500) + _phones(500)  # the last 500 repeat the first 500
    list_id = service.CreateContactList(Name="big", ContactSource=numbers_source([" ".join(numbers)]))
    assert service.GetContactList(Id=list_id).Size == 4500
    assert service.QueryContacts(MaxResults=1).TotalResults == 4500


# -- raw envelopes ---------------------------------------------------------------------------
def _raw(endpoint, account, operation, inner):
    return soap_post(endpoint, envelope(inner), account.auth, operation)


def _created_id(reply) -> int:
    assert reply.status == 200, reply.response.text
    return int(reply.body_child.text)


def test_repeated_contact_id_elements_like_dotnet(endpoint, service, account, seed):
    ids = seed(account, [Contact(home_phone=p) for p in (A, B, C)])
    reply = _raw(endpoint, account, "CreateContactList",
                 "<svc:CreateContactList><svc:Name>net</svc:Name><svc:ContactSource>"
                 f"<svc:ContactId>{ids[0]}</svc:ContactId><svc:ContactId>{ids[1]}</svc:ContactId>"
                 "</svc:ContactSource></svc:CreateContactList>")
    list_id = _created_id(reply)
    assert sorted(c.id for c in list_contacts(service, list_id)) == ids[:2]
    reply = _raw(endpoint, account, "AddContactsToList",
                 f"<svc:AddContactsToList><svc:ContactListId>{list_id}</svc:ContactListId><svc:ContactSource>"
                 f"<svc:ContactId>{ids[2]}</svc:ContactId><svc:ContactId>{ids[0]}</svc:ContactId>"
                 "</svc:ContactSource></svc:AddContactsToList>")
    assert reply.status == 200 and reply.body_child is None  # empty env:Body
    assert service.GetContactList(Id=list_id).Size == 3
    reply = _raw(endpoint, account, "RemoveContactsFromList",
                 f"<svc:RemoveContactsFromList><svc:ContactListId>{list_id}</svc:ContactListId>"
                 f"<svc:ContactId>{ids[0]}</svc:ContactId><svc:ContactId>{ids[2]}</svc:ContactId>"
                 "</svc:RemoveContactsFromList>")
    assert reply.status == 200 and reply.body_child is None
    assert [c.id for c in list_contacts(service, list_id)] == [ids[1]]


def test_numbers_without_field_name_attribute_and_commas(endpoint, service, account):
    reply = _raw(endpoint, account, "CreateContactList",
                 "<svc:CreateContactList><svc:Name>n</svc:Name><svc:ContactSource>"
                 f"<svc:Numbers>{A},{B}\n {C}</svc:Numbers></svc:ContactSource></svc:CreateContactList>")
    list_id = _created_id(reply)
    assert list_numbers(service, list_id) == [A, B, C]


D_FILE = base64.b64encode(D.encode()).decode()  # a headerless CSV holding D


@pytest.mark.parametrize("sources, expected", [
    (f'<data:Contact firstName="c" homePhone="{A}"/><svc:Numbers>{B}</svc:Numbers>', [A]),
    (f"<svc:Numbers>{B}</svc:Numbers><svc:ContactId>{{id_c}}</svc:ContactId>", [B]),
    (f"<svc:ContactId>{{id_c}}</svc:ContactId><svc:File>{D_FILE}</svc:File>", [C]),
    (f"<svc:File>{D_FILE}</svc:File><data:Contact homePhone=\"{A}\"/>", [A]),
])
def test_several_sources_use_the_documented_precedence(endpoint, service, account, seed, sources, expected):
    (id_c,) = seed(account, [Contact(home_phone=C)])
    reply = _raw(endpoint, account, "CreateContactList",
                 "<svc:CreateContactList><svc:Name>p</svc:Name><svc:ContactSource>"
                 + sources.format(id_c=id_c) + "</svc:ContactSource></svc:CreateContactList>")
    list_id = _created_id(reply)
    assert list_numbers(service, list_id) == expected


@pytest.mark.parametrize("inner", [
    "<svc:CreateContactList><svc:Name>b</svc:Name><svc:ContactSource><svc:File>@@not base64@@</svc:File>"
    "</svc:ContactSource></svc:CreateContactList>",
    "<svc:CreateContactList><svc:Name>b</svc:Name><svc:ContactSource><svc:ContactId>1 x</svc:ContactId>"
    "</svc:ContactSource></svc:CreateContactList>",
    "<svc:CreateContactList><svc:Name>b</svc:Name><svc:ContactSource/></svc:CreateContactList>",
    "<svc:CreateContactList><svc:Name>b</svc:Name></svc:CreateContactList>",
    "<svc:RemoveContactsFromList><svc:ContactListId>1</svc:ContactListId></svc:RemoveContactsFromList>",
])
def test_malformed_requests_are_bad_request(endpoint, app, account, inner):
    operation = "RemoveContactsFromList" if "Remove" in inner else "CreateContactList"
    reply = _raw(endpoint, account, operation, inner)
    assert reply.status == 500 and reply.fault_code == "BAD_REQUEST"
    assert count_lists(app, account) == 0


def test_get_contact_list_wire_shape(endpoint, account):
    list_id = _created_id(_raw(endpoint, account, "CreateContactList",
                               f"<svc:CreateContactList><svc:Name>w</svc:Name><svc:ContactSource>"
                               f"<svc:Numbers>{A}</svc:Numbers></svc:ContactSource></svc:CreateContactList>"))
    reply = _raw(endpoint, account, "GetContactList",
                 f"<svc:GetContactList><svc:Id>{list_id}</svc:Id></svc:GetContactList>")
    el = reply.body_child
    assert el.tag == "{%s}ContactList" % NS["data"] and el.get("id") == str(list_id)
    assert [child.tag.split("}")[1] for child in el] == ["Name", "Size", "Created", "Status"]
    assert el.findtext("data:Size", namespaces=NS) == "1"
    assert el.findtext("data:Created", namespaces=NS).endswith("Z")


# -- concurrency on PostgreSQL ---------------------------------------------------------------
postgresql_only = pytest.mark.skipif(
    os.environ.get("CALLFIRE_TEST_DATABASE", "sqlite").lower() != "postgresql",
    reason="needs concurrent writers (PostgreSQL); SQLite serialises every writer")


def _concurrently(calls):
    """Run the callables at the same moment (barrier), each in its own thread."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(slot):
        barrier.wait()
        results[slot] = calls[slot]()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


@postgresql_only
def test_concurrent_imports_of_the_same_numbers_merge(endpoint, app, account):
    numbers = " ".join(_phones(300, 50_000))
    bodies = [envelope(f"<svc:CreateContactList><svc:Name>c{i}</svc:Name><svc:ContactSource>"
                       f"<svc:Numbers>{numbers}</svc:Numbers></svc:ContactSource></svc:CreateContactList>")
              for i in range(3)]
    replies = _concurrently([lambda b=b: soap_post(endpoint, b, account.auth, "CreateContactList", timeout=60)
                             for b in bodies])
    assert len({_created_id(reply) for reply in replies}) == 3
    state = account_state(app, account)
    assert len(state["contacts"]) == 300  # the later imports merged into the first one's contacts
    assert len(state["members"]) == 900


@postgresql_only
def test_racing_request_ids_create_one_list(endpoint, app, account, caplog):
    caplog.set_level(logging.INFO, logger="callfire_soap.lists")
    # Enough numbers that each import's transaction is still open when the others arrive.
    threads_per_round, rounds, size = 4, 5, 800
    for round_no in range(rounds):
        body = envelope(
            f"<svc:CreateContactList><svc:RequestId>race-{round_no}</svc:RequestId><svc:Name>race</svc:Name>"
            f"<svc:ContactSource><svc:Numbers>{' '.join(_phones(size, round_no * size))}</svc:Numbers>"
            "</svc:ContactSource></svc:CreateContactList>")

        def create(body=body):
            return soap_post(endpoint, body, account.auth, "CreateContactList", timeout=60)

        replies = _concurrently([create] * threads_per_round)
        ids = {_created_id(reply) for reply in replies}
        assert len(ids) == 1, ids
    state = account_state(app, account)
    assert len(state["lists"]) == rounds
    assert len(state["contacts"]) == rounds * size and len(state["members"]) == rounds * size
    # The race was real: at least one request lost on the unique constraint.
    assert any("raced another request" in r.getMessage() for r in caplog.records)


def test_big_import_refreshes_planner_statistics(app, account, monkeypatch):
    from sqlalchemy import text

    from callfire_soap.services import lists as list_service
    from callfire_soap.services.list_sources import NumbersSource

    if app.backend.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no planner statistics")
    monkeypatch.setattr(list_service, "ANALYZE_AFTER_CREATED", 50)
    reltuples = text("SELECT reltuples FROM pg_class WHERE oid = 'list_members'::regclass")
    with app.backend.engine.connect() as conn:
        before = conn.execute(reltuples).scalar()
    list_service.create_list(app.backend.uow, account.id, "Stats", NumbersSource(" ".join(_phones(60, 500))))
    with app.backend.engine.connect() as conn:
        after = conn.execute(reltuples).scalar()
    assert after >= max(before, 0) + 60


def test_statistics_refresh_failure_does_not_fail_the_import(app, account, monkeypatch, caplog):
    from callfire_soap.services import lists as list_service
    from callfire_soap.services.list_sources import NumbersSource

    def broken():
        raise RuntimeError("ANALYZE failed")

    monkeypatch.setattr(list_service, "ANALYZE_AFTER_CREATED", 1)
    monkeypatch.setattr(app.backend.uow, "refresh_statistics", broken)
    with caplog.at_level(logging.WARNING, logger="callfire_soap.lists"):
        list_id = list_service.create_list(app.backend.uow, account.id, "Stats",
                                           NumbersSource(" ".join(_phones(3, 700))))
    assert list_service.get_list(app.backend.uow, account.id, list_id).size == 3
    assert "could not refresh statistics" in caplog.text


def test_merge_lookup_probes_the_phone_index_for_an_account_new_since_analyze(app, make_account, seed):
    """An account the planner statistics do not know yet must still get one index probe per
    number and column (see list_bulk.postgresql.HOLDERS), not a scan of its contacts
    filtered by number."""
    from callfire_soap.storage import list_bulk

    if app.backend.engine.dialect.name != "postgresql":
        pytest.skip("plan choice of PostgreSQL")
    known, new = make_account(), make_account()
    seed(known, [Contact(home_phone=number) for number in _phones(3000, 10_000)])
    with app.backend.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE contacts")
    compiled = list_bulk.postgresql.HOLDERS.compile(dialect=app.backend.engine.dialect)
    with app.backend.engine.connect() as conn:
        plan = "\n".join(conn.exec_driver_sql(
            "EXPLAIN " + str(compiled), {"numbers": _phones(5, 20_000), "account_id": new.id}
        ).scalars())
    for column in ("home_phone", "work_phone", "mobile_phone"):
        assert f"Filter: (({column})" not in plan, plan
        assert f"(({column})::text = n.number))" in plan, plan
