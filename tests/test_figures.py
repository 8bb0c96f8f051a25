"""Event figures: kinds, values, ranges, subjects, hedging, dates; no years or durations."""
import pytest

from transforms.errors import ResourceError
from transforms.figures import build_figure_data, find_figures
from transforms.hedges import read_attribution_file

from .conftest import seed_bytes


def _seed(key: str) -> str:
    return seed_bytes(key).decode("utf-8")


def _rows(text: str):
    return [(f.kind, f.value, f.value_text, f.low, f.high, f.approximate, f.subject) for f in find_figures(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("The ministry reported 26 protesters killed and 26 injured.",
         [("killed", 26, "26", 26, 26, False, "protesters"), ("wounded", 26, "26", 26, 26, False, "protesters")]),
        ("3,211 people have been arrested.", [("detained", 3211, "3,211", 3211, 3211, False, "people")]),
        ("Over 4,000 people were reportedly detained.", [("detained", 4000, "Over 4,000", 4000, None, True, "people")]),
        ("dozens were killed after allegedly confronting police",
         [("killed", None, "dozens", 24, 99, True, "unknown")]),                      # nobody named: unknown
        ("Hundreds of police officers have also been wounded and at least 18 were killed.",
         [("wounded", None, "Hundreds", 200, 999, True, "police_security"),
          ("killed", 18, "at least 18", 18, None, True, "police_security")]),       # "and" carries the subject
        ("The number of uniformed deaths remains at 18 and the number of wounded police officers rose to 740.",
         [("killed", 18, "18", 18, 18, False, "police_security"), ("wounded", 740, "740", 740, 740, False, "police_security")]),
        ("security forces killed dozens of protesters and 12 cops died",
         [("killed", None, "dozens", 24, 99, True, "protesters"), ("killed", 12, "12", 12, 12, False, "police_security")]),
        ("eight folks died and 317 had been wounded",
         [("killed", 8, "eight", 8, 8, False, "people"), ("wounded", 317, "317", 317, 317, False, "people")]),
        ("twenty-six soldiers were deployed", [("deployed", 26, "twenty-six", 26, 26, False, "military")]),
        ("up to 1.5 million people were evacuated", [("evacuated", 1500000, "up to 1.5 million", None, 1500000, True, "people")]),
        ("about 300 demonstrators were detained", [("detained", 300, "about 300", None, None, True, "protesters")]),
        # numbers that are not event figures
        ("He stepped down as president in 2019.", []),
        ("The group's roots go back some 30 years.", []),
        ("an alliance of six former Soviet nations", []),
        ("a two-week state of emergency", []),
        ("As of January 8, the curfew holds.", []),
        ("The criminals vandalized the offices of five TV channels.", []),
        ("date 2022-01-08; 3 MIN READ; a magnitude 6.9 earthquake; 7 hours ago", []),
        ("On Jan. 5, they discussed evacuating embassy staff.", []),
        # "held" is a detention only when passive or captive (AllSides: 60 of 66 such figures were
        # events, seats or hearings held); rates, ages and decades are no counts
        ("She has held 16 campaign events there to Sanders' four.", []),
        ("Four states held Republican primaries on Saturday.", []),
        ("more than two decades on death row", []),
        ("the death rate rose from 6.7 to 32.5 deaths per 100,000 people", []),
        ("David Koch has died at age 79, his brother said.", []),
        ("Bush, who died on Nov. 30 at the age of 94.", []),
        ("Nine of the 10 killed at the park were children under the age of 12 and 46 were wounded.",
         [("killed", 9, "Nine", 9, 9, False, "unknown"), ("killed", 10, "10", 10, 10, False, "unknown"),
          ("wounded", 46, "46", 46, 46, False, "unknown")]),
        ("Since last month, more than 4,600 people have been held at the camp.",
         [("detained", 4600, "more than 4,600", 4600, None, True, "people")]),
        ("Two prison staff members were held hostage.", [("detained", 2, "Two", 2, 2, False, "unknown")]),
        # an age at death is no count (AllSides: "Dies At 75" was 'killed 75' three times) ...
        ("Cokie Roberts, Pioneering Journalist Who Helped Shape NPR, Dies At 75", []),
        ("He died at 82 after a long illness.", []),
        ("Bob Dole dead at 98, his wife said.", []),
        ("Ezekiel “I want to die at 75” Emanuel.", []),
        # ... but a toll "at 18" is, and so are the dead counted "at 40" and a rate of deaths
        ("The death toll stood at 18.", [("killed", 18, "18", 18, 18, False, "unknown")]),
        ("The death toll rose to 26.", [("killed", 26, "26", 26, 26, False, "unknown")]),
        ("Officials put the dead at 40.", [("killed", 40, "40", 40, 40, False, "unknown")]),
        ("The number of dead at 40 is disputed.", [("killed", 40, "40", 40, 40, False, "unknown")]),
        ("Americans died at 2,000 a day in April.", [("killed", 2000, "2,000", 2000, 2000, False, "unknown")]),
        ("3,211 people were arrested", [("detained", 3211, "3,211", 3211, 3211, False, "people")]),
        ("4,266 detained", [("detained", 4266, "4,266", 4266, 4266, False, "unknown")]),
        # money is no count of people (AllSides: "$5.2 million bail" was 'detained 1,000,000')
        ("He was being held on $5.2 million bail and remained at a hospital.", []),
        ("The city paid $3 million to the families of those killed.", []),
        ("authorizing a $10 million reward for information leading to his death or capture", []),
        ("US$ 40 million went to immigration detention.", []),
        ("The raid cost $2 million and 40 people were arrested.", [("detained", 40, "40", 40, 40, False, "people")]),
        ("The fine was $500, 30 people were arrested.", [("detained", 30, "30", 30, 30, False, "people")]),
        # a slash's second number or a leading zero is no count (AllSides: "since 9/11" was 'killed 11')
        ("Mateen, who killed 49 people in the deadliest attack since 9/11, was on a watch list.",
         [("killed", 49, "49", 49, 49, False, "people")]),
        ("rates increased from 328.5 deaths/100 000 to 348.2 deaths/100 000", []),
        ("from 44.8 deaths/100,000 to 51.5 deaths per 100,000", []),
        ("0 people were killed", [("killed", 0, "0", 0, 0, False, "people")]),
        # a year right after "a", "in", "since" is no count, even before a subject (AllSides:
        # "a 2016 police killing" was 'killed 2016', "in 2019 that journalists" 'detained 2019')
        ("Bynum apologized for remarks about a 2016 police killing of a black man.", []),
        ("Trump complained in 2019 that journalists should be jailed.", []),
        ("Since 2009 the police have killed 20 people.", [("killed", 20, "20", 20, 20, False, "people")]),
        ("2,016 people were arrested.", [("detained", 2016, "2,016", 2016, 2016, False, "people")]),
        ("Some 2000 protesters were detained.", [("detained", 2000, "Some 2000", None, None, True, "protesters")]),
        # the agent of a passive is no count ("murdered by one of the so-called DREAMers" was 'killed 1')
        ("Her son was murdered by one of the so-called DREAMers.", []),
        ("the fear of being killed by one of your fellow Americans", []),
        ("An injured passenger is escorted up the river bank by one of the rescue workers.", []),
        ("They were killed by two career criminals in a home invasion.", []),
        ("A temple worker was hacked to death by at least three assailants.", []),
        ("The United States is suffering death by 1,000 cuts.", []),
        # ... but "one of them" and a toll's change are counts
        ("One of them was killed.", [("killed", 1, "One", 1, 1, False, "unknown")]),
        ("The death toll rose by 97 on Sunday.", [("killed", 97, "97", 97, 97, False, "unknown")]),
        ("The shutdown would have cut the number of deaths by roughly 36,000 people.",
         [("killed", 36000, "roughly 36,000", None, None, True, "people")]),
        # "a" + a multiplier keeps its qualifier, fractions and dozens are read (AllSides: "over a
        # million" was 1,000,000 exact, "a quarter of a million" 1,000,000, "more than two dozen" 2)
        ("China cites it for the ongoing detention of over a million Chinese Muslims.",
         [("detained", 1000000, "over a million", 1000000, None, True, "unknown")]),
        ("Landslides crashed down, killing at least a quarter of a million people.",
         [("killed", 250000, "at least a quarter of a million", 250000, None, True, "people")]),
        ("Over half a million people have been killed in the six years of the Syrian war.",
         [("killed", 500000, "Over half a million", 500000, None, True, "people")]),
        ("Nearly a thousand people died in 2014.", [("killed", 1000, "Nearly a thousand", None, 1000, True, "people")]),
        ("A million people were evacuated.", [("evacuated", 1000000, "A million", 1000000, 1000000, False, "people")]),
        ("More than a dozen people were killed.", [("killed", 12, "More than a dozen", 12, None, True, "people")]),
        ("A dozen people were arrested.", [("detained", 12, "A dozen", None, None, True, "people")]),
        ("Half a dozen protesters were arrested.", [("detained", 6, "Half a dozen", None, None, True, "protesters")]),
        ("Violence has left more than two dozen people dead.",
         [("killed", 24, "more than two dozen", 24, None, True, "people")]),
        ("Two hundred people were detained.", [("detained", 200, "Two hundred", 200, 200, False, "people")]),
        # a multiplier alone is no number, nor is a vague amount before one
        ("It's going to be death by a thousand cuts.", []),
        ("17 students were forcibly arrested by over a hundred police officers.",
         [("detained", 17, "17", 17, 17, False, "civilians")]),
        ("The toll jumped from a few dozen arrests to several hundred.",
         [("detained", None, "several hundred", 200, 999, True, "unknown")]),
        ("The famine is estimated to have killed several hundred thousand North Koreans.", []),
        # an age in a list, a rate, a ratio's denominator and a range of a unit are no counts
        # (AllSides: "aged 26 and 21 were detained" was 'detained 21', "1 in 1,000" 'killed 1,000')
        ("A 39-year-old woman was arrested, while two women aged 26 and 21 were detained in Birmingham.", []),
        ("Five men aged 23, 26, 27, 28 and 58 were arrested in Birmingham.", []),
        ("Women are less likely to have been arrested by age 18 or 23 than men.", []),
        ("Mortality among children ages 1 through 14 declined from 22.9 to 16.5 deaths per 100,000.", []),
        ("The latest shooting killed 20 children aged 6 or 7.", [("killed", 20, "20", 20, 20, False, "civilians")]),
        ("The mortality rate from hypertension rose from 6.1 to 11 deaths per 100,000.", []),
        ("And, so far, nearly 250 of every 100,000 city residents has died.", []),
        ("Black men have a 1 in 1,000 chance of being killed by police.", []),
        ("It raises your death rates by between 3 and 29 percent.", []),
        ("About 2,000 deaths per day were reported.", [("killed", 2000, "About 2,000", None, None, True, "unknown")]),
        ("From 6 to 18 deaths were reported.",
         [("killed", 6, "6", 6, 6, False, "unknown"), ("killed", 18, "18", 18, 18, False, "unknown")]),
        ("The attack killed 12 and 3 days later police arrested 4 people.",
         [("killed", 12, "12", 12, 12, False, "unknown"), ("detained", 4, "4", 4, 4, False, "people")]),
        ("The man, age 45, and 3 others were arrested.", [("detained", 3, "3", 3, 3, False, "people")]),
        # names and measures: "Model 3", "Interstate 40", "30 grams", "one night", "at one point"
        ("Critical coverage of Tesla for missing Model 3 production goals.", []),
        ("Three people were killed in an icy pileup along Interstate 40 late Friday.",
         [("killed", 3, "Three", 3, 3, False, "people")]),
        ("It expunges the records of those with arrests for possessions 30 grams of marijuana.", []),
        ("Then five police officers were killed one night very violently.",
         [("killed", 5, "five", 5, 5, False, "police_security")]),
        ("At one point he was imprisoned by the British on a charge of treason.", []),
        # a count of events or things is no count of people (AllSides: "the two blasts
        # nonetheless killed" was 'killed 2')
        ("Minuscule in power compared with H-bombs, the two blasts nonetheless killed about 200,000 people.",
         [("killed", 200000, "about 200,000", None, None, True, "people")]),
        ("The Israeli military said five soldiers were killed in two separate incidents today.",
         [("killed", 5, "five", 5, 5, False, "military")]),
        ("Eight Islamic State leaders were killed in the bombing that hit two homes.",
         [("killed", 8, "Eight", 8, 8, False, "unknown")]),
        ("Two ISIS suicide bombings at Christian churches killed at least 45 people.",
         [("killed", 45, "at least 45", 45, None, True, "people")]),
        ("Those 44 shootings left 28 dead and another 37 injured.",
         [("killed", 28, "28", 28, 28, False, "unknown"), ("wounded", 37, "37", 37, 37, False, "unknown")]),
        ("One shooting victim died.", [("killed", 1, "One", 1, 1, False, "unknown")]),
        ("The bombings killed two people in their homes.", [("killed", 2, "two", 2, 2, False, "people")]),
        # after "one" a singular head is the subject (AllSides: "one man was arrested" was 'unknown'),
        # after other numbers it is a modifier; "by one <subject>" is an agent
        ("At that event, one man was arrested.", [("detained", 1, "one", 1, 1, False, "people")]),
        ("In Charlottesville, one woman was killed.", [("killed", 1, "one", 1, 1, False, "civilians")]),
        ("Terrorists stormed the barracks, killing one officer and injuring 40 more.",
         [("killed", 1, "one", 1, 1, False, "police_security"), ("wounded", 40, "40", 40, 40, False, "unknown")]),
        ("One person died in that attack; two state police also died in a chopper crash.",
         [("killed", 1, "One", 1, 1, False, "people"), ("killed", 2, "two", 2, 2, False, "police_security")]),
        ("His brother died in the 2002 terrorist attack in Bali.", []),
        ("Gitmo is still open, with 41 alleged terrorist detainees.", [("detained", 41, "41", 41, 41, False, "unknown")]),
        ("But the death of one innocent Black man by one vicious white cop may have turned the tide.",
         [("killed", 1, "one", 1, 1, False, "people")]),
        # a trigger inside "death penalty", "arrest warrants", "death threat"... is none (AllSides:
        # "issued arrest warrants for two suspects" was 'detained 2')
        ("Justice Department says the federal death penalty is available for several limited drug-related offenses.", []),
        ("On Monday, Thai police issued arrest warrants for two suspects.", []),
        ("He said that some of the other 10 have been followed or have received a death threat.", []),
        ("Republicans ranked it dead last out of 20 possible threats.", []),
        ("The department issued a subpoena for the phone toll records for 21 AP phone lines.", []),
        ("He faces the death penalty for killing 9 people.", [("killed", 9, "9", 9, 9, False, "people")]),
        ("Police executed arrest warrants and 12 people were arrested.", [("detained", 12, "12", 12, 12, False, "people")]),
        # more things that are counted ("Iran's official death toll rises to 124 with 4,747 confirmed cases")
        ("Iran's official death toll rises to 124 with 4,747 confirmed cases nationwide",
         [("killed", 124, "124", 124, 124, False, "unknown")]),
        ("Manning was arrested in Iraq in 2010 for sharing more than 700,000 confidential documents.", []),
        ("I hope you're able to find the 30,000 emails that are missing.", []),
        ("He received three Purple Heart medals for injuries sustained during his service.", []),
        ("Private companies operate at least 60 facilities where 75% of all ICE detainees are held.", []),
    ],
)
def test_find_figures(text, expected):
    figures = find_figures(text)
    assert _rows(text) == expected
    for f in figures:
        assert text[f.start:f.end] == f.value_text


