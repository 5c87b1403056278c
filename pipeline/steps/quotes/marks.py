"""Quote marks: pure, model-free pairing of quotation marks by kind and position."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

DOUBLE_OPEN = "“„«‟"

DOUBLE_CLOSE = "”»"

SINGLE_OPEN = "‘‚‹"

SINGLE_CLOSE = "’›"

STRAIGHT_DOUBLE = '"'

STRAIGHT_SINGLE = "'`"

SINGLE_CHARS = SINGLE_OPEN + SINGLE_CLOSE + STRAIGHT_SINGLE

QUOTE_CHARS = DOUBLE_OPEN + DOUBLE_CLOSE + STRAIGHT_DOUBLE + SINGLE_CHARS

# Punctuation that may stand before an opening mark / after a closing mark.
OPENING_PUNCT = "([{<—–-―/:;,"

CLOSING_PUNCT = ".,;:!?)]}>—–-―/…*"


@dataclass(frozen=True)
class QuoteMark:
    start: int
    end: int
    kind: str          # "double" | "single"
    role: str          # "open" | "close" | "either"


@dataclass(frozen=True)
class QuoteSpan:
    """A paired quotation in a text: marks at [open_start, open_end) and [close_start, close_end).

    An unclosed quotation (no closing mark before the paragraph ends) has `closed=False` and
    close_start == close_end == the end of the paragraph's text; `continues` says that the next
    paragraph opens with a mark of the same kind (news convention for a quote running on).
    """

    open_start: int
    open_end: int
    close_start: int
    close_end: int
    kind: str
    closed: bool = True
    continues: bool = False
    depth: int = 0     # 0: not inside another quotation

    @property
    def content_start(self) -> int:
        return self.open_end

    @property
    def content_end(self) -> int:
        return self.close_start


def _classify_mark(text: str, start: int, end: int) -> QuoteMark | None:
    """Decide what the quote character(s) at text[start:end] are, from their neighbours."""
    chars = text[start:end]
    k = start - 1
    while k >= 0 and unicodedata.category(text[k]) == "Cf":
        k -= 1        # invisible formatting marks (a left-to-right embedding) are not text
    prev = text[k] if k >= 0 else "\n"
    nxt = text[end] if end < len(text) else "\n"
    # Flanking (the CommonMark idea): an opening mark has text after it and space or opening
    # punctuation (or another mark) before it; a closing mark is the mirror image.
    can_open = (prev.isspace() or prev in OPENING_PUNCT or prev in QUOTE_CHARS) and not nxt.isspace()
    can_close = (nxt.isspace() or nxt in CLOSING_PUNCT or nxt in QUOTE_CHARS) and not prev.isspace()
    if len(chars) == 2:
        kind = "double"            # ‘’ ’’ '' `` : doubled singles used as a double quote mark
        char = chars[0] if chars[0] in "‘`" else chars[1]
    else:
        char = chars
        kind = "single" if char in SINGLE_CHARS else "double"
    if kind == "single" and len(chars) == 1:
        # An apostrophe between letters or digits (don’t, Burns’s, rock’n’roll) is no quote mark.
        if prev.isalnum() and nxt.isalnum():
            return None
        # ’90s, ’em, rock ’n’ roll: a right mark before a word elides its start; it never opens.
        if char in "’'" and nxt.isdigit() or char == "’" and can_open and not can_close:
            return None
    if char in DOUBLE_OPEN + SINGLE_OPEN:
        role = "close" if (can_close and not can_open) else "open"
    elif char in DOUBLE_CLOSE + SINGLE_CLOSE:
        # A ” after a space and before a word is a mistyped opening mark (”Mr. Trump said ...).
        # So is one opening a paragraph with a space after it when the paragraph has a closing mark
        # of its own later (” … if the president ..., ” it read): nothing before it to close.
        line_end = text.find("\n", end)
        rest = text[end:line_end if line_end >= 0 else len(text)]
        opens_line = prev == "\n" and start > 0 and not can_close and char in rest
        role = "open" if (can_open and not can_close) or opens_line else "close"
        if kind == "double" and prev in ",.!?" and nxt.isalpha():
            role = "close"       # ... paranoia,”Clinton said: a closing mark glued to the next word
    elif can_open and not can_close:
        role = "open"
    elif can_close and not can_open:
        role = "close"
    else:
        role = "either"
    if kind == "single" and role != "open" and prev.isalnum() and char in "’'":
        # leaders’ / Burns’: a trailing apostrophe after a word closes a quotation only when a
        # single quotation is open; `_pair_paragraph` decides that with the stack in hand.
        role = "close-or-apostrophe"
    return QuoteMark(start, end, kind, role)


def find_quote_marks(text: str) -> list[QuoteMark]:
    marks: list[QuoteMark] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char not in QUOTE_CHARS:
            i += 1
            continue
        end = i + 1
        if char in SINGLE_CHARS and end < n and text[end] in SINGLE_CHARS and text[end] != "`" or \
                (char == "`" and end < n and text[end] == "`"):
            end += 1
        mark = _classify_mark(text, i, end)
        if mark is not None:
            marks.append(mark)
        i = end
    return marks


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line, trimmed of surrounding whitespace."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        s, e = match.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def _pair_paragraph(marks: list[QuoteMark]) -> tuple[list[tuple[QuoteMark, QuoteMark, int]], list[QuoteMark]]:
    """Stack pairing within one paragraph: (open, close, depth) pairs and the unclosed openers."""
    stack: list[QuoteMark] = []
    pairs = []
    for mark in marks:
        role = mark.role
        same = [k for k, m in enumerate(stack) if m.kind == mark.kind]
        if role == "close-or-apostrophe":
            if not same:
                continue                      # a possessive apostrophe: leaders’
            role = "close"
        if role == "either":
            role = "close" if same else "open"
        if role == "open":
            stack.append(mark)
            continue
        if not same:
            continue                          # a stray closing mark: ignored, never fatal
        k = same[-1]
        pairs.append((stack[k], mark, k))
        del stack[k:]                         # inner marks left open inside a closed pair: dropped
    return pairs, stack


def pair_quote_marks(text: str) -> list[QuoteSpan]:
    """Every quotation in `text`, paired by kind and position, sorted by position.

    Paragraphs (lines) are independent, so one odd mark can only affect its own paragraph. An
    unclosed double quotation runs to the end of its paragraph (news convention: a quote that
    continues into the next paragraph has no closing mark); an unclosed single mark is dropped,
    since a lone ’ is far more often an apostrophe than a quotation.
    """
    marks = find_quote_marks(text)
    paragraphs = _paragraphs(text)
    spans: list[QuoteSpan] = []
    m = 0
    for p, (pstart, pend) in enumerate(paragraphs):
        para_marks = []
        while m < len(marks) and marks[m].start < pend:
            if marks[m].start >= pstart:
                para_marks.append(marks[m])
            m += 1
        pairs, unclosed = _pair_paragraph(para_marks)
        for open_, close, depth in pairs:
            if close.start > open_.end:
                spans.append(QuoteSpan(open_.start, open_.end, close.start, close.end, open_.kind,
                                       depth=depth))
        doubles = [u for u in unclosed if u.kind == "double"]
        if doubles and doubles[0].end < pend:
            first = doubles[0]
            depth = unclosed.index(first)
            next_opens = False
            if p + 1 < len(paragraphs):
                nstart = paragraphs[p + 1][0]
                nxt = [mk for mk in marks if mk.start == nstart]
                next_opens = bool(nxt) and nxt[0].kind == "double" and nxt[0].role in ("open", "either")
            spans.append(QuoteSpan(first.start, first.end, pend, pend, "double", closed=False,
                                   continues=next_opens, depth=depth))
    spans.sort(key=lambda s: (s.open_start, -s.close_end))
    # Depth relative to the other kept spans (a quotation inside another one).
    result = []
    for span in spans:
        depth = sum(1 for o in spans if o is not span and o.open_start <= span.open_start
                    and span.close_end <= o.close_end and (o.open_start, o.close_end) != (span.open_start, span.close_end))
        result.append(replace(span, depth=depth))
    return result


def without_outer_marks(content: str) -> str:
    """A quotation's words without its enclosing marks (content carries them, as the field
    annotates it): for showing it inside marks of one's own. Other text is returned as is."""
    if len(content) >= 2 and content[0] in DOUBLE_OPEN + SINGLE_OPEN + STRAIGHT_DOUBLE and \
            content[-1] in DOUBLE_CLOSE + SINGLE_CLOSE + STRAIGHT_DOUBLE:
        return content[1:-1]
    return content
