"""UTF-8 text lines from the byte chunks of a file (a CSV File source, `contacts import`,
`dnc import`), one line at a time, with errors that name the line."""
from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator

from ..domain.errors import BadRequest

# Text files carry no C0 control characters other than tab, CR and LF.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Decoded UTF-8 holds no surrogates; these two non-characters are the rest of what XML 1.0
# forbids, and a stored value holding one could never be sent back.
_NOT_XML = re.compile("[\ufffe\uffff]")
# A line is a row of a few hundred cells at most (200 custom fields of 1,024 characters);
# a file without line breaks held as one line would cost memory in proportion to its size.
MAX_LINE = 1 << 20
_PIECE = 1 << 16


def _pieces(chunks: Iterable[bytes]) -> Iterator[memoryview | None]:
    """Zero-copy slices of the chunks (so decoded text stays small), then None (end)."""
    for chunk in chunks:
        view = memoryview(chunk)
        for start in range(0, len(view), _PIECE):
            yield view[start:start + _PIECE]
    yield None


def decoded_lines(chunks: Iterable[bytes], label: str = "File", xml_text: bool = True) -> Iterator[str]:
    """The lines (line ends kept) of UTF-8 text (a BOM is dropped). BadRequest, naming the
    line and starting with ``label``, for bytes that are not UTF-8, binary control
    characters, a line over MAX_LINE characters and, with ``xml_text``, the characters that
    no XML response can carry."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
    checks = [(_BINARY, "{label} is not a text file (line {line} contains binary data)")]
    if xml_text:
        checks.append((_NOT_XML, "{label} contains U+FFFE or U+FFFF (line {line}), which no SOAP "
                                  "response can carry"))
    pending = ""
    done = 0  # lines yielded so far
    for piece in _pieces(chunks):
        try:
            text = decoder.decode(b"", True) if piece is None else decoder.decode(piece)
        except UnicodeDecodeError as exc:
            line = done + pending.count("\n") + bytes(piece or b"")[:exc.start].count(b"\n") + 1
            raise BadRequest(f"{label} is not UTF-8 text (line {line})") from None
        for pattern, message in checks:
            found = pattern.search(text)
            if found:
                line = done + pending.count("\n") + text.count("\n", 0, found.start()) + 1
                raise BadRequest(message.format(label=label, line=line))
        pending += text
        start = 0
        while (end := pending.find("\n", start)) >= 0:
            yield pending[start:end + 1]
            done += 1
            start = end + 1
        pending = pending[start:]
        if len(pending) > MAX_LINE:
            raise BadRequest(f"{label} has a line longer than {MAX_LINE:,} characters (line {done + 1})")
    if pending:
        yield pending
