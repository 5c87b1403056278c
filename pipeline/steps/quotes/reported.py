"""Reported speech and mixed quotes: cue verbs with their clauses (`X said that ...`), quoted
fragments in a verb's complements, reporting nouns, `according to`, paragraph blocks and headline
sources."""

from __future__ import annotations

import re
from typing import Iterator, Sequence

from spacy.tokens import Token

from pipeline.steps.quotes.lexicon import QuoteConfig, _role_heads
from pipeline.steps.quotes.marks import QUOTE_CHARS, QuoteSpan
from pipeline.steps.quotes.rules import MIXED_VARIANT
from pipeline.steps.quotes.syntax import (
    FINITE_TAGS,
    _unmarked_finite_clause,
    TRANSCRIPT_RE,
    Attribution,
    _animate,
    _content_children,
    _content_of_subtree,
    _cue_lemma,
    _cue_span,
    _DocIndex,
    _find_subject,
    _governed_by_plan,
    _inverted_cue_word,
    _is_cue_verb,
    _sent_of,
    _speaker_span,
    _tense,
)


def _participle_pair(g: Token, cue: Token) -> bool:
    """"saying he has been a pioneer in promoting women and calling him “a feminist”": a
    participle cue conjoined to a participle deep inside the clause of a participle cue goes with
    the cue (the two -ing cues are a pair) when it holds quoted words of its own."""
    return cue.tag_ == "VBG" and g.head.dep_ in ("pcomp", "xcomp", "advcl") and \
        any(t.is_quote for t in g.subtree)


def _nested_cues(content_root: Token, cue: Token, idx: _DocIndex) -> list[Token]:
    """Cue verbs coordinated into a reported clause after the cue, which report on their own:
    "..., the Jerusalem Post reports" (parataxis), "saying that the bill was sound - and arguing
    that ..." / "said he found Trump “charming” and called his standing “unheard of”" (a
    finite or -ing verb conjoined into the clause), "Rubio suggested that ..., while Cruz said
    that ..." (an adverbial clause with a subject of its own). They are left out of the clause."""
    config = idx.config
    out = []
    for g in content_root.subtree:
        if g.i <= cue.i or g.i == content_root.i or idx.inside_clause_quote(g):
            continue
        if g.dep_ == "parataxis" and g.head.i == content_root.i and _is_cue_verb(g, config):
            out.append(g)
        elif not (_is_cue_verb(g, config) or g.lemma_.lower() in config.object_content):
            continue
        elif g.dep_ == "conj" and g.tag_ == "VBG" and (g.head.tag_ != "VBG" or g.head.dep_ == "pcomp"
                                                       or _participle_pair(g, cue)):
            # a participle coordinated with a finite verb of the clause (or, in the parse, with
            # a gerund after a preposition of it, or another -ing cue): it goes with the cue
            # ("saying X has been ... and calling him “a feminist”", "saying he has been a leader
            # in hiring veterans and calling him “a patriot”"), not with the clause
            out.append(g)
            if g.head.tag_ == "VBG":
                # the subject the parse gives the gerund is the clause's, not the speaker
                idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ == "advcl" and g.tag_ == "VBG" and _comma_before(g) and \
                not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in g.children) and \
                (any(c.dep_ == "ccomp" for c in g.children) or any(t.is_quote for t in g.subtree)):
            # a participle after a comma closing the clause, with a clause or quoted words of its
            # own: the cue's subject speaks again ("said he would release them on Friday, calling
            # them “very boring tax returns”"); "..., maintaining freedom of action" stays
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ == "advcl" and g.tag_ == "VBG" and cue.tag_ == "VBG" and g.i > 0 and \
                g.nbor(-1).lower_ == "and" and \
                not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in g.children):
            # a participle cue after "and" pairs with the participle cue, not with its clause
            # (the parser hangs it there): "telling reporters that he is a “cheat” and
            # questioning how he ...": the subject speaks again
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ == "pcomp" and g.tag_ == "VBG" and g.head.lower_ in config.temporal_prepositions and \
                g.head.head.i != cue.i and any(c.dep_ == "ccomp" for c in g.children) and \
                not any(c.dep_ in ("nsubj", "nsubjpass") for c in g.children):
            # a participle cue after "before"/"after" with a clause of its own, hung on the reported
            # clause: the cue's subject speaks again ("said the deadlock has “kept us safe” before
            # claiming that ..."), not the clause's
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
        elif g.dep_ in ("advcl", "relcl") and g.tag_ in ("VBD", "VBZ", "VBP") and \
                any(c.dep_ == "nsubj" and c.lower_ not in config.relative_pronouns for c in g.children):
            out.append(g)
        elif g.dep_ == "relcl" and g.i > cue.i and \
                any(c.dep_ == "ccomp" and c.i > g.i for c in g.children) and \
                any(c.dep_ == "nsubj" and c.lower_ in ("who", "that") and c.i < g.i for c in g.children) and \
                g.head.i < g.i and g.head.right_edge.i == content_root.right_edge.i and \
                (g.head.lemma_.lower() in config.share_nouns or g.head.pos_ == "NUM"):
            # "61 percent said they are sure, compared to 38 percent who said they could change
            # their mind": a relative clause on a share of those polled, closing the reported
            # clause, is a second poll answer (not so "... a booker who said ...": part of what
            # is reported)
            out.append(g)
        elif g.dep_ == "conj" and _own_subject_cue(g, config):
            # a cue with a subject of its own conjoined into the clause is a second report, not
            # part of the first ("Most voters said the economy is weak, and a third said the
            # same of jobs")
            out.append(g)
        elif g.dep_ == "conj" and g.tag_ in ("VBD", "VBZ", "VBP") and \
                _tense(g) is not None and _tense(g) == _tense(cue) and \
                not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in g.children) and \
                _conj_subject_may_be_speaker(g, config):
            # a finite verb of the cue's tense conjoined into the clause without a subject of its
            # own continues the cue's subject ("said he found Trump “charming” and called his
            # standing “unheard of”", "says he'd sit Putin down ... and tells the crowd he was ..."):
            # a second attribution, not part of the first one's clause
            out.append(g)
            idx.conjoined_cue_of.setdefault(g.i, cue)
    return out


def _relative_through_cue(cue: Token, config: QuoteConfig) -> tuple[Token, Token] | None:
    """"..., which they say left a vacuum": a relative clause whose verb is a cue with a subject
    of its own after the relative pronoun and a verb after it that the pronoun is the subject of
    (the parser hangs it as an open complement): the cue's own subject, who speaks, and that verb."""
    rel = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass", "dobj") and c.i < cue.i and
           c.lower_ in config.relative_pronouns]
    subj = [c for c in cue.children if c.dep_ == "nsubj" and c.i < cue.i and c.lower_ not in config.relative_pronouns]
    if not rel and subj and cue.dep_ == "relcl" and subj[0].left_edge.i > 0 and \
            cue.doc[subj[0].left_edge.i - 1].lower_ in config.relative_pronouns:
        rel = [cue.doc[subj[0].left_edge.i - 1]]     # (the parser hung the pronoun on the later verb)
    if not rel or not subj or rel[0].i > subj[0].i:
        return None
    # (a participle read as the cue's adjective: "fees that critics said burdened renters")
    verb = next((c for c in cue.children if (c.dep_ in ("xcomp", "ccomp") or c.dep_ == "acomp" and c.pos_ == "VERB")
                 and c.i > cue.i and c.pos_ in ("VERB", "AUX")
                 and not any(d.dep_ in ("nsubj", "nsubjpass", "expl", "mark") or d.lower_ == "to"
                             for d in c.children)), None)
    return None if verb is None else (subj[0], verb)


def _pro_form_object(cue: Token, config: QuoteConfig) -> Token | None:
    """The pro-form a speech verb takes for its statement ("said the same of Sanders", "said
    yes", "said so"): right after the cue (only an article or its adjective between); a word of
    `pro_form_objects` ("same", "opposite", or "the same thing") as its object, one of
    `pro_form_answers` ("so", "yes", "no") as an object, interjection or adverb with nothing of
    its own ("said so far", "said no one" stay out)."""
    doc = cue.doc
    pro_forms = config.pro_form_objects | config.pro_form_answers
    for c in cue.children:
        if c.i <= cue.i or c.lower_ not in pro_forms and c.lemma_ != "thing":
            continue
        if not all(t.pos_ == "DET" or t.dep_ == "amod" and t.head.i == c.i for t in doc[cue.i + 1:c.i]):
            continue
        if c.dep_ in ("dobj", "nsubj") and c.lower_ in config.pro_form_objects or \
                c.dep_ == "dobj" and c.lemma_ == "thing" and \
                any(a.dep_ == "amod" and a.lower_ in pro_forms for a in c.children) or \
                c.dep_ in ("intj", "advmod", "dobj") and c.lower_ in config.pro_form_answers and not list(c.children):
            return c
    return None


def _own_subject_cue(verb: Token, config: QuoteConfig) -> bool:
    """A finite cue verb with a nominal subject of its own before it (no relative pronoun) and a
    complement: a report of its own."""
    if _tense(verb) is None and verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return False
    return any(c.dep_ == "nsubj" and c.i < verb.i and c.lower_ not in config.relative_pronouns
               for c in verb.children) and \
        any(c.dep_ in ("ccomp", "dobj", "xcomp") and c.i > verb.i for c in verb.children)


def _comma_before(tok: Token) -> bool:
    """A comma or dash right before tok, closing quotation marks aside ("...,” citing ...")."""
    j = tok.i - 1
    while j >= 0 and (tok.doc[j].is_quote and tok.doc[j].tag_ == "''" or tok.doc[j].is_space):
        j -= 1
    return j >= 0 and tok.doc[j].text in (",", "—", "–", "-")


def _clause_before_nested(idx: _DocIndex, clause: Token, nested: list[Token]) -> tuple[int, int] | None:
    """The reported clause without its nested cues, ending before the first of them: words the
    parser hangs on the clause after a nested cue belong with that cue ("said that the mayor is
    “weak,” stating that he is “slow,” focus on money")."""
    span = _content_of_subtree(clause, exclude=nested)
    # only participles ("..., stating that"): a nested finite cue may sit inside the clause
    # ("the support they express for him helps ...")
    participles = [n for n in nested if n.tag_ == "VBG"]
    if span is None or not participles:
        return span
    # a participle after "before"/"after" takes its preposition along
    first = min(n.head.idx if n.dep_ == "pcomp" else n.left_edge.idx for n in participles)
    if not span[0] < first < span[1]:
        return span
    doc = idx.doc
    k = idx.token_range(span[0], first)[1] - 1
    while k >= 0 and doc[k].idx >= span[0] and (doc[k].is_space or doc[k].is_punct and not doc[k].is_quote
                                                 or doc[k].dep_ == "cc"):
        k -= 1
    if k < 0 or doc[k].idx < span[0]:
        return span
    return span[0], doc[k].idx + len(doc[k].text)


def _conj_subject_may_be_speaker(verb: Token, config: QuoteConfig) -> bool:
    """Whether a subject-less verb conjoined into a reported clause may be the cue's subject
    speaking again: the clause's own subject is a thing ("said his attacks have given him
    momentum and said that ...") or "he"/"she" (most often the speaker: "said he found Trump
    “charming” and called ..."); not when it is someone else ("said the leaders discussed
    security and agreed on ...": the leaders agreed)."""
    head = verb
    while head.dep_ == "conj" and head.head.i != head.i:
        head = head.head
    subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subjects:
        # "said there are two from each district ... but said the outcome was open": an
        # expletive "there" or "it" never speaks, so the cue's subject does
        return any(c.dep_ == "expl" for c in head.children)
    if verb.head.tag_ == "VBN" and verb.tag_ == "VBD" and \
            any(c.dep_ == "aux" and c.lemma_ == "have" for c in verb.head.children):
        # "conceded that X had touched Fields but implied that ...": a simple past cannot share
        # the perfect's "had", so it is no verb of the clause's subject but the cue's subject's
        return True
    subj = subjects[0]
    lemma = subj.lemma_.lower()
    animate = _animate(subj, config) or lemma in _role_heads(config) or lemma in config.organisation_nouns
    return subj.lower_ in ("he", "she") or not animate


# Words a clause needs before a trailing cue ("..., he said.") to be taken as its content.
MIN_TRAILING_WORDS = 4


def _comma_conjunct(cue: Token) -> bool:
    """"The plant is hanging on, said its chief executive." / "..., her top aide told The Riverton
    Post.": a trailing cue with a subject of its own that the parser coordinated with the main
    clause before it, through a comma and no conjunction (_trailing_clause checks the comma)."""
    return cue.dep_ == "conj" and cue.head.dep_ == "ROOT" and cue.head.i < cue.i and \
        any(c.dep_ == "nsubj" for c in cue.children) and \
        (cue.head.tag_ in FINITE_TAGS or any(c.dep_ in ("aux", "auxpass") and c.tag_ in FINITE_TAGS
                                             for c in cue.head.children))
    # (a finite main clause: not "In a memo on Tuesday, X, the executive in charge, reminded")


