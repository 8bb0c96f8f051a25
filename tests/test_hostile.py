"""Hostile and careless input (issue 8): a generated corpus of more than 1,000 bad files
mixed with good ones goes through a real run (process pool, Parquet, DuckDB). Every good
file is processed, every bad file becomes exactly one reject row with a specific
reason, nothing outside the raw folder is read. The heavy variant (200 MB file, 4 GB
gzip bomb, a million records, 10 MB lines) is bench/hostile_corpus.py."""
from __future__ import annotations

import collections
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from flows import runs
from flows.rawstore import RawStore
from flows.storage import Warehouse
from flows.warehouse import connect

from . import hostile
from .conftest import REPO, copy_seeds


def run(raw: Path, wh_dir: Path, workers: int = 2) -> runs.RunSummary:
    wh = Warehouse(wh_dir)
    with wh.lock():
        wh.recover()
        plan = runs.plan_run(raw, wh)
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        for batch in plan.batches(400):
            runs.process_and_stage(writer, str(raw), batch, workers=workers)
        return writer.finish()


def outcomes(wh_dir: Path) -> tuple[dict, dict]:
    con = connect(wh_dir)
    rejects: dict[tuple, list[str]] = collections.defaultdict(list)
    for source, record, reason in con.execute("select source, record, reason from rejects").fetchall():
        rejects[(source, record)].append(reason)
    sources = collections.Counter(s for (s,) in con.execute("select source from article_sources").fetchall())
    return rejects, sources


def check(expect: dict[str, hostile.Expect], rejects: dict, sources: collections.Counter) -> list[str]:
    """Every way the warehouse differs from what each file must become."""
    errors = []
    for rel, e in expect.items():
        file_rejects = rejects.get((rel, None), [])
        if e.ok:
            if sources[rel] != 1 or file_rejects:
                errors.append(f"{rel!r}: expected one article, got {sources[rel]} and rejects {file_rejects}")
        elif e.records is not None:
            got_bad = {rec: rs for (src, rec), rs in rejects.items() if src == rel}
            if sources[rel] != e.records:
                errors.append(f"{rel!r}: expected {e.records} records, got {sources[rel]}")
            if set(got_bad) != set(e.bad_lines) or any(len(rs) != 1 or rs[0] not in e.bad_lines[k]
                                                       for k, rs in got_bad.items()):
                errors.append(f"{rel!r}: bad lines {got_bad} != {e.bad_lines}")
        elif len(file_rejects) != 1 or file_rejects[0] not in e.reasons or sources[rel]:
            errors.append(f"{rel!r}: expected one reject in {sorted(e.reasons)}, got {file_rejects}, {sources[rel]} articles")
    unexpected = {k for k in rejects if k[0] not in expect} | {s for s in sources if s not in expect}
    errors += [f"unexpected rows for {k!r}" for k in sorted(unexpected, key=str)]
    return errors


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    expect = hostile.build(root)
    bad = hostile.bad_name(root / "raw")
    expect[bad] = hostile.reject("bad_filename")
    summary = run(root / "raw", root / "wh")
    return root, expect, summary


def test_more_than_a_thousand_bad_files(hostile_run):
    _, expect, _ = hostile_run
    bad = [e for e in expect.values() if not e.ok and e.records is None]
    assert len(bad) >= 1000
    assert sum(e.ok for e in expect.values()) >= 300


def test_every_good_file_processed_every_bad_file_one_specific_reject(hostile_run):
    root, expect, summary = hostile_run
    rejects, sources = outcomes(root / "wh")
    assert check(expect, rejects, sources) == []
    assert "unknown" not in summary.reject_reasons and summary.files_seen == len(expect)


def test_nothing_outside_the_raw_folder_is_read(hostile_run):
    root, _, _ = hostile_run
    con = connect(root / "wh")
    assert con.execute("select count(*) from articles where body like ? or title like ?",
                       [f"%{hostile.SECRET}%"] * 2).fetchone()[0] == 0
    assert con.execute("select count(*) from articles where body like '%lollol%'").fetchone()[0] == 0
    for path in (root / "wh").rglob("*"):
        if path.is_file():
            assert hostile.SECRET.encode() not in path.read_bytes(), path


