"""REST JSON bodies (".json" URLs): the XML body's element tree in the mapping the 2016 Java
client and its fixtures show (REST-CONTRACT.md 3.6).

One generic conversion, driven by facts read once from the data XSD: which element and
attribute names are numbers or booleans, which elements repeat (always arrays, even with
one item), which are complex (objects, ``{}`` when empty) and which carry simple content
with attributes (``{"value": ...}``). Attributes become "@name" keys, except the
undeclared attributes of an element with anyAttribute (the custom fields of a Contact),
which keep their bare name.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources

from lxml import etree

XS = "{http://www.w3.org/2001/XMLSchema}"
CONTENT_TYPE = "application/json; charset=UTF-8"
_NUMBER_TYPES = {"long", "int", "integer", "short", "float", "double", "decimal"}


@dataclass
class SchemaFacts:
    numbers: set[str] = field(default_factory=set)  # element names, "@attribute" names
    booleans: set[str] = field(default_factory=set)
    repeated: set[str] = field(default_factory=set)
    complex: set[str] = field(default_factory=set)
    simple_content: set[str] = field(default_factory=set)
    declared_attributes: dict[str, set[str]] = field(default_factory=dict)  # anyAttribute elements


def _local(type_name: str | None) -> str:
    return (type_name or "").rpartition(":")[2]


def read_facts(xsd: bytes) -> SchemaFacts:
    """The facts of an XSD. A name typed differently in two places would make the mapping
    ambiguous: refused, so that a schema change cannot silently mistype a value."""
    doc = etree.fromstring(xsd)
    facts = SchemaFacts()
    kinds: dict[str, str] = {}
    named_complex = {t.get("name"): t for t in doc.iterfind(XS + "complexType")}

    def note(key: str, type_name: str | None) -> None:
        local = _local(type_name)
        kind = "number" if local in _NUMBER_TYPES else "boolean" if local == "boolean" else "other"
        if kinds.setdefault(key, kind) != kind:
            raise ValueError(f"{key} has two types in the data XSD")
        if kind == "number":
            facts.numbers.add(key)
        elif kind == "boolean":
            facts.booleans.add(key)

    for attribute in doc.iter(XS + "attribute"):
        if attribute.get("name"):
            note("@" + attribute.get("name"), attribute.get("type"))
    for element in doc.iter(XS + "element"):
        name = element.get("name") or _local(element.get("ref"))
        parent = element.getparent()
        if element.get("maxOccurs") == "unbounded" or parent.get("maxOccurs") == "unbounded":
            facts.repeated.add(name)
        if element.get("ref"):
            continue
        complex_type = element.find(XS + "complexType")
        if complex_type is None and _local(element.get("type")) in named_complex:
            complex_type = named_complex[_local(element.get("type"))]
        if complex_type is None:
            note(name, element.get("type"))
            continue
        if complex_type.find(XS + "simpleContent") is not None:
            facts.simple_content.add(name)
        else:
            facts.complex.add(name)
        if complex_type.find(".//" + XS + "anyAttribute") is not None:
            facts.declared_attributes[name] = {
                a.get("name") for a in complex_type.iter(XS + "attribute") if a.get("name")
            }
    return facts


FACTS = read_facts(resources.files("callfire_soap.wsdl").joinpath("callfire-data.xsd").read_bytes())


def _typed(key: str, text: str):
    if key in FACTS.numbers:
        number = float(text)
        return int(text) if number.is_integer() and "." not in text and "E" not in text.upper() else number
    if key in FACTS.booleans:
        return text == "true" or text == "1"
    return text


def element_value(el: etree._Element):
    name = etree.QName(el).localname
    children = [c for c in el if isinstance(c.tag, str)]
    if not children and not el.attrib and name not in FACTS.complex and name not in FACTS.simple_content:
        return _typed(name, el.text or "")
    value: dict = {}
    declared = FACTS.declared_attributes.get(name)
    for attr, text in el.attrib.items():
        if declared is not None and attr not in declared:
            value[attr] = text  # a custom field: bare name (doubt D4)
        else:
            value["@" + attr] = _typed("@" + attr, text)
    if name in FACTS.simple_content:
        value["value"] = el.text or ""
    for child in children:
        child_name = etree.QName(child).localname
        child_value = element_value(child)
        if child_name in FACTS.repeated:
            value.setdefault(child_name, []).append(child_value)
        else:
            value[child_name] = child_value
    return value


def to_json(root: etree._Element) -> dict:
    """A wrapper element (r:ResourceList, r:Resource, r:ResourceReference,
    r:ResourceException) as {local name: object}. The wrapper's own keys: the items of a
    list are always an array, Id/HttpStatus are numbers."""
    wrapper = etree.QName(root).localname
    body: dict = {}
    if wrapper == "ResourceList":
        body["@totalResults"] = int(root.get("totalResults"))
        for child in root:
            body.setdefault(etree.QName(child).localname, []).append(element_value(child))
    elif wrapper == "Resource":
        for child in root:
            body[etree.QName(child).localname] = element_value(child)
    else:
        for child in root:
            key = etree.QName(child).localname
            body[key] = int(child.text) if key in ("Id", "HttpStatus") else (child.text or "")
    return {wrapper: body}


def serialize(root: etree._Element) -> bytes:
    return json.dumps(to_json(root), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
