"""Paging rules shared by every Query* operation."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import BadRequest

MAX_RESULTS_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int

    @classmethod
    def from_request(cls, max_results: int | None, first_result: int | None) -> Page:
        """MaxResults defaults to 1000 and is capped at 1000 ("limited to 1000"); negatives fault."""
        limit = MAX_RESULTS_LIMIT if max_results is None else max_results
        offset = 0 if first_result is None else first_result
        if limit < 0:
            raise BadRequest("MaxResults must not be negative")
        if offset < 0:
            raise BadRequest("FirstResult must not be negative")
        return cls(limit=min(limit, MAX_RESULTS_LIMIT), offset=offset)