def _trailing_clause(idx: _DocIndex, cue: Token) -> tuple[int, int, Token] | None:
    """The sentence before a trailing cue that the parser did not link to it ("Those who take on
    heavy debt struggle, even with a “good” job, he said." with "struggle" read as a noun): the
    cue closes its sentence (only its subject, adverbs and punctuation after it), a comma stands
    before the cue or before its subject, and the words before that comma are the content."""
    config = idx.config
    # (the listener of "told" is no content: "..., Ash Carter told a Senate panel Wednesday.")
    listener = [c for c in cue.children if c.dep_ in ("dobj", "dative") and c.i > cue.i and cue.dep_ == "conj" and
                cue.lemma_.lower() in config.listener_verbs and _animate(c, config)]   # (not "told the story")
    if any(c.dep_ in ("ccomp", "dobj", "xcomp", "advcl", "conj") and c not in listener for c in cue.children):
        return None
    # "..., said Geert Wilders": the subject after the cue (the parser may also hang the
    # clause's own noun before the comma off the cue as a subject).
    after = [c for c in cue.children if c.dep_ == "nsubj" and c.i > cue.i]
    subj = after[0] if after else _find_subject(cue, config)[0]
    if subj is None or not _animate(subj, config):
        return None
    sent = _sent_of(cue)
    subj_toks = {t.i for t in subj.subtree} if subj.head.i == cue.i else set()
    own = {t.i for c in listener for t in c.subtree}
    # After the cue: the subject (said Geert Wilders, founder of ...), the listener, adverbs,
    # punctuation.
    for t in idx.doc[cue.i + 1:sent.end]:
        if not (t.i in subj_toks or t.i in own or t.is_punct or t.is_space or t.dep_ in ("advmod", "npadvmod")
                or any(a.i in subj_toks or a.i in own for a in t.ancestors)):
            return None
    # Before the cue: a comma, then only the subject (..., he said) or nothing (..., said X).
    j = cue.i - 1
    # (the subject's own commas included: "..., her top aide, Tom Reed, told ..."; a subject
    # opening the sentence leaves no content: "Maria Lopez, 18, from Lee County, said")
    while j >= sent.start and (j in subj_toks or idx.doc[j].dep_ in ("advmod", "aux", "neg") and
                               idx.doc[j].text != ","):
        j -= 1
    if j < sent.start or idx.doc[j].text != ",":
        return None
    doc = idx.doc
    clause_start = sent.start
    if j == sent.start and j > 0:
        # The sentence splitter cut before the comma (", he said." alone): the content is the
        # sentence before, when no paragraph break separates them.
        previous = _sent_of(doc[j - 1])
        if "\n" in idx.text[previous.start_char:doc[j].idx]:
            return None
        clause_start = previous.start
    words = [t for t in doc[clause_start:j] if t.is_alpha]
    if len(words) < MIN_TRAILING_WORDS or any(idx.inside_clause_quote(t) for t in doc[clause_start:j]):
        return None
    first, last = clause_start, j - 1
    while first <= last and (doc[first].is_space or doc[first].is_punct and not doc[first].is_quote):
        first += 1
    while last >= first and (doc[last].is_space or doc[last].is_punct and not doc[last].is_quote):
        last -= 1
    if first > last:
        return None
    return doc[first].idx, doc[last].idx + len(doc[last].text), subj


def _quoted_conj_clauses(cue: Token, children: list[Token], idx: _DocIndex) -> list[Token]:
    """Clauses coordinated with the cue's reported clause that go on reporting it in quoted
    words ("said he had received offers for the gun, but “the offers were to use ...”", "said
    that the server was unprotected, and he had total access to a server that “was like ...”"):
    the parser hangs them off the cue; they are part of what was said. A conjoined clause
    without quoted words ("..., and the crowd cheered") or with a cue of its own stays out."""
    config = idx.config
    last = max(c.i for c in children)
    sent = _sent_of(cue)
    out = []
    for c in cue.children:
        if c.dep_ != "conj" or c.i < last or c.i >= sent.end or c.pos_ not in ("VERB", "AUX"):
            continue
        if not any(t.dep_ in ("nsubj", "nsubjpass", "expl") for t in c.children):
            continue
        sub = list(c.subtree)
        if any(_is_cue_verb(t, config) and not idx.inside_clause_quote(t) for t in sub):
            continue
        if c.lemma_.lower() in config.object_content:
            # "Smith saying he was “pleased” and Jones calling it “a good day”": a report of its own
            continue
        if any(t.is_quote for t in sub):
            out.append(c)
    # "announced that she was careless ..., but that her activity did not rise to a crime": a
    # second clause with a "that" of its own, which the parser hung on the cue (or on a verb
    # conjoined to it), is a second complement of the cue.
    chain = [c for c in cue.children if c.dep_ == "conj" and c.i > last and c.i < sent.end]
    while chain:
        c = chain.pop()
        chain += [d for d in c.children if d.dep_ == "conj" and d.i > c.i and d.i < sent.end]
        if c.pos_ in ("VERB", "AUX") and c not in out and \
                any(m.dep_ == "mark" and m.lower_ == "that" and m.i == c.left_edge.i for m in c.children) and \
                any(t.dep_ in ("nsubj", "nsubjpass") for t in c.children) and \
                not any(_is_cue_verb(t, config) and not idx.inside_clause_quote(t) for t in c.subtree):
            out.append(c)
    return out


def _reason_after(idx: _DocIndex, cue: Token, children: list[Token]) -> list[Token]:
    """"wrote that such a request was “futile,” because the FBI now has them": a "because" clause
    right after the reported clause (punctuation at most between) that the parser hung on the
    cue is the reason given in the report. Not when it has a cue of its own ("because he
    thought ...")."""
    last = max(c.right_edge.i for c in children)
    out = []
    for c in cue.children:
        if c.dep_ == "advcl" and c.left_edge.i > last and \
                any(m.dep_ == "mark" and m.lower_ == "because" and m.i == c.left_edge.i for m in c.children) and \
                all(t.is_punct or t.is_space for t in idx.doc[last + 1:c.left_edge.i]) and \
                not any(_is_cue_verb(t, idx.config) and not idx.inside_clause_quote(t) for t in c.subtree) and \
                not _quotes_own_thought(c):
            out.append(c)
    return out


def _quotes_own_thought(clause: Token) -> bool:
    """"because he thought it “risks higher inflation”": a clause whose verb has a subject and a
    complement clause in quoted words reports that subject's words or thoughts (any verb, not
    only a cue): a report of its own, not the reason in someone else's."""
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in clause.children) and \
        any(c.dep_ == "ccomp" and any(t.is_quote for t in c.subtree) for c in clause.children)


def _lost_subject(cue: Token, children: list[Token]) -> Token | None:
    """The subject of a reported clause that the parser hung on the cue ("state their plan is
    to ..." with "plan" an object of "state" and "is" left without a subject): a noun
    right after the cue, before a clause with no subject of its own; never a date ("said
    Monday ...")."""
    clause = children[0]
    if clause.dep_ != "ccomp" or clause.i < cue.i or \
            any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj", "mark") for c in clause.children):
        return None
    for c in cue.children:
        if c.dep_ in ("npadvmod", "dobj") and cue.i < c.i < clause.i and c.left_edge.i == cue.i + 1 and \
                c.pos_ == "NOUN" and c.right_edge.i < clause.left_edge.i and \
                (not c.ent_type_ or any(d.dep_ in ("relcl", "acl") for d in c.children)):
            # A date-like noun with a clause of its own is no time adverb ("said the days when
            # the nation had ... are gone").
            return c
    return None


def _semicolon_between(idx: _DocIndex, clause: Token, cue: Token) -> bool:
    """A clause wholly before the cue with a semicolon (outside quotations) between them."""
    if clause.i > cue.i or clause.right_edge.i >= cue.i:
        return False
    return any(t.text == ";" and not idx.inside_clause_quote(t)
               for t in idx.doc[clause.right_edge.i + 1:cue.i])


def _that_said(tok: Token) -> bool:
    """"That said, ...": a connective opening a sentence ("even so"), not a statement whose
    speaker is "That"."""
    doc = tok.doc
    if tok.lower_ != "said" or tok.i == 0 or tok.i + 1 >= len(doc) or doc[tok.i + 1].text != ",":
        return False
    prev = doc[tok.i - 1]
    if prev.lower_ != "that":
        return False
    before = prev.i - 1
    while before >= 0 and (doc[before].is_space or doc[before].pos_ == "CCONJ"):
        before -= 1
    return before < 0 or prev.is_sent_start or doc[before].text in (".", "!", "?", ";", ":") or doc[before].is_quote


def _inverted_parenthetical(cue: Token, config: QuoteConfig) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """"Part of the problem, say experts like X, is the ground itself": an inverted cue set off
    by commas inside a sentence. The parse takes the words before the cue for its subject and
    the speaker after it for the subject of the rest; the speaker is the phrase right after the
    cue (up to its comma) and the content the whole sentence around the cue."""
    doc = cue.doc
    if cue.i == 0 or doc[cue.i - 1].text != ",":
        return None
    subj = next((c for c in cue.children if c.dep_ == "nsubj" and c.i < cue.i), None)
    clause = next((c for c in cue.children if c.dep_ == "ccomp" and c.i > cue.i), None)
    if subj is None or clause is None or subj.lower_ in config.relative_pronouns or \
            any(c.dep_ == "appos" for c in subj.children):
        return None       # "X's manager, Corey Lewandowski, said the aide ...": the comma closes an apposition
    speaker = next((c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < clause.i), None)
    if speaker is None or speaker.left_edge.i != cue.i + 1 or not _animate(speaker, config):
        return None
    last = speaker.right_edge.i
    if doc[last].text != ",":
        last += 1
    if last >= clause.i or doc[last].text != "," or any(t.text == "," for t in doc[last + 1:clause.i]):
        return None       # the speaker phrase must close with the comma before the rest of the clause
    start, end = subj.left_edge, clause.right_edge
    while end.i > start.i and (end.is_punct or end.is_space):
        end = doc[end.i - 1]
    return (start.idx, end.idx + len(end.text)), _speaker_span(speaker, config)


def _parenthetical_host(cue: Token, config: QuoteConfig) -> bool:
    """A parataxis cue reads as a parenthetical on the sentence around it ("The increased
    hostility, he added, makes ..."): it has no complement of its own, bar the addressee of a
    telling verb ("Instead, Trump told CNN, his policy would ..."), and its head is a verb; or,
    when the parser took the rest of the sentence for a noun phrase ("In both cases, X said,
    those donations paid for ..."), the cue is set off by commas on both sides."""
    doc = cue.doc
    lemma = cue.lemma_.lower()
    for c in cue.children:
        if c.dep_ == "xcomp" and c.i > cue.i and any(t.text == "," for t in doc[cue.i + 1:c.left_edge.i]):
            continue      # "Nor does she have any plans, advisers say, to take ...": the host's words
        if c.dep_ in ("ccomp", "xcomp"):
            return False
        if c.dep_ == "dobj" and not (lemma in config.addressee_verbs and _animate(c, config)
                                     and c.i > cue.i and c.right_edge.i + 1 < len(doc)
                                     and doc[c.right_edge.i + 1].text == ","):
            return False
    if cue.head.pos_ in ("VERB", "AUX"):
        return True
    if cue.head.dep_ == "ROOT" and cue.head.pos_ in ("NOUN", "PROPN") and any(
            c.dep_ in ("acl", "conj") and c.pos_ == "VERB" and c.i < cue.i for c in cue.head.children):
        # “A big tractor” plowed through the fence, he said: a sentence whose verb the parser
        # hung on its subject noun (made the root)
        return True
    left, right = cue.left_edge.i, cue.right_edge.i
    if doc[left].text != ",":
        left -= 1
    if doc[right].text != ",":
        right += 1
    return cue.head.dep_ == "ROOT" and cue.head.i > cue.i and left >= 0 and doc[left].text == "," and \
        right < len(doc) and doc[right].text == ","


def _put_it(verb: Token, config: QuoteConfig) -> bool:
    """"As X put it, ...": a loose quotative (`cues.loose_quotatives`) with "it" as its object in an
    "as" clause quotes as a cue does."""
    return verb.lemma_.lower() in config.loose_quotatives and verb.dep_ == "advcl" and \
        any(c.dep_ == "dobj" and c.lower_ == "it" for c in verb.children) and \
        any(c.dep_ == "mark" and c.lower_ == "as" for c in verb.children)


