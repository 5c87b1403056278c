"""A trailing cue the parser coordinated with the sentence it reports ("The plant is hanging on,
said its chief executive." / "..., his top aide, John Doe, told the Gazette."): the
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


def _as_reported(where="end", lead=False, comma=True, more=False, prep=None):
    """[And ,] Staff discussed a walkout , as the Ledger reported .  (where="end")
    [And ,] as the Ledger reported , staff discussed a walkout .   (where="front")
    Staff , as the Ledger reported , discussed a walkout .          (where="inside")
    with `more`, ", and it grew" after the "as" clause (where="end"); with `prep`, "reported
    <prep> them"."""
    clause = [("as", "IN", "SCONJ", "mark", "as"), ("the", "DT", "DET", "det", "the"),
              ("Ledger", "NNP", "PROPN", "nsubj", "Ledger"), ("reported", "VBD", "VERB", "advcl", "report")]
    heads_in_clause = {"as": "reported", "the": "Ledger", "Ledger": "reported", "reported": "discussed",
                       "it": "grew", "them": prep}
    if prep:
        clause += [(prep, "IN", "ADP", "prep", prep), ("them", "PRP", "PRON", "pobj", "them")]
        heads_in_clause[prep] = "reported"
    subj = [("Staff" if where != "front" else "staff", "NNS", "NOUN", "nsubj", "staff")]
    rest = [("discussed", "VBD", "VERB", "ROOT", "discuss"), ("a", "DT", "DET", "det", "a"),
            ("walkout", "NN", "NOUN", "dobj", "walkout")]
    c = [(",", ",", "PUNCT", "punct", ",")]
    start = [("And", "CC", "CCONJ", "cc", "and")] + c if lead else []
    if where == "end":
        seq = start + subj + rest + (c if comma else []) + clause
        seq += c + [("and", "CC", "CCONJ", "cc", "and"), ("it", "PRP", "PRON", "nsubj", "it"),
                    ("grew", "VBD", "VERB", "conj", "grow")] if more else []
    elif where == "front":
        seq = start + clause + c + subj + rest
    else:
        seq = subj + c + clause + c + rest
    seq += [(".", ".", "PUNCT", "punct", ".")]
    words = [w for w, *_ in seq]
    at = {w: i for i, w in enumerate(words) if w not in (",",)}
    heads = [at[heads_in_clause[w]] if w in heads_in_clause else
             at["walkout"] if w == "a" else at["discussed"] for w in words]
    return Doc(VOCAB, words=words, tags=[t for _, t, *_ in seq], pos=[p for _, _, p, *_ in seq], heads=heads,
               deps=[d for *_, d, _ in seq], lemmas=[lem for *_, lem in seq])


