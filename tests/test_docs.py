"""Rebuilding Docs from tokens.parquet (pipeline.steps.docs): the fast path (a row group's annotation
hashed once, Doc.from_array) gives the very Doc that Doc(words=..., pos=..., ents=...) gives, and
leaves to Doc(...) what only it handles as it does (IOB1 entity tags it repairs, an unknown part
of speech or a typeless entity tag it refuses)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.steps.docs import RowGroupArrays, doc_from_columns, iter_parsed_docs, shared_vocab, split_documents
from pipeline.core.schemas import TOKENS

# One document: "Putin met Netanyahu in Moscow ." parsed by hand (heads are absolute indices).
WORDS = ["Putin", "met", "Netanyahu", "in", "Moscow", "."]
BASE = {
    "text": WORDS, "whitespace": [" ", " ", " ", " ", "", ""],
    "lemma": ["Putin", "meet", "Netanyahu", "in", "Moscow", "."],
    "pos": ["PROPN", "VERB", "PROPN", "ADP", "PROPN", "PUNCT"],
    "tag": ["NNP", "VBD", "NNP", "IN", "NNP", "."],
    "dep": ["nsubj", "ROOT", "dobj", "prep", "pobj", "punct"],
    "head": [1, 1, 1, 1, 3, 1],
    "morph": ["Number=Sing", "Tense=Past|VerbForm=Fin", "Number=Sing", "", "Number=Sing", "PunctType=Peri"],
    "ent_iob": ["B", "O", "B", "O", "B", "O"],
    "ent_type": ["PERSON", "", "PERSON", "", "GPE", ""],
}


def _table(docs: dict[str, dict]) -> pa.Table:
    rows = []
    for doc_id, columns in docs.items():
        start = 0
        for i, word in enumerate(columns["text"]):
            row = {name: values[i] for name, values in columns.items()}
            rows.append({"doc_id": doc_id, "i": i, "start": start, "end": start + len(word), "body_start": start,
                         "sent_index": 0, "sent_start": i == 0, **row})
            start += len(word) + len(row["whitespace"])
    return pa.Table.from_pylist(rows, schema=TOKENS.schema)


def _same(built, expected) -> None:
    assert built.to_bytes() == expected.to_bytes()
    assert [(e.start, e.end, e.label_) for e in built.ents] == [(e.start, e.end, e.label_) for e in expected.ents]
    assert [s.start for s in built.sents] == [s.start for s in expected.sents]


CASES = [
    # (case, changes to the base document, whether the fast path can take it)
    ("clean IOB2", {}, True),
    ("multi-token entity", {"ent_iob": ["B", "O", "B", "I", "I", "O"],
                            "ent_type": ["PERSON", "", "ORG", "ORG", "ORG", ""]}, True),
    ("IOB1: I after O is repaired to B by Doc(...)", {"ent_iob": ["B", "O", "I", "O", "B", "O"]}, False),
    ("IOB1: I of another type begins an entity", {"ent_iob": ["B", "O", "B", "I", "O", "O"],
                                                   "ent_type": ["PERSON", "", "PERSON", "GPE", "", ""]}, False),
    ("no part of speech on a token", {"pos": ["PROPN", "VERB", "", "ADP", "PROPN", "PUNCT"]}, True),
]


@pytest.mark.parametrize("fine_grained", [True, False])
@pytest.mark.parametrize("case, changes, fast", CASES, ids=[c[0] for c in CASES])
def test_rebuilt_doc_is_the_doc_of_doc_init(tmp_path, case, changes, fast, fine_grained):
    columns = {**BASE, **changes}
    table = _table({"a": BASE, "b": columns})
    pq.write_table(table, tmp_path / "tokens.parquet")
    rebuilt = list(iter_parsed_docs(tmp_path, fine_grained=fine_grained))
    assert [p.doc_id for p in rebuilt] == ["a", "b"]
    wanted = [n for n in columns if fine_grained or n not in ("tag", "morph")]
    for parsed, (doc_id, cols) in zip(rebuilt, split_documents(table, wanted)):
        _same(parsed.doc, doc_from_columns(shared_vocab(), cols))
    assert [t.ent_iob_ for t in rebuilt[1].doc] == [t.ent_iob_ for t in doc_from_columns(shared_vocab(), columns)]
    assert rebuilt[1].token_starts.tolist() == [0, 6, 10, 20, 23, 29]
    # the fast path took the document, or left it to Doc(...)
    arrays = RowGroupArrays(shared_vocab(), table, fine_grained)
    spaces = [w == " " for w in columns["whitespace"]]
    assert (arrays.doc(columns["text"], spaces, len(WORDS), 2 * len(WORDS)) is not None) == fast


BAD = [
    ("unknown part of speech", {"pos": ["PROPN", "VERBISH", "PROPN", "ADP", "PROPN", "PUNCT"]}),
    ("entity tag without a type", {"ent_type": ["", "", "PERSON", "", "GPE", ""]}),
]


@pytest.mark.parametrize("case, changes", BAD, ids=[c[0] for c in BAD])
def test_what_doc_init_refuses_is_refused_alike(tmp_path, case, changes):
    columns = {**BASE, **changes}
    pq.write_table(_table({"b": columns}), tmp_path / "tokens.parquet")
    with pytest.raises(ValueError) as expected:
        doc_from_columns(shared_vocab(), columns)
    with pytest.raises(ValueError) as got:
        list(iter_parsed_docs(tmp_path))
    assert str(got.value) == str(expected.value)


# the shared vocab is made from the language's defaults, not through spacy.blank: the same lexical
# attributes (stop words, numbers, shapes...) are what the stages read from rebuilt Docs
VOCAB_WORDS = ["The", "the", "U.S.", "troops", "12", "ten", "don't", "n't", "Hello", ",", "...", "www.example.com",
               "a@b.com", "$", "5", "well-known", "Iraq", "'s", "\n", "  ", "état", "IRS", "-", "2,000"]
VOCAB_ATTRS = ["is_stop", "is_alpha", "is_digit", "like_num", "is_punct", "is_space", "is_currency", "like_url",
               "like_email", "is_lower", "is_upper", "is_title", "lower_", "norm_", "shape_", "prefix_", "suffix_",
               "lang_"]


@pytest.mark.parametrize("word", VOCAB_WORDS)
def test_shared_vocab_reads_words_as_spacy_blank_does(word):
    import spacy

    ours, blank = shared_vocab()[word], spacy.blank("en").vocab[word]
    assert {a: getattr(ours, a) for a in VOCAB_ATTRS} == {a: getattr(blank, a) for a in VOCAB_ATTRS}
    assert ours.is_stop == (word.lower() in {"the", "ten", "'s", "n't"})    # some are stop words, most not
