"""The matching and scoring core of `topics`: a taxonomy file compiled into matchers, and scores.

API (the contract the `topics` stage relies on)
-----------------------------------------------
- ``load_taxonomy(path, vocab=None) -> TopicTagger``: one taxonomy file (``configs/topics/*.toml``)
  read and checked; any problem is a ``ConfigError`` naming the file and the entry.
- ``build_tagger(config, source, vocab=None, config_dir=None, cache=None) -> TopicTagger``: the same
  from a parsed TOML dict. The phrases' words and lemmas come from the compiled file
  (``pipeline.steps.topic_phrases``); only phrases it lacks are lemmatised with the model (kept in ``cache``).
- ``TopicTagger.tag(doc, content, context) -> list[TopicMatch]``: topics of one quote. ``content``
  and ``context`` are token ranges (the quote, its sentence(s)); a pattern found only in the
  context counts ``context_weight`` of its weight (evidence marked ``~``). Every topic whose score
  reaches ``scoring.threshold`` is returned, in taxonomy order; ``[]`` means unassigned.
- ``TopicTagger.tag_document(doc, title_end=0, scores=None) -> list[TopicMatch]``: topics of a
  whole article, ranked by score (the first is the article's main issue); ``[]`` means unassigned.
  Tokens ``[0, title_end)`` are the headline (weight ``title_weight``), the next
  ``lead_sentences`` sentences the lead (``lead_weight``), the rest the body (``body_weight``;
  weak hints there count ``body_weak_factor``). A pattern found again counts ``repeat_decay``
  times its previous occurrence (diminishing returns). A document whose top score is under
  ``doc_threshold`` is unassigned. ``scores`` (from ``adapt_scores``) replaces the major topics'
  lexicon scores; the evidence stays the lexicon's.
- ``TopicTagger.document_scores(doc, title_end=0) -> dict[major topic id, score]``: the raw
  major-topic scores behind ``tag_document`` (input of the adaptive step).
- ``document_features(doc) -> Counter[str]``: content-word lemmas, lemma bigrams and multi-word
  entity texts of a document, the features of the adaptive step.
- ``adapt_scores(features, scores, settings, threshold) -> list[dict[topic, score]]``: the
  corpus-adaptive step, called once per corpus with every document's features and lexicon scores
  (same order; ``settings`` = ``tagger.adaptive``, ``threshold`` = ``doc_scoring["doc_threshold"]``).
  Pure: it is fitted on the corpus being processed and never stored. (1) In long documents
  (>= ``background_min_words`` content words) each topic loses ``background`` x its corpus mean
  (``remove_background``): politics words run through all political news. (2) A multinomial
  naive Bayes (numpy) is trained on the documents the lexicon labels confidently (top score >=
  ``min_score`` and >= ``min_ratio`` x the second); each document then gets ``score + weight x
  top score x posterior`` per topic, and a document the lexicon left bare gets the model's topic
  only when its posterior reaches ``min_posterior``; ``rounds`` rounds, each trained on the
  previous round's confident documents and adding its posterior to the lexicon scores (a round's
  additions are not compounded by the next: the rounds refine the training set, not the scores).
  It learns the corpus's own names and jargon from the lexicon's sure cases. Give the result to ``tag_document(..., scores=...)``.
- ``TopicMatch``: ``topic`` (``cap:19``), ``label``, ``score``, ``evidence`` (phrases as written;
  ``~`` = context only; ``@`` = a named entity rule), ``parent`` (the major topic of a subtopic).

Semantics of a taxonomy (the file header of ``configs/topics/cap.toml`` says it for editors): a
subtopic's (``parent = ...``) hits also count for its parent (a phrase in both, once); a phrase
covering only part of a short name ("Mexico" in "New Mexico") is no evidence, nor is one inside
a longer phrase or pattern of another major topic ("Revenue" in "Internal Revenue Code",
"insurance" in "health insurance": the longer phrase says what the words mean); named entities
count through ``[[entity_rule]]`` entries (entity types, or a list of names matched when
capitalised); a rule with ``yield_to`` gives its weight to the strongest of those topics when
the text has lexical evidence for one of them at least as strong as for the rule's own topic (a
foreign country plus trade words is trade; with more diplomacy words than trade words it stays
foreign news), and
one with ``absorb`` counts those topics' hits in its sentence for its own topic (another
country's elections are foreign news).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy import symbols
from spacy.attrs import ENT_IOB, ENT_TYPE, IS_ALPHA, IS_STOP, LEMMA, LENGTH, LOWER, ORTH, POS, SENT_START, SPACY
from spacy.matcher import Matcher
from spacy.strings import get_string_id
from spacy.tokens import Doc

from pipeline.core.config import load_toml, require
from pipeline.steps.docs import shared_vocab
from pipeline.core.errors import ConfigError
from pipeline.core.schemas import UNASSIGNED
from pipeline.steps.topic_phrases import analyse, is_exact

SEP = "\t"

# Keys a taxonomy file may hold; anything else is a ConfigError (a typo must not pass silently).
TOP_KEYS = {"taxonomy", "scoring", "topic", "entity_rule", "adaptive"}
TAXONOMY_KEYS = {"id", "label", "description"}
TOPIC_KEYS = {"id", "label", "parent", "phrases", "weak", "token_patterns", "description", "yield_ratio"}
PATTERN_KEYS = {"id", "pattern", "weight"}
ENTITY_RULE_KEYS = {"id", "topic", "labels", "texts", "exclude", "weight", "yield_to", "absorb"}
# Scoring of documents: optional in a file (a quote-only taxonomy needs none), defaults here.
DOC_SCORING_DEFAULTS = {"title_weight": 2.0, "lead_weight": 1.5, "body_weight": 1.0, "lead_sentences": 3,
                        "repeat_decay": 0.5, "doc_threshold": 1.0, "body_weak_factor": 1.0}
SCORING_KEYS = {"threshold", "context_weight", "weak_weight", *DOC_SCORING_DEFAULTS}
ADAPTIVE_DEFAULTS = {"enabled": True, "background": 1.5, "background_min_words": 100, "rounds": 2,
                     "min_score": 2.0, "min_ratio": 2.0, "min_examples": 30,
                     "weight": 0.5, "min_posterior": 0.5, "smoothing": 0.1, "min_df": 2}


@dataclass
class TopicMatch:
    topic: str
    label: str
    score: float
    evidence: list[str]            # matched phrases as written, content first, then context
    parent: str | None = None      # the major topic of a subtopic


class PhraseTable:
    """Phrases as word tuples -> match keys, found in a run of words: what spaCy's PhraseMatcher
    finds, in its order (by start, then length; the keys of one span in PhraseMatcher's order,
    see `_phrasematcher_order`), without building a pattern Doc per phrase or writing an attribute
    onto the Doc's tokens."""

    def __init__(self):
        self.patterns: dict[tuple[str, ...], list[str]] = {}   # words -> keys, in PhraseMatcher's order
        self.lengths: dict[str, list[int]] = {}         # first word -> lengths of its phrases, ascending
        self._added: dict[tuple[str, ...], list[str]] = {}     # words -> keys, in the order added

    def add(self, key: str, words: tuple[str, ...]) -> None:
        if not words:
            return
        words = tuple(words)
        added = self._added.setdefault(words, [])
        if key not in added:
            added.append(key)
            # (one key has one order: the hash map's order matters from two keys on)
            self.patterns[words] = _phrasematcher_order(added) if len(added) > 1 else [key]
        lengths = self.lengths.setdefault(words[0], [])
        if len(words) not in lengths:
            lengths.append(len(words))
            lengths.sort()

    def __len__(self) -> int:
        return len(self.patterns)

    def find(self, words: "TokenStrings", start: int, end: int) -> list[tuple[str, int, int]]:
        """(key, token start, token end) of every phrase inside words[start:end]: looked up only
        where a phrase's first word stands (`words.positions`)."""
        out = []
        lengths, patterns, strings = self.lengths, self.patterns, words.strings
        positions = words.positions
        for word in positions.keys() & lengths.keys():      # the words a phrase begins with
            sizes = lengths[word]
            for i in positions[word]:
                if i < start or i >= end:
                    continue
                for n in sizes:
                    if i + n > end:
                        break
                    keys = patterns.get(tuple(strings[i:i + n]))
                    if keys:
                        out.extend((key, i, i + n) for key in keys)
        out.sort(key=lambda hit: (hit[1], hit[2]))        # stable: a span's keys in the order added
        return out


