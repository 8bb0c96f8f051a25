"""Content hashes of raw files, reused while a file's status is unchanged.

A run decides what is new or changed by the SHA-256 of every raw file (flows/runs.plan_run).
Reading every file of an archive each night costs the archive, not the night's files:
~80 us per 5 KB file here, 80 s a night for a million files, all of it read again from
disk (or downloaded). So, as git's index does, the warehouse keeps each local raw file's
hash beside its status (size, mtime, ctime, inode, device), and a file whose status is
the same is not read again. ctime cannot be set back by a user (a copy that keeps the
old mtime, `cp -p` or `rsync -t`, still moves it). A file whose status is younger than
RACY_SECONDS when it is hashed may still be being written within the file system's clock
tick: its hash is not kept (git's "racy" entries), so it is read again next time.

`framewatch run --full` reads every file again. The cache is an optimisation only: a
missing or unreadable cache means every file is read, as before. Raw folders at an fsspec
URL are always read.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.schema import RAW_HASH_CACHE

CACHE_FILE = Path("_cache") / "raw_hashes.parquet"   # in the warehouse folder
RACY_SECONDS = 2.0

Status = tuple[int, int, int, int, int]   # size, mtime_ns, ctime_ns, inode, device


def status(st: os.stat_result) -> Status:
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev


class HashCache:
    """rel -> (status, sha256) of one raw folder's files, as the last discovery left them."""

    def __init__(self, path: Path | None, root: str, use: bool = True):
        self.path, self.root = path, root
        self.known: dict[str, tuple[Status, str]] = self._load() if use and path is not None else {}
        self.fresh: dict[str, tuple[Status, str]] = {}
        self.hits = self.misses = 0
        self.started = time.time_ns()

    def _load(self) -> dict[str, tuple[Status, str]]:
        try:
            t = pq.read_table(self.path, schema=RAW_HASH_CACHE)
        except (OSError, pa.ArrowException):
            return {}          # none yet, or unreadable: every file is read
        cols = [t[c].to_pylist() for c in RAW_HASH_CACHE.names]
        return {rel: ((size, mtime, ctime, ino, dev), sha)
                for root, rel, size, mtime, ctime, ino, dev, sha in zip(*cols) if root == self.root}

    def sha256(self, rel: str, st: os.stat_result, read) -> str:
        """The file's hash: the kept one if its status is unchanged, else `read()`'s."""
        now = status(st)
        got = self.known.get(rel)
        if got is not None and got[0] == now:
            self.hits += 1
            sha = got[1]
        else:
            self.misses += 1
            sha = read()
        if max(st.st_mtime_ns, st.st_ctime_ns) < self.started - int(RACY_SECONDS * 1e9):
            self.fresh[rel] = (now, sha)
        return sha

    def save(self) -> None:
        """Keep the hashes of this discovery's files (the files gone are dropped), atomically."""
        if self.path is None or not self.path.parent.parent.is_dir():
            return
        rels = sorted(self.fresh)
        stats = [self.fresh[r][0] for r in rels]
        columns = [pa.array([self.root] * len(rels), pa.string()), pa.array(rels, pa.string()),
                   *(pa.array([s[i] for s in stats], RAW_HASH_CACHE.field(2 + i).type) for i in range(5)),
                   pa.array([self.fresh[r][1] for r in rels], pa.string())]
        t = pa.Table.from_arrays(columns, schema=RAW_HASH_CACHE)
        self.path.parent.mkdir(exist_ok=True)
        for old in self.path.parent.glob(f".{self.path.name}.tmp-*"):   # a crashed save's
            old.unlink(missing_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp-{os.getpid()}")
        pq.write_table(t, tmp)
        os.replace(tmp, self.path)
