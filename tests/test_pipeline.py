"""The per-article pipeline: features are complete, null where undefined, and the
headline is framed on its own."""
import pytest

from transforms import framing
from transforms.lexicon import load_lexicon
from transforms.pipeline import default_context, headline_features, process_file, style_features
from transforms.schema import FEATURE_COLUMNS


@pytest.mark.parametrize(
    "body, sentences, expected",
    [
        ("", 0, {"exclamation_rate": None, "question_rate": None}),
        ("Calm. Calm.", 2, {"exclamation_rate": 0.0, "question_rate": 0.0}),
        ("Shocking! Really? Yes!", 3, {"exclamation_rate": round(2 / 3, 4), "question_rate": round(1 / 3, 4)}),
    ],
)
def test_style_features(body, sentences, expected):
    assert style_features(body, sentences) == expected


@pytest.mark.parametrize(
    "title, expected",
    [
        ("", {"title_word_count": None, "title_hits": None, "title_hits_delegitimising": None,
              "title_hits_loaded": None, "title_tone": None}),
        (None, {"title_word_count": None}),
        ("Rioters and terrorists storm the city", {"title_word_count": 6, "title_hits": 2, "title_hits_delegitimising": 2}),
        ("Peaceful protesters gather", {"title_word_count": 3, "title_hits_delegitimising": 0}),
    ],
)
def test_headline_features(title, expected):
    got = headline_features(title, framing.find_hits(title or "", load_lexicon("en")))
    for key, value in expected.items():
        assert got[key] == value, key


def test_every_feature_column_is_filled_for_a_real_article():
    from .conftest import SEEDS, seed_bytes

    a = process_file(SEEDS["izv"], seed_bytes("izv"), default_context())[0]
    assert set(a.features) == {name for name, _ in FEATURE_COLUMNS}
    missing = [k for k, v in a.features.items() if v is None and k not in ("tone_foreign_force", "paraphrase_score")]
    assert missing == []


def test_an_article_with_no_words_has_null_scores_not_zero(tmp_path):
    out = process_file("r.jsonl", b'{"content": "... --- ..."}\n', default_context())
    f = out[0].features
    assert f["flesch_reading_ease"] is None and f["dale_chall"] is None and f["text_standard"] is None
    assert f["word_count"] is None and f["quote_share"] == 0.0


def test_metadata_and_sources_reach_json_and_the_articles_row():
    """Issue 3: subtitle, section and every *_source are in `extract` JSON and in the
    `articles` row; a url given only by the manifest says "manifest"."""
    from dataclasses import replace

    from transforms.pipeline import rows, to_json
    from transforms.schema import table_from_rows

    from .conftest import SEEDS, seed_bytes

    ctx = replace(default_context(), manifest={SEEDS["rt"]: {"url": "https://example.org/rt-copy"}})
    item = process_file(SEEDS["rt"], seed_bytes("rt"), ctx)[0]
    obj = to_json(item, with_analysis=False)
    assert (obj["section"], obj["section_source"]) == ("WORLD", "text:label")
    assert obj["title_source"] == "text:before-body"
    assert obj["subtitle"] is None and obj["subtitle_source"] is None
    assert obj["byline"] is None and obj["byline_source"] is None
    assert (obj["url"], obj["url_source"]) == ("https://example.org/rt-copy", "manifest")
    trt = process_file(SEEDS["trt"], seed_bytes("trt"), default_context())[0]
    out = rows([item, trt], "run-1", default_context().versions)
    table = table_from_rows("articles", out["articles"])
    got = {r["source"]: r for r in table.to_pylist()}
    assert got[SEEDS["trt"]]["subtitle"].startswith("Secretary Blinken has said Kazakhstan")
    assert got[SEEDS["trt"]]["subtitle_source"] == "text:standfirst"
    assert (got[SEEDS["trt"]]["section"], got[SEEDS["trt"]]["section_source"]) == ("WORLD", "text:date-line")
    assert got[SEEDS["rt"]]["url_source"] == "manifest"


def test_quote_and_figure_rows_carry_every_field():
    """rows() copies a Quote's / Figure's fields shallowly: the same dict asdict() gives
    (a nested or mutable field added later would make this fail, and need asdict back)."""
    from dataclasses import asdict

    from transforms.pipeline import rows
    from transforms.schema import table_from_rows

    from .conftest import SEEDS, seed_bytes

    ctx = default_context()
    item = process_file(SEEDS["izv"], seed_bytes("izv"), ctx)[0]
    assert item.quotes and item.figures
    out = rows([item], "run-1", ctx.versions)
    for key, objs in (("quotes", item.quotes), ("figures", item.figures)):
        assert len(out[key]) == len(objs)
        for row, obj in zip(out[key], objs):
            assert {k: row[k] for k in asdict(obj)} == asdict(obj)
            assert all(v is None or isinstance(v, (str, int, float, bool)) for v in asdict(obj).values())
        table_from_rows(key, out[key])


def test_english_measures_are_null_in_another_language_or_without_words():
    """Tone (VADER's English lexicon) and the readability formulas (English syllables and
    word lists) are not measured in another language, nor tone and the style rates on a body
    without words: null, where they were 0.0 tone ("neutral"), Flesch 118.6 on Russian or
    3.0 exclamations per sentence, values that look real. Counts stay measured."""
    import json

    from transforms import readability

    from .conftest import FIXTURES

    path = FIXTURES / "figures_languages.jsonl"
    german, english = process_file(path.name, path.read_bytes(), default_context())
    russian_body = ("Власти Казахстана заявили, что протестующие захватили здания в Алма-Ате. "
                    "По данным министерства, задержаны тысячи человек, и это ужасно.")
    records = [{"title": "Протесты в Алма-Ате", "content": russian_body},
               {"title": "!!!", "content": "!!!"}, {"title": "—", "content": "— … —"}]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    russian, shouting, dashes = process_file("edge.jsonl", data, default_context())
    assert russian.language == "ru"
    tone_columns = [c for c in english.features if c.startswith("tone_")] + ["title_tone"]
    for other in (german, russian):
        assert [other.features[c] for c in (*readability.ENGLISH_METRICS, *tone_columns)] == [None] * (
            len(readability.ENGLISH_METRICS) + len(tone_columns)), other.language
        assert other.features["word_count"] > 0 and other.features["sentence_count"] > 0
    assert english.features["tone_mean"] < 0 and english.features["flesch_reading_ease"] is not None
    assert english.features["title_tone"] is not None
    for wordless in (shouting, dashes):
        assert wordless.features["word_count"] is None
        assert {c: wordless.features[c] for c in (*tone_columns, "exclamation_rate", "question_rate")} == dict.fromkeys(
            (*tone_columns, "exclamation_rate", "question_rate"))


def test_figures_are_read_only_in_english():
    """The figure triggers are English words ("die", "dies", "toll" are also German ones):
    a German text that names no death must give no `killed` figures, and its `figures`
    feature is null (not measured), not 0. The English record beside it keeps its figures."""
    from .conftest import FIXTURES

    path = FIXTURES / "figures_languages.jsonl"
    german, english = process_file(path.name, path.read_bytes(), default_context())
    assert german.language == "de"
    assert german.figures == [] and german.features["figures"] is None
    assert english.language == "en"
    assert [(f.kind, f.value) for f in english.figures] == [("killed", 26), ("detained", 3211)]
    assert english.features["figures"] == 2
