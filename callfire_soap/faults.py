"""Faults: what a client is told when a request fails, whatever protocol carried it.

Every error a request produces passes through ``as_service_fault`` once; the SOAP endpoint
writes the result as env:Fault with svc:ServiceFaultInfo, the REST one as a
ResourceException with the HTTP status of its FaultCode.
"""
from __future__ import annotations

import logging

from .domain.errors import ServiceError
from .request_context import error_id as _error_id

log = logging.getLogger("callfire_soap.faults")

# Fault messages often quote the request (a name, a value, an XSD error about an attribute):
# a hostile request must not get megabytes echoed back and written to the log.
MAX_MESSAGE = 500


def bounded(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class ServiceFault(Exception):
    """A fault with a legacy FaultCode. ``sender`` picks env:Sender over env:Receiver;
    ``soap_code`` overrides it for the envelope-level codes (VersionMismatch, MustUnderstand).
    ``is_internal`` marks a failure of the service itself (a bug, not a known condition)."""

    is_internal = False

    def __init__(self, fault_code: str, message: str, detail: str | None = None,
                 sender: bool = True, soap_code: str | None = None):
        message = bounded(message)
        super().__init__(message)
        self.fault_code = fault_code
        self.message = message
        self.detail_text = None if detail is None else bounded(detail)
        self.sender = sender
        self.soap_code = soap_code or ("Sender" if sender else "Receiver")

    @classmethod
    def from_error(cls, error: ServiceError) -> ServiceFault:
        return cls(error.fault_code, error.message, error.detail, sender=error.client_fault)

    @classmethod
    def bad_request(cls, message: str, detail: str | None = None) -> ServiceFault:
        return cls("BAD_REQUEST", message, detail)

    @classmethod
    def version_mismatch(cls, message: str) -> ServiceFault:
        return cls("BAD_REQUEST", message, soap_code="VersionMismatch")

    @classmethod
    def must_understand(cls, message: str) -> ServiceFault:
        return cls("BAD_REQUEST", message, soap_code="MustUnderstand")

    @classmethod
    def internal(cls, exc: BaseException) -> ServiceFault:
        """Log the traceback under the request id and return a fault that repeats only the id."""
        error_id = _error_id()
        log.error("internal error %s", error_id, exc_info=(type(exc), exc, exc.__traceback__))
        fault = cls(
            "UNAVAILABLE",
            f"The service could not complete the request (error id {error_id})",
            sender=False,
        )
        fault.is_internal = True
        return fault


def as_service_fault(error: BaseException) -> ServiceFault:
    """Any error a request produced, as the fault the client is told about: the one place
    where errors become faults, for every entrypoint."""
    if isinstance(error, ServiceFault):
        return error
    if isinstance(error, ServiceError):
        return ServiceFault.from_error(error)
    return ServiceFault.internal(error)
