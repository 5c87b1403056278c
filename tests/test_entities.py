"""Tests for the `entities` stage: rules on hand-built Docs (no model), linking on rows, and the
seed gold people on the seed outputs (skipped when ../shared is absent)."""

from __future__ import annotations


from collections import defaultdict

import pytest
from spacy.tokens import Doc

from pipeline.steps.docs import ParsedDoc, shared_vocab
from pipeline.steps.entities import (_mention_name, acronym_of, compile_rules, dotted_key, entity_id, extract_entities,
                               find_mentions, link_mentions, load_rules, normalise_name, slug)
from pipeline.core.errors import ConfigError

from conftest import SHARED  # noqa: E402


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def make_doc(text_tokens: list[str], ents: dict[tuple[int, int], str] | None = None) -> Doc:
    """A Doc from tokens ("\\n" tokens are line breaks) and entity spans {(start, end): label}."""
    words, spaces = [], []
    for token in text_tokens:
        words.append(token)
        spaces.append(token != "\n")
    tags = ["O"] * len(words)
    for (start, end), label in (ents or {}).items():
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return Doc(shared_vocab(), words=words, spaces=spaces, ents=tags)


def found(doc: Doc, rules) -> list[tuple[str, str, str | None]]:
    out = []
    for m in find_mentions(doc, rules):
        title = doc[m.title_start:m.title_end].text if m.title_start is not None else None
        out.append((doc[m.start:m.end].text, m.label, title))
    return out


def toks(text: str) -> list[str]:
    return text.replace("\n", " \n ").split(" ")


# --- titles, possessives, organisations --------------------------------------------------------

TITLE_CASES = [
    # (tokens, entities, expected (text, label, title) among the mentions, unexpected texts)
    (toks("Russian President Vladimir Putin met Prime Minister Naftali Bennett ."),
     {(0, 1): "NORP", (2, 4): "PERSON", (7, 9): "PERSON"},
     [("Vladimir Putin", "PERSON", "Russian President"), ("Naftali Bennett", "PERSON", "Prime Minister")],
     ["Russian"]),
    (toks("Russian Defence Minister Sergei Shoigu spoke ."),
     {(0, 1): "NORP", (1, 2): "ORG", (3, 5): "PERSON"},
     [("Sergei Shoigu", "PERSON", "Russian Defence Minister")], ["Defence", "Russian"]),
    (toks("rival and Yisrael Beiteinu leader Avigdor Lieberman said"),
     {(2, 4): "ORG", (5, 7): "PERSON"},
     [("Avigdor Lieberman", "PERSON", "Yisrael Beiteinu leader")], ["Yisrael Beiteinu"]),
    (toks("PM Bennett stressed it ."), {(0, 2): "PERSON"}, [("Bennett", "PERSON", "PM")], ["PM Bennett"]),
    (toks("U.S. President Joe Biden called ."), {(0, 1): "GPE", (2, 4): "PERSON"},
     [("Joe Biden", "PERSON", "U.S. President")], ["U.S."]),
    (toks("former Prime Minister Benjamin Netanyahu also"), {(3, 5): "PERSON"},
     [("Benjamin Netanyahu", "PERSON", "former Prime Minister")], []),
    # possessive and determiner kept out of spans
    (toks("It is Bennett 's second visit to the Jerusalem Post ."), {(2, 4): "PERSON", (7, 10): "ORG"},
     [("Bennett", "PERSON", None), ("Jerusalem Post", "ORG", None)], ["Bennett 's", "the Jerusalem Post"]),
    # organisations the model misses, from the Matcher patterns in configs/entities.toml
    (toks("A statement by the Prime Minister ’s Office said so ."), {},
     [("Prime Minister ’s Office", "ORG", None)], []),
    (toks("the Russian Foreign Ministry criticised it ."), {(1, 2): "NORP"},
     [("Russian Foreign Ministry", "ORG", None)], ["Russian"]),
    # negative: "Defense" before "Minister" is part of a title, not an organisation
    (toks("Netanyahu , who is also Defense Minister , declared"), {(0, 1): "PERSON", (5, 6): "ORG"},
     [("Netanyahu", "PERSON", None)], ["Defense"]),
    # negative: nothing capitalised is not an entity
    (toks("business leaders met ."), {(0, 1): "ORG"}, [], ["business"]),
    # roles of sport and business, and courts
    (toks("Croatia coach Zlatko Dalic said so ."), {(0, 1): "GPE", (2, 4): "PERSON"},
     [("Zlatko Dalic", "PERSON", "Croatia coach")], ["Croatia"]),
    (toks("U.S. District Judge Robert Pitman wrote ."), {(0, 1): "GPE", (3, 5): "PERSON"},
     [("Robert Pitman", "PERSON", "U.S. District Judge")], []),
    # an organisation before its head, though it ends in a title modifier ("campaign")
    (toks("Clinton campaign manager Robby Mook said ."), {(0, 2): "ORG", (3, 5): "PERSON"},
     [("Robby Mook", "PERSON", "Clinton campaign manager")], []),
    (toks("Homeland Security Secretary Jeh Johnson said ."), {(0, 2): "ORG", (3, 5): "PERSON"},
     [("Jeh Johnson", "PERSON", "Homeland Security Secretary")], []),
    (toks("Chief Financial Officer Luca Maestri said ."), {(3, 5): "PERSON"},
     [("Luca Maestri", "PERSON", "Chief Financial Officer")], []),
    (toks("PolitiFact Executive Director Aaron Sharockman said ."), {(0, 1): "ORG", (3, 5): "PERSON"},
     [("Aaron Sharockman", "PERSON", "PolitiFact Executive Director")], ["PolitiFact"]),
    # a name the model took for an organisation, after a person's title, is a person
    (toks("asked by moderator Lester Holt about it ."), {(3, 5): "ORG"},
     [("Lester Holt", "PERSON", "moderator")], []),
    (toks("CNN anchor Jake Tapper said ."), {(0, 1): "ORG", (2, 4): "ORG"},
     [("Jake Tapper", "PERSON", "CNN anchor")], ["CNN"]),
    # negatives: one word is no first name and surname; no title before it
    (toks("the wire service editor Reuters said ."), {(4, 5): "ORG"}, [("Reuters", "ORG", None)], []),
    (toks("Lester Holt said so ."), {(0, 2): "ORG"}, [("Lester Holt", "ORG", None)], []),
    # negative: an organisation before a head that is no organisation's ("Ohio State Judge")
    (toks("Ohio State Judge Ann Roe said ."), {(0, 2): "ORG", (3, 5): "PERSON"},
     [("Ann Roe", "PERSON", "State Judge")], []),
]