def _phrasematcher_order(keys: list[str]) -> list[str]:
    """The keys of one phrase in the order spaCy's PhraseMatcher reports them on one span: the
    order of the cells of the hash map (preshed's: 8 cells, linear probing, doubled when 3/5 full)
    where it files their string hashes, in the order added. Reproduced so that a rule which keeps
    the first of equal hits decides as it did with the PhraseMatcher (tested against it)."""
    length, cells = 8, {}

    def insert(h: int) -> bool:
        i = h & (length - 1)
        while i in cells and cells[i] != h:
            i = (i + 1) & (length - 1)
        new = i not in cells
        cells[i] = h
        return new

    filled = 0
    for h in (get_string_id(k) for k in keys):
        filled += insert(h)
        if (filled + 1) * 5 >= length * 3:
            old = [cells[i] for i in sorted(cells)]
            length, cells, filled = length * 2, {}, 0
            for k in old:
                filled += insert(k)
    by_hash = {get_string_id(k): k for k in keys}
    return [by_hash[cells[i]] for i in sorted(cells)]


class TokenStrings:
    """One string per token (one way of reading the tokens), with where each string stands."""

    def __init__(self, strings: list[str], positions: dict[str, list[int]] | None = None):
        self.strings = strings
        if positions is None:
            positions = {}
            for i, word in enumerate(strings):
                positions.setdefault(word, []).append(i)
        self.positions = positions


def _strings_of(strings, column: np.ndarray) -> tuple[list[str], list[str], np.ndarray]:
    """(the string of each token, the distinct strings, each token's index among them) of a
    column of string hashes, each distinct hash looked up once."""
    unique, inverse = np.unique(column, return_inverse=True)
    names = [strings[int(h)] for h in unique]
    return list(map(names.__getitem__, inverse.tolist())), names, inverse


def _positions(names: list[str], inverse: np.ndarray) -> dict[str, list[int]]:
    """Distinct string -> the tokens where it stands, ascending (grouped with one stable sort;
    slices of one Python list, not an array per string)."""
    order = np.argsort(inverse, kind="stable").tolist()
    bounds = np.cumsum(np.bincount(inverse, minlength=len(names))).tolist()
    out, low = {}, 0
    for name, high in zip(names, bounds):
        out[name] = order[low:high]
        low = high
    return out


def token_words(doc: Doc) -> dict[str, TokenStrings]:
    """The three ways phrases are matched, per token of `doc`: "orth" (as written), "lower" and
    "norm" (lower-case lemma, else the lower form); read from the Doc's arrays in one pass, each
    distinct string (or lemma and lower form) looked at once."""
    if not len(doc):
        return {"orth": TokenStrings([]), "lower": TokenStrings([]), "norm": TokenStrings([])}
    strings = doc.vocab.strings
    columns = doc.to_array([ORTH, LOWER, LEMMA])
    out = {}
    for name, column in (("orth", columns[:, 0]), ("lower", columns[:, 1])):
        words, names, inverse = _strings_of(strings, column)
        out[name] = TokenStrings(words, _positions(names, inverse))
    # norm: per distinct (lemma, lower form), the lemma in lower case, else the lower form
    pairs, pair_inverse = np.unique(columns[:, [2, 1]], axis=0, return_inverse=True)
    index: dict[str, int] = {}
    pair_norm = [index.setdefault(strings[int(lemma)].lower() or strings[int(lower)], len(index))
                 for lemma, lower in pairs.tolist()]
    names = list(index)
    inverse = np.asarray(pair_norm, dtype=np.int64)[pair_inverse.reshape(-1)]
    out["norm"] = TokenStrings(list(map(names.__getitem__, inverse.tolist())), _positions(names, inverse))
    return out


