"""Stage `quotes`: who said what. Direct, indirect and mixed attributions -> `quotes.parquet`.

Three layers, each testable alone:

1. `pair_quote_marks(text)`: pure and model-free. Pairs quotation marks by kind (double / single)
   and position (an opening mark follows whitespace, the start or opening punctuation; a closing
   mark precedes whitespace, punctuation or the end), so an apostrophe (`leaders’`, `Burns’`,
   `don’t`) is never a quote mark and one odd mark never loses the document.
2. Extractors over a parsed `Doc` (the textacy `extract/triples.py` pattern: small generators
   yielding typed `Attribution` records, each heuristic commented with its reason):
   `direct_quotes` (quotation + nearby cue), `reported_speech` (cue verb + clause), `according_to`,
   `noun_cues`, `quoted_fragments` (quoted words in the complements of a verb with a speaking subject).
3. `resolve_speakers`: speaker as written -> canonical entity, by name, pronoun, role/title and
   recency against the document's mentions (the entities stage's, or a fallback built from the
   Doc's own entities), recording how in `resolution`.

`extract_quotes(parsed, mentions, config, ...)` runs all three for one document and returns rows of
the QUOTES schema; `run(out_dir)` is the thin stage wrapper. Every offset written points into
`documents.text`; internally the extractors work on the body (`doc.text`).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from spacy.tokens import Doc, Span, Token

from .config import DEFAULT_CONFIG_DIR, config_files, load_stage_config
from .errors import ConfigError
from .io import read_table, table_path, write_table
from .manifest import StageRecord
from .offsets import OffsetMap
from .schemas import DOCUMENTS, ENTITIES, MENTIONS, QUOTES

STAGE = "quotes"

# ---------------------------------------------------------------------------------------------
# 1. Quote marks: pure pairing over the text
# ---------------------------------------------------------------------------------------------

DOUBLE_OPEN = "“„«‟"
DOUBLE_CLOSE = "”»"
SINGLE_OPEN = "‘‚‹"
SINGLE_CLOSE = "’›"
STRAIGHT_DOUBLE = '"'
STRAIGHT_SINGLE = "'`"
SINGLE_CHARS = SINGLE_OPEN + SINGLE_CLOSE + STRAIGHT_SINGLE
QUOTE_CHARS = DOUBLE_OPEN + DOUBLE_CLOSE + STRAIGHT_DOUBLE + SINGLE_CHARS
# Punctuation that may stand before an opening mark / after a closing mark.
OPENING_PUNCT = "([{<—–-―/:;,"
CLOSING_PUNCT = ".,;:!?)]}>—–-―/…*"


@dataclass(frozen=True)
class QuoteMark:
    start: int
    end: int
    kind: str          # "double" | "single"
    role: str          # "open" | "close" | "either"


@dataclass(frozen=True)
class QuoteSpan:
    """A paired quotation in a text: marks at [open_start, open_end) and [close_start, close_end).

    An unclosed quotation (no closing mark before the paragraph ends) has `closed=False` and
    close_start == close_end == the end of the paragraph's text; `continues` says that the next
    paragraph opens with a mark of the same kind (news convention for a quote running on).
    """

    open_start: int
    open_end: int
    close_start: int
    close_end: int
    kind: str
    closed: bool = True
    continues: bool = False
    depth: int = 0     # 0: not inside another quotation

    @property
    def content_start(self) -> int:
        return self.open_end

    @property
    def content_end(self) -> int:
        return self.close_start


def _classify_mark(text: str, start: int, end: int) -> QuoteMark | None:
    """Decide what the quote character(s) at text[start:end] are, from their neighbours."""
    chars = text[start:end]
    k = start - 1
    while k >= 0 and unicodedata.category(text[k]) == "Cf":
        k -= 1        # invisible formatting marks (a left-to-right embedding) are not text
    prev = text[k] if k >= 0 else "\n"
    nxt = text[end] if end < len(text) else "\n"
    # Flanking (the CommonMark idea): an opening mark has text after it and space or opening
    # punctuation (or another mark) before it; a closing mark is the mirror image.
    can_open = (prev.isspace() or prev in OPENING_PUNCT or prev in QUOTE_CHARS) and not nxt.isspace()
    can_close = (nxt.isspace() or nxt in CLOSING_PUNCT or nxt in QUOTE_CHARS) and not prev.isspace()
    if len(chars) == 2:
        kind = "double"            # ‘’ ’’ '' `` : doubled singles used as a double quote mark
        char = chars[0] if chars[0] in "‘`" else chars[1]
    else:
        char = chars
        kind = "single" if char in SINGLE_CHARS else "double"
    if kind == "single" and len(chars) == 1:
        # An apostrophe between letters or digits (don’t, Burns’s, rock’n’roll) is no quote mark.
        if prev.isalnum() and nxt.isalnum():
            return None
        # ’90s, ’em, rock ’n’ roll: a right mark before a word elides its start; it never opens.
        if char in "’'" and nxt.isdigit() or char == "’" and can_open and not can_close:
            return None
    if char in DOUBLE_OPEN + SINGLE_OPEN:
        role = "close" if (can_close and not can_open) else "open"
    elif char in DOUBLE_CLOSE + SINGLE_CLOSE:
        # A ” after a space and before a word is a mistyped opening mark (”Mr. Trump said ...).
        # So is one opening a paragraph with a space after it when the paragraph has a closing mark
        # of its own later (” … if the president ..., ” it read): nothing before it to close.
        line_end = text.find("\n", end)
        rest = text[end:line_end if line_end >= 0 else len(text)]
        opens_line = prev == "\n" and start > 0 and not can_close and char in rest
        role = "open" if (can_open and not can_close) or opens_line else "close"
        if kind == "double" and prev in ",.!?" and nxt.isalpha():
            role = "close"       # ... paranoia,”Clinton said: a closing mark glued to the next word
    elif can_open and not can_close:
        role = "open"
    elif can_close and not can_open:
        role = "close"
    else:
        role = "either"
    if kind == "single" and role != "open" and prev.isalnum() and char in "’'":
        # leaders’ / Burns’: a trailing apostrophe after a word closes a quotation only when a
        # single quotation is open; `_pair_paragraph` decides that with the stack in hand.
        role = "close-or-apostrophe"
    return QuoteMark(start, end, kind, role)


def find_quote_marks(text: str) -> list[QuoteMark]:
    marks: list[QuoteMark] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char not in QUOTE_CHARS:
            i += 1
            continue
        end = i + 1
        if char in SINGLE_CHARS and end < n and text[end] in SINGLE_CHARS and text[end] != "`" or \
                (char == "`" and end < n and text[end] == "`"):
            end += 1
        mark = _classify_mark(text, i, end)
        if mark is not None:
            marks.append(mark)
        i = end
    return marks


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, trimmed of surrounding whitespace."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        s, e = match.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def _pair_paragraph(marks: list[QuoteMark]) -> tuple[list[tuple[QuoteMark, QuoteMark, int]], list[QuoteMark]]:
    """Stack pairing within one paragraph: (open, close, depth) pairs and the unclosed openers."""
    stack: list[QuoteMark] = []
    pairs = []
    for mark in marks:
        role = mark.role
        same = [k for k, m in enumerate(stack) if m.kind == mark.kind]
        if role == "close-or-apostrophe":
            if not same:
                continue                      # a possessive apostrophe: leaders’
            role = "close"
        if role == "either":
            role = "close" if same else "open"
        if role == "open":
            stack.append(mark)
            continue
        if not same:
            continue                          # a stray closing mark: ignored, never fatal
        k = same[-1]
        pairs.append((stack[k], mark, k))
        del stack[k:]                         # inner marks left open inside a closed pair: dropped
    return pairs, stack


def pair_quote_marks(text: str) -> list[QuoteSpan]:
    """Every quotation in `text`, paired by kind and position, sorted by position.

    Paragraphs (lines) are independent, so one odd mark can only affect its own paragraph. An
    unclosed double quotation runs to the end of its paragraph (news convention: a quote that
    continues into the next paragraph has no closing mark); an unclosed single mark is dropped,
    since a lone ’ is far more often an apostrophe than a quotation.
    """
    marks = find_quote_marks(text)
    paragraphs = _paragraphs(text)
    spans: list[QuoteSpan] = []
    m = 0
    for p, (pstart, pend) in enumerate(paragraphs):
        para_marks = []
        while m < len(marks) and marks[m].start < pend:
            if marks[m].start >= pstart:
                para_marks.append(marks[m])
            m += 1
        pairs, unclosed = _pair_paragraph(para_marks)
        for open_, close, depth in pairs:
            if close.start > open_.end:
                spans.append(QuoteSpan(open_.start, open_.end, close.start, close.end, open_.kind,
                                       depth=depth))
        doubles = [u for u in unclosed if u.kind == "double"]
        if doubles and doubles[0].end < pend:
            first = doubles[0]
            depth = unclosed.index(first)
            next_opens = False
            if p + 1 < len(paragraphs):
                nstart = paragraphs[p + 1][0]
                nxt = [mk for mk in marks if mk.start == nstart]
                next_opens = bool(nxt) and nxt[0].kind == "double" and nxt[0].role in ("open", "either")
            spans.append(QuoteSpan(first.start, first.end, pend, pend, "double", closed=False,
                                   continues=next_opens, depth=depth))
    spans.sort(key=lambda s: (s.open_start, -s.close_end))
    # Depth relative to the other kept spans (a quotation inside another one).
    result = []
    for span in spans:
        depth = sum(1 for o in spans if o is not span and o.open_start <= span.open_start
                    and span.close_end <= o.close_end and (o.open_start, o.close_end) != (span.open_start, span.close_end))
        result.append(replace(span, depth=depth))
    return result


# ---------------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------------


@dataclass
class QuoteConfig:
    speech: frozenset
    direct_only: frozenset
    noun_tagged_cues: frozenset
    make_clear: frozenset
    object_content: frozenset
    noun_cues: frozenset
    noun_cue_for: frozenset
    stance_blockers: frozenset
    directive: frozenset
    call_particles: frozenset
    phrases: dict
    governors: frozenset
    animate_only: frozenset
    listener_verbs: frozenset
    infinitive_ok: frozenset
    metalinguistic_nouns: frozenset
    metalinguistic_verbs: frozenset
    voiced_nouns: frozenset
    min_words: int
    max_tail_gap: int
    max_head_gap: int
    person_pronouns: frozenset
    plural_pronouns: frozenset
    thing_pronouns: frozenset
    unresolvable_pronouns: frozenset
    relative_pronouns: frozenset
    indefinite_speakers: frozenset
    male_honorifics: frozenset
    female_honorifics: frozenset
    non_speaking_heads: frozenset
    male_names: frozenset
    female_names: frozenset
    document_nouns: frozenset
    document_writing_verbs: frozenset
    organisation_nouns: frozenset
    unnamed_nouns: frozenset
    roles: dict
    title_words: frozenset
    naming_verbs: frozenset = frozenset()
    name_giving_verbs: frozenset = frozenset()
    share_nouns: frozenset = frozenset()
    person_suffixes: tuple = ()
    poll_nouns: frozenset = frozenset()
    headline_labels: frozenset = frozenset()

    @classmethod
    def from_dict(cls, config: dict, source: str = "quotes.toml") -> "QuoteConfig":
        def words(section: str, key: str) -> frozenset:
            try:
                values = config[section][key]
            except KeyError:
                raise ConfigError(f"{source}: missing key '{section}.{key}'") from None
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f"{source}: '{section}.{key}' must be a list of strings")
            return frozenset(v.lower() for v in values)

        def integer(section: str, key: str) -> int:
            value = config.get(section, {}).get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{source}: '{section}.{key}' must be a non-negative integer")
            return value

        phrases = {}
        for item in config.get("cues", {}).get("phrases", []):
            if not (isinstance(item, list) and len(item) == 3 and all(isinstance(v, str) for v in item)):
                raise ConfigError(f"{source}: each 'cues.phrases' item must be [head, next, lemma]")
            phrases[item[0].lower()] = (item[1].lower(), item[2])
        roles_section = dict(config.get("roles", {}))
        title_words = roles_section.pop("title_words", [])
        roles = {}
        for key, values in roles_section.items():
            if not isinstance(values, list):
                raise ConfigError(f"{source}: 'roles.{key}' must be a list of strings")
            roles[key.lower()] = [v.lower() for v in values]
        return cls(
            speech=words("cues", "speech"), direct_only=words("cues", "direct_only"),
            noun_tagged_cues=words("cues", "noun_tagged"), make_clear=words("cues", "make_clear"),
            object_content=words("cues", "object_content"), directive=words("cues", "directive"),
            noun_cues=words("cues", "noun_cues"),
            noun_cue_for=words("cues", "noun_cue_for") if "noun_cue_for" in config.get("cues", {}) else frozenset(),
            stance_blockers=words("cues", "stance_blockers"),
            call_particles=words("cues", "call_particles"), phrases=phrases,
            naming_verbs=words("cues", "naming_verbs") if "naming_verbs" in config.get("cues", {}) else frozenset(),
            name_giving_verbs=words("not_speech", "name_giving_verbs")
            if "name_giving_verbs" in config.get("not_speech", {}) else frozenset(),
            share_nouns=frozenset(v.lower() for v in config.get("speakers", {}).get("share_nouns", [])),
            person_suffixes=tuple(v.lower() for v in config.get("speakers", {}).get("person_suffixes", [])),
            poll_nouns=frozenset(v.lower() for v in config.get("speakers", {}).get("poll_nouns", [])),
            headline_labels=frozenset(v.lower() for v in config.get("direct", {}).get("headline_labels", [])),
            governors=words("not_speech", "governors"),
            infinitive_ok=words("not_speech", "infinitive_ok"),
            animate_only=words("not_speech", "animate_only"),
            listener_verbs=words("cues", "listener_verbs"),
            metalinguistic_nouns=words("not_speech", "metalinguistic_nouns"),
            metalinguistic_verbs=words("not_speech", "metalinguistic_verbs"),
            voiced_nouns=words("cues", "voiced_nouns"),
            min_words=integer("direct", "min_words"), max_tail_gap=integer("direct", "max_tail_gap"),
            max_head_gap=integer("direct", "max_head_gap"),
            person_pronouns=words("speakers", "person_pronouns"),
            plural_pronouns=words("speakers", "plural_pronouns"),
            thing_pronouns=words("speakers", "thing_pronouns"),
            unresolvable_pronouns=words("speakers", "unresolvable_pronouns"),
            relative_pronouns=words("speakers", "relative_pronouns"),
            indefinite_speakers=words("speakers", "indefinite_speakers"),
            male_honorifics=words("speakers", "male_honorifics"),
            female_honorifics=words("speakers", "female_honorifics"),
            non_speaking_heads=words("speakers", "non_speaking_heads"),
            male_names=words("speakers", "male_first_names"),
            female_names=words("speakers", "female_first_names"),
            document_nouns=words("speakers", "document_nouns"),
            document_writing_verbs=words("speakers", "document_writing_verbs"),
            organisation_nouns=words("speakers", "organisation_nouns"),
            unnamed_nouns=words("speakers", "unnamed_nouns"),
            roles=roles, title_words=frozenset(t.lower() for t in title_words),
        )


def load_config(config_dir: Path | None = None) -> QuoteConfig:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    return QuoteConfig.from_dict(load_stage_config(config_dir, STAGE), str(config_dir / f"{STAGE}.toml"))


# ---------------------------------------------------------------------------------------------
# Mentions: from the entities stage, or a fallback from the Doc's own entities
# ---------------------------------------------------------------------------------------------

SPEAKER_LABELS = ("PERSON", "ORG", "GPE", "NORP")
# Parts of speech after which an opening quotation mark starts a fragment of the writer's clause.
EMBEDDING_POS = {"ADP", "DET", "ADJ", "VERB", "AUX", "CCONJ", "SCONJ", "PART", "NUM"}


@dataclass
class Mention:
    doc_id: str
    token_start: int
    token_end: int
    start: int            # offsets into documents.text
    end: int
    text: str
    label: str
    title: str | None
    entity_id: str | None
    name: str             # canonical name of the entity
    titles: tuple = ()    # every title the entity carries in the corpus (role matching)


def _norm(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").replace("\u00a0", " ").strip()


def _strip_name(span: Span) -> Span:
    """Drop a leading "the" and a trailing possessive from an entity span."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ == "the" or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].lower_ in ("'s", "’s", "'", "’") or doc[end - 1].is_punct
                           or doc[end - 1].is_space):
        end -= 1
    return doc[start:end] if end > start else span


def _title_before(doc: Doc, start: int, config: QuoteConfig) -> str | None:
    """Title words directly before a name: "Israeli Prime Minister" in "Israeli Prime Minister
    Benjamin Netanyahu" (capitalised title words, with nationality adjectives in front)."""
    i = start
    while i > 0:
        tok = doc[i - 1]
        low = tok.lower_
        if low in config.title_words or (tok.ent_type_ == "NORP" and tok.text[:1].isupper()):
            i -= 1
            continue
        break
    if i == start:
        return None
    words = doc[i:start].text
    return words if any(t.lower_ in config.title_words for t in doc[i:start]) else None


def fallback_mentions(parsed, config: QuoteConfig) -> list[Mention]:
    """Mentions from the Doc's own named entities, for when the entities stage has not run.

    PERSON / ORG / GPE / NORP entities; a person's later short form (a surname) links to the
    longest earlier (else later) name in the same document that ends with it, so "Bennett" is
    "Naftali Bennett". Titles are the title words directly before the name, or an apposition
    after it ("Vladimir Putin, the Russian president").
    """
    doc = parsed.doc
    spans = []
    for ent in doc.ents:
        if ent.label_ not in SPEAKER_LABELS:
            continue
        span = _strip_name(ent)
        # A title inside the entity ("President Vladimir Putin") is a title, not part of the name.
        k = span.start
        while k < span.end - 1 and doc[k].lower_ in config.title_words:
            k += 1
        title = _title_before(doc, k, config) if ent.label_ == "PERSON" else None
        if ent.label_ == "PERSON" and k > span.start:
            span = doc[k:span.end]
        spans.append((span, ent.label_, title))
    persons = [s for s, label, _ in spans if label == "PERSON"]
    full_names: dict[str, str] = {}

    def canonical(span: Span) -> str:
        words = [t.text for t in span]
        best = None
        for other in persons:
            ow = [t.text for t in other]
            if len(ow) > len(words) and ow[-len(words):] == words or \
                    (len(words) == 1 and len(ow) > 1 and words[0] in ow):
                if best is None or len(ow) > len(best):
                    best = ow
        return _norm(" ".join(best if best else words))

    mentions = []
    titles_by_name: dict[str, set] = {}
    for span, label, title in spans:
        if label == "PERSON":
            name = full_names.setdefault(span.text, canonical(span))
        else:
            name = _norm(span.text)
        if title:
            titles_by_name.setdefault(name, set()).add(title.lower())
        start, end = parsed.text_span(span.start, span.end)
        mentions.append(Mention(parsed.doc_id, span.start, span.end, start, end, span.text, label,
                                title, None, name))
    # Appositions: "Vladimir Putin, the Russian president" gives Putin the title.
    for mention in mentions:
        if mention.label != "PERSON":
            continue
        root = doc[mention.token_start:mention.token_end].root
        for child in root.children:
            if child.dep_ == "appos" and child.lower_ in _role_heads(config):
                titles_by_name.setdefault(mention.name, set()).add(
                    " ".join(t.lower_ for t in child.subtree if not t.is_punct and t.lower_ not in ("the", "a")))
    for mention in mentions:
        mention.titles = tuple(sorted(titles_by_name.get(mention.name, ())))
    return mentions


def _role_heads(config: QuoteConfig) -> frozenset:
    """Last words of the role keys ("minister" for "prime minister"); computed once per config."""
    heads = config.__dict__.get("_role_heads")
    if heads is None:
        heads = frozenset(key.split()[-1] for key in config.roles)
        config.__dict__["_role_heads"] = heads
    return heads


def _sent_of(tok: Token) -> Span:
    """The sentence of a token, through a per-Doc table (spaCy's `Token.sent` walks every
    sentence of the document on each call: quadratic on long articles)."""
    doc = tok.doc
    table = doc.user_data.get("_quotes_sent_index")
    if table is None:
        index = [0] * len(doc)
        sents = []
        for k, sent in enumerate(doc.sents):
            sents.append(sent)
            for i in range(sent.start, sent.end):
                index[i] = k
        table = (index, sents)
        doc.user_data["_quotes_sent_index"] = table
    return table[1][table[0][tok.i]]


def mentions_from_tables(out_dir: Path) -> dict[str, list[Mention]] | None:
    """Mentions by doc_id from the entities stage's tables, or None when they are not there."""
    if not (table_path(MENTIONS, out_dir).exists() and table_path(ENTITIES, out_dir).exists()):
        return None
    entities = {row["entity_id"]: row for row in read_table(ENTITIES, out_dir).to_pylist()}
    by_doc: dict[str, list[Mention]] = {}
    for row in read_table(MENTIONS, out_dir).to_pylist():
        entity = entities.get(row["entity_id"]) if row["entity_id"] else None
        name = entity["name"] if entity else row["text"]
        titles = tuple(t.lower() for t in (entity["titles"] or [])) if entity else ()
        if row["title"]:
            titles = tuple(sorted(set(titles) | {row["title"].lower()}))
        by_doc.setdefault(row["doc_id"], []).append(Mention(
            row["doc_id"], row["token_start"], row["token_end"], row["start"], row["end"],
            row["text"], row["label"], row["title"], row["entity_id"], _norm(name), titles))
    for mentions in by_doc.values():
        mentions.sort(key=lambda m: m.token_start)
    return by_doc


# ---------------------------------------------------------------------------------------------
# 2. Extraction over the Doc
# ---------------------------------------------------------------------------------------------


@dataclass
class Attribution:
    """One attribution, in body offsets and token indices; resolved and mapped later."""

    type: str                              # direct / indirect / mixed
    content: tuple[int, int]               # body char offsets
    rule_id: str
    cue: Token | None = None               # the cue verb (or the phrase head)
    cue_span: tuple[int, int] | None = None  # token span of the cue as written
    cue_lemma: str | None = None
    speaker: tuple[int, int] | None = None  # token span of the speaker as written
    speaker_ref: tuple[int, int] | None = None  # what to resolve when the written speaker is a
                                                # relative pronoun ("an architect, who said")
    inherit_from: "Attribution | None" = None  # continuation: speaker of that attribution
    resolution: str | None = None
    speaker_name: str | None = None
    speaker_entity_id: str | None = None
    speaker_label: str | None = None
    extra: dict = field(default_factory=dict)


