"""Direct quotations: a quotation and the cue next to it (`“...,” X said`, `X said: “...”`,
colons, dashes, a cue sentence just before), the paragraphs that continue it, and the speaker
written next to a cue."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Iterator

from spacy.tokens import Token

from pipeline.steps.quotes.lexicon import QuoteConfig
from pipeline.steps.quotes.marks import QuoteSpan
from pipeline.steps.quotes.rules import SHORT_VARIANT
from pipeline.steps.quotes.syntax import (
    Attribution,
    _animate,
    _clean_quote_content,
    _content_children,
    _cue_lemma,
    _cue_span,
    _DocIndex,
    _find_subject,
    _governed_by_plan,
    _inverted_cue_word,
    _is_cue_verb,
    _loose_quotative,
    _noun_tagged_cue,
    _sent_of,
    _speaker_span,
)

# The rules of a cue after the quotation (“...,” X said), as _tail_cue names them.
TAIL_CUE_RULES = ("direct.cue_after", "direct.verb_after")

# Words allowed between a quotation and a trailing cue when every one of them hangs off that cue
# in the parse (a subject with a long apposition: “...,” Eric Woolson, an Iowa Republican
# strategist and former adviser to Scott Walker, said).
MAX_TAIL_SUBTREE = 30


def _animate_subject_after(tok: Token, char: int, config: QuoteConfig) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") and c.idx >= char and _animate(c, config)
               and c.lower_ not in config.relative_pronouns for c in tok.children)


def _reports_own_clause(idx: _DocIndex, cue: Token) -> bool:
    """The cue has a reported clause of its own after it, outside quotation marks: “... a
    political campaign.” Gov. Jane Roe said she would have fired him. After a quotation
    closed by a full stop, that sentence reports itself, not the quotation before it (unless no
    other quotation of the paragraph gives a speaker)."""
    for child in cue.children:
        if child.dep_ == "ccomp" and child.i > cue.i and \
                not any(q.open_start <= child.idx < q.close_end for q in idx.quotes):
            return True
    return False


def _introduces_next_quote(idx: _DocIndex, cue: Token) -> bool:
    """Is the cue followed, after a colon or comma and nothing else, by a quotation opening in
    its own sentence (He added: “...” / X said, “...”)?"""
    sent = _sent_of(cue)
    nxt = cue.i + 1
    while nxt < sent.end and (idx.doc[nxt].is_space or idx.doc[nxt].text in (":", ",")):
        nxt += 1
    if nxt >= len(idx.doc) or nxt >= sent.end and not idx.doc[nxt].is_quote:
        return False
    tok = idx.doc[nxt]
    return nxt > cue.i + 1 and any(q.open_start <= tok.idx < q.open_end for q in idx.quotes)


def _tail_cue(idx: _DocIndex, q: QuoteSpan, max_gap: int | None = None,
              own_clause_ok: bool = False) -> tuple[Token, str] | None:
    """Cue after the closing mark: “...,” said X. / “...,” X said. / “...,” X, a spokesman, said.

    A quotation whose words end with a comma, ? or ! inside the marks leaves the writer's
    sentence open: whatever verb follows with a speaking subject reports it (“Mexico!” the
    audience screamed back; “...,” exhorted Clinton's introducer), not only the cue lexicon.
    """
    config = idx.config
    doc = idx.doc
    if not q.closed:
        return None
    max_gap = config.max_tail_gap if max_gap is None else max_gap
    inner = idx.text[q.content_start:q.content_end].rstrip()
    sentence_open = inner[-1:] in ",?!—–-…"
    if inner[-1:] == "." and not _starts_sentence(idx, q.open_start):
        # Trump says he goes “back to war tomorrow.” He's predicting ...: a quotation ending
        # the writer's sentence inside it (a fragment of a reported clause) is not the content
        # of a verb in the next sentence.
        return None
    a, b = idx.token_range(q.close_end, len(idx.text))
    gap = 0
    between: list[Token] = []
    for tok in doc[a:min(b, a + 3 * MAX_TAIL_SUBTREE)]:
        if tok.is_space:
            if "\n" in tok.text:
                return None
            continue
        if tok.text in (".", "?", "!", ";") or any(qq.open_start <= tok.idx < qq.open_end for qq in idx.quotes):
            return None
        if not idx.inside_clause_quote(tok):
            cue_like = _is_cue_verb(tok, config, allow_direct_only=True) or _noun_tagged_cue(tok, config)
            generic = not cue_like and sentence_open and tok.pos_ == "VERB" and tok.dep_ != "amod" and \
                tok.lemma_.lower() not in config.not_tail_verbs and tok.tag_ in ("VBD", "VBZ", "VBP") and \
                _animate_subject_after(tok, q.close_end, config)
            if (cue_like or generic) and (gap <= max_gap or all(tok in t.ancestors for t in between)):
                if tok.tag_ in ("VBN", "VBD") and tok.i > 0 and \
                        tok.nbor(-1).lower_ in config.participle_openers and \
                        not any(c.dep_ in ("nsubj", "nsubjpass", "agent") for c in tok.children):
                    # X said, “We'll see,” when asked whether ...: the one asked answers; the
                    # participle names no speaker, so the quotation is left to a cue before it.
                    return None
                if _governed_by_plan(tok, config) or \
                        (inner[-1:] == "." and not own_clause_ok and _reports_own_clause(idx, tok)):
                    return None
                if inner[-1:] == "." and _introduces_next_quote(idx, tok):
                    # “...,” he said. “...” He added: “...”: after a quotation closed by a full
                    # stop, a cue that opens a quotation of its own reports that one.
                    return None
                return tok, "direct.cue_after" if cue_like else "direct.verb_after"
        if not tok.is_punct:
            gap += 1
            between.append(tok)
        if gap > max(max_gap, MAX_TAIL_SUBTREE):
            return None
    return None


def _bridged_tail_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str, QuoteSpan] | None:
    """“They are painful” but necessary “for the long run,” he said: a quotation left open (no
    full stop inside) that a few of the writer's words join to a second one of the same sentence
    shares that one's trailing cue; the content runs from the first mark to the last (mixed)."""
    if not q.closed or idx.text[q.content_start:q.content_end].rstrip()[-1:] in (".", "?", "!"):
        return None
    q2 = next((o for o in idx.quotes if o.depth == 0 and o.open_start >= q.close_end), None)
    if q2 is None or not q2.closed or idx.paragraph_of(q2.open_start) != idx.paragraph_of(q.open_start):
        return None
    between = [t for t in idx.doc[slice(*idx.token_range(q.close_end, q2.open_start))] if not t.is_space]
    words = [t for t in between if not t.is_punct]
    if not 1 <= len(words) <= 3 or any(t.text in (".", "?", "!", ";", ":") for t in between) or \
            any(_is_cue_verb(t, idx.config, allow_direct_only=True) or t.pos_ in ("VERB", "AUX") for t in words):
        return None
    hit = _tail_cue(idx, q2)
    if hit is None or hit[1] not in TAIL_CUE_RULES:
        return None
    return hit[0], hit[1], q2


def _colon_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str] | None:
    """A quotation after a colon reports the clause before it, whatever its verb, when that
    verb has a speaking subject: Trump leaned in and boomed: “...”; Sanders delivered a snappy
    retort: “...”; 17-year-old Jared Potts echoed:\\n\\n“...”."""
    config = idx.config
    colon = idx.previous_token(q.open_start)
    if colon is None or colon.text != ":":
        return None
    if idx.paragraph_of(colon.idx) != idx.paragraph_of(q.open_start) and \
            idx.paragraph_of(colon.idx) != idx.paragraph_of(q.open_start) - 1:
        return None
    sent = _sent_of(colon)
    verbs = [t for t in idx.doc[sent.start:colon.i] if t.pos_ == "VERB" and not idx.inside_clause_quote(t)
             and t.dep_ not in ("amod", "compound") and t.lemma_.lower() not in config.not_tail_verbs]
    if not verbs:
        return None
    verb = colon.head if colon.head in verbs else verbs[-1]
    above = []            # the verbs above, up to a conjunction (a verb of its own clause)
    node = verb
    while node.dep_ != "conj" and node.head.i != node.i:
        node = node.head
        above.append(node)
    if _governed_by_plan(verb, config):
        return None
    subject, _ = _find_subject(verb, config)
    if subject is None or not _animate(subject, config):
        return None
    cues = [t for t in verbs if _is_cue_verb(t, config) and t in above]
    if cues and not _is_cue_verb(verb, config):
        # Another said he hoped that Trump wins: “...”: a speech verb above the clause ending at
        # the colon (within its own conjunct) reports the quotation, not that clause's own verb.
        subject, _ = _find_subject(cues[-1], config)
        if subject is not None and _animate(subject, config):
            verb = cues[-1]
    return verb, "direct.colon"


