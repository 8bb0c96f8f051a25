"""CSV reports: one file per mart, UTF-8, RFC 4180 quoting, formula-safe cells."""
from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence


from .report_html import write_html_report
from .storage import atomic_file
from .warehouse import connect, mart_names

# A spreadsheet runs a cell starting with these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Neutralise text that a spreadsheet would execute, by prefixing a quote.
    Numbers stay numbers (a negative number is not a formula)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, (list, tuple)):
        return safe_cell("; ".join(str(v) for v in value))
    return value


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with atomic_file(path, encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        w.writerow([safe_cell(c) for c in columns])
        for row in rows:
            w.writerow([safe_cell(v) for v in row])
            n += 1
    return n


FETCH_ROWS = 10_000   # rows fetched from DuckDB at once: a mart is never held whole


def _streamed(cur: Any) -> Iterator[tuple]:
    while rows := cur.fetchmany(FETCH_ROWS):
        yield from rows


def write_reports(warehouse: str | os.PathLike[str], reports: str | os.PathLike[str], day: dt.date | None = None) -> dict[str, Path]:
    """Write data/reports/<date>/<mart>.csv for every mart and report.html; returns name -> path."""
    day = day or dt.datetime.now(dt.timezone.utc).date()
    folder = Path(reports) / day.isoformat()
    con = connect(warehouse)
    out = {}
    try:
        for mart in mart_names():
            cur = con.execute(f"select * from {mart}")
            columns = [d[0] for d in cur.description]
            write_csv(folder / f"{mart}.csv", columns, _streamed(cur))
            out[mart] = folder / f"{mart}.csv"
        out["report_html"] = write_html_report(con, folder / "report.html")
    finally:
        con.close()
    return out