def _as_clause_cue(cue: Token, config: QuoteConfig) -> bool:
    """"As X noted/explained/told CNN, ...": a cue in an adverbial clause opened by "as", with a
    subject of its own and no complement but the listener, on a verb of a clause of its own."""
    if cue.dep_ != "advcl" or cue.head.pos_ not in ("VERB", "AUX"):
        return False
    if not any(c.dep_ == "mark" and c.lower_ == "as" and c.i == cue.left_edge.i for c in cue.children):
        return False
    if not any(c.dep_ == "nsubj" for c in cue.children):
        return False          # "as expected", "as noted above": nobody speaks
    doc = cue.doc
    left, right = cue.left_edge.i, cue.right_edge.i
    if not (left > 0 and doc[left - 1].text == "," or right + 1 < len(doc) and doc[right + 1].text == ","
            or doc[right].text == ","):
        return False          # "rode the will of the crowd as he replied": a time clause, no aside
    for c in cue.children:
        if c.dep_ in ("ccomp", "xcomp", "attr", "oprd", "acomp") or \
                c.dep_ == "prep" and c.lower_ in config.as_clause_objects:
            return False
        if c.dep_ == "dobj" and not (cue.lemma_.lower() in config.addressee_verbs and _animate(c, config)) and \
                not _put_it(cue, config):
            return False
    return any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in cue.head.children)


def _as_cue_content(idx: _DocIndex, cue: Token) -> tuple[int, int] | None:
    """The clause an "as X reported" cue (_as_clause_cue) hangs on, without the "as" clause; None
    when the clause lies around the cue (its subject before, its verb after) or when too little
    is left. A conjunction or adverb opening the sentence before the "as" clause stays out ("And,
    as X reported, ..."); after a clause that the "as" clause closes, the words that follow it are
    no part of it ("X met Y, as the Post reported, and Z will ...")."""
    head = cue.head
    lead = [c for c in head.children if c.i < cue.i and c.dep_ in ("cc", "advmod", "punct")]
    gone = {t.i for c in [cue, *lead] for t in c.subtree}
    words = [t.i for t in head.subtree if t.i not in gone]
    lead = [c for c in lead if words and c.right_edge.i < words[0]]
    span = _content_of_subtree(head, exclude=[cue, *lead])
    if span is not None and span[0] <= cue.idx < span[1] and head.i < cue.left_edge.i:
        span = _content_of_subtree(head, exclude=[cue, *lead, *(c for c in head.children if c.i > cue.i)])
    if span is None or span[0] <= cue.idx < span[1] or len(idx.words(*span)) < 4:
        return None
    return span


def _opens_quoted_sentence(idx: _DocIndex, cue: Token) -> bool:
    """`When asked, he said, "We will ..."`: a cue whose host is inside the quotation opening
    right after it, with a capital (a sentence of its own), introduces that direct quote and is
    no aside on it (a quotation going on in lower case continues the sentence around the cue:
    `The plan, she said, "is the best we have"`)."""
    doc = cue.doc
    nxt = next((t for t in doc[cue.i + 1:cue.i + 4] if not (t.is_punct or t.is_space)), None)
    return nxt is not None and idx.inside_clause_quote(cue.head) and idx.inside_clause_quote(nxt) and \
        nxt.text[:1].isupper() and all(t.is_punct or t.is_space for t in doc[cue.i + 1:nxt.i])


def _ccomp_parenthetical(cue: Token, config: QuoteConfig) -> bool:
    """"Instead, Trump told CNN, his policy would be ...": a cue the parser hung as a clausal
    complement on the verb after it; with a comma closing the cue's phrase and the later verb's
    own subject after that comma, the cue is a parenthetical on the sentence."""
    doc = cue.doc
    head = cue.head
    if cue.dep_ not in ("ccomp", "advcl") or head.i <= cue.i or \
            not any(c.dep_ == "nsubj" and c.i < cue.i for c in cue.children):
        return False      # a passive ("Jokes are told, ...") or subjectless verb is no parenthetical
    if cue.dep_ == "advcl" and any(c.dep_ in ("mark", "advmod") and c.tag_ in ("IN", "WRB") for c in cue.children):
        return False      # "When X told CNN, ...", "As X told CNN, ...": a real adverbial clause; one
                          # with no such word is the aside ("Every Friday, X told the Post, she ...")
    if head.lemma_.lower() in config.speech or head.lemma_.lower() in config.direct_only:
        return False      # "He may add to the team, he said": the later verb reports this clause
    right = cue.right_edge.i
    if doc[right].text != ",":
        right += 1
    return right < head.i and doc[right].text == "," and \
        any(c.dep_ in ("nsubj", "nsubjpass") and right < c.i < head.i for c in head.children)


def _fronted_that_parenthetical(cue: Token, children: list[Token]) -> bool:
    """"She was not surprised that the campaign won, her advisers said, because ...": the parser
    hung the cue on "surprised" with the "that" clause as the cue's own (fronted) complement.
    English fronts no "that" clause before its reporting verb, so a "that" mark on the cue left
    of a complement that precedes the cue means the cue is a parenthetical on the whole sentence."""
    if cue.dep_ == "ROOT" or cue.head.i >= cue.i or len(children) != 1:
        return False
    clause = children[0]
    if clause.dep_ != "ccomp" or clause.i > cue.i:
        return False
    return any(c.dep_ == "mark" and c.lower_ == "that" and c.i <= clause.left_edge.i for c in cue.children)


def _verb_parsed_as_modifier(idx: _DocIndex, tok: Token) -> Attribution | None:
    """"Trump accused Cruz, the senator, of being “politically correct”", "Trump blasted Disney for
    its “outrageous practices”": the parser reads name + verb + name as one noun phrase (the verb
    a modifier of the second name, the sentence's root, the first name a compound of it). The
    first name is the speaker, and the rest of the phrase, holding quoted words, what is said."""
    config = idx.config
    lemma = tok.lemma_.lower()
    head = tok.head
    if tok.dep_ != "amod" or tok.tag_ not in ("VBD", "VBN") or tok.i == 0 or \
            not (lemma in config.object_content or lemma in config.speech) or \
            head.dep_ != "ROOT" or head.pos_ != "PROPN" or head.i != tok.i + 1 or \
            idx.inside_clause_quote(tok):
        return None
    subj = [t for t in head.children if t.dep_ in ("compound", "nmod") and t.i < tok.i]
    if not subj or subj[-1].i != tok.i - 1 or any(t.pos_ != "PROPN" for t in subj):
        return None
    end = _content_of_subtree(head)
    if end is None:
        return None
    span, quoted = _extend_to_quotes(idx, (head.idx, end[1]))
    if not quoted:
        return None
    att = Attribution("mixed", span, "mixed.object", cue=tok, cue_span=_cue_span(tok), cue_lemma=_cue_lemma(tok, idx.config),
                      speaker=(subj[0].i, tok.i))
    att.extra["speaker_fixed"] = True
    return att


# Dependents of a noun that only determine or qualify it: without others ("a story", "his
# weekly column") a document noun names the document, not what it says.
BARE_NOUN_DEPS = {"det", "poss", "amod", "compound", "nummod", "case", "punct", "advmod"}


def _np_object(idx: _DocIndex, tok: Token) -> Token | None:
    """The noun-phrase object of a verb of config.object_np that is its content ("announced her
    plan to ..."), or None: not without a subject, nor beside a clause (the clause is the content),
    nor a pronoun ("denied it"), a listener ("told reporters"), or a bare document noun ("wrote a
    letter", "reported the story": the vehicle, not the words)."""
    config = idx.config
    if tok.pos_ != "VERB" or tok.dep_ in ("amod", "compound") or tok.lemma_.lower() in config.addressee_verbs or \
            any(c.dep_ in ("ccomp", "xcomp", "csubj", "dative") for c in tok.children):
        return None
    # "..., said the chart", "“...,” tweeted a user": an inverted cue after the words, whose
    # "object" is the speaker; its parsed subject, if any, holds the quotation.
    prev = next((t for t in reversed(tok.doc[max(0, tok.i - 3):tok.i]) if not t.is_space), None)
    if tok.tag_ in ("VBD", "VBZ", "VBP") and prev is not None and prev.is_punct:
        subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass") and c.i < tok.i]
        if not subj or any(t.is_quote for c in subj for t in c.subtree):
            return None
    obj = next((c for c in tok.children if c.dep_ == "dobj" and c.i > tok.i), None)
    if obj is None or obj.pos_ == "PRON" or obj.tag_ in ("DT", "WDT", "IN"):
        return None         # "denied it", "announced that ..." (a clause's mark taken for the object)
    if obj.pos_ in ("ADJ", "ADV", "INTJ") and not any(True for _ in obj.children):
        return None         # "said little", "said goodbye": a quantity or a formula, no statement
    if obj.lemma_.lower() in config.document_nouns and all(c.dep_ in BARE_NOUN_DEPS for c in obj.children):
        return None
    if _find_subject(tok, config)[0] is None:
        return None
    # quoted words in a later complement ("noted her job after college “sliming” fish"): the
    # statement runs on past the object, as a quoted fragment (quoted_fragments takes it). Not a
    # clause of its own ("acknowledged his success, saying “...”": another report).
    for c in tok.children:
        if c.i > obj.i and c.dep_ in FRAGMENT_DEPS and c.pos_ not in ("VERB", "AUX"):
            lo, hi = c.left_edge.idx, c.right_edge.idx + len(c.right_edge)
            if any(lo <= q.open_start < hi for q in idx.quotes):
                return None
    return obj


def _passive_agent(tok: Token, config: QuoteConfig) -> tuple[Token, Token] | None:
    """(subject, agent) of a passive reporting verb with a "by" agent that can speak ("The meeting
    was first reported by the Post", "The sale was confirmed by the company"): the subject is
    what was reported, the agent who reported it. Not a relative pronoun as the subject (the
    thing it stands for lies outside the clause), nor a verb with a clause of its own."""
    if tok.lemma_.lower() not in config.passive_agent_verbs or tok.tag_ != "VBN" or \
            not any(c.dep_ == "auxpass" for c in tok.children) or \
            any(c.dep_ in ("ccomp", "xcomp", "csubjpass") for c in tok.children):
        return None
    subj = next((c for c in tok.children if c.dep_ == "nsubjpass" and c.i < tok.i), None)
    agent = next((g for c in tok.children if c.dep_ == "agent" and c.i > tok.i
                  for g in c.children if g.dep_ == "pobj"), None)
    if subj is None or agent is None or subj.pos_ == "PRON" or subj.tag_ in ("WDT", "WP", "DT") or \
            not _animate(agent, config):
        return None
    return subj, agent


def _casts_as_quoted(idx: _DocIndex, tok: Token) -> bool:
    """"offered himself as a “law and order” candidate", "addressing her informally as “Hillary”":
    any verb casting its object "as" quoted words (the quotation opening right after "as", only
    articles and modifiers between: "as a mere “moan”") passes a judgement in those words, as
    "describe" does; its subject is the source. Without the quotation it is no statement
    ("offered himself as a candidate"), nor with one deeper in the phrase (a title: "chose X as
    host of “The Show”")."""
    if tok.pos_ != "VERB" or not any(c.dep_ == "dobj" for c in tok.children):
        return False
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "as" and c.i > tok.i:
            nxt = [t for t in idx.doc[c.i + 1:c.i + 6] if not t.is_space]
            k = next((j for j, t in enumerate(nxt) if t.is_quote), None)
            if k is not None and all(t.pos_ in ("DET", "ADJ", "ADV") for t in nxt[:k]) and \
                    any(q.open_start == nxt[k].idx and q.closed for q in idx.quotes):
                return True
    return False


# A cue verb and the span of its reported clause as parsed, with its rule and a speaker span
# fixed by that rule (or None); reported_speech fits it to the quotations taken.
ReportedClause = tuple[Token, tuple[int, int], str, tuple[int, int] | None]


def _cue_children(idx: _DocIndex, tok: Token) -> list[Token]:
    """The clauses a speech verb reports (its content children), less those the parser hung on
    it that are not its own."""
    config = idx.config
    doc = idx.doc
    children = _content_children(tok, config)
    # A clause before the cue and cut off from it by a semicolon is a sentence of its own,
    # with its own cue, that the parser hung on this one ("Most voters say they ...; 26
    # percent say they ..."): not what this cue reports.
    children = [c for c in children if not _semicolon_between(idx, c, tok)]
    # "Six in 10 said X, and three-quarters said Y": a cue with a subject of its own after
    # "and" that the parser hung on the first cue as a second clause reports on its own.
    children = [c for c in children if c is children[0] or c.i < tok.i or not _own_subject_cue(c, config)
                or doc[c.left_edge.i - 1].dep_ != "cc"]
    if any(c.dep_ == "ccomp" and c.i > tok.i and
           not any(t.is_punct and not t.is_quote for t in doc[tok.i + 1:c.i])
           for c in children):
        # With a reported clause right after the cue, a clause before the cue and its
        # subject is an adverbial the parser took for a second one ("While not every promise
        # was kept, Smith said voters are “...”", "Sitting down with reporters, during which
        # she ..., she remarked that ..."): the setting, not what was said. Not when
        # punctuation comes between the cue and the later clause's verb ("..., the mayor
        # says: In her view ...", "The council had a say, said a spokesman, who ... helped":
        # the parse of an inverted cue).
        children = [c for c in children if c.i > tok.i or c.right_edge.i >= tok.i]
    return children