def _stated_sentence_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str] | None:
    """X agreed. “...” / X said in a statement. “...” / X continued his remarks.\n\n“...”: a
    quotation opening a sentence right after a sentence whose main verb is a cue with a speaking
    subject and no reported words of its own (no clause, no quotation) takes that cue: the
    sentence only announces it. That sentence ends the quotation's paragraph before it, or the
    previous paragraph when the quotation fills its own."""
    config, text = idx.config, idx.text
    stop = idx.previous_token(q.open_start)
    if stop is None or stop.text != ".":
        return None
    p = idx.paragraph_of(q.open_start)
    if idx.paragraph_of(stop.idx) != p:
        ps, pe = idx.paragraphs[p]
        if idx.paragraph_of(stop.idx) != p - 1 or text[ps:q.open_start].strip() or text[q.close_end:pe].strip():
            return None
    sent = _sent_of(stop)
    sent_para = idx.paragraph_start(sent.start_char)
    if sent.end_char > q.open_start or any(
            sent.start_char <= o.open_start < sent.end_char or
            max(sent.start_char - 3, sent_para) < o.close_end <= sent.end_char for o in idx.quotes):
        return None       # (“...?” X said. “...”: the quotation before the cue is its first part)
    verb = sent.root
    if not _is_cue_verb(verb, config, allow_direct_only=True) or _governed_by_plan(verb, config) or \
            _content_children(verb, config) or \
            any(c.dep_ in ("ccomp", "xcomp", "advcl", "conj", "parataxis") for c in verb.children):
        return None
    subject, _ = _find_subject(verb, config)
    if subject is None or not _animate(subject, config) or subject.lower_ in config.relative_pronouns:
        return None
    return verb, "direct.cue_sentence_before"


def _purpose_cue_before_quote(idx: _DocIndex, cue: Token, q: QuoteSpan) -> bool:
    """"The editor interrupted me to announce, “...”", "She stood up to say: “...”": an infinitive
    of purpose (an adverbial on another verb, not the complement of "plan" or "want") with its
    words right after it, set off by a comma or colon, was carried out: the quotation is what was
    said."""
    if cue.dep_ != "advcl" or cue.head.pos_ not in ("VERB", "AUX") or cue.head.i > cue.i or \
            not any(c.dep_ == "aux" and c.lower_ == "to" for c in cue.children):
        return False
    between = [t for t in idx.doc[cue.i + 1:idx.token_range(q.open_start, q.open_end)[0]] if not t.is_space]
    return len(between) == 1 and between[0].text in (",", ":")


