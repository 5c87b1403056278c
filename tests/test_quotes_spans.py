"""The field's span conventions (pipeline/steps/quotes/spans.py): content with its quote marks, the cue's
whole verbal group, the speaker's whole noun phrase."""

import pytest

from pipeline.steps.docs import ParsedDoc
from pipeline.steps.quotes import extract_quotes, pair_quote_marks
from pipeline.steps.quotes.spans import content_with_marks


def _words(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@pytest.mark.parametrize("text, words, expected", [
    # the marks and the punctuation inside them
    ('“We won,” she said.', "We won", "“We won,”"),
    ('“We won,” she said.', "We won,", "“We won,”"),
    ('He said: "It is over."', "It is over.", '"It is over."'),
    # a quoted fragment closing a reported clause takes its closing mark only
    ('She said the plan was “dead on arrival.”', "the plan was “dead on arrival.", "the plan was “dead on arrival.”"),
    # negatives: no mark next to the words; a quotation closing inside the content; words
    # stopping before the end of the quotation keep their end; a quotation that never closes keeps its words' end
    ("She said the plan was dead.", "the plan was dead", "the plan was dead"),
    ('“Fine,” he said, and left.', "he said, and left", "he said, and left"),
    ('“We won the vote,” she said.', "We won", "“We won"),
    ('He said: “It is over and', "It is over and", "“It is over and"),
    # an inner quotation closing with the outer one in doubled single marks takes the third mark
    # too; two marks alone close the quotation
    ("''We are told, 'Kosovo is special,''' he said.", "We are told, 'Kosovo is special,",
     "''We are told, 'Kosovo is special,'''"),
    ("''It is over,'' he said.", "It is over,", "''It is over,''"),
])
def test_content_with_marks(text, words, expected):
    start, end = content_with_marks(text, *_words(text, words), pair_quote_marks(text))
    assert text[start:end] == expected


@pytest.mark.parametrize("text, expected", [
    ('"We will win this fight," said Rep. Jane Doe, a Democrat from Ohio.',
     [('"We will win this fight,"', "said", "Rep. Jane Doe, a Democrat from Ohio", "Jane Doe")]),
    ("The senator has said that taxes will rise.",
     [("that taxes will rise", "has said", "The senator", None)]),
    ("Jane Doe, a spokeswoman for the agency, did not say whether the plan would pass.",
     [("whether the plan would pass", "did not say", "Jane Doe, a spokeswoman for the agency", "Jane Doe")]),
    ("The senator quickly noted that taxes will rise.",
     [("that taxes will rise", "quickly noted", "The senator", None)]),
    ('"We are broke," Maria Lopez said Tuesday.', [('"We are broke,"', "said Tuesday", "Maria Lopez", "Maria Lopez")]),
    ('"We will vote no," said Sen. Mitch McConnell (R-Ky.).',
     [('"We will vote no,"', "said", "Sen. Mitch McConnell (R-Ky.)", "Mitch McConnell")]),
    # a time the speaker's noun carries is not the speaker ("on Tuesday": when, not who)
    ("BERLIN — German Chancellor Olaf Scholz on Tuesday rejected calls from business groups for tax relief, "
     "saying the budget had no room for it.",
     [("the budget had no room for it", "saying", "German Chancellor Olaf Scholz", "Olaf Scholz")]),
    # a preposition the cue governs opens no content: it is part of the cue ("called for") ...
    ('The senator called for more "flexibility" in the budget.',
     [('more "flexibility" in the budget', "called for", "The senator", None)]),
    # ... not "as", which the field keeps in the content ("described X as “...”"), nor a
    # preposition inside the content, nor one of another word
    ('The senator described the plan as "a disaster."',
     [('the plan as "a disaster."', "described", "The senator", None)]),
    ('The senator said that for now "nothing" will change.',
     [('that for now "nothing" will change', "said", "The senator", None)]),
    # a colon right after the cue is the cue's
    ('Maria Lopez continued: "We are broke."', [('"We are broke."', "continued:", "Maria Lopez", "Maria Lopez")]),
    # negatives: a prepositional phrase after the cue stays out; a bare verb stays bare; a pronoun stays a pronoun; the relative clause holding
    # the cue is not part of the speaker
    ('"We are broke," he added.', [('"We are broke,"', "added", "he", None)]),
    ('"We are broke," he said in a statement.', [('"We are broke,"', "said", "he", None)]),
])
def test_field_spans_on_rows(nlp, config, text, expected):
    rows = extract_quotes(ParsedDoc.unmapped("t", nlp(text)), None, config)
    got = [(r["content"], text[r["cue_start"]:r["cue_end"]], r["speaker_text"]) for r in rows]
    assert got == [e[:3] for e in expected], rows
    for row, e in zip(rows, expected):
        if e[3]:
            assert row["speaker"] == e[3]          # the canonical speaker is resolved as before


def test_conventions_are_recorded_and_can_be_left_out(nlp, config):
    doc = nlp('"We will win this fight," said Rep. Jane Doe, a Democrat from Ohio.')
    [row] = extract_quotes(ParsedDoc.unmapped("t", doc), None, config)
    assert row["rule_trace"].split(" > ")[1:] == ["repair.span_content_marks", "repair.span_speaker_noun_phrase"]
    [bare] = extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False)
    assert (bare["content"], bare["speaker_text"]) == ("We will win this fight,", "Rep. Jane Doe")


