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
import pyarrow.compute as pc
import pyarrow.parquet as pq
from spacy import parts_of_speech
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, IS_ALPHA, LEMMA, MORPH, ORTH, POS, SPACY, TAG
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.core.doc_cache import digest
from pipeline.core.io import iter_row_groups, read_table, table_path
from pipeline.core.progress import Progress
from pipeline.core.schemas import BODIES, TOKENS


@lru_cache(maxsize=1)
def blank_english():
    """spaCy's blank English pipeline (its tokenizer, no model), built once per process (a third of
    a second each time): only for tokenizing strings (entities' alias forms)."""
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def shared_vocab() -> Vocab:
    """An English vocab with lexical attributes (is_stop, like_num...) and no model weights.
    Made from the language's defaults alone, as spacy.blank("en") makes its vocab, without building
    a tokenizer and a pipeline a stage that only rebuilds Docs never uses (a quarter of a second in
    each such process). Not blank_english()'s vocab: its tokenizer only gives strings."""
    from spacy.lang.en import English
    from spacy.vocab import create_vocab

    return create_vocab("en", English.Defaults)


TEXTS_KEY = "_token_texts"


def token_texts(doc: Doc) -> list[str]:
    """Each token's text, read once per Doc and kept in its user_data: a rule that compares words
    reads this list, not a Token object per token on each pass over the document."""
    texts = doc.user_data.get(TEXTS_KEY)
    if texts is None:
        texts = doc.user_data[TEXTS_KEY] = token_strings(doc, doc.to_array(ORTH).tolist() if len(doc) else [])
    return texts


def token_strings(doc: Doc, hashes: list[int]) -> list[str]:
    """The strings of `hashes`, each distinct one looked up once in the Doc's vocab."""
    strings = doc.vocab.strings
    names = {h: strings[h] for h in set(hashes)}
    return [names[h] for h in hashes]


def doc_text(doc: Doc) -> str:
    """doc.text, joined once per Doc and kept in its user_data (spaCy joins every token again on
    each call: a pass over the whole document for each rule that reads the text)."""
    text = doc.user_data.get("_text")
    if text is None:
        # what Doc.text joins (each token's text, a space after it when it has one), from the arrays
        space = doc.to_array(SPACY).tolist() if len(doc) else []
        text = doc.user_data["_text"] = "".join([w + " " if s else w for w, s in zip(token_texts(doc), space)])
    return text


def lower_case_words(doc: Doc) -> set[str]:
    """The words (letters only) the document writes in lower case, once per Doc: what tells a
    name ("Crime Bill") from a common word ("crime")."""
    words = doc.user_data.get("_lower_case_words")
    if words is None:
        alpha = doc.to_array([IS_ALPHA]).reshape(-1).tolist() if len(doc) else []
        words = doc.user_data["_lower_case_words"] = {w for w, a in zip(token_texts(doc), alpha)
                                                       if a and w.islower()}
    return words


def glued_hyphen(tok) -> bool:
    """A hyphen written inside a word, no space on either side ("Wasserman-Schultz", "Jae-in"),
    which the tokenizer splits off as a token of its own."""
    return tok.text == "-" and tok.i > 0 and not tok.doc[tok.i - 1].whitespace_ and not tok.whitespace_


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


# spaCy's ENT_IOB codes (Token.iob_strings(): "", "I", "O", "B")
IOB_CODES = {"I": 1, "O": 2, "B": 3}
# string columns -> the attribute their hashes set, in the order Doc(...) sets them
HASHED = (("pos", POS), ("dep", DEP), ("lemma", LEMMA), ("tag", TAG), ("morph", MORPH), ("ent_type", ENT_TYPE))


