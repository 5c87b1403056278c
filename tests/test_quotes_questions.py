"""Questions as attributions: "asked X if/whether ..." and "asked X about ..." (issue 12; PolNeAR
annotates the question as the content of "asked"). Model-free on hand-built parses, then through
the extractor with the model."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.steps.quotes.syntax import _content_children

VOCAB = spacy.blank("en").vocab      # English lexical attributes (lower_), no model


def _doc(rows):
    """(word, tag, pos, head index, dep, lemma) per token."""
    words, tags, pos, heads, deps, lemmas = zip(*rows)
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=list(lemmas))


def _asked(subject, verb=("asked", "VBD"), aux=None, listener=("students", "NNS", "NOUN"), tail="if"):
    """<subject> [aux] asked [the <listener>] <tail> ..., the parse spaCy gives (the if-clause an
    adverbial of the verb, the about-phrase a preposition of it)."""
    rows, verb_i = [], 1 + (aux is not None)
    rows.append((subject[0], subject[1], subject[2], verb_i, subject[3], subject[0].lower()))
    if aux is not None:
        rows.append((aux[0], aux[1], "AUX", verb_i, aux[2], aux[0].lower()))
    rows.append((verb[0], verb[1], "VERB", verb_i, "ROOT", "ask"))
    if listener is not None:
        n = len(rows)
        rows += [("the", "DT", "DET", n + 1, "det", "the"), (listener[0], listener[1], listener[2], verb_i, "dobj",
                                                               listener[0].lower())]
    n = len(rows)
    if tail == "if":          # if they were serious
        rows += [("if", "IN", "SCONJ", n + 2, "mark", "if"), ("they", "PRP", "PRON", n + 2, "nsubj", "they"),
                 ("were", "VBD", "AUX", verb_i, "advcl", "be"), ("serious", "JJ", "ADJ", n + 2, "acomp", "serious")]
    elif tail == "if-no-subject":   # if elected
        rows += [("if", "IN", "SCONJ", n + 1, "mark", "if"), ("elected", "VBN", "VERB", verb_i, "advcl", "elect")]
    elif tail in ("about", "about-it"):
        obj = ("it", "PRP", "PRON") if tail == "about-it" else ("plans", "NNS", "NOUN")
        rows += [("about", "IN", "ADP", verb_i, "prep", "about"), (obj[0], obj[1], obj[2], n, "pobj", obj[0])]
    elif tail == "for-then-if":     # for a recount if the margin is small
        rows += [("for", "IN", "ADP", verb_i, "prep", "for"), ("recount", "NN", "NOUN", n, "pobj", "recount"),
                 ("if", "IN", "SCONJ", n + 5, "mark", "if"), ("margin", "NN", "NOUN", n + 5, "nsubj", "margin"),
                 ("is", "VBZ", "AUX", verb_i, "advcl", "be"), ("small", "JJ", "ADJ", n + 4, "acomp", "small")]
    rows.append((".", ".", "PUNCT", verb_i, "punct", "."))
    return _doc(rows)


HE = ("He", "PRP", "PRON", "nsubj")
SHE_PASSIVE = ("She", "PRP", "PRON", "nsubjpass")


@pytest.mark.parametrize("doc, content", [
    # an indirect question the parser hung on the verb as an adverbial: the content
    (_asked(HE), "if they were serious"),
    (_asked(HE, listener=None), "if they were serious"),
    # the object of "about": the content
    (_asked(HE, tail="about"), "about plans"),
    # negatives: a pronoun object asks about what was said before; a clause without a subject is
    # a condition ("if elected"); a clause after another complement is a condition of that
    (_asked(HE, tail="about-it"), None),
    (_asked(HE, tail="if-no-subject"), None),
    (_asked(HE, listener=None, tail="for-then-if"), None),
    # ... and the one asked is no speaker: a passive, or a bare participle ("Asked if ...")
    (_asked(SHE_PASSIVE, aux=("was", "VBD", "auxpass"), listener=None), None),
    (_asked(SHE_PASSIVE, aux=("was", "VBD", "auxpass"), listener=None, tail="about"), None),
    (_asked(("Then", "RB", "ADV", "advmod"), verb=("asked", "VBN"), listener=None), None),
    (_asked(("Then", "RB", "ADV", "advmod"), listener=None, tail="about"), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_indirect_questions_are_the_content_of_a_question_verb(config, doc, content):
    verb = next(t for t in doc if t.lemma_ == "ask")
    children = _content_children(verb, config)
    got = [doc[c.left_edge.i:c.right_edge.i + 1].text for c in children]
    assert got == ([content] if content else []), got


def _verb_prep(verb, lemma, prep, obj=("hackers", "NNS", "NOUN")):
    """He <verb> <prep> <obj> ."""
    return _doc([("He", "PRP", "PRON", 1, "nsubj", "he"), (verb, "VBD", "VERB", 1, "ROOT", lemma),
                 (prep, "IN", "ADP", 1, "prep", prep), (obj[0], obj[1], obj[2], 2, "pobj", obj[0]),
                 (".", ".", "PUNCT", 1, "punct", ".")])


@pytest.mark.parametrize("doc, content", [
    # the pairs of `cues.prepositional_contents`: the object is what was said
    (_verb_prep("warned", "warn", "against"), "against hackers"),
    (_verb_prep("warned", "warn", "of"), "of hackers"),
    (_verb_prep("argued", "argue", "for"), "for hackers"),
    # negatives: a preposition the pair list does not give the verb ("warned on Monday", "said
    # about"), a pronoun object
    (_verb_prep("warned", "warn", "on", ("Monday", "NNP", "PROPN")), None),
    (_verb_prep("said", "say", "about"), None),
    (_verb_prep("warned", "warn", "against", ("it", "PRP", "PRON")), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_prepositional_contents(config, doc, content):
    children = _content_children(doc[1], config)
    got = [doc[c.left_edge.i:c.right_edge.i + 1].text for c in children]
    assert got == ([content] if content else []), got


def test_only_question_verbs_take_an_if_clause(config):
    # the same parse on a verb that is no question verb ("said ... if ..."): a condition
    doc = _asked(HE)
    verb = doc[1]
    assert verb.lemma_ == "ask"
    said = _doc([(t.text, t.tag_, t.pos_, t.head.i, t.dep_, "say" if t.i == 1 else t.lemma_) for t in doc])
    assert _content_children(said[1], config) == []


@pytest.mark.parametrize("text, expected", [
    ("Then Ms. Lopez asked the students if they were always so serious about the election.",
     [("indirect.ccomp", "if they were always so serious about the election", "Ms. Lopez")]),
    ("He asked reporters whether they had seen the video of the rally.",
     [("indirect.ccomp", "whether they had seen the video of the rally", "He")]),
    ("The host asked Maria Lopez about her plans for the old bridge.",
     [("indirect.call_for", "about her plans for the old bridge", "The host")]),
    ("Maria Lopez was asked about her plans for the old bridge.", []),
    ("She will ask for a recount if the margin is small.", []),
])
def test_questions_through_the_extractor(extract, text, expected):
    rows = extract(text)
    assert [(r["rule_id"], r["content"], r["speaker_text"]) for r in rows] == expected, rows


def _said_pp_clause(mark=None, comma=False, finite=True):
    """He said after the convention [mark] he would(n't) / he to ... accept it ."""
    rows = [("He", "PRP", "PRON", 1, "nsubj", "he"), ("said", "VBD", "VERB", 1, "ROOT", "say"),
            ("after", "IN", "ADP", 0, "prep", "after"), ("the", "DT", "DET", 0, "det", "the"),
            ("convention", "NN", "NOUN", 0, "pobj", "convention")]
    rows += [(",", ",", "PUNCT", 0, "punct", ",")] if comma else []
    rows += [(mark, "IN", "SCONJ", 0, "mark", mark)] if mark else []
    k = len(rows)
    rows += [("he", "PRP", "PRON", k + 2, "nsubj", "he"),
             ("would" if finite else "to", "MD" if finite else "TO", "AUX" if finite else "PART", k + 2, "aux",
              "would" if finite else "to"),
             ("accept", "VB", "VERB", 1, "advcl", "accept"), ("it", "PRP", "PRON", k + 2, "dobj", "it"),
             (".", ".", "PUNCT", 1, "punct", ".")]
    # the adjunct and any comma or mark hang on the clause, as the parser hangs them
    rows = [(w, t, p, (k + 2 if d in ("prep", "punct", "mark") and i < k else (2 if d in ("det", "pobj") else h)), d, l)
            for i, (w, t, p, h, d, l) in enumerate(rows)]
    rows[3] = ("the", "DT", "DET", 4, "det", "the")
    rows[4] = ("convention", "NN", "NOUN", 2, "pobj", "convention")
    return _doc(rows)


@pytest.mark.parametrize("doc, content", [
    (_said_pp_clause(), "after the convention he would accept it"),
    # negatives: a subordinator makes it a clause of time or cause ("said when ..."); a comma
    # comes between; an infinitive is no reported clause of "say"
    (_said_pp_clause(mark="when"), None),
    (_said_pp_clause(comma=True), None),
    (_said_pp_clause(finite=False), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_a_reported_clause_without_that_after_an_adjunct(config, doc, content):
    children = _content_children(doc[1], config)
    got = [doc[c.left_edge.i:c.right_edge.i + 1].text for c in children]
    assert got == ([content] if content else []), got


def _not_said_when(neg=True, wh=("when", "WRB", "ADV", "advmod")):
    """They have [not] said <wh> they would vote ."""
    rows = [("They", "PRP", "PRON", 3, "nsubj", "they"), ("have", "VBP", "AUX", 3, "aux", "have")]
    rows += [("not", "RB", "PART", 3, "neg", "not")] if neg else [("all", "RB", "ADV", 3, "advmod", "all")]
    rows += [("said", "VBN", "VERB", 3, "ROOT", "say"), (wh[0], wh[1], wh[2], 7, wh[3], wh[0]),
             ("they", "PRP", "PRON", 7, "nsubj", "they"), ("would", "MD", "AUX", 7, "aux", "would"),
             ("vote", "VB", "VERB", 3, "advcl", "vote"), (".", ".", "PUNCT", 3, "punct", ".")]
    return _doc(rows)


@pytest.mark.parametrize("doc, content", [
    # after a negated cue a wh-clause is the question left open
    (_not_said_when(), "when they would vote"),
    (_not_said_when(wh=("whether", "IN", "SCONJ", "mark")), "whether they would vote"),
    # ... not after a cue that says something: "have all said when ..." is a time clause
    (_not_said_when(neg=False), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_a_question_left_open_by_a_negated_cue(config, doc, content):
    children = _content_children(doc[3], config)
    got = [doc[c.left_edge.i:c.right_edge.i + 1].text for c in children]
    assert got == ([content] if content else []), got


def _asked_participle(tag="VBN"):
    """Asked if they were serious , [he] said no . (the participle an adverbial of "said")"""
    rows = [("Asked", tag, "VERB", 6, "advcl", "ask"), ("if", "IN", "SCONJ", 3, "mark", "if"),
            ("they", "PRP", "PRON", 3, "nsubj", "they"), ("were", "VBD", "AUX", 0, "advcl", "be"),
            ("serious", "JJ", "ADJ", 3, "acomp", "serious"), (",", ",", "PUNCT", 6, "punct", ","),
            ("said", "VBD", "VERB", 6, "ROOT", "say"), ("no", "UH", "INTJ", 6, "intj", "no"),
            (".", ".", "PUNCT", 6, "punct", ".")]
    return _doc(rows)


@pytest.mark.parametrize("doc, content", [
    # a question verb's bare participle opening an adverbial asks (the asker unnamed)
    (_asked_participle(), "if they were serious"),
    # ... not a past tense the parser left without a subject ("X, asked about ..., had said")
    (_asked_participle(tag="VBD"), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_a_bare_question_participle(config, doc, content):
    children = _content_children(doc[0], config)
    got = [doc[c.left_edge.i:c.right_edge.i + 1].text for c in children]
    assert got == ([content] if content else []), got


def test_a_bare_question_participle_has_no_speaker(extract):
    rows = [r for r in extract("Asked if she was ever worried, the mayor said no.") if r["cue"] == "ask"]
    assert [(r["content"], r["speaker_text"]) for r in rows] == [("if she was ever worried", None)], rows
