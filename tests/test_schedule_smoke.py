"""The `nightly` deployment for real: Prefect server, process work pool, `prefect deploy
--all`, a worker, a triggered run, the schedule (scripts/schedule_smoke.py does it all
and stops what it started)."""
import re
import subprocess
import sys

import pytest

from flows.services import BIN

from .conftest import REPO

pytestmark = pytest.mark.e2e


def _prefect_pids():
    """Prefect servers and workers of this checkout's environment (not another checkout's
    test run on the same machine)."""
    out = subprocess.run(["pgrep", "-f", f"{re.escape(str(BIN / 'prefect'))} (server|worker) start"],
                         capture_output=True, text=True).stdout
    return set(out.split())


def test_schedule_smoke():
    before = _prefect_pids()
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "schedule_smoke.py"), "--timeout", "240"],
                          capture_output=True, text=True, timeout=480)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "flow run completed; warehouse holds 5 articles" in proc.stdout
    assert "scheduled runs, next at" in proc.stdout and "T02:00:00" in proc.stdout
    assert _prefect_pids() <= before, "the smoke script left Prefect processes running"
