"""People and organisations a speaker may resolve to: the entities stage's mentions, or a
fallback built from the Doc's own entities."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span

from pipeline.core.io import read_table, table_path
from pipeline.core.schemas import ENTITIES, MENTIONS
from pipeline.steps.entities import repair_mojibake
from pipeline.steps.quotes.lexicon import SPEAKER_LABELS, QuoteConfig, _role_heads

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
    described: tuple = ()  # words describing the person across the corpus (entities.descriptions)


def _norm(text: str) -> str:
    """A surface compared with names: repaired as entity names are (entities.normalise_name)."""
    return repair_mojibake(text).replace("’", "'").replace("‘", "'").replace("\u00a0", " ").strip()


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


def mentions_from_tables(out_dir: Path) -> dict[str, list[Mention]] | None:
    """Mentions by doc_id from the entities stage's tables, or None when they are not there."""
    if not (table_path(MENTIONS, out_dir).exists() and table_path(ENTITIES, out_dir).exists()):
        return None
    entities = {row["entity_id"]: row for row in read_table(ENTITIES, out_dir).to_pylist()}
    by_doc: dict[str, list[Mention]] = {}
    for row in read_table(MENTIONS, out_dir).to_pylist():
        entity = entities.get(row["entity_id"]) if row["entity_id"] else None
        name = entity["name"] if entity else row["text"]
        # sorted (and the descriptions): the resolver asks only whether a word is among them, and a document's inputs
        # then do not change when another document reorders the entity's most common titles
        titles = {t.lower() for t in (entity["titles"] or [])} if entity else set()
        if row["title"]:
            titles.add(row["title"].lower())
        titles = tuple(sorted(titles))
        described = tuple(sorted((entity or {}).get("descriptions") or ()))
        by_doc.setdefault(row["doc_id"], []).append(Mention(
            row["doc_id"], row["token_start"], row["token_end"], row["start"], row["end"],
            row["text"], row["label"], row["title"], row["entity_id"], _norm(name), titles, described))
    for mentions in by_doc.values():
        mentions.sort(key=lambda m: m.token_start)
    return by_doc
