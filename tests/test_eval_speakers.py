"""The canonical-speaker scorer (pipeline/evaluation/eval_speakers.py): name rules, matching, counts."""

from __future__ import annotations

import json

import pytest

from pipeline.evaluation import eval_speakers as es
from pipeline.core.io import write_table
from pipeline.core.schemas import QUOTES


@pytest.mark.parametrize("predicted, gold, right", [
    ("Donald Trump", "Donald Trump", True),
    ("donald trump", "Donald Trump", True),                 # case ignored
    ("Donald J. Trump", "Donald Trump", True),              # middle initial ignored
    ("Sen. Bernie Sanders", "Bernie Sanders", True),        # leading title ignored
    ("President Barack Obama", "Barack Obama", True),
    ("Trump’s", "Trump", True),                             # possessive, typographic apostrophe
    ("Trump", "Donald Trump", False),                       # surname only: lenient figure only
    ("Michelle Obama", "Barack Obama", False),
    ("Donald Trump Jr.", "Donald Trump", False),            # a suffix is another person
    ("J. Smith", "John Smith", False),                      # a first initial is not a middle one
    (None, "Donald Trump", False),
    ("", "Donald Trump", False),
])
def test_person_right(predicted, gold, right):
    assert es.person_right(predicted, gold) is right


@pytest.mark.parametrize("predicted, gold, right", [
    ("Trump", "Donald Trump", True),
    ("Mr. Trump", "Donald Trump", True),
    ("TRUMP", "Donald Trump", True),
    ("Michelle Obama", "Barack Obama", True),               # lenient: same surname
    ("Trump campaign", "Donald Trump", False),
    ("Pence", "Donald Trump", False),
    (None, "Donald Trump", False),
])
def test_person_surname_right(predicted, gold, right):
    assert es.person_surname_right(predicted, gold) is right


@pytest.mark.parametrize("predicted, gold, right", [
    ("FBI", "FBI", True),
    ("the FBI", "FBI", True),
    ("F.B.I.", "FBI", True),                                # dots of an abbreviation ignored
    ("Trump campaign officials", "Trump campaign", True),   # one contains the other
    ("New York Times", "The New York Times Company", True),
    ("Times", "New York Times", True),
    ("Clinton", "Clinton campaign", True),
    ("Hillary Clinton", "Clinton campaign", False),         # word for word, in order
    ("Timesheet", "New York Times", False),                 # whole words, not characters
    ("CIA", "FBI", False),
    (None, "FBI", False),
    ("the", "FBI", False),
])
def test_org_right(predicted, gold, right):
    assert es.org_right(predicted, gold) is right


def _record(doc_id, spans):
    """A PolNeAR record with one attribution per content span."""
    return {"doc_id": doc_id, "text": "x" * 200, "attributions": [
        {"content": [list(span)], "content_text": "x", "source": [[0, 1]], "source_text": "s", "cue_text": "said"}
        for span in spans]}


def _pred(start, end, speaker, entity_id=None):
    return {"content_start": start, "content_end": end, "speaker": speaker, "speaker_entity_id": entity_id,
            "speaker_text": speaker, "resolution": "explicit", "content": "x"}


def test_score_speakers_matches_like_quotes_and_counts_per_kind():
    records = [_record("d1", [(0, 50), (60, 100), (110, 150), (160, 200)])]
    gold = [{"doc_id": "d1", "i": 0, "source_text": "Trump", "canonical": "Donald Trump", "kind": "person"},
            {"doc_id": "d1", "i": 1, "source_text": "he", "canonical": "Donald Trump", "kind": "person"},
            {"doc_id": "d1", "i": 2, "source_text": "the F.B.I.", "canonical": "FBI", "kind": "organization"},
            {"doc_id": "d1", "i": 3, "source_text": "aides", "canonical": "aides", "kind": "group"}]
    preds = {"d1": [_pred(0, 50, "Donald Trump"),
                    _pred(60, 70, "Donald Trump"),     # covers 25% of the gold content: no match
                    _pred(110, 150, "the F.B.I."),
                    _pred(160, 200, "Trump")]}         # a group answered by a person: wrong
    result = es.score_speakers(records, gold, preds)
    m = result["metrics"]
    assert m["person"] == {"gold": 2, "found": 1, "right": 1, "accuracy": 1.0, "right_of_gold": 0.5,
                           "surname_right": 1, "surname_accuracy": 1.0}
    assert (m["organization"]["found"], m["organization"]["right"]) == (1, 1)
    assert (m["group"]["found"], m["group"]["right"]) == (1, 0)
    assert result["other_kind_misses"][0]["predicted"] == "Trump"
    # "Trump" in a document whose gold names Donald Trump: a surname-only speaker
    assert m["surname_only_with_full_name"] == 1
    assert result["surname_only"][0]["full_names"] == ["Donald Trump"]


