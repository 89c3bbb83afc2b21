"""A streamed CSV import's preparing (parsing, checks, number normalisation, the invalid and
duplicate scrubs: import_prepare) in a child process, beside the process that writes.

In one process the preparing thread and the writing thread share one GIL, and the writer
waited for the preparer about a second of a 4.7 s import of 200,000 rows on SQLite
(BENCHMARKS.md, issue 15); a second process uses the machine's second core instead. The
parent keeps reading the file (so the progress bar still follows its bytes) and a thread
hands the chunks to the child on its stdin; the child answers on its stdout, per batch, with
the prepared candidates (marshalled as import_prepare keeps them), the rows it dropped (for
--rejects) and the rows it read. Each message is a frame: a marker, a 4-byte length, then
marshal.

The child is a plain `python -P -c` that imports this module on the parent's sys.path, not a
multiprocessing Process: those re-run the parent's main script in the child (the whole CLI,
SQLAlchemy included), and a wrapper script without a main guard would run its import again.

Everything the in-thread path promises holds: a bad header raises before the transaction
opens (prepare_in_child waits for the child's answer to it), a CSV error names its line, and
however the import ends (done, failed, interrupted, never started) close() stops the child and
the thread feeding it; a child whose parent died sees its pipes close and exits.
"""
from __future__ import annotations

import contextlib
import marshal
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from ..domain.errors import BadRequest
from .import_prepare import Candidate, Prepared, RejectSink, packed, start, unpacked
from .list_sources import FileSource

# How long a child may take to exit, and the thread feeding it to finish, once stopped
# (seconds). The feeder may be blocked reading a pipe or a terminal for longer: it is a
# daemon thread, left behind rather than waited for.
_EXIT_WAIT = 5
_FEEDER_WAIT = 0.5
# A frame: this marker, a 4-byte length, the payload. The marker tells our frames from
# anything else written on the child's stdout (a sitecustomize that prints, say).
_MARKER = b"CFI1"
_HEAD = struct.Struct(">4sI")
_MAX_FRAME = 1 << 30
# The child imports what the parent would: its sys.path, handed over (not the current
# directory that "python -m" would put first), and nothing else of the parent's main script.
_BOOT = ("import sys; sys.path[:] = sys.argv[1:]; "
         "from callfire_soap.services.import_child import _child_main; sys.exit(_child_main())")


def prepare_in_child(chunks: Iterable[bytes], require_phone: bool, validate: bool, region: str,
                     reject: RejectSink | None = None,
                     progress: Callable[[int], None] | None = None) -> Prepared:
    """As import_prepare.prepare(FileSource(chunks, require_phone), stream=True), with the
    preparing done by a child process. Close the result (Prepared.close) when done with it."""
    link = _Link(chunks, (require_phone, validate, region, reject is not None))
    try:
        kind, *answer = link.receive()
        if kind != "layout":
            _raise(kind, answer)
    except BaseException:
        link.stop()
        raise
    custom_columns, ignored_columns, header = answer
    if reject is not None:
        reject.header(header)
    prepared = Prepared(batches=(), validate=validate, reject=reject, progress=progress, streamed=True,
                        custom_columns=custom_columns, ignored_columns=ignored_columns)
    prepared.batches = _Batches(link, prepared)
    return prepared


class _NotAFrame(Exception):
    """The stream holds something other than our frames."""


def _write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(_HEAD.pack(_MARKER, len(payload)))
    stream.write(payload)
    stream.flush()


def _read_frame(stream: BinaryIO) -> bytes:
    head = stream.read(_HEAD.size)
    if len(head) < _HEAD.size:
        raise EOFError
    marker, length = _HEAD.unpack(head)
    if marker != _MARKER or length > _MAX_FRAME:
        raise _NotAFrame(head)
    payload = stream.read(length)
    if len(payload) < length:
        raise EOFError
    return payload