def _clause_content(idx: _DocIndex, tok: Token, children: list[Token], lemma: str
                    ) -> tuple[tuple[int, int] | None, str]:
    """The span a cue's reported clauses cover (None when none is left) and its rule: a
    that-clause (indirect.ccomp), a to-infinitive (indirect.infinitive) or a called-for object
    (indirect.call_for). Clauses hung on the cue after a nested cue go to that cue
    (`idx.clauses_of_nested`)."""
    span, rule = None, "indirect.ccomp"
    # ", the Jerusalem Post reports" at the end of a reported clause is another cue's
    # parenthetical, not part of what was said.
    nested = {c.i: _nested_cues(c, tok, idx) for c in children}
    after = [n.i for ns in nested.values() for n in ns if n.i > tok.i]
    if after:
        # A second clause the parser hung on the cue after a nested cue is that cue's
        # (noted that ... and quoted his “rule” -- “...”): not this one's.
        theirs = [c for c in children if c.i > tok.i and c.left_edge.i > min(after)]
        if len(theirs) < len(children):
            children = [c for c in children if c not in theirs]
            for c in theirs:
                owner = max(n for n in after if n < c.left_edge.i)
                idx.clauses_of_nested.setdefault(owner, []).append(c)
    spans = [_clause_before_nested(idx, c, nested[c.i]) for c in children]
    spans = [s for s in spans if s]
    lost = _lost_subject(tok, children)
    if spans and lost is not None:
        spans.append((lost.left_edge.idx, spans[0][0]))
    if spans and children[0].dep_ == "ccomp":
        spans += [s for s in (_content_of_subtree(c) for c in _quoted_conj_clauses(tok, children, idx)) if s]
        spans += [s for s in (_content_of_subtree(c) for c in _reason_after(idx, tok, children)) if s]
    if spans:
        span = (min(s[0] for s in spans), max(s[1] for s in spans))
        if _fronted_that_parenthetical(tok, children):
            span = _content_of_subtree(tok.sent.root) or span
        if children[0].dep_ in ("xcomp", "advcl") and lemma != "make" and \
                children[0].left_edge.lower_ not in ("that", "if", "whether") and \
                not (children[0].left_edge.tag_ in ("WRB", "WP", "WDT") and
                     any(c.dep_ in ("nsubj", "nsubjpass") for c in children[0].children)) and \
                not (children[0].dep_ == "advcl" and _unmarked_finite_clause(tok, children[0])):
            rule = "indirect.infinitive"
        elif children[0].dep_ == "prep":
            rule = "indirect.call_for"
    return span, rule


def _object_content(idx: _DocIndex, tok: Token, lemma: str) -> tuple[int, int] | None:
    """described the ties as “unique”: the span of a verb's object (with its "as" complement and
    what goes on describing it) when it holds quoted words (rule mixed.object); else None (an
    object without quoted words is a topic, not a statement)."""
    config = idx.config
    doc = idx.doc
    # described the ties as “unique”: the object (with its "as" complement) holds quoted
    # words. Without quoted words an object is a topic, not a statement: skipped.
    objs = [c for c in tok.children if c.dep_ in ("dobj", "attr", "oprd")]
    if not objs:
        # "called what she witnessed “terrible”": a free relative parsed as a clause is
        # the object.
        objs = [c for c in tok.children if c.dep_ == "ccomp" and c.i > tok.i and
                c.left_edge.lower_ in ("what", "whatever")]
    # Without a subject the verb is likely a mis-parsed modifier ("Netanyahu's declared
    # intention to ..."): no speaker, no statement.
    if objs and _find_subject(tok, config)[0] is None:
        objs = []
    if not objs and any(c.dep_ == "auxpass" for c in tok.children) and \
            lemma not in config.name_giving_verbs and \
            any(q.open_start > tok.idx and q.open_start < _sent_of(tok).end_char for q in idx.quotes):
        # Duterte has been called the “Trump of the East”: in the passive the subject is
        # the object described (the speaker, if any, is the agent). Not a name given
        # ("will be dubbed the “... PAC”"), nor "what is called a “debate”", nor a quoted
        # subject ("The so-called “Initiative” was called by ...").
        objs = [c for c in tok.children if c.dep_ == "nsubjpass" and c.i < tok.i and
                c.lower_ not in config.relative_pronouns]
    if objs:
        start_tok = objs[0]
        # described X as "...", accused X of "...", thanked X for "...".
        pieces = [start_tok] + [c for c in tok.children if c.i > start_tok.i and
                                c.dep_ in ("prep", "oprd", "advcl", "xcomp") and
                                (c.lower_ in ("as", "of", "for") or c.dep_ in ("oprd", "xcomp"))]
        # called him “the worst choice” and someone who had “...”: a second complement the
        # parser conjoined to the verb goes on describing the object.
        pieces += [c for c in tok.children if c.dep_ == "conj" and c.i > start_tok.i and
                   c.pos_ in ("NOUN", "PRON", "PROPN")]
        pieces += _tail_adjuncts(idx, tok, pieces)
        # called it “dangerous” that ...: the clause "it" stands for
        if start_tok.lower_ == "it":
            pieces += [c for c in tok.children if c.dep_ == "ccomp" and c.i > start_tok.i and
                       any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)]
        # called the plan “a mistake” because ...: the reason right after the object is
        # part of the judgement (not when a cue of its own reports it: "because he
        # thought ...", nor when other words come between).
        pieces += [c for c in tok.children if c.dep_ == "advcl" and c.i > start_tok.i and
                   any(m.dep_ == "mark" and m.lower_ == "because" for m in c.children) and
                   c.left_edge.i <= max(p.right_edge.i for p in pieces) + 2 and
                   not any(_is_cue_verb(t, config) and not idx.inside_clause_quote(t)
                           for t in c.subtree) and not _quotes_own_thought(c)]
        # A participle cue inside the object ("..., saying the move could ...") is
        # another attribution: left out of this one.
        # So is a relative clause reporting someone else ("criticized Clinton's email
        # use, which an FBI investigation said was “extremely careless”"); a passive one
        # describes the object ("calling it a “filing error” that was reported in ...") and
        # stays.
        nested = [t for p in pieces for t in p.subtree if t.i != tok.i and _is_cue_verb(t, config)
                  and (t.tag_ == "VBG" and t.dep_ in ("advcl", "acl", "conj") or t.dep_ == "relcl"
                       and not any(c.dep_ == "nsubjpass" for c in t.children))
                  and not idx.inside_clause_quote(t)]
        spans = [_content_of_subtree(p, exclude=nested) for p in pieces]
        spans = [s for s in spans if s]
        if spans:
            cand = (min(s[0] for s in spans), max(s[1] for s in spans))
            if not any(q.content_start < cand[1] and q.content_end > cand[0] for q in idx.quotes):
                # called the standards “strong.”: the parser may hang the quoted
                # complement off another word; a quotation opening right after the object
                # (an article at most between, no punctuation) is still its complement.
                last = doc[max(p.right_edge.i for p in pieces)]
                nxt = [t for t in doc[last.i + 1:last.i + 4] if not t.is_space]
                k = next((j for j, t in enumerate(nxt) if t.is_quote), None)
                if k is not None and all(t.pos_ == "DET" for t in nxt[:k]):
                    q = next((q for q in idx.quotes if q.open_start == nxt[k].idx and q.closed), None)
                    if q is not None and idx.paragraph_of(q.open_start) == idx.paragraph_of(cand[0]):
                        cand = (cand[0], q.close_end)
            if any(q.content_start < cand[1] and q.content_end > cand[0] for q in idx.quotes):
                return cand
    return None


def _clause_parsed_as_main(idx: _DocIndex, tok: Token, lemma: str, speaker: tuple[int, int] | None
                           ) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """A speech verb the parser took for a modifier (acl) or an adverbial (advcl) of the clause it
    reports: (that clause's span or None, the speaker -- the one given unless the modifier
    reading names it)."""
    config = idx.config
    doc = idx.doc
    span = None
    if tok.dep_ == "acl" and tok.tag_ in ("VBD", "VBN") and \
            tok.head.dep_ == "nsubj" and tok.head.i < tok.i and \
            not any(c.dep_ in ("agent", "dobj", "ccomp", "nsubj", "nsubjpass") for c in tok.children):
        # "Multiple outlets reported on Wednesday the Secret Service had ...": the cue was
        # parsed as a modifier of its own subject, and the reported clause's subject as a second
        # subject of the clause's verb; that subject and its verb are the content.
        verb = tok.head.head
        second = next((c for c in verb.children if c.dep_ == "nsubj" and c.i > tok.right_edge.i), None)
        if second is not None and verb.i > second.i and \
                not any(t.is_punct for t in doc[tok.right_edge.i + 1:second.left_edge.i]):
            span = _content_of_subtree(verb, exclude=[tok.head])
            if span is not None:
                span = (second.left_edge.idx, span[1])
                speaker = _speaker_span(tok.head, config, keep_acl=False)
    if tok.dep_ == "advcl" and tok.head.i > tok.right_edge.i and \
            tok.head.pos_ in ("VERB", "AUX") and lemma in config.listener_verbs and \
            any(c.dep_ == "nsubj" for c in tok.children) and \
            not any(c.dep_ in ("ccomp", "xcomp") for c in tok.children):
        # "three days after Trump told the Post he was “not quite there yet”": the parser took
        # the reported clause for the main one and the cue for its adverbial; with no comma
        # between the cue's listener and the clause's subject, that clause is what was said.
        second = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass") and
                       c.i > tok.right_edge.i), None)
        listener = next((c for c in tok.children if c.dep_ in ("dobj", "dative")), None)
        if second is not None and listener is not None and listener.right_edge.i == tok.right_edge.i and \
                second.left_edge.i == tok.right_edge.i + 1:
            span = _content_of_subtree(tok.head, exclude=[tok])
            if span is not None:
                span = (second.left_edge.idx, span[1])
    return span, speaker


def reported_clauses(idx: _DocIndex) -> Iterator[Attribution | ReportedClause]:
    """The walk over the parse behind reported_speech, independent of the quotations taken (so a
    caller that tries several `taken` lists walks once): for each cue verb with a reported
    clause, a ReportedClause; a verb parsed as a modifier comes as its finished Attribution.

    Skips cues inside a direct quotation (a nested report) and intentions (had planned to tell).
    """
    config = idx.config
    # (only verbs can be cues, or be cast as quoted; a verb parsed as a modifier is an "amod")
    for tok in idx.tokens_where(pos=("VERB", "AUX"), dep=("amod",)):
        lemma = tok.lemma_.lower()
        speech = _is_cue_verb(tok, config) or _put_it(tok, config)
        # Verbs that report speech only through an object holding quoted words ("called Burma a
        # “good news story”", "labeled it “Mostly True”").
        # ... and any verb whose object is cast "as" quoted words.
        # (not a name given: "named her as its “Person of the Year”")
        cast_as = not speech and lemma not in config.object_content and \
            lemma not in config.name_giving_verbs and _casts_as_quoted(idx, tok)
        object_only = not speech and tok.pos_ == "VERB" and (lemma in config.object_content or cast_as) and \
            tok.dep_ not in ("amod", "compound")
        mis = _verb_parsed_as_modifier(idx, tok)
        if mis is not None:
            yield mis
            continue
        if not (speech or object_only):
            continue
        if _object_of_misread_verb(tok, config):
            continue
        if idx.inside_clause_quote(tok) or _governed_by_plan(tok, config) or _that_said(tok):
            continue
        if lemma in config.animate_only:
            # "which could explain why ...", "the data suggest ...": a thing explains, nobody speaks.
            subj, _ = _find_subject(tok, config)
            if subj is None or not _animate(subj, config):
                continue
        moved = idx.clauses_of_nested.get(tok.i, [])     # clauses an earlier cue's parse took
        children = _cue_children(idx, tok) if speech else []
        rule = "indirect.ccomp"
        span = None
        speaker = None
        if children:
            span, rule = _clause_content(idx, tok, children, lemma)
        if span is None and (lemma in config.object_content or object_only):
            # described the ties as “unique”: the object (with its "as" complement) holds quoted
            # words. Without quoted words an object is a topic, not a statement: skipped.
            cand = _object_content(idx, tok, lemma)
            if cand is not None:
                span, rule = cand, "mixed.object"
        if span is None and speech and not children and tok.dep_ == "relcl":
            inner = _relative_through_cue(tok, config)
            if inner is not None:
                # "the drawdown, which they say left a vacuum": the relative pronoun is the
                # subject of the verb after the cue; that verb's clause is what they say.
                span = _content_of_subtree(inner[1], exclude=[t for t in inner[1].subtree if t.i < tok.i])
                speaker = _speaker_span(inner[0], config)
                rule = "indirect.relative"
        if span is None and speech and not children:
            pro = _pro_form_object(tok, config)
            if pro is not None and _find_subject(tok, config)[0] is not None:
                # "40 percent who say the same about Trump", "46 percent said yes": a word standing
                # for a statement is what was said (without a speaker the parse has gone wrong).
                span = _content_of_subtree(pro)
                # "said no to the war": a refusal with what is refused
                to = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "to" and
                           c.i == pro.right_edge.i + 1 and pro.lower_ in config.pro_form_refusals), None)
                if span is not None and to is not None:
                    span = (span[0], (_content_of_subtree(to) or span)[1])
                rule = "indirect.pro_form"
        if span is None and lemma in config.object_np:
            # "announced her plan to ...", "acknowledged the mistake", "denounced the attack": the
            # noun phrase a verb of `object_np` takes in place of a clause is what was said.
            obj = _np_object(idx, tok)
            if obj is not None:
                nested = [t for t in obj.subtree if _is_cue_verb(t, config) and t.dep_ in ("acl", "relcl", "advcl")
                          and not idx.inside_clause_quote(t)]
                span = _content_of_subtree(obj, exclude=nested)
                rule = "indirect.object"
        if span is None and speech and (passive := _passive_agent(tok, config)) is not None:
            # "The meeting was first reported by the Post": the subject, said by the agent
            span, speaker, rule = _content_of_subtree(passive[0]), _speaker_span(passive[1], config), \
                "indirect.passive_agent"
        if span is None and speech and (tok.dep_ == "parataxis" or _ccomp_parenthetical(tok, config)) and \
                _parenthetical_host(tok, config) and not _opens_quoted_sentence(idx, tok):
            # The increased hostility, he added, makes ...: a parenthetical cue; the content is
            # the sentence around it.
            head = tok.head
            span = _content_of_subtree(head)
            rule = "indirect.parenthetical"
        if span is None and speech and _as_clause_cue(tok, config):
            # "As Ryan has pointed out, that is the “textbook definition” of racism": an "as"
            # clause with a cue reports the clause it hangs on.
            span = _as_cue_content(idx, tok)
            rule = "indirect.as_cue"
        if span is not None and rule == "indirect.ccomp":
            inverted = _inverted_parenthetical(tok, config)
            if inverted is not None:
                span, speaker = inverted
                rule = "indirect.parenthetical"
        if span is None and speech:
            span, speaker = _clause_parsed_as_main(idx, tok, lemma, speaker)
        if span is None and speech and (tok.dep_ == "ROOT" or _comma_conjunct(tok)):
            trailing = _trailing_clause(idx, tok)
            if trailing is not None:
                span, speaker = trailing[:2], _speaker_span(trailing[2], config)
                rule = "indirect.trailing"
        if span is None:
            continue
        if moved:
            extra = [s for s in (_content_of_subtree(c) for c in moved) if s]
            span = (min([span[0]] + [s[0] for s in extra]), max([span[1]] + [s[1] for s in extra]))
        yield tok, span, rule, speaker


