"""SOAP faults: every error leaves as env:Fault carrying svc:ServiceFaultInfo."""
from __future__ import annotations

import logging
import uuid

from lxml import etree
from spyne import Fault

from ..domain.errors import ServiceError
from .namespaces import SOAP11_ENV, SOAP12_ENV, SVC

log = logging.getLogger("callfire_soap.faults")

_ENV = "{%s}" % SOAP12_ENV
_ENV11 = "{%s}" % SOAP11_ENV
_SVC = "{%s}" % SVC
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class ServiceFault(Fault):
    """A fault with a legacy FaultCode. ``sender`` picks env:Sender over env:Receiver."""

    def __init__(self, fault_code: str, message: str, detail: str | None = None,
                 sender: bool = True, soap_code: str | None = None):
        super().__init__(("Client." if sender else "Server.") + fault_code, message)
        self.fault_code = fault_code
        self.message = message
        self.detail_text = detail
        self.sender = sender
        self.soap_code = soap_code or ("Sender" if sender else "Receiver")

    @classmethod
    def from_error(cls, error: ServiceError) -> "ServiceFault":
        return cls(error.fault_code, error.message, error.detail, sender=error.client_fault)

    @classmethod
    def bad_request(cls, message: str, detail: str | None = None) -> "ServiceFault":
        return cls("BAD_REQUEST", message, detail)

    @classmethod
    def version_mismatch(cls, message: str) -> "ServiceFault":
        return cls("BAD_REQUEST", message, soap_code="VersionMismatch")

    @classmethod
    def must_understand(cls, message: str) -> "ServiceFault":
        return cls("BAD_REQUEST", message, soap_code="MustUnderstand")

    @classmethod
    def internal(cls, exc: BaseException) -> "ServiceFault":
        """Log the traceback under a fresh id and return a fault that repeats only the id."""
        error_id = uuid.uuid4().hex[:12]
        log.error("internal error %s", error_id, exc_info=(type(exc), exc, exc.__traceback__))
        return cls(
            "UNAVAILABLE",
            f"The service could not complete the request (error id {error_id})",
            sender=False,
        )


def as_service_fault(error: BaseException) -> ServiceFault:
    """Any error a request produced, as the fault the client is told about."""
    if isinstance(error, ServiceFault):
        return error
    if isinstance(error, ServiceError):
        return ServiceFault.from_error(error)
    if isinstance(error, Fault):
        # spyne's own faults: Client.* are request problems (unknown operation, bad XML).
        code = str(error.faultcode or "")
        if code.startswith("Client"):
            return ServiceFault.bad_request(_spyne_message(error))
        return ServiceFault("UNAVAILABLE", "The service could not complete the request", sender=False)
    return ServiceFault.internal(error)


def _spyne_message(error: Fault) -> str:
    code = str(error.faultcode or "")
    if code.endswith("ResourceNotFound") or "MethodNotFound" in code:
        return "Unknown operation: %s" % (error.faultstring or "")
    return str(error.faultstring or code)


def _write_info(parent: etree._Element, fault: ServiceFault) -> None:
    info = etree.SubElement(parent, _SVC + "ServiceFaultInfo")
    etree.SubElement(info, _SVC + "FaultCode").text = fault.fault_code
    etree.SubElement(info, _SVC + "Message").text = fault.message
    if fault.detail_text:
        etree.SubElement(info, _SVC + "Detail").text = fault.detail_text


def write_fault_11(body: etree._Element, fault: ServiceFault) -> None:
    """SOAP 1.1: faultcode Client/Server/VersionMismatch, the same ServiceFaultInfo detail."""
    code = {"Sender": "Client", "Receiver": "Server"}.get(fault.soap_code, fault.soap_code)
    fault_el = etree.SubElement(body, _ENV11 + "Fault")
    etree.SubElement(fault_el, "faultcode").text = "env:" + code
    etree.SubElement(fault_el, "faultstring").text = fault.message
    _write_info(etree.SubElement(fault_el, "detail"), fault)


def write_fault_12(body: etree._Element, fault: ServiceFault) -> None:
    fault_el = etree.SubElement(body, _ENV + "Fault")
    code = etree.SubElement(fault_el, _ENV + "Code")
    etree.SubElement(code, _ENV + "Value").text = "env:" + fault.soap_code
    reason = etree.SubElement(fault_el, _ENV + "Reason")
    text = etree.SubElement(reason, _ENV + "Text")
    text.set(_XML_LANG, "en")
    text.text = fault.message
    _write_info(etree.SubElement(fault_el, _ENV + "Detail"), fault)
