"""The spyne Application that carries the 19 ContactService operations."""
from __future__ import annotations

import logging

from spyne import Application

from ..domain.errors import ServiceError
from .faults import ServiceFault
from .namespaces import SVC
from .protocol import CallFireSoap11, CallFireSoap12
from .service_contacts import ContactOperations
from .service_dnc import DncOperations
from .service_lists import ContactListOperations

# spyne logs every fault with a traceback; faults are logged once, by this project.
logging.getLogger("spyne.application").setLevel(logging.CRITICAL + 1)


class ContactServiceApplication(Application):
    def call_wrapper(self, ctx):
        try:
            return super().call_wrapper(ctx)
        except ServiceFault:
            raise
        except ServiceError as error:
            raise ServiceFault.from_error(error) from None
        except Exception as error:  # noqa: BLE001 - anything else is the server's fault
            raise ServiceFault.internal(error) from None


def build_soap_application(protocol=CallFireSoap12) -> ContactServiceApplication:
    """One Application per SOAP version (spyne binds one protocol per Application)."""
    # spyne looks operations up by "{tns}RequestElement": tns must be the svc namespace.
    return ContactServiceApplication(
        [ContactOperations, ContactListOperations, DncOperations],
        tns=SVC,
        name="ContactService",
        in_protocol=protocol(),
        out_protocol=protocol(),
    )


def build_soap11_application() -> ContactServiceApplication:
    return build_soap_application(CallFireSoap11)
