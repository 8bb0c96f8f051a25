"""Start and stop the services a real deployment uses (Prefect server, Dask scheduler
and workers) on 127.0.0.1, for the smoke script and the tests. Every process starts
in its own session, so stop() ends it and its children by process group."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent

# A Prefect server sends usage telemetry to Prefect at its start unless told not to (and
# Prefect's import may, unless DO_NOT_TRACK): a network call at run time, an ERROR line in
# every offline run. The CLI and `python -m flows.nightly` default to these (a value the
# user set is kept); prefect_env, for the smoke script and the tests, sets them.
OFFLINE = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


def offline_defaults() -> None:
    """Default this process' environment (and its children's) to OFFLINE; a value the
    user set is kept."""
    for key, value in OFFLINE.items():
        os.environ.setdefault(key, value)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefect_env(home: Path, port: int) -> dict[str, str]:
    """Environment for talking to a Prefect server on 127.0.0.1:port, quiet and offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(OFFLINE)
    env.update(PREFECT_HOME=str(home), PREFECT_API_URL=f"http://127.0.0.1:{port}/api", PREFECT_LOGGING_LEVEL="WARNING",
               PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(port))
    return env


def start(args: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen:
    return subprocess.Popen(args, cwd=cwd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def start_prefect_server(home: Path, port: int, log: Path, timeout: float = 120) -> subprocess.Popen:
    env = prefect_env(home, port)
    proc = start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)], log, env, home.parent)
    wait_http(f"http://127.0.0.1:{port}/api/health", proc, timeout)
    return proc


def start_dask(port: int, workers: int, folder: Path, timeout: float = 60) -> list[subprocess.Popen]:
    """A `dask scheduler` and `workers` single-threaded `dask worker` processes."""
    env = dict(os.environ, DASK_TEMPORARY_DIRECTORY=str(folder / "dask-scratch"))
    procs = [start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                    "--dashboard-address", f"127.0.0.1:{free_port()}"], folder / "dask-scheduler.log", env)]
    wait_tcp(port, procs[0], timeout)
    for i in range(workers):
        procs.append(start([str(BIN / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nthreads", "1",
                            "--nworkers", "1", "--host", "127.0.0.1", "--dashboard-address", f"127.0.0.1:{free_port()}"],
                           folder / f"dask-worker-{i}.log", env))
    return procs


def wait_http(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not healthy after {timeout}s")


def wait_tcp(port: int, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def stop(procs: list[subprocess.Popen]) -> None:
    """SIGTERM each process group (last started first), SIGKILL what is left after 20 s."""
    for p in reversed(procs):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for p in reversed(procs):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=10)