def test_a_mark_between_two_rows_makes_them_cross_in_neither(nlp, config):
    text = '"We won," she said. "They lost," he said.'
    rows = extract_quotes(ParsedDoc.unmapped("t", nlp(text)), None, config)
    spans = sorted((r["content_start"], r["content_end"]) for r in rows)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert [r["content"] for r in rows] == ['"We won,"', '"They lost,"']


@pytest.mark.parametrize("content, expected", [
    ("“We won,”", "We won,"),
    ('"It is over."', "It is over."),
    ("‘Fine’", "Fine"),
    # negatives: a reported clause ending in a quoted fragment, words without marks, one mark
    ("the plan was “dead on arrival.”", "the plan was “dead on arrival.”"),
    ("We won", "We won"),
    ("“", "“"),
])
def test_without_outer_marks(content, expected):
    from pipeline.steps.quotes.marks import without_outer_marks

    assert without_outer_marks(content) == expected


def _hand_doc(words, heads, deps, pos):
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    return Doc(Vocab(), words=words, heads=heads, deps=deps, pos=pos)


@pytest.mark.parametrize("words, heads, deps, pos, content_from, expected", [
    # "called for change": the cue's preposition opens the content -> it is the cue's
    (["She", "called", "for", "change", "."], [1, 1, 1, 2, 1], ["nsubj", "ROOT", "prep", "pobj", "punct"],
     ["PRON", "VERB", "ADP", "NOUN", "PUNCT"], 2, "for"),
    # negatives: "as" stays in the content; a preposition outside the list ("in"); one of another
    # word (its head is the noun, not the cue); a content of the preposition alone
    (["She", "described", "as", "unfair", "the", "plan"], [1, 1, 1, 2, 5, 1],
     ["nsubj", "ROOT", "prep", "pobj", "det", "dobj"], ["PRON", "VERB", "ADP", "ADJ", "DET", "NOUN"], 2, None),
    (["She", "spoke", "in", "Ohio", "."], [1, 1, 1, 2, 1], ["nsubj", "ROOT", "prep", "pobj", "punct"],
     ["PRON", "VERB", "ADP", "PROPN", "PUNCT"], 2, None),
    (["She", "said", "talk", "of", "war", "ends"], [1, 1, 5, 2, 3, 1],
     ["nsubj", "ROOT", "nsubj", "prep", "pobj", "ccomp"], ["PRON", "VERB", "NOUN", "ADP", "NOUN", "VERB"], 3, None),
    (["She", "called", "for", "."], [1, 1, 1, 1], ["nsubj", "ROOT", "prep", "punct"],
     ["PRON", "VERB", "ADP", "PUNCT"], 2, None),
])
def test_cue_preposition_on_hand_built_docs(words, heads, deps, pos, content_from, expected):
    from pipeline.steps.quotes.spans import cue_preposition

    doc = _hand_doc(words, heads, deps, pos)
    end = doc[-1].idx + len(doc[-1]) if doc[-1].text != "." else doc[-1].idx
    content = (doc[content_from].idx, end)
    prep = cue_preposition(doc, content, doc[1], frozenset({"for", "of", "about"}))
    assert (prep.text if prep is not None else None) == expected


