"""Cost and yield of lexicon matching, old loaded-language file against the current one.

    .venv/bin/python bench/lexicon_cost.py [--old-rev REV] [--n 1000] [--rounds 7]

Both English lexicons are built in one process: the current packaged files, and the same
files with loaded_language.yaml taken from git revision REV (default 3d450c1, via
`git show`; the same file as now unless a later commit changed it).
framing.find_hits runs over the AllSides articles that bench/profile_features.py measures
(the 1,000 after its 200 warm-up articles), old and new interleaved, best of --rounds
(process time). Also printed: load+compile time of each lexicon, loaded-language hits per
article, and the forms the new lexicon adds that hit most often in these articles (what a
user of the pipeline will see).
"""
from __future__ import annotations

import argparse
import collections
import gzip
import itertools
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.extract import extract_file  # noqa: E402
from transforms.framing import find_hits  # noqa: E402
from transforms.lexicon import build_lexicon  # noqa: E402
from transforms.resource_files import load_yaml, parse_yaml, resource_path  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "allsides" / "articles.jsonl.gz"
LOADED = "transforms/resources/lexicons/en/loaded_language.yaml"


def lexicons(old_rev: str):
    folder = resource_path("lexicons", "en")
    docs = {e.name: load_yaml("lexicons", "en", e.name) for e in folder.iterdir() if e.name.endswith(".yaml")}
    old_text = subprocess.run(["git", "-C", str(ROOT), "show", f"{old_rev}:{LOADED}"], check=True,
                              capture_output=True, text=True).stdout
    new_text = (ROOT / LOADED).read_text(encoding="utf-8")
    out = {}
    for label, text in (("old", old_text), ("new", new_text)):
        t = time.process_time()
        d = dict(docs)
        d["loaded_language.yaml"] = parse_yaml(text)
        lex = build_lexicon("en", d)
        out[label] = (lex, time.process_time() - t)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old-rev", default="3d450c1")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--top", type=int, default=60, help="how many added forms to list")
    args = ap.parse_args(argv)
    lines = list(itertools.islice(gzip.open(CORPUS, "rb"), args.n + 200))
    bodies = [a.body for a in extract_file("x.jsonl", b"".join(lines))[200:]]
    lex = lexicons(args.old_rev)
    best = {k: float("inf") for k in lex}
    hits = {}
    for r in range(args.rounds):
        for label in (("old", "new") if r % 2 == 0 else ("new", "old")):
            lx = lex[label][0]
            t = time.process_time()
            res = [find_hits(b, lx) for b in bodies]
            best[label] = min(best[label], time.process_time() - t)
            hits[label] = res
    kb = sum(len(b) for b in bodies) / len(bodies) / 1000
    print(f"{len(bodies)} AllSides articles ({kb:.1f} KB mean), find_hits best of {args.rounds}, "
          f"old = {LOADED} at {args.old_rev}\n")
    print("| lexicon | version | loaded_language forms | all forms | load+compile s | find_hits ms/article | loaded hits/article |")
    print("|---|---|---|---|---|---|---|")
    for label, (lx, t_build) in lex.items():
        n_loaded = sum(1 for t in lx.terms if t.category == "loaded_language")
        loaded = sum(1 for hs in hits[label] for h in hs if h.category == "loaded_language")
        print(f"| {label} | {lx.version.split('+')[4] if '+' in lx.version else lx.version} | {n_loaded} | {len(lx.by_form)} "
              f"| {t_build:.2f} | {1000 * best[label] / len(bodies):.3f} | {loaded / len(bodies):.2f} |")
    old_forms = set(lex["old"][0].by_form)
    added = collections.Counter(" ".join(h.term.lower().split()) for hs in hits["new"] for h in hs
                                if h.category == "loaded_language" and " ".join(h.term.lower().split()) not in old_forms)
    print(f"\nForms the new lexicon adds, by hits in these articles ({sum(added.values())} hits, "
          f"{len(added)} forms): " + ", ".join(f"{w} {c}" for w, c in added.most_common(args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
