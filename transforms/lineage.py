"""Copy lineage: stories, near-duplicate links, and what changed between a copy and its original.

* `assign_stories`: articles about the same event. Each article becomes a tf-idf vector of
  the stemmed content words of its title (counted twice) and the first `lead_words` words of
  its body; words that are very common in English (wordfreq zipf > 5.2) are dropped, so the
  vector is the event's vocabulary, not the language's. Capitalised words (names) weigh
  1.5x. Candidate pairs come from an inverted index over each article's top terms, so cost
  grows with shared vocabulary, not with n^2. A pair's cosine is discounted by the days
  between the two articles (x exp(-days/2), none beyond `max_days`): the next day's article
  on the same topic is usually about the next event. The discounted cosine is then read
  relative to each article's neighbourhood (local scaling): divided by the geometric mean
  of the two articles' local scales (similarity to the 2nd-nearest neighbour, or 1.5x that
  to the 5th if higher; clipped to [0.05, 0.4]). Two opinion pieces that share few words
  but are each other's best match count; two articles from a busy news cycle (Afghanistan,
  many articles all alike) count only if they stand out from the cycle. Raw cosines >=
  0.4 x `threshold` count whatever the neighbourhood, so a story told by many outlets (or
  with wire copies) is not split. Groups merge greedily, strongest pair first, only while
  the *average* relative similarity between the two groups stays >= `threshold` (average
  linkage: single linkage chains a whole news cycle into one giant story), and two lone
  articles start a story only with a discounted cosine >= `seed_min`.
* `find_links`: copies. Word 5-shingles hashed to 64 bits; candidates share sampled shingles
  (1 in 4, inverted index, numpy); each candidate is verified with the exact Jaccard of the
  full shingle sets (not a MinHash estimate) and, for paraphrase, a word-order alignment.
* `diff_copy`: sentence alignment, then a word diff inside aligned sentences.
"""
from __future__ import annotations

import bisect
import datetime as dt
import difflib
import functools
import hashlib
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from wordfreq import zipf_frequency

LINEAGE_VERSION = "stories-5"   # -5: copy diffs anchored on identical sentences
LEAD_CHARS = 2500     # stories (200-word leads) and copies are told apart by title and lead: bounded memory
LEAD_WORDS = 200
MAX_DAYS = 3          # a story's articles meet only within this many days (date buckets of MAX_DAYS + 1)
INDEX_VERSION = "lineage-index-1"   # what index_entry keeps; rows of another version are remade


@dataclass(frozen=True)
class StoryInput:
    article_id: str
    title: str | None
    body: str
    published: dt.date | None


# ---------------------------------------------------------------- stories

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
_COMMON_ZIPF = 5.2        # "said", "people", "year": shared by every story
_NAME_BOOST = 1.5
_IDF_PRIOR = 100          # pseudo-documents: keeps idf sane on tiny batches (5 seeds)


