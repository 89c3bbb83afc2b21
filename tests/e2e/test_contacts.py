"""The five contact operations, driven by zeep clients built from the served WSDL and from
the legacy WSDL; every response is validated against the legacy XSD by the client fixture."""
import pytest
import zeep

from callfire_soap.domain.contacts import Contact
from tests.support import DATA


def _fault_code(excinfo) -> str:
    detail = excinfo.value.detail
    return detail.findtext("{http://api.callfire.com/service/xsd}ServiceFaultInfo/"
                           "{http://api.callfire.com/service/xsd}FaultCode")


def _contact_type(service):
    return service.client.get_element("{%s}Contact" % DATA)


def test_get_contact_returns_declared_and_custom_attributes(service, account, seed):
    (cid,) = seed(account, [Contact(first_name="Robert", last_name="Shmidt", mobile_phone="12132212384",
                                    custom={"F": "12132212384", "I": "data3"})])
    contact = service.GetContact(Id=cid)
    assert contact.id == cid
    assert (contact.firstName, contact.lastName, contact.mobilePhone) == ("Robert", "Shmidt", "12132212384")
    assert contact.homePhone is None
    assert contact._attr_1 == {"F": "12132212384", "I": "data3"}


def test_get_unknown_contact_is_not_found_fault(service):
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.GetContact(Id=987654321)
    assert _fault_code(excinfo) == "NOT_FOUND"
    assert "987654321" in excinfo.value.message


def test_update_contacts_round_trips_custom_fields(service, account, seed):
    (cid,) = seed(account, [Contact(first_name="Ann", home_phone="12132212384", custom={"A": "old"})])
    C = _contact_type(service)
    service.UpdateContacts(Contact=[C(id=cid, lastName="Lee", _attr_1={"A": "new", "custom_2": "x y"})])
    contact = service.GetContact(Id=cid)
    assert (contact.firstName, contact.lastName, contact.homePhone) == ("Ann", "Lee", "12132212384")
    assert contact._attr_1 == {"A": "new", "custom_2": "x y"}
    result = service.QueryContacts(String="x y")
    assert [c.id for c in result.Contact] == [cid]
    assert result.Contact[0]._attr_1 == {"A": "new", "custom_2": "x y"}


def test_update_contacts_empty_attribute_clears_field(service, account, seed):
    (cid,) = seed(account, [Contact(first_name="Ann", zipcode="90210", custom={"A": "1", "B": "2"})])
    C = _contact_type(service)
    service.UpdateContacts(Contact=[C(id=cid, zipcode="", _attr_1={"A": ""})])
    contact = service.GetContact(Id=cid)
    assert contact.zipcode is None and contact.firstName == "Ann"
    assert contact._attr_1 == {"B": "2"}


def test_update_contacts_normalises_valid_numbers(service, account, seed):
    (cid,) = seed(account, [Contact(first_name="N")])
    C = _contact_type(service)
    service.UpdateContacts(Contact=[C(id=cid, homePhone="2132212384", workPhone="+12132212385", mobilePhone="111")])
    contact = service.GetContact(Id=cid)
    assert (contact.homePhone, contact.workPhone, contact.mobilePhone) == ("12132212384", "12132212385", "111")


def test_update_contacts_ignores_unknown_and_foreign_ids(service, account, make_account, seed, connect):
    other = make_account()
    (mine,) = seed(account, [Contact(first_name="Mine")])
    (theirs,) = seed(other, [Contact(first_name="Theirs")])
    C = _contact_type(service)
    service.UpdateContacts(Contact=[C(id=theirs, firstName="Hacked"), C(id=999999999, firstName="X"),
                                    C(id=mine, firstName="Updated")])
    assert service.GetContact(Id=mine).firstName == "Updated"
    assert connect(other).GetContact(Id=theirs).firstName == "Theirs"


def test_update_contacts_rejects_bad_custom_name_and_changes_nothing(endpoint, account, seed):
    from tests.support import envelope, soap_post

    (cid,) = seed(account, [Contact(first_name="Keep")])
    body = envelope(
        f'<svc:UpdateContacts><data:Contact id="{cid}" firstName="Changed"/>'
        f'<data:Contact id="{cid}" xmlfoo="1"/></svc:UpdateContacts>'
    )
    reply = soap_post(endpoint, body, account.auth, "UpdateContacts")
    assert reply.status == 500 and reply.fault_code == "BAD_REQUEST"
    ok = soap_post(endpoint, envelope(f"<svc:GetContact><svc:Id>{cid}</svc:Id></svc:GetContact>"),
                   account.auth, "GetContact")
    assert ok.body_child.get("firstName") == "Keep"


