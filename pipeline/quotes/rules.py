"""The declared quote rules and repairs: every `rule_id` a quotes row can carry, and every
post-pass that changes a row after the rule that found it, each written once here with a literal
id (grep finds its definition), a priority and a one-line description.

The split follows spaCy's components: a rule's extractor only *matches* (it reads the parse and
yields `Attribution` records, changing nothing), and `extract_attributions` *sets annotations*
(it lets a record claim its text, finds its speaker, and applies the repairs below, each of
which appends its id to the record's `rule_trace`).

`priority` is the order in which rules claim text: a rule with a lower number runs first, and
the text it took is no longer open to rules after it. (Rows that still overlap at the end are
settled by type: direct before mixed before indirect, see `TYPE_PRIORITY`.)

Each rule has an `enabled` switch in `configs/quotes.toml` (`[rules]`): a rule switched off
emits nothing, and the text it would have claimed stays open to the rules after it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    id: str
    priority: int
    description: str


@dataclass(frozen=True)
class Repair:
    id: str
    description: str


RULES: tuple[Rule, ...] = (
    # --- direct quotations and their cue, by position (direct.py: direct_quotes) ---
    Rule("direct.cue_after", 10, "“...,” X said: a cue verb (or one written like a cue) right after the quotation"),
    Rule("direct.verb_after", 10, "“...,” X <verb>: a verb that is no listed cue right after the quotation, with a speaking subject"),
    Rule("direct.cue_before", 10, "X said: “...” / X said, “...”: a cue verb right before the quotation"),
    Rule("direct.statement_before", 10, "X issued a statement: “...”: a statement noun right before the quotation"),
    Rule("direct.colon", 10, "X's words, then a colon: the quotation after a colon that ends a clause with a cue"),
    Rule("direct.cue_sentence_before", 10, "X said so. “...”: the cue of the sentence just before a quotation that is a sentence of its own"),
    Rule("direct.dash", 11, "“...” ― Name: a dash and a name after the quotation"),
    Rule("direct.colon_name", 11, "Name: “...”: a name and a colon right before the quotation"),
    Rule("direct.roundup_excerpt", 11, "HEADLINE “...” [Outlet.]: an excerpt quoted under a roundup headline, credited to the outlet"),
    Rule("direct.cue_after_short", 12, "“Probably.” X said: a quotation under three words, a sentence of its own, cue after"),
    Rule("direct.verb_after_short", 12, "“Mexico!” the audience screamed back: a short quotation, a verb with a speaking subject after"),
    Rule("direct.cue_before_short", 12, "Some chanted “USA! USA!”: a short quotation closing its sentence right after a cue"),
    Rule("direct.voiced_noun", 13, "their chants of “Ted! Ted!”: a quotation after “<noun> of” or before a voiced noun"),
    Rule("direct.same_paragraph", 14, "“...,” X said. “...”: a quotation without cue takes the cue and speaker of another of its paragraph"),
    Rule("direct.paragraph_chain", 14, "an unclosed quotation running on from the paragraph before: same speaker as its chain"),
    # --- quotations set off as paragraphs (reported.py: block_quotes, headline_source) ---
    Rule("direct.transcript", 20, "PENCE: Well, look, ...: a transcript line, the named speaker's words"),
    Rule("direct.colon_block", 20, "The governor added: (new paragraph) ...: a cue ending its paragraph with a colon"),
    Rule("direct.headline_source", 30, "Source Name: what they said: a headline naming its source before the colon"),
    # --- cue verbs with a reported clause (reported.py: reported_speech) ---
    Rule("indirect.ccomp", 40, "X said (that) ...: the reported clause of a cue verb"),
    Rule("mixed.ccomp", 40, "X said the plan was “a disaster”: a reported clause holding quoted words"),
    Rule("indirect.infinitive", 40, "X urged Y to ...: a cue verb's to-infinitive content"),
    Rule("mixed.infinitive", 40, "X vowed to “drain the swamp”: an infinitive content holding quoted words"),
    Rule("indirect.call_for", 40, "X called for ...: the object of a cue's preposition (called for, called on)"),
    Rule("mixed.call_for", 40, "X called for “a total ban”: a called-for object holding quoted words"),
    Rule("mixed.object", 40, "X described the ties as “unique”: an object-content (or object_np) verb's object holding quoted words"),
    Rule("indirect.relative", 40, "the drawdown, which they say left a vacuum: the clause through a relative pronoun"),
    Rule("mixed.relative", 40, "which they say was “a mistake”: a relative-clause content holding quoted words"),
    Rule("indirect.pro_form", 40, "46 percent said yes / said the same: a word standing for a statement"),
    Rule("mixed.pro_form", 40, "said “no”: a pro-form statement in quotation marks"),
    Rule("indirect.object", 40, "X announced her plan to ...: the noun-phrase object of an object_np verb"),
    Rule("indirect.parenthetical", 40, "The hostility, he added, makes ...: a parenthetical cue, content the sentence around it"),
    Rule("mixed.parenthetical", 40, "The plan, he said, is “dead”: a parenthetical cue's sentence holding quoted words"),
    Rule("indirect.as_cue", 40, "As Ryan has pointed out, that is ...: an as-clause cue reporting the clause it hangs on"),
    Rule("mixed.as_cue", 40, "As X put it, this is “textbook”: an as-clause report holding quoted words"),
    Rule("indirect.trailing", 40, "a reported clause the parser hung after its cue as the main clause"),
    Rule("mixed.trailing", 40, "a trailing reported clause holding quoted words"),
    # --- according to, reporting nouns, copular statements, quoted fragments (reported.py) ---
    Rule("indirect.according_to", 50, "according to X, ...: the clause the phrase modifies"),
    Rule("mixed.according_to", 50, "according to X, it was “a mess”: that clause holding quoted words"),
    Rule("indirect.noun_cue", 60, "Trump's claim that ...: a reporting noun's that-clause"),
    Rule("mixed.noun_cue", 60, "X's claim that it was “rigged”: a reporting noun's clause holding quoted words"),
    Rule("indirect.copular_noun", 70, "his point was that ...: someone's reporting noun as the subject of be, then a that-clause"),
    Rule("mixed.copular_noun", 70, "Clinton's response was: “...”: the quotation after be and an owned reporting noun"),
    Rule("mixed.quoted_fragment", 80, "X is crying “fraud”: quoted words in the complements of a verb with a speaking subject"),
    # --- after every rule above (direct.py: continuation_quotes) ---
    Rule("direct.continuation", 90, "a paragraph that is a quotation alone continues the previous paragraph's speaker"),
    Rule("direct.next_sentence", 90, "“...,” he said outside. But “...”: a quotation resumed right after a sentence reporting someone"),
    # --- set by a repair, declared as a rule so it can be switched off like one ---
    Rule("mixed.parenthetical_quote", 95, "That, the commission said, “would be helpful”: words before a parenthetical cue joined to the quotation after it (repair.join_parenthetical_quote)"),
)

REPAIRS: tuple[Repair, ...] = (
    Repair("repair.reported_cue_between", "a same-paragraph quotation takes the newer reported-speech cue standing between it and the cue it inherited"),
    Repair("repair.governing_speech_verb", "a same-paragraph quotation inside a sentence of its own takes the speech verb governing it"),
    Repair("repair.first_quote_speaker", "a quotation sharing the cue of an earlier one of its paragraph takes that one's speaker"),
    Repair("repair.join_parenthetical_quote", "words before a parenthetical cue and the lower-case quotation after it become one mixed row"),
    Repair("repair.speaker_before_tail_cue", "“...,” the Florida senator said: the noun phrase between a quotation and its trailing cue speaks, not the subject the parse found before the quotation"),
    Repair("repair.speaker_after_dateline", "LONDON (Reuters) - X said: the dateline parsed as the subject gives way to the noun phrase after the dash"),
    Repair("repair.speaker_not_a_date", "X's office announced Friday that: a date parsed as the subject gives way to the speaker left of the cue"),
    Repair("repair.merge_running_quotation", "a quotation running over paragraphs (each opening with a mark) is joined into its first row"),
)

RULE_IDS: frozenset = frozenset(r.id for r in RULES)
REPAIR_IDS: frozenset = frozenset(r.id for r in REPAIRS)

# A cue-verb rule's name when quoted words sit inside its content (reported_speech).
MIXED_VARIANT = {
    "indirect.ccomp": "mixed.ccomp",
    "indirect.infinitive": "mixed.infinitive",
    "indirect.call_for": "mixed.call_for",
    "indirect.relative": "mixed.relative",
    "indirect.pro_form": "mixed.pro_form",
    "indirect.object": "mixed.object",       # an object_np object with quoted words
    "indirect.parenthetical": "mixed.parenthetical",
    "indirect.as_cue": "mixed.as_cue",
    "indirect.trailing": "mixed.trailing",
}

# A position rule's name for a quotation too short to be taken alone (direct_quotes).
SHORT_VARIANT = {
    "direct.cue_after": "direct.cue_after_short",
    "direct.verb_after": "direct.verb_after_short",
    "direct.cue_before": "direct.cue_before_short",
}


def check_declared() -> None:
    """The tables above are consistent: ids unique, every variant declared."""
    ids = [r.id for r in RULES] + [r.id for r in REPAIRS]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RuntimeError(f"pipeline/quotes/rules.py: ids declared twice: {dupes}")
    for table in (MIXED_VARIANT, SHORT_VARIANT):
        for a, b in table.items():
            if a not in RULE_IDS or b not in RULE_IDS:
                raise RuntimeError(f"pipeline/quotes/rules.py: variant of an undeclared rule: {a} -> {b}")


check_declared()
