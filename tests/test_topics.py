"""Tests for the `topics` stage: the taxonomy on short texts (table-driven, with negatives),
config errors, the gold matching and F1, and the seed gold topics (skipped without ../shared)."""

from __future__ import annotations


import pytest

import shutil
from pathlib import Path

from pipeline.steps import topics as topics_stage
from pipeline.core.config import DEFAULT_CONFIG_DIR, load_toml
from pipeline.steps.docs import ParsedDoc, doc_from_columns, shared_vocab
from pipeline.core.errors import ConfigError
from pipeline.evaluation.eval_topics import match_quotes, micro_f1
from pipeline.steps.topics import UNASSIGNED, build_tagger, load_settings, tag_document

from conftest import SHARED  # noqa: E402


SEED_TAXONOMY = "israel_russia"


@pytest.fixture(scope="module")
def tagger():
    """The seed taxonomy alone, without the article prior (these cases are about the quote's words)."""
    settings = load_settings(taxonomies=[SEED_TAXONOMY])
    settings.taxonomies[0].scoring = {**settings.taxonomies[0].scoring, "prior_weight": 0.0}
    return settings


def parsed(nlp, text: str) -> ParsedDoc:
    """The text parsed, then rebuilt on the shared vocab as later stages see it (pipeline.steps.docs)."""
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
    return {r["topic"]: r["evidence"] for r in rows if r["taxonomy"] == SEED_TAXONOMY}


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
    assert all(r["score"] >= 1.0 and r["evidence"] for r in rows)
    assert sorted(r["rank"] for r in rows) == [1, 2]


def seed_taxonomy() -> dict:
    return load_toml(DEFAULT_CONFIG_DIR / "topics" / f"{SEED_TAXONOMY}.toml")


def test_a_user_topic_is_picked_up():
    data = seed_taxonomy()
    extra = {"id": "energy", "label": "Energy", "phrases": ["gas pipeline"], "weak": ["oil"]}
    scoring = {k: v for k, v in load_toml(DEFAULT_CONFIG_DIR / "topics.toml")["scoring"].items()
               if k not in topics_stage.STAGE_SCORING_KEYS}
    tagger = build_tagger({**data, "topic": data["topic"] + [extra], "scoring": scoring})
    assert "energy" in tagger.labels


def test_the_article_prior_fills_bare_quotes(nlp):
    """A quote with no word of its own on the issue inherits the article's main issue (evidence
    marked "^"); without an article issue it stays unassigned."""
    settings = load_settings(taxonomies=[SEED_TAXONOMY])
    text = ("Israel and Iran clash over the nuclear deal\n\n"
            "Talks on the nuclear programme resumed.\n\n“It is a disaster,” he said.")
    got = topics_of(nlp, settings, text, "It is a disaster,")
    assert set(got) == {"iran_nuclear"} and all(e.startswith("^") for e in got["iran_nuclear"])
    bare = topics_of(nlp, settings, "The weather was fine.\n\n“It is a disaster,” he said.", "It is a disaster,")
    assert set(bare) == {UNASSIGNED}


def test_paragraph_evidence_counts_less(nlp, tagger):
    """A hint in the quote ("Iran") plus the paragraph's phrases reach the threshold; the same
    phrases in another paragraph do not count."""
    same = "Talks on the nuclear programme and enrichment went on. Nobody came. “Iran will not yield,” he said."
    got = topics_of(nlp, tagger, same, "Iran will not yield,")
    assert set(got) == {"iran_nuclear"}
    assert "Iran" in got["iran_nuclear"] and "~enrichment" in got["iran_nuclear"]
    apart = "Talks on the nuclear programme and enrichment went on.\n\nNobody came. “Iran will not yield,” he said."
    assert set(topics_of(nlp, tagger, apart, "Iran will not yield,")) == {UNASSIGNED}


# --- taxonomy files: every error names the file and the entry, nothing is written -----------------

def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "configs"
    shutil.copytree(DEFAULT_CONFIG_DIR, target)
    return target


