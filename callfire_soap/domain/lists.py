"""Contact lists."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# data:ContactListStatus of the 2014 schema. Later servers also emitted IMPORTING and
# IMPORT_FAILED; old-WSDL clients reject those, so this service never produces them.
ACTIVE = "ACTIVE"
VALIDATING = "VALIDATING"
ERRORS = "ERRORS"
DELETED = "DELETED"
PARSE_FAILED = "PARSE_FAILED"
COLUMN_TOO_LARGE = "COLUMN_TOO_LARGE"
STATUSES = (ACTIVE, VALIDATING, ERRORS, DELETED, PARSE_FAILED, COLUMN_TOO_LARGE)


@dataclass
class ContactList:
    id: int
    name: str
    size: int
    created: datetime
    status: str
