"""The eight Do Not Contact operations, driven by zeep clients built from the served WSDL
and from the legacy WSDL (every response is validated against the legacy XSD by the
client fixture), plus raw envelopes for the wire shapes zeep cannot produce.
The rules under test are written down in docs/api-notes-dnc.md."""
import pytest
import zeep

from callfire_soap.storage.dnc import DncRepository
from tests.support import DATA, NS, SVC, envelope, soap_post

A, B, C, D = "13105551212", "13105551213", "12132212384", "12132212385"


# -- helpers ---------------------------------------------------------------------------------
def fault_code(excinfo) -> str:
    return excinfo.value.detail.findtext("{%s}ServiceFaultInfo/{%s}FaultCode" % (SVC, SVC))


def expect_fault(code: str, call, *args, **kwargs) -> zeep.exceptions.Fault:
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        call(*args, **kwargs)
    assert fault_code(excinfo) == code, excinfo.value.message
    return excinfo.value


def entries(service, **filters) -> list[tuple]:
    """QueryDncNumbers as (Number, DncListId, CallDnc, TextDnc) tuples, in answer order."""
    result = service.QueryDncNumbers(**filters)
    found = [(n.Number, n.DncListId, n.CallDnc, n.TextDnc) for n in (result.DncNumber or [])]
    assert result.TotalResults >= len(found)
    return found


def list_ids(service, **filters) -> list[int]:
    return [dnc_list.id for dnc_list in (service.QueryDncLists(**filters).DncList or [])]


@pytest.fixture
def other(make_account, connect):
    """A second account and its client, for tenant isolation."""
    acct = make_account()
    return connect(acct)


# -- lists -----------------------------------------------------------------------------------
def test_create_get_and_delete_list(service):
    list_id = service.CreateDncList(Name="Opt-outs", CampaignId=12597848003, Numbers=[A, B])
    got = service.GetDncList(Id=list_id)
    assert (got.id, got.Name, got.CampaignId, got.Size) == (list_id, "Opt-outs", 12597848003, 2)
    assert entries(service) == [(A, list_id, True, True), (B, list_id, True, True)]

    service.DeleteDncList(Id=list_id)
    expect_fault("NOT_FOUND", service.GetDncList, Id=list_id)
    assert service.QueryDncLists().TotalResults == 0
    assert service.QueryDncNumbers().TotalResults == 0  # its numbers went with it


def test_create_without_numbers_or_campaign(service):
    list_id = service.CreateDncList(Name="  Empty  ")
    got = service.GetDncList(Id=list_id)
    assert (got.Name, got.CampaignId, got.Size) == ("Empty", None, 0)


def test_create_normalises_and_deduplicates_numbers(service):
    list_id = service.CreateDncList(
        Name="n", Numbers=["3105551212", "+13105551212,1-310-555-1213", "(213)221-2384", B]
    )
    assert service.GetDncList(Id=list_id).Size == 3
    assert [e[0] for e in entries(service)] == [C, A, B]


@pytest.mark.parametrize("name", ["", "   ", "x" * 256])
def test_create_with_blank_or_overlong_name_is_bad_request(service, name):
    expect_fault("BAD_REQUEST", service.CreateDncList, Name=name, Numbers=[A])
    assert service.QueryDncLists().TotalResults == 0


def test_create_with_a_bad_number_names_it_and_creates_nothing(service):
    fault = expect_fault("BAD_REQUEST", service.CreateDncList, Name="x", Numbers=[A, "555", "hello", B])
    assert "'555'" in fault.message and "'hello'" in fault.message
    assert service.QueryDncLists().TotalResults == 0
    assert service.QueryDncNumbers().TotalResults == 0


def test_get_and_delete_unknown_list_are_not_found(service):
    expect_fault("NOT_FOUND", service.GetDncList, Id=987654321)
    fault = expect_fault("NOT_FOUND", service.DeleteDncList, Id=987654321)
    assert "987654321" in fault.message


