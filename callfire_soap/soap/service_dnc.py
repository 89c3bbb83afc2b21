"""ContactService operations on Do Not Contact lists and numbers."""
from spyne import ServiceBase

from ..domain.errors import NotImplementedOperation
from . import types, writers
from .namespaces import data, svc
from .operations import operation


def _not_yet(name: str):
    raise NotImplementedOperation(f"{name} is not implemented yet")


class DncOperations(ServiceBase):
    @operation(types.QueryDncNumbersRequest, "QueryDncNumbersRequest", svc("QueryDncNumbersResponse"),
               types.QueryDncNumbersResponse, writers.write_dnc_numbers_response)
    def QueryDncNumbers(ctx, request):
        _not_yet("QueryDncNumbers")

    @operation(types.UpdateDncNumberRequest, "UpdateDncNumberRequest")
    def UpdateDncNumber(ctx, request):
        _not_yet("UpdateDncNumber")

    @operation(types.QueryDncListsRequest, "QueryDncListsRequest", svc("QueryDncListsResponse"),
               types.QueryDncListsResponse, writers.write_dnc_lists_response)
    def QueryDncLists(ctx, request):
        _not_yet("QueryDncLists")

    @operation(types.CreateDncListRequest, "CreateDncListRequest", svc("CreatedId"),
               types.CreatedId, writers.write_created_id)
    def CreateDncList(ctx, request):
        _not_yet("CreateDncList")

    @operation(types.IdRequest, "GetDncListRequest", data("DncList"), types.DncList, writers.write_dnc_list)
    def GetDncList(ctx, request):
        _not_yet("GetDncList")

    @operation(types.IdRequest, "DeleteDncListRequest")
    def DeleteDncList(ctx, request):
        _not_yet("DeleteDncList")

    @operation(types.DncNumbersRequest, "AddNumbersToDncListRequest")
    def AddNumbersToDncList(ctx, request):
        _not_yet("AddNumbersToDncList")

    @operation(types.DncNumbersRequest, "RemoveNumbersFromDncListRequest")
    def RemoveNumbersFromDncList(ctx, request):
        _not_yet("RemoveNumbersFromDncList")
