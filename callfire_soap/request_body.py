"""Reading a request body within the size limit, for every entrypoint."""
from __future__ import annotations

import io


class BodyError(Exception):
    """The body cannot be read: ``status`` is the HTTP status line to answer with."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class _LimitedInput:
    """wsgi.input that never yields more than ``remaining`` bytes."""

    def __init__(self, stream, remaining: int):
        self.stream = stream
        self.remaining = remaining

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        data = self.stream.read(size)
        self.remaining -= len(data)
        return data


def read_body(environ, max_body: int) -> bytes:
    """The whole body, refused before it is read when Content-Length exceeds ``max_body``."""
    length = environ.get("CONTENT_LENGTH") or ""
    if length:
        try:
            size = int(length)
        except ValueError:
            raise BodyError("400 Bad Request", "invalid Content-Length") from None
        if size > max_body:
            raise BodyError("413 Content Too Large", f"request bodies are limited to {max_body} bytes")
    else:
        # No length (chunked): read at most one byte past the limit to detect excess.
        payload = _LimitedInput(environ["wsgi.input"], max_body + 1).read()
        if len(payload) > max_body:
            raise BodyError("413 Content Too Large", f"request bodies are limited to {max_body} bytes")
        environ["wsgi.input"] = io.BytesIO(payload)
        environ["CONTENT_LENGTH"] = str(len(payload))
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length > 0 else b""
