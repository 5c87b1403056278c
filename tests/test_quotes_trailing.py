"""A trailing cue the parser coordinated with the sentence it reports ("The plant is hanging on,
said its chief executive." / "..., his top aide, Tad Devine, told The Huffington Post."): the
sentence before the comma is the content (rule indirect.trailing). Model-free on hand-built
parses, then through the extractor with the model."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from pipeline.steps.quotes.reported import _comma_conjunct

VOCAB = spacy.blank("en").vocab      # English lexical attributes, no model


def _doc(rows):
    """(word, tag, pos, head index, dep) per token."""
    words, tags, pos, heads, deps = zip(*rows)
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps))


def _sentence(main_tag="VBZ", cue_subject=True, aux=False):
    """Prices [are] rise(s), [the] analyst said ."""
    rows = [("Prices", "NNS", "NOUN", 1 + aux, "nsubj")]
    if aux:
        rows.append(("are", "VBP", "AUX", 2, "aux"))
    main = len(rows)
    rows.append(("rise" if main_tag != "VBG" else "rising", main_tag, "VERB", main, "ROOT"))
    rows.append((",", ",", "PUNCT", main, "punct"))
    cue = main + 2 + cue_subject
    if cue_subject:
        rows.append(("analysts", "NNS", "NOUN", cue, "nsubj"))
    rows.append(("said", "VBD", "VERB", main, "conj"))
    rows.append((".", ".", "PUNCT", cue, "punct"))
    return _doc(rows), cue


@pytest.mark.parametrize("main_tag, cue_subject, aux, expected", [
    ("VBZ", True, False, True),       # "Prices rise, analysts said."
    ("VBG", True, True, True),        # "Prices are rising, analysts said." (finite through its auxiliary)
    ("VBZ", False, False, False),     # no subject of its own: the main clause's verb goes on
    ("VBG", True, False, False),      # no finite main clause ("In a memo on Tuesday, X, ..., reminded")
])
def test_comma_conjunct(main_tag, cue_subject, aux, expected):
    doc, cue = _sentence(main_tag, cue_subject, aux)
    assert doc[cue].lower_ == "said"
    assert _comma_conjunct(doc[cue]) is expected


def test_a_root_cue_is_no_conjunct():
    doc = _doc([("Analysts", "NNS", "NOUN", 1, "nsubj"), ("said", "VBD", "VERB", 1, "ROOT"),
                ("prices", "NNS", "NOUN", 3, "nsubj"), ("rise", "VBP", "VERB", 1, "ccomp"),
                (".", ".", "PUNCT", 1, "punct")])
    assert not _comma_conjunct(doc[1])


@pytest.mark.parametrize("text, expected", [
    ("In nearby Riverton, the old paper mill is holding on, but it is under heavy pressure from imports, "
     "said the company's chief executive, Ana Ruiz.",
     [("indirect.trailing", "In nearby Riverton, the old paper mill is holding on, but it is under heavy "
       "pressure from imports", "the company's chief executive, Ana Ruiz")]),
    # (a listener after "told"; the subject's own commas walked over)
    ("The mill is holding on despite the imports, her spokesman, Tom Reed, told reporters.",
     [("indirect.trailing", "The mill is holding on despite the imports", "her spokesman, Tom Reed")]),
    # a subject opening the sentence leaves nothing to report
    ("Maria Lopez, 18, from Lee County, Fla., said.", []),
])
def test_trailing_cues_through_the_extractor(extract, text, expected):
    rows = extract(text)
    assert [(r["rule_id"], r["content"], r["speaker_text"]) for r in rows] == expected, rows


# --- a passive reporting verb with a "by" agent (rule indirect.passive_agent) --------------------

def _passive(verb="reported", lemma="report", subject=("meeting", "NN", "NOUN"), agent=("Politico", "NNP", "PROPN"),
             by="by"):
    """The <subject> was first <verb> <by> <agent> ."""
    from pipeline.steps.quotes.reported import _passive_agent  # noqa: F401  (import checked below)
    rows = [("The", "DT", "DET", 1, "det", "the"), (subject[0], subject[1], subject[2], 4, "nsubjpass", subject[0]),
            ("was", "VBD", "AUX", 4, "auxpass", "be"), ("first", "RB", "ADV", 4, "advmod", "first"),
            (verb, "VBN", "VERB", 4, "ROOT", lemma),
            (by, "IN", "ADP", 4, "agent" if by == "by" else "prep", by),
            (agent[0], agent[1], agent[2], 5, "pobj", agent[0]), (".", ".", "PUNCT", 4, "punct", ".")]
    words, tags, pos, heads, deps, lemmas = zip(*rows)
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=list(lemmas))


@pytest.mark.parametrize("doc, expected", [
    (_passive(), ("meeting", "Politico")),
    (_passive("confirmed", "confirm", agent=("spokesman", "NN", "NOUN")), ("meeting", "spokesman")),
    # negatives: a verb of no report, no "by" agent, an agent that cannot speak, a pronoun subject
    (_passive("built", "build"), None),
    (_passive(by="in", agent=("spring", "NN", "NOUN")), None),
    (_passive(agent=("rain", "NN", "NOUN")), None),
    (_passive(subject=("which", "WDT", "PRON")), None),
    # ... nor a verb of judgement, whose subject is the target ("was criticized by his rivals")
    (_passive("criticized", "criticize"), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_passive_agent(config, doc, expected):
    from pipeline.steps.quotes.reported import _passive_agent

    got = _passive_agent(doc[4], config)
    assert (got[0].text, got[1].text) == expected if expected else got is None, got


# --- "As X put it, ..." (indirect.as_cue) and "According to X, <clause read as X's appositive>" --

def _as_put(obj="it", mark="as"):
    """As Ryan put <obj>, the plan is best ."""
    rows = [(mark.capitalize(), "IN", "SCONJ", 2, "mark", mark), ("Ryan", "NNP", "PROPN", 2, "nsubj", "Ryan"),
            ("put", "VBD", "VERB", 7, "advcl", "put"), (obj, "PRP" if obj == "it" else "NN",
                                                         "PRON" if obj == "it" else "NOUN", 2, "dobj", obj),
            (",", ",", "PUNCT", 7, "punct", ","), ("the", "DT", "DET", 6, "det", "the"),
            ("plan", "NN", "NOUN", 7, "nsubj", "plan"), ("is", "VBZ", "AUX", 7, "ROOT", "be"),
            ("best", "JJS", "ADJ", 7, "acomp", "best"), (".", ".", "PUNCT", 7, "punct", ".")]
    words, tags, pos, heads, deps, lemmas = zip(*rows)
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=list(lemmas))


@pytest.mark.parametrize("doc, expected", [
    (_as_put(), [("indirect.as_cue", "the plan is best", "Ryan")]),
    # negatives: what is put is no statement ("as Ryan put money, ..."); a time clause ("when")
    (_as_put(obj="money"), []),
    (_as_put(mark="when"), []),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_as_x_put_it(config, doc, expected):
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    rows = extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False, join=False)
    assert [(r["rule_id"], r["content"], r["speaker_text"]) for r in rows] == expected, rows


def _according_root(comma=True):
    """According to Lopez , the plan reeks of fear . (the parser's reading: "reeks" a noun in
    apposition to Lopez, "According" the root)"""
    rows = [("According", "VBG", "VERB", 0, "ROOT", "accord"), ("to", "IN", "ADP", 0, "prep", "to"),
            ("Lopez", "NNP", "PROPN", 1, "pobj", "Lopez")]
    rows += [(",", ",", "PUNCT", 2, "punct", ",")] if comma else []
    k = len(rows)
    rows += [("the", "DT", "DET", k + 2, "det", "the"), ("plan", "NN", "NOUN", k + 2, "compound", "plan"),
             ("reeks", "NNS", "NOUN", 2, "appos", "reek"), ("of", "IN", "ADP", k + 2, "prep", "of"),
             ("fear", "NN", "NOUN", k + 3, "pobj", "fear"), (".", ".", "PUNCT", 0, "punct", ".")]
    words, tags, pos, heads, deps, lemmas = zip(*rows)
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=list(lemmas))


@pytest.mark.parametrize("doc, expected", [
    (_according_root(), [("indirect.according_to", "the plan reeks of fear", "Lopez")]),
    # without the comma the words after the name are the name's own (no clause)
    (_according_root(comma=False), []),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_according_to_with_its_clause_read_as_an_appositive(config, doc, expected):
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    rows = extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False, join=False)
    assert [(r["rule_id"], r["content"], r["speaker_text"]) for r in rows] == expected, rows


@pytest.mark.parametrize("text, expected", [
    # a headline "Name: statement" without quotation marks: the name's words (PolNeAR's source)
    ("Maria Lopez: The Bridge Story Has Moved On.\n\nThe mayor spoke in Riverton on Monday.",
     [("direct.headline_source", "The Bridge Story Has Moved On.", "Maria Lopez")]),
    # negatives: a label that names nobody; words after the colon that state nothing (no verb)
    ("Tuesday Morning Email: The Last Budget Of The Year.\n\nThe mayor spoke on Tuesday.", []),
    ("Maria Lopez: The Bridge Story.\n\nThe mayor spoke in Riverton on Monday.", []),
])
def test_unquoted_headline_sources(extract, text, expected):
    rows = extract(text)
    assert [(r["rule_id"], r["content"], r["speaker_text"]) for r in rows] == expected, rows


@pytest.mark.parametrize("text, speaker", [
    # a participle set off by a comma goes with the sentence's subject, not the nearest subject of
    # a clause between
    ("Whitfield was similarly defensive when forced to explain not paying a builder who said he was cheated "
     "after he finished a bridge in one of her parks, saying, “Maybe he did not do a good job.”", "Whitfield"),
    # ... and without the comma the nearest subject before it stays
    ("She refuses to discuss the candidates aside from saying she wants a diverse council.", "She"),
])
def test_a_participle_set_off_by_a_comma(extract, text, speaker):
    rows = [r for r in extract(text) if r["cue"] == "say" and r["content_start"] > text.find("saying")]
    assert [r["speaker_text"] for r in rows] == [speaker], rows
