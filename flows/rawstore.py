"""Where raw files are read from: a local folder (the default) or any fsspec URL
(`s3://bucket/articles`, `gs://…`, `az://…` once the user installs that driver;
`memory://` and `file://` work out of the box). Only reading goes through here: raw
input is never written."""
from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import IO, Iterator

from transforms.errors import RawInputError


class RawStore:
    def __init__(self, location: str | os.PathLike[str]):
        text = str(location)
        self.fs = None
        if "://" in text and not text.startswith("file://"):
            import fsspec

            self.fs, path = fsspec.core.url_to_fs(text)
            self.root = path.rstrip("/")
            self.local: Path | None = None
            self.location = text
        else:
            self.local = Path(text[len("file://"):] if text.startswith("file://") else text).resolve()
            self.root = str(self.local)
            self.location = str(self.local)
        if not (self.local.is_dir() if self.local else self.fs.isdir(self.root)):
            # a typo must not look like an empty folder (a --full run would empty the warehouse)
            raise RawInputError(f"raw location {text} does not exist or is not a folder")

    def _path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def open(self, rel: str) -> IO[bytes]:
        return open(self.local / rel, "rb") if self.local else self.fs.open(self._path(rel), "rb")

    def read(self, rel: str) -> bytes:
        if not self.local:
            return self.fs.cat_file(self._path(rel))
        # checked again at read time: the entry may have been swapped (for a link out of the
        # folder, or a FIFO that would block) since discovery looked at it
        real = Path(os.path.realpath(self.local / rel))
        if self.local not in real.parents:
            raise PermissionError(f"{rel} now points outside the raw folder")
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise OSError(f"{rel} is no longer a regular file")
            return fh.read()

    def read_text_if_exists(self, rel: str) -> str | None:
        if self.local:
            path = self.local / rel
            return path.read_text(encoding="utf-8-sig") if path.is_file() else None
        return self.fs.cat_file(self._path(rel)).decode("utf-8-sig") if self.fs.isfile(self._path(rel)) else None

    def sha256(self, rel: str) -> str:
        h = hashlib.sha256()
        with self.open(rel) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()

    def remote_files(self) -> Iterator[tuple[str, int]]:
        """(relative path, size) of every object under a remote root, sorted, dot-named
        files and folders left out (object stores have no links or special files)."""
        assert self.fs is not None
        found = self.fs.find(self.root, detail=True)
        for path in sorted(found):
            info = found[path]
            rel = path[len(self.root):].lstrip("/")
            if info.get("type") == "file" and rel and not any(p.startswith(".") for p in rel.split("/")):
                yield rel, int(info.get("size") or 0)
