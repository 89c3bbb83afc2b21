"""ContactService over REST (/api/1.1/rest/), built from the operations table."""
from .endpoint import RestEndpoint
from .routes import PREFIX

__all__ = ["PREFIX", "RestEndpoint"]
