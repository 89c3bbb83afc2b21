"""XML namespaces of the legacy contract."""

SVC = "http://api.callfire.com/service/xsd"
DATA = "http://api.callfire.com/data"
RESOURCE = "http://api.callfire.com/resource"  # the REST wrappers (prefix r)
WSDL_TNS = "http://api.callfire.com/service/wsdl"
BINDING_NS = "http://api.callfire.com/service/wsdl/http/soap12"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ACTION_PREFIX = "http://api.callfire.com/service/wsdl/ContactServicePortType/"


def svc(name: str) -> str:
    return "{%s}%s" % (SVC, name)


def data(name: str) -> str:
    return "{%s}%s" % (DATA, name)
