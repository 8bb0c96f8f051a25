"""The nightly Prefect flow: discover -> process batches -> commit -> reports.

Tasks are thin wrappers over flows/runs.py, one task per batch of files (never
one per article). Run it with `framewatch run`, `python -m flows.nightly`, or the
`nightly` deployment in prefect.yaml.
"""
from __future__ import annotations

import datetime as dt
import errno
import os
import time
from typing import Any

if __name__ == "__main__":   # `python -m flows.nightly`: no telemetry (flows/services.py), set before Prefect's import
    from flows.services import offline_defaults

    offline_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from flows import reports, runs  # absolute: Prefect loads this file by path
from flows.progress import progress
from flows.remote import RemoteWarehouse, open_warehouse
from flows.storage import Warehouse
from transforms.errors import BatchesFailed, DbFileNotRebuilt, PublishRefused, RunnerError, one_line

DEFAULT_BATCH_SIZE = 250
# A task on Dask costs Prefect and Dask ~0.1-0.3 s (task run, states, shipping the call and its
# result): a Dask batch holds at least this much raw input, so that cost stays under 5% of
# its work (bench/dask_overhead.py, BENCHMARKS.md).
DASK_BATCH_MB = 8.0
# Dask batches have no per-file time limit (they run in a worker's thread): the flow waits
# for all of them at most this long, 300 s + 60 s per MB of raw files (~0.8 s of work per MB
# on one core, BENCHMARKS.md), then records the unfinished ones as failed and commits the rest.
DASK_WAIT_BASE_SECONDS = 300.0
DASK_WAIT_SECONDS_PER_MB = 60.0


@task(name="plan", cache_policy=NO_CACHE)
def plan_task(raw_dir: str, warehouse_dir: str, full: bool) -> runs.Plan:
    wh = Warehouse(warehouse_dir)
    swept = wh.recover()
    if swept:
        get_run_logger().warning("swept %d leftovers of an interrupted run: %s", len(swept), swept[:5])
    return runs.plan_run(raw_dir, wh, full=full)


# Errors a retry seconds later meets again: a full disk, a quota, a read-only file system.
# pyarrow and Python raise them as OSError with the errno; DuckDB as its own IOException
# whose message ends in the system's text for it.
LASTING_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)


def lasting_error(exc: BaseException | None) -> bool:
    """True when `exc` (or an error it was raised from) is one that retrying cannot mend:
    a refused publish (another run published meanwhile), or a full disk, a full quota or
    a read-only file system. Other errors (a dropped connection, a file in use) may pass."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, PublishRefused):
            return True
        if isinstance(exc, OSError) and exc.errno is not None:
            if exc.errno in LASTING_ERRNOS:
                return True
        elif any(os.strerror(e) in str(exc) for e in LASTING_ERRNOS):   # no errno (DuckDB's IOException)
            return True
        exc, seen = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__), seen + 1
    return False


def _retry_unless_lasting(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry condition of the I/O tasks: no retry for a lasting_error (each retry
    would wait its delay, 2 then 15 s, and fail the same way)."""
    error = state.result(raise_on_failure=False)
    return not (isinstance(error, BaseException) and lasting_error(error))


@task(name="pull-warehouse", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 15, 60],
      retry_condition_fn=_retry_unless_lasting)
def pull_task(remote: RemoteWarehouse) -> str | None:
    return remote.pull()


@task(name="publish-warehouse", cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 15, 60],
      retry_condition_fn=_retry_unless_lasting)
def publish_task(remote: RemoteWarehouse, pulled: str | None) -> int:
    return remote.push(pulled)


@task(name="process-batch-remote", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 15],
      retry_condition_fn=_retry_unless_lasting)
def process_batch_task(raw_dir: str, batch: list[runs.RawFile], run_id: str, manifest: dict, workers: int) -> dict:
    return runs.process_batch(raw_dir, batch, run_id, manifest, workers=workers)


@task(name="process-batch", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 15],
      retry_condition_fn=_retry_unless_lasting)