BAD_TAXONOMIES = [
    # (file text appended or written, message expected)
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "a"\nlabel = "A"\nphrase = ["x"]\n',
     r"extra.toml: topic\[0\] 'a': unknown key 'phrase'"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "a"\nlabel = "A"\n[[topic]]\nid = "a"\nlabel = "B"\n',
     r"extra.toml: topic\[1\] 'a': duplicate topic id 'a'"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "iran_nuclear"\nlabel = "A"\n',
     r"(extra|israel_russia).toml: topic 'iran_nuclear' is also defined in .*(extra|israel_russia).toml"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "a"\nlabel = "A"\n'
     'token_patterns = [ { id = "p", pattern = [ { NOPE = 1 } ] } ]\n',
     r"extra.toml: topic\[0\] 'a': token_patterns\[0\] 'p': not a valid spaCy Matcher pattern"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "a"\nlabel = "A"\n'
     'token_patterns = [ { id = "p", pattern = [ { LOWER = "x" } ], wieght = 2 } ]\n',
     r"extra.toml: topic\[0\] 'a': token_patterns\[0\]: unknown key 'wieght'"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "a"\nlabel = "A"\nparent = "nope"\n',
     r"extra.toml: topic\[0\] 'a': parent 'nope' is not a topic"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\ncolour = "red"\n[[topic]]\nid = "a"\nlabel = "A"\n',
     r"extra.toml: \[taxonomy\]: unknown key 'colour'"),
    ('[taxonomy]\nid = "other"\nlabel = "X"\n[[topic]]\nid = "a"\nlabel = "A"\n',
     r"extra.toml: \[taxonomy\] id 'other' must be the file's name"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[scoring]\nthreshold = "high"\n[[topic]]\nid = "a"\nlabel = "A"\n',
     r"extra.toml: \[scoring\]: 'threshold' must be"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "unassigned"\nlabel = "A"\n',
     r"extra.toml: topic\[0\] 'unassigned': topic id 'unassigned' is reserved"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n[[topic]]\nid = "a"\nlabel = "A"\nphrases = "x"\n',
     r"extra.toml: topic\[0\] 'a': 'phrases' must be a list"),
    ('[taxonomy\nid = "extra"\n', r"extra.toml: malformed TOML"),
    ('[taxonomy]\nid = "extra"\nlabel = "X"\n', r"extra.toml: no \[\[topic\]\] defined"),
]


@pytest.mark.parametrize("text,message", BAD_TAXONOMIES)
def test_a_bad_taxonomy_file_stops_the_stage_before_any_write(tmp_path, text, message):
    configs = config_copy(tmp_path)
    (configs / "topics" / "extra.toml").write_text(text)
    # the broken file is not listed in configs/topics.toml: every file is checked all the same
    assert "extra" not in load_toml(configs / "topics.toml")["taxonomies"]
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ConfigError, match=message):
        topics_stage.run(out, config_dir=configs)
    assert list(out.iterdir()) == []


BAD_STAGE_CONFIGS = [
    ("taxonomies = [", "topics.toml: malformed TOML"),
    ('taxonomies = ["nope"]', r"topics.toml: taxonomy 'nope' has no file"),
    ("colour = 1", r"topics.toml: unknown key 'colour'"),
    ("prior_weight = 1.0", r"topics.toml: \[scoring\] misses prior_weight"),
    ("threshold = -1", r"topics.toml: \[scoring\]: 'threshold' must be a non-negative number"),
]


@pytest.mark.parametrize("change,message", BAD_STAGE_CONFIGS)
def test_a_bad_stage_config_is_reported(tmp_path, change, message):
    configs = config_copy(tmp_path)
    path = configs / "topics.toml"
    text = path.read_text()
    if change.startswith("taxonomies"):
        text = "\n".join(change if line.startswith("taxonomies") else line for line in text.splitlines())
    elif change.startswith("prior_weight"):
        text = text.replace(change, "")
    elif change.startswith("threshold"):
        text = "\n".join(change if line.startswith("threshold") else line for line in text.splitlines())
    else:
        text = change + "\n" + text
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(configs)


