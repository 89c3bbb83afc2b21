"""ContactService operations on contact lists."""
from spyne import ServiceBase

from ..domain.errors import NotImplementedOperation
from . import types, writers
from .namespaces import data, svc
from .operations import operation


def _not_yet(name: str):
    raise NotImplementedOperation(f"{name} is not implemented yet")


class ContactListOperations(ServiceBase):
    @operation(types.CreateContactList, "CreateContactList", svc("CreatedId"),
               types.CreatedId, writers.write_created_id)
    def CreateContactList(ctx, request):
        _not_yet("CreateContactList")

    @operation(types.Query, "QueryContactLists", svc("ContactListQueryResult"),
               types.ContactListQueryResult, writers.write_contact_list_query_result)
    def QueryContactLists(ctx, request):
        _not_yet("QueryContactLists")

    @operation(types.IdRequest, "DeleteContactList")
    def DeleteContactList(ctx, request):
        _not_yet("DeleteContactList")

    @operation(types.ContactListRequest, "AddContactsToList")
    def AddContactsToList(ctx, request):
        _not_yet("AddContactsToList")

    @operation(types.IdRequest, "GetContactList", data("ContactList"),
               types.ContactList, writers.write_contact_list)
    def GetContactList(ctx, request):
        _not_yet("GetContactList")

    @operation(types.RemoveContactsFromList, "RemoveContactsFromList")
    def RemoveContactsFromList(ctx, request):
        _not_yet("RemoveContactsFromList")
