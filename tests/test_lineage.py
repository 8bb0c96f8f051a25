"""Copy lineage: stories on the seeds, copy links by kind, and the diff of a copy."""
import datetime as dt
import re
from collections import Counter

import pytest

from transforms.lineage import Change, Link, StoryInput, assign_stories, diff_copy, find_links
from transforms.pipeline import default_context, process_file

from .conftest import SEEDS, seed_bytes


@pytest.fixture(scope="module")
def seeds() -> dict[str, StoryInput]:
    """The seeds as the flow hands them to lineage: extracted title, body and date."""
    ctx = default_context()
    out = {}
    for key in SEEDS:
        art = process_file(SEEDS[key], seed_bytes(key), ctx)[0].article
        out[key] = StoryInput(key, art.title, art.body, art.published)
    return out


def _edit(text: str, pairs: list[tuple[str, str]]) -> str:
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# A spinner's word swaps, applied to whole words (a test stand-in for a spun copy).
_SPIN = {"said": "stated", "government": "authorities", "country": "nation", "people": "folks",
         "quickly": "swiftly", "violent": "brutal", "help": "assist", "warned": "cautioned",
         "approved": "permitted", "family": "household", "members": "individuals", "order": "command",
         "new": "recent", "days": "occasions", "prices": "costs", "police": "cops", "killed": "slain",
         "largely": "principally", "control": "management", "weapons": "arms", "also": "additionally",
         "decision": "determination", "including": "together with", "employees": "staff",
         "working": "employed", "stopped": "halted", "move": "transfer", "updated": "up to date",
         "initially": "at first", "sharp": "steep", "agreed": "consented", "grown": "grown to be"}


def _spin(text: str) -> str:
    return re.sub(r"\b[a-z]+\b", lambda m: _SPIN.get(m.group(0), m.group(0)), text)


def test_empty_inputs():
    assert assign_stories([]) == {}
    assert find_links([]) == []
    assert diff_copy("", "") == []


def test_articles_that_are_all_copies_of_one_text_are_one_story():
    """Every pair a copy (three wire copies differing in a digit): no neighbour of another
    text is left (this used to raise IndexError and stop the run's commit)."""
    day = dt.date(2022, 1, 5)
    copies = [StoryInput(str(i), f"T{i}", f"Article {i}: protesters and police met in Almaty on Tuesday. It was calm.",
                         day) for i in range(3)]
    stories = assign_stories(copies)
    assert set(stories) == {"0", "1", "2"} and len(set(stories.values())) == 1


def test_the_five_seeds_are_one_story(seeds):
    stories = assign_stories(list(seeds.values()))
    assert set(stories) == set(SEEDS) and len(set(stories.values())) == 1


def test_unrelated_articles_are_separate_stories(seeds):
    other = StoryInput("x", "Bank of England raises interest rates to fight inflation",
                       "The Bank of England raised its benchmark rate by a quarter point on Thursday, "
                       "citing persistent inflation in services and wages across Britain.", dt.date(2022, 1, 8))
    stories = assign_stories([*seeds.values(), other])
    assert stories["x"] != stories["rt"]


# Two events of one day in one state: they share "Colorado", "Tuesday", "Denver".
_DAY = dt.date(2021, 3, 2)
_FIRE = [
    ("fire-1", "Wildfire forces thousands to flee mountain towns in Colorado",
     "Firefighters battled a fast-moving wildfire near Boulder on Tuesday as thousands of residents fled their "
     "homes. The blaze, fanned by dry winds, destroyed dozens of houses and sent smoke over Denver, officials said."),
    ("fire-2", "Boulder wildfire destroys homes as winds fan the flames",
     "A wind-driven wildfire tore through neighbourhoods outside Boulder, destroying dozens of homes and forcing "
     "thousands of residents to evacuate, firefighters said on Tuesday."),
]
_BUDGET = [
    ("budget-1", "Colorado lawmakers pass budget with raises for teachers",
     "The Colorado legislature approved a state budget on Tuesday that gives teachers a raise and expands "
     "rural broadband, after weeks of negotiations between Democrats and Republicans."),
    ("budget-2", "State budget heads to governor with teacher pay raises",
     "Legislators sent the governor a budget that raises teacher salaries and funds broadband in rural "
     "counties, ending weeks of negotiations in Denver."),
]
_BRIDGE = ("bridge", "Lawmakers add wildfire aid for Boulder homes to teacher pay budget",
           "The legislature's budget, which raises teacher salaries and funds rural broadband, now also includes "
           "aid for residents whose homes the Boulder wildfire destroyed.")


def _story(rows, day=_DAY) -> list[StoryInput]:
    return [StoryInput(a, t, b, day) for a, t, b in rows]


