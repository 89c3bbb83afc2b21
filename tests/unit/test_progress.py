"""The CLI bulk-load progress bar: bytes with an ETA, rows and their rate, quiet off a terminal."""
from __future__ import annotations

import io

from callfire_soap.progress import ProgressReader


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _file(tmp_path, size: int):
    path = tmp_path / "data.csv"
    path.write_bytes(b"x" * size)
    return str(path)


def test_reads_the_whole_file_in_chunks(tmp_path):
    path = _file(tmp_path, 200_000)
    with ProgressReader(path, "importing", stream=io.StringIO()) as reader:
        chunks = list(reader.chunks(size=65536))
    assert b"".join(chunks) == b"x" * 200_000
    assert len(chunks) == 4


def test_quiet_when_not_a_terminal(tmp_path):
    stream = io.StringIO()
    with ProgressReader(_file(tmp_path, 1000), "importing", stream=stream) as reader:
        for _ in reader.chunks():
            reader.rows_done(10)
    assert stream.getvalue() == ""
    assert reader.rows == 10


def test_shows_rows_rate_and_total_on_a_terminal(tmp_path):
    stream = _Terminal()
    with ProgressReader(_file(tmp_path, 300_000), "importing x.csv", stream=stream) as reader:
        for _ in reader.chunks():
            reader.rows_done(1500)
    shown = stream.getvalue()
    assert "importing x.csv" in shown
    assert "rows/s" in shown
    assert f"{reader.rows:,} rows" in shown
    assert "293k" in shown  # the file size in KiB, as tqdm scales it


def test_asked_for_off_a_terminal(tmp_path):
    stream = io.StringIO()
    with ProgressReader(_file(tmp_path, 1000), "importing", stream=stream, show=True) as reader:
        list(reader.chunks())
        reader.rows_done(3)
    assert "3 rows" in stream.getvalue()


def test_redrawn_while_the_loader_is_busy(tmp_path):
    """A batch's database work can take longer than a second: the bar is redrawn meanwhile."""
    import threading

    stream = _Terminal()
    with ProgressReader(_file(tmp_path, 1000), "importing", stream=stream) as reader:
        list(reader.chunks())
        drawn = stream.getvalue().count("\r")
        redrawn = threading.Event()
        for _ in range(100):  # a busy loader: no update for up to 10 s
            if stream.getvalue().count("\r") > drawn:
                redrawn.set()
                break
            redrawn.wait(0.1)
    assert redrawn.is_set()
