"""The operations table against the served WSDL/XSD, and the startup check that enforces it."""
from __future__ import annotations

import dataclasses
import re

import pytest
from lxml import etree

from callfire_soap.namespaces import DATA, SVC
from callfire_soap.operations import OPERATIONS, by_name, by_request_element
from callfire_soap.operations import messages as m
from callfire_soap.operations.table import Created, Items, Operation, Resource, Route
from callfire_soap.soap.validation import wsdl_files
from callfire_soap.soap.wsdl import check_operations, result_element, wsdl_operations

XS = "{http://www.w3.org/2001/XMLSchema}"
SCHEMAS = {SVC: "callfire-service.xsd", DATA: "callfire-data.xsd"}


def _schema(namespace: str) -> etree._Element:
    return etree.fromstring(wsdl_files().joinpath(SCHEMAS[namespace]).read_bytes())


def _resolve(qname: str, context: etree._Element) -> tuple[str, str]:
    prefix, _, local = qname.rpartition(":")
    return context.nsmap[prefix or None], local


def _children(complex_type: etree._Element) -> list[str]:
    """The child element names of a complex type, in order, its base type's first."""
    names: list[str] = []
    extension = complex_type.find(f"{XS}complexContent/{XS}extension")
    if extension is not None:
        ns, local = _resolve(extension.get("base"), extension)
        names += _children(_schema(ns).find(f"{XS}complexType[@name='{local}']"))
        complex_type = extension
    for el in complex_type.iter(f"{XS}element"):
        names.append(el.get("name") or _resolve(el.get("ref"), el)[1])
    return names


def _element_children(local: str) -> list[str]:
    schema = _schema(SVC)
    element = schema.find(f"{XS}element[@name='{local}']")
    inline = element.find(f"{XS}complexType")
    if inline is not None:
        return _children(inline)
    ns, type_name = _resolve(element.get("type"), element)
    return _children(_schema(ns).find(f"{XS}complexType[@name='{type_name}']"))


def test_there_are_19_operations_each_declared_once():
    assert len(OPERATIONS) == 19
    assert len({op.name for op in OPERATIONS}) == 19
    assert len({op.request_element for op in OPERATIONS}) == 19


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_request_message_has_the_xsd_elements_in_order(op):
    assert [f.name for f in dataclasses.fields(op.message)] == _element_children(op.request_element)


def test_contact_source_message_has_the_xsd_branches():
    assert [f.name for f in dataclasses.fields(m.Source)] == _element_children("ContactSource")


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_table_agrees_with_the_served_wsdl(op):
    request, response = wsdl_operations()[op.name]
    assert request == "{%s}%s" % (SVC, op.request_element)
    assert response == result_element(op.result)


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.rest], ids=lambda op: op.name)
def test_rest_path_parameters_name_message_fields(op):
    fields = {f.name for f in dataclasses.fields(op.message)}
    assert set(re.findall(r"{(\w+)}", op.rest.path)) <= fields


def test_lookups():
    assert by_name("GetContact").request_element == "GetContact"
    assert by_request_element("CreateDncListRequest").name == "CreateDncList"
    assert by_name("NoSuchOperation") is None


def _elements(ops) -> set[str]:
    return {"{%s}%s" % (SVC, op.request_element) for op in ops}


def test_startup_check_accepts_the_table():
    check_operations(OPERATIONS, _elements(OPERATIONS))


def test_startup_check_refuses_an_operation_missing_from_the_table():
    ops = [op for op in OPERATIONS if op.name != "GetContact"]
    with pytest.raises(RuntimeError, match="GetContact is in the WSDL but not in the operations table"):
        check_operations(ops, _elements(ops))


def test_startup_check_refuses_an_operation_the_wsdl_lacks():
    extra = Operation("Frobnicate", "Frobnicate", m.IdRequest, lambda s, r: None, None, None)
    ops = [*OPERATIONS, extra]
    with pytest.raises(RuntimeError, match="Frobnicate is in the operations table but not in the WSDL"):
        check_operations(ops, _elements(ops))


def test_startup_check_refuses_a_wrong_result_shape():
    ops = [dataclasses.replace(op, result=Resource("ContactList")) if op.name == "GetContact" else op
           for op in OPERATIONS]
    with pytest.raises(RuntimeError, match="GetContact: the WSDL's response element"):
        check_operations(ops, _elements(ops))


def test_startup_check_refuses_a_spyne_method_map_that_differs():
    with pytest.raises(RuntimeError, match="spyne has no method for GetContact"):
        check_operations(OPERATIONS, _elements(OPERATIONS) - {"{%s}GetContact" % SVC})
    with pytest.raises(RuntimeError, match="spyne dispatches"):
        check_operations(OPERATIONS, _elements(OPERATIONS) | {"{%s}Stray" % SVC})


def test_result_elements():
    assert result_element(None) is None
    assert result_element(Items("ContactQueryResult", "Contact")) == "{%s}ContactQueryResult" % SVC
    assert result_element(Resource("Contact")) == "{%s}Contact" % DATA
    assert result_element(Created("x/{id}")) == "{%s}CreatedId" % SVC
    assert Route("GET", "contact").method == "GET"