def reported_speech(idx: _DocIndex, taken: list[tuple[int, int]],
                    clauses: Sequence[Attribution | ReportedClause] | None = None) -> Iterator[Attribution]:
    """Cue verbs with a reported clause: indirect, or mixed when quoted words sit inside.

    Skips cues inside a direct quotation (a nested report), intentions (had planned to tell),
    and clauses already covered by a direct quotation. `clauses`: reported_clauses(idx), when
    the caller has walked the parse already."""
    for clause in reported_clauses(idx) if clauses is None else clauses:
        if isinstance(clause, Attribution):
            yield clause
            continue
        tok, span, rule, speaker = clause
        span = _colon_quotation(idx, span, taken) or span
        # Extend to the closing mark of any quotation opening inside the content (a mixed quote
        # whose quoted part runs past the parsed clause).
        span, quoted = _extend_to_quotes(idx, span)
        if _overlap(span, taken) > 0:
            # A direct quotation already reports part of this clause (Starr said Clinton's
            # situation reminds him of ..., explaining, "because ..."): keep the longest piece
            # the quotations leave, when it still reads as a clause.
            span = _minus_taken(idx, span, taken)
            if span is None:
                continue
            _, quoted = _extend_to_quotes(idx, span)
        typ = "mixed" if quoted else "indirect"
        if typ == "mixed":
            rule = MIXED_VARIANT.get(rule, rule)
        att = Attribution(typ, span, rule, cue=tok, cue_span=_cue_span(tok), cue_lemma=_cue_lemma(tok, idx.config))
        if speaker is not None:
            att.speaker = speaker
            att.extra["speaker_fixed"] = True
        yield att


# Dependents of a verb that may hold the words it quotes from its subject.
FRAGMENT_DEPS = {"dobj", "prep", "ccomp", "xcomp", "attr", "oprd", "acomp", "dative", "advcl", "npadvmod"}

# Adjuncts after a quoted complement that go on with the quoted statement.
TAIL_DEPS = {"prep", "npadvmod"}


def _time_adjunct(tok: Token) -> bool:
    """"on Monday", "last week": when it was said, not part of what was said."""
    return any(t.ent_type_ in ("DATE", "TIME") for t in tok.subtree)


def _tail_adjuncts(idx: _DocIndex, verb: Token, pieces: list[Token]) -> list[Token]:
    """The verb's adjuncts right after its quoted complements finish the statement ("are crying
    “fraud” over delegate selection", "acting as “the judge” in his handling of ...", "criticized
    the “identity politics” on display in the race"): up to a comma, a conjunction or a clause
    of its own."""
    out: list[Token] = []
    end = max(p.right_edge.i for p in pieces)
    for c in sorted(verb.children, key=lambda t: t.i):
        if c.i <= end or c.is_punct:
            continue
        # (a comma inside the closing mark is the quotation's own: “a necessary one,” at a time ...)
        if c.dep_ not in TAIL_DEPS or _time_adjunct(c) or c.lower_ == "according" or any(
                not t.is_quote and (t.is_punct or t.dep_ == "cc") and
                not any(q.content_start <= t.idx < q.content_end for q in idx.quotes)
                for t in idx.doc[end + 1:c.left_edge.i]):
            break
        out.append(c)
        end = c.right_edge.i
    return out


def _title_like(idx: _DocIndex, q: QuoteSpan) -> bool:
    """Every content word capitalised: a title or a name (“Meet the Press”, “Trump Revealed”)."""
    words = [t for t in idx.words(q.content_start, q.content_end) if t.is_alpha]
    content = [t for t in words if not t.is_stop or t.i == words[0].i] if words else []
    return bool(content) and all(t.text[:1].isupper() for t in content) and len(words) < 12


def quoted_fragments(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """A verb outside the cue lexicon whose complements hold quoted words, with a subject that
    can speak: the writer quotes the subject inside a clause of his own ("he referred to
    demonstrators as ''my friends''", "Rubio bemoaned the climate in which people “literally
    hate each other”", "Bolton thought some of the “Neocons For Hillary” buzz was ..."). The
    content is the verb's complements up to the one holding the quotation."""
    config = idx.config
    seen: set[int] = set()
    for q in idx.quotes:
        if q.depth != 0:
            continue
        first = idx.token_at(q.content_start)
        if first is None or idx.inside_clause_quote(first) and q not in idx.clause_quotes:
            continue
        verb = next((a for a in first.ancestors if a.pos_ == "VERB" and a.i < first.i), None)
        if verb is None or verb.i in seen or idx.inside_clause_quote(verb):
            continue
        seen.add(verb.i)
        if (verb.dep_ == "ccomp" or verb.dep_ == "xcomp" and verb.tag_ in ("VBD", "VBZ", "VBP")) and \
                verb.head.i < verb.i and _is_cue_verb(verb.head, config) and \
                not _governed_by_plan(verb.head, config) and not idx.inside_clause_quote(verb.head):
            # a guide which she said represented all her “work-related” emails: the clause with
            # the quoted words is reported by the speech verb above it, whose subject speaks.
            verb = verb.head
        lemma = verb.lemma_.lower()
        # Cue verbs are the other extractors' business (what they leave is a setting: said
        # on NBC's “Meet the Press”); be/have/make say nothing of their own.
        if lemma in config.not_tail_verbs or verb.dep_ in ("amod", "compound") or \
                idx.paragraph_of(verb.idx) != idx.paragraph_of(q.open_start):
            continue
        # "refers to the governor as “Chris”": a name given to someone is what the subject calls
        # them, quoted words even when they are one word or a name.
        naming = lemma in config.naming_verbs and any(
            c.dep_ == "prep" and c.lower_ == "as" and c.i < first.i <= c.right_edge.i for c in verb.children)
        if _title_like(idx, q) and not naming:
            continue          # a name, not words: appeared on “The View”, edits “Eat The Press”
        lexicon = lemma in config.speech or lemma in config.direct_only or lemma in config.object_content \
            or naming
        if not lexicon and len(idx.words(q.content_start, q.content_end)) < 2:
            continue          # one quoted word under any verb is mostly a scare quote: a “dry port”
        subj, passive = _find_subject(verb, config)
        if subj is None or passive or subj.lower_ in config.not_fragment_subjects or not _animate(subj, config) \
                or idx.inside_clause_quote(subj):
            continue
        path = next((c for c in verb.children if c.i > verb.i and (c.i == first.i or c in first.ancestors)), None)
        if path is None or path.dep_ not in FRAGMENT_DEPS:
            continue
        pieces = [c for c in verb.children if verb.i < c.i <= path.i and c.dep_ in FRAGMENT_DEPS]
        pieces += _tail_adjuncts(idx, verb, pieces)
        nested = [t for p in pieces for t in p.subtree if t.i != verb.i and t.pos_ == "VERB" and
                  t.dep_ in ("advcl", "conj", "relcl") and _is_cue_verb(t, config) and not idx.inside_clause_quote(t)]
        spans = [_content_of_subtree(p, exclude=nested) for p in pieces]
        spans = [sp for sp in spans if sp]
        if not spans:
            continue
        span, quoted = _extend_to_quotes(idx, (min(sp[0] for sp in spans), max(sp[1] for sp in spans)))
        if not quoted or _overlap(span, taken) > 0:
            continue
        yield Attribution("mixed", span, "mixed.quoted_fragment", cue=verb, cue_span=_cue_span(verb),
                          cue_lemma=_cue_lemma(verb, idx.config))


def _own_statement(noun: Token, verb: Token, config: QuoteConfig) -> bool:
    """A reporting noun in the object of a verb is its subject's own statement when the
    subject does something with it as its maker: "Cruz entered the debate with a forceful
    argument that ...", "Trump backed away from his suggestion that ..."; not when the verb
    disputes, reports or weighs someone else's ("rejected the claim that ...")."""
    if verb.lemma_.lower() in config.disputing_verbs:
        return False
    # "the claim" with an article of its own may be anybody's; "his"/"her"/"their"/"an" claim
    # with the subject's own determiner is the subject's.
    det = next((c for c in noun.children if c.dep_ in ("det", "poss")), None)
    return det is not None and det.lower_ in ("his", "her", "their", "its", "a", "an")


def _named_owner(noun: Token) -> Token | None:
    """"a New York Times report that ...", "a Kremlin statement that ...": a name compounded
    before the reporting noun owns it, as a possessor would ("the Times's report"), rather than
    whoever takes up the report ("Clinton is seizing upon a New York Times report that")."""
    return next((c for c in noun.lefts if c.dep_ == "compound" and c.pos_ == "PROPN" and
                 c.ent_type_ in ("ORG", "PERSON")), None)


def _maker_of_statement(noun: Token, config: QuoteConfig) -> Token | None:
    """The speaker of a reporting noun without a possessor, from the verb around it: the subject
    of "Weaver says in a statement that ..." / "Detzner sent out a statement that ..." (a
    speaking subject of a speech verb, or of a verb that makes statements). Not "Clinton
    rejected the claim that ...": the claim is someone else's."""
    if noun.dep_ == "pobj" and noun.head.lower_ == "in" and noun.head.head.pos_ == "VERB":
        verb = noun.head.head
        if not _is_cue_verb(verb, config):
            return None
    elif noun.dep_ == "dobj" and noun.head.pos_ == "VERB":
        verb = noun.head
        if verb.lemma_.lower() not in config.statement_making_verbs and not _is_cue_verb(verb, config) and \
                not _own_statement(noun, verb, config):
            return None
    elif noun.dep_ == "pobj" and noun.head.dep_ == "prep" and noun.head.head.pos_ == "VERB" and \
            _own_statement(noun, noun.head.head, config):
        verb = noun.head.head
    else:
        return None
    if _governed_by_plan(verb, config):
        return None
    subj, passive = _find_subject(verb, config)
    if subj is None or passive or not _animate(subj, config):
        return None
    return subj


def _stance_holder(noun: Token, config: QuoteConfig) -> Token | None:
    """Whoever takes a stance on an unowned reporting noun in the object of their verb:
    "Christie repeated accusations that ...", "Trump backed away from the suggestion that ...",
    "Nehlen responded to reports that ...". The subject reacts to the statement, so the "that"
    clause is reported through them (PolNeAR writes the verb's subject as the source); a
    subject that is no speaker, or one disputing the statement as its object ("Clinton
    rejected the claim that ..."), gives none."""
    node = noun
    if node.dep_ == "pobj" and node.head.dep_ in ("prep", "agent"):
        node = node.head
        if node.lower_ in config.stance_blockers:
            return None       # "Despite complaints that ...": nobody's stance
        if node.head.pos_ == "ADV" and node.head.dep_ in ("advmod", "prt"):
            node = node.head  # "backed away from the suggestion", "veered close to an admission"
    if node.dep_ not in ("dobj", "prep", "advmod", "prt") or node.head.pos_ not in ("VERB", "AUX"):
        return None
    verb = node.head
    if verb.lemma_.lower() in config.stance_blockers:
        return None           # "it drew complaints that ...": the subject is what others talk about
    if node.dep_ == "dobj" and verb.lemma_.lower() in config.disputing_verbs:
        return None           # "Clinton rejected the claim that ...": someone else's claim
    subj, passive = _find_subject(verb, config)
    if subj is None or passive or not _animate(subj, config) or subj.lower_ in config.relative_pronouns \
            or subj.lower_ in config.unresolvable_pronouns:
        return None
    return subj


def _statement_maker_verb(cue: Token, config: QuoteConfig) -> Token | None:
    """"X released a statement saying ...": the participle hangs off the statement, which X
    issued; X is the one saying (PolNeAR writes the source as X). The verb making the statement,
    when it has a speaking subject; None otherwise."""
    noun = cue.head
    # "X released a statement that said ...": a relative clause on the statement reads the same.
    relative = cue.dep_ == "relcl" and any(c.dep_ == "nsubj" and c.lower_ in ("that", "which")
                                           for c in cue.children)
    if not (cue.dep_ == "acl" and cue.tag_ == "VBG" or relative):
        return None
    if cue.dep_ == "acl" and noun.dep_ == "pobj" and noun.head.lower_ == "to" and noun.head.dep_ in ("dative", "prep"):
        # "sent out a text message to supporters saying ...": the participle hangs on the
        # addressees; what says it is the message sent to them.
        holder = noun.head.head
        if holder.pos_ == "VERB":
            holder = next((c for c in holder.children if c.dep_ == "dobj"), holder)
        noun = holder
    if noun.lemma_.lower() not in config.document_nouns:
        return None
    if noun.dep_ != "dobj" or noun.head.pos_ != "VERB" or noun.head.lemma_.lower() not in config.statement_making_verbs:
        return None
    subj, passive = _find_subject(noun.head, config)
    if subj is None or passive or not _animate(subj, config):
        return None
    return noun.head


def noun_cues(idx: _DocIndex, taken: list[tuple[int, int]],
              hosts: Sequence[tuple[int, int]] = ()) -> Iterator[Attribution]:
    """A reporting noun with a "that" clause: "Trump's claim that there have been ...", "his
    warning that ...". The possessor (or a "by"/"from" phrase) is the speaker.

    One with a possessive owner and quoted words inside a reported clause (hosts) is a report of
    its own nested in that one ("Pence blamed the media for seizing on Trump's claim that Obama
    “founded ISIS”"): kept, marked nested."""
    config = idx.config
    for tok in idx.tokens_where(pos=("NOUN",)):
        lemma = tok.lemma_.lower()
        if tok.pos_ != "NOUN" or lemma not in config.noun_cues | config.noun_cue_for \
                or idx.inside_clause_quote(tok):
            continue
        clause = None
        if lemma in config.noun_cues:
            clause = next((c for c in tok.children if c.dep_ in ("acl", "ccomp", "appos", "relcl") and c.i > tok.i
                           and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)), None)
        owned_only = False
        if clause is None:
            # A person's pledge or demand quoted in part: "his promise to be “neutral” in talks"
            # (a "to" clause), "her call for “a complete and total ban” on imports" (a "for" object). Only
            # with a possessive owner and quote marks in the content: unowned or unquoted, these
            # are the writer's summary ("a promise to cut taxes").
            clause = next((c for c in tok.children if c.dep_ == "acl" and c.i > tok.i and c.pos_ in ("VERB", "AUX")
                           and any(a.dep_ == "aux" and a.lower_ == "to" and a.i < c.i for a in c.children)),
                          None)
            if clause is None and lemma in config.noun_cue_for:
                # The quoted words must be a phrase of 4+ words: shorter ones are slogans and
                # labels ("his appeal for “law and order”", "a call for a “deportation force”").
                prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "for" and c.i > tok.i), None)
                clause = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
                if clause is not None and not any(
                        q.depth == 0 and q.content_end > clause.left_edge.idx and q.content_start < clause.right_edge.idx
                        and len(idx.words(q.content_start, q.content_end)) >= 4 for q in idx.quotes):
                    clause = None
            if clause is None:
                continue
            owned_only = True
        span = _content_of_subtree(clause)
        if span is None:
            continue
        span, quoted = _extend_to_quotes(idx, span)
        owner = next((c for c in tok.children if c.dep_ == "poss"), None)
        nested = quoted and owner is not None and \
            any(h[0] <= owner.idx and span[1] <= h[1] for h in hosts) and \
            not any(t[0] < span[1] and span[0] < t[1] and not (t[0] <= owner.idx and span[1] <= t[1])
                    for t in taken)
        if _overlap(span, taken) > 0.5 * (span[1] - span[0]) and not nested:
            continue
        if owned_only:
            if owner is None or not quoted or len(idx.words(*span)) < 3:
                continue
        if owner is None:
            owner = _named_owner(tok)
        if owner is None:
            prep = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("by", "from", "of")
                         and c.i < clause.i), None)
            owner = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
        if owner is None:
            owner = _maker_of_statement(tok, config)
        if owner is None:
            owner = _stance_holder(tok, config)
        if owner is None:
            owner = _name_before_verb_as_noun(tok)
        att = Attribution("mixed" if quoted else "indirect", span,
                          "mixed.noun_cue" if quoted else "indirect.noun_cue", cue=tok,
                          cue_span=(tok.i, tok.i + 1), cue_lemma=tok.lemma_.lower(),
                          speaker=_speaker_span(owner, config) if owner is not None else None)
        att.extra["speaker_fixed"] = True
        if nested and _overlap(span, taken) > 0:
            att.extra["nested"] = True
        yield att


