"""What the extractors share: the `Attribution` record, the per-document index of quotations and
paragraphs (`_DocIndex`), and the grammar tests on spaCy tokens (is this a cue verb, who is its
subject, can that noun speak, where does the speaker's noun phrase end)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from spacy.attrs import DEP, IDX, LENGTH, LOWER, POS
from spacy.parts_of_speech import IDS
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from pipeline.steps.docs import doc_text, glued_hyphen
from pipeline.steps.quotes.lexicon import SPEAKER_LABELS, QuoteConfig, _role_heads
from pipeline.steps.quotes.marks import QuoteSpan, _paragraphs, pair_quote_marks
from pipeline.steps.quotes.mentions import EMBEDDING_POS


def quote_marks(doc: Doc) -> list[QuoteSpan]:
    """pair_quote_marks of the Doc's text, paired once per Doc (the extractors and the span
    conventions both read them; QuoteSpan is frozen and nobody changes the list)."""
    found = doc.user_data.get("_quote_marks")
    if found is None:
        found = doc.user_data["_quote_marks"] = pair_quote_marks(doc_text(doc))
    return found


def _sent_of(tok: Token) -> Span:
    """The sentence of a token, through a per-Doc table (spaCy's `Token.sent` walks every
    sentence of the document on each call: quadratic on long articles)."""
    doc = tok.doc
    table = doc.user_data.get("_quotes_sent_index")
    if table is None:
        index = [0] * len(doc)
        sents = []
        for k, sent in enumerate(doc.sents):
            sents.append(sent)
            for i in range(sent.start, sent.end):
                index[i] = k
        table = (index, sents)
        doc.user_data["_quotes_sent_index"] = table
    return table[1][table[0][tok.i]]


@dataclass
class Attribution:
    """One attribution, in body offsets and token indices; resolved and mapped later."""

    type: str                              # direct / indirect / mixed
    content: tuple[int, int]               # body char offsets (the hull of `pieces` when joined)
    rule_id: str
    cue: Token | None = None               # the cue verb (or the phrase head)
    cue_span: tuple[int, int] | None = None  # token span of the cue as written
    cue_lemma: str | None = None
    speaker: tuple[int, int] | None = None  # token span of the speaker as written
    speaker_ref: tuple[int, int] | None = None  # what to resolve when the written speaker is a
                                                # relative pronoun ("an architect, who said")
    inherit_from: "Attribution | None" = None  # continuation: speaker of that attribution
    resolution: str | None = None
    speaker_name: str | None = None
    speaker_entity_id: str | None = None
    speaker_label: str | None = None
    extra: dict = field(default_factory=dict)
    # The content's pieces when records of one statement were joined (quotes/assemble.py), in
    # order and disjoint; None: the content alone.
    pieces: list | None = None
    # The rule that found this record (its first rule_id, kept when a repair renames it) and the
    # repairs of pipeline/steps/quotes/rules.py applied after, in order: the row's `rule_trace`.
    found_by: str = field(init=False)
    repairs: list = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.found_by = self.rule_id

    def repaired(self, repair_id: str) -> None:
        """Record a repair (a declared id of pipeline/steps/quotes/rules.py) applied to this record."""
        self.repairs.append(repair_id)

    @property
    def rule_trace(self) -> str:
        return " > ".join([self.found_by, *self.repairs])


class _DocIndex:
    """Per-document lookups shared by the extractors: quotations, paragraphs, char -> token."""

    def __init__(self, doc: Doc, config: QuoteConfig):
        self.doc = doc
        self.config = config
        text = doc_text(doc)
        self.text = text
        self.quotes = quote_marks(doc)
        self.paragraphs = _paragraphs(text)
        # Token start / end offsets, for char -> token lookups by bisection (read from the Doc's
        # arrays: a Token object per token costs more than the lookups they serve).
        self.arrays = doc.to_array([IDX, LENGTH, POS, LOWER, DEP]) if len(doc) else np.zeros((0, 5), np.uint64)
        offsets = self.arrays[:, :2].astype(np.int64)
        self.tok_starts = offsets[:, 0].tolist()
        self.tok_ends = (offsets[:, 0] + offsets[:, 1]).tolist()
        self.para_starts = [p[0] for p in self.paragraphs]
        # Quotations that are quotes (not scare quotes, titles or fragments).
        # Transcript lines ("PENCE: Well, ...") are handled by `block_quotes`, whatever marks
        # wrap them.
        transcript = {ps for ps, pe in self.paragraphs if TRANSCRIPT_RE.match(text[ps:pe])}
        self.clause_quotes = [q for q in self.quotes if q.depth == 0 and self.is_clause_quote(q)
                              and self.paragraph_start(q.open_start) not in transcript]
        self.clause_token_ranges = [self.token_range(q.content_start, q.content_end) for q in self.clause_quotes]
        self.in_clause_quote = bytearray(len(doc))
        for a, b in self.clause_token_ranges:
            self.in_clause_quote[a:b] = b"\x01" * (b - a)
        # Cue verbs conjoined into another cue's clause without a subject of their own
        # (`_nested_cues`): token index -> the cue whose subject speaks for them.
        self.conjoined_cue_of: dict[int, Token] = {}
        # Clauses the parser hung on a cue that belong to a nested cue after it (by token index).
        self.clauses_of_nested: dict[int, list[Token]] = {}
        # The dateline dash of a cue's paragraph, by the cue's token index (direct._dateline_dash).
        self.datelines: dict[int, int | None] = {}

    def tokens_where(self, pos: Iterable[str] = (), lower: Iterable[str] = (), dep: Iterable[str] = ()
                     ) -> list[Token]:
        """The tokens, in order, whose coarse part of speech is one of `pos`, whose lower-case
        form is one of `lower` or whose dependency label is one of `dep`: what a rule that looks
        only at verbs, or at one word, walks instead of every token of the document (a Token
        object each)."""
        def hashes(values) -> np.ndarray:
            return np.asarray([get_string_id(v) for v in values], dtype=np.uint64)

        hits = np.isin(self.arrays[:, 2], np.asarray([IDS[p] for p in pos], dtype=np.uint64)) | \
            np.isin(self.arrays[:, 3], hashes(lower)) | np.isin(self.arrays[:, 4], hashes(dep))
        doc = self.doc
        return [doc[i] for i in np.flatnonzero(hits).tolist()]

    def paragraph_of(self, char: int) -> int:
        return max(0, bisect.bisect_right(self.para_starts, char) - 1)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """Tokens overlapping body chars [start, end) (whitespace tokens included)."""
        start, end = max(0, start), min(end, len(self.text))
        if end <= start:
            return (0, 0)
        first = bisect.bisect_right(self.tok_ends, start)      # first token ending after start
        last = bisect.bisect_left(self.tok_starts, end)         # first token starting at/after end
        if first >= last:
            return (0, 0)
        return first, last

    def token_at(self, char: int) -> Token | None:
        k = bisect.bisect_right(self.tok_starts, char) - 1
        if k >= 0 and char < self.tok_ends[k]:
            return self.doc[k]
        return None

    def words(self, start: int, end: int) -> list[Token]:
        a, b = self.token_range(start, end)
        return [t for t in self.doc[a:b] if not (t.is_punct or t.is_space or t.is_quote)]

    def is_clause_quote(self, q: QuoteSpan) -> bool:
        """A quotation that reports words (rather than a scare quote, a title or a fragment).

        Heuristics: at least `min_words` words, and a verb or closing punctuation inside the marks
        (scare quotes and fragments are short noun phrases: the “hot” issues, a “breakthrough”);
        not a title (every content word capitalised: ‘The U.S. and the Holocaust’); not right
        after a word naming language (The words ‘close cooperation in the area’).
        """
        words = self.words(q.content_start, q.content_end)
        if len(words) < self.config.min_words:
            return False
        inner = self.text[q.content_start:q.content_end].rstrip()
        has_verb = any(t.pos_ in ("VERB", "AUX") for t in words)
        ends_like_sentence = inner[-1:] in ".?!,;:…—-" if inner else False
        if not (has_verb or ends_like_sentence or len(words) >= 8):
            return False
        content_words = [t for t in words if not t.is_stop and t.is_alpha]
        if content_words and all(t.text[:1].isupper() for t in content_words) and not ends_like_sentence \
                and len(words) < 12:
            return False
        before = self.previous_token(q.open_start)
        if before is not None and (before.lower_ in self.config.metalinguistic_nouns
                                   or before.lemma_.lower() in self.config.metalinguistic_verbs):
            return False
        # Embedded in a clause: right after a preposition, a determiner, an adjective, "that" or a
        # verb that is not a cue ("hailed as “pre-election support from Putin,”", "agreed on “...”",
        # "said that “...”"), the quotation is a fragment of the writer's sentence: a mixed quote
        # when a cue reports that sentence, a scare quote otherwise.
        if before is not None and before.idx + len(before.text) > self.paragraph_start(q.open_start) and \
                before.pos_ in EMBEDDING_POS and not _is_cue_verb(before, self.config, allow_direct_only=True) \
                and not (before.pos_ == "CCONJ" and self._opens_sentence(before)):
            return False
        return True

    def _opens_sentence(self, tok: Token) -> bool:
        """A conjunction opening a sentence ("But “...”"): after ., ? or ! (or a closing mark
        after them), or at the start of its paragraph."""
        before = self.previous_token(tok.idx)
        if before is None or before.idx < self.paragraph_start(tok.idx):
            return True
        if before.is_quote:
            before = self.previous_token(before.idx)
        return before is not None and before.text in (".", "?", "!")

    def previous_token(self, char: int) -> Token | None:
        """The last non-space token ending at or before body offset `char`."""
        k = bisect.bisect_right(self.tok_ends, char) - 1
        while k >= 0 and self.doc[k].is_space:
            k -= 1
        return self.doc[k] if k >= 0 else None

    def paragraph_start(self, char: int) -> int:
        return self.paragraphs[self.paragraph_of(char)][0] if self.paragraphs else 0

    def inside_clause_quote(self, token: Token) -> bool:
        return bool(self.in_clause_quote[token.i])


def _is_cue_verb(tok: Token, config: QuoteConfig, allow_direct_only: bool = False) -> bool:
    lemma = tok.lemma_.lower()
    if allow_direct_only and tok.pos_ == "NOUN" and tok.lower_ in ("read", "reads") and \
            (tok.dep_ == "ROOT" or not any(c.dep_ == "det" for c in tok.children)):
        lemma = "read"             # “...,” the editorial read: a verb the tagger took for a noun
    elif tok.pos_ not in ("VERB",) and not (tok.pos_ == "AUX" and lemma == "say"):
        return False
    if tok.dep_ in ("amod", "compound"):
        return False                   # "the so-called deal", "a said agreement": adjectives
    if tok.lower_ == "told" and tok.i > 0 and tok.doc[tok.i - 1].lower_ == "all" and \
            tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].text == ",":
        return False                   # "All told, the group raised ...": "in all", nobody speaks
    if lemma == "call":
        # "called Putin" (telephoned), "called it a disaster": speech only with for/on.
        return any(c.dep_ in ("prep", "prt") and c.lower_ in config.call_particles for c in tok.children) \
            or allow_direct_only
    if lemma in config.speech:
        return True
    if lemma == "make" and _made_clear(tok, config) is not None:
        return True
    return allow_direct_only and lemma in config.direct_only


def _made_clear(tok: Token, config: QuoteConfig) -> Token | None:
    """The "clear" of "made (it) clear that ...": a statement, with the clause hung on the adjective."""
    for c in tok.children:
        if c.lower_ not in config.make_clear or c.dep_ not in ("ccomp", "oprd", "acomp", "xcomp") or c.i < tok.i:
            continue
        that_clause = any(m.dep_ == "mark" and m.lower_ == "that"
                          for cl in c.children if cl.i > c.i for m in cl.children)
        if that_clause or any(cl.dep_ == "ccomp" and cl.i > c.i for cl in tok.children):
            return c
    return None


def _noun_tagged_cue(tok: Token, config: QuoteConfig) -> bool:
    """“...,” the Saudis state in the paper / “...,” a voice-over in the ad states: after a
    quotation, a verb form the tagger took for a noun, right after the noun it has as subject
    and ending the clause (before a preposition or punctuation), is the cue."""
    if tok.pos_ != "NOUN" or tok.lower_ not in config.noun_tagged_cues or tok.i == 0:
        return False
    before, after = tok.nbor(-1), (tok.nbor(1) if tok.i + 1 < len(tok.doc) else None)
    return before.pos_ in ("NOUN", "PROPN") and (after is None or after.is_punct or after.pos_ == "ADP")


def _governed_by_plan(tok: Token, config: QuoteConfig) -> bool:
    """True for a cue that is an intention, not a statement: "had planned to tell Putin that",
    "wants to say", "is expected to announce", "declined to say" (xcomp chains up to a governor)."""
    node = tok
    for _ in range(4):
        if node.dep_ not in ("xcomp",) or node.head.i == node.i:
            break
        head = node.head
        if head.lemma_.lower() in config.governors or head.lower_ in config.governors:
            return True
        node = head
    # An infinitive cue is a plan, a purpose or a judgement, not a statement: "his plan to tell",
    # "too early to tell whether", "in order to say" -- unless the head only moves the story on
    # ("went on to say that").
    # A perfect infinitive ("is reported to have called X ...", "appears to have told") is a
    # past statement, not a plan.
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children) and \
            tok.head.lemma_.lower() not in config.infinitive_ok and \
            not any(c.dep_ == "aux" and c.lower_ == "have" for c in tok.children):
        return True
    # "It should be noted that", "it must be said": the writer's aside, nobody is reported.
    if any(c.dep_ == "nsubjpass" and c.lower_ == "it" for c in tok.children) and \
            any(c.dep_ == "aux" and c.lower_ in config.aside_modals
                for c in tok.children):
        return True
    # "is said to be": a passive say with an infinitive is hearsay about the subject, no speech.
    if tok.lemma_ == "say" and any(c.dep_ == "auxpass" for c in tok.children) and \
            any(c.dep_ == "xcomp" for c in tok.children):
        return True
    return False


def _loose_quotative(idx: _DocIndex, cue: Token, q: QuoteSpan) -> bool:
    """"go" and "put" quote only in set phrases: he goes, “...” / as she put it, “...”. A
    movement or placement verb whose own complements run up to or into the marks is no cue
    (went with a willingness “to build ...”, put him “through the wringer,” says he goes “back
    to war”)."""
    if cue.lemma_.lower() not in idx.config.loose_quotatives:
        return False
    a, b = idx.token_range(cue.idx + len(cue.text), q.content_end)
    for tok in idx.doc[a:b]:
        if tok.head.i != cue.i or tok.is_punct or tok.is_space:
            continue
        if tok.dep_ in ("prep", "advmod", "npadvmod", "prt", "acomp", "dative") or \
                (tok.dep_ == "dobj" and tok.lower_ not in ("it", "this", "that")):
            return True
    return False


def _cue_span(tok: Token) -> tuple[int, int]:
    """The cue as written: the verb and its particle ("point out", "called for")."""
    start, end = tok.i, tok.i + 1
    for child in tok.children:
        if child.dep_ == "prt" and child.i == end:
            end += 1
    return start, end


def _opens_clause(tok: Token, config: QuoteConfig) -> bool:
    """Does a verb open its clause (sentence start, after a comma, or after "when"/"if"...)? A
    past form there without a subject is a participle the tagger took for a finite verb."""
    prev = tok.nbor(-1) if tok.i > tok.sent.start else None
    while prev is not None and prev.is_space and prev.i > tok.sent.start:
        prev = prev.nbor(-1)
    return prev is None or prev.is_space or prev.text == "," or prev.lower_ in config.participle_openers


def _tense(tok: Token) -> str | None:
    """A finite verb group's tense and number, from its first auxiliary if any: "past" (said,
    did say), "pres3" (says, has said) or "pres" (say, have said); None for modals and
    non-finite forms. A bare "VB" with no auxiliary is taken for "pres" (the tagger's common
    slip for a plural present)."""
    aux = [c for c in tok.children if c.dep_ in ("aux", "auxpass") and c.i < tok.i]
    if aux:
        if any(a.tag_ == "MD" or a.lower_ == "to" for a in aux):
            return None
        t = aux[0].tag_
    else:
        t = tok.tag_
        if t == "VB" and tok.dep_ != "conj":
            return None
    return {"VBD": "past", "VBZ": "pres3", "VBP": "pres", "VB": "pres"}.get(t)


def _subject_before_climb(tok: Token, config: QuoteConfig) -> tuple[Token | None, bool] | None:
    """_find_subject's answer when the verb's own shape settles it before climbing the parse
    (a lost "as" or share subject, "it means saying", "Asked whether ..."); else None."""
    if not any(c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl") for c in tok.children):
        # "As Jane Doe, a professor of law, put it, ...": the parser took "as" for a preposition
        # and the speaker for its object; the subjectless verb the "as" marks is what she said.
        mark = next((c for c in tok.children if c.dep_ == "mark" and c.lower_ == "as" and c.i < tok.i), None)
        obj = next((c for c in mark.children if c.dep_ == "pobj" and c.pos_ in ("PROPN", "NOUN", "PRON")),
                   None) if mark is not None else None
        if obj is not None:
            return obj, False
        # "Nearly a half agreed that ...", "..., with some two in five saying ...": a share
        # opening the clause, parsed as a measure phrase (npadvmod) or as a number modifying the
        # verb, is the subject the parse lost.
        share = next((c for c in tok.children if c.dep_ in ("npadvmod", "nummod") and c.i < tok.i and
                      (c.lemma_.lower() in config.share_nouns or c.ent_type_ in ("CARDINAL", "PERCENT")) and
                      c.right_edge.i == tok.i - 1 and
                      (c.left_edge.i == _sent_of(tok).start or tok.doc[c.left_edge.i - 1].lower_ == "with")),
                     None)
        if share is not None:
            return share, False
    if tok.tag_ == "VBG" and tok.dep_ == "xcomp" and (tok.head.lemma_.lower() == "mean" or tok.head.lower_ == "worth"):
        # "It means acknowledging that ...", "it's worth pointing out that ...": anyone would;
        # nobody is reported.
        return None, False
    if tok.dep_ == "advcl" and (tok.tag_ == "VBN" or tok.tag_ == "VBD" and _opens_clause(tok, config)) and not any(
            c.dep_ in ("nsubj", "nsubjpass", "agent", "aux", "auxpass", "dobj", "dative") for c in tok.children):
        # "Asked whether he would ..., Reid said ...": a passive participle without an agent; the
        # one asking is unnamed, and the main clause's subject is the one asked.
        return None, True
    return None


def _climb_start(tok: Token, config: QuoteConfig) -> Token:
    """The verb whose subject a cue verb borrows, before climbing: the cue itself, or the verb a
    participle or conjoined verb goes with."""
    node = tok
    if tok.tag_ == "VBG" and tok.dep_ == "conj" and tok.head.tag_ != "VBG":
        # "..., saying he has been a pioneer ... and calling him “a feminist”": a participle
        # conjoined to a finite verb inside another participle's clause goes with that participle.
        outer = next((a for a in tok.ancestors if a.tag_ == "VBG" and a.i < tok.i and
                      _is_cue_verb(a, config)), None)
        if outer is not None:
            node = outer
    # (a participle conjoined to such a participle goes with it: "..., vowing to ... and
    # suggesting he would ...")
    part = tok
    while part.tag_ == "VBG" and part.dep_ == "conj" and part.head.tag_ == "VBG" and part.head.i < part.i:
        part = part.head
    if tok.tag_ == "VBG" and part.dep_ == "advcl" and part.head.dep_ == "ccomp" and part.head.i < part.i and \
            part.head.head.i < part.head.i and _is_cue_verb(part.head.head, config) and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in part.children):
        # "X told Newsmax that Romney “had a crazy policy,” adding, “...”: a speech participle
        # after a reported clause goes with the verb reporting it, not with the clause's verb.
        node = part.head.head
    elif tok.dep_ == "conj" and tok.head.dep_ == "ccomp" and tok.head.head.i < tok.head.i and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) and \
            _is_cue_verb(tok, config) and _is_cue_verb(tok.head.head, config):
        # "X said it was too early to tell but added, “...”": the speech verb conjoined to the
        # reported clause's verb goes with the reporting verb when that clause's subject cannot
        # speak ("said his wife called and told him" keeps the wife).
        inner = next((c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass", "expl")), None)
        if inner is None or inner.lower_ == "it" or not _animate(inner, config):
            node = tok.head.head
    outer = None
    if tok.dep_ == "conj" and tok.head.dep_ == "ccomp":
        outer = tok.head.head
    elif tok.dep_ == "conj" and tok.head.dep_ == "relcl":
        outer = next((a for a in tok.head.head.ancestors if a.pos_ in ("VERB", "AUX")), None)
    if node is tok and outer is not None and outer.i < tok.head.i and \
            not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children) and \
            _tense(tok) is not None and _tense(tok) != _tense(tok.head) and _tense(tok) == _tense(outer):
        # "A narrator reminds viewers that Sanders participated in ... and says he ...", "Gulf
        # sources believe Erdogan has joined ... and admit that ...", "X and Y have thanked the
        # groups that invited them and say ...": a verb conjoined to a reported or relative
        # clause whose tense or number does not fit that clause's verb but fits the verb above
        # goes on with that verb's subject.
        node = outer
    return node


def _noun_or_its_writer(noun: Token, config: QuoteConfig) -> Token:
    """The noun a participle cue modifies speaks ("a statement saying that ..."), or, for a
    document, whoever wrote or sent it ("The mayor wrote a letter to X asking ...")."""
    verb = noun.head if noun.dep_ == "dobj" else noun.head.head \
        if noun.dep_ == "pobj" and noun.head.dep_ == "prep" else None
    if noun.lower_ in config.document_nouns and verb is not None and verb.pos_ == "VERB" and \
            verb.lemma_.lower() in config.document_writing_verbs:
        writer = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if writer is not None and _animate(writer, config) and \
                writer.lower_ not in config.document_nouns and \
                writer.lower_ not in config.relative_pronouns:
            return writer
    return noun


def _climb_to_subject(tok: Token, node: Token, config: QuoteConfig) -> tuple[Token | None, bool, bool]:
    """Climb from `node` through conjoined, participle, infinitive and relative clauses to the
    first subject (or agent, or passive): (subject, passive, final) -- final when that answer
    stands without the later repairs of _find_subject."""
    subject, passive = None, False
    via_xcomp = via_conj = False
    for _ in range(6):
        subjects = [c for c in node.children if c.dep_ in ("nsubj", "csubj")]
        # "which she said represented ...": two subjects on one verb; the relative pronoun
        # belongs to the clause below, the other one speaks.
        subj = next((c for c in subjects if c.lower_ not in config.relative_pronouns),
                    subjects[0]) if len(subjects) > 1 else (subjects[0] if subjects else None)
        others = [c for c in subjects if c.lower_ not in config.relative_pronouns and c.i < node.i]
        if len(others) > 1:
            # "Speaking in Salem, New Hampshire, Trump went after Bush, calling ...": the end of a
            # fronted phrase parsed as a second subject; the nearest person before the verb speaks.
            subj = next((c for c in reversed(others) if _animate(c, config)), subj)
        if subj is None and node.tag_ in ("VBD", "VBZ"):
            # "In particular, Will wrote, ...": a capitalised "Will" before a past or present
            # tense verb cannot be the modal (which takes the base form); it is a name.
            subj = next((c for c in node.children if c.dep_ == "aux" and c.tag_ == "MD" and
                         c.text == "Will" and c.i == node.i - 1), None)
        if subj is not None:
            if subj.lower_ in config.relative_pronouns and node.dep_ == "relcl":
                subject = node.head
                if subj.lower_ == "which" and subject.ent_type_ == "PERSON":
                    # "..., which could explain why": "which" never stands for a person, so the
                    # parse attached the clause to the wrong noun; a thing explains, nobody speaks.
                    return None, False, True
            else:
                subject = subj
            break
        agent = next((c for c in node.children if c.dep_ == "agent"), None)
        pass_subj = next((c for c in node.children if c.dep_ == "nsubjpass"), None)
        if agent is not None and pass_subj is not None and via_conj and \
                not any(c.dep_ == "auxpass" for c in tok.children) and _animate(pass_subj, config) and \
                tok.tag_ in ("VBD", "VBZ", "VBP"):
            # "X was welcomed on stage by Y and quipped, “...”": an active verb conjoined to a
            # passive shares its subject; the agent of the passive does not speak.
            subject = pass_subj
            break
        if agent is not None:
            subject = next((c for c in agent.children if c.dep_ == "pobj"), None)
            break
        if pass_subj is not None and node.i == tok.i and node.tag_ == "VBD" and any(
                c.dep_ == "auxpass" and c.lower_ in ("'s", "’s") for c in node.children) and \
                any(c.dep_ == "ccomp" or c.dep_ == "dobj" and node.lemma_ == "say" for c in node.children):
            # "He's said he ...": the "'s" of a perfect ("has said") taken for a passive "is"
            # ("he's said the same thing": "said" takes no object in the passive).
            subject = pass_subj
            break
        if pass_subj is not None and via_conj and not any(c.dep_ == "auxpass" for c in tok.children) \
                and _animate(pass_subj, config) and tok.tag_ in ("VBD", "VBZ", "VBP"):
            # "Trump was forced into damage control and said that ...": an active cue conjoined
            # to a passive verb shares its subject, who speaks.
            subject = pass_subj
            break
        if pass_subj is not None:
            if via_xcomp and pass_subj.lower_ != "it":
                # "X is reported to have called ...", "X was said to have told ...": the
                # raised subject of the passive is the one who spoke.
                subject = pass_subj
                break
            passive = True
            break
        if node.head.i == node.i:
            break
        via_xcomp = node.dep_ == "xcomp"
        via_conj = node.i == tok.i and node.dep_ == "conj"
        if node.dep_ == "relcl":
            subject = node.head
            break
        if node.dep_ == "acl":
            if node.i == tok.i and node.head.pos_ in ("NOUN", "PROPN", "PRON") and (
                    _animate(node.head, config) or node.head.dep_ not in ("pobj",) or
                    node.head.head.lower_ == "with" and node.head.ent_type_ in ("PERCENT", "CARDINAL")):
                # (not a thing after a preposition: "was heard on a microphone telling X ...";
                # but "with 50 percent saying ...": a share after an absolute "with" says it)
                subject = _noun_or_its_writer(node.head, config)
                break
            node = _sent_of(node).root        # a participle hanging off some noun: the sentence's subject
            # ("X was heard on a microphone telling ...": the passive's subject is heard speaking)
            via_xcomp = tok.tag_ == "VBG" and any(c.dep_ == "nsubjpass" and _animate(c, config)
                                                  for c in node.children)
            if node.i == tok.i:
                break
            continue
        # ("Since declaring that ..., X has stayed quiet": "since" tagged a subordinator all the same)
        if node.dep_ == "prep" and node.pos_ in ("ADP", "SCONJ") and node.i != tok.i and \
                node.head.pos_ in ("VERB", "AUX") \
                and not any(c.dep_ == "auxpass" for c in tok.children):
            # "... and distinguished himself by saying he ...": from the gerund to the verb the
            # preposition hangs on; "X is quoted as saying": the raised passive subject speaks.
            # (Not from a passive gerund: "came after being asked to ..." -- the asker is unnamed.)
            node = node.head
            via_xcomp = any(c.dep_ == "nsubjpass" and _animate(c, config) for c in node.children)
            continue
        if node.dep_ == "prep" and node.pos_ == "ADP" and node.i != tok.i and node.head.dep_ == "pobj" and \
                node.head.head.dep_ == "prep" and node.head.head.head.pos_ in ("VERB", "AUX") and \
                node.head.head.i == node.head.i - 1 and node.head.i == node.i - 1 and \
                tok.tag_ == "VBG" and not any(c.dep_ == "auxpass" for c in tok.children):
            # "In addition to stating that ..., X has vowed ...", "instead of saying ...": a gerund
            # in a compound preposition goes with the verb the whole phrase hangs on.
            node = node.head.head.head
            continue
        if node.dep_ == "acomp" and node.pos_ == "ADJ" and node.i != tok.i and \
                node.lemma_.lower() in config.infinitive_ok:
            # "X was quick to add that ...": the infinitive hangs on the adjective; the
            # copula's subject speaks.
            node = node.head
            continue
        if node.dep_ in ("conj", "advcl", "xcomp", "pcomp") or (node.dep_ == "ccomp" and node.tag_ == "VBG") \
                or (node.dep_ == "advmod" and node.pos_ == "ADV" and node.i != tok.i):
            # ("went so far as to say": the infinitive hangs off the adverb of the verb with the subject)
            node = node.head
            continue
        break
    return subject, passive, False


def _appositive_subject(tok: Token) -> Token | None:
    """The subject of a verb left without one, which the parser hung on a fronted phrase's noun
    as an appositive; else None."""
    # "At Boca West, where ..., Jay Smith, the club's president, suggested that ...": the
    # parser hung the subject on the fronted phrase's noun as an appositive, leaving the verb
    # without one; the appositive ending right before the verb is its subject. Also with no
    # comma before the verb ("In an interview with the hosts, the candidate stated that ..."):
    # an appositive opened by a comma and running straight into the verb is its subject.
    # (auxiliaries of the verb stand between: "..., Jane Doe and John Roe, have said that")
    k = tok.i
    while k > 2 and tok.doc[k - 1].head.i == tok.i and tok.doc[k - 1].dep_ in ("aux", "neg", "advmod"):
        k -= 1
    comma = tok.doc[k - 1].text == ","
    end = k - 2 if comma else k - 1
    top = None
    for anc in [tok.doc[end]] + list(tok.doc[end].ancestors):
        if anc.i >= k:
            break
        if anc.dep_ == "appos" and anc.pos_ in ("PROPN", "NOUN") and anc.right_edge.i == end and (
                anc.head.dep_ == "pobj" and anc.head.i < anc.i and comma or
                not comma and anc.left_edge.i >= 1 and tok.doc[anc.left_edge.i - 1].text == "," and
                any(a.dep_ == "pobj" for a in anc.ancestors)):
            top = anc
    return top


def _participle_speaker(tok: Token, subject: Token | None, config: QuoteConfig) -> tuple[Token | None, bool]:
    """For a participle cue whose climb found no speaking subject: (the speaker, final) -- final
    when it is the answer as it stands, else the subject to go on with (unchanged when none)."""
    # "..., saying the move could ...": when the climb finds no subject or lands on a thing,
    # take the nearest animate subject before the participle in its sentence (participles
    # attach to the nearest verb in spaCy's parses, not always to the one whose subject speaks).
    # A speech verb above the participle comes first: she stated, “... would have turned
    # Libya into Syria,” adding, “...”: hung on the quoted clause, "adding" goes with "stated".
    if tok.dep_ == "advcl" and (subject is None or not _animate(subject, config)):
        # "The talk ended with the host asking ...", "The attacks have left most voters
        # saying ...": with a thing for subject, a speaker right before the participle as
        # the verb's object (or after "with") is the one speaking.
        for c in tok.head.children:
            obj = c if c.dep_ == "dobj" else next(
                (g for g in c.children if g.dep_ == "pobj"), None) if c.dep_ == "prep" and \
                c.lower_ in ("with", "without") else None
            if obj is None or obj.right_edge.i != tok.i - 1:
                continue
            of = next((g for p in obj.children if p.dep_ == "prep" and p.lower_ == "of"
                       for g in p.children if g.dep_ == "pobj"), None)
            if _animate(obj, config) or of is not None and _animate(of, config):
                return obj, True
    for anc in tok.ancestors:
        if anc.i < tok.i and _is_cue_verb(anc, config):
            cand = next((c for c in anc.children if c.dep_ == "nsubj"), None)
            if cand is not None and _animate(cand, config) and cand.lower_ not in config.relative_pronouns:
                return cand, True
    sent = _sent_of(tok)
    if tok.tag_ == "VBG" and tok.left_edge.i > sent.start and tok.doc[tok.left_edge.i - 1].text == ",":
        # "The mayor was defensive when forced to pay a builder who said he ..., saying, “...”": a
        # participle set off by a comma goes with the sentence's own subject, not with the
        # nearest one inside a clause between
        root = next((c for c in sent.root.children if c.dep_ == "nsubj"), None)
        if root is not None and root.i < tok.i and _animate(root, config) and \
                root.lower_ not in config.relative_pronouns:
            return root, False
    for cand in reversed(tok.doc[sent.start:tok.i]):
        if cand.dep_ == "nsubj" and _animate(cand, config) and cand.lower_ not in config.relative_pronouns:
            return cand, False
    return subject, False


def _find_subject(tok: Token, config: QuoteConfig) -> tuple[Token | None, bool]:
    """The speaker token of a cue verb, and whether the clause is passive without an agent.

    Heuristics, in order: the verb's own nominal subject; for a passive, the agent ("was told by
    X"); a conjoined verb borrows the first verb's subject ("accepted the offer and said ...");
    a participle ("..., saying that") or an infinitive borrows its head's subject; a relative
    clause ("Putin, who said ...") uses the noun it modifies, never the relative pronoun; "a
    statement saying that" makes the noun the speaker.
    """
    early = _subject_before_climb(tok, config)
    if early is not None:
        return early
    node = _climb_start(tok, config)
    subject, passive, final = _climb_to_subject(tok, node, config)
    if final:
        return subject, passive
    if subject is None and not passive and tok.dep_ == "ROOT" and tok.i >= 2 and \
            not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children):
        subject = _appositive_subject(tok) or subject
    if subject is None and not passive:
        subject = _stranded_subject(tok) or _fronted_clause_subject(tok, config)
    # (a subject after the participle belongs to the clause it was hung on: X said, adding of
    # Y, “He cares ...” -- "adding" parsed as a modifier of "cares")
    # "..., with 50 percent saying she is prepared": an absolute "with" phrase naming a share
    # of people names who says it, though a share is not a person.
    # (parsed either as a participle on the object of "with" or as a clause under "with" with
    # the share for subject)
    with_absolute = subject is not None and subject.ent_type_ in ("PERCENT", "CARDINAL") and (
        tok.dep_ == "acl" and subject.i == tok.head.i and subject.dep_ == "pobj" and
        subject.head.lower_ == "with" or
        tok.dep_ == "pcomp" and tok.head.lower_ == "with" and subject.head.i == tok.i)
    if tok.tag_ == "VBG" and not passive and not with_absolute and (
            subject is None or not _animate(subject, config) or subject.i > tok.i and tok.dep_ == "advcl"):
        near, final = _participle_speaker(tok, subject, config)
        if final:
            return near, passive
        subject = near
    if subject is not None and subject.lower_ in config.floating_quantifiers and subject.i > 0 and \
            not any(c.i != tok.i for c in subject.children):
        # "with Trump, Huckabee and Christie all calling for ...": a floating quantifier right
        # after the names (parsed as their apposition or as the subject itself); the names it
        # sums up speak.
        prev = subject.doc[subject.i - 1]
        if subject.dep_ == "appos" and subject.head.i < subject.i:
            subject = subject.head
        elif prev.pos_ in ("NOUN", "PROPN") and prev.dep_ in ("conj", "compound", "pobj", "nsubj", "appos"):
            while prev.dep_ in ("conj", "compound") and prev.head.i != prev.i:
                prev = prev.head
            subject = prev
    if tok.tag_ == "VBG" and subject is not None and subject.tag_ == "DT" and subject.lower_ in ("that", "this"):
        # "That irritates them by suggesting that ...": a fact suggests; nobody speaks.
        subject = None
    return subject, passive


def _subjectless_root(tok: Token) -> Token | None:
    """The sentence's main verb, when it is `tok` or the verb a subjectless `tok` is conjoined
    to, and the parse gave it no subject (the two repairs below look for the one it lost)."""
    verb = tok
    if tok.dep_ == "conj" and tok.head.i < tok.i and \
            not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in tok.children):
        verb = tok.head
    if verb.dep_ != "ROOT" or verb.pos_ != "VERB" or \
            any(c.dep_ in ("nsubj", "nsubjpass", "expl", "csubj") for c in verb.children):
        return None
    return verb


def _stranded_subject(tok: Token) -> Token | None:
    """"At an event in Clairsville, Ohio, 62-year-old Jane Doe also railed against ... and
    explained ...": the parser made the subject a second object of the fronted preposition, so
    the main verb (or the verb it is conjoined to) has none. A preposition takes one object; a
    second one running (but for adverbs) into a subjectless verb is that verb's subject."""
    verb = _subjectless_root(tok)
    if verb is None:
        return None
    i = verb.i - 1
    while i >= 0 and verb.doc[i].dep_ in ("advmod", "neg") and verb.doc[i].head.i == verb.i:
        i -= 1
    if i < 1:
        return None
    cand = verb.doc[i]
    if cand.dep_ != "pobj" or cand.pos_ not in ("PROPN", "NOUN") or cand.ent_type_ != "PERSON" or \
            cand.head.i > cand.i:
        return None
    others = [c for c in cand.head.children if c.dep_ == "pobj" and c.i < cand.left_edge.i]
    if not others or verb.doc[cand.left_edge.i - 1].text != ",":
        return None
    return cand


