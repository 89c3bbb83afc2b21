"""ContactService over SOAP 1.2 and SOAP 1.1."""
from __future__ import annotations

from .endpoint import SOAP11, SOAP12, SoapEndpoint
from .spyne_binding import SpyneBinding
from .validation import RequestValidator
from .wsdl import check_operations


def build_endpoints(operations) -> tuple[SoapEndpoint, SoapEndpoint]:
    """The SOAP 1.2 and SOAP 1.1 endpoints of the operations table, after checking that the
    served WSDL, the table and spyne's method map agree (RuntimeError otherwise)."""
    binding = SpyneBinding(operations)
    check_operations(operations, binding.request_elements())
    validator = RequestValidator()
    return (SoapEndpoint(operations, binding, validator, SOAP12),
            SoapEndpoint(operations, binding, validator, SOAP11))
