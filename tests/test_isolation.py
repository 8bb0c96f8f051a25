"""Security (issue 8): the pipeline runs with the network off, resolves no external
entities, and neither a manifest nor a record can make it read outside the raw folder
or write outside the warehouse."""
import json
import shutil
import subprocess
import sys

import pytest

from flows.warehouse import connect

from . import crashkit, hostile
from .conftest import REPO, copy_seeds, run_once


def test_a_whole_run_with_the_network_off(tmp_path):
    """In a network namespace of its own (no interface up, not even loopback)."""
    if not shutil.which("unshare") or subprocess.run(["unshare", "-n", "true"]).returncode != 0:
        pytest.skip("unshare -n is not permitted here")
    raw = copy_seeds(tmp_path / "raw")
    secret = tmp_path / "secret.txt"
    secret.write_text(hostile.SECRET, encoding="utf-8")
    page = hostile.XXE.format(secret=secret, i=1).replace("file://", "http://198.51.100.7/")
    (raw / "remote-entity.html").write_text(page, encoding="utf-8")
    (raw / "local-entity.html").write_text(hostile.XXE.format(secret=secret, i=2), encoding="utf-8")
    check = "import socket, sys; s = socket.socket(); s.settimeout(3); sys.exit(s.connect_ex(('198.51.100.7', 80)) == 0)"
    assert subprocess.run(["unshare", "-n", sys.executable, "-c", check]).returncode == 0   # really offline
    proc = subprocess.run(["unshare", "-n", sys.executable, "-c", crashkit.RUN, str(raw), str(tmp_path / "wh"), "nowait"],
                          cwd=REPO, env=crashkit.env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    con = connect(tmp_path / "wh")
    assert con.execute("select count(*) from articles").fetchone()[0] == 7
    assert con.execute("select count(*) from rejects").fetchone()[0] == 0
    bodies = " ".join(b for (b,) in con.execute("select body from articles").fetchall())
    assert hostile.SECRET not in bodies and "lollollol" not in bodies
    assert con.execute("select count(*) from features where flesch_reading_ease is not null").fetchone()[0] == 7


def test_manifest_and_records_cannot_reach_outside(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    outside = tmp_path / "outside.txt"
    outside.write_text(hostile.SECRET * 50, encoding="utf-8")
    (raw / "manifest.json").write_text(json.dumps([
        {"file": "../outside.txt", "publisher": "RT"},
        {"file": str(outside), "publisher": "RT"},
        {"file": "/etc/passwd", "url": "file:///etc/passwd"},
    ]), encoding="utf-8")
    (raw / "records.jsonl").write_text(json.dumps({
        "content": "Protesters gathered in Almaty on Wednesday, officials said, and police detained dozens.",
        "url": f"file://{outside}", "source": "../../outside.txt", "title": "../../../etc/passwd",
    }) + "\n", encoding="utf-8")
    wh = tmp_path / "wh"
    run_once(raw, wh)
    con = connect(wh)
    assert con.execute("select count(*) from articles").fetchone()[0] == 6
    assert sorted(s for (s,) in con.execute("select distinct source from article_sources").fetchall()) == sorted(
        p.name for p in raw.iterdir() if p.name != "manifest.json")
    written = [p for p in tmp_path.rglob("*") if p.is_file() and wh not in p.parents and raw not in p.parents]
    assert written == [outside]                                   # nothing written beside the warehouse
    for path in wh.rglob("*"):
        if path.is_file():
            assert hostile.SECRET.encode() not in path.read_bytes()
