"""Stage `parse`: one `nlp.pipe` pass over the clean bodies -> `tokens.parquet`, `sentences.parquet`.

Two small components keep spaCy's output inside paragraphs: `paragraph_sentences` (before the
parser, which respects preset boundaries) starts a sentence after every line break, and
`paragraph_entities` (after the NER) cuts entities at line breaks and trims whitespace from them,
so "Jonathan Lis\\nJonathan Lis" cannot become one PERSON. Later stages rebuild the `Doc`s from
`tokens.parquet` (`pipeline.steps.docs`) instead of parsing again.
"""

from __future__ import annotations

import hashlib
import sys
from itertools import chain
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from spacy.attrs import (DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, IS_SPACE, LEMMA, LENGTH, MORPH, ORTH, POS,
                         SENT_START, SPACY, TAG)
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex

from pipeline.core.config import (DEFAULT_CONFIG_DIR, ConfigError, compile_regex, config_files, load_stage_config,
                     reject_unknown_keys, require)
from pipeline.core.errors import REJECT_CODES, STAGE_REJECT_CODES
from pipeline.steps.docs import document_slices, split_documents
from pipeline.core.io import TableWriter, iter_row_groups, read_table, replace_stage_rejects, table_path
from pipeline.core.manifest import StageRecord
from pipeline.core.model import load_model, model_info
from pipeline.steps.offsets import OffsetMap
from pipeline.core.progress import Progress
from pipeline.core.workers import n_process_setting, workers
from pipeline.core.schemas import BODIES, DOCUMENTS, SENTENCES, TOKENS

STAGE = "parse"
ATTRS = [ORTH, IDX, LENGTH, SPACY, IS_SPACE, LEMMA, POS, TAG, DEP, HEAD, MORPH, ENT_IOB, ENT_TYPE, SENT_START]


def _is_break(token, blank_line_only: bool) -> bool:
    if not token.is_space:
        return False
    return token.text.count("\n") >= (2 if blank_line_only else 1)


@Language.factory("paragraph_sentences", default_config={"paragraph_break": "line"})
def make_paragraph_sentences(nlp, name, paragraph_break: str):
    blank_line_only = paragraph_break == "blank_line"

    def paragraph_sentences(doc: Doc) -> Doc:
        for token in doc[1:]:
            if _is_break(doc[token.i - 1], blank_line_only) and not token.is_space:
                token.is_sent_start = True
        return doc

    return paragraph_sentences


@Language.factory("paragraph_entities")
def make_paragraph_entities(nlp, name):
    # Entities end at every line break whatever paragraph_break says: a name never wraps a line.
    def paragraph_entities(doc: Doc) -> Doc:
        fixed = []
        for ent in doc.ents:
            start = ent.start
            for i in range(ent.start, ent.end + 1):
                if i == ent.end or "\n" in doc[i].text:
                    first, last = start, i
                    while first < last and doc[first].is_space:
                        first += 1
                    while last > first and doc[last - 1].is_space:
                        last -= 1
                    if first < last:
                        fixed.append(Span(doc, first, last, label=ent.label))
                    start = i + 1
        if [(e.start, e.end) for e in fixed] != [(e.start, e.end) for e in doc.ents]:
            doc.set_ents(fixed, default="outside")
        return doc

    return paragraph_entities


@dataclass(frozen=True)
class ParseSettings:
    batch_size: int
    n_process: int | str        # a count, or "auto" (see workers)
    row_group_tokens: int
    max_chunk_chars: int
    paragraph_break: str
    glued_quote_infixes: tuple[str, ...]

    @classmethod
    def from_config(cls, config: dict, source: str = "parse.toml") -> "ParseSettings":
        """Every key checked (types, ranges, patterns, unknown keys) without loading the model."""
        reject_unknown_keys(config, [f.name for f in fields(cls)], source)
        paragraph_break = require(config, "paragraph_break", str, source)
        if paragraph_break not in ("line", "blank_line"):
            raise ConfigError(f"{source}: paragraph_break must be 'line' or 'blank_line', got {paragraph_break!r}")
        return cls(batch_size=require(config, "batch_size", int, source, positive=True),
                   n_process=n_process_setting(config, source),
                   row_group_tokens=require(config, "row_group_tokens", int, source, positive=True),
                   max_chunk_chars=require(config, "max_chunk_chars", int, source, positive=True),
                   paragraph_break=paragraph_break,
                   glued_quote_infixes=tuple(_glued_quote_infixes(config, source)))


