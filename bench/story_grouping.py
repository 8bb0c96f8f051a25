"""Story grouping measured on true same-story sets, and its cost on a whole warehouse.

1. AllSides roundups (../shared/corpora/allsides-roundups): each roundup is one story told
   by a left, a center and a right outlet. We run `assign_stories` over every article
   (title + excerpt + roundup date) and compute pairwise precision/recall: a pair is
   predicted-positive when both articles land in one story, truly positive when both come
   from one roundup. Parameters are tuned on even roundup ids only; odd ids are held out.
2. The same, with the dated AllSides articles (10,702 of 12,000) mixed in as distractors
   (dates moved to 2021, same month and day): a warehouse is mostly articles with
   no partner. Precision/recall are over roundup pairs; "cross-year pairs" counts pairs of
   distractors put in one story although they come from different years (certainly wrong;
   a lower bound on the false merges among distractors).
3. AllSides articles (../shared/corpora/allsides, 12,000 full texts, 2012-2020): time and
   story-size distribution, because the nightly run recomputes stories over everything.

Run: .venv/bin/python bench/story_grouping.py [--tune]
"""
from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from transforms import lineage  # noqa: E402
from transforms.lineage import StoryInput  # noqa: E402

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
ROUNDUPS = CORPORA / "allsides-roundups" / "headline_11_2021-10-19_crawled_all.jsonl"
ARTICLES = CORPORA / "allsides" / "articles.jsonl.gz"


_URL_DATE = re.compile(r"/(20\d\d)[/-](\d\d)[/-](\d\d)/")


def load_roundups() -> tuple[list[StoryInput], dict[str, int]]:
    """Every article of every roundup; truth maps article id -> roundup id. An article's date
    is the one in its URL when there is one (568 of 1,479; 30% of those differ from the
    roundup's date), else the roundup's date."""
    items, truth = [], {}
    for line in ROUNDUPS.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        roundup_day = dt.date.fromisoformat(r["date"][:10])
        for side, a in sorted(r["news"].items()):
            aid = f"{r['id']}-{side}"
            m = _URL_DATE.search(a.get("newsLink") or "")
            day = dt.date(*map(int, m.groups())) if m else roundup_day
            items.append(StoryInput(aid, a.get("newsTitle"), "\n".join(a.get("newBody") or []), day))
            truth[aid] = int(r["id"])
    return items, truth


