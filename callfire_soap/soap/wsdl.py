"""Serving the project's WSDL/XSD files, with addresses pointing at this server."""
from __future__ import annotations

import threading

from lxml import etree

from ..namespaces import data, svc
from ..operations.table import Created, Items, Resource
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


def wsdl_operations() -> dict[str, tuple[str, str | None]]:
    """The served portType: operation name -> (input element, output element or None), as
    Clark names."""
    root = etree.fromstring(wsdl_files().joinpath("callfire-service.wsdl").read_bytes())
    elements = {}
    for message in root.iter(_WSDL + "message"):
        part = message.find(_WSDL + "part")
        elements[message.get("name")] = None if part is None else _clark(part, part.get("element"))
    found = {}
    for op in root.iter(_WSDL + "operation"):
        input_, output = op.find(_WSDL + "input"), op.find(_WSDL + "output")
        if input_ is None or output is None:
            continue
        found[op.get("name")] = (elements[input_.get("message").split(":")[-1]],
                                 elements[output.get("message").split(":")[-1]])
    return found


def _clark(context: etree._Element, qname: str) -> str:
    prefix, _, local = qname.rpartition(":")
    return "{%s}%s" % (context.nsmap[prefix or None], local)


def check_operations(operations, request_elements: set[str]) -> None:
    """Refuse to start unless the served WSDL, the operations table and spyne's method map
    (``request_elements``) name the same operations with the same messages."""
    declared = wsdl_operations()
    problems = []
    for op in operations:
        expected = declared.pop(op.name, None)
        if expected is None:
            problems.append(f"{op.name} is in the operations table but not in the WSDL")
            continue
        request, response = expected
        if request != svc(op.request_element):
            problems.append(f"{op.name}: the WSDL's request element is {request}, the table's {op.request_element}")
        if response != result_element(op.result):
            problems.append(f"{op.name}: the WSDL's response element is {response}, "
                            f"the table's {result_element(op.result)}")
        if svc(op.request_element) not in request_elements:
            problems.append(f"{op.name}: spyne has no method for {op.request_element}")
    problems += [f"{name} is in the WSDL but not in the operations table" for name in declared]
    extra = request_elements - {svc(op.request_element) for op in operations}
    problems += [f"spyne dispatches {element}, which no operation declares" for element in sorted(extra)]
    if problems:
        raise RuntimeError("the operations do not agree with the WSDL:\n  " + "\n  ".join(problems))


def result_element(shape) -> str | None:
    """The response element a result shape is written as."""
    if shape is None:
        return None
    if isinstance(shape, Items):
        return svc(shape.element)
    if isinstance(shape, Resource):
        return data(shape.item)
    if isinstance(shape, Created):
        return svc("CreatedId")
    raise TypeError(f"unknown result shape {shape!r}")
