"""Stories: articles about the same event, grouped so comparisons stay within a story.

Method: each article is reduced to its salient names (capitalised words and
acronyms in the title and lead, minus stopwords); two articles published within
`max_days` are linked when they share at least `min_shared` names and the shared
names cover at least `threshold` of the smaller set (overlap coefficient); names
used by more than 5% of the batch link nothing. Stories are the connected
components. An inverted index keeps this near-linear on tens of thousands of articles.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

LINEAGE_VERSION = "stories-1"

_CAP = re.compile(r"\b(?:[A-Z][\w'’-]*[a-z]\w*|[A-Z]{2,6})\b")
_STOP = frozenset(
    """The A An And But Or If In On At To Of For By With From As Is Are Was Were It Its This That
    These Those He She They We You I His Her Their Our Your Mr Mrs Ms Dr After Before When While
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December However Although Though Earlier Later Also Read More
    Share Related News Advertisements US U.S UN According Soon Some Many Most Thus Now""".split()
)


@dataclass(frozen=True)
class StoryInput:
    article_id: str
    title: str | None
    body: str
    published: dt.date | None


def salient(title: str | None, body: str, lead_chars: int = 1200) -> set[str]:
    text = f"{title or ''}\n{body[:lead_chars]}"
    return {w.casefold().rstrip("'’s") for w in _CAP.findall(text) if w not in _STOP}


def assign_stories(items: list[StoryInput], threshold: float = 0.3, min_shared: int = 3, max_days: int = 4) -> dict[str, str]:
    """article_id -> story_id (a stable hash of the story's earliest member id)."""
    if not items:
        return {}
    sets = [salient(i.title, i.body) for i in items]
    df = Counter(w for s in sets for w in s)
    n = len(items)
    index: dict[str, list[int]] = defaultdict(list)
    for k, s in enumerate(sets):
        for w in s:
            if df[w] <= max(50, n // 20):  # very common names link nothing
                index[w].append(k)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k, s in enumerate(sets):
        shared: Counter[int] = Counter()
        for w in s:
            for j in index.get(w, ()):
                if j > k:
                    shared[j] += 1
        for j, inter in shared.items():
            if inter < min_shared or inter / min(len(s), len(sets[j])) < threshold:
                continue
            a, b = items[k].published, items[j].published
            if a and b and abs((a - b).days) > max_days:
                continue
            parent[find(j)] = find(k)
    groups: dict[int, list[int]] = defaultdict(list)
    for k in range(n):
        groups[find(k)].append(k)
    out = {}
    for members in groups.values():
        anchor = min(items[m].article_id for m in members)
        sid = "s_" + hashlib.sha1(anchor.encode()).hexdigest()[:12]
        for m in members:
            out[items[m].article_id] = sid
    return out
