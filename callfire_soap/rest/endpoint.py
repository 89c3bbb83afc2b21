"""The REST endpoint: one HTTP request below /api/1.1/rest/ in, one response out.

In order: format (the ".json" suffix), authentication (401 with a Basic challenge: the C#
SDK sends its credentials only after one), route (404, or 405 for a known path with another
method), body (size limit), parameters into the operation's request message, the checks every
entrypoint applies, the use case, the body written by the result's shape. Every failure
becomes a fault in faults.as_service_fault and leaves as a ResourceException with the HTTP
status of its FaultCode, in the format of the request.
"""
from __future__ import annotations

import logging
import math
from http import HTTPStatus

from ..faults import ServiceFault, as_service_fault, bounded
from ..operations.checks import check_message, check_schema_rules
from ..operations.table import Created, Operation, Scope
from ..request_body import BodyError, read_body
from ..request_context import LOG_NOTE, RETRY_AFTER
from . import json as json_body
from . import xml as xml_body
from .params import UnsupportedMediaType, body_pairs, decoder, query_pairs
from .routes import PREFIX, Router, split_format

log = logging.getLogger("callfire_soap.rest")

# FaultCode -> HTTP status (REST-CONTRACT.md 3.7). UNAVAILABLE is what the services raise
# for a condition that will pass (503); a failure of the service itself is a 500.
FAULT_STATUS = {
    "BAD_REQUEST": 400,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "NOT_IMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "TIMEOUT": 504,
}
_PREFIX_LENGTH = len(PREFIX)


def _status_line(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


def fault_status(fault: ServiceFault) -> int:
    if fault.is_internal:
        return 500
    return FAULT_STATUS.get(fault.fault_code, 500)


class RestEndpoint:
    def __init__(self, operations: list[Operation], backend, authenticate, max_body: int, base_url,
                 challenge: str):
        """``authenticate(environ)`` -> account id or None; ``base_url(environ)`` -> the
        scheme and host the client used (for Location), or None if the Host is invalid."""
        self.router = Router(operations)
        self.backend = backend
        self.authenticate = authenticate
        self.max_body = max_body
        self.base_url = base_url
        self.challenge = challenge
        self._decoders = {op.name: decoder(op.message) for op in operations if op.rest is not None}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")[_PREFIX_LENGTH:]
        as_json = split_format(path)[1]
        account_id = self.authenticate(environ)
        if account_id is None:
            retry_after = environ.get(RETRY_AFTER)
            if retry_after is not None:
                return self._error(start_response, as_json, 429, "Too many failed logins; try again later",
                                   [("Retry-After", str(max(1, math.ceil(retry_after))))])
            return self._error(start_response, as_json, 401, "Authentication required: HTTP Basic "
                               "with the API login and password", [("WWW-Authenticate", self.challenge)])
        target = self.router.match(path)
        if target is None:
            return self._error(start_response, as_json, 404, "No such resource: " + PREFIX + path[:200])
        method = environ.get("REQUEST_METHOD", "GET")
        # HEAD is GET without the body (the app drops it): the SDKs never send it, but
        # proxies' health checks and curl -I do.
        operation = target.by_method.get("GET" if method == "HEAD" else method)
        note = environ.get(LOG_NOTE, {})
        if operation is None:
            allowed = ", ".join(sorted({*target.by_method, *(("HEAD",) if "GET" in target.by_method else ())}))
            return self._error(start_response, as_json, 405, f"Use {allowed} on this resource",
                               [("Allow", allowed)])
        try:
            body = read_body(environ, self.max_body)
        except BodyError as error:
            return self._error(start_response, as_json, int(error.status[:3]), error.message)

        note["operation"] = operation.name
        location = None
        try:
            pairs = query_pairs(environ.get("QUERY_STRING", ""))
            if body:
                pairs += body_pairs(body, environ.get("CONTENT_TYPE", ""))
            body = None
            message = self._decoders[operation.name](pairs, target.params)
            pairs = None
            check_schema_rules(message)
            check_message(message)
            result = operation.call(Scope(account_id, self.backend.uow, self.backend.region), message)
            shape = operation.result
            if shape is None:
                start_response("204 No Content", [])
                return []
            if isinstance(shape, Created):
                location = self._location(environ, shape, result)
            root = xml_body.result_tree(shape, result, location)
            document = json_body.serialize(root) if as_json else xml_body.serialize(root)
        except UnsupportedMediaType as error:
            return self._error(start_response, as_json, 415,
                               f"Request bodies are form or multipart data, not {str(error)[:100]!r}")
        except Exception as error:  # noqa: BLE001 - every failure leaves as a ResourceException
            fault = as_service_fault(error)
            note["fault"] = fault.fault_code
            if fault.sender:
                log.info("client fault %s: %s", fault.fault_code, fault.message)
            return self._error(start_response, as_json, fault_status(fault), fault.message)
        headers = [("Content-Type", json_body.CONTENT_TYPE if as_json else xml_body.CONTENT_TYPE),
                   ("Content-Length", str(len(document)))]
        if location is not None:
            headers.append(("Location", location))
            start_response("201 Created", headers)
        else:
            start_response("200 OK", headers)
        return [document]

    def _location(self, environ, shape: Created, new_id) -> str:
        base = self.base_url(environ) or ""
        return base + PREFIX + shape.location.format(id=new_id)

    def _error(self, start_response, as_json: bool, status: int, message: str, extra_headers=()):
        message = bounded(message)  # messages may quote what the client sent
        root = xml_body.exception_tree(status, message)
        if as_json:
            document, content_type = json_body.serialize(root), json_body.CONTENT_TYPE
        else:
            document, content_type = xml_body.serialize(root), xml_body.CONTENT_TYPE
        start_response(_status_line(status), [("Content-Type", content_type),
                                              ("Content-Length", str(len(document))), *extra_headers])
        return [document]
