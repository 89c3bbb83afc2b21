"""Logging setup shared by the CLI and the server processes: one format for every line,
text or JSON (``--log-format`` / CALLFIRE_LOG_FORMAT), whichever server runs the app."""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time

FORMATS = ("text", "json")
ENV = "CALLFIRE_LOG_FORMAT"


def log_format(explicit: str | None = None) -> str:
    value = (explicit or os.environ.get(ENV) or "text").lower()
    return value if value in FORMATS else "text"


def _utc(record: logging.LogRecord) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs


class TextFormatter(logging.Formatter):
    """``TIME LEVEL LOGGER: message``; an access record's fields follow as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", None)
        message = record.getMessage()
        if fields:
            message = " ".join(f"{key}={_text_value(value)}" for key, value in fields.items())
        line = f"{_utc(record)} {record.levelname} {record.name}: {message}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and an access record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        data = {"time": _utc(record), "level": record.levelname, "logger": record.name}
        fields = getattr(record, "fields", None)
        if fields:
            data.update(fields)
        else:
            data["message"] = record.getMessage()
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


# Printable ASCII but space, '"', '=' and '\\': written as it is (checked by one regex match,
# which is most values; the character-by-character check below decides the rest).
_PLAIN = re.compile(r'[!#-<>-\[\]-~]+')


def _text_value(value) -> str:
    if value is None or value == "":
        return "-"
    text = str(value)
    if _PLAIN.fullmatch(text):
        return text
    # Client-controlled values (a login) must not break the line or fake another field.
    if any(ch.isspace() or ch in '"=\\' or not ch.isprintable() for ch in text):
        return json.dumps(text)
    return text


def configure(fmt: str | None = None, level: int = logging.INFO, force: bool = True) -> None:
    """Send every logger to stderr in the chosen format. force=False leaves an existing
    configuration alone (a server process that inherited the CLI's)."""
    root = logging.getLogger()
    if not force and root.handlers:
        return
    fmt = log_format(fmt)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
