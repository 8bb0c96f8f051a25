"""A run killed with SIGKILL (reading, processing, writing Parquet, committing) leaves the
last committed state readable, and the next run completes the work: the warehouse then
equals a clean run's, with no duplicates, nothing missing and no stray files.

Here: four named moments and a random one. bench/crash_points.py runs all 13 named
points and 7 random ones (20 kills) and records the figures in BENCHMARKS.md."""
import pytest

from . import crashkit

QUICK = ["unit@2", "stage@4", "commit:manifest", "commit:current"]


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    root = tmp_path_factory.mktemp("crash")
    raw = crashkit.make_raw(root / "raw", records=120)
    seconds = crashkit.timed_clean_run(raw, root / "clean")
    state = crashkit.content(root / "clean")
    assert len(state["articles"]) == 125 and [r[2] for r in state["rejects"]] == ["empty"]
    return raw, state, seconds


@pytest.mark.parametrize("point", QUICK)
def test_kill_at_a_named_point_then_rerun_equals_clean_run(clean, tmp_path, point):
    raw, state, _ = clean
    k = crashkit.kill_and_rerun(raw, tmp_path / "wh", state, point=point)
    assert k.died, "the failpoint was never reached"
    assert k.committed == (point in crashkit.AFTER_COMMIT)
    assert k.equal_after_kill in (None, True)
    assert (k.equal_after_rerun, k.duplicates, k.missing, k.strays) == (True, 0, 0, 0)


def test_kill_at_random_moments_then_rerun_equals_clean_run(clean, tmp_path):
    raw, state, seconds = clean
    _, delay = crashkit.plan(1, seconds, seed=3)[-1]
    k = crashkit.kill_and_rerun(raw, tmp_path / "wh", state, delay=delay)
    assert k.equal_after_kill in (None, True)
    assert (k.equal_after_rerun, k.duplicates, k.missing, k.strays) == (True, 0, 0, 0), k
