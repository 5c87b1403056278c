"""The body and its map back to the original text: offsets are sacred."""

from __future__ import annotations

import pytest

from pipeline.steps.offsets import OffsetMap, build_body

TEXT = "Title\nby: A. Writer\n\nFirst paragraph.\nSecond line.\n\nPhoto credit: X\nLast one."


def line_spans(text, keep):
    spans, pos = [], 0
    for no, line in enumerate(text.split("\n"), start=1):
        if no in keep:
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


@pytest.mark.parametrize("keep, body", [
    ({1, 4, 5, 8}, "Title\n\nFirst paragraph.\nSecond line.\n\nLast one."),
    ({4, 5}, "First paragraph.\nSecond line."),
    ({1, 8}, "Title\n\nLast one."),
    (set(), ""),
])
def test_build_body(keep, body):
    built, segments = build_body(TEXT, line_spans(TEXT, keep))
    assert built == body
    for seg in segments:   # every kept character maps back to the same character
        assert built[seg["body_start"]: seg["body_start"] + seg["length"]] == \
            TEXT[seg["text_start"]: seg["text_start"] + seg["length"]]


def test_offset_map_round_trips_every_kept_character():
    body, segments = build_body(TEXT, line_spans(TEXT, {1, 4, 5, 8}))
    mapping = OffsetMap.from_segments(segments)
    for i, char in enumerate(body):
        if not char.isspace():
            assert TEXT[mapping.start(i)] == char
            assert TEXT[mapping.end(i + 1) - 1] == char
    # a span across the removed lines maps to a span of the original covering them
    start, end = body.index("Second"), body.index("Last") + 4
    assert TEXT[mapping.start(start): mapping.end(end)].startswith("Second line.")
    assert TEXT[mapping.start(start): mapping.end(end)].endswith("Last")


def test_separator_offsets():
    body, segments = build_body(TEXT, line_spans(TEXT, {1, 8}))
    mapping = OffsetMap.from_segments(segments)
    sep = body.index("\n")
    assert mapping.start(sep) == TEXT.index("\n")             # start of the gap: end of "Title"
    assert mapping.end(sep + 2) == TEXT.index("Last one.")     # end of the gap: start of next line
