#!/usr/bin/env python3
"""The Dask runner's cost per task against the work a batch holds (issue 7: under 5%).

    .venv/bin/python bench/dask_overhead.py [--n 3000] [--workers 2] [--noop 40]

Starts a Prefect server and a Dask cluster (a `dask scheduler` and `--workers`
single-threaded `dask worker` processes) on 127.0.0.1, as a deployment runs them, and
writes the first `--n` AllSides articles as one JSON file each (a folder of articles).

1. Cost of one task: a flow on the cluster submits `--noop` tasks that do nothing, with
   the same arguments as a batch task (a batch's file list and manifest), one after the
   other: the wall time per task is what Prefect and Dask add to each task (task run
   created and its states reported to the server, the call shipped to a worker, the
   result shipped back).
2. Work: `runs.process_batch` (what a batch task runs on its worker) over every file
   once, in this process, on one core: CPU seconds per MB of raw files; a batch's work is
   that times its MB.
3. The real flow on the cluster (`run_nightly(runner="dask")`, a fresh warehouse each, the
   Dask workers restarted before each) for each way of cutting batches: the whole flow's
   wall and its batch tasks' span (first start to last end, from the Prefect server's
   task runs), beside the ideal (the work spread over the workers at no cost per task).

The task cost's share of a batch is cost / (cost + work). Cuts compared: the local
runner's batches (`--batch-size` files, 250) and the Dask runner's (at least
`--dask-batch-mb` of raw files, and at least `--batch-size` files).
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"


def write_folder(raw: Path, n: int) -> int:
    raw.mkdir(parents=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as src:
        for i, line in zip(range(n), src):
            (raw / f"{i:06d}.json").write_text(line, encoding="utf-8")
    return sum(p.stat().st_size for p in raw.iterdir())


def batch_span() -> tuple[float, str]:
    """Seconds from the first batch task's start to the last one's end, in the newest
    flow run (from the Prefect server's task run records), and each task's start and
    duration."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        run = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)[0]
        tasks = [t for t in client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])))
                 if t.name.startswith("process-batch-remote")]
    first = min(t.start_time for t in tasks)
    spans = sorted(((t.start_time - first).total_seconds(), (t.end_time - t.start_time).total_seconds()) for t in tasks)
    return (max(t.end_time for t in tasks) - first).total_seconds(), " ".join(f"{a:.1f}+{d:.1f}" for a, d in spans)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--noop", type=int, default=40)
    args = ap.parse_args()

    from flows import services

    tmp = Path(tempfile.mkdtemp(prefix="fw-dask-bench-"))
    procs = []
    try:
        port, dport = services.free_port(), services.free_port()
        (tmp / "home").mkdir()
        os.environ.update(services.prefect_env(tmp / "home", port))   # before prefect is imported
        t0 = time.perf_counter()
        procs.append(services.start_prefect_server(tmp / "home", port, tmp / "server.log"))
        procs += services.start_dask(dport, args.workers, tmp)
        address = f"tcp://127.0.0.1:{dport}"
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(args.workers, timeout=60)
        started = time.perf_counter() - t0

        from prefect import flow, task
        from prefect.cache_policies import NO_CACHE
        from prefect_dask import DaskTaskRunner

        from flows import nightly, runs
        from flows.storage import Warehouse

        raw = tmp / "raw"
        total_bytes = write_folder(raw, args.n)
        plan = runs.plan_run(str(raw), Warehouse(tmp / "plan-wh"), full=True)
        cuts = {
            f"local runner's batches ({nightly.DEFAULT_BATCH_SIZE} files)":
                plan.batches(nightly.DEFAULT_BATCH_SIZE),
            f"Dask runner's batches (>= {nightly.DASK_BATCH_MB:g} MB)":
                plan.batches(nightly.DEFAULT_BATCH_SIZE, int(nightly.DASK_BATCH_MB * 2**20)),
        }

        # 1. the cost of one task
        @task(name="noop", cache_policy=NO_CACHE)
        def noop(raw_dir: str, batch: list, run_id: str, manifest: dict, workers: int) -> dict:
            return {}

        batch = next(iter(cuts.values()))[0]

        @flow(task_runner=DaskTaskRunner(address=address))
        def noops(k: int) -> list[float]:
            out = []
            for _ in range(k):
                t = time.perf_counter()
                noop.submit(str(raw), batch, plan.run_id, {}, 1).wait()
                out.append(time.perf_counter() - t)
            return out

        per_task = noops(args.noop)[5:]     # the first tasks warm the workers' imports
        cost = statistics.median(per_task)

        # 2. the work: every file once, on one core in this process; a batch's work is its
        # share of the bytes (a second pass over the same files would find warm caches)
        runs.process_batch(str(raw), plan.todo[:50], plan.run_id, {}, workers=1)   # warm-up
        t = time.process_time()
        for b in plan.batches(nightly.DEFAULT_BATCH_SIZE):
            runs.process_batch(str(raw), b, plan.run_id, {}, workers=1)
        per_byte = (time.process_time() - t) / total_bytes
        work = {name: [per_byte * sum(f.size for f in b) for b in batches] for name, batches in cuts.items()}

        # 3. the flow on the cluster
        walls = {}
        for k, (name, batches) in enumerate(cuts.items()):
            wh = tmp / f"wh{k}"
            with Client(address, timeout=60) as client:   # fresh worker processes: no caches from the run before
                client.restart()
            t = time.perf_counter()
            out = nightly.run_nightly("dask", address, raw_dir=str(raw), warehouse_dir=str(wh),
                                      reports_dir=str(tmp / f"rep{k}"),
                                      dask_batch_mb=0 if k == 0 else nightly.DASK_BATCH_MB)
            walls[name] = (time.perf_counter() - t, batch_span(), out["articles_written"])
            shutil.rmtree(wh)
    finally:
        services.stop(procs)
        shutil.rmtree(tmp, ignore_errors=True)

    mb = total_bytes / 2**20
    all_work = per_byte * total_bytes
    print(f"# Dask runner: cost per task vs work per batch: {args.n} AllSides articles as {args.n} JSON files "
          f"({mb:.1f} MB), {args.workers} dask workers (1 thread each), {os.cpu_count()} cores, "
          f"python {platform.python_version()}")
    print(f"command: python bench/dask_overhead.py --n {args.n} --workers {args.workers} --noop {args.noop}\n")
    print(f"Prefect server + Dask cluster started in {started:.1f} s (fixed, not per task).\n")
    print(f"cost of one task (no-op with a batch's arguments, {len(per_task)} after 5 warm-up, one at a time): "
          f"median {cost * 1000:.0f} ms (min {min(per_task) * 1000:.0f}, max {max(per_task) * 1000:.0f})\n")
    print(f"work: {all_work / mb:.2f} s of CPU per MB of raw files ({all_work / args.n * 1000:.2f} ms per article), one core\n")
    print("| batches | batches | files per batch (median) | work per batch (median, s) | task cost share | "
          "whole flow on the cluster (s) | its batch tasks, first start to last end (s) | "
          "ideal: work / workers (s) | articles written |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, batches in cuts.items():
        w = statistics.median(work[name])
        wall, (span, _), written = walls[name]
        print(f"| {name} | {len(batches)} | {statistics.median(map(len, batches)):.0f} | {w:.2f} | "
              f"{cost / (cost + w):.1%} | {wall:.1f} | {span:.1f} | {sum(work[name]) / args.workers:.1f} | {written} |")
    print("\nThe whole flow includes its fixed costs (flow run, plan, commit, stories, DuckDB file, reports).")
    print("Batch tasks, start after the first one's + duration (s):")
    for name in cuts:
        print(f"- {name}: {walls[name][1][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