def test_query_lists_filters_by_campaign_and_name(service):
    vip = service.CreateDncList(Name="VIP Opt-outs", CampaignId=7)
    stop = service.CreateDncList(Name="SMS STOP replies", CampaignId=7)
    legal = service.CreateDncList(Name="Legal 100%_hold", CampaignId=8)
    plain = service.CreateDncList(Name="opt-OUTS 2014")

    assert list_ids(service) == [vip, stop, legal, plain]
    assert list_ids(service, CampaignId=7) == [vip, stop]
    assert list_ids(service, CampaignId=8) == [legal]
    assert list_ids(service, CampaignId=9) == []
    assert list_ids(service, Name="OPT-outs") == [vip, plain]      # case-insensitive substring
    assert list_ids(service, Name="opt", CampaignId=7) == [vip]     # filters combine
    assert list_ids(service, Name="100%_") == [legal]               # LIKE wildcards are literal
    assert list_ids(service, Name="%") == [legal]
    assert list_ids(service, Name="p%s") == []
    assert list_ids(service, Name="") == [vip, stop, legal, plain]  # blank: no filter
    result = service.QueryDncLists(CampaignId=7)
    assert result.TotalResults == 2
    assert [(x.Name, x.CampaignId, x.Size) for x in result.DncList] == [
        ("VIP Opt-outs", 7, 0), ("SMS STOP replies", 7, 0)]


def test_query_lists_name_matches_itself_whatever_the_letters(service):
    umlaut = service.CreateDncList(Name="Ärzte Übersee")
    service.CreateDncList(Name="Arzte")
    assert list_ids(service, Name="Ärzte Übersee") == [umlaut]  # exact text always matches
    assert list_ids(service, Name="RZTE ÜB") == [umlaut]        # ASCII letters fold


def test_query_lists_paging_and_sizes(service):
    ids = [service.CreateDncList(Name=f"list {i:02d}", Numbers=[A, B][: i % 3]) for i in range(12)]
    page = service.QueryDncLists(MaxResults=5, FirstResult=5)
    assert page.TotalResults == 12
    assert [x.id for x in page.DncList] == ids[5:10]
    assert [x.Size for x in page.DncList] == [i % 3 for i in range(5, 10)]
    tail = service.QueryDncLists(MaxResults=5, FirstResult=10)
    assert [x.id for x in tail.DncList] == ids[10:]
    beyond = service.QueryDncLists(FirstResult=50)
    assert beyond.TotalResults == 12 and not beyond.DncList
    expect_fault("BAD_REQUEST", service.QueryDncLists, FirstResult=-1)


def test_flags_default_to_true_on_create(service):
    both = service.CreateDncList(Name="both", Numbers=[A])
    call_only = service.CreateDncList(Name="call only", TextDnc=False, Numbers=[B])
    text_only = service.CreateDncList(Name="text only", CallDnc=False, TextDnc=True, Numbers=[C])
    assert entries(service, DncListId=both) == [(A, both, True, True)]
    assert entries(service, DncListId=call_only) == [(B, call_only, True, False)]
    assert entries(service, DncListId=text_only) == [(C, text_only, False, True)]


# -- adding and removing numbers ----------------------------------------------------------------
def test_add_numbers_defaults_and_existing_numbers_take_the_new_flags(service):
    list_id = service.CreateDncList(Name="l", Numbers=[A])
    service.AddNumbersToDncList(Id=list_id, Numbers=[B, "2132212384"])  # flags omitted: true
    assert entries(service) == [(C, list_id, True, True), (A, list_id, True, True),
                                (B, list_id, True, True)]
    service.AddNumbersToDncList(Id=list_id, CallDnc=False, Numbers=[A, D])
    assert entries(service) == [(C, list_id, True, True), (D, list_id, False, True),
                                (A, list_id, False, True), (B, list_id, True, True)]
    service.AddNumbersToDncList(Id=list_id, CallDnc=True, TextDnc=False, Numbers=["+13105551212"])
    assert entries(service, Prefix=A) == [(A, list_id, True, False)]
    assert service.GetDncList(Id=list_id).Size == 4  # re-adding did not duplicate


