"""Tests for the `topics` stage: the taxonomy on short texts (table-driven, with negatives),
config errors, the gold matching and F1, and the seed gold topics (skipped without ../shared)."""

from __future__ import annotations


import pytest

from pipeline.config import load_stage_config
from pipeline.docs import ParsedDoc, doc_from_columns, shared_vocab
from pipeline.errors import ConfigError
from pipeline.eval_topics import match_quotes, micro_f1
from pipeline.topics import UNASSIGNED, build_tagger, load_tagger, tag_document

from conftest import SHARED  # noqa: E402


@pytest.fixture(scope="module")
def tagger():
    return load_tagger()


def parsed(nlp, text: str) -> ParsedDoc:
    """The text parsed, then rebuilt on the shared vocab as later stages see it (pipeline.docs)."""
    model_doc = nlp(text)
    doc = doc_from_columns(shared_vocab(), {
        "text": [t.text for t in model_doc], "whitespace": [t.whitespace_ for t in model_doc],
        "lemma": [t.lemma_ for t in model_doc], "pos": [t.pos_ for t in model_doc],
        "tag": [t.tag_ for t in model_doc], "morph": [str(t.morph) for t in model_doc],
        "dep": [t.dep_ for t in model_doc], "head": [t.head.i for t in model_doc],
        "ent_iob": [t.ent_iob_ for t in model_doc], "ent_type": [t.ent_type_ for t in model_doc]})
    return ParsedDoc.unmapped("t", doc)


def topics_of(nlp, tagger, text: str, content: str | None = None) -> dict[str, list[str]]:
    """{topic: evidence} for the quote `content` (default: the whole text) within `text`."""
    content = content or text
    start = text.index(content)
    rows = tag_document(parsed(nlp, text), [{"quote_id": "q", "content_start": start,
                                             "content_end": start + len(content)}], tagger)
    return {r["topic"]: r["evidence"] for r in rows}


CASES = [
    ("The talks on Iran's nuclear programme resumed in Vienna.", {"iran_nuclear"}),
    ("A return to the nuclear deal is futile.", {"iran_nuclear"}),
    ("Israel carried out air strikes against Iranian targets in Syria.", {"syria_security"}),
    ("The deconfliction mechanism prevents friction between the air forces.", {"syria_security"}),
    ("We must stop Iranian entrenchment and the precision missile project.", {"syria_security"}),
    ("The relations between Russia and Israel have never been closer.", {"bilateral_relations"}),
    ("He accepted the invitation to a state visit.", {"bilateral_relations"}),
    ("He would love to have a follow-up visit.", {"unassigned"}),   # a visit alone is only a hint
    ("There are a million Russian-speaking immigrants in Israel.", {"diaspora"}),
    ("Tourists vaccinated with Sputnik V will be allowed in.", {"tourism_covid"}),
    ("Voters go to the polls before the Knesset election.", {"elections"}),
    ("He will attend the Holocaust memorial at Yad Vashem.", {"holocaust_ww2"}),
    ("Bennett needed to mend relations with the White House.", {"us_relations", "bilateral_relations"}),
    ("Cooperation on counterterrorism is certain.", {"counterterrorism"}),
    ("Sovereignty over the Jordan Valley angers the Palestinians.", {"palestinian"}),
    # negatives: nothing to say, or words that only look like an issue
    ("The weather in Sochi was pleasant this week.", set()),
    ("They told us to wait outside.", set()),                       # "us" is not the US
    ("Machado said she would stand up to the attacks.", set()),     # a hint alone is not a topic
    ("The Republican nominee has either won or tied among voters.", {"elections"}),  # "tied" is no tie
]


@pytest.mark.parametrize("text,expected", CASES)
def test_topics_of_short_quotes(nlp, tagger, text, expected):
    got = topics_of(nlp, tagger, text)
    if not expected:
        assert set(got) == {UNASSIGNED} and got[UNASSIGNED] == []
    else:
        assert set(got) == expected, got


