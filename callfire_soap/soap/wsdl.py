"""Serving the project's WSDL/XSD files, with addresses pointing at this server."""
from __future__ import annotations

import threading

from lxml import etree

from .validation import wsdl_files

CONCRETE_WSDL = "callfire-service-http-soap12.wsdl"
SERVED_FILES = (CONCRETE_WSDL, "callfire-service.wsdl", "callfire-service.xsd", "callfire-data.xsd")
WSDL_DIR = "/api/1.1/wsdl/"
SOAP12_PATH = "/api/1.1/soap12/contact"

_WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
_SOAP12 = "{http://schemas.xmlsoap.org/wsdl/soap12/}"


class WsdlPublisher:
    """Static files as shipped; the concrete WSDL per base URL (soap12:address and the
    import of the abstract WSDL made absolute, so that ``?wsdl`` works from any path)."""

    def __init__(self):
        files = wsdl_files()
        self._static = {name: files.joinpath(name).read_bytes() for name in SERVED_FILES}
        self._concrete: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def static(self, name: str) -> bytes | None:
        return self._static.get(name)

    def concrete(self, base_url: str) -> bytes:
        cached = self._concrete.get(base_url)
        if cached is not None:
            return cached
        root = etree.fromstring(self._static[CONCRETE_WSDL])
        for imp in root.iter(_WSDL + "import"):
            imp.set("location", base_url + WSDL_DIR + imp.get("location"))
        for address in root.iter(_SOAP12 + "address"):
            address.set("location", base_url + SOAP12_PATH)
        document = etree.tostring(root, encoding="utf-8", xml_declaration=True)
        with self._lock:
            if len(self._concrete) > 64:  # Host headers are client-controlled; stay bounded.
                self._concrete.clear()
            self._concrete[base_url] = document
        return document