def test_remove_contacts(service, account, make_account, seed, connect):
    other = make_account()
    a, b, c = seed(account, [Contact(first_name=n) for n in ("a", "b", "c")])
    (theirs,) = seed(other, [Contact(first_name="theirs")])
    service.RemoveContacts(ContactId=[a, c, 999999998, theirs])
    remaining = service.QueryContacts()
    assert [x.id for x in remaining.Contact] == [b]
    assert remaining.TotalResults == 1
    service.RemoveContacts(ContactId=[])  # empty list: no fault (the .NET SDK sends "")
    assert connect(other).GetContact(Id=theirs).firstName == "theirs"
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.GetContact(Id=a)
    assert _fault_code(excinfo) == "NOT_FOUND"


def test_query_contacts_paging(service, account, seed):
    ids = seed(account, [Contact(first_name=f"p{i:02d}") for i in range(25)])
    page = service.QueryContacts(MaxResults=10, FirstResult=5)
    assert page.TotalResults == 25
    assert [c.id for c in page.Contact] == ids[5:15]
    tail = service.QueryContacts(MaxResults=10, FirstResult=20)
    assert [c.id for c in tail.Contact] == ids[20:]
    beyond = service.QueryContacts(FirstResult=100)
    assert beyond.TotalResults == 25 and not beyond.Contact
    everything = service.QueryContacts()
    assert [c.id for c in everything.Contact] == ids


def test_query_contacts_max_results_is_capped_at_1000(service, account, seed):
    ids = seed(account, [Contact(first_name="bulk") for _ in range(1005)])
    result = service.QueryContacts(MaxResults=5000)
    assert result.TotalResults == 1005
    assert len(result.Contact) == 1000 and result.Contact[0].id == ids[0]


def test_query_contacts_negative_paging_is_bad_request(service):
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.QueryContacts(MaxResults=-1)
    assert _fault_code(excinfo) == "BAD_REQUEST"


def test_query_contacts_string_searches_names_numbers_and_custom_values(service, account, seed):
    ann, bob, cat = seed(account, [
        Contact(first_name="Annabel", last_name="Smith", home_phone="12132212384"),
        Contact(first_name="Bob", work_phone="13105551212", custom={"G": "Gold member"}),
        Contact(first_name="Cat", external_id="crm-77%_"),
    ])
    def found(**kw):
        return [c.id for c in (service.QueryContacts(**kw).Contact or [])]
    assert found(String="anna") == [ann]          # case-insensitive substring of a name
    assert found(String="3105551") == [bob]       # substring of a number
    assert found(String="gold MEMBER") == [bob]   # custom value
    assert found(String="77%_") == [cat]          # LIKE wildcards are literal
    assert found(String="%") == [cat]           # ...and match only themselves
    assert found(String="a%b") == []
    assert found(String="-77%") == [cat]          # ...through the trigram index too (3+ chars)
    assert found(String="*") == found(String="[") == found(String="?") == []
    assert found(String="zzz") == []


def test_query_contacts_field_restricts_the_match(service, account, seed):
    a, b = seed(account, [
        Contact(first_name="555000", home_phone="555000"),
        Contact(first_name="Other", work_phone="555000", custom={"H": "vip"}),
    ])
    assert [c.id for c in service.QueryContacts(Field="homePhone", String="555000").Contact] == [a]
    assert [c.id for c in service.QueryContacts(Field="workPhone", String="555").Contact] == [b]
    assert [c.id for c in service.QueryContacts(Field="H", String="VIP").Contact] == [b]
    assert [c.id for c in service.QueryContacts(Field="H").Contact] == [b]  # has the field
    assert service.QueryContacts(Field="zipcode", String="555").TotalResults == 0
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.QueryContacts(Field="not a field", String="x")
    assert _fault_code(excinfo) == "BAD_REQUEST"


def test_query_contacts_unknown_list_is_empty(service, account, seed):
    seed(account, [Contact(first_name="x")])
    result = service.QueryContacts(ContactListId=424242)
    assert result.TotalResults == 0 and not result.Contact


def test_accounts_see_only_their_contacts(service, account, make_account, seed, connect):
    other = make_account()
    seed(account, [Contact(first_name="shared-name")])
    (theirs,) = seed(other, [Contact(first_name="shared-name")])
    mine = service.QueryContacts(String="shared-name")
    assert mine.TotalResults == 1 and mine.Contact[0].id != theirs
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        service.GetContact(Id=theirs)
    assert _fault_code(excinfo) == "NOT_FOUND"


def test_contact_history_unknown_or_zero_is_empty(service, account, seed):
    (cid,) = seed(account, [Contact(first_name="nohistory")])
    for contact_id in (0, cid, 88888888):
        history = service.GetContactHistory(ContactId=contact_id)
        assert not history  # zeep gives None or [] for an empty data:ContactHistory
