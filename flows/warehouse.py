"""DuckDB over the warehouse: one view per table (over the committed Parquet files),
then the packaged SQL models in order (10_staging views, then 20_marts)."""
from __future__ import annotations

import hashlib
import os
import shutil
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from transforms.schema import TABLES

from . import failpoints
from .storage import Manifest, Warehouse, atomic_path

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


# Arrow types of the schema -> DuckDB's, for a column no file of a table has yet
_DUCK_TYPES = {pa.string(): "varchar", pa.int64(): "bigint", pa.float64(): "double", pa.bool_(): "boolean",
               pa.date32(): "date", pa.list_(pa.string()): "varchar[]"}


def _absent_columns(table: str, empty: Path) -> str:
    """`, null::type as name` for each column of the table's schema that its schema file
    lacks: a warehouse written by an older release, read before a run of this one (every run
    rewrites the schema files first, so a column they lack is in none of the data files)."""
    try:
        have = set(pq.read_schema(empty).names)
    except OSError:
        return ""
    out = ""
    for f in TABLES[table]:
        if f.name not in have:
            out += f', null::{_DUCK_TYPES[f.type]} as "{f.name}"'
    return out


def _table_views(con: duckdb.DuckDBPyConnection, wh: Warehouse, manifest: Manifest) -> None:
    for table in TABLES:
        paths = wh.paths(table, manifest)
        con.execute(
            f"create or replace view {table} as select *{_absent_columns(table, paths[0])} "
            f"from read_parquet({_sql_list(paths)}, union_by_name = true)"
        )


def create_views(con: duckdb.DuckDBPyConnection, wh: Warehouse, manifest: Manifest | None = None) -> None:
    import duckdb   # imported where used: the run's pool workers import this module, never DuckDB

    _table_views(con, wh, manifest or wh.current())
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


def models_fingerprint() -> str:
    """What the SQL models' views in a DuckDB file depend on besides the table views' files:
    the models' SQL, the tables' schemas and DuckDB's version."""
    import duckdb

    h = hashlib.sha256(duckdb.__version__.encode())
    for name, schema in TABLES.items():
        h.update(f"\0{name}\0{schema}".encode())
    for name, sql in sql_models():
        h.update(f"\0{name}\0{sql}".encode())
    return h.hexdigest()[:16]


_TABLE_COLUMNS = ("select table_name, column_name, data_type from duckdb_columns() "
                  "where schema_name = 'main' and table_name in ({}) order by all")


def _refresh_table_views(con: duckdb.DuckDBPyConnection, wh: Warehouse, manifest: Manifest, fingerprint: str) -> bool:
    """In a copy of the last commit's DuckDB file: point the table views at this commit's
    files and keep the models' views (DuckDB binds a view's SQL when it is queried, so they
    read the new table views). False (the copy is unusable: build afresh) when the file's
    models were made from other SQL, schemas or DuckDB, or a table view's columns change
    (a view is checked against the columns it was made with)."""
    import duckdb

    try:
        if con.execute("select fingerprint from framewatch_meta.models").fetchall() != [(fingerprint,)]:
            return False
        sql = _TABLE_COLUMNS.format(", ".join(f"'{t}'" for t in TABLES))
        before = con.execute(sql).fetchall()
        _table_views(con, wh, manifest)
        return con.execute(sql).fetchall() == before
    except duckdb.Error:
        return False


def write_db_file(wh: Warehouse, manifest: Manifest) -> Path:
    """framewatch.duckdb beside the tables, for the duckdb CLI: `duckdb -readonly <it>`.
    Written to a temp file and renamed, so a reader never sees a half-built file. When the
    last commit's file was made by the same models, a copy of it gets new table views only
    (the models' views, 20 of them, cost ~0.12 s to bind again at every commit)."""
    target = wh.root / DB_FILE
    import duckdb

    fingerprint = models_fingerprint()
    with atomic_path(target) as tmp:    # renamed at the end; removed if the build fails (a full disk, say)
        tmp.unlink(missing_ok=True)
        try:
            con = None
            if target.exists():
                shutil.copyfile(target, tmp)
                try:
                    con = duckdb.connect(str(tmp))
                except duckdb.Error:
                    con = None
                else:
                    con.execute("set parquet_metadata_cache = true")
                    if not _refresh_table_views(con, wh, manifest, fingerprint):
                        con.close()
                        con = None
                if con is None:
                    tmp.unlink(missing_ok=True)
            if con is None:
                con = duckdb.connect(str(tmp))
                try:
                    # the views bind each table's Parquet footers once per view that reads the table:
                    # cache them (the files are immutable once written): -0.1 s per commit
                    con.execute("set parquet_metadata_cache = true")
                    create_views(con, wh, manifest)
                    con.execute("create schema framewatch_meta")
                    con.execute(f"create view framewatch_meta.models as select '{fingerprint}' as fingerprint")
                except BaseException:
                    con.close()
                    raise
            con.close()
        except BaseException:
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)   # DuckDB's log beside it, if any
            raise
        failpoints.hit("db-file")
    try:
        wh.mark_db_file(manifest)   # so that commits keep its files while a later rebuild fails
    except OSError:
        pass   # the file is rebuilt; an older mark only keeps an older commit's files a while longer
    return target
