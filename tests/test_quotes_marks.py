"""Quote-mark pairing: pure, model-free (`pipeline.steps.quotes.pair_quote_marks`)."""

import pytest

from pipeline.steps.quotes import pair_quote_marks


def contents(text):
    return [(text[q.content_start:q.content_end], q.kind, q.closed) for q in pair_quote_marks(text)]


@pytest.mark.parametrize("text, expected", [
    # straight and curly double quotes
    ('He said "yes" and then "no".', [("yes", "double", True), ("no", "double", True)]),
    ("“Hello there,” she said.", [("Hello there,", "double", True)]),
    # single quotes used as quote marks (curly and straight)
    ("The words ‘close cooperation’ matter.", [("close cooperation", "single", True)]),
    ("He called it 'a disaster' on Monday.", [("a disaster", "single", True)]),
    # a single quotation nested in a double one
    ("“They said ‘no way’ to us,” he said.",
     [("They said ‘no way’ to us,", "double", True), ("no way", "single", True)]),
    # doubled single marks used as double quotes: ‘’ … ’’ and '' … ''
    ("‘’We are operating constantly,’’ he added.", [("We are operating constantly,", "double", True)]),
    ("''Hopefully,'' the president said.", [("Hopefully,", "double", True)]),
    # a mistyped opening ” (after a space, before a word) still opens
    ("”Mr. Trump is clueless,” she wrote.", [("Mr. Trump is clueless,", "double", True)]),
    # ’90s is an elision, not an opening mark
    ("In the ’90s, “things were different,” she said.", [("things were different,", "double", True)]),
])
def test_pairs(text, expected):
    assert contents(text) == expected


@pytest.mark.parametrize("text", [
    "The leaders’ talks and Burns’ film don’t matter.",       # apostrophes, curly
    "The leaders' talks and Burns' film don't matter.",       # apostrophes, straight
    "Ken Burns’ Brilliant Film Has Only One Problem",
    "It's the Clintons' house, isn't it?",
    "rock ’n’ roll",
])
def test_apostrophes_are_not_quote_marks(text):
    assert pair_quote_marks(text) == []


def test_unclosed_quote_runs_to_paragraph_end_and_continues():
    text = "“We will win this.\n“And we will keep going,” she said."
    spans = pair_quote_marks(text)
    first = spans[0]
    assert not first.closed and first.continues
    assert text[first.content_start:first.content_end] == "We will win this."
    assert text[spans[1].content_start:spans[1].content_end] == "And we will keep going,"


def test_unclosed_quote_without_continuation():
    text = "“We will win this and more\nNext paragraph has no quotes."
    (span,) = pair_quote_marks(text)
    assert not span.closed and not span.continues
    assert text[span.content_start:span.content_end] == "We will win this and more"


def test_unclosed_single_mark_is_dropped():
    assert pair_quote_marks("He said ‘maybe and left.") == []


def test_one_odd_mark_does_not_lose_the_document():
    text = 'A " stray mark here.\nThen “a real quote here,” he said. And ” another stray.'
    found = [text[q.content_start:q.content_end] for q in pair_quote_marks(text)]
    assert "a real quote here," in found


def test_paragraphs_are_independent():
    text = "“Open here\n“Closed one,” she said.\n“Last,” he said."
    found = [text[q.content_start:q.content_end] for q in pair_quote_marks(text)]
    assert found == ["Open here", "Closed one,", "Last,"]
