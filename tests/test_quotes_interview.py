"""Interviews (pipeline/steps/quotes/interview.py): a Q&A's turns are attributions of the person
each head stands for. Model-free cases on blank-tokenised Docs (no parse is needed to find heads,
turns and the standfirst's people), then one interview, invented for this test, through the whole
pipeline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.steps.quotes.interview import Person, _named, _title_case, interview_turns
from pipeline.steps.quotes.syntax import _DocIndex

STANDFIRST = "Mayor on bridges and budgets.\n\nThis is an interview with Maria Lopez, the mayor of Riverton.\n\n"
QA = ("Q: What comes first for the city this year?\n\n"
      "A: The bridge comes first. We have waited long enough for it.\n\n"
      "And then the schools, which need new roofs.\n\n"
      "Q: Are your rivals right about the budget?\n\n"
      "A: No. The budget will grow this year, as I said in March.\n\n")


def _index(text, config):
    import spacy

    doc = spacy.blank("en")(text)
    return _DocIndex(doc, config)


def _persons(idx, names):
    """Person mentions at every occurrence of each name (as the entities stage would give them)."""
    out = []
    for name, canonical in names:
        at = idx.text.find(name)
        while at >= 0:
            span = idx.doc.char_span(at, at + len(name))
            out.append(Person(span.start, span.end, canonical))
            at = idx.text.find(name, at + 1)
    return sorted(out, key=lambda p: p.start)


def _turns(text, config, names=(), source="Riverton Post"):
    idx = _index(text, config)
    rows = []
    for att in interview_turns(idx, _persons(idx, names), source):
        speaker = idx.doc[att.speaker[0]:att.speaker[1]].text if att.speaker else None
        ref = idx.doc[att.speaker_ref[0]:att.speaker_ref[1]].text if att.speaker_ref else None
        pieces = att.pieces or [att.content]
        named = att.extra.get("named_speaker", (None, None))[0]
        rows.append((att.rule_id, speaker, ref, named, [idx.text[s:e] for s, e in pieces]))
    return rows


QUESTION, ANSWER = "direct.interview_question", "direct.interview_answer"


@pytest.mark.parametrize("text, names, expected", [
    # Q / A heads: answers are the interviewee's the standfirst names, questions the outlet's;
    # an answer runs over the paragraphs up to the next head, one piece each; the head is the
    # speaker as written (PolNeAR's source), the standfirst's name who it stands for
    (STANDFIRST + QA, [("Maria Lopez", "Maria Lopez")], [
        (QUESTION, "Q", None, "Riverton Post", ["What comes first for the city this year?"]),
        (ANSWER, "A", "Maria Lopez", None, ["The bridge comes first. We have waited long enough for it.",
                                            "And then the schools, which need new roofs."]),
        (QUESTION, "Q", None, "Riverton Post", ["Are your rivals right about the budget?"]),
        (ANSWER, "A", "Maria Lopez", None, ["No. The budget will grow this year, as I said in March."])]),
    # the standfirst names the interviewer: questions are theirs ("interviewed by")
    ("Mayor on bridges.\n\nMaria Lopez was interviewed by Tom Reed in her office.\n\n" + QA,
     [("Maria Lopez", "Maria Lopez"), ("Tom Reed", "Tom Reed")],
     [(QUESTION, "Q", "Tom Reed", None, ["What comes first for the city this year?"]),
      (ANSWER, "A", "Maria Lopez", None, ["The bridge comes first. We have waited long enough for it.",
                                          "And then the schools, which need new roofs."]),
      (QUESTION, "Q", "Tom Reed", None, ["Are your rivals right about the budget?"]),
      (ANSWER, "A", "Maria Lopez", None, ["No. The budget will grow this year, as I said in March."])]),
    # initials as heads: each the person of the standfirst with those initials; the one asking
    # questions is the interviewer; a stage note ends a turn
    ("Trade talk.\n\nSenator Tom Baker sat down with reporter Jane Roe on Friday.\n\n"
     "JR: Senator, why did you vote against the trade bill?\n\n"
     "TB: Because it hurts the workers of my state. I told the leadership that.\n\n"
     "JR: Will you change your mind if the bill is amended?\n\n"
     "TB: Only if the amendment protects the steel plants.\n\n(END OF INTERVIEW)\n\n"
     "Follow Jane Roe On Twitter For More\n\n",
     [("Tom Baker", "Tom Baker"), ("Jane Roe", "Jane Roe")],
     [(QUESTION, "JR", "Jane Roe", None, ["Senator, why did you vote against the trade bill?"]),
      (ANSWER, "TB", "Tom Baker", None, ["Because it hurts the workers of my state. I told the leadership that."]),
      (QUESTION, "JR", "Jane Roe", None, ["Will you change your mind if the bill is amended?"]),
      (ANSWER, "TB", "Tom Baker", None, ["Only if the amendment protects the steel plants."])]),
    # upper-case surnames as heads, each the person of the document of that surname, else the
    # longest head of the key as a name (titles off); a tagline of capitalised words ends the last turn
    ("Transcript.\n\nGovernor Mary Fallin spoke on Sunday.\n\n"
     "MR. JAKE TAPPER: Do you think the plan will pass the senate?\n\n"
     "FALLIN: I think it will pass, because the votes are there now.\n\n"
     "TAPPER: And what if it fails in the house this time?\n\n"
     "FALLIN: Then we start again next year with a better plan.\n\nFollow Pam Key On Twitter\n\n",
     [("Mary Fallin", "Mary Fallin")],
     [(QUESTION, "MR. JAKE TAPPER", None, "Jake Tapper", ["Do you think the plan will pass the senate?"]),
      (ANSWER, "FALLIN", "Mary Fallin", None, ["I think it will pass, because the votes are there now."]),
      (QUESTION, "TAPPER", None, "Jake Tapper", ["And what if it fails in the house this time?"]),
      (ANSWER, "FALLIN", "Mary Fallin", None, ["Then we start again next year with a better plan."])]),
    # a transcript excerpt inside a story: the last turn runs no longer than the longest before it,
    # the story after it is no one's turn
    ("Panel.\n\nThe panel discussed the plan on Sunday.\n\n"
     "Matthews: Do you think the plan will pass the senate?\n\n"
     "Lopez: I think it will pass, because the votes are there now.\n\n"
     "Matthews: And what if it fails in the house this time?\n\n"
     "Lopez: Then we start again next year with a better plan.\n\n"
     "The plan would raise taxes on most households, a study found last year.\n\n",
     [("Matthews", "Chris Matthews"), ("Lopez", "Luciana Lopez")],
     [(QUESTION, "Matthews", "Matthews", None, ["Do you think the plan will pass the senate?"]),
      (ANSWER, "Lopez", "Lopez", None, ["I think it will pass, because the votes are there now."]),
      (QUESTION, "Matthews", "Matthews", None, ["And what if it fails in the house this time?"]),
      (ANSWER, "Lopez", "Lopez", None, ["Then we start again next year with a better plan."])]),
    # the head asking is the one most of whose turns end with a question (one of two is not most)
    ("Debate.\n\nA video transcript.\n\n"
     "ROE: Why not debate the senator in New York?\n\n"
     "BAKER: He runs negative ads. Why would we help him with that?\n\n"
     "ROE: You were open to more debates in January. Why not now?\n\n"
     "BAKER: We will talk about debates when the tone changes.\n\n", [],
     [(QUESTION, "ROE", None, "Roe", ["Why not debate the senator in New York?"]),
      (ANSWER, "BAKER", None, "Baker", ["He runs negative ads. Why would we help him with that?"]),
      (QUESTION, "ROE", None, "Roe", ["You were open to more debates in January. Why not now?"]),
      (ANSWER, "BAKER", None, "Baker", ["We will talk about debates when the tone changes."])]),
    # negatives: one stray "Q:" is no interview
    ("Mayor on bridges.\n\nQ: What comes first for the city this year?\n\nThe mayor did not answer.\n\n", [], []),
    # ... nor tallies under names ("Clinton: 1,769."), which say nothing
    ("Delegates.\n\nClinton: 1,769.\n\nSanders: 1,501.\n\nClinton: 547.\n\nSanders: 46.\n\n",
     [("Clinton", "Hillary Clinton"), ("Sanders", "Bernie Sanders")], []),
    # ... nor labels that name nobody ("Photo:", "Source:"), alternating or not
    ("Report.\n\nPhoto: The new bridge over the river at dawn.\n\nSource: The city council of Riverton today.\n\n"
     "Photo: The old bridge over the river at night.\n\nSource: The state archive of old bridges.\n\n", [], []),
    # ... nor one speaker's heads alone (no turns taken)
    ("Transcript.\n\nPENCE: Well, look, this is serious business for all of us.\n\n"
     "PENCE: And we will take it seriously in the weeks to come.\n\n", [], []),
])
def test_interview_turns(config, text, names, expected):
    assert _turns(text, config, names) == expected


def test_answers_without_a_named_interviewee_have_no_speaker_and_questions_without_an_outlet_neither(config):
    rows = _turns("Mayor on bridges.\n\nThe city has a plan.\n\n" + QA, config, [], source=None)
    assert [(r[0], r[1], r[3]) for r in rows] == [(QUESTION, "Q", None), (ANSWER, None, None)] * 2


def test_the_headline_is_no_turn(config):
    # "Fallin: Trump is ..." opening the document is a headline (direct.headline_source's)
    rows = _turns("Fallin: The plan is good for the state and for us.\n\nOn Sunday.\n\n"
                  "TAPPER: Do you think the plan will pass the senate?\n\n"
                  "FALLIN: I think it will pass, because the votes are there now.\n\n"
                  "TAPPER: And what if it fails in the house this time?\n\n"
                  "FALLIN: Then we start again next year with a better plan.\n\n",
                  config, [("Fallin", "Mary Fallin")])
    assert [r[1] for r in rows] == ["TAPPER", "FALLIN", "TAPPER", "FALLIN"]


@pytest.mark.parametrize("edit, expected", [
    (dict(rules_off=frozenset({QUESTION})), [ANSWER, ANSWER]),
    (dict(rules_off=frozenset({ANSWER})), [QUESTION, QUESTION]),
    (dict(interview_min_turns=3), []),          # two turns each: no longer an interview
    (dict(interview_answer_heads=frozenset()), []),   # "A" no head: one label left
])
def test_switches_and_settings_take_effect(config, edit, expected):
    rows = _turns(STANDFIRST + QA, replace(config, **edit), [("Maria Lopez", "Maria Lopez")])
    assert [r[0] for r in rows] == expected


@pytest.mark.parametrize("key, names, expected", [
    ("trump", ["Donald Trump"], "Donald Trump"),
    ("dt", ["Donald Trump"], "Donald Trump"),
    ("dt", ["Donald J. Trump"], "Donald J. Trump"),       # first and last initials
    ("djt", ["Donald J. Trump"], "Donald J. Trump"),
    ("dt", ["Tom Baker", "Dana Torres"], "Dana Torres"),
    ("tb", ["Donald Trump"], None),
    ("t", ["Donald Trump"], None),                        # one letter is no initials
    ("lopez", ["Lopez"], "Lopez"),
])
def test_a_head_names_the_person_by_surname_or_initials(key, names, expected):
    persons = [Person(k, k + 1, n) for k, n in enumerate(names)]
    hit = _named(key, persons)
    assert (hit.name if hit else None) == expected


@pytest.mark.parametrize("line, expected", [
    ("Follow Pam Key On Twitter @pamkeyNEN.", True),
    ("Related Coverage From The Times", True),
    ("And then the schools, which need new roofs.", False),
    ("Yes, Mr. President.", False),          # too short to tell
])
def test_title_case_lines_end_a_turn(line, expected):
    assert _title_case(line) is expected


@pytest.mark.parametrize("key, value, message", [
    ("min_turn", 2, "unknown key 'interview.min_turn'"),
    ("min_turns", 0, "'interview.min_turns' must be a positive integer"),
    ("min_words", "4", "'interview.min_words' must be a non-negative integer"),
    ("answer_heads", "a", "'interview.answer_heads' must be a list of strings"),
])
def test_bad_interview_settings_are_errors_naming_file_and_key(key, value, message):
    import re
    import tomllib

    from pipeline.core.config import DEFAULT_CONFIG_DIR
    from pipeline.core.errors import ConfigError
    from pipeline.steps.quotes import QuoteConfig

    raw = tomllib.loads((DEFAULT_CONFIG_DIR / "quotes.toml").read_text(encoding="utf-8"))
    raw["interview"][key] = value
    with pytest.raises(ConfigError, match=re.escape(message)):
        QuoteConfig.from_dict(raw, "configs/quotes.toml")


def test_the_shipped_interview_settings_are_read(config):
    assert {"q", "a"} <= config.interview_question_heads | config.interview_answer_heads
    assert config.interview_min_turns >= 2 and config.interviewee_cues and config.interviewer_cues


# ---- one invented interview through the whole pipeline ---------------------------------------

INTERVIEW = """Riverton's mayor on bridges, budgets and the river