def load_settings(config_dir: Path | None = None) -> ParseSettings:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    return ParseSettings.from_config(load_stage_config(config_dir, STAGE), str(config_dir / "parse.toml"))


def build_nlp(config: dict, source: str = "parse.toml"):
    settings = ParseSettings.from_config(config, source)
    paragraph_break, infixes = settings.paragraph_break, list(settings.glued_quote_infixes)
    nlp = load_model()
    _add_infixes(nlp, infixes)
    nlp.add_pipe("paragraph_sentences", before="parser", config={"paragraph_break": paragraph_break})
    nlp.add_pipe("paragraph_entities", after="ner")
    return nlp


def _glued_quote_infixes(config: dict, source: str) -> list[str]:
    patterns = config.get("glued_quote_infixes", [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise ConfigError(f"{source}: key 'glued_quote_infixes' must be a list of regular expressions")
    for pattern in patterns:
        compile_regex(pattern, f"{source}: glued_quote_infixes")
    return patterns


def _add_infixes(nlp, patterns: list[str]) -> None:
    """Extra infixes go first, so they win over the model's own where both could match."""
    if patterns:
        infixes = list(patterns) + list(nlp.Defaults.infixes)
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


class _Strings:
    """Hash columns -> Arrow string columns: each distinct hash is looked up once (most repeat)."""

    def __init__(self, store):
        self.store, self.cache = store, {0: ""}

    def lookup(self, value: int) -> str:
        text = self.cache.get(value)
        if text is None:
            text = self.cache[value] = self.store[value]
        return text

    def column(self, hashes: np.ndarray) -> pa.Array:
        unique, inverse = np.unique(hashes, return_inverse=True)
        dictionary = pa.array([self.lookup(h) for h in unique.tolist()], pa.string())
        return _decode(inverse, dictionary)


def _decode(indices: np.ndarray, dictionary: pa.Array) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), dictionary).dictionary_decode()


# Columns of spaCy hashes, turned into strings a row group at a time (see _Strings.column).
HASH_COLUMNS = {"text": ORTH, "lemma": LEMMA, "pos": POS, "tag": TAG, "dep": DEP, "morph": MORPH,
                "ent_type": ENT_TYPE}
WHITESPACE = pa.array(["", " "])
IOB = pa.array(["O", "I", "O", "B"])   # spaCy's ENT_IOB codes: 0 missing, 1 I, 2 O, 3 B


def doc_columns(doc: Doc, doc_id: str, offset_map: OffsetMap) -> tuple[dict, dict]:
    """Token and sentence columns for one parsed document, offsets mapped to the original text.

    String-valued token columns stay spaCy hashes here; `_token_table` turns them into strings.
    """
    n = len(doc)
    array = doc.to_array(ATTRS).view(np.int64) if n else np.zeros((0, len(ATTRS)), dtype=np.int64)
    column = {attr: k for k, attr in enumerate(ATTRS)}
    idx, lengths = array[:, column[IDX]], array[:, column[LENGTH]]
    sent_start = array[:, column[SENT_START]] == 1
    if n:
        sent_start[0] = True
    token_starts = offset_map.starts(idx)
    token_ends = offset_map.ends(idx + lengths)
    tokens = {
        "doc_id": doc_id, "i": np.arange(n, dtype=np.int32), "start": token_starts, "end": token_ends,
        "body_start": idx, "whitespace": array[:, column[SPACY]], "ent_iob": array[:, column[ENT_IOB]],
        "head": (np.arange(n) + array[:, column[HEAD]]).astype(np.int32),  # HEAD is a signed offset
        "sent_index": np.cumsum(sent_start, dtype=np.int32) - 1, "sent_start": sent_start,
        **{name: array[:, column[attr]] for name, attr in HASH_COLUMNS.items()},
    }
    # Sentence offsets span their first to last non-space token (spaces trail the sentence before).
    firsts = np.flatnonzero(sent_start)
    stops = np.append(firsts[1:], n) if len(firsts) else firsts
    words = np.flatnonzero(array[:, column[IS_SPACE]] == 0)
    first_word = np.searchsorted(words, firsts)           # index in `words` of the first word >= first
    last_word = np.searchsorted(words, stops) - 1          # index in `words` of the last word < stop
    has_words = last_word >= first_word
    begin = words[np.clip(first_word, 0, len(words) - 1)] if len(words) else firsts
    last = words[np.clip(last_word, 0, len(words) - 1)] if len(words) else firsts
    starts = token_starts[np.where(has_words, begin, firsts)] if n else firsts
    ends = np.where(has_words, token_ends[last] if n else firsts, starts)
    text = doc.text
    sentences = {
        "doc_id": [doc_id] * len(firsts), "sent_index": np.arange(len(firsts), dtype=np.int32),
        "start": starts, "end": ends, "token_start": firsts.astype(np.int32), "token_end": stops.astype(np.int32),
        "text": [text[idx[b]: idx[e] + lengths[e]] if ok else ""
                 for b, e, ok in zip(begin.tolist(), last.tolist(), has_words.tolist())],
    }
    return tokens, sentences


