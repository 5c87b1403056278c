"""Speaker gender (pipeline/steps/quotes/gender.py and the resolver's gender_of) and its gold check
(pipeline/evaluation/eval_gender.py): table-driven, with negative cases."""

from __future__ import annotations

import json

import pytest

from pipeline.core.errors import ConfigError
from pipeline.steps.quotes.gender import first_name_genders, first_name_of, gender_from_first_name, given_name_of
from pipeline.steps.quotes.lexicon import QuoteConfig


@pytest.mark.parametrize("name, first", [("Mary Roe", "Mary"), ("Roe", None), ("J. Roe", None),
                                         ("J Roe", None), ("Jean-Luc Picard", "Jean-Luc")])
def test_first_name_of(name, first):
    assert first_name_of(name) == first


@pytest.mark.parametrize("name, expected", [
    ("Mary Roe", ("female", "first_name:Mary")),
    ("John Doe", ("male", "first_name:John")),
    ("Jean Doe", None),            # about 84% of its bearers are men: below the share asked
    ("Doe", None),                 # no first name
    ("Zzyzxq Doe", None),          # not in the dictionary
])
def test_gender_from_first_name(name, expected):
    assert gender_from_first_name(name, 0.85) == expected


@pytest.mark.parametrize("name, short_forms, given", [
    ("Ban Ki-moon", [], "Ki-moon"),                 # a hyphenated given name of syllables, last
    ("Kim Jong-un", ["Kim"], "Jong-un"),
    ("Xi Jinping", ["Xi", "Xi"], None),             # called by the first word alone: family name first
    ("Mary Roe", [], "Mary"),                       # negative cases: the first word is the given name
    ("Mary Roe", ["Roe"], "Mary"),
    ("Hillary Clinton", ["Hillary", "Clinton"], "Hillary"),   # titled both ways: the surname is last
    ("Jean-Luc Picard", [], "Jean-Luc"),            # a hyphenated first name
    ("John Smith-Jones", [], "John"),               # a double-barrelled surname
])
def test_given_name_of(name, short_forms, given):
    assert given_name_of(name, short_forms) == given


def test_family_name_first_is_not_read_as_a_first_name():
    assert gender_from_first_name("Ban Ki-moon", 0.85) == ("male", "first_name:Ki-moon")   # not "Ban", a woman's
    assert gender_from_first_name("Xi Jinping", 0.85, ["Xi"]) is None


def test_name_lookups_are_batched_and_case_blind():
    hits = first_name_genders(["MARY", "john", "Zzyzxq"])
    assert hits["mary"][0] == "female" and hits["john"][0] == "male" and hits["zzyzxq"] is None


def _speaker(rows, speaker_text):
    return next(r for r in rows if r["speaker_text"] == speaker_text)


# (text, speaker as written, speaker, gender, evidence)
GENDER_CASES = [
    # an honorific says it, before the first name ("Jean": no first-name verdict)
    ('Mrs. Jean Roe spoke on Monday. "We will keep the school open," Roe said.',
     "Roe", "Jean Roe", "female", "honorific:Mrs."),
    ('Mr. Jean Roe spoke on Monday. "We will keep the school open," Roe said.',
     "Roe", "Jean Roe", "male", "honorific:Mr."),
    # a quote's own pronoun, resolved to the person, says it before the first name can
    ('Jean Roe spoke on Monday.\n"We will keep the school open," she said.',
     "she", "Jean Roe", "female", "pronoun:she"),
    # the first name when nothing in the article says
    ('"We will keep the school open," said Mary Roe.', "Mary Roe", "Mary Roe", "female", "first_name:Mary"),
    ('"We will keep the school open," said John Roe.', "John Roe", "John Roe", "male", "first_name:John"),
    # nothing says: unknown, never guessed from the role
    ('"We will keep the school open," said the nurse, Jean Roe.', None, "Jean Roe", "unknown", None),
    # no person speaks: no gender
    ('"We will keep the school open," the ministry said in a statement.', "the ministry", "the ministry", None, None),
    # a pronoun no person was found for still tells its gender
    ('"We will keep the school open," she said.', "she", None, "female", "pronoun:she"),
]


