"""`framewatch` command line: a thin layer over flows/ and transforms/.

extract/analyze/query/report/outlets never start Prefect; `run` runs the nightly flow.
"""
from __future__ import annotations

import csv
import errno
import json
import os
import sys
from pathlib import Path
from typing import Iterator, List, Optional

import typer

from transforms.errors import BatchesFailed, FramewatchError, one_line

app = typer.Typer(add_completion=False, no_args_is_help=True, help="See how news outlets frame the same events.")


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"framewatch: {message}", err=True)
    raise typer.Exit(code)


def _inputs(paths: list[Path]) -> Iterator[tuple[str, Path]]:
    """Files named on the command line, folders walked (sorted)."""
    for p in paths:
        if p.is_dir():
            for f in sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith(".")):
                yield f.relative_to(p).as_posix(), f
        else:
            yield str(p), p


def _field_overrides(fields: list[str]) -> dict[str, str]:
    out = {}
    for spec in fields:
        key, sep, value = spec.partition("=")
        if not sep or not value:
            _fail(f"--field wants KEY=NAME (e.g. body=content), got {spec!r}")
        out[key.strip()] = value.strip()
    return out


def _emit_articles(paths: list[Path], fields: list[str], with_analysis: bool) -> None:
    from dataclasses import replace

    from transforms.extract import Reject
    from transforms.pipeline import default_context, process_file, to_json

    base = default_context()
    try:
        ctx = replace(base, fmap=base.fmap.with_overrides(_field_overrides(fields)))
    except ValueError as exc:
        _fail(str(exc))
    out = sys.stdout
    for name, path in _inputs(paths):
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.write(json.dumps(to_json(Reject(name, None, None, "unreadable", str(exc)), with_analysis)) + "\n")
            continue
        for item in process_file(name, data, ctx):
            out.write(json.dumps(to_json(item, with_analysis), ensure_ascii=False, default=str) + "\n")


FieldOpt = typer.Option([], "--field", help="Record field mapping KEY=NAME, e.g. body=content (repeatable).")
WAREHOUSE_HELP = "Warehouse folder, or an fsspec URL (s3://bucket/prefix, …: worked on in a local copy, then published)."
CacheOpt = typer.Option(None, help="Local copy of a warehouse URL (default ~/.cache/framewatch/warehouses/…).")


@app.command()
def extract(paths: List[Path] = typer.Argument(..., help="Files or folders."), field: List[str] = FieldOpt) -> None:
    """Print one JSON object per article found (no Prefect, nothing written)."""
    _emit_articles(paths, field, with_analysis=False)


@app.command()
def analyze(paths: List[Path] = typer.Argument(..., help="Files or folders."), field: List[str] = FieldOpt) -> None:
    """Like extract, plus `features` and `hits` (with character offsets into body)."""
    _emit_articles(paths, field, with_analysis=True)


