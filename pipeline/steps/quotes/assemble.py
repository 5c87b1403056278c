"""One attribution, one row: the pieces of a statement the rules found apart are joined here.

PolNeAR (and PARC) annotate `“A,” he said. “B.”` as ONE attribution whose content is
discontinuous: the pieces `“A,”` and `“B.”` around one cue. The rules find each quotation on its
own (`direct.cue_after`, then `direct.same_paragraph` taking the same cue); this pass joins the
records that are one statement into one, keeping every piece:

- `repair.join_shared_cue`: records of one paragraph with the same cue token (a quotation that
  took the cue of another of its paragraph, a quotation resumed after the sentence reporting its
  speaker, `direct.next_sentence`, which inherits that cue);
- `repair.join_continued_paragraph`: a paragraph that is a quotation alone, continuing the
  attribution of the paragraph before (`direct.continuation`, `direct.paragraph_chain`): PolNeAR
  train joins such a paragraph to the attribution before it three times in four.

Never across another record (a record whose content stands between two pieces keeps them apart)
nor across a second speech verb (“A,” X said, adding, “B.”: PolNeAR makes two attributions), the
cue standing there without its speaker (“A,” adding, “B.”) or a colon (X declared Y: “B.”), nor
to a piece opening with a participle (“A,” she said, referring to ...), nor when the speaker and
cue open a new sentence after a quotation that ended its own (“A?” He answered, “B.”: the cue
introduces B); a paragraph continues only a quotation. (On PolNeAR train, first 300 articles: 440 of 460 pairs joined with the speaker and
cue between the pieces are one gold attribution.)
The first record (by position) gives the joined row its rule, cue, speaker and resolution; its
`rule_trace` gets the repair; its type is `direct` when every piece is, else `mixed`.

A row's `content_spans` are its pieces (in order, disjoint), `content_start`/`content_end` their
hull, `content` the pieces' text joined with JOINER, `content_plain` the same without the
enclosing quote marks of each piece (quotes/__init__.py writes them).
"""

from __future__ import annotations

import bisect

from spacy.tokens import Doc

from pipeline.steps.quotes.marks import _paragraphs, without_outer_marks
from pipeline.steps.docs import doc_text
from pipeline.steps.quotes.syntax import Attribution

JOIN_SHARED_CUE = "repair.join_shared_cue"
JOIN_CONTINUED_PARAGRAPH = "repair.join_continued_paragraph"
# Rules whose record continues the attribution of the paragraph before.
PARAGRAPH_CONTINUATIONS = ("direct.continuation", "direct.paragraph_chain")
JOINER = " … "
PARTICIPLE_TAGS = frozenset({"VBG", "VBN"})
CLAUSE_OPENERS = frozenset({"when", "while", "after", "before", "if"})
# An opening mark and the marks that would close it: a piece that opens with it and holds none of
# them is a running quotation's paragraph, or a quotation that never closes.
UNCLOSED = {"“": "”", "„": "”“", "«": "»", '"': '"'}


def pieces_of(att: Attribution) -> list[tuple[int, int]]:
    """The content pieces of a record (its content alone when it was never joined); the first
    piece starts and the last ends where the content does (the span conventions widen the
    content's ends to its marks after the pieces were recorded)."""
    if not att.pieces:
        return [att.content]
    pieces = list(att.pieces)
    pieces[0] = (att.content[0], pieces[0][1])
    pieces[-1] = (pieces[-1][0], att.content[1])
    return pieces


def _root(att: Attribution) -> Attribution:
    while att.inherit_from is not None:
        att = att.inherit_from
    return att


def _cue_key(att: Attribution) -> int | None:
    """The token index of the cue a record speaks through (a continuation: its source's)."""
    root = _root(att)
    return root.cue.i if root.cue is not None else None


def _other_cue_between(doc: Doc, host: Attribution, start: int, end: int, speech: frozenset) -> bool:
    """Does a speech verb other than the host's cue stand in body chars [start, end)? (“A,” X
    said, adding, “B.” / “...?” He answered, “...”: PolNeAR makes each verb an attribution.)"""
    root = _root(host)
    own = range(*root.cue_span) if root.cue_span is not None else range(0)
    gap = doc.char_span(start, end, alignment_mode="contract")
    return gap is not None and any(
        t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in speech and t.i not in own for t in gap)


def _bare_cue_between(doc: Doc, host: Attribution, start: int, end: int) -> bool:
    """Does the cue stand in body chars [start, end) without its speaker? (“...,” adding, “...”:
    the first quotation took a cue that is the second one's; PolNeAR train: 0 of 7 such pairs
    are one attribution, against 440 of 460 with the speaker beside the cue, “A,” he said. “B.”)"""
    root = _root(host)
    if root.cue is None or not start <= root.cue.idx < end:
        return False
    if root.speaker is None:
        return True
    return not start <= doc[root.speaker[0]].idx < end