def test_one_to_one_matching_and_wrong_person():
    records = [_record("d1", [(0, 100)])]
    gold = [{"doc_id": "d1", "i": 0, "source_text": "Obama", "canonical": "Barack Obama", "kind": "person"}]
    preds = {"d1": [_pred(0, 40, "Michelle Obama"), _pred(0, 90, "Michelle Obama")]}
    result = es.score_speakers(records, gold, preds)
    assert result["metrics"]["person"]["found"] == 1          # two predictions, one gold: one pair
    assert result["metrics"]["person"]["right"] == 0
    assert result["metrics"]["person"]["surname_right"] == 1
    assert result["person_misses"][0]["gold"] == "Barack Obama"


@pytest.mark.parametrize("speaker, names, counted", [
    ("Trump", {"Donald Trump"}, True),
    ("TRUMP", {"Donald J. Trump"}, True),
    ("Mr. Trump", {"Donald Trump"}, True),                  # a title is not a first name
    ("Donald Trump", {"Donald Trump"}, False),              # full name: fine
    ("Trump", {"Ivanka Trump", "Donald Trump"}, True),
    ("Trump", {"Mike Pence"}, False),                       # the document never names a Trump in full
    ("Trump", set(), False),
    ("Trump campaign", {"Donald Trump"}, False),
    (None, {"Donald Trump"}, False),
])
def test_surname_only_quotes(speaker, names, counted):
    found = es.surname_only_quotes({"d1": [_pred(0, 10, speaker)]}, {"d1": names})
    assert bool(found) is counted


def test_cli_on_an_output_folder(tmp_path, capsys):
    shared = tmp_path / "shared"
    (shared / "polnear").mkdir(parents=True)
    (shared / "gold").mkdir()
    (shared / "polnear" / "dev.jsonl").write_text(json.dumps(_record("d1", [(0, 50)])) + "\n")
    (shared / "gold" / es.GOLD_FILE).write_text(json.dumps(
        {"doc_id": "d1", "i": 0, "source_text": "Trump", "canonical": "Donald Trump", "kind": "person"}) + "\n")
    out = tmp_path / "out"
    row = {"quote_id": "d1:0-50", "doc_id": "d1", "type": "direct", "content": "x", "content_start": 0,
           "content_end": 50, "content_plain": "x", "content_spans": [{"start": 0, "end": 50}], "cue": "say", "cue_start": 60, "cue_end": 64, "speaker_text": "Trump",
           "speaker_start": 55, "speaker_end": 60, "speaker": "Trump", "speaker_entity_id": "ORG:trump",
           "speaker_title": None, "speaker_gender": None, "gender_evidence": None,
           "resolution": "explicit", "kind": "speech", "rule_id": "test", "rule_trace": "test"}
    write_table(QUOTES, [row], out)
    assert es.main(["--output", str(out), "--shared", str(shared)]) == 0
    printed = capsys.readouterr().out
    assert "person" in printed and "surname-only person speakers whose document names them in full: 1" in printed
    # another split: the dev speaker gold does not cover it
    (shared / "polnear" / "train.jsonl").write_text(json.dumps(_record("t1", [(0, 50)])) + "\n")
    assert es.main(["--output", str(out), "--shared", str(shared), "--split", "train"]) == 2
    assert "skipped" in capsys.readouterr().out