def _head_cue(idx: _DocIndex, q: QuoteSpan) -> tuple[Token, str] | None:
    """Cue before the opening mark: X said: “...” / X said, “...” / saying “...” / X told
    reporters on Monday: “...”; or a cue ending the previous paragraph with a colon
    (Caddell continued:\\n\\n“...”)."""
    config = idx.config
    doc = idx.doc
    text = idx.text
    p = idx.paragraph_of(q.open_start)
    pstart = idx.paragraphs[p][0]
    a, b = idx.token_range(pstart, q.open_start)
    toks = [t for t in doc[a:b] if not t.is_space]
    if not toks and p > 0:
        # A quote paragraph introduced by a colon at the end of the previous paragraph.
        ps, pe = idx.paragraphs[p - 1]
        if text[pe - 1:pe] == ":":
            a, b = idx.token_range(ps, pe)
            toks = [t for t in doc[a:b] if not t.is_space]
        else:
            return None
    # "Trump said, and I quote, “...”": the writer's aside vouching for the wording stands between
    # the cue and the quotation; its words are skipped (not a cue whose speaker is "I").
    aside = set()
    words = [t for t in toks if not t.is_punct]
    if len(words) >= 2 and words[-1].lower_ in config.quote_asides and words[-2].lower_ == "i" and \
            words[-1].idx + len(words[-1].text) <= q.open_start:
        aside = {words[-1].i, words[-2].i}
        if len(words) >= 3 and words[-3].lower_ == "and":
            aside.add(words[-3].i)
    gap = 0
    for tok in reversed(toks):
        if tok.idx + len(tok.text) > q.open_start or tok.i in aside:
            continue
        if any(qq.close_start <= tok.idx < qq.close_end for qq in idx.quotes):
            # The previous quotation's closing mark: “...,” he added, “...”: go on only when the
            # cue sits between the two quotations (handled by the split-quote logic).
            return None
        if tok.text in (".", "?", "!", ";"):
            return None
        if _is_cue_verb(tok, config, allow_direct_only=True) and not idx.inside_clause_quote(tok):
            if _governed_by_plan(tok, config) and not _purpose_cue_before_quote(idx, tok, q) or \
                    _loose_quotative(idx, tok, q):
                return None
            if tok.tag_ == "VBN" and tok.dep_ == "advcl" and tok.head.i < tok.i and \
                    _is_cue_verb(tok.head, config) and _find_subject(tok, config)[1]:
                # "X told reporters when asked about the budget: “...”": the unnamed asker put the
                # question; the quotation answers it, with the verb the question hangs on.
                return tok.head, "direct.cue_before"
            return tok, "direct.cue_before"
        if gap == 0 and tok.lower_ in config.document_nouns and tok.dep_ == "dobj" and \
                tok.head.pos_ == "VERB" and tok.head.i < tok.i and not _governed_by_plan(tok.head, config):
            # X issued a statement, “...” / released a short note: “...”: the text is quoted right
            # after the noun naming it; whoever issued it speaks.
            subject, _ = _find_subject(tok.head, config)
            if subject is not None and _animate(subject, config):
                return tok.head, "direct.statement_before"
        if not tok.is_punct:
            # Only the cue's own dependents may stand between cue and quote (reporters, on
            # Monday, in a statement); a verb there means the quote belongs to another clause.
            if tok.pos_ in ("VERB", "AUX") or tok.lower_ in ("that", "if", "whether"):
                return None
            gap += 1
        if gap > config.max_head_gap:
            return None
    return None


def _dash_speaker(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int, int] | None:
    """“...” ― Name: a dash after the closing mark, then a name to the end of the line.
    Returns (dash token, speaker token start, end)."""
    doc = idx.doc
    text = idx.text
    if not q.closed:
        return None
    p = idx.paragraph_of(q.close_end - 1)
    pend = idx.paragraphs[p][1]
    rest = text[q.close_end:pend]
    m = re.match(r"\s*([―—–]|--)\s*(\S.*)$", rest)
    if not m:
        return _dash_line_speaker(idx, q, p)
    dash_char = q.close_end + m.start(1)
    name_start = q.close_end + m.start(2)
    a, b = idx.token_range(name_start, pend)
    toks = [t for t in doc[a:b] if not (t.is_space or t.is_punct)]
    if not toks or len(toks) > 8 or not toks[0].text[:1].isupper():
        return None
    dash_tok = idx.token_at(dash_char)
    if dash_tok is None:
        return None
    return dash_tok.i, toks[0].i, toks[-1].i + 1


# Longest name on an attribution line under a quotation paragraph ("- Bernie Sanders.").
MAX_DASH_LINE_NAME = 5


def _dash_line_speaker(idx: _DocIndex, q: QuoteSpan, p: int) -> tuple[int, int, int] | None:
    """A quotation filling its paragraph, then a line that opens with a dash and a name (fact
    checks, notebooks: “...”\n\n- Jane Doe.\n\n or -Sen. Jane Doe, tweeting after the debate.):
    the name up to the first comma or full stop speaks. Returns (dash token, speaker start, end)."""
    doc, text = idx.doc, idx.text
    ps, pe = idx.paragraphs[p]
    if text[ps:q.open_start].strip() or text[q.close_end:pe].strip() or p + 1 >= len(idx.paragraphs):
        return None
    ns, ne = idx.paragraphs[p + 1]
    m = re.match(r"\s*([―—–-]|--)\s*([A-Z].*)$", text[ns:ne], re.S)
    if not m:
        return None
    dash_tok = idx.token_at(ns + m.start(1))
    a, b = idx.token_range(ns + m.start(2), ne)
    name = []
    for tok in doc[a:b]:
        if tok.text in (",", ".", ";", "(") or tok.is_space:
            break
        name.append(tok)
    if dash_tok is None or not name or len(name) > MAX_DASH_LINE_NAME or \
            not all(t.pos_ == "PROPN" or t.text[:1].isupper() for t in name):
        return None
    start = name[0].i if name[0].i != dash_tok.i or len(name) == 1 else name[1].i
    return dash_tok.i, start, name[-1].i + 1


# Longest name written before a colon that introduces a quotation ("Jeffrey M. Jones: “...”").
MAX_COLON_NAME = 6


