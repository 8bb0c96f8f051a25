"""The whitespace pieces of a body and what readability, tone and paraphrase need to
know of each, computed once per distinct piece and shared.

`body_pieces(body)` is `body.split()` and, for each piece, the tuple

    (readability.piece_facts(piece),   # textstat's per-word facts, packed in one int
     tone.vader_token(piece),          # VADER's lowercased token for the piece (None: an emoji in it)
     tokens,                           # paraphrase's _WORD tokens inside the piece
     codes,                            # their English wordfreq classes, one char each
     heads,                            # their spinner-phrase head-word codes, one char each
     anchors)                          # the spinner anchors inside the piece (usually ())

Each of the three modules used to split or tokenise the whole body and look every
piece or token up in its own cache; one lookup per piece now serves all of them. The
facts are pure functions of the piece, so sharing them cannot change a result.
paraphrase's tokens: `_WORD` matches letters and apostrophes only, never whitespace, so
its matches over the body are the concatenation of its matches over the pieces.
"""
from __future__ import annotations

import functools
import string

CACHE_MAX_ENTRIES = 150_000   # when full, the later half is dropped (memory stays bounded: a worker that met
                              # 12,000 AllSides articles filled 300,000, ~100 MB; entries are ~340 bytes)


# ASCII punctuation but the apostrophe and "_" (a \w character): what a piece like "said,",
# "(Reuters)" or "--and" carries around a word. Such a piece has the facts of its word
# (see _Facts.__missing__).
_EDGE_PUNCT = string.punctuation.replace("'", "").replace("_", "")


@functools.cache
def _modules():
    """The modules whose facts a piece gets, imported at the first miss (they import this
    module; an import statement in __missing__ itself costs ~1.4 us per new piece)."""
    from . import paraphrase, readability, tone

    return paraphrase, readability, tone


class _Facts(dict):
    """piece -> its facts; a miss computes them (lookups stay C-level: map(__getitem__))."""

    def __missing__(self, piece: str) -> tuple[int, str | None, tuple[str, ...], str, str, tuple[str, ...]]:
        paraphrase, readability, tone = _modules()
        if len(self) >= CACHE_MAX_ENTRIES:
            # keep the pieces met first: the frequent ones are among them (a dict keeps
            # insertion order), and clearing all made every common word a miss again. Each
            # step is one C call that iterates nothing another thread can change (list()
            # makes and drains its iterator inside the call; an islice made one bytecode
            # earlier saw a thread's insert in between), so threads sharing the cache (a Dask
            # worker's) never meet a half-done eviction; rebuilt, the dict's table shrinks
            first = list(self.items())[:CACHE_MAX_ENTRIES // 2]
            self.clear()
            self.update(first)
        core = piece.strip(_EDGE_PUNCT)
        if len(piece) > len(core) > 2 and core.isascii() and core.isalnum() and not paraphrase.spinner_anchors(piece):
            # "said," has the facts of "said" (a third of the pieces new to a worker are
            # such words): readability cleans the punctuation off, VADER strips ASCII
            # punctuation when over 2 characters are left, the _WORD tokens hold no
            # punctuation (neither the apostrophe nor "_" is stripped here), and no spinner
            # anchor is in the piece, so none is in the word (an anchor may hold a ".":
            # "Dept."). One tuple for both: less memory too
            self[piece] = facts = self[core]
            return facts
        low = tone.vader_token(piece)
        if low == piece:   # equal strings held once (the piece, its token, its word): ~100 of ~375 bytes an entry
            low = piece
        found = paraphrase.word_tokens(piece)
        if len(found) == 1:                # most pieces: one token, often the piece or its VADER token
            t = found[0]
            tokens = (piece,) if t == piece else (low,) if t == low else (t,)
        else:
            tokens = tuple(piece if t == piece else low if t == low else t for t in found)
        self[piece] = facts = (readability.piece_facts(piece), low, tokens,
                               paraphrase.english_codes(tokens), paraphrase.head_codes(tokens),
                               paraphrase.spinner_anchors(piece))
        return facts


FACTS = _Facts()


@functools.lru_cache(maxsize=4)
def body_pieces(body: str) -> tuple[list[str], list[tuple[int, str | None, tuple[str, ...], str, str, tuple[str, ...]]]]:
    """(body.split(), the facts of each piece), cached for the few bodies in flight (the
    lists are shared: callers must not change them)."""
    pieces = body.split()
    return pieces, list(map(FACTS.__getitem__, pieces))
