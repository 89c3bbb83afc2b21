"""Serving the project's WSDL/XSD files, with addresses pointing at this server."""
from __future__ import annotations

import threading

from lxml import etree

from .validation import wsdl_files

CONCRETE_WSDL = "callfire-service-http-soap12.wsdl"
CONCRETE_WSDL_11 = "callfire-service-http-soap11.wsdl"
WSDL_DIR = "/api/1.1/wsdl/"
SOAP12_PATH = "/api/1.1/soap12/contact"
SOAP11_PATH = "/api/1.1/soap/contact"
# concrete WSDL -> the endpoint path its service address names
CONCRETE = {CONCRETE_WSDL: SOAP12_PATH, CONCRETE_WSDL_11: SOAP11_PATH}
SERVED_FILES = (*CONCRETE, "callfire-service.wsdl", "callfire-service.xsd", "callfire-data.xsd")

_WSDL = "{http://schemas.xmlsoap.org/wsdl/}"
_ADDRESSES = ("{http://schemas.xmlsoap.org/wsdl/soap12/}address", "{http://schemas.xmlsoap.org/wsdl/soap/}address")


class WsdlPublisher:
    """Static files as shipped; a concrete WSDL per base URL (its address and the import of
    the abstract WSDL made absolute, so that ``?wsdl`` works from any path)."""

    def __init__(self):
        files = wsdl_files()
        self._static = {name: files.joinpath(name).read_bytes() for name in SERVED_FILES}
        self._concrete: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def static(self, name: str) -> bytes | None:
        return self._static.get(name)

    def concrete(self, name: str, base_url: str) -> bytes:
        key = (name, base_url)
        cached = self._concrete.get(key)
        if cached is not None:
            return cached
        root = etree.fromstring(self._static[name])
        for imp in root.iter(_WSDL + "import"):
            imp.set("location", base_url + WSDL_DIR + imp.get("location"))
        for address in root.iter(*_ADDRESSES):
            address.set("location", base_url + CONCRETE[name])
        document = etree.tostring(root, encoding="utf-8", xml_declaration=True)
        with self._lock:
            if len(self._concrete) > 64:  # Host headers are client-controlled; stay bounded.
                self._concrete.clear()
            self._concrete[key] = document
        return document
