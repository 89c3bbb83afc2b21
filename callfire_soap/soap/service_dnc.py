"""ContactService operations on Do Not Contact lists and numbers: QueryDncNumbers,
UpdateDncNumber, QueryDncLists, CreateDncList, GetDncList, DeleteDncList,
AddNumbersToDncList, RemoveNumbersFromDncList."""
from spyne import ServiceBase

from ..domain.phone import split_numbers
from ..services import dnc as dnc_service
from . import convert, types, writers
from .namespaces import data, svc
from .operations import operation, scope


class DncOperations(ServiceBase):
    @operation(types.QueryDncNumbersRequest, "QueryDncNumbersRequest", svc("QueryDncNumbersResponse"),
               types.QueryDncNumbersResponse, writers.write_dnc_numbers_response)
    def QueryDncNumbers(ctx, request):
        s = scope(ctx)
        return dnc_service.query_dnc_numbers(
            s.backend.uow, s.account_id, convert.page(request),
            prefix=request.Prefix, list_id=request.DncListId, list_name=request.DncListName,
            call_dnc=request.CallDnc, text_dnc=request.TextDnc,
        )

    @operation(types.UpdateDncNumberRequest, "UpdateDncNumberRequest")
    def UpdateDncNumber(ctx, request):
        s = scope(ctx)
        dnc_service.update_dnc_number(
            s.backend.uow, s.account_id, request.Number, request.CallDnc, request.TextDnc, s.backend.region
        )

    @operation(types.QueryDncListsRequest, "QueryDncListsRequest", svc("QueryDncListsResponse"),
               types.QueryDncListsResponse, writers.write_dnc_lists_response)
    def QueryDncLists(ctx, request):
        s = scope(ctx)
        return dnc_service.query_dnc_lists(
            s.backend.uow, s.account_id, convert.page(request),
            campaign_id=request.CampaignId, name=request.Name,
        )

    @operation(types.CreateDncListRequest, "CreateDncListRequest", svc("CreatedId"),
               types.CreatedId, writers.write_created_id)
    def CreateDncList(ctx, request):
        s = scope(ctx)
        return dnc_service.create_dnc_list(
            s.backend.uow, s.account_id, request.Name, request.CampaignId,
            request.CallDnc, request.TextDnc, split_numbers(request.Numbers), s.backend.region,
        )

    @operation(types.IdRequest, "GetDncListRequest", data("DncList"), types.DncList, writers.write_dnc_list)
    def GetDncList(ctx, request):
        s = scope(ctx)
        return dnc_service.get_dnc_list(s.backend.uow, s.account_id, request.Id)

    @operation(types.IdRequest, "DeleteDncListRequest")
    def DeleteDncList(ctx, request):
        s = scope(ctx)
        dnc_service.delete_dnc_list(s.backend.uow, s.account_id, request.Id)

    # The request's DncListId alias (December 2014 SDK builds) is renamed to Id before
    # validation, in validation.apply_leniencies.
    @operation(types.DncNumbersRequest, "AddNumbersToDncListRequest")
    def AddNumbersToDncList(ctx, request):
        s = scope(ctx)
        dnc_service.add_numbers(
            s.backend.uow, s.account_id, request.Id, request.CallDnc, request.TextDnc,
            split_numbers(request.Numbers), s.backend.region,
        )

    @operation(types.DncNumbersRequest, "RemoveNumbersFromDncListRequest")
    def RemoveNumbersFromDncList(ctx, request):
        s = scope(ctx)
        dnc_service.remove_numbers(
            s.backend.uow, s.account_id, request.Id, request.CallDnc, request.TextDnc,
            split_numbers(request.Numbers), s.backend.region,
        )
