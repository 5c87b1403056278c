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

Each rule has a `kind`: what its rows attribute (`speech`, said or written; `thought`, believed,
feared, wanted, planned; `evidence`, what a poll, a study or a record shows), the rows' `kind`
column. Rows of every kind are kept; `show` and the report count speech unless asked for all.

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
    # Texts the rule must find (its id among the rows) and near misses it must not: each becomes
    # a test (tests/test_quote_rules.py, with the session model).
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    kind: str = "speech"


KINDS = ("speech", "thought", "evidence")


@dataclass(frozen=True)
class Repair:
    id: str
    description: str


RULES: tuple[Rule, ...] = (
    # --- direct quotations and their cue, by position (direct.py: direct_quotes) ---
    Rule("direct.cue_after", 10,
         '“...,” X said: a cue verb (or one written like a cue) right after the quotation',
         positive=('"We will win this fight," said Maria Lopez.',),
         negative=('The word "fight" appears in the title of her book.',)),
    Rule("direct.verb_after", 10,
         '“...,” X <verb>: a verb that is no listed cue right after the quotation, with a speaking subject',
         positive=('"Nobody expected this outcome at all," Maria Lopez grinned.',),
         negative=('"Nobody expected this outcome at all," the rain fell.',)),
    Rule("direct.cue_before", 10,
         'X said: “...” / X said, “...”: a cue verb right before the quotation',
         positive=('Maria Lopez said: "We will win this fight and we will not stop."',),
         negative=('Maria Lopez had planned to say: "We will win this fight and we will not stop."',)),
    Rule("direct.statement_before", 10,
         'X issued a statement: “...”: a statement noun right before the quotation',
         positive=('Maria Lopez issued a statement, "We will rebuild the bridge this year."',),
         negative=('Maria Lopez read a statement about the bridge.',)),
    Rule("direct.colon", 10,
         "X's words, then a colon: the quotation after a colon that ends a clause with a cue",
         positive=('Maria Lopez said a deal might be possible: “We will talk to them about the price of the new contract.”',),
         negative=('The deal had one condition: a lower price for the new contract.',)),
    Rule("direct.cue_sentence_before", 10,
         'X said so. “...”: the cue of the sentence just before a quotation that is a sentence of its own',
         positive=('The mayor agreed. "Voters are tired of waiting for the new bridge. They want action now."',),
         negative=('The mayor left. "Voters are tired of waiting for the new bridge. They want action now."',)),
    Rule("direct.dash", 11,
         '“...” ― Name: a dash and a name after the quotation',
         positive=('“We need more housing in this city.” ― Ana Ruiz',),
         negative=('“We need more housing in this city.” ― a slogan on the wall',)),
    Rule("direct.colon_name", 11,
         'Name: “...”: a name and a colon right before the quotation',
         positive=('Continued Stone: "So I think it is a very real problem."',),
         negative=('Continued below: "So I think it is a very real problem."',)),
    Rule("direct.roundup_excerpt", 11,
         'HEADLINE “...” [Outlet.]: an excerpt quoted under a roundup headline, credited to the outlet',
         positive=('TOP STORIES.\n\nFLOOD SURVIVORS, THROUGH THE LENS “It is about giving communities a way to tell their own story.” [Wire.]',),
         negative=('The film is called “It is about giving communities a way to tell their own story.”',)),
    Rule("direct.cue_after_short", 12,
         '“Probably.” X said: a quotation under three words, a sentence of its own, cue after',
         positive=('"Safety," said Ana Grimm. "Safety for the whole country, everybody."',),
         negative=('The "safety" of the bridge was in doubt.',)),
    Rule("direct.verb_after_short", 12,
         '“Mexico!” the audience screamed back: a short quotation, a verb with a speaking subject after',
         positive=('"Never!" Maria Lopez grinned.',),
         negative=('"Never!" is the name of the new film.',)),
    Rule("direct.cue_before_short", 12,
         'Some chanted “USA! USA!”: a short quotation closing its sentence right after a cue',
         positive=('Supporters waved flags. Some chanted "USA! USA!"',),
         negative=('Supporters waved flags marked "USA" all night.',)),
    Rule("direct.voiced_noun", 13,
         'their chants of “Ted! Ted!”: a quotation after “<noun> of” or before a voiced noun',
         positive=('Their chants of "Ted! Ted!" were cut short by the music.',),
         negative=('Their signs of "hope" were cut short by the rain.',)),
    Rule("direct.same_paragraph", 14,
         '“...,” X said. “...”: a quotation without cue takes the cue and speaker of another of its paragraph',
         positive=('"The plan is finished," Maria Lopez said. "We are moving on to the next stage now."',),
         negative=('"The plan is finished," Maria Lopez said.\n\nThe council met on Monday to discuss the next stage of the plan.',)),
    Rule("direct.paragraph_chain", 14,
         'an unclosed quotation running on from the paragraph before: same speaker as its chain',
         positive=('"We will fight on until the end of this war and we will win.\n\n"We will never surrender to anyone at all," said Maria Lopez.',),
         negative=('"We will never surrender to anyone at all," said Maria Lopez.',)),
    # --- quotations set off as paragraphs (reported.py: block_quotes, headline_source) ---
    # --- interviews: Q&A turns under line heads (interview.py: interview_turns) ---
    Rule("direct.interview_answer", 19,
         'A: ... / TRUMP: ... in a Q&A: a turn of the interviewee (the standfirst or the head names them), '
         'up to the next head',
         positive=('An interview with Maria Lopez, the mayor.\n\nQ: What comes first for the city this year?\n\n'
                   'A: The bridge comes first, then the schools and the parks.\n\nQ: And what about the budget?\n\n'
                   'A: The budget will grow by a small amount this year.',),
         negative=('Q: What comes first for the city this year?\n\nThe mayor did not answer the question.',)),
    Rule("direct.interview_question", 19,
         "Q: ... in a Q&A: the interviewer's turn (the outlet's when the standfirst names no interviewer)",
         positive=('An interview with Maria Lopez, the mayor.\n\nQ: What comes first for the city this year?\n\n'
                   'A: The bridge comes first, then the schools and the parks.\n\nQ: And what about the budget?\n\n'
                   'A: The budget will grow by a small amount this year.',),
         negative=('Clinton: 1,769.\n\nSanders: 1,501.\n\nClinton: 547.\n\nSanders: 46.',)),
    Rule("direct.transcript", 20,
         "PENCE: Well, look, ...: a transcript line, the named speaker's words",
         positive=('PENCE: Well, look, this is serious business for all of us.',),
         negative=('Pence said this is serious business for all of us.',)),
    Rule("direct.colon_block", 20,
         'The governor added: (new paragraph) ...: a cue ending its paragraph with a colon',
         positive=('The governor added:\n\nWe will rebuild the bridge this year and the next one too.',),
         negative=('The governor had three plans:\n\nWe will rebuild the bridge this year and the next one too.',)),
    Rule("direct.headline_source", 30,
         'Source Name: what they said: a headline naming its source before the colon (quoted words, '
         'or a statement after a name)',
         positive=("Porter: 'Never, ever underestimate the voters.'",),
         negative=("Breaking: 'Never, ever underestimate the voters.'",)),
    # --- cue verbs with a reported clause (reported.py: reported_speech) ---
    Rule("indirect.ccomp", 40,
         'X said (that) ...: the reported clause of a cue verb',
         positive=('Maria Lopez said that the bridge would reopen in May.',),
         negative=('Maria Lopez had planned to tell reporters that the bridge would reopen in May.',)),
    Rule("mixed.ccomp", 40,
         'X said the plan was “a disaster”: a reported clause holding quoted words',
         positive=('Maria Lopez said the agreement was "a historic step for the region."',),
         negative=('Maria Lopez said that the agreement was a historic step for the region.',)),
    Rule("indirect.infinitive", 40,
         "X urged Y to ...: a cue verb's to-infinitive content",
         positive=('Maria Lopez urged the council to approve the new budget.',),
         negative=('Maria Lopez wanted the council to approve the new budget.',)),
    Rule("mixed.infinitive", 40,
         'X vowed to “drain the swamp”: an infinitive content holding quoted words',
         positive=('The mayor praised Maria Lopez, who has vowed to "fix every road in the city."',),
         negative=('The mayor praised Maria Lopez, who has vowed to fix every road in the city.',)),
    Rule("indirect.call_for", 40,
         "X called for ...: the object of a cue's preposition (called for, called on, asked about)",
         positive=('Maria Lopez called for a new vote on the budget.',
                   'The host asked Maria Lopez about her plans for the old bridge.'),
         negative=('Maria Lopez called her mother on Sunday.',
                   'Maria Lopez was asked about her plans for the old bridge.')),
    Rule("mixed.call_for", 40,
         'X called for “a total ban”: a called-for object holding quoted words',
         positive=('Maria Lopez called for "a total ban" on imports.',),
         negative=('Maria Lopez called for a total ban on imports.',)),
    Rule("mixed.object", 40,
         "X described the ties as “unique”: an object-content (or object_np) verb's object holding quoted "
         'words',
         positive=('Maria Lopez described the talks as "very productive" on Monday.',),
         negative=('Maria Lopez described the talks on Monday.',)),
    Rule("indirect.relative", 40,
         'the drawdown, which they say left a vacuum: the clause through a relative pronoun',
         positive=('The drawdown, which they say left a vacuum in the region, was a mistake.',),
         negative=('The drawdown, which left a vacuum in the region, was a mistake.',)),
    Rule("mixed.relative", 40,
         'which they say was “a mistake”: a relative-clause content holding quoted words',
         positive=('The drawdown, which they say left "a dangerous vacuum" in the region, was a mistake.',),
         negative=('The drawdown, which left "a dangerous vacuum" in the region, was a mistake.',)),
    Rule("indirect.pro_form", 40,
         '46 percent said yes / said the same: a word standing for a statement',
         positive=('Last month, 26 percent of voters said the same.',),
         negative=('Last month, 26 percent of voters said so far nothing.',)),
    Rule("mixed.pro_form", 40,
         'said “no”: a pro-form statement in quotation marks',
         # (no example: the parser reads a quoted pro-form as a quotation or an object; 0 rows on
         # PolNeAR train. Declared because a quoted indirect.pro_form is named so.)
         positive=(),
         negative=('Most voters said the same about the plan.',)),
    Rule("indirect.object", 40,
         'X announced her plan to ...: the noun-phrase object of an object_np verb',
         positive=('The mayor denounced the attack on the synagogue.',),
         negative=('The mayor reported $2 billion in revenue.',)),
    Rule("indirect.passive_agent", 40,
         'The meeting was first reported by the Post: the subject of a passive reporting verb, said by its agent',
         positive=('The plan was first reported by the Riverton Post on Monday.',),
         negative=('The meeting was first reported in the spring.',
                   'The bridge was built by the state in 1950.')),
    Rule("indirect.parenthetical", 40,
         'The hostility, he added, makes ...: a parenthetical cue, content the sentence around it',
         positive=('The increased hostility, he added, makes the talks much harder.',),
         negative=('The increased hostility makes the talks much harder.',)),
    Rule("mixed.parenthetical", 40,
         "The plan, he said, is “dead”: a parenthetical cue's sentence holding quoted words",
         positive=('The plan, she said, is "dead and buried" for now.',),
         negative=('The plan, she said, is dead and buried for now.',)),
    Rule("indirect.as_cue", 40,
         'As Ryan has pointed out, that is ...: an as-clause cue reporting the clause it hangs on',
         positive=('As Paul Ryan has pointed out, the plan is the best one we have.',),
         negative=('As Paul Ryan walked out, the plan was the best one they had.',)),
    Rule("mixed.as_cue", 40,
         'As X put it, this is “textbook”: an as-clause report holding quoted words',
         positive=('As House Speaker Paul Ryan has pointed out, that is basically the "textbook definition" of racism.',),
         negative=('As House Speaker Paul Ryan has pointed out, that is basically the textbook definition of racism.',)),
    Rule("indirect.trailing", 40,
         'a reported clause the parser hung after its cue as the main clause',
         positive=('Or maybe the new one from Texas, says the consultant Phil Musser.',),
         negative=('Or maybe the new one from Texas.',)),
    Rule("mixed.trailing", 40,
         'a trailing reported clause holding quoted words',
         positive=('Those who do take on heavy debt struggle, even with a "good" job, he said.',),
         negative=('Those who do take on heavy debt struggle, even with a good job, he said.',)),
    # --- according to, reporting nouns, copular statements, quoted fragments (reported.py) ---
    Rule("indirect.according_to", 50,
         'according to X, ...: the clause the phrase modifies',
         positive=('According to the Health Ministry, the new clinic will open next week.',),
         negative=('The new clinic will open next week.',)),
    Rule("mixed.according_to", 50,
         'according to X, it was “a mess”: that clause holding quoted words',
         positive=('The talks with the union were “a root canal,” according to her memoir.',),
         negative=('According to the Health Ministry, the new clinic will open next week.',)),
    Rule("indirect.noun_cue", 60,
         "Trump's claim that ...: a reporting noun's that-clause",
         positive=("Trump's claim that the election was rigged angered voters.",),
         negative=("Trump's plan that the election be moved angered voters.",)),
    Rule("mixed.noun_cue", 60,
         "X's claim that it was “rigged”: a reporting noun's clause holding quoted words",
         positive=('Voters worried about his promise to stay "neutral" in the talks.',),
         negative=('Voters worried about his promise to stay neutral in the talks.',)),
    Rule("indirect.copular_noun", 70,
         "his point was that ...: someone's reporting noun as the subject of be, then a that-clause",
         positive=('Smith’s point was that the nominee would also need the votes of the party leaders.',),
         negative=('The point was that the nominee would also need the votes of the party leaders.',)),
    Rule("mixed.copular_noun", 70,
         "Clinton's response was: “...”: the quotation after be and an owned reporting noun",
         positive=('The mayor’s response was: “Is the bridge in Ohio or in Kentucky?”',),
         negative=('The response was: “Is the bridge in Ohio or in Kentucky?”',)),
    # --- thought and evidence: attributions that are not speech (reported.py: thought_and_evidence) ---
    Rule("indirect.thought", 75,
         'X believes (that) ... / X wants to ... / X is expected to ... / X’s fear that ...: the clause of a '
         'thought verb or noun, the infinitive or object of a wish or plan verb, held by one who can think',
         positive=('Maria Lopez believes that the bridge will reopen in May.',
                   'Most voters think the economy is getting worse.',
                   'Maria Lopez wants to rebuild the old bridge before the winter.',
                   'Most voters in the district prefer a new bridge.',
                   'The new bridge is expected to open in the spring.',
                   "Maria Lopez's belief that the bridge will hold worried the engineers.",
                   'There are fears that the old bridge will not survive the next storm.',
                   'Most believe that the bridge will reopen in May.'),
         negative=('The weather seems to think nothing of our plans for the bridge.',
                   'Maria Lopez believes in the power of good bridges.',
                   'If you want to cross the river, you may want to take the new bridge.',
                   'The noise of the crowd made the mayor think the bridge had collapsed.',
                   'The council revised its budget on the assumption that the bridge would hold.'),
         kind="thought"),
    Rule("mixed.thought", 75,
         'X fears the plan is “a disaster”: a thought clause holding quoted words',
         positive=('Maria Lopez fears the budget is "a disaster waiting to happen" for the city.',),
         negative=('Maria Lopez fears the budget is a disaster waiting to happen for the city.',),
         kind="thought"),
    Rule("indirect.evidence", 75,
         'polls show (that) ... / the study found ...: the clause (or object) of an evidence verb whose '
         'subject is a poll, a study, a record or a document ([kinds] evidence_verbs, evidence_nouns)',
         positive=('Recent polls show that the senator is losing support in the suburbs.',
                   'Court records indicate the company paid no taxes for a decade.'),
         negative=('The senator will show the plan to the voters next week.',
                   'The poll workers showed the voters where to go.'),
         kind="evidence"),
    Rule("indirect.evidence_in", 75,
         'In a CNN poll, 55 percent chose X: the main clause after a fronted "in" phrase naming a poll, a study '
         'or a record, its source',
         positive=('In a Quinnipiac poll released Monday, 55 percent of voters chose the senator.',),
         negative=('In a speech on Monday, the senator promised a new bridge for the city.',
                   'The senator has a commanding lead in the polls.'),
         kind="evidence"),
    Rule("mixed.evidence", 75,
         'the survey found voters “deeply divided”: an evidence clause holding quoted words',
         positive=('The survey found that voters were "deeply divided" over the new tax plan.',),
         negative=('The survey found that voters were deeply divided over the new tax plan.',),
         kind="evidence"),
    Rule("mixed.quoted_fragment", 80,
         'X is crying “fraud”: quoted words in the complements of a verb with a speaking subject',
         positive=('The protesters are crying “fraud” over the ballot count.',),
         negative=('It was “fraud” over the ballot count.',)),
    # --- after every rule above (direct.py: continuation_quotes) ---
    Rule("direct.continuation", 90,
         "a paragraph that is a quotation alone continues the previous paragraph's speaker",
         positive=('Maria Lopez listed her reasons:\n\n“The first point is that the budget is simply too small for the city.”\n\n“The second point is that nobody asked the residents what they wanted.”',),
         negative=('“The second point is that nobody asked the residents what they wanted.”',)),
    Rule("direct.next_sentence", 90,
         '“...,” he said outside. But “...”: a quotation resumed right after a sentence reporting someone',
         positive=('Maria Lopez said the plan was "finished and fully paid for." "We are moving on to the next stage of the work now."',),
         negative=('The plan was "finished and fully paid for." "We are moving on to the next stage of the work now."',)),
    # --- set by a repair, declared as a rule so it can be switched off like one ---
    Rule("mixed.parenthetical_quote", 95,
         'That, the commission said, “would be helpful”: words before a parenthetical cue joined to the '
         'quotation after it (repair.join_parenthetical_quote)',
         positive=('That, the commission said, "would be helpful to everyone involved in the talks."',),
         negative=('That, the commission said, "Would be helpful to everyone involved in the talks."',)),
)