def _colon_name_speaker(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int, int] | None:
    """Name: “...”: a person's or organisation's name right before a colon that opens the
    quotation, with nothing but a line start, a dash or a sentence end before the name
    (transcripts, roundups: "RED STATES OUTNUMBER BLUE STATES - Jeffrey M. Jones: “...”",
    "Clinton: “Our goal is ...” Bush: “...”"). Returns (colon token, speaker start, end)."""
    doc = idx.doc
    colon = idx.previous_token(q.open_start)
    if colon is None or colon.text not in (":", "):"):
        return None
    next_paragraph = idx.paragraph_of(colon.idx) == idx.paragraph_of(q.open_start) - 1 and \
        idx.paragraph_start(q.open_start) == q.open_start
    if idx.paragraph_of(colon.idx) != idx.paragraph_of(q.open_start) and not next_paragraph:
        return None
    j = colon.i - 1
    while j >= 0 and doc[j].is_space:
        j -= 1
    if j >= 0 and (colon.text == "):" or doc[j].text.endswith(")")):
        # "Rep. Jane Doe (R-Ohio): “...”": a bracketed note (party and state, affiliation) after
        # the name; the name is the run before it.
        k = next((k for k in range(j, max(-1, j - MAX_COLON_NAME - 1), -1) if doc[k].text.startswith("(")), None)
        inner = doc[k + 1:j + 1 if colon.text == "):" else j] if k is not None else []
        if k is not None and k > 0 and not any("(" in t.text or ")" in t.text for t in inner) and \
                not doc[k - 1].is_space:
            j = k - 1
    end = j + 1
    while j >= 0 and end - j <= MAX_COLON_NAME + 1 and (
            doc[j].pos_ == "PROPN" or doc[j].lower_ in ("and", "&") or
            doc[j].text[:1].isupper() and doc[j].is_alpha):
        # (a capitalised word the tagger took for a common noun still counts: "- Pew Research:";
        # whether the run names someone is checked below)
        j -= 1
    start = j + 1

    def at_boundary(k: int) -> bool:
        return k < 0 or doc[k].is_space or "\n" in doc[k].text_with_ws or \
            doc[k].text in ("-", "--", "—", "–", ".", "!", "?") or doc[k].is_quote

    if not next_paragraph and end > 0 and doc[end - 1].pos_ == "NOUN" and \
            doc[end - 1].lower_ in idx.config.document_nouns:
        # "From the report: “...”", "(More) from Bush's Facebook post: “...”": a document named
        # after a sentence-opening "from" speaks (its owner, when it has one, is in the span).
        f = end - 2
        while f >= 0 and end - f <= MAX_COLON_NAME + 1 and doc[f].lower_ != "from" and \
                (doc[f].pos_ in ("DET", "PROPN", "NOUN", "ADJ", "PART") or doc[f].lower_ in ("'s", "’s")):
            f -= 1
        if f >= 0 and doc[f].lower_ == "from" and (
                at_boundary(f - 1) or doc[f - 1].lower_.lstrip("-—–") == "more" and at_boundary(f - 2)):
            return colon.i, f + 1, end
    if start >= end or end - start > MAX_COLON_NAME:
        return None

    if not at_boundary(j) and doc[end - 1].ent_type_ == "PERSON":
        # "Former secretary of state Jane Doe: “...”": a lower-case title before a person's name
        # (title words and "of"/"the" only, from the line start) belongs to the speaker.
        k = j
        while k >= 0 and j - k < MAX_COLON_NAME and (doc[k].lower_ in idx.config.title_words or
                                                     doc[k].lower_ in ("of", "the", "and")):
            k -= 1
        if k < j and at_boundary(k) and any(t.lower_ in idx.config.title_words for t in doc[k + 1:j + 1]):
            j, start = k, k + 1

    if end - start >= 2 and at_boundary(start - 1) and _inverted_cue_word(doc[start], idx.config):
        # "Continued Stone: “...”", "Stated Stone:\n\n“...”": a cue verb put before its subject
        # (the parser takes it for part of the name); the words after it name the speaker.
        return colon.i, start + 1, end
    if next_paragraph:
        return None

    # A roundup line names its source after a spaced dash ("POLL SHIFTS - Philip Bump: “...”") or
    # with "(More) from" ("More from Jones: “...”"): a capitalised name there needs no entity tag.
    spaced_dash = j >= 1 and doc[j].text in ("-", "--", "—", "–") and doc[j - 1].whitespace_
    from_source = j >= 0 and doc[j].lower_ == "from" and (
        at_boundary(j - 1) or doc[j - 1].lower_.lstrip("-—–") == "more" and
        (at_boundary(j - 2) or doc[j - 1].text[:1] in "-—–"))
    last = doc[end - 1]
    named = last.ent_type_ in ("PERSON", "ORG") or \
        (spaced_dash or from_source) and all(t.text[:1].isupper() or t.lower_ in ("and", "&")
                                             for t in doc[start:end])
    if not named or doc[start].lower_ in ("and", "&"):
        return None
    if not (at_boundary(j) or from_source):
        return None
    return colon.i, start, end


ROUNDUP_CITATION = re.compile(r"[ \t]*\[[A-Z][^\]\n]{0,40}\.?\]")


def _roundup_headline(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int, int] | None:
    """A news roundup item: "HEADLINE IN CAPITALS “excerpt ...” [Outlet.]": the quotation opens right
    after a capitalised headline that starts its line and ends with a bracketed outlet, which
    is the excerpt's source (PolNeAR's annotators name the headline instead; a reader wants the
    publication). Returns (bracket token, outlet start, end)."""
    if not q.closed or q.depth != 0:
        return None
    m = ROUNDUP_CITATION.match(idx.text, q.close_end)
    if m is None:
        return None
    pstart = idx.paragraph_start(q.open_start)
    a, b = idx.token_range(pstart, q.open_start)
    toks = [t for t in idx.doc[a:b] if not t.is_space]
    words = [t for t in toks if t.is_alpha]
    if len(words) < 2 or any(t.text != t.text.upper() for t in words):
        return None
    bracket = idx.token_at(m.start() + m.group(0).index("["))
    if bracket is None:
        return None
    close = m.end() - 1
    outlet = [t for t in idx.doc[bracket.i + 1:idx.token_range(close, close + 1)[0] + 1]
              if t.idx < close and not t.is_punct and not t.is_space]
    if not outlet:
        return None
    return bracket.i, outlet[0].i, outlet[-1].i + 1


def _lead_in(idx: _DocIndex, q: QuoteSpan) -> int | None:
    """The writer's words before a quotation whose cue follows it, when the quotation goes on
    their sentence: they are part of what is reported (a mixed quote, both marks inside), and
    the content starts where they do. Returns that start, or None when the quotation opens its
    sentence or follows punctuation (a colon, a dash). Two ways a sentence goes on into the marks:

    1. the quotation finishes a sentence the writer began ("He would be a better president
       “no matter what,” one user commented"): the word before the mark is not a conjunction
       or verb and does not open the sentence, and no other cue's word stands before it in the
       sentence ("calling Trump “an orange buffoon,” Susan said");
    2. the word before the mark is the subject of the quoted clause ("Past nominees “were
       stiff,” he said.", "They ''are doomed to fail,'' said X"), a noun or pronoun the parse
       hangs inside the quotation, with no quotation or verb before it in its sentence ("X
       talked up her “plan,” ...": the writer's clause)."""
    doc, config = idx.doc, idx.config
    before = idx.previous_token(q.open_start)
    pstart = idx.paragraph_start(q.open_start)
    if before is None or before.idx < pstart or before.is_punct:
        return None
    if (before.is_alpha or before.like_num) and before.pos_ not in ("CCONJ", "VERB", "AUX") and \
            not before.is_sent_start:
        start = before
        for tok in reversed(doc[:before.i + 1]):
            if tok.idx < pstart or tok.text in (".", "?", "!", ":", ";") or tok.is_quote:
                break
            if not tok.is_space and not tok.is_punct:
                start = tok
            if _is_cue_verb(tok, config, allow_direct_only=True) or tok.lemma_.lower() in config.object_content:
                start = None        # another cue's words: not this way
                break
            if tok.is_sent_start:
                break
        if start is not None:
            return start.idx
    if before.pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    inside = idx.token_range(q.content_start, q.content_end)
    if not any(inside[0] <= a.i < inside[1] for a in before.ancestors):
        return None
    sent = _sent_of(before)
    toks = [t for t in doc[sent.start:before.i + 1] if not t.is_space]
    if not toks or toks[0].idx < pstart or any(t.is_quote or t.pos_ in ("VERB", "AUX") for t in toks):
        return None
    return toks[0].idx


