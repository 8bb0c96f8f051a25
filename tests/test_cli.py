"""The `framewatch` console script, run as a user runs it (a real subprocess)."""
import gzip
import json
import subprocess
import sys
from pathlib import Path


from .conftest import RAW, SEEDS

EXE = str(Path(sys.executable).with_name("framewatch"))
KEYS = {"source", "record", "status", "reason", "title", "body", "published", "language",
        "publisher", "origin", "provenance", "credits"}


def fw(*args, check=True):
    proc = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_extract_prints_one_object_per_article(tmp_path):
    recs = tmp_path / "recs.jsonl.gz"
    recs.write_bytes(gzip.compress(b'{"content": "One text.", "source": "Reuters"}\n{"bad"\n{"text": "Two."}\n'))
    out = fw("extract", RAW / SEEDS["trt"], recs).stdout.splitlines()
    objs = [json.loads(line) for line in out]
    assert len(objs) == 4
    for o in objs:
        assert KEYS <= set(o)
    trt = objs[0]
    assert (trt["status"], trt["record"], trt["publisher"], trt["origin"], trt["provenance"]) == ("ok", None, "trt_world", "afp", "wire")
    assert trt["published"] == "2022-01-08" and trt["credits"] == ["afp"] and trt["language"] == "en"
    assert [o["record"] for o in objs[1:]] == [0, 1, 2]
    assert [o["status"] for o in objs[1:]] == ["ok", "rejected", "ok"]
    assert objs[2]["reason"] == "bad_json" and objs[1]["publisher"] == "reuters"


def test_extract_field_mapping(tmp_path):
    f = tmp_path / "one.json"
    f.write_text(json.dumps({"story": "Custom field text.", "content": "not this"}), encoding="utf-8")
    o = json.loads(fw("extract", "--field", "body=story", f).stdout)
    assert o["body"] == "Custom field text."
    assert fw("extract", "--field", "nonsense", f, check=False).returncode == 2


def test_analyze_adds_features_and_hits_with_offsets():
    o = json.loads(fw("analyze", RAW / SEEDS["izv"]).stdout)
    assert o["features"]["word_count"] > 300 and o["features"]["flesch_reading_ease"] is not None
    terms = {h["term"].lower() for h in o["hits"]}
    assert {"militants", "criminals", "terrorist", "gangs", "alma-ata"} <= terms
    for h in o["hits"]:
        assert o["body"][h["start"]:h["end"]] == h["term"]
        assert set(h) == {"category", "frame", "term", "canonical", "start", "end", "in_quote"}


def test_analyze_empty_file_is_rejected_not_crashed(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    o = json.loads(fw("analyze", tmp_path / "empty.txt").stdout)
    assert o["status"] == "rejected" and o["reason"] == "empty" and o["features"] == {}


def test_outlets_lists_and_filters():
    rows = json.loads(fw("outlets", "--type", "wire", "--format", "json").stdout)
    ids = {r["id"] for r in rows}
    assert {"afp", "reuters", "ap", "tass"} <= ids and all(r["type"] == "wire" for r in rows)
    ru = json.loads(fw("outlets", "--state", "RU", "--format", "json").stdout)
    assert {"rt", "sputnik", "tass"} <= {r["id"] for r in ru}
    assert "registry" in fw("outlets", "--search", "izvest").stdout


def test_query_without_warehouse_says_what_to_do(tmp_path):
    p = fw("query", "select 1", "--warehouse", tmp_path / "none", check=False)
    assert p.returncode == 1 and "framewatch run" in p.stderr


def test_run_from_a_plain_shell_sends_no_telemetry(tmp_path):
    """`framewatch run` as a user types it, without the Makefile's or the tests' Prefect
    settings: its temporary Prefect server sent usage telemetry at its start (on a machine
    without network, as here and in CI, an ERROR line in every run; with network the old
    code passes this test, and test_offline_defaults_keep_the_users_choice checks the
    settings themselves)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k != "DO_NOT_TRACK"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    proc = subprocess.run([EXE, "run", "--raw", RAW, "--warehouse", tmp_path / "wh", "--reports", tmp_path / "rep",
                           "--workers", "1"], capture_output=True, text=True, timeout=300, env=env)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "telemetry" not in out.lower() and "ERROR" not in out
    assert "in warehouse" in out and (tmp_path / "wh" / "framewatch.duckdb").exists()
    assert "stories and copy links: full" in out        # how the stories were made, said by the summary


def test_offline_defaults_keep_the_users_choice():
    """In a fresh process: the defaults are set where unset, a value the user set is kept,
    and the CLI module sets nothing at import (only `run` does, before Prefect's import)."""
    import os

    probe = ("import os, flows.cli; before = {k: os.environ.get(k) for k in ('PREFECT_SERVER_ANALYTICS_ENABLED', "
             "'DO_NOT_TRACK')}; from flows.services import offline_defaults; offline_defaults(); "
             "print(before['PREFECT_SERVER_ANALYTICS_ENABLED'], before['DO_NOT_TRACK'], "
             "os.environ['PREFECT_SERVER_ANALYTICS_ENABLED'], os.environ['DO_NOT_TRACK'])")
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK")}
    got = subprocess.run([sys.executable, "-c", probe], env={**env, "DO_NOT_TRACK": "0"}, capture_output=True,
                         text=True, check=True).stdout.split()
    assert got == ["None", "0", "false", "0"]


def test_run_on_a_dask_address_nobody_serves_says_so(tmp_path):
    """A wrong --dask-address is one line and exit 1, before the flow (and its temporary
    Prefect server) starts; it was a 400-line traceback after 30 s."""
    from flows.services import free_port

    (tmp_path / "raw").mkdir()
    address = f"tcp://127.0.0.1:{free_port()}"
    proc = fw("run", "--raw", tmp_path / "raw", "--warehouse", tmp_path / "wh", "--reports", tmp_path / "rep",
              "--runner", "dask", "--dask-address", address, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]        # one line
    assert proc.stderr.startswith(f"framewatch: cannot reach the Dask scheduler at {address} (")
    assert not (tmp_path / "wh").exists()
