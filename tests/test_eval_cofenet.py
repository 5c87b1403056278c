"""CofeNet's role-wise metric (pipeline/evaluation/eval_cofenet.py) on hand-made instances."""

import json

import pyarrow as pa
import pytest

from pipeline.evaluation import eval_cofenet as ec


@pytest.mark.parametrize("labels, expected", [
    (["O", "O"], {"source": [], "cue": [], "content": []}),
    (["B-source", "I-source", "B-cue", "B-content", "I-content", "O"],
     {"source": [(0, 2)], "cue": [(2, 3)], "content": [(3, 5)]}),
    # two adjacent spans of one role; a span running to the end
    (["B-content", "B-content", "I-content"], {"source": [], "cue": [], "content": [(0, 1), (1, 3)]}),
    # an I- with no B- opens a span (conlleval); an I- of another role closes the previous one
    (["I-cue", "I-cue", "I-source", "O"], {"source": [(2, 3)], "cue": [(0, 2)], "content": []}),
])
def test_bio_spans(labels, expected):
    assert ec.bio_spans(labels) == expected


@pytest.mark.parametrize("text, tokens, expected", [
    ("He said: “No.”", ["He", "said", ":", "``", "No", ".", "''"],
     [(0, 2), (3, 7), (7, 8), (9, 10), (10, 12), (12, 13), (13, 14)]),
    # CoreNLP's ASCII forms of curly apostrophes and dashes; a non-breaking space
    ("Clinton’s aide\u00a0— quiet", ["Clinton", "'s", "aide", "--", "quiet"],
     [(0, 7), (7, 9), (10, 14), (15, 16), (17, 22)]),
    # a character CoreNLP dropped is skipped; a token absent from the text is None, the cursor stays
    ("a • b", ["a", "b", "zzz"], [(0, 1), (4, 5), None]),
    ("", ["x"], [None]),
    # CoreNLP's bracket names; the sentence-final "." it adds after an abbreviation is not looked
    # for further on (where it would pull the next tokens out of place)
    ("[I] said Del. Stacey Ross.", ["-LSB-", "I", "-RSB-", "said", "Del.", ".", "Stacey", "Ross", "."],
     [(0, 1), (1, 2), (2, 3), (4, 8), (9, 13), None, (14, 20), (21, 25), (25, 26)]),
])
def test_align_tokens(text, tokens, expected):
    assert ec.align_tokens(text, tokens)[0] == expected


@pytest.mark.parametrize("start, end, expected", [
    (3, 7, (1, 2)),        # exactly "said"
    (4, 11, (1, 5)),       # partial tokens count whole
    (7, 9, (2, 3)),        # ":" and a space
    (20, 30, None),        # past the instance
    (8, 9, None),          # only whitespace
])
def test_char_span_to_tokens(start, end, expected):
    offsets = [(0, 2), (3, 7), (7, 8), (9, 10), (10, 12), None]
    assert ec.char_span_to_tokens(start, end, offsets) == expected


@pytest.mark.parametrize("gold, predicted, expected", [
    ([(0, 4)], [(0, 4)], [1.0]),
    ([(0, 4)], [(1, 3)], [0.5]),                  # 2 shared / hull 4
    ([(0, 4)], [(2, 6)], [2 / 6]),
    ([(0, 4)], [], [0.0]),                        # a miss
    ([], [(0, 2)], [0.0]),                        # a predicted span overlapping no gold adds a 0
    ([(0, 4)], [(0, 4), (6, 8)], [1.0, 0.0]),
    ([(0, 4)], [(0, 2), (2, 4)], [0.5]),          # the best of two; the other overlaps gold: no entry
    ([(0, 2), (5, 9)], [(0, 2)], [1.0, 0.0]),
])
def test_jaccard_entries(gold, predicted, expected):
    assert ec.jaccard_entries(gold, predicted) == pytest.approx(expected)


def test_role_scores_exact_begin_jaccard():
    pairs = [([(0, 2)], [(0, 2)]),               # exact hit
             ([(3, 6)], [(3, 5)]),               # same begin, wrong end
             ([(1, 4)], []),                     # miss
             ([], [(7, 9)])]                     # false alarm
    scores = ec.role_scores(pairs)
    assert (scores["gold"], scores["predicted"]) == (3, 3)
    assert scores["exact_f1"] == pytest.approx(100 / 3, abs=0.01)
    assert scores["begin_f1"] == pytest.approx(200 / 3, abs=0.01)
    assert scores["jaccard"] == pytest.approx(100 * (1 + 2 / 3 + 0 + 0) / 4, abs=0.01)
    assert ec.role_scores([]) ["jaccard"] == 0.0


