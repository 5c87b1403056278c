"""Stage `topics`: the issues of each article and of each quote, in every configured taxonomy
-> `doc_topics.parquet` and `quote_topics.parquet` (with each quote's `issue_phrase`).

Taxonomies are data: one file per taxonomy in `configs/topics/` (CAP's major topics `cap:<code>`
by default, custom ones beside it), chosen and weighed in `configs/topics.toml`; the headers of
both say how to add a taxonomy or a topic. Every taxonomy file is checked (unknown keys, duplicate
ids, bad token patterns) before any table is read or written. The matching and scoring core is
`pipeline.steps.topic_tagger` (its API is at its top); this module decides where things stand and puts
the signals together:

- Articles (`doc_topics`): `TopicTagger.tag_document` with the body's first paragraph as headline,
  then the corpus-adaptive step (`adapt_scores`) for taxonomies that enable it; topics ranked by
  score, the top row the article's main issue, `unassigned` when the top score is too low.
- Quotes (`quote_topics`): `TopicTagger.tag` on the content and its sentence. A quote with no
  topic of its own adds the rest of its paragraph (at `paragraph_weight`) to the article's topics
  at `prior_weight` x their share of the article's top score (evidence marked `^`), so short quotes
  ("It is a disaster.") are not left bare; with nothing reaching the threshold it is `unassigned`.
- `issue_phrase`: the quote's noun phrase (or named entity) that best names its issue, ranked
  against the corpus's quotes (mean inverse document frequency, more for topic evidence).

Each parsed document is read once (`read_document`); the corpus-level steps (adaptive scores,
prior, issue phrases) run on what was kept of it (`finish_document`, `choose_phrases`).
"""

from __future__ import annotations

import gc
import math
import sys
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from spacy import symbols
from spacy.attrs import DEP, ENT_TYPE, IS_PUNCT, IS_SPACE, IS_STOP, LEMMA, ORTH, POS
from spacy.matcher import Matcher
from spacy.tokens import Doc

from pipeline.steps import topic_phrases, topic_tagger
from pipeline.core.config import DEFAULT_CONFIG_DIR, config_files, load_toml, require
from pipeline.steps.docs import ParsedDoc, body_keys, document_order, iter_parsed_docs, shared_vocab
from pipeline.core.doc_cache import DocumentCache, digest, settings_key
from pipeline.core.errors import STAGE_REJECT_CODES, ConfigError, PipelineError, document_failure, without_failing_step
from pipeline.core.io import read_table, replace_stage_rejects, table_path, write_table
from pipeline.core.manifest import StageRecord
from pipeline.core.schemas import DOC_TOPICS, QUOTE_TOPICS, QUOTES, TOKENS, content_pieces
from pipeline.core.workers import run_n_process, spread
# the matching and scoring core (re-exported: callers import these names from here too)
from pipeline.steps.topic_tagger import SEP, UNASSIGNED, TopicMatch, TopicTagger, build_tagger  # noqa: F401

STAGE = "topics"


# --------------------------------------------------------------------------------------------
# Configuration: configs/topics.toml (stage-wide) and configs/topics/<taxonomy>.toml

TAXONOMY_DIR = "topics"
STAGE_KEYS = {"taxonomies", "scoring", "issue_phrase"}
# quote-level keys of this stage, beside the tagger's own [scoring] keys (topic_tagger.SCORING_KEYS)
STAGE_SCORING_KEYS = {"paragraph_weight", "prior_weight"}
REQUIRED_SCORING = {"threshold", "weak_weight", "context_weight", *STAGE_SCORING_KEYS}
SCORING_KEYS = set(topic_tagger.SCORING_KEYS) | STAGE_SCORING_KEYS
PHRASE_KEYS = {"max_words", "evidence_bonus"}


@dataclass
class Taxonomy:
    id: str
    label: str
    path: Path
    scoring: dict                    # stage-wide [scoring] overridden by the file's own
    tagger: TopicTagger
    loose: TopicTagger = field(init=False, repr=False)
    every_document_topic: TopicTagger = field(init=False, repr=False)

    def __post_init__(self):
        # the same matchers (shared, not rebuilt) with other settings:
        # - counting the rest of a quote's paragraph at `paragraph_weight`, every score kept (no
        #   threshold): the partial evidence a bare quote adds to the article's prior;
        self.loose = replace(self.tagger, threshold=1e-9, context_weight=self.scoring["paragraph_weight"])
        # - every topic of an article with its evidence (no threshold): the input of the adaptive
        #   step and of document_topics, so that a Doc is read once; on the document's hits,
        #   matched once for the article and its quotes
        every = {f.name: getattr(self.tagger, f.name) for f in fields(self.tagger) if f.init}
        every["doc_scoring"] = {**self.tagger.doc_scoring, "doc_threshold": 1e-9}
        self.every_document_topic = PrematchedTagger(**every)