def test_add_with_a_bad_number_changes_nothing(service):
    list_id = service.CreateDncList(Name="l", TextDnc=False, Numbers=[A])
    fault = expect_fault("BAD_REQUEST", service.AddNumbersToDncList, Id=list_id, TextDnc=True,
                         Numbers=[A, B, "12345"])
    assert "'12345'" in fault.message
    assert entries(service) == [(A, list_id, True, False)]  # neither added nor re-flagged


def test_add_and_remove_on_unknown_list_are_not_found(service):
    expect_fault("NOT_FOUND", service.AddNumbersToDncList, Id=424242, Numbers=[A])
    expect_fault("NOT_FOUND", service.RemoveNumbersFromDncList, Id=424242, Numbers=[A])


def test_remove_without_flags_takes_numbers_off_the_list(service):
    keep = service.CreateDncList(Name="keep", Numbers=[A])
    list_id = service.CreateDncList(Name="l", Numbers=[A, B, C])
    service.RemoveNumbersFromDncList(Id=list_id, Numbers=["3105551212", D])  # D is not on it
    assert entries(service) == [(C, list_id, True, True), (A, keep, True, True),
                                (B, list_id, True, True)]
    assert service.GetDncList(Id=list_id).Size == 2
    assert service.GetDncList(Id=keep).Size == 1


def test_remove_with_flags_unblocks_only_the_channels_given_as_true(service):
    list_id = service.CreateDncList(Name="l", Numbers=[A, B, C, D])
    service.RemoveNumbersFromDncList(Id=list_id, CallDnc=True, Numbers=[A])          # text stays
    service.RemoveNumbersFromDncList(Id=list_id, TextDnc=True, CallDnc=False, Numbers=[B])
    service.RemoveNumbersFromDncList(Id=list_id, CallDnc=True, TextDnc=True, Numbers=[C])
    service.RemoveNumbersFromDncList(Id=list_id, CallDnc=False, TextDnc=False, Numbers=[D])
    assert entries(service) == [(D, list_id, True, True), (A, list_id, False, True),
                                (B, list_id, True, False)]
    service.RemoveNumbersFromDncList(Id=list_id, TextDnc=True, Numbers=[A])  # nothing left: gone
    assert [e[0] for e in entries(service)] == [D, B]


def test_remove_with_a_bad_number_changes_nothing(service):
    list_id = service.CreateDncList(Name="l", Numbers=[A, B])
    expect_fault("BAD_REQUEST", service.RemoveNumbersFromDncList, Id=list_id, Numbers=[A, "x1"])
    assert [e[0] for e in entries(service)] == [A, B]


# -- querying numbers -------------------------------------------------------------------------
@pytest.fixture
def two_lists(service):
    """A (call+text) and C on "Opt-outs"; A (call only), B (text only) and D on "SMS stop"."""
    opt = service.CreateDncList(Name="Opt-outs", Numbers=[A, C])
    sms = service.CreateDncList(Name="SMS stop", Numbers=[D])
    service.AddNumbersToDncList(Id=sms, TextDnc=False, Numbers=[A])
    service.AddNumbersToDncList(Id=sms, CallDnc=False, Numbers=[B])
    return opt, sms


def test_query_numbers_lists_a_number_once_per_list(service, two_lists):
    opt, sms = two_lists
    assert entries(service) == [(C, opt, True, True), (D, sms, True, True), (A, opt, True, True),
                                (A, sms, True, False), (B, sms, False, True)]
    assert service.QueryDncNumbers().TotalResults == 5