@pytest.mark.parametrize("doc, expected", [
    # the "as" clause closing the sentence: the words before its comma (the trim used to run on
    # through the final period back into the excluded clause, and the row was dropped)
    (_as_reported(), [("indirect.as_cue", "Staff discussed a walkout", "the Ledger")]),
    (_as_reported(where="front"), [("indirect.as_cue", "staff discussed a walkout", "the Ledger")]),
    # a conjunction opening the sentence stays out of the content
    (_as_reported(where="front", lead=True), [("indirect.as_cue", "staff discussed a walkout", "the Ledger")]),
    (_as_reported(lead=True), [("indirect.as_cue", "Staff discussed a walkout", "the Ledger")]),
    # a clause coordinated after the "as" clause is not what was reported
    (_as_reported(more=True), [("indirect.as_cue", "Staff discussed a walkout", "the Ledger")]),
    # negatives: no comma sets the clause off (a time or manner clause); the clause sits inside
    # the sentence, between the subject and its verb
    (_as_reported(comma=False), []),
    (_as_reported(where="inside"), []),
    # a preposition giving the cue an object of its own ("as voters responded to the plan"):
    # the clause reports that object; the time or place of the words does not ("on Monday")
    (_as_reported(prep="to"), []),
    (_as_reported(prep="about"), []),
    (_as_reported(prep="on"), [("indirect.as_cue", "Staff discussed a walkout", "the Ledger")]),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_as_x_reported_at_either_end(config, doc, expected):
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    rows = extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False, join=False)
    assert [(r["rule_id"], r["content"], r["speaker_text"]) for r in rows] == expected, rows


@pytest.mark.parametrize("words, exclude, expected", [
    # the excluded clause at the end, then the period: the span stops before the comma
    ("Staff discussed a walkout , as the Ledger reported .", True, "Staff discussed a walkout"),
    # nothing excluded: the period alone is trimmed
    ("Staff discussed a walkout , as the Ledger reported .", None, "Staff discussed a walkout , as the Ledger reported"),
])
def test_content_of_subtree_trims_over_excluded_tokens(words, exclude, expected):
    from pipeline.steps.quotes.syntax import _content_of_subtree

    ws = words.split()
    heads = [1, 1, 3, 1, 1, 8, 7, 8, 1, 1]
    deps = ["nsubj", "ROOT", "det", "dobj", "punct", "mark", "det", "nsubj", "advcl", "punct"]
    doc = Doc(VOCAB, words=ws, heads=heads, deps=deps)
    span = _content_of_subtree(doc[1], exclude=[doc[8]] if exclude else [])
    assert doc.text[span[0]:span[1]] == expected


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


# --- "..., which she argued help cut costs": a relative clause through the cue (indirect.relative) --

def _relative(pronoun=True, cue_dep="relcl", second=("help", "VERB", "xcomp")):
    """the standards , [which] he argued <second> the burden .  (the parser hung "which" on the
    verb after the cue, or left it out of the cue's children)"""
    rows = [("the", "DET", 1, "det"), ("standards", "NOUN", 1, "ROOT"), (",", "PUNCT", 1, "punct")]
    if pronoun:
        rows.append(("which", "PRON", 6 if pronoun else 0, "dobj"))
    k = len(rows)
    rows += [("he", "PRON", k + 1, "nsubj"), ("argued", "VERB", 1, cue_dep), (second[0], second[1], k + 1, second[2]),
             ("the", "DET", k + 4, "det"), ("burden", "NOUN", k + 2, "dobj"), (".", "PUNCT", 1, "punct")]
    if pronoun:
        rows[3] = ("which", "PRON", k + 2, "dobj")
    words, pos, heads, deps = zip(*rows)
    return Doc(VOCAB, words=list(words), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=[w if w != "argued" else "argue" for w in words])


@pytest.mark.parametrize("doc, expected", [
    (_relative(), ("he", "help")),
    # a participle the parser read as the cue's adjective complement ("fees that critics said burdened renters")
    (_relative(second=("ruined", "VERB", "acomp")), ("he", "ruined")),
    # negatives: no relative pronoun before the subject; a cue that is no relative clause; an
    # adjective complement ("said were unfair" read as an adjective)
    (_relative(pronoun=False), None),
    (_relative(cue_dep="conj"), None),
    (_relative(second=("unfair", "ADJ", "acomp")), None),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_relative_through_cue(config, doc, expected):
    from pipeline.steps.quotes.reported import _relative_through_cue

    cue = next(t for t in doc if t.text == "argued")
    got = _relative_through_cue(cue, config)
    assert (got[0].text, got[1].text) == expected if expected else got is None, got


# --- "X came back and said nothing, according to Y.": the whole coordination (indirect.according_to) --

def _according_conj(own_subject=False, closing=True):
    """He came back and [she] said nothing , according to Tom [, at first] ."""
    rows = [("He", "PRP", "PRON", 1, "nsubj"), ("came", "VBD", "VERB", 1, "ROOT"), ("back", "RB", "ADV", 1, "advmod"),
            ("and", "CC", "CCONJ", 1, "cc")]
    k = len(rows) + own_subject            # the index of "said"
    if own_subject:
        rows.append(("she", "PRP", "PRON", k, "nsubj"))
    rows += [("said", "VBD", "VERB", 1, "conj"), ("nothing", "NN", "PRON", k, "dobj"), (",", ",", "PUNCT", k, "punct"),
             ("according", "VBG", "VERB", k, "prep"), ("to", "IN", "ADP", k + 3, "prep"),
             ("Tom", "NNP", "PROPN", k + 4, "pobj")]
    if not closing:
        rows += [(",", ",", "PUNCT", k, "punct"), ("at", "IN", "ADP", k, "prep"), ("first", "RB", "ADV", k + 7, "pobj")]
    rows.append((".", ".", "PUNCT", 1, "punct"))
    words, tags, pos, heads, deps = zip(*rows)
    return Doc(VOCAB, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads), deps=list(deps),
               lemmas=[w.lower() if w != "came" else "come" for w in words])


@pytest.mark.parametrize("doc, content", [
    (_according_conj(), "He came back and said nothing"),
    # negatives: a conjunct with a subject of its own is a clause of its own; a phrase that does
    # not close the sentence reports only the verb it hangs on (the phrase inside it, as before)
    (_according_conj(own_subject=True), "she said nothing"),
    (_according_conj(closing=False), "said nothing , according to Tom , at first"),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_according_to_closing_a_coordination(config, doc, content):
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    rows = extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False, join=False)
    got = [(r["content"], r["speaker_text"]) for r in rows if r["rule_id"] == "indirect.according_to"]
    assert got == [(content, "Tom")], rows


# --- `Asked about it, he said, "We ..."`: a cue opening a quoted sentence is no aside on it --

def _said_then_quote(first="We", marks=True):
    """Asked , he said , " We will win . "  (the parser hung "said" on the quoted verb)"""
    rows = [("Asked", "VBN", "VERB", "advcl"), (",", ",", "PUNCT", "punct"), ("he", "PRP", "PRON", "nsubj"),
            ("said", "VBD", "VERB", "parataxis"), (",", ",", "PUNCT", "punct")]
    rows += [('"', "``", "PUNCT", "punct")] if marks else []
    k = len(rows)
    rows += [(first, "PRP", "PRON", "nsubj"), ("will", "MD", "AUX", "aux"), ("win", "VB", "VERB", "ROOT"),
             (".", ".", "PUNCT", "punct")] + ([('"', "''", "PUNCT", "punct")] if marks else [])
    root = k + 2
    heads = [root, 3, 3, root, 3] + ([3] if marks else []) + [root, root, root, root] + ([root] if marks else [])
    words, tags, pos, deps = zip(*rows)
    # (no space before a comma or period, nor inside the marks)
    spaces = [not (i + 1 < len(words) and words[i + 1] in (",", ".")) and (words[i] != '"' or i > k)
              for i in range(len(words))]
    return Doc(VOCAB, words=list(words), spaces=spaces, tags=list(tags), pos=list(pos), heads=heads, deps=list(deps))


@pytest.mark.parametrize("doc, expected", [
    (_said_then_quote(), True),
    # negatives: a quotation going on in lower case continues the sentence around the cue; no
    # quotation at all
    (_said_then_quote(first="we"), False),
    (_said_then_quote(marks=False), False),
], ids=lambda v: v.text if isinstance(v, Doc) else str(v))
def test_a_cue_opening_a_quoted_sentence_is_no_aside(config, doc, expected):
    from pipeline.steps.quotes.reported import _opens_quoted_sentence
    from pipeline.steps.quotes.syntax import _DocIndex

    assert _opens_quoted_sentence(_DocIndex(doc, config), doc[3]) is expected, doc.text