@dataclass
class PrematchedTagger(TopicTagger):
    """A TopicTagger whose `matches` reads hits found beforehand (`prematched`, for the whole of
    the current document), so that tag_document does not run the matchers a second time."""
    prematched: list | None = None

    def matches(self, doc: Doc, start: int, end: int, words: dict | None = None) -> list[tuple[str, int, int]]:
        if self.prematched is None:
            return super().matches(doc, start, end, words)
        return [h for h in self.prematched if h[1] >= start and h[2] <= end]


@dataclass
class TopicsSettings:
    taxonomies: list[Taxonomy]
    issue_phrase: dict
    files: list[Path] = field(default_factory=list)

    @property
    def labels(self) -> dict[str, str]:
        return {t: label for tax in self.taxonomies for t, label in tax.tagger.labels.items()}


def _check_keys(table, allowed: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table, got {table!r}")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(repr(k) for k in unknown)} (allowed: {', '.join(sorted(allowed))})")


def _numbers(table: dict, where: str, integers: set[str] = frozenset()) -> dict:
    for key, value in table.items():
        kind = int if key in integers else (int, float)
        if not isinstance(value, kind) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: '{key}' must be a non-negative {'integer' if key in integers else 'number'}, "
                              f"got {value!r}")
    return table


def check_taxonomy_file(path: Path, data: dict) -> dict:
    """The structure of one taxonomy file, cheaply (no model): every key known, every topic
    well-formed, every token pattern valid; returns data. Errors name the file and the entry
    (`topic[3] 'cap:19'`). The full compile (topic_tagger.build_tagger) follows for the
    taxonomies that run."""
    _check_keys(data, set(topic_tagger.TOP_KEYS), str(path))
    head = data.get("taxonomy")
    if head is None:
        raise ConfigError(f"{path}: missing the [taxonomy] table (id, label)")
    _check_keys(head, set(topic_tagger.TAXONOMY_KEYS), f"{path}: [taxonomy]")
    for key in ("id", "label"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            raise ConfigError(f"{path}: [taxonomy] needs a non-empty string '{key}'")
    if head["id"] != path.stem:
        raise ConfigError(f"{path}: [taxonomy] id '{head['id']}' must be the file's name '{path.stem}'")
    if "scoring" in data:
        _check_keys(data["scoring"], SCORING_KEYS, f"{path}: [scoring]")
        _numbers(data["scoring"], f"{path}: [scoring]")
    topics = data.get("topic")
    if not isinstance(topics, list) or not topics:
        raise ConfigError(f"{path}: no [[topic]] defined")
    seen: dict[str, int] = {}
    matcher = Matcher(shared_vocab())
    for index, topic in enumerate(topics):
        where = f"{path}: topic[{index}]"
        if isinstance(topic, dict) and isinstance(topic.get("id"), str):
            where += f" '{topic['id']}'"
        _check_keys(topic, set(topic_tagger.TOPIC_KEYS), where)
        for key in ("id", "label"):
            if not isinstance(topic.get(key), str) or not topic[key].strip():
                raise ConfigError(f"{where}: needs a non-empty string '{key}'")
        tid = topic["id"]
        if tid == UNASSIGNED or SEP in tid:
            raise ConfigError(f"{where}: topic id '{tid}' is reserved")
        if tid in seen:
            raise ConfigError(f"{where}: duplicate topic id '{tid}' (first at topic[{seen[tid]}])")
        seen[tid] = index
        for kind in ("phrases", "weak"):
            values = topic.get(kind, [])
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                raise ConfigError(f"{where}: '{kind}' must be a list of non-empty strings")
        patterns = topic.get("token_patterns", [])
        if not isinstance(patterns, list):
            raise ConfigError(f"{where}: 'token_patterns' must be a list of tables")
        for p_index, pattern in enumerate(patterns):
            p_where = f"{where}: token_patterns[{p_index}]"
            _check_keys(pattern, set(topic_tagger.PATTERN_KEYS), p_where)
            if not isinstance(pattern.get("id"), str) or not isinstance(pattern.get("pattern"), list) \
                    or not pattern["pattern"]:
                raise ConfigError(f"{p_where}: needs a string 'id' and a non-empty list 'pattern'")
            try:
                matcher.add(f"{tid}{SEP}{pattern['id']}", [pattern["pattern"]])
            except (ValueError, TypeError, KeyError) as exc:
                raise ConfigError(f"{p_where} '{pattern['id']}': not a valid spaCy Matcher pattern: {exc}") from None
    for index, topic in enumerate(topics):
        parent = topic.get("parent")
        if parent is not None and (not isinstance(parent, str) or parent not in seen or parent == topic["id"]):
            raise ConfigError(f"{path}: topic[{index}] '{topic['id']}': parent {parent!r} is not a topic of this file")
    rules = data.get("entity_rule", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError(f"{path}: [[entity_rule]] entries must be tables")
    for index, rule in enumerate(rules):
        _check_keys(rule, set(topic_tagger.ENTITY_RULE_KEYS), f"{path}: entity_rule[{index}] {rule.get('id', '')!r}")
    return data


def load_settings(config_dir: Path | None = None, taxonomies: list[str] | None = None,
                  vocab=None, cache: Path | None = None) -> TopicsSettings:
    """Read and check configs/topics.toml and every taxonomy file, and build the taggers of the
    taxonomies that run (`taxonomies` overrides the config's list). Raises ConfigError, naming
    the file and the entry, before anything is read or written. Phrases come analysed from the
    compiled file (pipeline.steps.topic_phrases); those it lacks are lemmatised with the model and kept
    in `cache` (a JSON file, e.g. in the output folder) for the next run."""
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    stage_path = config_dir / f"{STAGE}.toml"
    stage = load_toml(stage_path)
    _check_keys(stage, STAGE_KEYS, str(stage_path))
    names = require(stage, "taxonomies", list, str(stage_path))
    if not names or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        raise ConfigError(f"{stage_path}: 'taxonomies' must be a non-empty list of distinct taxonomy ids")
    scoring = require(stage, "scoring", dict, str(stage_path))
    _check_keys(scoring, SCORING_KEYS, f"{stage_path}: [scoring]")
    missing = REQUIRED_SCORING - set(scoring)
    if missing:
        raise ConfigError(f"{stage_path}: [scoring] misses {', '.join(sorted(missing))}")
    _numbers(scoring, f"{stage_path}: [scoring]")
    phrase = require(stage, "issue_phrase", dict, str(stage_path))
    _check_keys(phrase, PHRASE_KEYS, f"{stage_path}: [issue_phrase]")
    if PHRASE_KEYS - set(phrase):
        raise ConfigError(f"{stage_path}: [issue_phrase] misses {', '.join(sorted(PHRASE_KEYS - set(phrase)))}")
    _numbers(phrase, f"{stage_path}: [issue_phrase]", {"max_words"})

    folder = config_dir / TAXONOMY_DIR
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    checked = {p.stem: check_taxonomy_file(p, load_toml(p)) for p in files}
    wanted = list(taxonomies) if taxonomies else names
    absent = [n for n in wanted if n not in checked]
    if absent:
        raise ConfigError(f"{stage_path}: taxonomy '{absent[0]}' has no file {folder / (absent[0] + '.toml')}")
    owner: dict[str, Path] = {}
    for stem, data in checked.items():
        for topic in data["topic"]:
            if topic["id"] in owner:
                raise ConfigError(f"{folder / (stem + '.toml')}: topic '{topic['id']}' is also defined in "
                                  f"{owner[topic['id']]}: topic ids must be unique across taxonomies")
            owner[topic["id"]] = folder / (stem + ".toml")
    built = []
    for name in wanted:
        data = checked[name]
        path = folder / f"{name}.toml"
        merged = {**scoring, **data.get("scoring", {})}
        tagger_scoring = {k: v for k, v in merged.items() if k not in STAGE_SCORING_KEYS}
        tagger = build_tagger({**data, "scoring": tagger_scoring}, str(path), vocab=vocab, config_dir=config_dir,
                              cache=cache)
        built.append(Taxonomy(name, data["taxonomy"]["label"], path, merged, tagger))
    return TopicsSettings(built, phrase, [stage_path, *files])


def load_tagger(config_dir: Path | None = None, taxonomy: str | None = None) -> TopicTagger:
    """The tagger of one taxonomy (default: the first one configured)."""
    settings = load_settings(config_dir, [taxonomy] if taxonomy else None)
    return settings.taxonomies[0].tagger


# --------------------------------------------------------------------------------------------
# Where things stand: paragraphs, the headline, a quote's sentence and paragraph

def paragraph_bounds(doc: Doc) -> np.ndarray:
    """Per token, the index of its paragraph (a line of the body: every line break ends one;
    line breaks are space tokens, as `parse` keeps them)."""
    if not len(doc):
        return np.zeros(0, dtype=np.int64)
    spaces = np.flatnonzero(doc.to_array([IS_SPACE]).reshape(-1))
    breaks = np.zeros(len(doc), dtype=np.int64)
    for i in spaces:
        if "\n" in doc[int(i)].text:
            breaks[i] = 1
    return np.concatenate([[0], np.cumsum(breaks)[:-1]])


def _span_of(ids: np.ndarray, first: int, last: int) -> tuple[int, int]:
    """Token range of the groups (paragraphs) holding tokens first..last."""
    lo = int(np.searchsorted(ids, ids[first], side="left"))
    hi = int(np.searchsorted(ids, ids[last], side="right"))
    return lo, hi


def headline_end(doc: Doc, paragraphs: np.ndarray) -> int:
    """Token end of the headline: the body's first paragraph (the title line, or the whole of a
    one-line document such as a headline or a bill title)."""
    first = 0
    while first < len(doc) and doc[first].is_space:
        first += 1
    if first >= len(doc):
        return 0
    return _span_of(paragraphs, first, first)[1]


def token_range(parsed: ParsedDoc, start: int, end: int) -> tuple[int, int]:
    """Tokens overlapping the character range [start, end) of documents.text."""
    first = int(np.searchsorted(parsed.token_ends, start, side="right"))
    last = int(np.searchsorted(parsed.token_starts, end, side="left"))
    return first, max(first, last)


# What the stage reads of each quote: its content's hull, and its pieces (one attribution in pieces,
# `“A,” he said. “B.”`: the words between them are not what was said).
QUOTE_COLUMNS = ["quote_id", "doc_id", "content_start", "content_end", "content_spans"]


def piece_token_ranges(parsed: ParsedDoc, quote: dict) -> list[tuple[int, int]] | None:
    """Token ranges of a quote's content pieces (schemas.content_pieces), or None when it is in
    one piece (the hull)."""
    pieces = content_pieces(quote)
    if len(pieces) < 2:
        return None
    return [token_range(parsed, start, end) for start, end in pieces]


def quote_regions(parsed: ParsedDoc, start: int, end: int, paragraphs: np.ndarray | None = None
                  ) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(content, sentence, paragraph) token ranges of a quote given by its offsets in documents.text."""
    content = token_range(parsed, start, end)
    doc = parsed.doc
    if content[0] >= content[1] or content[0] >= len(doc):
        return content, content, content
    last_token = max(content[0], min(content[1], len(doc)) - 1)
    sentence = (doc[content[0]].sent.start, doc[last_token].sent.end)
    if paragraphs is None:
        paragraphs = paragraph_bounds(doc)
    para = _span_of(paragraphs, content[0], last_token)
    return content, sentence, (min(para[0], sentence[0]), max(para[1], sentence[1]))


# --------------------------------------------------------------------------------------------
# Issue phrases

PHRASE_POS = {"NOUN", "PROPN"}
KEY_POS = {"NOUN", "PROPN", "ADJ", "NUM"}


NOT_ISSUES = {"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}


def phrase_spans(doc: Doc, regions: Iterable[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Token ranges of the noun phrases and of the named entities that can name an issue, inside
    the given token ranges (the quotes' sentences; default: the whole document)."""
    merged: list[list[int]] = []                 # the ranges' union, as disjoint sorted ranges
    for start, end in sorted(regions) if regions is not None else [(0, len(doc))]:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return []
    starts = [r[0] for r in merged]

    def inside(s: int, e: int) -> bool:
        k = bisect_left(starts, s + 1) - 1
        return k >= 0 and merged[k][0] <= s and e <= merged[k][1]

    spans = []
    try:
        # noun chunks of the regions only, each run from its first sentence's start: a chunk never
        # crosses a sentence, so these are exactly the document's chunks that lie inside
        if doc.noun_chunks_iterator is None:
            raise NotImplementedError(f"no noun chunks for language '{doc.vocab.lang}'")
        for start, end in merged:
            first = doc[start].sent.start if start < len(doc) else start
            spans += [(s, e) for s, e, _ in doc.noun_chunks_iterator(doc[first:end]) if inside(s, e)]
    except ValueError:       # no dependency parse
        pass
    spans += [(e.start, e.end) for e in topic_tagger.doc_ents(doc) if e.label_ not in NOT_ISSUES and inside(e.start, e.end)]
    return sorted(set(spans))


class PhraseTokens:
    """What phrase_candidates asks of each token of a Doc, read from its arrays once per document
    (not token by token per quote)."""

    def __init__(self, doc: Doc):
        strings = doc.vocab.strings
        columns = doc.to_array([IS_PUNCT, IS_SPACE, POS, DEP, ENT_TYPE, IS_STOP, LEMMA, ORTH])
        if not len(doc):
            columns = np.zeros((0, 8), dtype=np.uint64)
        punct, space, pos, dep, ent_type, stop, self.lemmas, orth = columns.T

        def pos_in(names) -> np.ndarray:
            return np.isin(pos, [symbols.IDS[n] for n in names])

        # pos_ is "CCONJ"/"PRON" and dep_ is not "poss": a leading conjunction or pronoun is trimmed
        self.edge = (punct != 0) | (space != 0)
        self.leading = self.edge | (pos_in(("CCONJ", "PRON")) & (dep != strings["poss"]))
        self.noun = pos_in(PHRASE_POS)
        self.person = ent_type == strings["PERSON"]
        key = pos_in(KEY_POS) & (stop == 0)
        alpha = np.array([h for h in np.unique(orth[key]) if any(c.isalpha() for c in strings[int(h)])],
                         dtype=np.uint64)
        self.key_word = key & np.isin(orth, alpha)        # ... holding a letter
        self._strings = strings
        self._lower: dict[int, str] = {}

    def lemma(self, i: int) -> str:
        """The lower-case lemma of token i."""
        h = int(self.lemmas[i])
        if h not in self._lower:
            self._lower[h] = self._strings[h].lower()
        return self._lower[h]


def phrase_candidates(doc: Doc, content: tuple[int, int], evidence: set[str], max_words: int,
                      spans: list[tuple[int, int]] | None = None, tokens: PhraseTokens | None = None
                      ) -> list[tuple[str, tuple[str, ...], int]]:
    """(text, key lemmas, pieces of topic evidence it holds) of the noun phrases and named entities
    inside the content. `spans`: phrase_spans(doc, ...) (sorted), when the caller has them.

    A candidate needs a noun; pronouns, people's names (who, not which issue) and phrases longer
    than `max_words` content words are left out; leading and trailing punctuation is trimmed."""
    c_start, c_end = content
    if spans is None:
        spans = phrase_spans(doc)
    t = tokens if tokens is not None else PhraseTokens(doc)
    out, seen = [], set()
    # spans are sorted: those starting inside the content are one run of them
    for s, e in spans[bisect_left(spans, (c_start, -1)):bisect_left(spans, (c_end, -1))]:
        if e > c_end:
            continue
        while s < e and t.leading[s]:
            s += 1
        while e > s and t.edge[e - 1]:
            e -= 1
        if s >= e or (s, e) in seen:
            continue
        seen.add((s, e))
        nouns = t.noun[s:e]
        if not nouns.any() or t.person[s:e][nouns].all():
            continue
        key = tuple(t.lemma(i) for i in range(s, e) if t.key_word[i])
        if not key or len(key) > max_words:
            continue
        text = topic_tagger._span_text(doc, s, e)
        lowered = text.lower()
        out.append((text, key, sum(1 for e in evidence if e and e in lowered)))
    return out


def choose_phrases(candidates: dict[str, list[tuple[str, tuple[str, ...], int]]], settings: dict
                   ) -> dict[str, str | None]:
    """quote_id -> its issue phrase, ranked against the corpus's quotes (TF-IDF-like): a candidate
    weighs the mean inverse document frequency of its words across the quotes, a little more for
    each further word (up to `max_words`), and `evidence_bonus` - 1 more for each piece of topic
    evidence it holds ("police shootings" over "more learning", "Obamacare premiums" over "the thing"). A candidate without evidence needs a word seen in
    another quote too: a word no other quote uses is a turn of phrase, not an issue the corpus
    discusses. Ties go to the earlier phrase; None when a quote has no candidate."""
    df: Counter = Counter()
    for cands in candidates.values():
        df.update({w for _, key, _ in cands for w in key})
    n = len(candidates) or 1
    out = {}
    for qid, cands in candidates.items():
        best, best_weight = None, 0.0
        for text, key, evidence in cands:
            if not evidence and max(df[w] for w in key) < 2:
                continue
            idf = [math.log((n + 1) / (df[w] + 1)) + 1 for w in key]
            weight = sum(idf) / len(idf) * (1 + 0.2 * (len(key) - 1))
            weight *= 1 + (settings["evidence_bonus"] - 1) * evidence
            if weight > best_weight:
                best, best_weight = text, weight
        out[qid] = best
    return out


# --------------------------------------------------------------------------------------------
# The stage's heart: one pass over the parsed documents, then the corpus step

Found = tuple[str, float, list[str], "str | None"]      # topic, score, evidence, parent


def _ordered(matches: Iterable[Found], order: dict[str, int]) -> list[Found]:
    """Best first: ties put a major topic before its subtopics, then the taxonomy's order."""
    return sorted(matches, key=lambda m: (-m[1], m[3] is not None, order.get(m[0], 0)))


@dataclass
class PendingQuote:
    quote_id: str
    own: list[Found]                  # topics from the quote's content and sentence
    partial: dict[str, list]          # when `own` is empty: paragraph evidence below the threshold


@dataclass
class PendingDocument:
    """One document after the pass over the parsed docs, waiting for the corpus-level steps
    (the adaptive re-scoring of articles, then the article prior of bare quotes, issue phrases)."""
    doc_id: str
    doc_scores: dict[str, list[TopicMatch]]               # taxonomy -> every topic with evidence
    quotes: dict[str, list[PendingQuote]]                 # taxonomy -> its quotes
    features: Counter | None                              # for the adaptive step
    candidates: dict[str, list]                           # quote_id -> issue phrase candidates


def read_document(parsed: ParsedDoc, quotes: Iterable[dict], settings: TopicsSettings,
                  features: bool = False) -> PendingDocument:
    """Everything the stage needs from one parsed document (the only place a Doc is read).

    Each quote dict needs quote_id, content_start and content_end (offsets into documents.text)."""
    doc = parsed.doc
    quotes = list(quotes)
    paragraphs = paragraph_bounds(doc)
    head_end = headline_end(doc, paragraphs)
    located = {q["quote_id"]: quote_regions(parsed, q["content_start"], q["content_end"], paragraphs) for q in quotes}
    pieces = {q["quote_id"]: piece_token_ranges(parsed, q) for q in quotes}
    evidence: dict[str, set[str]] = defaultdict(set)
    pending = PendingDocument(parsed.doc_id, {}, {}, None, {})
    words = topic_tagger.token_words(doc)          # the tokens' strings, read once for every taxonomy
    for tax in settings.taxonomies:
        order = tax.tagger._order()
        hits = sorted(tax.tagger.matches(doc, 0, len(doc), words), key=lambda h: h[1]) if len(doc) else []
        every = tax.every_document_topic
        every.prematched = hits
        try:
            pending.doc_scores[tax.id] = every.tag_document(doc, head_end) if len(doc) else []
        finally:
            every.prematched = None
        starts = [h[1] for h in hits]
        pending.quotes[tax.id] = []
        for quote in quotes:
            qid = quote["quote_id"]
            content, sentence, paragraph = located[qid]
            own, partial = [], {}
            if content[0] < content[1]:
                near = hits[bisect_left(starts, paragraph[0]):bisect_left(starts, paragraph[1])]
                own = _ordered(((m.topic, m.score, m.evidence, m.parent)
                                for m in tax.tagger.tag(doc, content, sentence, found=near, pieces=pieces[qid])),
                               order)
                if not own:
                    partial = {m.topic: [m.score, list(m.evidence), m.parent]
                               for m in tax.loose.tag(doc, content, paragraph, found=near)}
            for _, _, ev, _ in own:
                evidence[qid].update(e.lstrip("@").lower() for e in ev if e[:1] != "~")
            pending.quotes[tax.id].append(PendingQuote(qid, own, partial))
    if features:
        pending.features = topic_tagger.document_features(doc)
    spans = phrase_spans(doc, [r[1] for r in located.values() if r[0][0] < r[0][1]])
    tokens = PhraseTokens(doc) if quotes else None
    max_words = settings.issue_phrase["max_words"]
    pending.candidates = {}
    for q in quotes:        # the issue phrase comes from what was said: each piece, not the words between
        qid = q["quote_id"]
        pending.candidates[qid] = [candidate for piece in pieces[qid] or [located[qid][0]]
                                   for candidate in phrase_candidates(doc, piece, evidence[qid], max_words, spans, tokens)]
    return pending


ADAPTIVE_EVIDENCE = "(corpus-adaptive)"


def document_topics(tax: Taxonomy, every: list[TopicMatch], scores: dict[str, float] | None = None) -> list[Found]:
    """The article's topics in one taxonomy, ranked; [] (unassigned) when the top score is under
    `doc_threshold`. `scores` (from the adaptive step) replace the major topics' lexicon scores,
    as topic_tagger's tag_document does; a topic the lexicon had no evidence for says so."""
    own = {m.topic: m.score for m in every}
    if scores is not None:
        own = {t: v for t, v in own.items() if t in tax.tagger.parents}
        own.update(scores)
    evidence = {m.topic: m.evidence for m in every}
    threshold = tax.tagger.doc_scoring["doc_threshold"]
    if not own or max(own.values()) < threshold:
        return []
    return _ordered(((t, round(v, 4), evidence.get(t) or [ADAPTIVE_EVIDENCE], tax.tagger.parents.get(t))
                     for t, v in own.items() if round(v, 4) >= threshold and v > 0), tax.tagger._order())


def with_prior(tax: Taxonomy, partial: dict[str, list], prior: dict[str, tuple[float, list[str]]]) -> list[Found]:
    """A bare quote's topics: its paragraph's partial evidence plus the article's topics at
    `prior_weight` x their share of the article's top score (evidence marked "^")."""
    partial = {t: [v[0], list(v[1]), v[2]] for t, v in partial.items()}
    weight = tax.scoring["prior_weight"]
    for topic, (share, evidence) in prior.items() if weight > 0 else ():
        entry = partial.setdefault(topic, [0.0, [], tax.tagger.parents.get(topic)])
        entry[0] += weight * share
        entry[1] += [f"^{e}" for e in evidence[:3]]
    order = tax.tagger._order()
    return _ordered(((t, round(v[0], 4), v[1], v[2]) for t, v in partial.items()
                     if round(v[0], 4) >= tax.tagger.threshold), order)


def finish_document(pending: PendingDocument, settings: TopicsSettings,
                    adapted: dict[str, dict[str, dict[str, float]]] | None = None) -> tuple[list[dict], list[dict]]:
    """(doc_topics rows, quote_topics rows without issue_phrase) of one read document."""
    doc_rows, quote_rows = [], []
    for tax in settings.taxonomies:
        labels = tax.tagger.labels
        scores = (adapted or {}).get(tax.id, {}).get(pending.doc_id)
        ranked = document_topics(tax, pending.doc_scores[tax.id], scores)
        for rank, (topic, score, evidence, _) in enumerate(ranked, 1):
            doc_rows.append({"doc_id": pending.doc_id, "taxonomy": tax.id, "topic": topic, "label": labels[topic],
                             "rank": rank, "score": score, "evidence": evidence[:10]})
        if not ranked:
            doc_rows.append({"doc_id": pending.doc_id, "taxonomy": tax.id, "topic": UNASSIGNED,
                             "label": UNASSIGNED, "rank": 1, "score": 0.0, "evidence": []})
        top = ranked[0][1] if ranked else 0.0
        prior = {t: (score / top, [e for e in ev if e != ADAPTIVE_EVIDENCE]) for t, score, ev, _ in ranked} if top else {}
        for quote in pending.quotes[tax.id]:
            found = quote.own or with_prior(tax, quote.partial, prior)
            for rank, (topic, score, evidence, _) in enumerate(found, 1):
                quote_rows.append({"quote_id": quote.quote_id, "doc_id": pending.doc_id, "taxonomy": tax.id,
                                   "topic": topic, "label": labels[topic], "rank": rank, "score": score,
                                   "evidence": evidence})
            if not found:
                quote_rows.append({"quote_id": quote.quote_id, "doc_id": pending.doc_id, "taxonomy": tax.id,
                                   "topic": UNASSIGNED, "label": UNASSIGNED, "rank": 1, "score": 0.0,
                                   "evidence": []})
    return doc_rows, quote_rows


def adapt(pending: list[PendingDocument], settings: TopicsSettings) -> dict[str, dict[str, dict[str, float]]]:
    """The corpus-adaptive step (topic_tagger.adapt_scores) of every taxonomy that enables it:
    taxonomy -> doc_id -> major topic scores."""
    out = {}
    for tax in settings.taxonomies:
        if not tax.tagger.adaptive.get("enabled"):
            continue
        raw = [{m.topic: m.score for m in p.doc_scores[tax.id] if m.parent is None} for p in pending]
        adapted = topic_tagger.adapt_scores([p.features or Counter() for p in pending], raw, tax.tagger.adaptive,
                                            threshold=tax.tagger.doc_scoring["doc_threshold"])
        out[tax.id] = {p.doc_id: scores for p, scores in zip(pending, adapted)}
    return out


def tag_document(parsed: ParsedDoc, quotes: Iterable[dict], settings: TopicsSettings) -> list[dict]:
    """quote_topics rows of one parsed document alone (no corpus: no adaptive step, issue phrases
    ranked within the document)."""
    pending = read_document(parsed, quotes, settings)
    _, rows = finish_document(pending, settings)
    phrases = choose_phrases(pending.candidates, settings.issue_phrase)
    return [{**row, "issue_phrase": phrases.get(row["quote_id"])} for row in rows]


@contextmanager
def _cycle_collector_paused():
    """Python's cyclic garbage collector paused for the pass over the documents. The pass makes
    millions of short-lived objects (hits, spans, tuples), all freed by reference counting; each
    of the collector's full sweeps would walk every object the process holds (in `run`, the earlier
    stages' too) for nothing: about a sixth of the pass's time on PolNeAR dev. It runs again after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def unassigned_rows(doc_id: str, quotes: list[dict], settings: TopicsSettings) -> tuple[list[dict], list[dict]]:
    """The rows of a document whose tagging failed: unassigned in every taxonomy, each quote too."""
    blank = {"topic": UNASSIGNED, "label": UNASSIGNED, "rank": 1, "score": 0.0, "evidence": []}
    doc_rows = [{"doc_id": doc_id, "taxonomy": tax.id, **blank} for tax in settings.taxonomies]
    quote_rows = [{"quote_id": q["quote_id"], "doc_id": doc_id, "taxonomy": tax.id, **blank}
                  for tax in settings.taxonomies for q in quotes]
    return doc_rows, quote_rows


def tag_corpus(out_dir: Path, quotes: Iterable[dict], settings: TopicsSettings,
               progress: str | None = "topics", failures: list[dict] | None = None,
               cache: DocumentCache | None = None, n_process: int | str = 1) -> tuple[list[dict], list[dict]]:
    """(doc_topics rows for every parsed document, quote_topics rows for the quotes given). A
    document whose tagging raises is unassigned, and a rejects row in `failures` (else it is quiet).
    With `cache`, a document read by an earlier run with the same inputs is not read again, and the
    documents are read on `n_process` worker processes (pipeline/core/workers.py)."""
    by_doc = quotes_by_doc(quotes)
    fine_grained = needs_fine_grained(settings)
    if cache is None:
        parsed_docs = iter_parsed_docs(Path(out_dir), progress=progress, fine_grained=fine_grained)
        pending, failed = read_documents(parsed_docs, by_doc, settings)
        return finish_corpus(pending, failed, by_doc, settings, failures)
    # an incremental run reads only the documents whose tokens or quotes changed; the corpus part
    # (adaptive step, article priors, issue phrases) always runs on every document
    failed: dict[str, Exception] = {}
    keys = {doc_id: digest(key, by_doc.get(doc_id, [])) for doc_id, key in body_keys(Path(out_dir)).items()}
    order = document_order(Path(out_dir))
    per_document = cache.through(order, keys, spread(lambda ids: each_document_read(
        iter_parsed_docs(Path(out_dir), progress=progress, fine_grained=fine_grained, only=ids), by_doc, settings,
        failed), order, n_process, collect=(failed,)))
    pending = [item for _, item in per_document]
    return finish_corpus(pending, failed, by_doc, settings, failures)


def quotes_by_doc(quotes: Iterable[dict]) -> dict[str, list[dict]]:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for quote in quotes:
        by_doc[quote["doc_id"]].append(quote)
    return by_doc


def needs_fine_grained(settings: TopicsSettings) -> bool:
    """Nothing here reads fine-grained tags or morphology, unless a token pattern does."""
    return any(tax.tagger.pattern_attrs & {"TAG", "MORPH"} for tax in settings.taxonomies)


def read_documents(parsed_docs: Iterable[ParsedDoc], by_doc: dict[str, list[dict]], settings: TopicsSettings
                   ) -> tuple[list[PendingDocument], dict[str, Exception]]:
    """The per-document part of `tag_corpus`: (read documents, doc_id -> the exception of each
    document whose reading raised). The Dask engine runs it on each partition."""
    failed: dict[str, Exception] = {}      # one document cannot sink the run: it is left unassigned
    pending = [item for _, item in each_document_read(parsed_docs, by_doc, settings, failed)]
    return pending, failed


def each_document_read(parsed_docs: Iterable[ParsedDoc], by_doc: dict[str, list[dict]], settings: TopicsSettings,
                       failed: dict[str, Exception]) -> Iterator[tuple[str, PendingDocument]]:
    """(doc_id, the document read) per parsed document; one whose reading raises goes to `failed`."""
    features = any(tax.tagger.adaptive.get("enabled") for tax in settings.taxonomies)
    with _cycle_collector_paused():
        for parsed in parsed_docs:
            try:
                item = read_document(parsed, by_doc.get(parsed.doc_id, []), settings, features)
            except Exception as exc:
                failed[parsed.doc_id] = exc
                continue
            yield parsed.doc_id, item


def finish_corpus(pending: list[PendingDocument], failed: dict[str, Exception], by_doc: dict[str, list[dict]],
                  settings: TopicsSettings, failures: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """The corpus part of `tag_corpus`: the adaptive scores, each document's rows, issue phrases."""
    features = any(tax.tagger.adaptive.get("enabled") for tax in settings.taxonomies)
    adapted = without_failing_step(STAGE, "adaptive scores", failures, lambda: adapt(pending, settings),
                                   dict) if features else {}
    doc_rows, quote_rows, candidates = [], [], {}
    for item in pending:
        try:
            d_rows, q_rows = finish_document(item, settings, adapted)
        except Exception as exc:
            failed[item.doc_id] = exc
            continue
        doc_rows += d_rows
        quote_rows += q_rows
        candidates.update(item.candidates)
    for doc_id in failed:
        d_rows, q_rows = unassigned_rows(doc_id, by_doc.get(doc_id, []), settings)
        doc_rows += d_rows
        quote_rows += q_rows
    if failures is not None:
        failures.extend(document_failure(STAGE, doc_id, exc) for doc_id, exc in failed.items())
    phrases = without_failing_step(STAGE, "issue phrases", failures,
                                   lambda: choose_phrases(candidates, settings.issue_phrase), dict)
    for row in quote_rows:
        row["issue_phrase"] = phrases.get(row["quote_id"])
    return doc_rows, quote_rows


def tag_quotes(out_dir: Path, quotes: Iterable[dict], settings: TopicsSettings) -> list[dict]:
    """quote_topics rows for quote dicts (doc_id, quote_id, content_start, content_end, and
    content_spans when the content is in pieces)."""
    return tag_corpus(out_dir, quotes, settings, progress=None)[1]


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))  # its clock starts
    started = time.perf_counter()
    # every taxonomy checked before any table is touched; phrases the compiled file lacks (a custom
    # taxonomy) are lemmatised once and kept in the output folder's cache
    settings = load_settings(config_dir, cache=Path(out_dir) / topic_phrases.CACHE_NAME)
    built = time.perf_counter()
    if not table_path(QUOTES, out_dir).exists():
        raise PipelineError(f"{table_path(QUOTES, out_dir)}: missing; run the 'quotes' stage first")
    record.add_input_tables(TOKENS.name, QUOTES.name)
    quotes = read_table(QUOTES, out_dir, columns=QUOTE_COLUMNS).to_pylist()
    failures: list[dict] = []
    cache = DocumentCache(Path(out_dir), STAGE, settings_key(out_dir, config_dir, STAGE),
                          classes=(PendingDocument, PendingQuote, TopicMatch))
    doc_rows, quote_rows = tag_corpus(out_dir, quotes, settings, failures=failures, cache=cache,
                                      n_process=run_n_process(config_dir))
    for row in failures:
        if row["level"] == "error":       # corpus-level warnings were printed where they happened
            print(f"[topics] error {row['code']}: {row['message']}", file=sys.stderr)
    write_table(DOC_TOPICS, doc_rows, out_dir)
    write_table(QUOTE_TOPICS, quote_rows, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[STAGE], failures)
    cache.save()
    record.rows = {"quote_topics": len(quote_rows), "doc_topics": len(doc_rows), "quotes": len(quotes),
                   "failed": len(failures), "reused": cache.reused}
    for tax in settings.taxonomies:
        record.rows[f"unassigned_quotes_{tax.id}"] = sum(1 for r in quote_rows
                                                         if r["taxonomy"] == tax.id and r["topic"] == UNASSIGNED)
        record.rows[f"unassigned_docs_{tax.id}"] = sum(1 for r in doc_rows
                                                       if r["taxonomy"] == tax.id and r["topic"] == UNASSIGNED)
    record.extra["taxonomies"] = [t.id for t in settings.taxonomies]
    record.extra["seconds_build_tagger"] = round(built - started, 3)
    record.extra["seconds_tagging"] = round(time.perf_counter() - built, 3)
    return record.write()
