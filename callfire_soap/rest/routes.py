"""The REST routes, built once from the operations table: a path below /api/1.1/rest/ and a
method to an operation and its path parameters.

Literal segments take precedence over parameters, so /contact/list is QueryContactLists and
never GetContact with Id=list. An id parameter (an int field of the message) matches only a
decimal long: any other segment is not a resource of this service (404).
"""
from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass

from ..operations.table import Operation

PREFIX = "/api/1.1/rest/"
_LONG_MAX = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")


@dataclass(frozen=True)
class Target:
    """What a request path names: the operations by method, and the format asked for."""

    by_method: dict[str, Operation]
    params: dict[str, str]
    json: bool


@dataclass(frozen=True)
class _Pattern:
    segments: tuple[str | None, ...]  # a literal, or None for a parameter
    params: tuple[tuple[int, str, bool], ...]  # (segment index, field name, is an id)
    by_method: dict[str, Operation]


def split_format(path: str) -> tuple[str, bool]:
    """The path without its format suffix, and whether JSON was asked for (".json" on the
    last segment; ".xml" and no suffix mean XML)."""
    if path.endswith(".json"):
        return path[:-5], True
    if path.endswith(".xml"):
        return path[:-4], False
    return path, False


class Router:
    def __init__(self, operations: list[Operation]):
        grouped: dict[str, dict[str, Operation]] = {}
        for op in operations:
            if op.rest is not None:
                by_method = grouped.setdefault(op.rest.path, {})
                if op.rest.method in by_method:
                    raise ValueError(f"two operations on {op.rest.method} {op.rest.path}")
                by_method[op.rest.method] = op
        # segment count -> patterns, the most literal first (a literal before a parameter at
        # the first segment where two patterns differ)
        self._patterns: dict[int, list[_Pattern]] = {}
        for path, by_method in grouped.items():
            pattern = _compile(path, by_method)
            self._patterns.setdefault(len(pattern.segments), []).append(pattern)
        for patterns in self._patterns.values():
            patterns.sort(key=lambda p: tuple(s is None for s in p.segments))

    def match(self, path: str) -> Target | None:
        """``path`` is below the prefix (e.g. "contact/list/5/add.json")."""
        path, json = split_format(path)
        if path.endswith("/"):
            path = path[:-1]
        segments = path.split("/")
        for pattern in self._patterns.get(len(segments), ()):
            params = _bind(pattern, segments)
            if params is not None:
                return Target(pattern.by_method, params, json)
        return None

    def routes(self) -> list[tuple[str, str, str]]:
        """(method, path, operation name) of every route, for documentation and tests."""
        return sorted(
            (method, "/".join(s if s is not None else "{%s}" % name_at(p, i)
                              for i, s in enumerate(p.segments)), op.name)
            for patterns in self._patterns.values() for p in patterns
            for method, op in p.by_method.items()
        )


def name_at(pattern: _Pattern, index: int) -> str:
    return next(name for i, name, _ in pattern.params if i == index)


def _compile(path: str, by_method: dict[str, Operation]) -> _Pattern:
    message = next(iter(by_method.values())).message
    hints = typing.get_type_hints(message)
    fields = {f.name for f in dataclasses.fields(message)}
    segments, params = [], []
    for index, segment in enumerate(path.split("/")):
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            if name not in fields:
                raise ValueError(f"path parameter {name} of {path} is not a field of {message.__name__}")
            for op in by_method.values():
                if name not in {f.name for f in dataclasses.fields(op.message)}:
                    raise ValueError(f"path parameter {name} of {path} is not a field of {op.name}")
            segments.append(None)
            params.append((index, name, int in typing.get_args(hints[name]) or hints[name] is int))
        else:
            segments.append(segment)
    return _Pattern(tuple(segments), tuple(params), by_method)


def _bind(pattern: _Pattern, segments: list[str]) -> dict[str, str] | None:
    for literal, segment in zip(pattern.segments, segments, strict=True):
        if literal is not None and literal != segment:
            return None
    params = {}
    for index, name, is_id in pattern.params:
        value = segments[index]
        if not value:
            return None
        if is_id and (not _DIGITS.fullmatch(value) or int(value) > _LONG_MAX):
            return None
        params[name] = value
    return params
