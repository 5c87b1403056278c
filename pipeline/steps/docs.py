"""Rebuilding parsed `Doc`s from `tokens.parquet`, so later stages never parse again.

A rebuilt Doc has the words, whitespace, lemmas, tags, POS, morphology, dependency tree (hence
the sentences) and entities the parse produced; its text equals `bodies.body`. Each token row
also carries `start`/`end` offsets into `documents.text`, available as `ParsedDoc.token_starts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.core.io import iter_row_groups
from pipeline.core.progress import Progress
from pipeline.core.schemas import TOKENS


@lru_cache(maxsize=1)
def shared_vocab() -> Vocab:
    """An English vocab with lexical attributes (is_stop, like_num...) and no model weights."""
    import spacy

    return spacy.blank("en").vocab


@dataclass
class ParsedDoc:
    doc_id: str
    doc: Doc
    token_starts: np.ndarray   # per token: offset into documents.text
    token_ends: np.ndarray

    @classmethod
    def unmapped(cls, doc_id: str, doc: Doc) -> "ParsedDoc":
        """A Doc whose own text is the original text (no cleaning): offsets are token offsets."""
        starts = np.array([t.idx for t in doc], dtype=np.int64)
        return cls(doc_id, doc, starts, starts + np.array([len(t) for t in doc], dtype=np.int64))

    def text_span(self, token_start: int, token_end: int) -> tuple[int, int]:
        """Character offsets in documents.text of tokens [token_start, token_end)."""
        return int(self.token_starts[token_start]), int(self.token_ends[token_end - 1])


def doc_from_columns(vocab: Vocab, columns: dict) -> Doc:
    words = columns["text"]
    if not words:
        return Doc(vocab, words=[])
    return Doc(
        vocab,
        words=words,
        spaces=[w == " " for w in columns["whitespace"]],
        lemmas=columns["lemma"],
        pos=columns["pos"],
        tags=columns.get("tag"),            # absent when iter_parsed_docs(fine_grained=False)
        morphs=columns.get("morph"),
        deps=columns["dep"],
        heads=columns["head"],
        ents=[iob if iob == "O" else f"{iob}-{etype}" for iob, etype in zip(columns["ent_iob"], columns["ent_type"])],
    )


# The token columns a rebuilt Doc and its ParsedDoc read; the others (i, body_start, sent_index,
# sent_start) are never turned into Python lists here.
REBUILD_COLUMNS = ("text", "whitespace", "lemma", "pos", "tag", "dep", "head", "morph", "ent_iob", "ent_type",
                   "start", "end")


def split_documents(table: pa.Table, only: Iterable[str] | None = None) -> Iterator[tuple[str, dict]]:
    """(doc_id, column -> its values as a list) per document of a token table: every column but
    doc_id, or `only` those."""
    doc_ids = table.column("doc_id").to_numpy(zero_copy_only=False)
    if not len(doc_ids):
        return
    boundaries = np.flatnonzero(doc_ids[1:] != doc_ids[:-1]) + 1
    names = [n for n in table.column_names if n != "doc_id"] if only is None else list(only)
    columns = {name: table.column(name).to_pylist() for name in names}
    starts = [0, *boundaries.tolist()]
    stops = [*boundaries.tolist(), len(doc_ids)]
    for start, stop in zip(starts, stops):
        yield str(doc_ids[start]), {name: values[start:stop] for name, values in columns.items()}


def iter_parsed_docs(out_dir: Path, vocab: Vocab | None = None, progress: str | None = None,
                     fine_grained: bool = True) -> Iterator[ParsedDoc]:
    """Every parsed document in `out_dir`, streamed a row group at a time.

    With `progress` (a stage name), a terminal shows documents done and documents per second.
    `fine_grained=False` leaves out the fine-grained tags and the morphology (a quarter of the
    rebuild's time), for a reader that never looks at `tag_` or `morph`.
    """
    vocab = vocab or shared_vocab()
    total = None
    if progress:
        sentences = Path(out_dir) / "sentences.parquet"
        if sentences.exists():
            total = len(pq.read_table(sentences, columns=["doc_id"]).column("doc_id").unique())
    with Progress(progress or "docs", total=total, enabled=None if progress else False) as shown:
        for table in iter_row_groups(TOKENS, out_dir):
            for parsed in parsed_docs_of(table, vocab, fine_grained):
                yield parsed
                shown.update(1)


def parsed_docs_of(table: pa.Table, vocab: Vocab | None = None, fine_grained: bool = True) -> Iterator[ParsedDoc]:
    """The parsed documents of a token table (rows of whole documents, in order): a row group of
    tokens.parquet, or the slice of one partition of the Dask engine."""
    wanted = [n for n in REBUILD_COLUMNS if fine_grained or n not in ("tag", "morph")]
    vocab = vocab or shared_vocab()
    for doc_id, columns in split_documents(table, wanted):
        yield ParsedDoc(doc_id, doc_from_columns(vocab, columns),
                        np.asarray(columns["start"], dtype=np.int64), np.asarray(columns["end"], dtype=np.int64))