def _tokens_doc(text: str):
    """`text` as spaCy's rule-based English tokenizer splits it (no model, no parse: the pieces
    read tokens only)."""
    import spacy

    return spacy.blank("en")(text)


def _token_span(doc, words: str) -> tuple[int, int]:
    import re

    span = doc.char_span(*re.search(rf"\b{re.escape(words)}\b", doc.text).span())
    return span.start, span.end


@pytest.mark.parametrize("text, content, speaker, cue, expected", [
    # a parenthetical source and cue: the pieces around them, punctuation out
    ("The plan, he said, is dead.", "The plan, he said, is dead", "he", "said", ["The plan", "is dead"]),
    ("In his state, Christie said, offenders get treatment.", "In his state, Christie said, offenders get treatment",
     "Christie", "said", ["In his state", "offenders get treatment"]),
    ("Taxes, according to the report, will rise.", "Taxes, according to the report, will rise",
     "the report", "according to", ["Taxes", "will rise"]),
    # a quotation after the cue keeps its marks; a source and cue at an edge leave one piece
    ("That, the panel said, “would help.”", "That, the panel said, “would help.”", "the panel", "said",
     ["That", "“would help.”"]),
    ("Taxes will rise, he said.", "Taxes will rise, he said", "he", "said", ["Taxes will rise"]),
    # a cue with nobody named: the pieces around the cue alone
    ("Trump is expected to win Ohio.", "Trump is expected to win Ohio", None, "is expected", ["Trump", "to win Ohio"]),
    ("Trump is expected to win Ohio.", "to win Ohio", None, "is expected", None),
    # negatives: the source outside the content; the cue inside a quotation (quoted words, not the
    # writer's attribution); speaker and cue too far apart to be one inserted source
    ("He said taxes will rise.", "taxes will rise", "He", "said", None),
    ('"Well, according to the witness, it is a front," he said.', '"Well, according to the witness, it is a front,"',
     "the witness", "according to", None),
    ("Taxes, the senator who leads the panel on budgets said, will rise.",
     "Taxes, the senator who leads the panel on budgets said, will rise", "the senator", "said", None),
])
def test_pieces_around_source(text, content, speaker, cue, expected):
    from pipeline.steps.quotes.spans import pieces_around_source

    doc = _tokens_doc(text)
    got = pieces_around_source(doc, _words(text, content), _token_span(doc, cue),
                               _token_span(doc, speaker) if speaker else None,
                               pair_quote_marks(text))
    assert (None if got is None else [text[s:e] for s, e in got]) == expected


@pytest.mark.parametrize("text, content, expected", [
    # a content no mark encloses ends before the final period (a headline's statement, a clause)
    ("Graham: Trump Is Destroying the Party.", "Trump Is Destroying the Party.", "Trump Is Destroying the Party"),
    ("She said taxes will rise.", "taxes will rise.", "taxes will rise"),
    # negatives: a quotation keeps the punctuation inside its marks; a quotation opened inside the
    # content and still open; no period; an abbreviation's period is its word's
    ('He said: "It is over."', '"It is over."', '"It is over."'),
    ('She said the party was "still the No. 1 force.', 'the party was "still the No. 1 force.',
     'the party was "still the No. 1 force.'),
    ("She said taxes will rise", "taxes will rise", "taxes will rise"),
    ("She said it was made in the U.S.", "it was made in the U.S.", "it was made in the U.S."),
])
def test_without_final_period(text, content, expected):
    from pipeline.steps.quotes.spans import without_final_period

    doc = _tokens_doc(text)
    start, end = without_final_period(doc, _words(text, content))
    assert text[start:end] == expected