def test_hedged_and_as_of():
    text = "As of January 8, 4,266 demonstrators have been detained. Over 4,000 people were reportedly detained."
    first, second = find_figures(text)
    assert (first.as_of, first.hedged, first.subject) == ("January 8", False, "protesters")
    assert (second.as_of, second.hedged) == (None, True)
    assert second.sentence == "Over 4,000 people were reportedly detained."


def test_anaphoric_number_takes_previous_sentence():
    text = "It also became known about the security officers who died. Their number rose to 18, two of them were beheaded."
    assert _rows(text) == [("killed", 18, "18", 18, 18, False, "police_security")]


def test_odd_input_never_raises():
    assert find_figures(None) == []          # type: ignore[arg-type]
    assert find_figures("1,2,3 ,,, 999999999999999999999 killed") is not None
    assert find_figures("twenty and and killed") is not None


SEED_MUST = {
    "es": [("killed", 26, "protesters"), ("wounded", 26, "protesters"), ("detained", 3211, "people"),
           ("killed", 18, "police_security"), ("wounded", 740, "police_security")],
    "rt": [("detained", 4000, "people"), ("killed", None, "unknown"), ("wounded", None, "police_security"),
           ("killed", 18, "police_security")],
    "izv": [("detained", 4266, "protesters"), ("killed", 18, "police_security")],
    "spun": [("killed", 8, "people"), ("wounded", 317, "people"), ("killed", None, "protesters"),
             ("killed", 12, "police_security")],
}
NOT_FIGURES = {"rt": {"2022", "7", "16", "1", "2"}, "es": {"four"}, "trt": {"2022", "3", "6.9"},
               "izv": {"8", "2", "7", "6", "five", "two"}, "spun": {"2019", "30", "six", "two", "5"}}