def _groups(stories: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for a, s in stories.items():
        by.setdefault(s, set()).add(a)
    return {frozenset(m) for m in by.values()}


def test_two_stories_sharing_a_name_and_a_day_stay_apart():
    stories = assign_stories(_story(_FIRE + _BUDGET))
    assert _groups(stories) == {frozenset({"fire-1", "fire-2"}), frozenset({"budget-1", "budget-2"})}


def test_a_bridge_article_does_not_chain_two_stories():
    """fire ~ bridge ~ budget, fire !~ budget: single linkage would make one story of all five
    (stories-2 did); the bridge joins one side, the other side stays apart."""
    stories = assign_stories(_story([*_FIRE, _BRIDGE, *_BUDGET]))
    assert stories["fire-1"] == stories["fire-2"] and stories["budget-1"] == stories["budget-2"]
    assert stories["fire-1"] != stories["budget-1"]


def test_same_event_beyond_max_days_is_another_story():
    follow_up = ("fire-3", "Investigators search for the cause of the Boulder wildfire",
                 "Investigators combed the burned hillsides outside Boulder for the cause of the wildfire that "
                 "destroyed dozens of homes, as residents returned to see what was left.")
    for days, joins in ((3, True), (4, False)):
        items = _story(_FIRE) + _story([follow_up], _DAY + dt.timedelta(days=days))
        stories = assign_stories(items)
        assert (stories["fire-3"] == stories["fire-1"]) is joins, days


def test_a_story_with_wire_copies_is_not_split(seeds):
    """Near-identical copies make an article's neighbourhood very similar; the other outlets'
    accounts must still count (the local scale is capped)."""
    rt = seeds["rt"]
    copies = [StoryInput(f"rt-copy-{k}", rt.title, rt.body.replace("Friday", day, 1), rt.published)
              for k, day in enumerate(("Saturday", "Sunday", "Monday"))]
    stories = assign_stories([*seeds.values(), *copies])
    assert len(set(stories.values())) == 1


def test_two_lone_articles_need_real_overlap_to_start_a_story():
    fire, budget = _story(_FIRE[:1] + _BUDGET[:1])
    assert len(set(assign_stories([fire, budget], seed_min=0.5).values())) == 2
    assert len(set(assign_stories([fire, budget], seed_min=0.0).values())) == 1


@pytest.mark.parametrize("name, make, kind", [
    ("identical copy", lambda b: b, "duplicate"),
    ("a few words edited", lambda b: _edit(b, [("rioting", "unrest"), ("Friday", "Saturday")]), "duplicate"),
    ("syndicated: edits and a trimmed ending",
     lambda b: _edit(b, [("rioting", "unrest"), ("Over 4,000", "More than 4,000"), ("sharp spike", "steep rise"),
                         ("heated demonstrations", "demonstrations"), ("calling the move", "describing it as")]
                     ).rsplit("\n", 2)[0], "near_duplicate"),
    ("spun copy", _spin, "paraphrase"),
])
def test_copies_are_linked_with_their_kind(seeds, name, make, kind):
    rt = seeds["rt"]
    copy = StoryInput("zz-copy", rt.title, make(rt.body), rt.published)
    links = find_links([*seeds.values(), copy])
    assert [(lk.a, lk.b, lk.kind) for lk in links] == [("rt", "zz-copy", kind)], name
    assert isinstance(links[0], Link) and 0 < links[0].similarity <= 1


def test_aligned_answers_as_difflibs_ratio_does(seeds):
    """`aligned` skips the alignment when the words shared in any order already rule it
    out: the answer is the ratio's on spun, edited, shuffled and unrelated texts."""
    import difflib
    import random

    from transforms.lineage import _tokens, aligned

    texts = [_tokens(s.body[:2500]) for s in seeds.values()]
    texts += [_tokens(_spin(seeds["rt"].body[:2500])), _tokens(seeds["rt"].body[:1200])]
    rng = random.Random(3)
    for words in list(texts):
        texts.append(rng.sample(words, len(words)))                  # the same words in another order
        texts.append([w if rng.random() < 0.5 else "x" + w for w in words])
    answers = set()
    for a in texts:
        for b in texts:
            ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
            for at in (0.3, 0.6, 0.9):
                assert aligned(a, b, at) == (ratio >= at)
                answers.add(ratio >= at)
    assert answers == {True, False}


def test_other_outlets_telling_the_same_story_are_not_copies(seeds):
    assert find_links(list(seeds.values())) == []


ORIGINAL = ("The Kazakh Interior Ministry reported 26 protesters killed and 26 injured. "
            "In all, 3,211 people have been arrested, numbers that could grow. "
            "The number of uniformed deaths remains at 18.")


@pytest.mark.parametrize("copy, expected", [
    (ORIGINAL, []),
    (ORIGINAL.replace("protesters", "rioters"), [Change("label_swapped", "protesters", "rioters")]),
    (ORIGINAL.replace("3,211", "3,221"), [Change("number_altered", "3,211", "3,221")]),
    (ORIGINAL.replace("3,211", "3211"), []),  # same number, other formatting
    (ORIGINAL.replace("could grow", "could rise"), [Change("word_swapped", "grow", "rise")]),
    (ORIGINAL + " Order has been restored, officials said.",
     [Change("sentence_added", None, "Order has been restored, officials said.")]),
    (ORIGINAL.replace("In all, 3,211 people have been arrested, numbers that could grow. ", ""),
     [Change("sentence_removed", "In all, 3,211 people have been arrested, numbers that could grow.", None)]),
])
def test_diff_copy(copy, expected):
    assert diff_copy(ORIGINAL, copy) == expected


def test_diff_copy_finds_all_edits_in_a_long_text(seeds):
    body = seeds["es"].body
    copy = _edit(body, [("26 protesters killed", "26 rioters killed"), ("3,211", "3,221")]) + "\n\nA new sentence was added here."
    kinds = {c.kind for c in diff_copy(body, copy)}
    assert {"label_swapped", "number_altered", "sentence_added"} <= kinds


def test_diff_copy_of_a_syndicated_copy_reports_only_its_edits(seeds):
    """Identical sentences anchor the alignment; repeated furniture ("Read more.") and a
    moved sentence do not pull the edited sentences out of line."""
    body = seeds["es"].body
    sentences = [s for s in body.split("\n") if s.strip()]
    copy = "\n".join(["Read more."] + sentences[:2] + ["Read more."] + sentences[2:]).replace("3,211", "3,221")
    copy = copy.replace("26 protesters killed", "26 rioters killed")
    changes = diff_copy(body, copy)
    assert Change("number_altered", "3,211", "3,221") in changes
    assert Change("label_swapped", "protesters", "rioters") in changes
    assert [c for c in changes if c.kind in ("sentence_added", "sentence_removed")] == \
        [Change("sentence_added", None, "Read more.")] * 2
    assert not [c for c in changes if c.kind == "word_swapped"]
    assert diff_copy(body, body) == []


def test_cluster_stories_on_kept_terms_is_assign_stories(seeds):
    from transforms.lineage import cluster_stories, story_terms

    items = [*seeds.values(), *_story(_FIRE + _BUDGET)]
    want = assign_stories(items)
    got = cluster_stories([i.article_id for i in items], [i.published for i in items],
                          [story_terms(i.title, i.body) for i in items])
    assert got == want


def test_term_counts_from_the_lineage_index_columns_cluster_like_counters(seeds):
    """The warehouse hands its list<string>/list<double> columns over as Arrow (no dict per
    article); an article without terms (an empty or null list) stays alone."""
    import pyarrow as pa

    from transforms.lineage import TermCounts, cluster_stories, story_terms

    items = [*seeds.values(), *_story(_FIRE + _BUDGET)]
    docs = [story_terms(i.title, i.body) for i in items] + [Counter(), Counter()]
    ids = [i.article_id for i in items] + ["empty", "null"]
    dates = [i.published for i in items] + [None, None]
    terms = pa.chunked_array([pa.array([list(d) for d in docs[:3]], pa.list_(pa.string())),
                              pa.array([list(d) for d in docs[3:-1]] + [None], pa.list_(pa.string()))])
    weights = pa.chunked_array([pa.array([list(d.values()) for d in docs[:3]], pa.list_(pa.float64())),
                                pa.array([list(d.values()) for d in docs[3:-1]] + [None], pa.list_(pa.float64()))])
    tc = TermCounts.from_arrow(terms, weights)
    assert len(tc) == len(docs) and tc.ptr[-1] == sum(len(d) for d in docs)
    assert [Counter(dict(zip((tc.vocab[t] for t in tc.terms[tc.ptr[k]:tc.ptr[k + 1]]), tc.counts[tc.ptr[k]:tc.ptr[k + 1]])))
            for k in range(len(docs))] == docs
    got = cluster_stories(ids, dates, tc)
    assert got == cluster_stories(ids, dates, docs)
    assert got["empty"] != got["null"] and {got["empty"], got["null"]}.isdisjoint(got[a] for a in ids[:-2])


def test_context_articles_are_neighbours_but_get_no_story(seeds):
    from transforms.lineage import cluster_stories, story_terms

    items = _story(_FIRE + _BUDGET)
    ids, dates = [i.article_id for i in items], [i.published for i in items]
    docs = [story_terms(i.title, i.body) for i in items]
    context = [i.article_id.startswith("budget") for i in items]
    got = cluster_stories(ids, dates, docs, context=context)
    assert set(got) == {a for a, c in zip(ids, context) if not c}     # the context is not placed
    fire = [a for a in got if a.startswith("fire")]
    assert len({got[a] for a in fire}) == 1                          # the rest clusters as before
    assert {got[a] for a in fire} == {assign_stories(items)[a] for a in fire}