REPAIRS: tuple[Repair, ...] = (
    Repair("repair.reported_cue_between", "a same-paragraph quotation takes the newer reported-speech cue standing between it and the cue it inherited"),
    Repair("repair.governing_speech_verb", "a same-paragraph quotation inside a sentence of its own takes the speech verb governing it"),
    Repair("repair.first_quote_speaker", "a quotation sharing the cue of an earlier one of its paragraph takes that one's speaker"),
    Repair("repair.join_parenthetical_quote", "words before a parenthetical cue and the lower-case quotation after it become one mixed row"),
    Repair("repair.speaker_before_tail_cue", "“...,” the Florida senator said: the noun phrase between a quotation and its trailing cue speaks, not the subject the parse found before the quotation"),
    Repair("repair.speaker_after_dateline", "LONDON (Reuters) - X said: the dateline parsed as the subject gives way to the noun phrase after the dash"),
    Repair("repair.content_after_dateline", "CAMBRIDGE, Mass., Dec. 11 (UPI) — X ...: a dateline opening the cue's paragraph is no part of the content, which starts after its dash"),
    Repair("repair.speaker_source_of_report", "“...,” Sanders said, according to CNN: the cue's own according-to phrase is the source as written (PolNeAR/PARC), who spoke the canonical speaker"),
    Repair("repair.speaker_not_a_date", "X's office announced Friday that: a date parsed as the subject gives way to the speaker left of the cue"),
    Repair("repair.span_content_marks", "content includes its enclosing quote marks and the punctuation inside them (PolNeAR/PARC; quotes/spans.py)"),
    Repair("repair.span_cue_verbal_group", "the cue is the whole verbal group: auxiliaries and negation before the verb (“has said”, “did not say”)"),
    Repair("repair.span_cue_preposition", "a preposition the cue governs and the content opens with belongs to the cue (“called for”, “referred to”), the content starts after it (quotes/spans.py)"),
    Repair("repair.span_speaker_noun_phrase", "the speaker span is the whole noun phrase: appositive and modifiers after the head (“Jane Doe, a Democrat from Ohio”)"),
    Repair("repair.span_content_final_period", "a content no quote mark encloses ends before its sentence's final period (PolNeAR/PARC; quotes/spans.py)"),
    Repair("repair.span_content_infinitive_subject", "the cue's object that is the subject of the infinitive reported is part of the content (“urged voters to stay home”: “voters to stay home”; quotes/spans.py)"),
    Repair("repair.span_content_around_source", "a source and cue standing inside the content are no part of it: the content is the pieces around them (“The plan”, he said, “is dead”; quotes/spans.py)"),
    Repair("repair.join_shared_cue", "“A,” he said. “B.”: records of one paragraph speaking through the same cue are one attribution, its content in pieces (quotes/assemble.py)"),
    Repair("repair.join_continued_paragraph", "a paragraph that is a quotation alone joins the attribution of the paragraph before it as a piece (quotes/assemble.py)"),
    Repair("repair.merge_running_quotation", "a quotation running over paragraphs (each opening with a mark) is joined into its first row"),
)

RULE_IDS: frozenset = frozenset(r.id for r in RULES)
RULE_KIND: dict = {r.id: r.kind for r in RULES}


def kind_of(rule_id: str | None) -> str:
    """The `kind` of a row found by `rule_id` (speech for an id no rule declares)."""
    return RULE_KIND.get(rule_id or "", "speech")
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
    "indirect.thought": "mixed.thought",
    "indirect.evidence": "mixed.evidence",
    "indirect.evidence_in": "mixed.evidence",
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
    bad_kinds = sorted(r.id for r in RULES if r.kind not in KINDS)
    if bad_kinds:
        raise RuntimeError(f"pipeline/steps/quotes/rules.py: rules of an unknown kind: {bad_kinds}")
    if dupes:
        raise RuntimeError(f"pipeline/steps/quotes/rules.py: ids declared twice: {dupes}")
    for table in (MIXED_VARIANT, SHORT_VARIANT):
        for a, b in table.items():
            if a not in RULE_IDS or b not in RULE_IDS:
                raise RuntimeError(f"pipeline/steps/quotes/rules.py: variant of an undeclared rule: {a} -> {b}")


check_declared()