@pytest.mark.parametrize("tokens,ents,expected,unexpected", TITLE_CASES)
def test_titles_possessives_and_patterns(rules, tokens, ents, expected, unexpected):
    got = found(make_doc(tokens, ents), rules)
    for item in expected:
        assert item in got, got
    texts = {text for text, _, _ in got}
    for text in unexpected:
        assert text not in texts, got


# --- headlines, captions, bylines ----------------------------------------------------------------

def test_title_case_headline_keeps_only_known_names(rules):
    tokens = toks("Putin Tells Bennett Israel Needs to Better Coordinate Syria Strikes\n"
                  "Vladimir Putin met Naftali Bennett in Israel to discuss Syria .")
    doc = make_doc(tokens, {(0, 3): "PERSON", (6, 8): "ORG", (8, 10): "PERSON",
                            (11, 13): "PERSON", (14, 16): "PERSON", (17, 18): "GPE", (20, 21): "GPE"})
    got = found(doc, rules)
    head = [(t, l) for t, l, _ in got][:4]
    assert head == [("Putin", "PERSON"), ("Bennett", "PERSON"), ("Israel", "GPE"), ("Syria", "GPE")]
    texts = [t for t, _, _ in got]
    assert "Putin Tells Bennett" not in texts and "Syria Strikes" not in texts
    assert "Better Coordinate" not in texts


@pytest.mark.parametrize("line,ents", [
    ("Naftali Bennett meets with Vladimir PutinCredit : IsraeliPM YouTube", {(0, 2): "PERSON", (4, 6): "PERSON"}),
    ("Bennett and Putin in Sochi , today.Credit : Kobe Gideon / GPO", {(0, 1): "PERSON", (2, 3): "PERSON"}),
    ("Jonathan Lis", {(0, 2): "PERSON"}),                     # byline: a name alone on its line
    ("by : Ilse Strauss", {(2, 4): "PERSON"}),
    ("Vladimir Putin (R) speaks with Naftali Bennett in Sochi", {(0, 2): "PERSON", (5, 7): "PERSON"}),
])
def test_captions_and_bylines_give_no_entities(rules, line, ents):
    tokens = toks(line + "\nPutin said Bennett agreed .")
    doc = make_doc(tokens, {**ents, (len(line.split()) + 1, len(line.split()) + 2): "PERSON"})
    got = found(doc, rules)
    first_line_end = len(line.split())
    assert all(m.start > first_line_end for m in find_mentions(doc, rules)), got


@pytest.mark.parametrize("line,ents", [
    # "(R)" beside a party marker or a quotation is a party, not a place in a photo
    ('Jennifer Roberts said it is " the timing . " Gov. Pat McCrory (R) disagreed and Roy Cooper (D) too',
     {(0, 2): "PERSON", (12, 14): "PERSON", (17, 19): "PERSON"}),
    ("Sen. Bernie Sanders (I-Vt.) called on Gov. Rick Snyder (R) to resign", {(1, 3): "PERSON", (8, 10): "PERSON"}),
])
def test_party_markers_are_not_captions(rules, line, ents):
    doc = make_doc(toks(line), ents)
    names = [t for t, label, _ in found(doc, rules) if label == "PERSON"]
    assert len(names) == len(ents), names


def test_sentence_case_line_is_not_a_headline(rules):
    # a body sentence full of names keeps the model's entities (it ends with a full stop)
    tokens = toks("Prime Minister Naftali Bennett met Chilean Deputy Helia Molina in Santiago .")
    doc = make_doc(tokens, {(2, 4): "PERSON", (5, 6): "NORP", (7, 9): "PERSON", (10, 11): "GPE"})
    got = found(doc, rules)
    assert ("Helia Molina", "PERSON", "Chilean Deputy") in got
    assert ("Santiago", "GPE", None) in got


# --- document-level corrections -------------------------------------------------------------------

def at(tokens: list[str], phrase: str, nth: int = 0) -> tuple[int, int]:
    """Token span of the nth occurrence of `phrase` in `tokens`."""
    words = phrase.split()
    hits = [i for i in range(len(tokens)) if tokens[i:i + len(words)] == words]
    return hits[nth], hits[nth] + len(words)


def test_split_relabel_place_and_alias(rules):
    tokens = toks("Emmanuel Macron met Yair Lapid in Glasgow .\n"
                  "Macron and Lapid spoke . Bennett prefers Macron .\n"
                  "On the trip to Russia Bennett must not spoil them . Russia and Bennett .\n"
                  "Naftali Bennett said Israel considers Putis a friend of Russia .")
    ents = {at(tokens, "Russia", 2): "GPE", at(tokens, "Emmanuel Macron"): "PERSON", at(tokens, "Yair Lapid"): "PERSON",
            at(tokens, "Glasgow"): "PERSON", at(tokens, "Macron and Lapid"): "ORG",
            at(tokens, "Bennett", 0): "PERSON", at(tokens, "Macron", 2): "ORG",
            at(tokens, "Russia Bennett"): "PERSON", at(tokens, "Russia", 1): "GPE",
            at(tokens, "Bennett", 2): "PERSON", at(tokens, "Naftali Bennett"): "PERSON",
            at(tokens, "Israel"): "GPE", at(tokens, "Putis"): "NORP"}
    doc = make_doc(tokens, ents)
    got = {(doc[m.start:m.end].text, m.start): (m.label, m.rule_id, m.canonical) for m in find_mentions(doc, rules)}
    assert got[("Glasgow", at(tokens, "Glasgow")[0])][:2] == ("GPE", "place")
    assert got[("Macron", at(tokens, "Macron", 1)[0])][:2] == ("PERSON", "split")
    assert got[("Lapid", at(tokens, "Lapid", 1)[0])][:2] == ("PERSON", "split")
    assert got[("Macron", at(tokens, "Macron", 2)[0])][:2] == ("PERSON", "surname")   # ORG, but his surname
    assert got[("Russia", at(tokens, "Russia", 0)[0])][:2] == ("GPE", "split")
    assert got[("Bennett", at(tokens, "Bennett", 1)[0])][:2] == ("PERSON", "split")
    assert got[("Putis", at(tokens, "Putis")[0])] == ("PERSON", "alias", "Vladimir Putin")


def test_names_seen_once_are_not_split_off(rules):
    # "Ivana" is a GPE once (a model error): not evidence enough to split "Ivana Trump"
    tokens = toks("Donald Trump spoke . Ivana Trump left Ivana .")
    doc = make_doc(tokens, {(0, 2): "PERSON", (4, 6): "PERSON", (7, 8): "GPE"})
    assert ("Ivana Trump", "PERSON", None) in found(doc, rules)


