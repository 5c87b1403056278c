"""`python -m pipeline eval`: finding scorers, reading their dicts, the table, JSON, --min-f1, PolNeAR runs.

Most tests use fake scorers and tiny hand-made gold (no model); one scores real seed outputs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation import evaluate
from pipeline.core.io import write_table
from pipeline.core.schemas import DOCUMENTS, LINES


# --- reading the scorers' dicts -------------------------------------------------------------

F1_SHAPES = [
    ({"overlap_30": {"precision": 0.8, "recall": 0.6, "f1": 0.7}, "overlap_80": {"f1": 0.5}}, 0.7),
    ({"at_80": {"f1": 0.5}, "at_30": {"f1": 0.65}}, 0.65),
    ({"0.3": {"f1": 0.61}, "0.8": {"f1": 0.4}}, 0.61),
    ({"f1@30": 0.72, "f1@80": 0.5}, 0.72),
    ({"f1_30": 0.73, "f1_80": 0.5, "by_type": {"direct": {"f1_30": 0.9}}}, 0.73),
    ({"by_type": {"direct": {"overlap_30": {"f1": 0.9}}}, "overlap_30": {"f1": 0.55}}, 0.55),
    ({"precision": 0.5, "recall": 0.5, "f1": 0.5}, 0.5),
    ({"precision": 0.5}, None),
    # pipeline.evaluation.eval_quotes' shapes: precision and recall per threshold, F1 computed
    ({"@30": {"recall": 1.0, "precision": 0.5, "by_type": {"direct": {"recall": 0.1, "precision": 0.1}}},
      "@80": {"recall": 0.1, "precision": 0.1}}, 2 / 3),
    ({"@30": {"quoted_recall": 0.9, "speech_recall": 0.5, "recall_all": 0.2, "precision": 0.5}}, 0.5),
]


@pytest.mark.parametrize("metrics, expected", F1_SHAPES)
def test_find_f1_reads_the_overall_f1_at_30(metrics, expected):
    assert evaluate.find_f1(metrics, "30") == (pytest.approx(expected) if expected is not None else None)


def test_lines_kept_f1_from_per_label_counts():
    result = {"per_label": {"title": {"gold": 1, "kept": 1}, "body": {"gold": 9, "kept": 8},
                            "boilerplate": {"gold": 10, "kept": 2}}}
    # tp 9, fn 1, fp 2
    assert evaluate.lines_kept_f1(result) == pytest.approx(18 / 21)


ITEMS = [
    ({"doc_id": "d", "line": 4, "gold": "body", "predicted": "meta", "text": "By Jane"},
     "d:4  gold=body  predicted=meta  | By Jane"),
    ({"doc_id": "d", "start": 3, "end": 9, "type": "direct", "speaker": None, "content": "we  will\ntalk"},
     "d:3-9  type=direct  speaker=—  | we will talk"),
    ("d: Spurious Person", "d: Spurious Person"),
    ({"doc_id": "p", "content": [[3, 9]], "text": "what was said", "quoted": True},
     "p  content=[[3, 9]]  quoted=yes  | what was said"),
]


@pytest.mark.parametrize("item, line", ITEMS)
def test_misses_are_one_line_each(item, line):
    assert evaluate.format_item(item) == line


def test_missing_scorer_module_is_not_available_yet():
    with pytest.raises(evaluate.Unavailable, match="not available yet: pipeline/evaluation/eval_nothing.py"):
        evaluate.scorer("eval_nothing", "score")
    with pytest.raises(evaluate.Unavailable, match="has no nothing"):
        evaluate.scorer("eval_lines", "nothing")


# --- the command on hand-made outputs and gold ---------------------------------------------

@pytest.fixture
def setup(tmp_path):
    """A shared folder with line gold for one document, and outputs whose lines miss one."""
    shared = tmp_path / "shared"
    (shared / "gold").mkdir(parents=True)
    text = "Title\nBody line one.\nShare this\n"
    gold = [{"doc_id": "d1", "line": 1, "label": "title", "text": "Title"},
            {"doc_id": "d1", "line": 2, "label": "body", "text": "Body line one."},
            {"doc_id": "d1", "line": 3, "label": "boilerplate", "text": "Share this"}]
    (shared / "gold" / "seed_lines.jsonl").write_text("".join(json.dumps(g) + "\n" for g in gold))
    out = tmp_path / "out"
    write_table(DOCUMENTS, [{"doc_id": "d1", "path": "d1.txt", "source": None, "url": None, "date": None,
                             "encoding": "utf-8", "text": text,
                             "date_raw": None, "author": None, "page_title": None, "extracted": None}], out)
    rows, pos = [], 0
    for no, (line, label, kept) in enumerate([("Title", "title", True), ("Body line one.", "body", True),
                                              ("Share this", "body", True)], start=1):
        rows.append({"doc_id": "d1", "line_no": no, "start": pos, "end": pos + len(line), "text": line,
                     "label": label, "kept": kept, "rule_id": f"r.{label}"})
        pos += len(line) + 1
    write_table(LINES, rows, out)
    return shared, out


def fake_scorers(monkeypatch, **functions):
    real = evaluate.scorer

    def scorer(module, function):
        if function in functions:
            return functions[function]
        return real(module, function)
    monkeypatch.setattr(evaluate, "scorer", scorer)


def quotes_result(f1):
    return {"metrics": {"overlap_30": {"precision": f1, "recall": f1, "f1": f1, "speaker_accuracy": 0.5},
                        "overlap_80": {"precision": 0.1, "recall": 0.1, "f1": 0.1, "speaker_accuracy": 0.5},
                        "by_type": {"direct": {"gold": 3, "found": 2}, "indirect": {"gold": 2, "found": 1}}},
            "misses": [{"doc_id": "d1", "start": 0, "end": 5, "type": "direct", "content": "Title"}],
            "false_alarms": [{"doc_id": "d1", "start": 6, "end": 20, "content": "Body line one."}]}


def test_table_json_and_misses(setup, monkeypatch, capsys):
    shared, out = setup
    fake_scorers(monkeypatch, score_seed_quotes=lambda out_dir, gold: quotes_result(0.8))
    (shared / "gold" / "seed_quotes.jsonl").write_text("")
    (out / "quotes.parquet").write_bytes(b"")   # only its presence is checked before the scorer runs
    code = evaluate.main(["--output", str(out), "--shared", str(shared), "--only", "lines,quotes,people"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "HEADLINE lines kept F1  0.8000" in printed            # tp 2, fp 1 (boilerplate kept), fn 0
    assert "misses: 1" in printed and "d1:3  gold=boilerplate  predicted=body" in printed
    assert "overlap_30" in printed and "speaker_accuracy" in printed
    assert "false alarms: 1" in printed and "d1:6-20" in printed
    assert "people (seeds)" in printed and "gold file" in printed  # no seed_people.jsonl here
    saved = json.loads((out / "eval.json").read_text())
    assert saved["headline"] == {"lines kept F1": pytest.approx(0.8), "quotes F1@30": 0.8}
    assert saved["sections"]["quotes"]["result"]["misses"][0]["content"] == "Title"


@pytest.mark.parametrize("quotes_f1, min_f1, code", [(0.8, 0.5, 0), (0.8, 0.85, 1), (0.4, 0.5, 1), (None, 0.1, 1)])
def test_min_f1_gates_on_every_headline(setup, monkeypatch, capsys, quotes_f1, min_f1, code):
    shared, out = setup
    if quotes_f1 is not None:
        fake_scorers(monkeypatch, score_seed_quotes=lambda out_dir, gold: quotes_result(quotes_f1))
        (out / "quotes.parquet").write_bytes(b"")
    else:
        fake_scorers(monkeypatch, score_seed_quotes=lambda *a: (_ for _ in ()).throw(evaluate.Unavailable("not available yet")))
    (shared / "gold" / "seed_quotes.jsonl").write_text("")
    argv = ["--output", str(out), "--shared", str(shared), "--only", "lines,quotes", "--min-f1", str(min_f1),
            "--json", str(out / "e.json")]
    assert evaluate.main(argv) == code
    assert json.loads((out / "e.json").read_text())["passed"] is (code == 0)
    if code:
        assert "below --min-f1" in capsys.readouterr().err


def test_missing_shared_outputs_and_a_crashing_scorer(setup, monkeypatch, capsys, tmp_path):
    shared, out = setup
    assert evaluate.main(["--output", str(out), "--shared", str(tmp_path / "nope")]) == 2
    assert "shared data folder" in capsys.readouterr().err
    assert evaluate.main(["--output", str(tmp_path / "empty"), "--shared", str(shared)]) == 2
    assert "run the pipeline first" in capsys.readouterr().err

    def broken(lines, gold):
        raise KeyError("label")
    fake_scorers(monkeypatch, score_seed_lines=broken)
    assert evaluate.main(["--output", str(out), "--shared", str(shared), "--only", "lines"]) == 2
    assert "KeyError" in capsys.readouterr().err
    assert "Traceback" in json.loads((out / "eval.json").read_text())["sections"]["lines"]["result"]["traceback"]


# --- PolNeAR: the split's texts are run in a temporary folder -------------------------------

def test_polnear_runs_the_pipeline_outside_the_repository(tmp_path, monkeypatch, capsys):
    shared = tmp_path / "shared"
    (shared / "polnear").mkdir(parents=True)
    articles = [{"doc_id": f"doc{i}", "text": f"Text {i} said he.", "publisher": "pub", "date": "2016-01-01",
                 "title": "t", "attributions": []} for i in range(3)]
    (shared / "polnear" / "dev.jsonl").write_text("".join(json.dumps(a) + "\n" for a in articles))
    seen = {}

    def run_all(input_dir, out_dir, config_dir):
        seen["input"] = [json.loads(l) for l in (Path(input_dir) / "polnear.jsonl").read_text().splitlines()]
        seen["out_dir"] = Path(out_dir)
        Path(out_dir).mkdir(parents=True)
        (Path(out_dir) / "quotes.parquet").write_bytes(b"")
        return {}

    def score_polnear(out_dir, gold):
        seen["gold"] = [json.loads(l)["doc_id"] for l in Path(gold).read_text().splitlines()]
        return quotes_result(0.6)

    def score_polnear_speakers(out_dir, gold, speaker_gold):
        seen["speaker_gold"] = Path(speaker_gold).name
        return {"metrics": {"person": {"gold": 2, "found": 1, "right": 1, "accuracy": 1.0}}}

    (shared / "gold").mkdir()
    (shared / "gold" / "polnear_dev_speakers.jsonl").write_text("")
    monkeypatch.setattr("pipeline.cli.run_all", run_all)
    fake_scorers(monkeypatch, score_polnear=score_polnear, score_polnear_speakers=score_polnear_speakers)
    out = tmp_path / "out"
    assert evaluate.main(["--polnear", "dev", "--docs", "2", "--shared", str(shared), "--output", str(out)]) == 0
    assert seen["input"] == [{"id": "doc0", "text": "Text 0 said he.", "source": "pub", "date": "2016-01-01"},
                             {"id": "doc1", "text": "Text 1 said he.", "source": "pub", "date": "2016-01-01"}]
    assert seen["gold"] == ["doc0", "doc1"]
    assert evaluate.REPO not in seen["out_dir"].parents
    assert not seen["out_dir"].exists()                       # the temporary folder is gone
    printed = capsys.readouterr().out
    assert "quotes (PolNeAR)" in printed
    assert "canonical speakers (PolNeAR dev)" in printed and seen["speaker_gold"] == "polnear_dev_speakers.jsonl"
    assert json.loads((out / "eval_polnear_dev.json").read_text())["headline"] == {"quotes F1@30 (speech recall)": 0.6}
    inside = evaluate.REPO / "outputs" / "polnear-run"
    assert evaluate.main(["--polnear", "dev", "--shared", str(shared), "--workdir", str(inside)]) == 2
    assert "inside the repository" in capsys.readouterr().err
    assert not inside.exists()


# --- real outputs ----------------------------------------------------------------------------

def test_real_seed_outputs(seed_outputs, shared_dir, tmp_path, capsys):
    """Whatever scorers exist run on a real run of the seeds; absent ones say so."""
    code = evaluate.main(["--output", str(seed_outputs), "--shared", str(shared_dir),
                          "--json", str(tmp_path / "eval.json"), "--show", "2"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    saved = json.loads((tmp_path / "eval.json").read_text())
    assert saved["sections"]["lines"]["status"] == "ok"
    assert 0 < saved["headline"]["lines kept F1"] <= 1
    for name, section in saved["sections"].items():
        assert section["status"] in ("ok", "unavailable", "missing"), (name, section["message"])
        if section["status"] == "unavailable":
            assert "not available yet" in section["message"]