@pytest.mark.parametrize("text, written, speaker, gender, evidence", GENDER_CASES,
                         ids=["honorific-f", "honorific-m", "pronoun", "first-f", "first-m", "unknown",
                              "organisation", "lone-pronoun"])
def test_speaker_gender(extract, text, written, speaker, gender, evidence):
    rows = extract(text)
    row = _speaker(rows, written) if written else rows[0]
    assert (row["speaker"], row["speaker_gender"], row["gender_evidence"]) == (speaker, gender, evidence), rows


def test_known_gender_keeps_she_from_the_man_named_last(extract):
    # "she" goes to the woman named before the man (her first name says so), not the nearest person
    text = ("Maria Lopez spoke after John Smith left the hall.\n"
            '"We will keep working on the budget this year," she said.')
    row = extract(text)[-1]
    assert (row["speaker"], row["speaker_gender"]) == ("Maria Lopez", "female")
    text = text.replace("she said", "he said")
    row = extract(text)[-1]
    assert (row["speaker"], row["speaker_gender"]) == ("John Smith", "male")


@pytest.mark.parametrize("value", [0.5, 1.5, "high", True])
def test_first_name_share_is_checked(value):
    from pipeline.core.config import load_stage_config

    raw = load_stage_config(None, "quotes")
    raw["speakers"] = {**raw["speakers"], "first_name_min_share": value}
    with pytest.raises(ConfigError, match="first_name_min_share"):
        QuoteConfig.from_dict(raw)


# ------------------------------------------------------------------------------------------------
# The gender gold and its scorer


@pytest.mark.parametrize("source, gender", [("he", "male"), ("She", "female"), ("him", "male"),
                                            ("Mr. Comey", "male"), ("Mrs. Clinton", "female"),
                                            ("Ms Roe", "female"), ("Trump", None), ("his aide", None),
                                            ("Mrs", None), ("the Mr. Universe contest", None), (None, None)])
def test_stated_gender(source, gender):
    from pipeline.evaluation.eval_gender import stated_gender

    assert stated_gender(source) == gender


def test_polnear_gender_gold_and_score(tmp_path):
    """The gold spreads a stated gender to every attribution of the same canonical person, drops
    a speaker stated both ways, and scores matched predictions only."""
    from pipeline.evaluation.eval_gender import polnear_gender_gold, score_gender

    text = "x" * 200
    atts = [{"source_text": "Mrs. Roe", "content": [[0, 20]]}, {"source_text": "Roe", "content": [[30, 50]]},
            {"source_text": "he", "content": [[60, 80]]}, {"source_text": "she", "content": [[90, 110]]},
            {"source_text": "the FBI", "content": [[120, 140]]}]
    (tmp_path / "dev.jsonl").write_text(json.dumps({"doc_id": "d", "text": text, "attributions": atts}) + "\n")
    speakers = [("Mrs. Roe", "Jane Roe", "person"), ("Roe", "Jane Roe", "person"), ("he", "Al Doe", "person"),
                ("she", "Al Doe", "person"), ("the FBI", "FBI", "organization")]
    (tmp_path / "speakers.jsonl").write_text("".join(
        json.dumps({"doc_id": "d", "i": i, "source_text": s, "canonical": c, "kind": k}) + "\n"
        for i, (s, c, k) in enumerate(speakers)))
    gold = polnear_gender_gold(tmp_path / "dev.jsonl", tmp_path / "speakers.jsonl")
    assert [(g["i"], g["gender"]) for g in gold["d"]] == [(0, "female"), (1, "female")]
    preds = {"d": [{"content_start": 0, "content_end": 20, "speaker_gender": "female"},
                   {"content_start": 30, "content_end": 50, "speaker_gender": "unknown"}]}
    metrics = score_gender(gold, preds)["metrics"]
    assert (metrics["matched"], metrics["right"], metrics["gender_accuracy"]) == (2, 1, 0.5)
    # without canonical speakers: only the attributions whose own source states it
    gold = polnear_gender_gold(tmp_path / "dev.jsonl", None)
    assert [(g["i"], g["gender"]) for g in gold["d"]] == [(0, "female"), (2, "male"), (3, "female")]


