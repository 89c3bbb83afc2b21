"""The bulk commands' SQLite connections get a larger page cache; the server's keep SQLite's
default (its pool holds a connection per request thread)."""
from sqlalchemy import text

from callfire_soap import cli
from callfire_soap.backend import Backend
from callfire_soap.storage.database import make_engine


def _cache_size(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("PRAGMA cache_size")).scalar_one()


def test_make_engine_sets_the_page_cache_only_when_asked(tmp_path):
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    bulk, plain = make_engine(url, sqlite_cache_mib=32), make_engine(url)
    try:
        assert _cache_size(bulk) == -32 * 1024
        assert _cache_size(plain) != -32 * 1024
    finally:
        bulk.dispose()
        plain.dispose()


def test_bulk_commands_open_with_the_larger_cache_and_the_others_without(tmp_path):
    url = f"sqlite:///{tmp_path / 'commands.db'}"
    Backend.open(url).close()  # the commands open existing databases only
    bulk, plain = cli._open_bulk_backend(url), cli._open_backend(url)
    try:
        assert _cache_size(bulk.engine) == -cli.BULK_SQLITE_CACHE_MIB * 1024
        assert _cache_size(plain.engine) != -cli.BULK_SQLITE_CACHE_MIB * 1024
    finally:
        bulk.close()
        plain.close()


def test_import_and_export_commands_use_the_bulk_opener(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(cli, "run_import", lambda args, opener: seen.append(("import", opener)) or 0)
    monkeypatch.setattr(cli, "run_bulk_command", lambda args, opener: seen.append(("bulk", opener)) or 0)
    csv_file = tmp_path / "in.csv"
    csv_file.write_text("phone\n12132212384\n")
    for argv in (["contacts", "import", str(csv_file), "--list", "x"], ["contacts", "export"],
                 ["dnc", "import", str(csv_file), "--list", "x"], ["dnc", "export", "--list", "x"]):
        assert cli.COMMANDS[argv[0]](cli.build_parser().parse_args(argv)) == 0
    assert [opener for _, opener in seen] == [cli._open_bulk_backend] * 4
