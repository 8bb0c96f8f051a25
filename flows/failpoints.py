"""Named points where a crash test can make a real run die or hang.

Crash safety is proven by killing real runs at real moments (tests/test_crash.py,
bench/crash_points.py); a full disk at a moment a real one cannot be timed to, by raising
the error it gives there (tests/test_disk_full.py). Random kill times rarely land inside a commit that takes a few
milliseconds, so the storage and run code call `hit(name)` at the moments that matter;
with the environment variable unset (always, outside those tests) `hit` does nothing.

    FRAMEWATCH_FAILPOINT=commit:manifest        SIGKILL at the first hit of that point
    FRAMEWATCH_FAILPOINT=stage@3                SIGKILL at the third hit
    FRAMEWATCH_FAILPOINT=file:a/b.txt/hang      block all signals and sleep (a stuck C call)
    FRAMEWATCH_FAILPOINT=db-file/enospc         raise OSError ENOSPC there (a disk that fills at that moment)
    FRAMEWATCH_FAILPOINT=file:a.txt,file:b.txt  several points, comma-separated

Points: `unit` (a unit's rows buffered), `stage` (a staged Parquet file written),
`lineage` (stories and links computed), `commit:moved` (files moved into the table
folders), `commit:manifest` (manifest written, `_CURRENT` not yet swapped),
`commit:current` (`_CURRENT` swapped), `commit:gc` (old files deleted), `db-file` (the
DuckDB file built, not yet renamed), `file:<source>` (a worker starts on that file).
"""
from __future__ import annotations

import errno
import os
import signal
import time

ENV = "FRAMEWATCH_FAILPOINT"
_counts: dict[str, int] = {}


def hit(name: str) -> None:
    specs = os.environ.get(ENV)
    if specs:
        for spec in specs.split(","):
            _maybe_fail(name, spec)


def _maybe_fail(name: str, spec: str) -> None:
    action = "kill"
    if spec.endswith(("/hang", "/kill", "/enospc")):
        spec, action = spec.rsplit("/", 1)
    point, _, nth = spec.partition("@")
    if point != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] != int(nth or 1):
        return
    if action == "enospc":
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} (failpoint {name})")
    if action == "hang":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, signal.SIGINT, signal.SIGTERM})
        while True:
            time.sleep(3600)
    os.kill(os.getpid(), signal.SIGKILL)
