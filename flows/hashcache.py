"""Content hashes of raw files, reused while a file's status is unchanged.

A run decides what is new or changed by the SHA-256 of every raw file (flows/runs.plan_run).
Reading every file of an archive each night costs the archive, not the night's files:
~45 us per 5 KB file here from the page cache (bench/plan_cost.py), more from a disk. So,
as git's index does, the warehouse keeps each local raw file's hash beside its status
(size, mtime, ctime, inode, device), and a file whose status is the same is not read
again. ctime cannot be set back by a user (a copy that keeps the old mtime, `cp -p` or
`rsync -t`, still moves it), but only some file systems keep a real ctime: the cache is
used on those listed in CTIME_FILE_SYSTEMS (local disks, tmpfs, NFS), never on FUSE mounts
(sshfs has no ctime), SMB or FAT. A file whose status is younger than RACY_SECONDS when it
is hashed (or dated in the future) may still be being written within the file system's
clock tick: its hash is not kept (git's "racy" entries), so it is read again next time.

`framewatch run --full` reads every file again. The cache is an optimisation only: a
missing, unreadable or unwritable cache means every file is read, as before. Raw folders
at an fsspec URL are always read.
"""
from __future__ import annotations

import logging
import os
import struct
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.schema import RAW_HASH_CACHE

from .storage import atomic_file

CACHE_FILE = Path("_cache") / "raw_hashes.parquet"   # in the warehouse folder
RACY_SECONDS = 3.0
CTIME_FILE_SYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "tmpfs", "overlay",
                                "nfs", "nfs4", "jfs", "reiserfs", "bcachefs"})
_STATUS = struct.Struct("<qqqQQ")   # size, mtime_ns, ctime_ns, inode, device: 40 bytes

log = logging.getLogger(__name__)


def file_system(path: Path) -> str | None:
    """The type of the file system holding `path` (the longest mount point in
    /proc/mounts that contains it); None where that cannot be told."""
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best, kind = "", None
    text = str(path)
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (text == point or text.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind


class HashCache:
    """rel -> (status, sha256) of one raw folder's files, as the last discovery left them.
    An entry is 72 bytes (the packed status and the digest): ~200 bytes a file in memory."""

    def __init__(self, path: Path | None, root: str, use: bool = True):
        self.path, self.root = path, root
        self.enabled = path is not None and file_system(Path(root)) in CTIME_FILE_SYSTEMS
        self._others: pa.Table | None = None    # other raw folders' entries, kept as they are
        # with `use` False (--full) every file is read; other folders' entries are still kept
        self.known: dict[str, bytes] = self._load(use) if self.enabled else {}
        self.fresh: dict[str, bytes] = {}
        self.hits = self.misses = 0
        self.started = time.time_ns()

    def _load(self, mine: bool = True) -> dict[str, bytes]:
        """This folder's entries (none if not `mine`); other folders' go to `_others`."""
        try:
            t = pq.read_table(self.path, schema=RAW_HASH_CACHE)
        except (OSError, pa.ArrowException):
            return {}          # none yet, or unreadable: every file is read
        here = pc.equal(t["raw_root"], self.root)
        self._others = t.filter(pc.invert(here))
        pack, out = _STATUS.pack, {}
        if not mine:
            return out
        for batch in t.filter(here).to_batches(max_chunksize=1 << 16):   # Python lists of a chunk at a time
            cols = [batch.column(c).to_pylist() for c in RAW_HASH_CACHE.names[1:]]
            out.update((rel, pack(size, mtime, ctime, ino, dev) + bytes.fromhex(sha))
                       for rel, size, mtime, ctime, ino, dev, sha in zip(*cols))
        return out

    def sha256(self, rel: str, st: os.stat_result, read) -> str:
        """The file's hash: the kept one if its status is unchanged, else `read()`'s."""
        if not self.enabled:
            self.misses += 1
            return read()
        now = _STATUS.pack(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        got = self.known.get(rel)
        if got is not None and got[:40] == now:
            self.hits += 1
            entry = got
        else:
            self.misses += 1
            entry = now + bytes.fromhex(read())
        newest = max(st.st_mtime_ns, st.st_ctime_ns)
        if newest < self.started - int(RACY_SECONDS * 1e9):   # settled (and not dated in the future)
            self.fresh[rel] = entry
        return entry[40:].hex()

    def save(self) -> None:
        """Keep the hashes of this discovery's files (its files gone are dropped; other raw
        folders' entries stay), atomically. A failure to write only costs the next run's reads."""
        if not self.enabled or not self.path.parent.parent.is_dir():
            return
        try:
            rels = sorted(self.fresh)
            status = [_STATUS.unpack(self.fresh[r][:40]) for r in rels]
            columns = [pa.array([self.root] * len(rels), pa.string()), pa.array(rels, pa.string()),
                       *(pa.array([s[i] for s in status], RAW_HASH_CACHE.field(2 + i).type) for i in range(5)),
                       pa.array([self.fresh[r][40:].hex() for r in rels], pa.string())]
            t = pa.Table.from_arrays(columns, schema=RAW_HASH_CACHE)
            if self._others is not None and self._others.num_rows:
                t = pa.concat_tables([self._others, t])
            self.path.parent.mkdir(exist_ok=True)
            for old in self.path.parent.glob(f".{self.path.name}.tmp-*"):   # a killed save's (under the lock)
                old.unlink(missing_ok=True)
            with atomic_file(self.path, "wb") as fh:
                pq.write_table(t, fh)
        except (OSError, pa.ArrowException) as exc:
            log.warning("raw files' hash cache not written (%s): the next run reads every file", exc)