def _name_before_verb_as_noun(tok: Token) -> Token | None:
    """"Trump charges that ...", "Trump claims that ...": a verb the tagger took for a plural
    noun with the name before it as a compound; the name opening the sentence is the speaker
    (not with a determiner or an owner: "the Trump claims that ...")."""
    if tok.tag_ != "NNS" or any(c.dep_ in ("det", "poss") for c in tok.children):
        return None
    # (a capitalised word, whatever its tag: the tagger that took the verb for a noun may take
    # "Trump" for one too)
    name = next((c for c in tok.children if c.dep_ == "compound" and c.i < tok.i and c.text.istitle()
                 and (c.pos_ == "PROPN" or c.pos_ == "NOUN" and c.ent_type_ in ("", "PERSON", "ORG"))), None)
    # (nothing before it but a conjunction or an adverb: "But Trump claims that ...")
    if name is None or any(not (t.is_punct or t.pos_ in ("CCONJ", "ADV")) for t in tok.doc[tok.sent.start:name.left_edge.i]):
        return None
    return name


def _object_of_misread_verb(tok: Token, config: QuoteConfig) -> bool:
    """"Scholz rejects calls for tax relief": the tagger read the headline's verb as a plural noun
    (the name its compound, as in _name_before_verb_as_noun) and took its object for the cue.
    When that noun is a verb that takes issue with or comments on a statement, the cue is the
    statement it rejects or backs (others' calls), not one its subject makes."""
    subject = tok.doc[tok.i - 1] if tok.i > 0 else None
    if subject is None or subject.dep_ != "nsubj" or subject.head.i != tok.i or subject.tag_ != "NNS":
        return False
    lemma = subject.lemma_.lower()
    return (lemma in config.disputing_verbs or lemma in config.object_content) and \
        _name_before_verb_as_noun(subject) is not None


