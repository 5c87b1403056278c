"""Span conventions of PolNeAR and PARC, applied to the written spans of a finished attribution.

The rules find a quotation's words, its cue verb and the word that speaks; the field annotates
more around each (../shared/polnear/README.md):
- content includes its enclosing quote marks and the punctuation inside them (`“We won,”`);
- the cue is the whole verbal group: auxiliaries and negation before the verb ("has said", "did
  not say"; particles, "called on", are already part of the cue as found), with the adverbs and
  bare time words next to it ("quickly noted", "said Tuesday") and a colon right after it ("said:");
- a preposition the cue verb governs and the content opens with belongs to the cue ("called
  for", "referred to", "called on"), not to the content;
- the speaker is the whole noun phrase, its appositive and modifiers after the head included
  ("Rep. Jane Doe, a Democrat from Ohio");
- a content no quote mark encloses ends before its sentence's final period (PolNeAR train: 8,478
  such gold contents leave the period out, 423 take it in), unless layout sets it off as a
  quotation (an interview's or transcript's turn, a block after a colon: its punctuation is the
  speaker's, as inside marks);
- the object of the cue that is the subject of the infinitive reported ("urged voters to stay
  home") is part of the content: "voters to stay home";
- a source and cue standing inside the content ("The plan, he said, is dead"; "X, according to
  Y, is ...") are no part of it: the content is the pieces around them ("The plan", "is dead").
These run after speaker resolution, so the canonical speaker is resolved from the head as before;
each change appends its declared repair (pipeline/steps/quotes/rules.py) to the row's rule_trace.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from pipeline.steps.quotes.marks import CLOSING_PUNCT, QuoteSpan
from pipeline.steps.docs import doc_text
from pipeline.steps.quotes.syntax import Attribution

CONTENT_MARKS = "repair.span_content_marks"
CUE_VERBAL_GROUP = "repair.span_cue_verbal_group"
SPEAKER_NOUN_PHRASE = "repair.span_speaker_noun_phrase"
CUE_PREPOSITION = "repair.span_cue_preposition"
CONTENT_AROUND_SOURCE = "repair.span_content_around_source"
CONTENT_INFINITIVE_SUBJECT = "repair.span_content_infinitive_subject"
CONTENT_FINAL_PERIOD = "repair.span_content_final_period"

# Dependents of the cue verb that belong to its verbal group when they stand before it.
CUE_GROUP_DEPS = frozenset({"aux", "auxpass", "neg"})
CUE_GROUP_REACH = 4          # tokens at most between the first auxiliary and the verb
CUE_LEFT_MODIFIERS = frozenset({"advmod"})
CUE_RIGHT_MODIFIERS = frozenset({"advmod", "npadvmod"})
CUE_RIGHT_REACH = 6          # tokens at most of one phrase after the verb
CUE_COMPLEMENT_DEPS = frozenset({"acomp", "oprd", "ccomp", "xcomp"})   # "made (it) clear"
# Dependents of the speaker's head after it that the noun phrase includes (a relative clause does
# not: it may hold the cue itself).
SPEAKER_RIGHT_DEPS = frozenset({"appos", "prep", "amod", "acl"})
# Rules whose quotation layout sets off in place of marks (rules.py: "quotations set off as
# paragraphs", interviews): its final period is the speaker's.
SET_OFF_RULES = frozenset({"direct.interview_answer", "direct.interview_question", "direct.transcript", "direct.colon_block"})
# Tokens at most between the speaker and the cue of a source standing inside the content ("X,
# who ..., said" is longer: its relative clause is part of the speaker's span already).
SOURCE_CUE_GAP = 3
# Punctuation around a source and cue inside the content belongs to neither piece ("The plan, he
# said, is dead"); a closing quote mark stays with its piece ("“It is,” he said, “dead.”").
_AROUND_SOURCE = " \n\t\u00a0,;:—–―-"
# What may stand between the end of the words and the closing mark (inside it, by convention).
_INSIDE_PUNCT = set(CLOSING_PUNCT) | {" ", "\u00a0"}


def content_with_marks(text: str, start: int, end: int, quotes: list[QuoteSpan]) -> tuple[int, int]:
    """(start, end) widened to the quote marks enclosing the content's ends: the opening mark
    the content starts right after, and the closing mark of a quotation opened before the
    content's end that only punctuation separates from it."""
    new_start, new_end = start, end
    for q in quotes:
        if q.open_end <= start and not text[q.open_end:start].strip() and q.open_start < new_start:
            if q.closed and q.close_end <= end:
                continue             # that quotation closes inside the content: not its outer mark
            new_start = q.open_start
        if q.closed and q.open_start < end <= q.close_start and q.close_end > new_end and \
                all(c in _INSIDE_PUNCT for c in text[end:q.close_start]):
            new_end = q.close_end
    # ''... 'the deal is done,''' -- an inner quotation closing with the outer one: the
    # marks paired the outer opening with the first two of the three, the third is the content's
    while new_end > end and text[new_end - 1] == "'" and text[new_end:new_end + 1] == "'" and \
            not text[new_end + 1:new_end + 2].isalnum():
        new_end += 1
    return new_start, new_end


