"""`pipeline.tools.diff` on small hand-built output folders (no model needed)."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from pipeline.tools import diff
from pipeline.core.io import write_table
from pipeline.core.schemas import CLAIMS, DOCUMENTS, ENTITIES, LINES, MENTIONS, QUOTE_TOPICS, QUOTES, REJECTS

TEXT = ('Putin meets Bennett\n\nPresident Vladimir Putin said "we will talk" on Friday. '
        'Bennett said that Iran must not get the bomb.\nShare this article\n')


def _span(text: str, part: str, start: int = 0) -> tuple[int, int]:
    i = TEXT.index(part, start)
    return i, i + len(part)


def base_tables() -> dict[str, list[dict]]:
    """One document, four lines, two quotes, three mentions of two entities."""
    lines, pos = [], 0
    labels = {1: ("title", True), 3: ("body", True), 4: ("boilerplate", False)}
    for no, line in enumerate(TEXT.split("\n"), start=1):
        if line:
            label, kept = labels[no]
            lines.append({"doc_id": "d1", "line_no": no, "start": pos, "end": pos + len(line), "text": line,
                          "label": label, "kept": kept, "rule_id": f"rule.{label}"})
        pos += len(line) + 1
    q1 = _span(TEXT, "we will talk")
    q2 = _span(TEXT, "that Iran must not get the bomb")
    quotes = [
        {"quote_id": f"d1:{q1[0]}-{q1[1]}", "doc_id": "d1", "type": "direct", "content": "we will talk",
         "content_start": q1[0], "content_end": q1[1], "content_plain": "we will talk",
         "content_spans": [{"start": q1[0], "end": q1[1]}], "cue": "say", "cue_start": None, "cue_end": None,
         "speaker_text": "President Vladimir Putin", "speaker_start": None, "speaker_end": None,
         "speaker": "Vladimir Putin", "speaker_entity_id": "PERSON:vladimir_putin", "speaker_title": None, "speaker_gender": None, "gender_evidence": None, "resolution": "explicit",
         "kind": "speech", "rule_id": "direct.after", "rule_trace": "direct.after"},
        {"quote_id": f"d1:{q2[0]}-{q2[1]}", "doc_id": "d1", "type": "indirect",
         "content": "that Iran must not get the bomb", "content_start": q2[0], "content_end": q2[1],
         "content_plain": "that Iran must not get the bomb", "content_spans": [{"start": q2[0], "end": q2[1]}],
         "cue": "say", "cue_start": None, "cue_end": None, "speaker_text": "Bennett", "speaker_start": None,
         "speaker_end": None, "speaker": "Naftali Bennett", "speaker_entity_id": "PERSON:naftali_bennett", "speaker_title": None, "speaker_gender": None, "gender_evidence": None,
         "resolution": "explicit", "kind": "speech", "rule_id": "indirect.ccomp", "rule_trace": "indirect.ccomp"},
    ]
    mentions = []
    for part, start, entity in [("Putin", 0, "PERSON:vladimir_putin"), ("Bennett", 0, "PERSON:naftali_bennett"),
                                ("Vladimir Putin", 20, "PERSON:vladimir_putin"),
                                ("Bennett", 40, "PERSON:naftali_bennett")]:
        s, e = _span(TEXT, part, start)
        mentions.append({"mention_id": f"d1:{s}-{e}", "doc_id": "d1", "start": s, "end": e, "token_start": 0,
                         "token_end": 1, "text": part, "label": "PERSON", "title": None, "entity_id": entity,
                         "rule_id": "ner", "link_rule": "model"})
    entities = [
        {"entity_id": "PERSON:vladimir_putin", "label": "PERSON", "name": "Vladimir Putin",
         "aliases": ["Putin"], "titles": ["President"], "n_mentions": 2, "n_documents": 1, "link_rule": "model"},
        {"entity_id": "PERSON:naftali_bennett", "label": "PERSON", "name": "Naftali Bennett",
         "aliases": ["Bennett"], "titles": [], "n_mentions": 2, "n_documents": 1, "link_rule": "model"},
    ]
    quote_topics = [{"quote_id": quotes[1]["quote_id"], "doc_id": "d1", "taxonomy": "seed", "topic": "iran_nuclear",
                     "label": "Iran's nuclear programme", "rank": 1, "score": 1.0, "evidence": ["bomb"],
                     "issue_phrase": "the bomb"},
                    {"quote_id": quotes[0]["quote_id"], "doc_id": "d1", "taxonomy": "seed", "topic": "unassigned",
                     "label": "unassigned", "rank": 1, "score": 0.0, "evidence": [], "issue_phrase": None}]
    documents = [{"doc_id": "d1", "path": "d1.txt", "source": "example", "url": None, "date": None,
                  "encoding": "utf-8", "text": TEXT, "page_title": "Putin meets Bennett"}]
    rejects = [{"path": "bad.txt", "doc_id": None, "level": "error", "code": "E001", "message": "bad.txt: empty file"}]
    return {"documents": documents, "rejects": rejects, "lines": lines, "quotes": quotes,
            "mentions": mentions, "entities": entities, "quote_topics": quote_topics}


SPECS = {"documents": DOCUMENTS, "rejects": REJECTS, "lines": LINES, "quotes": QUOTES, "mentions": MENTIONS,
         "entities": ENTITIES, "quote_topics": QUOTE_TOPICS, "claims": CLAIMS}


def write(folder, tables):
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        spec = SPECS[name]
        # Columns added to the schema later (nullable ones) are filled with nulls.
        rows = [{f.name: row.get(f.name) for f in spec.schema} for row in rows]
        write_table(spec, rows, folder)
    return folder


# --- the edits a rule change might make ---------------------------------------------------

def relabel_line(t):
    t["lines"][1].update(label="boilerplate", kept=False, rule_id="rule.new")


def change_speaker(t):
    t["quotes"][0].update(speaker="Naftali Bennett", speaker_entity_id="PERSON:naftali_bennett")


def add_quote(t):
    s, e = _span(TEXT, "Putin meets Bennett")
    t["quotes"].append({**t["quotes"][0], "quote_id": f"d1:{s}-{e}", "content": "Putin meets Bennett",
                        "content_start": s, "content_end": e, "type": "indirect", "rule_id": "headline"})


def remove_quote(t):
    del t["quotes"][0]
    del t["quote_topics"][1]


def widen_span(t):
    q = t["quotes"][1]
    s, e = _span(TEXT, "Iran must not get the bomb")
    old_id = q["quote_id"]
    q.update(quote_id=f"d1:{s}-{e}", content="Iran must not get the bomb", content_start=s, content_end=e,
             content_spans=[{"start": s, "end": e}])
    for row in t["quote_topics"]:
        if row["quote_id"] == old_id:
            row["quote_id"] = q["quote_id"]


def join_quotes(t):
    """The two quotes become one attribution of two pieces (quotes/assemble.py)."""
    a, b = t["quotes"]
    joined = {**a, "quote_id": f"d1:{a['content_start']}-{b['content_end']}", "content_end": b["content_end"],
              "content": a["content"] + " … " + b["content"], "content_plain": a["content"] + " … " + b["content"],
              "content_spans": a["content_spans"] + b["content_spans"], "type": "mixed"}
    t["quotes"] = [joined]
    t["quote_topics"] = [dict(t["quote_topics"][0], quote_id=joined["quote_id"])]


def change_topic(t):
    t["quote_topics"][0].update(topic="elections", label="elections")


def merge_entities(t):
    """Bennett's mentions are (wrongly) merged into Putin's entity."""
    for m in t["mentions"]:
        m["entity_id"] = "PERSON:vladimir_putin"
    t["entities"] = [dict(t["entities"][0], aliases=["Putin", "Bennett"], n_mentions=4)]


def split_entity(t):
    t["mentions"][0]["entity_id"] = "PERSON:putin"
    t["entities"].append({"entity_id": "PERSON:putin", "label": "PERSON", "name": "Putin", "aliases": [],
                          "titles": [], "n_mentions": 1, "n_documents": 1, "link_rule": "model"})
    t["entities"][0]["n_mentions"] = 1


def add_reject(t):
    t["rejects"].append({"path": "x.bin", "doc_id": None, "level": "error", "code": "E002",
                         "message": "x.bin: binary file"})


CASES = [
    # (edit, table, expected counts, words the terminal output must show)
    (relabel_line, "lines", {"relabelled": 1}, ["body -> boilerplate", "kept: yes -> no"]),
    (change_speaker, "quotes", {"changed": 1}, ["speaker: Vladimir Putin -> Naftali Bennett"]),
    (add_quote, "quotes", {"added": 1}, ["+ d1:0-19", "Putin meets Bennett"]),
    (remove_quote, "quotes", {"removed": 1}, ["- d1:", "we will talk"]),
    (widen_span, "quotes", {"span changed": 1}, ["old: that Iran must not get the bomb",
                                                  "new: Iran must not get the bomb"]),
    (join_quotes, "quotes", {"joined": 1}, ["(joined: d1:", "type: direct -> mixed"]),
    (change_topic, "quotes", {"changed": 1}, ["topics: [iran_nuclear] -> [elections]"]),
    (merge_entities, "entities", {"merged": 1, "changed": 1, "removed": 1},
     ["merged: Naftali Bennett + Vladimir Putin -> Vladimir Putin"]),
    (split_entity, "entities", {"split": 1, "changed": 1, "added": 1},
     ["split: Vladimir Putin -> Putin + Vladimir Putin"]),
    (add_reject, "rejects", {"added": 1}, ["code=E002"]),
]


@pytest.fixture
def old(tmp_path):
    return write(tmp_path / "old", base_tables())


def test_unchanged_rerun_shows_no_difference(tmp_path, old, capsys):
    new = write(tmp_path / "new", base_tables())
    result = diff.compare(old, new)
    assert result.empty
    assert diff.main([str(old), str(new), "--exit-code"]) == 0
    assert "no differences" in capsys.readouterr().out


@pytest.mark.parametrize("edit, table, counts, shown", CASES, ids=[c[0].__name__ for c in CASES])
def test_one_edit_shows_exactly_its_effect(tmp_path, old, edit, table, counts, shown, capsys):
    tables = copy.deepcopy(base_tables())
    edit(tables)
    new = write(tmp_path / "new", tables)
    result = diff.compare(old, new)
    changed = {name: t.counts for name, t in result.tables.items() if t.counts}
    expected_tables = {table}
    if edit in (remove_quote, widen_span, change_topic, join_quotes):
        expected_tables.add("quote_topics")  # the rows of quote_topics moved with the quote
    if edit in (merge_entities, split_entity):
        expected_tables.add("mentions")      # the mentions' entity_id changed
    assert set(changed) == expected_tables
    assert changed[table] == counts
    assert diff.main([str(old), str(new), "--exit-code", "--color", "never"]) == 1
    out = capsys.readouterr().out
    for words in shown:
        assert words in out
    counts_block, _, rows_block = out.partition("\n== ")
    assert table in counts_block  # counts come first, then the rows


def test_pieces_pair_joined_and_divided_quotes(tmp_path, old):
    """Rows paired piece by piece: two rows that became one were joined, and back again divided;
    negative: a widened span stays a one-to-one span change."""
    tables = copy.deepcopy(base_tables())
    join_quotes(tables)
    joined = write(tmp_path / "joined", tables)
    rows = diff.compare(old, joined).tables["quotes"].rows
    assert list(rows["change"]) == ["joined"] and rows.iloc[0]["parts"].count(" + ") == 1
    rows = diff.compare(joined, old).tables["quotes"].rows
    assert list(rows["change"]) == ["divided"] and rows.iloc[0]["parts"].count(" + ") == 1
    tables = copy.deepcopy(base_tables())
    widen_span(tables)
    rows = diff.compare(old, write(tmp_path / "wide", tables)).tables["quotes"].rows
    assert list(rows["change"]) == ["span changed"] and "parts" not in rows or rows["parts"].isna().all()


def test_parquet_output_for_a_notebook(tmp_path, old, capsys):
    tables = copy.deepcopy(base_tables())
    relabel_line(tables)
    change_speaker(tables)
    merge_entities(tables)
    new = write(tmp_path / "new", tables)
    to = tmp_path / "changes"
    assert diff.main([str(old), str(new), "--format", "parquet", "--to", str(to)]) == 0
    names = {p.stem for p in to.glob("*.parquet")}
    assert {"summary", "lines", "quotes", "entities", "entity_assignments"} <= names
    summary = pd.read_parquet(to / "summary.parquet")
    assert summary.set_index(["table", "change"]).loc[("lines", "relabelled"), "count"] == 1
    quotes = pd.read_parquet(to / "quotes.parquet")
    row = quotes.iloc[0]
    assert (row["change"], row["old_speaker"], row["new_speaker"]) == ("changed", "Vladimir Putin", "Naftali Bennett")
    assert "speaker" in list(row["fields"])


def test_table_only_on_one_side_and_errors(tmp_path, old, capsys):
    tables = base_tables()
    new = write(tmp_path / "new", tables)
    write_table(CLAIMS, [], new)
    result = diff.compare(old, new)
    assert not result.empty and result.tables["claims"].notes == ["only in NEW (0 rows)"]
    assert diff.main([str(old), str(tmp_path / "missing")]) == 2
    assert "output folder not found" in capsys.readouterr().err
    assert diff.main([str(old), str(new), "--tables", "nonsense"]) == 2


def test_lines_rule_only_change_is_not_a_relabel(tmp_path, old):
    tables = copy.deepcopy(base_tables())
    tables["lines"][0]["rule_id"] = "rule.renamed"
    new = write(tmp_path / "new", tables)
    assert diff.compare(old, new).tables["lines"].counts == {"changed": 1}