def copular_statements(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """"Podliska's most explosive claim is that the committee is a “witch hunt”", "Clinton's
    response was: “...”", "Her campaign slogan is “...”": someone's reporting noun as the subject
    of "be", with a "that" clause or a quotation right after the verb as what was said. The
    possessor is the speaker; without one the noun is the writer's topic ("The claim is that
    ...") and nothing is reported."""
    config = idx.config
    doc = idx.doc
    for tok in idx.tokens_where(pos=("NOUN",)):
        if tok.pos_ != "NOUN" or tok.dep_ != "nsubj" or tok.lemma_.lower() not in config.copular_noun_cues:
            continue
        verb = tok.head
        owner = next((c for c in tok.children if c.dep_ == "poss"), None)
        if owner is None or verb.lemma_ != "be" or verb.i < tok.i or idx.inside_clause_quote(tok):
            continue
        span = None
        clause = next((c for c in verb.children if c.dep_ in ("ccomp", "attr") and c.i > verb.i and
                       any(m.dep_ == "mark" and m.lower_ == "that" and m.i == c.left_edge.i for m in c.children)),
                      None)
        if clause is not None:
            span = _content_of_subtree(clause)
        else:
            # the quotation itself, right after the verb (a comma or colon at most between); a
            # word or two there is what the thing was called ("his claims were “sarcasm”")
            nxt = next((t for t in doc[verb.i + 1:verb.i + 3] if not (t.is_space or t.text in (",", ":"))), None)
            q = next((q for q in idx.quotes if nxt is not None and q.open_start == nxt.idx and q.closed
                      and q.depth == 0 and len(idx.words(q.content_start, q.content_end)) >= config.min_words),
                     None)
            if q is not None:
                span = (q.open_start, q.close_end)
        if span is None or _overlap(span, taken) > 0:
            continue
        span, quoted = _extend_to_quotes(idx, span)
        typ = "mixed" if quoted else "indirect"
        att = Attribution(typ, span, "mixed.copular_noun" if quoted else "indirect.copular_noun", cue=tok, cue_span=(tok.i, tok.i + 1),
                          cue_lemma=tok.lemma_.lower(), speaker=_speaker_span(owner, config))
        att.extra["speaker_fixed"] = True
        yield att


def block_quotes(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """Quotations set off as paragraphs without quote marks.

    - A cue ending its paragraph with a colon ("The governor added:") introduces the next
      paragraph, quoted or not (a quoted one is already attached by `_head_cue`).
    - A transcript line "PENCE: Well, look, ..." is the named speaker's words.
    """
    config = idx.config
    doc, text = idx.doc, idx.text
    for p, (ps, pe) in enumerate(idx.paragraphs):
        m = TRANSCRIPT_RE.match(text[ps:pe])
        # (a label is nobody's line: "CORRECTION: The first sentence has been ...")
        if m and len(m.group(1).split()) <= 4 and m.group(1).strip().lower() not in config.headline_labels:
            name_start = ps + m.start(1)
            name_end = ps + m.end(1)
            content_start = ps + m.end(1) + 1
            while content_start < pe and text[content_start].isspace():
                content_start += 1
            a, b = idx.token_range(name_start, name_end)
            colon = idx.token_at(name_end)
            span = (content_start, pe)
            if b > a and colon is not None and _overlap(span, taken) <= 0 and pe > content_start:
                yield Attribution("direct", span, "direct.transcript", cue=colon,
                                  cue_span=(colon.i, colon.i + 1), cue_lemma=":", speaker=(a, b))
            continue
        if text[pe - 1:pe] != ":" or p + 1 >= len(idx.paragraphs):
            continue
        a, b = idx.token_range(ps, pe)
        last_sent = _sent_of(doc[b - 1])
        cues = [t for t in doc[max(a, last_sent.start):b]
                if _is_cue_verb(t, config, allow_direct_only=True) and not idx.inside_clause_quote(t)
                and not _governed_by_plan(t, config)]
        if not cues:
            continue
        ns, ne = idx.paragraphs[p + 1]
        if text[ns] in QUOTE_CHARS or _overlap((ns, ne), taken) > 0:
            continue
        cue = cues[-1]
        yield Attribution("direct", (ns, ne), "direct.colon_block", cue=cue, cue_span=_cue_span(cue),
                          cue_lemma=_cue_lemma(cue, idx.config))


# Longest source written before the colon of a headline ("McCain Challenger Kelli Ward: ...").
MAX_HEADLINE_SOURCE = 8

HEADLINE_DASH = re.compile(r"^.{1,30}?\s[-–—]\s+")


def _named_source(words: list[Token], config: QuoteConfig) -> bool:
    """Is a headline's prefix before its colon a name that speaks ("Sanders", "Dr. Ben Carson",
    "NY Daily News", "Poll"): every word part of a person's, an organisation's, a country's or a
    group's name, or a title, an organisation noun or a document noun?"""
    return bool(words) and all(
        t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or t.lower_ in config.title_words or
        t.lower_ in config.organisation_nouns or t.lower_ in config.document_nouns or t.lemma_.lower() in
        config.document_nouns or t.lower_ in config.unnamed_nouns for t in words)


def _states(doc, span: tuple[int, int]) -> bool:
    """Do the words of the token span make a statement: a verb of their own?"""
    return any(t.pos_ in ("VERB", "AUX") for t in doc[span[0]:span[1]])


def headline_source(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """A headline "Source: words" (the document's first line: "Reid: ‘Never underestimate
    Trump.’", "Clinton to Planned Parenthood: Trump will ‘reverse’ Roe", "Woman Steps Forward With
    Claim: ‘...’") reports what follows the colon as the words of the source before it: the
    noun phrase opening the line, cut before a preposition, a verb or a possessive mark. Only
    lines that quote (marks after the colon), or state something (a verb) after a name
    ("Lopez: Bridge Story Has Moved On", "Poll: Lopez holds a narrow lead": PolNeAR
    annotates the name as the source), and have no lower-case verb before the colon (a sentence,
    not a headline); a label before the colon ("Breaking: ...") names nobody."""
    config, doc, text = idx.config, idx.doc, idx.text
    if not idx.paragraphs:
        return
    ps, pe = idx.paragraphs[0]
    line = text[ps:pe]
    colon_at = line.find(":")
    if colon_at <= 0 or "\n" in line.strip():
        return
    m = HEADLINE_DASH.match(line[:colon_at])        # "EXCLUSIVE – Roger Stone: ..."
    src_start = ps + (m.end() if m else 0)
    prefix = text[src_start:ps + colon_at]
    if re.search(r"[.!?;\"“”‘]|\s['’]|^['’]", prefix.strip()) or \
            prefix.strip().lower() in config.headline_labels:
        return
    start = ps + colon_at + 1
    end = pe
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ";"):
        end -= 1
    a, b = idx.token_range(src_start, ps + colon_at)
    words = [t for t in doc[a:b] if not t.is_space]
    if end <= start or not (any(start <= q.open_start < end and q.depth == 0 for q in idx.quotes) or
                            _named_source(words, config) and _states(doc, idx.token_range(start, end))):
        return        # (unquoted words only after a name: "Lopez: Bridge Story Has Moved On.")
    if any(q.open_start < start and q.close_end > start for q in idx.quotes):
        return
    span = (start, end)
    if _overlap(span, taken) > 0:
        return
    if not words or len(words) > MAX_HEADLINE_SOURCE or not words[0].text[:1].isupper() or \
            any(t.pos_ in ("VERB", "AUX") and t.text[:1].islower() for t in words):
        return        # (a sentence with a verb before the colon: "The report had one line: “...”")
    speaker = []
    for t in words:
        if speaker and (t.pos_ in ("ADP", "VERB", "AUX", "PART", "SCONJ", "CCONJ") or t.tag_ in ("POS", "VBZ") or
                        t.lemma_.lower() in config.speech or _inverted_cue_word(t, config) or t.is_punct):
            break
        speaker.append(t)
    colon = idx.token_at(ps + colon_at)
    if colon is None:
        return
    quoted = [q for q in idx.quotes if q.depth == 0 and start <= q.open_start < end]
    whole = len(quoted) == 1 and quoted[0].open_start == start and quoted[0].close_end >= end
    yield Attribution("direct" if whole else "mixed", span, "direct.headline_source", cue=colon,
                      cue_span=(colon.i, colon.i + 1), cue_lemma=":", speaker=(speaker[0].i, speaker[-1].i + 1),
                      extra={"speaker_fixed": True})


def _extend_to_quotes(idx: _DocIndex, span: tuple[int, int]) -> tuple[tuple[int, int], bool]:
    """Widen a reported clause to the marks of every quotation it overlaps (a mixed quote whose
    quoted part runs past the parsed clause, or whose opening mark the parser left outside)."""
    start, end = span
    quoted = False
    for q in idx.quotes:
        if q.depth == 0 and q.content_start < end and q.content_end > start:
            quoted = True
            start = min(start, q.open_start)
            end = max(end, q.close_end if q.closed else q.close_start)
    return (start, end), quoted


def _colon_quotation(idx: _DocIndex, span: tuple[int, int], taken: Sequence[tuple[int, int]]
                     ) -> tuple[int, int] | None:
    """A reported clause ending in a colon that a quotation no cue took goes on in that
    quotation: "said that a deal might be possible: “In politics, the question is ...”" - the
    quotation is part of what was said. The span widened to the closing mark, or None."""
    colon = idx.token_at(span[1])
    if colon is None:
        # the first non-space token after the clause (lazily: a slice to the end of a long document
        # must not be walked whole for each clause)
        colon = next((t for t in idx.doc[idx.token_range(span[1], span[1] + 3)[0]:] if not t.is_space), None)
    if colon is None or colon.text != ":" or idx.text[span[1]:colon.idx].strip():
        return None
    for q in idx.quotes:
        if q.depth != 0 or q.open_start < colon.idx or idx.text[colon.idx + 1:q.open_start].strip():
            continue
        if idx.paragraph_of(q.open_start) != idx.paragraph_of(colon.idx) or \
                _overlap((q.content_start, q.content_end), taken) > 0:
            return None
        return span[0], (q.close_end if q.closed else q.close_start)
    return None


def according_to(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """"according to X, ..." / "..., according to X": the clause the phrase modifies, minus it."""
    doc = idx.doc
    for tok in idx.tokens_where(lower=("according",)):
        if tok.lower_ != "according" or tok.i + 1 >= len(doc) or doc[tok.i + 1].lower_ != "to":
            continue
        to = doc[tok.i + 1]
        pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
        if pobj is None:
            pobj = next((c for c in tok.children if c.dep_ == "pobj"), None)
        if pobj is None:
            continue
        head = tok.head if tok.head.i != tok.i else None
        # "According to X, the move reeks of “fear”": the parser, taking the verb for a noun, read
        # the clause after the comma as X's appositive (and the phrase as the sentence's root)
        clause = next((c for c in pobj.children if c.dep_ == "appos" and c.i > pobj.i and
                       doc[c.left_edge.i - 1].text == "," and c.right_edge.i + 2 >= _sent_of(tok).end),
                      None) if head is None and tok.i == _sent_of(tok).start else None
        if head is None and clause is None:
            continue
        # Climb to the clause (a noun head: "the visit, according to JNS, was ..." parses oddly).
        while head is not None and head.dep_ not in ("ROOT", "ccomp", "conj", "advcl", "parataxis") and \
                head.head.i != head.i:
            head = head.head
        sent = _sent_of(tok)
        # "X came back on Friday and gave no details, according to Y.": a phrase closing its sentence
        # reports the whole coordination of verbs sharing a subject, not only the verb it hangs on
        # (a conjunct with a subject of its own is a clause of its own: "X won, and he will ...")
        closing = not idx.text[pobj.right_edge.idx + len(pobj.right_edge.text):sent.end_char].strip(" \t\n.,;:!?)\u00a0")
        while closing and head is not None and head.dep_ == "conj" and head.pos_ in ("VERB", "AUX") and \
                head.head.pos_ in ("VERB", "AUX") and head.head.i < head.i and \
                not any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in head.children):
            head = head.head
        span = _content_of_subtree(head, exclude=[tok]) if clause is None else _content_of_subtree(clause)
        if span is None:
            continue
        span = (max(span[0], sent.start_char), min(span[1], sent.end_char))
        # Skip the "according to X" phrase when it sits at the start ...
        phrase_end = max(t.idx + len(t.text) for t in (*tok.subtree, *to.subtree, *pobj.subtree)) \
            if clause is None else doc[clause.left_edge.i - 1].idx
        if span[0] >= tok.idx and span[0] < phrase_end:
            rest = idx.token_range(phrase_end, span[1])
            toks = [t for t in doc[rest[0]:rest[1]] if not (t.is_punct or t.is_space)]
            if not toks:
                continue
            span = (toks[0].idx, span[1])
        # ... and when it closes the clause (", according to X."), however the parser hung it:
        # the content ends before it (PolNeAR: "Trump leads, according to the poll").
        elif span[0] < tok.idx < span[1] and not idx.text[phrase_end:span[1]].strip(" \t\n.,;:!?\u00a0"):
            span = (span[0], span[0] + len(idx.text[span[0]:tok.idx].rstrip(" \t\n,;:\u2014\u2013-\u00a0")))
        if span[1] <= span[0] or _overlap(span, taken) > 0.5 * (span[1] - span[0]):
            continue
        span, quoted = _extend_to_quotes(idx, span)
        att = Attribution("mixed" if quoted else "indirect", span,
                          "mixed.according_to" if quoted else "indirect.according_to",
                          cue=tok, cue_span=(tok.i, tok.i + 2), cue_lemma="according to",
                          speaker=_speaker_span(pobj, idx.config))
        yield att


SOURCE_OF_REPORT = "repair.speaker_source_of_report"


def _framing_according(idx: _DocIndex, cue: Token) -> Token | None:
    """The "according" of an according-to phrase framing the cue's whole sentence, however the
    parser hung it: opening it ("According to the Post, Lopez praised ...") or closing it
    after a comma ("Lopez said she would have fired him, according to press reports."); not
    one inside quoted words ("... ''537 of them in the Cayman Islands, according to its own
    website.''")."""
    sent = cue.sent
    words = [t for t in sent if not (t.is_punct or t.is_space)]
    if not words:
        return None
    first, last = words[0], words[-1]
    if first.lower_ == "according" and first.i + 1 < sent.end and first.nbor().lower_ == "to" and first.i < cue.i:
        end = max(t.i for t in first.subtree)
        return first if end + 1 < sent.end and first.doc[end + 1].text == "," and end < cue.i else None
    acc = next((t for t in sent if t.lower_ == "according" and t.i > cue.i and t.nbor(-1).text == ","
                and t.i + 1 < sent.end and t.nbor().lower_ == "to"), None)
    if acc is None or max(t.i for t in (*acc.subtree, *acc.nbor().subtree)) != last.i or \
            idx.inside_clause_quote(acc) or any(q.open_start < acc.idx < q.close_start for q in idx.quotes if q.closed):
        return None
    return acc


def report_through_source(idx: _DocIndex, atts: Sequence[Attribution]) -> None:
    """"“...,” Sanders said, according to CNN." / "According to the Post, X said ...": a cue whose
    own "according to Y" phrase stands outside its content reports through Y, which PolNeAR (and
    PARC) annotate as the attribution's source. The speaker as written becomes Y; who spoke stays
    the canonical speaker (speaker_ref), in place."""
    doc = idx.doc
    for att in atts:
        cue = att.cue
        if cue is None or att.speaker is None or att.speaker_ref is not None or att.inherit_from is not None or \
                att.cue_lemma == "according to" or not att.rule_id.startswith(("direct.", "indirect.", "mixed.")):
            continue
        acc = next((t for t in cue.children if t.lower_ == "according" and t.i + 1 < len(doc) and
                    doc[t.i + 1].lower_ == "to" and not att.content[0] <= t.idx < att.content[1]), None) \
            or _framing_according(idx, cue)
        pobj = next((c for t in (acc, doc[acc.i + 1]) for c in t.children if c.dep_ == "pobj"),
                    None) if acc is not None else None
        if pobj is None or not _animate(pobj, idx.config):
            continue
        att.speaker_ref, att.speaker = att.speaker, _speaker_span(pobj, idx.config)
        att.repaired(SOURCE_OF_REPORT)


def _minus_taken(idx: _DocIndex, span: tuple[int, int], taken: Sequence[tuple[int, int]],
                 min_words: int = 4) -> tuple[int, int] | None:
    """The longest piece of `span` outside the `taken` spans (trimmed of spaces and punctuation),
    or None when no piece has `min_words` words."""
    pieces = [span]
    for t0, t1 in sorted(taken):
        out = []
        for a, b in pieces:
            if t1 <= a or t0 >= b:
                out.append((a, b))
                continue
            if t0 > a:
                out.append((a, t0))
            if t1 < b:
                out.append((t1, b))
        pieces = out
    best = None
    for a, b in pieces:
        words = idx.words(a, b)
        if len(words) < min_words:
            continue
        piece = (words[0].idx, words[-1].idx + len(words[-1].text))
        if best is None or piece[1] - piece[0] > best[1] - best[0]:
            best = piece
    return best


def _overlap(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> int:
    return max((min(span[1], o[1]) - max(span[0], o[0]) for o in others), default=0)


# Words opening a question clause: "knows how to win", "wonders whether": not a held belief.
WH_OPENERS = {"how", "what", "why", "where", "when", "who", "whom", "which", "whether", "if"}


# Modals of a thought supposed, not held: "he may want to ...", "they would prefer ...".
HYPOTHETICAL_MODALS = {"may", "might", "would", "could", "should", "must"}
# Subjects of a thought nobody holds: the generic "you" ("if you want to ..."), "it" and its kin.
NO_THINKER = {"you", "it", "this", "that", "what", "there", "one"}
# Quantifiers standing for people ("most believe ...", "many fear ...", "few think ...").
THINKING_QUANTIFIERS = {"most", "many", "few", "some", "several", "others", "all", "both", "none", "half"}


def _fronted_clause(tok: Token) -> Token | None:
    """"The race is tight, polls show." / "..., he believes.": a clause before the verb, cut off
    from it by a comma, that the parser hung on it as its complement."""
    doc = tok.doc
    for c in tok.children:
        if c.dep_ == "ccomp" and c.i < tok.i and c.right_edge.i + 1 < tok.i and \
                doc[c.right_edge.i + 1].text == "," and c.left_edge.lower_ not in WH_OPENERS:
            return c
    return None


def _thought_content(idx: _DocIndex, tok: Token, lemma: str) -> list[Token]:
    """The clauses a thought verb holds: its that-clause or bare clause after it ("believes (that)
    ..."), or for a wish or plan verb its "to"-infinitive ("wants to run"), or a clause fronted
    before it ("..., he believes")."""
    config = idx.config
    out = []
    for c in tok.children:
        if c.i < tok.i or c.left_edge.lower_ in WH_OPENERS:
            continue
        if c.dep_ == "ccomp":
            out.append(c)
        elif c.dep_ == "xcomp" and lemma in config.thought_infinitive and \
                any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children):
            if _is_cue_verb(c, config, allow_direct_only=True):
                # "had planned to tell X that ...", "wants to say: “...”": an intention to speak
                # is neither a statement (not_speech.governors) nor a thought of its own
                return []
            out.append(c)
    if not out and lemma in config.thought_object:
        out = [c for c in tok.children if c.dep_ == "dobj" and c.i > tok.i and c.pos_ in ("NOUN", "PROPN")]
    fronted = _fronted_clause(tok) if not out else None
    return [fronted] if fronted is not None else out


def _thought_noun(idx: _DocIndex, noun: Token, taken: list[tuple[int, int]]) -> Attribution | None:
    """"Trump's belief that ...", "the hope among Democrats that ...", "There are fears that ...": a
    noun of `thought_nouns` with a that-clause, held by its possessor (or an "of"/"among"/"by"
    person), or by nobody named in "there is/are ..."; unowned elsewhere it is the writer's."""
    config = idx.config
    clause = next((c for c in noun.children if c.dep_ in ("acl", "ccomp", "appos", "relcl") and c.i > noun.i
                   and any(m.dep_ == "mark" and m.lower_ == "that" and m.i == c.left_edge.i for m in c.children)),
                  None)
    if clause is None:
        return None
    span = _content_of_subtree(clause)
    if span is None or len(idx.words(*span)) < 3:
        return None
    span, quoted = _extend_to_quotes(idx, span)
    if _overlap(span, taken) > 0:
        return None
    owner = next((c for c in noun.children if c.dep_ == "poss"), None)
    if owner is None:
        prep = next((c for c in noun.children if c.dep_ == "prep" and c.lower_ in ("of", "among", "by")
                     and c.i < clause.i), None)
        owner = next((c for c in prep.children if c.dep_ == "pobj"), None) if prep is not None else None
    if owner is not None and (owner.lower_ in NO_THINKER or not _animate(owner, config)):
        return None
    if owner is None and not (noun.dep_ == "attr" and any(c.dep_ == "expl" for c in noun.head.children)):
        return None       # unowned, a thought is the writer's ("on the assumption that"), unless "there are fears that"
    rule = "mixed.thought" if quoted else "indirect.thought"
    att = Attribution("mixed" if quoted else "indirect", span, rule, cue=noun, cue_span=(noun.i, noun.i + 1),
                      cue_lemma=noun.lemma_.lower(),
                      speaker=_speaker_span(owner, config) if owner is not None else None)
    att.extra["speaker_fixed"] = True
    return att


def _evidence_in(verb: Token, config: QuoteConfig) -> Token | None:
    """The poll, study or record of an "in" phrase fronted before a main verb ("In a CNN poll
    released Monday, 55 percent ..."), else None; the row's cue is the "in" before it."""
    doc = verb.doc
    for prep in verb.children:
        # fronted and set off by a comma: "In a CNN poll, ..."; the phrase inside a clause ("has a
        # lead in the polls", "far ahead in the delegate count") is as often the writer's own
        # summary as an attribution (PolNeAR train: 14 of 25)
        if prep.dep_ == "prep" and prep.lower_ == "in" and prep.i < verb.i and \
                prep.right_edge.i + 1 < len(doc) and doc[prep.right_edge.i + 1].text == ",":
            pobj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if pobj is not None and pobj.pos_ == "NOUN" and \
                    (pobj.lemma_.lower() in config.evidence_nouns or pobj.lower_ in config.evidence_nouns):
                return pobj
    return None


def _clause_around(verb: Token, cut: Token) -> tuple[int, int] | None:
    """The verb's clause less the phrase `cut` heads, as the run of words around the verb that
    the phrase does not interrupt ("Trump has a lead [in the polls] in New York": up to "lead")."""
    out = {t.i for t in cut.subtree}
    toks = [t.i for t in verb.subtree]
    start = end = verb.i
    while start - 1 in toks and start - 1 not in out:
        start -= 1
    while end + 1 in toks and end + 1 not in out:
        end += 1
    doc = verb.doc
    while start < end and (doc[start].is_punct or doc[start].is_space) and not doc[start].is_quote:
        start += 1
    while end > start and (doc[end].is_punct or doc[end].is_space or doc[end].dep_ == "cc") and not doc[end].is_quote:
        end -= 1
    return doc[start].idx, doc[end].idx + len(doc[end].text)


def _passive_thought(tok: Token, config: QuoteConfig) -> list[Token]:
    """"Trump is expected to win Ohio": a passive thought verb of `thought_passive` with a subject
    and a "to"-infinitive; the subject and the infinitive are what is thought (by nobody named)."""
    subj = next((c for c in tok.children if c.dep_ == "nsubjpass" and c.i < tok.i), None)
    inf = next((c for c in tok.children if c.dep_ == "xcomp" and c.i > tok.i and
                any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)), None)
    if subj is None or inf is None or subj.lower_ in config.relative_pronouns or subj.lower_ in NO_THINKER or \
            any(c.dep_ == "agent" for c in tok.children):
        return []
    return [subj, inf]


def _thinker(tok: Token, config: QuoteConfig) -> Token | None:
    """The subject holding a thought verb's clause, or None: one that can think, holding it as a
    fact of the story (not "may want", "would prefer"), neither the generic "you" nor "it", nor
    the object of a causative ("made them feel ...", "let them think ...")."""
    if any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children) or \
            any(c.dep_ == "aux" and c.lower_ in HYPOTHETICAL_MODALS for c in tok.children) or \
            tok.dep_ == "pcomp" or tok.dep_ in ("ccomp", "xcomp") and tok.head.lemma_.lower() in config.causatives:
        return None
    subj, _ = _find_subject(tok, config)
    if subj is None or subj.lower_ in NO_THINKER or subj.dep_ in ("dobj", "pobj", "dative"):
        return None
    # Who thinks is mostly a person or a group, often named by a quantifier ("most believe",
    # "many fear") or a plural noun of people the speaker lexicons do not list ("immigrants
    # feel"): any noun or pronoun but the things that never think (a thing's "wants" or
    # "expects" is a projection, "the plan expects").
    if _animate(subj, config) or subj.pos_ in ("PRON", "PROPN") or \
            subj.tag_ == "NNS" and subj.lemma_.lower() not in config.non_speaking_heads and \
            subj.lemma_.lower() not in config.evidence_nouns or \
            subj.lower_ in THINKING_QUANTIFIERS:
        return subj
    return None


