#!/usr/bin/env python3
"""Prove the `nightly` deployment in prefect.yaml works on a real Prefect server.

Starts a Prefect server on 127.0.0.1 (a free port, a temporary PREFECT_HOME), creates
the process work pool, runs `prefect deploy --all`, starts a worker, triggers the
deployment on a copy of the sample articles, waits for the run to complete, checks the
warehouse and that the next nightly runs are scheduled at 02:00 UTC, then stops every
process it started (by process group). Exit code 0 means all of that worked.

    .venv/bin/python scripts/schedule_smoke.py [--keep]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from flows.services import BIN, free_port, prefect_env, start, start_prefect_server, stop  # noqa: E402
DEPLOYMENT = "framewatch-nightly/nightly"


def log(msg: str) -> None:
    print(f"[schedule-smoke {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def prefect(*args: str, env: dict, timeout: int = 180) -> str:
    proc = subprocess.run([str(BIN / "prefect"), "--no-prompt", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"prefect {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def api(url: str, path: str, body: dict | None = None) -> object:
    req = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"}, method="POST" if body is not None else "GET")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--timeout", type=int, default=300, help="seconds to wait for the flow run")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="framewatch-smoke-"))
    raw, wh, reports = work / "raw", work / "parquet", work / "reports"
    raw.mkdir()
    for f in (REPO / "data" / "raw").glob("*.txt"):
        shutil.copy(f, raw / f.name)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = prefect_env(work / "prefect-home", port)
    procs: list[subprocess.Popen] = []
    ok = False
    try:
        log(f"starting prefect server on {url}")
        procs.append(start_prefect_server(work / "prefect-home", port, work / "server.log"))
        log("server healthy; creating work pool and deploying prefect.yaml")
        prefect("work-pool", "create", "local-process", "--type", "process", env=env)
        prefect("deploy", "--all", env=env)
        log("starting worker")
        procs.append(start([str(BIN / "prefect"), "worker", "start", "--pool", "local-process", "--type", "process"],
                           work / "worker.log", env, REPO))
        params = {"raw_dir": str(raw), "warehouse_dir": str(wh), "reports_dir": str(reports)}
        out = prefect("deployment", "run", DEPLOYMENT, "--params", json.dumps(params), env=env)
        run_id = next(line.split()[-1] for line in out.splitlines() if "UUID" in line)
        log(f"triggered flow run {run_id}; waiting for it to complete")
        deadline = time.monotonic() + args.timeout
        state = None
        while time.monotonic() < deadline:
            state = api(url, f"/flow_runs/{run_id}")["state"]["type"]
            if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
                break
            time.sleep(2)
        if state != "COMPLETED":
            raise RuntimeError(f"flow run ended in state {state}; see {work / 'worker.log'}")
        import duckdb

        con = duckdb.connect(str(wh / "framewatch.duckdb"), read_only=True)
        n = con.execute("select count(*) from articles").fetchone()[0]
        if n != 5:
            raise RuntimeError(f"warehouse has {n} articles, expected 5")
        log(f"flow run completed; warehouse holds {n} articles")
        deps = api(url, "/deployments/filter", {"deployments": {"name": {"any_": ["nightly"]}}})
        dep_id = deps[0]["id"]
        scheduled = []
        for _ in range(30):  # the scheduler service creates runs shortly after deploy
            runs = api(url, "/flow_runs/filter", {"deployments": {"id": {"any_": [dep_id]}},
                                                  "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}})
            scheduled = sorted(r["expected_start_time"] for r in runs)
            if scheduled:
                break
            time.sleep(2)
        if not scheduled:
            raise RuntimeError("no scheduled runs were created for the nightly deployment")
        for t in scheduled:
            when = dt.datetime.fromisoformat(t.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
            if (when.hour, when.minute) != (2, 0):
                raise RuntimeError(f"scheduled run at {when}, expected 02:00 UTC")
        log(f"{len(scheduled)} scheduled runs, next at {scheduled[0]}")
        ok = True
    finally:
        stop(procs)
        log("stopped server and worker")
        if args.keep or not ok:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    log("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
