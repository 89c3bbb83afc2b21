"""The SOAP protocols of the legacy contract, as spyne protocol subclasses.

spyne keeps dispatch, request deserialization and the service classes. The mixin adds what
the contract needs and stock spyne lacks: a hardened parser, envelope checks, request
validation against the published XSD, anyAttribute on data:Contact, fast response writers,
an empty Body for void operations, and ServiceFaultInfo faults. SOAP 1.2 is the legacy
protocol; SOAP 1.1 is offered beside it for toolkits that only speak 1.1.
"""
from __future__ import annotations

import logging
from base64 import b64decode

from lxml import etree
from spyne.protocol.soap import Soap11, Soap12

from .faults import ServiceFault, as_service_fault, write_fault_11, write_fault_12
from .namespaces import DATA, SOAP11_ENV, SOAP12_ENV, SVC
from .operations import OUTPUT_WRITERS
from .types import Contact
from .validation import RequestValidator

log = logging.getLogger("callfire_soap.soap")

_CONTACT_DECLARED = frozenset(Contact._type_info)


def hardened_parser() -> etree.XMLParser:
    """SOAP forbids DTDs: entities are never resolved (and a DOCTYPE is refused after the
    parse), the network is never touched. huge_tree is on: libxml2's default caps a text node
    at 10 MB, and a CSV File of 200,000 rows is ~15 MB of base64 in one element. What those
    caps guard against is bounded otherwise: the body size limit (CALLFIRE_MAX_BODY, checked
    before the body is read) bounds every text node, entity expansion is off, and libxml2
    still stops at 2,048 levels of nesting."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=True, remove_comments=True, remove_pis=True,
    )


class _LegacyContract:
    """Shared by both SOAP versions; subclasses set the envelope namespace and fault writer."""

    envelope_ns: str
    version_name: str

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validate_request = RequestValidator()
        self._parser = hardened_parser()
        self._env = "{%s}" % self.envelope_ns
        # Declared once on the Envelope so that repeated data:Contact children carry no xmlns.
        self._out_nsmap = {"env": self.envelope_ns, "svc": SVC, "data": DATA}

    # -- input ---------------------------------------------------------------------------
    def create_in_document(self, ctx, charset=None):
        payload = b"".join(ctx.in_string)
        if not payload.strip():
            raise ServiceFault.bad_request("Empty request body")
        try:
            root = etree.fromstring(payload, self._parser)
        except etree.XMLSyntaxError as exc:
            raise ServiceFault.bad_request("Malformed XML: %s" % exc) from None
        # lxml accepts an internal subset when DTD loading is off; SOAP forbids any.
        if root.getroottree().docinfo.doctype:
            raise ServiceFault.bad_request("A SOAP message must not contain a DOCTYPE")
        ctx.in_document = root

    def decompose_incoming_envelope(self, ctx, message=None):
        root = ctx.in_document
        if root.tag != self._env + "Envelope":
            raise ServiceFault.version_mismatch(
                "This endpoint speaks %s (envelope namespace %s)" % (self.version_name, self.envelope_ns)
            )
        body = root.find(self._env + "Body")
        if body is None:
            raise ServiceFault.bad_request("The envelope has no Body")
        children = [child for child in body if isinstance(child.tag, str)]
        if len(children) != 1:
            raise ServiceFault.bad_request("The Body must hold exactly one request element")
        request = children[0]
        self.validate_request(request)
        header = root.find(self._env + "Header")
        if header is not None:
            self._check_must_understand(header)
        ctx.in_header_doc = list(header) if header is not None else None
        ctx.in_body_doc = request
        ctx.method_request_string = request.tag

    def _check_must_understand(self, header) -> None:
        """This service defines no header blocks, so it understands none: a block the client
        marks mustUnderstand gets a MustUnderstand fault, as SOAP requires."""
        for block in header:
            if not isinstance(block.tag, str):
                continue
            flag = block.get(self._env + "mustUnderstand", "").strip()
            if flag in ("1", "true"):
                raise ServiceFault.must_understand(
                    "Header block %s is not understood by this service" % block.tag
                )

    def complex_from_element(self, ctx, cls, elt):
        inst = super().complex_from_element(ctx, cls, elt)
        if cls is Contact or getattr(cls, "__orig__", None) is Contact:
            attrib = elt.attrib
            inst.present = frozenset(k for k in attrib if k in _CONTACT_DECLARED)
            # anyAttribute: unqualified attributes beyond the declared ones are custom fields.
            inst.custom_fields = {
                k: v for k, v in attrib.items() if k not in _CONTACT_DECLARED and "}" not in k
            }
        return inst

    def byte_array_from_element(self, ctx, cls, element):
        """svc:File. spyne decodes base64 with ``"".join(text)``, which first makes a list of
        one pointer per character: ~140 MB for the 18 MB of base64 of a 200,000-row CSV.
        This decodes the text directly; the result is the same (a one-chunk tuple)."""
        text = element.text
        if text is None:
            return None
        return (b64decode(text),)

    # -- output --------------------------------------------------------------------------
    def serialize(self, ctx, message):
        self.event_manager.fire_event("before_serialize", ctx)
        envelope = etree.Element(self._env + "Envelope", nsmap=self._out_nsmap)
        body = etree.SubElement(envelope, self._env + "Body")
        if ctx.out_error is not None:
            fault = as_service_fault(ctx.out_error)
            ctx.out_error = fault
            if fault.sender:
                log.info("client fault %s: %s", fault.fault_code, fault.message)
            self.write_fault(body, fault)
        else:
            name = ctx.descriptor.name
            if name not in OUTPUT_WRITERS:
                raise RuntimeError("operation %s has no declared output" % name)
            writer = OUTPUT_WRITERS[name]
            if writer is not None:
                writer(body, ctx.out_object[0])
        ctx.out_document = envelope
        ctx.out_body_doc = body
        self.event_manager.fire_event("after_serialize", ctx)

    def create_out_string(self, ctx, charset=None):
        ctx.out_string = [etree.tostring(ctx.out_document, encoding="utf-8", xml_declaration=True)]

    def fault_to_http_response_code(self, fault):
        # Every fault is HTTP 500, the JAX-WS/CXF default that the legacy clients
        # (WCF in particular) parse as a SOAP fault.
        return "500 Internal Server Error"


class CallFireSoap12(_LegacyContract, Soap12):
    mime_type = "application/soap+xml; charset=utf-8"
    envelope_ns = SOAP12_ENV
    version_name = "SOAP 1.2"
    write_fault = staticmethod(write_fault_12)


class CallFireSoap11(_LegacyContract, Soap11):
    mime_type = "text/xml; charset=utf-8"
    envelope_ns = SOAP11_ENV
    version_name = "SOAP 1.1"
    write_fault = staticmethod(write_fault_11)