class _DocIndex:
    """Per-document lookups shared by the extractors: quotations, paragraphs, char -> token."""

    def __init__(self, doc: Doc, config: QuoteConfig):
        self.doc = doc
        self.config = config
        text = doc.text                 # Doc.text joins every token: read it once
        self.text = text
        self.quotes = pair_quote_marks(text)
        self.paragraphs = _paragraphs(text)
        # Token start / end offsets, for char -> token lookups by bisection.
        self.tok_starts = [tok.idx for tok in doc]
        self.tok_ends = [tok.idx + len(tok.text) for tok in doc]
        self.para_starts = [p[0] for p in self.paragraphs]
        # Quotations that are quotes (not scare quotes, titles or fragments).
        # Transcript lines ("PENCE: Well, ...") are handled by `block_quotes`, whatever marks
        # wrap them.
        transcript = {ps for ps, pe in self.paragraphs if TRANSCRIPT_RE.match(text[ps:pe])}
        self.clause_quotes = [q for q in self.quotes if q.depth == 0 and self.is_clause_quote(q)
                              and self.paragraph_start(q.open_start) not in transcript]
        self.clause_token_ranges = [self.token_range(q.content_start, q.content_end) for q in self.clause_quotes]
        self.in_clause_quote = bytearray(len(doc))
        for a, b in self.clause_token_ranges:
            self.in_clause_quote[a:b] = b"\x01" * (b - a)
        # Cue verbs conjoined into another cue's clause without a subject of their own
        # (`_nested_cues`): token index -> the cue whose subject speaks for them.
        self.conjoined_cue_of: dict[int, Token] = {}
        # Clauses the parser hung on a cue that belong to a nested cue after it (by token index).
        self.clauses_of_nested: dict[int, list[Token]] = {}

    def paragraph_of(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.para_starts, char) - 1)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Tokens overlapping body chars [start, end) (whitespace tokens included)."""
        start, end = max(0, start), min(end, len(self.text))
        if end <= start:
            return (0, 0)
        first = bisect.bisect_right(self.tok_ends, start)      # first token ending after start
        last = bisect.bisect_left(self.tok_starts, end)         # first token starting at/after end
        if first >= last:
            return (0, 0)
        return first, last

    def token_at(self, char: int) -> Token | None:
        k = bisect.bisect_right(self.tok_starts, char) - 1
        if k >= 0 and char < self.tok_ends[k]:
            return self.doc[k]
        return None

    def words(self, start: int, end: int) -> list[Token]:
        a, b = self.token_range(start, end)
        return [t for t in self.doc[a:b] if not (t.is_punct or t.is_space or t.is_quote)]

    def is_clause_quote(self, q: QuoteSpan) -> bool:
        """A quotation that reports words (rather than a scare quote, a title or a fragment).

        Heuristics: at least `min_words` words, and a verb or closing punctuation inside the marks
        (scare quotes and fragments are short noun phrases: the “hot” issues, a “breakthrough”);
        not a title (every content word capitalised: ‘The U.S. and the Holocaust’); not right
        after a word naming language (The words ‘close cooperation in the area’).
        """
        words = self.words(q.content_start, q.content_end)
        if len(words) < self.config.min_words:
            return False
        inner = self.text[q.content_start:q.content_end].rstrip()
        has_verb = any(t.pos_ in ("VERB", "AUX") for t in words)
        ends_like_sentence = inner[-1:] in ".?!,;:…—-" if inner else False
        if not (has_verb or ends_like_sentence or len(words) >= 8):
            return False
        content_words = [t for t in words if not t.is_stop and t.is_alpha]
        if content_words and all(t.text[:1].isupper() for t in content_words) and not ends_like_sentence \
                and len(words) < 12:
            return False
        before = self.previous_token(q.open_start)
        if before is not None and (before.lower_ in self.config.metalinguistic_nouns
                                   or before.lemma_.lower() in self.config.metalinguistic_verbs):
            return False
        # Embedded in a clause: right after a preposition, a determiner, an adjective, "that" or a
        # verb that is not a cue ("hailed as “pre-election support from Putin,”", "agreed on “...”",
        # "said that “...”"), the quotation is a fragment of the writer's sentence: a mixed quote
        # when a cue reports that sentence, a scare quote otherwise.
        if before is not None and before.idx + len(before.text) > self.paragraph_start(q.open_start) and \
                before.pos_ in EMBEDDING_POS and not _is_cue_verb(before, self.config, allow_direct_only=True) \
                and not (before.pos_ == "CCONJ" and self._opens_sentence(before)):
            return False
        return True

    def _opens_sentence(self, tok: Token) -> bool:
        """A conjunction opening a sentence ("But “...”"): after ., ? or ! (or a closing mark
        after them), or at the start of its paragraph."""
        before = self.previous_token(tok.idx)
        if before is None or before.idx < self.paragraph_start(tok.idx):
            return True
        if before.is_quote:
            before = self.previous_token(before.idx)
        return before is not None and before.text in (".", "?", "!")

    def previous_token(self, char: int) -> Token | None:
        """The last non-space token ending at or before body offset `char`."""
        k = bisect.bisect_right(self.tok_ends, char) - 1
        while k >= 0 and self.doc[k].is_space:
            k -= 1
        return self.doc[k] if k >= 0 else None

    def paragraph_start(self, char: int) -> int:
        return self.paragraphs[self.paragraph_of(char)][0] if self.paragraphs else 0

    def inside_clause_quote(self, token: Token) -> bool:
        return bool(self.in_clause_quote[token.i])


def _is_cue_verb(tok: Token, config: QuoteConfig, allow_direct_only: bool = False) -> bool:
    lemma = tok.lemma_.lower()
    if allow_direct_only and tok.pos_ == "NOUN" and tok.lower_ in ("read", "reads") and \
            (tok.dep_ == "ROOT" or not any(c.dep_ == "det" for c in tok.children)):
        lemma = "read"             # “...,” the editorial read: a verb the tagger took for a noun
    elif tok.pos_ not in ("VERB",) and not (tok.pos_ == "AUX" and lemma == "say"):
        return False
    if tok.dep_ in ("amod", "compound"):
        return False                   # "the so-called deal", "a said agreement": adjectives
    if tok.lower_ == "told" and tok.i > 0 and tok.doc[tok.i - 1].lower_ == "all" and \
            tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].text == ",":
        return False                   # "All told, the group raised ...": "in all", nobody speaks
    if lemma == "call":
        # "called Putin" (telephoned), "called it a disaster": speech only with for/on.
        return any(c.dep_ in ("prep", "prt") and c.lower_ in config.call_particles for c in tok.children) \
            or allow_direct_only
    if lemma in config.speech:
        return True
    if lemma == "make" and _made_clear(tok, config) is not None:
        return True
    return allow_direct_only and lemma in config.direct_only


def _made_clear(tok: Token, config: QuoteConfig) -> Token | None:
    """The "clear" of "made (it) clear that ...": a statement, with the clause hung on the adjective."""
    for c in tok.children:
        if c.lower_ not in config.make_clear or c.dep_ not in ("ccomp", "oprd", "acomp", "xcomp") or c.i < tok.i:
            continue
        that_clause = any(m.dep_ == "mark" and m.lower_ == "that"
                          for cl in c.children if cl.i > c.i for m in cl.children)
        if that_clause or any(cl.dep_ == "ccomp" and cl.i > c.i for cl in tok.children):
            return c
    return None


def _noun_tagged_cue(tok: Token, config: QuoteConfig) -> bool:
    """“...,” the Saudis state in the paper / “...,” a voice-over in the ad states: after a
    quotation, a verb form the tagger took for a noun, right after the noun it has as subject
    and ending the clause (before a preposition or punctuation), is the cue."""
    if tok.pos_ != "NOUN" or tok.lower_ not in config.noun_tagged_cues or tok.i == 0:
        return False
    before, after = tok.nbor(-1), (tok.nbor(1) if tok.i + 1 < len(tok.doc) else None)
    return before.pos_ in ("NOUN", "PROPN") and (after is None or after.is_punct or after.pos_ == "ADP")


def _governed_by_plan(tok: Token, config: QuoteConfig) -> bool:
    """True for a cue that is an intention, not a statement: "had planned to tell Putin that",
    "wants to say", "is expected to announce", "declined to say" (xcomp chains up to a governor)."""
    node = tok
    for _ in range(4):
        if node.dep_ not in ("xcomp",) or node.head.i == node.i:
            break
        head = node.head
        if head.lemma_.lower() in config.governors or head.lower_ in config.governors:
            return True
        node = head
    # An infinitive cue is a plan, a purpose or a judgement, not a statement: "his plan to tell",
    # "too early to tell whether", "in order to say" -- unless the head only moves the story on
    # ("went on to say that").
    # A perfect infinitive ("is reported to have called X ...", "appears to have told") is a
    # past statement, not a plan.
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children) and \
            tok.head.lemma_.lower() not in config.infinitive_ok and \
            not any(c.dep_ == "aux" and c.lower_ == "have" for c in tok.children):
        return True
    # "It should be noted that", "it must be said": the writer's aside, nobody is reported.
    if any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in tok.children) and \
            any(c.dep_ == "aux" and c.lower_ in ("should", "must", "can", "could", "might", "may", "would")
                for c in tok.children):
        return True
    # "is said to be": a passive say with an infinitive is hearsay about the subject, no speech.
    if tok.lemma_ == "say" and any(c.dep_ == "auxpass" for c in tok.children) and \
            any(c.dep_ == "xcomp" for c in tok.children):
        return True
    return False


def _loose_quotative(idx: _DocIndex, cue: Token, q: QuoteSpan) -> bool:
    """"go" and "put" quote only in set phrases: he goes, “...” / as she put it, “...”. A
    movement or placement verb whose own complements run up to or into the marks is no cue
    (went with a willingness “to build ...”, put him “through the wringer,” says he goes “back
    to war”)."""
    if cue.lemma_.lower() not in ("go", "put"):
        return False
    a, b = idx.token_range(cue.idx + len(cue.text), q.content_end)
    for tok in idx.doc[a:b]:
        if tok.head.i != cue.i or tok.is_punct or tok.is_space:
            continue
        if tok.dep_ in ("prep", "advmod", "npadvmod", "prt", "acomp", "dative") or \
                (tok.dep_ == "dobj" and tok.lower_ not in ("it", "this", "that")):
            return True
    return False


def _cue_span(tok: Token) -> tuple[int, int]:
    """The cue as written: the verb and its particle ("point out", "called for")."""
    start, end = tok.i, tok.i + 1
    for child in tok.children:
        if child.dep_ == "prt" and child.i == end:
            end += 1
    return start, end


PARTICIPLE_OPENERS = {"when", "if", "after", "before", "once", "as", "while", "until"}


def _opens_clause(tok: Token) -> bool:
    """Does a verb open its clause (sentence start, after a comma, or after "when"/"if"...)? A
    past form there without a subject is a participle the tagger took for a finite verb."""
    prev = tok.nbor(-1) if tok.i > tok.sent.start else None
    while prev is not None and prev.is_space and prev.i > tok.sent.start:
        prev = prev.nbor(-1)
    return prev is None or prev.is_space or prev.text == "," or prev.lower_ in PARTICIPLE_OPENERS


def _tense(tok: Token) -> str | None:
    """A finite verb group's tense and number: "past", "pres3" (says, has said) or "pres"
    (say, have said); None for modals and non-finite forms. A bare "VB" with no auxiliary is
    taken for "pres" (the tagger's common slip for a plural present)."""
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass") and c.i < tok.i]
    if aux:
        if any(a.tag_ == "MD" or a.lower_ == "to" for a in aux):
            return None
        t = aux[0].tag_
    else:
        t = tok.tag_
        if t == "VB" and tok.dep_ != "conj":
            return None
    return {"VBD": "past", "VBZ": "pres3", "VBP": "pres", "VB": "pres"}.get(t)


def _find_subject(tok: Token, config: QuoteConfig) -> tuple[Token | None, bool]:
    """The speaker token of a cue verb, and whether the clause is passive without an agent.

    Heuristics, in order: the verb's own nominal subject; for a passive, the agent ("was told by
    X"); a conjoined verb borrows the first verb's subject ("accepted the offer and said ...");
    a participle ("..., saying that") or an infinitive borrows its head's subject; a relative
    clause ("Putin, who said ...") uses the noun it modifies, never the relative pronoun; "a
    statement saying that" makes the noun the speaker.
    """
    node = tok
    subject, passive = None, False
    via_xcomp = via_conj = False
    if tok.tag_ == "VBG" and tok.dep_ == "xcomp" and (tok.head.lemma_.lower() == "mean" or tok.head.lower_ == "worth"):
        # "It means acknowledging that ...", "it's worth pointing out that ...": anyone would;
        # nobody is reported.
        return None, False
    if tok.dep_ == "advcl" and (tok.tag_ == "VBN" or tok.tag_ == "VBD" and _opens_clause(tok)) and not any(
            c.dep_ in ("nsubj", "nsubjpass", "agent", "aux", "auxpass", "dobj", "dative") for c in tok.children):
        # "Asked whether he would ..., Reid said ...": a passive participle without an agent; the
        # one asking is unnamed, and the main clause's subject is the one asked.
        return None, True
    if tok.tag_ == "VBG" and tok.dep_ == "conj" and tok.head.tag_ != "VBG":
        # "..., saying he has been a pioneer ... and calling him “a feminist”": a participle
        # conjoined to a finite verb inside another participle's clause goes with that participle.
        outer = next((a for a in tok.ancestors if a.tag_ == "VBG" and a.i < tok.i and
                      _is_cue_verb(a, config)), None)
        if outer is not None:
            node = outer
    # (a participle conjoined to such a participle goes with it: "..., vowing to ... and
    # suggesting he would ...")
    part = tok
    while part.tag_ == "VBG" and part.dep_ == "conj" and part.head.tag_ == "VBG" and part.head.i < part.i:
        part = part.head
    if tok.tag_ == "VBG" and part.dep_ == "advcl" and part.head.dep_ == "ccomp" and part.head.i < part.i and \
            part.head.head.i < part.head.i and _is_cue_verb(part.head.head, config) and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in part.children):
        # "X told Newsmax that Romney “had a crazy policy,” adding, “...”: a speech participle
        # after a reported clause goes with the verb reporting it, not with the clause's verb.
        node = part.head.head
    elif tok.dep_ == "conj" and tok.head.dep_ == "ccomp" and tok.head.head.i < tok.head.i and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) and \
            _is_cue_verb(tok, config) and _is_cue_verb(tok.head.head, config):
        # "X said it was too early to tell but added, “...”": the speech verb conjoined to the
        # reported clause's verb goes with the reporting verb when that clause's subject cannot
        # speak ("said his wife called and told him" keeps the wife).
        inner = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
        if inner is None or inner.lower_ == "it" or not _animate(inner, config):
            node = tok.head.head
    outer = None
    if tok.dep_ == "conj" and tok.head.dep_ == "ccomp":
        outer = tok.head.head
    elif tok.dep_ == "conj" and tok.head.dep_ == "relcl":
        outer = next((a for a in tok.head.head.ancestors if a.pos_ in ("VERB", "AUX")), None)
    if node is tok and outer is not None and outer.i < tok.head.i and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) and \
            _tense(tok) is not None and _tense(tok) != _tense(tok.head) and _tense(tok) == _tense(outer):
        # "A narrator reminds viewers that Sanders participated in ... and says he ...", "Gulf
        # sources believe Erdogan has joined ... and admit that ...", "X and Y have thanked the
        # groups that invited them and say ...": a verb conjoined to a reported or relative
        # clause whose tense or number does not fit that clause's verb but fits the verb above
        # goes on with that verb's subject.
        node = outer
    for _ in range(6):
        subjects = [c for c in node.children if c.dep_ in ("nsubj", "csubj")]
        # "which she said represented ...": two subjects on one verb; the relative pronoun
        # belongs to the clause below, the other one speaks.
        subj = next((c for c in subjects if c.lower_ not in config.relative_pronouns),
                    subjects[0]) if len(subjects) > 1 else (subjects[0] if subjects else None)
        others = [c for c in subjects if c.lower_ not in config.relative_pronouns and c.i < node.i]
        if len(others) > 1:
            # "Speaking in Salem, New Hampshire, Trump went after Bush, calling ...": the end of a
            # fronted phrase parsed as a second subject; the nearest person before the verb speaks.
            subj = next((c for c in reversed(others) if _animate(c, config)), subj)
        if subj is None and node.tag_ in ("VBD", "VBZ"):
            # "In particular, Will wrote, ...": a capitalised "Will" before a past or present
            # tense verb cannot be the modal (which takes the base form); it is a name.
            subj = next((c for c in node.children if c.dep_ == "aux" and c.tag_ == "MD" and
                         c.text == "Will" and c.i == node.i - 1), None)
        if subj is not None:
            if subj.lower_ in config.relative_pronouns and node.dep_ == "relcl":
                subject = node.head
                if subj.lower_ == "which" and subject.ent_type_ == "PERSON":
                    # "..., which could explain why": "which" never stands for a person, so the
                    # parse attached the clause to the wrong noun; a thing explains, nobody speaks.
                    return None, False
            else:
                subject = subj
            break
        agent = next((c for c in node.children if c.dep_ == "agent"), None)
        if agent is not None:
            subject = next((c for c in agent.children if c.dep_ == "pobj"), None)
            break
        pass_subj = next((c for c in node.children if c.dep_ == "nsubjpass"), None)
        if pass_subj is not None and node.i == tok.i and node.tag_ == "VBD" and any(
                c.dep_ == "auxpass" and c.lower_ in ("'s", "’s") for c in node.children) and \
                any(c.dep_ == "ccomp" for c in node.children):
            # "He's said he ...": the "'s" of a perfect ("has said") taken for a passive "is".
            subject = pass_subj
            break
        if pass_subj is not None and via_conj and not any(c.dep_ == "auxpass" for c in tok.children) \
                and _animate(pass_subj, config) and tok.tag_ in ("VBD", "VBZ", "VBP"):
            # "Trump was forced into damage control and said that ...": an active cue conjoined
            # to a passive verb shares its subject, who speaks.
            subject = pass_subj
            break
        if pass_subj is not None:
            if via_xcomp and pass_subj.lower_ != "it":
                # "X is reported to have called ...", "X was said to have told ...": the
                # raised subject of the passive is the one who spoke.
                subject = pass_subj
                break
            passive = True
            break
        if node.head.i == node.i:
            break
        via_xcomp = node.dep_ == "xcomp"
        via_conj = node.i == tok.i and node.dep_ == "conj"
        if node.dep_ == "relcl":
            subject = node.head
            break
        if node.dep_ == "acl":
            if node.i == tok.i and node.head.pos_ in ("NOUN", "PROPN", "PRON") and (
                    _animate(node.head, config) or node.head.dep_ not in ("pobj",) or
                    node.head.head.lower_ == "with" and node.head.ent_type_ in ("PERCENT", "CARDINAL")):
                # (not a thing after a preposition: "was heard on a microphone telling X ...";
                # but "with 50 percent saying ...": a share after an absolute "with" says it)
                subject = node.head      # "a statement saying that ...": the noun speaks
                verb = subject.head if subject.dep_ == "dobj" else subject.head.head \
                    if subject.dep_ == "pobj" and subject.head.dep_ == "prep" else None
                if subject.lower_ in config.document_nouns and verb is not None and verb.pos_ == "VERB" and \
                        verb.lemma_.lower() in config.document_writing_verbs:
                    # "The mayor wrote a letter to X asking ...": the writer speaks through it.
                    writer = next((c for c in verb.children if c.dep_ == "nsubj"), None)
                    if writer is not None and _animate(writer, config) and \
                            writer.lower_ not in config.document_nouns and \
                            writer.lower_ not in config.relative_pronouns:
                        subject = writer
                break
            node = _sent_of(node).root        # a participle hanging off some noun: the sentence's subject
            # ("X was heard on a microphone telling ...": the passive's subject is heard speaking)
            via_xcomp = tok.tag_ == "VBG" and any(c.dep_ == "nsubjpass" and _animate(c, config)
                                                  for c in node.children)
            if node.i == tok.i:
                break
            continue
        if node.dep_ == "prep" and node.pos_ == "ADP" and node.i != tok.i and node.head.pos_ in ("VERB", "AUX") \
                and not any(c.dep_ == "auxpass" for c in tok.children):
            # "... and distinguished himself by saying he ...": from the gerund to the verb the
            # preposition hangs on; "X is quoted as saying": the raised passive subject speaks.
            # (Not from a passive gerund: "came after being asked to ..." -- the asker is unnamed.)
            node = node.head
            via_xcomp = any(c.dep_ == "nsubjpass" and _animate(c, config) for c in node.children)
            continue
        if node.dep_ == "prep" and node.pos_ == "ADP" and node.i != tok.i and node.head.dep_ == "pobj" and \
                node.head.head.dep_ == "prep" and node.head.head.head.pos_ in ("VERB", "AUX") and \
                node.head.head.i == node.head.i - 1 and node.head.i == node.i - 1 and \
                tok.tag_ == "VBG" and not any(c.dep_ == "auxpass" for c in tok.children):
            # "In addition to stating that ..., X has vowed ...", "instead of saying ...": a gerund
            # in a compound preposition goes with the verb the whole phrase hangs on.
            node = node.head.head.head
            continue
        if node.dep_ == "acomp" and node.pos_ == "ADJ" and node.i != tok.i and \
                node.lemma_.lower() in config.infinitive_ok:
            # "X was quick to add that ...": the infinitive hangs on the adjective; the
            # copula's subject speaks.
            node = node.head
            continue
        if node.dep_ in ("conj", "advcl", "xcomp", "pcomp") or (node.dep_ == "ccomp" and node.tag_ == "VBG") \
                or (node.dep_ == "advmod" and node.pos_ == "ADV" and node.i != tok.i):
            # ("went so far as to say": the infinitive hangs off the adverb of the verb with the subject)
            node = node.head
            continue
        break
    if subject is None and not passive and tok.dep_ == "ROOT" and tok.i >= 2 and \
            not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children):
        # "At Boca West, where ..., Jay Smith, the club's president, suggested that ...": the
        # parser hung the subject on the fronted phrase's noun as an appositive, leaving the verb
        # without one; the appositive ending right before the verb is its subject. Also with no
        # comma before the verb ("In an interview with the hosts, the candidate stated that ..."):
        # an appositive opened by a comma and running straight into the verb is its subject.
        comma = tok.doc[tok.i - 1].text == ","
        end = tok.i - 2 if comma else tok.i - 1
        top = None
        for anc in [tok.doc[end]] + list(tok.doc[end].ancestors):
            if anc.i >= tok.i:
                break
            if anc.dep_ == "appos" and anc.pos_ in ("PROPN", "NOUN") and anc.right_edge.i == end and (
                    anc.head.dep_ == "pobj" and anc.head.i < anc.i and comma or
                    not comma and anc.left_edge.i >= 1 and tok.doc[anc.left_edge.i - 1].text == "," and
                    any(a.dep_ == "pobj" for a in anc.ancestors)):
                top = anc
        if top is not None:
            subject = top
    if subject is None and not passive:
        subject = _stranded_subject(tok)
    # (a subject after the participle belongs to the clause it was hung on: X said, adding of
    # Y, “He cares ...” -- "adding" parsed as a modifier of "cares")
    # "..., with 50 percent saying she is prepared": an absolute "with" phrase naming a share
    # of people names who says it, though a share is not a person.
    # (parsed either as a participle on the object of "with" or as a clause under "with" with
    # the share for subject)
    with_absolute = subject is not None and subject.ent_type_ in ("PERCENT", "CARDINAL") and (
        tok.dep_ == "acl" and subject.i == tok.head.i and subject.dep_ == "pobj" and
        subject.head.lower_ == "with" or
        tok.dep_ == "pcomp" and tok.head.lower_ == "with" and subject.head.i == tok.i)
    if tok.tag_ == "VBG" and not passive and not with_absolute and (
            subject is None or not _animate(subject, config) or subject.i > tok.i and tok.dep_ == "advcl"):
        # "..., saying the move could ...": when the climb finds no subject or lands on a thing,
        # take the nearest animate subject before the participle in its sentence (participles
        # attach to the nearest verb in spaCy's parses, not always to the one whose subject speaks).
        # A speech verb above the participle comes first: she stated, “... would have turned
        # Libya into Syria,” adding, “...”: hung on the quoted clause, "adding" goes with "stated".
        if tok.dep_ == "advcl" and (subject is None or not _animate(subject, config)):
            # "The talk ended with the host asking ...", "The attacks have left most voters
            # saying ...": with a thing for subject, a speaker right before the participle as
            # the verb's object (or after "with") is the one speaking.
            for c in tok.head.children:
                obj = c if c.dep_ == "dobj" else next(
                    (g for g in c.children if g.dep_ == "pobj"), None) if c.dep_ == "prep" and \
                    c.lower_ in ("with", "without") else None
                if obj is None or obj.right_edge.i != tok.i - 1:
                    continue
                of = next((g for p in obj.children if p.dep_ == "prep" and p.lower_ == "of"
                           for g in p.children if g.dep_ == "pobj"), None)
                if _animate(obj, config) or of is not None and _animate(of, config):
                    return obj, passive
        for anc in tok.ancestors:
            if anc.i < tok.i and _is_cue_verb(anc, config):
                cand = next((c for c in anc.children if c.dep_ == "nsubj"), None)
                if cand is not None and _animate(cand, config) and cand.lower_ not in config.relative_pronouns:
                    return cand, passive
        for cand in reversed(tok.doc[_sent_of(tok).start:tok.i]):
            if cand.dep_ == "nsubj" and _animate(cand, config) and cand.lower_ not in config.relative_pronouns:
                subject = cand
                break
    if subject is not None and subject.lower_ in ("all", "both", "each") and subject.i > 0 and \
            not any(c.i != tok.i for c in subject.children):
        # "with Trump, Huckabee and Christie all calling for ...": a floating quantifier right
        # after the names (parsed as their apposition or as the subject itself); the names it
        # sums up speak.
        prev = subject.doc[subject.i - 1]
        if subject.dep_ == "appos" and subject.head.i < subject.i:
            subject = subject.head
        elif prev.pos_ in ("NOUN", "PROPN") and prev.dep_ in ("conj", "compound", "pobj", "nsubj", "appos"):
            while prev.dep_ in ("conj", "compound") and prev.head.i != prev.i:
                prev = prev.head
            subject = prev
    if tok.tag_ == "VBG" and subject is not None and subject.tag_ == "DT" and subject.lower_ in ("that", "this"):
        # "That irritates them by suggesting that ...": a fact suggests; nobody speaks.
        subject = None
    return subject, passive


def _stranded_subject(tok: Token) -> Token | None:
    """"At an event in Clairsville, Ohio, 62-year-old Jane Doe also railed against ... and
    explained ...": the parser made the subject a second object of the fronted preposition, so
    the main verb (or the verb it is conjoined to) has none. A preposition takes one object; a
    second one running (but for adverbs) into a subjectless verb is that verb's subject."""
    verb = tok
    if tok.dep_ == "conj" and tok.head.i < tok.i and \
            not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children):
        verb = tok.head
    if verb.dep_ != "ROOT" or verb.pos_ != "VERB" or \
            any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in verb.children):
        return None
    i = verb.i - 1
    while i >= 0 and verb.doc[i].dep_ in ("advmod", "neg") and verb.doc[i].head.i == verb.i:
        i -= 1
    if i < 1:
        return None
    cand = verb.doc[i]
    if cand.dep_ != "pobj" or cand.pos_ not in ("PROPN", "NOUN") or cand.ent_type_ != "PERSON" or \
            cand.head.i > cand.i:
        return None
    others = [c for c in cand.head.children if c.dep_ == "pobj" and c.i < cand.left_edge.i]
    if not others or verb.doc[cand.left_edge.i - 1].text != ",":
        return None
    return cand


def _relative_pronoun(cue: Token, subject: Token, config: QuoteConfig) -> Token | None:
    """The relative pronoun standing for `subject` as the cue's clause subject, if any."""
    node = cue
    for _ in range(6):
        rel = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")
                    and c.lower_ in config.relative_pronouns), None)
        if rel is not None and node.dep_ == "relcl" and node.head.i == subject.i:
            return rel
        if node.dep_ in ("conj", "xcomp", "advcl") and node.head.i != node.i:
            node = node.head
            continue
        break
    return None