def _iter_documents(out_dir: Path, batch_rows: int = 256) -> Iterator[tuple[str, str, list, str]]:
    paths = dict(zip(*read_table(DOCUMENTS, out_dir, columns=["doc_id", "path"]).to_pydict().values()))
    parquet = pq.ParquetFile(table_path(BODIES, out_dir))
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=["doc_id", "body", "body_segments"]):
        for row in batch.to_pylist():
            yield row["doc_id"], row["body"] or "", row["body_segments"] or [], paths.get(row["doc_id"], row["doc_id"])


def _body_digest(texts: list[str], spaces: list[str]) -> str:
    digest = hashlib.sha256()
    for text, space in zip(texts, spaces):
        digest.update(text.encode())
        digest.update(space.encode())
    return digest.hexdigest()


def reusable_bodies(out_dir: Path, config_dir: Path) -> dict[str, str]:
    """{doc_id: sha256 of the body it parsed} of the last run, when its documents can be reused:
    the same code, config and model (the manifest's `settings_fingerprint`) and its tables intact.
    Empty otherwise. An incremental run parses only the documents whose body is new or changed."""
    from pipeline.core.manifest import last_record, settings_fingerprint, verified_outputs

    record = last_record(STAGE, out_dir)
    if record is None or record.get("settings_fingerprint") != settings_fingerprint(STAGE, config_dir) \
            or not record.get("outputs") or record["outputs"] != verified_outputs(STAGE, out_dir):
        return {}
    bodies: dict[str, str] = {}
    for table in iter_row_groups(TOKENS, out_dir, columns=["doc_id", "text", "whitespace"]):
        for doc_id, columns in split_documents(table):
            bodies[doc_id] = _body_digest(columns["text"], columns["whitespace"])
    return bodies


class with_earlier_rows:
    """(doc_id, body, segments, path, earlier) items: `earlier` is the (tokens, sentences) rows the
    last run wrote for the same body at the same place in documents.text, copied as they are (the
    Doc is neither parsed nor rebuilt), else None; `reused` counts them."""

    def __init__(self, documents: Iterable[tuple], out_dir: Path, earlier: dict[str, str]):
        self.documents, self.out_dir, self.earlier, self.reused = documents, out_dir, earlier, 0

    def __iter__(self) -> Iterator[tuple]:
        old = (item for table in iter_row_groups(TOKENS, self.out_dir) for item in document_slices(table))
        sentences = dict(document_slices(read_table(SENTENCES, self.out_dir)))
        waiting: dict[str, pa.Table] = {}      # rows read ahead of their turn (documents reordered)
        for doc_id, body, segments, path in self.documents:
            rows = None
            if self.earlier.get(doc_id) == hashlib.sha256(body.encode()).hexdigest():
                while doc_id not in waiting:
                    found = next(old, None)
                    if found is None:
                        break
                    if found[0] in self.earlier:
                        waiting[found[0]] = found[1]
                tokens = waiting.pop(doc_id, None)
                if tokens is not None and doc_id in sentences and _offsets_hold(tokens, segments):
                    rows = (_unstamped(tokens, TOKENS), _unstamped(sentences[doc_id], SENTENCES))
            self.reused += rows is not None
            yield doc_id, body, segments, path, rows


def _offsets_hold(tokens: pa.Table, segments: list) -> bool:
    """Whether the earlier rows' offsets into documents.text are where the body's tokens sit now
    (the same body moves when a line before it changes: then it is parsed again)."""
    body_starts = tokens.column("body_start").to_numpy()
    lengths = pc.utf8_length(tokens.column("text")).to_numpy()
    offsets = OffsetMap.from_segments(segments)
    return bool(np.array_equal(offsets.starts(body_starts), tokens.column("start").to_numpy())
                and np.array_equal(offsets.ends(body_starts + lengths), tokens.column("end").to_numpy()))


def _unstamped(table: pa.Table, spec) -> pa.Table:
    return table.replace_schema_metadata(spec.schema.metadata)