@pytest.mark.parametrize("prefix, expected", [
    ("1310", [A, A, B]),
    ("+1213", [C, D]),           # a leading '+' is accepted
    ("1213221238", [C, D]),
    ("12132212385", [D]),        # a whole number
    ("1", [C, D, A, A, B]),
    ("1319", []),
    ("+", None),                 # a sign and no digits
    ("213", []),                 # prefixes apply to the 11-digit form, country code first
    (" 1310 ", [A, A, B]),
])
def test_query_numbers_by_prefix(service, two_lists, prefix, expected):
    if expected is None:
        expect_fault("BAD_REQUEST", service.QueryDncNumbers, Prefix=prefix)
        return
    found = entries(service, Prefix=prefix)
    assert [e[0] for e in found] == expected
    assert service.QueryDncNumbers(Prefix=prefix).TotalResults == len(expected)


@pytest.mark.parametrize("prefix", ["12a", "1-310", "１３１０", "1" * 16])
def test_query_numbers_bad_prefix_is_bad_request(service, prefix):
    fault = expect_fault("BAD_REQUEST", service.QueryDncNumbers, Prefix=prefix)
    assert "Prefix" in fault.message


def test_query_numbers_by_list_and_flags(service, two_lists):
    opt, sms = two_lists
    assert entries(service, DncListId=opt) == [(C, opt, True, True), (A, opt, True, True)]
    assert [e[0] for e in entries(service, DncListName="sms")] == [D, A, B]
    assert [e[0] for e in entries(service, DncListName="OPT-")] == [C, A]
    assert entries(service, DncListName="nope") == []
    assert entries(service, CallDnc=False) == [(B, sms, False, True)]
    assert entries(service, TextDnc=False) == [(A, sms, True, False)]
    assert [e[0] for e in entries(service, CallDnc=True, TextDnc=True)] == [C, D, A]
    assert entries(service, DncListId=sms, Prefix="1310", CallDnc=True) == [(A, sms, True, False)]
    assert entries(service, DncListId=987654) == []  # unknown list: empty, not a fault


def test_query_numbers_paging(service):
    numbers = [f"1310555{i:04d}" for i in range(1200, 1225)]
    list_id = service.CreateDncList(Name="bulk", Numbers=list(reversed(numbers)))
    page = service.QueryDncNumbers(MaxResults=10, FirstResult=5)
    assert page.TotalResults == 25
    assert [n.Number for n in page.DncNumber] == numbers[5:15]
    assert all(n.DncListId == list_id for n in page.DncNumber)
    filtered = service.QueryDncNumbers(Prefix="131055512", MaxResults=3, FirstResult=19)
    assert filtered.TotalResults == 25
    assert [n.Number for n in filtered.DncNumber] == numbers[19:22]
    assert not service.QueryDncNumbers(FirstResult=25).DncNumber
    expect_fault("BAD_REQUEST", service.QueryDncNumbers, MaxResults=-5)


# -- UpdateDncNumber -----------------------------------------------------------------------------
def test_update_number_sets_given_flags_on_every_list(service, two_lists):
    opt, sms = two_lists
    service.UpdateDncNumber(Number="+13105551212", CallDnc=False)
    assert entries(service, Prefix=A) == [(A, opt, False, True), (A, sms, False, False)]
    service.UpdateDncNumber(Number=A)  # no flags: nothing changes
    assert entries(service, Prefix=A) == [(A, opt, False, True), (A, sms, False, False)]
    service.UpdateDncNumber(Number="3105551212", CallDnc=True, TextDnc=True)
    assert entries(service, Prefix=A) == [(A, opt, True, True), (A, sms, True, True)]
    assert entries(service, Prefix=B) == [(B, sms, False, True)]  # other numbers untouched


def test_update_number_not_on_any_list_is_not_found(service, two_lists):
    fault = expect_fault("NOT_FOUND", service.UpdateDncNumber, Number="13105559999", CallDnc=True)
    assert "13105559999" in fault.message
    assert service.QueryDncNumbers(Prefix="13105559999").TotalResults == 0