def _animate(tok: Token, config: QuoteConfig) -> bool:
    """Can this noun speak? Names, pronouns, people and organisations, documents."""
    # A name that is a date or a time ("Sunday would have been ...") never speaks.
    if tok.ent_type_ in SPEAKER_LABELS or tok.pos_ in ("PROPN", "PRON") and tok.ent_type_ not in ("DATE", "TIME"):
        return True
    if tok.pos_ == "NOUN" and any(c.dep_ == "appos" and (c.ent_type_ == "PERSON" or c.pos_ == "PROPN")
                                  and c.i > tok.i for c in tok.children):
        return True       # "her campaign manager, Robby Mook,": a noun that a name in apposition names
    if _mistagged_name(tok):
        return True
    if tok.lemma_.lower() in config.share_nouns or tok.text == "%":
        # "An average of 10 percent of voters reported ...", "a majority of delegates warned":
        # a share of people speaks as they do (through the chain of "of" phrases).
        of = next((g for p in tok.children if p.dep_ == "prep" and p.lower_ == "of"
                   for g in p.children if g.dep_ == "pobj"), None)
        return of is not None and of.i != tok.i and _animate(of, config)
    low = tok.lower_
    if tok.pos_ == "NOUN" and len(low) > 6 and low.endswith(config.person_suffixes) and \
            low not in config.non_speaking_heads:
        # "The radioman pointed out ...", "a pediatrician warned ...": nouns of agent by their
        # ending (-man, -ist, -ian) name people.
        return True
    if tok.tag_ == "NNS" and (tok.lemma_.lower() in config.organisation_nouns or
                              tok.lemma_.lower() in _role_heads(config)):
        # the plural of a group or a role speaks too ("Legislative leaders noted ...", "advocacy
        # groups note ..."); not that of a document ("those documents reveal": a thing cited)
        return True
    return (low in config.unnamed_nouns or low in config.organisation_nouns or
            low in config.document_nouns or low in _role_heads(config) or low in config.title_words or
            tok.lemma_.lower() in config.unnamed_nouns)


def _mistagged_name(tok: Token) -> bool:
    """A capitalised noun ending a chain of proper-noun compounds ("M. Dane Waters" with
    "Waters" tagged a plural common noun): the tagger's slip on a surname, a name all the same.
    Not a date or number, nor a word of an all-capitals heading ("IOWA POLLS NOT WRONG")."""
    if tok.pos_ != "NOUN" or not tok.text[:1].isupper() or tok.is_upper or \
            tok.ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT", "CARDINAL"):
        return False
    comps = [c for c in tok.children if c.dep_ == "compound" and c.i < tok.i]
    return bool(comps) and all(c.pos_ == "PROPN" and c.text[:1].isupper() and
                               not (c.is_upper and len(c.text.rstrip(".")) > 1) for c in comps) and \
        comps[-1].i == tok.i - 1


_TRIM_DEPS = {"relcl", "appos", "acl", "advcl", "punct", "cc", "conj", "parataxis", "npadvmod"}


def _speaker_span(head: Token, config: QuoteConfig, keep_acl: bool = True) -> tuple[int, int]:
    """The speaker noun phrase as written: the head's subtree without relative clauses,
    appositions and conjoined clauses ("Netanyahu, who is also Defense Minister," -> Netanyahu),
    keeping prepositional phrases and participles that say whose statement it is ("A short
    statement issued by the Prime Minister's Office")."""
    drop = set()
    # "One of the men, Jessie Elkins, 70, said": a name in apposition to a noun phrase that is
    # not a name is who speaks; it stays in the span with the commas around it.
    name_appos = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i > head.i),
                      None) if head.pos_ != "PROPN" and head.ent_type_ not in SPEAKER_LABELS else None
    if name_appos is not None:
        # ... without the clauses hanging on the name ("..., Maria Lopez, who also helped ...").
        for child in name_appos.children:
            if child.dep_ in ("relcl", "acl", "advcl", "parataxis", "conj", "cc"):
                drop.update(t.i for t in child.subtree)
    for child in head.children:
        dep = child.dep_
        if name_appos is not None and (child.i == name_appos.i or dep == "punct" and child.i < name_appos.i):
            continue
        if dep in _TRIM_DEPS and not (keep_acl and dep == "acl" and child.tag_ == "VBN"):
            if dep == "conj" and child.pos_ in ("PROPN", "NOUN"):
                continue      # "Putin and Bennett said": both
            if dep == "cc" and any(c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN") for c in head.children):
                continue
            drop.update(t.i for t in child.subtree)
        if dep == "npadvmod":
            drop.update(t.i for t in child.subtree)
    keep = [t.i for t in head.subtree if t.i not in drop]
    # Contiguous block around the head.
    start = end = head.i
    keep_set = set(keep)
    while start - 1 in keep_set:
        start -= 1
    while end + 1 in keep_set:
        end += 1
    doc = head.doc
    # Trim punctuation, spaces and a temporal tail ("Reports in Israeli press late December").
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end].is_punct or doc[end].is_space or doc[end].ent_type_ in ("DATE", "TIME")
                           or doc[end].tag_ == "POS" or doc[end].lower_ in ("'s", "’s")):
        end -= 1      # "the Jewish state's claim": the owner, without its possessive ending
    return start, end + 1


def _content_of_subtree(tok: Token, exclude: Iterable[Token] = ()) -> tuple[int, int] | None:
    """Body char span of tok's subtree (minus the excluded tokens' subtrees), trimmed of
    punctuation and spaces at the edges; None when nothing is left."""
    excluded = set()
    for ex in exclude:
        excluded.update(t.i for t in ex.subtree)
    toks = [t for t in tok.subtree if t.i not in excluded]
    if not toks:
        return None
    doc = tok.doc
    first, last = toks[0].i, toks[-1].i
    while first <= last and (doc[first].is_space or (doc[first].is_punct and not doc[first].is_quote)
                             or doc[first].is_quote and False):
        first += 1
    while last >= first and (doc[last].is_space or (doc[last].is_punct and not doc[last].is_quote)
                             or doc[last].dep_ == "cc"):
        last -= 1             # a clause never ends with its conjunction ("... and")
    if first > last:
        return None
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _clean_quote_content(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int]:
    text = idx.text
    s, e = q.content_start, q.content_end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# Verbs that never report the quotation before them, even in the “...,” X <verb> position.
NOT_TAIL_VERBS = {"be", "have", "do", "get", "make", "let", "seem", "become", "include", "mean"}
# Words allowed between a quotation and a trailing cue when every one of them hangs off that cue
# in the parse (a subject with a long apposition: “...,” Eric Woolson, an Iowa Republican
# strategist and former adviser to Scott Walker, said).
MAX_TAIL_SUBTREE = 30


def _animate_subject_after(tok: Token, char: int, config: QuoteConfig) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.idx >= char and _animate(c, config)
               and c.lower_ not in config.relative_pronouns for c in tok.children)


def _reports_own_clause(idx: _DocIndex, cue: Token) -> bool:
    """The cue has a reported clause of its own after it, outside quotation marks: “... a
    political campaign.” Ohio Gov. John Kasich said he would have fired him. After a quotation
    closed by a full stop, that sentence reports itself, not the quotation before it (unless no
    other quotation of the paragraph gives a speaker)."""
    for child in cue.children:
        if child.dep_ == "ccomp" and child.i > cue.i and \
                not any(q.open_start <= child.idx < q.close_end for q in idx.quotes):
            return True
    return False


def _introduces_next_quote(idx: _DocIndex, cue: Token) -> bool:
    """Is the cue followed, after a colon or comma and nothing else, by a quotation opening in
    its own sentence (He added: “...” / X said, “...”)?"""
    sent = _sent_of(cue)
    nxt = cue.i + 1
    while nxt < sent.end and (idx.doc[nxt].is_space or idx.doc[nxt].text in (":", ",")):
        nxt += 1
    if nxt >= len(idx.doc) or nxt >= sent.end and not idx.doc[nxt].is_quote:
        return False
    tok = idx.doc[nxt]
    return nxt > cue.i + 1 and any(q.open_start <= tok.idx < q.open_end for q in idx.quotes)


def _tail_cue(idx: _DocIndex, q: QuoteSpan, max_gap: int | None = None,
              own_clause_ok: bool = False) -> tuple[Token, str] | None:
    """Cue after the closing mark: “...,” said X. / “...,” X said. / “...,” X, a spokesman, said.

    A quotation whose words end with a comma, ? or ! inside the marks leaves the writer's
    sentence open: whatever verb follows with a speaking subject reports it (“Mexico!” the
    audience screamed back; “...,” exhorted Clinton's introducer), not only the cue lexicon.
    """
    config = idx.config
    doc = idx.doc
    if not q.closed:
        return None
    max_gap = config.max_tail_gap if max_gap is None else max_gap
    inner = idx.text[q.content_start:q.content_end].rstrip()
    sentence_open = inner[-1:] in ",?!—–-…"
    if inner[-1:] == "." and not _starts_sentence(idx, q.open_start):
        # Trump says he goes “back to war tomorrow.” He's predicting ...: a quotation ending
        # the writer's sentence inside it (a fragment of a reported clause) is not the content
        # of a verb in the next sentence.
        return None
    a, b = idx.token_range(q.close_end, len(idx.text))
    gap = 0
    between: list[Token] = []
    for tok in doc[a:min(b, a + 3 * MAX_TAIL_SUBTREE)]:
        if tok.is_space:
            if "\n" in tok.text:
                return None
            continue
        if tok.text in (".", "?", "!", ";") or any(qq.open_start <= tok.idx < qq.open_end for qq in idx.quotes):
            return None
        if not idx.inside_clause_quote(tok):
            cue_like = _is_cue_verb(tok, config, allow_direct_only=True) or _noun_tagged_cue(tok, config)
            generic = not cue_like and sentence_open and tok.pos_ == "VERB" and tok.dep_ != "amod" and \
                tok.lemma_.lower() not in NOT_TAIL_VERBS and tok.tag_ in ("VBD", "VBZ", "VBP") and \
                _animate_subject_after(tok, q.close_end, config)
            if (cue_like or generic) and (gap <= max_gap or all(tok in t.ancestors for t in between)):
                if tok.tag_ in ("VBN", "VBD") and tok.i > 0 and \
                        tok.nbor(-1).lower_ in PARTICIPLE_OPENERS and \
                        not any(c.dep_ in ("nsubj", "nsubjpass", "agent") for c in tok.children):
                    # X said, “We'll see,” when asked whether ...: the one asked answers; the
                    # participle names no speaker, so the quotation is left to a cue before it.
                    return None
                if _governed_by_plan(tok, config) or \
                        (inner[-1:] == "." and not own_clause_ok and _reports_own_clause(idx, tok)):
                    return None
                if inner[-1:] == "." and _introduces_next_quote(idx, tok):
                    # “...,” he said. “...” He added: “...”: after a quotation closed by a full
                    # stop, a cue that opens a quotation of its own reports that one.
                    return None
                return tok, "direct.cue_after" if cue_like else "direct.verb_after"
        if not tok.is_punct:
            gap += 1
            between.append(tok)
        if gap > max(max_gap, MAX_TAIL_SUBTREE):
            return None
    return None


def _bridged_tail_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str, QuoteSpan] | None:
    """“They are painful” but necessary “for the long run,” he said: a quotation left open (no
    full stop inside) that a few of the writer's words join to a second one of the same sentence
    shares that one's trailing cue; the content runs from the first mark to the last (mixed)."""
    if not q.closed or idx.text[q.content_start:q.content_end].rstrip()[-1:] in (".", "?", "!"):
        return None
    q2 = next((o for o in idx.quotes if o.depth == 0 and o.open_start >= q.close_end), None)
    if q2 is None or not q2.closed or idx.paragraph_of(q2.open_start) != idx.paragraph_of(q.open_start):
        return None
    between = [t for t in idx.doc[slice(*idx.token_range(q.close_end, q2.open_start))] if not t.is_space]
    words = [t for t in between if not t.is_punct]
    if not 1 <= len(words) <= 3 or any(t.text in (".", "?", "!", ";", ":") for t in between) or \
            any(_is_cue_verb(t, idx.config, allow_direct_only=True) or t.pos_ in ("VERB", "AUX") for t in words):
        return None
    hit = _tail_cue(idx, q2)
    if hit is None or hit[1] not in ("direct.cue_after", "direct.verb_after"):
        return None
    return hit[0], hit[1], q2


def _colon_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str] | None:
    """A quotation after a colon reports the clause before it, whatever its verb, when that
    verb has a speaking subject: Trump leaned in and boomed: “...”; Sanders delivered a snappy
    retort: “...”; 17-year-old Jared Potts echoed:\\n\\n“...”."""
    config = idx.config
    colon = idx.previous_token(q.open_start)
    if colon is None or colon.text != ":":
        return None
    if idx.paragraph_of(colon.idx) != idx.paragraph_of(q.open_start) and \
            idx.paragraph_of(colon.idx) != idx.paragraph_of(q.open_start) - 1:
        return None
    sent = _sent_of(colon)
    verbs = [t for t in idx.doc[sent.start:colon.i] if t.pos_ == "VERB" and not idx.inside_clause_quote(t)
             and t.dep_ not in ("amod", "compound") and t.lemma_.lower() not in NOT_TAIL_VERBS]
    if not verbs:
        return None
    verb = colon.head if colon.head in verbs else verbs[-1]
    above = []            # the verbs above, up to a conjunction (a verb of its own clause)
    node = verb
    while node.dep_ != "conj" and node.head.i != node.i:
        node = node.head
        above.append(node)
    if _governed_by_plan(verb, config):
        return None
    subject, _ = _find_subject(verb, config)
    if subject is None or not _animate(subject, config):
        return None
    cues = [t for t in verbs if _is_cue_verb(t, config) and t in above]
    if cues and not _is_cue_verb(verb, config):
        # Another said he hoped that Trump wins: “...”: a speech verb above the clause ending at
        # the colon (within its own conjunct) reports the quotation, not that clause's own verb.
        subject, _ = _find_subject(cues[-1], config)
        if subject is not None and _animate(subject, config):
            verb = cues[-1]
    return verb, "direct.colon"


def _stated_sentence_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str] | None:
    """X agreed. “...” / X said in a statement. “...” / X continued his remarks.\n\n“...”: a
    quotation opening a sentence right after a sentence whose main verb is a cue with a speaking
    subject and no reported words of its own (no clause, no quotation) takes that cue: the
    sentence only announces it. That sentence ends the quotation's paragraph before it, or the
    previous paragraph when the quotation fills its own."""
    config, text = idx.config, idx.text
    stop = idx.previous_token(q.open_start)
    if stop is None or stop.text != ".":
        return None
    p = idx.paragraph_of(q.open_start)
    if idx.paragraph_of(stop.idx) != p:
        ps, pe = idx.paragraphs[p]
        if idx.paragraph_of(stop.idx) != p - 1 or text[ps:q.open_start].strip() or text[q.close_end:pe].strip():
            return None
    sent = _sent_of(stop)
    sent_para = idx.paragraph_start(sent.start_char)
    if sent.end_char > q.open_start or any(
            sent.start_char <= o.open_start < sent.end_char or
            max(sent.start_char - 3, sent_para) < o.close_end <= sent.end_char for o in idx.quotes):
        return None       # (“...?” X said. “...”: the quotation before the cue is its first part)
    verb = sent.root
    if not _is_cue_verb(verb, config, allow_direct_only=True) or _governed_by_plan(verb, config) or \
            _content_children(verb, config) or \
            any(c.dep_ in ("ccomp", "xcomp", "advcl", "conj", "parataxis") for c in verb.children):
        return None
    subject, _ = _find_subject(verb, config)
    if subject is None or not _animate(subject, config) or subject.lower_ in config.relative_pronouns:
        return None
    return verb, "direct.cue_sentence_before"


def _head_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str] | None:
    """Cue before the opening mark: X said: “...” / X said, “...” / saying “...” / X told
    reporters on Monday: “...”; or a cue ending the previous paragraph with a colon
    (Caddell continued:\\n\\n“...”)."""
    config = idx.config
    doc = idx.doc
    text = idx.text
    p = idx.paragraph_of(q.open_start)
    pstart = idx.paragraphs[p][0]
    a, b = idx.token_range(pstart, q.open_start)
    toks = [t for t in doc[a:b] if not t.is_space]
    if not toks and p > 0:
        # A quote paragraph introduced by a colon at the end of the previous paragraph.
        ps, pe = idx.paragraphs[p - 1]
        if text[pe - 1:pe] == ":":
            a, b = idx.token_range(ps, pe)
            toks = [t for t in doc[a:b] if not t.is_space]
        else:
            return None
    gap = 0
    for tok in reversed(toks):
        if tok.idx + len(tok.text) > q.open_start:
            continue
        if any(qq.close_start <= tok.idx < qq.close_end for qq in idx.quotes):
            # The previous quotation's closing mark: “...,” he added, “...”: go on only when the
            # cue sits between the two quotations (handled by the split-quote logic).
            return None
        if tok.text in (".", "?", "!", ";"):
            return None
        if _is_cue_verb(tok, config, allow_direct_only=True) and not idx.inside_clause_quote(tok):
            if _governed_by_plan(tok, config) or _loose_quotative(idx, tok, q):
                return None
            return tok, "direct.cue_before"
        if gap == 0 and tok.lower_ in config.document_nouns and tok.dep_ == "dobj" and \
                tok.head.pos_ == "VERB" and tok.head.i < tok.i and not _governed_by_plan(tok.head, config):
            # X issued a statement, “...” / released a short note: “...”: the text is quoted right
            # after the noun naming it; whoever issued it speaks.
            subject, _ = _find_subject(tok.head, config)
            if subject is not None and _animate(subject, config):
                return tok.head, "direct.statement_before"
        if not tok.is_punct:
            # Only the cue's own dependents may stand between cue and quote (reporters, on
            # Monday, in a statement); a verb there means the quote belongs to another clause.
            if tok.pos_ in ("VERB", "AUX") or tok.lower_ in ("that", "if", "whether"):
                return None
            gap += 1
        if gap > config.max_head_gap:
            return None
    return None


def _dash_speaker(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int, int] | None:
    """“...” ― Name: a dash after the closing mark, then a name to the end of the line.
    Returns (dash token, speaker token start, end)."""
    doc = idx.doc
    text = idx.text
    if not q.closed:
        return None
    p = idx.paragraph_of(q.close_end - 1)
    pend = idx.paragraphs[p][1]
    rest = text[q.close_end:pend]
    m = re.match(r"\s*([―—–]|--)\s*(\S.*)$", rest)
    if not m:
        return _dash_line_speaker(idx, q, p)
    dash_char = q.close_end + m.start(1)
    name_start = q.close_end + m.start(2)
    a, b = idx.token_range(name_start, pend)
    toks = [t for t in doc[a:b] if not (t.is_space or t.is_punct)]
    if not toks or len(toks) > 8 or not toks[0].text[:1].isupper():
        return None
    dash_tok = idx.token_at(dash_char)
    if dash_tok is None:
        return None
    return dash_tok.i, toks[0].i, toks[-1].i + 1


# Longest name on an attribution line under a quotation paragraph ("- Bernie Sanders.").
MAX_DASH_LINE_NAME = 5


def _dash_line_speaker(idx: _DocIndex, q: QuoteSpan, p: int) -> tuple[int, int, int] | None:
    """A quotation filling its paragraph, then a line that opens with a dash and a name (fact
    checks, notebooks: “...”\n\n- Jane Doe.\n\n or -Sen. Jane Doe, tweeting after the debate.):
    the name up to the first comma or full stop speaks. Returns (dash token, speaker start, end)."""
    doc, text = idx.doc, idx.text
    ps, pe = idx.paragraphs[p]
    if text[ps:q.open_start].strip() or text[q.close_end:pe].strip() or p + 1 >= len(idx.paragraphs):
        return None
    ns, ne = idx.paragraphs[p + 1]
    m = re.match(r"\s*([―—–-]|--)\s*([A-Z].*)$", text[ns:ne], re.S)
    if not m:
        return None
    dash_tok = idx.token_at(ns + m.start(1))
    a, b = idx.token_range(ns + m.start(2), ne)
    name = []
    for tok in doc[a:b]:
        if tok.text in (",", ".", ";", "(") or tok.is_space:
            break
        name.append(tok)
    if dash_tok is None or not name or len(name) > MAX_DASH_LINE_NAME or \
            not all(t.pos_ == "PROPN" or t.text[:1].isupper() for t in name):
        return None
    start = name[0].i if name[0].i != dash_tok.i or len(name) == 1 else name[1].i
    return dash_tok.i, start, name[-1].i + 1


# Longest name written before a colon that introduces a quotation ("Jeffrey M. Jones: “...”").
MAX_COLON_NAME = 6


def _colon_name_speaker(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int, int] | None:
    """Name: “...”: a person's or organisation's name right before a colon that opens the
    quotation, with nothing but a line start, a dash or a sentence end before the name
    (transcripts, roundups: "RED STATES OUTNUMBER BLUE STATES - Jeffrey M. Jones: “...”",
    "Clinton: “Our goal is ...” Bush: “...”"). Returns (colon token, speaker start, end)."""
    doc = idx.doc
    colon = idx.previous_token(q.open_start)
    if colon is None or colon.text != ":":
        return None
    next_paragraph = idx.paragraph_of(colon.idx) == idx.paragraph_of(q.open_start) - 1 and \
        idx.paragraph_start(q.open_start) == q.open_start
    if idx.paragraph_of(colon.idx) != idx.paragraph_of(q.open_start) and not next_paragraph:
        return None
    j = colon.i - 1
    while j >= 0 and doc[j].is_space:
        j -= 1
    end = j + 1
    while j >= 0 and end - j <= MAX_COLON_NAME + 1 and (
            doc[j].pos_ == "PROPN" or doc[j].lower_ in ("and", "&") or
            doc[j].text[:1].isupper() and doc[j].is_alpha):
        # (a capitalised word the tagger took for a common noun still counts: "- Pew Research:";
        # whether the run names someone is checked below)
        j -= 1
    start = j + 1
    if start >= end or end - start > MAX_COLON_NAME:
        return None

    def at_boundary(k: int) -> bool:
        return k < 0 or doc[k].is_space or "\n" in doc[k].text_with_ws or \
            doc[k].text in ("-", "--", "—", "–", ".", "!", "?") or doc[k].is_quote

    if end - start >= 2 and at_boundary(start - 1) and _inverted_cue_word(doc[start], idx.config):
        # "Continued Stone: “...”", "Stated Stone:\n\n“...”": a cue verb put before its subject
        # (the parser takes it for part of the name); the words after it name the speaker.
        return colon.i, start + 1, end
    if next_paragraph:
        return None

    # A roundup line names its source after a spaced dash ("POLL SHIFTS - Philip Bump: “...”") or
    # with "(More) from" ("More from Jones: “...”"): a capitalised name there needs no entity tag.
    spaced_dash = j >= 1 and doc[j].text in ("-", "--", "—", "–") and doc[j - 1].whitespace_
    from_source = j >= 0 and doc[j].lower_ == "from" and (
        at_boundary(j - 1) or doc[j - 1].lower_.lstrip("-—–") == "more" and
        (at_boundary(j - 2) or doc[j - 1].text[:1] in "-—–"))
    last = doc[end - 1]
    named = last.ent_type_ in ("PERSON", "ORG") or \
        (spaced_dash or from_source) and all(t.text[:1].isupper() or t.lower_ in ("and", "&")
                                             for t in doc[start:end])
    if not named or doc[start].lower_ in ("and", "&"):
        return None
    if not (at_boundary(j) or from_source):
        return None
    return colon.i, start, end


ROUNDUP_CITATION = re.compile(r"[ \t]*\[[A-Z][^\]\n]{0,40}\.?\]")


def _roundup_headline(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int, int] | None:
    """A news roundup item: "HEADLINE IN CAPITALS “excerpt ...” [Outlet.]": the quotation opens right
    after a capitalised headline that starts its line and ends with a bracketed outlet, which
    is the excerpt's source (PolNeAR's annotators name the headline instead; a reader wants the
    publication). Returns (bracket token, outlet start, end)."""
    if not q.closed or q.depth != 0:
        return None
    m = ROUNDUP_CITATION.match(idx.text, q.close_end)
    if m is None:
        return None
    pstart = idx.paragraph_start(q.open_start)
    a, b = idx.token_range(pstart, q.open_start)
    toks = [t for t in idx.doc[a:b] if not t.is_space]
    words = [t for t in toks if t.is_alpha]
    if len(words) < 2 or any(t.text != t.text.upper() for t in words):
        return None
    bracket = idx.token_at(m.start() + m.group(0).index("["))
    if bracket is None:
        return None
    close = m.end() - 1
    outlet = [t for t in idx.doc[bracket.i + 1:idx.token_range(close, close + 1)[0] + 1]
              if t.idx < close and not t.is_punct and not t.is_space]
    if not outlet:
        return None
    return bracket.i, outlet[0].i, outlet[-1].i + 1


def _inverted_cue_word(tok: Token, config: QuoteConfig) -> bool:
    """A capitalised past or present form of a cue verb opening a line ("Continued", "Stated",
    "Adds"), whatever the tagger made of it."""
    word = tok.lower_
    if not tok.is_alpha or not tok.text[:1].isupper() or not word.endswith(("ed", "s")):
        return False
    cues = config.speech | config.direct_only
    return tok.pos_ == "VERB" and tok.lemma_.lower() in cues or word[:-1] in cues or word[:-2] in cues


