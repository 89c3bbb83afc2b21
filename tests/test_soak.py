"""The concurrency soak in its short form: 16 SOAP clients on 4 accounts against 2 gunicorn
workers, mixed writes (list imports with shared numbers, adds, removes, contact updates of
the same contacts, DNC adds, RequestId replays); the final state must match exactly what
the clients were told. scripts/soak.py runs the long form."""
import sys

import pytest

from scripts.soak import run_soak


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn runs on Unix only")
def test_soak_short_form(database_url, capsys):
    report = run_soak(database_url, workers=2, clients=16, accounts=4, rounds=10)
    with capsys.disabled():
        print(f"\nsoak: operations={report['operations']} workers={report['workers']} "
              f"clients={report['clients']} accounts={report['accounts']} seconds={report['seconds']} "
              f"mismatches={report['mismatches']}")
    assert report["mismatches"] == 0, "\n".join(report["details"])
    assert report["operations"] >= 16 * 10
