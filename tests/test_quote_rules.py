"""The quote rule registry (pipeline/steps/quotes/rules.py): every id the code emits is declared there
with a literal id, and each rule's `enabled` switch in configs/quotes.toml works."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.core.errors import ConfigError
from pipeline.steps.quotes import QuoteConfig
from pipeline.steps.quotes.rules import REPAIR_IDS, REPAIRS, RULE_IDS, RULES

REPO = Path(__file__).resolve().parents[1]
QUOTES_DIR = REPO / "pipeline" / "steps" / "quotes"
RULE_ID_RE = re.compile(r"^(direct|indirect|mixed|repair)\.[a-z_]+$")
RULE_PREFIX_RE = re.compile(r"^(direct|indirect|mixed|repair)\.")


def _string_constants(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node
        if isinstance(node, (ast.BinOp, ast.JoinedStr)):
            # an id built at run time ("mixed." + name, f"direct.{x}", rule + "_short") is never
            # greppable: any concatenation touching an id-like piece is a defect
            parts = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
            if any(RULE_PREFIX_RE.match(p) or p in ("_short", ".copular_noun") for p in parts):
                raise AssertionError(f"{path.name}:{node.lineno}: a rule id built at run time ({parts})")


def test_every_id_written_in_the_code_is_declared():
    written = set()
    assert sorted(QUOTES_DIR.glob("*.py")), QUOTES_DIR
    for path in sorted(QUOTES_DIR.glob("*.py")):
        written |= {n.value for n in _string_constants(path) if RULE_ID_RE.match(n.value)}
    undeclared = sorted(written - RULE_IDS - REPAIR_IDS)
    assert not undeclared, f"ids used in pipeline/steps/quotes/ but not declared in rules.py: {undeclared}"
    # and every declared rule is emitted somewhere outside the table (literally or via a variant table)
    outside = set()
    for path in sorted(QUOTES_DIR.glob("*.py")):
        if path.name != "rules.py":
            outside |= {n.value for n in _string_constants(path) if RULE_ID_RE.match(n.value)}
    from pipeline.steps.quotes.rules import MIXED_VARIANT, SHORT_VARIANT
    reachable = outside | set(MIXED_VARIANT.values()) | set(SHORT_VARIANT.values())
    assert sorted(RULE_IDS - reachable) == []


def test_the_registry_is_well_formed():
    assert len(RULES) == len(RULE_IDS) and len(REPAIRS) == len(REPAIR_IDS)
    for rule in RULES:
        assert RULE_ID_RE.match(rule.id) and not rule.id.startswith("repair."), rule
        assert rule.description and "\n" not in rule.description and isinstance(rule.priority, int)
    for repair in REPAIRS:
        assert repair.id.startswith("repair.") and repair.description


def test_the_shipped_config_switches_every_rule():
    raw = tomllib.loads((REPO / "configs" / "quotes.toml").read_text(encoding="utf-8"))
    assert sorted(raw["rules"]) == sorted(RULE_IDS)


def _raw_config() -> dict:
    return tomllib.loads((REPO / "configs" / "quotes.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key, value, message", [
    ("direct.cue_aftr", True, "unknown key 'rules.direct.cue_aftr'"),
    ("direct.cue_after", "no", "'rules.direct.cue_after' must be true or false"),
])
def test_bad_rule_switches_are_errors_naming_file_and_key(key, value, message):
    raw = _raw_config()
    raw["rules"][key] = value
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        QuoteConfig.from_dict(raw, "configs/quotes.toml")
    assert str(err.value).startswith("configs/quotes.toml:")


def test_emitted_ids_are_declared_on_sample_texts(extract):
    texts = ['"We will win this fight," said Maria Lopez. "We are moving on to the next stage now."',
             'Maria Lopez said the agreement was "a historic step for the region."',
             "According to the Health Ministry, the new clinic will open next week.",
             'Maria Lopez described the talks as "very productive" on Monday.']
    ids = {row["rule_id"] for text in texts for row in extract(text)}
    assert ids and ids <= RULE_IDS, ids - RULE_IDS


@pytest.mark.parametrize("text, rule", [
    ('"We will win this fight," said Maria Lopez.', "direct.cue_after"),
    ("Maria Lopez said that the bridge would reopen in May.", "indirect.ccomp"),
    ('Maria Lopez said the agreement was "a historic step for the region."', "mixed.ccomp"),
    ("According to the Health Ministry, the new clinic will open next week.", "indirect.according_to"),
])
def test_a_rule_switched_off_emits_nothing(nlp, config, text, rule):
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    doc = nlp(text)
    on = extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False)
    assert rule in [r["rule_id"] for r in on]
    off = extract_quotes(ParsedDoc.unmapped("t", doc), None, replace(config, rules_off=frozenset({rule})),
                         span_conventions=False)
    assert rule not in [r["rule_id"] for r in off]


@pytest.mark.parametrize("text, traces", [
    # found by a rule, nothing repaired after
    ('"We will win this fight," said Maria Lopez.', ["direct.cue_after"]),
    ("Maria Lopez said that the bridge would reopen in May.", ["indirect.ccomp"]),
    # the second quotation takes the speaker of the first (a repair after direct.same_paragraph)
    ('"The plan is finished," Maria Lopez said. "We are moving on to the next stage now."',
     ["direct.cue_after", "direct.same_paragraph > repair.first_quote_speaker"]),
    # words before a parenthetical cue joined to the quotation after it: renamed, the finder kept
    ('That, the commission said, "would be helpful to everyone involved in the talks."',
     ["direct.cue_before > repair.join_parenthetical_quote"]),
])
def test_rule_trace_names_the_rule_then_its_repairs(extract, text, traces):
    rows = extract(text)
    assert [r["rule_trace"] for r in rows] == traces
    for row in rows:
        first, *repairs = row["rule_trace"].split(" > ")
        assert first in RULE_IDS and set(repairs) <= REPAIR_IDS


def test_a_repair_that_renames_keeps_the_finder_in_the_trace(extract):
    [row] = extract('That, the commission said, "would be helpful to everyone involved in the talks."')
    assert row["rule_id"] == "mixed.parenthetical_quote" and row["type"] == "mixed"


# ---- lexicons in config: unknown keys are errors, edited lists take effect ----------------

@pytest.mark.parametrize("section, key, message", [
    ("cues", "speach", "unknown key 'cues.speach'"),
    ("direct", "min_word", "unknown key 'direct.min_word'"),
    ("speakers", "pro_form_objects", "unknown key 'speakers.pro_form_objects'"),
    ("cue", None, "unknown key 'cue'"),
    ("kinds", "thougth", "unknown key 'kinds.thougth'"),
    ("kind", None, "unknown key 'kind'"),
])
def test_unknown_config_keys_are_errors_naming_file_and_key(section, key, message):
    raw = _raw_config()
    if key is None:
        raw[section] = {"speech": ["say"]}
    else:
        raw[section][key] = ["say"]
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        QuoteConfig.from_dict(raw, "configs/quotes.toml")
    assert str(err.value).startswith("configs/quotes.toml:")


def test_the_shipped_config_loads():
    QuoteConfig.from_dict(_raw_config(), "configs/quotes.toml")


def _blank_doc(rows):
    """A Doc with a given parse and no model: (word, tag, pos, head index, dep, lemma) per token."""
    import spacy
    from spacy.tokens import Doc

    words, tags, pos, heads, deps, lemmas = zip(*rows)
    return Doc(spacy.blank("en").vocab, words=list(words), tags=list(tags), pos=list(pos),
               heads=list(heads), deps=list(deps), lemmas=list(lemmas))


def _rows(doc, config):
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    return [(r["rule_id"], r["content"], r["speaker_text"])
            for r in extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False)]


# "Voters said the same." / "Voters said yes.": a pro-form object is the statement
PRO_FORM_SAME = [("Voters", "NNS", "NOUN", 1, "nsubj", "voter"), ("said", "VBD", "VERB", 1, "ROOT", "say"),
                 ("the", "DT", "DET", 3, "det", "the"), ("same", "JJ", "ADJ", 1, "dobj", "same"),
                 (".", ".", "PUNCT", 1, "punct", ".")]
PRO_FORM_YES = [("Voters", "NNS", "NOUN", 1, "nsubj", "voter"), ("said", "VBD", "VERB", 1, "ROOT", "say"),
                ("yes", "UH", "INTJ", 1, "intj", "yes"), (".", ".", "PUNCT", 1, "punct", ".")]


@pytest.mark.parametrize("rows, key, word, expected", [
    (PRO_FORM_SAME, "pro_form_objects", "same", ("indirect.pro_form", "the same", "Voters")),
    (PRO_FORM_YES, "pro_form_answers", "yes", ("indirect.pro_form", "yes", "Voters")),
])
def test_editing_the_pro_form_lists_takes_effect(config, rows, key, word, expected):
    doc = _blank_doc(rows)
    assert _rows(doc, config) == [expected]
    # without the word the pro-form rule is silent (say's noun-phrase object rule may still
    # take "the same" as a topic: indirect.object)
    edited = replace(config, **{key: getattr(config, key) - {word}})
    assert "indirect.pro_form" not in [r[0] for r in _rows(doc, edited)]
    # and through the file's own loader, not only the dataclass
    raw = _raw_config()
    raw["cues"][key] = [w for w in raw["cues"][key] if w != word]
    assert "indirect.pro_form" not in [r[0] for r in _rows(doc, QuoteConfig.from_dict(raw, "configs/quotes.toml"))]


def test_a_rule_switched_off_in_the_file_emits_nothing_on_a_hand_built_doc():
    raw = _raw_config()
    doc = _blank_doc(PRO_FORM_SAME)
    assert [r[0] for r in _rows(doc, QuoteConfig.from_dict(raw))] == ["indirect.pro_form"]
    raw["rules"]["indirect.pro_form"] = False
    assert "indirect.pro_form" not in [r[0] for r in _rows(doc, QuoteConfig.from_dict(raw))]


# ---- eval --rules: rows and precision per rule and per repair ------------------------------

def test_rows_and_precision_per_rule_and_repair():
    from pipeline.evaluation.eval_quotes import score_rules_polnear

    records = [{"doc_id": "d", "attributions": [
        {"content": [[0, 20]], "source": [[30, 35]], "cue_text": "said", "content_text": "x"}]}]
    preds = {"d": [
        {"content_start": 0, "content_end": 20, "rule_id": "direct.cue_after", "rule_trace": "direct.cue_after"},
        {"content_start": 40, "content_end": 60, "rule_id": "direct.same_paragraph",
         "rule_trace": "direct.same_paragraph > repair.first_quote_speaker"},
        {"content_start": 2, "content_end": 18, "rule_id": "direct.same_paragraph",
         "rule_trace": "direct.same_paragraph > repair.first_quote_speaker"},
    ]}
    m = score_rules_polnear(records, preds)["metrics"]
    assert m["rows"] == 3
    assert m["rules"]["direct.cue_after"] == {"rows": 1, "right": 1, "precision": 1.0, "precision_lenient": 1.0}
    assert m["rules"]["direct.same_paragraph"]["rows"] == 2 and m["rules"]["direct.same_paragraph"]["precision"] == 0.5
    assert m["repairs"]["repair.first_quote_speaker"]["rows"] == 2
    assert m["rules"]["indirect.ccomp"]["rows"] == 0          # declared rules without rows are listed


def test_eval_rules_defaults_to_train_and_dev(monkeypatch):
    from pipeline.evaluation import evaluate

    seen = []
    monkeypatch.setattr(evaluate, "_main", lambda args: seen.append((args.polnear, args.rules)) or 0)
    assert evaluate.main(["--rules"]) == 0
    assert seen == [("train", True), ("dev", True)]


# ---- legibility: no function of pipeline/ over 120 lines (issue 14) --------------------------------

MAX_FUNCTION_LINES = 120
PACKAGE_DIR = REPO / "pipeline"


def _long_functions(folder) -> set[str]:
    long = set()
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                long.add(f"{path.relative_to(folder)}:{node.name}")
    return long


def test_no_function_in_the_package_is_over_120_lines():
    assert _long_functions(PACKAGE_DIR) == set()


def test_the_length_check_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n\ndef short():\n    return 1\n")
    assert _long_functions(tmp_path) == {"long.py:long"}


# ---- each rule's declared examples are its tests (session model) -----------------------------

RULES_WITHOUT_EXAMPLE = {"mixed.pro_form"}     # see its declaration


def test_every_rule_declares_examples():
    assert {r.id for r in RULES if not r.positive} == RULES_WITHOUT_EXAMPLE
    assert all(r.negative for r in RULES)


@pytest.mark.parametrize("rule_id, text", [(r.id, t) for r in RULES for t in r.positive],
                         ids=[f"{r.id}+{k}" for r in RULES for k, _ in enumerate(r.positive)])
def test_a_rule_finds_its_positive_examples(extract, rule_id, text):
    assert rule_id in [row["rule_id"] for row in extract(text)]


@pytest.mark.parametrize("rule_id, text", [(r.id, t) for r in RULES for t in r.negative],
                         ids=[f"{r.id}-{k}" for r in RULES for k, _ in enumerate(r.negative)])
def test_a_rule_leaves_its_negative_examples(extract, rule_id, text):
    assert rule_id not in [row["rule_id"] for row in extract(text)]


# ---- rules on hand-built Docs (no model): the parse is given, so each case tests the rule alone ----

def _doc(rows):
    """(word, tag, pos, head, dep, lemma, space after) per token -> a Doc with that parse."""
    import spacy
    from spacy.tokens import Doc

    words, tags, pos, heads, deps, lemmas, spaces = zip(*rows)
    return Doc(spacy.blank("en").vocab, words=list(words), tags=list(tags), pos=list(pos), heads=list(heads),
               deps=list(deps), lemmas=list(lemmas), spaces=list(spaces))


def _said_clause(cue="said", cue_lemma="say", cue_tag="VBD"):
    # "Lopez said the bridge reopened."
    return [("Lopez", "NNP", "PROPN", 1, "nsubj", "Lopez", True), (cue, cue_tag, "VERB", 1, "ROOT", cue_lemma, True),
            ("the", "DT", "DET", 3, "det", "the", True), ("bridge", "NN", "NOUN", 4, "nsubj", "bridge", True),
            ("reopened", "VBD", "VERB", 1, "ccomp", "reopen", False), (".", ".", "PUNCT", 1, "punct", ".", False)]


# "Lopez wanted to say the bridge reopened.": a plan, not a statement
WANTED_TO_SAY = [("Lopez", "NNP", "PROPN", 1, "nsubj", "Lopez", True), ("wanted", "VBD", "VERB", 1, "ROOT", "want", True),
                 ("to", "TO", "PART", 3, "aux", "to", True), ("say", "VB", "VERB", 1, "xcomp", "say", True),
                 ("the", "DT", "DET", 5, "det", "the", True), ("bridge", "NN", "NOUN", 6, "nsubj", "bridge", True),
                 ("reopened", "VBD", "VERB", 3, "ccomp", "reopen", False), (".", ".", "PUNCT", 1, "punct", ".", False)]


def _quote_then(subject, verb, verb_lemma, subject_pos="PROPN", subject_tag="NNP"):
    # “We won the vote,” <subject> <verb>.
    return [("“", "``", "PUNCT", 2, "punct", "“", False), ("We", "PRP", "PRON", 2, "nsubj", "we", True),
            ("won", "VBD", "VERB", 8, "ccomp", "win", True), ("the", "DT", "DET", 4, "det", "the", True),
            ("vote", "NN", "NOUN", 2, "dobj", "vote", False), (",", ",", "PUNCT", 8, "punct", ",", False),
            ("”", "''", "PUNCT", 8, "punct", "”", True),
            (subject, subject_tag, subject_pos, 8, "nsubj", subject.lower(), True),
            (verb, "VBD", "VERB", 8, "ROOT", verb_lemma, False), (".", ".", "PUNCT", 8, "punct", ".", False)]


# "According to Lopez, the bridge reopened."
ACCORDING_TO = [("According", "VBG", "VERB", 6, "prep", "accord", True), ("to", "IN", "ADP", 0, "prep", "to", True),
                ("Lopez", "NNP", "PROPN", 1, "pobj", "Lopez", False), (",", ",", "PUNCT", 6, "punct", ",", True),
                ("the", "DT", "DET", 5, "det", "the", True), ("bridge", "NN", "NOUN", 6, "nsubj", "bridge", True),
                ("reopened", "VBD", "VERB", 6, "ROOT", "reopen", False), (".", ".", "PUNCT", 6, "punct", ".", False)]
# "Accorded to Lopez, the bridge reopened.": the phrase is "according to", nothing else
ACCORDED_TO = [("Accorded" if k == 0 else w, "VBN" if k == 0 else t, p, h, d, "accord" if k == 0 else lem, sp)
               for k, (w, t, p, h, d, lem, sp) in enumerate(ACCORDING_TO)]


@pytest.mark.parametrize("rows, expected", [
    (_said_clause(), [("indirect.ccomp", "the bridge reopened", "Lopez")]),
    (WANTED_TO_SAY, []),                                             # a plan to speak is no statement
    (_said_clause("ate", "eat"), []),                                 # not a cue verb
    (_quote_then("Lopez", "said", "say"), [("direct.cue_after", "We won the vote,", "Lopez")]),
    (_quote_then("rain", "fell", "fall", "NOUN", "NN"), []),          # no cue, and rain does not speak
    (ACCORDING_TO, [("indirect.according_to", "the bridge reopened", "Lopez")]),
    (ACCORDED_TO, []),
], ids=["ccomp", "ccomp-plan", "ccomp-no-cue", "cue_after", "cue_after-no-cue", "according_to", "according_to-no"])
def test_rules_on_hand_built_docs(config, rows, expected):
    assert _rows(_doc(rows), config) == expected


# ---- kinds: thought and evidence, on hand-built Docs ------------------------------------------

def _subject_clause(subject, subject_pos, subject_tag, verb, verb_lemma, verb_tag="VBZ"):
    # "<subject> <verb> the bridge reopened." (a plural subject's lemma drops its "s")
    rows = _said_clause(verb, verb_lemma, verb_tag)
    lemma = subject.lower()[:-1] if subject_tag == "NNS" else subject.lower()
    rows[0] = (subject, subject_tag, subject_pos, 1, "nsubj", lemma, True)
    return rows


def _with_modal(rows, modal):
    # "<subject> <modal> <verb> ...": the modal inserted before the verb, heads shifted
    shift = lambda h: h + 1 if h >= 1 else h  # noqa: E731
    out = [(w, t, p, shift(h), d, lem, sp) for (w, t, p, h, d, lem, sp) in rows]
    out.insert(1, (modal, "MD", "AUX", 2, "aux", modal, True))
    return out


def _object_doc(verb):
    # "Voters <verb> a bridge."
    return [("Voters", "NNS", "NOUN", 1, "nsubj", "voter", True), (verb, "VBP", "VERB", 1, "ROOT", verb, True),
            ("a", "DT", "DET", 3, "det", "a", True), ("bridge", "NN", "NOUN", 1, "dobj", "bridge", False),
            (".", ".", "PUNCT", 1, "punct", ".", False)]


# "The bridge is expected to reopen."
EXPECTED_TO = [("The", "DT", "DET", 1, "det", "the", True), ("bridge", "NN", "NOUN", 3, "nsubjpass", "bridge", True),
               ("is", "VBZ", "AUX", 3, "auxpass", "be", True), ("expected", "VBN", "VERB", 3, "ROOT", "expect", True),
               ("to", "TO", "PART", 5, "aux", "to", True), ("reopen", "VB", "VERB", 3, "xcomp", "reopen", False),
               (".", ".", "PUNCT", 3, "punct", ".", False)]
# "The mayor made voters think the bridge reopened."
MADE_THINK = [("The", "DT", "DET", 1, "det", "the", True), ("mayor", "NN", "NOUN", 2, "nsubj", "mayor", True),
              ("made", "VBD", "VERB", 2, "ROOT", "make", True), ("voters", "NNS", "NOUN", 4, "nsubj", "voter", True),
              ("think", "VB", "VERB", 2, "ccomp", "think", True), ("the", "DT", "DET", 6, "det", "the", True),
              ("bridge", "NN", "NOUN", 7, "nsubj", "bridge", True), ("reopened", "VBD", "VERB", 4, "ccomp", "reopen", False),
              (".", ".", "PUNCT", 2, "punct", ".", False)]


def _kinds(doc, config):
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    return [(r["rule_id"], r["kind"], r["content"], r["speaker_text"])
            for r in extract_quotes(ParsedDoc.unmapped("t", doc), None, config, span_conventions=False)]


@pytest.mark.parametrize("rows, expected", [
    (_said_clause(), [("indirect.ccomp", "speech", "the bridge reopened", "Lopez")]),
    (_subject_clause("Lopez", "PROPN", "NNP", "believes", "believe"),
     [("indirect.thought", "thought", "the bridge reopened", "Lopez")]),
    (_subject_clause("Voters", "NOUN", "NNS", "fear", "fear", "VBP"),
     [("indirect.thought", "thought", "the bridge reopened", "Voters")]),
    # a thing does not think: "The rain believes ..." (a mis-parse, nobody holds the clause)
    (_subject_clause("Rain", "NOUN", "NN", "believes", "believe"), []),
    (_subject_clause("Polls", "NOUN", "NNS", "show", "show", "VBP"),
     [("indirect.evidence", "evidence", "the bridge reopened", "Polls")]),
    (_subject_clause("Records", "NOUN", "NNS", "indicate", "indicate", "VBP"),
     [("indirect.evidence", "evidence", "the bridge reopened", "Records")]),
    # a person showing is no evidence, nor a speech cue
    (_subject_clause("Lopez", "PROPN", "NNP", "shows", "show"), []),
    # evidence needs an evidence verb: "Polls ate ..."
    (_subject_clause("Polls", "NOUN", "NNS", "ate", "eat", "VBD"), []),
    # the lemmatizer's "hop" for "hoped" is still hope
    (_subject_clause("Lopez", "PROPN", "NNP", "hoped", "hop", "VBD"),
     [("indirect.thought", "thought", "the bridge reopened", "Lopez")]),
    # a thought supposed, not held: "Lopez may believe ..."
    (_with_modal(_subject_clause("Lopez", "PROPN", "NNP", "believe", "believe", "VB"), "may"), []),
    # the generic "you" holds no thought: "You think the bridge reopened."
    (_subject_clause("You", "PRON", "PRP", "think", "think", "VBP"), []),
    # a noun-phrase object: "Voters want a bridge." / but not for believe: "Voters believe the mayor."
    (_object_doc("want"), [("indirect.thought", "thought", "a bridge", "Voters")]),
    (_object_doc("believe"), []),
    # unnamed holders in the passive: "The bridge is expected to reopen."
    (EXPECTED_TO, [("indirect.thought", "thought", "The bridge is expected to reopen", None)]),
    # a thought caused, not held: "The mayor made voters think the bridge reopened."
    (MADE_THINK, []),
    # people named by a quantifier think: "Most believe the bridge reopened."
    (_subject_clause("Most", "ADJ", "JJS", "believe", "believe", "VBP"),
     [("indirect.thought", "thought", "the bridge reopened", "Most")]),
], ids=["speech", "thought", "thought-plural", "thought-no-thinker", "evidence", "evidence-records",
        "evidence-person", "evidence-no-verb", "thought-lemma-hop", "thought-modal", "thought-you",
        "thought-object", "thought-object-not-believe", "thought-passive", "thought-causative",
        "thought-quantifier"])
def test_kinds_on_hand_built_docs(config, rows, expected):
    assert _kinds(_doc(rows), config) == expected


@pytest.mark.parametrize("rows, rule, key, word", [
    (_subject_clause("Lopez", "PROPN", "NNP", "believes", "believe"), "indirect.thought", "thought", "believe"),
    (_subject_clause("Polls", "NOUN", "NNS", "show", "show", "VBP"), "indirect.evidence", "evidence_nouns", "poll"),
    (_subject_clause("Polls", "NOUN", "NNS", "show", "show", "VBP"), "indirect.evidence", "evidence_verbs", "show"),
], ids=["thought-verb", "evidence-noun", "evidence-verb"])
def test_the_kinds_lexicons_and_switches_take_effect(rows, rule, key, word):
    raw = _raw_config()
    doc = _doc(rows)
    assert [r[0] for r in _kinds(doc, QuoteConfig.from_dict(raw))] == [rule]
    edited = {**raw, "kinds": {**raw["kinds"], key: [w for w in raw["kinds"][key] if w != word]}}
    assert _kinds(doc, QuoteConfig.from_dict(edited)) == []
    off = {**raw, "rules": {**raw["rules"], rule: False}}
    assert _kinds(doc, QuoteConfig.from_dict(off)) == []


def test_every_rule_has_a_known_kind_and_the_kinds_are_declared():
    from pipeline.steps.quotes.rules import KINDS, kind_of

    assert {r.kind for r in RULES} == set(KINDS)
    assert kind_of("indirect.thought") == "thought" and kind_of("mixed.evidence") == "evidence"
    assert kind_of("direct.cue_after") == "speech" and kind_of(None) == "speech"


def test_seed_precision_sets_aside_thought_and_evidence_rows(tmp_path):
    import json

    from pipeline.evaluation.eval_quotes import score_seed_quotes

    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "doc_id": "d", "start": 0, "end": 20, "type": "direct",
                                "speaker": "Jane Doe", "content": "x", "required": True}) + "\n")
    row = {"content_start": 0, "content_end": 20, "type": "direct", "speaker": "Jane Doe", "speaker_text": "she",
           "rule_id": "direct.cue_after", "content": "x", "kind": "speech"}
    preds = {"d": [row, {**row, "content_start": 40, "content_end": 60, "kind": "thought"},
                   {**row, "content_start": 70, "content_end": 90, "kind": "speech"}]}
    m = score_seed_quotes(tmp_path, gold, predictions=preds)["metrics"]["@30"]
    # the unmatched thought row is neither rewarded nor punished; the unmatched speech row is a false alarm
    assert (m["precision"], m["false_alarms"], m["other_kinds_set_aside"], m["recall"]) == (0.5, 1, 1, 1.0)


@pytest.mark.parametrize("cue, source, kind", [
    ("said", "Jane Doe", "speech"), ("according to", "the poll", "speech"),   # a speech cue decides first
    ("showed", "A CNN poll", "evidence"), ("found", "Court records", "evidence"),
    ("believes", "Jane Doe", "thought"), ("is expected", None, "thought"), ("hoped", "he", "thought"),
    ("called", "Jane Doe", "other"), (":", None, "other"),
])
def test_the_gold_kind_comes_from_cue_and_source_words(cue, source, kind):
    from pipeline.evaluation.eval_quotes import gold_kind

    assert gold_kind(cue, source) == kind


def test_polnear_recall_and_precision_by_kind():
    from pipeline.evaluation.eval_quotes import score_predictions_polnear

    record = {"doc_id": "d", "attributions": [
        {"content": [[0, 20]], "source": [], "cue_text": "said", "source_text": "Doe", "content_text": "x"},
        {"content": [[30, 50]], "source": [], "cue_text": "believes", "source_text": "Doe", "content_text": "y"},
        {"content": [[60, 80]], "source": [], "cue_text": "show", "source_text": "polls", "content_text": "z"}]}
    row = {"speaker_start": None, "speaker_end": None}
    preds = {"d": [{**row, "content_start": 0, "content_end": 20, "kind": "speech"},
                   {**row, "content_start": 30, "content_end": 50, "kind": "thought"},
                   {**row, "content_start": 90, "content_end": 99, "kind": "thought"}]}
    by_kind = score_predictions_polnear([record], preds, keep_lists=False)["metrics"]["@30"]["by_kind"]
    assert by_kind["speech"] == {"gold": 1, "found": 1, "recall": 1.0, "predicted": 1, "precision": 1.0}
    assert by_kind["thought"] == {"gold": 1, "found": 1, "recall": 1.0, "predicted": 2, "precision": 0.5}
    assert by_kind["evidence"] == {"gold": 1, "found": 0, "recall": 0.0, "predicted": 0, "precision": None}
