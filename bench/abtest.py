"""Run one measurement on a baseline revision and on the working tree, alternating, each
run in a fresh process with the revision's flows/ and transforms/ first on the path:
what bench/commit_cost.py, link_cost.py and pool_start.py share. The child prints one
JSON object on its last line of output."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parents[1]


def alternate(baseline: str, argv: Callable[[str, int], list[str]], repeat: int,
              after: Callable[[str, int], None] | None = None, current: str | None = None,
              swap: bool = False) -> dict[str, list[dict]]:
    """`repeat` rounds of the baseline's run, then the current one's (the working tree, or
    the revision `current`; with `swap`, every other round runs the current one first):
    `argv(name, round)` is the child's arguments after the Python executable;
    `after(name, round)` cleans up."""
    from cli_increment import checkout   # here, not at import: it puts the repository first on sys.path,
    # and the children import this module (for add_arguments) with their revision first

    work = Path(tempfile.mkdtemp(prefix="framewatch-ab-"))
    try:
        codes = {"baseline": checkout(baseline, work / "baseline"),
                 "current": checkout(current, work / "current") if current else REPO}
        results: dict[str, list[dict]] = {name: [] for name in codes}
        for i in range(repeat):
            for name, code in (reversed(codes.items()) if swap and i % 2 else codes.items()):
                env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(code), str(REPO / "bench")]))
                proc = subprocess.run([sys.executable, *argv(name, i)], cwd=code, env=env,
                                      capture_output=True, text=True)
                if proc.returncode:
                    raise RuntimeError(f"{name} run {i} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
                lines = proc.stdout.strip().splitlines()
                if not lines:
                    raise RuntimeError(f"{name} run {i} printed nothing:\n{proc.stderr[-3000:]}")
                results[name].append(json.loads(lines[-1]))
                print(name, i, results[name][-1], flush=True)
                if after:
                    after(name, i)
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def add_arguments(ap) -> None:
    ap.add_argument("--baseline", default="HEAD", help="revision measured first in each round")
    ap.add_argument("--current", default=None, help="revision measured second (default: the working tree)")
    ap.add_argument("--repeat", type=int, default=3)


def rows(results: dict[str, list[dict]], keys: list[tuple[str, str, str]]) -> Iterator[str]:
    """Markdown rows: per (key, label, unit), the median and each run, and their ratio."""
    def each(xs: list[float]) -> str:
        return ", ".join(f"{x:.2f}" for x in xs)

    for key, label, unit in keys:
        b, c = ([r[key] for r in results[name]] for name in ("baseline", "current"))
        yield (f"| {label} | {statistics.median(b):.2f}{unit} ({each(b)}) | {statistics.median(c):.2f}{unit} "
               f"({each(c)}) | {statistics.median(b) / statistics.median(c):.2f}x |")
