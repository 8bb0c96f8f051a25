"""Event figures: the casualty, arrest and deployment counts an article states.

Which numbers an outlet reports (26 protesters killed vs 18 police killed), how
precisely ("3,211" vs "over 4,000" vs "dozens") and how hedged ("reportedly") is a
framing choice. A number counts as a figure only when a kind trigger ("killed",
"detained", ...) sits in its clause, so years, dates, durations and "five TV channels"
are not reported. All word lists live in resources/attribution/<lang>/figures.yaml.

Rules, in order, for each number expression:
  kind    - the first trigger in the few words after the number, else the nearest one
            before it in the same clause; with neither, an anaphoric "Their number rose
            to 18" takes kind and subject from the previous sentence.
  subject - head noun right after the number ("4,266 demonstrators", "hundreds of
            police officers"; after "one" a singular one: "one woman was killed"), or after
            a count noun before it ("the number of wounded police officers rose to 740");
            a bare number joined by "and" to an earlier
            figure of the sentence inherits its subject ("26 protesters killed and 26
            injured", "hundreds of police officers ... and at least 18 were killed").
            Otherwise "unknown": "dozens were killed after allegedly confronting police"
            names nobody, and we do not guess that they were protesters.
  not     - an age at death ("Dies At 75": a verb of one death, "at", a number up to 125);
            money ("$5.2 million bail": a currency sign before the number); the number
            after a slash ("since 9/11", "deaths/100,000"); digits with a leading zero
            (the "000" of "deaths/100 000"); a 4-digit year after "a", "in", "since"... ("a
            2016 police killing", "in 2019 that journalists should be jailed"); the agent of a
            passive ("killed by one of your fellow Americans", "death by a thousand cuts"); a
            multiplier alone ("a few dozen arrests"); a vague amount before one ("several
            hundred thousand": neither "several hundred" nor "thousand"); an age in a list ("aged
            26 and 21 were detained"), a rate ("11 deaths per 100,000", "of every 100,000"), a
            ratio's denominator ("1 in 1,000"), the start of a range of a unit ("between 3 and
            29 percent"); a count of events or things ("the two blasts nonetheless killed",
            "hit two homes"); a trigger inside a phrase of not_triggers is none ("the death
            penalty", "arrest warrants for two suspects").
  value   - the stated number, also when qualified ("over 4,000" -> 4000, approximate,
            low 4000; "over a million" -> 1000000, low 1000000; "at least a quarter of a
            million" -> 250000, low 250000; "two dozen" -> 24); None for vague amounts
            ("dozens" -> low 24, high 99).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .errors import ResourceError
from .hedges import (check_attribution_doc, hedged, lowered, need_list, norm_form, phrase_regex, phrase_scans,
                     read_attribution_file, sentence_bounds, span_index)
from .lexicon import trie_regex

# 2: English texts only (transforms.pipeline.ENGLISH); 3: no ages at death, money, "9/11";
# 4: no year after "a"/"in"/"since" ("a 2016 police killing"), no agent of a passive ("killed by one of");
# "over a million" keeps its qualifier, "a quarter of a million" is 250,000, "two dozen" 24; no ages in a
# list ("aged 26 and 21"), rates ("per 100,000"), ratios ("1 in 1,000") or ranges of a unit ("3 and 29 percent");
# "Model 3", "Interstate 40", "30 grams", "one night", "at one point" are no counts; nor are counts of
# events or things ("the two blasts nonetheless killed"); after "one" a singular head is the subject ("one man");
# no trigger in "death penalty", "death threat", "arrest warrants"...
FIGURES_VERSION = "figures-4"


@dataclass(frozen=True)
class Figure:
    kind: str              # killed | wounded | detained | deployed | evacuated | displaced | missing
    value: int | None      # the stated number; None for vague amounts ("dozens")
    value_text: str        # as written, qualifier included: "over 4,000", "dozens"
    low: int | None        # range the expression implies (None = unbounded/unknown)
    high: int | None
    approximate: bool      # qualified ("over", "about", "at least") or vague
    subject: str | None    # protesters | police_security | people | ... | unknown
    hedged: bool           # a hedge/evidential term in the same sentence
    as_of: str | None      # "January 8", "Thursday": the date the count is given for
    start: int             # span of the number expression (qualifier included)
    end: int
    sentence: str


@dataclass(frozen=True)
class _FigureData:
    version: str
    number: re.Pattern[str]            # qualifier? + number expression
    trigger: re.Pattern[str]           # any kind trigger
    cue: re.Pattern[str]               # any trigger or anaphora form, anywhere (no word checks)
    kind_by_trigger: dict[str, str]
    subject: re.Pattern[str]
    subject_of_one: re.Pattern[str]    # subject, or a singular head (after "one" only)
    subject_by_head: dict[str, str]    # plural and singular heads
    count_noun: re.Pattern[str]
    anaphora: re.Pattern[str]
    joiner_before: re.Pattern[str]     # text before a number ends with a joiner
    joiner_after: re.Pattern[str]      # text after a number starts with "of them"
    bound_by_qualifier: dict[str, str]  # qualifier -> low | high | around
    vague: dict[str, tuple[int, int]]
    words: dict[str, int]
    multipliers: dict[str, int]
    fractions: dict[str, tuple[int, int]]   # "a quarter of" -> (1, 4): of "a million" after it
    start_forms: frozenset[str]        # what the number pattern starts with (hedges.phrase_scans' probe)
    unit_after: re.Pattern[str]
    multiplier_after: re.Pattern[str]
    date_before: re.Pattern[str]
    age_at_death: re.Pattern[str]      # text before a number ends with "died at": an age
    year_before: re.Pattern[str]       # text before a number ends with "a", "in", "since": a 4-digit one is a year
    agent_before: re.Pattern[str]      # text before a number ends with "killed by": the number is the agent
    age_list: re.Pattern[str]          # text before a number ends with "aged 26 and", "age 18 or": an age
    rate_before: re.Pattern[str]       # text before a number ends with "every", "per": a denominator
    rate_after: re.Pattern[str]        # "11 deaths per 100,000": a rate
    ratio_before: re.Pattern[str]      # "1 in 1,000": a denominator
    thing: re.Pattern[str]             # a noun of events or things: "the two blasts", "two homes"
    compound: re.Pattern[str]          # a phrase whose trigger is none: "death penalty", "arrest warrants"
    as_of: re.Pattern[str]


_CURRENCY_SIGNS = "$€£¥"
NUMBER_START = rf"(?<![\w{_CURRENCY_SIGNS}.,’'-])"   # what the number pattern starts with (see hedges.phrase_scans)
# A sign, then maybe the amount's digits: "$5.2 million" (the number pattern does not start
# after a sign, so its bare "million" matched), "US$ 40", "£ 3".
_MONEY_BEFORE = re.compile(rf"[{re.escape(_CURRENCY_SIGNS)}]\s*(?:\d(?:[\d,.]*\d)?\s*)?$")
_DIGITS = r"\d{1,3}(?:,\d{3})+(?![\d,]\d)|\d+(?:\.\d+)?"
_MONTHS = (r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
           r"|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?")
# Clause boundaries for the trigger windows: punctuation and clause-joining words.
_BOUNDARY = re.compile(
    r"[,;:()\[\]—–“”\"]|\s-\s|(?<![\w-])(?:and|but|while|whereas|as|after|before|when|although|though"
    r"|because|which|who|whom|including|amid)(?![\w-])")
_WORD = re.compile(r"[\w’'-]+")
_MAX_AGE = 125      # "died at N": an age at death is no larger
_LEADING_ZERO = re.compile(r"0\d")    # "000" (of "100 000"), "007": no count


def _mapping(where: str, value: Any) -> dict:
    if not isinstance(value, dict) or not value:
        raise ResourceError(f"{where}: must be a non-empty mapping")
    return value


def _phrase_table(where: str, table: Any) -> dict[str, str]:
    """{class: [phrases]} -> {normalised phrase: class}; a phrase may belong to one class."""
    out: dict[str, str] = {}
    for cls, forms in _mapping(where, table).items():
        for form in need_list(f"{where}.{cls}", forms):
            key = norm_form(form)
            if key in out:
                raise ResourceError(f"{where}: {form!r} is listed under {out[key]!r} and {cls!r}")
            out[key] = str(cls)
    return out


def _int_table(where: str, table: Any) -> dict[str, int]:
    out = {}
    for key, value in _mapping(where, table).items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ResourceError(f"{where}: {key!r} must map to a non-negative integer")
        out[norm_form(str(key))] = value
    return out


def build_figure_data(doc: Any, language: str = "en") -> _FigureData:
    """Validate a parsed figures.yaml and compile its patterns."""
    where = f"attribution/{language}/figures.yaml"
    doc = check_attribution_doc(where, doc, language)

    def _words(key: str) -> list[str]:
        return need_list(f"{where} {key}", doc.get(key))

    kind_by_trigger = _phrase_table(f"{where} kinds", doc.get("kinds"))
    subject_by_head = _phrase_table(f"{where} subjects", doc.get("subjects"))
    singular_by_head = _phrase_table(f"{where} subjects_of_one", doc.get("subjects_of_one"))
    for head, cls in singular_by_head.items():
        if cls not in set(subject_by_head.values()):
            raise ResourceError(f"{where} subjects_of_one: {cls!r} is not a subject class")
        if head in subject_by_head:
            raise ResourceError(f"{where} subjects_of_one: {head!r} is also a head of subjects")
    bounds = _phrase_table(f"{where} qualifiers", doc.get("qualifiers"))
    if set(bounds.values()) - {"low", "high", "around"}:
        raise ResourceError(f"{where} qualifiers: keys must be low, high, around")
    vague: dict[str, tuple[int, int]] = {}
    for i, entry in enumerate(need_list(f"{where} vague", doc.get("vague"), of=dict)):
        low, high = entry.get("low"), entry.get("high")
        if not (isinstance(low, int) and isinstance(high, int) and 0 <= low <= high):
            raise ResourceError(f"{where} vague {i + 1}: needs integers 0 <= low <= high")
        for form in need_list(f"{where} vague {i + 1} forms", entry.get("forms")):
            vague[norm_form(form)] = (low, high)
    words = _int_table(f"{where} number_words", doc.get("number_words"))
    mults = _int_table(f"{where} multipliers", doc.get("multipliers"))
    fractions: dict[str, tuple[int, int]] = {}
    for form, pair in _mapping(f"{where} fractions", doc.get("fractions")).items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                                  for x in pair) and 0 < pair[0] < pair[1]):
            raise ResourceError(f"{where} fractions: {form!r} must map to [numerator, denominator], 0 < n < d")
        fractions[norm_form(str(form))] = (pair[0], pair[1])
    units = _words("units")
    dates = _words("date_words")
    count_nouns = _words("count_nouns")
    anaphora = _words("anaphora")
    joiners = _words("ellipsis_joiners")
    preps = _words("as_of")
    weekdays = _words("weekdays")
    age_verbs = _words("age_at_death")
    for verb in age_verbs:
        if kind_by_trigger.get(norm_form(verb)) != "killed":
            raise ResourceError(f"{where} age_at_death: {verb!r} is not a killed trigger")
    year_words = _words("year_before")
    agent_verbs = _words("agent_verbs")
    age_words = _words("age_words")
    rate_words = _words("rate_words")
    ratio_words = _words("ratio_words")
    things = _words("things")
    compounds = _words("not_triggers")
    any_trigger = re.compile(phrase_regex(list(kind_by_trigger)))
    for phrase in compounds:
        if not any_trigger.search(norm_form(phrase)):
            raise ResourceError(f"{where} not_triggers: {phrase!r} holds no trigger")
    for verb in agent_verbs:
        if norm_form(verb) not in kind_by_trigger:
            raise ResourceError(f"{where} agent_verbs: {verb!r} is not a trigger")

    alt = lambda forms: trie_regex(sorted({norm_form(f) for f in forms}))  # noqa: E731
    word_alt = alt(list(words) + list(mults))
    # "a million", "over a million", "a quarter of a million", "half a dozen": "a" and a
    # fraction start a spelled-out number only before a multiplier
    a_mult = rf"a\s+(?:{alt(mults)})"
    number = (
        rf"{NUMBER_START}(?:(?P<q>{alt(bounds)})\s+)?"
        rf"(?P<n>(?P<vague>{alt(vague)})(?![\w-])"
        rf"|(?P<digits>{_DIGITS})(?:\s+(?P<dmult>{alt(mults)}))?(?![\w%-]|[.,:/]\d)"
        rf"|(?P<words>(?:(?P<frac>{alt(fractions)})\s+{a_mult}|{a_mult}|(?:{word_alt}))"
        rf"(?:(?:\s+and\s+|\s+|-)(?:{word_alt}))*)(?![\w-]))"
    )
    before_joiners = [j for j in joiners if not j.startswith("of ")]
    after_joiners = [j for j in joiners if j.startswith("of ")]
    return _FigureData(
        version=str(doc["version"]),
        number=re.compile(number),
        trigger=re.compile(phrase_regex(list(kind_by_trigger))),
        cue=re.compile(trie_regex(sorted({norm_form(f) for f in list(kind_by_trigger) + anaphora}))),
        kind_by_trigger=kind_by_trigger,
        subject=re.compile(phrase_regex(list(subject_by_head))),
        subject_of_one=re.compile(phrase_regex(list(subject_by_head) + list(singular_by_head))),
        subject_by_head={**subject_by_head, **singular_by_head},
        count_noun=re.compile(phrase_regex(count_nouns) + r"\s+of\b"),
        anaphora=re.compile(phrase_regex(anaphora)),
        joiner_before=re.compile(r"(?:^|\W)(?:" + alt([j.lstrip(", ") for j in before_joiners]) + r")\s*$"),
        joiner_after=re.compile(r"^\s*(?:" + alt(after_joiners or ["of them"]) + r")\b"),
        bound_by_qualifier=bounds,
        vague=vague,
        words=words,
        multipliers=mults,
        fractions=fractions,
        start_forms=frozenset(norm_form(x) for x in [*bounds, *vague, *words, *mults, *fractions,
                                                      *(f"a {m}" for m in mults)]),
        multiplier_after=re.compile(rf"\s+(?:{alt(mults)})(?![\w-])"),
        unit_after=re.compile(r"\s*(?:" + alt(units) + r")(?![\w])"),
        date_before=re.compile(r"(?<![\w])(?:" + alt(dates) + r")\.?\s*$"),
        # "Dies At 75", not "the dead at 40" (a count: "officials put the dead at 40")
        age_at_death=re.compile(r"(?<![\w-])(?<!the )(?:" + alt(age_verbs) + r")\s+at\s+$"),
        year_before=re.compile(r"(?<![\w’'-])(?:" + alt(year_words) + r")\s+$"),
        # "killed by one", "death by a thousand cuts": the passive's agent, not its victims
        agent_before=re.compile(phrase_regex(agent_verbs) + r"\s+by\s+$"),
        # "two women aged 26 and 21 were detained", "aged 23, 26, 27, 28 and 58", "ages 1 through 14"
        age_list=re.compile(
            rf"(?<![\w-])(?:{alt(age_words)})\s+(?:between\s+|from\s+)?\d{{1,3}}\s+(?:and|or|to|through)\s+$"
            rf"|(?<![\w-])(?:{alt(age_words)})\s+\d{{1,3}}(?:\s*,\s*\d{{1,3}})+\s*,?\s*(?:and|or)\s+$"),
        rate_before=re.compile(rf"(?<![\w’'-])(?:{alt(rate_words)})\s+$"),
        rate_after=re.compile(rf"\s*(?:[\w’'-]+\s+){{0,2}}(?:{alt(rate_words)})\s+(?:\d|(?:{alt(mults)})(?![\w-]))"),
        thing=re.compile(phrase_regex(things)),
        compound=re.compile(phrase_regex(compounds)),
        ratio_before=re.compile(rf"(?<![\w.,’'-])\d[\d,.]*\s+(?:{alt(ratio_words)})\s+$"),
        as_of=re.compile(
            rf"(?<![\w])(?:{alt(preps)})\s+(?P<date>(?:{alt(weekdays)})(?:,?\s+{_MONTHS}\s+\d{{1,2}})?"
            rf"|{_MONTHS}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTHS})(?![\w])"),
    )


@functools.cache
def figure_data(language: str = "en") -> _FigureData:
    """The packaged figure vocabulary, loaded on first use."""
    return build_figure_data(read_attribution_file("figures", language), language)


# --------------------------------------------------------------------------- values

def _words_value(text: str, data: _FigureData) -> int | None:
    """ "twenty-six" -> 26, "two hundred" -> 200, "three thousand five hundred" -> 3500."""
    total = current = 0
    for token in re.split(r"[\s-]+", text.lower()):
        if token == "and" or not token:
            continue
        if token in data.multipliers:
            mult = data.multipliers[token]
            current = max(current, 1) * mult
            if mult >= 1000:
                total, current = total + current, 0
        elif token in data.words:
            current += data.words[token]
        elif token == "a":          # "a dozen", "a million"
            continue
        else:
            return None
    return total + current


def _value(m: re.Match[str], data: _FigureData) -> tuple[int | None, int | None, int | None, bool]:
    """(value, low, high, approximate) of a matched number expression."""
    if m.group("vague"):
        low, high = data.vague[norm_form(m.group("vague"))]
        return None, low, high, True
    if m.group("digits"):
        raw = m.group("digits").replace(",", "")
        mult = data.multipliers.get(norm_form(m.group("dmult") or ""), 1)
        value = int(float(raw) * mult) if "." in raw else int(raw) * mult
    else:
        words = m.group("words")
        if m.group("frac"):     # "a quarter of" + "a million"
            words = words[m.end("frac") - m.start("words"):]
        value = _words_value(words, data)
        if value is None:
            return None, None, None, True
        if m.group("frac"):
            num, den = data.fractions[norm_form(m.group("frac"))]
            value = value * num // den
        if norm_form(words) == "a dozen" and not m.group("q"):
            return value, None, None, True      # "a dozen", "half a dozen": loose
    qualifier = m.group("q")
    if not qualifier:
        return value, value, value, False
    bound = data.bound_by_qualifier.get(norm_form(qualifier), "around")
    if bound == "low":
        return value, value, None, True
    if bound == "high":
        return value, None, value, True
    return value, None, None, True


# --------------------------------------------------------------------------- windows

def _clause_after(text: str) -> str:
    """Text up to the first clause boundary (the words that belong with the number)."""
    m = _BOUNDARY.search(text)
    return text[: m.start()] if m else text


def _clause_before(text: str) -> str:
    """Text after the last clause boundary."""
    last = None
    for last in _BOUNDARY.finditer(text):
        pass
    return text[last.end():] if last else text


def _first_words(text: str, n: int) -> str:
    """The first `n` words of `text` (keeps the windows short and local)."""
    count = 0
    for m in _WORD.finditer(text):
        count += 1
        if count == n:
            return text[: m.end()]
    return text


def _kind_trigger(text: str, offset: int, blocked: list[tuple[int, int]], data: _FigureData,
                  last: bool = False) -> re.Match[str] | None:
    """The first (or last) trigger in `text` (which starts at `offset` of the body) outside
    the `blocked` spans of not_triggers phrases: "the death penalty", "arrest warrants for two
    suspects", "some of the other 10 ... have received a death threat"."""
    found = None
    for t in data.trigger.finditer(text):
        a, b = offset + t.start(), offset + t.end()
        if any(cs <= a and b <= ce for cs, ce in blocked):
            continue
        found = t
        if not last:
            break
    return found