def pieces_around_source(doc: Doc, content: tuple[int, int], cue: tuple[int, int] | None,
                         speaker: tuple[int, int] | None, quotes: list[QuoteSpan] = ()) -> list[tuple[int, int]] | None:
    """The content's character pieces around its source and cue when both stand inside it (token
    spans `cue`, `speaker`; "The plan, he said, is dead" -> "The plan", "is dead"; PolNeAR train
    annotates the words before such a cue as a piece of the content more often than not), or
    around its cue when nobody is named ("Trump is expected to win" -> "Trump", "to win"); a
    piece without a word left out. None when the content holds no source and cue, or when they
    stand inside a quotation (words quoted, not the writer's attribution)."""
    if cue is None or speaker is not None and max(cue[0], speaker[0]) - min(cue[1], speaker[1]) > SOURCE_CUE_GAP:
        return None
    source = [cue, speaker] if speaker is not None else [cue]
    first, last = doc[min(s[0] for s in source)], doc[max(s[1] for s in source) - 1]
    cut = (first.idx, last.idx + len(last))
    start, end = content
    if not (start <= cut[0] and cut[1] <= end) or \
            any(q.open_start < cut[0] and cut[1] < q.close_end for q in quotes):
        return None
    text = doc_text(doc)
    left = (start, start + len(text[start:cut[0]].rstrip(_AROUND_SOURCE)))
    right = (end - len(text[cut[1]:end].lstrip(_AROUND_SOURCE)), end)
    pieces = [p for p in (left, right) if any(c.isalnum() for c in text[p[0]:p[1]])]
    return pieces or None


def without_final_period(doc: Doc, content: tuple[int, int]) -> tuple[int, int]:
    """The content without the sentence-final period it ends with, unless a quote mark opens or
    closes it, or a quotation opened inside it is still open at its end (a quotation keeps the
    punctuation inside its marks); an abbreviation's period is part of its word, not a token of
    its own, and stays."""
    span = doc.char_span(*content, alignment_mode="contract")
    if span is None or len(span) < 2 or span[-1].text != "." or \
            any(t.is_quote for t in (span[0], span[-2])) or sum(t.is_quote for t in span) % 2:
        return content
    return content[0], span[-2].idx + len(span[-2])


def _blocked(token: Token, spans: list[tuple[int, int]]) -> bool:
    """Does the token touch one of the character spans?"""
    return any(token.idx < e and s < token.idx + len(token) for s, e in spans)


def _with_auxiliaries(doc: Doc, start: int, verb: Token, blocked: list[tuple[int, int]]) -> int:
    """`start` moved left to the verb's auxiliaries and negation before it (and what stands
    between them and the verb: "has also said"), never into a blocked character span."""
    left = [c.i for c in verb.children
            if c.dep_ in CUE_GROUP_DEPS and c.i < start and start - c.i <= CUE_GROUP_REACH]
    if left:
        first = min(left)
        if not any(_blocked(doc[i], blocked) or doc[i].is_punct or doc[i].is_sent_start and i != first
                   for i in range(first, start)):
            return first
    return start


