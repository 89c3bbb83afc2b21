"""ContactService operations on contact lists: CreateContactList, QueryContactLists,
DeleteContactList, AddContactsToList, GetContactList, RemoveContactsFromList."""
from spyne import ServiceBase

from ..domain.errors import BadRequest
from ..services import lists as list_service
from ..services.list_sources import (
    ContactIdsSource,
    ContactsSource,
    FileSource,
    ListSource,
    NumbersSource,
)
from . import convert, types, writers
from .namespaces import data, svc
from .operations import operation, scope


def contact_source(wire) -> ListSource:
    """The one branch of svc:ContactSource the request carries. validation.py has already
    reduced several branches to the documented precedence: Contact, Numbers, ContactId, File."""
    if wire is None:
        raise BadRequest("ContactSource is required")
    if wire.Contact:
        # A generator: contacts are converted as the import consumes them.
        return ContactsSource(convert.contact(c) for c in wire.Contact)
    if wire.Numbers is not None:
        return NumbersSource(wire.Numbers.value or "", wire.Numbers.fieldName)
    if wire.ContactId is not None:
        return ContactIdsSource(convert.id_list(wire.ContactId))
    if wire.File is not None:
        return FileSource(wire.File)
    raise BadRequest("ContactSource must hold Contact, Numbers, ContactId or File")


def _validate(value) -> bool:
    return True if value is None else bool(value)  # xs:boolean default true


class ContactListOperations(ServiceBase):
    @operation(types.CreateContactList, "CreateContactList", svc("CreatedId"),
               types.CreatedId, writers.write_created_id)
    def CreateContactList(ctx, request):
        s = scope(ctx)
        return list_service.create_list(
            s.backend.uow, s.account_id, request.Name, contact_source(request.ContactSource),
            validate=_validate(request.Validate), request_id=request.RequestId, region=s.backend.region,
        )

    @operation(types.Query, "QueryContactLists", svc("ContactListQueryResult"),
               types.ContactListQueryResult, writers.write_contact_list_query_result)
    def QueryContactLists(ctx, request):
        s = scope(ctx)
        return list_service.query_lists(s.backend.uow, s.account_id, convert.page(request))

    @operation(types.IdRequest, "DeleteContactList")
    def DeleteContactList(ctx, request):
        s = scope(ctx)
        list_service.delete_list(s.backend.uow, s.account_id, request.Id)

    @operation(types.ContactListRequest, "AddContactsToList")
    def AddContactsToList(ctx, request):
        s = scope(ctx)
        list_service.add_to_list(
            s.backend.uow, s.account_id, request.ContactListId, contact_source(request.ContactSource),
            validate=_validate(request.Validate), region=s.backend.region,
        )

    @operation(types.IdRequest, "GetContactList", data("ContactList"),
               types.ContactList, writers.write_contact_list)
    def GetContactList(ctx, request):
        s = scope(ctx)
        return list_service.get_list(s.backend.uow, s.account_id, request.Id)

    @operation(types.RemoveContactsFromList, "RemoveContactsFromList")
    def RemoveContactsFromList(ctx, request):
        s = scope(ctx)
        list_service.remove_from_list(
            s.backend.uow, s.account_id, request.ContactListId,
            contact_ids=convert.id_list(request.ContactId), numbers=request.Numbers,
            region=s.backend.region,
        )