def _subject_after(after: str, data: _FigureData, one: bool = False) -> str | None:
    """Head noun right after the number: "4,266 demonstrators", "hundreds of police
    officers", "26 unarmed protesters" (up to two words in between, before any trigger);
    after "one" (`one`) a singular head too: "one innocent Black man"."""
    window = _first_words(after, 4)
    trig = data.trigger.search(window)
    if trig:
        window = window[: trig.start()]
    m = (data.subject_of_one if one else data.subject).search(window)
    if not m:
        return None
    gap = window[: m.start()].split()
    if len(gap) > 2 or any(w.lower() in {"by", "from", "against", "on", "with"} for w in gap):
        return None   # "detained by local security forces" is not the subject
    return data.subject_by_head[norm_form(m.group(0))]


def _subject_before(before: str, data: _FigureData) -> str | None:
    """ "the number of wounded police officers rose to 740": the subject follows a count noun."""
    cn = data.count_noun.search(before)
    if not cn:
        return None
    m = data.subject.search(before, cn.end())
    return data.subject_by_head[norm_form(m.group(0))] if m else None


def _from_previous_sentence(body: str, sent: tuple[int, int] | None, data: _FigureData
                            ) -> tuple[str | None, str | None]:
    """Kind and subject for "Their number rose to 18" from the sentence before."""
    if sent is None:
        return None, None
    text = body[sent[0]:sent[1]]
    trig = data.trigger.search(text)
    subj = data.subject.search(text)
    return (data.kind_by_trigger[norm_form(trig.group(0))] if trig else None,
            data.subject_by_head[norm_form(subj.group(0))] if subj else None)


