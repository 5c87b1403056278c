"""Interviews: a Q&A printed as turns (`Q:` / `A:` line heads, or the speakers' names or initials
as heads: "TRUMP:", "DT:"). Each turn is one attribution of the person its head stands for, the
head's paragraph and the paragraphs after it up to the next head, one piece per paragraph.

- An interview is a document, not a line (an excerpt of one inside a story counts too; its last
  turn is cut to the length of the longest turn before it, where the story may resume): several heads of at least two labels, alternating,
  each label at least `[interview] min_turns` times, turns of `min_words` words (median); one
  stray "Q:" or a list of "Clinton: 1,769." tallies is none.
- `A:` (or "Answer:") is the interviewee that the standfirst (the paragraphs before the first
  head) names: the person after an interviewee cue ("an interview with X"), else the person the
  standfirst names most (full names first), never one it names as the interviewer.
- `Q:` is the interviewer the standfirst names ("X spoke to" / "interviewed by X"), else the
  outlet (`documents.source`).
- A name or initials head is the person of the document it names: surname, full name or
  initials ("DT" is Donald Trump); a head that matches nobody speaks as written.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass

from pipeline.steps.quotes.syntax import Attribution, _DocIndex

# A line head: up to four capitalised words, then a colon (or a period after Q / A).
HEAD_RE = re.compile(r"^(?P<head>[A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3}?)\s?(?P<sep>[:.])\s+(?=\S)")
# A paragraph that is no speech of the turn before: a stage note ("(BEGIN VIDEO CLIP.)", "[...]")
# or a line without a letter ("….", "___").
STOP_RE = re.compile(r"^[(\[]|^[^A-Za-z]*$")


@dataclass
class Person:
    """A person mention the heads or the standfirst may name (token span and canonical name)."""
    start: int
    end: int
    name: str


@dataclass
class _Head:
    para: int
    key: str             # the label normalised: "q", "trump", "dt"
    label: str           # as written
    head: tuple          # body chars of the label
    sep: int             # body char of the colon (or period)


def persons_of(doc, mentions) -> list[Person]:
    """The document's persons: the entities stage's mentions when given, else the parse's."""
    if mentions is not None:
        return [Person(m.token_start, m.token_end, m.name) for m in mentions if m.label == "PERSON"]
    return [Person(e.start, e.end, e.text) for e in doc.ents if e.label_ == "PERSON"]


def _letters(label: str) -> str:
    return "".join(ch for ch in label if ch.isalpha())


def _heads(idx: _DocIndex, persons: list[Person]) -> list[_Head]:
    """Every paragraph opening with a head: a Q / A word, an upper-case name or initials, or a
    title-case name of a person of the document ("Biden:")."""
    config, text = idx.config, idx.text
    roles = config.interview_question_heads | config.interview_answer_heads
    surnames = {p.name.split()[-1].lower() for p in persons if p.name.split()}
    heads = []
    for p, (ps, pe) in enumerate(idx.paragraphs):
        if p == 0:
            continue            # (the headline "Fallin: Trump is ..." is no turn: headline_source)
        m = HEAD_RE.match(text[ps:pe])
        if m is None:
            continue
        label = m.group("head")
        low = label.lower().rstrip(".")
        if low in config.headline_labels:
            continue
        if low in roles:
            key = low
        elif m.group("sep") != ":":
            continue            # ("Trump. He ..." is a sentence; only Q. / A. take a period)
        elif label.upper() == label and len(_letters(label)) >= 2:
            key = _letters(label.split()[-1]).lower() or low
        elif label.split()[-1].lower() in surnames:
            key = label.split()[-1].lower()
        else:
            continue            # ("Photo: ...", "Source: ...": a label, nobody's turn)
        heads.append(_Head(p, key, label, (ps + m.start("head"), ps + m.end("head")), ps + m.start("sep")))
    return heads