def _writer_lead_in(idx: _DocIndex, q: QuoteSpan) -> int | None:
    """He would be a better president "no matter what," one user commented: a quotation opening
    right after a word of the writer's sentence finishes that sentence; with its cue after it,
    the content starts where the sentence does (a mixed quote). Returns that start, or None
    when the quotation opens its sentence or follows punctuation (a colon, a dash)."""
    doc = idx.doc
    before = idx.previous_token(q.open_start)
    pstart = idx.paragraph_start(q.open_start)
    if before is None or before.idx < pstart or not (before.is_alpha or before.like_num) or \
            before.pos_ in ("CCONJ", "VERB", "AUX") or before.is_sent_start:
        return None
    start = before
    for tok in reversed(doc[:before.i + 1]):
        if tok.idx < pstart or tok.text in (".", "?", "!", ":", ";") or tok.is_quote:
            break
        if not tok.is_space and not tok.is_punct:
            start = tok
        if _is_cue_verb(tok, idx.config, allow_direct_only=True) or tok.lemma_.lower() in idx.config.object_content:
            return None       # "calling Trump “an orange buffoon,” Susan said": another cue's words
        if tok.is_sent_start:
            break
    return start.idx


def direct_quotes(idx: _DocIndex) -> Iterator[Attribution]:
    """Direct quotations attached to a cue by position, then by paragraph context.

    1. cue after the quote (“...,” X said), 2. cue before it (X said: “...”), 3. a dash and a name
    after it. A quotation none of these attach stays for step 4: it inherits the speaker of
    another quotation of the same paragraph (“...,” X said. “...”) or of a chain of paragraphs
    (an unclosed quotation running on), or continues the previous paragraph's speaker when the
    whole paragraph is a quotation. Quotations still unattached are not emitted (pull quotes,
    epigraphs, and the like have no speaker to report).
    """
    config = idx.config
    found: dict[QuoteSpan, Attribution] = {}
    for q in idx.clause_quotes:
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        hit = _tail_cue(idx, q) or _head_cue(idx, q) or _colon_cue(idx, q)
        bridged = _bridged_tail_cue(idx, q) if hit is None else None
        if bridged is not None:
            cue, rule, q2 = bridged
            found[q] = Attribution("mixed", (q.open_start, q2.close_end), rule, cue=cue, cue_span=_cue_span(cue),
                                   cue_lemma=_cue_lemma(cue))
            continue
        hit = hit or _stated_sentence_cue(idx, q)
        if hit is not None:
            cue, rule = hit
            typ = "direct"
            if rule in ("direct.cue_after", "direct.verb_after"):
                lead = _writer_lead_in(idx, q)
                if lead is not None:
                    content, typ = (lead, q.close_end), "mixed"     # both marks inside
            if typ == "direct" and cue.idx > q.close_end:
                led = _lead_in(idx, q, content)
                if led != content:
                    content, typ = led, "mixed"
            found[q] = Attribution(typ, content, rule, cue=cue, cue_span=_cue_span(cue),
                                   cue_lemma=_cue_lemma(cue))
            continue
        # A name set off by a mark instead of a cue verb: “...” ― Name / Name: “...” / HEADLINE
        # “...” [Outlet.]; the mark (dash, colon, bracket) stands as the cue.
        for finder, rule, fixed in ((_dash_speaker, "direct.dash", False),
                                    (_colon_name_speaker, "direct.colon_name", True),
                                    (_roundup_headline, "direct.roundup_excerpt", True)):
            hit = finder(idx, q)
            if hit is not None:
                mark_i, s, e = hit
                found[q] = Attribution("direct", content, rule, cue=idx.doc[mark_i], cue_span=(mark_i, mark_i + 1),
                                       cue_lemma=idx.doc[mark_i].text, speaker=(s, e),
                                       extra={"speaker_fixed": True} if fixed else {})
                break
    # Short quotations (“Probably.”, “Mexico!” the audience screamed back): too short to tell a
    # quote from a scare quote by themselves, so only a sentence of their own with punctuation
    # inside the marks, right next to a cue (“...,” he said / X said, “...”).
    clause = set(idx.clause_quotes)
    for q in idx.quotes:
        if q in clause or q.depth != 0 or not q.closed:
            continue
        inner = idx.text[q.content_start:q.content_end].rstrip()
        if inner[-1:] not in ",.?!" or not 1 <= len(idx.words(q.content_start, q.content_end)) < config.min_words:
            continue
        before = idx.previous_token(q.open_start)
        starts_sentence = before is None or before.idx < idx.paragraph_start(q.open_start) or \
            before.text in (".", "?", "!") or before.is_quote
        hit = None
        if starts_sentence:
            hit = _tail_cue(idx, q, max_gap=4)
        elif before.text in (",", ":"):
            cue = idx.previous_token(before.idx)
            if cue is not None and _is_cue_verb(cue, config, allow_direct_only=True) and \
                    not _governed_by_plan(cue, config) and not _loose_quotative(idx, cue, q):
                hit = (cue, "direct.cue_before")
        elif inner[-1:] in ".?!" and _is_cue_verb(before, config, allow_direct_only=True) and \
                before.lemma_.lower() not in config.metalinguistic_verbs and \
                not _governed_by_plan(before, config) and not idx.inside_clause_quote(before) and \
                not _loose_quotative(idx, before, q):
            # A man yelled “Stay there!” / Some chanted “USA! USA!”: a cue verb right before a
            # quotation that closes the sentence with its own punctuation takes it as its words
            # (a scare quote ends inside the writer's sentence, without its own . ! or ?).
            hit = (before, "direct.cue_before")
        if hit is not None and inner[-1:] == "," and any(
                o.open_start >= q.close_end and idx.paragraph_of(o.open_start) == idx.paragraph_of(q.open_start)
                and o.open_start <= _sent_of(hit[0]).end_char
                and not any(t.text in (".", "?", "!")
                            for t in idx.doc[slice(*idx.token_range(q.close_end, o.open_start))])
                for o in idx.quotes):
            # “To date,” she continued, “...”: the head of a split quotation (not when a full stop
            # ends the cue's sentence first: “Debate recap,” tweeted X. “...”)
            hit = None
        if hit is not None:
            content = _clean_quote_content(idx, q)
            cue, rule = hit
            found[q] = Attribution("direct", content, rule + "_short", cue=cue, cue_span=_cue_span(cue),
                                   cue_lemma=_cue_lemma(cue))
    # Chants and cries: the quotation names what a crowd voiced (their chants of “Ted! Ted!”,
    # responded with chants of “...”, drawing “BERNIE!” chants): the possessor speaks, or the
    # subject of the verb answering "with" them or joining "in" them; otherwise nobody is named.
    for q in idx.quotes:
        if q in found or q.depth != 0 or not q.closed:
            continue
        before = idx.previous_token(q.open_start)
        noun = None
        if before is not None and before.lower_ == "of" and before.head.i < before.i and \
                before.head.lower_ in config.voiced_nouns:
            noun = before.head
        else:
            a, b = idx.token_range(q.close_end, len(idx.text))
            nxt = next((t for t in idx.doc[a:b] if not t.is_space), None)
            if nxt is not None and nxt.lower_ in config.voiced_nouns and nxt.pos_ == "NOUN":
                noun = nxt
        if noun is None:
            continue
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        speaker = None
        poss = next((c for c in noun.children if c.dep_ == "poss"), None)
        if poss is not None:
            speaker = _speaker_span(poss, config)
        elif noun.dep_ == "pobj" and noun.head.lower_ in ("with", "in") and noun.head.head.pos_ == "VERB":
            subj = next((c for c in noun.head.head.children if c.dep_ == "nsubj"), None)
            if subj is not None and subj.lower_ not in config.relative_pronouns:
                speaker = _speaker_span(subj, config)
        found[q] = Attribution("direct", content, "direct.voiced_noun", cue=noun, cue_span=(noun.i, noun.i + 1),
                               cue_lemma=noun.lemma_.lower(), speaker=speaker, extra={"speaker_fixed": True})
    # Inheritance within a paragraph and along paragraph chains (short quotations attached to
    # a cue count as sources too: “Safety,” said X. “Safety for the whole country.”).
    by_para: dict[int, list[QuoteSpan]] = {}
    for q in sorted(set(idx.clause_quotes) | set(found), key=lambda q: q.open_start):
        by_para.setdefault(idx.paragraph_of(q.open_start), []).append(q)
    for q in idx.clause_quotes:
        if q in found:
            continue
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        p = idx.paragraph_of(q.open_start)
        same = by_para.get(p, [])
        before = [o for o in same if o in found and o.open_start < q.open_start]
        after = [o for o in same if o in found and o.open_start > q.open_start]
        source = before[-1] if before else (after[0] if after else None)
        if source is not None:
            src = found[source]
            # “...,” X said. “...”: the second quotation keeps the speaker and the cue.
            found[q] = replace(src, content=content, rule_id="direct.same_paragraph", extra={})
            continue
        hit = _tail_cue(idx, q, own_clause_ok=True)
        if hit is not None:
            # “...” She added that ...: with no other quotation in the paragraph to take the
            # speaker from, the next sentence's cue is the best guess.
            found[q] = Attribution("direct", content, hit[1], cue=hit[0], cue_span=_cue_span(hit[0]),
                                   cue_lemma=_cue_lemma(hit[0]))
            continue
        # A quotation running on from the previous paragraph (unclosed there): same speaker as
        # the chain, found later in the chain or earlier.
        found_chain = None
        for nxt_p in range(p + 1, min(p + 4, len(idx.paragraphs))):
            chain = [o for o in by_para.get(nxt_p, []) if o in found]
            if chain:
                found_chain = found[chain[0]]
                break
            if not any(o.depth == 0 for o in by_para.get(nxt_p, [])):
                break
        if not q.closed and q.continues and found_chain is not None:
            found[q] = Attribution("direct", content, "direct.paragraph_chain", inherit_from=found_chain)
    return found


def _lead_in(idx: _DocIndex, q: QuoteSpan, content: tuple[int, int]) -> tuple[int, int]:
    """A quotation that goes on a clause the writer began ("Past nominees “were stiff,” he
    said.", "Both plans ''are doomed to fail,'' said X"): its subject before the opening mark
    is part of what was said. The content starts at the sentence's first word when the word
    right before the mark is a noun or pronoun of the quoted clause (not punctuation) and no
    quotation or verb stands between ("X talked up her “plan,” ...": the writer's clause)."""
    before = idx.previous_token(q.open_start)
    if before is None or before.is_punct or before.pos_ not in ("NOUN", "PROPN", "PRON") or \
            before.idx < idx.paragraph_start(q.open_start):
        return content
    sent = _sent_of(before)
    inside = idx.token_range(q.content_start, q.content_end)
    if not any(inside[0] <= a.i < inside[1] for a in before.ancestors):
        return content
    toks = [t for t in idx.doc[sent.start:before.i + 1] if not t.is_space]
    if not toks or toks[0].idx < idx.paragraph_start(q.open_start) or \
            any(t.is_quote or t.pos_ in ("VERB", "AUX") for t in toks):
        return content
    return toks[0].idx, q.close_end     # both marks inside, as for a mixed quote


def _cue_lemma(tok: Token) -> str:
    lemma = tok.lemma_.lower()
    prt = [c.lower_ for c in tok.children if c.dep_ == "prt"]
    if lemma == "point" and "out" in prt:
        return "point out"
    if lemma == "call":
        preps = [c.lower_ for c in tok.children if c.dep_ in ("prep", "prt") and c.lower_ in ("for", "on", "upon")]
        if preps:
            return f"call {preps[0]}"
    return lemma


def continuation_quotes(idx: _DocIndex, found: dict, attributions: list[Attribution]) -> Iterator[Attribution]:
    """A paragraph that is a quotation and has no cue continues the previous paragraph's speaker.

    News convention: after “...,” said Netanyahu., a next paragraph made of a quotation alone is
    still Netanyahu. Only when the previous paragraph holds an attribution, and the quotation
    fills its paragraph (no other clause around it that could carry another speaker).
    """
    text = idx.text
    by_para: dict[int, list[Attribution]] = {}
    for att in attributions:
        by_para.setdefault(idx.paragraph_of(att.content[0]), []).append(att)
    for q in idx.clause_quotes:
        if q in found:
            continue
        p = idx.paragraph_of(q.open_start)
        ps, pe = idx.paragraphs[p]
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        outside = text[ps:q.open_start] + text[q.close_end:pe]
        rule = "direct.continuation"
        if len(re.sub(r"[\W_]+", "", outside)) > 0:
            # A quotation opening a sentence right after a sentence that reports someone
            # (“...,” he said outside the building. But “...” / X said Y is "z." “...”) goes on
            # with that speaker: the news convention for a quote resumed after its cue.
            previous = _previous_sentence_attribution(idx, q, by_para.get(p, []))
            if previous is None:
                continue
            rule = "direct.next_sentence"
        elif p == 0 or not by_para.get(p - 1):
            continue
        else:
            previous = max(by_para[p - 1], key=lambda a: a.content[0])
        att = Attribution("direct", content, rule, inherit_from=previous)
        found[q] = att
        by_para.setdefault(p, []).append(att)
        yield att


# Parts of speech that may open a speaker written next to its cue, and that end it.
NP_START_POS = {"DET", "PROPN", "NOUN", "PRON", "ADJ", "NUM"}
NP_STOP_POS = {"VERB", "AUX", "ADP", "SCONJ", "CCONJ", "PART", "ADV"}
MAX_NEAR_SPEAKER = 8


def _np_from(tokens: Iterable[Token]) -> tuple[int, int] | None:
    """The noun phrase opening `tokens`: words up to the first punctuation, quote mark or
    verb/preposition/conjunction, when it starts like a noun phrase."""
    span: list[Token] = []
    for t in tokens:
        if t.is_space:
            if span:
                break
            continue
        capitalised = t.text[:1].isupper() and t.is_alpha and t.lower_ not in ("that", "this")
        # "retired neurosurgeon Ben Carson": a participle modifying the noun stays in the phrase.
        modifier = t.dep_ in ("amod", "compound") and t.head.i > t.i
        if t.is_punct or t.is_quote or t.lower_ == "that" or t.pos_ in NP_STOP_POS and not capitalised \
                and not modifier:
            break
        span.append(t)
        if len(span) > MAX_NEAR_SPEAKER:
            return None
    if not span or not (span[0].pos_ in NP_START_POS or span[0].text[:1].isupper() or
                        span[0].dep_ in ("amod", "compound")) or \
            not any(t.pos_ in ("PROPN", "NOUN", "PRON") or t.text[:1].isupper() for t in span) and \
            not (span[0].pos_ == "DET" and len(span) > 1):
        return None
    return span[0].i, span[-1].i + 1


def _speaker_next_to_cue(idx: _DocIndex, att: Attribution) -> tuple[int, int] | None:
    """The speaker as written next to the cue when the parse gives the cue no subject (or one
    inside the quotation): “...,” Robert Shrum, a strategist, said / “...,” said Skelly,
    explaining ... / "The risk," said Edward Leamer, "is ...". Between the quotation and a
    trailing cue first, else right after the cue ("said X")."""
    doc, cue = idx.doc, att.cue
    if att.rule_id.startswith(("direct.cue_after", "direct.verb_after")):
        a, _ = idx.token_range(att.content[1], att.content[1] + 1)
        between = [t for t in doc[a:cue.i] if t.idx >= att.content[1]]
        # skip the closing punctuation and mark
        k = 0
        while k < len(between) and (between[k].is_punct or between[k].is_quote or between[k].is_space):
            k += 1
        near = _np_from(between[k:])
        if near is not None:
            return near
    after = doc[cue.i + 1:min(len(doc), cue.i + 2 + MAX_NEAR_SPEAKER)]
    if len(after) >= 2 and after[0].lower_ in idx.config.indefinite_speakers and \
            after[1].text in (".", ",", ";", "!", "?") and not idx.inside_clause_quote(after[0]):
        # “...,” read one. / “...,” tweeted another.: a lone quantifier after the cue (which
        # the parse takes for its object) stands for one of the people or signs just named.
        return after[0].i, after[0].i + 1
    if after and (after[0].pos_ in ("PROPN", "DET", "NOUN") or after[0].text[:1].isupper() and after[0].is_alpha
                  or after[0].dep_ in ("amod", "compound") and after[0].head.i > after[0].i) \
            and not idx.inside_clause_quote(after[0]):
        near = _np_from(after)
        if near is not None and all(t.ent_type_ in ("DATE", "TIME") for t in doc[near[0]:near[1]]):
            return None       # "announced Friday that ...": a date is never the speaker
        if near is not None and att.type != "direct" and att.content[0] > cue.idx and any(
                t.head.i == cue.i and t.dep_ in ("dobj", "dative") for t in doc[near[0]:near[1]]):
            # "..., asked a federal judge to block ...": the object of a cue before its reported
            # clause is the one addressed, not the speaker.
            return None
        return near
    return None


def _stray_subject_before_cue(idx: _DocIndex, att: Attribution) -> tuple[int, int] | None:
    """A finite cue the parse left without a subject, its subject hung on another word of the
    sentence: "Republican activists clamoring to block Trump ... say they're ..." (say as a
    dependent of "clamoring"), "Salkin, a Hollywood, Fla., rabbi helping ..., said" (Salkin the
    subject of "rabbi"). The nearest speaking subject before the cue in its sentence, whose verb
    governs the cue or is governed by it; never one inside a quotation or the content."""
    doc, cue = idx.doc, att.cue
    config = idx.config
    if cue is None or cue.tag_ not in FINITE_TAGS or any(
            c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in cue.children):
        return None
    ancestors = set(a.i for a in cue.ancestors)
    for cand in reversed(doc[cue.sent.start:cue.i]):
        if cand.text == ";":
            return None
        if cand.dep_ != "nsubj" or not _animate(cand, config) or cand.lower_ in config.relative_pronouns \
                or cand.lower_ in config.unresolvable_pronouns or idx.inside_clause_quote(cand) \
                or att.content[0] <= cand.idx < att.content[1]:
            continue
        verb = cand.head
        if verb.i in ancestors or verb.head.i == cue.i and verb.i < cue.i:
            return _speaker_span(cand, config)
    return None


DATELINE_DASHES = {"—", "–", "-", "--", "―"}
MAX_DATELINE = 12


def _dateline_dash(idx: _DocIndex, cue: Token | None) -> int | None:
    """The dash closing a dateline that opens the cue's paragraph and sentence ("LONDON
    (Reuters) -", "CLEVELAND, July 19 (UPI) —", "Washington (AFP) –"): a place in capitals or
    followed by an agency in brackets, then dates, numbers and names only before the dash."""
    if cue is None:
        return None
    doc = idx.doc
    a, b = idx.token_range(idx.paragraph_start(cue.idx), cue.idx)
    toks = [t for t in doc[a:min(b, a + MAX_DATELINE)] if not t.is_space]
    if len(toks) < 2 or toks[0].sent.start != cue.sent.start:
        return None
    first = toks[0]
    if not (first.is_alpha and first.text[:1].isupper()):
        return None
    bracket = False
    for t in toks[1:]:
        if t.text in DATELINE_DASHES:
            if (first.is_upper and len(first.text) > 1 or bracket) and t.i < cue.i:
                return t.i
            return None
        if t.text == "(":
            bracket = True
        if not (t.is_punct or t.pos_ in ("PROPN", "NUM") or t.is_upper or t.ent_type_ in ("GPE", "DATE", "ORG")):
            return None
    return None


FINITE_TAGS = {"VBD", "VBZ", "VBP"}
# A noun in one of these roles belongs to another verb ("block Trump say ..."): never a stray subject.
OBJECT_DEPS = {"dobj", "pobj", "dative", "iobj", "attr", "oprd", "poss"}
MAX_LEFT_APPOSITION = 6
MAX_LEFT_CLAUSE = 16          # a participle clause between commas: X, asked about ..., said


def _speaker_left_of_cue(idx: _DocIndex, att: Attribution, ignore_subject: bool = False
                         ) -> tuple[int, int] | None:
    """The name written right before a finite cue the parse left without a subject: "As part of
    his plea, Marcel Lazar, 44, said that ..." (the name taken for an apposition of "plea"),
    "Speaker Paul Ryan (R-WI) said ...". Skips one parenthesis and one short comma-delimited
    apposition; the word reached must be a proper noun (or a person noun) outside any quotation
    and content, in the cue's sentence."""
    doc, cue = idx.doc, att.cue
    # (a perfect "had said" is finite through its auxiliary)
    if cue is None or cue.tag_ not in FINITE_TAGS and not (
            cue.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have" for c in cue.children)) or \
            not ignore_subject and any(
            c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in cue.children):
        return None
    sent_start = cue.sent.start
    i = cue.i - 1
    skipped_clause = False

    def skip_space(j: int) -> int:
        while j >= sent_start and doc[j].is_space:
            j -= 1
        return j

    i = skip_space(i)
    # The cue's own auxiliaries and adverbs ("had said", "has repeatedly said").
    while i >= sent_start and doc[i].head.i == cue.i and (
            doc[i].dep_ in ("aux", "neg") or doc[i].dep_ == "advmod" and doc[i].pos_ == "ADV"):
        i = skip_space(i - 1)
    # Skip one bracket, then one short apposition between commas ("Marcel Lazar, 44, said"),
    # or a participle clause between commas ("Mr. Lopez, asked about the delays, said").
    # A bracket or a pair of dashes is an aside of any length ("Sen. Chris Murphy (a Democrat so
    # boyish he has been mistaken for a staffer) says", "Mr. Bush - in a line aimed at X -
    # declared").
    dash = doc[i].text if i >= sent_start and doc[i].text in ("-", "—", "–", "--") else None
    for closer, opener in ((")", "("), (dash, dash), (",", ",")):
        if closer is not None and i >= sent_start and doc[i].text == closer:
            j = i - 1
            while j >= sent_start and doc[j].text != opener and i - j <= MAX_LEFT_CLAUSE + 1:
                j -= 1
            if j < sent_start or doc[j].text != opener:
                return None
            participle = doc[j + 1].tag_ in ("VBN", "VBG") or doc[j + 1].tag_ == "VBD" and not any(
                c.dep_ in ("nsubj", "nsubjpass") for c in doc[j + 1].children)
            if i - j > MAX_LEFT_APPOSITION + 1 and not participle and closer == ",":
                return None
            skipped_clause = participle
            i = skip_space(j - 1)
    if i < sent_start:
        return None
    t = doc[i]
    if t.pos_ == "NUM" and t.head.i == cue.i and t.dep_ in ("nummod", "npadvmod", "dep", "advmod") and \
            not idx.inside_clause_quote(t) and not att.content[0] <= t.idx < att.content[1]:
        # "About 4 in 10 say they ...": a share of a poll's respondents, which the parse hangs
        # on the verb as a number instead of taking it for the subject.
        left = t.left_edge.i
        return (left if left >= sent_start else i), i + 1
    if not (t.pos_ == "PROPN" or t.pos_ == "NOUN" and _animate(t, idx.config)) or t.is_quote or \
            t.ent_type_ in ("DATE", "TIME") or t.dep_ in OBJECT_DEPS and not (skipped_clause and t.dep_ == "pobj") or \
            idx.inside_clause_quote(t) or \
            att.content[0] <= t.idx < att.content[1]:
        return None
    start = i
    while start - 1 >= sent_start and doc[start - 1].pos_ == "PROPN" and not doc[start - 1].is_punct:
        start -= 1
    # The words the noun governs before it ("The mayor's office"), when they run up to it.
    left = t.left_edge.i
    if sent_start <= left < start and not any(w.is_quote or w.text in (",", "(", ")") for w in doc[left:start]):
        start = left
    return start, i + 1


# Words allowed between the end of an attribution and a quotation resuming it in the next
# sentence (“...,” he said outside the building on Monday. But “...”).
MAX_RESUME_GAP = 12
MAX_RESUME_TITLE_GAP = 30


def _starts_sentence(idx: _DocIndex, char: int) -> bool:
    """Does a quotation opening at body offset `char` open a sentence (after ., ? or !, a closing
    mark after them, or a sentence-initial "But"/"And")?"""
    before = idx.previous_token(char)
    if before is None or before.idx < idx.paragraph_start(char):
        return True
    if before.pos_ == "CCONJ":
        before = idx.previous_token(before.idx)
        if before is None or before.idx < idx.paragraph_start(char):
            return True
    if before.is_quote:
        before = idx.previous_token(before.idx)
        if before is None:
            return True
    return before.text in (".", "?", "!")


def _previous_sentence_attribution(idx: _DocIndex, q: QuoteSpan, same_paragraph: list[Attribution]
                                   ) -> Attribution | None:
    """The attribution a cue-less quotation resumes: the last one of its paragraph ending just
    before it (at most MAX_RESUME_GAP words between), when the quotation opens a sentence."""
    if not _starts_sentence(idx, q.open_start):
        return None
    best, best_end = None, -1
    for att in same_paragraph:
        ends = [att.content[1]]
        if att.cue is not None:
            ends.append(att.cue.idx + len(att.cue.text))
        end = max(ends)
        if end <= q.open_start and end > best_end and att.content[0] < q.open_start:
            best, best_end = att, end
    if best is None:
        return None
    gap = len(idx.words(best_end, q.open_start))
    if gap > MAX_RESUME_GAP:
        # “...,” said X, a long title after the name. “...”: a speaker's description may run
        # past the gap; the quotation still resumes when the cue's sentence is the one right
        # before it.
        between = idx.text[best_end:q.open_start].strip().rstrip("\"'”’ ").rstrip(".!?")
        if best.cue is None or best.cue.idx > best.content[0] and best.content[1] > best.cue.idx or \
                gap > MAX_RESUME_TITLE_GAP or re.search(r"[.!?;:]|\n", between):
            return None
    return best