# Hand-built sentences (no model): (word, head index in the sentence, dep, pos).
_VISITED = [("Aung", 3, "compound", "PROPN"), ("San", 3, "compound", "PROPN"), ("Suu", 3, "compound", "PROPN"),
            ("Kyi", 4, "nsubj", "PROPN"), ("left", 4, "ROOT", "VERB"), ("after", 7, "mark", "SCONJ"),
            ("she", 7, "nsubj", "PRON"), ("spoke", 4, "advcl", "VERB"), (".", 4, "punct", "PUNCT")]
_HER_PART = [("For", 6, "prep", "ADP"), ("her", 2, "poss", "PRON"), ("part", 0, "pobj", "NOUN"),
             (",", 6, "punct", "PUNCT"), ("Suu", 5, "compound", "PROPN"), ("Kyi", 6, "nsubj", "PROPN"),
             ("waited", 6, "ROOT", "VERB"), (".", 6, "punct", "PUNCT")]
_WAITED = [("Suu", 1, "compound", "PROPN"), ("Kyi", 2, "nsubj", "PROPN"), ("waited", 2, "ROOT", "VERB"),
           (".", 2, "punct", "PUNCT")]
_SHE_SPOKE = [("She", 1, "nsubj", "PRON"), ("spoke", 1, "ROOT", "VERB"), (".", 1, "punct", "PUNCT")]
_SAID_SHE = [("Suu", 1, "compound", "PROPN"), ("Kyi", 2, "nsubj", "PROPN"), ("said", 2, "ROOT", "VERB"),
             ("she", 4, "nsubj", "PRON"), ("left", 2, "ccomp", "VERB"), (".", 2, "punct", "PUNCT")]
_SAID_BUT_SHE = [("Suu", 1, "compound", "PROPN"), ("Kyi", 2, "nsubj", "PROPN"), ("said", 2, "ROOT", "VERB"),
                 ("so", 2, "advmod", "ADV"), ("but", 2, "cc", "CCONJ"), ("she", 6, "nsubj", "PRON"),
                 ("left", 2, "conj", "VERB"), (".", 2, "punct", "PUNCT")]
_CHALLENGED = [("Suu", 1, "compound", "PROPN"), ("Kyi", 2, "nsubj", "PROPN"), ("challenged", 2, "ROOT", "VERB"),
               ("her", 2, "dobj", "PRON"), ("when", 6, "advmod", "SCONJ"), ("she", 6, "nsubj", "PRON"),
               ("ran", 2, "advcl", "VERB"), (".", 2, "punct", "PUNCT")]
_AFTER_SHE_LEFT = [("After", 2, "mark", "SCONJ"), ("she", 2, "nsubj", "PRON"), ("left", 6, "advcl", "VERB"),
                   (",", 6, "punct", "PUNCT"), ("Suu", 5, "compound", "PROPN"), ("Kyi", 6, "nsubj", "PROPN"),
                   ("came", 6, "ROOT", "VERB"), (".", 6, "punct", "PUNCT")]
_QUOTING = [("Suu", 1, "compound", "PROPN"), ("Kyi", 2, "nsubj", "PROPN"), ("said", 2, "ROOT", "VERB"),
            ('"', 4, "punct", "PUNCT"), ("she", 5, "nsubj", "PRON"), ("left", 2, "ccomp", "VERB"),
            ('"', 5, "punct", "PUNCT"), (".", 2, "punct", "PUNCT")]
_WITH_ROE = [("Suu", 1, "compound", "PROPN"), ("Kyi", 2, "nsubj", "PROPN"), ("met", 2, "ROOT", "VERB"),
             ("Roe", 2, "dobj", "PROPN"), ("after", 6, "mark", "SCONJ"), ("she", 6, "nsubj", "PRON"),
             ("spoke", 2, "advcl", "VERB"), (".", 2, "punct", "PUNCT")]


