"""Language identification: CLD2 first, py3langid where CLD2 is not sure."""
import py3langid
import pycld2
import pytest

from transforms import pipeline
from transforms.pipeline import _cld2, default_context, detect_language

TEXTS = {
    "en": "Protesters gathered in Almaty on Wednesday after the government raised fuel prices, and the "
          "president declared a state of emergency as police used tear gas to disperse the crowds.",
    "ru": "Протестующие собрались в Алматы в среду после того, как правительство повысило цены на топливо, "
          "а президент объявил чрезвычайное положение, и полиция применила слезоточивый газ.",
    "es": "Los manifestantes se reunieron en Almaty el miércoles después de que el gobierno subiera los precios "
          "del combustible, y el presidente declaró el estado de emergencia mientras la policía dispersaba a la multitud.",
    "de": "Demonstranten versammelten sich am Mittwoch in Almaty, nachdem die Regierung die Treibstoffpreise "
          "erhöht hatte, und der Präsident rief den Ausnahmezustand aus, während die Polizei Tränengas einsetzte.",
    "fr": "Des manifestants se sont rassemblés mercredi à Almaty après que le gouvernement a augmenté les prix "
          "du carburant, et le président a décrété l'état d'urgence tandis que la police dispersait la foule.",
}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_detects_the_language_of_news_prose(lang):
    assert detect_language(TEXTS[lang]) == lang
    assert _cld2(TEXTS[lang]) == lang          # CLD2 is sure of these: no py3langid call


@pytest.mark.parametrize("text", ["", "   \n\t ", "Short text.", "1 2 3 4 5 6 7 8 9"])
def test_no_language_for_empty_or_too_short_text(text):
    assert detect_language(text) is None


def test_only_the_first_langid_chars_count():
    text = TEXTS["en"] * 4
    assert len(text) > pipeline.LANGID_CHARS
    assert detect_language(text + " " + TEXTS["ru"] * 20) == "en"


@pytest.mark.parametrize("bad", ["\x01\x02", "\x0b", "\x92", "\x9d", "\ufdd0", "\uffff", "\U0010ffff", "\ud800"])
def test_characters_pycld2_rejects_are_read_as_spaces(bad):
    # scraped news has C1 mojibake ("Al Qaeda\x92s", "\x9d"): pycld2 raises "invalid UTF-8" on it
    text = TEXTS["de"][:60] + bad + TEXTS["de"][60:]
    if bad != "\ud800":                        # a lone surrogate cannot even be encoded
        with pytest.raises(pycld2.error):
            pycld2.detect(text, isPlainText=True)
    assert _cld2(text) == "de"
    assert detect_language(text) == "de"


def test_a_mixed_text_is_left_to_py3langid():
    # a page whose first lines are an English notice and the rest German prose (as on
    # trafilatura-eval page 0291): CLD2 gives English only ~60% of the text
    text = ("Starting in 1996, Alexa Internet has been donating their crawl data to the Internet Archive. "
            "Flowing in every day, these data are added to the Wayback Machine after an embargo period. "
            "Wenn der Tag mal wieder zu wenige Stunden hat, ist es hilfreich, sich ein wenig mit der eigenen "
            "Zeitplanung zu beschäftigen. Mehr aus der vorhandenen Zeit zu machen ist nämlich gar nicht so "
            "einfach, und die meisten Ratgeber helfen dabei auch nicht wirklich weiter.")
    assert _cld2(text) is None
    assert detect_language(text) == py3langid.classify(text)[0]


def test_cld2_codes_are_mapped_to_iso_639_1():
    hebrew = ("המפגינים התאספו ביום רביעי באלמטי לאחר שהממשלה העלתה את מחירי הדלק, "
              "והנשיא הכריז על מצב חירום בזמן שהמשטרה פיזרה את ההמון בגז מדמיע.")
    assert detect_language(hebrew) == "he"    # CLD2 says "iw"


def test_detector_version_is_recorded_in_rows():
    assert pipeline.LANGID_VERSION in default_context().versions["extractor_version"]
    assert "pycld2-" in pipeline.LANGID_VERSION and "py3langid-" in pipeline.LANGID_VERSION


def test_text_with_replacement_characters_is_left_to_py3langid():
    # a German page decoded with the wrong charset ("�ffnen", "f�r"): CLD2 skips the
    # damaged words and reads the English names left (trafilatura-eval page 0128)
    text = ("Die folgenden Hotel Links \ufffdffnen als extra Fenster. Singapore Tourism Board Kiosk in der "
            "Orchard Road. Auskunft: Reiseinformationen durch das Singapore Tourism Board in Deutschland "
            "(auch f\ufffdr \ufffdsterreich zust\ufffdndig), Hochstra\ufffde 35, Frankfurt am Main.")
    assert _cld2(text) is None
    assert detect_language(text) == py3langid.classify(text)[0]


def test_cld2_valid_equals_the_full_class_substitution():
    """_cld2_valid takes the BMP-only class when the sample has nothing above U+FFFF:
    the same text as _CLD2_INVALID.sub on every code point alone and beside others, on
    random samples mixing them, and on the AllSides samples."""
    import gzip
    import itertools
    import random
    import sys

    from transforms.extract import extract_file
    from transforms.pipeline import LANGID_CHARS, _CLD2_INVALID, _cld2_valid

    from .conftest import corpus

    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        for text in (ch, f"a{ch}b", f"é{ch}", f"\U0001F600{ch}"):
            assert _cld2_valid(text) == _CLD2_INVALID.sub(" ", text), hex(cp)
    rnd = random.Random(7)
    pool = ["a", " ", "\n", "é", "“", "\x92", "\x00", "\ud800", "\udfff", "\ufdd0", "\ufffe", "\uffff", "\U0001fffe",
            "\U0010ffff", "\U0001F600", "\U000efffe", "Ж"]
    for _ in range(20000):
        text = "".join(rnd.choice(pool) for _ in range(rnd.randint(0, 20)))
        assert _cld2_valid(text) == _CLD2_INVALID.sub(" ", text), ascii(text)
    with gzip.open(corpus("allsides", "articles.jsonl.gz"), "rb") as f:
        arts = extract_file("allsides.jsonl", b"".join(itertools.islice(f, 3000)))
    for a in arts:
        if hasattr(a, "body"):
            sample = a.body[:LANGID_CHARS]
            assert _cld2_valid(sample) == _CLD2_INVALID.sub(" ", sample)
