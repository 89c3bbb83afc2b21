"""contacts import of a one-number-per-line file written "(213) 555-1031" (the real command)."""
from __future__ import annotations

from tests.e2e.cli_support import cli_as, fails_cleanly


def test_parenthesised_numbers_import_as_numbers(database_url, login, tmp_path):  # noqa: F811
    source = tmp_path / "numbers.txt"
    source.write_text("(213) 555-1031\n(213) 555-1032\n")
    done = cli_as(database_url, login, "contacts", "import", str(source), "--list", "Paren")
    assert done.returncode == 0, done.stderr
    assert "2 contacts" in done.stdout.splitlines()[0]


def test_a_number_read_as_a_header_gets_no_allow_empty_hint(database_url, login, tmp_path):  # noqa: F811
    source = tmp_path / "mixed.csv"
    source.write_text("(213) 555-1031,Ann\n(213) 555-1032,Bob\n")
    refused = cli_as(database_url, login, "contacts", "import", str(source), "--list", "Mixed")
    fails_cleanly(refused, "nothing imported: File has no phone column")
    assert "--allow-empty" not in refused.stderr
    assert "add a header row" in refused.stderr