class _Claims(dict):
    """Quotations -> the attribution a rule gave them; a record of a rule switched off in
    `configs/quotes.toml` is not stored (the rule emits nothing, the quotation stays open)."""

    def __init__(self, config: QuoteConfig):
        super().__init__()
        self.config = config

    def __setitem__(self, q: QuoteSpan, att: Attribution) -> None:
        if self.config.rule_enabled(att.rule_id):
            super().__setitem__(q, att)


def direct_quotes(idx: _DocIndex) -> Iterator[Attribution]:
    """Direct quotations attached to a cue by position, then by paragraph context.

    1. cue after the quote (“...,” X said), 2. cue before it (X said: “...”), 3. a dash and a name
    after it. A quotation none of these attach stays for step 4: it inherits the speaker of
    another quotation of the same paragraph (“...,” X said. “...”) or of a chain of paragraphs
    (an unclosed quotation running on), or continues the previous paragraph's speaker when the
    whole paragraph is a quotation. Quotations still unattached are not emitted (pull quotes,
    epigraphs, and the like have no speaker to report).
    """
    found = _Claims(idx.config)
    _quotes_with_a_cue(idx, found)
    _short_quotes(idx, found)
    _voiced_quotes(idx, found)
    _quotes_inheriting_a_cue(idx, found)
    return found


def _quotes_with_a_cue(idx: _DocIndex, found: _Claims) -> None:
    """Steps 1-3 of direct_quotes: a cue verb next to the quotation, or a name set off by a mark."""
    for q in idx.clause_quotes:
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        hit = _tail_cue(idx, q) or _head_cue(idx, q) or _colon_cue(idx, q)
        bridged = _bridged_tail_cue(idx, q) if hit is None else None
        if bridged is not None:
            cue, rule, q2 = bridged
            found[q] = Attribution("mixed", (q.open_start, q2.close_end), rule, cue=cue, cue_span=_cue_span(cue),
                                   cue_lemma=_cue_lemma(cue, idx.config))
            continue
        hit = hit or _stated_sentence_cue(idx, q)
        if hit is not None:
            cue, rule = hit
            typ = "direct"
            lead = _lead_in(idx, q) if cue.idx > q.close_end else None
            if lead is not None:
                content, typ = (lead, q.close_end), "mixed"     # both marks inside
            found[q] = Attribution(typ, content, rule, cue=cue, cue_span=_cue_span(cue),
                                   cue_lemma=_cue_lemma(cue, idx.config))
            continue
        # A name set off by a mark instead of a cue verb: “...” ― Name / Name: “...” / HEADLINE
        # “...” [Outlet.]; the mark (dash, colon, bracket) stands as the cue.
        for finder, rule, fixed in ((_dash_speaker, "direct.dash", False),
                                    (_colon_name_speaker, "direct.colon_name", True),
                                    (_roundup_headline, "direct.roundup_excerpt", True)):
            hit = finder(idx, q)
            if hit is not None:
                mark_i, s, e = hit
                found[q] = Attribution("direct", content, rule, cue=idx.doc[mark_i], cue_span=(mark_i, mark_i + 1),
                                       cue_lemma=idx.doc[mark_i].text, speaker=(s, e),
                                       extra={"speaker_fixed": True} if fixed else {})
                break


def _short_quotes(idx: _DocIndex, found: _Claims) -> None:
    """Quotations under `min_words` words: only a sentence of their own, right next to a cue."""
    config = idx.config
    # Short quotations (“Probably.”, “Mexico!” the audience screamed back): too short to tell a
    # quote from a scare quote by themselves, so only a sentence of their own with punctuation
    # inside the marks, right next to a cue (“...,” he said / X said, “...”).
    clause = set(idx.clause_quotes)
    for q in idx.quotes:
        if q in clause or q.depth != 0 or not q.closed:
            continue
        inner = idx.text[q.content_start:q.content_end].rstrip()
        if inner[-1:] not in ",.?!" or not 1 <= len(idx.words(q.content_start, q.content_end)) < config.min_words:
            continue
        before = idx.previous_token(q.open_start)
        starts_sentence = before is None or before.idx < idx.paragraph_start(q.open_start) or \
            before.text in (".", "?", "!") or before.is_quote
        hit = None
        if starts_sentence:
            hit = _tail_cue(idx, q, max_gap=4)
        elif before.text in (",", ":"):
            cue = idx.previous_token(before.idx)
            if cue is not None and _is_cue_verb(cue, config, allow_direct_only=True) and \
                    not _governed_by_plan(cue, config) and not _loose_quotative(idx, cue, q):
                hit = (cue, "direct.cue_before")
        elif inner[-1:] in ".?!" and _is_cue_verb(before, config, allow_direct_only=True) and \
                before.lemma_.lower() not in config.metalinguistic_verbs and \
                not _governed_by_plan(before, config) and not idx.inside_clause_quote(before) and \
                not _loose_quotative(idx, before, q):
            # A man yelled “Stay there!” / Some chanted “USA! USA!”: a cue verb right before a
            # quotation that closes the sentence with its own punctuation takes it as its words
            # (a scare quote ends inside the writer's sentence, without its own . ! or ?).
            hit = (before, "direct.cue_before")
        if hit is not None and inner[-1:] == "," and any(
                o.open_start >= q.close_end and idx.paragraph_of(o.open_start) == idx.paragraph_of(q.open_start)
                and o.open_start <= _sent_of(hit[0]).end_char
                and not any(t.text in (".", "?", "!")
                            for t in idx.doc[slice(*idx.token_range(q.close_end, o.open_start))])
                for o in idx.quotes):
            # “To date,” she continued, “...”: the head of a split quotation (not when a full stop
            # ends the cue's sentence first: “Debate recap,” tweeted X. “...”)
            hit = None
        if hit is not None:
            content = _clean_quote_content(idx, q)
            cue, rule = hit
            found[q] = Attribution("direct", content, SHORT_VARIANT[rule], cue=cue, cue_span=_cue_span(cue),
                                   cue_lemma=_cue_lemma(cue, idx.config))