def _content_children(tok: Token, config: QuoteConfig) -> list[Token]:
    """The clause a cue verb reports: ccomp (said that ...), a "to"-infinitive for directive verbs
    (urged them to ...), a parataxis clause with a colon."""
    out = []
    lemma = tok.lemma_.lower()
    for child in tok.children:
        if child.dep_ == "ccomp":
            out.append(child)
        elif child.dep_ in ("xcomp", "advcl") and lemma in config.directive and \
                any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children) and child.i > tok.i:
            out.append(child)
        elif child.dep_ == "advcl" and child.i > tok.i and child.left_edge.lower_ == "that" and \
                child.left_edge.dep_ == "mark" and child.left_edge.head.i == child.i and \
                tok.doc[child.left_edge.i - 1].lower_ not in ("so", "now", "in", "such", "except") and \
                any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in child.children):
            # "recalled in 2008 that before Iowa, X was not ...": a "that" clause after the cue
            # that the parser took for an adverbial (no adverbial clause opens with a bare
            # "that"; "so that", "now that" do) is the reported clause.
            out.append(child)
        elif child.dep_ == "prep" and lemma == "call" and child.lower_ in config.call_particles and \
                (any(c.dep_ == "prt" and c.lower_ == "out" for c in tok.children) or
                 not any(c.dep_ in ("dobj", "oprd") and c.i < child.i for c in tok.children)):
            # (not a preposition after an object: "called her remarks on 9/11 a “new low”"; but
            # "called him out for ...")
            out.append(child)
        elif child.dep_ in ("dobj",) and any(c.dep_ in ("ccomp", "acl", "relcl") and c.i > child.i and
                                             any(m.lower_ in ("that", "whether", "if") and m.dep_ == "mark"
                                                 for m in c.children) for c in child.children) and \
                lemma in ("tell", "inform", "remind", "assure", "warn", "ask"):
            # "told reporters that ...": the clause may hang off the object.
            out.extend(c for c in child.children if c.dep_ in ("ccomp", "acl", "relcl"))
    if not out and tok.pos_ == "VERB":
        # "said following a vote in 2001 that he had ...": the parser hangs the reported clause
        # on the adjunct's noun as a relative clause; a relative clause has no "that" marker of
        # its own (its "that" is a subject or object), so a marked clause with a subject is the
        # cue's complement.
        for child in tok.children:
            if child.dep_ not in ("prep", "npadvmod") or child.i < tok.i:
                continue
            for c in child.subtree:
                # (a clause on a document noun, "says in a statement that ...", is the noun's)
                if c.dep_ in ("relcl", "acl") and c.pos_ in ("VERB", "AUX") and \
                        c.head.lower_ not in config.document_nouns and \
                        any(m.lower_ == "that" and m.dep_ == "mark" and m.i == c.left_edge.i for m in c.children) and \
                        any(s.dep_ in ("nsubj", "nsubjpass") for s in c.children):
                    out.append(c)
                    break
            if out:
                break
    if lemma == "make":
        # "made it clear that ...": the clause may hang on "clear".
        clear = _made_clear(tok, config)
        if clear is not None:
            out = [c for c in out if c.i != clear.i]
            out += [cl for cl in clear.children if cl.i > clear.i and cl.dep_ in ("ccomp", "advcl", "csubj")
                    and any(m.dep_ == "mark" and m.lower_ == "that" for m in cl.children)]
    # "asked whether", "explained why": wh-clauses parse as ccomp too; nothing more to do.
    return out


def _participle_pair(g: Token, cue: Token) -> bool:
    """"saying he has been a pioneer in promoting women and calling him “a feminist”": a
    participle cue conjoined to a participle deep inside the clause of a participle cue goes with
    the cue (the two -ing cues are a pair) when it holds quoted words of its own."""
    return cue.tag_ == "VBG" and g.head.dep_ in ("pcomp", "xcomp", "advcl") and \
        any(t.is_quote for t in g.subtree)


def _nested_cues(content_root: Token, cue: Token, idx: _DocIndex) -> list[Token]:
    """Cue verbs coordinated into a reported clause after the cue, which report on their own:
    "..., the Jerusalem Post reports" (parataxis), "saying that the bill was sound - and arguing
    that ..." / "said he found Trump “charming” and called his standing “unheard of”" (a
    finite or -ing verb conjoined into the clause), "Rubio suggested that ..., while Cruz said
    that ..." (an adverbial clause with a subject of its own). They are left out of the clause."""
    config = idx.config
    out = []
    for g in content_root.subtree:
        if g.i <= cue.i or g.i == content_root.i or idx.inside_clause_quote(g):
            continue
        if g.dep_ == "parataxis" and g.head.i == content_root.i and _is_cue_verb(g, config):
            out.append(g)
        elif not (_is_cue_verb(g, config) or g.lemma_.lower() in config.object_content):
            continue
        elif g.dep_ == "conj" and g.tag_ == "VBG" and (g.head.tag_ != "VBG" or g.head.dep_ == "pcomp"
                                                       or _participle_pair(g, cue)):
            # a participle coordinated with a finite verb of the clause (or, in the parse, with
            # a gerund after a preposition of it, or another -ing cue): it goes with the cue
            # ("saying X has been ... and calling him “a feminist”", "saying he has been a leader
            # in hiring veterans and calling him “a patriot”"), not with the clause
            out.append(g)
            if g.head.tag_ == "VBG":
                # the subject the parse gives the gerund is the clause's, not the speaker
                idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ == "advcl" and g.tag_ == "VBG" and _comma_before(g) and \
                not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in g.children) and \
                (any(c.dep_ == "ccomp" for c in g.children) or any(t.is_quote for t in g.subtree)):
            # a participle after a comma closing the clause, with a clause or quoted words of its
            # own: the cue's subject speaks again ("said he would release them on Friday, calling
            # them “very boring tax returns”"); "..., maintaining freedom of action" stays
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ == "advcl" and g.tag_ == "VBG" and cue.tag_ == "VBG" and g.i > 0 and \
                g.nbor(-1).lower_ == "and" and \
                not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in g.children):
            # a participle cue after "and" pairs with the participle cue, not with its clause
            # (the parser hangs it there): "telling reporters that he is a “cheat” and
            # questioning how he ...": the subject speaks again
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ == "pcomp" and g.tag_ == "VBG" and g.head.lower_ in TEMPORAL_PREPOSITIONS and \
                g.head.head.i != cue.i and any(c.dep_ == "ccomp" for c in g.children) and \
                not any(c.dep_ in ("nsubj", "nsubjpass") for c in g.children):
            # a participle cue after "before"/"after" with a clause of its own, hung on the reported
            # clause: the cue's subject speaks again ("said the deadlock has “kept us safe” before
            # claiming that ..."), not the clause's
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ in ("advcl", "relcl") and g.tag_ in ("VBD", "VBZ", "VBP") and \
                any(c.dep_ == "nsubj" and c.lower_ not in config.relative_pronouns for c in g.children):
            out.append(g)
        elif g.dep_ == "conj" and g.tag_ in ("VBD", "VBZ", "VBP") and g.tag_ == _finite_tag(cue) and \
                not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in g.children) and \
                _conj_subject_may_be_speaker(g, config):
            # a finite verb of the cue's tense conjoined into the clause without a subject of its
            # own continues the cue's subject ("said he found Trump “charming” and called his
            # standing “unheard of”", "says he'd sit Putin down ... and tells the crowd he was ..."):
            # a second attribution, not part of the first one's clause
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
    return out


# Prepositions of time that open a participle clause ("before claiming that ...").
TEMPORAL_PREPOSITIONS = {"before", "after"}


def _comma_before(tok: Token) -> bool:
    """A comma or dash right before tok, closing quotation marks aside ("...,” citing ...")."""
    j = tok.i - 1
    while j >= 0 and (tok.doc[j].is_quote and tok.doc[j].tag_ == "''" or tok.doc[j].is_space):
        j -= 1
    return j >= 0 and tok.doc[j].text in (",", "—", "–", "-")


def _clause_before_nested(idx: _DocIndex, clause: Token, nested: list[Token]) -> tuple[int, int] | None:
    """The reported clause without its nested cues, ending before the first of them: words the
    parser hangs on the clause after a nested cue belong with that cue ("said that the mayor is
    “weak,” stating that he is “slow,” focus on money")."""
    span = _content_of_subtree(clause, exclude=nested)
    # only participles ("..., stating that"): a nested finite cue may sit inside the clause
    # ("the support they express for him helps ...")
    participles = [n for n in nested if n.tag_ == "VBG"]
    if span is None or not participles:
        return span
    # a participle after "before"/"after" takes its preposition along
    first = min(n.head.idx if n.dep_ == "pcomp" else n.left_edge.idx for n in participles)
    if not span[0] < first < span[1]:
        return span
    doc = idx.doc
    k = idx.token_range(span[0], first)[1] - 1
    while k >= 0 and doc[k].idx >= span[0] and (doc[k].is_space or doc[k].is_punct and not doc[k].is_quote
                                                 or doc[k].dep_ == "cc"):
        k -= 1
    if k < 0 or doc[k].idx < span[0]:
        return span
    return span[0], doc[k].idx + len(doc[k].text)


def _conj_subject_may_be_speaker(verb: Token, config: QuoteConfig) -> bool:
    """Whether a subject-less verb conjoined into a reported clause may be the cue's subject
    speaking again: the clause's own subject is a thing ("said his attacks have given him
    momentum and said that ...") or "he"/"she" (most often the speaker: "said he found Trump
    “charming” and called ..."); not when it is someone else ("said the leaders discussed
    security and agreed on ...": the leaders agreed)."""
    head = verb
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects:
        return False
    if verb.head.tag_ == "VBN" and verb.tag_ == "VBD" and \
            any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.head.children):
        # "conceded that X had touched Fields but implied that ...": a simple past cannot share
        # the perfect's "had", so it is no verb of the clause's subject but the cue's subject's
        return True
    subj = subjects[0]
    lemma = subj.lemma_.lower()
    animate = _animate(subj, config) or lemma in _role_heads(config) or lemma in config.organisation_nouns
    return subj.lower_ in ("he", "she") or not animate


def _finite_tag(tok: Token) -> str:
    """The tense tag of a verb group: "did say" -> VBD, "does say" -> VBZ, "said" -> VBD."""
    if tok.tag_ in ("VBD", "VBZ", "VBP"):
        return tok.tag_
    for c in tok.children:
        if c.dep_ == "aux" and c.tag_ in ("VBD", "VBZ", "VBP") and c.lemma_ == "do":
            return c.tag_
    return tok.tag_


# Words a clause needs before a trailing cue ("..., he said.") to be taken as its content.
MIN_TRAILING_WORDS = 4


def _trailing_clause(idx: _DocIndex, cue: Token) -> tuple[int, int, Token] | None:
    """The sentence before a trailing cue that the parser did not link to it ("Those who take on
    heavy debt struggle, even with a “good” job, he said." with "struggle" read as a noun): the
    cue closes its sentence (only its subject, adverbs and punctuation after it), a comma stands
    before the cue or before its subject, and the words before that comma are the content."""
    config = idx.config
    if any(c.dep_ in ("ccomp", "dobj", "xcomp", "advcl", "conj") for c in cue.children):
        return None
    # "..., said Geert Wilders": the subject after the cue (the parser may also hang the
    # clause's own noun before the comma off the cue as a subject).
    after = [c for c in cue.children if c.dep_ == "nsubj" and c.i > cue.i]
    subj = after[0] if after else _find_subject(cue, config)[0]
    if subj is None or not _animate(subj, config):
        return None
    sent = _sent_of(cue)
    subj_toks = {t.i for t in subj.subtree} if subj.head.i == cue.i else set()
    # After the cue: the subject (said Geert Wilders, founder of ...), adverbs, punctuation.
    for t in idx.doc[cue.i + 1:sent.end]:
        if not (t.i in subj_toks or t.is_punct or t.is_space or t.dep_ in ("advmod", "npadvmod")
                or any(a.i in subj_toks for a in t.ancestors)):
            return None
    # Before the cue: a comma, then only the subject (..., he said) or nothing (..., said X).
    j = cue.i - 1
    while j >= sent.start and (j in subj_toks or idx.doc[j].dep_ in ("advmod", "aux", "neg")) and \
            idx.doc[j].text != ",":
        j -= 1
    if j < sent.start or idx.doc[j].text != ",":
        return None
    doc = idx.doc
    clause_start = sent.start
    if j == sent.start and j > 0:
        # The sentence splitter cut before the comma (", he said." alone): the content is the
        # sentence before, when no paragraph break separates them.
        previous = _sent_of(doc[j - 1])
        if "\n" in doc.text[previous.start_char:doc[j].idx]:
            return None
        clause_start = previous.start
    words = [t for t in doc[clause_start:j] if t.is_alpha]
    if len(words) < MIN_TRAILING_WORDS or any(idx.inside_clause_quote(t) for t in doc[clause_start:j]):
        return None
    first, last = clause_start, j - 1
    while first <= last and (doc[first].is_space or doc[first].is_punct and not doc[first].is_quote):
        first += 1
    while last >= first and (doc[last].is_space or doc[last].is_punct and not doc[last].is_quote):
        last -= 1
    if first > last:
        return None
    return doc[first].idx, doc[last].idx + len(doc[last].text), subj


def _quoted_conj_clauses(cue: Token, children: list[Token], idx: _DocIndex) -> list[Token]:
    """Clauses coordinated with the cue's reported clause that go on reporting it in quoted
    words ("said he had received offers for the gun, but “the offers were to use ...”", "said
    that the server was unprotected, and he had total access to a server that “was like ...”"):
    the parser hangs them off the cue; they are part of what was said. A conjoined clause
    without quoted words ("..., and the crowd cheered") or with a cue of its own stays out."""
    config = idx.config
    last = max(c.i for c in children)
    sent = _sent_of(cue)
    out = []
    for c in cue.children:
        if c.dep_ != "conj" or c.i < last or c.i >= sent.end or c.pos_ not in ("VERB", "AUX"):
            continue
        if not any(t.dep_ in ("nsubj", "nsubjpass", "expl") for t in c.children):
            continue
        sub = list(c.subtree)
        if any(_is_cue_verb(t, config) and not idx.inside_clause_quote(t) for t in sub):
            continue
        if c.lemma_.lower() in config.object_content:
            # "Smith saying he was “pleased” and Jones calling it “a good day”": a report of its own
            continue
        if any(t.is_quote for t in sub):
            out.append(c)
    # "announced that she was careless ..., but that her activity did not rise to a crime": a
    # second clause with a "that" of its own, which the parser hung on the cue (or on a verb
    # conjoined to it), is a second complement of the cue.
    chain = [c for c in cue.children if c.dep_ == "conj" and c.i > last and c.i < sent.end]
    while chain:
        c = chain.pop()
        chain += [d for d in c.children if d.dep_ == "conj" and d.i > c.i and d.i < sent.end]
        if c.pos_ in ("VERB", "AUX") and c not in out and \
                any(m.dep_ == "mark" and m.lower_ == "that" and m.i == c.left_edge.i for m in c.children) and \
                any(t.dep_ in ("nsubj", "nsubjpass") for t in c.children) and \
                not any(_is_cue_verb(t, config) and not idx.inside_clause_quote(t) for t in c.subtree):
            out.append(c)
    return out


def _reason_after(idx: _DocIndex, cue: Token, children: list[Token]) -> list[Token]:
    """"wrote that such a request was “futile,” because the FBI now has them": a "because" clause
    right after the reported clause (punctuation at most between) that the parser hung on the
    cue is the reason given in the report. Not when it has a cue of its own ("because he
    thought ...")."""
    last = max(c.right_edge.i for c in children)
    out = []
    for c in cue.children:
        if c.dep_ == "advcl" and c.left_edge.i > last and \
                any(m.dep_ == "mark" and m.lower_ == "because" and m.i == c.left_edge.i for m in c.children) and \
                all(t.is_punct or t.is_space for t in idx.doc[last + 1:c.left_edge.i]) and \
                not any(_is_cue_verb(t, idx.config) and not idx.inside_clause_quote(t) for t in c.subtree) and \
                not _quotes_own_thought(c):
            out.append(c)
    return out


def _quotes_own_thought(clause: Token) -> bool:
    """"because he thought it “risks higher inflation”": a clause whose verb has a subject and a
    complement clause in quoted words reports that subject's words or thoughts (any verb, not
    only a cue): a report of its own, not the reason in someone else's."""
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children) and \
        any(c.dep_ == "ccomp" and any(t.is_quote for t in c.subtree) for c in clause.children)


def _lost_subject(cue: Token, children: list[Token]) -> Token | None:
    """The subject of a reported clause that the parser hung on the cue ("state their plan is
    to ..." with "plan" an object of "state" and "is" left without a subject): a noun
    right after the cue, before a clause with no subject of its own; never a date ("said
    Monday ...")."""
    clause = children[0]
    if clause.dep_ != "ccomp" or clause.i < cue.i or \
            any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj", "mark") for c in clause.children):
        return None
    for c in cue.children:
        if c.dep_ in ("npadvmod", "dobj") and cue.i < c.i < clause.i and c.left_edge.i == cue.i + 1 and \
                c.pos_ == "NOUN" and c.right_edge.i < clause.left_edge.i and \
                (not c.ent_type_ or any(d.dep_ in ("relcl", "acl") for d in c.children)):
            # A date-like noun with a clause of its own is no time adverb ("said the days when
            # the nation had ... are gone").
            return c
    return None


def _semicolon_between(idx: _DocIndex, clause: Token, cue: Token) -> bool:
    """A clause wholly before the cue with a semicolon (outside quotations) between them."""
    if clause.i > cue.i or clause.right_edge.i >= cue.i:
        return False
    return any(t.text == ";" and not idx.inside_clause_quote(t)
               for t in idx.doc[clause.right_edge.i + 1:cue.i])


def _that_said(tok: Token) -> bool:
    """"That said, ...": a connective opening a sentence ("even so"), not a statement whose
    speaker is "That"."""
    doc = tok.doc
    if tok.lower_ != "said" or tok.i == 0 or tok.i + 1 >= len(doc) or doc[tok.i + 1].text != ",":
        return False
    prev = doc[tok.i - 1]
    if prev.lower_ != "that":
        return False
    before = prev.i - 1
    while before >= 0 and (doc[before].is_space or doc[before].pos_ == "CCONJ"):
        before -= 1
    return before < 0 or prev.is_sent_start or doc[before].text in (".", "!", "?", ";", ":") or doc[before].is_quote


def _inverted_parenthetical(cue: Token, config: QuoteConfig) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """"Part of the problem, say experts like X, is the ground itself": an inverted cue set off
    by commas inside a sentence. The parse takes the words before the cue for its subject and
    the speaker after it for the subject of the rest; the speaker is the phrase right after the
    cue (up to its comma) and the content the whole sentence around the cue."""
    doc = cue.doc
    if cue.i == 0 or doc[cue.i - 1].text != ",":
        return None
    subj = next((c for c in cue.children if c.dep_ == "nsubj" and c.i < cue.i), None)
    clause = next((c for c in cue.children if c.dep_ == "ccomp" and c.i > cue.i), None)
    if subj is None or clause is None or subj.lower_ in config.relative_pronouns or \
            any(c.dep_ == "appos" for c in subj.children):
        return None       # "X's manager, Corey Lewandowski, said the aide ...": the comma closes an apposition
    speaker = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < clause.i), None)
    if speaker is None or speaker.left_edge.i != cue.i + 1 or not _animate(speaker, config):
        return None
    last = speaker.right_edge.i
    if doc[last].text != ",":
        last += 1
    if last >= clause.i or doc[last].text != "," or any(t.text == "," for t in doc[last + 1:clause.i]):
        return None       # the speaker phrase must close with the comma before the rest of the clause
    start, end = subj.left_edge, clause.right_edge
    while end.i > start.i and (end.is_punct or end.is_space):
        end = doc[end.i - 1]
    return (start.idx, end.idx + len(end.text)), _speaker_span(speaker, config)


def _parenthetical_host(cue: Token, config: QuoteConfig) -> bool:
    """A parataxis cue reads as a parenthetical on the sentence around it ("The increased
    hostility, he added, makes ..."): it has no complement of its own, bar the addressee of a
    telling verb ("Instead, Trump told CNN, his policy would ..."), and its head is a verb; or,
    when the parser took the rest of the sentence for a noun phrase ("In both cases, X said,
    those donations paid for ..."), the cue is set off by commas on both sides."""
    doc = cue.doc
    lemma = cue.lemma_.lower()
    for c in cue.children:
        if c.dep_ in ("ccomp", "xcomp"):
            return False
        if c.dep_ == "dobj" and not (lemma in ADDRESSEE_VERBS and _animate(c, config)
                                     and c.i > cue.i and c.right_edge.i + 1 < len(doc)
                                     and doc[c.right_edge.i + 1].text == ","):
            return False
    if cue.head.pos_ in ("VERB", "AUX"):
        return True
    if cue.head.dep_ == "ROOT" and cue.head.pos_ in ("NOUN", "PROPN") and any(
            c.dep_ in ("acl", "conj") and c.pos_ == "VERB" and c.i < cue.i for c in cue.head.children):
        # “A big tractor” plowed through the fence, he said: a sentence whose verb the parser
        # hung on its subject noun (made the root)
        return True
    left, right = cue.left_edge.i, cue.right_edge.i
    if doc[left].text != ",":
        left -= 1
    if doc[right].text != ",":
        right += 1
    return cue.head.dep_ == "ROOT" and cue.head.i > cue.i and left >= 0 and doc[left].text == "," and \
        right < len(doc) and doc[right].text == ","


def _as_clause_cue(cue: Token, config: QuoteConfig) -> bool:
    """"As X noted/explained/told CNN, ...": a cue in an adverbial clause opened by "as", with a
    subject of its own and no complement but the listener, on a verb of a clause of its own."""
    if cue.dep_ != "advcl" or cue.head.pos_ not in ("VERB", "AUX"):
        return False
    if not any(c.dep_ == "mark" and c.lower_ == "as" and c.i == cue.left_edge.i for c in cue.children):
        return False
    if not any(c.dep_ == "nsubj" for c in cue.children):
        return False          # "as expected", "as noted above": nobody speaks
    doc = cue.doc
    left, right = cue.left_edge.i, cue.right_edge.i
    if not (left > 0 and doc[left - 1].text == "," or right + 1 < len(doc) and doc[right + 1].text == ","
            or doc[right].text == ","):
        return False          # "rode the will of the crowd as he replied": a time clause, no aside
    for c in cue.children:
        if c.dep_ in ("ccomp", "xcomp", "attr", "oprd", "acomp"):
            return False
        if c.dep_ == "dobj" and not (cue.lemma_.lower() in ADDRESSEE_VERBS and _animate(c, config)):
            return False
    return any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in cue.head.children)


def _ccomp_parenthetical(cue: Token, config: QuoteConfig) -> bool:
    """"Instead, Trump told CNN, his policy would be ...": a cue the parser hung as a clausal
    complement on the verb after it; with a comma closing the cue's phrase and the later verb's
    own subject after that comma, the cue is a parenthetical on the sentence."""
    doc = cue.doc
    head = cue.head
    if cue.dep_ != "ccomp" or head.i <= cue.i or \
            not any(c.dep_ == "nsubj" and c.i < cue.i for c in cue.children):
        return False      # a passive ("Jokes are told, ...") or subjectless verb is no parenthetical
    if head.lemma_.lower() in config.speech or head.lemma_.lower() in config.direct_only:
        return False      # "He may add to the team, he said": the later verb reports this clause
    right = cue.right_edge.i
    if doc[right].text != ",":
        right += 1
    return right < head.i and doc[right].text == "," and \
        any(c.dep_ in ("nsubj", "nsubjpass") and right < c.i < head.i for c in head.children)


def _fronted_that_parenthetical(cue: Token, children: list[Token]) -> bool:
    """"She was not surprised that the campaign won, her advisers said, because ...": the parser
    hung the cue on "surprised" with the "that" clause as the cue's own (fronted) complement.
    English fronts no "that" clause before its reporting verb, so a "that" mark on the cue left
    of a complement that precedes the cue means the cue is a parenthetical on the whole sentence."""
    if cue.dep_ == "ROOT" or cue.head.i >= cue.i or len(children) != 1:
        return False
    clause = children[0]
    if clause.dep_ != "ccomp" or clause.i > cue.i:
        return False
    return any(c.dep_ == "mark" and c.lower_ == "that" and c.i <= clause.left_edge.i for c in cue.children)


# Verbs whose object is the listener, not the words: "Trump told CNN, ...".
ADDRESSEE_VERBS = {"tell", "inform", "remind", "assure", "warn", "ask", "brief"}


def _verb_parsed_as_modifier(idx: _DocIndex, tok: Token) -> Attribution | None:
    """"Trump accused Cruz, the senator, of being “politically correct”", "Trump blasted Disney for
    its “outrageous practices”": the parser reads name + verb + name as one noun phrase (the verb
    a modifier of the second name, the sentence's root, the first name a compound of it). The
    first name is the speaker, and the rest of the phrase, holding quoted words, what is said."""
    config = idx.config
    lemma = tok.lemma_.lower()
    head = tok.head
    if tok.dep_ != "amod" or tok.tag_ not in ("VBD", "VBN") or tok.i == 0 or \
            not (lemma in config.object_content or lemma in config.speech) or \
            head.dep_ != "ROOT" or head.pos_ != "PROPN" or head.i != tok.i + 1 or \
            idx.inside_clause_quote(tok):
        return None
    subj = [t for t in head.children if t.dep_ in ("compound", "nmod") and t.i < tok.i]
    if not subj or subj[-1].i != tok.i - 1 or any(t.pos_ != "PROPN" for t in subj):
        return None
    end = _content_of_subtree(head)
    if end is None:
        return None
    span, quoted = _extend_to_quotes(idx, (head.idx, end[1]))
    if not quoted:
        return None
    att = Attribution("mixed", span, "mixed.object", cue=tok, cue_span=_cue_span(tok), cue_lemma=_cue_lemma(tok),
                      speaker=(subj[0].i, tok.i))
    att.extra["speaker_fixed"] = True
    return att