def cue_verbal_group(doc: Doc, span: tuple[int, int], head: Token,
                     blocked: list[tuple[int, int]]) -> tuple[int, int]:
    """The cue's token span widened left to its auxiliaries and negation (and what stands
    between them and the verb: "has also said"), never into a blocked character span."""
    start, end = span
    if head.pos_ not in ("VERB", "AUX"):
        return span
    start = _with_auxiliaries(doc, start, head, blocked)
    # "went on to say", "continued to say": the verb the cue is the infinitive of, right before
    # it (its particle between), is part of the group (PolNeAR train: 32 gold cues matched more, 4 fewer)
    gov = head.head
    if head.dep_ == "xcomp" and gov.pos_ == "VERB" and gov.i < start and start - gov.i <= CUE_GROUP_REACH and \
            all(doc[i].head.i == gov.i and doc[i].dep_ in ("prt", "advmod") and not _blocked(doc[i], blocked)
                for i in range(gov.i + 1, start)) and not _blocked(gov, blocked):
        start = _with_auxiliaries(doc, gov.i, gov, blocked)
    # adverbs next to the group ("quickly noted", "asked rhetorically") and a bare time word right
    # after the verb ("said Tuesday"); a prepositional phrase ("said in a statement") stays out:
    # PolNeAR train annotates it less often than not (cue exact 0.8200 with it, 0.8362 without)
    # (not a wh-adverb opening a clause: "when asked" -- PolNeAR train: 0 of 21 gold cues take "when")
    while start > 0 and doc[start - 1].head.i == head.i and doc[start - 1].dep_ in CUE_LEFT_MODIFIERS \
            and doc[start - 1].tag_ != "WRB" and not _blocked(doc[start - 1], blocked) and not doc[start].is_sent_start:
        start -= 1
    for child in head.rights:
        if child.i != end or child.dep_ not in CUE_RIGHT_MODIFIERS:
            continue
        right = child.right_edge.i + 1
        if right - end > CUE_RIGHT_REACH or any(_blocked(doc[i], blocked) or doc[i].is_punct
                                                for i in range(end, right)):
            break
        end = right
    # an adjective completing the verb right after it, with the "it" before it ("made clear",
    # "made it plain that ..."): the clause it announces is the content, the words are the cue's
    it = doc[end] if end < len(doc) and doc[end].head.i == head.i and doc[end].lower_ == "it" else None
    adj = doc[end + (it is not None)] if end + (it is not None) < len(doc) else None
    if adj is not None and adj.head.i == head.i and adj.pos_ == "ADJ" and adj.dep_ in CUE_COMPLEMENT_DEPS and \
            not any(_blocked(doc[i], blocked) for i in range(end, adj.i + 1)):
        end = adj.i + 1
    # a colon right after the group is the cue's ("continued:", "said:"; PolNeAR train: 368 gold
    # cues followed by a colon include it, 18 do not)
    if end < len(doc) and doc[end].text == ":" and not _blocked(doc[end], blocked):
        end += 1
    return start, end


def cue_preposition(doc: Doc, content: tuple[int, int], head: Token, prepositions: frozenset) -> Token | None:
    """The preposition opening the content that the cue verb governs ("called for more
    “flexibility”", "referred to Rubio as ...", "called on Congress to ..."), or None: PolNeAR's
    cue includes it ("called for"), its content starts after it. Not a preposition of another
    word, nor one outside `prepositions` (configs/quotes.toml `cue_prepositions`: "described X
    as “...”" keeps its "as" in the content), nor one that would leave no content after it."""
    span = doc.char_span(*content, alignment_mode="contract")
    if span is None or len(span) < 2 or head.pos_ not in ("VERB", "AUX"):
        return None
    first = span[0]
    if first.dep_ != "prep" or first.text.lower() not in prepositions or first.head.i != head.i or first.i <= head.i or \
            any(t.is_punct and not t.is_quote for t in span[1:2]):
        return None
    return first


def infinitive_subject(doc: Doc, content: tuple[int, int], cue: Token, cue_end: int) -> Token | None:
    """The cue's object standing right before a content that is the cue's infinitive or bare
    clause, and the subject of it ("urged voters | to stay home", "asked them | not to come",
    "demanding Obama | make a pledge"), or None. PolNeAR train takes the object into the content
    87 times of 135. Only particles and adverbs of the cue (`cue_end`: its span's end) may stand
    between the cue and the object."""
    span = doc.char_span(*content, alignment_mode="contract")
    if span is None or cue.pos_ not in ("VERB", "AUX"):
        return None
    first = span[0]
    verb = first if first.dep_ in ("xcomp", "ccomp") else first.head
    if verb.head.i != cue.i or verb.dep_ not in ("xcomp", "ccomp") or verb.i < first.i or \
            not (first.i == verb.i or first.dep_ in ("aux", "neg")):
        return None
    obj = next((c for c in cue.children if c.dep_ == "dobj" and c.right_edge.i + 1 == first.i), None)
    if obj is None or obj.ent_type_ in ("DATE", "TIME") or obj.left_edge.i < cue_end or \
            any(doc[i].head.i != cue.i or doc[i].dep_ not in ("prt", "advmod") for i in range(cue_end, obj.left_edge.i)):
        return None
    return obj