@dataclass(frozen=True)
class EntityRule:
    rule_id: str
    topic: str
    labels: frozenset[str]         # entity types (GPE, NORP, ORG...)
    texts: frozenset[str]          # when given, only these entity texts (lower case)
    exclude: frozenset[str]        # entity texts that never count (lower case)
    weight: float
    yield_to: tuple[str, ...]      # topics that take the evidence when they have lexical evidence
    absorb: tuple[str, ...] = ()   # topics whose hits in the entity's sentence count for `topic`
    matcher: PhraseTable | None = field(default=None, compare=False, hash=False)   # `texts`, lower case


@dataclass
class TopicTagger:
    """A taxonomy compiled into matchers (built once per run)."""
    labels: dict[str, str]                       # topic id -> label (taxonomy order)
    weights: dict[str, float]                    # match key -> weight
    threshold: float
    context_weight: float
    lemma_matcher: PhraseTable                   # on lower-case lemmas ("norm")
    exact_matcher: PhraseTable                   # as written ("orth")
    token_matcher: Matcher
    _vocab: object = field(default=None, repr=False)
    parents: dict[str, str] = field(default_factory=dict)          # subtopic -> major topic
    entity_rules: list[EntityRule] = field(default_factory=list)
    doc_scoring: dict[str, float] = field(default_factory=lambda: dict(DOC_SCORING_DEFAULTS))
    adaptive: dict[str, float] = field(default_factory=lambda: dict(ADAPTIVE_DEFAULTS))
    taxonomy: str | None = None
    weak_keys: frozenset = frozenset()          # keys of the weak hints
    pattern_attrs: frozenset = frozenset()      # the token attributes its token patterns read (LOWER, TAG...)
    yield_ratio: dict[str, float] = field(default_factory=dict)   # "means" topic -> its `yield_ratio`
    # match key -> (topic, phrase, its lower case, its entity rule or None): keys are split once
    _keys: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _topic_order: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _key(self, key: str) -> tuple[str, str, str, "EntityRule | None"]:
        info = self._keys.get(key)
        if info is None:
            topic, phrase = key.split(SEP, 1)
            rule = None
            if phrase.startswith("@"):
                rule_id = phrase[1:].split(":", 1)[0]
                rule = next((r for r in self.entity_rules if r.rule_id == rule_id), None)
            info = self._keys[key] = (topic, phrase, phrase.lower(), rule)
        return info

    # ---------------------------------------------------------------- matching
    def matches(self, doc: Doc, start: int, end: int, words: dict[str, TokenStrings] | None = None
                ) -> list[tuple[str, int, int]]:
        """(match key, token start, token end) of every pattern and entity rule in doc[start:end].
        `words`: token_words(doc), when the caller already has it."""
        if doc.vocab is not self._vocab:
            raise ValueError("the tagger was built on another vocab: build it with build_tagger(vocab=doc.vocab) "
                             "or rebuild the Doc with pipeline.steps.docs (shared vocab)")
        words = words if words is not None else token_words(doc)
        span = doc[start:end]
        names = _short_names(doc)
        out = []
        for table, kind in ((self.lemma_matcher, "norm"), (self.exact_matcher, "orth")):
            out += [hit for hit in table.find(words[kind], start, end) if not _inside_name(names, hit[1], hit[2])]
        if len(self.token_matcher):
            if "NORM" in self.pattern_attrs:    # a NORM pattern sees the lemma, as the phrases do
                for token, norm in zip(span, words["norm"].strings[start:end]):
                    token.norm_ = norm
            # as_spans: doc-level offsets (the raw tuples are relative to the Span); the whole Doc
            # is matched as itself (a Span's tokens are fetched through it, twice the work)
            target = doc if start == 0 and end == len(doc) else span
            out += [(hit.label_, hit.start, hit.end) for hit in self.token_matcher(target, as_spans=True)
                    if not _inside_name(names, hit.start, hit.end)]
        out = self._outside_longer(out)
        if self.entity_rules:
            for rule in self.entity_rules:
                out.extend(self._entity_hits(rule, doc, words["lower"], start, end, names))
            out = self._absorb(doc, out)
        return out

    def _outside_longer(self, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """Without the hits that lie inside a longer hit of another major topic: the longer
        phrase is what the words mean ("Revenue" in "Internal Revenue Code" is not business
        news, "insurance" in "health insurance" is health)."""
        if len(found) < 2:
            return found
        covering: dict[int, list[tuple[int, str]]] = defaultdict(list)     # start -> (end, family)
        longest = 0
        for key, s, e in found:
            topic = self._key(key)[0]
            covering[s].append((e, self.parents.get(topic, topic)))
            longest = max(longest, e - s)
        out = []
        for key, s, e in found:
            topic = self._key(key)[0]
            family = self.parents.get(topic, topic)
            if not any(e2 >= e and e2 - start > e - s and other != family
                       for start in range(max(0, s - longest + 1), s + 1) for e2, other in covering.get(start, ())):
                out.append((key, s, e))
        return out

    def _entity_hits(self, rule: "EntityRule", doc: Doc, lower: TokenStrings, start: int, end: int,
                     names: dict[int, tuple[int, int]]) -> list[tuple[str, int, int]]:
        """Hits of one entity rule: with `texts`, those names wherever they stand capitalised and
        not part of another kind of entity (robust to a missed entity in an all-capitals
        headline); without, every entity of the rule's types not in `exclude`."""
        hits = []
        if rule.matcher is not None:
            found = [(s, e) for _, s, e in rule.matcher.find(lower, start, end) if doc[s].text[:1].isupper()
                     and not _inside_name(names, s, e)]
            for s, e in found:          # "Mexico" inside "Mexico City" counts once, as the longer
                if not any(o_s <= s and e <= o_e and o_e - o_s > e - s for o_s, o_e in found):
                    hits.append((_entity_text(doc[s:e]), s, e))
        else:
            for ent in doc_ents(doc):
                if ent.start >= start and ent.end <= end and ent.label_ in rule.labels:
                    text = _entity_text(ent)
                    if text not in rule.exclude:
                        hits.append((text, ent.start, ent.end))
        out = []
        for text, s, e in hits:
            key = f"{rule.topic}{SEP}@{rule.rule_id}:{text}"
            self.weights.setdefault(key, rule.weight)
            out.append((key, s, e))
        return out

    def _absorb(self, doc: Doc, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """Hits of a rule's `absorb` topics in a sentence where the rule fired count for the rule's
        topic: a foreign country's elections, courts or police are international affairs."""
        absorbing: dict[int, dict[str, str]] = defaultdict(dict)     # sentence number -> absorbed -> topic
        if not any((rule := self._rule_of(key)) is not None and rule.absorb for key, _, _ in found):
            return found
        sentence_of = np.cumsum(doc.to_array(SENT_START) == 1)        # token -> its sentence's number
        for key, s, _ in found:
            rule = self._rule_of(key)
            if rule is not None and rule.absorb:
                for topic in rule.absorb:
                    absorbing[int(sentence_of[s])][topic] = rule.topic
        out = []
        for key, s, e in found:
            topic, phrase = key.split(SEP, 1)
            target = absorbing.get(int(sentence_of[s]), {}).get(self.parents.get(topic, topic))
            if target is not None and not phrase.startswith("@"):
                new_key = f"{target}{SEP}{phrase}"
                self.weights.setdefault(new_key, self.weights[key])
                key = new_key
            out.append((key, s, e))
        return out

    def one_per_span(self, found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        """The hits with one key per (topic, token span): "visa" and "visas" (one lemma) or a phrase
        listed twice in a topic match the same words, which are one piece of evidence, not two.
        The kept key is the heaviest (then the first found); hits of other topics are untouched."""
        best: dict[tuple[str, int, int], int] = {}
        for n, (key, s, e) in enumerate(found):
            slot = (self._key(key)[0], s, e)
            if slot not in best or self.weights[key] > self.weights[found[best[slot]][0]]:
                best[slot] = n
        return [found[n] for n in sorted(best.values())]

    def _yield_means(self, per_key: dict[str, float]) -> dict[str, float]:
        """Without the keys of a "means" topic (one with `yield_ratio`: taxation is how a policy is
        made, not what it is about) when another major topic, outside the means topic's family, has
        phrase evidence (not weak hints, not names) of at least yield_ratio x the means topic's:
        a tax credit for health insurance is health policy. Alone, the means topic keeps its words."""
        if not self.yield_ratio:
            return per_key
        out = per_key
        for means, ratio in self.yield_ratio.items():
            own = {k: w for k, w in out.items() if self._key(k)[0] == means}
            if not own:
                continue
            family = {means, self.parents.get(means, means)}
            strength = self._lexical(own).get(means, 0.0)
            rivals = self._lexical({k: w for k, w in out.items() if k not in own and k not in self.weak_keys})
            if any(v > 0 and v >= ratio * strength for t, v in rivals.items()
                   if t not in family and self.parents.get(t) not in family):
                out = {k: w for k, w in out.items() if k not in own}
        return out

    def _rule_of(self, key: str) -> EntityRule | None:
        return self._key(key)[3]

    def _lexical(self, per_key: dict[str, float]) -> dict[str, float]:
        """Scores per topic from the phrase and pattern keys; a subtopic's hits also count for its
        parent, a phrase listed in both counting once there (its larger weight)."""
        lexical: dict[str, float] = defaultdict(float)
        rolled: dict[tuple[str, str], float] = {}
        for key, weight in per_key.items():
            topic, _, lower, rule = self._key(key)
            if rule is not None:
                continue
            major = self.parents.get(topic)
            if major is not None:
                lexical[topic] += weight
            major = major or topic
            rolled[major, lower] = max(rolled.get((major, lower), 0.0), weight)
        for (major, _), weight in rolled.items():
            lexical[major] += weight
        return lexical

    def _topic_scores(self, per_key: dict[str, float], lexical: dict[str, float] | None = None) -> dict[str, float]:
        """Scores per topic: the lexical scores (`lexical`: self._lexical(per_key), when the caller
        has them), plus entity evidence, moved to the strongest `yield_to` topic with lexical evidence."""
        if lexical is None:
            lexical = self._lexical(per_key)
        scores = defaultdict(float, lexical)
        for key, weight in per_key.items():
            rule = self._rule_of(key)
            if rule is None:
                continue
            target = self._evidence_topic(key, lexical)
            scores[target] += weight
            if target in self.parents:
                scores[self.parents[target]] += weight
        return scores

    def _evidence_topic(self, key: str, scores_lexical: dict[str, float]) -> str:
        topic, _, _, rule = self._key(key)
        if rule is None:
            return topic
        # a rival takes the names only when its words are at least as strong as the rule's own topic's
        own = scores_lexical.get(rule.topic, 0.0)
        rivals = [t for t in rule.yield_to if scores_lexical.get(t, 0.0) > 0 and scores_lexical[t] >= own]
        return max(rivals, key=lambda t: scores_lexical[t]) if rivals else topic

    def _matches_out(self, scores: dict[str, float], evidence: dict[str, list[str]], threshold: float,
                     ranked: bool) -> list[TopicMatch]:
        out = []
        order = self._order()
        # the scored topics in taxonomy order (not every label of the taxonomy)
        for topic in sorted((t for t in scores if t in order), key=order.__getitem__):
            score = round(scores[topic], 4)
            if score >= threshold and score > 0:
                out.append(TopicMatch(topic, self.labels[topic], score, list(dict.fromkeys(evidence.get(topic, []))),
                                      self.parents.get(topic)))
        if ranked:
            out.sort(key=lambda m: (-m.score, m.parent is not None, order[m.topic]))
        return out

    def _order(self) -> dict[str, int]:
        """Topic id -> its place in the taxonomy (computed once)."""
        if len(self._topic_order) != len(self.labels):
            self._topic_order = {t: i for i, t in enumerate(self.labels)}
        return self._topic_order

    def _evidence(self, surfaces: list[tuple[str, int, str]], lexical: dict[str, float]) -> dict[str, list[str]]:
        """Evidence per topic (subtopic evidence also shown on the parent), ordered by position."""
        out: dict[str, list[str]] = defaultdict(list)
        for key, _, surface in sorted(surfaces, key=lambda h: (h[2].startswith("~"), h[1])):
            topic = self._evidence_topic(key, lexical)
            out[topic].append(surface)
            if topic in self.parents:
                out[self.parents[topic]].append(surface)
        return out

    # ---------------------------------------------------------------- quotes
    def tag(self, doc: Doc, content: tuple[int, int], context: tuple[int, int],
            found: list[tuple[str, int, int]] | None = None,
            pieces: list[tuple[int, int]] | None = None) -> list[TopicMatch]:
        """Topics of the quote whose content is doc[content] within the sentence(s) doc[context].
        `pieces`: the content's token ranges when it is in pieces; a match between them (the
        speaker and cue of `“A,” he said. “B.”`) counts as context, not as content."""
        if found is None:
            found = self.matches(doc, *context)
        lo, hi = context
        found = self.one_per_span([hit for hit in found if hit[2] > lo and hit[1] < hi])    # in the context
        ranges = pieces or [content]
        best: dict[str, tuple[float, int, str]] = {}    # key -> (weight, position, surface)
        for key, s, e in found:
            inside = any(s >= c_start and e <= c_end for c_start, c_end in ranges)
            weight = self.weights[key] * (1.0 if inside else self.context_weight)
            surface = _surface(doc, s, e, key)
            surface = surface if inside else f"~{surface}"
            current = best.get(key)
            if current is None or weight > current[0]:
                best[key] = (weight, s, surface)
        per_key = self._yield_means({key: value[0] for key, value in best.items()})
        best = {key: value for key, value in best.items() if key in per_key}
        lexical = self._lexical(per_key)
        scores = self._topic_scores(per_key, lexical)
        evidence = self._evidence([(k, v[1], v[2]) for k, v in best.items()], lexical)
        return self._matches_out(scores, evidence, self.threshold, ranked=False)

    # ---------------------------------------------------------------- documents
    def _document_keys(self, doc: Doc, title_end: int = 0) -> tuple[dict[str, float], list[tuple[str, int, str]]]:
        """Weight per match key over the whole document (regions and diminishing repeats)."""
        scoring = self.doc_scoring
        title_end = max(0, min(int(title_end or 0), len(doc)))
        lead_end = title_end
        if len(doc) > title_end:
            sentences = 0
            for sent in doc[title_end:].sents:
                lead_end = sent.end
                sentences += 1
                if sentences >= scoring["lead_sentences"]:
                    break
        found = self.one_per_span(self.matches(doc, 0, len(doc)))
        occurrences: dict[str, list[float]] = defaultdict(list)
        first: dict[str, tuple[int, str]] = {}
        for key, s, e in found:
            region = (scoring["title_weight"] if s < title_end else
                      scoring["lead_weight"] if s < lead_end else
                      scoring["body_weight"] * (scoring["body_weak_factor"] if key in self.weak_keys else 1.0))
            occurrences[key].append(self.weights[key] * region)
            if key not in first or s < first[key][0]:
                first[key] = (s, _surface(doc, s, e, key))
        decay = scoring["repeat_decay"]
        per_key = self._yield_means({key: sum(w * decay ** i for i, w in enumerate(sorted(ws, reverse=True)))
                                     for key, ws in occurrences.items()})
        return per_key, [(k, s, surface) for k, (s, surface) in first.items() if k in per_key]

    def document_scores(self, doc: Doc, title_end: int = 0) -> dict[str, float]:
        """Raw scores of the major topics (no threshold): the adaptive step's input."""
        per_key, _ = self._document_keys(doc, title_end)
        scores = self._topic_scores(per_key)
        return {t: round(s, 4) for t, s in scores.items() if t not in self.parents and s > 0}

    def tag_document(self, doc: Doc, title_end: int = 0, scores: dict[str, float] | None = None
                     ) -> list[TopicMatch]:
        """Topics of a whole document, ranked by score; [] when the top score is under doc_threshold.

        `scores` (major topic -> score, e.g. from `adapt_scores`) replaces the major topics' lexicon
        scores when given; the evidence stays the lexicon's."""
        per_key, surfaces = self._document_keys(doc, title_end)
        lexical = self._lexical(per_key)
        own = self._topic_scores(per_key, lexical)
        if scores is not None:
            own = {t: s for t, s in own.items() if t in self.parents}
            own.update(scores)
        evidence = self._evidence(surfaces, lexical)
        threshold = self.doc_scoring["doc_threshold"]
        if not own or max(own.values()) < threshold:
            return []
        return self._matches_out(own, evidence, threshold, ranked=True)


NAME_TYPES = {"GPE", "LOC", "PERSON", "FAC"}
LONGEST_NAME = 3       # longer "entities" are mostly a title-case headline misread as one name


def _short_names(doc: Doc) -> dict[int, tuple[int, int]]:
    """Token index -> (start, end) of the short name (person, place) it belongs to (the caller
    must not change it: it is the current Doc's, shared)."""
    ents = doc_ents(doc)
    memo = doc_memo(doc)
    if "names" in memo:
        return memo["names"]
    out = memo["names"] = {}
    for ent in ents:
        if ent.label_ in NAME_TYPES and len(ent) <= LONGEST_NAME:
            for i in range(ent.start, ent.end):
                out[i] = (ent.start, ent.end)
    return out


def _inside_name(names: dict[int, tuple[int, int]], start: int, end: int) -> bool:
    """A match covering only part of a name ("Mexico" in "New Mexico", "Jordan" in "Michael
    Jordan") is not evidence."""
    name = names.get(start) or names.get(end - 1)
    return name is not None and (name[0] < start or name[1] > end)


def _entity_text(ent) -> str:
    text = ent.text.lower().strip()
    return text[4:] if text.startswith("the ") else text



_MEMO: list = [None, {}]      # [the Doc last asked about, what was read of it]


def doc_memo(doc: Doc) -> dict:
    """What is read of the current Doc more than once (its entities, span texts): each taxonomy's
    tagger and each quote whose paragraph holds a hit read them again. Kept for one Doc at a time
    (the one last asked about, held so that it is not mistaken for another)."""
    if _MEMO[0] is not doc:
        _MEMO[0], _MEMO[1] = doc, {}
    return _MEMO[1]


def doc_ents(doc: Doc) -> tuple:
    """doc.ents, built once for the current Doc (each call of doc.ents makes every Span again);
    built again when the Doc's entity tags changed since (`doc.ents = ...`)."""
    memo = doc_memo(doc)
    tags = doc.to_array([ENT_IOB, ENT_TYPE]).tobytes()
    if memo.get("ent_tags") != tags:
        memo.pop("names", None)
        memo["ents"], memo["ent_tags"] = doc.ents, tags
    return memo["ents"]


def _span_text(doc: Doc, s: int, e: int) -> str:
    """doc[s:e].text (the tokens with the spaces between them), from the current Doc's words read
    once, not through a Span."""
    memo = doc_memo(doc)
    words = memo.get("words")
    if words is None:
        orth, space = doc.to_array([ORTH, SPACY]).T if len(doc) else (np.zeros(0, np.uint64),) * 2
        texts, _, _ = _strings_of(doc.vocab.strings, orth)
        words = memo["words"] = (texts, [t + " " if sp else t for t, sp in zip(texts, space.tolist())])
    if e <= s:
        return ""
    return "".join(words[1][s:e - 1]) + words[0][e - 1]


def _surface(doc: Doc, s: int, e: int, key: str) -> str:
    text = _span_text(doc, s, e)
    return f"@{text}" if key.split(SEP, 1)[1].startswith("@") else text


# -------------------------------------------------------------------- building


def _unknown_keys(entry: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)} "
                          f"(allowed: {', '.join(sorted(allowed))})")


def _strings(value, where: str, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: '{what}' must be a list of non-empty strings")
    return value


def _number(section: dict, key: str, default, where: str) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where}: key '{key}' must be a number, got {value!r}")
    return float(value)


def build_tagger(config: dict, source: str = "topics.toml", vocab=None, config_dir: Path | None = None,
                 cache: Path | None = None) -> TopicTagger:
    """A TopicTagger from a taxonomy dict; every problem is a ConfigError naming `source` and the entry.

    The phrases' words and lemmas come from the compiled file (pipeline.steps.topic_phrases: of
    `config_dir`, then the shipped one, then `cache`); the model lemmatises only phrases none has."""
    vocab = vocab or shared_vocab()
    _unknown_keys(config, TOP_KEYS, source)
    taxonomy = config.get("taxonomy", {})
    if not isinstance(taxonomy, dict):
        raise ConfigError(f"{source}: [taxonomy] must be a table")
    _unknown_keys(taxonomy, TAXONOMY_KEYS, f"{source}: [taxonomy]")
    threshold = float(require(config, "scoring.threshold", (int, float), source))
    context_weight = float(require(config, "scoring.context_weight", (int, float), source))
    weak_weight = float(require(config, "scoring.weak_weight", (int, float), source))
    _unknown_keys(config["scoring"], SCORING_KEYS, f"{source}: [scoring]")
    doc_scoring = {k: _number(config["scoring"], k, v, f"{source}: [scoring]") for k, v in DOC_SCORING_DEFAULTS.items()}
    adaptive_conf = config.get("adaptive", {})
    if not isinstance(adaptive_conf, dict):
        raise ConfigError(f"{source}: [adaptive] must be a table")
    _unknown_keys(adaptive_conf, set(ADAPTIVE_DEFAULTS), f"{source}: [adaptive]")
    if not isinstance(adaptive_conf.get("enabled", True), bool):
        raise ConfigError(f"{source}: [adaptive]: key 'enabled' must be true or false")
    adaptive = {k: (adaptive_conf.get(k, v) if k == "enabled"
                    else _number(adaptive_conf, k, v, f"{source}: [adaptive]"))
                for k, v in ADAPTIVE_DEFAULTS.items()}
    topics = require(config, "topic", list, source)
    labels, weights, parents, weak_keys, yield_ratio = {}, {}, {}, set(), {}
    lemma_phrases: list[tuple[str, str]] = []
    exact_phrases: list[tuple[str, str]] = []
    token_matcher = Matcher(vocab)
    pattern_attrs: set[str] = set()
    for index, topic in enumerate(topics):
        if not isinstance(topic, dict) or not isinstance(topic.get("id"), str) or not isinstance(topic.get("label"), str):
            raise ConfigError(f"{source}: topic[{index}] needs a string 'id' and 'label'")
        tid = topic["id"]
        where = f"{source}: topic '{tid}'"
        _unknown_keys(topic, TOPIC_KEYS, where)
        if tid in labels or tid == UNASSIGNED or SEP in tid or not tid.strip():
            raise ConfigError(f"{source}: topic id '{tid}' is repeated or reserved")
        labels[tid] = topic["label"]
        if "yield_ratio" in topic:
            ratio = _number(topic, "yield_ratio", 0.0, where)
            if not 0.0 <= ratio <= 1.0:
                raise ConfigError(f"{where}: key 'yield_ratio' must be between 0 and 1, got {ratio}")
            yield_ratio[tid] = ratio
        if "parent" in topic:
            parent = topic["parent"]
            if not isinstance(parent, str) or parent not in labels or parent in parents:
                raise ConfigError(f"{where}: parent {parent!r} is not a major topic defined above it")
            parents[tid] = parent
        for kind, weight in (("phrases", 1.0), ("weak", weak_weight)):
            for phrase in _strings(topic.get(kind, []), where, kind):
                key = f"{tid}{SEP}{phrase}"
                weights[key] = max(weights.get(key, 0.0), weight)
                if kind == "weak":
                    weak_keys.add(key)
                (exact_phrases if is_exact(phrase) else lemma_phrases).append((key, phrase))
        patterns = topic.get("token_patterns", [])
        if not isinstance(patterns, list):
            raise ConfigError(f"{where}: 'token_patterns' must be a list of tables")
        for pattern in patterns:
            if not isinstance(pattern, dict) or not {"id", "pattern"} <= set(pattern):
                raise ConfigError(f"{where}: token_patterns need 'id' and 'pattern'")
            _unknown_keys(pattern, PATTERN_KEYS, f"{where}: pattern '{pattern['id']}'")
            key = f"{tid}{SEP}{pattern['id']}"
            try:
                token_matcher.add(key, [pattern["pattern"]])
            except (ValueError, TypeError, KeyError) as exc:
                raise ConfigError(f"{where}: pattern '{pattern['id']}' is not a valid "
                                  f"Matcher pattern: {exc}") from None
            weights[key] = _number(pattern, "weight", 1.0, f"{where}: pattern '{pattern['id']}'")
            pattern_attrs.update(str(k).upper() for spec in pattern["pattern"] if isinstance(spec, dict) for k in spec)
    if not labels:
        raise ConfigError(f"{source}: no [[topic]] defined")
    rules = config.get("entity_rule", [])
    texts = [t for r in rules if isinstance(r, dict) and isinstance(r.get("texts"), list)
             for t in r["texts"] if isinstance(t, str)] if isinstance(rules, list) else []
    analysed = analyse([p for _, p in lemma_phrases + exact_phrases] + texts, config_dir, cache)
    entity_rules = _entity_rules(rules, labels, source, analysed)

    lemma_matcher = PhraseTable()
    for key, phrase in lemma_phrases:
        lower_words = tuple(w.lower() for w in analysed[phrase].words)
        # + the plural of a noun phrase: capitalised headline words ("Jails") are often tagged as
        # proper nouns, whose lemma is the word itself
        variants = {analysed[phrase].lemmas, lower_words}
        if weights[key] >= 1.0:            # not for weak hints: "state" must not find "(United) States"
            variants.add(lower_words[:-1] + (_plural(lower_words[-1]),))
        for words in sorted(variants):
            lemma_matcher.add(key, words)
    exact_matcher = PhraseTable()
    for key, phrase in exact_phrases:
        exact_matcher.add(key, analysed[phrase].words)
    return TopicTagger(labels, weights, threshold, context_weight, lemma_matcher, exact_matcher, token_matcher,
                       vocab, parents, entity_rules, doc_scoring, adaptive, taxonomy.get("id"),
                       frozenset(k for k in weak_keys if weights[k] < 1.0), frozenset(pattern_attrs),
                       yield_ratio)


def _topic_ids(rule: dict, key: str, labels: dict[str, str], where: str) -> list[str]:
    """An entity rule's list of topic ids under `key`, each a topic of this taxonomy."""
    ids = _strings(rule.get(key, []), where, key)
    for other in ids:
        if other not in labels:
            raise ConfigError(f"{where}: {key} topic {other!r} is not a topic of this taxonomy")
    return ids


def _entity_rules(rules, labels: dict[str, str], source: str, analysed: dict) -> list[EntityRule]:
    if not isinstance(rules, list):
        raise ConfigError(f"{source}: [[entity_rule]] must be a list of tables")
    out, seen = [], set()
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict) or not isinstance(rule.get("id"), str):
            raise ConfigError(f"{source}: entity_rule[{index}] needs a string 'id'")
        where = f"{source}: entity_rule '{rule['id']}'"
        _unknown_keys(rule, ENTITY_RULE_KEYS, where)
        if rule["id"] in seen or ":" in rule["id"]:
            raise ConfigError(f"{where}: id is repeated or contains ':'")
        seen.add(rule["id"])
        topic = rule.get("topic")
        if topic not in labels:
            raise ConfigError(f"{where}: topic {topic!r} is not a topic of this taxonomy")
        yield_to = _topic_ids(rule, "yield_to", labels, where)
        ent_labels = _strings(rule.get("labels", []), where, "labels")
        if not ent_labels:
            raise ConfigError(f"{where}: 'labels' (entity types such as GPE, NORP) is required")
        absorb = _topic_ids(rule, "absorb", labels, where)
        texts = _strings(rule.get("texts", []), where, "texts")
        matcher = None
        if texts:
            matcher = PhraseTable()
            for text in texts:
                matcher.add(rule["id"], tuple(w.lower() for w in analysed[text].words))
        out.append(EntityRule(rule["id"], topic, frozenset(ent_labels),
                              frozenset(t.lower() for t in texts),
                              frozenset(t.lower() for t in _strings(rule.get("exclude", []), where, "exclude")),
                              _number(rule, "weight", 0.5, where), tuple(yield_to), tuple(absorb), matcher))
    return out