def reported_speech(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """Cue verbs with a reported clause: indirect, or mixed when quoted words sit inside.

    Skips cues inside a direct quotation (a nested report), intentions (had planned to tell),
    and clauses already covered by a direct quotation.
    """
    config = idx.config
    doc = idx.doc
    for tok in doc:
        lemma = tok.lemma_.lower()
        speech = _is_cue_verb(tok, config)
        # Verbs that report speech only through an object holding quoted words ("called Burma a
        # “good news story”", "labeled it “Mostly True”").
        object_only = not speech and tok.pos_ == "VERB" and lemma in config.object_content and \
            tok.dep_ not in ("amod", "compound")
        mis = _verb_parsed_as_modifier(idx, tok)
        if mis is not None:
            yield mis
            continue
        if not (speech or object_only):
            continue
        if idx.inside_clause_quote(tok) or _governed_by_plan(tok, config) or _that_said(tok):
            continue
        if lemma in config.animate_only:
            # "which could explain why ...", "the data suggest ...": a thing explains, nobody speaks.
            subj, _ = _find_subject(tok, config)
            if subj is None or not _animate(subj, config):
                continue
        children = _content_children(tok, config) if speech else []
        moved = idx.clauses_of_nested.get(tok.i, [])     # clauses an earlier cue's parse took
        # A clause before the cue and cut off from it by a semicolon is a sentence of its own,
        # with its own cue, that the parser hung on this one ("Most voters say they ...; 26
        # percent say they ..."): not what this cue reports.
        children = [c for c in children if not _semicolon_between(idx, c, tok)]
        if any(c.dep_ == "ccomp" and c.i > tok.i and
               not any(t.is_punct and not t.is_quote for t in doc[tok.i + 1:c.i])
               for c in children):
            # With a reported clause right after the cue, a clause before the cue and its
            # subject is an adverbial the parser took for a second one ("While not every promise
            # was kept, Smith said voters are “...”", "Sitting down with reporters, during which
            # she ..., she remarked that ..."): the setting, not what was said. Not when
            # punctuation comes between the cue and the later clause's verb ("..., the mayor
            # says: In her view ...", "The council had a say, said a spokesman, who ... helped":
            # the parse of an inverted cue).
            children = [c for c in children if c.i > tok.i or c.right_edge.i >= tok.i]
        rule = "indirect.ccomp"
        span = None
        speaker = None
        if children:
            # ", the Jerusalem Post reports" at the end of a reported clause is another cue's
            # parenthetical, not part of what was said.
            nested = {c.i: _nested_cues(c, tok, idx) for c in children}
            after = [n.i for ns in nested.values() for n in ns if n.i > tok.i]
            if after:
                # A second clause the parser hung on the cue after a nested cue is that cue's
                # (noted that ... and quoted his “rule” -- “...”): not this one's.
                theirs = [c for c in children if c.i > tok.i and c.left_edge.i > min(after)]
                if len(theirs) < len(children):
                    children = [c for c in children if c not in theirs]
                    for c in theirs:
                        owner = max(n for n in after if n < c.left_edge.i)
                        idx.clauses_of_nested.setdefault(owner, []).append(c)
            spans = [_clause_before_nested(idx, c, nested[c.i]) for c in children]
            spans = [s for s in spans if s]
            lost = _lost_subject(tok, children)
            if spans and lost is not None:
                spans.append((lost.left_edge.idx, spans[0][0]))
            if spans and children[0].dep_ == "ccomp":
                spans += [s for s in (_content_of_subtree(c) for c in _quoted_conj_clauses(tok, children, idx)) if s]
                spans += [s for s in (_content_of_subtree(c) for c in _reason_after(idx, tok, children)) if s]
            if spans:
                span = (min(s[0] for s in spans), max(s[1] for s in spans))
                if _fronted_that_parenthetical(tok, children):
                    span = _content_of_subtree(tok.sent.root) or span
                if children[0].dep_ in ("xcomp", "advcl") and lemma != "make" and \
                        children[0].left_edge.lower_ != "that":
                    rule = "indirect.infinitive"
                elif children[0].dep_ == "prep":
                    rule = "indirect.call_for"
        if span is None and lemma in config.object_content:
            # described the ties as “unique”: the object (with its "as" complement) holds quoted
            # words. Without quoted words an object is a topic, not a statement: skipped.
            objs = [c for c in tok.children if c.dep_ in ("dobj", "attr", "oprd")]
            if not objs:
                # "called what she witnessed “terrible”": a free relative parsed as a clause is
                # the object.
                objs = [c for c in tok.children if c.dep_ == "ccomp" and c.i > tok.i and
                        c.left_edge.lower_ in ("what", "whatever")]
            # Without a subject the verb is likely a mis-parsed modifier ("Netanyahu's declared
            # intention to ..."): no speaker, no statement.
            if objs and _find_subject(tok, config)[0] is None:
                objs = []
            if not objs and any(c.dep_ == "auxpass" for c in tok.children) and \
                    lemma not in config.name_giving_verbs and \
                    any(q.open_start > tok.idx and q.open_start < _sent_of(tok).end_char for q in idx.quotes):
                # Duterte has been called the “Trump of the East”: in the passive the subject is
                # the object described (the speaker, if any, is the agent). Not a name given
                # ("will be dubbed the “... PAC”"), nor "what is called a “debate”", nor a quoted
                # subject ("The so-called “Initiative” was called by ...").
                objs = [c for c in tok.children if c.dep_ == "nsubjpass" and c.i < tok.i and
                        c.lower_ not in config.relative_pronouns]
            if objs:
                start_tok = objs[0]
                # described X as "...", accused X of "...", thanked X for "...".
                pieces = [start_tok] + [c for c in tok.children if c.i > start_tok.i and
                                        c.dep_ in ("prep", "oprd", "advcl", "xcomp") and
                                        (c.lower_ in ("as", "of", "for") or c.dep_ in ("oprd", "xcomp"))]
                # called him “the worst choice” and someone who had “...”: a second complement the
                # parser conjoined to the verb goes on describing the object.
                pieces += [c for c in tok.children if c.dep_ == "conj" and c.i > start_tok.i and
                           c.pos_ in ("NOUN", "PRON", "PROPN")]
                pieces += _tail_adjuncts(idx, tok, pieces)
                # called it “dangerous” that ...: the clause "it" stands for
                if start_tok.lower_ == "it":
                    pieces += [c for c in tok.children if c.dep_ == "ccomp" and c.i > start_tok.i and
                               any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)]
                # called the plan “a mistake” because ...: the reason right after the object is
                # part of the judgement (not when a cue of its own reports it: "because he
                # thought ...", nor when other words come between).
                pieces += [c for c in tok.children if c.dep_ == "advcl" and c.i > start_tok.i and
                           any(m.dep_ == "mark" and m.lower_ == "because" for m in c.children) and
                           c.left_edge.i <= max(p.right_edge.i for p in pieces) + 2 and
                           not any(_is_cue_verb(t, config) and not idx.inside_clause_quote(t)
                                   for t in c.subtree) and not _quotes_own_thought(c)]
                # A participle cue inside the object ("..., saying the move could ...") is
                # another attribution: left out of this one.
                # So is a relative clause reporting someone else ("criticized Clinton's email
                # use, which an FBI investigation said was “extremely careless”"); a passive one
                # describes the object ("calling it a “filing error” that was reported in ...") and
                # stays.
                nested = [t for p in pieces for t in p.subtree if t.i != tok.i and _is_cue_verb(t, config)
                          and (t.tag_ == "VBG" and t.dep_ in ("advcl", "acl", "conj") or t.dep_ == "relcl"
                               and not any(c.dep_ == "nsubjpass" for c in t.children))
                          and not idx.inside_clause_quote(t)]
                spans = [_content_of_subtree(p, exclude=nested) for p in pieces]
                spans = [s for s in spans if s]
                if spans:
                    cand = (min(s[0] for s in spans), max(s[1] for s in spans))
                    if not any(q.content_start < cand[1] and q.content_end > cand[0] for q in idx.quotes):
                        # called the standards “strong.”: the parser may hang the quoted
                        # complement off another word; a quotation opening right after the object
                        # (an article at most between, no punctuation) is still its complement.
                        last = doc[max(p.right_edge.i for p in pieces)]
                        nxt = [t for t in doc[last.i + 1:last.i + 4] if not t.is_space]
                        k = next((j for j, t in enumerate(nxt) if t.is_quote), None)
                        if k is not None and all(t.pos_ == "DET" for t in nxt[:k]):
                            q = next((q for q in idx.quotes if q.open_start == nxt[k].idx and q.closed), None)
                            if q is not None and idx.paragraph_of(q.open_start) == idx.paragraph_of(cand[0]):
                                cand = (cand[0], q.close_end)
                    if any(q.content_start < cand[1] and q.content_end > cand[0] for q in idx.quotes):
                        span = cand
                        rule = "mixed.object"
        if span is None and speech and (tok.dep_ == "parataxis" or _ccomp_parenthetical(tok, config)) and \
                _parenthetical_host(tok, config):
            # The increased hostility, he added, makes ...: a parenthetical cue; the content is
            # the sentence around it.
            head = tok.head
            span = _content_of_subtree(head)
            rule = "indirect.parenthetical"
        if span is None and speech and _as_clause_cue(tok, config):
            # "As Ryan has pointed out, that is the “textbook definition” of racism": an "as"
            # clause with a cue reports the clause it hangs on.
            span = _content_of_subtree(tok.head, exclude=[tok])
            if span is not None and (span[0] <= tok.idx < span[1] or len(idx.words(*span)) < 4):
                span = None   # the clause is not around the cue after all, or too little is left
            rule = "indirect.as_cue"
        if span is not None and rule == "indirect.ccomp":
            inverted = _inverted_parenthetical(tok, config)
            if inverted is not None:
                span, speaker = inverted
                rule = "indirect.parenthetical"
        if span is None and speech and tok.dep_ == "acl" and tok.tag_ in ("VBD", "VBN") and \
                tok.head.dep_ == "nsubj" and tok.head.i < tok.i and \
                not any(c.dep_ in ("agent", "dobj", "ccomp", "nsubj", "nsubjpass") for c in tok.children):
            # "Multiple outlets reported on Wednesday the Secret Service had ...": the cue was
            # parsed as a modifier of its own subject, and the reported clause's subject as a second
            # subject of the clause's verb; that subject and its verb are the content.
            verb = tok.head.head
            second = next((c for c in verb.children if c.dep_ == "nsubj" and c.i > tok.right_edge.i), None)
            if second is not None and verb.i > second.i and \
                    not any(t.is_punct for t in doc[tok.right_edge.i + 1:second.left_edge.i]):
                span = _content_of_subtree(verb, exclude=[tok.head])
                if span is not None:
                    span = (second.left_edge.idx, span[1])
                    speaker = _speaker_span(tok.head, config, keep_acl=False)
        if span is None and speech and tok.dep_ == "advcl" and tok.head.i > tok.right_edge.i and \
                tok.head.pos_ in ("VERB", "AUX") and lemma in config.listener_verbs and \
                any(c.dep_ == "nsubj" for c in tok.children) and \
                not any(c.dep_ in ("ccomp", "xcomp") for c in tok.children):
            # "three days after Trump told the Post he was “not quite there yet”": the parser took
            # the reported clause for the main one and the cue for its adverbial; with no comma
            # between the cue's listener and the clause's subject, that clause is what was said.
            second = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass") and
                           c.i > tok.right_edge.i), None)
            listener = next((c for c in tok.children if c.dep_ in ("dobj", "dative")), None)
            if second is not None and listener is not None and listener.right_edge.i == tok.right_edge.i and \
                    second.left_edge.i == tok.right_edge.i + 1:
                span = _content_of_subtree(tok.head, exclude=[tok])
                if span is not None:
                    span = (second.left_edge.idx, span[1])
        if span is None and speech and tok.dep_ == "ROOT":
            trailing = _trailing_clause(idx, tok)
            if trailing is not None:
                span, speaker = trailing[:2], _speaker_span(trailing[2], config)
                rule = "indirect.trailing"
        if span is None:
            continue
        if moved:
            extra = [s for s in (_content_of_subtree(c) for c in moved) if s]
            span = (min([span[0]] + [s[0] for s in extra]), max([span[1]] + [s[1] for s in extra]))
        span = _colon_quotation(idx, span, taken) or span
        # Extend to the closing mark of any quotation opening inside the content (a mixed quote
        # whose quoted part runs past the parsed clause).
        span, quoted = _extend_to_quotes(idx, span)
        if _overlap(span, taken) > 0:
            # A direct quotation already reports part of this clause (Starr said Clinton's
            # situation reminds him of ..., explaining, "because ..."): keep the longest piece
            # the quotations leave, when it still reads as a clause.
            span = _minus_taken(idx, span, taken)
            if span is None:
                continue
            _, quoted = _extend_to_quotes(idx, span)
        typ = "mixed" if quoted else "indirect"
        if typ == "mixed" and rule.startswith("indirect"):
            rule = "mixed." + rule.split(".", 1)[1]
        att = Attribution(typ, span, rule, cue=tok, cue_span=_cue_span(tok), cue_lemma=_cue_lemma(tok))
        if speaker is not None:
            att.speaker = speaker
            att.extra["speaker_fixed"] = True
        yield att


# Dependents of a verb that may hold the words it quotes from its subject.
FRAGMENT_DEPS = {"dobj", "prep", "ccomp", "xcomp", "attr", "oprd", "acomp", "dative", "advcl", "npadvmod"}
# Adjuncts after a quoted complement that go on with the quoted statement.
TAIL_DEPS = {"prep", "npadvmod"}
NOT_FRAGMENT_SUBJECTS = {"it", "this", "that", "which", "what", "there", "i", "we", "you"}


def _time_adjunct(tok: Token) -> bool:
    """"on Monday", "last week": when it was said, not part of what was said."""
    return any(t.ent_type_ in ("DATE", "TIME") for t in tok.subtree)


def _tail_adjuncts(idx: _DocIndex, verb: Token, pieces: list[Token]) -> list[Token]:
    """The verb's adjuncts right after its quoted complements finish the statement ("are crying
    “fraud” over delegate selection", "acting as “the judge” in his handling of ...", "criticized
    the “identity politics” on display in the race"): up to a comma, a conjunction or a clause
    of its own."""
    out: list[Token] = []
    end = max(p.right_edge.i for p in pieces)
    for c in sorted(verb.children, key=lambda t: t.i):
        if c.i <= end or c.is_punct:
            continue
        # (a comma inside the closing mark is the quotation's own: “a necessary one,” at a time ...)
        if c.dep_ not in TAIL_DEPS or _time_adjunct(c) or c.lower_ == "according" or any(
                not t.is_quote and (t.is_punct or t.dep_ == "cc") and
                not any(q.content_start <= t.idx < q.content_end for q in idx.quotes)
                for t in idx.doc[end + 1:c.left_edge.i]):
            break
        out.append(c)
        end = c.right_edge.i
    return out


def _title_like(idx: _DocIndex, q: QuoteSpan) -> bool:
    """Every content word capitalised: a title or a name (“Meet the Press”, “Trump Revealed”)."""
    words = [t for t in idx.words(q.content_start, q.content_end) if t.is_alpha]
    content = [t for t in words if not t.is_stop or t.i == words[0].i] if words else []
    return bool(content) and all(t.text[:1].isupper() for t in content) and len(words) < 12


def quoted_fragments(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """A verb outside the cue lexicon whose complements hold quoted words, with a subject that
    can speak: the writer quotes the subject inside a clause of his own ("he referred to
    demonstrators as ''my friends''", "Rubio bemoaned the climate in which people “literally
    hate each other”", "Bolton thought some of the “Neocons For Hillary” buzz was ..."). The
    content is the verb's complements up to the one holding the quotation."""
    config = idx.config
    seen: set[int] = set()
    for q in idx.quotes:
        if q.depth != 0:
            continue
        first = idx.token_at(q.content_start)
        if first is None or idx.inside_clause_quote(first) and q not in idx.clause_quotes:
            continue
        verb = next((a for a in first.ancestors if a.pos_ == "VERB" and a.i < first.i), None)
        if verb is None or verb.i in seen or idx.inside_clause_quote(verb):
            continue
        seen.add(verb.i)
        if (verb.dep_ == "ccomp" or verb.dep_ == "xcomp" and verb.tag_ in ("VBD", "VBZ", "VBP")) and \
                verb.head.i < verb.i and _is_cue_verb(verb.head, config) and \
                not _governed_by_plan(verb.head, config) and not idx.inside_clause_quote(verb.head):
            # a guide which she said represented all her “work-related” emails: the clause with
            # the quoted words is reported by the speech verb above it, whose subject speaks.
            verb = verb.head
        lemma = verb.lemma_.lower()
        # Cue verbs are the other extractors' business (what they leave is a setting: said
        # on NBC's “Meet the Press”); be/have/make say nothing of their own.
        if lemma in NOT_TAIL_VERBS or verb.dep_ in ("amod", "compound") or \
                idx.paragraph_of(verb.idx) != idx.paragraph_of(q.open_start):
            continue
        # "refers to the governor as “Chris”": a name given to someone is what the subject calls
        # them, quoted words even when they are one word or a name.
        naming = lemma in config.naming_verbs and any(
            c.dep_ == "prep" and c.lower_ == "as" and c.i < first.i <= c.right_edge.i for c in verb.children)
        if _title_like(idx, q) and not naming:
            continue          # a name, not words: appeared on “The View”, edits “Eat The Press”
        lexicon = lemma in config.speech or lemma in config.direct_only or lemma in config.object_content \
            or naming
        if not lexicon and len(idx.words(q.content_start, q.content_end)) < 2:
            continue          # one quoted word under any verb is mostly a scare quote: a “dry port”
        subj, passive = _find_subject(verb, config)
        if subj is None or passive or subj.lower_ in NOT_FRAGMENT_SUBJECTS or not _animate(subj, config) \
                or idx.inside_clause_quote(subj):
            continue
        path = next((c for c in verb.children if c.i > verb.i and (c.i == first.i or c in first.ancestors)), None)
        if path is None or path.dep_ not in FRAGMENT_DEPS:
            continue
        pieces = [c for c in verb.children if verb.i < c.i <= path.i and c.dep_ in FRAGMENT_DEPS]
        pieces += _tail_adjuncts(idx, verb, pieces)
        nested = [t for p in pieces for t in p.subtree if t.i != verb.i and t.pos_ == "VERB" and
                  t.dep_ in ("advcl", "conj", "relcl") and _is_cue_verb(t, config) and not idx.inside_clause_quote(t)]
        spans = [_content_of_subtree(p, exclude=nested) for p in pieces]
        spans = [sp for sp in spans if sp]
        if not spans:
            continue
        span, quoted = _extend_to_quotes(idx, (min(sp[0] for sp in spans), max(sp[1] for sp in spans)))
        if not quoted or _overlap(span, taken) > 0:
            continue
        yield Attribution("mixed", span, "mixed.quoted_fragment", cue=verb, cue_span=_cue_span(verb),
                          cue_lemma=_cue_lemma(verb))


# Verbs whose subject makes the statement named by their object ("issued a statement that ...").
STATEMENT_MAKING_VERBS = {"issue", "release", "send", "make", "put", "offer", "deliver", "post", "publish",
                          "repeat", "reiterate", "echo", "give", "file"}


# Verbs whose subject takes issue with a statement rather than makes it: "Clinton rejected the
# claim that ...", "took issue with the suggestion that ...".
DISPUTING_VERBS = {"reject", "deny", "dismiss", "dispute", "refute", "rebut", "debunk", "challenge",
                   "question", "counter", "mock", "ridicule", "deride", "attack", "criticize", "criticise",
                   "slam", "blast", "condemn", "denounce", "contest", "doubt", "disagree", "laugh",
                   "scoff", "take", "respond", "answer", "address", "investigate", "examine", "hear",
                   "read", "see", "cite", "quote", "report", "ignore", "believe", "accept", "support",
                   "back", "echo", "amplify", "spread", "push", "peddle", "fuel", "fact-check", "check"}


def _own_statement(noun: Token, verb: Token) -> bool:
    """A reporting noun in the object of a verb is its subject's own statement when the
    subject does something with it as its maker: "Cruz entered the debate with a forceful
    argument that ...", "Trump backed away from his suggestion that ..."; not when the verb
    disputes, reports or weighs someone else's ("rejected the claim that ...")."""
    if verb.lemma_.lower() in DISPUTING_VERBS:
        return False
    # "the claim" with an article of its own may be anybody's; "his"/"her"/"their"/"an" claim
    # with the subject's own determiner is the subject's.
    det = next((c for c in noun.children if c.dep_ in ("det", "poss")), None)
    return det is not None and det.lower_ in ("his", "her", "their", "its", "a", "an")


def _maker_of_statement(noun: Token, config: QuoteConfig) -> Token | None:
    """The speaker of a reporting noun without a possessor, from the verb around it: the subject
    of "Weaver says in a statement that ..." / "Detzner sent out a statement that ..." (a
    speaking subject of a speech verb, or of a verb that makes statements). Not "Clinton
    rejected the claim that ...": the claim is someone else's."""
    if noun.dep_ == "pobj" and noun.head.lower_ == "in" and noun.head.head.pos_ == "VERB":
        verb = noun.head.head
        if not _is_cue_verb(verb, config):
            return None
    elif noun.dep_ == "dobj" and noun.head.pos_ == "VERB":
        verb = noun.head
        if verb.lemma_.lower() not in STATEMENT_MAKING_VERBS and not _is_cue_verb(verb, config) and \
                not _own_statement(noun, verb):
            return None
    elif noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.pos_ == "VERB" and \
            _own_statement(noun, noun.head.head):
        verb = noun.head.head
    else:
        return None
    if _governed_by_plan(verb, config):
        return None
    subj, passive = _find_subject(verb, config)
    if subj is None or passive or not _animate(subj, config):
        return None
    return subj


def _stance_holder(noun: Token, config: QuoteConfig) -> Token | None:
    """Whoever takes a stance on an unowned reporting noun in the object of their verb:
    "Christie repeated accusations that ...", "Trump backed away from the suggestion that ...",
    "Nehlen responded to reports that ...". The subject reacts to the statement, so the "that"
    clause is reported through them (PolNeAR writes the verb's subject as the source); a
    subject that is no speaker, or one disputing the statement as its object ("Clinton
    rejected the claim that ..."), gives none."""
    node = noun
    if node.dep_ == "pobj" and node.head.dep_ in ("prep", "agent"):
        node = node.head
        if node.lower_ in config.stance_blockers:
            return None       # "Despite complaints that ...": nobody's stance
        if node.head.pos_ == "ADV" and node.head.dep_ in ("advmod", "prt"):
            node = node.head  # "backed away from the suggestion", "veered close to an admission"
    if node.dep_ not in ("dobj", "prep", "advmod", "prt") or node.head.pos_ not in ("VERB", "AUX"):
        return None
    verb = node.head
    if verb.lemma_.lower() in config.stance_blockers:
        return None           # "it drew complaints that ...": the subject is what others talk about
    if node.dep_ == "dobj" and verb.lemma_.lower() in DISPUTING_VERBS:
        return None           # "Clinton rejected the claim that ...": someone else's claim
    subj, passive = _find_subject(verb, config)
    if subj is None or passive or not _animate(subj, config) or subj.lower_ in config.relative_pronouns \
            or subj.lower_ in config.unresolvable_pronouns:
        return None
    return subj


def _statement_maker_verb(cue: Token, config: QuoteConfig) -> Token | None:
    """"X released a statement saying ...": the participle hangs off the statement, which X
    issued; X is the one saying (PolNeAR writes the source as X). The verb making the statement,
    when it has a speaking subject; None otherwise."""
    noun = cue.head
    # "X released a statement that said ...": a relative clause on the statement reads the same.
    relative = cue.dep_ == "relcl" and any(c.dep_ == "nsubj" and c.lower_ in ("that", "which")
                                           for c in cue.children)
    if not (cue.dep_ == "acl" and cue.tag_ == "VBG" or relative):
        return None
    if cue.dep_ == "acl" and noun.dep_ == "pobj" and noun.head.lower_ == "to" and noun.head.dep_ in ("dative", "prep"):
        # "sent out a text message to supporters saying ...": the participle hangs on the
        # addressees; what says it is the message sent to them.
        holder = noun.head.head
        if holder.pos_ == "VERB":
            holder = next((c for c in holder.children if c.dep_ == "dobj"), holder)
        noun = holder
    if noun.lemma_.lower() not in config.document_nouns:
        return None
    if noun.dep_ != "dobj" or noun.head.pos_ != "VERB" or noun.head.lemma_.lower() not in STATEMENT_MAKING_VERBS:
        return None
    subj, passive = _find_subject(noun.head, config)
    if subj is None or passive or not _animate(subj, config):
        return None
    return noun.head


def noun_cues(idx: _DocIndex, taken: list[tuple[int, int]],
              hosts: Sequence[tuple[int, int]] = ()) -> Iterator[Attribution]:
    """A reporting noun with a "that" clause: "Trump's claim that there have been ...", "his
    warning that ...". The possessor (or a "by"/"from" phrase) is the speaker.

    One with a possessive owner and quoted words inside a reported clause (hosts) is a report of
    its own nested in that one ("Pence blamed the media for seizing on Trump's claim that Obama
    “founded ISIS”"): kept, marked nested."""
    config = idx.config
    for tok in idx.doc:
        lemma = tok.lemma_.lower()
        if tok.pos_ != "NOUN" or lemma not in config.noun_cues | config.noun_cue_for \
                or idx.inside_clause_quote(tok):
            continue
        clause = None
        if lemma in config.noun_cues:
            clause = next((c for c in tok.children if c.dep_ in ("acl", "ccomp", "appos", "relcl") and c.i > tok.i
                           and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)), None)
        owned_only = False
        if clause is None:
            # A person's pledge or demand quoted in part: "his promise to be “neutral” in talks"
            # (a "to" clause), "her call for “a complete and total ban” on imports" (a "for" object). Only
            # with a possessive owner and quote marks in the content: unowned or unquoted, these
            # are the writer's summary ("a promise to cut taxes").
            clause = next((c for c in tok.children if c.dep_ == "acl" and c.i > tok.i and c.pos_ in ("VERB", "AUX")
                           and any(a.dep_ == "aux" and a.lower_ == "to" and a.i < c.i for a in c.children)),
                          None)
            if clause is None and lemma in config.noun_cue_for:
                # The quoted words must be a phrase of 4+ words: shorter ones are slogans and
                # labels ("his appeal for “law and order”", "a call for a “deportation force”").
                prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "for" and c.i > tok.i), None)
                clause = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
                if clause is not None and not any(
                        q.depth == 0 and q.content_end > clause.left_edge.idx and q.content_start < clause.right_edge.idx
                        and len(idx.words(q.content_start, q.content_end)) >= 4 for q in idx.quotes):
                    clause = None
            if clause is None:
                continue
            owned_only = True
        span = _content_of_subtree(clause)
        if span is None:
            continue
        span, quoted = _extend_to_quotes(idx, span)
        owner = next((c for c in tok.children if c.dep_ == "poss"), None)
        nested = quoted and owner is not None and \
            any(h[0] <= owner.idx and span[1] <= h[1] for h in hosts) and \
            not any(t[0] < span[1] and span[0] < t[1] and not (t[0] <= owner.idx and span[1] <= t[1])
                    for t in taken)
        if _overlap(span, taken) > 0.5 * (span[1] - span[0]) and not nested:
            continue
        if owned_only:
            if owner is None or not quoted or len(idx.words(*span)) < 3:
                continue
        if owner is None:
            prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("by", "from", "of")
                         and c.i < clause.i), None)
            owner = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if owner is None:
            owner = _maker_of_statement(tok, config)
        if owner is None:
            owner = _stance_holder(tok, config)
        att = Attribution("mixed" if quoted else "indirect", span,
                          "mixed.noun_cue" if quoted else "indirect.noun_cue", cue=tok,
                          cue_span=(tok.i, tok.i + 1), cue_lemma=tok.lemma_.lower(),
                          speaker=_speaker_span(owner, config) if owner is not None else None)
        att.extra["speaker_fixed"] = True
        if nested and _overlap(span, taken) > 0:
            att.extra["nested"] = True
        yield att