def test_full_name_is_never_split_into_known_parts(rules):
    # "Donald" and "Trump" are both known names in the document: "Donald Trump" stays whole
    tokens = toks("Donald Trump spoke . Trump said Donald was right . Donald Trump left .")
    doc = make_doc(tokens, {(0, 2): "PERSON", (4, 5): "PERSON", (6, 7): "PERSON", (10, 12): "PERSON"})
    got = found(doc, rules)
    assert got.count(("Donald Trump", "PERSON", None)) == 2


def test_in_place_rule_spares_known_people(rules):
    tokens = toks("Naftali Bennett spoke . Putin trusts in Bennett .")
    doc = make_doc(tokens, {(0, 2): "PERSON", (4, 5): "PERSON", (7, 8): "PERSON"})
    assert ("Bennett", "PERSON", None) in found(doc, rules)


# --- linking -------------------------------------------------------------------------------------------

def row(doc_id, name, label="PERSON", title=None, rule_id="model", text=None):
    return {"doc_id": doc_id, "name": name, "text": text or name, "label": label, "title": title, "rule_id": rule_id}


def test_linking_within_and_across_documents(rules):
    rows = [row("a", "Naftali Bennett", title="Prime Minister"), row("a", "Bennett"),
            row("b", "Bennett"),                                   # no full name in b: corpus's one
            row("c", "Hillary Clinton"), row("c", "Hillary Clinton"), row("c", "Bill Clinton"),
            row("c", "Clinton"), row("c", "Hillary"),
            row("d", "Smith"), row("e", "John Smith"), row("f", "Jane Smith"),   # ambiguous
            row("a", "Moscow", "GPE"), row("b", "Moscow", "GPE")]
    rows, entities = link_mentions(rows, rules)
    ids = [r["entity_id"] for r in rows]
    assert ids[:3] == ["PERSON:naftali-bennett"] * 3
    assert ids[6] == ids[7] == "PERSON:hillary-clinton"     # the commonest full name with that surname
    assert ids[8] == "PERSON:smith"                          # ambiguous across the corpus: left alone
    assert ids[-1] == ids[-2] == "GPE:moscow"
    bennett = next(e for e in entities if e["entity_id"] == "PERSON:naftali-bennett")
    assert bennett["name"] == "Naftali Bennett" and bennett["n_documents"] == 2
    assert bennett["titles"] == ["Prime Minister"] and set(bennett["aliases"]) == {"Naftali Bennett", "Bennett"}


@pytest.mark.parametrize("rows_in,name,titles", [
    # a surname alone with a title where the document names two people with that surname: the
    # title stays off whichever the surname was linked to
    ([("a", "Hillary Clinton", None), ("a", "Hillary Clinton", None), ("a", "Bill Clinton", None),
      ("a", "Clinton", "President")], "Hillary Clinton", []),
    ([("a", "Hillary Clinton", None), ("a", "Hillary Clinton", None), ("a", "Bill Clinton", None),
      ("a", "Clinton", "President")], "Bill Clinton", []),
    ([("a", "Laura Bush", None), ("a", "George W. Bush", None), ("a", "Bush", "Mrs.")], "George W. Bush", []),
    # ... or where another document names another person with that surname in full
    ([("a", "Hillary Clinton", None), ("a", "Clinton", "President"), ("b", "Bill Clinton", None)],
     "Hillary Clinton", []),
    # ... where both name just one, the title is theirs (negative case)
    ([("a", "Naftali Bennett", None), ("a", "Bennett", "PM")], "Naftali Bennett", ["PM"]),
    # a full name with its title gives it (negative cases: the rule does not drop these)
    ([("a", "Bill Clinton", "Former President"), ("a", "Clinton", "Mrs.")], "Bill Clinton", ["Former President"]),
    ([("a", "Barack Obama", "President"), ("b", "Barack Obama", "President")], "Barack Obama", ["President"]),
    # organisations keep every title they are given
    ([("a", "FBI", "the agency")], "FBI", ["the agency"]),
])
def test_corpus_titles_come_from_full_names(rules, rows_in, name, titles):
    rows = [row(d, n, "ORG" if n == "FBI" else "PERSON", title=t) for d, n, t in rows_in]
    _, entities = link_mentions(rows, rules)
    entity = next(e for e in entities if e["name"] == name)
    assert entity["titles"] == titles


def test_middle_initials_share_one_canonical_name(rules):
    rows = [row("a", "Donald J. Trump"), row("b", "Donald Trump"), row("b", "Donald Trump"), row("b", "Trump")]
    rows, _ = link_mentions(rows, rules)
    assert {r["entity_id"] for r in rows} == {"PERSON:donald-trump"}


@pytest.mark.parametrize("text,expected", [
    ("Prime Minister’s Office", "prime-minister-s-office"), ("Bashar al-Assad", "bashar-al-assad"),
    ("Zeev Elkin", "zeev-elkin"), ("Ševčík", "sevcik"),
])
def test_entity_ids_are_derived_from_names(text, expected):
    assert slug(normalise_name(text)) == expected
    assert entity_id("ORG", text) == f"ORG:{expected}"


@pytest.mark.parametrize("surface,name", [
    # UTF-8 read as Windows-1252, once and twice: repaired
    ("FranÃ§ois Hollande", "François Hollande"), ("FranÃÂ§ois Hollande", "François Hollande"),
    ("FranÃ\x83Â§ois Hollande", "François Hollande"),   # the second pass read as Latin-1: a C1 control
    ("FranA\u0303\x83A\u0302\xa7ois Hollande", "François Hollande"),   # the same, decomposed (NFD)
    ("Jose\u0301 Marti\u0301", "José Martí"),   # composed: one spelling, one entity
    ("AndrÃ©s Manuel LÃ³pez Obrador", "Andrés Manuel López Obrador"),
    # right as written: left alone (letters that mojibake is made of, and curly apostrophes made plain)
    ("Åsa Romson", "Åsa Romson"), ("José Martí", "José Martí"), ("Łukasz Żak", "Łukasz Żak"),
    ("Conan O’Brien", "Conan O'Brien"), ("  Jane   Doe ", "Jane Doe"),
])
def test_names_scraped_as_mojibake_are_repaired(surface, name):
    assert normalise_name(surface) == name


def test_bad_config_is_reported_with_the_key(rules):
    from pipeline.core.config import load_stage_config

    config = load_stage_config(None, "entities")
    broken = {**config, "titles": {k: v for k, v in config["titles"].items() if k != "heads"}}
    with pytest.raises(ConfigError, match="titles.heads"):
        compile_rules(broken)
    bad_pattern = {**config, "patterns": [{"id": "x", "label": "ORG", "pattern": [{"NOPE": 1}]}]}
    with pytest.raises(ConfigError, match="pattern 'x'"):
        compile_rules(bad_pattern)


# --- with the model -------------------------------------------------------------------------------

def parsed(nlp, text: str, doc_id: str = "t") -> ParsedDoc:
    return ParsedDoc.unmapped(doc_id, nlp(text))