def _plural(word: str) -> str:
    if not word.isalpha() or word.endswith("s"):
        return word
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + ("es" if word.endswith(("ch", "sh", "x", "z")) else "s")


def load_taxonomy(path: Path, vocab=None) -> TopicTagger:
    """One taxonomy file compiled (ConfigError naming the file on any problem)."""
    path = Path(path)
    return build_tagger(load_toml(path), str(path), vocab, config_dir=path.parent.parent)


# -------------------------------------------------------------------- the adaptive step

FEATURE_POS = {"NOUN", "PROPN", "VERB", "ADJ"}
FEATURE_POS_IDS = np.array(sorted(symbols.IDS[p] for p in FEATURE_POS), dtype=np.uint64)


def document_features(doc: Doc, start: int = 0, end: int | None = None) -> Counter:
    """Content-word lemmas (lower case) and entity texts of doc[start:end]: the adaptive step's features."""
    end = len(doc) if end is None else end
    feats: Counter = Counter()
    previous, previous_lemma = None, ""
    if end > start:
        # the content words picked from the Doc's arrays; only those are read as strings
        columns = doc.to_array([POS, IS_STOP, IS_ALPHA, LENGTH, LEMMA, ORTH])[start:end]
        content = (np.isin(columns[:, 0], FEATURE_POS_IDS) & (columns[:, 1] == 0) & (columns[:, 2] != 0)
                   & (columns[:, 3] > 1))
        strings = doc.vocab.strings
        for row in np.flatnonzero(content).tolist():
            i = start + row
            lemma = (strings[int(columns[row, 4])] or strings[int(columns[row, 5])]).lower()
            feats[lemma] += 1
            if previous is not None and previous == i - 1:
                feats[f"{previous_lemma} {lemma}"] += 1
            previous, previous_lemma = i, lemma
    for ent in doc_ents(doc):
        if start <= ent.start and ent.end <= end and len(ent) > 1:
            feats["@" + _entity_text(ent)] += 1
    return feats