Maria Lopez has been the mayor of Riverton since 2019. She spoke to the Riverton Post about the new bridge, the budget and the river. The interview has been edited for length.

Q: What comes first for the city this year?

A: The bridge comes first. We have waited long enough for it, and the money is there.

The schools come next. The principals told me, "We need new roofs before the winter," and they are right.

Q: Your rivals say the budget is too small for all of that. Are they right?

A: No. The budget will grow by four percent this year, as I said in March.

Q: What about the river?

A: The river is clean again, and we will keep it that way.
"""


@pytest.mark.slow
def test_an_interview_through_the_pipeline(tmp_path):
    import pandas as pd

    from pipeline.cli import run_all

    folder = tmp_path / "input" / "Riverton Post"
    folder.mkdir(parents=True)
    (folder / "mayor.txt").write_text(INTERVIEW, encoding="utf-8")
    out = tmp_path / "out"
    run_all(tmp_path / "input", out, None)
    text = pd.read_parquet(out / "documents.parquet")["text"].iloc[0]
    lines = pd.read_parquet(out / "lines.parquet")
    # the Q / A lines are the article (the line heads are no boilerplate)
    qa = lines[lines["text"].str.match(r"^[QA]: ")]
    assert len(qa) == 6 and qa["kept"].all(), qa[["text", "label", "rule_id"]]
    quotes = pd.read_parquet(out / "quotes.parquet").sort_values("content_start")
    turns = quotes[quotes["rule_id"].str.startswith("direct.interview")]
    answers = turns[turns["rule_id"] == "direct.interview_answer"]
    questions = turns[turns["rule_id"] == "direct.interview_question"]
    assert len(answers) == 3 and len(questions) == 3
    assert set(answers["speaker"]) == {"Maria Lopez"} and set(answers["kind"]) == {"speech"}
    assert set(questions["speaker"]) == {"Riverton Post"}           # the outlet asks
    # the speaker points at the head (as PolNeAR annotates it); the answers' speaker is still the
    # person the standfirst names
    assert {text[s:e] for s, e in zip(answers["speaker_start"], answers["speaker_end"])} == {"A"}
    assert {text[s:e] for s, e in zip(questions["speaker_start"], questions["speaker_end"])} == {"Q"}
    # every piece points into documents.text: an answer over two paragraphs is two pieces
    first = answers.iloc[0]
    pieces = [text[p["start"]:p["end"]] for p in first["content_spans"]]
    assert pieces == ["The bridge comes first. We have waited long enough for it, and the money is there.",
                      'The schools come next. The principals told me, "We need new roofs before the winter," '
                      "and they are right."]
    for _, row in turns.iterrows():
        assert row["content"] == " … ".join(text[p["start"]:p["end"]] for p in row["content_spans"])
    # one attribution of the answers' text: the quotation inside an answer is no row of its own
    covered = [(p["start"], p["end"]) for spans in turns["content_spans"] for p in spans]
    others = quotes[~quotes["rule_id"].str.startswith("direct.interview")]
    for _, row in others.iterrows():
        for p in row["content_spans"]:
            assert not any(p["start"] < e and s < p["end"] for s, e in covered), row.to_dict()