def test_offsets_point_into_the_text(nlp, rules):
    text = ("Israeli Prime Minister Naftali Bennett met Russian President Vladimir Putin in Sochi.\n"
            "Naftali Bennett meets with Vladimir PutinCredit: Kobe Gideon / GPO\n"
            "PM Bennett said the Prime Minister’s Office would answer.")
    rows, entities = extract_entities([parsed(nlp, text)], rules)
    for r in rows:
        assert text[r["start"]:r["end"]] == r["text"]
        if r["title"]:
            assert text[r["title_start"]:r["title_end"]] == r["title"]
    texts = {r["text"] for r in rows}
    assert "Vladimir PutinCredit" not in texts and "Kobe Gideon" not in texts
    people = {e["name"] for e in entities if e["label"] == "PERSON"}
    assert people == {"Naftali Bennett", "Vladimir Putin"}
    assert {"Israeli Prime Minister", "PM"} <= set(next(e for e in entities if e["name"] == "Naftali Bennett")["titles"])


# --- gold ------------------------------------------------------------------------------------------

def test_seed_gold_people(seed_outputs):
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the gold people live there")
    from pipeline.evaluation.eval_entities import score_people

    result = score_people(seed_outputs, SHARED / "gold" / "seed_people.jsonl")
    assert result["metrics"]["people_found"] == result["metrics"]["gold_people"] == 22, result["misses"]
    assert result["metrics"]["spurious_person_speakers"] in (0, None), result["spurious_person_speakers"]


# --- person resolution that survives the model's label errors -----------------------------------

SURNAME_CASES = [
    # (tokens, entities, expected (text, label, rule_id) among the mentions)
    (toks("Donald Trump spoke . Trump said so ."), {(0, 2): "PERSON", (4, 5): "ORG"},
     [("Trump", "PERSON", "surname")]),
    (toks("Jim Jordan spoke . Jordan said so ."), {(0, 2): "PERSON", (4, 5): "GPE"},
     [("Jordan", "PERSON", "surname")]),
    # a surname with an apostrophe is a surname too
    (toks("Martin O’Malley spoke . O’Malley said so ."), {(0, 2): "PERSON", (4, 5): "ORG"},
     [("O’Malley", "PERSON", "surname")]),
    (toks("Dinesh D'Souza spoke . D'Souza said so ."), {(0, 2): "PERSON", (4, 5): "GPE"},
     [("D'Souza", "PERSON", "surname")]),
    # capitals: a transcript's speaker label
    (toks("Mike Pence joined .\nPENCE : Well , look ."), {(0, 2): "PERSON"},
     [("PENCE", "PERSON", "gazetteer")]),
    # negative: a place after "in" stays a place, even beside a person of that surname
    (toks("Jim Jordan spoke in Jordan ."), {(0, 2): "PERSON", (4, 5): "GPE"}, [("Jordan", "GPE", "model")]),
    # negative: a longer organisation holding the surname stays an organisation
    (toks("Donald Trump owns the Trump Organization ."), {(0, 2): "PERSON", (4, 6): "ORG"},
     [("Trump Organization", "ORG", "model")]),
    # negative: no full name in the document, no evidence: the model's label stands
    (toks("Trump said so ."), {(0, 1): "ORG"}, [("Trump", "ORG", "model")]),
    # negative: a generational suffix is no surname ("Jr." beside "Donald Trump Jr.")
    (toks("Donald Trump Jr. spoke . Jr. said so ."), {(0, 3): "PERSON", (5, 6): "ORG"}, [("Jr.", "ORG", "model")]),
]


@pytest.mark.parametrize("tokens, ents, expected", SURNAME_CASES)
def test_surname_of_a_person_named_in_full_is_that_person(rules, tokens, ents, expected):
    doc = make_doc(tokens, ents)
    got = [(doc[m.start:m.end].text, m.label, m.rule_id) for m in find_mentions(doc, rules)]
    for item in expected:
        assert item in got


NAME_TITLE_CASES = [
    (toks("Organizer John Doe said so ."), {(0, 3): "PERSON"}, ("John Doe", "PERSON", "Organizer")),
    (toks("Coach John Smith said so ."), {(0, 3): "PERSON"}, ("John Smith", "PERSON", "Coach")),
    (toks("Sen. Bernie Sanders said so ."), {(0, 3): "PERSON"}, ("Bernie Sanders", "PERSON", "Sen.")),
    # negative: two words are a name, whatever the first could mean
    (toks("Dean Baquet said so ."), {(0, 2): "PERSON"}, ("Dean Baquet", "PERSON", None)),
    (toks("Bill de Blasio said so ."), {(0, 3): "PERSON"}, ("Bill de Blasio", "PERSON", None)),
    (toks("Ildefonso Guajardo Villarreal said so ."), {(0, 3): "PERSON"},
     ("Ildefonso Guajardo Villarreal", "PERSON", None)),
]


@pytest.mark.parametrize("tokens, ents, expected", NAME_TITLE_CASES)
def test_title_words_leave_the_name(rules, tokens, ents, expected):
    assert expected in found(make_doc(tokens, ents), rules)


PARTICLE_CASES = [
    # (tokens, entities, the person found, a text that is no mention of its own)
    # the model cut the name at its particles: the words after them are the name's
    (toks("Ursula von der Leyen said so ."), {(0, 3): "PERSON", (3, 4): "GPE"},
     ("Ursula von der Leyen", "PERSON", None), "Leyen"),
    (toks("Ursula von der Leyen said so ."), {(0, 1): "PERSON", (3, 4): "ORG"},
     ("Ursula von der Leyen", "PERSON", None), "Leyen"),
    (toks("State Counsellor Aung San Suu Kyi said so ."), {(1, 6): "PERSON"},
     ("Aung San Suu Kyi", "PERSON", "Counsellor"), "Counsellor Aung San Suu Kyi"),
    # ... or inside a hyphenated word
    (toks("President Moon Jae - in urged talks ."), {(1, 3): "PERSON"}, ("Moon Jae-in", "PERSON", "President"),
     "Moon Jae"),
    # negative: a lower-case word that is no particle, or a particle before no name
    (toks("Ursula and Leyen said so ."), {(0, 1): "PERSON", (2, 3): "GPE"}, ("Ursula", "PERSON", None),
     "Ursula and Leyen"),
    (toks("Bill de Blasio de facto said so ."), {(0, 3): "PERSON"}, ("Bill de Blasio", "PERSON", None),
     "Bill de Blasio de facto"),
]


def glued(tokens: list[str]) -> Doc:
    """make_doc, with no space around a "-" token: "Jae - in" is "Jae-in"."""
    words = [t for t in tokens]
    spaces = [t != "\n" and t != "-" and (k + 1 >= len(words) or words[k + 1] != "-")
              for k, t in enumerate(words)]
    return Doc(shared_vocab(), words=words, spaces=spaces)