def process_and_stage_task(writer: runs.RunWriter, raw_dir: str, batch: list[runs.RawFile], workers: int) -> int:
    """Local runs: process a batch straight into staging (all or nothing per attempt)."""
    return runs.process_and_stage(writer, raw_dir, batch, workers)


@task(name="stage-batch", cache_policy=NO_CACHE)
def stage_task(writer: runs.RunWriter, tables: dict) -> int:
    writer.add(tables)
    return tables["articles"].num_rows


@task(name="commit", cache_policy=NO_CACHE)
def commit_task(writer: runs.RunWriter) -> runs.RunSummary:
    return writer.finish()


@task(name="reports", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=[2, 15],
      retry_condition_fn=_retry_unless_lasting)
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
    lines += [f"- {note}" for note in runs.reanalysis_notes(summary.as_dict())]
    lines.append(f"Stories and copy links: {summary.lineage}"
                 + (f" ({summary.lineage_window} articles re-clustered)" if summary.lineage == "incremental" else ""))
    lines.append(f"Warehouse: `{summary.warehouse}`")
    for name, path in report_paths.items():
        lines.append(f"- report `{name}`: `{path}`")
    return "\n".join(lines)


def _process(writer: runs.RunWriter, raw_dir: str, batches: list[list[runs.RawFile]], workers: int,
             distributed: bool, dask_timeout: float | None) -> list[str]:
    """Process and stage every batch; a failed batch does not fail the others: its files are
    staged as `batch_failed` rejects (retried next run). Returns the failed batches' errors."""
    plan, errors = writer.plan, []

    def stage(batch: list[runs.RawFile], tables: dict | None, why: str) -> None:
        if tables is not None:
            stage_task(writer, tables)
        else:
            errors.append(why)
            stage_task(writer, runs.failed_batch_tables(batch, plan.run_id, why))

    with progress(f"processing {len(plan.todo)} files", len(batches)) as advance:
        if distributed:
            # one task per batch on the cluster (its workers give the parallelism)
            futures = [process_batch_task.submit(raw_dir, batch, plan.run_id, plan.manifest, 1) for batch in batches]
            if dask_timeout is None:
                mb = sum(f.size for f in plan.todo) / 2**20
                dask_timeout = DASK_WAIT_BASE_SECONDS + DASK_WAIT_SECONDS_PER_MB * mb
            deadline = time.monotonic() + dask_timeout
            for batch, future in zip(batches, futures):
                # past the deadline, a batch gets 1 s more: a finished one still has to be
                # fetched (a timeout of 0 fails even a done future)
                stage(batch, *_outcome(future, max(1.0, deadline - time.monotonic()), dask_timeout))
                advance(1)
        else:
            # one batch at a time, its work spread over `workers` processes and staged
            # unit by unit: memory follows a unit, not the batch or the corpus
            for batch in batches:
                state = process_and_stage_task(writer, raw_dir, batch, workers, return_state=True)
                if not state.is_completed():
                    stage(batch, None, _failure(state.result(raise_on_failure=False), state.message))
                advance(1)
    return errors


