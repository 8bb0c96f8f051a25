"""Raw files whose status is unchanged are not read again to hash them (flows/hashcache.py):
a night's plan costs the night's files, not the archive's."""
import os
import time
from pathlib import Path

import pytest

from flows import hashcache, runs
from flows.storage import Warehouse

from .conftest import copy_seeds, run_once


def _plan(raw, wh_dir, full=False):
    wh = Warehouse(wh_dir)
    with wh.lock():
        return runs.plan_run(raw, wh, full=full)


@pytest.fixture
def no_racy_wait(monkeypatch):
    """Files written by the test itself count as settled at once (not RACY_SECONDS later)."""
    monkeypatch.setattr(hashcache, "RACY_SECONDS", 0.0)


def test_unchanged_files_are_not_read_again(tmp_path, no_racy_wait):
    raw = copy_seeds(tmp_path / "raw")
    first = _plan(raw, tmp_path / "wh")
    assert (first.files_hashed, first.hashes_reused) == (5, 0)
    again = _plan(raw, tmp_path / "wh")
    assert (again.files_hashed, again.hashes_reused) == (0, 5)
    assert [(f.rel, f.sha256) for f in again.files] == [(f.rel, f.sha256) for f in first.files]


def test_a_file_rewritten_with_the_same_size_and_mtime_is_read_again_and_redone(tmp_path, no_racy_wait):
    """As `cp -p` or `rsync -t` leave it: another content, the old size and mtime (the
    ctime moves all the same)."""
    raw = copy_seeds(tmp_path / "raw")
    run_once(raw, tmp_path / "wh")
    target = sorted(raw.iterdir())[0]
    before = target.stat()
    text = target.read_bytes()
    swapped = text.replace(b" the ", b" THE ", 1)
    assert swapped != text and len(swapped) == len(text)
    time.sleep(0.05)                      # past the file system's clock tick
    target.write_bytes(swapped)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert target.stat().st_mtime_ns == before.st_mtime_ns and target.stat().st_size == before.st_size
    plan = _plan(raw, tmp_path / "wh")
    assert (plan.files_hashed, plan.hashes_reused) == (1, 4)
    assert [f.rel for f in plan.todo] == [target.name]


def test_files_written_just_now_are_read_again(tmp_path):
    """A file younger than RACY_SECONDS may still be being written within one clock tick:
    its hash is not kept."""
    raw = copy_seeds(tmp_path / "raw")
    _plan(raw, tmp_path / "wh")
    assert _plan(raw, tmp_path / "wh").files_hashed == 5


def test_full_reads_every_file(tmp_path, no_racy_wait):
    raw = copy_seeds(tmp_path / "raw")
    _plan(raw, tmp_path / "wh")
    assert _plan(raw, tmp_path / "wh", full=True).files_hashed == 5
    assert _plan(raw, tmp_path / "wh").files_hashed == 0


def test_an_unreadable_cache_means_every_file_is_read(tmp_path, no_racy_wait):
    raw = copy_seeds(tmp_path / "raw")
    _plan(raw, tmp_path / "wh")
    cache = tmp_path / "wh" / hashcache.CACHE_FILE
    cache.write_bytes(b"not parquet")
    assert _plan(raw, tmp_path / "wh").files_hashed == 5
    assert _plan(raw, tmp_path / "wh").files_hashed == 0    # rewritten whole


def test_a_file_gone_and_another_raw_folder_are_not_taken_from_the_cache(tmp_path, no_racy_wait):
    raw = copy_seeds(tmp_path / "raw")
    _plan(raw, tmp_path / "wh")
    other = copy_seeds(tmp_path / "other")   # the same names, another folder
    assert _plan(other, tmp_path / "wh").files_hashed == 5
    assert _plan(raw, tmp_path / "wh").files_hashed == 0     # each folder keeps its own entries
    assert _plan(other, tmp_path / "wh", full=True).files_hashed == 5
    assert _plan(raw, tmp_path / "wh").files_hashed == 0     # also past another folder's --full
    assert _plan(other, tmp_path / "wh").files_hashed == 0
    removed = sorted(raw.iterdir())[0]
    removed.unlink()
    (raw / "new.txt").write_bytes(removed.name.encode() * 40)
    plan = _plan(raw, tmp_path / "wh")
    assert (plan.files_hashed, plan.hashes_reused) == (1, 4) and removed.name not in {f.rel for f in plan.files}


def test_only_file_systems_with_a_real_ctime_use_the_cache(tmp_path, no_racy_wait, monkeypatch):
    """sshfs and other FUSE mounts, SMB and FAT keep no ctime that a write moves: there every
    file is read, every time."""
    assert hashcache.file_system(tmp_path) in hashcache.CTIME_FILE_SYSTEMS
    assert hashcache.file_system(Path("/proc/self")) == "proc"
    raw = copy_seeds(tmp_path / "raw")
    monkeypatch.setattr(hashcache, "CTIME_FILE_SYSTEMS", frozenset({"fuse.sshfs"}))
    _plan(raw, tmp_path / "wh")
    assert _plan(raw, tmp_path / "wh").files_hashed == 5
    assert not (tmp_path / "wh" / hashcache.CACHE_FILE).exists()


def test_a_cache_that_cannot_be_written_does_not_stop_the_run(tmp_path, no_racy_wait):
    raw = copy_seeds(tmp_path / "raw")
    wh = tmp_path / "wh"
    wh.mkdir()
    (wh / "_cache").write_text("a file where the cache's folder goes")
    plan = _plan(raw, wh)
    assert plan.files_hashed == 5 and len(plan.todo) == 5