def _fronted_clause_subject(tok: Token, config: QuoteConfig) -> Token | None:
    """"Doe, who chairs the board, said ...", "The mayor, whose office runs the port, said
    ...": the parser made the relative clause a complement of the main verb, taking the subject
    along (beside the relative pronoun), and left the main verb without one. That clause's
    subject, a name or noun that can speak (or is described by "who"), is the main verb's
    subject. Not when a quotation or a "that" opens the clause: there it is reported speech
    (“We will win,” ...)."""
    verb = _subjectless_root(tok)
    if verb is None or verb.tag_ not in ("VBD", "VBZ", "VBP"):
        return None
    clause = next((c for c in verb.children if c.dep_ == "ccomp" and c.i < verb.i), None)
    if clause is None or any(c.dep_ in ("mark", "cc", "conj") for c in clause.children):
        # (a clause coordinated with another, "Few would admit it, but X says ...", holds
        # another subject than the verb's)
        return None
    start = clause.left_edge.i
    if verb.doc[start].is_quote or start > 0 and verb.doc[start - 1].is_quote:
        return None
    subjects = [c for c in clause.children if c.dep_ == "nsubj" and c.lower_ not in config.relative_pronouns]
    # ("who" for a second subject: the first is a person the relative clause describes)
    who = any(c.dep_ == "nsubj" and c.lower_ == "who" for c in clause.children)
    if len(subjects) != 1 or subjects[0].pos_ not in ("PROPN", "NOUN") or \
            subjects[0].left_edge.i != start or not (who or _animate(subjects[0], config)):
        return None
    return subjects[0]