def speaker_noun_phrase(doc: Doc, span: tuple[int, int], blocked: list[tuple[int, int]]) -> tuple[int, int]:
    """The speaker's token span widened right over the appositive and the modifiers after its
    head ("Jane Doe, a Democrat from Ohio"; "a spokesman for the agency"), never into a blocked
    character span (the cue, the content) nor past its sentence."""
    start, end = span
    heads = [t for t in doc[start:end] if not (start <= t.head.i < end) or t.head.i == t.i]
    if len(heads) != 1 or heads[0].pos_ == "PRON":
        return span
    head = heads[0]
    sent_end = head.sent.end
    new_end = end
    for child in head.rights:
        if child.i < end or child.dep_ not in SPEAKER_RIGHT_DEPS:
            continue
        if child.dep_ == "prep" and any(g.ent_type_ in ("DATE", "TIME") for g in child.children):
            continue      # "Olaf Scholz on Tuesday rejected ...": when, not who
        right = min(child.right_edge.i + 1, sent_end)
        # trailing punctuation stays out ("..., a Democrat from Ohio, said"), a closing bracket
        # in ("Paul Ryan (R-Wis.)")
        while right > child.i and doc[right - 1].is_punct and not doc[right - 1].is_right_punct:
            right -= 1
        words = [t.text for t in doc[start:right]]
        if right < sent_end and doc[right].text in ")]" and words.count("(") + words.count("[") > \
                words.count(")") + words.count("]"):
            right += 1
        if right <= new_end:
            continue
        if any(_blocked(doc[i], blocked) for i in range(new_end, right)):
            break
        new_end = right
    return start, new_end


def apply_span_conventions(doc: Doc, atts: list[Attribution], quotes: list[QuoteSpan],
                           cue_prepositions: frozenset = frozenset()) -> None:
    """Widen each attribution's content, cue and speaker spans to the field's conventions (in
    place), recording each change as a repair."""
    text = doc_text(doc)
    for att in atts:
        start, end = content_with_marks(text, *att.content, quotes)
        # a mark shared with the next row ("...”“...") stays out of both rather than make them cross
        if (start, end) != att.content and not any(
                o is not att and start < o.content[1] and o.content[0] < end
                and not (att.content[0] < o.content[1] and o.content[0] < att.content[1]) for o in atts):
            att.content = (start, end)
            att.repaired(CONTENT_MARKS)
        span = att.content if att.rule_id in SET_OFF_RULES else without_final_period(doc, att.content)
        if span != att.content:
            att.content = span
            att.repaired(CONTENT_FINAL_PERIOD)
        if att.cue is not None and att.inherit_from is None and not att.pieces:
            prep = cue_preposition(doc, att.content, att.cue, cue_prepositions)
            if prep is not None:
                nxt = doc[prep.i + 1]
                att.content = (nxt.idx, att.content[1])
                if att.cue_span is not None and att.cue_span[1] == prep.i:
                    att.cue_span = (att.cue_span[0], prep.i + 1)
                att.repaired(CUE_PREPOSITION)
        if att.cue is not None and att.cue_span is not None and att.inherit_from is None and not att.pieces:
            obj = infinitive_subject(doc, att.content, att.cue, att.cue_span[1])
            if obj is not None:
                att.content = (obj.left_edge.idx, att.content[1])
                att.repaired(CONTENT_INFINITIVE_SUBJECT)
        speaker_chars = []
        if att.speaker is not None and att.inherit_from is None:
            s, e = att.speaker
            speaker_chars = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]))]
        if att.cue is not None and att.cue_span is not None and att.inherit_from is None:
            span = cue_verbal_group(doc, att.cue_span, att.cue, [att.content, *speaker_chars])
            inside = cue_verbal_group(doc, att.cue_span, att.cue, speaker_chars)
            if inside != span and pieces_around_source(doc, att.content, inside, att.speaker, quotes):
                span = inside      # a cue inside the content ("X is expected to"), cut out of it below
            if span != att.cue_span:
                att.cue_span = span
                att.repaired(CUE_VERBAL_GROUP)
        if speaker_chars and not att.extra.get("speaker_as_named"):
            # (an interview's head or standfirst name is the speaker as named: no phrase around it)
            s, e = att.cue_span or (0, 0)
            cue_chars = [(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]))] if e > s else []
            span = speaker_noun_phrase(doc, att.speaker, [att.content, *cue_chars])
            if span != att.speaker:
                att.speaker = span
                att.repaired(SPEAKER_NOUN_PHRASE)
        if att.inherit_from is None and not att.pieces:
            pieces = pieces_around_source(doc, att.content, att.cue_span, att.speaker, quotes)
            if pieces is not None:
                att.content = (pieces[0][0], pieces[-1][1])
                att.pieces = pieces if len(pieces) > 1 else None
                att.repaired(CONTENT_AROUND_SOURCE)
