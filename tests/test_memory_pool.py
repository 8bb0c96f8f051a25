"""Arrow's memory pool: the system allocator for every framewatch process (flows/__init__),
unless the user picked one (ARROW_DEFAULT_MEMORY_POOL)."""
import os
import subprocess
import sys

from .conftest import REPO

PROBE = "import flows.runs, pyarrow as pa; print(pa.default_memory_pool().backend_name)"


def _pool(**env):
    environ = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, env={**environ, **env},
                          capture_output=True, text=True, check=True).stdout.strip()


def test_framewatch_processes_use_the_system_allocator():
    assert _pool() == "system"


def test_the_users_choice_is_kept():
    assert _pool(ARROW_DEFAULT_MEMORY_POOL="jemalloc") == "jemalloc"
