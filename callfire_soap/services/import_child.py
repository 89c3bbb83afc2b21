"""A streamed CSV import's preparing (parsing, checks, number normalisation, the invalid and
duplicate scrubs: import_prepare) in a child process, beside the process that writes.

In one process the preparing thread and the writing thread share one GIL, and the writer
waited for the preparer about a second of a 4.7 s import of 200,000 rows (BENCHMARKS.md,
issue 15); a second process uses the machine's second core instead. The parent keeps
reading the file (so the progress bar still follows its bytes) and hands the chunks to the
child through a pipe; the child sends back, per batch, the prepared candidates (marshalled
as import_prepare keeps them), the rows it dropped (for --rejects) and the rows it read.

Everything the in-thread path promises holds: a bad header raises before the transaction
opens (prepare_in_child waits for the child's answer to it), a CSV error names its line,
and a failed import stops the child and the thread feeding it.
"""
from __future__ import annotations

import marshal
import multiprocessing
import threading
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection

from ..domain.errors import BadRequest
from .import_prepare import Candidate, Prepared, RejectSink, packed, start, unpacked
from .list_sources import FileSource

# How long a stopped child may take to exit before it is killed (seconds).
_EXIT_WAIT = 5


def prepare_in_child(chunks: Iterable[bytes], require_phone: bool, validate: bool, region: str,
                     reject: RejectSink | None = None,
                     progress: Callable[[int], None] | None = None) -> Prepared:
    """As import_prepare.prepare(FileSource(chunks, require_phone), stream=True), with the
    preparing done by a child process."""
    # A fork server that imports nothing beforehand: no fork of this process (it holds a
    # database connection and threads), and no import of the CLI in the child as "spawn"
    # does (SQLAlchemy alone is ~20 MB of the child's RSS).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([])
    chunks_out, chunks_in = context.Pipe(duplex=False)
    results_in, results_out = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, name="callfire-import-prepare", daemon=True,
                            args=(chunks_out, results_out, require_phone, validate, region, reject is not None))
    child.start()
    chunks_out.close()
    results_out.close()
    link = _Link(child, chunks, chunks_in, results_in)
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
    prepared.batches = _batches(link, prepared)
    return prepared


class _Link:
    """The parent's ends: the child, the thread feeding it the file, the two pipes."""

    def __init__(self, child, chunks: Iterable[bytes], chunks_in: Connection, results_in: Connection):
        self.child = child
        self.chunks_in, self.results_in = chunks_in, results_in
        self.feed_error: BaseException | None = None
        self.feeder = threading.Thread(target=self._feed, args=(chunks,), name="import-feed", daemon=True)
        self.feeder.start()

    def _feed(self, chunks: Iterable[bytes]) -> None:
        """The file's chunks to the child, then an empty one for its end. Reading the file
        may fail (an I/O error): the pipe is then closed, the child sees its end and stops,
        and receive() raises the error."""
        try:
            for chunk in chunks:
                if chunk and not self._send(chunk):
                    return
            self._send(b"")
        except BaseException as exc:  # noqa: BLE001 - raised by receive(), in the importing thread
            self.feed_error = exc
        finally:
            self.chunks_in.close()

    def _send(self, chunk: bytes) -> bool:
        try:
            self.chunks_in.send_bytes(chunk)
            return True
        except OSError:  # the child is gone: receive() tells why
            return False

    def receive(self) -> tuple:
        try:
            return marshal.loads(self.results_in.recv_bytes())  # noqa: S302 - our child's bytes
        except EOFError:
            self.feeder.join()
            if self.feed_error is not None:
                raise self.feed_error from None
            return ("error", f"the import's preparing process ended (exit code {self.child.exitcode})")

    def stop(self) -> None:
        """Stop the child (it may be blocked on either pipe), then wait for the feeder, whose
        next send then fails."""
        if self.child.is_alive():
            self.child.terminate()
        self.child.join(_EXIT_WAIT)
        if self.child.is_alive():
            self.child.kill()
            self.child.join()
        self.feeder.join()
        self.results_in.close()


def _batches(link: _Link, prepared: Prepared) -> Iterator[list[Candidate]]:
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
        link.stop()


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


def _received(chunks_out: Connection) -> Iterator[bytes]:
    while chunk := chunks_out.recv_bytes():
        yield chunk


def _child_main(chunks_out: Connection, results_out: Connection, require_phone: bool, validate: bool,
                region: str, keep_rejects: bool) -> None:
    rejects = _Rejects() if keep_rejects else None
    rows = [0]

    def read(count: int) -> None:
        rows[0] += count

    def send(*message) -> None:
        results_out.send_bytes(marshal.dumps(message))

    try:
        prepared, batches = start(FileSource(_received(chunks_out), require_phone), validate, region,
                                  rejects, read)
        send("layout", prepared.custom_columns, prepared.ignored_columns,
             rejects.header_cells if rejects else [])
        for batch in batches:
            send("batch", [packed(candidate) for candidate in batch], rejects.take() if rejects else [], rows[0])
            rows[0] = 0
        send("done", [], rejects.take() if rejects else [], rows[0], prepared.invalid, prepared.duplicate)
    except BadRequest as exc:
        send("bad", exc.message)
    except (EOFError, BrokenPipeError):
        return  # the parent stopped the import
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        send("error", f"preparing the import failed: {exc!r}")