@pytest.mark.parametrize("tokens, ents, expected, absent", PARTICLE_CASES)
def test_names_cut_at_their_particles_are_whole(rules, tokens, ents, expected, absent):
    doc = make_doc(tokens, ents)
    if "-" in tokens:
        doc = glued(tokens)
        doc.ents = [doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=label)
                    for (s, e), label in ents.items()]
    got = found(doc, rules)
    assert expected in got, got
    assert absent not in {text for text, _, _ in got}, got


FAMILY_NAME_CASES = [
    # (tokens, entities, (text, label) of the last mention)
    # a surname with its particle, capitalised at the start of a sentence
    (toks("President Abdel Fattah el - Sisi spoke . El - Sisi said so ."),
     {(1, 6): "PERSON", (8, 11): "ORG"}, ("El-Sisi", "PERSON")),
    # a family name written first, tagged ORG: the one person whose name opens with it
    (toks("Foreign Minister Wang Yi spoke . Wang said so ."), {(2, 4): "PERSON", (6, 7): "ORG"}, ("Wang", "PERSON")),
    # negatives: a place; two persons of that name; no person of that name
    (toks("Washington Irving wrote . Washington said so ."), {(0, 2): "PERSON", (4, 5): "GPE"},
     ("Washington", "GPE")),
    (toks("Kim Jong Un and Kim Yo Jong spoke . Kim said so ."), {(0, 3): "PERSON", (4, 7): "PERSON", (9, 10): "ORG"},
     ("Kim", "ORG")),
    (toks("Ford Motor spoke . Ford said so ."), {(0, 2): "ORG", (4, 5): "ORG"}, ("Ford", "ORG")),
    # a family name tagged as a place, where the document's other uses of the word are the person's
    (toks("Yoon Suk Yeol spoke . Yoon said so . South Korea 's Yoon vows ."),
     {(0, 3): "PERSON", (5, 6): "PERSON", (9, 11): "GPE", (12, 13): "GPE"}, ("Yoon", "PERSON")),
    # negatives: the word is a place as often as a person; a place after a place preposition
    (toks("Yoon Suk Yeol spoke . Yoon is a city . Yoon grew ."),
     {(0, 3): "PERSON", (5, 6): "GPE", (10, 11): "GPE"}, ("Yoon", "GPE")),
    (toks("Jordan Peterson spoke . Jordan said so . He lived in Jordan ."),
     {(0, 2): "PERSON", (4, 5): "PERSON", (11, 12): "GPE"}, ("Jordan", "GPE")),
]


@pytest.mark.parametrize("tokens, ents, expected", FAMILY_NAME_CASES)
def test_family_names_are_the_persons_the_document_names(rules, tokens, ents, expected):
    doc = glued(tokens) if "-" in tokens else make_doc(tokens, ents)
    if "-" in tokens:
        doc.ents = [doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=label)
                    for (s, e), label in ents.items()]
    got = [(text, label) for text, label, _ in found(doc, rules)]
    assert got[-1] == expected, got


CAMPAIGN_CASES = [
    (toks("the Clinton campaign said so ."), {}, "Clinton campaign"),
    (toks("Hillary Clinton ’s campaign said so ."), {(0, 2): "PERSON"}, "Clinton campaign"),
    (toks("the Trump camp said so ."), {}, "Trump campaign"),
    (toks("the Obama administration said so ."), {}, "Obama administration"),
    (toks("Clinton ’s team said so ."), {}, "Clinton campaign"),
    (toks("His campaign said so ."), {}, None),                 # negative: a pronoun owns it
    (toks("the campaign said so ."), {}, None),
]


@pytest.mark.parametrize("tokens, ents, name", CAMPAIGN_CASES)
def test_campaigns_are_organisations_named_after_their_owner(rules, tokens, ents, name):
    doc = make_doc(tokens, ents)
    campaigns = [m for m in find_mentions(doc, rules) if m.rule_id == "pattern:org_person_group"]
    assert [_mention_name(doc, m, rules) for m in campaigns] == ([name] if name else [])


# (tokens, part-of-speech tags, entities, campaign name): a tagged Doc
TAGGED_CAMPAIGN_CASES = [
    (["Trump", "’s", "campaign", "said", "so", "."], ["NOUN", "PART", "NOUN", "VERB", "ADV", "PUNCT"],
     {(0, 1): "ORG"}, "Trump campaign"),
    (["O’Malley", "’s", "campaign", "said", "so", "."], ["PROPN", "PART", "NOUN", "VERB", "ADV", "PUNCT"],
     {}, "O'Malley campaign"),
    # negative: a capitalised common noun the model gives no entity owns nothing
    (["Campaign", "’s", "campaign", "said", "so", "."], ["NOUN", "PART", "NOUN", "VERB", "ADV", "PUNCT"],
     {}, None),
    (["Presidential", "campaign", "said", "so", "."], ["ADJ", "NOUN", "VERB", "ADV", "PUNCT"], {}, None),
]


@pytest.mark.parametrize("tokens, pos, ents, name", TAGGED_CAMPAIGN_CASES)
def test_campaign_owner_in_a_tagged_doc(rules, tokens, pos, ents, name):
    doc = make_doc(tokens, ents)
    for token, tag in zip(doc, pos):
        token.pos_ = tag
        token.tag_ = {"PROPN": "NNP", "NOUN": "NN"}.get(tag, "XX")
    assert doc.has_annotation("TAG")
    campaigns = [m for m in find_mentions(doc, rules) if m.rule_id == "pattern:org_person_group"]
    assert [_mention_name(doc, m, rules) for m in campaigns] == ([name] if name else [])


@pytest.mark.parametrize("doc_rows, linked", [
    # "Mr. Obama" in an article naming only Michelle Obama in full is Barack, from the corpus
    ([("Michelle Obama", None), ("Obama", "Mr."), ("Obama", "President")], "PERSON:barack-obama"),
    # negative: "Mrs. Obama" there is Michelle
    ([("Michelle Obama", None), ("Obama", "Mrs.")], "PERSON:michelle-obama"),
    # negative: no honorific, the document's full name
    ([("Michelle Obama", None), ("Obama", None)], "PERSON:michelle-obama"),
    # negative: honorifics of both genders say nothing
    ([("Michelle Obama", None), ("Obama", "Mr."), ("Obama", "Mrs.")], "PERSON:michelle-obama"),
])
def test_an_honorific_of_the_other_gender_does_not_link_to_the_documents_full_name(rules, doc_rows, linked):
    rows = [row("a", "Barack Obama", title="President"), row("b", "Barack Obama"),
            row("c", "Michelle Obama")] + [row("x", name, title=title) for name, title in doc_rows]
    rows, _ = link_mentions(rows, rules)
    assert {r["entity_id"] for r in rows if r["doc_id"] == "x" and r["name"] == "Obama"} == {linked}