@app.command()
def run(
    raw: str = typer.Option("data/raw", help="Folder of raw article files, or an fsspec URL (s3://bucket/prefix, …)."),
    warehouse: str = typer.Option("data/parquet", help=WAREHOUSE_HELP),
    warehouse_cache: Optional[Path] = CacheOpt,
    reports: Path = typer.Option(Path("data/reports"), help="Reports folder."),
    full: bool = typer.Option(False, "--full", help="Rebuild from all raw files, not only new/changed ones."),
    batch_size: int = typer.Option(250, min=1, help="Files per Prefect task (with --runner dask, at least this many)."),
    wait: bool = typer.Option(False, "--wait", help="Wait for another run's lock instead of exiting."),
    workers: int = typer.Option(0, min=0, help="Processes for the CPU work (0: one per core)."),
    runner: str = typer.Option("local", help="local (process pool) or dask."),
    dask_address: Optional[str] = typer.Option(None, help="tcp://HOST:PORT of a Dask scheduler (default: a LocalCluster)."),
    dask_batch_mb: float = typer.Option(8.0, min=0, help="With --runner dask: MB of raw files a task holds at least "
                                        "(a task costs ~0.1-0.3 s on Dask; 8 MB is ~6 s of work)."),
    dask_timeout: Optional[float] = typer.Option(None, min=0, help="With --runner dask: seconds to wait for all "
                                                 "batches before the unfinished ones count as failed "
                                                 "(default: 300 + 60 per MB of raw files)."),
) -> None:
    """Run the nightly flow (with a temporary Prefect server unless PREFECT_API_URL is set)."""
    if "://" not in raw and not Path(raw).is_dir():
        _fail(f"raw folder {raw} does not exist")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from .services import offline_defaults

    offline_defaults()   # before Prefect is imported: its temporary server sends no telemetry
    if runner not in ("local", "dask"):
        _fail("--runner must be local or dask")
    if runner == "local":
        from . import runs

        # the pool's workers fork now, before Prefect starts its threads (runs.start_method):
        # they start with this process's imports instead of importing everything again
        runs.start_pool(workers or os.cpu_count() or 1)
    from .nightly import lasting_error, run_nightly

    before = _last_commit(warehouse)
    try:
        result = run_nightly(runner, dask_address, raw_dir=raw, warehouse_dir=warehouse,
                             warehouse_cache=str(warehouse_cache) if warehouse_cache else None,
                             reports_dir=str(reports), full=full, batch_size=batch_size,
                             wait_for_lock=wait, workers=workers or None, dask_batch_mb=dask_batch_mb,
                             dask_timeout=dask_timeout)
    except BatchesFailed as exc:
        _print_summary(exc.result)
        _fail(str(exc), 1)
    except FramewatchError as exc:
        _fail(str(exc), 1)
    except Exception as exc:
        if not (isinstance(exc, OSError) or lasting_error(exc)) or os.environ.get("FRAMEWATCH_TRACEBACK") == "1":
            raise   # a programmer error: its whole traceback
        # the machine's fault (a full disk, a lost mount): Prefect's log above has the traceback
        _fail(f"the run failed: {one_line(exc)}. {_what_is_committed(warehouse, before)}", 1)
    _print_summary(result)


def _last_commit(warehouse: str) -> tuple[str | None, str] | None:
    """(run_id, committed at) of a warehouse folder's current commit ((None, "") before its
    first); None for a warehouse URL (its local copy is not what is published) or when it
    cannot be read."""
    if "://" in warehouse:
        return None
    from .storage import Warehouse

    try:
        m = Warehouse(warehouse).current()
    except Exception:
        return None
    return m.run_id, m.created_at


def _what_is_committed(warehouse: str, before: tuple[str | None, str] | None) -> str:
    """What a failed run leaves: which run the warehouse holds, and whether it is this one
    (its current commit changed during the run)."""
    after = _last_commit(warehouse)
    if before is None or after is None:
        return ("Nothing is lost: the warehouse holds its last committed run (`select * from runs` tells which), "
                "and the next run takes up the files this one did not commit.")
    run_id, at = after
    when = f"{at[:19].replace('T', ' ')} UTC" if at else ""
    if run_id is None:
        return "Nothing was committed: the warehouse is still empty, and the next run takes up every file."
    if after != before:
        return (f"This run was committed (run {run_id}, {when}): the warehouse holds it, and only what "
                "came after its commit failed.")
    return (f"Nothing is lost: the warehouse holds its last committed run, {run_id} ({when}), and the next "
            "run takes up the files this one did not commit.")


