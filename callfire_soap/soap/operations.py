"""How a ContactService operation is declared: bare document/literal, legacy element names,
and the writer that produces its response element (None: an empty env:Body)."""
from __future__ import annotations

from dataclasses import dataclass

from spyne import rpc

from .namespaces import svc

# request element local name -> writer (None for operations whose output message is
# tns:Empty). Keyed by the element, not the method, because that is spyne's descriptor
# name, which the protocol looks up; the DNC methods differ from it (CreateDncList vs
# CreateDncListRequest).
OUTPUT_WRITERS: dict[str, object] = {}


def operation(request_type, request_element: str, response_element: str | None = None,
              returns=None, writer=None):
    """Declare a spyne method for ``<svc:request_element>``; ``response_element`` is a
    '{ns}name' QName, omitted for operations that answer with an empty Body."""

    def decorate(func):
        OUTPUT_WRITERS[request_element] = writer
        return rpc(
            request_type,
            _body_style="bare",
            _in_message_name=svc(request_element),
            _returns=returns,
            _out_message_name=response_element or svc(func.__name__ + "Response"),
        )(func)

    return decorate


@dataclass
class RequestScope:
    account_id: int
    backend: "object"


def scope(ctx) -> RequestScope:
    """The authenticated account and the service backend, put in the WSGI environ by app.py."""
    environ = ctx.transport.req_env
    return RequestScope(environ["callfire.account_id"], environ["callfire.backend"])
