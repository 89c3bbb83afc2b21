"""The concurrency soak in its short form: 16 SOAP clients on 4 accounts against 2 server
workers, mixed writes (list imports with shared numbers, adds, removes, contact updates of
the same contacts, DNC adds, RequestId replays); the final state must match exactly what
the clients were told. It runs scripts/soak.py, whose longer forms are for operators."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import PG_BASE, database_kind

SOAK = Path(__file__).resolve().parents[2] / "scripts" / "soak.py"


@pytest.mark.skipif(sys.platform == "win32", reason="multi-worker serving runs on Unix only")
def test_soak_short_form():
    args = [sys.executable, str(SOAK), "--workers", "2", "--clients", "16", "--accounts", "4", "--rounds", "10"]
    if database_kind() == "postgresql":
        args += ["--database", PG_BASE]
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, env=os.environ.copy())
    print(result.stdout.strip())
    summary = re.search(r"soak: operations=(\d+) .* mismatches=(\d+)", result.stdout)
    assert summary, result.stdout + result.stderr
    assert int(summary.group(2)) == 0 and result.returncode == 0, result.stdout
    assert int(summary.group(1)) >= 16 * 10