def _voiced_quotes(idx: _DocIndex, found: _Claims) -> None:
    """Chants and cries: a quotation after "<noun> of" or right before a voiced noun."""
    config = idx.config
    # Chants and cries: the quotation names what a crowd voiced (their chants of “Ted! Ted!”,
    # responded with chants of “...”, drawing “BERNIE!” chants): the possessor speaks, or the
    # subject of the verb answering "with" them or joining "in" them; otherwise nobody is named.
    for q in idx.quotes:
        if q in found or q.depth != 0 or not q.closed:
            continue
        before = idx.previous_token(q.open_start)
        noun = None
        if before is not None and before.lower_ == "of" and before.head.i < before.i and \
                before.head.lower_ in config.voiced_nouns:
            noun = before.head
        else:
            a, b = idx.token_range(q.close_end, len(idx.text))
            nxt = next((t for t in idx.doc[a:b] if not t.is_space), None)
            if nxt is not None and nxt.lower_ in config.voiced_nouns and nxt.pos_ == "NOUN":
                noun = nxt
        if noun is None:
            continue
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        speaker = None
        poss = next((c for c in noun.children if c.dep_ == "poss"), None)
        if poss is not None:
            speaker = _speaker_span(poss, config)
        elif noun.dep_ == "pobj" and noun.head.lower_ in ("with", "in") and noun.head.head.pos_ == "VERB":
            subj = next((c for c in noun.head.head.children if c.dep_ == "nsubj"), None)
            if subj is not None and subj.lower_ not in config.relative_pronouns:
                speaker = _speaker_span(subj, config)
        found[q] = Attribution("direct", content, "direct.voiced_noun", cue=noun, cue_span=(noun.i, noun.i + 1),
                               cue_lemma=noun.lemma_.lower(), speaker=speaker, extra={"speaker_fixed": True})


def _quotes_inheriting_a_cue(idx: _DocIndex, found: _Claims) -> None:
    """Step 4 of direct_quotes: quotations without a cue of their own take one from their
    paragraph, the next sentence, or the chain of paragraphs they run on in."""
    # Inheritance within a paragraph and along paragraph chains (short quotations attached to
    # a cue count as sources too: “Safety,” said X. “Safety for the whole country.”).
    by_para: dict[int, list[QuoteSpan]] = {}
    for q in sorted(set(idx.clause_quotes) | set(found), key=lambda q: q.open_start):
        by_para.setdefault(idx.paragraph_of(q.open_start), []).append(q)
    for q in idx.clause_quotes:
        if q in found:
            continue
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        p = idx.paragraph_of(q.open_start)
        same = by_para.get(p, [])
        before = [o for o in same if o in found and o.open_start < q.open_start]
        after = [o for o in same if o in found and o.open_start > q.open_start]
        source = before[-1] if before else (after[0] if after else None)
        if source is not None:
            src = found[source]
            # “...,” X said. “...”: the second quotation keeps the speaker and the cue.
            found[q] = replace(src, content=content, rule_id="direct.same_paragraph", extra={})
            continue
        hit = _tail_cue(idx, q, own_clause_ok=True)
        if hit is not None:
            # “...” She added that ...: with no other quotation in the paragraph to take the
            # speaker from, the next sentence's cue is the best guess.
            found[q] = Attribution("direct", content, hit[1], cue=hit[0], cue_span=_cue_span(hit[0]),
                                   cue_lemma=_cue_lemma(hit[0], idx.config))
            continue
        # A quotation running on from the previous paragraph (unclosed there): same speaker as
        # the chain, found later in the chain or earlier.
        found_chain = None
        for nxt_p in range(p + 1, min(p + 4, len(idx.paragraphs))):
            chain = [o for o in by_para.get(nxt_p, []) if o in found]
            if chain:
                found_chain = found[chain[0]]
                break
            if not any(o.depth == 0 for o in by_para.get(nxt_p, [])):
                break
        if not q.closed and q.continues and found_chain is not None:
            found[q] = Attribution("direct", content, "direct.paragraph_chain", inherit_from=found_chain)


def continuation_quotes(idx: _DocIndex, found: dict, attributions: list[Attribution]) -> Iterator[Attribution]:
    """A paragraph that is a quotation and has no cue continues the previous paragraph's speaker.

    News convention: after “...,” said Netanyahu., a next paragraph made of a quotation alone is
    still Netanyahu. Only when the previous paragraph holds an attribution, and the quotation
    fills its paragraph (no other clause around it that could carry another speaker).
    """
    text = idx.text
    by_para: dict[int, list[Attribution]] = {}
    for att in attributions:
        by_para.setdefault(idx.paragraph_of(att.content[0]), []).append(att)
    for q in idx.clause_quotes:
        if q in found:
            continue
        p = idx.paragraph_of(q.open_start)
        ps, pe = idx.paragraphs[p]
        content = _clean_quote_content(idx, q)
        if content[1] <= content[0]:
            continue
        outside = text[ps:q.open_start] + text[q.close_end:pe]
        rule = "direct.continuation"
        if len(re.sub(r"[\W_]+", "", outside)) > 0:
            # A quotation opening a sentence right after a sentence that reports someone
            # (“...,” he said outside the building. But “...” / X said Y is "z." “...”) goes on
            # with that speaker: the news convention for a quote resumed after its cue.
            previous = _previous_sentence_attribution(idx, q, by_para.get(p, []))
            if previous is None:
                continue
            rule = "direct.next_sentence"
        elif p == 0 or not by_para.get(p - 1):
            continue
        else:
            # (not a question put to the speaker by someone unnamed: “...,” X told reporters when
            # asked which plan she backed. / “...”: X goes on, not the unnamed asker)
            spoken = [a for a in by_para[p - 1] if a.cue is None or a.inherit_from is not None or
                      not _find_subject(a.cue, idx.config)[1]]
            previous = max(spoken or by_para[p - 1], key=lambda a: a.content[0])
        if not idx.config.rule_enabled(rule):
            continue
        att = Attribution("direct", content, rule, inherit_from=previous)
        found[q] = att
        by_para.setdefault(p, []).append(att)
        yield att


# Parts of speech that may open a speaker written next to its cue, and that end it.
NP_START_POS = {"DET", "PROPN", "NOUN", "PRON", "ADJ", "NUM"}

NP_STOP_POS = {"VERB", "AUX", "ADP", "SCONJ", "CCONJ", "PART", "ADV"}

MAX_NEAR_SPEAKER = 8