def _relative_pronoun(cue: Token, subject: Token, config: QuoteConfig) -> Token | None:
    """The relative pronoun standing for `subject` as the cue's clause subject, if any."""
    node = cue
    for _ in range(6):
        rel = next((c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")
                    and c.lower_ in config.relative_pronouns), None)
        if rel is not None and node.dep_ == "relcl" and node.head.i == subject.i:
            return rel
        if node.dep_ in ("conj", "xcomp", "advcl") and node.head.i != node.i:
            node = node.head
            continue
        break
    return None


def _animate(tok: Token, config: QuoteConfig) -> bool:
    """Can this noun speak? Names, pronouns, people and organisations, documents."""
    # A name that is a date or a time ("Sunday would have been ...") never speaks.
    if tok.ent_type_ in SPEAKER_LABELS or tok.pos_ in ("PROPN", "PRON") and tok.ent_type_ not in ("DATE", "TIME"):
        return True
    if tok.pos_ == "NOUN" and any(c.dep_ == "appos" and (c.ent_type_ == "PERSON" or c.pos_ == "PROPN")
                                  and c.i > tok.i for c in tok.children):
        return True       # "her campaign manager, Robby Mook,": a noun that a name in apposition names
    if _mistagged_name(tok):
        return True
    if tok.lemma_.lower() in config.share_nouns or tok.text == "%":
        # "An average of 10 percent of voters reported ...", "a majority of delegates warned":
        # a share of people speaks as they do (through the chain of "of" phrases).
        of = next((g for p in tok.children if p.dep_ == "prep" and p.lower_ == "of"
                   for g in p.children if g.dep_ == "pobj"), None)
        return of is not None and of.i != tok.i and _animate(of, config)
    low = tok.lower_
    if tok.pos_ == "NOUN" and len(low) > 6 and low.endswith(config.person_suffixes) and \
            low not in config.non_speaking_heads:
        # "The radioman pointed out ...", "a pediatrician warned ...": nouns of agent by their
        # ending (-man, -ist, -ian) name people.
        return True
    if tok.tag_ == "NNS" and (tok.lemma_.lower() in config.organisation_nouns or
                              tok.lemma_.lower() in _role_heads(config)):
        # the plural of a group or a role speaks too ("Legislative leaders noted ...", "advocacy
        # groups note ..."); not that of a document ("those documents reveal": a thing cited)
        return True
    return (low in config.unnamed_nouns or low in config.organisation_nouns or
            low in config.document_nouns or low in _role_heads(config) or low in config.title_words or
            tok.lemma_.lower() in config.unnamed_nouns)