def test_score_instances_maps_our_offsets_onto_their_tokens():
    text = "Title .\n\nJane Doe said “We won.” Then rain."
    instances = [
        {"id": "d1_ab12", "tokens": ["Title", "."], "labels": ["O", "O"]},
        {"id": "d1_ab12", "tokens": ["Jane", "Doe", "said", "``", "We", "won", ".", "''"],
         "labels": ["B-source", "I-source", "B-cue", "B-content", "I-content", "I-content", "I-content",
                    "I-content"]},
        {"id": "d1_ab12", "tokens": ["Then", "rain", "."], "labels": ["O", "O", "O"]},
    ]
    start = text.index("Jane")
    row = {"speaker_start": start + 5, "speaker_end": start + 8,          # "Doe" only
           "cue_start": start + 9, "cue_end": start + 13,                  # "said"
           "content_start": start + 15, "content_end": start + 22}         # inside the marks
    scored = ec.score_instances(instances, {"d1": text}, {"d1": [row]})
    roles = scored["roles"]
    assert roles["cue"]["exact_f1"] == 100.0 and roles["cue"]["jaccard"] == 100.0
    assert roles["source"]["exact_f1"] == 0.0 and roles["source"]["begin_f1"] == 0.0
    assert roles["source"]["jaccard"] == 50.0
    assert roles["content"]["exact_f1"] == 0.0 and roles["content"]["jaccard"] == 60.0    # 3 of 5 tokens
    assert scored["alignment"] == {"instances": 3, "tokens": 13, "tokens_aligned": 13}
    # instances out of text order are still placed (aligned again from the start of the text)
    swapped = ec.score_instances([instances[2], instances[1], instances[0]], {"d1": text}, {"d1": [row]})
    assert swapped["roles"] == roles and swapped["alignment"]["tokens_aligned"] == 13
    # the same rows without the article's text place nothing: every gold span is a miss
    blind = ec.score_instances(instances, {}, {"d1": [row]})
    assert blind["roles"]["cue"]["exact_r"] == 0.0 and blind["alignment"]["tokens_aligned"] == 0


def test_score_polnear_cofenet_reads_tables_and_skips_other_splits(tmp_path, monkeypatch):
    text = "Bob said it."
    polnear = tmp_path / "dev.jsonl"
    polnear.write_text(json.dumps({"doc_id": "d1", "text": text, "attributions": []}) + "\n")
    cofenet = tmp_path / "cofenet_dev.jsonl"
    cofenet.write_text(json.dumps({"id": "d1_00ff", "tokens": ["Bob", "said", "it", "."],
                                   "labels": ["B-source", "B-cue", "B-content", "O"]}) + "\n"
                       + json.dumps({"id": "other_00ff", "tokens": ["x"], "labels": ["B-cue"]}) + "\n")
    out = tmp_path / "out"
    tables = {"documents": pa.table({"doc_id": ["d1"], "text": [text]}),
              "quotes": pa.table({"doc_id": ["d1"], "speaker_start": [0], "speaker_end": [3], "cue_start": [4],
                                  "cue_end": [8], "content_start": [9], "content_end": [11]})}
    # the tables' own schemas are checked by pipeline.core.io (tests/test_io.py); here only the columns read
    monkeypatch.setattr(ec, "read_table", lambda spec, out_dir, columns=None: tables[spec.name].select(
        [c for c in columns if c in tables[spec.name].column_names]))
    result = ec.score_polnear_cofenet(out, polnear, cofenet)
    ours = result["metrics"]["ours (PolNeAR dev, CofeNet tokens, %)"]
    assert {role: ours[role]["exact_f1"] for role in ec.ROLES} == {"source": 100.0, "cue": 100.0, "content": 100.0}
    assert result["metrics"]["alignment"]["instances"] == 1          # the other article's instance left out
    other = tmp_path / "train.jsonl"
    other.write_text(json.dumps({"doc_id": "t9", "text": "x", "attributions": []}) + "\n")
    assert "dev only" in ec.score_polnear_cofenet(out, other, cofenet)["skipped"]
    assert "not found" in ec.score_polnear_cofenet(out, polnear, tmp_path / "absent.jsonl")["skipped"]
