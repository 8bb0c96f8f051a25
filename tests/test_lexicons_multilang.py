"""Russian and Spanish lexicons load and match inflected forms; the English loaded-language
and government-label categories load without colliding with the other categories."""
import pytest

from transforms.errors import ResourceError
from transforms.framing import find_hits
from transforms.lexicon import load_lexicon


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("ru", "", []),
        ("ru", "Полиция задержала погромщиков.", [("actor_label", "погромщик", "delegitimising")]),
        ("ru", "протестующие, протестующих, протестующим, протестующими",
         [("actor_label", "протестующий", "neutral")] * 4),
        ("ru", "митингующие и демонстрантов", [("actor_label", "митингующий", "neutral"), ("actor_label", "демонстрант", "neutral")]),
        ("ru", "Мародёры и мародеры", [("actor_label", "мародёр", "delegitimising")] * 2),   # ё and е spellings
        ("ru", "боевиками, террористов, экстремистам, бандитов",
         [("actor_label", "боевик", "delegitimising"), ("actor_label", "террорист", "delegitimising"),
          ("actor_label", "экстремист", "delegitimising"), ("actor_label", "бандит", "delegitimising")]),
        ("ru", "Массовые беспорядки переросли в бунт", [("event_label", "беспорядки", "delegitimising"), ("event_label", "бунт", "delegitimising")]),
        ("ru", "после протестов и митингов", [("event_label", "протест", "neutral"), ("event_label", "митинг", "neutral")]),
        ("ru", "погромы в городе", [("event_label", "погром", "delegitimising")]),
        ("ru", "протестующийся", []),                                           # no match inside a longer word
        ("es", "", []),
        ("es", "Los manifestantes marcharon.", [("actor_label", "manifestante", "neutral")]),
        ("es", "alborotadores y saqueadores", [("actor_label", "alborotador", "delegitimising"), ("actor_label", "saqueador", "delegitimising")]),
        ("es", "terroristas y delincuentes", [("actor_label", "terrorista", "delegitimising"), ("actor_label", "delincuente", "delegitimising")]),
        ("es", "protestas y manifestaciones", [("event_label", "protesta", "neutral"), ("event_label", "manifestación", "neutral")]),
        ("es", "disturbios, saqueos y revueltas",
         [("event_label", "disturbios", "delegitimising"), ("event_label", "saqueo", "delegitimising"), ("event_label", "revuelta", "delegitimising")]),
        ("es", "un intento de golpe de Estado", [("event_label", "golpe de estado", "delegitimising")]),
        ("en", "", []),
        ("en", "Critics slammed the regime's draconian law.",
         [("loaded_language", "slam", "loaded_negative"), ("government_label", "regime", "delegitimising"),
          ("loaded_language", "draconian", "loaded_negative")]),
        ("en", "The authorities and the junta", [("government_label", "authorities", "neutral"), ("government_label", "junta", "delegitimising")]),
        ("en", "the democratically elected government", [("government_label", "elected government", "legitimising")]),
        ("en", "She claimed the leftists are bizarrely woke.",
         [("loaded_language", "claim", "loaded_negative"), ("loaded_language", "leftist", "loaded_negative"),
          ("loaded_language", "bizarre", "loaded_negative"), ("loaded_language", "woke", "loaded_negative")]),
        ("en", "The council met on Tuesday.", []),
    ],
)
def test_matches(lang, text, expected):
    assert [(h.category, h.canonical, h.frame) for h in find_hits(text, load_lexicon(lang))] == expected


@pytest.mark.parametrize(
    "lang, categories",
    [
        ("", None),
        ("ru", {"actor_label", "event_label", "place_name", "person_name"}),
        ("es", {"actor_label", "event_label", "place_name", "person_name"}),
        ("en", {"actor_label", "event_label", "government_label", "loaded_language"}),
    ],
)
def test_languages_load_with_shared_frames(lang, categories):
    if categories is None:                      # the empty language code has no lexicon
        with pytest.raises(ResourceError):
            load_lexicon(lang)
        return
    lex = load_lexicon(lang)
    assert categories <= set(lex.categories)
    if lang != "en":   # English's names, as English's terms
        assert lex.by_form["alma-ata"] == load_lexicon("en").by_form["alma-ata"]
        assert f"+en.person_name@2+en.place_name@2" in lex.version
    for cat in ("actor_label", "event_label", "government_label"):
        if cat in lex.frames:
            assert lex.frames[cat] == ("legitimising", "neutral", "delegitimising")
    if lang == "en":
        assert lex.frames["loaded_language"] == ("loaded_negative", "loaded_positive")


def test_english_categories_stay_where_they_were():
    lex = load_lexicon("en")
    assert lex.by_form["mob"].category == "actor_label"          # not duplicated into loaded_language
    assert lex.by_form["chaos"].category == "event_label"
    assert sum(t.category == "loaded_language" for t in lex.terms) > 300


RU_ARTICLE = ("В Алматы прошли массовые беспорядки. Полиция заявила, что боевики и погромщики "
              "напали на здания администрации, а мирные протестующие разошлись по домам. "
              "По данным министерства, задержаны сотни человек.")
ES_ARTICLE = ("Miles de manifestantes salieron a las calles de Almaty. El gobierno habló de "
              "terroristas y saqueadores, y de disturbios en varias ciudades del país.")