@flow(name="framewatch-nightly", log_prints=False)
def nightly(
    raw_dir: str = "data/raw",
    warehouse_dir: str = "data/parquet",
    reports_dir: str = "data/reports",
    full: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    wait_for_lock: bool = False,
    workers: int | None = None,
    distributed: bool = False,
    warehouse_cache: str | None = None,
    dask_batch_mb: float = DASK_BATCH_MB,
    dask_timeout: float | None = None,
) -> dict[str, Any]:
    """Process new and changed raw files into the warehouse and write the reports.
    `raw_dir`, `warehouse_dir`: local folders or fsspec URLs (s3://…, gs://… with that
    driver installed). A warehouse URL is worked on in a local copy (`warehouse_cache`,
    default ~/.cache/framewatch/warehouses/…) and published at the end (flows/remote.py).
    `workers`: processes for the CPU work of each batch (default: all cores).
    `distributed`: batches are submitted to the flow's task runner (see `run_nightly`),
    each of at least `batch_size` files and `dask_batch_mb` MB of raw files, waited for at
    most `dask_timeout` seconds in all (default: 300 s + 60 s per MB of raw files)."""
    wh, remote, plan, published = None, None, None, None   # what the failure artifact reads
    try:
        started = dt.datetime.now(dt.timezone.utc)
        workers = workers or os.cpu_count() or 1
        wh, remote = open_warehouse(warehouse_dir, warehouse_cache)
        local_dir = str(wh.root)
        db_error: DbFileNotRebuilt | None = None
        with wh.lock(wait=wait_for_lock):
            pulled = pull_task(remote) if remote else None
            plan = plan_task(raw_dir, local_dir, full)
            writer = runs.RunWriter(wh, plan, started)
            try:
                batches = plan.batches(batch_size, int(dask_batch_mb * 2**20) if distributed else 0)
                errors = _process(writer, raw_dir, batches, workers, distributed, dask_timeout)
                try:
                    summary = commit_task(writer)
                except DbFileNotRebuilt as exc:   # committed: publish and report it, then fail the run
                    summary, db_error = exc.summary, exc
            except BaseException:
                writer.abort()
                raise
            published = publish_task(remote, pulled) if remote else None
        paths = reports_task(local_dir, reports_dir)
        return _summarise(summary, paths, remote, published, errors, len(batches), db_error)
    except (BatchesFailed, DbFileNotRebuilt):
        raise                                 # the summary artifact above says what happened
    except Exception as exc:
        _failure_artifact(exc, _committed(wh, plan), remote.url if remote else None, published is not None)
        raise


def _summarise(summary: runs.RunSummary, paths: dict[str, str], remote: RemoteWarehouse | None,
               published: int | None, errors: list[str], n_batches: int,
               db_error: DbFileNotRebuilt | None) -> dict[str, Any]:
    """A committed run's summary artifact and result; then, when batches failed or the
    DuckDB file was not rebuilt, the error that ends the flow run Failed (carrying the result)."""
    failed = len(errors)
    create_markdown_artifact(
        key="framewatch-run-summary",
        markdown=summary_markdown(summary, paths) + (
            f"\n\nPublished to `{remote.url}` ({published} data files uploaded)." if remote else "") + (
            f"\n\n**{failed} of {n_batches} batches failed**: their files are in `rejects` "
            "(reason `batch_failed`) and are retried by the next run. First error: " + errors[0] if failed else "") + (
            f"\n\n**The DuckDB file was not rebuilt**: {db_error}" if db_error else ""),
        description=f"framewatch run {summary.run_id}",
    )
    out = {**summary.as_dict(), "reports": paths}
    if remote:
        out.update(warehouse_url=remote.url, files_published=published)
    if failed:   # the flow run ends Failed; the committed rest is in the warehouse and in `result`
        raise BatchesFailed(f"{failed} of {n_batches} batches failed (committed the rest; see rejects with "
                            f"reason batch_failed; the next run retries them). First error: {errors[0][:500]}"
                            + (f"; and {db_error}" if db_error else ""), out)
    if db_error:
        raise db_error
    return out


def _committed(wh: Warehouse | None, plan: runs.Plan | None) -> bool | None:
    """Whether the (local) warehouse's current commit is this run's; None when that cannot be read."""
    if wh is None or plan is None:
        return False
    try:
        return wh.current().run_id == plan.run_id
    except Exception:
        return None


def failure_markdown(error: BaseException, committed: bool | None, url: str | None = None,
                     published: bool = False) -> str:
    """The artifact of a run that failed before its summary: the error, and whether its commit
    went through (`committed`: the local warehouse's current commit is this run's; None:
    unknown), and for a warehouse URL whether it was published there."""
    why = one_line(error)[:2000]
    lines = ["# framewatch run failed", "", "```", why, "```", ""]
    if committed is None:
        lines.append("Whether this run was committed could not be read: `select * from runs` tells.")
    elif not committed:
        lines.append("Nothing of this run was committed: the warehouse holds its last committed run, and the "
                     "next run takes up the files this one did not commit.")
    elif url and not published:
        lines.append(f"This run was committed to the local copy only, not published to `{url}`: the next run "
                     "starts from the URL's state and redoes this run's files.")
    else:
        lines.append("This run was committed" + (f" and published to `{url}`" if url else "") +
                     "; what failed came after its commit point (if it was the reports, `framewatch report` "
                     "writes them again).")
    lines.append("Prefect's log of this flow run has the traceback.")
    return "\n".join(lines)


