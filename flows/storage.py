"""The only code that touches warehouse paths: Parquet files, manifests, commit, lock.

Layout under the warehouse directory:

    <table>/<ingest date>/<run_id>-<n>.parquet   data files (immutable once written),
                                   one folder per ingest day; small files are compacted
    <table>/_empty.parquet         zero-row file with the table's schema
    _manifests/<seq>-<run_id>.json the live files of every table after a run
    _CURRENT                       name of the committed manifest (the commit point)
    _staging/<run_id>/             files of a run in progress
    _lock                          held (flock) by the running run

A run writes everything to `_staging`, moves the files into the table folders,
writes a new manifest and then replaces `_CURRENT` with one atomic rename. A crash
at any point before that rename leaves the previous state intact; files that no
manifest references are swept by the next run.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.errors import WarehouseError

from . import failpoints
from transforms.schema import ARTICLE_KEY, TABLES

MANIFEST_FORMAT = 1
COMPACT_OVER_FILES = 8          # a table folder with more live files than this gets compacted
SMALL_FILE_BYTES = 64 << 20     # files below this size are merged by compaction
KEEP_MANIFESTS = 3          # older manifests' files are deleted (readers get a grace period)
DB_FILE_MANIFEST = "_DUCKDB"  # the manifest framewatch.duckdb's views read (kept while they do)
# The open files of the warehouse locks this process holds: a pool worker forked while
# a lock is held closes its copies (`close_inherited_locks`), so the lock never outlives
# the run that took it (an flock belongs to the open file, which a fork shares).
_HELD_LOCKS: set = set()


def close_inherited_locks() -> None:
    """In a forked child: drop this process's copies of the parent's lock files (the
    parent's locks stay held by the parent)."""
    for fh in list(_HELD_LOCKS):
        fh.close()
    _HELD_LOCKS.clear()


PARQUET_OPTS = dict(compression="zstd", use_dictionary=True, write_statistics=True)


@dataclass
class Manifest:
    seq: int
    run_id: str | None
    created_at: str
    files: dict[str, list[str]] = field(default_factory=dict)   # table -> relative paths

    @classmethod
    def empty(cls) -> "Manifest":
        return cls(0, None, dt.datetime.now(dt.timezone.utc).isoformat(), {t: [] for t in TABLES})

    @property
    def file_name(self) -> str:
        """Its file in _manifests/ (and the content of _CURRENT once committed)."""
        return f"{self.seq:08d}-{self.run_id}.json"

    def to_json(self) -> str:
        return json.dumps(
            {"format": MANIFEST_FORMAT, "seq": self.seq, "run_id": self.run_id,
             "created_at": self.created_at, "files": self.files},
            indent=1, sort_keys=True,
        )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Make `path` whole or not at all: the block writes the temporary path it is given
    (beside `path`, named by the pid: two writers never share one), which is renamed over
    `path` when the block ends and removed if it fails (recover() sweeps a killed one's)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):   # never hides the write's own error
            tmp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_file(path: Path, mode: str = "w", sync: bool = False, **open_args) -> Iterator:
    """atomic_path with the temporary file open. `sync`: the file's data reaches the disk
    before the rename."""
    with atomic_path(path) as tmp, open(tmp, mode, **open_args) as fh:
        yield fh
        if sync:
            fh.flush()
            os.fsync(fh.fileno())


def _write_atomic(path: Path, data: str) -> None:
    with atomic_file(path, sync=True, encoding="utf-8") as fh:
        fh.write(data)
    _fsync_dir(path.parent)


def conform(table: str, t: pa.Table, names: list[str] | None = None) -> pa.Table:
    """`t` with the columns `names` (default: all of the table's) in schema order; a
    column an older file lacks comes back null."""
    schema = TABLES[table]
    names = names or schema.names
    for name in names:
        if name not in t.schema.names:
            t = t.append_column(schema.field(name), pa.nulls(len(t), schema.field(name).type))
    return t.select(names)


def read_files(table: str, paths: list[Path], columns: list[str] | None = None) -> pa.Table:
    """Rows of `table` from these files; columns an older file lacks come back null."""
    schema = TABLES[table]
    names = columns or schema.names
    parts = []
    for path in paths:
        present = set(pq.read_schema(path).names)
        parts.append(conform(table, pq.read_table(path, columns=[c for c in names if c in present]), names))
    if not parts:
        return schema.empty_table().select(names)
    return pa.concat_tables(parts, promote_options="permissive")


class Warehouse:
    """A warehouse directory. Readers use `current()` and `paths()`; one writer at a
    time uses `lock()` then `begin()` -> `Transaction`."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()

    # ---------------------------------------------------------------- reading
    def exists(self) -> bool:
        return (self.root / "_CURRENT").is_file()

    def current(self) -> Manifest:
        pointer = self.root / "_CURRENT"
        if not pointer.is_file():
            return Manifest.empty()
        name = pointer.read_text(encoding="utf-8").strip()
        try:
            doc = json.loads((self.root / "_manifests" / name).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise WarehouseError(f"{self.root}: committed manifest {name} is unreadable: {exc}") from exc
        files = {t: list(doc["files"].get(t, [])) for t in TABLES}
        return Manifest(doc["seq"], doc.get("run_id"), doc["created_at"], files)

    def db_file_manifest(self) -> str | None:
        """The manifest whose files framewatch.duckdb's views read (None: not recorded, or
        unreadable). It is the current one unless the file's rebuild failed since."""
        try:
            return (self.root / DB_FILE_MANIFEST).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def mark_db_file(self, manifest: Manifest) -> None:
        """Record that framewatch.duckdb now reads `manifest`'s files."""
        _write_atomic(self.root / DB_FILE_MANIFEST, manifest.file_name + "\n")

    def empty_file(self, table: str) -> Path:
        return self.root / table / "_empty.parquet"

    def paths(self, table: str, manifest: Manifest | None = None) -> list[Path]:
        """Absolute paths of a table's live files, the schema-carrying empty file first."""
        manifest = manifest or self.current()
        return [self.empty_file(table)] + [self.root / p for p in manifest.files.get(table, [])]

    def read(self, table: str, columns: list[str] | None = None, manifest: Manifest | None = None) -> pa.Table:
        """A table's committed rows as Arrow (columns missing in old files come back null)."""
        return read_files(table, self.paths(table, manifest)[1:], columns)

    # ---------------------------------------------------------------- writing
    def init(self) -> None:
        """Create the folders and each table's empty schema file (idempotent)."""
        for table, schema in TABLES.items():
            (self.root / table).mkdir(parents=True, exist_ok=True)
            empty = self.empty_file(table)
            if not empty.exists() or pq.read_schema(empty) != schema:
                tmp = empty.with_name(".empty.tmp")
                pq.write_table(schema.empty_table(), tmp)
                os.replace(tmp, empty)
        (self.root / "_manifests").mkdir(exist_ok=True)
        (self.root / "_staging").mkdir(exist_ok=True)

    @contextlib.contextmanager
    def lock(self, wait: bool = False) -> Iterator[None]:
        """Exclusive writer lock. A second run exits with a clear message (or waits)."""
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.root / "_lock"
        fh = open(path, "a+", encoding="utf-8")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "unknown"
                raise WarehouseError(
                    f"another framewatch run is writing to {self.root} ({holder}); "
                    "wait for it to finish or pass --wait"
                ) from None
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} since {dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}")
            fh.flush()
            _HELD_LOCKS.add(fh)
            try:
                yield
            finally:
                _HELD_LOCKS.discard(fh)
                fcntl.flock(fh, fcntl.LOCK_UN)   # released even if a forked child still has the file open
        finally:
            fh.close()

    def recover(self) -> list[str]:
        """Sweep what a crashed run left: staging folders and unreferenced data files.
        Call with the lock held."""
        swept = []
        staging = self.root / "_staging"
        if staging.is_dir():
            for child in staging.iterdir():
                shutil.rmtree(child, ignore_errors=True)
                swept.append(str(child.relative_to(self.root)))
        mdir = self.root / "_manifests"
        current = self.current()
        for m in sorted(mdir.glob("*.json")) if mdir.is_dir() else []:
            if int(m.name.split("-", 1)[0]) > current.seq:  # written, never committed
                m.unlink()
                swept.append(f"_manifests/{m.name}")
        swept += self.sweep(sorted(mdir.glob("*.json")) if mdir.is_dir() else [])
        for tmp in [*self.root.glob(".*.tmp-*"), *(mdir.glob(".*.tmp-*") if mdir.is_dir() else [])]:
            tmp.unlink()                               # half-written manifest, _CURRENT or DuckDB file
            swept.append(str(tmp.relative_to(self.root)))
        return swept

    def sweep(self, manifests: list[Path]) -> list[str]:
        """Delete data files that none of `manifests` references."""
        referenced: set[str] = set()
        for m in manifests:
            try:
                doc = json.loads(m.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            for files in doc["files"].values():
                referenced.update(files)
        swept = []
        for table in TABLES:
            folder = self.root / table
            for f in folder.rglob("*.parquet") if folder.is_dir() else []:
                rel = f.relative_to(self.root).as_posix()
                if f.name != "_empty.parquet" and rel not in referenced:
                    f.unlink()
                    swept.append(rel)
        return swept

    def begin(self, run_id: str, full: bool = False) -> "Transaction":
        self.init()
        return Transaction(self, run_id, self.current(), full)


class Transaction:
    """One run's changes: appended files, rows removed (copy-on-write), replaced tables."""

    def __init__(self, wh: Warehouse, run_id: str, base: Manifest, full: bool):
        self.wh, self.run_id, self.base = wh, run_id, base
        self.staging = wh.root / "_staging" / run_id
        self.staging.mkdir(parents=True, exist_ok=True)
        self.files = {t: ([] if full else list(base.files.get(t, []))) for t in TABLES}
        if full:  # a rebuild keeps the run history
            self.files["runs"] = list(base.files.get("runs", []))
        self._staged: list[tuple[Path, str]] = []
        self._counter = 0

    def _path(self, rel: str) -> Path:
        staged = self.staging / rel
        return staged if staged.exists() else self.wh.root / rel

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """The table as this transaction has it so far (staged rewrites included)."""
        return self.read_files(table, self.files[table], columns)

    def read_files(self, table: str, rels: list[str], columns: list[str] | None = None) -> pa.Table:
        """Some of the table's files (warehouse-relative names), staged or committed."""
        return read_files(table, [self._path(r) for r in rels], columns)

    def paths(self, table: str) -> list[str]:
        """Where the table's current files are (staged or committed), for DuckDB to read."""
        return [str(self._path(r)) for r in self.files[table]]

    def iter_batches(self, table: str, columns: list[str], batch_size: int = 2048,
                     files: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The table's rows in record batches (bounded memory), staged files included."""
        for rel in self.files[table] if files is None else files:
            pf = pq.ParquetFile(self._path(rel))
            present = [c for c in columns if c in pf.schema_arrow.names]
            for batch in pf.iter_batches(batch_size=batch_size, columns=present):
                for c in columns:
                    if c not in present:
                        field = TABLES[table].field(c)
                        batch = batch.append_column(field, pa.nulls(batch.num_rows, field.type))
                yield batch.select(columns)

    def _stage(self, table: str, data: pa.Table) -> str:
        path, rel = self._new_file(table)
        pq.write_table(data, path, **PARQUET_OPTS)
        failpoints.hit("stage")
        return rel

    def _new_file(self, table: str) -> tuple[Path, str]:
        """(staging path, warehouse-relative name) of the run's next file for `table`."""
        self._counter += 1
        rel = f"{table}/{self.run_id[:8]}/{self.run_id}-{self._counter:04d}.parquet"
        path = self.staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._staged.append((path, rel))
        return path, rel

    def _stage_stream(self, table: str, batches: Iterator[pa.RecordBatch]) -> str:
        """Stage one file written batch by batch (compaction without loading the table)."""
        path, rel = self._new_file(table)
        with pq.ParquetWriter(path, TABLES[table], **PARQUET_OPTS) as writer:
            for batch in batches:
                writer.write_batch(batch.cast(TABLES[table]) if batch.schema != TABLES[table] else batch)
        return rel

    def append(self, table: str, data: pa.Table) -> None:
        if data.num_rows:
            if data.schema != TABLES[table]:
                raise WarehouseError(f"{table}: data schema differs from transforms/schema.py")
            self.files[table].append(self._stage(table, data))

    def replace_table(self, table: str, data: pa.Table) -> None:
        self.files[table] = []
        self.append(table, data)

    def delete_where(self, table: str, column: str, values: set[str]) -> int:
        """Drop rows whose `column` is in `values` by rewriting the files that hold them."""
        return self.pop_where(table, column, values).num_rows

    def _drop(self, table: str, column: str, values: set[str]) -> Iterator[pa.Table]:
        """Drop rows whose `column` is in `values`, file by file, yielding each file's dropped rows."""
        if not values:
            return
        value_array = pa.array(sorted(values), type=pa.string())
        kept_files = []
        for rel in self.files[table]:
            data = pq.read_table(self._path(rel))
            mask = pc.is_in(data[column], value_set=value_array)
            if not pc.any(mask).as_py():
                kept_files.append(rel)
                continue
            yield conform(table, data.filter(mask)).cast(TABLES[table])
            rest = data.filter(pc.invert(mask))
            if rest.num_rows:
                kept_files.append(self._stage(table, rest))
        self.files[table] = kept_files   # (read to the end: a caller that stops early drops nothing)

    def pop_where(self, table: str, column: str, values: set[str]) -> pa.Table:
        """delete_where, returning the rows it dropped (to put some of them back later)."""
        removed = list(self._drop(table, column, values))
        return pa.concat_tables(removed) if removed else TABLES[table].empty_table()

    def park_where(self, table: str, column: str, values: set[str]) -> list[str]:
        """delete_where, keeping the dropped rows in staged files outside the table (memory:
        one file's rows at a time; staging is swept at commit): `restore` puts some back."""
        return [self._stage(table, rows) for rows in self._drop(table, column, values)]

    def restore(self, table: str, parked: list[str], keep: Callable[[pa.Table], pa.Array]) -> None:
        """Put back the parked rows for which `keep` (a boolean mask of a file's rows) is true."""
        for rel in parked:
            rows = pq.read_table(self._path(rel))
            self.append(table, rows.filter(keep(rows)))

    def compact(self, table: str) -> bool:
        """Merge the table's small files into one when there are too many (nightly runs
        add a few small files each; queries slow down with thousands of them)."""
        small = [r for r in self.files[table] if self._path(r).stat().st_size < SMALL_FILE_BYTES]
        if len(self.files[table]) <= COMPACT_OVER_FILES or len(small) < 2:
            return False
        keep = [r for r in self.files[table] if r not in small]
        self.files[table] = keep + [self._stage_stream(table, self.iter_batches(table, TABLES[table].names, files=small))]
        return True

    def delete_articles(self, article_ids: set[str]) -> None:
        for table, key in ARTICLE_KEY.items():
            if key:
                self.delete_where(table, key, article_ids)

    def commit(self) -> Manifest:
        """Publish the run: move files in, write the manifest, swap _CURRENT atomically."""
        root = self.wh.root
        for table in TABLES:
            self.compact(table)
        for path, rel in self._staged:
            if rel in self.files[rel.split("/")[0]]:
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, root / rel)
                _fsync_dir((root / rel).parent)
                failpoints.hit("commit:moved")
        manifest = Manifest(
            self.base.seq + 1, self.run_id, dt.datetime.now(dt.timezone.utc).isoformat(),
            {t: list(f) for t, f in self.files.items()},
        )
        name = manifest.file_name
        _write_atomic(root / "_manifests" / name, manifest.to_json())
        failpoints.hit("commit:manifest")
        _write_atomic(root / "_CURRENT", name + "\n")     # <- the commit point
        failpoints.hit("commit:current")
        shutil.rmtree(self.staging, ignore_errors=True)
        self._gc()
        failpoints.hit("commit:gc")
        return manifest

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _gc(self) -> None:
        """Keep the last KEEP_MANIFESTS manifests and their files, and the manifest that
        framewatch.duckdb reads (one older still when its rebuilds failed, see
        Warehouse.db_file_manifest); delete the rest."""
        mdir = self.wh.root / "_manifests"
        manifests = sorted(mdir.glob("*.json"))
        keep = manifests[-KEEP_MANIFESTS:]
        db = self.wh.db_file_manifest()
        if db is not None and mdir / db in manifests[:-KEEP_MANIFESTS]:
            keep.insert(0, mdir / db)
        for old in manifests:
            if old not in keep:
                old.unlink()
        self.wh.sweep(keep)