@pytest.mark.parametrize("number", ["555", "1310555121", "abc"])
def test_update_invalid_number_is_bad_request(service, two_lists, number):
    expect_fault("BAD_REQUEST", service.UpdateDncNumber, Number=number, CallDnc=False)


# -- tenant isolation ------------------------------------------------------------------------------
def test_other_accounts_lists_are_unknown_ids(service, other):
    mine = service.CreateDncList(Name="Opt-outs", CampaignId=1, Numbers=[A])
    theirs = other.CreateDncList(Name="Opt-outs", CampaignId=1, Numbers=[A, B])

    expect_fault("NOT_FOUND", service.GetDncList, Id=theirs)
    expect_fault("NOT_FOUND", service.AddNumbersToDncList, Id=theirs, Numbers=[C])
    expect_fault("NOT_FOUND", service.RemoveNumbersFromDncList, Id=theirs, Numbers=[A])
    expect_fault("NOT_FOUND", service.DeleteDncList, Id=theirs)
    expect_fault("NOT_FOUND", service.UpdateDncNumber, Number=B, CallDnc=False)

    assert list_ids(service, Name="Opt-outs", CampaignId=1) == [mine]
    assert entries(service) == [(A, mine, True, True)]
    assert entries(service, DncListId=theirs) == []
    service.UpdateDncNumber(Number=A, CallDnc=False, TextDnc=False)

    got = other.GetDncList(Id=theirs)  # still intact, flags unchanged
    assert (got.Name, got.Size) == ("Opt-outs", 2)
    assert entries(other) == [(A, theirs, True, True), (B, theirs, True, True)]


