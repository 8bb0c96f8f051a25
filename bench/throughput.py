#!/usr/bin/env python3
"""Throughput, memory and incremental cost of a full run, beside baselines measured in
the same run.

    .venv/bin/python bench/throughput.py [--limit N] [--replicas 4] [--workers 2]

Measures, on ../shared/corpora/allsides/articles.jsonl.gz (12,000 articles):
  floor      read + gunzip + JSON decode + one regex tokenising pass (no features)
  naive      per article: textstat's 9 functions + one regex per lexicon form
             (the way a first script would do it), on a sample, extrapolated; in a
             process of its own, so that its loads are not in the pipeline's workers
  pipeline   the real run steps (plan, process batches with the process pool straight
             into staging as the flow does, commit),
             without Prefect's fixed start, which `--prefect-only` measures on its own
  replicas   the same run on the corpus replicated N times (distinct ids), for memory
  increment  a second run after adding 1% new articles, vs the full run
Each of the three runs is a fresh process, as a nightly run is (before session 11 they
shared this one: the increment and the replicated run reused the first run's warm workers).
Peak memory is the max of the summed RSS of the parent and its worker processes, and of
their summed PSS (read from /proc every 50 ms).
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
TOKEN = re.compile(r"\w+(?:[-'’]\w+)*")


_SAMPLER = r"""
import os, select, sys
parent, me = int(sys.argv[1]), os.getpid()
peak = peak_pss = 0

def field(path, key):
    try:
        for line in open(path):
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0

