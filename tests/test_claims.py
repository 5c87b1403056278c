"""Tests for the `claims` stage and `python -m pipeline show` (no model needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.steps import claims as claims_stage
from pipeline.tools import show
from pipeline.core.errors import PipelineError
from pipeline.core.io import read_table, write_table
from pipeline.core.schemas import CLAIMS, DOCUMENTS, MENTIONS, QUOTE_TOPICS, QUOTES

DOC = "d1"
TEXT = ("Russian President Vladimir Putin said “we always treated them as our people.” "
        "He added that ties were close. An official said the talks failed.")


def quote(qid_start: int, content: str, **kw) -> dict:
    start = TEXT.index(content)
    row = {"quote_id": f"{DOC}:{start}-{start + len(content)}", "doc_id": DOC, "type": "direct",
           "content": content, "content_start": start, "content_end": start + len(content), "cue": "say",
           "content_plain": content, "content_spans": [{"start": start, "end": start + len(content)}],
           "cue_start": None, "cue_end": None, "speaker_text": None, "speaker_start": None,
           "speaker_end": None, "speaker": None, "speaker_entity_id": None, "speaker_title": None,
           "speaker_gender": None, "gender_evidence": None, "resolution": "none", "kind": "speech",
           "rule_id": "test", "rule_trace": "test"}
    row.update(kw)
    return row


def fixtures():
    putin_start = TEXT.index("Vladimir Putin")
    quotes = [
        quote(0, "we always treated them as our people.", speaker_text="Vladimir Putin",
              speaker_start=putin_start, speaker_end=putin_start + 14, speaker="Vladimir Putin",
              speaker_entity_id="PERSON:vladimir-putin", resolution="explicit"),
        quote(0, "ties were close", type="indirect", speaker_text="He", speaker_start=TEXT.index("He"),
              speaker_end=TEXT.index("He") + 2, speaker="Vladimir Putin",
              speaker_entity_id="PERSON:vladimir-putin", resolution="pronoun"),
        quote(0, "the talks failed", type="indirect", speaker_text="An official", speaker="an official"),
    ]
    def row(q, topic, label, score, evidence, rank=1, taxonomy="seed", phrase=None):
        return {"quote_id": quotes[q]["quote_id"], "doc_id": DOC, "taxonomy": taxonomy, "topic": topic,
                "label": label, "rank": rank, "score": score, "evidence": evidence, "issue_phrase": phrase}

    topics = [
        row(0, "diaspora", "Diaspora", 1.5, ["our people"], phrase="our people"),
        row(0, "bilateral_relations", "Ties", 1.0, ["x"], rank=2, phrase="our people"),
        row(1, "bilateral_relations", "Ties", 1.0, ["ties"]),
        row(2, "unassigned", "unassigned", 0.0, []),
    ]
    mentions = [{"mention_id": f"{DOC}:{putin_start}-{putin_start + 14}", "doc_id": DOC, "start": putin_start,
                 "end": putin_start + 14, "token_start": 2, "token_end": 4, "text": "Vladimir Putin",
                 "label": "PERSON", "title": "Russian President", "title_start": 0, "title_end": putin_start - 1,
                 "entity_id": "PERSON:vladimir-putin", "rule_id": "model", "link_rule": "model"}]
    documents = [{"doc_id": DOC, "path": "d1.txt", "source": "example.com", "url": None, "date": "2021-10-22",
                  "encoding": "utf-8", "text": TEXT, "date_raw": None, "author": None, "page_title": None,
                  "extracted": None}]
    return quotes, topics, mentions, documents


def test_build_claims_joins_everything():
    quotes, topics, mentions, documents = fixtures()
    rows = claims_stage.build_claims(quotes, topics, documents, mentions)
    assert [r["quote_id"] for r in rows] == [q["quote_id"] for q in quotes]     # ordered by offsets
    first, second, third = rows
    assert first["topics"] == ["diaspora", "bilateral_relations"]                # by score
    assert first["speaker_title"] == "Russian President"                         # the speaker's own mention
    assert second["speaker_title"] == "Russian President"                        # "He": the entity's title here
    assert second["resolution"] == "pronoun" and second["speaker_text"] == "He"
    assert first["issue_phrase"] == "our people" and second["issue_phrase"] is None
    assert third["topics"] == ["unassigned"] and third["speaker_title"] is None
    assert third["speaker"] == "an official" and third["speaker_entity_id"] is None
    assert {r["date"] for r in rows} == {"2021-10-22"} and {r["source"] for r in rows} == {"example.com"}
    for r in rows:
        assert TEXT[r["content_start"]:r["content_end"]] == r["content"]


@pytest.mark.parametrize("quote_title, expected", [("hotel's general manager", "hotel's general manager"),
                                                    (None, "Russian President")])
def test_description_title_and_gender_come_from_the_quote(quote_title, expected):
    # a description the speaker was reduced from is the title; without one, the mention's title
    quotes, topics, mentions, documents = fixtures()
    quotes[0].update(speaker_title=quote_title, speaker_gender="male", gender_evidence="first_name:Vladimir")
    first = claims_stage.build_claims(quotes, topics, documents, mentions)[0]
    assert first["speaker_title"] == expected
    assert (first["speaker_gender"], first["gender_evidence"]) == ("male", "first_name:Vladimir")


TAXONOMY_ORDER = [
    # (taxonomies in configs/topics.toml order, rows as (taxonomy, topic, score), claims.topics)
    (["cap", "seed"], [("seed", "diaspora", 3.0), ("cap", "cap:19", 1.0), ("cap", "cap:16", 2.0)],
     ["cap:16", "cap:19", "diaspora"]),                         # CAP first, each by score
    (["seed", "cap"], [("seed", "diaspora", 3.0), ("cap", "cap:19", 1.0)], ["diaspora", "cap:19"]),
    (["cap", "seed"], [("cap", "unassigned", 0.0), ("seed", "diaspora", 1.0)], ["diaspora"]),
    (["cap", "seed"], [("cap", "unassigned", 0.0), ("seed", "unassigned", 0.0)], ["unassigned"]),
    (["cap"], [("other", "x", 9.0), ("cap", "cap:3", 1.0)], ["cap:3", "x"]),   # unlisted: last
]


@pytest.mark.parametrize("order,rows,expected", TAXONOMY_ORDER)
def test_topics_are_ordered_by_taxonomy_then_score(order, rows, expected):
    quotes, _, _, documents = fixtures()
    q = quotes[0]["quote_id"]
    topic_rows = [{"quote_id": q, "taxonomy": tax, "topic": topic, "score": score, "rank": 1}
                  for tax, topic, score in rows]
    claims = claims_stage.build_claims(quotes[:1], topic_rows, documents, taxonomies=order)
    assert claims[0]["topics"] == expected


@pytest.mark.parametrize("he_title, honorifics, expected", [
    ("Mr.", frozenset({"mr", "ms"}), "Russian President"),   # an honorific alone: the title given elsewhere
    ("Mr", frozenset({"mr", "ms"}), "Russian President"),
    ("Dr.", frozenset({"mr", "ms"}), "Dr."),                 # negative: a title, kept
    ("Mr.", frozenset(), "Mr."),                             # negative: no honorific configured
])
def test_an_honorific_alone_is_no_title(he_title, honorifics, expected):
    quotes, topics, mentions, documents = fixtures()
    he = TEXT.index("He")
    mentions.append({**mentions[0], "mention_id": f"{DOC}:{he}-{he + 2}", "start": he, "end": he + 2,
                     "text": "He", "title": he_title, "title_start": he, "title_end": he})
    rows = claims_stage.build_claims(quotes, topics, documents, mentions, honorifics=honorifics)
    assert rows[1]["speaker_title"] == expected


def test_honorifics_are_read_from_the_entities_config(tmp_path):
    (tmp_path / "entities.toml").write_text('[linking]\nmale_honorifics = ["Mr."]\nfemale_honorifics = ["ms"]\n')
    assert claims_stage.configured_honorifics(tmp_path) == {"mr", "ms"}
    assert claims_stage.configured_honorifics(tmp_path / "none") == frozenset()
    (tmp_path / "entities.toml").write_text('[linking]\nmale_honorifics = [1]\n')
    with pytest.raises(claims_stage.ConfigError, match="entities.toml"):
        claims_stage.configured_honorifics(tmp_path)


def test_a_title_one_quote_found_holds_for_the_speakers_other_quotes():
    quotes, topics, _, documents = fixtures()
    quotes[0].update(speaker_title="the Kremlin's leader")      # a description the speaker was reduced from
    rows = claims_stage.build_claims(quotes, topics, documents, mentions=[])
    assert rows[1]["speaker_title"] == "the Kremlin's leader"    # "He": the same entity in the same article
    assert rows[2]["speaker_title"] is None                      # negative: another speaker


def test_titles_do_not_travel_between_documents():
    quotes, topics, mentions, documents = fixtures()
    other = dict(quotes[1], doc_id="d2", quote_id="d2:0-5", speaker_start=None, speaker_end=None)
    rows = claims_stage.build_claims([other], [{**topics[2], "quote_id": "d2:0-5"}], documents, mentions)
    assert rows[0]["speaker_title"] is None and rows[0]["date"] is None


def write_outputs(out: Path, with_topics: bool = True) -> None:
    quotes, topics, mentions, documents = fixtures()
    write_table(DOCUMENTS, documents, out)
    write_table(QUOTES, quotes, out)
    write_table(MENTIONS, mentions, out)
    if with_topics:
        write_table(QUOTE_TOPICS, topics, out)


def test_run_writes_claims_and_show_prints_them(tmp_path, capsys):
    write_outputs(tmp_path)
    record = claims_stage.run(tmp_path)
    assert record["rows"]["claims"] == 3
    table = read_table(CLAIMS, tmp_path)
    assert table.num_rows == 3
    assert show.main(["--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Vladimir Putin (Russian President): 2 claims in 1 document" in out
    assert "bilateral_relations — Ties: 2 claims" in out
    assert "unassigned: 1 claim" in out
    assert "we always treated them as our people." in out


def test_run_refuses_stale_or_missing_topics(tmp_path):
    write_outputs(tmp_path, with_topics=False)
    with pytest.raises(PipelineError, match="run the 'topics' stage first"):
        claims_stage.run(tmp_path)
    quotes, topics, _, _ = fixtures()
    write_table(QUOTE_TOPICS, topics[:1], tmp_path)           # topics of an older quotes run
    with pytest.raises(PipelineError, match="older than quotes"):
        claims_stage.run(tmp_path)


@pytest.mark.parametrize("claim, sample", [
    # one attribution in pieces: the sample shows every piece without its marks
    ({"content": "“We won,” … “They lost.”", "content_plain": "We won, … They lost."}, "“We won, … They lost.”"),
    ({"content": "“We won.”", "content_plain": "We won."}, "“We won.”"),
    # negatives: a table without content_plain (an older run) falls back to the content's own marks
    ({"content": "“We won.”"}, "“We won.”"),
    ({"content": "that we won"}, "“that we won”"),
])
def test_show_samples_the_plain_content(claim, sample):
    row = {"quote_id": "a", "doc_id": "d", "speaker": "Jane Roe", "speaker_title": None, "type": "direct",
           "topics": ["cap:20"], "source": None, "date": None, **claim}
    assert f"e.g. {sample}" in show.summarise([row])


def test_build_claims_keeps_the_pieces():
    quotes, topics, mentions, documents = fixtures()
    spans = [{"start": quotes[0]["content_start"], "end": quotes[0]["content_end"]}]
    quotes[0].update(content_spans=spans, content_plain="plain")
    first, second, _ = claims_stage.build_claims(quotes, topics, documents, mentions)
    assert first["content_spans"] == spans and first["content_plain"] == "plain"
    # a quote row of an older run (no pieces): its hull is its one piece
    assert second["content_spans"] == [{"start": second["content_start"], "end": second["content_end"]}]
    assert second["content_plain"] == second["content"]


def test_show_without_claims_is_an_error(tmp_path, capsys):
    assert show.main(["--output", str(tmp_path)]) == 2
    assert "claims.parquet: missing" in capsys.readouterr().err


def test_summarise_empty_and_unattributed():
    assert show.summarise([]).startswith("0 claims from 0 documents")
    text = show.summarise([{"quote_id": "a", "doc_id": "d", "speaker": None, "speaker_title": None,
                            "type": "indirect", "content": "something", "topics": ["unassigned"],
                            "source": None, "date": None}])
    assert "(no speaker found): 1 claim" in text and "unassigned: 1 claim" in text


def _claim(quote_id, doc_id, speaker):
    return {"quote_id": quote_id, "doc_id": doc_id, "speaker": speaker, "speaker_title": None, "type": "direct",
            "content": "We will win.", "topics": ["cap:20"], "source": None, "date": None}


@pytest.mark.parametrize("copies, header, roe", [
    ({}, "3 claims from 3 documents", "Jane Roe: 2 claims in 2 documents"),           # no copies known
    ({"syndicated": "original"}, "2 claims from 2 documents", "Jane Roe: 1 claim in 1 document"),
    ({"other": None}, "3 claims from 3 documents", "Jane Roe: 2 claims in 2 documents"),   # not a copy
])
def test_show_counts_each_story_once(copies, header, roe):
    claims = [_claim("a", "original", "Jane Roe"), _claim("b", "syndicated", "Jane Roe"),
              _claim("c", "other", "John Doe")]
    text = show.summarise(claims, copies=copies)
    assert text.startswith(header) and roe in text
    assert ("near-duplicate" in text) == bool([d for d in copies.values() if d])


@pytest.mark.parametrize("all_kinds, header, note", [
    (False, "2 claims from 2 documents", "speech only: 2 claims of other kinds left out (1 evidence, 1 thought)"),
    (True, "4 claims from 3 documents", None),
])
def test_show_counts_speech_unless_asked_for_all_kinds(all_kinds, header, note):
    claims = [_claim("a", "d1", "Jane Roe"), {**_claim("b", "d2", "John Doe"), "kind": "speech"},
              {**_claim("c", "d1", "Jane Roe"), "kind": "thought"},
              {**_claim("e", "d3", "A poll"), "kind": "evidence"}]   # a claim without kind is speech
    text = show.summarise(claims, all_kinds=all_kinds)
    assert text.startswith(header)
    assert (note in text) if note else "speech only" not in text
    assert ("A poll" in text) == all_kinds


def test_claims_carry_the_kind_of_their_quote():
    from pipeline.steps.claims import build_claims

    quotes = [{"quote_id": "d:0-5", "doc_id": "d", "type": "indirect", "kind": "thought", "content": "x",
               "content_start": 0, "content_end": 5},
              {"quote_id": "d:9-12", "doc_id": "d", "type": "direct", "content": "y",
               "content_start": 9, "content_end": 12}]                                  # no kind: speech
    rows = build_claims(quotes, [], [{"doc_id": "d"}])
    assert [r["kind"] for r in rows] == ["thought", "speech"]
