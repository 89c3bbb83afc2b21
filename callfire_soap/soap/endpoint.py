"""The WSGI endpoint of one SOAP version: drives the spyne Application for each request.

spyne keeps what it is here for: the service classes and their method descriptors, request
deserialization (the protocol's from_element) and the protocol subclass's hooks. What this
module replaces is spyne's WsgiApplication and its per-request MethodContext machinery:
that generic layer (context objects with attribute hooks, ~17 event dispatches, header and
charset reconstruction, auxiliary-method fan-out) cost ~230 us of the ~300 us a GetContact
took in process, more than the database lookup. This contract needs none of it: one
document/literal operation per request, no auxiliary methods, no event listeners, no MTOM.
The request is handled in the same order spyne handles it: parse, envelope checks and XSD
validation, method lookup by request element, deserialization, the call (through the
Application's call_wrapper, which maps errors to faults), serialization.
"""
from __future__ import annotations

from spyne.error import ResourceNotFoundError

from .faults import as_service_fault


class _Transport:
    __slots__ = ("req_env",)

    def __init__(self, environ):
        self.req_env = environ


class RequestContext:
    """The per-request state spyne's protocol methods and the service functions read and
    write (the subset of spyne's MethodContext that this contract uses)."""

    __slots__ = ("app", "transport", "in_string", "in_document", "in_header_doc", "in_body_doc",
                 "method_request_string", "descriptor", "function", "in_object", "out_object",
                 "out_error", "out_document", "out_body_doc", "out_string")

    def __init__(self, app, environ, body: bytes):
        self.app = app
        self.transport = _Transport(environ)
        self.in_string = (body,)
        self.in_document = self.in_header_doc = self.in_body_doc = None
        self.method_request_string = None
        self.descriptor = self.function = None
        self.in_object = self.out_object = self.out_error = None
        self.out_document = self.out_body_doc = self.out_string = None


class SoapEndpoint:
    """A WSGI application for one spyne Application (one SOAP version)."""

    def __init__(self, application):
        self.app = application
        self.protocol = application.in_protocol
        # "{svc}RequestElement" -> descriptor: one method per request element here.
        self.methods = {
            key: descriptors[0]
            for key, descriptors in application.interface.service_method_map.items()
        }
        self.headers = [("Content-Type", self.protocol.mime_type)]

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        ctx = RequestContext(self.app, environ, environ["wsgi.input"].read(length) if length > 0 else b"")
        try:
            self._handle(ctx)
        except Exception as error:  # noqa: BLE001 - every failure leaves as a SOAP fault
            ctx.out_error, ctx.out_object = as_service_fault(error), None
        try:
            payload = self._write(ctx)
        except Exception as error:  # noqa: BLE001 - a response that cannot be written is the server's fault
            ctx.out_error, ctx.out_object = as_service_fault(error), None
            payload = self._write(ctx)
        status = "200 OK" if ctx.out_error is None else self.protocol.fault_to_http_response_code(ctx.out_error)
        start_response(status, [*self.headers, ("Content-Length", str(len(payload)))])
        return [payload]

    def _write(self, ctx: RequestContext) -> bytes:
        ctx.out_document = ctx.out_body_doc = ctx.out_string = None
        self.protocol.serialize(ctx, self.protocol.RESPONSE)
        self.protocol.create_out_string(ctx)
        return ctx.out_string[0]

    def _handle(self, ctx: RequestContext) -> None:
        protocol = self.protocol
        protocol.create_in_document(ctx)
        # A CSV File request is ~18 MB of base64: keep only one form of it alive at a time
        # (bytes, then the parsed tree, then the decoded request object).
        ctx.in_string = None
        protocol.decompose_incoming_envelope(ctx, protocol.REQUEST)
        descriptor = self.methods.get(ctx.method_request_string)
        if descriptor is None:
            raise ResourceNotFoundError(ctx.method_request_string)
        ctx.descriptor = descriptor
        ctx.function = descriptor.function
        # Bare document/literal: the request element is the method's single argument.
        ctx.in_object = [protocol.from_element(ctx, descriptor.in_message, ctx.in_body_doc)]
        ctx.in_document = ctx.in_body_doc = ctx.in_header_doc = None
        ctx.out_object = [self.app.call_wrapper(ctx)]