@pytest.mark.parametrize("name, text, language, expected", [
    ("ru.txt", RU_ARTICLE, "ru", {("event_label", "беспорядки"), ("actor_label", "боевик"),
                                   ("actor_label", "погромщик"), ("actor_label", "протестующий")}),
    ("es.txt", ES_ARTICLE, "es", {("actor_label", "manifestante"), ("actor_label", "terrorista"),
                                   ("actor_label", "saqueador"), ("event_label", "disturbios"),
                                   ("place_name", "Almaty")}),
])
def test_an_article_is_read_with_the_lexicon_of_its_language(name, text, language, expected):
    from transforms.pipeline import default_context, process_file

    ctx = default_context()
    item = process_file(name, text.encode("utf-8"), ctx)[0]
    assert item.language == language
    got = {(h.category, h.canonical) for h in item.hits}
    assert got == expected
    assert item.features["hits_delegitimising"] >= 3
    assert f"+{language}:actor_label@" in ctx.versions["lexicon_version"]


def test_a_language_without_a_lexicon_is_read_with_the_names_only():
    from transforms.lexicon import load_names_lexicon
    from transforms.pipeline import default_context

    ctx = default_context()
    assert ctx.lexicon_for("en") is ctx.lexicon_for(None) is ctx.lexicon_for("") is ctx.lexicon
    assert ctx.lexicon_for("ru").language == "ru"
    names = ctx.lexicon_for("de")
    assert names is ctx.lexicon_for("fr") is load_names_lexicon()
    assert set(names.categories) == {"place_name", "person_name"}
    # every name form of the English lexicon, as the same term
    assert names.by_form == {f: t for f, t in ctx.lexicon.by_form.items() if t.category in names.categories}


def test_a_spanish_spelling_of_a_name_says_translated_only_outside_spanish_texts():
    from transforms.pipeline import default_context, process_file

    ctx = default_context()
    es = process_file("es.txt", ("El presidente Tokáyev habló en Almaty. Miles de manifestantes salieron a las "
                                 "calles y el gobierno habló de terroristas.").encode("utf-8"), ctx)[0]
    assert es.language == "es"
    assert ("person_name", "Tokayev", "es_transliteration") in {(h.category, h.canonical, h.frame) for h in es.hits}
    assert es.resolution.provenance != "translated"
    en = process_file("en.txt", ("President Tokáyev spoke in Almaty as thousands of protesters took to the "
                                 "streets and the government spoke of terrorists.").encode("utf-8"), ctx)[0]
    assert en.language == "en" and en.resolution.provenance == "translated"
    assert "*:en.person_name@2+en.place_name@2+" in ctx.versions["lexicon_version"]


# English words that are other words in German and French: "Gang" (a walk), "gross" (big),
# "Lied" (a song), "tout" (all), "dire" (to say), "coup" (a blow), "cabinet" (an office)
DE_ARTICLE = ("Der Gang durch die Altstadt von Alma-Ata war gross: das Lied der Demonstration gegen das "
              "Regime klang bis Tokajew. Er sagte: „Wir bleiben hier, bis die Regierung zurücktritt.“ Vielleicht kamen 200 Menschen ums Leben, "
              "die Polizei nahm 30 Personen fest.")
FR_ARTICLE = ("Tout le monde veut dire que ce coup de théâtre à Almaty, dans le cabinet du président "
              "Tokayev, était prévu. « Nous restons ici jusqu’à la fin de la crise », a-t-il dit.")


@pytest.mark.parametrize("name, text, language, expected", [
    ("de.txt", DE_ARTICLE, "de", {("place_name", "Almaty", "soviet_russian")}),
    ("fr.txt", FR_ARTICLE, "fr", {("place_name", "Almaty", "current"), ("person_name", "Tokayev", "standard")}),
])
def test_other_languages_count_names_and_no_english_word_or_attribution_list(name, text, language, expected):
    from transforms.pipeline import default_context, process_file

    item = process_file(name, text.encode("utf-8"), default_context())[0]
    assert item.language == language
    assert {(h.category, h.canonical, h.frame) for h in item.hits} == expected
    assert item.title_hits == [] and item.figures == []
    f = item.features
    assert f["hits_total"] == len(expected)
    # the English attribution lists: not looked for, so null, not 0
    for col in ("hedges", "modifiers", "figures", "quotes_indirect", "doubt_verbs", "neutral_verbs",
                "assertive_verbs", "speakers_distinct", "sides_distinct"):
        assert f[col] is None, col
    # quotation marks are read in any language
    assert f["quotes_direct"] == 1 and f["quoted_share"] > 0


def test_the_english_attribution_lists_still_count_in_english():
    from transforms.pipeline import default_context, process_file

    text = ("Police reportedly detained 30 protesters, and peaceful protesters said the regime lied. "
            '"We stay," an activist said.')
    f = process_file("en.txt", text.encode("utf-8"), default_context())[0].features
    assert f["hedges"] == 1 and f["modifiers"] == 1 and f["figures"] == 1
    assert f["quotes_direct"] == 1 and f["neutral_verbs"] >= 1 and f["speakers_distinct"] >= 1


def test_any_language_must_be_a_boolean():
    from transforms.lexicon import build_lexicon

    doc = {"version": "1", "category": "place_name", "language": "en", "any_language": "yes",
           "frames": ["current"], "terms": [{"canonical": "Almaty", "frame": "current", "forms": ["Almaty"]}]}
    with pytest.raises(ResourceError, match="any_language must be true or false"):
        build_lexicon("en", {"place_names.yaml": doc})