def test_a_surname_links_by_corpus_context_and_stays_when_ambiguous(rules):
    rows = [row("a", "Barack Obama", title="President"), row("a", "White House", "ORG"),
            row("b", "Barack Obama"), row("b", "White House", "ORG"), row("b", "Senate", "ORG"),
            row("i", "Barack Obama"), row("i", "Senate", "ORG"),
            row("c", "Michelle Obama", title="Mrs."), row("c", "Let's Move", "ORG"),
            row("d", "Obama"), row("d", "White House", "ORG"), row("d", "Senate", "ORG"),   # Barack's world
            row("e", "Obama", title="Mrs."), row("e", "Let's Move", "ORG"),              # Michelle's
            row("f", "Obama"),                         # nothing says which: the dominant full name
            row("j", "Smith"), row("k", "John Smith"), row("l", "Jane Smith"),   # nothing says: stays
            row("g", "Bennett"), row("h", "Naftali Bennett")]            # the only Bennett
    rows, _ = link_mentions(rows, rules)
    by = {(r["doc_id"], r["name"]): (r["entity_id"], r["link_rule"]) for r in rows}
    assert by[("d", "Obama")] == ("PERSON:barack-obama", "corpus_context")
    # (the honorific leaves one full name of the corpus: Michelle's)
    assert by[("e", "Obama")] == ("PERSON:michelle-obama", "corpus_unique")
    assert by[("f", "Obama")] == ("PERSON:barack-obama", "corpus_dominant")
    assert by[("j", "Smith")] == ("PERSON:smith", "model")
    assert by[("g", "Bennett")] == ("PERSON:naftali-bennett", "corpus_unique")
    assert by[("a", "Barack Obama")] == ("PERSON:barack-obama", "model")


def test_same_document_links_ignore_case_and_titles_and_record_the_rule(rules):
    rows = [row("a", "Chris Wallace"), row("a", "Wallace", text="WALLACE"),
            row("b", "Organizer John Doe"), row("c", "John Doe"), row("c", "John Doe"),
            row("d", "Bill de Blasio"), row("d", "de Blasio"),
            row("e", "Trump", rule_id="surname"), row("e", "Donald Trump")]
    rows, entities = link_mentions(rows, rules)
    by = {(r["doc_id"], r["name"]): (r["entity_id"], r["link_rule"]) for r in rows}
    assert by[("a", "Wallace")] == ("PERSON:chris-wallace", "same_doc_surname")
    assert by[("b", "Organizer John Doe")] == ("PERSON:john-doe", "title_prefix")
    assert by[("d", "de Blasio")] == ("PERSON:bill-de-blasio", "same_doc_full_name")
    assert by[("d", "Bill de Blasio")] == ("PERSON:bill-de-blasio", "model")   # "Bill" is no title
    assert by[("e", "Trump")] == ("PERSON:donald-trump", "same_doc_surname")
    doe = next(e for e in entities if e["entity_id"] == "PERSON:john-doe")
    assert doe["link_rule"] == "model,title_prefix"


ORG_CASES = [
    # (rows as (doc, name), expected groups of names sharing one entity, canonical of the first)
    ([("a", "FBI"), ("a", "FBI"), ("b", "F.B.I."), ("c", "Federal Bureau of Investigation"), ("c", "FBI"),
      ("d", "CIA")],
     [{"FBI", "F.B.I.", "Federal Bureau of Investigation"}, {"CIA"}], "FBI"),
    # negative: initials that fit, but no document uses both
    ([("a", "ISIS"), ("a", "ISIS"), ("b", "Institute for Science and International Security")],
     [{"ISIS"}, {"Institute for Science and International Security"}], "ISIS"),
    # several expansions: only the one most often beside the acronym
    ([("a", "DNC"), ("a", "Democratic National Committee"), ("b", "DNC"), ("b", "Democratic National Committee"),
      ("c", "DNC"), ("c", "Democratic National Convention")],
     [{"DNC", "Democratic National Committee"}, {"Democratic National Convention"}], "DNC"),
    # two expansions in the corpus: only a document holding one of them decides
    ([("a", "ACA"), ("a", "Affordable Care Act"), ("b", "American Cycling Association"), ("c", "ACA")],
     [{"ACA", "Affordable Care Act"}, {"American Cycling Association"}], "ACA"),
    # negative: initials that only look alike, lower-case words
    ([("a", "NRA"), ("b", "National rifle association")], [{"NRA"}, {"National rifle association"}], "NRA"),
    # negative: two letters are too few to tell ("NH" is not "Nikki Haley" tagged ORG)
    ([("a", "NH"), ("a", "Nikki Haley")], [{"NH"}, {"Nikki Haley"}], "NH"),
]


@pytest.mark.parametrize("pairs, groups, canonical", ORG_CASES)
def test_organisation_forms_are_one_entity(rules, pairs, groups, canonical):
    rows, _ = link_mentions([row(d, n, "ORG") for d, n in pairs], rules)
    ids = defaultdict(set)
    for r in rows:
        ids[r["entity_id"]].add(r["name"])
    assert sorted(map(sorted, ids.values())) == sorted(map(sorted, groups))
    assert rows[0]["entity_id"] == entity_id("ORG", canonical)


@pytest.mark.parametrize("name, key, acronym", [
    ("F.B.I.", "FBI", None), ("U.N.", "UN", None), ("FBI", "FBI", None),
    ("Federal Bureau of Investigation", "Federal Bureau of Investigation", "FBI"),
    ("Department of Homeland Security", "Department of Homeland Security", "DHS"),
    ("Moscow", "Moscow", None), ("National rifle association", "National rifle association", None),
])
def test_dotted_forms_and_acronyms(rules, name, key, acronym):
    assert dotted_key(name) == key
    assert acronym_of(name, rules.org_stopwords) == acronym


def test_entity_ids_do_not_depend_on_row_order(rules):
    rows = [row("a", "Barack Obama"), row("a", "Obama"), row("b", "Obama"), row("b", "White House", "ORG"),
            row("c", "FBI", "ORG"), row("d", "F.B.I.", "ORG"), row("d", "F.B.I.", "ORG")]
    first, _ = link_mentions([dict(r) for r in rows], rules)
    second, _ = link_mentions([dict(r) for r in reversed(rows)], rules)
    assert [r["entity_id"] for r in first] == [r["entity_id"] for r in reversed(second)]