def adapt_scores(features: list[Counter], scores: list[dict[str, float]], settings: dict | None = None,
                 threshold: float = 1.0) -> list[dict[str, float]]:
    """Corpus-adaptive scores: naive Bayes self-trained on the lexicon's confident documents.

    `features[i]` and `scores[i]` (major topic -> lexicon score) describe document i. Returns, per
    document, adjusted major-topic scores in the lexicon's units: the lexicon scores plus `weight` x
    the top lexicon score x the model's posterior; a document with no lexicon evidence gets the
    model's topic, scored `threshold` x posterior / min_posterior (so at least the document
    threshold), only when its posterior reaches `min_posterior`. With too few confident documents
    (< `min_examples`) the scores come back unchanged. Pure: nothing is stored.
    """
    s = dict(ADAPTIVE_DEFAULTS)
    s.update(settings or {})
    if len(features) != len(scores):
        raise ValueError("features and scores must describe the same documents")
    out = [dict(sc) for sc in scores]
    if not s["enabled"]:
        return out
    if s["background"] > 0:
        # in long documents only: a headline's one topic is no background noise
        long = [i for i, f in enumerate(features)
                if sum(n for w, n in f.items() if " " not in w and not w.startswith("@")) >= s["background_min_words"]]
        for i, sc in zip(long, remove_background([out[i] for i in long], s["background"])):
            out[i] = sc
    base = out     # each round adds its model's posterior to these (not to the previous round's sums)
    index = _FeatureIndex(features)     # the documents' features as arrays, made once for every round
    for _ in range(max(1, int(s["rounds"]))):     # each round trains on the previous round's confident set
        out = _adapt_once(features, out, s, threshold, base, index)
    return out


