"""contacts import --rejects of a headerless file: one reject per number (its own cell), and
the report counts numbers, not rows."""
from __future__ import annotations

import csv

from tests.e2e.cli_support import cli_as

A = "12132212384"


def test_a_row_of_repeated_numbers_writes_one_small_reject_per_number(database_url, login, tmp_path):  # noqa: F811
    source = tmp_path / "one-line.csv"
    source.write_text(",".join([A] * 3000) + "\n")
    rejects = tmp_path / "rejects.csv"
    done = cli_as(database_url, login, "contacts", "import", str(source), "--list", "Repeated",
                "--rejects", str(rejects))
    assert done.returncode == 0, done.stderr
    assert f"2,999 dropped numbers written to {rejects}" in done.stdout
    assert rejects.stat().st_size < 200_000
    with open(rejects, newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["line", "reason", "number"]
    assert len(rows) == 3000
    assert rows[1] == ["1", f"duplicate: {A} is on an earlier row", A]


def test_a_file_with_a_header_still_counts_rows(database_url, login, tmp_path):  # noqa: F811
    source = tmp_path / "with-header.csv"
    source.write_text(f"phone,name\n{A},Ann\n{A},Bob\nnope,Cy\n")
    rejects = tmp_path / "rejects.csv"
    done = cli_as(database_url, login, "contacts", "import", str(source), "--list", "Headed",
                "--rejects", str(rejects))
    assert done.returncode == 0, done.stderr
    assert f"2 dropped rows written to {rejects}" in done.stdout
    with open(rejects, newline="") as handle:
        assert list(csv.reader(handle))[1:] == [["3", f"duplicate: {A} is on an earlier row", A, "Bob"],
                                                ["4", "invalid: no valid phone number", "nope", "Cy"]]
