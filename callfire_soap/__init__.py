"""callfire-soap: a self-hosted CallFire API 1.1 ContactService speaking the legacy SOAP contract."""

__version__ = "0.1.0"

from . import _spyne_compat

_spyne_compat.install()
