"""SOAP faults: env:Fault carrying svc:ServiceFaultInfo, in SOAP 1.2 or SOAP 1.1."""
from __future__ import annotations

from lxml import etree

from ..faults import ServiceFault
from ..namespaces import SOAP11_ENV, SOAP12_ENV, SVC

_ENV = "{%s}" % SOAP12_ENV
_ENV11 = "{%s}" % SOAP11_ENV
_SVC = "{%s}" % SVC
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


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