def test_the_default_config_loads_every_listed_taxonomy():
    settings = load_settings()
    names = [t.id for t in settings.taxonomies]
    assert names == load_toml(DEFAULT_CONFIG_DIR / "topics.toml")["taxonomies"]
    ids = [t for tax in settings.taxonomies for t in tax.tagger.labels]
    assert len(ids) == len(set(ids))


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
    from pipeline.evaluation.eval_topics import score_topics

    result = score_topics(seed_outputs, SHARED / "gold" / "seed_quotes.jsonl")
    assert result["metrics"]["gold_quotes_micro_f1"] >= 0.85, result["gold_quotes_misses"]


# --- article topics against labelled records (eval --topics) ---------------------------------------

from pipeline.evaluation.eval_topics import gold_topic, read_labelled, score_labelled  # noqa: E402


def test_score_labelled_counts_unassigned_as_no_answer():
    gold = {"a": "cap:1", "b": "cap:1", "c": "cap:3", "d": "cap:3", "e": "cap:19"}
    predicted = {"a": "cap:1", "b": "cap:3", "c": "cap:3", "d": UNASSIGNED}          # e: never reached
    m = score_labelled(gold, predicted)["metrics"]
    assert m["accuracy"] == 0.4 and m["coverage"] == 0.6
    assert m["precision_at_coverage"] == round(2 / 3, 4)
    # per class F1: cap:1 (p 1, r .5) .6667; cap:3 (p .5, r .5) .5; cap:19 0
    assert m["macro_f1"] == round((2 / 3 + 0.5 + 0) / 3, 4)
    assert m["per_class"]["cap:3"]["most_confused_with"] == "unassigned (1)"
    assert m["per_class"]["cap:1"]["most_confused_with"] == "cap:3 (1)"


@pytest.mark.parametrize("value,taxonomy,expected", [
    (19, "cap", "cap:19"), ("19", "cap", "cap:19"), ("cap:19", "cap", "cap:19"),
    ("iran_nuclear", "israel_russia", "iran_nuclear"),
])
def test_gold_labels_become_topic_ids(value, taxonomy, expected):
    assert gold_topic(value, taxonomy) == expected


@pytest.mark.parametrize("lines,message", [
    (['{"id": 1, "text": "x", "major_topic": 3}', "{broken"], r"labelled.jsonl:2: malformed JSON"),
    (['{"id": 1, "text": "x"}'], r"labelled.jsonl:1: a record needs 'id', 'text' and 'major_topic'"),
    ([""], r"labelled.jsonl: no records"),
])
def test_bad_labelled_files_name_the_line(tmp_path, lines, message):
    from pipeline.core.errors import PipelineError

    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(PipelineError, match=message):
        read_labelled(path)


@pytest.mark.slow     # runs the pipeline (the model)
def test_eval_topics_runs_one_line_documents_through_the_pipeline(tmp_path, capsys):
    """Headlines and bill titles are whole documents of one line: each must survive `clean` and
    reach doc_topics; the command prints accuracy, coverage and the per-class table."""
    import json

    from pipeline.evaluation import evaluate

    records = [{"id": "h1", "text": "Unemployment Climbs", "major_topic": 1},
               {"id": "h2", "text": "Senate Passes Bill to Expand Medicare Drug Coverage", "major_topic": 3},
               {"id": "h3", "text": "SUPER BOWL", "major_topic": 29},
               {"id": "h4", "text": "A bill to amend the Internal Revenue Code to extend the research credit.",
                "major_topic": 1}]
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    code = evaluate.main(["--topics", str(path), "--workdir", str(tmp_path / "work"),
                          "--output", str(tmp_path), "--shared", str(tmp_path / "absent")])
    out = capsys.readouterr().out
    assert code == 0, out
    result = json.loads((tmp_path / "eval_topics_labelled.json").read_text())
    metrics = result["sections"]["doc_topics"]["result"]["metrics"]
    assert metrics["documents"] == 4 and metrics["reached_doc_topics"] == 4
    assert "accuracy" in out and "precision_at_coverage" in out and "most_confused_with" in out


# --- issue phrases ---------------------------------------------------------------------------------

from pipeline.steps.topics import choose_phrases  # noqa: E402

PHRASE_SETTINGS = {"max_words": 6, "evidence_bonus": 2.0}


