"""Tone: VADER compound per sentence, identical to vaderSentiment's own scores."""
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from transforms.framing import sentence_spans
from transforms.tone import TONE_VERSION, compound, sentence_tones, tone_features


@pytest.fixture(scope="module")
def vader():
    return SentimentIntensityAnalyzer()


SAMPLE = [
    "",
    "   ",
    "The protest was peaceful and the crowd was happy.",
    "Rioters looted shops and burned cars in a horrific night of violence.",
    "VADER is VERY SMART, handsome, and FUNNY!!!",
    "VADER is not smart, handsome, nor funny.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "At least it isn't a horrible book.",
    "The book was only kind of good.",
    "Not bad at all",
    "Without a doubt, excellent idea.",
    "Roger Dodger is one of the least compelling variations on this theme.",
    "No problem, no worries, no good options.",
    "Sentiment analysis has never been this good!",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "The government said the situation was stable, but critics called it a disaster?!",
    "Kazakhstan's president, Kassym-Jomart Tokayev, ordered troops to shoot without warning.",
    "“We will not allow terrorists to destroy our country,” he said.",
    "The kind of support they got was extraordinary; it was SO good.",
    "He is the shit, and that party was the bomb — bus stop at 9.",
    "Prices rose 3% in January.",
    "I don't like it, I hate it, it's awful!!!! Really?? Really???",
]


@pytest.mark.parametrize("text", SAMPLE)
def test_compound_equals_vader(vader, text):
    assert compound(text) == vader.polarity_scores(text)["compound"]


def test_whole_articles_equal_vader(vader):
    body = " ".join(SAMPLE[2:]) + "\n\nSecond paragraph. It was terrible. It was great!"
    spans = sentence_spans(body)
    assert sentence_tones(body, spans) == [vader.polarity_scores(body[s:e])["compound"] for s, e in spans]


@pytest.mark.parametrize(
    "body, actors, expected",
    [
        ("", {"protesters": [0]}, {"tone_mean": None, "tone_min": None, "tone_max": None,
                                   "tone_neg_share": None, "tone_protesters": None}),
        ("The rioters committed horrible, brutal murders.", {}, {"tone_neg_share": 1.0}),
        ("The volunteers were wonderful, kind and generous.", {}, {"tone_neg_share": 0.0}),
        ("Police killed ten people. Volunteers helped the wounded with love.",
         {"police": [0], "volunteers": [1], "nobody": [], "out_of_range": [7]},
         {"tone_nobody": None, "tone_out_of_range": None}),
    ],
)
def test_tone_features(body, actors, expected):
    feats = tone_features(body, sentence_spans(body), actors)
    for key, value in expected.items():
        assert feats[key] == value
    assert {"tone_mean", "tone_min", "tone_max", "tone_neg_share"} <= set(feats)
    assert {f"tone_{g}" for g in actors} <= set(feats)


def test_signs_and_groups():
    neg = "The rioters committed horrible, brutal murders."
    pos = "The volunteers were wonderful, kind and generous."
    assert compound(neg) < -0.5 < 0.5 < compound(pos)
    body = "Police killed ten people. Volunteers helped the wounded with love."
    feats = tone_features(body, sentence_spans(body), {"police": [0], "volunteers": [1]})
    assert feats["tone_police"] < 0 < feats["tone_volunteers"]
    assert feats["tone_min"] == feats["tone_police"] and feats["tone_max"] == feats["tone_volunteers"]


def test_version_names_vader():
    assert TONE_VERSION.startswith("tone-") and "vaderSentiment-3.3.2" in TONE_VERSION


def test_vader_needs_no_network(monkeypatch):
    import socket

    def refuse(*a, **k):
        raise OSError("network is off in this test")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert SentimentIntensityAnalyzer().polarity_scores("good")["compound"] > 0   # lexicon read from the package


def test_random_sentences_equal_vader(vader):
    """Sentences made of the words VADER's rules look at (boosters, negations, "no",
    "least", "kind of", idioms, "but", capitals, "n't" words) next to lexicon words:
    the shortcuts (a scored word with no rule word in reach) must not change a score."""
    import random

    rnd = random.Random(11)
    words = ["good", "bad", "GOOD", "BAD", "horrible", "great", "very", "so", "this", "never", "not", "no", "nor",
             "or", "isn't", "wasn't", "ain't", "without", "doubt", "least", "at", "kind", "of", "sort", "the",
             "shit", "bomb", "bus", "stop", "cut", "mustard", "kiss", "death", "but", "BUT", "extremely",
             "barely", "hardly", "yeah", "right", "hand", "to", "mouth", "crowd", "was", "it", "SO", "NOT",
             "happy", "sad", "love", "war", "peace", "killed", "won", "lost", "sort-of", "less", "most", "more",
             "'good'", "(bad)", "!", "?", "great!", "really??", "Kazakhstan", "said", "protesters"]
    for _ in range(4000):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 14)))
        assert compound(text) == vader.polarity_scores(text)["compound"], text


def test_sentence_tones_on_any_spans_equal_vader(vader):
    """Spans that cut pieces, overlap, leave text between them or touch: each score is
    still VADER's for the span's text (the shared-pieces path only serves aligned spans)."""
    import random

    body = " ".join(SAMPLE[2:14]).replace("Catch utf-8 emoji such as 💘 and 💋 and 😁", "") + "\n\nNot bad at all!"
    rnd = random.Random(4)
    aligned = sentence_spans(body)
    cases = [aligned, aligned[::-1], [(0, len(body))], [(0, 5), (5, 40)], [(3, 30), (31, 80)], [(0, 50), (20, 90)]]
    for _ in range(300):
        cuts = sorted(rnd.sample(range(len(body)), 6))
        cases.append(list(zip(cuts[::2], cuts[1::2])))
    for spans in cases:
        assert sentence_tones(body, spans) == [vader.polarity_scores(body[s:e])["compound"] for s, e in spans], spans


