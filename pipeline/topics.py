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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from .config import DEFAULT_CONFIG_DIR, config_files, load_stage_config, require
from .docs import ParsedDoc, iter_parsed_docs, shared_vocab
from .errors import ConfigError, PipelineError
from .io import read_table, table_path, write_table
from .manifest import StageRecord
from .schemas import QUOTE_TOPICS, QUOTES, TOKENS

STAGE = "topics"
UNASSIGNED = "unassigned"
SEP = "\t"


@dataclass
class TopicMatch:
    topic: str
    label: str
    score: float
    evidence: list[str]            # matched phrases as written, content first, then context


@dataclass
class TopicTagger:
    """The taxonomy compiled into matchers (built once per run)."""
    labels: dict[str, str]                       # topic id -> label (taxonomy order)
    weights: dict[str, float]                    # match key -> weight
    threshold: float
    context_weight: float
    lemma_matcher: PhraseMatcher
    exact_matcher: PhraseMatcher
    token_matcher: Matcher
    _vocab: object = field(default=None, repr=False)

    def matches(self, doc: Doc, start: int, end: int) -> list[tuple[str, int, int]]:
        """(match key, token start, token end) of every pattern in doc[start:end]."""
        if doc.vocab is not self.lemma_matcher.vocab:
            raise ValueError("the tagger was built on another vocab: build it with build_tagger(vocab=doc.vocab) "
                             "or rebuild the Doc with pipeline.docs (shared vocab)")
        for token in doc[start:end]:
            token.norm_ = token.lemma_.lower() or token.lower_
        span = doc[start:end]
        out = []
        # as_spans: doc-level offsets from both matcher kinds (their raw tuples differ on a Span)
        for matcher in (self.lemma_matcher, self.exact_matcher, self.token_matcher):
            for hit in matcher(span, as_spans=True):
                out.append((hit.label_, hit.start, hit.end))
        return out

    def tag(self, doc: Doc, content: tuple[int, int], context: tuple[int, int],
            found: list[tuple[str, int, int]] | None = None) -> list[TopicMatch]:
        """Topics of the quote whose content is doc[content] within the sentence(s) doc[context]."""
        if found is None:
            found = self.matches(doc, *context)
        c_start, c_end = content
        best: dict[str, tuple[float, int, str]] = {}    # key -> (weight, position, surface)
        for key, s, e in found:
            if e <= context[0] or s >= context[1]:
                continue
            inside = s >= c_start and e <= c_end
            weight = self.weights[key] * (1.0 if inside else self.context_weight)
            surface = doc[s:e].text if inside else f"~{doc[s:e].text}"
            current = best.get(key)
            if current is None or weight > current[0]:
                best[key] = (weight, s, surface)
        per_topic: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
        for key, value in best.items():
            per_topic[key.split(SEP, 1)[0]].append(value)
        out = []
        for topic, label in self.labels.items():
            hits = per_topic.get(topic)
            if not hits:
                continue
            score = round(sum(w for w, _, _ in hits), 4)
            if score >= self.threshold:
                ordered = sorted(hits, key=lambda h: (h[2].startswith("~"), h[1]))
                evidence = list(dict.fromkeys(h[2] for h in ordered))
                out.append(TopicMatch(topic, label, score, evidence))
        return out


@lru_cache(maxsize=8)
def _lemmatise(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Lower-case lemmas of each phrase (the model's tagger and lemmatizer, loaded once)."""
    from .model import load_model

    nlp = load_model(exclude=("parser", "ner"))
    return tuple(tuple(t.lemma_.lower() or t.lower_ for t in doc if not t.is_space)
                 for doc in nlp.pipe(phrases, batch_size=256))


def _is_exact(phrase: str) -> bool:
    """A phrase with an all-capitals word ("US", "U.S.", "JCPOA") is matched as written."""
    return any(sum(c.isalpha() for c in w) >= 2 and w.upper() == w and any(c.isalpha() for c in w)
               for w in phrase.split())


def build_tagger(config: dict, source: str = "topics.toml", vocab=None) -> TopicTagger:
    vocab = vocab or shared_vocab()
    threshold = float(require(config, "scoring.threshold", (int, float), source))
    context_weight = float(require(config, "scoring.context_weight", (int, float), source))
    weak_weight = float(require(config, "scoring.weak_weight", (int, float), source))
    topics = require(config, "topic", list, source)
    labels, weights = {}, {}
    lemma_phrases: list[tuple[str, str]] = []
    exact_phrases: list[tuple[str, str]] = []
    token_matcher = Matcher(vocab)
    for index, topic in enumerate(topics):
        if not isinstance(topic, dict) or not isinstance(topic.get("id"), str) or not isinstance(topic.get("label"), str):
            raise ConfigError(f"{source}: topic[{index}] needs a string 'id' and 'label'")
        tid = topic["id"]
        if tid in labels or tid == UNASSIGNED or SEP in tid:
            raise ConfigError(f"{source}: topic id '{tid}' is repeated or reserved")
        labels[tid] = topic["label"]
        for kind, weight in (("phrases", 1.0), ("weak", weak_weight)):
            values = topic.get(kind, [])
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                raise ConfigError(f"{source}: topic '{tid}': '{kind}' must be a list of non-empty strings")
            for phrase in values:
                key = f"{tid}{SEP}{phrase}"
                weights[key] = max(weights.get(key, 0.0), weight)
                (exact_phrases if _is_exact(phrase) else lemma_phrases).append((key, phrase))
        for pattern in topic.get("token_patterns", []):
            if not isinstance(pattern, dict) or not {"id", "pattern"} <= set(pattern):
                raise ConfigError(f"{source}: topic '{tid}': token_patterns need 'id' and 'pattern'")
            key = f"{tid}{SEP}{pattern['id']}"
            try:
                token_matcher.add(key, [pattern["pattern"]])
            except (ValueError, TypeError, KeyError) as exc:
                raise ConfigError(f"{source}: topic '{tid}': pattern '{pattern['id']}' is not a valid "
                                  f"Matcher pattern: {exc}") from None
            weights[key] = float(pattern.get("weight", 1.0))
    if not labels:
        raise ConfigError(f"{source}: no [[topic]] defined")

    lemma_matcher = PhraseMatcher(vocab, attr="NORM")
    tokenizer = _tokenizer()
    lemmas = _lemmatise(tuple(p for _, p in lemma_phrases))
    for (key, phrase), lemma_words in zip(lemma_phrases, lemmas):
        variants = {lemma_words, tuple(t.lower_ for t in tokenizer(phrase))}
        docs = []
        for words in variants:
            doc = Doc(vocab, words=list(words))
            for token in doc:
                token.norm_ = token.text
            docs.append(doc)
        lemma_matcher.add(key, docs)
    exact_matcher = PhraseMatcher(vocab, attr="ORTH")
    for key, phrase in exact_phrases:
        exact_matcher.add(key, [Doc(vocab, words=[t.text for t in tokenizer(phrase)])])
    return TopicTagger(labels, weights, threshold, context_weight, lemma_matcher, exact_matcher, token_matcher, vocab)


@lru_cache(maxsize=1)
def _tokenizer():
    import spacy

    return spacy.blank("en").tokenizer


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