def _narrative_gender(config, sentences):
    from spacy.tokens import Doc

    from pipeline.steps.docs import shared_vocab
    from pipeline.steps.quotes.mentions import Mention
    from pipeline.steps.quotes.speakers import SpeakerResolver

    words, heads, deps, pos, starts, mentions = [], [], [], [], [], []
    for sentence in sentences:
        base = len(words)
        for k, (word, head, dep, tag) in enumerate(sentence):
            words.append(word), heads.append(base + head), deps.append(dep), pos.append(tag)
            starts.append(k == 0)
        names = [k for k, (w, *_) in enumerate(sentence) if w in ("Aung", "Suu")]
        first = names[0] if names else None
        if first is not None:
            mentions.append((base + first, base + next(k for k, (w, *_) in enumerate(sentence) if w == "Kyi") + 1,
                             "Aung San Suu Kyi"))
        if any(w == "Roe" for w, *_ in sentence):
            k = next(k for k, (w, *_) in enumerate(sentence) if w == "Roe")
            mentions.append((base + k, base + k + 1, "John Roe"))
    lemmas = [{"said": "say"}.get(w, w.lower()) for w in words]
    doc = Doc(shared_vocab(), words=words, heads=heads, deps=deps, pos=pos, lemmas=lemmas, sent_starts=starts)
    ms = [Mention("t", s, e, doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), doc[s:e].text, "PERSON",
                  None, f"PERSON:{name}", name) for s, e, name in mentions]
    return SpeakerResolver(doc, ms, config).gender_of("Aung San Suu Kyi")


@pytest.mark.parametrize("sentences, expected", [
    # a sentence of the writer's naming her alone as a subject, with a "she" after the name as the
    # subject of a clause joined to hers, says it before the first-name list ("Aung", a man's name)
    ([_VISITED], ("female", "narrative:she")),
    # negative: no such sentence: the first-name list decides
    ([_WAITED], ("male", "first_name:Aung")),
    # negative: the next sentence's "She", a possessive ("For her part"), a reported clause ("said
    # she left", "said so but she left"), a pronoun before the name ("After she left, X came"), another person by pronoun
    # ("challenged her when she ran"), inside quotation marks, or named: no vote
    ([_WAITED, _SHE_SPOKE], ("male", "first_name:Aung")),
    ([_HER_PART], ("male", "first_name:Aung")),
    ([_SAID_SHE], ("male", "first_name:Aung")),
    ([_SAID_BUT_SHE], ("male", "first_name:Aung")),
    ([_AFTER_SHE_LEFT], ("male", "first_name:Aung")),
    ([_CHALLENGED], ("male", "first_name:Aung")),
    ([_QUOTING], ("male", "first_name:Aung")),
    ([_WITH_ROE], ("male", "first_name:Aung")),
], ids=["joined-clause", "none", "next-sentence", "possessive", "reported", "reporting-verb", "cataphora",
        "object", "quoting", "two-people"])
def test_gender_from_the_writers_own_sentences(config, sentences, expected):
    assert _narrative_gender(config, sentences) == expected


def test_seeded_lookups_answer_without_the_name_list(monkeypatch):
    # a Dask worker gets the client's lookups: no bucket of the name list is read for them
    from pipeline.steps.quotes import gender

    monkeypatch.setattr(gender, "_CACHE", {"known": ("male", 0.9)})
    monkeypatch.setattr(gender, "_read_bucket", lambda bucket, names: pytest.fail(f"read bucket {bucket}"))
    gender.seed_lookups({"zorblat": ("female", 0.97), "unlisted": None, "known": ("female", 0.6)})
    assert gender.first_name_genders(["Zorblat", "unlisted"]) == {"zorblat": ("female", 0.97), "unlisted": None}
    assert gender.first_name_genders(["Known"]) == {"known": ("male", 0.9)}   # a lookup of its own is kept