@pytest.mark.parametrize("words, heads, deps, pos, content_words, cue_i, expected_pieces, expected_cue", [
    # a cue inside the content takes its auxiliary, which the content gave up: cue "is expected"
    (["Trump", "is", "expected", "to", "win", "Ohio", "."], [2, 2, 2, 4, 2, 4, 2],
     ["nsubjpass", "auxpass", "ROOT", "aux", "xcomp", "dobj", "punct"],
     ["PROPN", "AUX", "VERB", "PART", "VERB", "PROPN", "PUNCT"], (0, 6), 2, ["Trump", "to win Ohio"], "is expected"),
    # negative: a cue before its content keeps the content whole, the auxiliary joins the cue as before
    (["Trump", "has", "said", "taxes", "rise", "."], [2, 2, 2, 4, 2, 2],
     ["nsubj", "aux", "ROOT", "nsubj", "ccomp", "punct"],
     ["PROPN", "AUX", "VERB", "NOUN", "VERB", "PUNCT"], (3, 5), 2, ["taxes rise"], "has said"),
])
def test_cue_inside_content_on_hand_built_docs(words, heads, deps, pos, content_words, cue_i, expected_pieces,
                                                expected_cue):
    from pipeline.steps.quotes.assemble import pieces_of
    from pipeline.steps.quotes.spans import apply_span_conventions
    from pipeline.steps.quotes.syntax import Attribution

    doc = _hand_doc(words, heads, deps, pos)
    first, last = doc[content_words[0]], doc[content_words[1] - 1]
    att = Attribution("indirect", (first.idx, last.idx + len(last)), "indirect.thought", cue=doc[cue_i],
                      cue_span=(cue_i, cue_i + 1))
    apply_span_conventions(doc, [att], [])
    assert [doc.text[s:e] for s, e in pieces_of(att)] == expected_pieces
    assert doc[att.cue_span[0]:att.cue_span[1]].text == expected_cue