def test_a_rerun_changes_nothing(hostile_run, tmp_path):
    root, expect, _ = hostile_run
    wh = tmp_path / "wh"
    shutil.copytree(root / "wh", wh)
    summary = run(root / "raw", wh)
    # nothing is read again: not the articles, not the files rejected unread (same problem)
    assert summary.files_processed == 0 and summary.articles_written == 0
    assert outcomes(wh) == outcomes(root / "wh")


def test_file_replaced_or_deleted_after_discovery(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    wh = Warehouse(tmp_path / "wh")
    names = sorted(p.name for p in raw.iterdir())
    with wh.lock():
        plan = runs.plan_run(raw, wh)
        (raw / names[0]).unlink()                                    # gone before it is read
        (raw / names[1]).write_bytes((raw / names[1]).read_bytes() + b"\nAn update was added later.\n")   # replaced
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        runs.process_and_stage(writer, str(raw), plan.todo)
        writer.finish()
    rejects, sources = outcomes(tmp_path / "wh")
    assert rejects == {(names[0], None): ["disappeared"]}
    con = connect(tmp_path / "wh")
    sha, = con.execute("select s.raw_sha256 from articles a join article_sources s using (article_id) "
                            "where s.source = ?", [names[1]]).fetchone()
    assert sha == RawStore(raw).sha256(names[1])                     # the content actually read, with its own hash
    (raw / names[0]).write_bytes(b"Protesters returned to the square in Almaty on Friday, officials said. " * 5)
    with wh.lock():
        plan = runs.plan_run(raw, wh)
        assert [f.rel for f in plan.todo] == [names[0]]             # a vanished file is tried again
        runs.commit_run(wh, plan, [runs.process_batch(str(raw), plan.todo, plan.run_id)], dt.datetime.now(dt.timezone.utc))
    rejects, sources = outcomes(tmp_path / "wh")
    assert rejects == {} and sources[names[0]] == 1


def test_unreadable_file_is_rejected_as_permission_denied():
    """Runs discovery as an unprivileged user (the tests run as root, who reads anything)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to drop to an unprivileged user")
    top = Path(tempfile.mkdtemp(prefix="fw-perm-", dir="/tmp"))
    try:
        raw = copy_seeds(top / "raw")
        os.chmod(top, 0o755)
        os.chmod(raw, 0o755)
        for p in raw.iterdir():
            os.chmod(p, 0o644)
        secret = sorted(raw.iterdir())[0]
        os.chmod(secret, 0o000)
        (raw / "locked").mkdir()
        (raw / "locked" / "inside.txt").write_text("Protesters gathered in Almaty. " * 20, encoding="utf-8")
        os.chmod(raw / "locked", 0o000)                      # a folder it cannot list: one reject, not silence
        code = "import sys, json; from flows.runs import discover; print(json.dumps([(f.rel, f.problem) for f in discover(sys.argv[1])]))"
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", code, str(raw)],
                             cwd=REPO, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
        assert out.returncode == 0, out.stderr
        got = dict(map(tuple, __import__("json").loads(out.stdout)))
        assert got[secret.name] == "permission_denied" and got["locked"] == "permission_denied"
        assert [v for k, v in got.items() if k not in (secret.name, "locked")] == [None] * 4
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_utf8_jsonl_with_a_broken_line_keeps_the_other_records_intact():
    from transforms.extract import extract_file

    good = '{"content": "Протестующие в Алма-Ате: «мирные» — сказал Tokáyev.", "title": "Qazaqstan"}'.encode()
    out = extract_file("m.jsonl", good + b"\n\xff\xfe\x80 not utf-8\n" + good.replace(b"Qazaqstan", b"Two") + b"\n")
    assert [getattr(o, "reason", "ok") for o in out] == ["ok", "undecodable", "ok"]
    assert out[0].body == "Протестующие в Алма-Ате: «мирные» — сказал Tokáyev." and out[2].title == "Two"


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_a_stuck_or_crashing_file_is_isolated_and_rejected(tmp_path, monkeypatch, method):
    """A file that hangs where the soft time limit cannot interrupt it (signals blocked,
    as in a long C call) or kills its worker process: the pool's watchdog kills the
    pool, runs the unit's files one by one, and rejects just those two; with forked
    workers as with spawned ones."""
    monkeypatch.setattr(runs, "START_METHOD", method)
    raw = copy_seeds(tmp_path / "raw")
    (raw / "stuck.txt").write_bytes((raw / sorted(p.name for p in raw.iterdir())[0]).read_bytes() + b"\nStuck.\n")
    (raw / "crash.txt").write_bytes((raw / sorted(p.name for p in raw.iterdir())[1]).read_bytes() + b"\nCrash.\n")
    runs.shutdown_pools()                       # workers must be spawned with the failpoints set
    monkeypatch.setenv("FRAMEWATCH_FAILPOINT", "file:stuck.txt/hang,file:crash.txt/kill")
    monkeypatch.setattr(runs, "UNIT_HARD_SECONDS", 8.0)
    try:
        run(raw, tmp_path / "wh", workers=2)
    finally:
        runs.shutdown_pools()
    rejects, sources = outcomes(tmp_path / "wh")
    assert rejects == {("stuck.txt", None): ["timeout"], ("crash.txt", None): ["worker_crashed"]}
    assert sorted(sources) == sorted(p.name for p in raw.iterdir() if p.name not in ("stuck.txt", "crash.txt"))
    wh = Warehouse(tmp_path / "wh")
    with wh.lock():                             # a crash may be the machine's fault: tried again next run
        assert [f.rel for f in runs.plan_run(raw, wh).todo] == ["crash.txt"]


def test_soft_time_limit_rejects_a_slow_file(tmp_path, monkeypatch):
    raw = copy_seeds(tmp_path / "raw")
    monkeypatch.setattr(runs, "FILE_SECONDS", 0.0005)     # every file is "too slow"
    run(raw, tmp_path / "wh", workers=1)                  # in-process, main thread: SIGALRM
    rejects, sources = outcomes(tmp_path / "wh")
    assert len(rejects) == 5 and all(v == ["timeout"] for v in rejects.values()) and not sources


def test_legacy_codepage_jsonl_is_still_decoded_whole():
    from transforms.extract import extract_file

    lines = [f'{{"content": "Протестующие вышли на площадь в Алма-Ате, сообщила полиция. Запись {i}."}}' for i in range(3)]
    out = extract_file("ru.jsonl", "\n".join(lines).encode("cp1251"))
    assert [getattr(o, "reason", "ok") for o in out] == ["ok"] * 3 and out[0].body.startswith("Протестующие")


def test_cp1252_jsonl_with_curly_quotes_is_decoded_whole():
    from transforms.extract import extract_file

    lines = [f'{{"content": "Police said {i} people were detained in the square on Monday."}}' for i in range(6)]
    lines += ['{"content": "The minister called them \u201cthugs\u201d on Tuesday, officials said."}'] * 2
    out = extract_file("en.jsonl", "\n".join(lines).encode("cp1252"))
    assert [getattr(o, "reason", "ok") for o in out] == ["ok"] * 8
    assert "\u201cthugs\u201d" in out[-1].body


def test_entry_swapped_after_discovery_for_a_link_out_or_a_fifo(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    outside = tmp_path / "outside.txt"
    outside.write_text(hostile.SECRET * 100, encoding="utf-8")
    names = sorted(p.name for p in raw.iterdir())
    wh = Warehouse(tmp_path / "wh")
    with wh.lock():
        plan = runs.plan_run(raw, wh)
        (raw / names[0]).unlink()
        os.symlink(outside, raw / names[0])                          # now a link out of the folder
        (raw / names[1]).unlink()
        os.mkfifo(raw / names[1])                                    # now a FIFO: reading would block
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        runs.process_and_stage(writer, str(raw), plan.todo)
        writer.finish()
    rejects, sources = outcomes(tmp_path / "wh")
    assert rejects == {(names[0], None): ["permission_denied"], (names[1], None): ["unreadable"]}
    assert sorted(sources) == names[2:]
    assert connect(tmp_path / "wh").execute("select count(*) from articles where body like ?",
                                            [f"%{hostile.SECRET}%"]).fetchone()[0] == 0
