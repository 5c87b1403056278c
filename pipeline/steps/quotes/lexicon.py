"""The quotes stage's lexicons and settings (`configs/quotes.toml`) as one frozen `QuoteConfig`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.config import DEFAULT_CONFIG_DIR, load_stage_config, reject_unknown_keys
from pipeline.core.errors import ConfigError
from pipeline.steps.quotes.rules import RULE_IDS

STAGE = "quotes"
# [kinds]: the lexicons of attributions that are not speech (fields of the same names)
KINDS_KEYS = ("thought", "thought_infinitive", "thought_object", "thought_passive", "thought_nouns", "causatives",
              "evidence_verbs", "evidence_object_verbs", "evidence_nouns")
SECTIONS = ("cues", "not_speech", "direct", "speakers", "roles", "organisation_kinds", "kinds", "interview", "rules")


@dataclass
class QuoteConfig:
    speech: frozenset
    direct_only: frozenset
    noun_tagged_cues: frozenset
    make_clear: frozenset
    object_content: frozenset
    noun_cues: frozenset
    noun_cue_for: frozenset
    stance_blockers: frozenset
    directive: frozenset
    call_particles: frozenset
    phrases: dict
    governors: frozenset
    animate_only: frozenset
    listener_verbs: frozenset
    infinitive_ok: frozenset
    metalinguistic_nouns: frozenset
    metalinguistic_verbs: frozenset
    voiced_nouns: frozenset
    min_words: int
    max_tail_gap: int
    max_head_gap: int
    person_pronouns: frozenset
    plural_pronouns: frozenset
    thing_pronouns: frozenset
    unresolvable_pronouns: frozenset
    relative_pronouns: frozenset
    author_pronouns: frozenset
    author_paragraphs: int
    indefinite_speakers: frozenset
    male_honorifics: frozenset
    female_honorifics: frozenset
    non_speaking_heads: frozenset
    first_name_min_share: float
    narrative_gender_sentences: int
    person_role_nouns: frozenset
    introduced_paragraphs: int
    lede_paragraphs: int
    government_places: frozenset
    document_nouns: frozenset
    document_writing_verbs: frozenset
    organisation_nouns: frozenset
    unnamed_nouns: frozenset
    roles: dict
    title_words: frozenset
    naming_verbs: frozenset = frozenset()
    name_giving_verbs: frozenset = frozenset()
    share_nouns: frozenset = frozenset()
    person_suffixes: tuple = ()
    same_role_nouns: dict = field(default_factory=dict)    # "lawyer" -> {"lawyer", "attorney", ...}
    female_role_nouns: frozenset = frozenset()
    male_role_nouns: frozenset = frozenset()
    poll_nouns: frozenset = frozenset()
    headline_labels: frozenset = frozenset()
    quote_asides: frozenset = frozenset()
    copular_noun_cues: frozenset = frozenset()
    object_np: frozenset = frozenset()
    cue_prepositions: frozenset = frozenset()
    question_verbs: frozenset = frozenset()
    prepositional_contents: frozenset = frozenset()    # "ask about", "warn against"
    as_clause_objects: frozenset = frozenset()         # "as X responded to ...": its own object
    passive_agent_verbs: frozenset = frozenset()
    pro_form_objects: frozenset = frozenset()
    rules_off: frozenset = frozenset()      # rule ids switched off in [rules]
    pro_form_answers: frozenset = frozenset()
    pro_form_refusals: frozenset = frozenset()
    addressee_verbs: frozenset = frozenset()
    statement_making_verbs: frozenset = frozenset()
    disputing_verbs: frozenset = frozenset()
    participle_openers: frozenset = frozenset()
    temporal_prepositions: frozenset = frozenset()
    not_tail_verbs: frozenset = frozenset()
    dateline_dashes: frozenset = frozenset()
    not_fragment_subjects: frozenset = frozenset()
    aside_modals: frozenset = frozenset()
    loose_quotatives: frozenset = frozenset()
    floating_quantifiers: frozenset = frozenset()
    organisation_kinds: dict = field(default_factory=dict)   # "union" -> words naming unions
    # organisations and places as antecedents (speakers.py: _subject_organisation, _place_speaker)
    place_nouns: frozenset = frozenset()
    organisation_paragraphs: int = 2
    focus_organisation_mentions: int = 3
    focus_organisation_nouns: frozenset = frozenset()
    place_prepositions: frozenset = frozenset()
    # [kinds]: attributions that are not speech (thought, evidence); empty lists find none
    thought: frozenset = frozenset()
    thought_infinitive: frozenset = frozenset()
    thought_object: frozenset = frozenset()
    thought_passive: frozenset = frozenset()
    thought_nouns: frozenset = frozenset()
    causatives: frozenset = frozenset()
    evidence_verbs: frozenset = frozenset()
    evidence_object_verbs: frozenset = frozenset()
    evidence_nouns: frozenset = frozenset()
    # [interview]: Q&A documents (quotes/interview.py); empty head lists find none
    interview_question_heads: frozenset = frozenset()
    interview_answer_heads: frozenset = frozenset()
    interviewee_cues: frozenset = frozenset()
    interviewer_cues: frozenset = frozenset()
    interview_min_turns: int = 2
    interview_min_words: int = 4
    interview_standfirst_paragraphs: int = 4

    def rule_enabled(self, rule_id: str) -> bool:
        return rule_id not in self.rules_off

    @classmethod
    def from_dict(cls, config: dict, source: str = "quotes.toml") -> "QuoteConfig":
        read: set[tuple[str, str]] = set()     # every (section, key) this loader reads

        def words(section: str, key: str) -> frozenset:
            read.add((section, key))
            try:
                values = config[section][key]
            except KeyError:
                raise ConfigError(f"{source}: missing key '{section}.{key}'") from None
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f"{source}: '{section}.{key}' must be a list of strings")
            return frozenset(v.lower() for v in values)

        def optional_words(section: str, key: str) -> frozenset:
            """A list that older configs may lack: empty when absent, checked like the others."""
            return words(section, key) if key in config.get(section, {}) else frozenset()

        def integer(section: str, key: str) -> int:
            read.add((section, key))
            value = config.get(section, {}).get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{source}: '{section}.{key}' must be a non-negative integer")
            return value

        def share(section: str, key: str) -> float:
            read.add((section, key))
            value = config.get(section, {}).get(key)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.5 < value <= 1:
                raise ConfigError(f"{source}: '{section}.{key}' must be a number above 0.5 and at most 1")
            return float(value)

        for section, table in config.items():
            if section not in SECTIONS or not isinstance(table, dict):
                raise ConfigError(f"{source}: unknown key '{section}' (known sections: {', '.join(SECTIONS)})")
        read.add(("cues", "phrases"))
        phrases = _cue_phrases(config, source)
        rules_section = config.get("rules", {})
        for key, value in rules_section.items():
            if key not in RULE_IDS:
                raise ConfigError(f"{source}: unknown key 'rules.{key}' (not a rule declared in pipeline/steps/quotes/rules.py)")
            if not isinstance(value, bool):
                raise ConfigError(f"{source}: 'rules.{key}' must be true or false, got {value!r}")
        roles, title_words = _roles(config, source)
        fields = dict(
            **_organisations(config, source, words, integer),
            speech=words("cues", "speech"), direct_only=words("cues", "direct_only"),
            noun_tagged_cues=words("cues", "noun_tagged"), make_clear=words("cues", "make_clear"),
            object_content=words("cues", "object_content"), directive=words("cues", "directive"),
            noun_cues=words("cues", "noun_cues"),
            object_np=optional_words("cues", "object_np"), cue_prepositions=optional_words("cues", "cue_prepositions"),
            copular_noun_cues=words("cues", "noun_cues") | optional_words("cues", "copular_noun_cues"),
            noun_cue_for=optional_words("cues", "noun_cue_for"), as_clause_objects=optional_words("cues", "as_clause_objects"),
            stance_blockers=words("cues", "stance_blockers"),
            call_particles=words("cues", "call_particles"), phrases=phrases, naming_verbs=optional_words("cues", "naming_verbs"),
            **{k: words("cues", k) for k in ("question_verbs", "prepositional_contents", "passive_agent_verbs")},
            name_giving_verbs=optional_words("not_speech", "name_giving_verbs"),
            share_nouns=optional_words("speakers", "share_nouns"),
            person_suffixes=tuple(sorted(optional_words("speakers", "person_suffixes"))),
            same_role_nouns={w: frozenset(group.split()) for group in optional_words("speakers", "same_role_nouns")
                             for w in group.split()},
            female_role_nouns=optional_words("speakers", "female_role_nouns"),
            male_role_nouns=optional_words("speakers", "male_role_nouns"),
            poll_nouns=optional_words("speakers", "poll_nouns"),
            headline_labels=optional_words("direct", "headline_labels"),
            quote_asides=optional_words("direct", "quote_asides"),
            pro_form_objects=words("cues", "pro_form_objects"),
            governors=words("not_speech", "governors"),
            infinitive_ok=words("not_speech", "infinitive_ok"),
            animate_only=words("not_speech", "animate_only"),
            listener_verbs=words("cues", "listener_verbs"),
            metalinguistic_nouns=words("not_speech", "metalinguistic_nouns"),
            metalinguistic_verbs=words("not_speech", "metalinguistic_verbs"),
            voiced_nouns=words("cues", "voiced_nouns"),
            min_words=integer("direct", "min_words"), max_tail_gap=integer("direct", "max_tail_gap"),
            max_head_gap=integer("direct", "max_head_gap"),
            person_pronouns=words("speakers", "person_pronouns"),
            plural_pronouns=words("speakers", "plural_pronouns"),
            author_pronouns=words("speakers", "author_pronouns"),
            author_paragraphs=integer("speakers", "author_paragraphs"),
            thing_pronouns=words("speakers", "thing_pronouns"),
            unresolvable_pronouns=words("speakers", "unresolvable_pronouns"),
            relative_pronouns=words("speakers", "relative_pronouns"),
            indefinite_speakers=words("speakers", "indefinite_speakers"),
            male_honorifics=words("speakers", "male_honorifics"),
            female_honorifics=words("speakers", "female_honorifics"),
            non_speaking_heads=words("speakers", "non_speaking_heads"),
            first_name_min_share=share("speakers", "first_name_min_share"),
            narrative_gender_sentences=integer("speakers", "narrative_gender_sentences"),
            person_role_nouns=words("speakers", "person_role_nouns"),
            introduced_paragraphs=integer("speakers", "introduced_paragraphs"),
            lede_paragraphs=integer("speakers", "lede_paragraphs"),
            government_places=words("speakers", "government_places"),
            document_nouns=words("speakers", "document_nouns"),
            document_writing_verbs=words("speakers", "document_writing_verbs"),
            organisation_nouns=words("speakers", "organisation_nouns"),
            unnamed_nouns=words("speakers", "unnamed_nouns"),
            roles=roles, title_words=frozenset(t.lower() for t in title_words),
            rules_off=frozenset(k for k, on in rules_section.items() if not on),
            pro_form_answers=words("cues", "pro_form_answers"),
            pro_form_refusals=words("cues", "pro_form_refusals"),
            addressee_verbs=words("cues", "addressee_verbs"),
            statement_making_verbs=words("cues", "statement_making_verbs"),
            disputing_verbs=words("cues", "disputing_verbs"),
            participle_openers=words("cues", "participle_openers"),
            temporal_prepositions=words("cues", "temporal_prepositions"),
            not_tail_verbs=words("direct", "not_tail_verbs"),
            dateline_dashes=words("direct", "dateline_dashes"),
            not_fragment_subjects=words("not_speech", "not_fragment_subjects"),
            aside_modals=words("not_speech", "aside_modals"),
            loose_quotatives=words("cues", "loose_quotatives"),
            floating_quantifiers=words("speakers", "floating_quantifiers"),
            **{key: optional_words("kinds", key) for key in KINDS_KEYS},
            **_interview(config, source),
        )
        # A key nobody reads is a typo or a leftover, which would silently switch a rule off.
        # ([roles] keys are data; [rules] keys are checked against the registry above.)
        for section in ("cues", "not_speech", "direct", "speakers", "kinds"):
            reject_unknown_keys(config.get(section, {}), {k for s, k in read if s == section}, source,
                                prefix=f"{section}.")
        return cls(**fields)


# [interview] (quotes/interview.py): key -> QuoteConfig field; lists of words, then integers
INTERVIEW_WORDS = {"question_heads": "interview_question_heads", "answer_heads": "interview_answer_heads",
                   "interviewee_cues": "interviewee_cues", "interviewer_cues": "interviewer_cues"}
INTERVIEW_INTEGERS = {"min_turns": "interview_min_turns", "min_words": "interview_min_words",
                      "standfirst_paragraphs": "interview_standfirst_paragraphs"}


def _interview(config: dict, source: str) -> dict:
    """[interview]: the fields it sets (a key absent keeps the field's default; an unknown one is
    an error naming it)."""
    section = config.get("interview", {})
    reject_unknown_keys(section, set(INTERVIEW_WORDS) | set(INTERVIEW_INTEGERS), source, prefix="interview.")
    fields = {}
    for key, name in INTERVIEW_WORDS.items():
        if key in section:
            values = section[key]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f"{source}: 'interview.{key}' must be a list of strings")
            fields[name] = frozenset(v.lower() for v in values)
    for key, name in INTERVIEW_INTEGERS.items():
        if key in section:
            value = section[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < (1 if key == "min_turns" else 0):
                raise ConfigError(f"{source}: 'interview.{key}' must be a {'positive' if key == 'min_turns' else 'non-negative'} integer")
            fields[name] = value
    return fields


def _cue_phrases(config: dict, source: str) -> dict[str, tuple[str, str]]:
    """[cues] phrases: head word -> (next word, lemma of the phrase)."""
    phrases = {}
    for item in config.get("cues", {}).get("phrases", []):
        if not (isinstance(item, list) and len(item) == 3 and all(isinstance(v, str) for v in item)):
            raise ConfigError(f"{source}: each 'cues.phrases' item must be [head, next, lemma]")
        phrases[item[0].lower()] = (item[1].lower(), item[2])
    return phrases


def _roles(config: dict, source: str) -> tuple[dict[str, list[str]], list[str]]:
    """[roles]: role -> words (data keys), and its title_words."""
    roles_section = dict(config.get("roles", {}))
    title_words = roles_section.pop("title_words", [])
    roles = {}
    for key, values in roles_section.items():
        if not isinstance(values, list):
            raise ConfigError(f"{source}: 'roles.{key}' must be a list of strings")
        roles[key.lower()] = [v.lower() for v in values]
    return roles, title_words


def _organisations(config: dict, source: str, words, integer) -> dict:
    """The settings of organisations and places as speakers: [organisation_kinds] and the
    [speakers] keys of pipeline/steps/quotes/speakers.py's antecedents (read through `words` and
    `integer`, which record the keys read)."""
    return {"organisation_kinds": _organisation_kinds(config, source),
            **{key: words("speakers", key) for key in ("place_nouns", "focus_organisation_nouns", "place_prepositions")},
            **{key: integer("speakers", key) for key in ("organisation_paragraphs", "focus_organisation_mentions")}}


def _organisation_kinds(config: dict, source: str) -> dict[str, frozenset]:
    """[organisation_kinds]: organisation noun -> words of the names of that kind (data keys)."""
    kinds = {}
    for key, values in config.get("organisation_kinds", {}).items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ConfigError(f"{source}: 'organisation_kinds.{key}' must be a list of strings")
        kinds[key.lower()] = frozenset(v.lower() for v in values)
    return kinds


def load_config(config_dir: Path | None = None) -> QuoteConfig:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    return QuoteConfig.from_dict(load_stage_config(config_dir, STAGE), str(config_dir / f"{STAGE}.toml"))


SPEAKER_LABELS = ("PERSON", "ORG", "GPE", "NORP")


def _role_heads(config: QuoteConfig) -> frozenset:
    """Last words of the role keys ("minister" for "prime minister"); computed once per config."""
    heads = config.__dict__.get("_role_heads")
    if heads is None:
        heads = frozenset(key.split()[-1] for key in config.roles)
        config.__dict__["_role_heads"] = heads
    return heads