@pytest.mark.parametrize("words, heads, deps, tags, cue_i, expected", [
    # the verb the cue is the infinitive of, its particle and auxiliaries: "went on to say"
    (["He", "went", "on", "to", "say", "taxes", "rise"], [1, 1, 1, 4, 1, 6, 4],
     ["nsubj", "ROOT", "prt", "aux", "xcomp", "nsubj", "ccomp"],
     ["PRP", "VBD", "RP", "TO", "VB", "NNS", "VBP"], 4, "went on to say"),
    (["She", "has", "continued", "to", "insist", "taxes", "rise"], [2, 2, 2, 4, 2, 6, 4],
     ["nsubj", "aux", "ROOT", "aux", "xcomp", "nsubj", "ccomp"],
     ["PRP", "VBZ", "VBN", "TO", "VB", "NNS", "VBP"], 4, "has continued to insist"),
    # an adverb before the verb is the cue's ...
    (["She", "then", "said", "taxes", "rise"], [2, 2, 2, 4, 2], ["nsubj", "advmod", "ROOT", "nsubj", "ccomp"],
     ["PRP", "RB", "VBD", "NNS", "VBP"], 2, "then said"),
    # negatives: ... a wh-adverb opening the clause is not ("when asked"); an object between the
    # verb and the infinitive keeps them apart ("asked him to say")
    (["She", "left", "when", "asked", "about", "taxes"], [1, 1, 3, 1, 3, 4], ["nsubj", "ROOT", "advmod", "advcl", "prep", "pobj"],
     ["PRP", "VBD", "WRB", "VBN", "IN", "NNS"], 3, "asked"),
    (["She", "asked", "him", "to", "say", "taxes", "rise"], [1, 1, 1, 4, 1, 6, 4],
     ["nsubj", "ROOT", "dobj", "aux", "xcomp", "nsubj", "ccomp"],
     ["PRP", "VBD", "PRP", "TO", "VB", "NNS", "VBP"], 4, "to say"),
    # an adjective completing the verb, "it" before it: "made it clear"; a noun does not ("made it a rule")
    (["He", "made", "it", "clear", "that", "taxes", "rise"], [1, 1, 1, 1, 6, 6, 3],
     ["nsubj", "ROOT", "dobj", "ccomp", "mark", "nsubj", "ccomp"],
     ["PRP", "VBD", "PRP", "JJ", "IN", "NNS", "VBP"], 1, "made it clear"),
    (["He", "made", "it", "a", "rule", "that", "taxes", "rise"], [1, 1, 1, 4, 1, 7, 7, 4],
     ["nsubj", "ROOT", "dobj", "det", "oprd", "mark", "nsubj", "acl"],
     ["PRP", "VBD", "PRP", "DT", "NN", "IN", "NNS", "VBP"], 1, "made"),
])
def test_cue_verbal_group_on_hand_built_docs(words, heads, deps, tags, cue_i, expected):
    import spacy
    from spacy.tokens import Doc

    from pipeline.steps.quotes.spans import cue_verbal_group

    pos = ["VERB" if t.startswith("VB") else "ADJ" if t == "JJ" else "X" for t in tags]
    pos = ["AUX" if d in ("aux", "auxpass") and t != "TO" else p for p, d, t in zip(pos, deps, tags)]
    # (the English vocabulary, for the lower-case forms the rules read; no model)
    doc = Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps, tags=tags, pos=pos)
    start, end = cue_verbal_group(doc, (cue_i, cue_i + 1), doc[cue_i], [])
    assert doc[start:end].text == expected


@pytest.mark.parametrize("words, heads, deps, ents, content_from, expected", [
    # the cue's object, subject of the infinitive reported, is part of the content
    (["She", "urged", "voters", "to", "stay", "home"], [1, 1, 1, 4, 1, 4],
     ["nsubj", "ROOT", "dobj", "aux", "xcomp", "advmod"], None, 3, "voters"),
    (["She", "asked", "the", "mayor", "not", "to", "come"], [1, 1, 3, 1, 6, 6, 1],
     ["nsubj", "ROOT", "det", "dobj", "neg", "aux", "xcomp"], None, 4, "the mayor"),
    # negatives: a date parsed as the object; a word between the object and the infinitive; a
    # content that is a clause of its own with its subject ("said voters want to stay")
    (["She", "urged", "Monday", "to", "stay", "home"], [1, 1, 1, 4, 1, 4],
     ["nsubj", "ROOT", "dobj", "aux", "xcomp", "advmod"], ["O", "O", "B-DATE", "O", "O", "O"], 3, None),
    (["She", "urged", "voters", "again", "to", "stay"], [1, 1, 1, 1, 5, 1],
     ["nsubj", "ROOT", "dobj", "advmod", "aux", "xcomp"], None, 4, None),
    (["She", "said", "voters", "want", "to", "stay"], [1, 1, 3, 1, 5, 3],
     ["nsubj", "ROOT", "nsubj", "ccomp", "aux", "xcomp"], None, 2, None),
])
def test_infinitive_subject_on_hand_built_docs(words, heads, deps, ents, content_from, expected):
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from pipeline.steps.quotes.spans import infinitive_subject

    pos = ["VERB" if d in ("ROOT", "xcomp", "ccomp") else "X" for d in deps]
    doc = Doc(Vocab(), words=words, heads=heads, deps=deps, pos=pos, ents=ents)
    content = (doc[content_from].idx, len(doc.text))
    obj = infinitive_subject(doc, content, doc[1], 2)
    assert (doc[obj.left_edge.i:obj.right_edge.i + 1].text if obj is not None else None) == expected