def _print_summary(result: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    t = Table(title=f"framewatch run {result['run_id']} ({result['mode']})")
    for col in ("files seen", "processed", "articles written", "duplicates", "rejected", "in warehouse"):
        t.add_column(col, justify="right")
    t.add_row(*(str(result[k]) for k in ("files_seen", "files_processed", "articles_written", "duplicates", "rejected", "articles_total")))
    console.print(t)
    from .runs import reanalysis_notes

    for note in reanalysis_notes(result):
        console.print(f"  {note}")
    for reason, n in sorted(result["reject_reasons"].items()):
        console.print(f"  rejected {n} × {reason}  (see: framewatch query \"select * from rejects\")")
    lineage = result.get("lineage")
    if lineage and lineage != "unchanged":
        window = f", {result['lineage_window']} articles re-clustered" if lineage == "incremental" else ""
        console.print(f"stories and copy links: {lineage}{window}")
    if result.get("warehouse_url"):
        console.print(f"published: {result['warehouse_url']} ({result['files_published']} data files uploaded)")
        console.print(f"warehouse: {result['warehouse']}  (the local copy)")
    else:
        console.print(f"warehouse: {result['warehouse']}")
    console.print(f"  duckdb:  duckdb -readonly {Path(result['warehouse']) / 'framewatch.duckdb'}")
    folders = sorted({str(Path(p).parent) for p in result["reports"].values()})
    for f in folders:
        console.print(f"reports:   {f}/")


@app.command()
def query(
    sql: str = typer.Argument(..., help="SQL over the warehouse views, e.g. 'select * from mart_story_outlets'."),
    warehouse: str = typer.Option("data/parquet", help=WAREHOUSE_HELP),
    warehouse_cache: Optional[Path] = CacheOpt,
    format: str = typer.Option("table", "--format", help="table, csv or json (one JSON array)."),
) -> None:
    """Run SQL against the warehouse (read-only)."""
    import duckdb

    from .remote import local_copy
    from .reports import safe_cell
    from .warehouse import connect

    if format not in ("table", "csv", "json"):
        _fail("--format must be table, csv or json")
    try:
        con = connect(local_copy(warehouse, warehouse_cache))
        cur = con.execute(sql)
    except FramewatchError as exc:
        _fail(str(exc), 1)
    except duckdb.Error as exc:
        _fail(f"SQL error: {exc}", 1)
    columns = [d[0] for d in cur.description] if cur.description else []
    rows = cur.fetchall()
    if format == "json":
        typer.echo(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, default=str))
    elif format == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        w.writerows([[safe_cell(v) for v in r] for r in rows])
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table(show_lines=False)
        for c in columns:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*("" if v is None else str(v) for v in r))
        Console().print(t)
        typer.echo(f"{len(rows)} row(s)", err=True)


@app.command()
def report(
    warehouse: str = typer.Option("data/parquet", help=WAREHOUSE_HELP),
    warehouse_cache: Optional[Path] = CacheOpt,
    reports: Path = typer.Option(Path("data/reports"), help="Reports folder."),
) -> None:
    """Write the CSV reports (one per mart) into REPORTS/<date>/."""
    from .remote import local_copy
    from .reports import write_reports

    try:
        paths = write_reports(local_copy(warehouse, warehouse_cache), reports)
    except FramewatchError as exc:
        _fail(str(exc), 1)
    for name, path in paths.items():
        typer.echo(f"{name}\t{path}")


@app.command()
def outlets(
    type: Optional[str] = typer.Option(None, "--type", help="Only this type (outlet, wire, broadcaster, ...)."),
    country: Optional[str] = typer.Option(None, help="Only this country (ISO code)."),
    state: Optional[str] = typer.Option(None, "--state", help="Only outlets affiliated with this state (ISO code)."),
    search: Optional[str] = typer.Option(None, help="Substring of id, name or alias."),
    format: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """List the outlet registry."""
    from transforms.registry import load_registry

    reg = load_registry()
    rows = []
    for o in reg.outlets:
        if type and o.type != type:
            continue
        if country and (o.country or "").upper() != country.upper():
            continue
        if state and (o.state_affiliation or "").upper() != state.upper():
            continue
        if search and not any(search.casefold() in n.casefold() for n in (o.id, o.name, *o.aliases)):
            continue
        rows.append(o.as_row())
    columns = ["id", "name", "type", "country", "languages", "ownership", "state_affiliation", "lean", "domains", "aliases"]
    if format == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False))
    elif format == "csv":
        w = csv.DictWriter(sys.stdout, columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table(title=f"outlet registry {reg.version}: {len(rows)} of {len(reg.outlets)}")
        for c in columns[:8]:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*("" if r[c] is None else str(r[c]) for c in columns[:8]))
        Console().print(t)


def main() -> None:
    """The `framewatch` command: `app`, with an error of the machine rather than of the code
    (a full disk, a folder that cannot be written, a lost mount: an OSError) told in one
    line and exit 1 instead of a traceback (FRAMEWATCH_TRACEBACK=1 shows it). Standard
    output is flushed here, so a full disk met only by its last buffered lines is told
    the same way; a closed pipe (`framewatch extract ... | head`) ends quietly, exit 1.
    Either way stdout is then pointed at /dev/null: the interpreter's own last flush
    would fail again (a second message, exit 120)."""
    try:
        try:
            app()
        finally:
            sys.stdout.flush()
    except OSError as exc:
        if os.environ.get("FRAMEWATCH_TRACEBACK") == "1":
            raise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if exc.errno != errno.EPIPE:
            command = " ".join(a for a in sys.argv[1:2] if not a.startswith("-"))
            typer.echo(f"framewatch{' ' + command if command else ''}: {one_line(exc)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