@functools.lru_cache(maxsize=200_000)
def _zipf(word: str) -> float:
    """wordfreq lookups cost ~2 µs; the vocabulary is small, so cache them."""
    return zipf_frequency(word, "en")


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A crude plural/tense stripper: enough for 'officer'~'officers', 'protest'~'protested'."""
    for suf in ("ies", "es", "s", "ing", "ed"):
        if word.endswith(suf) and len(word) - len(suf) >= 4:
            return word[: -len(suf)]
    return word


_TERM_CACHE: dict[str, str | None] = {}


def _term(tok: str) -> str | None:
    """Token -> stemmed event term, or None for short/very common words. Cached per raw
    token (one dict hit per token instead of a lower/zipf/stem chain)."""
    got = _TERM_CACHE.get(tok, "")
    if got != "":
        return got
    w = tok.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    out = None if len(w) < 3 or _zipf(w) > _COMMON_ZIPF else _stem(w)
    if len(_TERM_CACHE) > 500_000:
        _TERM_CACHE.clear()
    _TERM_CACHE[tok] = out
    return out


def story_terms(title: str | None, body: str, lead_words: int = LEAD_WORDS) -> Counter[str]:
    """Weighted counts of the event words in the title (x2) and the lead."""
    counts: Counter[str] = Counter()
    lead = body[: lead_words * 12]   # enough characters for lead_words words
    for text, weight in ((title or "", 2.0), (lead, 1.0)):
        for tok in _WORD.findall(text)[:lead_words]:
            w = _term(tok)
            if w is not None:
                counts[w] += weight * (_NAME_BOOST if tok[0].isupper() else 1.0)
    return counts


@dataclass(frozen=True)
class TermCounts:
    """Story terms of many articles as one sparse matrix (CSR), not a dict per article
    (48,000 articles as Counters took over 1 GB): article k's terms are
    `vocab[terms[ptr[k]:ptr[k + 1]]]`, weighted `counts[ptr[k]:ptr[k + 1]]`, in the order
    they were made."""
    ptr: np.ndarray       # int64, one more than articles
    terms: np.ndarray     # int64 indices into vocab
    counts: np.ndarray    # float64
    vocab: list[str]

    def __len__(self) -> int:
        return len(self.ptr) - 1

    @functools.cached_property
    def row(self) -> np.ndarray:
        """The article of each entry (int64, one per term entry)."""
        return np.repeat(np.arange(len(self)), np.diff(self.ptr))

    @classmethod
    def from_counters(cls, docs: list[Counter[str]]) -> TermCounts:
        index: dict[str, int] = {}
        terms = [index.setdefault(w, len(index)) for d in docs for w in d]
        counts = [c for d in docs for c in d.values()]
        ptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum([len(d) for d in docs], out=ptr[1:])
        return cls(ptr, np.array(terms, dtype=np.int64), np.array(counts, dtype=np.float64), list(index))

    @classmethod
    def from_arrow(cls, terms: pa.ListArray | pa.ChunkedArray, weights: pa.ListArray | pa.ChunkedArray) -> TermCounts:
        """From list<string> terms and list<double> weights columns (the lineage index)."""
        lengths = pc.fill_null(pc.list_value_length(terms), 0).to_numpy(zero_copy_only=False)
        ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        coded = pc.dictionary_encode(pc.list_flatten(terms))
        if isinstance(coded, pa.ChunkedArray):
            coded = coded.unify_dictionaries().combine_chunks()
        counts = pc.list_flatten(weights).to_numpy(zero_copy_only=False).astype(np.float64)
        return cls(ptr, coded.indices.to_numpy(zero_copy_only=False).astype(np.int64), counts,
                   coded.dictionary.to_pylist())


def _vectors(tc: TermCounts, df: np.ndarray, n_docs: int) -> np.ndarray:
    """tf-idf weights (each article's vector of unit length) of the term counts, one per
    entry of `tc`; idf from `df` (per vocab term) over `n_docs` articles."""
    n = n_docs + _IDF_PRIOR
    v = (1 + np.log(tc.counts)) * np.log(n / (df[tc.terms] + 0.5))
    norm = np.sqrt(np.bincount(tc.row, weights=v * v, minlength=len(tc)))
    norm[norm == 0] = 1.0
    return v / norm[tc.row]


_MAX_BUCKET_POSTINGS = 300
_MAX_UNDATED_POSTINGS = 100
_UNDATED_TERMS = 10
_QUERY_CHUNK = 256        # articles whose candidate pairs are made at once (bounded memory: at most
                          # 256 x 40 top terms x 4 buckets x 300 postings rows),
_DENSE_CELLS = 4_000_000  # fewer when chunk x vocabulary would pass this (their vectors as dense rows)
_CANDIDATE_ROWS = 500_000 # and fewer when their posting rows would pass this (a dense date bucket: the 4x
                          # replicated corpus' chunks of 97 articles met up to ~3M rows, ~300 MB of temporaries)


def _index_dtype(n: int) -> type:
    """The smallest integer type for article indices below n (pairs of many articles are kept)."""
    return np.int32 if n < 2 ** 31 else np.int64


def _similar_pairs(dates: list[dt.date | None], tc: TermCounts, wts: np.ndarray, df: np.ndarray, n_docs: int,
                   min_sim: float, max_days: int, top_terms: int, decay_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Day-discounted cosine (cosine x exp(-days/decay_days)) of every pair sharing an indexed
    term, dated within max_days, >= min_sim: (pairs (i, j), i < j, each once, in the order
    of (the querying article, the other), as int32 when n allows; similarities).
    Postings are keyed by (term, date bucket of max_days+1 days), so an article only meets
    articles from neighbouring buckets: cost stays linear as the warehouse grows over years.
    Undated articles meet undated ones from their side and dated ones from the dated
    side (never a scan over every bucket); an undated pair is not discounted. Only each
    article's `top_terms` heaviest terms are indexed and queried (terms in more than 5% of
    the batch not at all); a posting list keeps its first 300 articles (100 undated): a term
    common in one bucket tells nothing. Pairs whose top-term dot product reaches min_sim/2
    get their exact cosine. `n_docs`: the number of articles `df` counts (the batch, or the
    warehouse when a window of it is re-clustered). All in numpy, a chunk of articles at a
    time (at most _QUERY_CHUNK articles and _CANDIDATE_ROWS posting rows, but whole
    articles: a pair is summed inside one chunk, so the chunking changes nothing found):
    memory follows the chunk and the pairs found."""
    n, nnz = len(tc), len(tc.terms)
    empty = np.empty((0, 2), dtype=_index_dtype(n)), np.empty(0)
    if not nnz:
        return empty
    cap = max(50, n_docs // 20)
    width = max_days + 1
    days = np.array([d.toordinal() if d else -1 for d in dates], dtype=np.int64)
    dated = days >= 0
    bucket = np.where(dated, days // width, 0)
    bcode = np.where(dated, bucket - bucket[dated].min() + 2 if dated.any() else 0, 0)   # 0: undated
    span = int(bcode.max()) + 2                                                           # room for bucket + 1
    row = tc.row
    # each article's top terms, heaviest first (ties in term order), as (row, rank) runs
    order = np.lexsort((np.arange(nnz), -wts, row))
    rank = np.arange(nnz) - tc.ptr[row]    # rank inside its article of the term at order[i] (rows stay in place)
    top = order[rank < top_terms]
    top_rank = rank[rank < top_terms]
    del order, rank                        # entry-sized: not held through the chunks
    top_row, top_term, top_w = row[top], tc.terms[top], wts[top]
    del top
    top_ptr = np.searchsorted(top_row, np.arange(n + 1))
    # postings: (term, bucket) -> the first 300 (100 undated) articles with it in their top terms
    indexed = df[top_term] <= cap
    p_key = top_term[indexed] * span + bcode[top_row[indexed]]
    p_row, p_w = top_row[indexed], top_w[indexed]
    del indexed
    by_key = np.argsort(p_key, kind="stable")
    p_key, p_row, p_w = p_key[by_key], p_row[by_key], p_w[by_key]
    del by_key
    first = np.searchsorted(p_key, p_key)
    keep = (np.arange(len(p_key)) - first) < np.where(dated[p_row], _MAX_BUCKET_POSTINGS, _MAX_UNDATED_POSTINGS)
    p_key, p_row, p_w = p_key[keep], p_row[keep], p_w[keep]
    del first, keep
    # exact cosines: the chunk's own vectors as dense rows (chunk x vocab <= _DENSE_CELLS)
    chunk = max(1, min(_QUERY_CHUNK, _DENSE_CELLS // max(1, len(tc.vocab))))
    dense = np.zeros((chunk, len(tc.vocab)))
    decay = np.exp(-np.arange(max_days + 1) / decay_days)
    offs = np.array([-1, 0, 1, 0])   # the four buckets a top term asks (the last: undated)
    small = _index_dtype(n)
    found_p: list[np.ndarray] = []
    found_s: list[np.ndarray] = []

    def queries(lo: int, hi: int) -> tuple[np.ndarray, ...]:
        """Articles lo..hi's posting look-ups, in article order: the asking article, its top
        term entry, and the range of the postings its key finds."""
        q = np.arange(top_ptr[lo], top_ptr[hi])
        qk = top_row[q]
        # each top term asks its article's bucket and the two beside it, and the undated
        # bucket (a dated article: only through its heaviest _UNDATED_TERMS terms)
        qk4, q4 = np.repeat(qk, 4), np.repeat(q, 4)
        side = np.tile(np.arange(4), len(q))
        to_undated = side == 3
        ok = np.where(dated[qk4], ~to_undated | (top_rank[q4] < _UNDATED_TERMS), to_undated)
        qk4, q4, side, to_undated = qk4[ok], q4[ok], side[ok], to_undated[ok]
        qcode = np.where(to_undated, 0, bcode[qk4] + offs[side])
        qkey = top_term[q4] * span + qcode
        start, stop = np.searchsorted(p_key, qkey, "left"), np.searchsorted(p_key, qkey, "right")
        return qk4, q4, start, stop - start

    def pairs_of(lo: int, hi: int, qk4: np.ndarray, q4: np.ndarray, start: np.ndarray, size: np.ndarray) -> None:
        """The pairs articles lo..hi (no more than `chunk`) find, onto found_p/found_s."""
        if not size.sum():
            return
        which = np.repeat(np.arange(len(size)), size)
        post = np.repeat(start - (np.cumsum(size) - size), size) + np.arange(int(size.sum()))
        k, j = qk4[which], p_row[post]
        good = (j > k) | (dated[k] & ~dated[j])
        k, j, prod = k[good], j[good], top_w[q4[which[good]]] * p_w[post[good]]
        del which, post, good
        if not len(k):
            return
        pair = k * n + j
        by_pair = np.argsort(pair, kind="stable")
        pair, prod = pair[by_pair], prod[by_pair]
        del by_pair, k, j
        heads = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
        partial = np.add.reduceat(prod, heads)
        del prod
        k, j = pair[heads] // n, pair[heads] % n
        del pair, heads
        gap = np.where(dated[k] & dated[j], np.abs(days[k] - days[j]), 0)
        cand = (partial >= min_sim / 2) & (gap <= max_days)   # top-term cosine is a lower bound
        k, j, gap = k[cand], j[cand], gap[cand]
        if not len(k):
            return
        size = np.diff(tc.ptr)[j]
        offset = np.cumsum(size) - size
        flat = np.repeat(tc.ptr[j] - offset, size) + np.arange(int(size.sum()))
        own = slice(tc.ptr[lo], tc.ptr[hi])
        dense[row[own] - lo, tc.terms[own]] = wts[own]
        cells = np.repeat((k - lo) * len(tc.vocab), size) + tc.terms[flat]
        dots = np.add.reduceat(dense.ravel()[cells] * wts[flat], offset) * decay[gap]
        dense[row[own] - lo, tc.terms[own]] = 0.0
        hit = dots >= min_sim
        found_p.append(np.stack([np.minimum(k, j), np.maximum(k, j)], axis=1)[hit].astype(small))
        found_s.append(dots[hit])

    for lo in range(0, n, chunk):
        hi = min(n, lo + chunk)
        qk4, q4, start, size = queries(lo, hi)
        per = np.bincount(qk4 - lo, weights=size, minlength=hi - lo).astype(np.int64)   # rows per article
        if per.sum() <= _CANDIDATE_ROWS:
            pairs_of(lo, hi, qk4, q4, start, size)
            continue
        cum = np.cumsum(per)   # a dense bucket: runs of whole articles of at most _CANDIDATE_ROWS rows (or one)
        a = lo
        while a < hi:
            before = int(cum[a - lo - 1]) if a > lo else 0
            b = min(hi, max(a + 1, lo + int(np.searchsorted(cum, before + _CANDIDATE_ROWS, "right"))))
            part = (qk4 >= a) & (qk4 < b)
            pairs_of(a, b, qk4[part], q4[part], start[part], size[part])
            a = b
    if not found_p:
        return empty
    return np.concatenate(found_p), np.concatenate(found_s)


_NEIGHBOUR = 2            # an article's local scale: its similarity to its 2nd-nearest neighbour,
_BACKGROUND = 5           # or 1.5x its similarity to its 5th (a best match must stand out from
_BACKGROUND_FACTOR = 1.5  # the article's background, not just be the least faint of many),
_SCALE_FLOOR = 0.05       # at least this (a loner's faint matches stay faint),
_SCALE_CAP = 0.4          # at most this (a raw cosine >= 0.4 x threshold always counts)
_RELATIVE_CEILING = 1.5   # one near-copy pair must not carry a group's average
_COPY_SIM = 0.8           # texts this alike are one text (copies) when neighbours are counted


_PAIR_CHUNK = 1 << 18     # pairs ranked, scaled or turned into Python objects at once (the 4x replicated
                          # corpus has 4.1M pairs: every step on all of them at once held ~500 MB)


def _best_neighbours(n: int, copies: bool, node: np.ndarray, pos: np.ndarray,
                     sim: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of neighbour entries (node, pos, sim), each node's best _BACKGROUND, sorted by node, best
    first: by `node * 2.0 + (1.0 - sim)` (these very floats), ties by pos. With `copies`, pos
    is the neighbour's text and only its best similarity counts (one entry per node and text)."""
    if copies and len(node):
        key = node * n + pos
        order = np.argsort(key, kind="stable")
        key, sim = key[order], sim[order]
        start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        node, pos, sim = key[start] // n, key[start] % n, np.maximum.reduceat(sim, start)
    order = np.lexsort((pos, node * 2.0 + (1.0 - sim)))   # per article, best first (sims <= 1)
    node, pos, sim = node[order], pos[order], sim[order]
    top = (np.arange(len(node)) - np.searchsorted(node, node)) < _BACKGROUND
    return node[top], pos[top], sim[top]


def _local_scales(n: int, pairs: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Each article's local scale, counting neighbours by distinct text: copies of one text
    (cosine >= _COPY_SIM, transitively) are one neighbour, and an article's own copies are
    none, so a story with wire copies does not look denser than it is. Pairs are taken
    _PAIR_CHUNK at a time, keeping each article's best _BACKGROUND neighbours between chunks:
    the same ranking (ties in the order of the entries as if all were made at once: by
    text with copies, else the pairs' order, first sides then second sides), so the same
    scales, and memory follows the chunk and the articles, not the pairs."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    same = np.flatnonzero(vals >= _COPY_SIM)
    for lo in range(0, len(same), _PAIR_CHUNK):
        for i, j in pairs[same[lo:lo + _PAIR_CHUNK]].tolist():
            parent[find(i)] = find(j)
    del same
    text = np.fromiter((find(k) for k in range(n)), dtype=np.int64, count=n)
    copies = bool((text != np.arange(n)).any())
    m = len(vals)
    best: tuple[np.ndarray, ...] = (np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0))
    for lo in range(0, m, _PAIR_CHUNK):
        hi = min(m, lo + _PAIR_CHUNK)
        p, v = pairs[lo:hi].astype(np.int64), vals[lo:hi]
        node = np.concatenate([p[:, 0], p[:, 1]])
        other = np.concatenate([text[p[:, 1]], text[p[:, 0]]])
        pos = other if copies else np.concatenate([np.arange(lo, hi), np.arange(lo + m, hi + m)])
        keep = text[node] != other
        made = (node[keep], pos[keep], np.concatenate([v, v])[keep])
        del p, node, other, pos, keep
        best = _best_neighbours(n, copies, *(np.concatenate([b, x]) for b, x in zip(best, made)))
    node, _, sim = best
    start, count = np.searchsorted(node, np.arange(n)), np.bincount(node, minlength=n)   # count: <= _BACKGROUND

    def kth(k: int) -> np.ndarray:
        out, has = np.zeros(n), count >= k
        out[has] = sim[start[has] + k - 1]
        return out

    return np.clip(np.maximum(kth(_NEIGHBOUR), _BACKGROUND_FACTOR * kth(_BACKGROUND)), _SCALE_FLOOR, _SCALE_CAP)


def _relative(n: int, pairs: np.ndarray, vals: np.ndarray, edge: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Similarities divided by the geometric mean of the two articles' local scales, capped
    at _RELATIVE_CEILING: the pairs >= edge, their relative and their raw similarities
    (_PAIR_CHUNK pairs at a time)."""
    if not len(vals):
        return pairs, vals, vals
    scale = _local_scales(n, pairs, vals)
    kept = []
    for lo in range(0, len(vals), _PAIR_CHUNK):
        p, v = pairs[lo:lo + _PAIR_CHUNK], vals[lo:lo + _PAIR_CHUNK]
        rel = np.minimum(_RELATIVE_CEILING, v / np.sqrt(scale[p[:, 0]] * scale[p[:, 1]]))
        keep = rel >= edge
        kept.append((p[keep], rel[keep], v[keep]))
    got_p, got_rel, got_raw = (np.concatenate(x) for x in zip(*kept))
    return got_p, got_rel, got_raw


def _average_linkage(n: int, pairs: np.ndarray, sims: np.ndarray, threshold: float,
                     seed: np.ndarray | None = None, seed_min: float = 0.0) -> list[int]:
    """Greedy average linkage over sparse similarities (pairs (i, j) with `sims`; absent
    pairs count as 0): pairs in descending order; two groups merge when the mean similarity
    over all their member pairs stays >= threshold. Two single articles start a group only
    when their `seed` similarity (if given) is >= seed_min: a story needs real evidence to
    begin, a further member may join on fainter evidence, averaged over the whole group.
    Group-to-group sums are kept up to date on each merge, so the cost follows the number
    of pairs, not the square of group sizes. Pairs become Python objects _PAIR_CHUNK at a
    time (only the sums are held for all)."""
    root = list(range(n))   # also each article's one int object: the sums' keys are these, not one per entry
    members: dict[int, list[int]] = {k: [k] for k in root}
    link: dict[int, dict[int, float]] = defaultdict(dict)   # group -> neighbour group -> summed similarity
    for lo in range(0, len(sims), _PAIR_CHUNK):   # link[a][b] is link[b][a] (one float object: both get the same sums)
        for (i, j), v in zip(pairs[lo:lo + _PAIR_CHUNK].tolist(), sims[lo:lo + _PAIR_CHUNK].tolist()):
            i, j = root[i], root[j]
            link[i][j] = link[j][i] = link[i].get(j, 0.0) + v
    strongest = np.lexsort((pairs[:, 1], pairs[:, 0], -sims))   # strongest first, ties by (i, j)
    for lo in range(0, len(strongest), _PAIR_CHUNK):
        some = strongest[lo:lo + _PAIR_CHUNK]
        seeds = seed[some].tolist() if seed is not None else [None] * len(some)
        for (i, j), s in zip(pairs[some].tolist(), seeds):
            a, b = root[i], root[j]
            if a == b:
                continue
            total = link[a].get(b, 0.0)
            if total / (len(members[a]) * len(members[b])) < threshold:
                continue
            if s is not None and len(members[a]) == len(members[b]) == 1 and s < seed_min:
                continue
            if len(members[a]) < len(members[b]):
                a, b = b, a
            for m in members[b]:
                root[m] = a
            members[a].extend(members.pop(b))
            for c, v in link.pop(b).items():   # fold b's sums into a's
                del link[c][b]
                if c != a:
                    link[a][c] = link[c][a] = link[a].get(c, 0.0) + v
            link[a].pop(b, None)
    return root


def assign_stories(items: list[StoryInput], threshold: float = 0.7, edge: float = 0.5, max_days: int = MAX_DAYS,
                   lead_words: int = LEAD_WORDS, top_terms: int = 40, *, min_sim: float = 0.04,
                   seed_min: float = 0.08, decay_days: float = 2.0) -> dict[str, str]:
    """article_id -> story_id (a stable hash of the story's smallest member id).
    `threshold` (average linkage) and `edge` (a pair to consider) are on the relative scale
    (see the module doc); `min_sim` is the least day-discounted cosine a pair needs at all,
    `seed_min` the least for two lone articles to start a story. Defaults: chosen on the
    even half of the AllSides roundups (bench/story_grouping.py --tune), also watching
    that roundups mixed with 12,000 unrelated articles stay apart from them; max_days 3
    for real publication lags (opinion pieces follow the news)."""
    docs = [story_terms(i.title, i.body, lead_words) for i in items]
    return cluster_stories([i.article_id for i in items], [i.published for i in items], docs,
                           threshold=threshold, edge=edge, max_days=max_days, top_terms=top_terms,
                           min_sim=min_sim, seed_min=seed_min, decay_days=decay_days)


def cluster_stories(ids: list[str], dates: list[dt.date | None], docs: list[Counter[str]] | TermCounts,
                    df: Counter[str] | None = None, n_docs: int | None = None,
                    context: list[bool] | None = None, *, threshold: float = 0.7,
                    edge: float = 0.5, max_days: int = MAX_DAYS, top_terms: int = 40, min_sim: float = 0.04,
                    seed_min: float = 0.08, decay_days: float = 2.0) -> dict[str, str]:
    """`assign_stories` on term counts already made (`story_terms`, e.g. kept in the
    warehouse's lineage index). `df`/`n_docs`: document frequencies over a larger set
    than these articles (the warehouse, when only a window of it is re-clustered);
    default: over these articles. `context`: articles that count as neighbours (their
    similarities set the local scales) but are not placed: they join no story here and
    get no story id back (the ring around a re-clustered window, whose stories stay)."""
    if not ids:
        return {}
    tc = docs if isinstance(docs, TermCounts) else TermCounts.from_counters(docs)
    if df is None:
        df_of = np.bincount(tc.terms, minlength=len(tc.vocab)).astype(np.float64)
        n_docs = len(tc)
    else:
        df_of = np.array([df.get(w, 0) for w in tc.vocab], dtype=np.float64)
    assert n_docs is not None
    wts = _vectors(tc, df_of, n_docs)
    pairs, sims = _similar_pairs(dates, tc, wts, df_of, n_docs, min_sim, max_days, top_terms, decay_days)
    del tc, docs, wts, df_of   # before the pairs' steps: the weights, and the terms unless the caller holds them
    pairs, rel, raw = _relative(len(ids), pairs, sims, edge)
    del sims
    fixed = np.asarray(context if context is not None else [False] * len(ids), dtype=bool)
    if fixed.any():
        placed = ~(fixed[pairs[:, 0]] | fixed[pairs[:, 1]])
        pairs, rel, raw = pairs[placed], rel[placed], raw[placed]
    root = _average_linkage(len(ids), pairs, rel, threshold, raw, seed_min)
    groups: dict[int, list[int]] = defaultdict(list)
    for k, r in enumerate(root):
        if not fixed[k]:
            groups[r].append(k)
    out = {}
    for members in groups.values():
        anchor = min(ids[m] for m in members)
        sid = "s_" + hashlib.sha1(anchor.encode()).hexdigest()[:12]
        for m in members:
            out[ids[m]] = sid
    return out


# ---------------------------------------------------------------- copy links

# Tokens for copy detection: numbers keep their separators ("3,211"), words their inner
# hyphens/apostrophes, so a changed figure changes exactly one token.
_TOKEN = re.compile(r"\d[\d,.]*\d|\d|\w+(?:[-'’]\w+)*")
_SHINGLE = 5
_SAMPLE = 4               # index 1 shingle in 4 (by hash): 4x fewer postings, same candidates
MAX_POSTINGS = 50         # a shingle in more articles is boilerplate, not copying
MIN_SHARED = 3            # sampled shingles two texts must share to be compared
DUPLICATE = 0.9
NEAR_DUPLICATE = 0.5      # Jaccard; or containment >= NEAR_CONTAINMENT (a trimmed copy)
NEAR_CONTAINMENT = 0.8
PARAPHRASE_ALIGN = 0.6    # share of words aligned in order (difflib ratio) for a spun copy
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD], dtype=np.uint64)


@dataclass(frozen=True)
class Link:
    a: str                # article ids, a < b
    b: str
    similarity: float     # exact Jaccard of the word 5-shingle sets (64-bit hashes)
    kind: str             # duplicate | near_duplicate | paraphrase


def _norm_token(tok: str) -> str:
    return tok.casefold().replace("’", "'")


def _tokens(text: str) -> list[str]:
    return [_norm_token(t) for t in _TOKEN.findall(text)]


def _token_hash(tok: str) -> int:
    return zlib.crc32(tok.encode("utf-8")) | (zlib.adler32(tok.encode("utf-8")) << 32)


class _HashCache(dict):
    """raw token -> _token_hash of its normalised form; a miss computes it, so a text's
    hashes are one C-level `map(_HASHES.__getitem__, tokens)` (~2x faster than normalising
    every token and hashing through an lru_cache)."""

    def __missing__(self, tok: str) -> int:
        if len(self) >= 500_000:   # bounded: cleared and refilled when full
            self.clear()
        self[tok] = h = _token_hash(_norm_token(tok))
        return h


_HASHES = _HashCache()


def _shingles(ids: np.ndarray) -> np.ndarray:
    """Sorted unique 64-bit hashes of the word 5-shingles of a text's token hashes
    (deterministic across runs)."""
    if len(ids) < _SHINGLE:
        return np.empty(0, dtype=np.uint64)
    n = len(ids) - _SHINGLE + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(_SHINGLE):
            h = (h ^ ids[k:k + n]) * _MIX[k]
            h ^= h >> np.uint64(29)
    return np.unique(h)


def shingle_count(text: str) -> tuple[np.ndarray, int]:
    """A text's shingles and token count, as `copy_kind` takes them."""
    raw = _TOKEN.findall(text)
    return _shingles(np.array(list(map(_HASHES.__getitem__, raw)), dtype=np.uint64)), len(raw)


def sampled(shingles: np.ndarray) -> np.ndarray:
    """The shingles indexed for candidate search: 1 in _SAMPLE, chosen by hash."""
    return shingles[(shingles % np.uint64(_SAMPLE)) == 0]


def _candidates(sh: list[np.ndarray]) -> Counter[tuple[int, int]]:
    """Pairs sharing sampled shingles -> number shared (inverted index in numpy)."""
    keys, docs = [], []
    for d, s in enumerate(sh):
        kept = sampled(s)
        keys.append(kept)
        docs.append(np.full(len(kept), d, dtype=np.int64))
    if not keys:
        return Counter()
    k, d = np.concatenate(keys), np.concatenate(docs)
    order = np.argsort(k, kind="stable")
    k, d = k[order], d[order]
    starts = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    sizes = np.diff(np.r_[starts, len(k)])
    shared: Counter[tuple[int, int]] = Counter()
    for st, sz in zip(starts[(sizes >= 2) & (sizes <= MAX_POSTINGS)], sizes[(sizes >= 2) & (sizes <= MAX_POSTINGS)]):
        group = d[st:st + sz].tolist()
        for x in range(sz):
            for y in range(x + 1, sz):
                shared[(group[x], group[y])] += 1
    return shared


def aligned(a: list[str], b: list[str], at_least: float = PARAPHRASE_ALIGN) -> bool:
    """Do at least `at_least` of the words line up in order (difflib's ratio)? High for a
    spun copy (same sentences, some words swapped), low for another writer's account of
    the same event. The ratio's upper bound from the words shared in any order
    (quick_ratio) answers most pairs of a full run without aligning them: 756 of 799 on
    the AllSides corpus, link verification 2.20 -> 1.74 s (bench/link_cost.py; within the
    whole commit's run-to-run spread)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= at_least and matcher.ratio() >= at_least


def link_text(title: str | None, body: str) -> str:
    """What copies are compared on: the title and the lead."""
    return f"{title or ''}\n{body[:LEAD_CHARS]}"


def copy_kind(text_a: str, text_b: str, threshold: float = NEAR_DUPLICATE,
              shingles: tuple[np.ndarray, np.ndarray] | None = None,
              n_tokens: tuple[int, int] | None = None) -> tuple[str, float] | None:
    """Is one text a copy of the other? (kind, Jaccard) or None: duplicate (Jaccard >= 0.9),
    near_duplicate (Jaccard >= `threshold`, or one text >= 80% contained in the other: a
    syndicated copy with edits or trims), paraphrase (lower Jaccard but >= 60% of words
    aligned in order and similar length: a spun copy). `shingles`/`n_tokens`, when the
    caller has them, save tokenising the texts again."""
    if shingles is None or n_tokens is None:
        (sa, na), (sb, nb) = shingle_count(text_a), shingle_count(text_b)
        shingles, n_tokens = (sa, sb), (na, nb)
    sa, sb = shingles
    if not len(sa) or not len(sb):
        return None
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    small = min(len(sa), len(sb))
    jac = inter / (len(sa) + len(sb) - inter)
    if jac >= DUPLICATE:
        kind = "duplicate"
    elif jac >= threshold or inter / small >= NEAR_CONTAINMENT:
        kind = "near_duplicate"
    elif (inter / small >= 0.15 and min(n_tokens) >= 0.7 * max(n_tokens)
          and aligned(_tokens(text_a), _tokens(text_b))):
        kind = "paraphrase"
    else:
        return None
    return kind, round(jac, 4)


def find_links(items: list[StoryInput], threshold: float = NEAR_DUPLICATE) -> list[Link]:
    """Copy links between articles (see `copy_kind`), candidates by shared sampled
    shingles (at least MIN_SHARED). Sorted by (a, b)."""
    def text(k: int) -> str:
        return f"{items[k].title or ''}\n{items[k].body}"

    sh, n_tokens = [], []
    for k in range(len(items)):   # keep only hashes and counts: token lists of a big warehouse do not fit
        shingles, count = shingle_count(text(k))
        sh.append(shingles)
        n_tokens.append(count)
    links = []
    for (x, y), n_shared in _candidates(sh).items():
        if n_shared < MIN_SHARED:
            continue
        got = copy_kind(text(x), text(y), threshold, (sh[x], sh[y]), (n_tokens[x], n_tokens[y]))
        if got is not None:
            a, b = sorted((items[x].article_id, items[y].article_id))
            links.append(Link(a, b, got[1], got[0]))
    return sorted(links, key=lambda lk: (lk.a, lk.b))


def index_entry(title: str | None, body: str) -> tuple[Counter[str], np.ndarray, int]:
    """What the warehouse keeps per article so that later runs need not read it again:
    its story terms, its sampled shingles (for copy candidates) and its token count."""
    shingles, count = shingle_count(link_text(title, body))
    return story_terms(title, body), sampled(shingles), count


# ---------------------------------------------------------------- diff of a copy

@dataclass(frozen=True)
class Change:
    kind: str             # label_swapped | number_altered | sentence_added | sentence_removed | word_swapped
    original: str | None
    copy: str | None


_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])|\n+")
_SENTENCE_MATCH = 0.5     # difflib ratio for two sentences to be one sentence, edited


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _number(tok: str) -> float | None:
    try:
        return float(tok.replace(",", "")) if tok[0].isdigit() else None
    except ValueError:
        return None


@functools.cache
def _label_forms() -> frozenset[str]:
    """Labels for people and events from the framing lexicons (protesters, rioters, ...)."""
    from .lexicon import load_lexicon

    lex = load_lexicon("en")
    return frozenset(f for f, t in lex.by_form.items() if t.category.endswith("label"))


def _align_sentences(a: list[list[str]], b: list[list[str]]) -> list[tuple[int | None, int | None]]:
    """Monotone sentence alignment. Sentences that occur once in each text and
    identically anchor it (the longest run of them in the same order: patience diff);
    the sentences between two anchors are aligned by `_align_edited`. A syndicated copy
    is mostly identical sentences, so the quadratic part runs on the few edited ones."""
    out: list[tuple[int | None, int | None]] = []
    i0 = j0 = 0
    for i, j in _unique_anchors([tuple(s) for s in a], [tuple(s) for s in b]) + [(len(a), len(b))]:
        out.extend((None if x is None else i0 + x, None if y is None else j0 + y)
                   for x, y in _align_edited(a[i0:i], b[j0:j]))
        if i < len(a):
            out.append((i, j))
        i0, j0 = i + 1, j + 1
    return out


def _unique_anchors(a: list[tuple[str, ...]], b: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """(i, j) of sentences found exactly once in a and once in b, the longest subsequence
    of them in the same order in both (patience sorting, O(k log k))."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {s: j for j, s in enumerate(b) if count_b[s] == 1}
    pairs = [(i, where_b[s]) for i, s in enumerate(a) if count_a[s] == 1 and s in where_b]
    tails: list[int] = []              # tails[k]: the pair ending the best run of length k+1 so far
    tail_j: list[int] = []             # its j (the smallest j that ends such a run)
    back: list[int] = []
    for p, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tail_j, j)
        back.append(tails[k - 1] if k else -1)
        if k == len(tails):
            tails.append(p)
            tail_j.append(j)
        else:
            tails[k], tail_j[k] = p, j
    run, p = [], tails[-1] if tails else -1
    while p >= 0:
        run.append(pairs[p])
        p = back[p]
    return run[::-1]


def _align_edited(a: list[list[str]], b: list[list[str]]) -> list[tuple[int | None, int | None]]:
    """Monotone alignment maximising the summed similarity of matched sentences (DP)."""
    n, m = len(a), len(b)
    sets_a, sets_b = [set(s) for s in a], [set(s) for s in b]
    sim = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            u = len(sets_a[i] | sets_b[j])
            if u and len(sets_a[i] & sets_b[j]) / u >= 0.25:
                r = difflib.SequenceMatcher(None, a[i], b[j], autojunk=False).ratio()
                sim[i, j] = r if r >= _SENTENCE_MATCH else 0.0
    best = np.zeros((n + 1, m + 1))
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i, j] = max(best[i + 1, j], best[i, j + 1], best[i + 1, j + 1] + sim[i, j] if sim[i, j] else 0.0)
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and sim[i, j] and best[i, j] == best[i + 1, j + 1] + sim[i, j]:
            out.append((i, j))
            i, j = i + 1, j + 1
        elif i < n and (j == m or best[i, j] == best[i + 1, j]):
            out.append((i, None))
            i += 1
        else:
            out.append((None, j))
            j += 1
    return out


def _word_changes(orig: list[str], copy: list[str]) -> list[Change]:
    """Word-level edits inside one aligned sentence; numbers are compared as numbers."""
    labels = _label_forms()
    low_o, low_c = [t.casefold() for t in orig], [t.casefold() for t in copy]
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, low_o, low_c, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        o, c = " ".join(orig[i1:i2]) or None, " ".join(copy[j1:j2]) or None
        no, nc = (_number(o) if o else None), (_number(c) if c else None)
        if i2 - i1 == 1 and j2 - j1 == 1 and no is not None and nc is not None:
            if no != nc:
                out.append(Change("number_altered", o, c))
            continue  # "3,211" vs "3211": same number, no change
        if any(t in labels for t in low_o[i1:i2] + low_c[j1:j2]) and o and c:
            out.append(Change("label_swapped", o, c))
        else:
            out.append(Change("word_swapped", o, c))
    return out


def diff_copy(original: str, copy: str) -> list[Change]:
    """What a copy changed: sentences added/removed (unaligned), and inside aligned sentences
    swapped labels (framing lexicon), altered numbers, other word swaps (insertions and
    deletions are word_swapped with one side None). In copy order."""
    so, sc = _sentences(original), _sentences(copy)
    to, tc = [_TOKEN.findall(s) for s in so], [_TOKEN.findall(s) for s in sc]
    changes: list[Change] = []
    for i, j in _align_sentences([[t.casefold() for t in s] for s in to], [[t.casefold() for t in s] for s in tc]):
        if j is None:
            changes.append(Change("sentence_removed", so[i], None))
        elif i is None:
            changes.append(Change("sentence_added", None, sc[j]))
        elif to[i] != tc[j]:
            changes.extend(_word_changes(to[i], tc[j]))
    return changes