def _sentences_scored_as_vader(bodies: list[str], vader) -> int:
    """Asserts every sentence's tone is VADER's compound, bit for bit (repr: 0.0 vs -0.0
    would differ), with tone's sentence cache empty; returns the sentences checked."""
    from transforms import tone

    checked = 0
    for body in bodies:
        spans = sentence_spans(body)
        tone._SENTENCE_CACHE.clear()
        got = sentence_tones(body, spans)
        want = [vader.polarity_scores(body[s:e])["compound"] for s, e in spans]
        assert list(map(repr, got)) == list(map(repr, want))
        checked += len(spans)
    return checked


def test_real_articles_sentence_tones_equal_vader(vader):
    """The scoring shortcuts (no rules without a rule word in reach, capitals checked only
    for an all-caps scored word, only the scored valences summed without "but", no
    amplifier without "!" or "?", a sentence without a lexicon word scored 0.0 up front)
    on real AllSides articles: every sentence's score is VADER's, bit for bit (repr:
    0.0 vs -0.0 would differ)."""
    import gzip
    import itertools

    from transforms.extract import extract_file

    from .conftest import corpus

    with gzip.open(corpus("allsides", "articles.jsonl.gz"), "rb") as f:
        data = b"".join(itertools.islice(f, 120))
    bodies = [a.body for a in extract_file("allsides.jsonl", data) if hasattr(a, "body")]
    assert _sentences_scored_as_vader(bodies, vader) > 3000


def test_but_check_on_the_non_zero_values_sums_as_vader():
    """tone._but_check works on the non-zero valences only: on random sentiment lists
    (repeated values, values that become another one's half, zeros of every kind, ints)
    the float sum of its result equals the sum of VADER's _but_check, bit for bit."""
    import random

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as SIA

    from transforms import tone

    rnd = random.Random(7)
    pool = [0, 0.0, -0.0, 3, -2, 1.9, 0.95, 0.475, 3.8, -1.5, -0.75, 2.85, 1.5, 2.25]
    for _ in range(20000):
        n = rnd.randint(1, 12)
        sentiments = [rnd.choice(pool) if rnd.random() < 0.6 else 0 for _ in range(n)]
        lower = [rnd.choice(["a", "b", "good"]) for _ in range(n)]
        lower[rnd.randrange(n)] = "but"
        if rnd.random() < 0.3:
            lower[rnd.randrange(n)] = "but"
        where = [i for i, v in enumerate(sentiments) if v != 0 or rnd.random() < 0.5]
        values = [sentiments[i] for i in where]
        want = float(sum(SIA._but_check(list(lower), list(sentiments))))
        got = float(sum(tone._but_check(lower, values, where)))
        assert repr(got) == repr(want), (lower, sentiments)


def test_bodies_with_emoji_equal_vader(vader):
    """A body with an emoji character: its sentences that hold one go through compound(),
    the others through the shared pieces; every score is VADER's, on aligned spans and
    on spans that cut pieces, overlap or leave text between them."""
    import random

    from transforms import tone

    rnd = random.Random(8)
    plain = [t for t in SAMPLE[2:] if tone._emoji_chars().isdisjoint(t)]
    emoji = ["© 2022 Reuters. All rights reserved.", "Catch utf-8 emoji such as 💘 and 💋 and 😁", "🔥🔥 Great!",
             "It was fine™ but bad.", "⬆ Back to top", "Not 😭 good at all!"]
    for _ in range(300):
        parts = [rnd.choice(plain + emoji) for _ in range(rnd.randint(1, 8))]
        body = "".join(p + rnd.choice([" ", "\n\n", "  ", "\n"]) for p in parts)
        spans = sentence_spans(body)
        cases = [spans]
        if len(body) > 10:
            cuts = sorted(rnd.sample(range(len(body)), 4))
            cases.append(list(zip(cuts[::2], cuts[1::2])))
        for sp in cases:
            tone._SENTENCE_CACHE.clear()
            got = sentence_tones(body, sp)
            want = [vader.polarity_scores(body[s:e])["compound"] for s, e in sp]
            assert list(map(repr, got)) == list(map(repr, want)), (body, sp)


def test_real_articles_with_emoji_sentence_tones_equal_vader(vader):
    """The AllSides bodies with an emoji character among the first 2,000 lines (most
    hold "©"): every sentence's score is VADER's, bit for bit."""
    import gzip
    import itertools

    from transforms import tone
    from transforms.extract import extract_file

    from .conftest import corpus

    with gzip.open(corpus("allsides", "articles.jsonl.gz"), "rb") as f:
        data = b"".join(itertools.islice(f, 2000))
    bodies = [a.body for a in extract_file("allsides.jsonl", data)
              if hasattr(a, "body") and not tone._emoji_chars().isdisjoint(a.body)]
    assert len(bodies) > 100
    _sentences_scored_as_vader(bodies, vader)


def test_no_lexicon_valence_is_zero():
    """tone._score_tokens' fast path skips VADER's `valence + 0.0` steps: a no-op as
    long as the valence is not -0.0, which holds when no scorable word's valence is 0
    (the caps bonus C_INCR is added away from 0)."""
    from vaderSentiment import vaderSentiment as vs

    from transforms import tone

    lexicon = tone._analyzer().lexicon
    assert all(lexicon[w] != 0 for w in tone._scorable())
    assert vs.C_INCR > 0
