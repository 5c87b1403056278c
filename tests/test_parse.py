"""parse: one spaCy pass, offsets into the original text, paragraphs respected, Docs rebuilt exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.steps.docs import iter_parsed_docs
from pipeline.core.io import read_frame
from pipeline.core.schemas import BODIES, DOCUMENTS, SENTENCES, TOKENS

ATTRS = ("text", "whitespace_", "lemma_", "pos_", "tag_", "dep_", "ent_iob_", "ent_type_", "is_sent_start")


def token_view(doc):
    return [tuple(getattr(t, a) for a in ATTRS) + (t.head.i, str(t.morph)) for t in doc]


def test_rebuilt_docs_equal_a_fresh_parse(seed_outputs, nlp):
    bodies = read_frame(BODIES, seed_outputs).set_index("doc_id").body
    seen = 0
    for parsed in iter_parsed_docs(seed_outputs):
        fresh = nlp(bodies[parsed.doc_id])
        assert parsed.doc.text == fresh.text
        assert token_view(parsed.doc) == token_view(fresh)
        assert [(s.start, s.end) for s in parsed.doc.sents] == [(s.start, s.end) for s in fresh.sents]
        assert [(e.start, e.end, e.label_) for e in parsed.doc.ents] == \
            [(e.start, e.end, e.label_) for e in fresh.ents]
        seen += 1
    assert seen == len(bodies)


def test_token_and_sentence_offsets_point_into_the_original_text(seed_outputs):
    texts = read_frame(DOCUMENTS, seed_outputs).set_index("doc_id").text
    tokens = read_frame(TOKENS, seed_outputs)
    words = tokens[~tokens.text.str.isspace()]
    assert all(texts[d][s:e] == t for d, s, e, t in zip(words.doc_id, words.start, words.end, words.text))
    sentences = read_frame(SENTENCES, seed_outputs)
    assert all(texts[d][s:e] == t for d, s, e, t in
               zip(sentences.doc_id, sentences.start, sentences.end, sentences.text))


def entity_texts(tokens: pd.DataFrame, texts) -> list[tuple[str, str]]:
    out, current = [], None
    for row in tokens.itertuples():
        if row.ent_iob == "B":
            current = [row.doc_id, row.start, row.end, row.ent_type]
            out.append(current)
        elif row.ent_iob == "I":
            current[2] = row.end
    return [(texts[d][s:e], label) for d, s, e, label in out]


def test_no_entity_or_sentence_crosses_a_line(seed_outputs):
    texts = read_frame(DOCUMENTS, seed_outputs).set_index("doc_id").text
    entities = entity_texts(read_frame(TOKENS, seed_outputs), texts)
    assert entities and not [e for e in entities if "\n" in e[0]]
    people = {text for text, label in entities if label == "PERSON"}
    assert not {p for p in people if "Credit" in p or "Jonathan Lis" in p}   # caption and byline are gone
    sentences = read_frame(SENTENCES, seed_outputs)
    assert not [s for s in sentences.text if "\n" in s]


@pytest.mark.parametrize("text, sentences, people", [
    ("Jonathan Lis\nJonathan Lis\nSend in e-mail", ["Jonathan Lis", "Jonathan Lis", "Send in e-mail"], None),
    ("Naftali Bennett\n\nThe minister said no.", ["Naftali Bennett", "The minister said no."], None),
    ("He met Vladimir Putin in Sochi.", ["He met Vladimir Putin in Sochi."], ["Vladimir Putin"]),
])
def test_paragraph_components(nlp, text, sentences, people):
    doc = nlp(text)
    assert [s.text.strip() for s in doc.sents] == sentences
    assert all("\n" not in e.text and e.text == e.text.strip() for e in doc.ents)
    if people is not None:
        assert [e.text for e in doc.ents if e.label_ == "PERSON"] == people


@pytest.mark.parametrize("text, tokens", [
    # a double mark glued to the words around it is its own token, and so is the punctuation before it
    ("Ryan said,“Look here.”", ["Ryan", "said", ",", "“", "Look", "here", ".", "”"]),
    ('Clinton:"We learned that."', ["Clinton", ":", '"', "We", "learned", "that", ".", '"']),
    ("It ended.”He left.", ["It", "ended", ".", "”", "He", "left", "."]),
    ("He said,''Stop.''", ["He", "said", ",", "''", "Stop", ".", "''"]),
    # negatives: spaced marks, apostrophes inside and after words, contractions, single marks
    ("the “hot” issues", ["the", "“", "hot", "”", "issues"]),
    ("rock’n’roll and the leaders’ views", ["rock’n’roll", "and", "the", "leaders", "’", "views"]),
    ("don't stop", ["do", "n't", "stop"]),
    ("the ‘hot’ issues", ["the", "‘", "hot", "’", "issues"]),
    ("U.S.-led talks", ["U.S.-led", "talks"]),
])
def test_glued_quote_marks_are_split(nlp, text, tokens):
    assert [t.text for t in nlp.make_doc(text)] == tokens


@pytest.mark.parametrize("value, message", [
    ("glued_quote_infixes = '(x'", "must be a list"),
    ("glued_quote_infixes = ['(x']", "bad regular expression"),
])
def test_malformed_infix_config_names_the_file(tmp_path, value, message):
    from pipeline.core.config import load_stage_config
    from pipeline.core.errors import ConfigError
    from pipeline.steps.parse import build_nlp

    (tmp_path / "parse.toml").write_text(
        'batch_size = 16\nn_process = 1\nrow_group_tokens = 1000\nmax_chunk_chars = 100000\nparagraph_break = "line"\n' + value + "\n")
    with pytest.raises(ConfigError, match=message) as err:
        build_nlp(load_stage_config(tmp_path, "parse"), str(tmp_path / "parse.toml"))
    assert "parse.toml" in str(err.value)


# ---- incremental parse: an unchanged body is not parsed again ------------------------------------

def _run_front(source, out, configs=None):
    from pipeline.steps import clean, ingest, parse

    ingest.run(out, configs, input_dir=source)
    clean.run(out, configs)
    return parse.run(out, configs)


@pytest.mark.slow
def test_incremental_parse_reuses_unchanged_bodies_and_equals_a_full_parse(tmp_path):
    import shutil

    from conftest import REPO, SEEDS

    source = tmp_path / "in"
    shutil.copytree(SEEDS, source)
    out = tmp_path / "out"
    first = _run_front(source, out)
    assert first["rows"]["reused"] == 0
    names = sorted(p.name for p in source.glob("*.txt"))
    changed = source / names[0]
    assert " said " in changed.read_text()
    changed.write_text(changed.read_text().replace(" said ", " stated ", 1))      # a body line edited
    (source / names[1]).unlink()
    (source / "new.txt").write_text("Talks resume\n\nThe envoy said the talks would resume on Monday.\n")

    again = _run_front(source, out)
    assert again["rows"]["reused"] == len(names) - 2          # all but the changed and the removed one
    full = tmp_path / "full"
    _run_front(source, full)
    for spec in (TOKENS, SENTENCES):
        assert read_frame(spec, out).equals(read_frame(spec, full)), spec.name

    configs = tmp_path / "configs"                             # other settings: nothing is reused
    shutil.copytree(REPO / "configs", configs)
    with (configs / "parse.toml").open("a") as fh:
        fh.write("\n# any edit of the parse settings parses everything again\n")
    assert _run_front(source, out, configs)["rows"]["reused"] == 0


@pytest.mark.slow
def test_a_changed_tokens_table_is_not_reused(tmp_path):
    from conftest import SEEDS

    out = tmp_path / "out"
    _run_front(SEEDS, out)
    tokens = read_frame(TOKENS, out)
    tokens.loc[0, "lemma"] = "tampered"
    from pipeline.core.io import write_table
    write_table(TOKENS, tokens, out)
    assert _run_front(SEEDS, out)["rows"]["reused"] == 0
    assert "tampered" not in set(read_frame(TOKENS, out).lemma)


@pytest.mark.parametrize("lengths, batch_size, max_chars, batches", [
    ([10, 10, 10], 16, 100, [[10, 10, 10]]),              # news-sized: one batch, as before
    ([60, 60, 60], 16, 100, [[60], [60], [60]]),          # pieces of a long document: one at a time
    ([10] * 5, 2, 100, [[10, 10], [10, 10], [10]]),       # the document count still bounds a batch
    ([150, 10], 16, 100, [[150], [10]]),                  # a text over the budget goes alone
    ([], 16, 100, []),
])
def test_char_batches(lengths, batch_size, max_chars, batches):
    from pipeline.steps.parse import char_batches

    texts = ["x" * n for n in lengths]
    assert [[len(t) for t in b] for b in char_batches(texts, batch_size, max_chars)] == batches


@pytest.mark.parametrize("setting, documents, cores, expected", [
    (1, 10_000, 8, 1),            # a count is taken as it is
    (3, 5, 2, 3),
    ("auto", 10_000, 2, 2),       # one worker per core
    ("auto", 10_000, 16, 4),      # at most four (each holds a model)
    ("auto", 49, 8, 1),           # a small corpus parses in-process
    ("auto", 500, 1, 1),
])
def test_workers(setting, documents, cores, expected):
    from pipeline.core.workers import workers

    assert workers(setting, documents, cores) == expected


@pytest.mark.parametrize("segments, holds", [
    ([{"body_start": 0, "text_start": 10, "length": 11}], True),     # the body where it was
    ([{"body_start": 0, "text_start": 12, "length": 11}], False),    # a line before it grew: moved
    ([{"body_start": 0, "text_start": 10, "length": 6},              # the same words, now two lines
      {"body_start": 6, "text_start": 30, "length": 5}], False),
])
def test_earlier_rows_are_copied_only_where_their_offsets_still_hold(segments, holds):
    import pyarrow as pa

    from pipeline.steps.parse import _offsets_hold

    # "Hello world" parsed when it sat at offset 10 of documents.text
    tokens = pa.table({"body_start": pa.array([0, 6], pa.int64()), "text": ["Hello", "world"],
                       "start": pa.array([10, 16], pa.int64()), "end": pa.array([15, 21], pa.int64())})
    assert _offsets_hold(tokens, segments) is holds
