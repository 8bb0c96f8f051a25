#!/usr/bin/env python3
"""Where the per-article time goes, beside a baseline measured in the same run.

    .venv/bin/python bench/profile_features.py [--n 1000] [--rounds 3] [--baseline REV] [--warmup 200]
    .venv/bin/python bench/profile_features.py --cprofile [--n 1000]

Reads AllSides articles, warms every cache on the first --warmup (200), then runs analyze_article
on the next N, alternating the current code and the baseline (transforms/ of git
revision REV, extracted with `git archive` and imported as another package) in one
process, for --rounds rounds each. Every stage function the pipeline calls is wrapped
with a timer; a stage's time is its own (exclusive) CPU time: a stage called inside
another one (find_hits inside the headline features) counts for itself only. "first
pass" is round 1 (the measured articles are new to the word caches, which only saw the
warm-up articles); "warm" is the best of the later rounds (every word, and the sentences
tone's small cache still holds, cached): a lower bound. A worker deep into a large batch
sees new articles with most of their words cached: round 1 after a long warm-up
(--warmup 6000) measures that state. Outputs of both versions are compared
(to_json with analysis) on every measured article.

--cprofile instead prints cProfile's cumulative times of the current code (profiled,
so ~2x slower than real).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import gzip
import importlib
import io
import itertools
import json
import platform
import pstats
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
BASELINE = "3d47de0"   # the last commit before the per-article speed-ups (issue 5)

# stage -> (module, attribute) of every function analyze_article reaches that we time;
# a missing attribute (a helper one version does not have) is skipped.
STAGES: list[tuple[str, str, str]] = [
    ("language id", "pipeline", "detect_language"),
    ("sentences + quote spans", "framing", "sentence_spans"),
    ("sentences + quote spans", "framing", "quote_spans"),
    ("sentences + quote spans", "hedges", "quotation_spans"),
    ("sentences + quote spans", "hedges", "sentence_bounds"),
    ("lexicon hits", "framing", "find_hits"),
    ("outlets (resolve)", "outlets", "resolve"),
    ("paraphrase score", "paraphrase", "paraphrase_score"),
    ("readability", "readability", "readability"),
    ("tone", "tone", "tone_features"),
    ("tone", "tone", "compound"),
    ("modifiers", "modifiers", "find_modifiers"),
    ("hedges", "hedges", "find_hedges"),
    ("quotes", "quotes", "find_quotes"),
    ("quotes", "quotes", "quote_stats"),
    ("figures", "figures", "find_figures"),
]


class Timers:
    def __init__(self) -> None:
        self.total: dict[str, float] = {}
        self.stack: list[list[float]] = []   # [start, time spent in nested stages]

    def wrap(self, name: str, fn):
        clock = time.process_time
        total, stack = self.total, self.stack

        def timed(*args, **kwargs):
            frame = [clock(), 0.0]
            stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                stack.pop()
                spent = clock() - frame[0]
                total[name] = total.get(name, 0.0) + spent - frame[1]
                if stack:
                    stack[-1][1] += spent

        timed.__wrapped__ = fn
        for attr in ("cache_info", "cache_clear"):
            if hasattr(fn, attr):
                setattr(timed, attr, getattr(fn, attr))
        return timed


def instrument(pkg: str) -> Timers:
    """Wrap each stage function everywhere the package refers to it (its own module and
    every module that imported it by name)."""
    timers = Timers()
    importlib.import_module(f"{pkg}.pipeline")
    modules = [m for name, m in list(sys.modules.items()) if name.startswith(pkg + ".") and m is not None]
    for stage, mod, attr in STAGES:
        fn = getattr(importlib.import_module(f"{pkg}.{mod}"), attr, None)
        if fn is None:
            continue
        timed = timers.wrap(stage, fn)
        for module in modules:
            if getattr(module, attr, None) is fn:
                setattr(module, attr, timed)
    return timers


def baseline_package(rev: str, tmp: Path) -> str:
    """transforms/ of `rev` as the package transforms_baseline under `tmp`."""
    data = subprocess.run(["git", "-C", str(REPO), "archive", rev, "transforms"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(tmp, filter="data")
    (tmp / "transforms").rename(tmp / "transforms_baseline")
    sys.path.insert(0, str(tmp))
    return "transforms_baseline"


def clear_shared_caches() -> None:
    import pyphen
    import wordfreq

    for hd in pyphen.hdcache.values():
        hd.cache.clear()
    wordfreq._wf_cache.clear()


def cprofile_main(arts, warmup: int) -> int:
    from transforms.pipeline import analyze_article, default_context

    ctx = default_context()
    for a in arts[:warmup]:
        analyze_article(a, ctx)
    arts = arts[warmup:]
    prof = cProfile.Profile()
    prof.enable()
    t = time.perf_counter()
    for a in arts:
        analyze_article(a, ctx)
    elapsed = time.perf_counter() - t
    prof.disable()
    print(f"analyze_article: {1000 * elapsed / len(arts):.2f} ms/article (profiled), {len(arts)} articles")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(r"transforms/|py3langid|vader|wordfreq", 25)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", default=BASELINE, help="git revision to compare with")
    ap.add_argument("--warmup", type=int, default=200, help="articles analysed before the measured ones")
    ap.add_argument("--cprofile", action="store_true")
    args = ap.parse_args()
    from transforms.extract import extract_file

    lines = list(itertools.islice(gzip.open(CORPUS, "rb"), args.n + args.warmup))
    arts = extract_file("x.jsonl", b"".join(lines))
    if args.cprofile:
        return cprofile_main(arts, args.warmup)

    with tempfile.TemporaryDirectory() as tmp:
        versions = {"current": "transforms", f"baseline {args.baseline}": baseline_package(args.baseline, Path(tmp))}
        run = {}
        for label, pkg in versions.items():
            pipeline = importlib.import_module(f"{pkg}.pipeline")
            run[label] = (pipeline, pipeline.default_context(), instrument(pkg))
        measured = arts[args.warmup:]
        first: dict[str, dict[str, float]] = {}
        warm: dict[str, dict[str, float]] = {}
        outputs: dict[str, list[str]] = {}
        for r in range(args.rounds):
            order = list(run.items())
            for label, (pipeline, ctx, timers) in (order if r % 2 == 0 else order[::-1]):
                if r == 0:
                    # third-party word caches both versions share (pyphen, wordfreq) start
                    # empty for each: the version run second would find them filled
                    clear_shared_caches()
                    for a in arts[:args.warmup]:
                        pipeline.analyze_article(a, ctx)
                timers.total.clear()
                gc.collect()
                gc.freeze()   # the caches of both versions: not rescanned by every collection
                results = []
                t = time.process_time()
                for a in measured:
                    results.append(pipeline.analyze_article(a, ctx))
                elapsed = time.process_time() - t
                stages = dict(timers.total)
                stages["other (pipeline, rows, hit counts)"] = elapsed - sum(stages.values())
                stages["total"] = elapsed
                ms = {k: 1000 * v / len(measured) for k, v in stages.items()}
                if r == 0:
                    first[label] = ms
                    outputs[label] = [pipeline.to_json(x, True) for x in results]
                else:
                    best = warm.setdefault(label, ms)
                    if ms["total"] <= best["total"]:
                        warm[label] = ms

    cur, base = versions
    mean_kb = sum(len(a.body.encode()) for a in measured) / len(measured) / 1024
    # fields the baseline's JSON has (later commits may add fields; those are listed)
    same = sum(all(json.dumps(x.get(k), default=str) == json.dumps(y[k], default=str) for k in y)
               for x, y in zip(outputs[cur], outputs[base]))
    added = sorted(set().union(*(set(x) - set(y) for x, y in zip(outputs[cur], outputs[base]))))
    print(f"# per-article features: {len(measured)} AllSides articles (mean {mean_kb:.2f} KB) after {args.warmup} warm-up, "
          f"one process, CPU time; python {platform.python_version()}")
    print(f"command: python bench/profile_features.py --n {args.n} --rounds {args.rounds} --baseline {args.baseline}"
          + (f" --warmup {args.warmup}" if args.warmup != 200 else "") + "\n")
    names = [s for s in dict.fromkeys([s for s, _, _ in STAGES] + ["other (pipeline, rows, hit counts)", "total"])]
    cols = [("first pass", first)] + ([("warm", warm)] if warm else [])
    head = " | ".join(f"{c} {lab} ms" for c, _ in cols for lab in ("baseline", "current"))
    print(f"| stage | {head} | ratio warm |" if warm else f"| stage | {head} |")
    print("|---|" + "---:|" * (2 * len(cols) + (1 if warm else 0)))
    for name in names:
        cells = []
        for _, table in cols:
            cells += [f"{table[base].get(name, 0.0):.3f}", f"{table[cur].get(name, 0.0):.3f}"]
        row = f"| {'**total**' if name == 'total' else name} | " + " | ".join(cells)
        if warm:
            b, c = warm[base].get(name, 0.0), warm[cur].get(name, 0.0)
            row += f" | {b / c:.2f}x" if c > 0.0005 else " | "
        print(row + " |")
    scale = 6 / mean_kb
    for c, table in cols:
        print(f"\n{c}: total per 6 KB article: baseline {table[base]['total'] * scale:.2f} ms, "
              f"current {table[cur]['total'] * scale:.2f} ms ({table[base]['total'] / table[cur]['total']:.2f}x)")
    print(f"identical outputs (to_json with analysis, every field of the baseline's JSON): {same} of {len(measured)}"
          + (f"; fields added since the baseline: {', '.join(added)}" if added else ""))
    return 0 if same == len(measured) else 1


if __name__ == "__main__":
    sys.exit(main())