# --------------------------------------------------------------------------- main

def _is_year(m: re.Match[str], low: str, s_start: int, after: str, data: _FigureData) -> bool:
    """1800..2100 written without a thousands separator, qualifier or multiplier is a year
    when no subject follows ("in 2019.", "the 2012 Benghazi attacks") or when "a", "in",
    "since"... (figures.yaml year_before) stand right before it ("a 2016 police killing",
    "complained in 2019 that journalists should be jailed"): counts that large are written
    "2,016 people", and "some 2000 protesters" has a qualifier."""
    digits = m.group("digits")
    if not digits or m.group("q") or not digits.isdigit() or len(digits) != 4 or m.group("dmult"):
        return False
    if not 1800 <= int(digits) <= 2100:
        return False
    return (_subject_after(after, data) is None
            or data.year_before.search(low, max(s_start, m.start() - 12), m.start()) is not None)


# "between 3 and 29 percent", "a 2 to 3 percent economy": the first number of a range of a unit
_RANGE_TO = re.compile(r"\s*(?:(?P<and>and|or)|to|through|-|–)\s*\d[\d,]*(?:\.\d+)?")
_BETWEEN = re.compile(r"(?<![\w-])between\s+(?:a\s+)?$")
_BY_BEFORE = re.compile(r"(?<![\w-])by\s+$")       # "killed by ": an agent may follow
_OF_AFTER = re.compile(r"\s+of(?![\w-])")           # "by one of"


