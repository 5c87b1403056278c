"""Stage `parse`: one `nlp.pipe` pass over the clean bodies -> `tokens.parquet`, `sentences.parquet`.

Two small components keep spaCy's output inside paragraphs: `paragraph_sentences` (before the
parser, which respects preset boundaries) starts a sentence after every line break, and
`paragraph_entities` (after the NER) cuts entities at line breaks and trims whitespace from them,
so "Jonathan Lis\\nJonathan Lis" cannot become one PERSON. Later stages rebuild the `Doc`s from
`tokens.parquet` (`pipeline.docs`) instead of parsing again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IDX, LEMMA, MORPH, ORTH, POS, SENT_START, SPACY, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span

from .config import DEFAULT_CONFIG_DIR, config_files, load_stage_config, require
from .io import TableWriter, table_path
from .manifest import StageRecord
from .model import load_model, model_info
from .offsets import OffsetMap
from .progress import Progress
from .schemas import DOCUMENTS, SENTENCES, TOKENS

STAGE = "parse"
ATTRS = [ORTH, IDX, SPACY, LEMMA, POS, TAG, DEP, HEAD, MORPH, ENT_IOB, ENT_TYPE, SENT_START]
IOB_NAMES = {0: "O", 1: "I", 2: "O", 3: "B"}


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


def build_nlp(config: dict, source: str = "parse.toml"):
    paragraph_break = require(config, "paragraph_break", str, source)
    if paragraph_break not in ("line", "blank_line"):
        raise ValueError(f"{source}: paragraph_break must be 'line' or 'blank_line'")
    nlp = load_model()
    nlp.add_pipe("paragraph_sentences", before="parser", config={"paragraph_break": paragraph_break})
    nlp.add_pipe("paragraph_entities", after="ner")
    return nlp


class _Strings:
    """Hash -> string with a cache: most hashes (tags, deps, common lemmas) repeat constantly."""

    def __init__(self, store):
        self.store, self.cache = store, {0: ""}

    def __call__(self, values: np.ndarray) -> list[str]:
        cache, store = self.cache, self.store
        out = []
        for value in values.tolist():
            text = cache.get(value)
            if text is None:
                text = cache[value] = store[value]
            out.append(text)
        return out


def doc_columns(doc: Doc, doc_id: str, offset_map: OffsetMap, strings: _Strings) -> tuple[dict, dict]:
    """Token and sentence columns for one parsed document, offsets mapped to the original text."""
    n = len(doc)
    array_u = doc.to_array(ATTRS) if n else np.zeros((0, len(ATTRS)), dtype=np.uint64)
    array = array_u.view(np.int64)  # HEAD is a signed offset stored in uint64
    words = strings(array_u[:, 0])
    idx = array[:, 1]
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=n)
    sent_start = array[:, 11] == 1
    if n:
        sent_start[0] = True
    sent_index = np.cumsum(sent_start, dtype=np.int32) - 1
    token_starts = offset_map.starts(idx)
    token_ends = offset_map.ends(idx + lengths)
    tokens = {
        "doc_id": [doc_id] * n, "i": np.arange(n, dtype=np.int32),
        "start": token_starts, "end": token_ends, "body_start": idx, "text": words,
        "whitespace": [" " if s else "" for s in array[:, 2].tolist()],
        "lemma": strings(array_u[:, 3]), "pos": strings(array_u[:, 4]), "tag": strings(array_u[:, 5]),
        "dep": strings(array_u[:, 6]), "head": (np.arange(n) + array[:, 7]).astype(np.int32),
        "morph": strings(array_u[:, 8]),
        "ent_iob": [IOB_NAMES[v] for v in array[:, 9].tolist()], "ent_type": strings(array_u[:, 10]),
        "sent_index": sent_index, "sent_start": sent_start,
    }
    # Sentence offsets span their first to last non-space token.
    is_space = np.fromiter((w.isspace() for w in words), dtype=bool, count=n)
    bounds = np.flatnonzero(sent_start).tolist() + [n]
    sentences = {k: [] for k in ("doc_id", "sent_index", "start", "end", "token_start", "token_end", "text")}
    for index, (first, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
        content = np.flatnonzero(~is_space[first:stop])
        if len(content):
            begin, last = first + content[0], first + content[-1]
            start, end = int(token_starts[begin]), int(token_ends[last])
            body_text = doc.text[idx[begin]: idx[last] + lengths[last]]
        else:
            start = end = int(token_starts[first])
            body_text = ""
        for key, value in zip(sentences, (doc_id, index, start, end, first, stop, body_text)):
            sentences[key].append(value)
    return tokens, sentences


def _iter_documents(out_dir: Path, batch_rows: int = 256) -> Iterator[tuple[str, str, list]]:
    parquet = pq.ParquetFile(table_path(DOCUMENTS, out_dir))
    for batch in parquet.iter_batches(batch_size=batch_rows, columns=["doc_id", "body", "body_segments"]):
        for row in batch.to_pylist():
            yield row["doc_id"], row["body"] or "", row["body_segments"] or []


def _concat(columns: list[dict], spec) -> pa.Table:
    arrays = {}
    for field in spec.schema:
        parts = [c[field.name] for c in columns]
        if isinstance(parts[0], np.ndarray):
            arrays[field.name] = pa.array(np.concatenate(parts), type=field.type)
        else:
            arrays[field.name] = pa.array([v for p in parts for v in p], type=field.type)
    return pa.table(arrays, schema=spec.schema)


def parse_documents(nlp, documents: Iterable[tuple[str, str, list]], batch_size: int, n_process: int,
                    row_group_tokens: int) -> Iterator[tuple[pa.Table, pa.Table]]:
    """Pure heart of the stage: yield (tokens, sentences) Arrow tables, a row group at a time."""
    strings = _Strings(nlp.vocab.strings)
    pending_tokens, pending_sents, pending_n = [], [], 0
    stream = ((body, (doc_id, segments)) for doc_id, body, segments in documents)
    for doc, (doc_id, segments) in nlp.pipe(stream, as_tuples=True, batch_size=batch_size, n_process=n_process):
        tokens, sentences = doc_columns(doc, doc_id, OffsetMap.from_segments(segments), strings)
        pending_tokens.append(tokens)
        pending_sents.append(sentences)
        pending_n += len(doc)
        if pending_n >= row_group_tokens:
            yield _concat(pending_tokens, TOKENS), _concat(pending_sents, SENTENCES)
            pending_tokens, pending_sents, pending_n = [], [], 0
    if pending_tokens:
        yield _concat(pending_tokens, TOKENS), _concat(pending_sents, SENTENCES)


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    source = str(config_dir / "parse.toml")
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    record.add_input_tables(DOCUMENTS.name)
    config = load_stage_config(config_dir, STAGE)
    batch_size = require(config, "batch_size", int, source)
    n_process = require(config, "n_process", int, source)
    row_group_tokens = require(config, "row_group_tokens", int, source)
    nlp = build_nlp(config, source)
    record.extra["model"] = model_info(nlp)
    total = pq.ParquetFile(table_path(DOCUMENTS, out_dir)).metadata.num_rows
    with TableWriter(TOKENS, out_dir) as token_writer, TableWriter(SENTENCES, out_dir) as sent_writer, \
            Progress(STAGE, total=total) as progress:
        for tokens, sentences in parse_documents(nlp, _iter_documents(out_dir), batch_size, n_process,
                                                 row_group_tokens):
            token_writer.write(tokens)
            sent_writer.write(sentences)
            progress.update(len(set(sentences.column("doc_id").to_pylist())))
    record.rows = {"tokens": token_writer.rows, "sentences": sent_writer.rows}
    return record.write()
