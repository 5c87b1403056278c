"""Offsets are sacred: every span in every table of a real run slices documents.text to its text.

Also: every table read back matches its declared schema, and keys are stable across two runs.
"""

from __future__ import annotations

import pytest

from pipeline.cli import run_all
from pipeline.core.io import read_frame
from pipeline.core.schemas import TABLES

# (table, start column, end column, text column or None when the span has no text column)
SPANS = [
    ("lines", "start", "end", "text"),
    ("sentences", "start", "end", "text"),
    ("mentions", "start", "end", "text"),
    ("quotes", "content_start", "content_end", None),
    ("quotes", "speaker_start", "speaker_end", "speaker_text"),
    ("quotes", "cue_start", "cue_end", None),
    ("claims", "content_start", "content_end", None),
]


@pytest.mark.parametrize("table, start, end, text", SPANS)
def test_spans_point_into_the_original_text(seed_outputs, table, start, end, text):
    if not (seed_outputs / f"{table}.parquet").exists():
        pytest.skip(f"stage writing {table} not available")
    texts = read_frame(TABLES["documents"], seed_outputs).set_index("doc_id").text
    frame = read_frame(TABLES[table], seed_outputs).dropna(subset=[start, end])
    assert len(frame)
    for row in frame.to_dict("records"):
        document = texts[row["doc_id"]]
        assert 0 <= row[start] <= row[end] <= len(document), row
        if text is not None:
            assert document[int(row[start]):int(row[end])] == row[text], row


def test_quote_content_is_the_span(seed_outputs):
    """Content may drop what stands between two pieces (a split quote), never invent words."""
    texts = read_frame(TABLES["documents"], seed_outputs).set_index("doc_id").text
    quotes = read_frame(TABLES["quotes"], seed_outputs)
    for row in quotes.to_dict("records"):
        span = texts[row["doc_id"]][row["content_start"]:row["content_end"]]
        words = row["content"].split()
        assert span.split()[:1] == words[:1] and span.split()[-1:] == words[-1:], row


@pytest.mark.parametrize("table", ["quotes", "claims"])
def test_content_pieces_slice_the_text(seed_outputs, table):
    """One row per attribution: its pieces (content_spans) are in order, disjoint, inside the
    document; their hull is content_start/content_end; content is their text joined with " … "."""
    from pipeline.steps.quotes.assemble import JOINER, row_text

    texts = read_frame(TABLES["documents"], seed_outputs).set_index("doc_id").text
    rows = read_frame(TABLES[table], seed_outputs).to_dict("records")
    assert any(len(r["content_spans"]) > 1 for r in rows), "the seeds hold “A,” he said. “B.” quotes"
    for row in rows:
        document = texts[row["doc_id"]]
        pieces = [(int(p["start"]), int(p["end"])) for p in row["content_spans"]]
        assert pieces and (pieces[0][0], pieces[-1][1]) == (row["content_start"], row["content_end"]), row
        assert all(0 <= s < e <= len(document) for s, e in pieces), row
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(pieces, pieces[1:])), row     # ordered, disjoint
        assert (row["content"], row["content_plain"]) == row_text(document, pieces), row
        assert (JOINER in row["content"]) == (len(pieces) > 1) or JOINER in document, row


def test_every_table_matches_its_schema(seed_outputs):
    from pipeline.core.stages import STAGES

    written = [table for stage in STAGES for table in stage.writes]
    missing = [name for name in written if not (seed_outputs / TABLES[name].filename).exists()]
    assert not missing, f"a full run left no {missing}"
    for name in written:
        read_frame(TABLES[name], seed_outputs)    # raises on any schema difference


def test_ids_are_stable_across_runs(seed_outputs, tmp_path):
    from conftest import SEEDS

    run_all(SEEDS, tmp_path, None)
    for name, spec in TABLES.items():
        if not spec.key or not (seed_outputs / spec.filename).exists() or name == "tokens":
            continue
        first = read_frame(spec, seed_outputs).sort_values(list(spec.key)).reset_index(drop=True)
        second = read_frame(spec, tmp_path).sort_values(list(spec.key)).reset_index(drop=True)
        assert first.equals(second), name


def test_issue_phrases_are_the_quotes_own_words(seed_outputs):
    texts = read_frame(TABLES["documents"], seed_outputs).set_index("doc_id").text
    claims = read_frame(TABLES["claims"], seed_outputs)
    with_phrase = claims.dropna(subset=["issue_phrase"])
    assert len(with_phrase)
    for row in with_phrase.to_dict("records"):
        assert row["issue_phrase"] in texts[row["doc_id"]][row["content_start"]:row["content_end"]], row


@pytest.mark.parametrize("table, key", [("doc_topics", ["doc_id", "taxonomy"]),
                                        ("quote_topics", ["quote_id", "taxonomy"])])
def test_one_primary_topic_per_taxonomy(seed_outputs, table, key):
    """Ranks run 1, 2, ... within each (article or quote, taxonomy): rank 1 is the main issue,
    `unassigned` stands alone."""
    frame = read_frame(TABLES[table], seed_outputs)
    for _, group in frame.groupby(key):
        assert sorted(group["rank"]) == list(range(1, len(group) + 1))
        assert list(group.sort_values("rank")["score"]) == sorted(group["score"], reverse=True)
        assert "unassigned" not in set(group["topic"]) or len(group) == 1