def _is_measure(m: re.Match[str], low: str, s_start: int, after_raw: str, data: _FigureData) -> bool:
    """Numbers that are no counts of people: an age in a list ("two women aged 26 and 21
    were detained", "children aged 6 or 7", "ages 1 through 14"), a rate ("11 deaths per
    100,000", "250 of every 100,000 residents"), a ratio's denominator ("a 1 in 1,000 chance
    of being killed"), and the start of a range of a unit ("raises death rates by between 3
    and 29 percent"; "and"/"or" only after "between": "killed 12 and 3 days later" is none)."""
    n_start = m.start("n")
    if data.age_list.search(low, max(s_start, n_start - 60), n_start):
        value = _value(m, data)[0]
        if value is not None and value <= _MAX_AGE:
            return True
    if (data.rate_before.search(low, max(s_start, n_start - 12), n_start) or data.rate_after.match(after_raw)
            or data.ratio_before.search(low, max(s_start, n_start - 24), n_start)):
        return True
    r = _RANGE_TO.match(after_raw)
    return bool(r and data.unit_after.match(after_raw, r.end())
                and (not r.group("and") or _BETWEEN.search(low, max(s_start, m.start() - 12), m.start())))


def _counts_things(after: str, data: _FigureData) -> bool:
    """ "the two blasts nonetheless killed", "two ISIS suicide bombings at Christian churches
    killed", "in the two hurricanes", "the bombing that hit two homes": the number counts
    the events or things of figures.yaml `things` (its head noun, up to two words after it,
    before any trigger, subject head or preposition), not people."""
    window = _first_words(after, 3)
    trig = data.trigger.search(window)
    if trig:
        window = window[: trig.start()]
    m = data.thing.search(window)
    if not m:
        return False
    gap = window[: m.start()]
    return (len(gap.split()) <= 2 and not data.subject.search(gap)
            and not any(w in {"by", "from", "against", "on", "with", "in", "at", "of", "to"} for w in gap.split()))