def test_evidence_and_context(nlp, tagger):
    text = "Netanyahu, speaking about Syria and the air strikes, said: “It is important.”"
    got = topics_of(nlp, tagger, text, "It is important.")
    # evidence only in the sentence around the content counts half: marked with "~"
    assert set(got) == {"syria_security"}
    assert all(e.startswith("~") for e in got["syria_security"])
    alone = topics_of(nlp, tagger, "It is important. Syria was not discussed.", "It is important.")
    assert set(alone) == {UNASSIGNED}


def test_scores_are_multi_label(nlp, tagger):
    text = "Security cooperation between Israel and Russia in Syria matters."
    rows = tag_document(parsed(nlp, text), [{"quote_id": "q", "content_start": 0, "content_end": len(text)}], tagger)
    assert {r["topic"] for r in rows} == {"syria_security", "bilateral_relations"}
    assert all(r["score"] >= tagger.threshold and r["evidence"] for r in rows)


def test_bad_config_is_reported():
    config = load_stage_config(None, "topics")
    with pytest.raises(ConfigError, match="scoring.threshold"):
        build_tagger({**config, "scoring": {"context_weight": 0.5, "weak_weight": 0.5}})
    with pytest.raises(ConfigError, match="reserved"):
        build_tagger({**config, "topic": [{"id": UNASSIGNED, "label": "x"}]})
    broken = [{"id": "t", "label": "T", "token_patterns": [{"id": "p", "pattern": [{"NOPE": 1}]}]}]
    with pytest.raises(ConfigError, match="pattern 'p'"):
        build_tagger({**config, "topic": broken})


def test_a_user_topic_is_picked_up():
    config = load_stage_config(None, "topics")
    extra = {"id": "energy", "label": "Energy", "phrases": ["gas pipeline"], "weak": ["oil"]}
    tagger = build_tagger({**config, "topic": config["topic"] + [extra]})
    assert "energy" in tagger.labels


# --- matching predicted quotes to gold -----------------------------------------------------------

def test_match_quotes_overlap_and_one_to_one():
    gold = [{"id": "g1", "doc_id": "d", "start": 0, "end": 100},
            {"id": "g2", "doc_id": "d", "start": 200, "end": 300},
            {"id": "g3", "doc_id": "e", "start": 0, "end": 100}]
    predicted = [{"quote_id": "p1", "doc_id": "d", "content_start": 10, "content_end": 90},
                 {"quote_id": "p2", "doc_id": "d", "content_start": 50, "content_end": 100},   # second on g1
                 {"quote_id": "p3", "doc_id": "d", "content_start": 280, "content_end": 400},  # 20%: too little
                 {"quote_id": "p4", "doc_id": "d", "content_start": 0, "content_end": 100}]    # other doc than g3
    assert match_quotes(predicted, gold) == {"g1": "p4"}


def test_micro_f1_counts_required_records_only():
    gold = [{"id": "a", "doc_id": "d", "topics": ["x", "y"], "required": True, "content": ""},
            {"id": "b", "doc_id": "d", "topics": ["x"], "required": True, "content": ""},
            {"id": "c", "doc_id": "d", "topics": ["z"], "required": False, "content": ""}]
    result = micro_f1(gold, {"pa": {"x", "w"}, "pc": {"q"}}, {"a": "pa", "c": "pc"})
    assert result["metrics"]["tp"] == 1 and result["metrics"]["fp"] == 1 and result["metrics"]["fn"] == 2
    assert [m["id"] for m in result["misses"]] == ["a", "b"]


# --- gold -----------------------------------------------------------------------------------------

def test_seed_gold_topics(seed_outputs):
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: the gold quotes live there")
    from pipeline.eval_topics import score_topics

    result = score_topics(seed_outputs, SHARED / "gold" / "seed_quotes.jsonl")
    assert result["metrics"]["gold_quotes_micro_f1"] >= 0.85, result["gold_quotes_misses"]