class RowGroupArrays:
    """The annotation of a row group of tokens as the arrays Doc.from_array takes, each distinct
    string hashed once for the whole group: what Doc(words=..., pos=..., heads=..., ents=...) does
    token by token, so a Doc built from them (`doc`) is the same Doc, at a fraction of the cost.
    `usable` is False when the group holds what only Doc(...) handles as it does (missing values,
    an unknown part of speech, entity tags that are not clean IOB2): those documents are rebuilt
    by Doc(...) itself."""

    def __init__(self, vocab: Vocab, table: pa.Table, fine_grained: bool):
        self.vocab = vocab
        names = [n for n, _ in HASHED if fine_grained or n not in ("tag", "morph")]
        self.usable = all(table.column(n).null_count == 0 for n in [*names, "head", "ent_iob"])
        if not self.usable:
            return
        self.attrs = [POS, HEAD, DEP, LEMMA] + ([TAG, MORPH] if fine_grained else []) + [ENT_IOB, ENT_TYPE]
        columns: dict[str, np.ndarray] = {}
        for name in names:
            encoded = pc.dictionary_encode(table.column(name)).combine_chunks()
            values = encoded.dictionary.to_pylist()
            if name == "pos" and any(v not in parts_of_speech.IDS for v in values):
                self.usable = False
                return
            if name == "morph":
                hashes = [vocab.morphology.add(v) for v in values]
            else:
                hashes = [vocab.strings.add(v) for v in values]
            columns[name] = np.asarray(hashes, dtype=np.uint64)[encoded.indices.to_numpy(zero_copy_only=False)] \
                if values else np.zeros(len(table), dtype=np.uint64)
        iob_encoded = pc.dictionary_encode(table.column("ent_iob")).combine_chunks()
        iob_values = iob_encoded.dictionary.to_pylist()
        if any(v not in IOB_CODES for v in iob_values):
            self.usable = False
            return
        iob = np.asarray([IOB_CODES[v] for v in iob_values], dtype=np.uint64)[
            iob_encoded.indices.to_numpy(zero_copy_only=False)] if iob_values else np.zeros(0, dtype=np.uint64)
        entity = iob != IOB_CODES["O"]
        columns["ent_type"] = np.where(entity, columns["ent_type"], 0).astype(np.uint64)
        empty = vocab.strings.add("")
        if (entity & (columns["ent_type"] == empty)).any():      # "B-": Doc(...) raises on it
            self.usable = False
            return
        self.iob = iob
        self.columns = columns
        self.heads = table.column("head").to_numpy().astype(np.int64)

    def doc(self, words: list[str], spaces: list[bool], start: int, stop: int) -> Doc | None:
        """The Doc of rows [start, stop), or None when Doc(...) would repair its entity tags (an
        I- after O, or after another type: IOB1), left to Doc(...)."""
        iob = self.iob[start:stop]
        types = self.columns["ent_type"][start:stop]
        inside = np.flatnonzero(iob[1:] == IOB_CODES["I"])
        if len(inside) and ((iob[inside] == IOB_CODES["O"]).any() or (types[inside] != types[inside + 1]).any()):
            return None
        doc = Doc(self.vocab, words=words, spaces=spaces)
        relative = (self.heads[start:stop] - np.arange(stop - start)).astype(np.int32).astype(np.uint64)
        values = {POS: "pos", DEP: "dep", LEMMA: "lemma", TAG: "tag", MORPH: "morph", ENT_TYPE: "ent_type"}
        array = np.empty((stop - start, len(self.attrs)), dtype=np.uint64)
        for j, attr in enumerate(self.attrs):
            if attr == HEAD:
                array[:, j] = relative
            elif attr == ENT_IOB:
                array[:, j] = iob
            else:
                array[:, j] = self.columns[values[attr]][start:stop]
        doc.from_array(self.attrs, array)
        return doc


# The token columns a rebuilt Doc and its ParsedDoc read; the others (i, body_start, sent_index,
# sent_start) are never turned into Python lists here.
REBUILD_COLUMNS = ("text", "whitespace", "lemma", "pos", "tag", "dep", "head", "morph", "ent_iob", "ent_type",
                   "start", "end")


def document_order(out_dir: Path) -> list[str]:
    """The parsed documents' ids in tokens.parquet's order (every stage's row order)."""
    ids = pq.read_table(table_path(TOKENS, out_dir), columns=["doc_id"]).column("doc_id")   # one column, unvalidated
    return [str(d) for d in pc.unique(pc.cast(ids, pa.string())).to_pylist()]


def body_keys(out_dir: Path) -> dict[str, str]:
    """doc_id -> digest of what a document's tokens are made from (its body and where the body's
    pieces sit in documents.text): with parse's settings unchanged, equal keys mean equal tokens,
    as the incremental parse itself relies on. The key of a document's per-stage cache entry."""
    table = read_table(BODIES, out_dir, columns=["doc_id", "body", "body_segments"])
    return {doc_id: digest(body, segments) for doc_id, body, segments
            in zip(*(table.column(c).to_pylist() for c in ("doc_id", "body", "body_segments")))}


