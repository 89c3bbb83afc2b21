"""`contacts export` and `dnc export` (the CLI, in process) read one snapshot of the
database: a write that another connection commits while the export is reading (here, right
after its first statement) is not in the file, which is exactly the file of the state before
that write. On the session's database (SQLite, or PostgreSQL with
CALLFIRE_TEST_DATABASE=postgresql)."""
from __future__ import annotations

import uuid

import pytest

from callfire_soap.cli import main
from callfire_soap.domain.contacts import Contact
from callfire_soap.services.accounts import create_account
from callfire_soap.services.dnc import create_dnc_list, delete_dnc_list
from callfire_soap.storage.contacts import ContactRepository
from callfire_soap.storage.dnc import DncRepository

NUMBERS = [f"1213221{n:04d}" for n in range(2500, 2520)]


@pytest.fixture
def login(app):
    name = "snapshot-" + uuid.uuid4().hex[:12]
    return name, create_account(app.backend.uow, name, "pw")


def _export(database_url: str, login: str, path, *args) -> str:
    assert main([*args, "--account", login, "-o", str(path), "--database", database_url]) == 0
    return path.read_text(encoding="utf-8")


def _after_first_call(monkeypatch, klass, method: str, write) -> list:
    """Make klass.method commit ``write`` from another connection once it has returned,
    the first time it is called; returns a list that records that it did."""
    original = getattr(klass, method)
    done = []

    def wrapper(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        if not done:
            if isinstance(result, list):
                result = list(result)
            write()
            done.append(True)
        return result

    monkeypatch.setattr(klass, method, wrapper)
    return done


def test_contacts_export_reads_one_snapshot(app, database_url, login, tmp_path, monkeypatch):
    login_name, account_id = login
    with app.backend.uow() as uow:
        first, _ = uow.lists.insert_contacts(account_id, [
            Contact(first_name="Ada", home_phone="12132212384", custom={"alpha": "1"}),
            Contact(first_name="Bob", home_phone="12132212385"),
        ])
        uow.commit()
    before = _export(database_url, login_name, tmp_path / "before.csv", "contacts", "export")

    def concurrent_update():
        with app.backend.uow() as uow:
            contact = uow.contacts.get_many(account_id, [first])[first]
            contact.first_name = "Adele"
            contact.custom["zeta"] = "new"
            uow.contacts.save(contact)
            uow.commit()

    # After the query of the custom field names, before the contacts themselves are read.
    done = _after_first_call(monkeypatch, ContactRepository, "custom_field_names", concurrent_update)
    during = _export(database_url, login_name, tmp_path / "during.csv", "contacts", "export")
    assert done
    assert during == before
    monkeypatch.undo()
    after = _export(database_url, login_name, tmp_path / "after.csv", "contacts", "export")
    assert after.splitlines()[0].endswith(",alpha,zeta") and "Adele" in after  # the write did happen


def test_dnc_export_reads_one_snapshot(app, database_url, login, tmp_path, monkeypatch):
    login_name, account_id = login
    name = "snapshot " + uuid.uuid4().hex[:8]
    list_id = create_dnc_list(app.backend.uow, account_id, name, tokens=NUMBERS)
    before = _export(database_url, login_name, tmp_path / "before.csv", "dnc", "export", "--list", name)
    assert len(before.splitlines()) == 1 + len(NUMBERS)

    # The list is deleted once the export has found it by name, before its numbers are read.
    done = _after_first_call(monkeypatch, DncRepository, "lists_named",
                             lambda: delete_dnc_list(app.backend.uow, account_id, list_id))
    during = _export(database_url, login_name, tmp_path / "during.csv", "dnc", "export", "--list", name)
    assert done
    assert during == before
