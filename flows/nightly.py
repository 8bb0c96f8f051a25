"""The nightly Prefect flow: discover -> process batches -> commit -> reports.

Tasks are thin wrappers over flows/runs.py, one task per batch of files (never
one per article). Run it with `framewatch run`, `python -m flows.nightly`, or the
`nightly` deployment in prefect.yaml.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows import reports, runs  # absolute: Prefect loads this file by path
from flows.storage import Warehouse

DEFAULT_BATCH_SIZE = 250


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(raw_dir: str, warehouse_dir: str, full: bool) -> runs.Plan:
    wh = Warehouse(warehouse_dir)
    swept = wh.recover()
    if swept:
        get_run_logger().warning("swept %d leftovers of an interrupted run: %s", len(swept), swept[:5])
    return runs.plan_run(raw_dir, wh, full=full)


@task(name="process-batch", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=2)
def process_batch_task(raw_dir: str, batch: list[runs.RawFile], run_id: str, manifest: dict, workers: int) -> dict:
    return runs.process_batch(raw_dir, batch, run_id, manifest, workers=workers)


@task(name="commit", cache_policy=NO_CACHE)
def commit_task(warehouse_dir: str, plan: runs.Plan, results: list[dict], started_at: dt.datetime) -> runs.RunSummary:
    return runs.commit_run(Warehouse(warehouse_dir), plan, results, started_at)


@task(name="reports", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def reports_task(warehouse_dir: str, reports_dir: str) -> dict[str, str]:
    return {k: str(v) for k, v in reports.write_reports(warehouse_dir, reports_dir).items()}


def summary_markdown(summary: runs.RunSummary, report_paths: dict[str, str]) -> str:
    lines = [
        f"# framewatch run `{summary.run_id}` ({summary.mode})",
        "",
        "| files seen | files processed | articles written | duplicates | rejected | articles in warehouse |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {summary.files_seen} | {summary.files_processed} | {summary.articles_written} | "
        f"{summary.duplicates} | {summary.rejected} | {summary.articles_total} |",
        "",
    ]
    if summary.reject_reasons:
        lines += ["| reject reason | files/records |", "|---|---:|"]
        lines += [f"| {r} | {n} |" for r, n in sorted(summary.reject_reasons.items())]
        lines.append("")
    lines.append(f"Warehouse: `{summary.warehouse}`")
    for name, path in report_paths.items():
        lines.append(f"- report `{name}`: `{path}`")
    return "\n".join(lines)


@flow(name="framewatch-nightly", log_prints=False)
def nightly(
    raw_dir: str = "data/raw",
    warehouse_dir: str = "data/parquet",
    reports_dir: str = "data/reports",
    full: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    wait_for_lock: bool = False,
    workers: int | None = None,
) -> dict[str, Any]:
    """Process new and changed raw files into the warehouse and write the reports.
    `workers`: processes for the CPU work of each batch (default: all cores)."""
    started = dt.datetime.now(dt.timezone.utc)
    workers = workers or os.cpu_count() or 1
    wh = Warehouse(warehouse_dir)
    with wh.lock(wait=wait_for_lock):
        plan = plan_task(raw_dir, warehouse_dir, full)
        # batches run one after another; each spreads its work over `workers` processes
        results = [
            process_batch_task(raw_dir, batch, plan.run_id, plan.manifest, workers)
            for batch in plan.batches(batch_size)
        ]
        summary = commit_task(warehouse_dir, plan, results, started)
    paths = reports_task(warehouse_dir, reports_dir)
    create_markdown_artifact(
        key="framewatch-run-summary",
        markdown=summary_markdown(summary, paths),
        description=f"framewatch run {summary.run_id}",
    )
    return {**summary.as_dict(), "reports": paths}


if __name__ == "__main__":
    import json
    import sys

    args = sys.argv[1:]
    print(json.dumps(nightly(*args), indent=1, default=str))