class _FeatureIndex:
    """Every document's features as arrays: ids into one list of the corpus's features, and each
    feature's sublinear term frequency (1 + log n), both in the Counter's order. A round of the
    adaptive step then maps ids to its vocabulary with one array lookup per document instead of a
    dictionary lookup per feature."""

    def __init__(self, features: list[Counter]):
        ids: dict[str, int] = {}
        self.ids = [np.fromiter((ids.setdefault(f, len(ids)) for f in feats), dtype=np.int64, count=len(feats))
                    for feats in features]
        self.tf = [np.fromiter((1.0 + math.log(n) for n in feats.values()), dtype=np.float64, count=len(feats))
                   for feats in features]
        self.names = list(ids)

    def vocabulary(self, rows: list[int], min_df: float) -> tuple[np.ndarray, int]:
        """(feature id -> its column in the vocabulary or -1, the vocabulary's size): the features in
        at least `min_df` of the documents `rows`, in sorted order."""
        df = np.bincount(np.concatenate([self.ids[i] for i in rows]) if rows else np.zeros(0, np.int64),
                         minlength=len(self.names))
        kept = sorted((self.names[g], g) for g in np.flatnonzero(df >= min_df).tolist())
        column = np.full(len(self.names), -1, dtype=np.int64)
        column[[g for _, g in kept]] = np.arange(len(kept), dtype=np.int64)
        return column, len(kept)


