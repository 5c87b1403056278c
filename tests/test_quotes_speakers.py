"""Speaker resolution (pipeline/quotes/speakers.py): descriptions reduced to the name they hold,
roles resolved to the person the article gives them, surnames to the person the context points
to, pronouns only to people. Table-driven, each with negative cases."""

from __future__ import annotations

import pytest

from pipeline.docs import ParsedDoc
from pipeline.quotes import extract_quotes, load_config


@pytest.fixture(scope="module")
def config():
    return load_config()


@pytest.fixture(scope="module")
def extract(nlp, config):
    def run(text):
        return extract_quotes(ParsedDoc.unmapped("t", nlp(text)), None, config)
    return run


# (text, speaker, speaker_title)
APPOSITIVES = [
    ("The hotel's general manager, Jane Roe, said the rooms were full all week.",
     "Jane Roe", "hotel's general manager"),
    ("Smith's agent, John Doe, said the contract talks had stalled again.", "John Doe", "Smith's agent"),
    ('"We never saw water this high," said a retired nurse from a small river town, Mary Doe.',
     "Mary Doe", "retired nurse from a small river town"),
    # negative: a name that is not the description's apposition is not the speaker
    ("The wife of John Doe said the contract talks had stalled again.", "The wife of John Doe", None),
    ("John Doe's agent said the contract talks had stalled again.", "John Doe's agent", None),
]


@pytest.mark.parametrize("text, speaker, title", APPOSITIVES, ids=[t[:30] for t, _, _ in APPOSITIVES])
def test_description_reduced_to_its_name(extract, text, speaker, title):
    rows = extract(text)
    assert rows and (rows[0]["speaker"], rows[0]["speaker_title"]) == (speaker, title), rows
