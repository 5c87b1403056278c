"""Stage `topics`: the issues of each article and of each quote, in every configured taxonomy
-> `doc_topics.parquet` and `quote_topics.parquet` (with each quote's `issue_phrase`).

Taxonomies are data: one file per taxonomy in `configs/topics/` (CAP's major topics `cap:<code>`
by default, custom ones beside it), chosen and weighed in `configs/topics.toml`; the headers of
both say how to add a taxonomy or a topic. Every taxonomy file is checked (unknown keys, duplicate
ids, bad token patterns) before any table is read or written.

- Articles (`doc_topics`): each pattern match counts its weight times the weight of where it
  stands (headline, lead, rest; at most `max_repeats` times a pattern); topics ranked by score, the
  top row is the article's main issue; `unassigned` when the top score is below the threshold.
- Quotes (`quote_topics`): matches in the content count fully, in the rest of its sentence
  `context_weight`, in the rest of its paragraph `paragraph_weight` (evidence marked `~` and
  `≈`). A quote with no topic of its own inherits the article's topics at `prior_weight` times
  their share of the article's top score (evidence marked `^`), so short quotes ("It is a
  disaster.") are not left bare; with nothing reaching the threshold it gets `unassigned`.
- `issue_phrase`: the quote's noun phrase (or named entity) that best names its issue: noun
  phrases weighed by the rarity of their words across the corpus's quotes (TF-IDF-like), those
  holding topic evidence preferred.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
from spacy.attrs import IS_SPACE
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from .config import DEFAULT_CONFIG_DIR, config_files, load_toml, require
from .docs import ParsedDoc, iter_parsed_docs, shared_vocab
from .errors import ConfigError, PipelineError
from .io import read_table, table_path, write_table
from .manifest import StageRecord
from .schemas import DOC_TOPICS, QUOTE_TOPICS, QUOTES, TOKENS

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


# --------------------------------------------------------------------------------------------
# Configuration: configs/topics.toml (stage-wide) and configs/topics/<taxonomy>.toml

TAXONOMY_DIR = "topics"
STAGE_KEYS = {"taxonomies", "scoring", "document", "issue_phrase"}
SCORING_KEYS = {"threshold", "weak_weight", "context_weight", "paragraph_weight", "prior_weight"}
DOCUMENT_KEYS = {"headline_weight", "lead_weight", "body_weight", "lead_sentences", "max_repeats", "threshold"}
PHRASE_KEYS = {"max_words", "evidence_bonus"}
TAXONOMY_FILE_KEYS = {"taxonomy", "scoring", "topic", "entity_rule"}
TAXONOMY_KEYS = {"id", "label"}
TOPIC_KEYS = {"id", "label", "parent", "phrases", "weak", "token_patterns"}
PATTERN_KEYS = {"id", "weight", "pattern"}


@dataclass
class Taxonomy:
    id: str
    label: str
    path: Path
    scoring: dict                    # stage-wide [scoring] overridden by the file's own
    tagger: "TopicTagger"
    parents: dict[str, str]          # subtopic id -> parent id


@dataclass
class TopicsSettings:
    taxonomies: list[Taxonomy]
    document: dict
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
    """The structure of one taxonomy file: every key known, every topic well-formed; returns data.

    Errors name the file and the entry (`topic[3] 'cap:19'`). Patterns are compiled later, by
    build_tagger, before any table is touched."""
    _check_keys(data, TAXONOMY_FILE_KEYS, str(path))
    head = data.get("taxonomy")
    if head is None:
        raise ConfigError(f"{path}: missing the [taxonomy] table (id, label)")
    _check_keys(head, TAXONOMY_KEYS, f"{path}: [taxonomy]")
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
    for index, topic in enumerate(topics):
        where = f"{path}: topic[{index}]"
        if isinstance(topic, dict) and isinstance(topic.get("id"), str):
            where += f" '{topic['id']}'"
        _check_keys(topic, TOPIC_KEYS, where)
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
            _check_keys(pattern, PATTERN_KEYS, p_where)
            if not isinstance(pattern.get("id"), str) or not isinstance(pattern.get("pattern"), list) \
                    or not pattern["pattern"]:
                raise ConfigError(f"{p_where}: needs a string 'id' and a non-empty list 'pattern'")
    for index, topic in enumerate(topics):
        parent = topic.get("parent")
        if parent is not None and (not isinstance(parent, str) or parent not in seen or parent == topic["id"]):
            raise ConfigError(f"{path}: topic[{index}] '{topic['id']}': parent {parent!r} is not a topic of this file")
    rules = data.get("entity_rule", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError(f"{path}: [[entity_rule]] entries must be tables")
    return data


def load_settings(config_dir: Path | None = None, taxonomies: list[str] | None = None,
                  vocab=None) -> TopicsSettings:
    """Read and check configs/topics.toml and every taxonomy file, and build the taggers of the
    taxonomies that run (`taxonomies` overrides the config's list). Raises ConfigError, naming
    the file and the entry, before anything is read or written."""
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    stage_path = config_dir / f"{STAGE}.toml"
    stage = load_toml(stage_path)
    _check_keys(stage, STAGE_KEYS, str(stage_path))
    names = require(stage, "taxonomies", list, str(stage_path))
    if not names or not all(isinstance(n, str) and n for n in names) or len(set(names)) != len(names):
        raise ConfigError(f"{stage_path}: 'taxonomies' must be a non-empty list of distinct taxonomy ids")
    scoring = require(stage, "scoring", dict, str(stage_path))
    _check_keys(scoring, SCORING_KEYS, f"{stage_path}: [scoring]")
    missing = SCORING_KEYS - set(scoring)
    if missing:
        raise ConfigError(f"{stage_path}: [scoring] misses {', '.join(sorted(missing))}")
    _numbers(scoring, f"{stage_path}: [scoring]")
    document = require(stage, "document", dict, str(stage_path))
    _check_keys(document, DOCUMENT_KEYS, f"{stage_path}: [document]")
    if DOCUMENT_KEYS - set(document):
        raise ConfigError(f"{stage_path}: [document] misses {', '.join(sorted(DOCUMENT_KEYS - set(document)))}")
    _numbers(document, f"{stage_path}: [document]", {"lead_sentences", "max_repeats"})
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
        tagger = build_tagger({**data, "scoring": merged}, str(path), vocab=vocab)
        parents = {t["id"]: t["parent"] for t in data["topic"] if t.get("parent")}
        built.append(Taxonomy(name, data["taxonomy"]["label"], path, merged, tagger, parents))
    return TopicsSettings(built, document, phrase, [stage_path, *files])


def load_tagger(config_dir: Path | None = None, taxonomy: str | None = None) -> "TopicTagger":
    """The tagger of one taxonomy (default: the first one configured)."""
    settings = load_settings(config_dir, [taxonomy] if taxonomy else None)
    return settings.taxonomies[0].tagger


# --------------------------------------------------------------------------------------------
# Scoring matches by where they stand

Region = tuple[int, int, float, str]      # token start, token end, weight, evidence mark


def score_hits(tagger: "TopicTagger", doc: Doc, hits: list[tuple[str, int, int]], regions: list[Region],
               max_repeats: int = 1, parents: dict[str, str] | None = None) -> dict[str, tuple[float, list[str]]]:
    """{topic: (score, evidence)} from pattern hits: a hit counts its pattern's weight times the
    weight of the first region (in the order given) that holds it; a pattern counts at most
    `max_repeats` times (its best placed occurrences); a subtopic's score also counts for its parent."""
    per_key: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
    for key, s, e in hits:
        for r_start, r_end, weight, mark in regions:
            if s >= r_start and e <= r_end:
                if weight > 0:
                    per_key[key].append((tagger.weights[key] * weight, s, f"{mark}{doc[s:e].text}"))
                break
    per_topic: dict[str, list[tuple[float, int, str]]] = defaultdict(list)
    for key, values in per_key.items():
        values.sort(key=lambda v: (-v[0], v[1]))
        topic = key.split(SEP, 1)[0]
        per_topic[topic].extend(values[:max_repeats])
        parent = (parents or {}).get(topic)
        while parent:
            per_topic[parent].extend(values[:max_repeats])
            parent = (parents or {}).get(parent)
    out = {}
    for topic, values in per_topic.items():
        ordered = sorted(values, key=lambda v: (-v[0], v[1]))
        out[topic] = (round(sum(v[0] for v in values), 4), list(dict.fromkeys(v[2] for v in ordered)))
    return out


def ranked(scores: dict[str, tuple[float, list[str]]], threshold: float, order: dict[str, int]
           ) -> list[tuple[str, float, list[str]]]:
    """Topics reaching the threshold, best first (ties: a parent before its subtopic, then taxonomy order)."""
    kept = [(t, s, ev) for t, (s, ev) in scores.items() if s >= threshold and s > 0]
    return sorted(kept, key=lambda x: (-x[1], order.get(x[0], 0)))


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


def document_regions(doc: Doc, paragraphs: np.ndarray, settings: dict) -> list[Region]:
    """Headline (the first paragraph), lead (the next sentences), rest, with their weights."""
    n = len(doc)
    if not n:
        return []
    first = 0
    while first < n and doc[first].is_space:
        first += 1
    if first >= n:
        return []
    head_end = _span_of(paragraphs, first, first)[1]
    lead_end = head_end
    sentences = 0
    for sent in doc[head_end:].sents if head_end < n else []:
        if sentences >= settings["lead_sentences"]:
            break
        lead_end = sent.end
        if not all(t.is_space for t in sent):
            sentences += 1
    return [(0, head_end, settings["headline_weight"], ""), (head_end, lead_end, settings["lead_weight"], ""),
            (lead_end, n, settings["body_weight"], "")]


def token_range(parsed: ParsedDoc, start: int, end: int) -> tuple[int, int]:
    """Tokens overlapping the character range [start, end) of documents.text."""
    first = int(np.searchsorted(parsed.token_ends, start, side="right"))
    last = int(np.searchsorted(parsed.token_starts, end, side="left"))
    return first, max(first, last)


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
KEY_POS = {"NOUN", "PROPN", "ADJ", "NUM", "VERB"}


NOT_ISSUES = {"PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT", "MONEY", "QUANTITY"}


def phrase_spans(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the noun phrases and of the named entities that can name an issue."""
    spans = []
    try:
        spans += [(c.start, c.end) for c in doc.noun_chunks]
    except ValueError:       # no dependency parse
        pass
    spans += [(e.start, e.end) for e in doc.ents if e.label_ not in NOT_ISSUES]
    return sorted(spans)


def phrase_candidates(doc: Doc, content: tuple[int, int], evidence_tokens: set[int], max_words: int,
                      spans: list[tuple[int, int]] | None = None) -> list[tuple[str, tuple[str, ...], bool]]:
    """(text, key lemmas, holds evidence) of the noun phrases and named entities inside the content.

    A candidate needs a noun; pronouns, people's names (who, not which issue) and phrases longer
    than `max_words` content words are left out; leading and trailing punctuation is trimmed."""
    c_start, c_end = content
    if spans is None:
        spans = phrase_spans(doc)
    out, seen = [], set()
    for s, e in spans:
        if s < c_start or e > c_end:
            continue
        while s < e and (doc[s].is_punct or doc[s].is_space or doc[s].pos_ in ("CCONJ", "PRON") and doc[s].dep_ != "poss"):
            s += 1
        while e > s and (doc[e - 1].is_punct or doc[e - 1].is_space):
            e -= 1
        if s >= e or (s, e) in seen:
            continue
        seen.add((s, e))
        tokens = doc[s:e]
        if not any(t.pos_ in PHRASE_POS for t in tokens) or all(t.ent_type_ == "PERSON" for t in tokens
                                                                   if t.pos_ in PHRASE_POS):
            continue
        key = tuple(t.lemma_.lower() for t in tokens if t.pos_ in KEY_POS and not t.is_stop and t.is_alpha)
        if not key or len(key) > max_words:
            continue
        out.append((tokens.text, key, any(i in evidence_tokens for i in range(s, e))))
    return out


def choose_phrases(candidates: dict[str, list[tuple[str, tuple[str, ...], bool]]], settings: dict
                   ) -> dict[str, str | None]:
    """quote_id -> its issue phrase: the candidate with the highest sum of its words' inverse
    document frequency across the corpus's quotes, times `evidence_bonus` when it holds topic
    evidence; ties go to the earlier phrase. None when a quote has no candidate."""
    df: Counter = Counter()
    for cands in candidates.values():
        df.update({w for _, key, _ in cands for w in key})
    n = len(candidates) or 1
    out = {}
    for qid, cands in candidates.items():
        best, best_weight = None, 0.0
        for text, key, evidence in cands:
            weight = sum(math.log((n + 1) / (df[w] + 1)) + 1 for w in key)
            if evidence:
                weight *= settings["evidence_bonus"]
            if weight > best_weight:
                best, best_weight = text, weight
        out[qid] = best
    return out


# --------------------------------------------------------------------------------------------
# The stage's heart: one parsed document

@dataclass
class DocumentResult:
    doc_rows: list[dict]
    quote_rows: list[dict]
    candidates: dict[str, list]         # quote_id -> issue phrase candidates


def tag_parsed(parsed: ParsedDoc, quotes: Iterable[dict], settings: TopicsSettings) -> DocumentResult:
    """doc_topics and quote_topics rows (issue_phrase not yet chosen) for one parsed document.

    Each quote dict needs quote_id, content_start and content_end (offsets into documents.text)."""
    doc = parsed.doc
    quotes = list(quotes)
    paragraphs = paragraph_bounds(doc)
    doc_regions = document_regions(doc, paragraphs, settings.document)
    doc_rows, quote_rows = [], []
    located = {q["quote_id"]: quote_regions(parsed, q["content_start"], q["content_end"], paragraphs) for q in quotes}
    evidence_tokens: dict[str, set[int]] = defaultdict(set)
    for tax_index, tax in enumerate(settings.taxonomies):
        tagger, order = tax.tagger, {t: i for i, t in enumerate(tax.tagger.labels)}
        hits = tagger.matches(doc, 0, len(doc)) if len(doc) else []
        doc_scores = score_hits(tagger, doc, hits, doc_regions, settings.document["max_repeats"], tax.parents)
        doc_ranked = ranked(doc_scores, settings.document["threshold"], order)
        for rank, (topic, score, evidence) in enumerate(doc_ranked, 1):
            doc_rows.append({"doc_id": parsed.doc_id, "taxonomy": tax.id, "topic": topic,
                             "label": tagger.labels[topic], "rank": rank, "score": score, "evidence": evidence[:10]})
        if not doc_ranked:
            doc_rows.append({"doc_id": parsed.doc_id, "taxonomy": tax.id, "topic": UNASSIGNED,
                             "label": UNASSIGNED, "rank": 1, "score": 0.0, "evidence": []})
        top = doc_ranked[0][1] if doc_ranked else 0.0
        prior = {t: (s / top, ev) for t, s, ev in doc_ranked} if top else {}
        scoring = tax.scoring
        for quote in quotes:
            qid = quote["quote_id"]
            content, sentence, paragraph = located[qid]
            if content[0] >= content[1]:
                found = []
            else:
                regions = [(*content, 1.0, ""), (*sentence, scoring["context_weight"], "~"),
                           (*paragraph, scoring["paragraph_weight"], "≈")]
                inside = [h for h in hits if h[1] >= paragraph[0] and h[2] <= paragraph[1]]
                own = score_hits(tagger, doc, inside, regions, 1, tax.parents)
                evidence_tokens[qid].update(i for _, s, e in inside if s >= content[0] and e <= content[1]
                                            for i in range(s, e))
                found = ranked(own, scoring["threshold"], order)
                if not found and prior and scoring["prior_weight"] > 0:
                    mixed = {t: (own.get(t, (0.0, []))[0] + scoring["prior_weight"] * share,
                                 own.get(t, (0.0, []))[1] + [f"^{e}" for e in ev[:3]])
                             for t, (share, ev) in prior.items()}
                    found = ranked({t: (round(s, 4), ev) for t, (s, ev) in mixed.items()}, scoring["threshold"], order)
            for rank, (topic, score, evidence) in enumerate(found, 1):
                quote_rows.append({"quote_id": qid, "doc_id": parsed.doc_id, "taxonomy": tax.id, "topic": topic,
                                   "label": tagger.labels[topic], "rank": rank, "score": score,
                                   "evidence": evidence})
            if not found:
                quote_rows.append({"quote_id": qid, "doc_id": parsed.doc_id, "taxonomy": tax.id,
                                   "topic": UNASSIGNED, "label": UNASSIGNED, "rank": 1, "score": 0.0,
                                   "evidence": []})
    spans = phrase_spans(doc) if quotes else []
    candidates = {q["quote_id"]: phrase_candidates(doc, located[q["quote_id"]][0], evidence_tokens[q["quote_id"]],
                                                   settings.issue_phrase["max_words"], spans) for q in quotes}
    return DocumentResult(doc_rows, quote_rows, candidates)


def tag_document(parsed: ParsedDoc, quotes: Iterable[dict], settings: TopicsSettings) -> list[dict]:
    """quote_topics rows of one parsed document (issue phrases chosen within the document alone)."""
    result = tag_parsed(parsed, quotes, settings)
    phrases = choose_phrases(result.candidates, settings.issue_phrase)
    return [{**row, "issue_phrase": phrases.get(row["quote_id"])} for row in result.quote_rows]


def tag_corpus(out_dir: Path, quotes: Iterable[dict], settings: TopicsSettings,
               progress: str | None = "topics") -> tuple[list[dict], list[dict]]:
    """(doc_topics rows for every parsed document, quote_topics rows for the quotes given)."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for quote in quotes:
        by_doc[quote["doc_id"]].append(quote)
    doc_rows, quote_rows, candidates = [], [], {}
    for parsed in iter_parsed_docs(Path(out_dir), progress=progress):
        result = tag_parsed(parsed, by_doc.get(parsed.doc_id, []), settings)
        doc_rows += result.doc_rows
        quote_rows += result.quote_rows
        candidates.update(result.candidates)
    phrases = choose_phrases(candidates, settings.issue_phrase)
    for row in quote_rows:
        row["issue_phrase"] = phrases.get(row["quote_id"])
    return doc_rows, quote_rows


def tag_quotes(out_dir: Path, quotes: Iterable[dict], settings: TopicsSettings) -> list[dict]:
    """quote_topics rows for quote dicts (doc_id, quote_id, content_start, content_end)."""
    return tag_corpus(out_dir, quotes, settings, progress=None)[1]


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    started = time.perf_counter()
    settings = load_settings(config_dir)     # every taxonomy checked before any table is touched
    built = time.perf_counter()
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    if not table_path(QUOTES, out_dir).exists():
        raise PipelineError(f"{table_path(QUOTES, out_dir)}: missing; run the 'quotes' stage first")
    record.add_input_tables(TOKENS.name, QUOTES.name)
    quotes = read_table(QUOTES, out_dir, columns=["quote_id", "doc_id", "content_start", "content_end"]).to_pylist()
    doc_rows, quote_rows = tag_corpus(out_dir, quotes, settings)
    write_table(DOC_TOPICS, doc_rows, out_dir)
    write_table(QUOTE_TOPICS, quote_rows, out_dir)
    record.rows = {"quote_topics": len(quote_rows), "doc_topics": len(doc_rows), "quotes": len(quotes)}
    for tax in settings.taxonomies:
        record.rows[f"unassigned_quotes_{tax.id}"] = sum(1 for r in quote_rows
                                                         if r["taxonomy"] == tax.id and r["topic"] == UNASSIGNED)
        record.rows[f"unassigned_docs_{tax.id}"] = sum(1 for r in doc_rows
                                                       if r["taxonomy"] == tax.id and r["topic"] == UNASSIGNED)
    record.extra["taxonomies"] = [t.id for t in settings.taxonomies]
    record.extra["seconds_build_tagger"] = round(built - started, 3)
    record.extra["seconds_tagging"] = round(time.perf_counter() - built, 3)
    return record.write()