def corpus(**quotes):
    """quote_id -> candidates, plus filler quotes that make 'people' and 'thing' common words."""
    filler = {f"f{i}": [("the people", ("people",), 0), ("a thing", ("thing",), 0)] for i in range(20)}
    return {**filler, **quotes}


PHRASE_CASES = [
    # (candidates of the quote, expected phrase)
    ([("the people", ("people",), 0), ("Obamacare premiums", ("obamacare", "premium"), 1)], "Obamacare premiums"),
    ([("the people", ("people",), 0), ("the border wall", ("border", "wall"), 0)], "the border wall"),
    ([("police shootings", ("police", "shooting"), 3), ("more learning", ("more", "learning"), 1)], "police shootings"),
    ([("a thing", ("thing",), 0)], "a thing"),                # a common word is still a phrase
    ([("a missive", ("missive",), 0)], None),                 # a word no other quote uses, no evidence
    ([], None),
]


@pytest.mark.parametrize("cands,expected", PHRASE_CASES)
def test_issue_phrase_is_ranked_against_the_corpus(cands, expected):
    # 'border' and 'wall' are used by another quote: an issue the corpus discusses
    other = [("a wall on the border", ("wall", "border"), 0)]
    chosen = choose_phrases(corpus(q=cands, other=other), PHRASE_SETTINGS)
    assert chosen["q"] == expected


def test_issue_phrase_from_a_parsed_quote(nlp):
    settings = load_settings()
    text = "The senator said the rise in Obamacare premiums would hurt families."
    content = "the rise in Obamacare premiums would hurt families"
    start = text.index(content)
    rows = tag_document(parsed(nlp, text), [{"quote_id": "q", "content_start": start,
                                             "content_end": start + len(content)}], settings)
    phrases = {r["issue_phrase"] for r in rows}
    assert len(phrases) == 1 and "premiums" in phrases.pop()


def test_unassigned_share_and_stage_cost(tmp_path):
    import json

    from pipeline.evaluation.eval_topics import unassigned_share
    from pipeline.core.io import write_table
    from pipeline.core.schemas import QUOTE_TOPICS

    def row(q, tax, topic, rank=1):
        return {"quote_id": q, "doc_id": "d", "taxonomy": tax, "topic": topic, "label": topic, "rank": rank,
                "score": 0.0 if topic == UNASSIGNED else 1.0, "evidence": [], "issue_phrase": None}

    write_table(QUOTE_TOPICS, [row("a", "cap", "cap:3"), row("a", "cap", "cap:1", 2), row("b", "cap", UNASSIGNED),
                               row("c", "cap", "cap:19"), row("d", "cap", "cap:20"),
                               row("a", "seed", UNASSIGNED), row("b", "seed", UNASSIGNED),
                               row("c", "seed", UNASSIGNED), row("d", "seed", "elections")], tmp_path)
    metrics = unassigned_share(tmp_path)["metrics"]
    assert metrics["cap"] == {"quotes": 4, "unassigned": 1, "unassigned_share": 0.25}
    assert metrics["seed"]["unassigned_share"] == 0.75
    assert "cost" not in metrics                           # no manifests: no timing
    (tmp_path / "manifest").mkdir()
    for stage, seconds in (("parse", 100.0), ("topics", 6.0), ("claims", 1.0)):
        (tmp_path / "manifest" / f"{stage}.json").write_text(json.dumps({"seconds": seconds}))
    assert unassigned_share(tmp_path)["metrics"]["cost"]["topics_claims_vs_parse"] == 0.07


@pytest.mark.parametrize("spans, expected", [
    ([{"start": 0, "end": 14}, {"start": 27, "end": 39}], [(0, 2), (6, 8)]),   # two pieces: their tokens
    ([{"start": 0, "end": 39}], None),                                        # negatives: one piece is the hull,
    ([], None),                                                               # and so is no pieces column value
    (None, None),
])
def test_piece_token_ranges_of_a_quote_in_pieces(spans, expected):
    from spacy.tokens import Doc

    parsed = ParsedDoc.unmapped("d", Doc(shared_vocab(), words="inflation rose , he said , tariffs hurt".split()))
    quote = {"content_start": 0, "content_end": 39, "content_spans": spans}
    assert topics_stage.piece_token_ranges(parsed, quote) == expected
