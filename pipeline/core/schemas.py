"""Every table's Arrow schema and key, declared once (the data-contract pattern).

`pipeline.core.io` checks each table against its schema on write and on read: unknown or missing
columns, wrong types, nulls in required columns and duplicate keys are errors.
Offsets (`start`/`end`, `*_start`/`*_end`) are Python `str` indices into `documents.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    key: tuple[str, ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.parquet"


def _f(name: str, type_: pa.DataType, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable)


STR = pa.string()
I32 = pa.int32()
I64 = pa.int64()

# One piece of a row's content: an attribution's content may be discontinuous (“A,” he said. “B.”).
CONTENT_SPAN = pa.struct([_f("start", I64), _f("end", I64)])
BODY_SEGMENT = pa.struct([_f("body_start", I64), _f("text_start", I64), _f("length", I64)])

DOCUMENTS = TableSpec(
    "documents",
    pa.schema([
        _f("doc_id", STR),
        _f("path", STR),                    # file the document came from, relative to the input
        _f("source", STR, True),            # the site: subfolder name, the URL's host, og:site_name
        _f("url", STR, True),               # the page's canonical URL (HTML), or the input's url field
        _f("date", STR, True),              # publication date, ISO 8601 (YYYY-MM-DD[THH:MM:SS[+HH:MM]])
        _f("date_raw", STR, True),          # the date as the input wrote it
        _f("author", STR, True),
        _f("page_title", STR, True),        # the title the input states (HTML metadata, JSONL/CSV field)
        _f("encoding", STR),                # how the bytes were decoded
        _f("text", STR),                    # as read (HTML: the page rendered as text): every offset points into this
        _f("extracted", STR, True),         # HTML only: the main-text extractor's article text (clean aligns it)
    ]),
    ("doc_id",),
)

# Written by `clean` (documents.parquet has one writer, `ingest`): what of each document is article.
BODIES = TableSpec(
    "bodies",
    pa.schema([
        _f("doc_id", STR),
        _f("title", STR, True),             # the headline line kept, else documents.page_title
        _f("body", STR),                    # the kept title and body lines, joined
        _f("body_segments", pa.list_(BODY_SEGMENT)),  # body offset -> text offset, per kept line
        _f("duplicate_of", STR, True),      # the first document of the same story (near-duplicate body)
    ]),
    ("doc_id",),
)

REJECTS = TableSpec(
    "rejects",
    pa.schema([
        _f("path", STR),
        _f("doc_id", STR, True),
        _f("level", STR),                   # "error": not processed; "warning": processed with a caveat
        _f("code", STR),
        _f("message", STR),
    ]),
    (),
)

LINES = TableSpec(
    "lines",
    pa.schema([
        _f("doc_id", STR),
        _f("line_no", I32),                 # 1-based physical line number in documents.text
        _f("start", I64),
        _f("end", I64),
        _f("text", STR),
        _f("label", STR),                   # title / body / meta / caption / boilerplate
        _f("kept", pa.bool_()),
        _f("rule_id", STR),
    ]),
    ("doc_id", "line_no"),
)

SENTENCES = TableSpec(
    "sentences",
    pa.schema([
        _f("doc_id", STR),
        _f("sent_index", I32),
        _f("start", I64),
        _f("end", I64),
        _f("token_start", I32),             # first token index (tokens.i)
        _f("token_end", I32),               # one past the last token
        _f("text", STR),
    ]),
    ("doc_id", "sent_index"),
)

TOKENS = TableSpec(
    "tokens",
    pa.schema([
        _f("doc_id", STR),
        _f("i", I32),                       # index of the token in its document's Doc
        _f("start", I64),                   # offsets into documents.text
        _f("end", I64),
        _f("body_start", I64),              # offset into bodies.body (the parsed text)
        _f("text", STR),
        _f("whitespace", STR),              # "" or " ": spaCy's trailing whitespace
        _f("lemma", STR),
        _f("pos", STR),
        _f("tag", STR),
        _f("dep", STR),
        _f("head", I32),                    # index of the head token (itself for a root)
        _f("morph", STR),
        _f("ent_iob", STR),                 # B / I / O
        _f("ent_type", STR),
        _f("sent_index", I32),
        _f("sent_start", pa.bool_()),
    ]),
    ("doc_id", "i"),
)

TABLES = {spec.name: spec for spec in [DOCUMENTS, REJECTS, BODIES, LINES, SENTENCES, TOKENS]}


def register(spec: TableSpec) -> TableSpec:
    """Later stages declare their tables in their own module and register them here."""
    TABLES[spec.name] = spec
    return spec


# --- later stages (DESIGN.md contract; stages may add columns here) ---

MENTIONS = TableSpec(
    "mentions",
    pa.schema([
        _f("mention_id", STR),              # doc_id:start-end
        _f("doc_id", STR),
        _f("start", I64),                   # offsets into documents.text
        _f("end", I64),
        _f("token_start", I32),             # token span in the parsed Doc (tokens.i)
        _f("token_end", I32),
        _f("text", STR),
        _f("label", STR),                   # PERSON / ORG / GPE / NORP / ...
        _f("title", STR, True),             # "Prime Minister" kept out of the name but recorded
        _f("title_start", I64, True),       # the title's offsets into documents.text
        _f("title_end", I64, True),
        _f("entity_id", STR, True),
        _f("rule_id", STR),
        # how the mention was linked to its entity: model (its own name), alias, same_doc_surname,
        # same_doc_first_name, same_doc_spelling, name_variant, title_prefix, corpus_unique, corpus_context,
        # corpus_dominant, acronym, dotted, person_group (pipeline/steps/entities.py)
        _f("link_rule", STR, True),
    ]),
    ("mention_id",),
)

ENTITIES = TableSpec(
    "entities",
    pa.schema([
        _f("entity_id", STR),               # derived from label and canonical name: stable across runs
        _f("label", STR),
        _f("name", STR),
        _f("aliases", pa.list_(STR)),
        _f("titles", pa.list_(STR)),
        _f("descriptions", pa.list_(STR), True),   # words describing a person in >= N documents
        _f("n_mentions", I32),
        _f("n_documents", I32),
        _f("link_rule", STR, True),         # its mentions' link rules, distinct, sorted, comma-joined
    ]),
    ("entity_id",),
)

QUOTES = TableSpec(
    "quotes",
    pa.schema([
        _f("quote_id", STR),                # doc_id:content_start-content_end
        _f("doc_id", STR),
        _f("type", STR),                    # direct / indirect / mixed
        _f("kind", STR),                    # speech / thought / evidence (pipeline/steps/quotes/rules.py)
        _f("content", STR),                 # the pieces' text joined with " … " (one piece: as written)
        _f("content_plain", STR),           # the same, each piece without its enclosing quote marks
        _f("content_spans", pa.list_(CONTENT_SPAN)),   # the pieces, in order, disjoint
        _f("content_start", I64),           # the pieces' hull
        _f("content_end", I64),
        _f("cue", STR, True),               # lemma of the reporting verb or phrase
        _f("cue_start", I64, True),
        _f("cue_end", I64, True),
        _f("speaker_text", STR, True),      # the speaker as written next to the cue
        _f("speaker_start", I64, True),
        _f("speaker_end", I64, True),
        _f("speaker", STR, True),           # canonical name
        _f("speaker_entity_id", STR, True),
        _f("speaker_title", STR, True),     # a description the speaker was reduced from ("The
                                            # hotel's general manager" in "..., Jane Roe")
        _f("speaker_gender", STR, True),    # female / male / unknown; null when no person speaks
        _f("gender_evidence", STR, True),   # what decided: pronoun:she, honorific:Mrs., narrative:she, first_name:Mary
        _f("resolution", STR),              # explicit / pronoun / author / role / continuation / none
        _f("rule_id", STR),
        _f("rule_trace", STR),              # the rule that found the row, then each repair applied
                                            # after, " > "-joined (pipeline/steps/quotes/rules.py)
    ]),
    ("quote_id",),
)

# The topic of a quote or document that no topic of the taxonomy matched (quote_topics, doc_topics, claims).
UNASSIGNED = "unassigned"

QUOTE_TOPICS = TableSpec(
    "quote_topics",
    pa.schema([
        _f("quote_id", STR),
        _f("doc_id", STR),
        _f("taxonomy", STR),                # configs/topics/<taxonomy>.toml
        _f("topic", STR),                   # topic id, or "unassigned" (one such row per taxonomy)
        _f("label", STR),
        _f("rank", I32),                    # 1 = the quote's primary topic in this taxonomy
        _f("score", pa.float64()),
        _f("evidence", pa.list_(STR)),      # as written; "~" its sentence or paragraph, "^" the article's, "@" an entity
        _f("issue_phrase", STR, True),      # the quote's own words naming its issue (same on its rows)
    ]),
    ("quote_id", "taxonomy", "topic"),
)

DOC_TOPICS = TableSpec(
    "doc_topics",
    pa.schema([
        _f("doc_id", STR),
        _f("taxonomy", STR),
        _f("topic", STR),                   # topic id, or "unassigned" when the evidence is weak
        _f("label", STR),
        _f("rank", I32),                    # 1 = the article's main issue in this taxonomy
        _f("score", pa.float64()),
        _f("evidence", pa.list_(STR)),      # the strongest matches as written
    ]),
    ("doc_id", "taxonomy", "topic"),
)

CLAIMS = TableSpec(
    "claims",
    pa.schema([
        _f("quote_id", STR),
        _f("doc_id", STR),
        _f("speaker", STR, True),
        _f("speaker_entity_id", STR, True),
        _f("speaker_title", STR, True),
        _f("speaker_gender", STR, True),    # female / male / unknown (null: the speaker is no person)
        _f("gender_evidence", STR, True),   # pronoun:she, honorific:Mrs., narrative:she, first_name:Mary
        _f("speaker_text", STR, True),      # the speaker as written ("he", "an official")
        _f("resolution", STR, True),        # how the speaker was resolved (quotes.resolution)
        _f("type", STR),
        _f("kind", STR),                    # speech / thought / evidence (quotes.kind)
        _f("cue", STR, True),
        _f("content", STR),                 # quotes.content: pieces joined with " … "
        _f("content_plain", STR),
        _f("content_spans", pa.list_(CONTENT_SPAN)),
        _f("topics", pa.list_(STR)),        # topic ids by taxonomy (configs/topics.toml order), then score
        _f("issue_phrase", STR, True),      # the concrete issue in the quote's words
        _f("content_start", I64),
        _f("content_end", I64),
        _f("date", STR, True),
        _f("source", STR, True),
    ]),
    ("quote_id",),
)

def content_pieces(row) -> list[tuple[int, int]]:
    """A quotes or claims row's content pieces as (start, end) pairs: `content_spans`, or the
    hull alone for a row without them (a table written before the column existed)."""
    spans = row.get("content_spans") if hasattr(row, "get") else None
    if spans is not None and len(spans):
        return [(int(s["start"]), int(s["end"])) for s in spans]
    return [(int(row["content_start"]), int(row["content_end"]))]


for _spec in [MENTIONS, ENTITIES, QUOTES, QUOTE_TOPICS, DOC_TOPICS, CLAIMS]:
    register(_spec)
