"""Do Not Contact lists and numbers."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class DncList:
    id: int
    name: str
    campaign_id: int | None
    size: int


@dataclass
class DncNumber:
    number: str
    dnc_list_id: int | None
    call_dnc: bool
    text_dnc: bool