def pair_scores(pred: dict[str, str], truth: dict[str, int]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall (counting pairs by group sizes, no pair enumeration)."""
    def pairs(groups: dict) -> set[tuple[str, str]]:
        by: dict = defaultdict(list)
        for a, g in groups.items():
            by[g].append(a)
        return {tuple(sorted(p)) for m in by.values() for p in itertools.combinations(m, 2)}
    p, t = pairs(pred), pairs(truth)
    tp = len(p & t)
    return tp / max(len(p), 1), tp / max(len(t), 1), len(p), len(t)


def evaluate(items: list[StoryInput], truth: dict[str, int], **kw) -> tuple[float, float, int, int]:
    return pair_scores(lineage.assign_stories(items, **kw), truth)


def split(items: list[StoryInput], truth: dict[str, int], parity: int) -> tuple[list[StoryInput], dict[str, int]]:
    sub = [i for i in items if truth[i.article_id] % 2 == parity]
    return sub, {i.article_id: truth[i.article_id] for i in sub}


def load_articles() -> list[StoryInput]:
    items = []
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            try:
                day = dt.date.fromisoformat(r["date"])
            except ValueError:
                day = None
            items.append(StoryInput(r["ID"], r["title"], r["content_original"], day))
    return items


def _in_2021(day: dt.date) -> dt.date:
    try:
        return day.replace(year=2021)
    except ValueError:   # 29 February
        return day.replace(year=2021, day=28)


def with_distractors(items: list[StoryInput], truth: dict[str, int],
                     arts: list[StoryInput]) -> tuple[float, float, int, int]:
    """Roundup pairwise P/R with the AllSides articles mixed in; distractor pairs in one
    story, and how many of those pair articles from different years."""
    noise = [StoryInput("n:" + a.article_id, a.title, a.body, _in_2021(a.published)) for a in arts if a.published]
    year = {n.article_id: a.published.year for n, a in zip(noise, (a for a in arts if a.published))}
    pred = lineage.assign_stories(items + noise)
    p, r, *_ = pair_scores({a: pred[a] for a in truth}, truth)
    by: dict[str, Counter] = defaultdict(Counter)
    for a, y in year.items():
        by[pred[a]][y] += 1
    pairs = sum(sum(c.values()) * (sum(c.values()) - 1) // 2 for c in by.values())
    cross = sum((sum(c.values()) ** 2 - sum(v * v for v in c.values())) // 2 for c in by.values())
    return p, r, pairs, cross


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tune", action="store_true", help="grid-search on the even half and print it")
    args = ap.parse_args()
    items, truth = load_roundups()
    tune_items, tune_truth = split(items, truth, 0)
    held_items, held_truth = split(items, truth, 1)
    if args.tune:
        print("| threshold (avg link, relative) | edge (relative) | seed_min | P (tune) | R (tune) |")
        print("| --- | --- | --- | --- | --- |")
        for th, ed, sm in itertools.product((0.6, 0.65, 0.7, 0.75), (0.4, 0.5), (0.06, 0.08, 0.1)):
            p, r, *_ = evaluate(tune_items, tune_truth, threshold=th, edge=ed, seed_min=sm)
            print(f"| {th} | {ed} | {sm} | {p:.3f} | {r:.3f} |")
        return
    print(f"Command: `.venv/bin/python bench/story_grouping.py`  (lineage {lineage.LINEAGE_VERSION})\n")
    print("| roundup set | articles | true pairs | predicted pairs | pairwise precision | pairwise recall |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, its, tr in (("tuning half (even ids)", tune_items, tune_truth),
                          ("held-out half (odd ids)", held_items, held_truth), ("all 506 roundups", items, truth)):
        p, r, npred, ntrue = evaluate(its, tr)
        print(f"| {name} | {len(its)} | {ntrue} | {npred} | {p:.3f} | {r:.3f} |")
    arts = load_articles()
    print()
    n_dated = sum(1 for a in arts if a.published)
    print(f"| roundup set, with {n_dated:,} dated AllSides articles as distractors | pairwise precision "
          "| pairwise recall | distractor pairs in one story | of which cross-year |")
    print("| --- | --- | --- | --- | --- |")
    for name, its, tr in (("tuning half (even ids)", tune_items, tune_truth),
                          ("held-out half (odd ids)", held_items, held_truth)):
        p, r, npairs, cross = with_distractors(its, tr, arts)
        print(f"| {name} | {p:.3f} | {r:.3f} | {npairs} | {cross} |")
    print()
    print("| warehouse | articles | seconds | stories | singletons | largest story | stories >= 10 | p99 story size |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for mult in (1, 4):
        batch = arts if mult == 1 else [StoryInput(f"{i.article_id}#{k}", i.title, i.body, i.published + dt.timedelta(days=400 * k) if i.published else None)
                                        for k in range(mult) for i in arts]
        t0 = time.perf_counter()
        out = lineage.assign_stories(batch)
        secs = time.perf_counter() - t0
        sizes = sorted(Counter(out.values()).values())
        p99 = sizes[int(0.99 * (len(sizes) - 1))]
        label = "AllSides 12,000" if mult == 1 else "AllSides x4 (48,000; copies shifted by 400 days)"
        print(f"| {label} | {len(batch)} | {secs:.2f} | {len(sizes)} | {sum(s == 1 for s in sizes)} | {sizes[-1]} | {sum(s >= 10 for s in sizes)} | {p99} |")


if __name__ == "__main__":
    main()