def _turn_pieces(idx: _DocIndex, heads: list[_Head], k: int) -> list[tuple[int, int]]:
    """The pieces of turn `k`: its head paragraph after the head, then each paragraph up to the
    next head, stopping at a stage note."""
    text = idx.text
    h = heads[k]
    ps, pe = idx.paragraphs[h.para]
    start = h.sep + 1
    while start < pe and text[start].isspace():
        start += 1
    pieces = [(start, pe)] if pe > start else []
    last = heads[k + 1].para if k + 1 < len(heads) else len(idx.paragraphs)
    for q in range(h.para + 1, last):
        qs, qe = idx.paragraphs[q]
        if STOP_RE.match(text[qs:qe]) or _title_case(text[qs:qe]):
            break
        pieces.append((qs, qe))
    return pieces


def _title_case(line: str) -> bool:
    """A line of capitalised words ("Follow Jane Doe On Twitter", "Related Coverage"): a tagline
    or a header, not speech."""
    words = [w for w in line.split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


def _is_interview(idx: _DocIndex, heads: list[_Head], turns: list[list]) -> bool:
    """Several heads of at least two labels taking turns, with words to say."""
    config = idx.config
    counts = Counter(h.key for h in heads)
    frequent = [key for key, n in counts.items() if n >= config.interview_min_turns]
    changes = sum(1 for a, b in zip(heads, heads[1:]) if a.key != b.key)
    if len(frequent) < 2 or changes < 2 * config.interview_min_turns - 1:
        return False
    words = [len(idx.words(*pieces[0])) if pieces else 0 for pieces in turns]
    return statistics.median(words) >= config.interview_min_words


def _after_cue(idx: _DocIndex, person: Person, cues: frozenset, window: int = 4) -> bool:
    """A person named right after one of `cues` ("an interview with (Vice President) X"): the
    cue ends within `window` tokens before the name, no other name between."""
    doc = idx.doc
    lo = max(0, person.start - window - 4)
    words = [t.lower_ for t in doc[lo:person.start]]
    for cue in cues:
        parts = cue.split()
        for end in range(len(words), max(len(parts), len(words) - window) - 1, -1):
            if words[end - len(parts):end] == parts:
                between = doc[lo + end:person.start]
                if not any(t.ent_type_ == "PERSON" or t.text in ".;" for t in between):
                    return True
    return False


def _standfirst_people(idx: _DocIndex, persons: list[Person], first_head: int) -> tuple:
    """(interviewee, interviewer) Persons the standfirst names (None when it does not)."""
    config = idx.config
    n = min(first_head, config.interview_standfirst_paragraphs)
    if n <= 0:
        return None, None
    end = idx.paragraphs[n - 1][1]
    early = [p for p in persons if p.start < len(idx.doc) and idx.doc[p.start].idx < end]
    asked = {p.name for p in early if _after_cue(idx, p, config.interviewer_cues)}
    # (and those coordinated with them: "spoke with reporter X and reporter Y")
    spans = [(p.start, p.end) for p in early if p.name in asked]
    asked |= {p.name for p in early if any(t.dep_ == "conj" and any(a <= t.head.i < b for a, b in spans)
                                           for t in idx.doc[p.start:p.end])}
    named = [p for p in early if _after_cue(idx, p, config.interviewee_cues) and p.name not in asked]
    if not named:
        # the person the standfirst names most, a full name before a lone word (a place or an
        # outlet the model took for a person: "Riverton's mayor")
        counts = Counter(p.name for p in early if p.name not in asked)
        if counts:
            top = max(counts, key=lambda name: (len(name.split()) >= 2, counts[name]))
            named = [p for p in early if p.name == top]
    interviewee = named[0] if named else None
    askers = [p for p in early if p.name in asked and (interviewee is None or p.name != interviewee.name)]
    interviewer = askers[0] if len({p.name for p in askers}) == 1 else None
    return interviewee, interviewer


def _named(key: str, persons: list[Person]) -> Person | None:
    """The person a name or initials head stands for: surname, full name or initials."""
    for p in persons:
        words = p.name.lower().split()
        initials = {"".join(w[0] for w in words), words[0][0] + words[-1][0]} if len(words) >= 2 else set()
        if words and (key == words[-1] or key == "".join(words) or key in initials):
            return p
    return None


def _head_name(label: str, config) -> str | None:
    """An upper-case head as a name: titles and honorifics off, words capitalised ("MR. JOHN
    DOE" -> "John Doe"); None when nothing is left."""
    words = label.split()
    honorifics = config.title_words | config.male_honorifics | config.female_honorifics
    while words and (words[0].lower() in honorifics or words[0].lower().rstrip(".") in honorifics):
        words = words[1:]
    return " ".join(w.capitalize() if w.isupper() else w for w in words) or None


def interview_turns(idx: _DocIndex, persons: list[Person], source: str | None) -> list[Attribution]:
    """The turns of an interview document as attributions (none when the document is not one)."""
    config = idx.config
    heads = _heads(idx, persons)
    turns = [_turn_pieces(idx, heads, k) for k in range(len(heads))]
    if not heads or not _is_interview(idx, heads, turns):
        return []
    # After the last head nothing marks where the interview ends and the article resumes (a
    # transcript excerpt inside a story): the last turn runs no longer than the longest before it.
    turns[-1] = turns[-1][:max(1, *(len(t) for t in turns[:-1]))]
    interviewee, interviewer = _standfirst_people(idx, persons, heads[0].para)
    # a name head asks when most of its turns end a paragraph with a question and another
    # head's do not
    def asked(pieces) -> bool:
        return any(idx.text[ps:pe].rstrip("\"”’')] ").endswith("?") for ps, pe in pieces[:1] + pieces[-1:])
    asks = {key: sum(asked(pieces) for h, pieces in zip(heads, turns) if h.key == key) * 2 >
            sum(h.key == key for h in heads) for key in {h.key for h in heads}}
    names = {h.key: _head_name(h.label, config) for h in sorted(heads, key=lambda h: len(h.label))}
    out = []
    for h, pieces in zip(heads, turns):
        if not pieces:
            continue
        question = h.key in config.interview_question_heads or (
            h.key not in config.interview_answer_heads and asks[h.key] and not all(asks.values()))
        rule = "direct.interview_question" if question else "direct.interview_answer"
        if not config.rule_enabled(rule):
            continue
        a, b = idx.token_range(*h.head)
        sep = idx.token_at(h.sep)
        att = Attribution("direct", (pieces[0][0], pieces[-1][1]), rule, cue=sep,
                          cue_span=(sep.i, sep.i + 1) if sep is not None else None, cue_lemma=":",
                          speaker=(a, b) if b > a else None)
        att.pieces = pieces if len(pieces) > 1 else None
        att.extra["speaker_fixed"] = att.extra["speaker_as_named"] = True
        # "A:" and "Q:" are the speakers as written (the field annotates the head), standing for
        # the people the standfirst names
        if h.key in config.interview_answer_heads:
            who = interviewee
            att.speaker_ref = (who.start, who.end) if who is not None else None
            att.speaker = att.speaker if who is not None else None
        elif h.key in config.interview_question_heads:
            if interviewer is not None:
                att.speaker_ref = (interviewer.start, interviewer.end)
            else:      # the head "Q" speaks for the outlet (None: nobody)
                att.extra["named_speaker"] = (source or None, "organisation")
        elif (who := _named(h.key, persons)) is not None:
            att.speaker_ref = (who.start, who.end)
        else:
            # a head naming nobody the entities know ("JAKE TAPPER:", then "TAPPER:"): one
            # speaker for the key, its longest head as a name
            att.extra["named_speaker"] = (names.get(h.key), "person")
        out.append(att)
    return out