def _mistagged_name(tok: Token) -> bool:
    """A capitalised noun ending a chain of proper-noun compounds ("M. Dane Waters" with
    "Waters" tagged a plural common noun): the tagger's slip on a surname, a name all the same.
    Not a date or number, nor a word of an all-capitals heading ("IOWA POLLS NOT WRONG")."""
    if tok.pos_ != "NOUN" or not tok.text[:1].isupper() or tok.is_upper or \
            tok.ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT", "CARDINAL"):
        return False
    comps = [c for c in tok.children if c.dep_ == "compound" and c.i < tok.i]
    return bool(comps) and all(c.pos_ == "PROPN" and c.text[:1].isupper() and
                               not (c.is_upper and len(c.text.rstrip(".")) > 1) for c in comps) and \
        comps[-1].i == tok.i - 1


_TRIM_DEPS = {"relcl", "appos", "acl", "advcl", "punct", "cc", "conj", "parataxis", "npadvmod"}


def _speaker_span(head: Token, config: QuoteConfig, keep_acl: bool = True) -> tuple[int, int]:
    """The speaker noun phrase as written: the head's subtree without relative clauses,
    appositions and conjoined clauses ("Netanyahu, who is also Defense Minister," -> Netanyahu),
    keeping prepositional phrases and participles that say whose statement it is ("A short
    statement issued by the Prime Minister's Office")."""
    drop = set()
    # "One of the men, Jessie Elkins, 70, said": a name in apposition to a noun phrase that is
    # not a name is who speaks; it stays in the span with the commas around it.
    # (a title in capitals is such a phrase too: "The Foreign Secretary, Liz Truss, said")
    described = head.pos_ != "PROPN" or head.lower_ in _role_heads(config) or head.lower_ in config.title_words
    name_appos = next((c for c in head.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i > head.i),
                      None) if described and head.ent_type_ not in SPEAKER_LABELS else None
    if name_appos is not None:
        # ... without the clauses hanging on the name ("..., Maria Lopez, who also helped ...").
        for child in name_appos.children:
            if child.dep_ in ("relcl", "acl", "advcl", "parataxis", "conj", "cc"):
                drop.update(t.i for t in child.subtree)
    for child in head.children:
        dep = child.dep_
        if name_appos is not None and (child.i == name_appos.i or dep == "punct" and child.i < name_appos.i):
            continue
        if dep in _TRIM_DEPS and not (keep_acl and dep == "acl" and child.tag_ == "VBN"):
            if dep == "punct" and glued_hyphen(child):
                continue      # "Debbie Wasserman-Schultz": a hyphen inside the name
            if dep == "conj" and child.pos_ in ("PROPN", "NOUN"):
                continue      # "Putin and Bennett said": both
            if dep == "cc" and any(c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN") for c in head.children):
                continue
            drop.update(t.i for t in child.subtree)
        if dep == "npadvmod":
            drop.update(t.i for t in child.subtree)
    keep = [t.i for t in head.subtree if t.i not in drop]
    # Contiguous block around the head.
    start = end = head.i
    keep_set = set(keep)
    while start - 1 in keep_set:
        start -= 1
    while end + 1 in keep_set:
        end += 1
    doc = head.doc
    # Trim punctuation, spaces and a temporal tail ("Reports in Israeli press late December").
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end].is_punct or doc[end].is_space or doc[end].ent_type_ in ("DATE", "TIME")
                           or doc[end].tag_ == "POS" or doc[end].lower_ in ("'s", "’s")
                           or doc[end].dep_ == "prep" and end > head.i and all(c.i > end for c in doc[end].children)):
        end -= 1      # "the Jewish state's claim": the owner, without its possessive ending; a
        #               preposition whose time was cut ("Olaf Scholz on [Tuesday] rejected")
    return start, end + 1


