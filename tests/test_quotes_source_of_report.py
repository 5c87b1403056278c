"""“...,” Sanders said, according to CNN.: the cue's own according-to phrase is the attribution's
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
    # negatives: no according-to phrase; one hung inside the content (not the cue's); a phrase
    # naming nothing that can speak or be cited ("according to plan")
    (_doc(according=False), "Sanders", None),
    (_doc(inside=True), "Sanders", None),
    (_doc(("plan", "NN", "NOUN")), "Sanders", None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_the_source_of_a_report(config, doc, speaker, ref):
    atts = [a for a in extract_attributions(doc, config) if a.cue is not None and a.cue.lemma_ == "say"]
    assert len(atts) == 1, atts
    att = atts[0]
    text = lambda span: doc[span[0]:span[1]].text if span else None  # noqa: E731
    assert (text(att.speaker), text(att.speaker_ref)) == (speaker, ref)
    assert (REPAIR in (att.rule_trace or "")) is (ref is not None)
