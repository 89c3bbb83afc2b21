"""Reading a large file in chunks with a progress bar on a terminal (CLI imports)."""
from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator

CHUNK = 1 << 20


class ProgressReader:
    def __init__(self, path: str, label: str, stream=None):
        self.handle = open(path, "rb")  # noqa: SIM115 - closed by __exit__
        self.total = os.fstat(self.handle.fileno()).st_size
        self.label = label
        self.stream = stream or sys.stderr
        self.done = 0
        self._last = 0.0
        self._interactive = self.stream.isatty()

    def chunks(self) -> Iterator[bytes]:
        while chunk := self.handle.read(CHUNK):
            self.done += len(chunk)
            self._show()
            yield chunk
        self._show(final=True)

    def _show(self, final: bool = False) -> None:
        now = time.monotonic()
        if not self._interactive or (not final and now - self._last < 0.2):
            return
        self._last = now
        fraction = self.done / self.total if self.total else 1.0
        filled = int(fraction * 30)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] "
                          f"{fraction:6.1%} {self.done / 1e6:,.1f}/{self.total / 1e6:,.1f} MB")
        if final:
            self.stream.write(" (read; committing)\n")
        self.stream.flush()

    def abandon(self) -> None:
        if self._interactive:
            self.stream.write("\n")

    def __enter__(self) -> ProgressReader:
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()