def _content_of_subtree(tok: Token, exclude: Iterable[Token] = ()) -> tuple[int, int] | None:
    """Body char span of tok's subtree (minus the excluded tokens' subtrees), trimmed of
    punctuation and spaces at the edges; None when nothing is left."""
    excluded = set()
    for ex in exclude:
        excluded.update(t.i for t in ex.subtree)
    toks = [t for t in tok.subtree if t.i not in excluded]
    if not toks:
        return None
    doc = tok.doc
    first, last = toks[0].i, toks[-1].i
    # (the trim steps over excluded tokens too: a clause cut off at an edge, ", as X reported.",
    # must not come back through the punctuation after it)
    while first <= last and (first in excluded or doc[first].is_space or
                             (doc[first].is_punct and not doc[first].is_quote)):
        first += 1
    while last >= first and (last in excluded or doc[last].is_space or
                             (doc[last].is_punct and not doc[last].is_quote) or doc[last].dep_ == "cc"):
        last -= 1             # a clause never ends with its conjunction ("... and")
    if first > last:
        return None
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _clean_quote_content(idx: _DocIndex, q: QuoteSpan) -> tuple[int, int]:
    text = idx.text
    s, e = q.content_start, q.content_end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _inverted_cue_word(tok: Token, config: QuoteConfig) -> bool:
    """A capitalised past or present form of a cue verb opening a line ("Continued", "Stated",
    "Adds"), whatever the tagger made of it."""
    word = tok.lower_
    if not tok.is_alpha or not tok.text[:1].isupper() or not word.endswith(("ed", "s")):
        return False
    cues = config.speech | config.direct_only
    return tok.pos_ == "VERB" and tok.lemma_.lower() in cues or word[:-1] in cues or word[:-2] in cues