TRANSCRIPT_RE = re.compile(r"^[\"“]?([A-Z][A-Z.'’ -]{1,40}[A-Z.]):\s+\S")


def block_quotes(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """Quotations set off as paragraphs without quote marks.

    - A cue ending its paragraph with a colon ("The governor added:") introduces the next
      paragraph, quoted or not (a quoted one is already attached by `_head_cue`).
    - A transcript line "PENCE: Well, look, ..." is the named speaker's words.
    """
    config = idx.config
    doc, text = idx.doc, idx.text
    for p, (ps, pe) in enumerate(idx.paragraphs):
        m = TRANSCRIPT_RE.match(text[ps:pe])
        if m and len(m.group(1).split()) <= 4:
            name_start = ps + m.start(1)
            name_end = ps + m.end(1)
            content_start = ps + m.end(1) + 1
            while content_start < pe and text[content_start].isspace():
                content_start += 1
            a, b = idx.token_range(name_start, name_end)
            colon = idx.token_at(name_end)
            span = (content_start, pe)
            if b > a and colon is not None and _overlap(span, taken) <= 0 and pe > content_start:
                yield Attribution("direct", span, "direct.transcript", cue=colon,
                                  cue_span=(colon.i, colon.i + 1), cue_lemma=":", speaker=(a, b))
            continue
        if text[pe - 1:pe] != ":" or p + 1 >= len(idx.paragraphs):
            continue
        a, b = idx.token_range(ps, pe)
        last_sent = _sent_of(doc[b - 1])
        cues = [t for t in doc[max(a, last_sent.start):b]
                if _is_cue_verb(t, config, allow_direct_only=True) and not idx.inside_clause_quote(t)
                and not _governed_by_plan(t, config)]
        if not cues:
            continue
        ns, ne = idx.paragraphs[p + 1]
        if text[ns] in QUOTE_CHARS or _overlap((ns, ne), taken) > 0:
            continue
        cue = cues[-1]
        yield Attribution("direct", (ns, ne), "direct.colon_block", cue=cue, cue_span=_cue_span(cue),
                          cue_lemma=_cue_lemma(cue))


# Longest source written before the colon of a headline ("McCain Challenger Kelli Ward: ...").
MAX_HEADLINE_SOURCE = 8
HEADLINE_DASH = re.compile(r"^.{1,30}?\s[-–—]\s+")


def headline_source(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """A headline "Source: words" (the document's first line: "Reid: ‘Never underestimate
    Trump.’", "Clinton to Planned Parenthood: Trump will ‘reverse’ Roe", "Woman Steps Forward With
    Claim: ‘...’") reports what follows the colon as the words of the source before it: the
    noun phrase opening the line, cut before a preposition, a verb or a possessive mark. Only
    lines that quote (marks after the colon) and have no lower-case verb before the colon (a
    sentence, not a headline); a label before the colon ("Breaking: ...") names nobody."""
    config, doc, text = idx.config, idx.doc, idx.text
    if not idx.paragraphs:
        return
    ps, pe = idx.paragraphs[0]
    line = text[ps:pe]
    colon_at = line.find(":")
    if colon_at <= 0 or "\n" in line.strip():
        return
    m = HEADLINE_DASH.match(line[:colon_at])        # "EXCLUSIVE – Roger Stone: ..."
    src_start = ps + (m.end() if m else 0)
    prefix = text[src_start:ps + colon_at]
    if re.search(r"[.!?;\"“”‘]|\s['’]|^['’]", prefix.strip()) or \
            prefix.strip().lower() in config.headline_labels:
        return
    start = ps + colon_at + 1
    end = pe
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ";"):
        end -= 1
    if end <= start or not any(start <= q.open_start < end and q.depth == 0 for q in idx.quotes):
        return
    if any(q.open_start < start and q.close_end > start for q in idx.quotes):
        return
    span = (start, end)
    if _overlap(span, taken) > 0:
        return
    a, b = idx.token_range(src_start, ps + colon_at)
    words = [t for t in doc[a:b] if not t.is_space]
    if not words or len(words) > MAX_HEADLINE_SOURCE or not words[0].text[:1].isupper() or \
            any(t.pos_ in ("VERB", "AUX") and t.text[:1].islower() for t in words):
        return        # (a sentence with a verb before the colon: "The report had one line: “...”")
    speaker = []
    for t in words:
        if speaker and (t.pos_ in ("ADP", "VERB", "AUX", "PART", "SCONJ", "CCONJ") or t.tag_ in ("POS", "VBZ") or
                        t.lemma_.lower() in config.speech or _inverted_cue_word(t, config) or t.is_punct):
            break
        speaker.append(t)
    colon = idx.token_at(ps + colon_at)
    if colon is None:
        return
    quoted = [q for q in idx.quotes if q.depth == 0 and start <= q.open_start < end]
    whole = len(quoted) == 1 and quoted[0].open_start == start and quoted[0].close_end >= end
    yield Attribution("direct" if whole else "mixed", span, "direct.headline_source", cue=colon,
                      cue_span=(colon.i, colon.i + 1), cue_lemma=":", speaker=(speaker[0].i, speaker[-1].i + 1),
                      extra={"speaker_fixed": True})


def _extend_to_quotes(idx: _DocIndex, span: tuple[int, int]) -> tuple[tuple[int, int], bool]:
    """Widen a reported clause to the marks of every quotation it overlaps (a mixed quote whose
    quoted part runs past the parsed clause, or whose opening mark the parser left outside)."""
    start, end = span
    quoted = False
    for q in idx.quotes:
        if q.depth == 0 and q.content_start < end and q.content_end > start:
            quoted = True
            start = min(start, q.open_start)
            end = max(end, q.close_end if q.closed else q.close_start)
    return (start, end), quoted


def _colon_quotation(idx: _DocIndex, span: tuple[int, int], taken: Sequence[tuple[int, int]]
                     ) -> tuple[int, int] | None:
    """A reported clause ending in a colon that a quotation no cue took goes on in that
    quotation: "said that a deal might be possible: “In politics, the question is ...”" - the
    quotation is part of what was said. The span widened to the closing mark, or None."""
    colon = idx.token_at(span[1])
    if colon is None:
        nxt = [t for t in idx.doc[idx.token_range(span[1], span[1] + 3)[0]:] if not t.is_space][:1]
        colon = nxt[0] if nxt else None
    if colon is None or colon.text != ":" or idx.text[span[1]:colon.idx].strip():
        return None
    for q in idx.quotes:
        if q.depth != 0 or q.open_start < colon.idx or idx.text[colon.idx + 1:q.open_start].strip():
            continue
        if idx.paragraph_of(q.open_start) != idx.paragraph_of(colon.idx) or \
                _overlap((q.content_start, q.content_end), taken) > 0:
            return None
        return span[0], (q.close_end if q.closed else q.close_start)
    return None


def according_to(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """"according to X, ..." / "..., according to X": the clause the phrase modifies, minus it."""
    doc = idx.doc
    for tok in doc:
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
        if pobj is None:
            continue
        head = tok.head if tok.head.i != tok.i else None
        if head is None:
            continue
        # Climb to the clause (a noun head: "the visit, according to JNS, was ..." parses oddly).
        while head.dep_ not in ("ROOT", "ccomp", "conj", "advcl", "parataxis") and head.head.i != head.i:
            head = head.head
        span = _content_of_subtree(head, exclude=[tok])
        if span is None:
            continue
        sent = _sent_of(tok)
        span = (max(span[0], sent.start_char), min(span[1], sent.end_char))
        # Skip the "according to X" phrase when it sits at the start.
        phrase_end = max(t.idx + len(t.text) for t in tok.subtree)
        if span[0] >= tok.idx and span[0] < phrase_end:
            rest = idx.token_range(phrase_end, span[1])
            toks = [t for t in doc[rest[0]:rest[1]] if not (t.is_punct or t.is_space)]
            if not toks:
                continue
            span = (toks[0].idx, span[1])
        if span[1] <= span[0] or _overlap(span, taken) > 0.5 * (span[1] - span[0]):
            continue
        span, quoted = _extend_to_quotes(idx, span)
        att = Attribution("mixed" if quoted else "indirect", span,
                          "mixed.according_to" if quoted else "indirect.according_to",
                          cue=tok, cue_span=(tok.i, tok.i + 2), cue_lemma="according to",
                          speaker=_speaker_span(pobj, idx.config))
        yield att


def _minus_taken(idx: _DocIndex, span: tuple[int, int], taken: Sequence[tuple[int, int]],
                 min_words: int = 4) -> tuple[int, int] | None:
    """The longest piece of `span` outside the `taken` spans (trimmed of spaces and punctuation),
    or None when no piece has `min_words` words."""
    pieces = [span]
    for t0, t1 in sorted(taken):
        out = []
        for a, b in pieces:
            if t1 <= a or t0 >= b:
                out.append((a, b))
                continue
            if t0 > a:
                out.append((a, t0))
            if t1 < b:
                out.append((t1, b))
        pieces = out
    best = None
    for a, b in pieces:
        words = idx.words(a, b)
        if len(words) < min_words:
            continue
        piece = (words[0].idx, words[-1].idx + len(words[-1].text))
        if best is None or piece[1] - piece[0] > best[1] - best[0]:
            best = piece
    return best


def _overlap(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> int:
    return max((min(span[1], o[1]) - max(span[0], o[0]) for o in others), default=0)


# ---------------------------------------------------------------------------------------------
# 3. Speakers
# ---------------------------------------------------------------------------------------------


POSSESSIVE_PRONOUNS = {"his": "he", "her": "she", "their": "they", "its": "it"}
# Endings of abstract nouns, which never speak ("intention", "assessment", "possibility").
ABSTRACT_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ism", "ship", "ure", "ing")


class SpeakerResolver:
    """Canonical speakers by name, pronoun, role and recency (no coreference model)."""

    def __init__(self, doc: Doc, mentions: list[Mention], config: QuoteConfig):
        self.doc = doc
        self.config = config
        self.mentions = sorted(mentions, key=lambda m: m.token_start)
        self.token_mention: dict[int, Mention] = {}
        for m in self.mentions:
            for i in range(m.token_start, min(m.token_end, len(doc))):
                self.token_mention[i] = m
        self.history: list[Attribution] = []      # resolved attributions, in document order
        # Gender by canonical name: honorifics before any mention (Mr. / Mrs.), else the first
        # name (config lexicons), else what an earlier "he"/"she" resolved to this person said.
        self.genders: dict[str, str | None] = {}
        for m in self.mentions:
            if m.label != "PERSON":
                continue
            if m.token_start > 0:
                prev = doc[m.token_start - 1].lower_
                if prev in config.male_honorifics:
                    self.genders.setdefault(m.name, "m")
                elif prev in config.female_honorifics:
                    self.genders.setdefault(m.name, "f")
        for m in self.mentions:
            if m.label == "PERSON" and m.name not in self.genders:
                first = m.name.split()[0].lower().strip(".") if m.name.split() else ""
                if first in config.male_names:
                    self.genders[m.name] = "m"
                elif first in config.female_names:
                    self.genders[m.name] = "f"
        self.pronoun_genders: dict[str, str] = {}

    # -- helpers -------------------------------------------------------------------------------
    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        seen, out = set(), []
        for i in range(start, end):
            m = self.token_mention.get(i)
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                out.append(m)
        return out

    def _head(self, start: int, end: int) -> Token:
        span = self.doc[start:end]
        return span.root

    def _gender(self, mention: Mention) -> str | None:
        return self.genders.get(mention.name) or self.pronoun_genders.get(mention.name)

    def _recent(self, before_token: int, labels: Sequence[str], pronoun: str | None = None) -> Mention | None:
        gender = {"he": "m", "him": "m", "she": "f", "her": "f"}.get(pronoun or "")
        for m in reversed(self.mentions):
            if m.token_start >= before_token or m.label not in labels:
                continue
            if gender and (g := self._gender(m)) and g != gender:
                continue
            return m
        return None

    @staticmethod
    def _set(att: Attribution, name: str | None, entity_id: str | None, label: str | None,
             resolution: str) -> Attribution:
        att.speaker_name, att.speaker_entity_id, att.speaker_label, att.resolution = name, entity_id, label, resolution
        return att

    def _name_in_span(self, start: int, end: int, head: Token) -> Mention | None:
        """A named mention that IS the speaker: it holds the head, or the head is a title right
        before/after it (PM Bennett, Bennett's office is not Bennett: checked by the caller)."""
        inside = self._mentions_in(start, end)
        for m in inside:
            if m.token_start <= head.i < m.token_end:
                return m
        # The head is a title word compounded with a name ("President Putin" parsed with the
        # title as head), or an apposition.
        for m in inside:
            root = self.doc[m.token_start:m.token_end].root
            if root.head.i == head.i and root.dep_ in ("compound", "appos", "nmod", "poss") and \
                    (head.lower_ in self.config.title_words or head.lower_ in _role_heads(self.config)) \
                    and root.dep_ != "poss":
                return m
        return None

    def _role_match(self, words: list[str], before_token: int) -> Mention | None:
        """"the Russian leader", "The Israeli Prime Minister", "the president": persons whose
        titles carry the role word (through the roles lexicon) and every nationality adjective."""
        roles = self.config.roles
        text = " ".join(words)
        role_key = None
        for key in sorted(roles, key=len, reverse=True):
            if re.search(rf"\b{re.escape(key)}\b", text):
                role_key = key
                break
        if role_key is None:
            return None
        wanted = roles[role_key]
        adjectives = [w for w in words if w[:1].isalpha() and w not in role_key.split() and w not in ("the", "a", "an", "former", "its", "his", "her", "their")]
        best = None
        for m in self.mentions:
            if m.label != "PERSON":
                continue
            titles = " ".join(m.titles) + " " + (m.title or "").lower()
            if not any(re.search(rf"\b{re.escape(w)}\b", titles) for w in wanted):
                continue
            if adjectives and not all(re.search(rf"\b{re.escape(a)}\b", titles) for a in adjectives):
                continue
            # Recency: the most recent mention before the cue, else the first after it.
            if m.token_start < before_token:
                best = m
            elif best is None:
                best = m
        return best

    def _document_antecedent(self, before_token: int) -> Attribution | None:
        for att in reversed(self.history):
            if att.extra.get("speaker_kind") in ("document", "organisation") and att.speaker_name:
                if att.cue is None or att.cue.i < before_token:
                    return att
        return None

    # -- main ------------------------------------------------------------------------------------
    def resolve(self, att: Attribution) -> Attribution:
        doc, config = self.doc, self.config
        if att.inherit_from is not None:
            src = att.inherit_from
            self._set(att, src.speaker_name, src.speaker_entity_id, src.speaker_label,
                      "continuation" if src.speaker_name else "none")
            att.extra["speaker_kind"] = src.extra.get("speaker_kind")
            self.history.append(att)
            return att
        if att.speaker is None:
            self._set(att, None, None, None, "none")
            return att
        start, end = att.speaker_ref or att.speaker
        head = self._head(start, end)
        low = POSSESSIVE_PRONOUNS.get(head.lower_, head.lower_)
        cue_i = att.cue.i if att.cue is not None else start
        words = [t.lower_ for t in doc[start:end] if not t.is_punct]
        # A named mention that is the speaker: explicit.
        named = self._name_in_span(start, end, head)
        if named is not None and named.label == "PERSON" and att.speaker_ref is not None and \
                doc[att.speaker[0]].lower_ == "which":
            # "..., which could explain why": "which" never stands for a person; the parse hung
            # the clause on the wrong noun, and a thing, not a speaker, does the explaining.
            att.extra["drop"] = True
            self._set(att, None, None, None, "none")
            return att
        if named is not None and low not in config.document_nouns:
            kind = "person" if named.label == "PERSON" else "organisation"
            att.extra["speaker_kind"] = kind
            self._set(att, named.name, named.entity_id, named.label, "explicit")
            self.history.append(att)
            return att
        # Pronouns.
        if end - start == 1 and low in config.relative_pronouns | config.unresolvable_pronouns - {"that", "this"}:
            self._set(att, None, None, None, "none")
            return att
        if low in config.person_pronouns and end - start <= 2:
            m = self._pronoun_person(cue_i, low)
            if m is not None:
                att.extra["speaker_kind"] = "person"
                self._set(att, m.name, m.entity_id, m.label, "pronoun")
            else:
                self._set(att, None, None, None, "none")
            self.history.append(att)
            return att
        if low in config.thing_pronouns and end - start <= 2:
            ante = self._it_antecedent(cue_i)
            if ante is not None:
                name, eid, label = ante
                att.extra["speaker_kind"] = "organisation"
                self._set(att, name, eid, label, "pronoun")
            else:
                self._set(att, None, None, None, "none")
            return att
        if low in config.plural_pronouns and end - start <= 2:
            prev = self._previous_speaker(cue_i, plural=True)
            if prev is not None:
                self._set(att, prev.speaker_name, prev.speaker_entity_id, prev.speaker_label, "pronoun")
            else:
                self._set(att, None, None, None, "none")
            return att
        # Documents and statements: "A short statement issued by the Prime Minister's Office".
        if low in config.document_nouns or low in config.organisation_nouns and not named:
            by = self._issuer(head, start, end)
            if by is not None:
                name, eid, label = by
                att.extra["speaker_kind"] = "document"
                self._set(att, name, eid, label, "explicit")
                self.history.append(att)
                return att
            determiner = next((c.lower_ for c in head.children if c.dep_ == "det"), None)
            if determiner in ("the", "this", "that") and head.tag_ != "NNS":
                ante = self._document_antecedent(cue_i)
                if ante is not None and low in config.document_nouns:
                    att.extra["speaker_kind"] = "document"
                    self._set(att, ante.speaker_name, ante.speaker_entity_id, ante.speaker_label, "role")
                    self.history.append(att)
                    return att
        # Roles and titles: "The Israeli Prime Minister", "the Russian leader", "the president".
        role_words = [w for w in words]
        if head.lower_ in _role_heads(config) or any(w in config.roles for w in role_words):
            m = self._role_match(role_words, cue_i)
            if m is not None:
                att.extra["speaker_kind"] = "person"
                self._set(att, m.name, m.entity_id, m.label, "role")
                self.history.append(att)
                return att
        # Any named mention inside the span that the head owns (e.g. an ORG in "the Russian
        # Foreign Ministry" when the head is "Ministry").
        inside = [m for m in self._mentions_in(start, end)]
        if inside and low not in config.unnamed_nouns:
            m = next((m for m in inside if m.token_start <= head.i < m.token_end), None)
            if m is not None:
                att.extra["speaker_kind"] = "organisation" if m.label != "PERSON" else "person"
                self._set(att, m.name, m.entity_id, m.label, "explicit")
                self.history.append(att)
                return att
        # A surname the NER missed ("..., Lopez said." after "Maria Lopez"): the person of the
        # document whose name ends with it.
        if head.pos_ == "PROPN" and head.ent_type_ in ("", "PERSON"):
            same = [m for m in self.mentions if m.label == "PERSON" and m.name.split()[-1] == _norm(head.text)]
            if same:
                m = max(same, key=lambda m: (m.token_start < cue_i, len(m.name)))
                att.extra["speaker_kind"] = "person"
                self._set(att, m.name, m.entity_id, m.label, "explicit")
                self.history.append(att)
                return att
        # Unnamed or unresolved: kept as written, when it names a source at all. A canonical
        # speaker is a name, an organisation or an unnamed source as written ("an official",
        # "Israeli officials", "Reports in Israeli press"); never a common noun that cannot speak
        # ("intention", "the Jewish state"), nor an anaphoric plural of a role ("the leaders",
        # "the two presidents": people named earlier, whom no rule here can tell apart).
        written = _norm(doc[start:end].text)
        lemma = head.lemma_.lower()
        source_noun = any(w in lexicon for w in (low, lemma) for lexicon in (
            config.unnamed_nouns, config.organisation_nouns, config.document_nouns))
        role_noun = (low in _role_heads(config) or lemma in _role_heads(config) or low in config.title_words) \
            and low not in config.non_speaking_heads
        anaphoric_plural = role_noun and head.tag_ in ("NNS", "NNPS") and not source_noun and any(
            c.dep_ in ("det", "nummod", "predet") and c.lower_ in ("the", "both", "two", "three", "these", "those", "all")
            for c in head.children)
        cannot_speak = not (source_noun or role_noun) and (
            low in config.non_speaking_heads or lemma in config.non_speaking_heads or
            low.endswith(ABSTRACT_SUFFIXES))
        if head.pos_ == "PRON" or anaphoric_plural or (head.pos_ != "PROPN" and cannot_speak):
            self._set(att, None, None, None, "none")
            return att
        kind = "document" if low in config.document_nouns else (
            "organisation" if low in config.organisation_nouns else "unnamed")
        att.extra["speaker_kind"] = kind
        if head.pos_ == "PROPN":
            self._set(att, _strip_the(written), None, None, "explicit")
        else:
            self._set(att, written, None, None, "none")
        self.history.append(att)
        return att

    def _pronoun_person(self, cue_i: int, pronoun: str) -> Mention | None:
        """he/she: the previous attribution's person when recent (the usual "he added"), else the
        most recent person mentioned before the cue, respecting honorific gender when known."""
        gender = {"he": "m", "him": "m", "she": "f", "her": "f"}.get(pronoun)
        prev = self._previous_speaker(cue_i, plural=False)
        recent = self._recent(cue_i, ("PERSON",), pronoun)
        if prev is not None:
            pm = next((m for m in self.mentions if m.name == prev.speaker_name and m.label == "PERSON"), None)
            if pm is not None and not (gender and (g := self._gender(pm)) and g != gender):
                # Prefer the previous speaker unless another person was named since, closer to
                # the cue, as the subject of a sentence.
                if recent is None or recent.name == pm.name or prev.cue is None or \
                        recent.token_start < prev.cue.i or not self._is_subject(recent):
                    return self._learn_gender(pm, gender)
        return self._learn_gender(recent, gender)

    def _learn_gender(self, m: Mention | None, gender: str | None) -> Mention | None:
        """A person "he"/"she" resolved to keeps that gender for later pronouns of the document."""
        if m is not None and gender and not self._gender(m):
            self.pronoun_genders[m.name] = gender
        return m

    def _is_subject(self, m: Mention) -> bool:
        root = self.doc[m.token_start:m.token_end].root
        return root.dep_ in ("nsubj", "nsubjpass")

    def _previous_speaker(self, cue_i: int, plural: bool) -> Attribution | None:
        for att in reversed(self.history):
            if att.speaker_name and (att.cue is None or att.cue.i < cue_i + 200):
                if plural and att.speaker_label == "PERSON":
                    continue
                if not plural and att.speaker_label not in ("PERSON",):
                    continue
                return att
        return None

    def _it_antecedent(self, cue_i: int):
        """"It said": the statement or organisation spoken of just before (a document noun in
        the previous sentences, resolved through the last document/organisation speaker)."""
        doc = self.doc
        sent_start = _sent_of(doc[cue_i]).start
        window_start = max(0, sent_start - 80)
        ante = self._document_antecedent(cue_i)
        for tok in reversed(doc[window_start:cue_i]):
            if tok.lower_ in self.config.document_nouns and tok.pos_ == "NOUN":
                by = self._issuer(tok, tok.left_edge.i, tok.right_edge.i + 1)
                if by is not None:
                    return by
                if ante is not None:
                    return ante.speaker_name, ante.speaker_entity_id, ante.speaker_label
            m = self.token_mention.get(tok.i)
            if m is not None and m.label == "ORG":
                return m.name, m.entity_id, m.label
        if ante is not None:
            return ante.speaker_name, ante.speaker_entity_id, ante.speaker_label
        return None

    def _issuer(self, head: Token, start: int, end: int):
        """The organisation behind a document noun: "statement issued by X", "statement from X",
        "X's statement", "a Kremlin statement"."""
        for tok in head.subtree:
            if tok.dep_ == "pobj" and tok.head.lower_ in ("by", "from", "of") and tok.i < end:
                return self._name_of_np(tok)
            if tok.dep_ == "poss" and tok.head.i == head.i:
                return self._name_of_np(tok)
            if tok.dep_ == "compound" and tok.head.i == head.i and tok.pos_ == "PROPN":
                return self._name_of_np(tok)
        return None

    def _name_of_np(self, tok: Token):
        m = self.token_mention.get(tok.i)
        if m is not None:
            return m.name, m.entity_id, m.label
        # An organisation the NER missed: the noun phrase as written, without "the" and "'s".
        left = tok.left_edge.i
        toks = [t for t in self.doc[left:tok.i + 1] if not t.is_punct]
        while toks and toks[0].lower_ in ("the", "a", "an"):
            toks = toks[1:]
        while toks and toks[-1].lower_ in ("'s", "’s"):
            toks = toks[:-1]
        if not toks:
            return None
        return _norm(self.doc[toks[0].i:toks[-1].i + 1].text), None, "ORG"


def _share_of_people(subj: Token, config: QuoteConfig) -> bool:
    """"55 percent", "a majority", "three in four", "Six in 10 Republicans": a share of people."""
    if subj.lemma_.lower() in config.share_nouns or subj.pos_ == "NUM" or subj.text == "%":
        return True
    # "Six in 10 Republicans say": the people noun heads the phrase; "in" ties the two numbers.
    return any(c.dep_ == "nummod" and c.pos_ == "NUM" and
               any(q.dep_ == "quantmod" and q.lower_ == "in" for q in c.children) for c in subj.children)


def _poll_in_sentence(cue: Token, content: tuple[int, int] | None, config: QuoteConfig) -> Token | None:
    """The poll a share's answer is reported from, anywhere in its sentence: "According to a new
    survey, 51 percent said ...", "Some 20 percent of people in a recent poll said ...; 29 percent
    said ...", "Six in 10 say ..., a new poll shows", "results of an exit poll show that half said".
    Inside the reported clause only "in a poll" counts ("... said they back him in a poll this
    month"); a poll the respondents talk about ("said the poll was rigged") is not its source."""
    for tok in cue.sent:
        if tok.lemma_.lower() not in config.poll_nouns or tok.pos_ != "NOUN":
            continue
        prep = tok.head if tok.dep_ == "pobj" else None
        located = prep is not None and (prep.lower_ == "in" or
                                        (prep.lower_ == "to" and prep.head.lower_ == "according"))
        inside = content is not None and content[0] <= tok.idx < content[1]
        if inside and not located:
            continue
        # "Six in 10 say ..., after half said so in the earlier poll": the poll of another
        # answer (a poll in another reporting clause that it is not the subject of).
        verb = next((a for a in tok.ancestors if a.pos_ in ("VERB", "AUX")), None)
        if verb is not None and verb.i != cue.i and _is_cue_verb(verb, config) and \
                not (tok.dep_ == "nsubj" and tok.head.i == verb.i) and \
                not any(c.dep_ == "nsubj" and c.lemma_.lower() in config.poll_nouns for c in verb.children):
            continue
        # "Early results of an exit poll": the noun phrase the poll belongs to.
        head = tok
        while head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.pos_ == "NOUN":
            head = head.head.head
        if head.dep_ == "pobj" and head.head.lower_ == "to" and head.head.head.lower_ == "according":
            return head
        if located or head.dep_ in ("nsubj", "compound", "appos"):
            return head
    return None


def _poll_of_share(subj: Token, cue: Token, config: QuoteConfig,
                   content: tuple[int, int] | None = None) -> Token | None:
    """"In a new poll, 55 percent of voters said ..." / "The survey found that 40% say ...": a share
    of respondents answers the poll's question; the poll is what reports the figure, so it is the
    source. Returns the poll noun (a preposition phrase on the cue, or the subject of a verb
    governing the cue, or else a poll located in the sentence), else None."""
    if not _share_of_people(subj, config):
        return None
    sent = cue.sent
    # "In a poll released Monday, ... said": the poll as the object of "in" on the cue.
    for prep in cue.children:
        if prep.dep_ == "prep" and prep.lower_ == "in":
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.lemma_.lower() in config.poll_nouns:
                    return obj
    # "A poll showed that 55 percent said ...": the poll as the subject of a governing verb.
    head = cue
    while head.head is not head and head.head.sent == sent and head.dep_ in ("ccomp", "conj", "advcl", "relcl"):
        head = head.head
        for child in head.children:
            if child.dep_ in ("nsubj",) and child.lemma_.lower() in config.poll_nouns:
                return child
    return _poll_in_sentence(cue, content, config)


def _naming_participle(cue: Token, config: QuoteConfig) -> bool:
    """"a group called the “Freedom Fund”", "an event billed as “...”", "courses known as “...”":
    a passive participle naming the noun it modifies, with no "by" agent. The noun is what gets
    named, not who names it, and the namer is not known: no speaker."""
    lemma = cue.lemma_.lower()
    # (right after the noun: "De Blasio, speaking on the radio, called ..." parsed as a
    # participle after a comma is a finite verb)
    if cue.i == 0 or cue.doc[cue.i - 1].is_punct:
        return False
    known_as = lemma == "know" and any(c.dep_ == "prep" and c.lower_ == "as" for c in cue.children)
    return cue.dep_ == "acl" and cue.tag_ == "VBN" and cue.head.i < cue.i and \
        (lemma in config.metalinguistic_verbs or lemma in config.naming_verbs or
         lemma in config.name_giving_verbs or known_as) and not any(c.dep_ == "agent" for c in cue.children)


def _strip_the(text: str) -> str:
    return re.sub(r"^(the|The)\s+", "", text)


# ---------------------------------------------------------------------------------------------
# Putting it together for one document
# ---------------------------------------------------------------------------------------------

TYPE_PRIORITY = {"direct": 0, "mixed": 1, "indirect": 2}


def _reanchor_same_paragraph(idx: _DocIndex, direct: list[Attribution], reported: list[Attribution]) -> None:
    """A quotation that took the cue of an earlier quotation of its paragraph goes with a newer
    reported-speech cue standing between them instead: “...,” X said. Y added that the plan
    failed. “...” / Y said he would never go, “except for ...”. The quotation either sits in that
    cue's reported clause or goes on right after it (after a comma, or opening the next sentence
    within MAX_RESUME_GAP words), and the cue stands outside the sentence of the cue first taken.
    Among several such cues the latest wins, never one inside another's reported clause."""
    for att in direct:
        if att.rule_id != "direct.same_paragraph" or att.cue is None:
            continue
        p = idx.paragraph_of(att.content[0])
        # (a quotation that took the cue of a later one -- none before it -- may go with a
        # reported clause before it in the same way: She says X. “...” “...,” she added.)
        floor = att.cue.idx if att.cue.idx < att.content[0] else idx.paragraph_start(att.content[0]) - 1
        best = None
        for rep in reported:
            cue = rep.cue
            if cue is None or not (floor < cue.idx < att.content[0]) or \
                    idx.paragraph_of(cue.idx) != p or rep.cue_lemma == "according to" or \
                    _sent_of(cue).start == _sent_of(att.cue).start:
                # (a cue of the first quotation's own sentence -- "said X, who noted that ...",
                # "when asked" -- adds to that attribution, it does not start a new one)
                continue
            inside = rep.content[0] <= att.content[0] < rep.content[1]
            gap = len(idx.words(rep.content[1], att.content[0])) if rep.content[1] <= att.content[0] else None
            # (or goes on the reported clause after a comma: X said he ..., “except ...”)
            before = gap is not None and (gap == 0 or _starts_sentence(idx, att.content[0]) and gap <= MAX_RESUME_GAP)
            if (inside or before) and (best is None or cue.idx > best.cue.idx) and not any(
                    o is not rep and o.cue is not None and o.content[0] <= cue.idx < o.content[1] and
                    o.cue.idx > floor for o in reported):
                # (a cue inside another one's reported clause -- X said he asks Y to ... -- is
                # not the one the quotation goes with: the outer one is)
                best = rep
        if best is not None:
            att.cue, att.cue_span, att.cue_lemma = best.cue, best.cue_span, best.cue_lemma
            att.speaker, att.speaker_ref = None, None
            continue
        own = _governing_speech_verb(idx, att)
        if own is not None:
            att.cue, att.cue_span, att.cue_lemma = own, _cue_span(own), _cue_lemma(own)
            att.speaker, att.speaker_ref = None, None


def _governing_speech_verb(idx: _DocIndex, att: Attribution) -> Token | None:
    """“...,” X said. He wrote that the plan “has failed ...”: a quotation opening inside a
    sentence of its own, under a speech verb of that sentence (the verb governs the quotation's
    first word through its clause), is that verb's, not the cue of the paragraph's earlier
    quotation. The verb must come before the quotation and outside the first cue's sentence."""
    first = idx.token_at(att.content[0])
    if first is None or _starts_sentence(idx, att.content[0]):
        return None
    sent = _sent_of(first)
    if sent.start == _sent_of(att.cue).start:
        return None
    for anc in first.ancestors:
        if anc.i < sent.start:
            break
        if anc.idx >= att.content[0] or idx.inside_clause_quote(anc):
            continue
        if anc.pos_ == "VERB" and anc.lemma_.lower() in idx.config.speech and \
                _is_cue_verb(anc, idx.config) and not _governed_by_plan(anc, idx.config):
            return anc
    return None


def _object_complement_verb(idx: _DocIndex, att: Attribution) -> Token | None:
    """The object-content verb ("called", "described") whose object the quotation of `att`
    directly follows (an article at most between), in the quotation's sentence; else None."""
    doc = idx.doc
    q = next((q for q in idx.quotes if q.content_start == att.content[0] or
              q.open_end <= att.content[0] < q.content_end), None)
    if q is None or q.open_start >= doc[-1].idx + len(doc[-1]):
        return None
    opening = doc.char_span(q.open_start, q.open_end, alignment_mode="expand")
    if opening is None:
        return None
    for v in opening[0].sent:
        if v.pos_ != "VERB" or v.lemma_.lower() not in idx.config.object_content or v.i >= opening[0].i:
            continue
        for d in v.children:
            if d.dep_ != "dobj" or d.right_edge.i >= opening[0].i:
                continue
            between = [t for t in doc[d.right_edge.i + 1:opening[0].i] if not t.is_space]
            if all(t.pos_ == "DET" for t in between) and len(between) <= 1:
                return v
    return None


def _join_parenthetical_quotes(doc: Doc, atts: list[Attribution]) -> list[Attribution]:
    """"That, the commission said, “would be helpful ...”": words before a parenthetical cue and
    a quotation right after it that goes on with the same sentence (opening in lower case) are
    one statement; the quotation takes in the words before the cue and the lone parenthetical
    reading is dropped."""
    text = doc.text
    drop = set()
    for p in atts:
        if not p.rule_id.endswith(".parenthetical") or p.cue is None:
            continue
        for d in atts:
            if d.type != "direct" or d.cue is None or d.cue.i != p.cue.i or d.content[0] <= p.content[1]:
                continue
            gap = text[p.content[1]:d.content[0]]
            if not (gap.startswith(",") and all(ch in " \"“'`" for ch in gap[1:])):
                continue      # only the cue's comma and the opening mark between them
            if not text[d.content[0]:d.content[0] + 1].islower():
                continue
            d.content = (p.content[0], d.content[1])
            d.type, d.rule_id = "mixed", "mixed.parenthetical_quote"
            drop.add(id(p))
    return [a for a in atts if id(a) not in drop]


def _nested_report(inner: Attribution, outer: Attribution) -> bool:
    """"Ferrero said observers went with the marchers, whom he described as “peaceful,” for the
    whole route": a relative clause inside a reported clause that quotes words of its own
    subject is a report of its own, nested in the outer one (both stand); so is an owned
    reporting noun marked nested by noun_cues ("X's claim that ..." inside Y's report)."""
    if inner.extra.get("nested"):
        return outer.type != "direct" and outer.content[0] <= inner.content[0] and \
            inner.content[1] <= outer.content[1]
    cue = inner.cue
    return inner.type == "mixed" and outer.type != "direct" and cue is not None and \
        cue.dep_ == "relcl" and outer.cue is not None and outer.cue.i != cue.i and \
        outer.content[0] <= inner.content[0] and inner.content[1] <= outer.content[1] and \
        outer.content[0] <= cue.idx < outer.content[1]


def extract_attributions(doc: Doc, config: QuoteConfig) -> list[Attribution]:
    """All attributions of one Doc (body offsets), before speaker resolution; content spans are
    pairwise disjoint (overlaps resolved by type priority, then position, then length), except
    for reports nested inside another reported clause (see _nested_report)."""
    idx = _DocIndex(doc, config)
    found = direct_quotes(idx)
    direct = list(found.values())
    taken = [a.content for a in direct]
    # Paragraph-long quotations without marks (transcripts, "X added:" blocks) are direct too.
    direct += list(block_quotes(idx, taken))
    taken = [a.content for a in direct]
    direct += list(headline_source(idx, taken))
    taken = [a.content for a in direct]
    # who called the nominee “unfit to serve”: a quotation opening right after the object of an
    # object-content verb is its complement; the statement is object + quotation (mixed.object),
    # so the quote-only attribution gives way when that rule covers it.
    complements = {id(a): v for a in direct if (v := _object_complement_verb(idx, a)) is not None}
    reported = list(reported_speech(idx, [a.content for a in direct if id(a) not in complements]))
    if complements:
        # Released only when that rule covers the quotation and no other report reaches into
        # it (“calling Trump “a buffoon,” Susan said”: the quotation stays with its own cue).
        def released(a: Attribution, v: Token) -> bool:
            over = [r for r in reported if r.content[0] < a.content[1] and a.content[0] < r.content[1]]
            return bool(over) and all(r.rule_id == "mixed.object" and r.cue is not None and r.cue.i == v.i
                                      and r.content[0] <= a.content[0] and a.content[1] <= r.content[1]
                                      for r in over)
        direct = [a for a in direct if id(a) not in complements or not released(a, complements[id(a)])]
        taken = [a.content for a in direct]
        reported = list(reported_speech(idx, taken))
    taken += [a.content for a in reported]
    reported += list(according_to(idx, taken))
    taken += [a.content for a in reported]
    reported += list(noun_cues(idx, taken, hosts=[a.content for a in reported]))
    taken += [a.content for a in reported]
    reported += list(quoted_fragments(idx, taken))

    _reanchor_same_paragraph(idx, direct, reported)

    atts = direct + reported
    atts.sort(key=lambda a: a.content[0])
    atts += list(continuation_quotes(idx, found, atts))
    # Speakers for cue-attached records.
    quoted_spans = [a.content for a in atts if a.type == "direct"]
    # “...,” Kilfoyle said. “...”: a quotation sharing the cue of an earlier one of its paragraph
    # takes the speaker found for that one (found next to the first quotation, which may hold
    # a word the parser took as the cue's subject).
    by_cue: dict[int, Attribution] = {}
    for att in sorted(atts, key=lambda a: a.rule_id == "direct.same_paragraph"):
        if att.rule_id == "direct.same_paragraph" and att.cue is not None and att.cue.i in by_cue:
            first = by_cue[att.cue.i]
            att.speaker, att.speaker_ref = first.speaker, first.speaker_ref
            att.extra["passive"] = first.extra.get("passive", False)
            continue
        if att.cue is not None and att.rule_id.startswith("direct.") and att.speaker is None:
            by_cue.setdefault(att.cue.i, att)
        if att.speaker is None and att.cue is not None and att.type != "direct" and \
                _naming_participle(att.cue, config):
            continue
        if att.speaker is None and att.cue is not None and att.inherit_from is None and \
                att.rule_id != "direct.dash" and att.cue_lemma != "according to" and \
                not att.extra.get("speaker_fixed"):
            outer = idx.conjoined_cue_of.get(att.cue.i) or _statement_maker_verb(att.cue, config)
            subj, passive = _find_subject(outer if outer is not None else att.cue, config)
            if subj is not None and (idx.inside_clause_quote(subj) or
                                     any(s <= subj.idx < e for s, e in quoted_spans)):
                # A noun of a quotation (“... Underestimation of Cruz,” X said; “Safety,” said
                # Grimm. “...” for the second quotation) is never its speaker.
                subj = None
            if subj is not None and subj.idx < att.content[0] and \
                    att.rule_id.startswith(("direct.cue_after", "direct.verb_after")):
                # Nothing the president said “will assuage ...,” the Florida senator said: a noun
                # phrase between the quotation and its trailing cue is the speaker, whatever
                # subject the parse found before the quotation.
                near = _speaker_next_to_cue(idx, att)
                if near is not None and subj.i < near[0] and near[1] <= att.cue.i:
                    att.speaker = near
                    att.extra["passive"] = passive
                    continue
            dash = _dateline_dash(idx, att.cue)
            if subj is not None and dash is not None and subj.i < dash < att.cue.i:
                # LONDON (Reuters) - Donald Trump said ...: the dateline parsed as the subject;
                # the speaker is the noun phrase opening the sentence after the dash.
                near = _np_from(idx.doc[dash + 1:att.cue.i])
                if near is not None:
                    att.speaker = near
                    att.extra["passive"] = passive
                    continue
                subj = None
            if subj is not None and subj.ent_type_ in ("DATE", "TIME") and subj.pos_ != "PRON":
                # "X's office announced Friday that ...": a date is never the speaker.
                near = _speaker_left_of_cue(idx, att, ignore_subject=True)
                if near is not None:
                    att.speaker = near
                    att.extra["passive"] = passive
                    continue
                subj = None
            if subj is None and not passive:
                near = _speaker_next_to_cue(idx, att) or _speaker_left_of_cue(idx, att) or \
                    _stray_subject_before_cue(idx, att)
                if near is not None:
                    att.speaker = near
                    att.extra["passive"] = passive
                    continue
            if subj is not None:
                att.speaker = _speaker_span(subj, config)
                poll = _poll_of_share(subj, att.cue, config, att.content)
                if poll is not None:
                    att.speaker = _speaker_span(poll, config)
                # "an architect, who said ...": the speaker as written is "who" (next to the
                # cue); the noun it stands for is what gets resolved.
                rel = _relative_pronoun(att.cue, subj, config)
                if rel is not None:
                    att.speaker_ref, att.speaker = att.speaker, (rel.i, rel.i + 1)
            att.extra["passive"] = passive
    atts = _join_parenthetical_quotes(doc, atts)
    # Paragraph chains inherit their source's speaker later (resolution order = text order).
    chosen: list[Attribution] = []
    for att in sorted(atts, key=lambda a: (TYPE_PRIORITY[a.type], a.content[0], -(a.content[1] - a.content[0]))):
        if any(att.content[0] < c.content[1] and c.content[0] < att.content[1] and
               not _nested_report(att, c) for c in chosen):
            continue
        chosen.append(att)
    chosen.sort(key=lambda a: a.content[0])
    return _merge_running_quotation(idx, chosen)


def _merge_running_quotation(idx: _DocIndex, atts: list[Attribution]) -> list[Attribution]:
    """A quotation running over several paragraphs (each opens with a mark, only the last one
    closes: news convention for one long quotation) is one statement: its paragraphs, cut into
    one attribution each, are joined into the first one."""
    out: list[Attribution] = []
    for att in atts:
        prev = out[-1] if out else None
        if prev is not None and prev.type == "direct" and att.type == "direct" and \
                att.rule_id in ("direct.continuation", "direct.paragraph_chain") and \
                idx.paragraph_of(att.content[0]) == idx.paragraph_of(prev.content[1] - 1) + 1:
            between = "".join(idx.text[prev.content[1]:att.content[0]].split())
            pos = prev.content[1] + idx.text[prev.content[1]:].find(between[:1])
            if len(between) == 1 and any(q.open_start == pos for q in idx.quotes):
                prev.content = (prev.content[0], att.content[1])
                continue
        out.append(att)
    return out


def extract_quotes(parsed, mentions: list[Mention] | None, config: QuoteConfig,
                   offset_map: OffsetMap | None = None, text: str | None = None) -> list[dict]:
    """Rows of the QUOTES schema for one parsed document (offsets into documents.text).

    `mentions`: the document's mentions from the entities stage, or None for the fallback built
    from the Doc's own entities. `offset_map` maps body offsets to the original text (identity
    when None); `text` is documents.text (the body when None).
    """
    doc = parsed.doc
    if mentions is None:
        mentions = fallback_mentions(parsed, config)
    atts = extract_attributions(doc, config)
    resolver = SpeakerResolver(doc, mentions, config)
    # Resolve in order of the cue (or content) position, so recency follows reading order;
    # inherited records after their source.
    for att in sorted(atts, key=lambda a: (a.inherit_from is not None,
                                           a.cue.idx if a.cue is not None else a.content[0])):
        resolver.resolve(att)
    atts = [a for a in atts if not a.extra.get("drop")]
    text = doc.text if text is None else text

    # Body -> text offsets, mapped in one vectorised call per document.
    if offset_map is not None and atts:
        starts = offset_map.starts([a.content[0] for a in atts]).tolist()
        ends = offset_map.ends([a.content[1] for a in atts]).tolist()
    else:
        starts, ends = [a.content[0] for a in atts], [a.content[1] for a in atts]

    rows = []
    seen = set()
    for k, att in enumerate(atts):
        cs, ce = starts[k], ends[k]
        if ce <= cs:
            continue
        quote_id = f"{parsed.doc_id}:{cs}-{ce}"
        if quote_id in seen:
            continue
        seen.add(quote_id)
        row = {"quote_id": quote_id, "doc_id": parsed.doc_id, "type": att.type,
               "content": text[cs:ce], "content_start": cs, "content_end": ce,
               "cue": None, "cue_start": None, "cue_end": None,
               "speaker_text": None, "speaker_start": None, "speaker_end": None,
               "speaker": att.speaker_name, "speaker_entity_id": att.speaker_entity_id,
               "resolution": att.resolution or "none", "rule_id": att.rule_id}
        # A continuation has no cue of its own: it carries the cue and speaker span of the
        # attribution it continues (where its speaker is written), flagged by its resolution.
        source = att
        while source.inherit_from is not None:
            source = source.inherit_from
        if source.cue_span is not None:
            s, e = parsed.text_span(*source.cue_span)
            row.update(cue=source.cue_lemma, cue_start=s, cue_end=e)
        if source.speaker is not None:
            s, e = parsed.text_span(*source.speaker)
            row.update(speaker_text=text[s:e], speaker_start=s, speaker_end=e)
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# Stage
# ---------------------------------------------------------------------------------------------


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    from .docs import iter_parsed_docs
    from .schemas import TOKENS

    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    record.add_input_tables(DOCUMENTS.name, TOKENS.name, MENTIONS.name, ENTITIES.name)
    config = load_config(config_dir)
    documents = {row["doc_id"]: row for row in
                 read_table(DOCUMENTS, out_dir, columns=["doc_id", "text", "body_segments"]).to_pylist()}
    by_doc = mentions_from_tables(Path(out_dir))
    record.extra["speaker_mentions"] = "entities stage" if by_doc is not None else "fallback (doc.ents)"
    rows: list[dict] = []
    n_docs = 0
    for parsed in iter_parsed_docs(Path(out_dir)):
        document = documents.get(parsed.doc_id)
        if document is None:
            continue
        mentions = by_doc.get(parsed.doc_id, []) if by_doc is not None else None
        rows.extend(extract_quotes(parsed, mentions, config,
                                   OffsetMap.from_segments(document["body_segments"]), document["text"]))
        n_docs += 1
    write_table(QUOTES, rows, out_dir)
    counts = {}
    for row in rows:
        counts[row["type"]] = counts.get(row["type"], 0) + 1
    record.rows = {"quotes": len(rows), "documents": n_docs, **{f"type_{k}": v for k, v in sorted(counts.items())}}
    return record.write()
