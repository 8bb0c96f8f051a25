#!/usr/bin/env python3
"""What starting the run's pool costs as `framewatch run` starts it (runs.start_pool before
Prefect's start: forked workers that warm up in their initializer), beside a baseline
revision, alternating, each in a fresh process.

    .venv/bin/python bench/pool_start.py [--baseline REV] [--repeat 3] [--workers 2]

Per run: seconds until every worker answers (warm), the workers' CPU seconds (user + system,
from /proc), and the PSS of the workers and of the parent then (/proc/PID/smaps_rollup).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _pid_after(seconds: float) -> int:
    time.sleep(seconds)   # the probes spread over the workers
    return os.getpid()


def _pss_mb(pid: int | str) -> float:
    for line in open(f"/proc/{pid}/smaps_rollup"):
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(workers: int) -> None:
    import flows.cli  # noqa: F401  (the CLI's imports, as before its start_pool)
    from flows import runs   # the revision's: PYTHONPATH puts its code first

    t0 = time.perf_counter()
    runs.start_pool(workers)
    pool = runs._pool(workers)
    pids: set[int] = set()
    while len(pids) < workers:
        pids |= {f.result() for f in [pool.submit(_pid_after, 0.05) for _ in range(2 * workers)]}
    ready = time.perf_counter() - t0
    tick = os.sysconf("SC_CLK_TCK")
    cpu = 0.0
    for pid in pids:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / tick
    out = {"ready": ready, "cpu": cpu, "workers_pss": sum(_pss_mb(p) for p in pids), "parent_pss": _pss_mb("self")}
    runs.shutdown_pools()
    print(json.dumps(out))


def main() -> int:
    sys.path.insert(0, str(REPO / "bench"))
    from abtest import add_arguments, alternate, rows

    ap = argparse.ArgumentParser()
    add_arguments(ap)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.workers)
        return 0
    results = alternate(args.baseline, lambda name, i: [str(REPO / "bench" / "pool_start.py"), "--child",
                                                        "--workers", str(args.workers)], args.repeat, current=args.current)
    print(f"\n# the run's pool, started as `framewatch run` starts it: {args.workers} workers, "
          f"{os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"command: python bench/pool_start.py {' '.join(sys.argv[1:])}\n")
    print(f"| median (each run) | baseline {args.baseline} | {args.current or 'current'} | ratio |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows(results, [("ready", "seconds until every worker is warm", " s"),
                                    ("cpu", "workers' CPU", " s"), ("workers_pss", "workers' PSS", " MB"),
                                    ("parent_pss", "parent's PSS", " MB")])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