def split_documents(table: pa.Table, only: Iterable[str] | None = None) -> Iterator[tuple[str, dict]]:
    """(doc_id, column -> its values as a list) per document of a token table: every column but
    doc_id, or `only` those."""
    for doc_id, columns, _ in _split(table, only):
        yield doc_id, columns


def document_rows(table: pa.Table) -> list[tuple[str, int, int]]:
    """(doc_id, first row, one past its last row) per document of a table whose rows are grouped by
    document (tokens, sentences), in order."""
    doc_ids = table.column("doc_id").to_numpy(zero_copy_only=False)
    if not len(doc_ids):
        return []
    starts = [0, *(np.flatnonzero(doc_ids[1:] != doc_ids[:-1]) + 1).tolist()]
    return [(str(doc_ids[a]), a, b) for a, b in zip(starts, [*starts[1:], len(doc_ids)])]


def document_slices(table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """(doc_id, its rows) per document of a table grouped by document (zero-copy slices)."""
    for doc_id, start, stop in document_rows(table):
        yield doc_id, table.slice(start, stop - start)


def _split(table: pa.Table, only: Iterable[str] | None = None) -> Iterator[tuple[str, dict, tuple[int, int]]]:
    """split_documents, with each document's rows [start, stop) in the table."""
    rows = document_rows(table)
    if not rows:
        return
    names = [n for n in table.column_names if n != "doc_id"] if only is None else list(only)
    columns = {name: table.column(name).to_pylist() for name in names}
    for doc_id, start, stop in rows:
        yield doc_id, {name: values[start:stop] for name, values in columns.items()}, (start, stop)


def iter_parsed_docs(out_dir: Path, vocab: Vocab | None = None, progress: str | None = None,
                     fine_grained: bool = True, only: set[str] | None = None) -> Iterator[ParsedDoc]:
    """Every parsed document in `out_dir` (or `only` those doc_ids), streamed a row group at a time.

    With `progress` (a stage name), a terminal shows documents done and documents per second.
    `fine_grained=False` leaves out the fine-grained tags and the morphology (a quarter of the
    rebuild's time), for a reader that never looks at `tag_` or `morph`.
    """
    if only is not None and not only:
        return
    vocab = vocab or shared_vocab()
    total = len(only) if only is not None else None
    if progress and total is None:
        sentences = Path(out_dir) / "sentences.parquet"
        if sentences.exists():
            total = len(pq.read_table(sentences, columns=["doc_id"]).column("doc_id").unique())
    wanted = pa.array(sorted(only), pa.string()) if only is not None else None
    with Progress(progress or "docs", total=total, enabled=None if progress else False) as shown:
        for table in iter_row_groups(TOKENS, out_dir, doc_ids=wanted):
            if wanted is not None:      # the other documents' rows are dropped before any is rebuilt
                table = table.filter(pc.is_in(pc.cast(table.column("doc_id"), pa.string()), value_set=wanted))
                if not table.num_rows:
                    continue
            for parsed in parsed_docs_of(table, vocab, fine_grained):
                yield parsed
                shown.update(1)


def parsed_docs_of(table: pa.Table, vocab: Vocab | None = None, fine_grained: bool = True) -> Iterator[ParsedDoc]:
    """The parsed documents of a token table (rows of whole documents, in order): a row group of
    tokens.parquet, or the slice of one partition of the Dask engine."""
    wanted = [n for n in REBUILD_COLUMNS if fine_grained or n not in ("tag", "morph")]
    vocab = vocab or shared_vocab()
    arrays = RowGroupArrays(vocab, table, fine_grained)
    # with the table's arrays, a document needs only its words as Python strings
    read = ("text", "whitespace", "start", "end") if arrays.usable else wanted
    for doc_id, columns, (start, stop) in _split(table, read):
        doc = None
        if arrays.usable and columns["text"]:
            doc = arrays.doc(columns["text"], [w == " " for w in columns["whitespace"]], start, stop)
        if doc is None:
            if arrays.usable:          # left to Doc(...): its annotation as lists
                columns = next(_split(table.slice(start, stop - start), wanted))[1]
            doc = doc_from_columns(vocab, columns)
        yield ParsedDoc(doc_id, doc, np.asarray(columns["start"], dtype=np.int64),
                        np.asarray(columns["end"], dtype=np.int64))