def _failure_artifact(error: BaseException, committed: bool | None, url: str | None, published: bool) -> None:
    """Make the failed run's artifact (its own key: a run refused by another's lock must not
    hide that run's summary); never hide the run's own error behind one of its own."""
    try:
        create_markdown_artifact(key="framewatch-run-failure", markdown=failure_markdown(error, committed, url, published),
                                 description="framewatch run failed")
    except Exception as exc:   # the API out of reach, say: the flow's state still carries the error
        get_run_logger().warning("could not record the failed run's artifact: %s", exc)


def _failure(error: Any, message: str | None = None) -> str:
    """A failed batch task's reason, for its files' reject detail."""
    why = one_line(error) if isinstance(error, BaseException) else " ".join((message or "no error reported").split())
    return f"the batch's task failed: {why}"[:2000]   # one line


def _outcome(future: Any, timeout: float, limit: float) -> tuple[dict | None, str]:
    """A distributed batch task's tables, or None and why it failed. A task whose Dask
    worker died (three times: Dask's KilledWorker) never reports a final state to Prefect
    (its task run stays Running): the Dask future holds the error. A task not done within
    `timeout` seconds (what is left of the run's `limit`) counts as failed; it may still be
    running in its worker, which the run does not stop."""
    try:
        result = future.result(timeout=timeout, raise_on_failure=False)
    except TimeoutError:
        return None, _failure(None, f"not finished within the run's {limit:.0f} s for its Dask batches (a file "
                                    "may hang: Dask batches have no per-file time limit; see --dask-timeout)")
    except Exception as exc:
        return None, _failure(exc)
    if isinstance(result, BaseException):
        return None, _failure(result)
    return result, ""


DASK_CONNECT_SECONDS = 10


def _check_scheduler(address: str) -> None:
    """Connect to the Dask scheduler once before the flow starts: a wrong or dead address
    is one clear error within seconds, not a connection error raised from inside the flow
    after its temporary Prefect server started."""
    from distributed import Client

    try:
        Client(address, timeout=DASK_CONNECT_SECONDS, set_as_default=False).close()
    except (OSError, TimeoutError, ValueError, TypeError) as exc:   # TypeError: tls:// without TLS configured
        raise RunnerError(f"cannot reach the Dask scheduler at {address} ({type(exc).__name__}: {exc}); "
                          "is `dask scheduler` running there?") from exc


def run_nightly(runner: str = "local", dask_address: str | None = None, dask_workers: int = 2, **params: Any) -> dict[str, Any]:
    """Run the flow locally (a process pool) or with its batch tasks on Dask:
    runner="dask" with dask_address="tcp://HOST:PORT" uses an existing cluster, without an
    address a LocalCluster of `dask_workers` processes. Pair Dask with a real Prefect
    server (PREFECT_API_URL): without one, every Dask worker starts its own."""
    if runner == "local":
        return nightly(**params)
    if runner != "dask":
        raise ValueError(f"runner must be 'local' or 'dask', not {runner!r}")
    from prefect_dask import DaskTaskRunner

    if dask_address:
        _check_scheduler(dask_address)
        task_runner = DaskTaskRunner(address=dask_address)
    else:
        task_runner = DaskTaskRunner(cluster_kwargs={"n_workers": dask_workers, "threads_per_worker": 1,
                                                     "processes": True})
    return nightly.with_options(task_runner=task_runner)(**params, distributed=True)


if __name__ == "__main__":
    import json
    import sys
    args = sys.argv[1:]
    print(json.dumps(nightly(*args), indent=1, default=str))
