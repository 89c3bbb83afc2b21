"""REST XML bodies: the r: wrappers around the data elements (REST-CONTRACT.md 3.6).

The PHP SDK recognises a response by ``$document->firstChild->nodeName`` compared with the
literal "r:ResourceList", "r:Resource", ... and finds items by their unprefixed nodeName, so
the wrapper prefix is exactly ``r``, the data namespace is the default one, and nothing but
the XML declaration precedes the root.
"""
from __future__ import annotations

import re

from lxml import etree

from ..data_elements import WRITERS
from ..namespaces import DATA, RESOURCE
from ..operations.table import Created, Items, Resource

_R = "{%s}" % RESOURCE
_NSMAP = {None: DATA, "r": RESOURCE}
DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
CONTENT_TYPE = "application/xml; charset=UTF-8"
_Element = etree.Element
# Characters XML 1.0 cannot carry; an error message may quote what a client sent.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SubElement = etree.SubElement


def result_tree(shape, value, location: str | None = None) -> etree._Element:
    """The wrapper element of a result, by its shape in the operations table; ``location``
    is the URL of a created resource."""
    if isinstance(shape, Items):
        total, items = value
        root = _Element(_R + "ResourceList", {"totalResults": str(total)}, nsmap=_NSMAP)
        write = WRITERS[shape.item]
        for item in items:
            write(root, item)
    elif isinstance(shape, Resource):
        root = _Element(_R + "Resource", nsmap=_NSMAP)
        WRITERS[shape.item](root, value)
    elif isinstance(shape, Created):
        root = _Element(_R + "ResourceReference", nsmap=_NSMAP)
        _SubElement(root, _R + "Id").text = str(value)
        _SubElement(root, _R + "Location").text = location
    else:
        raise TypeError(f"no REST body for result shape {shape!r}")
    return root


def exception_tree(status: int, message: str) -> etree._Element:
    root = _Element(_R + "ResourceException", nsmap=_NSMAP)
    _SubElement(root, _R + "HttpStatus").text = str(status)
    _SubElement(root, _R + "Message").text = _NOT_XML.sub("\ufffd", message)
    return root


def serialize(root: etree._Element) -> bytes:
    return DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)
