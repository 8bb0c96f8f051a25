"""A warehouse kept at an fsspec URL (`s3://bucket/framewatch`, `gs://…`, `az://…` once
the user installs that driver; `memory://` works out of the box, and a `file://` URL or a
plain path is an ordinary local warehouse).

Object stores have no atomic rename and no flock, which the warehouse's commit and lock
rest on (flows/storage.py). So a run works on a local copy, and the URL holds the same
layout as a local warehouse (data files, `_manifests/`, `_CURRENT`):

1. `pull()`: the local copy is made equal to the URL's committed state: the URL's
   `_CURRENT` and its manifest are copied, and each listed data file the copy lacks (or
   holds with another size) is downloaded. Data files are immutable and named by the run
   that wrote them, so a file already in the copy is not fetched again. A local commit
   the URL never received is dropped (its raw files are still new, so the run redoes them).
   If another writer publishes meanwhile and its collection deletes what the pull was
   fetching, the pull starts again from the new state (`framewatch query` and `report`
   pull too, beside a nightly run that may publish).
2. The run commits to the local copy, as any run does.
3. `push(pulled)`: the data files the URL lacks are uploaded, then the manifest, then
   `_CURRENT` last, in one write: the publish point (a single PUT is atomic on object
   stores). A reader of the URL sees the previous run or this one, never a mix. If the
   URL's `_CURRENT` moved since the pull (another writer published), nothing is
   published and the run fails with WarehouseError; the next run pulls that state. It is
   checked before the upload and again after it, just before the manifest: the other
   writer's collection may have deleted files this run had just uploaded.
   Then the URL's manifests beyond the last KEEP_MANIFESTS and the files none of those
   reference are deleted.

One writer per URL: a second writer is caught at publish time (above), not locked out.
The DuckDB file and the reports are built from the local copy (DuckDB would need its
httpfs extension, a run-time download, to read the URL).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from transforms.errors import PublishRefused, WarehouseError
from transforms.schema import TABLES

from .storage import KEEP_MANIFESTS, Warehouse, atomic_file, atomic_path
from .warehouse import DB_FILE, write_db_file


def is_url(location: str | os.PathLike[str]) -> bool:
    """True for an fsspec URL; a plain path and a `file://` URL are local folders."""
    text = str(location)
    return "://" in text and not text.startswith("file://")


def default_cache(url: str) -> Path:
    """~/.cache/framewatch/warehouses/<readable part>-<hash of the URL>."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "framewatch" / "warehouses"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", url.split("://", 1)[-1]).strip("_")[-60:]
    return base / f"{slug}-{hashlib.sha256(url.encode()).hexdigest()[:12]}"


