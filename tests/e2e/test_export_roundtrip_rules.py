"""What README says a contacts export then contacts import brings back (and what it does not):
surrounding spaces are stripped, a contact with no valid number is dropped by a validated
re-import, a number stored as given comes back normalised or not at all."""
from __future__ import annotations

import csv
import uuid

from callfire_soap.domain.contacts import Contact
from tests.e2e.cli_support import cli_as
from tests.e2e.test_cli import PASSWORD, run


def test_round_trip_keeps_what_the_readme_says_and_no_more(app, database_url, login, tmp_path):  # noqa: F811
    with app.backend.uow() as uow:
        account_id = uow.accounts.id_of(login)
        uow.contacts.add_many(account_id, [
            Contact(first_name=" Ann ", home_phone="12132212384", custom={"note": "  kept  "}),
            Contact(first_name="Bob", home_phone="(213) 221-2385"),   # stored as given
            Contact(first_name="Cy", home_phone="111"),               # no valid number
        ])
        uow.commit()
    out = tmp_path / "all.csv"
    assert cli_as(database_url, login, "contacts", "export", "-o", str(out)).returncode == 0
    # Into another account: a validated import into the same one merges with the originals.
    other = "roundtrip-" + uuid.uuid4().hex[:10]
    assert run("account", "create", other, "--password", PASSWORD, "--database", database_url).returncode == 0
    back = cli_as(database_url, other, "contacts", "import", str(out), "--list", "Back")
    assert back.returncode == 0, back.stderr
    assert "invalid 1" in back.stdout
    again = tmp_path / "back.csv"
    assert cli_as(database_url, other, "contacts", "export", "-o", str(again)).returncode == 0
    with open(again, newline="") as handle:
        rows = {row["firstName"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"Ann", "Bob"}  # Cy dropped, ' Ann ' stripped
    assert rows["Bob"]["homePhone"] == "12132212385"
    assert rows["Ann"]["note"] == "kept"
