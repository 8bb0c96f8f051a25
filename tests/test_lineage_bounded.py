"""The stories' clustering in bounded chunks (transforms/lineage.py: _CANDIDATE_ROWS,
_PAIR_CHUNK) finds what it found with everything at once: the same pairs, bit for bit the
same similarities and local scales, the same stories. Chunks of a few articles or pairs
against the defaults (one chunk on these inputs), and the local scales and the linkage
against the all-at-once versions they replaced (3f1b658's, copied below)."""
import datetime as dt

import numpy as np
import pytest

from transforms import lineage
from transforms.lineage import TermCounts, cluster_stories


def _local_scales_at_once(n: int, pairs: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """transforms.lineage._local_scales as of 3f1b658: every pair's two entries at once."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs[vals >= lineage._COPY_SIM].tolist():
        parent[find(i)] = find(j)
    text = np.fromiter((find(k) for k in range(n)), dtype=np.int64, count=n)
    node = np.concatenate([pairs[:, 0], pairs[:, 1]])
    other = np.concatenate([text[pairs[:, 1]], text[pairs[:, 0]]])
    sim = np.concatenate([vals, vals])
    keep = text[node] != other
    node, other, sim = node[keep], other[keep], sim[keep]
    if (text != np.arange(n)).any() and len(node):
        key = node * n + other
        order = np.argsort(key, kind="stable")
        key, sim = key[order], sim[order]
        start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        node, sim = key[start] // n, np.maximum.reduceat(sim, start)
    order = np.argsort(node * 2.0 + (1.0 - sim), kind="stable")
    node, sim = node[order], sim[order]
    start, count = np.searchsorted(node, np.arange(n)), np.bincount(node, minlength=n)

    def kth(k: int) -> np.ndarray:
        out, has = np.zeros(n), count >= k
        out[has] = sim[start[has] + k - 1]
        return out

    return np.clip(np.maximum(kth(lineage._NEIGHBOUR), lineage._BACKGROUND_FACTOR * kth(lineage._BACKGROUND)),
                   lineage._SCALE_FLOOR, lineage._SCALE_CAP)


def _average_linkage_as_before(n, pairs, sims, threshold, seed, seed_min):
    """transforms.lineage._average_linkage as of 3f1b658: every pair a Python list at once,
    each direction's sum its own float."""
    from collections import defaultdict

    root = list(range(n))
    members = {k: [k] for k in range(n)}
    link = defaultdict(dict)
    listed = pairs.tolist()
    for (i, j), v in zip(listed, sims.tolist()):
        link[i][j] = link[i].get(j, 0.0) + v
        link[j][i] = link[j].get(i, 0.0) + v
    seeds = seed.tolist()
    for p in np.lexsort((pairs[:, 1], pairs[:, 0], -sims)).tolist():
        i, j = listed[p]
        a, b = root[i], root[j]
        if a == b:
            continue
        if link[a].get(b, 0.0) / (len(members[a]) * len(members[b])) < threshold:
            continue
        if len(members[a]) == len(members[b]) == 1 and seeds[p] < seed_min:
            continue
        if len(members[a]) < len(members[b]):
            a, b = b, a
        for m in members[b]:
            root[m] = a
        members[a].extend(members.pop(b))
        for c, v in link.pop(b).items():
            del link[c][b]
            if c != a:
                link[a][c] = link[a].get(c, 0.0) + v
                link[c][a] = link[c].get(a, 0.0) + v
        link[a].pop(b, None)
    return root


def _corpus(seed: int = 7, n: int = 600):
    """A synthetic warehouse's story terms: articles on 25 topics (a topic's words, some
    general ones, names), weights from a small set (many tied similarities), dated over
    three weeks (a few undated), every 7th article with an exact copy (copies' texts)."""
    rng = np.random.default_rng(seed)
    topics = [[f"t{t}w{w}" for w in range(12)] for t in range(25)]
    general = [f"g{w}" for w in range(80)]
    ids, dates, docs = [], [], []
    for k in range(n):
        topic = topics[int(rng.integers(len(topics)))]
        words = set(rng.choice(topic, size=int(rng.integers(4, 10)), replace=False)) | \
            set(rng.choice(general, size=int(rng.integers(3, 15)), replace=False))
        doc = {w: float(rng.choice([1.0, 1.5, 2.0, 3.0])) for w in sorted(words)}
        day = None if k % 19 == 0 else dt.date(2024, 5, 1) + dt.timedelta(days=int(rng.integers(21)))
        for copy in range(2 if k % 7 == 0 else 1):
            ids.append(f"a{k:04d}-{copy}")
            dates.append(day)
            docs.append(doc)
    vocab = sorted({w for d in docs for w in d})
    at = {w: i for i, w in enumerate(vocab)}
    ptr = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in docs], out=ptr[1:])
    terms = np.array([at[w] for d in docs for w in d], dtype=np.int64)
    counts = np.array([c for d in docs for c in d.values()])
    return ids, dates, TermCounts(ptr, terms, counts, vocab)


@pytest.fixture(scope="module")
def corpus():
    ids, dates, tc = _corpus()
    df = np.bincount(tc.terms, minlength=len(tc.vocab)).astype(np.float64)
    wts = lineage._vectors(tc, df, len(tc))
    return ids, dates, tc, df, wts


