"""The clean stage: body and offsets from the labelled lines; a malformed config names its file."""

from __future__ import annotations

import pytest

from pipeline.steps import clean, ingest
from pipeline.core.errors import ConfigError
from pipeline.core.io import read_frame
from pipeline.steps.offsets import OffsetMap
from pipeline.core.schemas import BODIES, DOCUMENTS, LINES


def test_body_maps_back_to_the_text(seed_outputs):
    documents = read_frame(DOCUMENTS, seed_outputs).merge(read_frame(BODIES, seed_outputs), on="doc_id")
    lines = read_frame(LINES, seed_outputs)
    for doc in documents.itertuples():
        kept = lines[(lines.doc_id == doc.doc_id) & lines.kept]
        assert all(line in doc.body for line in kept.text)
        mapping = OffsetMap.from_segments(doc.body_segments)
        for position, char in enumerate(doc.body):
            if not char.isspace():
                assert doc.text[mapping.start(position)] == char
        assert doc.title and doc.body.startswith(doc.title)


@pytest.mark.parametrize("content", ["[caption\nmax_words = 3", "this is not toml = = 1\n", "[title]\n"])
def test_malformed_clean_config(tmp_path, content):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Title\n\nA body line that says something.\n")
    ingest.run(tmp_path / "out", input_dir=tmp_path / "in")
    (tmp_path / "clean.toml").write_text(content)
    with pytest.raises(ConfigError, match="clean.toml"):
        clean.run(tmp_path / "out", config_dir=tmp_path)
    assert not (tmp_path / "out" / "lines.parquet").exists()


ONE_LINERS = [
    # (the whole document, kept) a one-line document is its own title, whatever chrome it looks like
    ("Unemployment Climbs", True),
    ("Sex Offenders Law Prompts Privacy Debate in New York", True),        # "Privacy": a chrome word
    ("SUPER BOWL", True),
    ("A bill to establish a commission to study privacy practices, and for other purposes,", True),
    ("\n\n  Hatch Act.  \n", True),                                         # blank lines around it
]


@pytest.mark.parametrize("text,kept", ONE_LINERS)
def test_a_one_line_document_is_kept_as_its_title(text, kept):
    from pipeline.core.config import load_stage_config

    documents = [{"doc_id": "d", "source": None, "text": text}]
    lines, cleaned = clean.clean_documents(documents, load_stage_config(None, "clean"))
    assert [line["kept"] for line in lines] == [kept]
    assert cleaned[0]["title"] == text.strip() and cleaned[0]["body"].strip() == text.strip()


def test_a_chrome_line_of_a_longer_page_is_still_dropped():
    from pipeline.core.config import load_stage_config

    text = ("Privacy Policy\n\nThe minister said on Tuesday that the talks on the new budget would resume "
            "next week, after a pause of several months.\n\nCookie settings")
    lines, _ = clean.clean_documents([{"doc_id": "d", "source": None, "text": text}], load_stage_config(None, "clean"))
    assert [line["kept"] for line in lines if line["text"] in ("Privacy Policy", "Cookie settings")] == [False, False]
