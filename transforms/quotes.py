"""Attribution: who is quoted, how, and with which reporting verb.

Whose voice an article carries (the State Department's, Tokayev's, an anonymous
official's), whether their words are quoted or paraphrased, and whether the verb is
plain ("said"), distancing ("claimed") or amplifying ("warned") are framing choices.
find_quotes returns direct quotations (inside quotation marks) and indirect ones
("X said that ...", "according to X, ..."); quote_stats sums them per article.

Rules (verb-anchored, regex only; vocabulary in resources/attribution/<lang>/quotes.yaml):
  * Speaker before the verb: the noun phrase that ends right before it, walking back
    over names, titles, role nouns and "of"/"in" ("the first deputy director of the
    Presidential Administration Daurén Abáyev affirmed"). Adverbs, auxiliaries and
    dates between them are skipped ("Secretary Blinken has said", "Psaki additionally
    warned"). "A U.S. official conversant in the problem stated" keeps "A U.S. official".
  * Speaker after the verb for "according to X", "reads the statement", and inversions
    after a quote or comma ("...," said Blinken).
  * A direct quote takes the attribution right after it ("...," Blinken told reporters),
    else a verb earlier in its sentence ("Psaki warned that the group “will...”"), else
    the attribution of the quote just before it in the same paragraph ("“A,” she said.
    “B.”"). Unattributed quotes shorter than five words are scare quotes and skipped.
  * "he"/"she" become the nearest person named in the previous two sentences (named
    after a title, or a speaker found earlier).
  * Roles say what a speaker is; a US official quoted about Kazakhstan is a
    government_official, and `side` says us_government. foreign_official is never
    assigned (which country is "foreign" depends on the reader's outlet).
  * "the official" / "this statement" inherit role and side from an earlier "a U.S.
    official" / "a statement issued by the US State Department".
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .errors import ResourceError
from .hedges import (check_attribution_doc, lowered, need_list, norm_form, phrase_regex, phrase_scans,
                     quotation_spans, read_attribution_file, sentence_bounds, span_index)

# 2: verb, speaker and side totals null for a text not in English; 3: the speaker before an
# apposition ("X, a lawyer, told CNN"); 4: "Sen.", "Rep.", "Gov." are cues, never heads
QUOTES_VERSION = "quotes-4"


@dataclass(frozen=True)
class Quote:
    kind: str                 # direct | indirect
    start: int                # direct: inside the marks; indirect: the reported clause
    end: int
    text: str
    speaker: str | None       # as written (a resolved "he" gives the name it refers to)
    speaker_role: str | None  # government_official | police_security | witness | anonymous | media | expert | protester | other
    verb: str | None          # as written: "said", "told", "according to"
    verb_class: str | None    # neutral | doubt | assertive
    side: str | None          # us_government | kazakh_government | russia | government | media | ... | unknown


# --------------------------------------------------------------------------- data

@dataclass(frozen=True)
class _Verb:
    cls: str
    indirect: bool
    after: bool               # the speaker follows the verb
    needs_that: bool          # a reported clause only after "that" ("announced that ...")
    inverts: bool = True      # "...," said X: the speaker may follow it; not "told": "told X" is the listener


@dataclass(frozen=True)
class _QuoteData:
    version: str
    verb: re.Pattern[str]
    verb_by_form: dict[str, _Verb]
    determiners: frozenset[str]
    connectors: frozenset[str]
    issuer_links: frozenset[str]
    pronouns: frozenset[str]
    strip: frozenset[str]                 # dropped between speaker and verb
    stop: frozenset[str]                  # never inside a speaker phrase
    inner_words: frozenset[str]           # lowercase words allowed inside a speaker phrase
    role_head: re.Pattern[str]            # forward fallback: DET? w{0,3} ROLE
    title: re.Pattern[str]                # over lowered(body)
    name: re.Pattern[str]                 # the capitalised name after a title
    anonymous_heads: frozenset[str]
    documents: re.Pattern[str]
    role_cue: re.Pattern[str]
    role_by_cue: dict[str, str]
    role_rank: dict[str, int]
    country: re.Pattern[str]
    side_by_cue: dict[str, str]
    country_roles: frozenset[str]
    state_media: re.Pattern[str]
    role_sides: dict[str, str]
    title_forms: frozenset[str] = frozenset()   # the forms `title` matches (norm_form'ed)


def _words(where: str, doc: dict, key: str) -> list[str]:
    return need_list(f"{where} {key}", doc.get(key))


def build_quote_data(doc: Any, language: str = "en") -> _QuoteData:
    """Validate a parsed quotes.yaml and compile it."""
    where = f"attribution/{language}/quotes.yaml"
    doc = check_attribution_doc(where, doc, language)
    classes = _words(where, doc, "verb_classes")
    verb_by_form: dict[str, _Verb] = {}
    for i, entry in enumerate(need_list(f"{where} verbs", doc.get("verbs"), of=dict)):
        at = f"{where} verb {i + 1}"
        if entry.get("class") not in classes:
            raise ResourceError(f"{at}: class {entry.get('class')!r} not in {classes}")
        if entry.get("speaker", "before") not in ("before", "after"):
            raise ResourceError(f"{at}: speaker must be before or after")
        if not isinstance(entry.get("inverts", True), bool):
            raise ResourceError(f"{at}: inverts must be true or false")
        verb = _Verb(entry["class"], bool(entry.get("indirect", True)), entry.get("speaker") == "after",
                     bool(entry.get("needs_that", False)), entry.get("inverts", True))
        for form in need_list(f"{at} forms", entry.get("forms")):
            if norm_form(form) in verb_by_form:
                raise ResourceError(f"{at}: verb form {form!r} listed twice")
            verb_by_form[norm_form(form)] = verb

    roles = _words(where, doc, "roles")
    cues = doc.get("role_cues")
    if not isinstance(cues, dict) or not cues:
        raise ResourceError(f"{where} role_cues: must be a non-empty mapping")
    role_by_cue: dict[str, str] = {}
    for role, forms in cues.items():
        if role not in roles:
            raise ResourceError(f"{where} role_cues: role {role!r} not in {roles}")
        for form in need_list(f"{where} role_cues.{role}", forms):
            role_by_cue.setdefault(norm_form(form), role)
    side_by_cue: dict[str, str] = {}
    for i, entry in enumerate(need_list(f"{where} countries", doc.get("countries"), of=dict)):
        if not isinstance(entry.get("side"), str):
            raise ResourceError(f"{where} countries {i + 1}: needs a side")
        for cue in need_list(f"{where} countries {i + 1} cues", entry.get("cues")):
            side_by_cue.setdefault(cue, entry["side"])
    role_sides = doc.get("role_sides")
    if not isinstance(role_sides, dict) or set(role_sides) != set(roles):
        raise ResourceError(f"{where} role_sides: must map every role in {roles} to a side")
    country_roles = _words(where, doc, "country_roles")
    if set(country_roles) - set(roles):
        raise ResourceError(f"{where} country_roles: unknown roles {set(country_roles) - set(roles)}")

    anonymous = _words(where, doc, "anonymous_heads")
    documents = _words(where, doc, "documents")
    modifiers = _words(where, doc, "speaker_modifiers")
    single_cues = [c for c in role_by_cue if " " not in c]
    # abbreviated titles ("Sen.", "Gov.") say what a speaker is, but are neither words inside
    # a speaker phrase nor its head: "Ohio Gov. John Kasich all said" has no speaker "Ohio Gov."
    inner = {w.lower() for w in modifiers + single_cues + anonymous + documents if " " not in w and "." not in w}
    role_words = [c for c in set(single_cues + anonymous + documents) if c.islower() and "." not in c]
    dets = _words(where, doc, "determiners")
    time_words = _words(where, doc, "time_words")
    titles = _words(where, doc, "titles")
    return _QuoteData(
        version=str(doc["version"]),
        verb=re.compile(phrase_regex(list(verb_by_form))),
        verb_by_form=verb_by_form,
        determiners=frozenset(d.lower() for d in dets),
        connectors=frozenset(_words(where, doc, "connectors")),
        issuer_links=frozenset(_words(where, doc, "issuer_links")),
        pronouns=frozenset(p.lower() for p in _words(where, doc, "pronouns")),
        strip=frozenset(w.lower() for w in _words(where, doc, "between_speaker_and_verb") + time_words),
        stop=frozenset(w.lower() for w in _words(where, doc, "not_speaker") + time_words),
        inner_words=frozenset(inner),
        role_head=re.compile(
            r"\s*(?:(?:" + "|".join(map(re.escape, dets)) + r")\s+)?(?:[\w.’'-]+\s+){0,3}?"
            r"(?:" + "|".join(map(re.escape, sorted(role_words, key=len, reverse=True))) + r")(?![\w-])",
            re.IGNORECASE),
        title=re.compile(phrase_regex(titles)),
        name=re.compile(r"\s+((?:[A-Z][\w’'-]+\.?\s+){0,2}[A-Z][\w’'-]+)"),
        anonymous_heads=frozenset(a.lower() for a in anonymous),
        documents=re.compile(phrase_regex(documents)),
        role_cue=re.compile(phrase_regex(list(role_by_cue))),
        role_by_cue=role_by_cue,
        role_rank={role: i for i, role in enumerate(cues)},
        country=re.compile(phrase_regex(list(side_by_cue), lower=False)),
        side_by_cue=side_by_cue,
        country_roles=frozenset(country_roles),
        state_media=re.compile(phrase_regex(_words(where, doc, "state_media"))),
        role_sides={k: str(v) for k, v in role_sides.items()},
        title_forms=frozenset(norm_form(t) for t in titles),
    )


@functools.cache
def quote_data(language: str = "en") -> _QuoteData:
    """The packaged attribution vocabulary, loaded on first use."""
    return build_quote_data(read_attribution_file("quotes", language), language)


# --------------------------------------------------------------------------- speaker phrases

_TOKEN = re.compile(r"[\w’'][\w.’'&-]*")
_CUT_WORDS = ("that", "although", "though", "but", "and", "while", "as", "because", "since", "when", "if", "whereas",
              "where", "which", "who", "after", "before")
_LEFT_CUT = re.compile(      # run on lowered(body)
    r"[,;:“”\"()\[\]—–\n]|(?<![\w’'-])(?:" + "|".join(_CUT_WORDS) + r")(?![\w’'-])")
# _LEFT_CUT mirrored, for the text reversed: its first match there is _LEFT_CUT's last one
_LEFT_CUT_REVERSED = re.compile(
    r"[,;:“”\"()\[\]—–\n]|(?<![\w’'-])(?:" + "|".join(w[::-1] for w in _CUT_WORDS) + r")(?![\w’'-])")


def _last_left_cut(low: str, lo: int, hi: int) -> int | None:
    """The end of the last match of _LEFT_CUT.finditer(low, lo, hi), or None, by one
    search of the window reversed (stopping at the cut nearest `hi`, where the last
    match is). Matches are single punctuation characters and whole cut words, which
    never overlap, so the last one is the one ending last; the character before `lo`
    (which _LEFT_CUT's look-behind sees) is kept at the end of the reversed window, and
    a match that takes it in does not lie in the window."""
    lo0 = lo - 1 if lo > 0 else lo
    window = low[lo0:hi][::-1]
    m = _LEFT_CUT_REVERSED.search(window)
    if m is None or m.end() > hi - lo:
        return None
    return hi - m.start()


# the module's small fixed patterns, compiled once (not looked up in re's cache per call)
_POSSESSIVE = re.compile(r"[’']s$")
_BREAK_BETWEEN = re.compile(r"[.!?;\n“”\"]")
_COMMA_OR_END = re.compile(r"\s*(?:,|$)")
_THAT = re.compile(r"(?<![\w’'])that(?![\w’'])")
_CLAUSE_MARK = re.compile(r"[.;:“”\"]")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an|this)\s+")
_RIGHT_CUT = re.compile(r"[,;:“”\"()\[\]—–\n!?]|(?<![A-Z])\.(?=\s|$)")
_ABBR = re.compile(r"^(?:[A-Z]\.)+$")
_PASSIVE = frozenset({"is", "was", "were", "be", "been", "being", "are", "it"})
_QUOTE_CHARS = re.compile(r"[“”\"«»„]")
_NEW_CLAUSE = re.compile(r",\s+(?:and|but|while)\s|;")


def _tokens(text: str, offset: int) -> list[tuple[str, int, int]]:
    """Word tokens with absolute offsets; a sentence-final period is not part of a word
    but the dots of "U.S." are."""
    out = []
    for m in _TOKEN.finditer(text):
        tok, end = m.group(0), m.end()
        while tok.endswith(".") and not _ABBR.match(tok):
            tok, end = tok[:-1], end - 1
        if tok:
            out.append((tok, offset + m.start(), offset + end))
    return out


def _content(tok: str, data: _QuoteData) -> bool:
    """A word that can be part of a speaker phrase."""
    low = tok.lower()
    if low in data.stop:
        return False
    return (tok[0].isupper() or low in data.inner_words or low.endswith(("’s", "'s"))
            or ("-" in tok and tok[0].isalpha()))


def _walk_back(toks: list[tuple[str, int, int]], data: _QuoteData) -> int | None:
    """Index of the first token of the noun phrase that ends the token list."""
    first = None
    i = len(toks) - 1
    while i >= 0 and len(toks) - i <= 12:
        low = toks[i][0].lower()
        if low in data.determiners:
            if first is None:
                break
            first = i
            if i > 0 and toks[i - 1][0].lower() in data.connectors:
                i -= 1
                continue
            break
        if low in data.connectors:
            if first is None:
                break
        elif _content(toks[i][0], data):
            first = i
        else:
            break
        i -= 1
    return first


def _valid_speaker(toks: list[tuple[str, int, int]], data: _QuoteData) -> bool:
    return any(t[0][0].isupper() or t[0].lower() in data.inner_words - data.determiners for t in toks
               if t[0].lower() not in data.determiners and t[0].lower() not in data.connectors)


def _speaker_before(body: str, lo: int, hi: int, data: _QuoteData) -> tuple[str, int] | None:
    """The speaker phrase that ends right before a verb at `hi` (searching back to `lo`)."""
    cut = _last_left_cut(lowered(body), lo, hi)       # the last _LEFT_CUT match's end
    base = cut if cut is not None else lo
    toks = _tokens(body[base:hi], base)
    while toks and toks[-1][0].lower() in data.strip:
        if toks[-1][0].lower() in ("is", "was", "were"):
            return None                                   # "It is noted", "was reported"
        toks.pop()
    if not toks:
        return _before_apposition(body, lo, base, data) if cut is not None else None
    if toks[-1][0].lower() in data.pronouns:
        return toks[-1][0], toks[-1][1]
    if toks[-1][0].lower() in _PASSIVE:
        return None
    first = _walk_back(toks, data)
    if first is not None:
        np = toks[first:]
        while np and np[0][0].lower() in data.connectors:
            np = np[1:]
        if np and _valid_speaker(np, data):
            return body[np[0][1]:np[-1][2]], np[0][1]
    m = data.role_head.match(body, base, hi)        # "A U.S. official conversant in the problem"
    if m:
        text = m.group(0).strip()
        return text, m.end() - len(text)
    return None


# An apposition's first word, when it does not name the speaker itself: "Howell, 37, of
# Milledgeville, Ga., says", "McKeon, R-Calif., the chairman of ..., said"
_APPOSITION_LEAD = re.compile(r"(?:\d|(?:of|in|at|from|for|with)\b|[RDI]-[A-Z])")


def _is_apposition(segment: str, data: _QuoteData) -> bool:
    """Whether a comma-enclosed segment describes the name before it (an age, a party and
    state, "of Milledgeville", "a law professor", "Ga.") rather than being that name."""
    words = segment.split()
    if not words:
        return False
    return (bool(_APPOSITION_LEAD.match(words[0])) or words[0].lower() in data.determiners
            or (len(words) <= 2 and segment.rstrip().endswith(".")))


def _before_apposition(body: str, lo: int, end: int, data: _QuoteData) -> tuple[str, int] | None:
    """ "Ty Cobb, a White House lawyer, told the Times", "Hogan, R-Md., said": the speaker
    before the appositions that a comma closes right before the verb (`end`: just after
    that comma), walking back over a chain of them ("Howell, 37, of Milledgeville, Ga.,
    says"). Without this the comma made '," said X' of it, and the speaker was looked for
    after the verb: "told the Times" named the Times, who was told."""
    low = lowered(body)
    close = end - 1                                       # the comma that closes the apposition
    for _ in range(4):
        if body[close:close + 1] != ",":
            return None
        start = _last_left_cut(low, lo, close)
        if start is None or body[start - 1:start] != "," or not body[start:close].strip():
            return None
        before = _last_left_cut(low, lo, start - 1)
        if before is None or body[before - 1:before] != "," or not _is_apposition(body[before:start - 1], data):
            return _speaker_before(body, lo, start - 1, data)
        close = start - 1                                  # the segment before is an apposition too
    return None


def _speaker_after(body: str, lo: int, hi: int, data: _QuoteData) -> tuple[str, int] | None:
    """The speaker phrase that starts right after a verb ("according to X", "said Blinken")."""
    chunk = body[lo:hi]
    cut = _RIGHT_CUT.search(chunk)
    toks = _tokens(chunk[: cut.start()] if cut else chunk, lo)
    np: list[tuple[str, int, int]] = []
    i = 0
    while i < len(toks) and len(np) < 12:
        tok = toks[i][0]
        low = tok.lower()
        if low in data.determiners:
            if np and np[-1][0].lower() not in data.connectors and np[-1][0].lower() != "by":
                break
            np.append(toks[i])
        elif low in data.connectors and np:
            np.append(toks[i])
        elif low in data.issuer_links and np and i + 1 < len(toks) and toks[i + 1][0].lower() == "by":
            np.extend(toks[i:i + 2])
            i += 1
        elif _content(tok, data):
            np.append(toks[i])
        else:
            break
        i += 1
    while np and (np[-1][0].lower() in data.connectors or np[-1][0].lower() in data.determiners):
        np.pop()
    if not np or not _valid_speaker(np, data):
        return None
    return body[np[0][1]:np[-1][2]], np[0][1]


# --------------------------------------------------------------------------- roles and sides

_ROLES: dict[str, str] = {}     # phrase -> _role with the packaged quote_data(); cleared when full


def _role(speaker: str, data: _QuoteData) -> str:
    """What the speaker is, from cue words in the phrase (see quotes.yaml role_cues);
    a pure function of the two, cached for the packaged data (speakers recur: "he",
    "Psaki", "the ministry")."""
    if data is not quote_data():
        return _role_of(speaker, data)
    role = _ROLES.get(speaker)
    if role is None:
        if len(_ROLES) >= 50_000:
            _ROLES.clear()
        _ROLES[speaker] = role = _role_of(speaker, data)
    return role


def _role_of(speaker: str, data: _QuoteData) -> str:
    toks = speaker.split()
    last = toks[-1].lower().strip(".,") if toks else ""
    if last in data.anonymous_heads or norm_form(speaker).endswith("people familiar"):
        return "anonymous"
    best = None
    for m in data.role_cue.finditer(speaker.lower()):
        role = data.role_by_cue[norm_form(m.group(0))]
        if best is None or data.role_rank[role] < data.role_rank[best]:
            best = role
    return best or "other"


def _side(speaker: str, role: str, context: str, data: _QuoteData) -> tuple[str, str]:
    """(role, side): a country side for officials, state media, and a bare country or
    capital used as a speaker ("Washington said", "Moscow warned")."""
    text = f"{context} {speaker}" if context else speaker
    m = data.country.search(text)
    if m:
        side = data.side_by_cue[m.group(0)]
        bare = " ".join(t for t in speaker.split() if t.lower() not in data.determiners)
        if bare in data.side_by_cue and role == "other":
            return "government_official", side
        if role in data.country_roles or (role == "media" and data.state_media.search(text.lower())):
            return role, side
    return role, data.role_sides.get(role, "unknown")


@dataclass
class _Person:
    name: str
    role: str
    side: str
    context: str


def _people(body: str, data: _QuoteData) -> dict[str, _Person]:
    """Names introduced by a title ("press secretary Jen Psaki"), by surname; they carry
    the role and side of their title phrase (later bare mentions "Psaki" inherit them)."""
    people: dict[str, _Person] = {}
    for m in (phrase_scans(body)[2] if data is quote_data() else data.title.finditer(lowered(body))):
        nm = data.name.match(body, m.end())
        if not nm:
            continue
        name = nm.group(1)
        surname = _POSSESSIVE.sub("", name.split()[-1])
        lo = max(0, m.start() - 40)
        cut = _last_left_cut(lowered(body), lo, m.start())
        context = body[cut if cut is not None else lo:nm.end()].strip()
        role = _role(context, data)
        role, side = _side(context, role, "", data)
        old = people.get(surname)
        if old is None or (old.side in ("government", "unknown") and side not in ("government", "unknown")):
            people[surname] = _Person(name, role, side, context)
    return people


def _resolve_pronoun(body: str, pos: int, lo: int, people: dict[str, _Person]) -> _Person | None:
    """The person whose surname occurs last between `lo` and `pos`."""
    best, best_at = None, -1
    window = body[lo:pos]
    for surname, person in people.items():
        at = window.rfind(surname)
        if at > best_at:
            best, best_at = person, at
    return best


# --------------------------------------------------------------------------- attributions

@dataclass
class _Attr:
    verb: str
    verb_start: int
    verb_end: int
    info: _Verb
    speaker: str | None
    speaker_start: int
    before: bool          # speaker stood before the verb


def _attributions(body: str, sentences: list[tuple[int, int]], sstarts: list[int],
                  data: _QuoteData) -> list[_Attr]:
    """Every reporting verb with its speaker (None when none could be found)."""
    out = []
    for m in (phrase_scans(body)[1] if data is quote_data() else data.verb.finditer(lowered(body))):
        vs, ve = m.span()
        info = data.verb_by_form[norm_form(m.group(0))]
        si = span_index(sentences, sstarts, vs)
        s_lo, s_hi = sentences[si] if si >= 0 else (0, len(body))
        spk = None
        before = False
        if not info.after:
            spk = _speaker_before(body, max(s_lo, vs - 200), vs, data)
            before = spk is not None
            prefix = body[max(s_lo, vs - 3):vs].rstrip()
            if spk is None and info.inverts and (not prefix or prefix[-1] in ",”\"’"):
                spk = _speaker_after(body, ve, min(s_hi, ve + 150), data)      # "...," said Blinken
        else:
            spk = _speaker_after(body, ve, min(max(s_hi, ve), ve + 150), data)
        out.append(_Attr(body[vs:ve], vs, ve, info, spk[0] if spk else None,
                         spk[1] if spk else -1, before))
    return out


def _postposed(attrs: list[_Attr], qe: int, inner: str, body: str) -> _Attr | None:
    """The attribution right after a closing mark: '...," Blinken told', '," said X'."""
    for a in attrs:
        if a.verb_start < qe:
            continue
        if a.verb_start > qe + 80:
            return None
        between = body[qe:a.verb_start]
        if _BREAK_BETWEEN.search(between) or a.speaker is None:
            return None
        stripped = between.lstrip(" ,")
        if inner.rstrip().endswith((".", "!", "?")) and stripped[:1].isupper():
            return None                       # a new sentence, not an attribution
        if a.before and a.speaker_start >= qe:
            return a
        if not a.before and not between.strip(" ,"):
            return a
        return None
    return None


def _preposed(attrs: list[_Attr], qs: int, s_lo: int, body: str) -> _Attr | None:
    """The last attribution earlier in the sentence: 'Psaki warned that the group “...'."""
    best = None
    for a in attrs:
        if a.verb_end > qs:
            break
        if a.verb_start >= s_lo and a.speaker is not None:
            best = a
    if best is None:
        return None
    between = body[best.verb_end:qs]
    if len(between) > 120 or "\n" in between or _QUOTE_CHARS.search(between) or _NEW_CLAUSE.search(between):
        return None
    return best


def _speaker_fields(a: _Attr | None, body: str, sentences, sstarts, people: dict[str, _Person],
                    data: _QuoteData) -> tuple[str | None, str | None, str]:
    """(speaker, role, side), resolving he/she and named people."""
    if a is None or a.speaker is None:
        return None, None, "unknown"
    speaker = a.speaker
    context = ""
    if speaker.lower() in data.pronouns:
        si = span_index(sentences, sstarts, a.speaker_start)
        lo = sentences[max(0, si - 2)][0] if si >= 0 else 0
        person = _resolve_pronoun(body, a.speaker_start, lo, people)
        if person is None:
            return speaker, None, "unknown"
        return person.name, person.role, person.side
    last = _POSSESSIVE.sub("", speaker.split()[-1])
    person = people.get(last)
    role = _role(speaker, data)
    if person is not None and role in ("other", person.role):
        role, context = person.role, person.context
    role, side = _side(speaker, role, context, data)
    return speaker, role, side


def _clause_span(body: str, a: _Attr, s_lo: int, s_hi: int) -> tuple[int, int] | None:
    """The reported clause of an indirect attribution."""
    end = s_hi
    while end > s_lo and body[end - 1] in " \n.!?":
        end -= 1
    if a.info.after:                                        # "according to X"
        spk_end = a.speaker_start + len(a.speaker or "")
        lead = body[s_lo:a.verb_start].strip()
        if not lead:                                        # "According to X, clause."
            return _trim(body, spk_end, end)
        tail = body[spk_end:end].strip(" ,")
        if not tail:                                        # "clause, according to X."
            closing = max(body.rfind("”", s_lo, a.verb_start), body.rfind('"', s_lo, a.verb_start))
            return _trim(body, max(s_lo, closing + 1), a.verb_start)
        return _trim(body, spk_end, end)                    # "A and, according to X, clause"
    rest = body[a.verb_end:end]
    if a.before and _COMMA_OR_END.match(rest) and body[s_lo:a.speaker_start].rstrip().endswith(","):
        return _trim(body, s_lo, a.speaker_start)           # "clause, the official stated, ..."
    that = _THAT.search(rest[:80])
    if that and not _CLAUSE_MARK.search(rest[:that.start()]):
        return _trim(body, a.verb_end + that.end(), end)
    if a.info.needs_that:
        return None             # "declared a state of emergency", "told reporters": no clause
    return _trim(body, a.verb_end, end)


def _trim(body: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and body[start] in " ,:\n":
        start += 1
    while end > start and body[end - 1] in " ,:\n":
        end -= 1
    if len(body[start:end].split()) < 3:
        return None
    return start, end


def _mixed(a: _Attr, qs: int, body: str) -> bool:
    """A quote inside a reported clause ("Psaki warned that the group “will...”") leaves
    the verb free to yield an indirect quote too; a quote right after "that" does not."""
    if a.verb_end > qs or not a.info.indirect:
        return False
    lead = body[a.verb_end:qs]
    that = _THAT.search(lead)
    return len((lead[that.end():] if that else lead).split()) >= 3


def find_quotes(body: str) -> list[Quote]:
    """Direct and indirect quotations in `body`, in order of position."""
    if not body or not isinstance(body, str):
        return []
    data = quote_data()
    sentences = sentence_bounds(body)
    sstarts = [s for s, _ in sentences]
    attrs = _attributions(body, sentences, sstarts, data)
    people = _people(body, data)
    found: list[tuple[int, int, str, _Attr | None]] = []
    used: set[int] = set()
    prev: tuple[int, _Attr] | None = None          # (closing mark end, attribution)
    for qs, qe in quotation_spans(body):
        inner = body[qs + 1:qe - 1]
        si = span_index(sentences, sstarts, qs)
        s_lo = sentences[si][0] if si >= 0 else 0
        a = _postposed(attrs, qe, inner, body) or _preposed(attrs, qs, s_lo, body)
        if a is None and prev is not None:
            gap = body[prev[0]:qs]
            if "\n" not in gap and len(gap) <= 150:
                a = prev[1]
        words = len(inner.split())
        if words < 2 or (a is None and words < 5):
            continue
        found.append((qs + 1, qe - 1, "direct", a))
        if a is not None:
            prev = (qe, a)
            if not _mixed(a, qs, body):
                used.add(a.verb_start)
    for a in attrs:
        if a.verb_start in used or not a.info.indirect or a.speaker is None:
            continue
        si = span_index(sentences, sstarts, a.verb_start)
        if si < 0:
            continue
        span = _clause_span(body, a, *sentences[si])
        if span:
            found.append((span[0], span[1], "indirect", a))

    found.sort(key=lambda f: (f[0], f[2]))
    out: list[Quote] = []
    by_head: dict[str, tuple[str | None, str]] = {}
    for start, end, kind, a in found:
        speaker, role, side = _speaker_fields(a, body, sentences, sstarts, people, data)
        if a is not None and a.speaker and a.speaker[0].isupper() and role in ("other", "government_official") \
                and not data.documents.search(a.speaker.lower()):
            surname = _POSSESSIVE.sub("", a.speaker.split()[-1])        # later "he said" can refer to them
            if surname[:1].isupper() and surname not in people:
                people[surname] = _Person(a.speaker, role or "other", side, "")
        if speaker:
            toks = speaker.split()
            head = toks[-1].lower()
            if len(toks) > 1 and toks[0].lower() in ("the", "this", "that") and head in by_head \
                    and side in ("unknown", "government"):
                role, side = by_head[head][0] or role, by_head[head][1]
            elif side not in ("unknown",):
                by_head.setdefault(head, (role, side))
                doc = data.documents.search(speaker.lower())
                if doc:
                    by_head.setdefault(norm_form(doc.group(0)).split()[-1], (role, side))
        out.append(Quote(
            kind=kind, start=start, end=end, text=body[start:end], speaker=speaker,
            speaker_role=role, verb=a.verb if a else None,
            verb_class=a.info.cls if a else None, side=side,
        ))
    return out


# quote_stats' totals read from the English reporting verbs and speaker lists (the others
# count quotation marks): null for a text in another language (transforms.pipeline)
ENGLISH_STATS = ("quotes_indirect", "doubt_verbs", "neutral_verbs", "assertive_verbs", "speakers_distinct",
                 "sides_distinct")


def quote_stats(quotes: list[Quote], body: str) -> dict[str, float | int | None]:
    """Per-article attribution totals. Verb classes are counted per quote; speakers are
    compared case-insensitively without a leading article; sides exclude "unknown"."""
    direct = [q for q in quotes if q.kind == "direct"]
    speakers = {_LEADING_ARTICLE.sub("", q.speaker.lower()) for q in quotes if q.speaker}
    return {
        "quotes_direct": len(direct),
        "quotes_indirect": sum(q.kind == "indirect" for q in quotes),
        "quoted_share": round(sum(q.end - q.start for q in direct) / len(body), 4) if body else None,
        "doubt_verbs": sum(q.verb_class == "doubt" for q in quotes),
        "neutral_verbs": sum(q.verb_class == "neutral" for q in quotes),
        "assertive_verbs": sum(q.verb_class == "assertive" for q in quotes),
        "speakers_distinct": len(speakers),
        "sides_distinct": len({q.side for q in quotes if q.side and q.side != "unknown"}),
    }