def remove_background(scores: list[dict[str, float]], factor: float) -> list[dict[str, float]]:
    """Each topic's score less `factor` x its mean over the corpus: a topic whose words run through
    every document (politics in political news) must stand out to win. The ranking changes, the
    document's top score (its strength, against the threshold) does not."""
    totals: Counter = Counter()
    for sc in scores:
        totals.update(sc)
    mean = {t: v / max(1, len(scores)) for t, v in totals.items()}
    out = []
    for sc in scores:
        if not sc:
            out.append({})
            continue
        lifted = {t: v - factor * mean[t] for t, v in sc.items()}
        low = min(lifted.values())
        lifted = {t: v - low + 1e-3 * sc[t] for t, v in lifted.items()}      # positive, ties by raw score
        scale = max(sc.values()) / max(lifted.values())
        out.append({t: round(v * scale, 4) for t, v in lifted.items()})
    return out


def _adapt_once(features: list[Counter], scores: list[dict[str, float]], s: dict, threshold: float,
                base: list[dict[str, float]] | None = None, index: _FeatureIndex | None = None
                ) -> list[dict[str, float]]:
    train_rows, train_labels = [], []
    for i, sc in enumerate(scores):
        if not sc:
            continue
        ranked = sorted(sc.values(), reverse=True)
        second = ranked[1] if len(ranked) > 1 else 0.0
        if ranked[0] >= s["min_score"] and ranked[0] >= s["min_ratio"] * second:
            train_rows.append(i)
            train_labels.append(max(sc, key=sc.get))
    if len(train_rows) < s["min_examples"]:
        return [dict(sc) for sc in scores]
    classes = sorted(set(train_labels))
    index = index or _FeatureIndex(features)
    # vocabulary: features in >= min_df training documents
    column, size = index.vocabulary(train_rows, s["min_df"])
    if not size or len(classes) < 2:
        return [dict(sc) for sc in scores]
    counts = np.zeros((len(classes), size))
    class_index = {c: k for k, c in enumerate(classes)}
    for i, label in zip(train_rows, train_labels):
        cols = column[index.ids[i]]
        kept = cols >= 0
        # sublinear term frequency; a document's features are distinct, so each cell gets one
        # addition per document, in document order, as one at a time would give
        counts[class_index[label], cols[kept]] += index.tf[i][kept]
    log_prior = np.log(np.bincount([class_index[c] for c in train_labels], minlength=len(classes)) + 1.0)
    log_prior -= np.log(log_prior.size + len(train_labels))
    smoothed = counts + s["smoothing"]
    log_like = np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))
    out = []
    for i, sc in enumerate(scores):
        if base is not None:
            sc = base[i]
        cols = column[index.ids[i]]
        kept = cols >= 0
        adjusted = dict(sc)
        if not kept.any():
            out.append(adjusted)
            continue
        cols, tf = cols[kept], index.tf[i][kept]
        joint = log_prior + log_like[:, cols] @ tf
        posterior = np.exp(joint - joint.max())
        posterior /= posterior.sum()
        top = max(sc.values()) if sc else 0.0
        if top > 0:
            for c, p in zip(classes, posterior):
                adjusted[c] = adjusted.get(c, 0.0) + s["weight"] * top * float(p)
        else:
            k = int(posterior.argmax())
            if posterior[k] >= s["min_posterior"]:
                adjusted[classes[k]] = threshold * float(posterior[k]) / s["min_posterior"]
        out.append({t: round(v, 4) for t, v in adjusted.items()})
    return out