def _pairs(corpus):
    ids, dates, tc, df, wts = corpus
    return lineage._similar_pairs(dates, tc, wts, df, len(tc), 0.04, lineage.MAX_DAYS, 40, 2.0)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_pairs_found_a_few_articles_and_rows_at_a_time_are_the_same(corpus, monkeypatch):
    pairs, sims = _pairs(corpus)
    n = len(corpus[0])
    assert pairs.dtype == np.int32 and len(pairs) > 2000 and (pairs[:, 0] < pairs[:, 1]).all()
    assert len(np.unique(sims)) < len(sims)                    # tied similarities: order must hold them
    monkeypatch.setattr(lineage, "_QUERY_CHUNK", 5)
    monkeypatch.setattr(lineage, "_CANDIDATE_ROWS", 40)        # below one article's rows: runs of one article
    small = _pairs(corpus)
    assert _same_bits(small[0], pairs) and _same_bits(small[1], sims)
    monkeypatch.setattr(lineage, "_QUERY_CHUNK", n)            # one chunk of every article, split by rows only
    monkeypatch.setattr(lineage, "_DENSE_CELLS", 10 ** 9)
    monkeypatch.setattr(lineage, "_CANDIDATE_ROWS", 3000)
    by_rows = _pairs(corpus)
    assert _same_bits(by_rows[0], pairs) and _same_bits(by_rows[1], sims)


def test_local_scales_a_few_pairs_at_a_time_are_those_of_all_pairs_at_once(corpus, monkeypatch):
    pairs, sims = _pairs(corpus)
    n = len(corpus[0])
    assert (sims >= lineage._COPY_SIM).any()                    # copies: neighbours counted by text
    assert np.bincount(pairs.ravel(), minlength=n).max() > 3 * lineage._BACKGROUND   # the best 5 kept between chunks
    want = _local_scales_at_once(n, pairs.astype(np.int64), sims)
    assert _same_bits(lineage._local_scales(n, pairs, sims), want)
    no_copies = sims < lineage._COPY_SIM
    want_nc = _local_scales_at_once(n, pairs[no_copies].astype(np.int64), sims[no_copies])
    assert _same_bits(lineage._local_scales(n, pairs[no_copies], sims[no_copies]), want_nc)
    for chunk in (1, 2, 7, 1000):
        monkeypatch.setattr(lineage, "_PAIR_CHUNK", chunk)
        assert _same_bits(lineage._local_scales(n, pairs, sims), want), chunk
        assert _same_bits(lineage._local_scales(n, pairs[no_copies], sims[no_copies]), want_nc), chunk


@pytest.mark.parametrize("copies", [False, True])
def test_local_scales_break_ties_of_the_rounded_ranking_key_as_before(monkeypatch, copies):
    """Articles with large indices: `node * 2.0 + (1.0 - sim)` rounds similarities 1e-12
    apart to one key, and the ranking falls back on the entries' order (the pairs' order,
    or the neighbour text's with copies): the 2nd and 5th best are the same entries."""
    rng = np.random.default_rng(3)
    n, hub = 400_000, 399_990
    others = rng.permutation(np.arange(300_000, 300_040))
    near = 0.1 + rng.integers(0, 4, size=len(others)) * 1e-12   # four similarities, one rounded key
    pairs = np.stack([others, np.full(len(others), hub)], axis=1)
    sims = near.copy()
    if copies:   # two of the others are copies of each other
        pairs = np.vstack([pairs, [[300_000, 300_001]]])
        sims = np.r_[sims, 0.95]
    key = hub * 2.0 + (1.0 - near)
    assert len(np.unique(key)) == 1 and len(np.unique(near)) == 4
    want = _local_scales_at_once(n, pairs.astype(np.int64), sims)
    for chunk in (1, 3, 1000):
        monkeypatch.setattr(lineage, "_PAIR_CHUNK", chunk)
        assert _same_bits(lineage._local_scales(n, pairs.astype(np.int32), sims), want), chunk


@pytest.mark.parametrize("threshold", [0.7, 0.3, 0.1])
def test_average_linkage_a_few_pairs_at_a_time_merges_as_before(corpus, monkeypatch, threshold):
    """The same groups as the all-at-once linkage, at the default threshold and at lower ones
    (bigger groups: many folds of their sums)."""
    pairs, sims = _pairs(corpus)
    n = len(corpus[0])
    kept, rel, raw = lineage._relative(n, pairs, sims, 0.5)
    want = _average_linkage_as_before(n, kept.astype(np.int64), rel, threshold, raw, 0.08)
    assert len(set(want)) < n - 100
    assert lineage._average_linkage(n, kept, rel, threshold, raw, 0.08) == want
    monkeypatch.setattr(lineage, "_PAIR_CHUNK", 2)
    assert lineage._average_linkage(n, kept, rel, threshold, raw, 0.08) == want


def test_stories_clustered_in_small_chunks_are_the_same(corpus, monkeypatch):
    ids, dates, tc, _, _ = corpus
    context = [k % 11 == 0 for k in range(len(ids))]
    want = cluster_stories(ids, dates, tc)
    want_ctx = cluster_stories(ids, dates, tc, context=context)
    sizes = np.unique(list(want.values()), return_counts=True)[1]
    assert sizes.max() >= 5 and (sizes == 1).any()              # stories of several articles and lone ones
    monkeypatch.setattr(lineage, "_QUERY_CHUNK", 3)
    monkeypatch.setattr(lineage, "_CANDIDATE_ROWS", 100)
    monkeypatch.setattr(lineage, "_PAIR_CHUNK", 2)
    assert cluster_stories(ids, dates, tc) == want
    assert cluster_stories(ids, dates, tc, context=context) == want_ctx