def _is_agent(m: re.Match[str], low: str, start: int, s_start: int, after_raw: str, data: _FigureData) -> bool:
    """ "killed by one of your fellow Americans", "murdered by one of the so-called DREAMers",
    "escorted by one of the rescue workers", "death by a thousand cuts", "the death of one
    innocent Black man by one vicious white cop": a number right after "by" and before "of",
    or right after a trigger and "by", or "one" after "by" and before a subject head, names
    who did it, not a count of the trigger (figures.yaml agent_verbs: passives and "death",
    not "deaths": "the toll rose by 97" and "cut the number of deaths by roughly 36,000"
    stay counts)."""
    if not _BY_BEFORE.search(low[max(s_start, start - 4):start]):
        return False
    return (_OF_AFTER.match(after_raw) is not None
            or data.agent_before.search(low, max(s_start, start - 60), start) is not None
            or (_value(m, data)[0] == 1 and _subject_after(after_raw, data, one=True) is not None))


def _is_age_at_death(m: re.Match[str], before: str, data: _FigureData) -> bool:
    """ "Dies At 75", "died at 82 after a long illness": a number of at most _MAX_AGE right
    after a verb of one death and "at" is an age. "The toll stood at 18" has no such verb;
    "the number of dead at 40" and "put the dead at 40" count the dead; "died at 2,000 a
    day" is no age."""
    if not data.age_at_death.search(before) or data.count_noun.search(before):
        return False
    value = _value(m, data)[0]
    return value is not None and value <= _MAX_AGE