cpu = {}   # child pid -> CPU seconds (utime + stime), the last value seen before it exited
tick = os.sysconf("SC_CLK_TCK")
while not select.select([sys.stdin], [], [], 0.05)[0]:
    try:
        pids = [parent] + [int(p) for p in open(f"/proc/{parent}/task/{parent}/children").read().split()]
    except OSError:
        pids = [parent]
    pids = [p for p in pids if p != me]
    peak = max(peak, sum(field(f"/proc/{p}/status", "VmRSS:") for p in pids))
    peak_pss = max(peak_pss, sum(field(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids))
    for p in pids[1:]:
        try:
            f = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            cpu[p] = max(cpu.get(p, 0.0), (int(f[11]) + int(f[12])) / tick)
        except (OSError, IndexError, ValueError):
            pass
print(peak, peak_pss, " ".join(f"{c:.2f}" for c in cpu.values()))
"""


class PeakRSS:
    """Samples the summed RSS of this process and its children every 50 ms, and their
    summed PSS (proportional set size: a page shared by three processes, such as the
    Python and Arrow libraries, counts a third in each, so the sum is the memory really
    used; summed RSS counts shared pages once per process). The sampler is a process of
    its own, not a thread: a thread would make the pipeline's process multi-threaded, and
    its pool workers would be spawned instead of forked (see flows.runs.start_method)."""

    def __init__(self) -> None:
        self.peak = 0
        self.peak_pss = 0

    def __enter__(self) -> "PeakRSS":
        self._proc = subprocess.Popen([sys.executable, "-c", _SAMPLER, str(os.getpid())],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self._proc.communicate("stop\n")
        fields = out.split()
        self.peak, self.peak_pss = int(fields[0]), int(fields[1])
        self.child_cpu = sorted((float(c) for c in fields[2:]), reverse=True)   # CPU s of each child process


def make_corpus(folder: Path, limit: int | None, replicas: int) -> int:
    """Write the corpus (or `replicas` copies with distinct bodies) as one JSONL.gz."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    with gzip.open(CORPUS, "rt", encoding="utf-8") as src, gzip.open(folder / "articles.jsonl.gz", "wt", encoding="utf-8", compresslevel=3) as out:
        lines = [line for _, line in zip(range(limit or 10**9), src)]
        for r in range(replicas):
            for line in lines:
                rec = json.loads(line)
                if r:
                    rec["content_original"] = f"[copy {r}] " + rec["content_original"]
                out.write(json.dumps(rec) + "\n")
                n += 1
    return n


def floor(path: Path) -> float:
    t = time.perf_counter()
    n = 0
    with gzip.open(path, "rb") as fh:
        for line in fh:
            body = json.loads(line)["content_original"]
            n += len(TOKEN.findall(body))
    return time.perf_counter() - t


def naive(texts: list[str]) -> float:
    """Seconds per article the naive way: textstat's functions + one regex per form."""
    import textstat

    from transforms.lexicon import load_lexicon
    from transforms.readability import use_offline_cmudict

    use_offline_cmudict()
    forms = list(load_lexicon("en").by_form)
    regexes = [re.compile(r"\b" + re.escape(f) + r"\b", re.IGNORECASE) for f in forms]
    t = time.perf_counter()
    for text in texts:
        for fn in (textstat.lexicon_count, textstat.sentence_count, textstat.syllable_count,
                   textstat.flesch_reading_ease, textstat.flesch_kincaid_grade, textstat.gunning_fog,
                   textstat.smog_index, textstat.dale_chall_readability_score):
            fn(text)
        textstat.text_standard(text, float_output=True)
        for rx in regexes:
            rx.findall(text)
    return (time.perf_counter() - t) / len(texts)


def naive_in_subprocess(path: Path, n: int) -> float:
    """naive() on the corpus' first `n` articles, in a child process of its own: its loads
    (textstat's cmudict, a compiled regex per lexicon form) must not be in this process when
    it forks the pipeline's workers, which would start with a copy of them (framewatch run's
    parent never holds them)."""
    out = subprocess.run([sys.executable, __file__, "--naive-only", str(path), "--naive-sample", str(n)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.split()[-1])


def pipeline(raw: Path, wh_dir: Path, workers: int, batch_size: int = 250) -> dict:
    from flows import runs
    from flows.storage import Warehouse

    wh = Warehouse(wh_dir)
    timings = {}
    with PeakRSS() as rss, wh.lock():
        t0 = time.perf_counter()
        plan = runs.plan_run(raw, wh)
        t1 = time.perf_counter()
        writer = runs.RunWriter(wh, plan, dt.datetime.now(dt.timezone.utc))
        for b in plan.batches(batch_size):       # what the nightly flow does, minus Prefect
            runs.process_and_stage(writer, str(raw), b, workers)
        t2 = time.perf_counter()
        summary = writer.finish()
        t3 = time.perf_counter()
    timings.update(plan=t1 - t0, process=t2 - t1, commit=t3 - t2, total=t3 - t0,
                   articles=summary.articles_written, peak_rss_mb=rss.peak / 2**20, peak_pss_mb=rss.peak_pss / 2**20,
                   child_cpu=rss.child_cpu)
    return timings


def pipeline_in_subprocess(raw: Path, wh_dir: Path, workers: int) -> dict:
    """pipeline() in a fresh process, as a nightly run is: nothing of an earlier run (its
    pool's workers and their warm caches, the parent's loads) is in the measurement. The
    imports come before the clock starts; loading the packaged data and forking and warming
    the workers are inside it."""
    proc = subprocess.run([sys.executable, __file__, "--pipeline-only", str(raw), str(wh_dir), "--workers", str(workers)],
                          capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"the pipeline's process failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.splitlines()[-1])


def prefect_fixed_cost(repeat: int = 2) -> list[float]:
    """Seconds of `framewatch run` on an empty raw folder: the temporary Prefect server's
    start and stop plus the flow's bookkeeping, i.e. what every run pays before any work."""
    import subprocess

    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "raw").mkdir()
            env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
            env.update(PREFECT_HOME=str(Path(tmp) / "home"), PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
                       PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", PREFECT_LOGGING_LEVEL="WARNING")
            t = time.perf_counter()
            subprocess.run([str(Path(sys.executable).with_name("framewatch")), "run", "--raw", f"{tmp}/raw",
                            "--warehouse", f"{tmp}/wh", "--reports", f"{tmp}/rep"], env=env, check=True,
                           capture_output=True)
            times.append(time.perf_counter() - t)
    return times


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefect-only", action="store_true", help="only measure Prefect's fixed cost per run")
    ap.add_argument("--limit", type=int, default=None, help="articles from the corpus (default all 12,000)")
    ap.add_argument("--replicas", type=int, default=4)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--naive-sample", type=int, default=300)
    ap.add_argument("--keep", type=Path, default=None, help="build in this folder and keep the warehouses")
    ap.add_argument("--naive-only", type=Path, default=None, help=argparse.SUPPRESS)   # naive_in_subprocess's child
    ap.add_argument("--pipeline-only", type=Path, nargs=2, default=None, help=argparse.SUPPRESS)   # (raw, warehouse)
    args = ap.parse_args()
    if args.naive_only:
        with gzip.open(args.naive_only, "rt") as fh:
            sample = [json.loads(l)["content_original"] for _, l in zip(range(args.naive_sample), fh)]
        print(naive(sample))
        return 0
    if args.pipeline_only:
        from flows import runs  # noqa: F401  (imported before the clock starts, as in any run)

        print(json.dumps(pipeline(*args.pipeline_only, args.workers)))
        return 0
    if args.prefect_only:
        times = prefect_fixed_cost()
        print(f"Prefect fixed cost per run (`framewatch run` on an empty folder, temporary server, fresh "
              f"PREFECT_HOME): {', '.join(f'{t:.1f} s' for t in times)}")
        return 0
    if not CORPUS.exists():
        print(f"corpus missing: {CORPUS}")
        return 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="framewatch-bench-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    try:
        n = make_corpus(work / "raw1", args.limit, 1)
        t_floor = floor(work / "raw1" / "articles.jsonl.gz")
        t_naive = naive_in_subprocess(work / "raw1" / "articles.jsonl.gz", args.naive_sample)
        full = pipeline_in_subprocess(work / "raw1", work / "wh1", args.workers)
        from flows.warehouse import connect

        con = connect(work / "wh1")
        resolved, paraphrased, total = con.execute(
            "select count(publisher), count(*) filter (where provenance = 'paraphrased'), count(*) from articles").fetchone()
        con.close()
        # increment: 1% new articles in a second file
        extra = max(1, n // 100)
        with gzip.open(CORPUS, "rt") as src, open(work / "raw1" / "new.jsonl", "w") as out:
            for _, line in zip(range(extra), src):
                rec = json.loads(line)
                rec["content_original"] = "[new] " + rec["content_original"]
                out.write(json.dumps(rec) + "\n")
        inc = pipeline_in_subprocess(work / "raw1", work / "wh1", args.workers)
        rep_n = make_corpus(work / "rawN", args.limit, args.replicas)
        rep = pipeline_in_subprocess(work / "rawN", work / "whN", args.workers)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    rate = n / (full["plan"] + full["process"] + full["commit"])
    print(f"# throughput: {n} AllSides articles, {args.workers} workers, {os.cpu_count()} cores, python {sys.version.split()[0]}")
    print(f"command: python bench/throughput.py {' '.join(sys.argv[1:])}\n")
    print("| measurement | seconds | articles/s | ms/article | vs pipeline |")
    print("|---|---:|---:|---:|---:|")
    ms = 1000 * full["total"] / n
    print(f"| floor: read + gunzip + JSON + one tokenising pass | {t_floor:.1f} | {n / t_floor:.0f} | {1000 * t_floor / n:.2f} | {t_floor / full['total']:.2f}x |")
    print(f"| naive: textstat + one regex per form, 1 core ({args.naive_sample}-article sample, own process) | {t_naive * n:.1f} (est.) | {1 / t_naive:.0f} | {1000 * t_naive:.2f} | {t_naive * n / full['total']:.1f}x |")
    print(f"| NELA-style published cost (>= 277 ms/article) | {0.277 * n:.0f} (est.) | 3.6 | 277 | {0.277 * n / full['total']:.0f}x |")
    print(f"| **pipeline, all features** (plan {full['plan']:.1f} + process {full['process']:.1f} + commit {full['commit']:.1f}) | {full['total']:.1f} | {rate:.0f} | {ms:.2f} | 1.00x |")
    print(f"| increment: +{extra} new articles (1%) | {inc['total']:.1f} | | | {inc['total'] / full['total']:.3f}x |")
    print()
    print(f"outlet resolution on the full run: publisher found for {resolved}/{total} = {resolved / total:.2%}; "
          f"flagged paraphrased {paraphrased}/{total} = {paraphrased / total:.2%}\n")
    print("| corpus | articles | peak RSS (parent + workers) | peak PSS (parent + workers) |")
    print("|---|---:|---:|---:|")
    print(f"| 1x | {n} | {full['peak_rss_mb']:.0f} MB | {full['peak_pss_mb']:.0f} MB |")
    print(f"| {args.replicas}x replicated | {rep_n} | {rep['peak_rss_mb']:.0f} MB ({rep['peak_rss_mb'] / full['peak_rss_mb']:.2f}x); "
          f"{rep_n / rep['total']:.0f} articles/s | {rep['peak_pss_mb']:.0f} MB ({rep['peak_pss_mb'] / full['peak_pss_mb']:.2f}x) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