def _cue_lemma(tok: Token, config: QuoteConfig) -> str:
    """The cue as recorded: the lemma, a multi-word cue of `cues.phrases` written with its
    particle ("point out"), or "call" with its particle ("call for")."""
    lemma = tok.lemma_.lower()
    prt = [c.lower_ for c in tok.children if c.dep_ == "prt"]
    if lemma in config.phrases and config.phrases[lemma][0] in prt:
        return config.phrases[lemma][1]
    if lemma == "call":
        preps = [c.lower_ for c in tok.children if c.dep_ in ("prep", "prt") and c.lower_ in config.call_particles]
        if preps:
            return f"call {preps[0]}"
    return lemma


FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _unmarked_finite_clause(tok: Token, clause: Token) -> bool:
    """Is the adverbial `clause` of a cue verb a reported clause without "that"? Finite, with a
    subject of its own, no subordinator ("when", "because", "if", "as": a clause of time, cause or
    condition), and nothing between the cue and the clause's subject but adjuncts (no comma: "he
    laughed, he said" is two sentences' worth)."""
    kids = list(clause.children)
    subj = next((c for c in kids if c.dep_ in ("nsubj", "nsubjpass", "expl") and c.i < clause.i), None)
    if subj is None or any(c.dep_ == "mark" or c.tag_ in ("WRB", "WDT", "WP") for c in kids) or \
            not (clause.tag_ in FINITE_TAGS or any(c.dep_ in ("aux", "auxpass") and c.tag_ in FINITE_TAGS
                                                   for c in kids)):
        return False
    doc = tok.doc
    return all(not t.is_punct and t.dep_ not in ("cc", "mark") for t in doc[tok.i + 1:subj.left_edge.i])