def find_figures(body: str) -> list[Figure]:
    """Every event figure in `body` (see the module docstring for the rules)."""
    if not body or not isinstance(body, str):
        return []
    data = figure_data()
    low = lowered(body)                 # all patterns run on the lowercased body
    sentences = sentence_bounds(body)
    sstarts = [s for s, _ in sentences]
    out: list[Figure] = []
    prev_subject: dict[int, tuple[int, str]] = {}   # sentence index -> (end, subject) of last figure
    cues: dict[int, bool] = {}                      # sentence start -> has a trigger/anaphora form
    compounds: dict[int, list[tuple[int, int]]] = {}  # sentence start -> spans of not_triggers phrases
    for m in (phrase_scans(body)[3] if data is figure_data() else data.number.finditer(low)):
        start, end = m.span()
        n_start = m.start("n")
        si = span_index(sentences, sstarts, start)
        sent = sentences[si] if si >= 0 and sentences[si][0] <= start < sentences[si][1] else None
        s_start, s_end = sent if sent else (max(0, start - 200), min(len(body), end + 200))
        # A figure needs a trigger (or an anaphora) in its windows, which lie inside
        # [s_start, s_end): without any trigger or anaphora form there, skip the number
        # (most numbers: "one of the", years, ages) before any window work.
        cue = cues.get(s_start) if sent else None
        if cue is None:
            cue = data.cue.search(low, s_start, s_end) is not None
            if sent:
                cues[s_start] = cue
        if not cue:
            continue
        after_raw = low[end:min(s_end, end + 120)]
        if data.unit_after.match(after_raw) or data.date_before.search(low, max(0, n_start - 12), n_start):
            continue
        if _MONEY_BEFORE.search(low, max(0, n_start - 24), n_start):
            continue    # money: "held on $5.2 million bail", "a $10 million reward"
        if low[n_start - 1:n_start] == "/" or _LEADING_ZERO.match(m.group("digits") or ""):
            continue    # "since 9/11", "2 1/2", "deaths/100,000"; the "000" of "deaths/100 000"
        if m.group("words") and norm_form(m.group("words")) in data.multipliers:
            continue    # a bare "dozen", "thousand": "a few dozen arrests", "several hundred thousand"
        if m.group("vague") and data.multiplier_after.match(after_raw):
            continue    # "several hundred thousand" is no "several hundred"
        if _is_year(m, low, s_start, after_raw, data) or (
                m.group("digits") and "." in m.group("digits") and not m.group("dmult")):
            continue
        after = _first_words(_clause_after(after_raw), 8)
        before = _clause_before(low[max(s_start, start - 160):start])
        if (_is_age_at_death(m, before, data) or _is_agent(m, low, start, s_start, after_raw, data)
                or _is_measure(m, low, s_start, after_raw, data)):
            continue

        if _counts_things(after, data):
            continue
        kind = subject = None
        blocked = compounds.get(s_start) if sent else None
        if blocked is None:
            blocked = [c.span() for c in data.compound.finditer(low, s_start, s_end)]
            if sent:
                compounds[s_start] = blocked
        trig = (_kind_trigger(after, end, blocked, data)
                or _kind_trigger(before, start - len(before), blocked, data, last=True))
        if trig:
            kind = data.kind_by_trigger[norm_form(trig.group(0))]
        value, low_bound, high_bound, approx = _value(m, data)
        subject = _subject_after(after, data, one=value == 1) or _subject_before(before, data)
        if (kind is None or subject is None) and data.anaphora.search(before) and si > 0:
            prev_kind, prev_subj = _from_previous_sentence(low, sentences[si - 1], data)
            kind, subject = kind or prev_kind, subject or prev_subj
        if kind is None:
            continue
        if subject is None and si in prev_subject:
            prev_end, prev_subj = prev_subject[si]
            if data.joiner_before.search(low, prev_end, start) or data.joiner_after.match(after_raw):
                subject = prev_subj
        subject = subject or "unknown"
        as_of = data.as_of.search(low, s_start, s_end)
        out.append(Figure(
            kind=kind, value=value, value_text=body[start:end], low=low_bound, high=high_bound,
            approximate=approx, subject=subject, hedged=hedged(body, s_start, s_end),
            as_of=body[as_of.start("date"):as_of.end("date")] if as_of else None,
            start=start, end=end, sentence=body[s_start:s_end].strip(),
        ))
        prev_subject[si] = (end, subject)
    return out
