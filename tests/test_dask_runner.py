"""Scale out: the flow's batch tasks on a real Dask cluster (a `dask scheduler` and two
`dask worker` processes on 127.0.0.1) with a real Prefect server; the warehouse must
equal the local run's."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from flows import services
from flows.warehouse import connect

from .conftest import SEEDS, copy_seeds

pytestmark = pytest.mark.e2e
EXE = str(Path(sys.executable).with_name("framewatch"))
TABLES = {"articles": "article_id", "term_hits": "article_id, start", "figures": "article_id, start",
          "quotes": "article_id, start, kind", "features": "article_id", "stories": "article_id"}


def _content(wh):
    con = connect(wh)
    out = {}
    for table, key in TABLES.items():
        cols = [c for c in con.execute(f"select * from {table} limit 0").fetchdf().columns if c != "run_id"]
        quoted = ", ".join('"' + c + '"' for c in cols)
        out[table] = con.execute(f"select {quoted} from {table} order by {key}").fetchall()
    return out


def test_dask_cluster_run_equals_local_run(tmp_path):
    raw = copy_seeds(tmp_path / "raw")
    (raw / "recs.jsonl").write_text("\n".join(json.dumps({"content": f"Protesters and police in Almaty, day {i}. "
                                                                    "Over 300 people were detained.", "source": "Reuters"})
                                              for i in range(12)) + "\n", encoding="utf-8")
    procs = []
    try:
        port, dport = services.free_port(), services.free_port()
        (tmp_path / "home").mkdir()
        procs.append(services.start_prefect_server(tmp_path / "home", port, tmp_path / "server.log"))
        procs += services.start_dask(dport, 2, tmp_path)
        env = services.prefect_env(tmp_path / "home", port)
        common = ["--raw", raw, "--batch-size", "2", "--dask-batch-mb", "0"]   # 9 small batches: many tasks
        dask = subprocess.run([EXE, "run", *common, "--warehouse", tmp_path / "wh-dask", "--reports", tmp_path / "rep-dask",
                               "--runner", "dask", "--dask-address", f"tcp://127.0.0.1:{dport}"],
                              env=env, capture_output=True, text=True, timeout=400)
        assert dask.returncode == 0, dask.stdout[-3000:] + dask.stderr[-3000:]
        local = subprocess.run([EXE, "run", *common, "--warehouse", tmp_path / "wh-local", "--reports", tmp_path / "rep-local"],
                               env=env, capture_output=True, text=True, timeout=400)
        assert local.returncode == 0, local.stderr[-3000:]
        # the LocalCluster option: no address, the run starts (and stops) a cluster of its own
        cluster = subprocess.run([EXE, "run", *common, "--warehouse", tmp_path / "wh-lc", "--reports", tmp_path / "rep-lc",
                                  "--runner", "dask"], env=env, capture_output=True, text=True, timeout=400)
        assert cluster.returncode == 0, cluster.stdout[-3000:] + cluster.stderr[-3000:]
        # a batch whose task kills its Dask worker (every time: KilledWorker) fails alone: the
        # others are committed, its files become batch_failed rejects saying why, the run exits 1;
        # ... and one that hangs is given up after --dask-timeout: the same, its reason said
        # (the stuck file sorts first: its batch is waited for first, the others once the
        # deadline has passed, and they are done)
        # (the crash's deadline is long: its worker is restarted and killed again until Dask gives
        # up, which took more than 15 s on a loaded machine; a short one is only for the hang)
        for name, action, why, mate, limit in [
                ("crash", "kill", "KilledWorker: ", SEEDS["spun"], "240"),
                ("0-stuck", "hang", "not finished within the run's 15 s", SEEDS["rt"], "15")]:
            raw_bad = copy_seeds(tmp_path / f"raw-{name}")
            (raw_bad / f"{name}.txt").write_text("Protesters gathered in Almaty on Wednesday, police said.\n")
            failing = subprocess.run([EXE, "run", "--raw", raw_bad, "--batch-size", "2", "--dask-batch-mb", "0",
                                      "--warehouse", tmp_path / f"wh-{name}", "--reports", tmp_path / f"rep-{name}",
                                      "--runner", "dask", "--dask-timeout", limit],
                                     # Dask gives a task that kills its worker up to 3 more tries, each a
                                     # worker's restart (~4 s here): one is enough to show the outcome
                                     env={**env, "FRAMEWATCH_FAILPOINT": f"file:{name}.txt/{action}",
                                          "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"},
                                     capture_output=True, text=True, timeout=400)
            assert failing.returncode == 1, failing.stdout[-3000:] + failing.stderr[-3000:]
            message = failing.stderr.strip().splitlines()[-1]
            assert message.startswith("framewatch: 1 of 3 batches failed (committed the rest") and why in message
            assert "rejected 2 × batch_failed" in failing.stdout      # the summary of what was committed
            con = connect(tmp_path / f"wh-{name}")
            rejects = con.execute("select source, reason, detail from rejects order by source").fetchall()
            assert sorted((source, reason) for source, reason, _ in rejects) == sorted(
                [(mate, "batch_failed"), (f"{name}.txt", "batch_failed")])
            assert all(detail.startswith("the batch's task failed: " + why) for _, _, detail in rejects)
            assert con.execute("select count(*) from articles").fetchone()[0] == 4
            con.close()
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{dport}", timeout=30) as client:
            done = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.transition_counter)
            assert done >= 9, "the batch tasks did not run on the Dask cluster"  # 9 batches of 2 files
    finally:
        services.stop(procs)
    a, b, c = _content(tmp_path / "wh-dask"), _content(tmp_path / "wh-local"), _content(tmp_path / "wh-lc")
    assert len(a["articles"]) == 17
    for table in TABLES:
        assert a[table] == b[table] == c[table], table