def _indirect_question(tok: Token, child: Token, config: QuoteConfig) -> bool:
    """Is `child` what an active cue verb asks or says: an "if"/"whether" clause with a subject
    that the parser hung as an adverbial on a question verb ("asked the students if they were
    ..."), or the object of a preposition of `cues.prepositional_contents` ("asked Trump about his
    statements", "warned against hackers")? Only right after the verb, its
    listener and its adverbs (not a condition further on: "asked for a recount if the margin is
    small"), and not when the subject is the one asked ("was asked about", "X, asked about ...,
    said"): the verb has a subject of its own or shares one (a conjunct); but a question verb's
    bare participle opening an adverbial ("Asked if the plan was fair, X said yes", "when asked
    about the plan"; PolNeAR: a question of nobody named) asks too, its speaker left unnamed
    (_subject_before_climb)."""
    asked = tok.lemma_.lower() in config.question_verbs and tok.tag_ == "VBN" and tok.dep_ == "advcl" and \
        not any(c.dep_ in ("nsubj", "nsubjpass", "aux", "auxpass", "agent") for c in tok.children)
    if child.i < tok.i or not asked and (
            any(c.dep_ in ("auxpass", "nsubjpass") for c in tok.children) or
            tok.tag_ == "VBN" and not any(c.dep_ == "aux" for c in tok.children) or
            not (tok.dep_ == "conj" or any(c.dep_ == "nsubj" for c in tok.children))):
        return False
    if child.dep_ == "prep":
        # (a pronoun object asks about something said before: "asked him about it")
        if f"{tok.lemma_.lower()} {child.lower_}" not in config.prepositional_contents or \
                not any(c.dep_ == "pobj" and c.pos_ != "PRON" for c in child.children):
            return False
        first = child.i
    elif (tok.lemma_.lower() in config.question_verbs or any(c.dep_ == "neg" for c in tok.children)) and \
            child.dep_ == "advcl" and (child.left_edge.dep_ == "mark" and child.left_edge.head.i == child.i and
                                       child.left_edge.lower_ in ("if", "whether") or
                                       child.left_edge.tag_ in ("WRB", "WP", "WDT")) and \
            any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in child.children):
        # (a wh-clause too, and after a negated cue: "has not said when it would vote on it")
        first = child.left_edge.i
    else:
        return False
    between = set(range(tok.i + 1, first))
    allowed = {t.i for c in tok.children if c.dep_ in ("dobj", "dative", "advmod", "npadvmod") and c.i < first
               for t in c.subtree}
    return between <= allowed


