"""The SOAP endpoint: one request envelope in, one response envelope out.

The envelope's namespace decides the SOAP version of the whole exchange, at either address:
the official PHP SDK has always sent SOAP 1.1 to the SOAP 1.2 address (CONTRACT.md quirk
14), and the legacy stack answered it in SOAP 1.1. Only an envelope of neither version gets
a VersionMismatch fault, in the version of the address. The request is handled in this
order: parse, envelope checks, XSD validation, header checks, dispatch by request element
(operations table), decoding (lxml for requests of scalars
in plain form, spyne otherwise: soap/spyne_binding.py), the use case, the response writer.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ..data_elements import WRITERS
from ..faults import ServiceFault, as_service_fault
from ..namespaces import DATA, SOAP11_ENV, SOAP12_ENV, SVC
from ..operations.checks import check_message
from ..operations.table import Created, Items, Operation, Resource, Scope
from . import limits
from .faults import write_fault_11, write_fault_12
from .spyne_binding import SpyneBinding
from .validation import RequestValidator

log = logging.getLogger("callfire_soap.soap")

_S = "{%s}" % SVC
_SubElement = etree.SubElement


@dataclass(frozen=True)
class SoapVersion:
    name: str
    envelope_ns: str
    content_type: str
    write_fault: Callable[[etree._Element, ServiceFault], None]


SOAP12 = SoapVersion("SOAP 1.2", SOAP12_ENV, "application/soap+xml; charset=utf-8", write_fault_12)
SOAP11 = SoapVersion("SOAP 1.1", SOAP11_ENV, "text/xml; charset=utf-8", write_fault_11)
_BY_ENVELOPE = {"{%s}Envelope" % v.envelope_ns: v for v in (SOAP12, SOAP11)}


# SOAP forbids DTDs: entities are never resolved (and a DOCTYPE is refused after the parse),
# the network is never touched. huge_tree is on: libxml2's default caps a text node at 10 MB,
# and a CSV File of 200,000 rows is ~15 MB of base64 in one element. What those caps guard
# against is bounded otherwise: the body size limit (CALLFIRE_MAX_BODY, checked before the body
# is read) bounds every text node, entity expansion is off, libxml2 still stops at 2,048
# levels of nesting, and limits.parse bounds the number of elements.
PARSER_OPTIONS = dict(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=True, remove_comments=True, remove_pis=True,
)


def write_result(body: etree._Element, shape, value) -> None:
    """The response element of an operation's result, by the result's shape in the table."""
    if shape is None:
        return
    if isinstance(shape, Items):
        total, items = value
        wrapper = _SubElement(body, _S + shape.element)
        _SubElement(wrapper, _S + "TotalResults").text = str(total)
        write_item = WRITERS[shape.item]
        for item in items:
            write_item(wrapper, item)
    elif isinstance(shape, Resource):
        WRITERS[shape.item](body, value)
    elif isinstance(shape, Created):
        _SubElement(body, _S + "CreatedId").text = str(value)
    else:
        raise TypeError(f"unknown result shape {shape!r}")


class SoapEndpoint:
    """ContactService over SOAP; ``native`` is the version of the address it serves."""

    def __init__(self, operations: list[Operation], binding: SpyneBinding, validator: RequestValidator,
                 native: SoapVersion):
        self.native = native
        self.binding = binding
        self.validate = validator
        self._operations = {_S + op.request_element: op for op in operations}
        self._parser = etree.XMLParser(**PARSER_OPTIONS)

    def respond(self, payload: bytes, scope: Scope, note: dict | None = None) -> tuple[str, str, bytes]:
        """(HTTP status, Content-Type, response body) for one request body. ``note`` (the
        access log's per-request dict, accesslog.py) gets the operation name and FaultCode."""
        version = self.native
        operation = result = None
        try:
            root = self._parse(payload)
            payload = None  # a CSV File is ~18 MB of base64: keep one form of it at a time
            version = _BY_ENVELOPE.get(root.tag)
            if version is None:
                version = self.native
                raise ServiceFault.version_mismatch(
                    "This endpoint speaks SOAP 1.2 and SOAP 1.1 (envelope namespace %s or %s)"
                    % (SOAP12_ENV, SOAP11_ENV))
            operation, request = self._request(root, version)
            root = None
            result = operation.call(scope, request)
            fault = None
        except Exception as error:  # noqa: BLE001 - every failure leaves as a SOAP fault
            fault = as_service_fault(error)
        shape = operation.result if operation is not None else None
        try:
            document = write_envelope(version, shape, result, fault)
        except Exception as error:  # noqa: BLE001 - a response that cannot be written is the server's fault
            fault = as_service_fault(error)
            document = write_envelope(version, None, None, fault)
        status = "200 OK" if fault is None else "500 Internal Server Error"
        if note is not None:
            _note_outcome(note, operation, fault)
        return status, version.content_type, document

    def _parse(self, payload: bytes) -> etree._Element:
        if not payload.strip():
            raise ServiceFault.bad_request("Empty request body")
        try:
            root = limits.parse(payload, self._parser, PARSER_OPTIONS)
        except etree.XMLSyntaxError as exc:
            raise ServiceFault.bad_request("Malformed XML: %s" % exc) from None
        # lxml accepts an internal subset when DTD loading is off; SOAP forbids any.
        if root.getroottree().docinfo.doctype:
            raise ServiceFault.bad_request("A SOAP message must not contain a DOCTYPE")
        return root

    def _request(self, root: etree._Element, version: SoapVersion):
        env = "{%s}" % version.envelope_ns
        parts = [child for child in root if isinstance(child.tag, str)]
        header = parts.pop(0) if parts and parts[0].tag == env + "Header" else None
        if len(parts) != 1 or parts[0].tag != env + "Body":
            raise ServiceFault.bad_request("The envelope must hold one Body, after an optional Header")
        children = [child for child in parts[0] if isinstance(child.tag, str)]
        if len(children) != 1:
            raise ServiceFault.bad_request("The Body must hold exactly one request element")
        element = children[0]
        limits.check(header, element)
        self.validate(element)
        if header is not None:
            _check_must_understand(header, env)
        operation = self._operations.get(element.tag)
        if operation is None:
            raise ServiceFault.bad_request("Unknown operation: %s" % element.tag)
        request = self.binding.decode(operation, element)
        check_message(request)
        return operation, request


def _empty_envelope(envelope_ns: str) -> etree._Element:
    env = "{%s}" % envelope_ns
    # Declared once on the Envelope so that repeated data:Contact children carry no xmlns.
    envelope = etree.Element(env + "Envelope", nsmap={"env": envelope_ns, "svc": SVC, "data": DATA})
    _SubElement(envelope, env + "Body")
    return envelope


_THREAD = threading.local()


def _empty_envelopes() -> dict[str, etree._Element]:
    """This thread's templates: envelope namespace -> an Envelope holding an empty Body, never
    written to. One set per thread, so that no lxml document (and its name dictionary) is
    shared between request threads."""
    _THREAD.envelopes = {v.envelope_ns: _empty_envelope(v.envelope_ns) for v in (SOAP12, SOAP11)}
    return _THREAD.envelopes


def write_envelope(version: SoapVersion, shape, result, fault: ServiceFault | None = None) -> bytes:
    """The response envelope: the fault, or the result written by its shape."""
    # A copy of the empty envelope, namespace declarations included: ~0.7 µs against ~5 to
    # build it with its nsmap.
    try:
        empty = _THREAD.envelopes[version.envelope_ns]
    except AttributeError:
        empty = _empty_envelopes()[version.envelope_ns]
    envelope = empty.__copy__()
    body = envelope[0]
    if fault is not None:
        if fault.sender:
            log.info("client fault %s: %s", fault.fault_code, fault.message)
        version.write_fault(body, fault)
    else:
        write_result(body, shape, result)
    return etree.tostring(envelope, encoding="utf-8", xml_declaration=True)


def _check_must_understand(header: etree._Element, env: str) -> None:
    """This service defines no header blocks, so it understands none: a block the client
    marks mustUnderstand gets a MustUnderstand fault, as SOAP requires."""
    for block in header:
        if not isinstance(block.tag, str):
            continue
        flag = block.get(env + "mustUnderstand", "").strip()
        if flag in ("1", "true"):
            raise ServiceFault.must_understand("Header block %s is not understood by this service" % block.tag)


def _note_outcome(note: dict, operation: Operation | None, fault: ServiceFault | None) -> None:
    if operation is not None:
        note["operation"] = operation.name
    if fault is not None:
        note["fault"] = fault.fault_code
