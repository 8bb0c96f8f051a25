"""DuckDB over the warehouse: one view per table (over the committed Parquet files),
then the packaged SQL models in order (10_staging views, then 20_marts)."""
from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from transforms.schema import TABLES

from . import failpoints
from .storage import Manifest, Warehouse

if TYPE_CHECKING:
    import duckdb

DB_FILE = "framewatch.duckdb"


def sql_models() -> list[tuple[str, str]]:
    """(name, sql) of every packaged model, in run order (folder, then file name)."""
    root = resources.files("transforms") / "sql"
    out = []
    for folder in sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.name):
        for f in sorted((p for p in folder.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name):
            out.append((f"{folder.name}/{f.name}", f.read_text(encoding="utf-8")))
    return out


def mart_names() -> list[str]:
    return [name.split("/")[-1].split("_", 1)[1][:-4] for name, _ in sql_models() if name.startswith("20_marts/")]


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def create_views(con: duckdb.DuckDBPyConnection, wh: Warehouse, manifest: Manifest | None = None) -> None:
    import duckdb   # imported where used: the run's pool workers import this module, never DuckDB

    manifest = manifest or wh.current()
    for table in TABLES:
        con.execute(
            f"create or replace view {table} as "
            f"select * from read_parquet({_sql_list(wh.paths(table, manifest))}, union_by_name = true)"
        )
    for name, sql in sql_models():
        try:
            con.execute(sql)
        except duckdb.Error as exc:
            raise RuntimeError(f"SQL model {name} failed: {exc}") from exc


def connect(warehouse: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the warehouse's views, for reading only: the Parquet
    files are only read, and no file outside the warehouse can be read or written."""
    wh = Warehouse(warehouse)
    if not wh.exists():
        from transforms.errors import WarehouseError

        raise WarehouseError(f"no warehouse at {wh.root}: run `framewatch run --warehouse {warehouse}` first")
    import duckdb

    con = duckdb.connect(":memory:")
    create_views(con, wh)
    con.execute(f"set allowed_directories = ['{str(wh.root)}/']")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def write_db_file(wh: Warehouse, manifest: Manifest) -> Path:
    """framewatch.duckdb beside the tables, for the duckdb CLI: `duckdb -readonly <it>`.
    Written to a temp file and renamed, so a reader never sees a half-built file."""
    target = wh.root / DB_FILE
    tmp = wh.root / f".{DB_FILE}.tmp-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    import duckdb

    con = duckdb.connect(str(tmp))
    try:
        # the views bind each table's Parquet footers once per view that reads the table:
        # cache them (the files are immutable once written): -0.1 s per commit
        con.execute("set parquet_metadata_cache = true")
        create_views(con, wh, manifest)
    finally:
        con.close()
    failpoints.hit("db-file")
    os.replace(tmp, target)
    return target