def _content_children(tok: Token, config: QuoteConfig) -> list[Token]:
    """The clause a cue verb reports: ccomp (said that ...), a "to"-infinitive for directive verbs
    (urged them to ...), a parataxis clause with a colon."""
    out = []
    lemma = tok.lemma_.lower()
    for child in tok.children:
        if child.dep_ == "ccomp":
            out.append(child)
        elif child.dep_ in ("xcomp", "advcl") and lemma in config.directive and \
                any(c.dep_ == "aux" and c.lower_ == "to" for c in child.children) and child.i > tok.i:
            out.append(child)
        elif child.dep_ == "advcl" and child.i > tok.i and child.left_edge.lower_ == "that" and \
                child.left_edge.dep_ == "mark" and child.left_edge.head.i == child.i and \
                tok.doc[child.left_edge.i - 1].lower_ not in ("so", "now", "in", "such", "except") and \
                any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in child.children):
            # "recalled in 2008 that before Iowa, X was not ...": a "that" clause after the cue
            # that the parser took for an adverbial (no adverbial clause opens with a bare
            # "that"; "so that", "now that" do) is the reported clause.
            out.append(child)
        elif child.dep_ == "prep" and lemma == "call" and child.lower_ in config.call_particles and \
                (any(c.dep_ == "prt" and c.lower_ == "out" for c in tok.children) or
                 not any(c.dep_ in ("dobj", "oprd") and c.i < child.i for c in tok.children)):
            # (not a preposition after an object: "called her remarks on 9/11 a “new low”"; but
            # "called him out for ...")
            out.append(child)
        elif child.dep_ == "advcl" and child.i > tok.i and _unmarked_finite_clause(tok, child):
            # "said after the convention he would not accept ...": a reported clause without
            # "that" after an adjunct, which the parser hung as an adverbial
            out.append(child)
        elif (lemma in config.question_verbs or child.dep_ in ("prep", "advcl")) and \
                _indirect_question(tok, child, config):
            out.append(child)
        elif child.dep_ in ("dobj",) and any(c.dep_ in ("ccomp", "acl", "relcl") and c.i > child.i and
                                             any(m.lower_ in ("that", "whether", "if") and m.dep_ == "mark"
                                                 for m in c.children) for c in child.children) and \
                lemma in ("tell", "inform", "remind", "assure", "warn", "ask"):
            # "told reporters that ...": the clause may hang off the object.
            out.extend(c for c in child.children if c.dep_ in ("ccomp", "acl", "relcl"))
    if not out and tok.pos_ == "VERB":
        # "said following a vote in 2001 that he had ...": the parser hangs the reported clause
        # on the adjunct's noun as a relative clause; a relative clause has no "that" marker of
        # its own (its "that" is a subject or object), so a marked clause with a subject is the
        # cue's complement.
        for child in tok.children:
            if child.dep_ not in ("prep", "npadvmod") or child.i < tok.i:
                continue
            for c in child.subtree:
                # (a clause on a document noun, "says in a statement that ...", is the noun's)
                if c.dep_ in ("relcl", "acl") and c.pos_ in ("VERB", "AUX") and \
                        c.head.lower_ not in config.document_nouns and \
                        any(m.lower_ == "that" and m.dep_ == "mark" and m.i == c.left_edge.i for m in c.children) and \
                        any(s.dep_ in ("nsubj", "nsubjpass") for s in c.children):
                    out.append(c)
                    break
            if out:
                break
    if lemma == "make":
        # "made it clear that ...": the clause may hang on "clear".
        clear = _made_clear(tok, config)
        if clear is not None:
            out = [c for c in out if c.i != clear.i]
            out += [cl for cl in clear.children if cl.i > clear.i and cl.dep_ in ("ccomp", "advcl", "csubj")
                    and any(m.dep_ == "mark" and m.lower_ == "that" for m in cl.children)]
    # "asked whether", "explained why": wh-clauses parse as ccomp too; nothing more to do.
    return out


TRANSCRIPT_RE = re.compile(r"^[\"“]?([A-Z][A-Z.'’ -]{1,40}[A-Z.]):\s+\S")


POSSESSIVE_PRONOUNS = {"his": "he", "her": "she", "their": "they", "its": "it"}

# Endings of abstract nouns, which never speak ("intention", "assessment", "possibility").
ABSTRACT_SUFFIXES = ("tion", "sion", "ment", "ness", "ity", "ance", "ence", "ism", "ship", "ure", "ing")
