"""framewatch's orchestration and storage (the pure work is in transforms/).

Arrow's allocations go to the system allocator (glibc malloc) unless the user chose a
pool with ARROW_DEFAULT_MEMORY_POOL: Arrow's default, mimalloc, kept the memory of freed
tables in every process (the parent staging rows, each worker building its unit's
tables). Measured with bench/memory_profile.py at 12,000 articles (BENCHMARKS.md).
"""
import os

if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    import pyarrow as _pa

    try:
        _pa.set_memory_pool(_pa.system_memory_pool())
    except NotImplementedError:     # a pyarrow build without it: keep its default
        pass