def _lemma_in(tok: Token, lexicon: frozenset) -> str | None:
    """The verb's lemma when the lexicon lists it, also where the lemmatizer stumbles ("hoped",
    "hopes" -> "hop"): the word itself less an inflection ending ("hopes", "hoped", "hoping")."""
    low = tok.lower_
    for form in (tok.lemma_.lower(), low, low[:-1], low[:-2], low[:-3] + "e", low[:-3]):
        if form in lexicon:
            return form
    return None


def _evidence_subject(tok: Token, config: QuoteConfig) -> Token | None:
    """The poll, study or record that is the subject of an evidence verb ("polls show", "a survey
    released Monday found", "records, which indicate"), else None."""
    subj = next((c for c in tok.children if c.dep_ == "nsubj"), None)
    if subj is not None and subj.lower_ in config.relative_pronouns and tok.dep_ == "relcl":
        subj = tok.head
    if subj is None:
        subj, _ = _find_subject(tok, config)
    if subj is None or subj.pos_ not in ("NOUN", "PROPN"):
        return None
    return subj if subj.lemma_.lower() in config.evidence_nouns or subj.lower_ in config.evidence_nouns else None


def thought_and_evidence(idx: _DocIndex, taken: list[tuple[int, int]]) -> Iterator[Attribution]:
    """Attributions that are not speech (rules indirect.thought, indirect.evidence and their mixed
    variants): a thought verb with a subject that can think and the clause it holds ("Trump
    believes that ...", "she wants to ..."), and an evidence verb whose subject is a poll, a study
    or a record, with its clause or object ("polls show that ...", "the survey found a tie").
    Runs after every speech rule: text a speech row took stays with it (a thought reported inside
    a statement is the statement's)."""
    config = idx.config
    if not (config.thought or config.evidence_verbs):
        return
    for tok in idx.tokens_where(pos=("NOUN", "VERB", "AUX")):
        if tok.pos_ == "NOUN" and tok.lemma_.lower() in config.thought_nouns and not idx.inside_clause_quote(tok):
            att = _thought_noun(idx, tok, taken)
            if att is not None:
                taken.append(att.content)
                yield att
            continue
        if tok.pos_ not in ("VERB", "AUX") or tok.dep_ in ("amod", "compound") or idx.inside_clause_quote(tok):
            continue
        lemma = _lemma_in(tok, config.evidence_verbs)
        rule, speaker, pieces, cue_lemma, passive, tok_span = None, None, [], lemma, False, None
        if lemma is not None:
            subj = _evidence_subject(tok, config)
            if subj is not None:
                pieces = [c for c in tok.children if c.dep_ == "ccomp" and c.i > tok.i and
                          c.left_edge.lower_ not in WH_OPENERS]
                if not pieces and lemma in config.evidence_object_verbs and \
                        any(c.dep_ == "dobj" and c.i > tok.i for c in tok.children):
                    # "the poll showed Trump leading the field with 31 percent": the object and
                    # what goes on describing it, to the end of the verb's clause
                    pieces = [c for c in tok.children if c.i > tok.i and c.dep_ not in ("punct", "cc", "conj")]
                if not pieces:
                    pieces = [c for c in [_fronted_clause(tok)] if c is not None]
                rule, speaker = "indirect.evidence", _speaker_span(subj, config)
        lemma = _lemma_in(tok, config.thought)
        if not pieces and lemma is not None and tok.pos_ == "VERB" and \
                not _governed_by_plan(tok, config) and _thinker(tok, config) is not None:
            pieces, cue_lemma = _thought_content(idx, tok, lemma), lemma
            rule, speaker = "indirect.thought", None
        if not pieces and tok.dep_ == "ROOT":
            source = _evidence_in(tok, config)
            if source is not None:
                # "In a Quinnipiac poll released Monday, 55 percent chose ...", "Trump leads in the
                # polls": the clause a poll, a study or a record is the source of
                span = _clause_around(tok, source.head)
                if span is not None and len(idx.words(*span)) >= 4:
                    pieces, cue_lemma, rule, speaker = [tok], "in", "indirect.evidence_in", _speaker_span(source, config)
                    tok_span = span
        if not pieces and lemma is not None and lemma in config.thought_passive and \
                any(c.dep_ == "auxpass" for c in tok.children):
            pieces, cue_lemma = _passive_thought(tok, config), lemma
            rule, passive = "indirect.thought", True
        if not pieces:
            continue
        spans = [tok_span] if tok_span is not None else [s for s in (_content_of_subtree(p) for p in pieces) if s]
        if not spans:
            continue
        span = (min(s[0] for s in spans), max(s[1] for s in spans))
        span, quoted = _extend_to_quotes(idx, span)
        if _overlap(span, taken) > 0 or len(idx.words(*span)) < 2:
            continue
        if quoted:
            rule = MIXED_VARIANT[rule]
        cue_span = (speaker[0] - 1, speaker[0]) if rule == "indirect.evidence_in" else _cue_span(tok)
        att = Attribution("mixed" if quoted else "indirect", span, rule, cue=tok, cue_span=cue_span,
                          cue_lemma=cue_lemma)
        if speaker is not None or passive:
            att.speaker = speaker
            att.extra["speaker_fixed"] = True      # (passive: nobody named holds the thought)
        taken.append(span)
        yield att