def _np_from(tokens: Iterable[Token]) -> tuple[int, int] | None:
    """The noun phrase opening `tokens`: words up to the first punctuation, quote mark or
    verb/preposition/conjunction, when it starts like a noun phrase."""
    span: list[Token] = []
    for t in tokens:
        if t.is_space:
            if span:
                break
            continue
        capitalised = t.text[:1].isupper() and t.is_alpha and t.lower_ not in ("that", "this")
        # "retired neurosurgeon Ben Carson": a participle modifying the noun stays in the phrase.
        modifier = t.dep_ in ("amod", "compound") and t.head.i > t.i
        if t.is_punct or t.is_quote or t.lower_ == "that" or t.pos_ in NP_STOP_POS and not capitalised \
                and not modifier:
            break
        span.append(t)
        if len(span) > MAX_NEAR_SPEAKER:
            return None
    if not span or not (span[0].pos_ in NP_START_POS or span[0].text[:1].isupper() or
                        span[0].dep_ in ("amod", "compound")) or \
            not any(t.pos_ in ("PROPN", "NOUN", "PRON") or t.text[:1].isupper() for t in span) and \
            not (span[0].pos_ == "DET" and len(span) > 1):
        return None
    return span[0].i, span[-1].i + 1


def _speaker_next_to_cue(idx: _DocIndex, att: Attribution) -> tuple[int, int] | None:
    """The speaker as written next to the cue when the parse gives the cue no subject (or one
    inside the quotation): “...,” Robert Shrum, a strategist, said / “...,” said Skelly,
    explaining ... / "The risk," said Edward Leamer, "is ...". Between the quotation and a
    trailing cue first, else right after the cue ("said X")."""
    doc, cue = idx.doc, att.cue
    if att.rule_id.startswith(TAIL_CUE_RULES):
        a, _ = idx.token_range(att.content[1], att.content[1] + 1)
        between = [t for t in doc[a:cue.i] if t.idx >= att.content[1]]
        # skip the closing punctuation and mark
        k = 0
        while k < len(between) and (between[k].is_punct or between[k].is_quote or between[k].is_space):
            k += 1
        near = _np_from(between[k:])
        if near is not None:
            return near
    after = doc[cue.i + 1:min(len(doc), cue.i + 2 + MAX_NEAR_SPEAKER)]
    if len(after) >= 2 and after[0].lower_ in idx.config.indefinite_speakers and \
            after[1].text in (".", ",", ";", "!", "?") and not idx.inside_clause_quote(after[0]):
        # “...,” read one. / “...,” tweeted another.: a lone quantifier after the cue (which
        # the parse takes for its object) stands for one of the people or signs just named.
        return after[0].i, after[0].i + 1
    if after and (after[0].pos_ in ("PROPN", "DET", "NOUN") or after[0].text[:1].isupper() and after[0].is_alpha
                  or after[0].dep_ in ("amod", "compound") and after[0].head.i > after[0].i) \
            and not idx.inside_clause_quote(after[0]):
        near = _np_from(after)
        if near is not None and all(t.ent_type_ in ("DATE", "TIME") for t in doc[near[0]:near[1]]):
            return None       # "announced Friday that ...": a date is never the speaker
        if near is not None and att.type != "direct" and att.content[0] > cue.idx and any(
                t.head.i == cue.i and t.dep_ in ("dobj", "dative") for t in doc[near[0]:near[1]]):
            # "..., asked a federal judge to block ...": the object of a cue before its reported
            # clause is the one addressed, not the speaker.
            return None
        return near
    return None


def _stray_subject_before_cue(idx: _DocIndex, att: Attribution) -> tuple[int, int] | None:
    """A finite cue the parse left without a subject, its subject hung on another word of the
    sentence: "Republican activists clamoring to block Trump ... say they're ..." (say as a
    dependent of "clamoring"), "Salkin, a Hollywood, Fla., rabbi helping ..., said" (Salkin the
    subject of "rabbi"). The nearest speaking subject before the cue in its sentence, whose verb
    governs the cue or is governed by it; never one inside a quotation or the content."""
    doc, cue = idx.doc, att.cue
    config = idx.config
    if cue is None or cue.tag_ not in FINITE_TAGS or any(
            c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in cue.children):
        return None
    ancestors = set(a.i for a in cue.ancestors)
    for cand in reversed(doc[cue.sent.start:cue.i]):
        if cand.text == ";":
            return None
        if cand.dep_ != "nsubj" or not _animate(cand, config) or cand.lower_ in config.relative_pronouns \
                or cand.lower_ in config.unresolvable_pronouns or idx.inside_clause_quote(cand) \
                or att.content[0] <= cand.idx < att.content[1]:
            continue
        verb = cand.head
        if verb.i in ancestors or verb.head.i == cue.i and verb.i < cue.i:
            return _speaker_span(cand, config)
    return None


MAX_DATELINE = 12


def _dateline_dash(idx: _DocIndex, cue: Token | None) -> int | None:
    """The dash closing a dateline that opens the cue's paragraph and sentence ("LONDON
    (Reuters) -", "CLEVELAND, July 19 (UPI) —", "Washington (AFP) –"): a place in capitals or
    followed by an agency in brackets, then dates, numbers and names only before the dash."""
    if cue is None:
        return None
    if cue.i not in idx.datelines:       # (asked again of the same cue: found once)
        idx.datelines[cue.i] = _find_dateline_dash(idx, cue)
    return idx.datelines[cue.i]


def _find_dateline_dash(idx: _DocIndex, cue: Token) -> int | None:
    doc = idx.doc
    a, b = idx.token_range(idx.paragraph_start(cue.idx), cue.idx)
    toks = [t for t in doc[a:min(b, a + MAX_DATELINE)] if not t.is_space]
    if len(toks) < 2 or _sent_of(toks[0]).start != _sent_of(cue).start:
        return None
    first = toks[0]
    if not (first.is_alpha and first.text[:1].isupper()):
        return None
    bracket = opened = False
    for t in toks[1:]:
        # (a hyphen inside a bracket still open is a party and state: "Rep. Jane Doe (D-Mass.)")
        if t.text in idx.config.dateline_dashes and not opened:
            if (first.is_upper and len(first.text) > 1 or bracket) and t.i < cue.i:
                return t.i
            return None
        if t.text == "(":
            bracket = opened = True
        elif t.text == ")":
            opened = False
        if not (t.is_punct or t.pos_ in ("PROPN", "NUM") or t.is_upper or t.ent_type_ in ("GPE", "DATE", "ORG")):
            return None
    return None


FINITE_TAGS = {"VBD", "VBZ", "VBP"}