class RemoteWarehouse:
    def __init__(self, url: str, cache: str | os.PathLike[str] | None = None):
        import fsspec

        self.url = url.rstrip("/")
        self.fs, root = fsspec.core.url_to_fs(self.url)
        self.root = root.rstrip("/")
        self.local = Warehouse(cache or default_cache(self.url))

    def _r(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def remote_current(self) -> str | None:
        """The URL's committed manifest name (None: nothing published yet)."""
        try:
            return self.fs.cat_file(self._r("_CURRENT")).decode("utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _remote_manifest(self, name: str) -> dict:
        try:
            return json.loads(self.fs.cat_file(self._r(f"_manifests/{name}")))
        except (OSError, ValueError) as exc:
            raise WarehouseError(f"{self.url}: committed manifest {name} is unreadable: {exc}") from exc

    PULL_ATTEMPTS = 5

    def pull(self) -> str | None:
        """Make the local copy equal to the URL's committed state (call with the local
        copy's lock held). Returns the manifest name pulled (None: empty URL).

        Another writer may publish while the pull downloads, and its collection may delete
        the manifest or files being fetched (after KEEP_MANIFESTS publications): the pull
        then starts again from the URL's new state, up to PULL_ATTEMPTS times."""
        for _ in range(self.PULL_ATTEMPTS):
            try:
                return self._pull_once()
            except _Moved as moved:
                last = moved
        raise WarehouseError(f"{self.url} was published {self.PULL_ATTEMPTS} times while this copy was pulled, "
                             f"each time collecting what the pull was fetching ({last.__cause__}): try again")

    def _pull_once(self) -> str | None:
        wh = self.local
        wh.init()
        name = self.remote_current()
        pointer, mdir = wh.root / "_CURRENT", wh.root / "_manifests"
        local_name = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
        if name is None:
            if local_name is not None:      # a local commit never published: the URL is the truth
                pointer.unlink()
                for m in mdir.glob("*.json"):
                    m.unlink()
                (wh.root / DB_FILE).unlink(missing_ok=True)   # its views read what recover() sweeps
            wh.recover()
            return None
        same = name == local_name and (mdir / name).is_file()
        try:
            doc = json.loads((mdir / name).read_text(encoding="utf-8")) if same else self._remote_manifest(name)
            self._fetch(doc, same)
        except (OSError, WarehouseError) as exc:
            try:
                moved = self.remote_current() != name   # published and collected under this pull
            except OSError as again:
                raise WarehouseError(f"{self.url}: cannot read its _CURRENT after a failed fetch ({again!r}): "
                                     f"{exc!r}") from exc
            if moved:
                raise _Moved() from exc
            if isinstance(exc, WarehouseError):
                raise
            raise WarehouseError(f"{self.url}: a data file of the committed manifest {name} cannot be "
                                 f"fetched: {exc!r}") from exc
        if not same:
            for m in mdir.glob("*.json"):   # local manifests of other histories
                if m.name != name:
                    m.unlink()
            (mdir / name).write_text(json.dumps(doc, indent=1, sort_keys=True), encoding="utf-8")
            with atomic_file(pointer, encoding="utf-8") as fh:
                fh.write(name + "\n")
        wh.recover()                        # files no kept manifest references
        if not same:
            _refresh_db_file(wh)
        return name

    def _fetch(self, doc: dict, same: bool) -> None:
        """Download the data files of manifest `doc` that the copy lacks or holds with
        another size (data files are immutable: a complete one is never fetched again)."""
        sizes = None
        for rel in (r for files in doc["files"].values() for r in files):
            target = self.local.root / rel
            if same and target.is_file():
                continue
            if sizes is None:               # one listing, not a request per file
                sizes = self._remote_files()
            if not target.is_file() or target.stat().st_size != sizes.get(rel):
                target.parent.mkdir(parents=True, exist_ok=True)
                with atomic_path(target) as tmp:
                    self.fs.get_file(self._r(rel), str(tmp))

    def push(self, pulled: str | None) -> int:
        """Publish the local copy's committed state to the URL (see the module docstring).
        Returns the number of data files uploaded."""
        wh = self.local
        pointer = wh.root / "_CURRENT"
        name = pointer.read_text(encoding="utf-8").strip() if pointer.is_file() else None
        now = self.remote_current()
        if now == name:                     # nothing committed, or a retry after the publish point
            return 0
        if now != pulled:
            self._refuse(pulled, now)
        doc = json.loads((wh.root / "_manifests" / name).read_text(encoding="utf-8"))
        present = set(self._remote_files())
        uploaded = 0
        for files in doc["files"].values():
            for rel in files:
                if rel not in present:
                    self.fs.makedirs(self._r(rel).rsplit("/", 1)[0], exist_ok=True)
                    self.fs.put_file(str(wh.root / rel), self._r(rel))
                    uploaded += 1
        if (now := self.remote_current()) != pulled:  # published while this run uploaded: its collection may
            self._refuse(pulled, now)                 # have deleted files just uploaded, which this manifest lists
        self.fs.makedirs(self._r("_manifests"), exist_ok=True)
        self.fs.pipe_file(self._r(f"_manifests/{name}"), (wh.root / "_manifests" / name).read_bytes())
        self.fs.pipe_file(self._r("_CURRENT"), (name + "\n").encode("utf-8"))   # <- the publish point
        self._gc()
        return uploaded

    def _refuse(self, pulled: str | None, now: str | None) -> None:
        raise PublishRefused(
            f"{self.url} was published by another run while this one ran ({pulled} -> {now}); "
            f"this run's results stay in the local copy {self.local.root} and are not published: run again")

    def _remote_files(self) -> dict[str, int]:
        """The URL's data files, relative to its root -> size in bytes (one listing)."""
        found = self.fs.find(self.root, detail=True) if self.fs.exists(self.root) else {}
        prefix = self.root.lstrip("/") + "/"
        out = {}
        for path, info in found.items():
            rel = path.lstrip("/")[len(prefix):]
            if rel.split("/", 1)[0] in TABLES and rel.endswith(".parquet"):
                out[rel] = info["size"]
        return out

    def _gc(self) -> None:
        mdir = self._r("_manifests")
        manifests = sorted(p.rsplit("/", 1)[-1] for p in self.fs.ls(mdir, detail=False) if p.endswith(".json"))
        keep = manifests[-KEEP_MANIFESTS:]
        referenced: set[str] = set()
        for m in keep:
            for files in self._remote_manifest(m)["files"].values():
                referenced.update(files)
        for m in manifests[:-KEEP_MANIFESTS]:
            self.fs.rm_file(self._r(f"_manifests/{m}"))
        for rel in self._remote_files():
            if rel not in referenced:
                self.fs.rm_file(self._r(rel))


class _Moved(Exception):
    """The URL's _CURRENT moved during a pull, and what the pull fetched was collected."""


def open_warehouse(location: str | os.PathLike[str], cache: str | os.PathLike[str] | None = None
                   ) -> tuple[Warehouse, RemoteWarehouse | None]:
    """(the warehouse a run works on, the URL it publishes to or None for a local folder)."""
    if is_url(location):
        remote = RemoteWarehouse(str(location), cache)
        return remote.local, remote
    text = str(location)
    return Warehouse(text[len("file://"):] if text.startswith("file://") else text), None


def _refresh_db_file(wh: Warehouse) -> None:
    """The copy's framewatch.duckdb, if it has one, rebuilt on the state just pulled: its views
    read the files of the copy's earlier commit, which the pull has swept. A rebuild that fails
    (a full disk) removes the file, and the run's commit writes it again."""
    import duckdb

    db = wh.root / DB_FILE
    if not db.exists():
        return
    try:
        write_db_file(wh, wh.current())
    except (OSError, duckdb.Error):
        db.unlink(missing_ok=True)


def local_copy(location: str | os.PathLike[str], cache: str | os.PathLike[str] | None = None) -> Path:
    """A folder holding the warehouse at `location` for reading (queries, reports): the
    folder itself, or for a URL its local copy, pulled first."""
    wh, remote = open_warehouse(location, cache)
    if remote:
        with wh.lock(wait=True):
            if remote.pull() is None:
                raise WarehouseError(f"nothing published at {remote.url} yet: "
                                     f"run `framewatch run --warehouse {remote.url}` first")
    return wh.root
