"""Shared fixtures. Prefect settings are set before anything imports prefect."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="framewatch-prefect-"))

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "data" / "raw"
SHARED = REPO.parent / "shared"
CORPORA = SHARED / "corpora"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

SEEDS = {
    "rt": "000_e2871853cefa5749.txt",
    "es": "001_2419e55937cd9000.txt",
    "trt": "002_7734b39174987ceb.txt",
    "izv": "003_93ed451ab337ced9.txt",
    "spun": "004_93a573b1142aaa06.txt",
}


def seed_bytes(key: str) -> bytes:
    return (RAW / SEEDS[key]).read_bytes()


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"corpus file {path} is not present")
    return path


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (~15 s): end-to-end tests only."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def copy_seeds(raw: Path) -> Path:
    """Copy the five seeds into `raw` (created if needed)."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in SEEDS.values():
        (raw / name).write_bytes((RAW / name).read_bytes())
    return raw


def run_once(raw: Path, wh_dir: Path, full: bool = False):
    """One run with the real steps the flow uses (no Prefect): lock, sweep, plan, process, commit."""
    import datetime as dt

    from flows import runs
    from flows.storage import Warehouse

    wh = Warehouse(wh_dir)
    with wh.lock():
        wh.recover()
        plan = runs.plan_run(raw, wh, full=full)
        results = [runs.process_batch(str(raw), b, plan.run_id, plan.manifest) for b in plan.batches(2)]
        return runs.commit_run(wh, plan, results, dt.datetime.now(dt.timezone.utc))


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A private copy of the five seeds to modify."""
    return copy_seeds(tmp_path / "raw")