def test_two_full_names_of_one_document_one_ending_the_other_are_one_person(rules):
    rows = [row(d, "Hillary Clinton") for d in "abc"] + [
        row("a", "Crooked Hillary Clinton"), row("a", "Clinton"),       # the established form wins
        row("d", "Francis Gary Powers"), row("d", "Gary Powers"), row("e", "Francis Gary Powers"),
        row("f", "Gary Powers"), row("f", "Gary Oldman"),               # negative: no tail, two people
        row("g", "Douglas Holtz-Eakin"), row("g", "Holtz-Eakin"), row("h", "Holtz-Eakin"),
        row("i", "Bill de Blasio"), row("i", "de Blasio"), row("j", "de Blasio"), row("k", "de Blasio")]
    rows, _ = link_mentions(rows, rules)
    by = {(r["doc_id"], r["name"]): (r["entity_id"], r["link_rule"]) for r in rows}
    assert by[("a", "Crooked Hillary Clinton")] == ("PERSON:hillary-clinton", "same_doc_full_name")
    assert by[("a", "Hillary Clinton")] == ("PERSON:hillary-clinton", "model")
    assert by[("a", "Clinton")][0] == "PERSON:hillary-clinton"
    assert by[("d", "Gary Powers")] == ("PERSON:francis-gary-powers", "same_doc_full_name")
    assert by[("f", "Gary Oldman")] == ("PERSON:gary-oldman", "model")
    assert by[("f", "Gary Powers")] == ("PERSON:gary-powers", "model")
    # a surname of two words is no full name of its own, however often it is used
    assert by[("g", "Holtz-Eakin")][0] == "PERSON:douglas-holtz-eakin"
    assert by[("i", "de Blasio")][0] == "PERSON:bill-de-blasio"


def test_a_name_that_is_a_person_elsewhere_is_a_person(rules):
    rows = [row(d, "Carly Fiorina") for d in "abc"] + [row(d, "Fiorina") for d in "abc"] + [
        row("d", "Carly Fiorina", "ORG"), row("d", "Fiorina", "ORG"),       # the model's label error
        row("e", "Fiorina", "ORG"),                                        # nobody named in full
        row("f", "Washington", "GPE"), row("g", "George Washington"),      # negative: a place elsewhere
        row("h", "Washington", "GPE"), row("i", "Washington", "GPE"),
        row("j", "Acme", "ORG"), row("k", "Acme", "ORG"), row("l", "Acme")]  # negative: no full name
    rows, _ = link_mentions(rows, rules)
    by = {(r["doc_id"], r["name"]): (r["entity_id"], r["rule_id"]) for r in rows}
    assert by[("d", "Carly Fiorina")] == ("PERSON:carly-fiorina", "corpus_person")
    assert by[("d", "Fiorina")] == ("PERSON:carly-fiorina", "corpus_person")
    assert by[("e", "Fiorina")] == ("PERSON:carly-fiorina", "corpus_person")
    assert by[("f", "Washington")] == ("GPE:washington", "model")
    assert by[("j", "Acme")] == ("ORG:acme", "model")


def test_a_first_surname_links_to_a_three_word_name(rules):
    rows = [row("a", "Melba Acosta Febo"), row("a", "Acosta"), row("b", "Acosta"), row("b", "Luis Acostado")]
    rows, _ = link_mentions(rows, rules)
    assert [r["entity_id"] for r in rows[:2]] == ["PERSON:melba-acosta-febo"] * 2


def test_across_documents_only_surnames_link_and_only_to_name_like_names(rules):
    rows = [row("a", "Francis Gary Powers"), row("b", "Francis"),         # Pope Francis, say: no
            row("c", "@realDonaldTrump Twitter"), row("d", "Twitter"),    # not a name: no
            row("e", "Gary Powers"), row("f", "Powers"),                  # two full names: stays
            row("g", "Gary Oldman"), row("h", "Oldman")]                  # a surname: links
    rows, _ = link_mentions(rows, rules)
    by = {(r["doc_id"], r["name"]): r["entity_id"] for r in rows}
    assert by[("b", "Francis")] == "PERSON:francis"
    assert by[("d", "Twitter")] == "PERSON:twitter"
    assert by[("f", "Powers")] == "PERSON:powers"
    assert by[("h", "Oldman")] == "PERSON:gary-oldman"


def test_organisation_link_rules_say_why_forms_joined(rules):
    rows, entities = link_mentions([row("a", "FBI", "ORG"), row("a", "FBI", "ORG"), row("b", "F.B.I.", "ORG"),
                                    row("c", "Federal Bureau of Investigation", "ORG"), row("c", "FBI", "ORG"),
                                    row("d", "CIA", "ORG")], rules)
    assert [r["link_rule"] for r in rows] == ["model", "model", "dotted", "acronym", "model", "model"]
    fbi = next(e for e in entities if e["entity_id"] == "ORG:fbi")
    assert fbi["link_rule"] == "acronym,dotted,model" and fbi["n_documents"] == 3


MISSED_NAME_CASES = [
    # (tokens, entities, expected mention texts (PERSON), texts that must not be PERSON mentions)
    (toks("Dr. Mehmet Oz spoke . Oz said so ."), {(5, 6): "PERSON"}, ["Mehmet Oz"], []),
    # negative: a title word, another entity, a lower-case word before the surname
    (toks("President Obama spoke . Obama said so ."), {(1, 2): "PERSON", (4, 5): "PERSON"}, ["Obama"],
     ["President Obama"]),
    (toks("On Tuesday Trump spoke . Trump said so ."), {(1, 2): "DATE", (2, 3): "PERSON", (5, 6): "PERSON"},
     ["Trump"], ["Tuesday Trump"]),
    (toks("but then Oz said so ."), {(2, 3): "PERSON"}, ["Oz"], ["then Oz"]),
    (toks("Bill said the Crime Bill was a crime bill ."), {(0, 1): "PERSON"}, ["Bill"], ["Crime Bill"]),
]


@pytest.mark.parametrize("tokens, ents, expected, unexpected", MISSED_NAME_CASES)
def test_full_names_the_model_missed(rules, tokens, ents, expected, unexpected):
    doc = make_doc(tokens, ents)
    persons = [doc[m.start:m.end].text for m in find_mentions(doc, rules) if m.label == "PERSON"]
    for text in expected:
        assert text in persons
    for text in unexpected:
        assert text not in persons


def test_a_full_name_found_in_the_text_needs_a_first_name(rules):
    rows = [row("a", "Mehmet Oz", rule_id="name_in_text"), row("a", "Oz"),
            row("b", "Crooked Hillary", rule_id="name_in_text"), row("b", "Hillary Clinton")]
    rows, _ = link_mentions(rows, rules, frozenset({"crooked", "women"}))
    assert [r["entity_id"] for r in rows] == ["PERSON:mehmet-oz"] * 2 + ["PERSON:hillary-clinton"] * 2


