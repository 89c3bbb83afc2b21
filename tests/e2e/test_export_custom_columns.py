"""contacts export refuses more custom field columns than contacts import takes (every row
would carry them all) unless --all-custom-fields."""
from __future__ import annotations

import os

from tests.e2e.cli_support import cli_as, fails_cleanly


def _import(database_url, login, path, name, fields, number):  # noqa: F811
    path.write_text("phone," + ",".join(fields) + "\n" + number + "," + ",".join("v" for _ in fields) + "\n")
    done = cli_as(database_url, login, "contacts", "import", str(path), "--list", name)
    assert done.returncode == 0, done.stderr


def test_more_than_200_custom_columns_is_refused_before_writing(database_url, login, tmp_path):  # noqa: F811
    _import(database_url, login, tmp_path / "a.csv", "Wide A", [f"a{i}" for i in range(150)], "12132212384")
    _import(database_url, login, tmp_path / "b.csv", "Wide B", [f"b{i}" for i in range(60)], "12132212385")
    out = tmp_path / "all.csv"
    refused = cli_as(database_url, login, "contacts", "export", "-o", str(out))
    fails_cleanly(refused, "nothing exported: the contacts have 210 custom field names")
    assert "at most 200" in refused.stderr and "--all-custom-fields" in refused.stderr
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["a.csv", "b.csv"]
    to_stdout = cli_as(database_url, login, "contacts", "export")
    assert to_stdout.returncode == 1 and to_stdout.stdout == ""

    one_list = cli_as(database_url, login, "contacts", "export", "--list", "Wide A")
    assert one_list.returncode == 0, one_list.stderr
    assert len(one_list.stdout.splitlines()[0].split(",")) == 8 + 150

    forced = cli_as(database_url, login, "contacts", "export", "--all-custom-fields", "-o", str(out))
    assert forced.returncode == 0, forced.stderr
    assert len(out.read_text().splitlines()[0].split(",")) == 8 + 210
    assert "210 custom field columns" in forced.stderr