def _token_table(columns: list[dict], strings: _Strings) -> pa.Table:
    counts = [len(c["i"]) for c in columns]
    arrays = {"doc_id": _decode(np.repeat(np.arange(len(columns)), counts),
                                pa.array([c["doc_id"] for c in columns], pa.string()))}
    for field in TOKENS.schema:
        if field.name == "doc_id":
            continue
        values = np.concatenate([c[field.name] for c in columns])
        if field.name in HASH_COLUMNS:
            arrays[field.name] = strings.column(values.view(np.uint64))
        elif field.name == "whitespace":
            arrays[field.name] = _decode(values, WHITESPACE)
        elif field.name == "ent_iob":
            arrays[field.name] = _decode(values, IOB)
        else:
            arrays[field.name] = pa.array(values, type=field.type)
    return pa.table(arrays, schema=TOKENS.schema)


def _sentence_table(columns: list[dict]) -> pa.Table:
    arrays = {}
    for field in SENTENCES.schema:
        parts = [c[field.name] for c in columns]
        if isinstance(parts[0], np.ndarray):
            arrays[field.name] = pa.array(np.concatenate(parts), type=field.type)
        else:
            arrays[field.name] = pa.array([v for p in parts for v in p], type=field.type)
    return pa.table(arrays, schema=SENTENCES.schema)


