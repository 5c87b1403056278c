"""“...,” Lopez said, according to the Post.: the cue's own according-to phrase is the attribution's
source as PolNeAR and PARC annotate it (the speaker span), who spoke stays the canonical speaker
(repair.speaker_source_of_report). Model-free on hand-built parses."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.steps.docs import ParsedDoc
from pipeline.steps.quotes import extract_attributions

VOCAB = spacy.blank("en").vocab      # English lexical attributes, no model
REPAIR = "repair.speaker_source_of_report"


def _doc(source=("CNN", "NNP", "PROPN"), inside=False, according=True):
    """Sanders said prices rise sharply in every state, according to <source> . (or the phrase hung
    inside the clause, on the reported verb; or "on Monday" in its place)"""
    # (the reported clause longer than the rest, as it mostly is: "prices rise sharply in every state")
    rows = [("Sanders", "NNP", "PROPN", 1, "nsubj", "Sanders"), ("said", "VBD", "VERB", 1, "ROOT", "say"),
            ("prices", "NNS", "NOUN", 3, "nsubj", "price"), ("rise", "VBP", "VERB", 1, "ccomp", "rise"),
            ("sharply", "RB", "ADV", 3, "advmod", "sharply"), ("in", "IN", "ADP", 3, "prep", "in"),
            ("every", "DT", "DET", 7, "det", "every"), ("state", "NN", "NOUN", 5, "pobj", "state"),
            (",", ",", "PUNCT", 1, "punct", ",")]
    if according:
        head = 3 if inside else 1
        rows += [("according", "VBG", "VERB", head, "prep", "accord"), ("to", "IN", "ADP", 9, "prep", "to"),
                 (source[0], source[1], source[2], 10, "pobj", source[0])]
    else:
        rows += [("on", "IN", "ADP", 1, "prep", "on"), ("Monday", "NNP", "PROPN", 9, "pobj", "Monday")]
    rows.append((".", ".", "PUNCT", 1, "punct", "."))
    words, tags, pos, heads, deps, lemmas = zip(*rows)
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=list(lemmas))


@pytest.mark.parametrize("doc, speaker, ref", [
    (_doc(), "CNN", "Sanders"),
    (_doc(("report", "NN", "NOUN")), "report", "Sanders"),
    # hung on the reported verb, but closing the sentence: it frames the whole report
    (_doc(inside=True), "CNN", "Sanders"),
    # negatives: no according-to phrase; a phrase naming nothing that can speak or be cited
    # ("according to plan")
    (_doc(according=False), "Sanders", None),
    (_doc(("plan", "NN", "NOUN")), "Sanders", None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_the_source_of_a_report(config, doc, speaker, ref):
    atts = [a for a in extract_attributions(doc, config) if a.cue is not None and a.cue.lemma_ == "say"]
    assert len(atts) == 1, atts
    att = atts[0]
    text = lambda span: doc[span[0]:span[1]].text if span else None  # noqa: E731
    assert (text(att.speaker), text(att.speaker_ref)) == (speaker, ref)
    assert (REPAIR in (att.rule_trace or "")) is (ref is not None)


def _framed(opening=True, comma=True, quoted=False):
    """According to CNN, Sanders said prices rise in every state . / Sanders said prices rise in every
    state, according to CNN . (the phrase hung on the reported verb, as the parser may); with
    `quoted`, the closing phrase inside quotation marks around the clause."""
    core = [("Sanders", "NNP", "PROPN", 1, "nsubj"), ("said", "VBD", "VERB", 1, "ROOT"),
            ("prices", "NNS", "NOUN", 3, "nsubj"), ("rise", "VBP", "VERB", 1, "ccomp"),
            ("in", "IN", "ADP", 3, "prep"), ("every", "DT", "DET", 6, "det"), ("state", "NN", "NOUN", 4, "pobj")]
    if opening:
        k = 3 + comma
        rows = [("According", "VBG", "VERB", 3 + k, "prep"), ("to", "IN", "ADP", 0, "prep"), ("CNN", "NNP", "PROPN", 1, "pobj")]
        rows += [(",", ",", "PUNCT", 1 + k, "punct")] if comma else []
        rows += [(w, t, p, h + k, d) for w, t, p, h, d in core]
        rows += [(".", ".", "PUNCT", 1 + k, "punct")]
    else:
        open_q = [("“", "``", "PUNCT", 3 + 1, "punct")] if quoted else []
        q = len(open_q)
        rows = [(w, t, p, h + q if h >= 2 else h, d) for w, t, p, h, d in core[:2]] + open_q + \
            [(w, t, p, h + q, d) for w, t, p, h, d in core[2:]]
        n = len(rows)
        rows += [(",", ",", "PUNCT", 3 + q, "punct"), ("according", "VBG", "VERB", 3 + q, "prep"),
                 ("to", "IN", "ADP", n + 1, "prep"), ("CNN", "NNP", "PROPN", n + 2, "pobj")]
        rows += [(".", ".", "PUNCT", 1, "punct")] + ([("”", "''", "PUNCT", 3 + q, "punct")] if quoted else [])
    words, tags, pos, heads, deps = zip(*rows)
    lemmas = [{"said": "say", "according": "accord"}.get(w, w.lower()) for w in words]
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=lemmas)


@pytest.mark.parametrize("doc, source", [
    (_framed(opening=True), "CNN"),
    (_framed(opening=False), "CNN"),
    # negatives: an opening phrase without its comma; a closing phrase inside the quoted words
    (_framed(opening=True, comma=False), None),
    (_framed(opening=False, quoted=True), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_an_according_to_phrase_framing_the_sentence(config, doc, source):
    from pipeline.steps.quotes.reported import _framing_according
    from pipeline.steps.quotes.syntax import _DocIndex

    cue = next(t for t in doc if t.lower_ == "said")
    acc = _framing_according(_DocIndex(doc, config), cue)
    assert (acc.nbor(2).text if acc is not None else None) == source