class _Link:
    """The parent's side: the child, and the thread feeding it the settings and the file."""

    def __init__(self, chunks: Iterable[bytes], settings: tuple):
        # Its own session: a terminal's Ctrl-C goes to the parent, which stops the child itself
        # (the child would otherwise die with a traceback of its own). Its stderr is kept
        # aside and only its last line shown, in the error, should it fail.
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop()
        self.child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-P", "-c", _BOOT, *(entry for entry in sys.path if entry)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors,
            start_new_session=os.name == "posix")
        self.feed_error: BaseException | None = None
        self._stopped = False
        self.feeder = threading.Thread(target=self._feed, args=(settings, chunks), name="import-feed",
                                       daemon=True)
        self.feeder.start()

    def _feed(self, settings: tuple, chunks: Iterable[bytes]) -> None:
        """The settings, the file's chunks, then an empty frame for its end. Reading the file
        may fail (an I/O error): the child's stdin is then closed, it sees its end and stops,
        and receive() raises the error."""
        try:
            if not self._send(marshal.dumps(settings)):
                return
            for chunk in chunks:
                if self._stopped or (chunk and not self._send(chunk)):
                    return
            self._send(b"")
        except BaseException as exc:  # noqa: BLE001 - raised by receive(), in the importing thread
            self.feed_error = exc
        finally:
            try:
                self.child.stdin.close()
            except OSError:  # unflushed bytes for a child that is gone
                pass

    def _send(self, payload: bytes) -> bool:
        try:
            _write_frame(self.child.stdin, payload)
            return True
        except (OSError, ValueError):  # the child is gone, or stop() closed its pipe: receive() tells why
            return False

    def receive(self) -> tuple:
        try:
            return marshal.loads(_read_frame(self.child.stdout))  # noqa: S302 - our child's bytes
        except ValueError:
            if self._stopped:  # close() from another thread closed the pipe
                return ("error", "the import's preparing was stopped")
            raise
        except _NotAFrame as exc:
            return ("error", f"the import's preparing process wrote something else on its stdout: {exc.args[0]!r}")
        except EOFError:
            self.feeder.join(_EXIT_WAIT)
            if self.feed_error is not None:
                raise self.feed_error from None
            try:
                code = self.child.wait(_EXIT_WAIT)
            except subprocess.TimeoutExpired:
                code = None
            return ("error", f"the import's preparing process ended (exit code {code}){self._last_error()}")

    def _last_error(self) -> str:
        """The last line the child wrote on stderr, if any: ': ' and it."""
        try:
            self.errors.seek(0)
            lines = self.errors.read().decode(errors="replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return f": {lines[-1]}" if lines else ""

    def stop(self) -> None:
        """Stop the child (it may be blocked on either pipe), then wait for the feeder, whose
        next write then fails. Safe to call again, and from any thread."""
        if self._stopped:
            return
        self._stopped = True
        if self.child.poll() is None:
            self.child.kill()
        self.child.wait()
        if threading.current_thread() is not self.feeder:
            # Its next write fails at once; blocked reading a pipe or a terminal, it is left.
            self.feeder.join(_FEEDER_WAIT)
        self.child.stdout.close()
        self.errors.close()


class _Batches:
    """Prepared.batches of a child: iterated once; close() (or being dropped) stops the child
    whether or not the batches were read."""

    def __init__(self, link: _Link, prepared: Prepared):
        self._link = link
        # Not a strong reference: the Prepared holds these batches, and a cycle would keep the
        # child running until the cycle collector ran, not until the result was dropped.
        self._prepared = weakref.ref(prepared)
        self._finalizer = weakref.finalize(self, link.stop)

    def __iter__(self) -> Iterator[list[Candidate]]:
        return self._received()

    def close(self) -> None:
        self._finalizer()

    def _received(self) -> Iterator[list[Candidate]]:
        link, prepared = self._link, self._prepared()
        if prepared is None:  # nobody left to hand the batches to
            self.close()
            return
        try:
            while True:
                kind, *answer = link.receive()
                if kind not in ("batch", "done"):
                    _raise(kind, answer)
                candidates, rejects, rows, *counts = answer
                if prepared.reject is not None:
                    for line, reason, cells in rejects:
                        prepared.reject(line, reason, None if cells is None else list(cells))
                if kind == "done":
                    prepared.invalid, prepared.duplicate = counts
                    return
                if prepared.progress is not None:
                    prepared.progress(rows)
                yield [unpacked(row) for row in candidates]
        finally:
            self.close()


def _raise(kind: str, answer: list) -> None:
    if kind == "bad":
        raise BadRequest(answer[0])
    raise RuntimeError(answer[0])


# -- the child ---------------------------------------------------------------------------------
class _Rejects:
    """Collects what the preparing drops, to go with the batch it came from."""

    def __init__(self):
        self.header_cells: list[str] = []
        self.rows: list[tuple] = []

    def header(self, cells: list[str]) -> None:
        self.header_cells = list(cells)

    def __call__(self, line, reason, cells) -> None:
        self.rows.append((line, reason, None if cells is None else tuple(cells)))

    def take(self) -> list[tuple]:
        rows, self.rows = self.rows, []
        return rows


def _received_chunks(inbox: BinaryIO) -> Iterator[bytes]:
    while chunk := _read_frame(inbox):
        yield chunk


def _child_main() -> int:
    # Where a Ctrl-C still reaches this process (no new session outside POSIX): the parent
    # stops it itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # stdout carries frames only
    try:
        require_phone, validate, region, keep_rejects = marshal.loads(_read_frame(inbox))
    except EOFError:
        return 0
    rejects = _Rejects() if keep_rejects else None
    rows = [0]

    def read(count: int) -> None:
        rows[0] += count

    def send(*message) -> None:
        _write_frame(outbox, marshal.dumps(message))

    try:
        prepared, batches = start(FileSource(_received_chunks(inbox), require_phone), validate, region,
                                  rejects, read)
        send("layout", prepared.custom_columns, prepared.ignored_columns,
             rejects.header_cells if rejects else [])
        for batch in batches:
            send("batch", [packed(c) for c in batch], rejects.take() if rejects else [], rows[0])
            rows[0] = 0
        send("done", [], rejects.take() if rejects else [], rows[0], prepared.invalid, prepared.duplicate)
        return 0
    except (EOFError, OSError):
        return 0  # the parent stopped the import, or its file could not be read: it knows why
    except BadRequest as exc:
        answer = ("bad", exc.message)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        answer = ("error", f"preparing the import failed: {exc!r}")
    with contextlib.suppress(OSError):  # the parent may have stopped meanwhile
        send(*answer)
    return 0