@pytest.mark.parametrize("key", ["rt", "es", "trt", "izv", "spun"])
def test_seed_figures(key):
    body = _seed(key)
    figures = find_figures(body)
    got = [(f.kind, f.value, f.subject) for f in figures]
    for row in SEED_MUST.get(key, []):
        assert row in got
    assert not ({f.value_text for f in figures} & NOT_FIGURES[key])
    rt = {f.value_text: f for f in figures} if key == "rt" else {}
    if rt:
        assert rt["Over 4,000"].hedged and rt["Over 4,000"].approximate and rt["Over 4,000"].low == 4000
        assert rt["Hundreds"].approximate and rt["at least 18"].low == 18
    if key == "izv":
        assert figures[0].as_of == "January 8"


def test_invalid_figure_file():
    good = {"version": "1", "language": "en"}
    with pytest.raises(ResourceError, match="kinds"):
        build_figure_data(good)
    with pytest.raises(ResourceError, match="version"):
        build_figure_data({"language": "en"})


def test_age_at_death_verbs_are_killed_triggers():
    doc = read_attribution_file("figures", "en")
    build_figure_data(doc)
    with pytest.raises(ResourceError, match="age_at_death: 'arrested' is not a killed trigger"):
        build_figure_data({**doc, "age_at_death": ["died", "arrested"]})
    with pytest.raises(ResourceError, match="age_at_death"):
        build_figure_data({k: v for k, v in doc.items() if k != "age_at_death"})