# A noun in one of these roles belongs to another verb ("block Trump say ..."): never a stray subject.
OBJECT_DEPS = {"dobj", "pobj", "dative", "iobj", "attr", "oprd", "poss"}

MAX_LEFT_APPOSITION = 6

MAX_LEFT_CLAUSE = 16          # a participle clause between commas: X, asked about ..., said


def _speaker_left_of_cue(idx: _DocIndex, att: Attribution, ignore_subject: bool = False
                         ) -> tuple[int, int] | None:
    """The name written right before a finite cue the parse left without a subject: "As part of
    his plea, Marcel Lazar, 44, said that ..." (the name taken for an apposition of "plea"),
    "Speaker Paul Ryan (R-WI) said ...". Skips one parenthesis and one short comma-delimited
    apposition; the word reached must be a proper noun (or a person noun) outside any quotation
    and content, in the cue's sentence."""
    doc, cue = idx.doc, att.cue
    # (a perfect "had said" is finite through its auxiliary)
    if cue is None or cue.tag_ not in FINITE_TAGS and not (
            cue.tag_ == "VBN" and any(c.dep_ == "aux" and c.lemma_ == "have" for c in cue.children)) or \
            not ignore_subject and any(
            c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in cue.children):
        return None
    sent_start = cue.sent.start
    i = cue.i - 1
    skipped_clause = False

    def skip_space(j: int) -> int:
        while j >= sent_start and doc[j].is_space:
            j -= 1
        return j

    i = skip_space(i)
    # The cue's own auxiliaries and adverbs ("had said", "has repeatedly said").
    while i >= sent_start and doc[i].head.i == cue.i and (
            doc[i].dep_ in ("aux", "neg") or doc[i].dep_ == "advmod" and doc[i].pos_ == "ADV"):
        i = skip_space(i - 1)
    # Skip one bracket, then one short apposition between commas ("Marcel Lazar, 44, said"),
    # or a participle clause between commas ("Mr. Lopez, asked about the delays, said").
    # A bracket or a pair of dashes is an aside of any length ("Sen. Chris Murphy (a Democrat so
    # boyish he has been mistaken for a staffer) says", "Mr. Bush - in a line aimed at X -
    # declared").
    dash = doc[i].text if i >= sent_start and doc[i].text in ("-", "—", "–", "--") else None
    for closer, opener in ((")", "("), (dash, dash), (",", ",")):
        if closer is not None and i >= sent_start and doc[i].text == closer:
            j = i - 1
            while j >= sent_start and doc[j].text != opener and i - j <= MAX_LEFT_CLAUSE + 1:
                j -= 1
            if j < sent_start or doc[j].text != opener:
                return None
            participle = doc[j + 1].tag_ in ("VBN", "VBG") or doc[j + 1].tag_ == "VBD" and not any(
                c.dep_ in ("nsubj", "nsubjpass") for c in doc[j + 1].children)
            if i - j > MAX_LEFT_APPOSITION + 1 and not participle and closer == ",":
                return None
            skipped_clause = participle
            i = skip_space(j - 1)
    if i < sent_start:
        return None
    t = doc[i]
    if t.pos_ == "NUM" and t.head.i == cue.i and t.dep_ in ("nummod", "npadvmod", "dep", "advmod") and \
            not idx.inside_clause_quote(t) and not att.content[0] <= t.idx < att.content[1]:
        # "About 4 in 10 say they ...": a share of a poll's respondents, which the parse hangs
        # on the verb as a number instead of taking it for the subject.
        left = t.left_edge.i
        return (left if left >= sent_start else i), i + 1
    if not (t.pos_ == "PROPN" or t.pos_ == "NOUN" and _animate(t, idx.config)) or t.is_quote or \
            t.ent_type_ in ("DATE", "TIME") or t.dep_ in OBJECT_DEPS and not (skipped_clause and t.dep_ == "pobj") or \
            idx.inside_clause_quote(t) or \
            att.content[0] <= t.idx < att.content[1]:
        return None
    start = i
    while start - 1 >= sent_start and doc[start - 1].pos_ == "PROPN" and not doc[start - 1].is_punct:
        start -= 1
    # The words the noun governs before it ("The mayor's office"), when they run up to it.
    left = t.left_edge.i
    if sent_start <= left < start and not any(w.is_quote or w.text in (",", "(", ")") for w in doc[left:start]):
        start = left
    return start, i + 1


# Words allowed between the end of an attribution and a quotation resuming it in the next
# sentence (“...,” he said outside the building on Monday. But “...”).
MAX_RESUME_GAP = 12

MAX_RESUME_TITLE_GAP = 30


def _starts_sentence(idx: _DocIndex, char: int) -> bool:
    """Does a quotation opening at body offset `char` open a sentence (after ., ? or !, a closing
    mark after them, or a sentence-initial "But"/"And")?"""
    before = idx.previous_token(char)
    if before is None or before.idx < idx.paragraph_start(char):
        return True
    if before.pos_ == "CCONJ":
        before = idx.previous_token(before.idx)
        if before is None or before.idx < idx.paragraph_start(char):
            return True
    if before.is_quote:
        before = idx.previous_token(before.idx)
        if before is None:
            return True
    return before.text in (".", "?", "!")


def _previous_sentence_attribution(idx: _DocIndex, q: QuoteSpan, same_paragraph: list[Attribution]
                                   ) -> Attribution | None:
    """The attribution a cue-less quotation resumes: the last one of its paragraph ending just
    before it (at most MAX_RESUME_GAP words between), when the quotation opens a sentence."""
    if not _starts_sentence(idx, q.open_start):
        return None
    best, best_end = None, -1
    for att in same_paragraph:
        ends = [att.content[1]]
        if att.cue is not None:
            ends.append(att.cue.idx + len(att.cue.text))
        end = max(ends)
        if end <= q.open_start and end > best_end and att.content[0] < q.open_start:
            best, best_end = att, end
    if best is None:
        return None
    gap = len(idx.words(best_end, q.open_start))
    if gap > MAX_RESUME_GAP:
        # “...,” said X, a long title after the name. “...”: a speaker's description may run
        # past the gap; the quotation still resumes when the cue's sentence is the one right
        # before it.
        between = idx.text[best_end:q.open_start].strip().rstrip("\"'”’ ").rstrip(".!?")
        if best.cue is None or best.cue.idx > best.content[0] and best.content[1] > best.cue.idx or \
                gap > MAX_RESUME_TITLE_GAP or re.search(r"[.!?;:]|\n", between):
            return None
    return best
