"""The quote rule registry (pipeline/quotes/rules.py): every id the code emits is declared there
with a literal id, and each rule's `enabled` switch in configs/quotes.toml works."""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.errors import ConfigError
from pipeline.quotes import QuoteConfig
from pipeline.quotes.rules import REPAIR_IDS, REPAIRS, RULE_IDS, RULES

REPO = Path(__file__).resolve().parents[1]
QUOTES_DIR = REPO / "pipeline" / "quotes"
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
    for path in sorted(QUOTES_DIR.glob("*.py")):
        written |= {n.value for n in _string_constants(path) if RULE_ID_RE.match(n.value)}
    undeclared = sorted(written - RULE_IDS - REPAIR_IDS)
    assert not undeclared, f"ids used in pipeline/quotes/ but not declared in rules.py: {undeclared}"
    # and every declared rule is emitted somewhere outside the table (literally or via a variant table)
    outside = set()
    for path in sorted(QUOTES_DIR.glob("*.py")):
        if path.name != "rules.py":
            outside |= {n.value for n in _string_constants(path) if RULE_ID_RE.match(n.value)}
    from pipeline.quotes.rules import MIXED_VARIANT, SHORT_VARIANT
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
    from pipeline.docs import ParsedDoc
    from pipeline.quotes import extract_quotes

    doc = nlp(text)
    on = extract_quotes(ParsedDoc.unmapped("t", doc), None, config)
    assert rule in [r["rule_id"] for r in on]
    off = extract_quotes(ParsedDoc.unmapped("t", doc), None, replace(config, rules_off=frozenset({rule})))
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