def test_agent_verbs_are_triggers_and_year_words_are_listed():
    doc = read_attribution_file("figures", "en")
    with pytest.raises(ResourceError, match="agent_verbs: 'escorted' is not a trigger"):
        build_figure_data({**doc, "agent_verbs": ["killed", "escorted"]})
    with pytest.raises(ResourceError, match="agent_verbs"):
        build_figure_data({k: v for k, v in doc.items() if k != "agent_verbs"})
    with pytest.raises(ResourceError, match="year_before"):
        build_figure_data({**doc, "year_before": []})


def test_fractions_are_validated():
    doc = read_attribution_file("figures", "en")
    with pytest.raises(ResourceError, match="fractions: 'half' must map to"):
        build_figure_data({**doc, "fractions": {"half": [2, 1]}})
    with pytest.raises(ResourceError, match="fractions"):
        build_figure_data({k: v for k, v in doc.items() if k != "fractions"})


@pytest.mark.parametrize("key", ["age_words", "rate_words", "ratio_words", "things"])
def test_measure_lists_are_validated(key):
    doc = read_attribution_file("figures", "en")
    with pytest.raises(ResourceError, match=key):
        build_figure_data({k: v for k, v in doc.items() if k != key})
    with pytest.raises(ResourceError, match=key):
        build_figure_data({**doc, key: ["per", " "]})


def test_subjects_of_one_are_validated():
    doc = read_attribution_file("figures", "en")
    with pytest.raises(ResourceError, match="subjects_of_one: 'bystanders' is not a subject class"):
        build_figure_data({**doc, "subjects_of_one": {"bystanders": ["bystander"]}})
    with pytest.raises(ResourceError, match="subjects_of_one: 'men' is also a head of subjects"):
        build_figure_data({**doc, "subjects_of_one": {"people": ["men"]}})
    with pytest.raises(ResourceError, match="subjects_of_one"):
        build_figure_data({k: v for k, v in doc.items() if k != "subjects_of_one"})


def test_not_triggers_hold_a_trigger():
    doc = read_attribution_file("figures", "en")
    with pytest.raises(ResourceError, match="not_triggers: 'search warrants' holds no trigger"):
        build_figure_data({**doc, "not_triggers": ["death penalty", "search warrants"]})
    with pytest.raises(ResourceError, match="not_triggers"):
        build_figure_data({k: v for k, v in doc.items() if k != "not_triggers"})
