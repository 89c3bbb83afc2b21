"""Ids are never reused: a deleted contact's (or DNC list's) id does not come back."""
from callfire_soap.domain.contacts import Contact


def test_deleted_contact_ids_are_not_reused(app, service, account):
    first = service.CreateContactList(Name="a", ContactSource={
        "Numbers": {"_value_1": ["13105558001", "13105558002"], "fieldName": "homePhone"}})
    ids = sorted(c.id for c in service.QueryContacts(ContactListId=first).Contact)
    service.RemoveContacts(ContactId=ids)
    second = service.CreateContactList(Name="b", ContactSource={
        "Numbers": {"_value_1": ["13105558003", "13105558004"], "fieldName": "homePhone"}})
    new_ids = sorted(c.id for c in service.QueryContacts(ContactListId=second).Contact)
    assert min(new_ids) > max(ids)
    C = service.client.get_element("{http://api.callfire.com/data}Contact")
    service.UpdateContacts(Contact=[C(id=new_ids[0], firstName="x")])
    with app.backend.uow() as uow:  # a single insert after the bulk one continues above it
        (single,) = uow.contacts.add_many(account.id, [Contact(first_name="s")])
        uow.commit()
    assert single > max(new_ids)


def test_deleted_dnc_list_ids_are_not_reused(service):
    first = service.CreateDncList(Name="one")
    service.DeleteDncList(Id=first)
    assert service.CreateDncList(Name="two") > first
