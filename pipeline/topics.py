"""Stage `topics`: tag each quote with the issues it is about -> `quote_topics.parquet`.

The taxonomy is data (`configs/topics.toml`: each topic an id, a label, phrases, weak hints and
optional Matcher token patterns; its header says how to add a topic). Phrases are lemmatised
once and matched with one spaCy `PhraseMatcher` on lower-case lemmas (so "nuclear talks" finds
"nuclear talk"), phrases with an all-capitals word ("US", "JCPOA") with a second one on the exact
text. The text tagged is the quote's content plus the rest of its sentence (matches there count
`context_weight` of their weight). Multi-label: every topic whose score reaches the threshold;
a quote with none gets a single `unassigned` row rather than a guess.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Iterable

import numpy as np

from .config import DEFAULT_CONFIG_DIR, config_files, load_stage_config
from .docs import ParsedDoc, iter_parsed_docs
from .errors import ConfigError, PipelineError
from .io import read_table, table_path, write_table
from .manifest import StageRecord
from .schemas import QUOTE_TOPICS, QUOTES, TOKENS
# the matching and scoring core (re-exported: callers import these names from here too)
from .topic_tagger import SEP, UNASSIGNED, TopicMatch, TopicTagger, build_tagger  # noqa: F401

STAGE = "topics"


def load_tagger(config_dir: Path | None = None) -> TopicTagger:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    config = load_stage_config(config_dir, STAGE)
    source = str(config_dir / "topics.toml")
    if not config:
        raise ConfigError(f"{source}: config file not found")
    return build_tagger(config, source)


# --------------------------------------------------------------------------------------------

def token_range(parsed: ParsedDoc, start: int, end: int) -> tuple[int, int]:
    """Tokens overlapping the character range [start, end) of documents.text."""
    first = int(np.searchsorted(parsed.token_ends, start, side="right"))
    last = int(np.searchsorted(parsed.token_starts, end, side="left"))
    return first, max(first, last)


def quote_regions(parsed: ParsedDoc, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """(content tokens, sentence tokens) of a quote given by its offsets in documents.text."""
    content = token_range(parsed, start, end)
    doc = parsed.doc
    if content[0] >= content[1] or content[0] >= len(doc):
        return content, content
    first = doc[content[0]].sent.start
    last = doc[max(content[0], content[1] - 1)].sent.end
    return content, (first, last)


def tag_document(parsed: ParsedDoc, quotes: Iterable[dict], tagger: TopicTagger) -> list[dict]:
    """Pure heart of the stage: quote_topics rows for the quotes of one parsed document.

    Each quote dict needs quote_id, content_start and content_end (offsets into documents.text)."""
    rows = []
    for quote in quotes:
        content, context = quote_regions(parsed, quote["content_start"], quote["content_end"])
        found = tagger.tag(parsed.doc, content, context) if context[0] < context[1] else []
        if not found:
            rows.append({"quote_id": quote["quote_id"], "doc_id": parsed.doc_id, "topic": UNASSIGNED,
                         "label": UNASSIGNED, "score": 0.0, "evidence": []})
        for match in found:
            rows.append({"quote_id": quote["quote_id"], "doc_id": parsed.doc_id, "topic": match.topic,
                         "label": match.label, "score": match.score, "evidence": match.evidence})
    return rows


def tag_quotes(out_dir: Path, quotes: Iterable[dict], tagger: TopicTagger) -> list[dict]:
    """quote_topics rows for quote dicts (doc_id, quote_id, content_start, content_end)."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for quote in quotes:
        by_doc[quote["doc_id"]].append(quote)
    rows = []
    if not by_doc:
        return rows
    for parsed in iter_parsed_docs(Path(out_dir), progress="topics"):
        if parsed.doc_id in by_doc:
            rows.extend(tag_document(parsed, by_doc[parsed.doc_id], tagger))
    return rows


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    if not table_path(QUOTES, out_dir).exists():
        raise PipelineError(f"{table_path(QUOTES, out_dir)}: missing; run the 'quotes' stage first")
    record.add_input_tables(TOKENS.name, QUOTES.name)
    started = time.perf_counter()
    tagger = load_tagger(config_dir)
    built = time.perf_counter()
    quotes = read_table(QUOTES, out_dir, columns=["quote_id", "doc_id", "content_start", "content_end"]).to_pylist()
    rows = tag_quotes(out_dir, quotes, tagger)
    write_table(QUOTE_TOPICS, rows, out_dir)
    record.rows = {"quote_topics": len(rows), "quotes": len(quotes),
                   "unassigned": sum(1 for r in rows if r["topic"] == UNASSIGNED)}
    record.extra["seconds_build_tagger"] = round(built - started, 3)
    record.extra["seconds_tagging"] = round(time.perf_counter() - built, 3)
    return record.write()