# -- transactions --------------------------------------------------------------------------------
def _fail_after(monkeypatch, method_name: str):
    """Make a DncRepository write raise after it has done its work, inside the transaction."""
    real = getattr(DncRepository, method_name)

    def failing(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise RuntimeError("simulated failure after the write")

    monkeypatch.setattr(DncRepository, method_name, failing)


def test_failure_after_writing_rolls_back_create(service, monkeypatch):
    _fail_after(monkeypatch, "put_numbers")
    expect_fault("UNAVAILABLE", service.CreateDncList, Name="doomed", Numbers=[A, B])
    monkeypatch.undo()
    assert service.QueryDncLists().TotalResults == 0
    assert service.QueryDncNumbers().TotalResults == 0


def test_failure_after_writing_rolls_back_remove_and_update(service, monkeypatch):
    list_id = service.CreateDncList(Name="l", Numbers=[A, B])
    _fail_after(monkeypatch, "remove_numbers")
    _fail_after(monkeypatch, "set_flags")
    expect_fault("UNAVAILABLE", service.RemoveNumbersFromDncList, Id=list_id, Numbers=[A])
    expect_fault("UNAVAILABLE", service.UpdateDncNumber, Number=B, CallDnc=False)
    monkeypatch.undo()
    assert entries(service) == [(A, list_id, True, True), (B, list_id, True, True)]


# -- raw wire shapes ---------------------------------------------------------------------------
def _raw(endpoint, account, operation, body_xml):
    return soap_post(endpoint, envelope(body_xml), account.auth, operation)


def _raw_numbers(endpoint, account) -> list[tuple]:
    reply = _raw(endpoint, account, "QueryDncNumbers", "<svc:QueryDncNumbersRequest/>")
    assert reply.status == 200
    return [
        (n.findtext("data:Number", namespaces=NS), n.findtext("data:CallDnc", namespaces=NS),
         n.findtext("data:TextDnc", namespaces=NS))
        for n in reply.body_child.iterfind("{%s}DncNumber" % DATA)
    ]


@pytest.mark.parametrize("id_element", ["Id", "DncListId"])
def test_add_and_remove_accept_dnc_list_id_alias(endpoint, account, id_element):
    created = _raw(endpoint, account, "CreateDncList",
                   "<svc:CreateDncListRequest><svc:Name>raw</svc:Name></svc:CreateDncListRequest>")
    assert created.status == 200
    list_id = created.body_child.text
    added = _raw(endpoint, account, "AddNumbersToDncList",
                 f"<svc:AddNumbersToDncListRequest><svc:{id_element}>{list_id}</svc:{id_element}>"
                 f"<svc:TextDnc>false</svc:TextDnc><svc:Numbers>{A}, {B}\n{C}</svc:Numbers>"
                 f"</svc:AddNumbersToDncListRequest>")
    assert added.status == 200 and added.body_child is None  # empty Body
    assert _raw_numbers(endpoint, account) == [(C, "true", "false"), (A, "true", "false"),
                                               (B, "true", "false")]
    removed = _raw(endpoint, account, "RemoveNumbersFromDncList",
                   f"<svc:RemoveNumbersFromDncListRequest><svc:{id_element}>{list_id}</svc:{id_element}>"
                   f"<svc:Numbers>{A}</svc:Numbers></svc:RemoveNumbersFromDncListRequest>")
    assert removed.status == 200 and removed.body_child is None
    assert [n[0] for n in _raw_numbers(endpoint, account)] == [C, B]


def test_alias_on_unknown_list_is_not_found_and_missing_id_is_bad_request(endpoint, account):
    reply = _raw(endpoint, account, "AddNumbersToDncList",
                 f"<svc:AddNumbersToDncListRequest><svc:DncListId>4242424</svc:DncListId>"
                 f"<svc:Numbers>{A}</svc:Numbers></svc:AddNumbersToDncListRequest>")
    assert reply.status == 500 and reply.fault_code == "NOT_FOUND"
    reply = _raw(endpoint, account, "AddNumbersToDncList",
                 f"<svc:AddNumbersToDncListRequest><svc:Numbers>{A}</svc:Numbers>"
                 f"</svc:AddNumbersToDncListRequest>")
    assert reply.status == 500 and reply.fault_code == "BAD_REQUEST"


def test_empty_numbers_on_add_is_a_no_op_but_the_list_must_exist(endpoint, account):
    created = _raw(endpoint, account, "CreateDncList",
                   f"<svc:CreateDncListRequest><svc:Name>e</svc:Name><svc:Numbers>{A}</svc:Numbers>"
                   f"</svc:CreateDncListRequest>")
    list_id = created.body_child.text
    for op, element in (("AddNumbersToDncList", "AddNumbersToDncListRequest"),
                        ("RemoveNumbersFromDncList", "RemoveNumbersFromDncListRequest")):
        ok = _raw(endpoint, account, op, f"<svc:{element}><svc:Id>{list_id}</svc:Id>"
                                         f"<svc:Numbers> </svc:Numbers></svc:{element}>")
        assert ok.status == 200, ok.response.text
        missing = _raw(endpoint, account, op, f"<svc:{element}><svc:Id>4242424</svc:Id>"
                                              f"<svc:Numbers/></svc:{element}>")
        assert missing.fault_code == "NOT_FOUND"
    assert _raw_numbers(endpoint, account) == [(A, "true", "true")]


def test_bad_number_fault_is_a_service_fault_with_detail(endpoint, account):
    reply = _raw(endpoint, account, "CreateDncList",
                 "<svc:CreateDncListRequest><svc:Name>x</svc:Name>"
                 "<svc:Numbers>13105551212,call-me 1</svc:Numbers></svc:CreateDncListRequest>")
    assert reply.status == 500 and reply.fault_code == "BAD_REQUEST"
    detail = reply.root.findtext("env:Body/env:Fault/env:Detail/svc:ServiceFaultInfo/svc:Detail",
                                 namespaces=NS)
    assert detail == "call-me 1"
