"""Property tests: random text with random quote marks never crashes the pairing or the stage,
and every offset is valid.

"Non-overlapping" for quote content: two quotations found by `pair_quote_marks` are either
disjoint or nested (one wholly inside the other, like ‘...’ inside “...”), never crossing; the
records `extract_quotes` emits have content spans that are pairwise disjoint or nested (a report
inside a report), never crossing; a row of several pieces (one attribution, “A,” he said. “B.”)
has valid pieces inside the document, in order and never overlapping.
"""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.steps.docs import ParsedDoc
from pipeline.steps.quotes import QUOTE_CHARS, extract_quotes, load_config, pair_quote_marks

PIECES = st.sampled_from(list(QUOTE_CHARS) + ["''", "’’", "‘’", " ", " ", " ", "\n", "\n\n", ",", ".", ":",
                                              "—", "said", "he said", "Smith", "told", "that", "it's",
                                              "leaders’", "We win", "the plan", "according to"])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_pairing_offsets_valid_and_not_crossing(text):
    spans = pair_quote_marks(text)
    for q in spans:
        assert 0 <= q.open_start < q.open_end <= q.content_end <= len(text)
        assert q.content_start <= q.content_end <= q.close_start <= q.close_end <= len(text)
        assert all(c in QUOTE_CHARS for c in text[q.open_start:q.open_end])
        if q.closed:
            assert all(c in QUOTE_CHARS for c in text[q.close_start:q.close_end])
        assert "\n" not in text[q.open_start:q.close_end]
    for a in spans:
        for b in spans:
            if a is b:
                continue
            disjoint = a.close_end <= b.open_start or b.close_end <= a.open_start
            nested = (a.open_start <= b.open_start and b.close_end <= a.close_end) or \
                     (b.open_start <= a.open_start and a.close_end <= b.close_end)
            assert disjoint or nested


@pytest.fixture(scope="module")
def quotes_config():
    return load_config()


def _Parsed(doc):
    return ParsedDoc.unmapped("prop", doc)


SENTENCE_PIECES = st.sampled_from(['"', "“", "”", "‘", "’", "''", " ", " ", "\n", ",", ".", ":", "Smith said",
                                   "he added", "the minister told reporters that", "We will win", "It said",
                                   "according to officials", "the “hot” issue", "leaders’", "who said",
                                   "Putin", "the plan is good", "saying", "\n\n“", '"We will win," Smith said. "',
                                   "adding", "”"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(SENTENCE_PIECES, min_size=1, max_size=30).map(" ".join))
@example('" , according to officials " ,')       # a rule's content that is a lone mark: no row
def test_extraction_never_crashes_and_offsets_are_valid(nlp, quotes_config, text):
    doc = nlp(text)
    rows = extract_quotes(_Parsed(doc), None, quotes_config)
    spans = []
    for row in rows:
        cs, ce = row["content_start"], row["content_end"]
        assert 0 <= cs < ce <= len(text)
        # the span holds words and is trimmed: no content is only marks, or starts or ends on a space
        assert any(ch.isalnum() for ch in text[cs:ce]) and not text[cs].isspace() and not text[ce - 1].isspace()
        assert row["quote_id"] == f"prop:{cs}-{ce}"
        for key in ("cue", "speaker"):
            s, e = row[f"{key}_start"], row[f"{key}_end"]
            if s is not None:
                assert 0 <= s < e <= len(text)
        # one attribution, one row: its pieces lie in the document, in order, without overlap,
        # and their hull is the row's content span
        pieces = [(p["start"], p["end"]) for p in row["content_spans"]]
        assert pieces and pieces[0][0] == cs and pieces[-1][1] == ce
        assert all(0 <= s < e <= len(text) for s, e in pieces)
        assert all(e1 <= s2 for (_, e1), (s2, _) in zip(pieces, pieces[1:]))
        assert row["content"] == " … ".join(text[s:e] for s, e in pieces)
        assert row["speaker"] not in ("who", "which", "it", "It", "that")
        assert row["type"] in ("direct", "indirect", "mixed")
        assert row["resolution"] in ("explicit", "pronoun", "author", "role", "continuation", "none")
        spans.append((cs, ce))
    # nested contents are legitimate (a report inside a report: see the nested-content tests in
    # test_quotes.py); two contents that cross each other are not
    for i, (a0, a1) in enumerate(spans):
        for b0, b1 in spans[i + 1:]:
            disjoint = a1 <= b0 or b1 <= a0
            nested = (a0 <= b0 and b1 <= a1) or (b0 <= a0 and a1 <= b1)
            assert disjoint or nested, f"content spans cross: {(a0, a1)} and {(b0, b1)}"