def test_corpus_descriptions_keep_words_of_several_documents():
    from pipeline.steps.entities import corpus_descriptions

    rows = [{"doc_id": "a", "label": "PERSON", "entity_id": "PERSON:tom-ray", "described": ["businessman", "rich"]},
            {"doc_id": "a", "label": "PERSON", "entity_id": "PERSON:tom-ray", "described": ["mogul"]},
            {"doc_id": "b", "label": "PERSON", "entity_id": "PERSON:tom-ray", "described": ["businessman"]},
            {"doc_id": "c", "label": "PERSON", "entity_id": "PERSON:tom-ray", "described": ["businessman", "rich"]},
            {"doc_id": "b", "label": "ORG", "entity_id": "ORG:ray-corp", "described": ["company", "big"]},
            {"doc_id": "c", "label": "ORG", "entity_id": "ORG:ray-corp", "described": ["company"]}]
    # most documents first; "mogul" (twice in one document) is one document's phrase; no organisation
    assert corpus_descriptions(rows, 2) == {"PERSON:tom-ray": ["businessman", "rich"]}
    assert corpus_descriptions(rows, 3) == {"PERSON:tom-ray": ["businessman"]}


def test_an_epithet_before_a_surname_is_not_a_first_name(rules):
    rows = [row("a", "Marco Rubio"), row("a", "Weak - Rubio"), row("b", "Ted Cruz"), row("b", "Neither Cruz"),
            # negatives: a first name that is also a word stays a first name; a word the corpus
            # never writes in lower case stays too
            row("c", "Bill Clinton"), row("c", "Hillary Clinton"), row("d", "Zelda Cruz"),
            # an -ing word opening a sentence; negative: a first name ending so ("Sterling")
            row("e", "Hillary Clinton"), row("e", "Injecting Clinton"), row("f", "Sterling Brown")]
    linked, _ = link_mentions(rows, rules, frozenset({"weak", "neither", "bill", "mark"}))
    ids = {(r["doc_id"], r["text"]): r["entity_id"] for r in linked}
    assert ids[("a", "Weak - Rubio")] == "PERSON:marco-rubio"
    assert ids[("b", "Neither Cruz")] == "PERSON:ted-cruz"
    assert ids[("c", "Bill Clinton")] == "PERSON:bill-clinton"
    assert ids[("d", "Zelda Cruz")] == "PERSON:zelda-cruz"
    assert ids[("e", "Injecting Clinton")] == "PERSON:hillary-clinton"
    assert ids[("f", "Sterling Brown")] == "PERSON:sterling-brown"


@pytest.mark.parametrize("tokens, ents, expected", [
    # the initials of an organisation the document names in full, written alone
    (toks("Christian News Service reported it . CNS reported more on Monday ."), {(0, 3): "ORG"},
     [("Christian News Service", "ORG"), ("CNS", "ORG")]),
    (toks("The Federal Bureau of Investigation spoke . The F.B.I. said so ."), {(1, 5): "ORG"},
     [("Federal Bureau of Investigation", "ORG"), ("F.B.I.", "ORG")]),
    # negatives: no organisation with those initials; two letters only
    (toks("Christian Science Monitor reported it . CNS reported more ."), {(0, 3): "ORG"},
     [("Christian Science Monitor", "ORG")]),
    (toks("Green Party met . GP said so ."), {(0, 2): "ORG"}, [("Green Party", "ORG")]),
])
def test_initials_of_an_organisation_named_in_full(rules, tokens, ents, expected):
    got = [(text, label) for text, label, _ in found(make_doc(tokens, ents), rules)]
    assert got == expected, got


# (tokens, entities, expected (text, label) among the mentions)
FAMILY_CASES = [
    # a first name and the surname of a person named in full: a person, whatever the model said
    (toks("Frank Fiorina spoke . Carly Fiorina said so ."), {(0, 2): "PERSON", (4, 6): "ORG"},
     ("Carly Fiorina", "PERSON")),
    # negatives: an organisation named after the family; a word that is no first name
    (toks("Bill Clinton spoke . Clinton Foundation said so ."), {(0, 2): "PERSON", (4, 6): "ORG"},
     ("Clinton Foundation", "ORG")),
    (toks("Bill Clinton spoke . Acme Clinton said so ."), {(0, 2): "PERSON", (4, 6): "ORG"},
     ("Acme Clinton", "ORG")),
]


@pytest.mark.parametrize("tokens, ents, expected", FAMILY_CASES, ids=["first-name", "foundation", "no-first-name"])
def test_a_first_name_before_a_known_surname_is_a_person(rules, tokens, ents, expected):
    doc = make_doc(tokens, ents)
    assert expected in [(doc[m.start:m.end].text, m.label) for m in find_mentions(doc, rules)]


@pytest.mark.parametrize("doc_rows, name, linked", [
    # a letter dropped from the document's full name: the writer's typo
    ([("Tyresha McClenney", None), ("McLenney", None)], "McLenney", "PERSON:tyresha-mcclenney"),
    ([("Harold Bornstein", None), ("Bornsten", None)], "Bornsten", "PERSON:harold-bornstein"),
    # two letters from a long surname
    ([("Tyresha McClenney", None), ("McLenny", None)], "McLenny", "PERSON:tyresha-mcclenney"),
    # negative: two letters from a short surname are another name
    ([("Scott Walker", None), ("Welkar", None)], "Welkar", "PERSON:welkar"),
    # negative: a short name is left alone ("Hill" is not "Hall")
    ([("Jane Hall", None), ("Hill", None)], "Hill", "PERSON:hill"),
    # negative: a family in the plural
    ([("Hillary Clinton", None), ("Clintons", None)], "Clintons", "PERSON:clintons"),
    # negative: another initial
    ([("Harold Bornstein", None), ("Hornstein", None)], "Hornstein", "PERSON:hornstein"),
    # negative: a surname of the corpus's own full names is that other person ("Johnston")
    ([("Jeh Johnson", None), ("Johnston", None)], "Johnston", "PERSON:mary-johnston"),
    # negative: two full names of the document fit, nothing says which
    ([("Ann Bornstein", None), ("Harold Bornsteen", None), ("Bornsten", None)], "Bornsten", "PERSON:bornsten"),
])
def test_a_misspelt_surname_links_to_the_one_full_name_it_can_be(rules, doc_rows, name, linked):
    rows = [row("a", "Mary Johnston")] + [row("x", n, title=t) for n, t in doc_rows]
    rows, _ = link_mentions(rows, rules)
    by = {r["name"]: (r["entity_id"], r["link_rule"]) for r in rows if r["doc_id"] == "x"}
    assert by[name][0] == linked
    if by[name][0] != f"PERSON:{name.lower()}" and name != "Johnston":
        assert by[name][1] == "same_doc_spelling"