def split_paragraphs(text: str, max_chars: int) -> list[str]:
    """Cut `text` into pieces of at most `max_chars` that join back to `text`.

    Each cut falls after the last blank line in the second half of the window, else after a line
    break, else after a space there; then anywhere in the window; a window without any is cut hard.
    """
    pieces, start = [], 0
    while len(text) - start > max_chars:
        window = text[start:start + max_chars]
        cut = 0
        for separator, lowest in (("\n\n", max_chars // 2), ("\n", max_chars // 2), (" ", max_chars // 2),
                                  ("\n", 1), (" ", 1)):
            found = window.rfind(separator, lowest)
            if found >= lowest:
                cut = found + len(separator)
                break
        cut = cut or max_chars
        pieces.append(window[:cut])
        start += cut
    pieces.append(text[start:])
    return pieces


def char_batches(texts: list[str], batch_size: int, max_chars: int) -> Iterator[list[str]]:
    """`texts` in order, in batches of at most `batch_size` texts and `max_chars` characters (a text
    longer than that alone): the parser's memory grows with the characters of a batch, so the
    pieces of one long document are not parsed all at once."""
    batch, chars = [], 0
    for text in texts:
        if batch and (len(batch) >= batch_size or chars + len(text) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield batch


def parse_documents(nlp, documents: Iterable[tuple], batch_size: int, n_process: int, row_group_tokens: int,
                    max_chunk_chars: int = 100_000, rejects: list[dict] | None = None
                    ) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Pure heart of the stage: yield (tokens, sentences) Arrow tables, a row group at a time.

    `documents` holds (doc_id, body, body_segments[, path[, earlier]]): `earlier`, when given, is the
    (tokens, sentences) rows an earlier run with the same model, code and settings wrote for the same
    body at the same offsets (`with_earlier_rows`), written as they are. A body longer than `max_chunk_chars` is
    parsed in pieces cut at paragraph boundaries (`split_paragraphs`) and joined back into one Doc
    (offsets into the whole body; a W008 row in `rejects`). Documents go to `nlp.pipe` a group at a
    time; when a group raises, its documents are parsed one by one, and one that raises again
    becomes an E014 row in `rejects` naming its file and the reason while the others go on (without
    a `rejects` list the exception propagates).
    """
    strings = _Strings(nlp.vocab.strings)
    nlp.max_length = max(nlp.max_length, max_chunk_chars + 1)
    # Documents per nlp.pipe call: one spaCy batch in-process; worker processes are started per
    # call, so with n_process > 1 each call gets enough batches to keep them busy.
    group_size = batch_size if n_process == 1 else batch_size * n_process * 16
    pending_tokens, pending_sents, pending_n = [], [], 0
    converted: list[tuple[pa.Table, pa.Table]] = []     # the row group's tables so far, in document order

    def convert_pending() -> None:
        nonlocal pending_tokens, pending_sents
        if pending_tokens:
            converted.append((_token_table(pending_tokens, strings), _sentence_table(pending_sents)))
            pending_tokens, pending_sents = [], []

    def row_group() -> tuple[pa.Table, pa.Table]:
        nonlocal pending_n
        convert_pending()
        parts = converted[:]
        converted.clear()
        pending_n = 0
        return pa.concat_tables([t for t, _ in parts]), pa.concat_tables([s for _, s in parts])

    def joined(docs: list[Doc]) -> Doc:
        return docs[0] if len(docs) == 1 else Doc.from_docs(docs, ensure_whitespace=False)

    def parse_group(group: list[tuple]) -> list[Doc | None]:
        fresh = [item for item in group if item[4] is None]       # item[4]: the Doc of an earlier run
        try:
            pieces = [piece for item in fresh for piece in item[3]]
            # in-process, a batch holds at most max_chunk_chars characters: memory follows it; the
            # pieces of a long document are parsed so, also when workers parse the other groups
            if n_process == 1 or any(len(item[3]) > 1 for item in fresh):
                parsed = chain.from_iterable(nlp.pipe(batch, batch_size=len(batch))
                                             for batch in char_batches(pieces, batch_size, max_chunk_chars))
            else:
                parsed = iter(nlp.pipe(pieces, batch_size=batch_size, n_process=n_process))
            docs = {id(item): joined([next(parsed) for _ in item[3]]) for item in fresh}
            return [item[4] if item[4] is not None else docs[id(item)] for item in group]
        except Exception:
            if rejects is None and len(fresh) == 1:
                raise
        docs = []
        for item in group:            # the group failed: find the document that did, parse the others
            if item[4] is not None:
                docs.append(item[4])
                continue
            try:
                docs.append(joined([nlp(piece) for piece in item[3]]))
            except Exception as exc:
                if rejects is None:
                    raise
                rejects.append(_reject(item, "E014", f"{type(exc).__name__}: {exc}"))
                print(f"[parse] error E014: {rejects[-1]['message']}", file=sys.stderr)
                docs.append(None)
        return docs

    def grouped() -> Iterator[list[tuple]]:
        group = []
        for doc_id, body, segments, *rest in documents:
            pieces = split_paragraphs(body, max_chunk_chars)
            item = (doc_id, segments, rest[0] if rest else doc_id, pieces, rest[1] if len(rest) > 1 else None)
            if len(pieces) > 1 and rejects is not None:
                rejects.append(_reject(item, "W008", f"{len(body):,} characters in {len(pieces)} pieces"))
            group.append(item)
            if len(group) >= group_size:
                yield group
                group = []
        if group:
            yield group

    for group in grouped():
        for item, doc in zip(group, parse_group(group)):
            if doc is None:
                continue
            if isinstance(doc, Doc):
                tokens, sentences = doc_columns(doc, item[0], OffsetMap.from_segments(item[1]))
                pending_tokens.append(tokens)
                pending_sents.append(sentences)
                pending_n += len(doc)
            else:                      # the earlier run's rows of this document, as they are
                convert_pending()
                converted.append(doc)
                pending_n += doc[0].num_rows
            if pending_n >= row_group_tokens:
                yield row_group()
    if pending_tokens or converted:
        yield row_group()


def _reject(item: tuple, code: str, detail: str) -> dict:
    doc_id, path = item[0], item[2]
    level, text = REJECT_CODES[code]
    return {"path": path, "doc_id": doc_id, "level": level, "code": code,
            "message": f"{path}: {text} ({detail})"}


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    source = str(config_dir / "parse.toml")
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    config = load_stage_config(config_dir, STAGE)
    settings = ParseSettings.from_config(config, source)
    batch_size, row_group_tokens = settings.batch_size, settings.row_group_tokens
    nlp = build_nlp(config, source)
    record.extra["model"] = model_info(nlp)
    total = pq.ParquetFile(table_path(BODIES, out_dir)).metadata.num_rows
    n_process = workers(settings.n_process, total)
    record.extra["n_process"] = n_process
    rejects: list[dict] = []
    earlier = reusable_bodies(out_dir, config_dir)
    documents = _iter_documents(out_dir)
    if earlier:
        documents = with_earlier_rows(documents, out_dir, earlier)
    with TableWriter(TOKENS, out_dir) as token_writer, TableWriter(SENTENCES, out_dir) as sent_writer, \
            Progress(STAGE, total=total) as progress:
        for tokens, sentences in parse_documents(nlp, documents, batch_size, n_process,
                                                 row_group_tokens, settings.max_chunk_chars, rejects):
            token_writer.write(tokens)
            sent_writer.write(sentences)
            progress.update(len(set(sentences.column("doc_id").to_pylist())))
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[STAGE], rejects)
    record.rows = {"tokens": token_writer.rows, "sentences": sent_writer.rows,
                   "reused": getattr(documents, "reused", 0),
                   "failed": sum(r["code"] == "E014" for r in rejects),
                   "chunked": sum(r["code"] == "W008" for r in rejects)}
    return record.write()