def _cue_opens_next_sentence(text: str, host: Attribution, start: int, end: int) -> bool:
    """“A?” He answered, “B.”: the host's quotation ends its sentence and the words between the
    pieces open a new one with the speaker and cue: they introduce the next quotation, not the
    one before (which took that cue for want of its own)."""
    root = _root(host)
    if root.cue is None or not start <= root.cue.idx < end:
        return False
    inner = text[host.content[0]:start].rstrip().rstrip("\"”’'")
    return inner[-1:] in (".", "?", "!") and text[start:end].strip()[:1].isupper()


def _own_attribution_opens(doc: Doc, start: int, end: int) -> bool:
    """Does the piece at body chars [start, end) open with a participle (“...,” she said,
    referring to ... / “...,” when asked whether ...)? Such a clause reports through its own
    verb: PolNeAR annotates it as an attribution of its own."""
    span = doc.char_span(start, end, alignment_mode="contract")
    words = [t for t in span if not t.is_space][:2] if span is not None else []
    if not words or words[0].is_quote or words[0].is_punct:
        return False
    if words[0].tag_ in PARTICIPLE_TAGS:
        return True
    return len(words) == 2 and words[0].text.lower() in CLAUSE_OPENERS and words[1].tag_ in PARTICIPLE_TAGS


def join_attributions(doc: Doc, atts: list[Attribution], speech: frozenset = frozenset()) -> list[Attribution]:
    """Join the records of one statement (see the module's docstring); returns the new list, in
    text order (body offsets). `speech`: the lexicon's speech verbs (a second one between two
    pieces keeps them apart)."""
    text = doc_text(doc)
    paragraphs = _paragraphs(text)
    starts = [p[0] for p in paragraphs]

    def para(char: int) -> int:
        return max(0, bisect.bisect_right(starts, char) - 1)

    ordered = sorted(atts, key=lambda a: a.content[0])
    out: list[Attribution] = []
    by_key: dict[int, Attribution] = {}       # cue token -> the open row of that cue
    for att in ordered:
        key = _cue_key(att)
        host = by_key.get(key) if key is not None else None
        repair = None
        if host is not None and out and out[-1] is host and not att.extra.get("nested") \
                and host.content[1] <= att.content[0]:
            # (the host is the last row so far: no other record stands between the pieces)
            last = para(pieces_of(host)[-1][1] - 1)
            here = para(att.content[0])
            if _other_cue_between(doc, host, host.content[1], att.content[0], speech) or \
                    _bare_cue_between(doc, host, host.content[1], att.content[0]) or \
                    ":" in text[host.content[1]:att.content[0]] or \
                    _cue_opens_next_sentence(text, host, host.content[1], att.content[0]) or \
                    _own_attribution_opens(doc, *att.content):
                # (a colon between: “X declared Y: “...”” -- the quotation after it is an
                # attribution of its own in PolNeAR train as often as not)
                pass
            elif here == last:
                repair = JOIN_SHARED_CUE
            elif here == last + 1 and att.rule_id in PARAGRAPH_CONTINUATIONS and host.type == "direct":
                # (a quotation continues a quotation: after a reported clause PolNeAR train
                # starts a new attribution as often as not)
                repair = JOIN_CONTINUED_PARAGRAPH
        if repair is None:
            out.append(att)
            if key is not None:
                by_key[key] = att
            continue
        host.pieces = [*pieces_of(host), *pieces_of(att)]
        host.content = (host.content[0], att.content[1])
        if host.type != att.type or host.type != "direct":
            host.type = "mixed" if "direct" in (host.type, att.type) or "mixed" in (host.type, att.type) \
                else host.type
        if repair not in host.repairs:
            host.repaired(repair)
        host.extra.setdefault("joined", []).append(att)
    return out


def plain(piece: str) -> str:
    """A piece without its enclosing quote marks (marks.without_outer_marks), and a running or
    unclosed quotation's piece without the opening mark it starts with and never closes."""
    whole = piece.strip()
    s = without_outer_marks(whole)
    if s == whole and s[:1] in UNCLOSED and not any(c in s[1:] for c in UNCLOSED[s[0]]):
        s = s[1:]
    return s.strip()


def row_text(text: str, spans: list[tuple[int, int]]) -> tuple[str, str]:
    """(`content`, `content_plain`) of a row whose pieces are `spans` (offsets into `text`)."""
    pieces = [text[s:e] for s, e in spans]
    return JOINER.join(pieces), JOINER.join(plain(p) for p in pieces)
