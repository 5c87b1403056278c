"""Speaker resolution: the speaker as written -> a canonical entity, by name, pronoun, role or
title and recency against the document's mentions, recording how in `resolution`."""

from __future__ import annotations

import bisect
import re
from dataclasses import replace
from collections import Counter, defaultdict
from dataclasses import replace
from typing import NamedTuple, Sequence

from spacy.tokens import Doc, Token

from pipeline.steps.docs import token_texts
from pipeline.steps.entities import describing_words
from pipeline.steps.quotes.gender import FEMALE, MALE, PRONOUN_GENDER, UNKNOWN, first_name_genders, first_name_of, gender_from_first_name
from pipeline.steps.quotes.lexicon import QuoteConfig, _role_heads
from pipeline.steps.quotes.mentions import Mention, _norm
from pipeline.steps.quotes.syntax import (
    ABSTRACT_SUFFIXES,
    POSSESSIVE_PRONOUNS,
    Attribution,
    _is_cue_verb,
    _sent_of,
)


def corpus_says(m: Mention, kind: str, word: str) -> bool:
    """What the corpus says of a mention, asked one word at a time: "described", whether its
    entity's descriptions hold `word`; "titles", whether one of its titles (the entity's, or the
    one written with it) has `word` as a word of its own."""
    if kind == "described":
        return word in m.described
    titles = " ".join(m.titles) + " " + (m.title or "").lower()
    return bool(re.search(rf"\b{re.escape(word)}\b", titles))


class SpeakerResolver:
    """Canonical speakers by name, pronoun, role and recency (no coreference model)."""

    def __init__(self, doc: Doc, mentions: list[Mention], config: QuoteConfig):
        self.doc = doc
        self.config = config
        self.mentions = sorted(mentions, key=lambda m: m.token_start)
        self.token_mention: dict[int, Mention] = {}
        for m in self.mentions:
            for i in range(m.token_start, min(m.token_end, len(doc))):
                self.token_mention[i] = m
        self.history: list[Attribution] = []      # resolved attributions, in document order
        # Gender evidence by canonical person name (see pipeline/steps/quotes/gender.py): honorifics,
        # the "he"/"she" of quotes resolved to them (as they come), first names. (Any pronoun
        # after a mention, "Warren said he ...", refers to someone else too often: measured,
        # counting them moved PolNeAR dev speakers to the wrong gender and the wrong person.)
        self.honorifics: dict[str, str] = {}
        self.pronoun_votes: dict[str, Counter] = defaultdict(Counter)
        persons = [m for m in self.mentions if m.label == "PERSON"]
        surnames = Counter(name.split()[-1] for name in {m.name for m in persons if len(m.name.split()) >= 2})
        for m in persons:
            word = _honorific_before(doc, m, config)
            # ("Mrs. Clinton" where Bill and Hillary Clinton are both named says nothing of the
            # person the surname was linked to)
            if word is not None and not (len(m.text.split()) == 1 and surnames[_norm(m.text)] > 1):
                self.honorifics.setdefault(m.name, word)
        self._shared_surnames = {w for w, n in surnames.items() if n > 1}
        self._narrative_votes: dict[str, Counter] | None = None    # computed when first asked
        first_name_genders(filter(None, (first_name_of(m.name) for m in persons)))   # one batch
        self._first_names: dict[str, tuple[str, str] | None] = {}
        self._described: dict[str, set[str]] | None = None
        # every question asked of what the corpus says of a mention (its entity's titles and
        # descriptions) with its answer, by (mention tokens, kind, word): the document's quotes
        # depend on these answers and on nothing else the corpus says (an incremental run reuses
        # them while the answers hold)
        self.consulted: dict[tuple[int, int, str, str], bool] = {}

    def _corpus_says(self, m: Mention, kind: str, word: str) -> bool:
        answer = corpus_says(m, kind, word)
        self.consulted[(m.token_start, m.token_end, kind, word)] = answer
        return answer

    # -- helpers -------------------------------------------------------------------------------
    def _mentions_in(self, start: int, end: int) -> list[Mention]:
        seen, out = set(), []
        for i in range(start, end):
            m = self.token_mention.get(i)
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                out.append(m)
        return out

    def _head(self, start: int, end: int) -> Token:
        span = self.doc[start:end]
        return span.root

    def gender_of(self, name: str) -> tuple[str, str | None]:
        """(female / male / unknown, evidence) of a person of the document, by canonical name:
        an honorific, else the majority of the pronouns that referred to them, else the first
        name; never the role."""
        word = self.honorifics.get(name)
        if word is not None:
            gender = FEMALE if word.lower() in self.config.female_honorifics else MALE
            return gender, f"honorific:{word}"
        votes = self.pronoun_votes.get(name)
        if votes:
            by_gender = Counter()
            for pronoun, n in votes.items():
                by_gender[PRONOUN_GENDER[pronoun]] += n
            ranked = by_gender.most_common()
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                gender = ranked[0][0]
                pronoun = max((p for p in votes if PRONOUN_GENDER[p] == gender), key=lambda p: (votes[p], p))
                return gender, f"pronoun:{pronoun}"
        if self._narrative_votes is None:
            self._narrative_votes = self._narrative_pronouns(
                [m for m in self.mentions if m.label == "PERSON"], self._shared_surnames)
        votes = self._narrative_votes.get(name)
        if votes and len(votes) == 1 and next(iter(votes.values())) >= self.config.narrative_gender_sentences:
            gender = next(iter(votes))
            return gender, f"narrative:{'she' if gender == FEMALE else 'he'}"
        if name not in self._first_names:
            self._first_names[name] = gender_from_first_name(name, self.config.first_name_min_share,
                                                             self._short_forms(name))
        hit = self._first_names[name]
        return (hit[0], hit[1]) if hit is not None else (UNKNOWN, None)

    def _narrative_pronouns(self, persons: list[Mention], shared: set[str]) -> dict[str, Counter]:
        """Gender votes from the writer's sentences (config `narrative_gender_sentences`): a
        sentence outside quotation marks naming one person only, as a subject, and no one else
        by pronoun ("X challenged her when she ran"), votes for the gender of the "he"/"she"
        after the name that is the subject of a clause joined to that person's own ("X left after
        she spoke", "X won and he thanked ...": not what X said, "X said she ...", nor "after he
        left, X came"), and not after a reporting verb. Not a surname two people of the document
        share (`shared`)."""
        doc = self.doc
        votes: dict[str, Counter] = defaultdict(Counter)
        if not (doc.has_annotation("DEP") or doc.has_annotation("SENT_START")):
            return votes
        by_sentence: dict[int, list[Mention]] = defaultdict(list)
        for m in persons:
            by_sentence[doc[m.token_start].sent.start].append(m)
        for ms in by_sentence.values():
            sent = doc[ms[0].token_start].sent
            subject = next((m for m in ms if self._is_subject(m)), None)
            if subject is None or len({m.name for m in ms}) != 1 or _norm(subject.text) in shared or \
                    any(t.is_quote or t.lower_ in PRONOUN_GENDER and t.dep_ in ("dobj", "pobj", "dative")
                        for t in sent):
                continue
            verb = doc[subject.token_start:subject.token_end].root.head
            # (what follows a reporting verb may be the report: "X said her plan ... but she needs")
            if lemma_of(verb) in self.config.speech:
                continue
            genders = {PRONOUN_GENDER[t.lower_] for t in sent if _subject_pronoun(t) and
                       t.i >= subject.token_end and _joined_clause(t.head, verb)}
            if len(genders) == 1:
                votes[subject.name][genders.pop()] += 1
        return votes

    def _short_forms(self, name: str) -> list[str]:
        """The one-word mentions of a person of the document that carry a title or an honorific
        ("President Xi", "Mr. Clinton"): how the document shortens their name."""
        return [m.text for m in self.mentions if m.label == "PERSON" and m.name == name and
                len(m.text.split()) == 1 and m.title]

    def _gender(self, mention: Mention) -> str | None:
        gender = self.gender_of(mention.name)[0]
        return None if gender == UNKNOWN else gender

    def _recent(self, before_token: int, labels: Sequence[str], pronoun: str | None = None,
                skip: tuple[int, int] | None = None) -> Mention | None:
        """The latest mention before a token with one of `labels`, of the pronoun's gender when
        known, outside `skip` (the attribution's own content: "“I told Bob ...,” he said" is
        never Bob speaking)."""
        gender = PRONOUN_GENDER.get(pronoun or "")
        for m in reversed(self.mentions):
            if m.token_start >= before_token or m.label not in labels:
                continue
            if skip is not None and skip[0] <= self.doc[m.token_start].idx < skip[1]:
                continue
            if gender and (g := self._gender(m)) and g != gender:
                continue
            return m
        return None

    @staticmethod
    def _set(att: Attribution, name: str | None, entity_id: str | None, label: str | None,
             resolution: str) -> Attribution:
        att.speaker_name, att.speaker_entity_id, att.speaker_label, att.resolution = name, entity_id, label, resolution
        return att

    def _decided(self, att: Attribution, kind: str | None, name: str | None, entity_id: str | None,
                 label: str | None, resolution: str) -> Attribution:
        """The speaker found: its kind and name set, and the attribution remembered for later ones."""
        att.extra["speaker_kind"] = kind
        self._set(att, name, entity_id, label, resolution)
        self.history.append(att)
        return att

    def _name_in_span(self, start: int, end: int, head: Token) -> Mention | None:
        """A named mention that IS the speaker: it holds the head, or the head is a title right
        before/after it (PM Bennett, Bennett's office is not Bennett: checked by the caller)."""
        inside = self._mentions_in(start, end)
        for m in inside:
            if m.token_start <= head.i < m.token_end:
                if _one_member(head, m):
                    return None
                return self._titled_person_closing(m, inside, end) if m.label != "PERSON" else m
        # The head is a title word compounded with a name ("President Putin" parsed with the
        # title as head), or an apposition.
        for m in inside:
            root = self.doc[m.token_start:m.token_end].root
            # (only a person: "the Florida senator", "the GOP candidate" are roles of a place or
            # a party, not the place or the party speaking)
            if m.label == "PERSON" and root.head.i == head.i and root.dep_ in ("compound", "appos", "nmod", "poss") and \
                    (head.lower_ in self.config.title_words or head.lower_ in _role_heads(self.config)) \
                    and root.dep_ != "poss":
                return m
        # The head is a word of the title of the person closing the span, a title that took in an
        # organisation's name ("The Council on American-Islamic Relations National Executive
        # Director Nihad Awad": the organisation is the title's, not a mention of its own). Not a
        # group ("Advisers to Mr. Obama"), nor a name after an honorific alone.
        last = inside[-1] if inside else None
        if last is not None and head.i < last.token_start and head.text[:1].isupper() and head.tag_ == "NNP" \
                and self.doc[last.token_start - 1].lower_ not in self.config.male_honorifics | self.config.female_honorifics:
            return self._titled_person_closing(None, inside, end)
        return None

    def _titled_person_closing(self, holder: Mention | None, inside: list[Mention], end: int) -> Mention | None:
        """"Tulsa police Chief Chuck Jordan" parsed with the place as its head: a person named
        with a title word just before the name ("Chief", "spokeswoman") and closing the
        speaker's span is the speaker, not the place or organisation the title belongs to;
        else `holder`, the mention holding the head."""
        doc = self.doc
        last = inside[-1]
        while end > last.token_end and (doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        if last.label == "PERSON" and last.token_end == end and last.token_start > 0 and \
                doc[last.token_start - 1].lower_.rstrip(".") in {w.rstrip(".") for w in
                                                                 self.config.title_words | _role_heads(self.config)}:
            return last
        return holder

    def _in_context(self, m: Mention) -> Mention:
        """A surname alone ("Obama", "Mrs. Clinton") where the document names several people with
        that surname: the one the context points to, rather than the document's most mentioned.
        An honorific's gender first ("Mrs. Clinton"), then a title only one of them carries
        ("President Obama"); otherwise the link the entities stage made (measured on PolNeAR
        dev: taking the nearest full name before it instead lost 1 point of persons' full names,
        a passing "Michelle Obama" taking over "Obama" the article is about)."""
        if m.label != "PERSON" or len(m.text.split()) != 1:
            return m
        surname = _norm(m.text)
        full = [x for x in self.mentions if x.label == "PERSON" and len(x.text.split()) >= 2 and
                len(x.name.split()) >= 2 and x.name.split()[-1] == surname]
        names = sorted({x.name for x in full})
        if len(names) < 2:
            return m

        def mention_of(name: str) -> Mention:
            own = [x for x in full if x.name == name]
            before = [x for x in own if x.token_start < m.token_start]
            return before[-1] if before else own[0]

        word = _honorific_before(self.doc, m, self.config)
        if word is not None:
            gender = FEMALE if word.lower() in self.config.female_honorifics else MALE
            fits = [n for n in names if self.gender_of(n)[0] == gender]
            if len(fits) == 1:
                return mention_of(fits[0])
        title = [w for w in (m.title or "").lower().split()
                 if w not in self.config.male_honorifics | self.config.female_honorifics]
        if title:
            fits = [n for n in names if any(title[-1] in (x.title or "").lower().split()
                                             for x in full if x.name == n)]
            if len(fits) == 1:
                return mention_of(fits[0])
        # The one of them named in full in this paragraph or the two before, the other not
        # ("Gary Johnson" far above, "Homeland Security Secretary Jeh Johnson says ... / Johnson
        # tells MSNBC"): the person just introduced.
        floor = self._paragraphs_back(m.token_start, 2)
        near = {x.name for x in full if floor <= x.token_start < m.token_start}
        if len(near) == 1:
            return mention_of(next(iter(near)))
        return m

    def _introduced_person(self, head: Token, start: int, end: int, cue_i: int,
                           content: tuple[int, int] | None) -> Mention | None:
        """The news lede's way of introducing someone: a singular description that is not
        anaphoric ("A former Democratic National Committee chairman says ...", a headline's
        "Former White House Doctor Says", "Connecticut's tax commissioner says ...": no "the",
        "this", "that") and names nobody, then the person named in full in the paragraphs after
        ("... said Don Fowler, who helmed the DNC", "Kevin Sullivan says he ..."): the first
        person named in full as the subject of a clause after the cue, in the cue's paragraph or
        the next `introduced_paragraphs`, outside the quote's content. Not a word for an anonymous
        source ("a spokesman", "an official": the article need not name them), nor a share, a
        document or an organisation; a capitalised head only when it is a role word."""
        config = self.config
        low, lemma = head.lower_, head.lemma_.lower()
        # a word for a person: a role or title word, a role noun of the lexicon, a noun of a
        # trade ("-man", "-ist", "-ian"), or a word the corpus describes people with ("mogul");
        # not "a slide", "a database", "a lesson"
        person_word = low in _role_heads(config) or low in config.title_words or \
            low in config.person_role_nouns or lemma in config.person_role_nouns or \
            (len(low) > 6 and low.endswith(config.person_suffixes)) or \
            any(self._corpus_says(m, "described", low) for m in self.mentions if m.label == "PERSON")
        if not person_word or head.pos_ not in ("NOUN", "PROPN") or head.tag_ in ("NNS", "NNPS"):
            return None
        # (a word for an unnamed source only in a headline's bare phrase, "Former White House Doctor
        # Says", which the body must describe again: _introduction_holds)
        headline = cue_i < self._paragraphs_forward(0, 0) and not any(c.dep_ in ("det", "poss") for c in head.children)
        if {low, lemma} & ((frozenset() if headline else config.unnamed_nouns) | config.share_nouns |
                           config.document_nouns | config.organisation_nouns | config.non_speaking_heads |
                           config.poll_nouns):
            return None
        if any(c.dep_ == "det" and c.lower_ in ("the", "this", "that", "these", "those") for c in head.children):
            return None
        if any(m.label == "PERSON" for m in self._mentions_in(start, end)):
            return None
        # (a relative clause makes it someone of its own: "an architect who said he was stiffed")
        if any(c.dep_ == "relcl" for c in head.children):
            return None
        # (a collective: "A chorus of prominent Republicans", "a group of senators")
        if any(c.dep_ == "prep" and c.lower_ == "of" and any(o.tag_ in ("NNS", "NNPS") for o in c.children)
               for c in head.children):
            return None
        limit = self._paragraphs_forward(cue_i, config.introduced_paragraphs)
        doc = self.doc
        for m in self.mentions:
            if m.token_start <= max(cue_i, end - 1) or m.label != "PERSON":
                continue
            if m.token_start >= limit:
                break
            if len(m.text.split()) < 2 or (content is not None and content[0] <= doc[m.token_start].idx < content[1]):
                continue
            # (the subject of a main clause: not of what someone says, "... says President
            # Barack Obama should ...")
            verb = doc[m.token_start:m.token_end].root.head
            if self._is_subject(m) and verb.dep_ not in ("ccomp", "xcomp", "advcl", "relcl", "acl"):
                return m if self._introduction_holds(head, cue_i, m) else None
        return None

    def _introduction_holds(self, head: Token, cue_i: int, m: Mention) -> bool:
        """Whether the person named after a description may be the one it introduces. In the
        lede (the first `lede_paragraphs` paragraphs: the headline and the first
        paragraphs, where news introduces a source by description: "A former DNC chairman says
        ...", "Connecticut's tax commissioner says ..."), a description with a determiner or an
        owner may introduce anyone; a bare headline phrase ("SEIU chief says", "former rival
        says") and any description after the lede must be one the document gives that person
        (the head word or its role's title words among their title and describing words: "CNN
        President" -> "CNN President Jeff Zucker", "Retired General" -> "Gen. Norman Ham"). An
        indefinite description after the lede ("a Democratic senator said", "another New
        Hampshire Republican added") is an anonymous source, not the next person named. (On
        PolNeAR train, without these checks, 10 of 15 such speakers were wrong: "a Democratic
        senator" -> John Cornyn, "his longtime personal physician" -> a psychologist quoted
        later, "SEIU chief" -> Donald Trump.)"""
        determiner = next((c.lower_ for c in head.children if c.dep_ in ("det", "poss")), None)
        in_lede = cue_i < self._paragraphs_forward(0, self.config.lede_paragraphs - 1)
        if in_lede and determiner is not None:
            return True
        if not in_lede and determiner in ("a", "an", "another", "one", "some"):
            return False
        low, lemma = head.lower_, head.lemma_.lower()
        words = {low, lemma} | set(self.config.roles.get(low, ())) | set(self.config.roles.get(lemma, ()))
        described = self._descriptions().get(m.name, set()) | {w.lower() for w in (m.title or "").split()}
        return bool(words & described) or self._restated(words, cue_i, m)

    def _restated(self, words: set[str], cue_i: int, m: Mention) -> bool:
        """A headline's description that the body says again before naming the person ("Former
        DNC chairman calls for ... / A former Democratic National Committee chairman says ... /
        ..., said Don Fowler"): a noun of the same role words, not an object, between the headline
        and the person's name, in the lede."""
        floor = self._paragraphs_forward(cue_i, 0)
        if cue_i >= self._paragraphs_forward(0, 0) or m.token_start >= self._paragraphs_forward(
                0, self.config.lede_paragraphs - 1):
            return False
        # (any noun not an object: the parse of a lede may miss the verb, "the candidate's former
        # doctor maintains" with "maintains" as a noun)
        return any(t.pos_ == "NOUN" and t.dep_ not in ("dobj", "pobj", "dative", "attr", "poss", "conj") and
                   (t.lower_ in words or t.lemma_.lower() in words) for t in self.doc[floor:m.token_start])

    def _characterised_person(self, head: Token, start: int, end: int, cue_i: int,
                              content: tuple[int, int] | None) -> Mention | None:
        """"Trump charges that ... / The New York businessman says ...": a definite epithet of
        place and trade (a word of `person_role_nouns` or of a trade, not a role or a title: "the
        judge" with no judge named is someone new) that describes nobody of the document is the
        person the story is following, as "he" or "she" would be."""
        config = self.config
        low, lemma = head.lower_, head.lemma_.lower()
        if head.pos_ != "NOUN" or head.tag_ != "NN" or low in _role_heads(config) or low in config.title_words:
            return None
        # (an age is an epithet too, for any word for a person: "the 34-year-old mother of three")
        aged = any(c.dep_ == "amod" and c.lower_ == "old" and c.ent_type_ == "DATE" for c in head.lefts)
        gendered = config.female_role_nouns | config.male_role_nouns
        if not (low in config.person_role_nouns or lemma in config.person_role_nouns or
                (len(low) > 6 and low.endswith(config.person_suffixes)) or aged and low in gendered):
            return None
        # (an epithet of place and trade, the style for a figure the story follows: "the New
        # York businessman", "the Texas billionaire"; "the economist" alone may be anyone)
        if not (aged or any(c.ent_type_ in ("GPE", "LOC") for c in head.lefts)):
            return None
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in head.children) or \
                any(c.dep_ == "relcl" or c.dep_ == "prep" and not aged for c in head.children) or \
                any(m.label == "PERSON" for m in self._mentions_in(start, end)):
            return None
        # ("businessman" is a man, "businesswoman" a woman: a filter, not evidence of gender)
        pronoun = "she" if low.endswith("woman") or low in config.female_role_nouns else \
            "he" if low.endswith("man") or low in config.male_role_nouns else ""
        return self._pronoun_person(cue_i, pronoun, content, learn=False)

    def _owned_role_person(self, head: Token, start: int, end: int, cue_i: int,
                           content: tuple[int, int] | None) -> Mention | None:
        """"his attorney", "Pagliano's lawyer", "His ex-wife", "the spokeswoman for the mayor": a
        definite description of a person by their role and whom they serve (a possessor, or the
        object of "for" / "of") is the one person the document describes with that role word (or
        one of the same role: `same_role_nouns`) together with the owner ("An attorney for
        Pagliano, Mark MacDougall"; "his wife Jane Doe" for the person "his" stands for, or one
        who bears the owner's surname). Unresolved when nobody or two people fit. Not an
        indefinite description ("a lawyer for the family" is one of several)."""
        config = self.config
        low, lemma = head.lower_, head.lemma_.lower()
        if head.pos_ not in ("NOUN", "PROPN") or head.tag_ in ("NNS", "NNPS") or \
                not self._person_noun(low, lemma):
            return None
        owner = next((c for c in head.children if c.dep_ == "poss"), None)
        if owner is None:
            if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children):
                return None
            owner = next((o for c in head.children if c.dep_ == "prep" and c.lower_ in ("for", "of", "to")
                          for o in c.children if o.dep_ == "pobj"), None)
        if owner is None:
            return None
        if owner.lower_ in POSSESSIVE_PRONOUNS:
            if owner.lower_ not in PRONOUN_GENDER:
                return None
            person = self._pronoun_person(cue_i, owner.lower_, content, learn=False)
        else:
            person = self.token_mention.get(owner.i)
        if person is None:
            return None
        owner_words = {w.lower() for w in person.name.split()[-1:]}
        wanted = {low, lemma} | config.same_role_nouns.get(low, frozenset()) | \
            config.same_role_nouns.get(lemma, frozenset())
        # (gender filter only: "spokeswoman" is no man; not evidence of anyone's gender)
        gender = FEMALE if low in config.female_role_nouns else MALE if low in config.male_role_nouns else None
        names = set()
        for name, words in self._role_descriptions().items():
            if name == person.name or len(name.split()) < 2 or not wanted & words:
                continue
            if not (owner_words & words or name.split()[-1].lower() in owner_words):
                continue
            if gender and self.gender_of(name)[0] not in (gender, UNKNOWN):
                continue
            names.add(name)
        if len(names) != 1:
            return None
        fits = [m for m in self.mentions if m.label == "PERSON" and m.name in names and
                not (content is not None and content[0] <= self.doc[m.token_start].idx < content[1])]
        before = [m for m in fits if m.token_start < cue_i]
        return before[-1] if before else (fits[0] if fits else None)

    def _person_noun(self, low: str, lemma: str) -> bool:
        """A word for a person: a role or title word, a role or unnamed-source noun of the
        lexicon, or a noun of a trade ("-man", "-ist", "-ian")."""
        config = self.config
        return bool({low, lemma} & (_role_heads(config) | config.title_words | config.person_role_nouns |
                                    config.unnamed_nouns | set(config.same_role_nouns))) or \
            (len(low) > 6 and low.endswith(config.person_suffixes))

    def _role_descriptions(self) -> dict[str, set[str]]:
        """`_descriptions` with, for each description set beside a name (an apposition either
        way, a copula), all its words, whom it is "for" or "of" included ("An attorney for
        Pagliano, Mark MacDougall" -> attorney, for, pagliano). Computed once per document."""
        if "_role_described" in self.__dict__:
            return self.__dict__["_role_described"]
        out = {name: set(words) for name, words in self._descriptions().items()}
        for m in self.mentions:
            if m.label != "PERSON":
                continue
            root = self.doc[m.token_start:m.token_end].root
            nps = [c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]
            if root.dep_ == "appos":
                np = root.head
                # (the name hung on the owner: "An attorney for Pagliano, Mark MacDougall")
                while np.dep_ == "pobj" and np.head.dep_ == "prep" and np.head.head.pos_ == "NOUN":
                    np = np.head.head
                if np.pos_ == "NOUN":
                    nps.append(np)
            if root.dep_ == "nsubj" and root.head.lemma_ == "be":
                nps += [c for c in root.head.children if c.dep_ == "attr" and c.pos_ == "NOUN"]
            words = out.setdefault(m.name, set())
            for np in nps:
                words.update(t.lower_ for t in np.subtree if not (m.token_start <= t.i < m.token_end))
        self.__dict__["_role_described"] = out
        return out

    def _paragraphs_forward(self, token: int, n: int) -> int:
        """The first token after the paragraph n paragraphs after the one holding `token`."""
        self._paragraphs_back(token, 0)
        starts = self.__dict__["_paragraph_starts"]
        k = bisect.bisect_right(starts, token) + n
        return starts[k] if k < len(starts) else len(self.doc)

    def _paragraphs_back(self, token: int, n: int) -> int:
        """The first token of the paragraph n paragraphs before the one holding `token`."""
        starts = self.__dict__.get("_paragraph_starts")
        if starts is None:
            starts = [0] + [i + 1 for i, w in enumerate(token_texts(self.doc)) if "\n" in w and w.isspace()]
            self.__dict__["_paragraph_starts"] = starts
        k = max(0, bisect.bisect_right(starts, token) - 1 - n)
        return starts[k]

    def _appositive_name(self, start: int, end: int, head: Token, att: Attribution) -> Mention | None:
        """"The hotel's general manager, Jane Roe", "Smith's agent, John Doe", "One of his
        advisers, John Doe", "A retired nurse from a small river town, Doe": a description set
        off by a comma from the person's name that closes it (or is followed by another comma:
        "One early supporter, Rep. Lee Zeldin, Republican of New York") is that person; so is a
        name opening the span before a comma ("Mrs. Clinton, the presumptive nominee and ...").
        The description (without its article) becomes the speaker's title. Not a list of people
        ("Smith, Jones and Brown"): no coordination may join the name."""
        if head.pos_ not in ("NOUN", "PROPN", "NUM", "PRON"):
            return None
        doc = self.doc
        inside = [m for m in self._mentions_in(start, end) if m.label == "PERSON"]
        if not inside or any(t.dep_ == "cc" for t in doc[start:end]):
            return None
        first = inside[0]
        first_root = doc[first.token_start:first.token_end].root
        if first.token_start <= start + 1 and first.token_end < end and doc[first.token_end].text == "," and \
                first_root.dep_ != "poss" and not any(c.dep_ in ("conj", "cc") for c in first_root.children):
            words = [t for t in doc[first.token_end + 1:end] if not t.is_space]
            self._title_from(words, att)
            return first
        for m in reversed(inside):
            # (the name's own title may stand between: "Trump's running mate, Indiana Gov. Mike Pence")
            k = self._title_start(m)
            if k <= start + 1 or doc[k - 1].text != ",":
                continue
            closes = m.token_end >= end or doc[m.token_end].text == ","
            root = doc[m.token_start:m.token_end].root
            if not closes or root.dep_ in ("conj", "poss", "pobj") or \
                    any(c.dep_ in ("conj", "cc") for c in root.children):
                continue
            self._title_from([t for t in doc[start:k - 1] if not t.is_space], att)
            return m
        return None

    def _relative_antecedent(self, att: Attribution, head: Token) -> Mention | None:
        """The person a relative "who" stands for when the parse hung it elsewhere: on the
        description set beside the name ("McConnell, now the Senate majority leader, who said
        ...", "John Bentel, a tech staffer at the State Department who told ..."), the name
        itself; on the first of a list of names ("Will Smith, Patti LaBelle and Stevie Wonder,
        who joked"), the name right before the comma. The description becomes the speaker's
        title."""
        if att.speaker_ref is None or att.speaker is None or \
                self.doc[att.speaker[0]].lower_ not in self.config.relative_pronouns:
            return None
        rel = self.doc[att.speaker[0]]
        if head.dep_ == "appos" and head.pos_ == "NOUN" and head.tag_ == "NN":
            m = self.token_mention.get(head.head.i)
            if m is not None and m.label == "PERSON":
                self._title_from([t for t in self.doc[head.left_edge.i:head.i + 1] if not t.is_space], att)
                return m
        before = self.doc[rel.i - 2] if rel.i >= 2 and self.doc[rel.i - 1].text == "," else None
        m = self.token_mention.get(head.i)
        last = self.token_mention.get(before.i) if before is not None else None
        if m is not None and last is not None and last is not m and last.label == m.label == "PERSON" and \
                self.doc[last.token_start:last.token_end].root.dep_ == "conj":
            return last
        return None

    def _title_start(self, m: Mention) -> int:
        """Where the words modifying a name from before it ("Indiana Gov." in "Indiana Gov. Mike
        Pence": compounds hanging on the name) start; the mention's own start when none do."""
        k = m.token_start
        while k > 0 and not self.doc[k - 1].is_punct and self.doc[k - 1].dep_ in ("compound", "amod", "nmod") \
                and k <= self.doc[k - 1].head.i < m.token_end:
            k -= 1
        return k

    def _title_beside_name(self, named: Mention, start: int, head: Token, att: Attribution) -> None:
        """A person speaking by name with no title of their own takes the one set beside the
        name: before it ("The Foreign Secretary, Liz Truss") or in apposition after it ("Kate
        Colvin, a spokeswoman for the campaign")."""
        if named.label != "PERSON" or "speaker_title" in att.extra:
            return
        if start <= head.i < named.token_start - 1 and self.doc[named.token_start - 1].text == ",":
            self._title_from([t for t in self.doc[start:named.token_start] if not t.is_space], att)
        elif not named.title:
            self._title_from(self._apposition_of(named), att)

    def _apposition_of(self, m: Mention) -> list:
        """The description set after a name between commas ("Kate Colvin, a spokeswoman for the
        campaign, said"): its words, or none when the apposition is another name, an age or a
        number ("Marcel Lazar, 44,")."""
        root = self.doc[m.token_start:m.token_end].root
        appos = next((c for c in root.children if c.dep_ == "appos" and c.i >= m.token_end), None)
        if appos is None or appos.pos_ != "NOUN" or self.doc[m.token_end].text != ",":
            return []
        # without the clause that goes on about the person ("a lawyer for the club, who has ...")
        clauses = {t.i for c in appos.children if c.dep_ in ("relcl", "acl", "advcl") for t in c.subtree}
        words = [t for t in appos.subtree if not t.is_space and t.i not in clauses]
        end = next((k for k, t in enumerate(words) if t.i > appos.i and t.text in (",", ";", ":", "—", "–", "--", "(")),
                   len(words))
        return words[:end]

    @staticmethod
    def _title_from(words: list, att: Attribution) -> None:
        while words and (words[0].lower_ in ("the", "a", "an") or words[0].is_punct):
            words = words[1:]
        while words and words[-1].is_punct:
            words = words[:-1]
        if words:
            att.extra["speaker_title"] = words[0].doc[words[0].i:words[-1].i + 1].text

    def _descriptions(self) -> dict[str, set[str]]:
        """Words the document uses to describe each person (by canonical name), from its own
        wording: the title, and what `entities.describing_words` finds around each mention (the
        noun phrase before the name, an apposition either way, a copula). Computed once per
        document."""
        if self._described is not None:
            return self._described
        out: dict[str, set[str]] = defaultdict(set)
        for m in self.mentions:
            if m.label != "PERSON":
                continue
            if m.title:
                out[m.name].update(w.lower() for w in m.title.split())
            out[m.name] |= describing_words(self.doc, m.token_start, m.token_end)
        self._described = out
        return out

    def _described_person(self, head: Token, cue_i: int) -> Mention | None:
        """"the bespectacled professor", "the FBI director", "the billionaire businessman": a
        definite singular description is the person the document describes with its head noun
        (and with each of its capitalised modifiers: "the Republican nominee" is not "Democratic
        nominee Hillary Clinton"); the latest such person before the cue, else the first after.
        None when nobody is described so (the description stays as written)."""
        member = head.pos_ == "PROPN" and head.ent_type_ == "NORP" and head.tag_ == "NNP"
        if not (head.pos_ == "NOUN" and head.tag_ == "NN" or member) or not any(
                c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children):
            return None
        lemma = head.lemma_.lower()
        if lemma in self.config.organisation_nouns or lemma in self.config.document_nouns or \
                lemma in self.config.non_speaking_heads:
            return None
        proper = [c.lower_ for c in head.lefts if c.dep_ in ("amod", "compound", "nmod") and c.text[:1].isupper()]

        def fits_words(words) -> bool:
            return (lemma in words or head.lower_ in words) and all(p in words for p in proper)

        def corpus_fits(m: Mention) -> bool:       # fits_words of what the corpus says of m
            return (self._corpus_says(m, "described", lemma) or self._corpus_says(m, "described", head.lower_)) \
                and all(self._corpus_says(m, "described", p) for p in proper)

        described = self._descriptions()
        names = {name for name, words in described.items() if fits_words(words)}
        if not names and proper:
            # a place said of nobody ("the New York businessman"): the head alone, when it fits
            # one person of the document only
            places = {c.lower_ for c in head.lefts if c.ent_type_ in ("GPE", "LOC")}
            if set(proper) <= places and not any(p in words for p in proper for words in described.values()):
                alone = {name for name, words in described.items() if lemma in words or head.lower_ in words}
                if len(alone) == 1:
                    names = alone
                elif not alone:
                    proper = []
        if not names:
            # The article does not say it of anyone: the one person of the article whom other
            # articles of the corpus describe so ("the businessman" for Donald Trump); none when
            # several fit (the phrase stays as written). Not a word for an anonymous source ("the
            # person familiar with the planning", "the spokesman": the article would name them)
            # nor a share ("the 30 percent of voters").
            # Nor a description a relative clause restricts: it introduces someone ("The lifelong
            # Republican who wrote the speech"; not "the businessman, who campaigned in Iowa").
            if {lemma, head.lower_} & (self.config.unnamed_nouns | self.config.share_nouns) or \
                    any(c.dep_ == "relcl" and self.doc[c.left_edge.i - 1].text != "," for c in head.children):
                return None
            names = {m.name for m in self.mentions if m.label == "PERSON" and corpus_fits(m)}
            if len(names) != 1:
                return None
        fits = [m for m in self.mentions if m.label == "PERSON" and m.name in names]
        before = [m for m in fits if m.token_start < cue_i]
        return before[-1] if before else fits[0]

    def _person_after_title(self, m: Mention, att: Attribution) -> Mention | None:
        """"Spokeswoman Haley Morris", "GOP Rep. Mike McCaul" tagged as one ORG: a title word
        followed by two or three capitalised words closing the mention is a person, named by those
        words, when the document names that person or the first of them is a known first name; a
        title word and a surname ("GOP Rep McCaul"), the one person of the document named in full
        with it; the words up to the title become the speaker's title."""
        doc = self.doc
        toks = [t for t in doc[m.token_start:m.token_end] if not t.is_space]
        titles = {w.rstrip(".") for w in self.config.title_words}   # (a headline drops the dot: "GOP Rep McCaul")
        cut = max((k for k, t in enumerate(toks) if t.lower_.rstrip(".") in titles), default=None)
        if cut is None:
            return None
        rest = toks[cut + 1:]
        if len(rest) == 1 and rest[0].text[:1].isupper():
            # a surname after the title: the one person of the document named in full with it
            same = [x for x in self.mentions if x.label == "PERSON" and len(x.name.split()) >= 2 and
                    x.name.split()[-1] == _norm(rest[0].text)]
            if len({x.name for x in same}) == 1:
                att.extra["speaker_title"] = doc[toks[0].i:toks[cut].i + 1].text
                return same[0]
            return None
        # (two or three capitalised singular words: "Power Systems" is a name of things)
        if not 2 <= len(rest) <= 3 or not all(t.text[:1].isupper() and t.is_alpha and
                                               t.tag_ not in ("NNS", "NNPS") for t in rest):
            return None
        name = _norm(doc[rest[0].i:rest[-1].i + 1].text)
        person = next((x for x in self.mentions if x.label == "PERSON" and x.name == name), None)
        # (a person's name, not more of the organisation's: "General Electric Power Systems")
        if person is None and gender_from_first_name(name, self.config.first_name_min_share) is None:
            return None
        att.extra["speaker_title"] = doc[toks[0].i:toks[cut].i + 1].text
        if person is not None:
            return person
        return Mention(m.doc_id, rest[0].i, rest[-1].i + 1, rest[0].idx, rest[-1].idx + len(rest[-1].text),
                       name, "PERSON", att.extra["speaker_title"], None, name)

    def _named_organisation(self, head: Token, cue_i: int, content: tuple[int, int] | None) -> Mention | None:
        """"the union", "the bank", "the party": a definite singular organisation noun is the
        organisation the document names with that noun ("the United Auto Workers union",
        "Deutsche Bank", "the Democratic Party"), or describes with it ("Exxon, the oil company",
        "the oil company Exxon"): the latest such ORG mention before the cue (outside the quote's
        own content), else the first after. None when no organisation of the document carries
        the noun (the phrase stays as written: guessing the nearest ORG names the wrong one)."""
        noun = head.lower_
        doc = self.doc

        def carries(m: Mention) -> bool:
            if noun in m.name.lower().split() or noun in m.text.lower().split():
                return True
            root = doc[m.token_start:m.token_end].root
            # "Exxon, the oil company" / "the oil company, Exxon": an apposition either way.
            if any(c.dep_ == "appos" and c.lower_ == noun for c in root.children):
                return True
            if root.dep_ == "appos" and root.head.lower_ == noun:
                return True
            # "the United Auto Workers union": the noun right after the name.
            if m.token_end < len(doc) and doc[m.token_end].lower_ == noun:
                return True
            # "the oil company Exxon": the noun compounded before the name.
            return any(t.lower_ == noun and t.head.i == root.i and t.dep_ in ("compound", "nmod", "amod")
                       for t in doc[max(0, m.token_start - 3):m.token_start])

        def outside(m: Mention) -> bool:
            return not (content is not None and content[0] <= doc[m.token_start].idx < content[1])

        fits = [m for m in self.mentions if m.label == "ORG" and carries(m) and m.name.lower() != noun and outside(m)] \
            or [m for m in self.mentions if self._compounded_into(m, noun) and outside(m)]
        # Two organisations carrying it ("the Clinton campaign", "the Trump campaign"): which
        # one "the campaign" is, recency does not tell reliably; it stays as written.
        if len({m.name for m in fits}) > 1:
            return self._organisation_of_kind(noun, cue_i, outside)
        if not fits:
            return self._organisation_of_kind(noun, cue_i, outside) or self._organisation_in_focus(head, cue_i, outside)
        before = [m for m in fits if m.token_start < cue_i]
        if before:
            return before[-1]
        # (a definite description looks back: "Officials at Homeland Security Investigations ...
        # the agency suggested" before "USCIS, the agency that ..." named after the cue)
        return self._organisation_of_kind(noun, cue_i, outside, before_only=True) or fits[0]

    def _compounded_into(self, m: Mention, noun: str) -> bool:
        """"the RT America television network" with "RT America" tagged as a place: a name of
        place label compounded into a noun phrase that an organisation noun heads (no ORG
        mention between: "the New York Police Department" is the department's name) is that
        organisation's name, for "the network" to find, when the phrase is definite and the
        name is used again; not a name the document uses as a place ("in Baton Rouge")."""
        if m.label not in ("GPE", "LOC", "FAC") or noun not in self.config.organisation_nouns:
            return False
        if any(x.name == m.name and self.doc[x.token_start:x.token_end].root.dep_ == "pobj" and
               self.doc[x.token_start:x.token_end].root.head.lower_ in self.config.place_prepositions
               for x in self.mentions):
            return False
        tok = self.doc[m.token_start:m.token_end].root
        for _ in range(3):
            if tok.dep_ != "compound" or tok.head.i < tok.i:
                return False
            tok = tok.head
            if any(self.token_mention.get(i) is not None and self.token_mention[i].label == "ORG"
                   for i in range(m.token_end, tok.i + 1)):
                return False
            # (definite, and the name used again: "a Baton Rouge newspaper" is a paper unnamed)
            if tok.lower_ == noun:
                return any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children) and \
                    sum(x.name == m.name for x in self.mentions) >= 2
        return False

    def _organisation_of_kind(self, noun: str, cue_i: int, outside, before_only: bool = False) -> Mention | None:
        """"the union" for "the United Mine Workers of America", "the agency" for "the
        Congressional Budget Office": the one organisation whose name holds a word of the noun's
        kind (`[organisation_kinds]`) named in the cue's paragraph, else there and in the three
        before, else in the whole document (`before_only`: before the cue); None when several
        or none."""
        kind = self.config.organisation_kinds.get(noun)
        if not kind:
            return None

        def of_kind(m: Mention) -> bool:
            return m.label == "ORG" and outside(m) and m.name.lower() != noun and \
                any(w.strip(".,'’") in kind for w in m.name.lower().split())

        pools = [[m for m in self.mentions if floor <= m.token_start < cue_i and of_kind(m)]
                 for floor in (self._paragraphs_back(cue_i, 0), self._paragraphs_back(cue_i, 3))]
        pools.append([m for m in self.mentions if of_kind(m) and (m.token_start < cue_i or not before_only)])
        for pool in pools:
            names = {m.name for m in pool}
            if len(names) == 1:
                before = [m for m in pool if m.token_start < cue_i]
                return before[-1] if before else pool[0]
            if len(names) > 1:
                return None
        return None

    def _other_kind(self, m: Mention, noun: str) -> bool:
        """The organisation's name says it is of another kind than `noun` ("Washington Post" is
        no bank, "the Senate" no paper, "House Financial Services Committee" no website): it
        holds an organisation noun or a word of some `[organisation_kinds]` list that neither the
        noun's own list (if any) nor a list sharing a word with it holds ("Daily News" is a
        newspaper: "daily" is a website's word, and websites' names share "news")."""
        config = self.config
        own = config.organisation_kinds.get(noun, frozenset()) | {noun}
        own = own.union(*(kind for kind in config.organisation_kinds.values() if kind & own))
        words = {w.strip(".,'’") for w in m.name.lower().split()} - own
        return bool(words & config.organisation_nouns) or \
            any(words & kind for kind in config.organisation_kinds.values())

    def _organisation_in_focus(self, head: Token, cue_i: int, outside) -> Mention | None:
        """"The website noted" ("Zero Hedge asked ..."), "The bank said" where no organisation
        carries "bank" ("Wells Fargo"): for an organisation noun (`organisation_nouns`), the
        organisation the text is following, as a pronoun would take it: the latest ORG named
        twice or more that is the subject of a clause before the description (in its paragraph
        and the `organisation_paragraphs` before); else, for a noun of `focus_organisation_nouns`
        ("the company", "the airline"), the document's most mentioned organisation (named before
        the cue) when it has `focus_organisation_mentions` mentions or more and more than any
        other. Never one whose name says it is of another kind, nor for a coordination ("The
        company and its co-founder")."""
        config, noun = self.config, head.lower_
        if noun not in config.organisation_nouns or any(c.dep_ in ("conj", "cc") for c in head.children):
            return None
        counts = Counter(m.name for m in self.mentions if m.label == "ORG" and outside(m) and
                         m.name.lower() != noun and not self._other_kind(m, noun))
        # (named once, "Google reported profits ... the bank said" is another organisation)
        subject = self._subject_organisation(head.left_edge.i, None, plural=False,
                                             fits=lambda m: counts[m.name] >= 2 and m.label == "ORG", any_role=False)
        if subject is not None:
            return subject
        ranked = counts.most_common(2)
        if noun not in config.focus_organisation_nouns or not ranked or \
                ranked[0][1] < config.focus_organisation_mentions or \
                (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        before = [m for m in self.mentions if m.name == ranked[0][0] and m.token_start < cue_i]
        return before[-1] if before else None

    def _subject_organisation(self, bound: int, content: tuple[int, int] | None, plural: bool,
                              fits=None, any_role: bool = True) -> Mention | None:
        """"It said" / "they said" of an organisation, the pronoun at token `bound`: the latest
        organisation before it that is the subject of a clause, in its sentence (else the latest
        organisation of any role there: "Documents from the DNC began circulating after it
        announced"), then in its paragraph and the `organisation_paragraphs` before ("they": the
        sentence before only), outside the quote's own content and what earlier quotes said.
        An organisation: an ORG mention, a capitalised organisation word the model did not tag
        ("the Central and East European Coalition ... it issued"), and for "they" a one-word name
        the model took for a person that names nobody ("Politifact did a fact-check ... they
        published"). A closer plural noun is the antecedent of "they" instead ("many analysts
        because they believe"), and a document noun subject that of "it" ("the report says ...
        It also points out"): None. `fits`: a further test; `any_role=False`: subjects only."""
        doc, config = self.doc, self.config
        floor = self._sentences_back(bound, 1) if plural else self._paragraphs_back(bound, config.organisation_paragraphs)
        own_sentence, nearest = doc[min(bound, len(doc) - 1)].sent.start, None
        kind_words = set().union(*config.organisation_kinds.values()) if config.organisation_kinds else set()
        said = [content] + [a.content for a in self.history]
        for tok in reversed(doc[floor:bound]):
            if tok.i < own_sentence and nearest is not None:
                return nearest
            m = self.token_mention.get(tok.i)
            subject = tok.dep_ in ("nsubj", "nsubjpass")
            # (what was said, in this quote or an earlier one, is not the narrative's; but a plural
            # subject there may still be "they": "The comments had two goals, he said. First, they")
            if any(c is not None and c[0] <= tok.idx < c[1] for c in said):
                if plural and subject and tok.tag_ in ("NNS", "NNPS") and (m is None or m.label != "ORG"):
                    return None
                continue
            if plural and tok.tag_ in ("NNS", "NNPS") and (m is None or m.label != "ORG"):
                return None
            if any_role and m is not None and m.label == "ORG" and nearest is None and tok.i >= own_sentence and \
                    not self._surname_tagged(m) and (fits is None or fits(m)):
                nearest = m
            if not subject or tok.pos_ == "PRON":
                continue
            # ("they" is no organisation named inside a clause: "they were meant to show that the
            # Pacific Command was ...")
            if plural and tok.head.dep_ not in ("ROOT", "conj"):
                continue
            if not plural and m is None and tok.pos_ == "NOUN" and (tok.lower_ in config.document_nouns or
                                                      tok.lower_ in config.organisation_nouns):
                return None
            if m is not None and (doc[m.token_start:m.token_end].root.i != tok.i or self._surname_tagged(m)):
                continue
            if m is not None and m.label == "PERSON" and plural and self._names_nobody(m):
                m = replace(m, label="ORG")
            if m is None and tok.pos_ == "PROPN" and tok.text[:1].isupper() and tok.lower_ in kind_words:
                name = self._name_of_np(tok)
                m = Mention(self.mentions[0].doc_id if self.mentions else "", tok.left_edge.i, tok.i + 1,
                            tok.left_edge.idx, tok.idx + len(tok.text), name[0], "ORG", None, None,
                            name[0]) if name else None
            if m is not None and m.label == "ORG" and (fits is None or fits(m)):
                return m
        return nearest

    def _surname_tagged(self, m: Mention) -> bool:
        """An ORG mention that is a person's name: one word, the surname of a person the
        document names in full ("Haley" after "Nikki Haley"), or two or three words opening with
        a first name whose last word the document also uses alone, as people's surnames are
        ("Nikki Haley ... Haley"; not "Wells Fargo", nor "Washington Post ... the Post": an
        organisation's word); the person, whatever the model's label."""
        config = self.config
        alone = {x.name for x in self.mentions if len(x.name.split()) == 1}
        kind_words = set().union(*config.organisation_kinds.values()) | config.organisation_nouns

        def person_like(x: Mention) -> bool:
            words = x.name.split()
            if x.label == "PERSON":
                return len(words) >= 2
            return x.label == "ORG" and 2 <= len(words) <= 3 and words[-1] in alone and \
                words[-1].lower() not in kind_words and \
                gender_from_first_name(x.name, config.first_name_min_share) is not None

        if len(m.name.split()) > 1:
            return person_like(m)
        return any(x.name.split()[-1] == m.name and person_like(x) for x in self.mentions if x is not m)

    def _names_nobody(self, m: Mention) -> bool:
        """A PERSON mention that cannot be a person of the document: one word, which is no
        first name, no surname of a person named in full, and carries no title, honorific,
        description or pronoun here or in the corpus ("Politifact" tagged PERSON)."""
        word = m.name
        if len(word.split()) != 1 or m.title or m.titles or m.described or not word[:1].isupper():
            return False
        if any(x.label == "PERSON" and len(x.name.split()) >= 2 and word in x.name.split() for x in self.mentions):
            return False
        return gender_from_first_name(word, self.config.first_name_min_share) is None and \
            self.gender_of(word)[0] == UNKNOWN

    def _named_by_description(self, m: Mention) -> Mention | None:
        """"Future45, a super PAC that intends ...": a description with an article that the
        model tagged as an organisation ("PAC") set in apposition to a name is that name's
        organisation speaking; None when the mention is no such description."""
        doc = self.doc
        root = doc[m.token_start:m.token_end].root
        if root.dep_ != "appos" or root.head.i >= m.token_start or not any(
                c.dep_ == "det" and c.lower_ in ("a", "an", "the") for c in root.children):
            return None
        owner = self.token_mention.get(root.head.i)
        return owner if owner is not None and owner.label in ("ORG", "GPE") and owner is not m else None

    def _place_speaker(self, att: Attribution, head: Token, cue_i: int) -> Attribution | None:
        """"in Florida, when the state incorrectly stated": a definite place noun
        (`place_nouns`) is the place named last before the cue in its sentence (its government
        speaking), outside the quote's content; None when none is (the sentence before may name
        a city of the state: "Flint residents ... The state admitted")."""
        if head.lower_ not in self.config.place_nouns or head.tag_ != "NN" or not any(
                c.dep_ == "det" and c.lower_ == "the" for c in head.children):
            return None
        floor, content = self._sentences_back(min(cue_i, head.i), 0), att.content
        for m in reversed(self.mentions):
            if m.token_start >= cue_i or m.token_start < floor or m.label != "GPE":
                continue
            if content is not None and content[0] <= self.doc[m.token_start].idx < content[1]:
                continue
            return self._decided(att, "organisation", m.name, m.entity_id, m.label, "role")
        return None

    def _role_match(self, words: list[str], before_token: int, places: frozenset = frozenset()) -> Mention | None:
        """"the Russian leader", "The Israeli Prime Minister", "the president": persons whose
        titles carry the role word (through the roles lexicon) and every nationality adjective."""
        roles = self.config.roles
        text = " ".join(words)
        role_key = None
        for key in sorted(roles, key=len, reverse=True):
            if re.search(rf"\b{re.escape(key)}\b", text):
                role_key = key
                break
        if role_key is None:
            return None
        wanted = roles[role_key]
        adjectives = [w for w in words if w[:1].isalpha() and w not in role_key.split() and w not in ("the", "a", "an", "former", "its", "his", "her", "their")]

        def says(m: Mention, word: str) -> bool:
            # (the role and a place or party word may come from how the document describes
            # them: "Florida Sen. Marco Rubio" is "the Florida senator")
            return self._corpus_says(m, "titles", word) or word in self._descriptions().get(m.name, set())

        persons = [m for m in self.mentions if m.label == "PERSON"]
        # An adjective said of nobody in the document cannot tell people apart ("the Independent
        # Vermont senator" when Sanders is only ever "Vermont Sen."): it is dropped when another
        # one that somebody carries remains ("the Texas senator" beside Florida's stays unmatched),
        # in a definite description that the role word ends ("the ... senator"; not "a spokesman
        # for ...", "the senator's allies", "the secretary of state and candidate for Senate").
        known = [a for a in adjectives if any(says(m, a) for m in persons)]
        definite_role = bool(words) and words[0] in ("the", "this") and words[-1] in role_key.split() \
            and "and" not in words
        if known and definite_role:
            adjectives = known
        # Places and small words said of nobody in the document ("the Vermont senator" when
        # Sanders is only ever "Sen. Sanders"; "Senator from Texas") do not stop the one person of
        # the document with the role; a party word does ("the Republican senator").
        elif not known and adjectives and all(a in places for a in adjectives) and \
                words[-1] in role_key.split() and "and" not in words:
            holders = {m.name for m in persons if any(says(m, w) for w in wanted)}
            # (not when the article gives them another place: "Florida Sen. Marco Rubio" is not
            # "the Texas senator")
            place_words = {t.lower_ for e in self.doc.ents if e.label_ in ("GPE", "LOC") for t in e}
            if len(holders) == 1 and not any(
                    says(m, w) for m in persons if m.name in holders for w in place_words):
                adjectives = []
        def fits(m: Mention) -> bool:
            return any(says(m, w) for w in wanted) and not (adjectives and not all(says(m, a) for a in adjectives))

        # A bare role ("the former president": no adjective to tell people apart) goes first to
        # the people this document gives it: the corpus's titles of a person are noisy
        # ("president" among Hillary Clinton's), so it is Bill, named "Former President Bill
        # Clinton", even just after "his wife Hillary Clinton".
        described = self._descriptions()
        local = [m for m in persons if not adjectives and fits(m) and
                 any(w in described.get(m.name, ()) for w in wanted)]
        best = None
        for m in local or [m for m in persons if fits(m)]:
            # Recency: the most recent mention before the cue, else the first after it.
            if m.token_start < before_token:
                best = m
            elif best is None:
                best = m
        return best

    def _first_person_author(self, pronoun: Token) -> Mention | None:
        """"I" as the writer's own ("I told him then", "as I said", outside any quotation of its
        paragraph: an even number of quote marks before it) is the author of a piece that closes
        with the author's tagline: a paragraph among the last `author_paragraphs` opening with a
        person's full name (or title and name) as the subject of "be" with a predicate noun
        ("Jane Roe is a playwright and ..."). None without such a tagline: an ordinary news
        story's "I" stays unresolved. (On PolNeAR train with the last two paragraphs, 3 of 6
        articles were wrong, a closing paragraph about the story's subject or a letters page:
        hence the last paragraph only.)"""
        paragraph = self._paragraphs_back(pronoun.i, 0)
        marks = sum(1 for t in self.doc[paragraph:pronoun.i] if t.is_quote or t.text in ('"', "“", "”", "''", "``"))
        if marks % 2:
            return None
        if "_author" not in self.__dict__:
            floor = self._paragraphs_back(len(self.doc) - 1, self.config.author_paragraphs - 1)
            tagline = None
            for m in self.mentions:
                if m.token_start < floor or m.label != "PERSON" or len(m.text.split()) < 2:
                    continue
                opening = self.doc[self._paragraphs_back(m.token_start, 0):m.token_start].text.strip()
                root = self.doc[m.token_start:m.token_end].root
                # (the name opens the paragraph, or its title does: "Rep. Raul Grijalva, D-Ariz.,
                # was ..."; and "be" says what they are: "is a playwright", not "is convinced")
                if opening in ("", (m.title or "").strip()) and root.dep_ == "nsubj" and \
                        root.head.lemma_ == "be" and any(c.dep_ == "attr" for c in root.head.children):
                    tagline = m
            self.__dict__["_author"] = tagline
        return self.__dict__["_author"]

    def _document_antecedent(self, before_token: int) -> Attribution | None:
        for att in reversed(self.history):
            if att.extra.get("speaker_kind") in ("document", "organisation") and att.speaker_name:
                if att.cue is None or att.cue.i < before_token:
                    return att
        return None

    # -- main ------------------------------------------------------------------------------------
    def resolve(self, att: Attribution) -> Attribution:
        doc, config = self.doc, self.config
        if att.inherit_from is not None:
            src = att.inherit_from
            self._set(att, src.speaker_name, src.speaker_entity_id, src.speaker_label,
                      "continuation" if src.speaker_name else "none")
            att.extra["speaker_kind"] = src.extra.get("speaker_kind")
            self.history.append(att)
            return att
        if "named_speaker" in att.extra:
            # an interview's turn whose head names no mention: the outlet asking ("Q:"), or the
            # head as a name ("JAKE TAPPER:"); quotes/interview.py
            name, kind = att.extra["named_speaker"]
            if not name:
                self._set(att, None, None, None, "none")
                return att
            return self._decided(att, kind, name, None, "ORG" if kind == "organisation" else "PERSON", "explicit")
        if att.speaker is None:
            self._set(att, None, None, None, "none")
            return att
        start, end = att.speaker_ref or att.speaker
        head = self._head(start, end)
        low = POSSESSIVE_PRONOUNS.get(head.lower_, head.lower_)
        cue_i = att.cue.i if att.cue is not None else start
        words = [t.lower_ for t in doc[start:end] if not t.is_punct]
        # A named mention that is the speaker: explicit.
        named = self._relative_antecedent(att, head) or self._name_in_span(start, end, head)
        if named is not None and named.label == "PERSON" and att.speaker_ref is not None and \
                doc[att.speaker[0]].lower_ == "which":
            # "..., which could explain why": "which" never stands for a person; the parse hung
            # the clause on the wrong noun, and a thing, not a speaker, does the explaining.
            att.extra["drop"] = True
            self._set(att, None, None, None, "none")
            return att
        if named is None:
            named = self._appositive_name(start, end, head, att)
        if named is not None and named.label != "PERSON":
            named = self._person_after_title(named, att) or self._named_by_description(named) or named
        if named is not None:
            named = self._in_context(named)
        if named is not None and low not in config.document_nouns:
            kind = "person" if named.label == "PERSON" else "organisation"
            self._title_beside_name(named, start, head, att)
            return self._decided(att, kind, named.name, named.entity_id, named.label, "explicit")
        # Pronouns.
        resolved = self._pronoun(att, head, low, end - start, cue_i)
        if resolved is not None:
            return resolved
        # Documents and statements: "A short statement issued by the Prime Minister's Office".
        if low in config.document_nouns or low in config.organisation_nouns and not named:
            by = self._issuer(head, start, end, att)
            if by is not None:
                name, eid, label = by
                return self._decided(att, "document", name, eid, label, "explicit")
            determiner = next((c.lower_ for c in head.children if c.dep_ == "det"), None)
            if determiner in ("the", "this", "that") and head.tag_ == "NN" and \
                    low in config.organisation_nouns and not self._mentions_in(start, end):
                org = self._named_organisation(head, cue_i, att.content)
                if org is not None:
                    return self._decided(att, "organisation", org.name, org.entity_id, org.label, "role")
            if determiner in ("the", "this", "that") and head.tag_ != "NNS":
                ante = self._document_antecedent(cue_i)
                if ante is not None and low in config.document_nouns:
                    return self._decided(att, "document", ante.speaker_name, ante.speaker_entity_id,
                                         ante.speaker_label, "role")
        # Roles and titles: "The Israeli Prime Minister", "the Russian leader", "the president".
        role_words = [w for w in words]
        m = None
        if head.lower_ in _role_heads(config) or any(w in config.roles for w in role_words):
            places = frozenset(t.lower_ for t in doc[start:end] if t.ent_type_ in ("GPE", "LOC") or not t.text[:1].isupper())
            m = self._role_match(role_words, cue_i, places)
        # (a place or group word may modify the description: "the Wisconsin Republican")
        if m is None and all(x.label in ("GPE", "NORP") for x in self._mentions_in(start, end)):
            m = self._described_person(head, cue_i)
        if m is not None:
            m = self._in_context(m)
            return self._decided(att, "person", m.name, m.entity_id, m.label, "role")
        # Any named mention inside the span that the head owns (e.g. an ORG in "the Russian
        # Foreign Ministry" when the head is "Ministry").
        inside = [m for m in self._mentions_in(start, end)]
        if inside and low not in config.unnamed_nouns:
            m = next((m for m in inside if m.token_start <= head.i < m.token_end), None)
            if m is not None and not _one_member(head, m):
                kind = "organisation" if m.label != "PERSON" else "person"
                return self._decided(att, kind, m.name, m.entity_id, m.label, "explicit")
        # A surname the NER missed ("..., Lopez said." after "Maria Lopez"): the person of the
        # document whose name ends with it.
        if head.pos_ == "PROPN" and head.ent_type_ in ("", "PERSON"):
            same = [m for m in self.mentions if m.label == "PERSON" and m.name.split()[-1] == _norm(head.text)]
            if same:
                m = max(same, key=lambda m: (m.token_start < cue_i, len(m.name)))
                return self._decided(att, "person", m.name, m.entity_id, m.label, "explicit")
        # "the bank", "the automaker", "the network": any definite singular noun that an
        # organisation of the document carries in its name or description (not a role: the
        # roles of persons were tried above).
        if head.pos_ == "NOUN" and head.tag_ == "NN" and not inside and \
                low not in config.unnamed_nouns and low not in _role_heads(config) and \
                low not in config.document_nouns and any(
                    c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children):
            org = self._named_organisation(head, cue_i, att.content)
            if org is not None:
                return self._decided(att, "organisation", org.name, org.entity_id, org.label, "role")
        # "A former DNC chairman says ..." / "Connecticut's tax commissioner says ...": a person
        # described, not named, whom the next paragraphs name.
        m = self._owned_role_person(head, start, end, cue_i, att.content) or \
            self._introduced_person(head, start, end, cue_i, att.content) or \
            self._characterised_person(head, start, end, cue_i, att.content)
        if m is not None:
            self._title_from([t for t in doc[start:end] if not t.is_space], att)
            return self._decided(att, "person", m.name, m.entity_id, m.label, "role")
        # "The city of Phoenix said ...": a place's government speaking, an organisation.
        if lemma_of(head) in config.government_places and any(
                c.dep_ == "prep" and c.lower_ == "of" and any(o.ent_type_ == "GPE" for o in c.children)
                for c in head.children):
            return self._decided(att, "organisation", _strip_the(_norm(doc[start:end].text)), None, "ORG", "explicit")
        return self._place_speaker(att, head, cue_i) or self._as_written(att, head, low, start, end)

    def _pronoun(self, att: Attribution, head: Token, low: str, length: int, cue_i: int) -> Attribution | None:
        """A pronoun speaker resolved (or left without a speaker); None when the span is no pronoun."""
        config = self.config
        author = self._first_person_author(head) if length == 1 and low in config.author_pronouns else None
        if author is not None:
            return self._decided(att, "person", author.name, author.entity_id, author.label, "author")
        if length == 1 and low in config.relative_pronouns | config.unresolvable_pronouns - {"that", "this"}:
            self._set(att, None, None, None, "none")
            return att
        if low in config.person_pronouns and length <= 2:
            m = self._pronoun_person(cue_i, low, att.content)
            if m is not None:
                att.extra["speaker_kind"] = "person"
                self._set(att, m.name, m.entity_id, m.label, "pronoun")
            else:
                self._set(att, None, None, None, "none")
            self.history.append(att)
            return att
        if low in config.thing_pronouns and length <= 2:
            ante = self._it_antecedent(cue_i, att)
            if ante is not None:
                name, eid, label = ante
                att.extra["speaker_kind"] = "organisation"
                self._set(att, name, eid, label, "pronoun")
            else:
                self._set(att, None, None, None, "none")
            return att
        if low in config.plural_pronouns and length <= 2:
            prev = self._plural_antecedent(cue_i, att)
            if prev is not None:
                self._set(att, prev.speaker_name, prev.speaker_entity_id, prev.speaker_label, "pronoun")
            else:
                self._set(att, None, None, None, "none")
            return att
        return None

    def _as_written(self, att: Attribution, head: Token, low: str, start: int, end: int) -> Attribution:
        """The speaker no rule resolved: kept as written when it names a source at all."""
        doc, config = self.doc, self.config
        # A canonical speaker is a name, an organisation or an unnamed source as written ("an official",
        # "Israeli officials", "Reports in Israeli press"); never a common noun that cannot speak
        # ("intention", "the Jewish state"), nor an anaphoric plural of a role ("the leaders",
        # "the two presidents": people named earlier, whom no rule here can tell apart).
        written = _norm(doc[start:end].text)
        lemma = head.lemma_.lower()
        source_noun = any(w in lexicon for w in (low, lemma) for lexicon in (
            config.unnamed_nouns, config.organisation_nouns, config.document_nouns))
        role_noun = (low in _role_heads(config) or lemma in _role_heads(config) or low in config.title_words) \
            and low not in config.non_speaking_heads
        anaphoric_plural = role_noun and head.tag_ in ("NNS", "NNPS") and not source_noun and any(
            c.dep_ in ("det", "nummod", "predet") and c.lower_ in ("the", "both", "two", "three", "these", "those", "all")
            for c in head.children)
        cannot_speak = not (source_noun or role_noun) and (
            low in config.non_speaking_heads or lemma in config.non_speaking_heads or
            low.endswith(ABSTRACT_SUFFIXES))
        if head.pos_ == "PRON" or anaphoric_plural or (head.pos_ != "PROPN" and cannot_speak):
            self._set(att, None, None, None, "none")
            return att
        kind = "document" if low in config.document_nouns else (
            "organisation" if low in config.organisation_nouns else "unnamed")
        att.extra["speaker_kind"] = kind
        if head.pos_ == "PROPN":
            # a title-case headline run on from a name ("Elizabeth Warren Hammers Wells Fargo
            # CEO"): the person of the document named in full at its start
            opening = [m for m in self.mentions if m.label == "PERSON" and len(m.name.split()) >= 2 and
                       _strip_the(written).split()[:len(m.name.split())] == m.name.split()]
            if opening:
                m = max(opening, key=lambda m: len(m.name))
                return self._decided(att, "person", m.name, m.entity_id, m.label, "explicit")
            self._set(att, _strip_the(written), None, None, "explicit")
        else:
            self._set(att, written, None, None, "none")
        self.history.append(att)
        return att

    def speaker_gender(self, att: Attribution) -> tuple[str | None, str | None]:
        """(speaker_gender, gender_evidence) of a resolved attribution: a person's gender as
        `gender_of` tells it; a "he"/"she" no person was found for still tells its gender; None
        when the speaker is no person (an organisation, a document, a group, nobody)."""
        source = att
        while source.inherit_from is not None:
            source = source.inherit_from
        if att.speaker_label == "PERSON" and att.speaker_name:
            return self.gender_of(att.speaker_name)
        if source.speaker is not None and source.speaker[1] - source.speaker[0] == 1:
            word = self.doc[source.speaker[0]].lower_
            if word in PRONOUN_GENDER and word in self.config.person_pronouns:
                return PRONOUN_GENDER[word], f"pronoun:{word}"
        return None, None

    def _pronoun_person(self, cue_i: int, pronoun: str, content: tuple[int, int] | None = None,
                        learn: bool = True) -> Mention | None:
        """he/she: a person of the pronoun's gender (when known), outside the quote's own content.
        The subject of a sentence naming a person since the previous speaker's cue, in the cue's
        sentence or the two before ("Joe Biden weighed in, telling Mic ...: “...,” he said"), else
        the previous attribution's person (the usual "he added"), else the latest subject in those
        sentences, else the latest person mentioned."""
        gender = PRONOUN_GENDER.get(pronoun)
        prev = self._previous_speaker(cue_i, plural=False)
        recent = self._recent(cue_i, ("PERSON",), pronoun, skip=content)
        floor = self._sentences_back(cue_i, 2)
        # (a subject inside what an earlier attribution reports is that speaker's topic, not the
        # narrative's: "Cox says Obama is trying to distract ... He says" is Cox again)
        subjects = [m for m in self._candidates(cue_i, gender, content) if m.token_start >= floor and
                    (self._is_subject(m) or self._owns_subject(m)) and not self._reported(m)]
        subjects = sorted(subjects + self._described_subjects(floor, cue_i, gender, content),
                          key=lambda m: m.token_start)
        # ("“...,” he told Rubio": the one spoken to is not the one speaking)
        addressed = self._addressed(cue_i)
        subjects = [m for m in subjects if m.name not in addressed]
        pm = None
        if prev is not None and prev.speaker_name not in addressed:
            pm = next((m for m in self.mentions if m.name == prev.speaker_name and m.label == "PERSON"), None)
            if pm is not None and gender and (g := self._gender(pm)) and g != gender:
                pm = None
        if pm is not None:
            since = [m for m in subjects if prev.cue is None or m.token_start > prev.cue.i]
            if since and since[-1].name != pm.name:
                return self._learn_gender(self._in_context(since[-1]), pronoun, learn)
            return self._learn_gender(pm, pronoun, learn)
        if subjects:
            return self._learn_gender(self._in_context(subjects[-1]), pronoun, learn)
        return self._learn_gender(self._in_context(recent) if recent is not None else None, pronoun, learn)

    def _addressed(self, cue_i: int) -> set[str]:
        """The persons a cue verb speaks to or of as its object ("told Rubio", "said to Rubio")."""
        cue = self.doc[cue_i]
        objects = [c for c in cue.children if c.dep_ in ("dobj", "dative")] + \
            [o for c in cue.children if c.dep_ == "prep" and c.lower_ == "to" for o in c.children if o.dep_ == "pobj"]
        return {m.name for o in objects if (m := self.token_mention.get(o.i)) is not None and m.label == "PERSON"}

    def _described_subjects(self, floor: int, cue_i: int, gender: str | None,
                            content: tuple[int, int] | None) -> list[Mention]:
        """Subjects written as a definite description of a person the document names ("The
        former New Mexico governor is a triathlete. He released ...", "The GOP candidate proposes
        ... He also wants"): each resolved as a speaker's role or description would be, as a
        mention of that person where the description stands (pronouns look for subjects)."""
        doc, config = self.doc, self.config
        out = []
        for t in doc[floor:cue_i]:
            if t.dep_ not in ("nsubj", "nsubjpass") or t.pos_ != "NOUN" or t.tag_ != "NN" or \
                    t.i in self.token_mention or not self._person_noun(t.lower_, t.lemma_.lower()) or \
                    not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in t.children):
                continue
            # (the writer's own main clause: not inside a quotation or what someone is said to have
            # said, "said the challenger is funding ...", "“When is the candidate going to arrive?”")
            if (content is not None and content[0] <= t.idx < content[1]) or \
                    any(a.content and a.content[0] <= t.idx < a.content[1] for a in self.history) or \
                    t.head.dep_ not in ("ROOT", "conj") or self._quoted(t):
                continue
            # (a name of its own: "the base chief known as Bob" is Bob, a mention already)
            if any(x.label == "PERSON" for x in self._mentions_in(t.left_edge.i, t.right_edge.i + 1)):
                continue
            words = [x.lower_ for x in doc[t.left_edge.i:t.i + 1] if not x.is_punct]
            m = None
            if t.lower_ in _role_heads(config) or any(w in config.roles for w in words):
                places = frozenset(x.lower_ for x in doc[t.left_edge.i:t.i + 1]
                                   if x.ent_type_ in ("GPE", "LOC") or not x.text[:1].isupper())
                m = self._role_match(words, t.i, places)
            else:
                # (what this document calls one person only: the corpus's words are too loose here)
                names = {n for n, said in self._descriptions().items() if {t.lower_, t.lemma_.lower()} & said}
                m = next((x for x in reversed(self.mentions) if x.label == "PERSON" and x.name in names
                          and x.token_start < t.i), None) if len(names) == 1 else None
            if m is None or m.label != "PERSON" or (gender and (g := self._gender(m)) and g != gender):
                continue
            # (someone the story is on: named in the cue's paragraph or the two before)
            near = self._paragraphs_back(cue_i, 2)
            if not any(x.name == m.name and near <= x.token_start < cue_i for x in self.mentions):
                continue
            out.append(replace(m, token_start=t.i, token_end=t.i + 1))
        return out

    def _quoted(self, token: Token) -> bool:
        """Whether a token stands inside quotation marks opened in its paragraph."""
        paragraph = self._paragraphs_back(token.i, 0)
        return sum(1 for t in self.doc[paragraph:token.i] if t.is_quote or t.text in ("“", "”", "''", "``")) % 2 == 1

    def _candidates(self, before_token: int, gender: str | None, skip: tuple[int, int] | None) -> list[Mention]:
        """Persons mentioned before a token, in order, of `gender` when theirs is known, outside `skip`."""
        out = []
        for m in self.mentions:
            if m.token_start >= before_token:
                break
            if m.label != "PERSON" or (skip is not None and skip[0] <= self.doc[m.token_start].idx < skip[1]):
                continue
            if gender and (g := self._gender(m)) and g != gender:
                continue
            out.append(m)
        return out

    def _sentences_back(self, token: int, n: int) -> int:
        """The first token of the sentence n sentences before the one holding `token`."""
        sent = self.doc[token].sent
        for _ in range(n):
            if sent.start == 0:
                break
            sent = self.doc[sent.start - 1].sent
        return sent.start

    def _learn_gender(self, m: Mention | None, pronoun: str, learn: bool = True) -> Mention | None:
        """A person "he"/"she" resolved to: the pronoun is evidence of their gender, for later
        pronouns of the document and for the quote's `speaker_gender`."""
        if m is not None and pronoun in PRONOUN_GENDER and learn:
            self.pronoun_votes[m.name][pronoun] += 1
        return m

    def _reported(self, m: Mention) -> bool:
        """The mention lies inside the content of an attribution resolved before to a person (what
        that person said), not in the writer's own narrative. (What a newspaper or a poll reports
        is often the story's own subject: "As the paper noted, Trump has ... He says".)"""
        idx = self.doc[m.token_start].idx
        return any(a.content[0] <= idx < a.content[1] for a in self.history
                   if a.content and a.speaker_label == "PERSON")

    def _owns_subject(self, m: Mention) -> bool:
        """The owner of a main clause's subject ("Oz's dubious medical advice earned him the
        attention of Congress"): what the sentence is about, as its subject would be."""
        root = self.doc[m.token_start:m.token_end].root
        return root.dep_ == "poss" and root.head.dep_ in ("nsubj", "nsubjpass") and \
            root.head.head.dep_ in ("ROOT", "conj") and root.head.i not in self.token_mention

    def _is_subject(self, m: Mention) -> bool:
        root = self.doc[m.token_start:m.token_end].root
        # (a name "compound" on a verb is the parse's slip for its subject: "Scott bristles at")
        return root.dep_ in ("nsubj", "nsubjpass") or \
            root.dep_ == "compound" and root.head.pos_ == "VERB" and root.head.i == m.token_end

    def _previous_speaker(self, cue_i: int, plural: bool) -> Attribution | None:
        for att in reversed(self.history):
            if att.speaker_name and (att.cue is None or att.cue.i < cue_i + 200):
                if plural and att.speaker_label == "PERSON":
                    continue
                if not plural and att.speaker_label not in ("PERSON",):
                    continue
                return att
        return None

    def _plural_antecedent(self, cue_i: int, att: Attribution) -> "Attribution | _Antecedent | None":
        """"They said": an organisation that is the latest subject before the cue
        (`_subject_organisation`: "Politifact did a fact-check ... they published"), as an
        attribution to copy; else the previous speaker that is no person."""
        org = self._subject_organisation(att.speaker[0] if att.speaker else cue_i, att.content, plural=True)
        if org is None:
            return self._previous_speaker(cue_i, plural=True)
        att.extra["speaker_kind"] = "organisation"
        return _Antecedent(org.name, org.entity_id, org.label)

    def _it_antecedent(self, cue_i: int, att: Attribution | None = None):
        """"It said": the organisation that is the latest subject before the cue
        (`_subject_organisation`), else the statement or organisation spoken of just before (a
        document noun in the previous sentences, resolved through the last document/organisation
        speaker)."""
        if att is not None:
            org = self._subject_organisation(att.speaker[0] if att.speaker else cue_i, att.content, plural=False)
            if org is not None:
                return org.name, org.entity_id, org.label
        doc = self.doc
        sent_start = _sent_of(doc[cue_i]).start
        window_start = max(0, sent_start - 80)
        ante = self._document_antecedent(cue_i)
        for tok in reversed(doc[window_start:cue_i]):
            if tok.lower_ in self.config.document_nouns and tok.pos_ == "NOUN":
                by = self._issuer(tok, tok.left_edge.i, tok.right_edge.i + 1)
                if by is not None:
                    return by
                if ante is not None:
                    return ante.speaker_name, ante.speaker_entity_id, ante.speaker_label
            m = self.token_mention.get(tok.i)
            if m is not None and m.label == "ORG":
                return m.name, m.entity_id, m.label
        if ante is not None:
            return ante.speaker_name, ante.speaker_entity_id, ante.speaker_label
        return None

    def _issuer(self, head: Token, start: int, end: int, att: Attribution | None = None):
        """The organisation behind a document noun: "statement issued by X", "statement from X",
        "X's statement", "a Kremlin statement", "a report of X". An agent ("by", "from"), a
        possessor or a name compounded with the noun before "of", which in "a poll of 400 voters
        released by Latino Decisions" is who was asked, not who asks."""
        found: dict[str, Token] = {}
        for tok in head.subtree:
            prep = tok.head
            # ("by" wherever the parse hangs it, "released ... by X"; "from" only on the noun or a
            # participle of it: "the campaign of the former senator from Pennsylvania")
            on_noun = prep.head.i == head.i or (prep.head.head.i == head.i and prep.head.pos_ == "VERB")
            if tok.dep_ == "pobj" and tok.i < end and (prep.lower_ == "by" or prep.lower_ == "from" and on_noun):
                found.setdefault("agent", tok)
            elif tok.dep_ == "pobj" and tok.i < end and prep.lower_ in ("from", "of"):
                found.setdefault("of", tok)
            elif tok.dep_ == "poss" and tok.head.i == head.i or \
                    tok.dep_ == "compound" and tok.head.i == head.i and tok.pos_ == "PROPN":
                found.setdefault("owner", tok)
        for kind in ("agent", "owner", "of"):
            if kind in found:
                if found[kind].lower_ in POSSESSIVE_PRONOUNS and found[kind].dep_ == "poss":
                    return self._pronoun_owner(found[kind], head, att)
                by = self._name_of_np(found[kind])
                # ("Mr. Clarke's new company": the person's organisation, not the person)
                if kind == "owner" and by is not None and by[2] == "PERSON" and self._organisation_noun(head):
                    return self._organisation_of(by[0], head)
                return by
        return None

    def _organisation_noun(self, head: Token) -> bool:
        return head.lower_ in self.config.organisation_nouns or head.lemma_.lower() in self.config.organisation_nouns

    def _organisation_of(self, person: str, head: Token):
        """A person's organisation named by a noun ("his campaign", "Clarke's company"): as the
        document names it ("Sanders campaign"), else the person's surname and the noun."""
        surname, noun = person.split()[-1], head.lower_
        org = next((m for m in self.mentions if m.label == "ORG" and m.name.split()[0] == surname and
                    m.name.lower().endswith(noun)), None)
        if org is not None:
            return org.name, org.entity_id, org.label
        return f"{surname} {noun}", None, "ORG"

    def _pronoun_owner(self, pronoun: Token, head: Token, att: Attribution | None):
        """"His campaign", "her office": the organisation of the person the pronoun stands for,
        as the document names it ("Sanders campaign") or else by the person's surname and the
        noun; "his statement": the person. None when the pronoun finds nobody or is not a
        person's ("its", "their")."""
        word = pronoun.lower_
        if word not in PRONOUN_GENDER or att is None or att.cue is None:
            return None
        person = self._pronoun_person(att.cue.i, word, att.content)
        if person is None:
            return None
        # "his statement", "her Twitter account": a document of the person's own is the person
        if not self._organisation_noun(head):
            return person.name, person.entity_id, person.label
        return self._organisation_of(person.name, head)

    def _name_of_np(self, tok: Token):
        m = self.token_mention.get(tok.i)
        if m is not None:
            return m.name, m.entity_id, m.label
        # An organisation the NER missed: the noun phrase as written, without "the" and "'s".
        left = tok.left_edge.i
        toks = [t for t in self.doc[left:tok.i + 1] if not t.is_punct]
        while toks and toks[0].lower_ in ("the", "a", "an"):
            toks = toks[1:]
        while toks and toks[-1].lower_ in ("'s", "’s"):
            toks = toks[:-1]
        if not toks:
            return None
        return _norm(self.doc[toks[0].i:toks[-1].i + 1].text), None, "ORG"


class _Antecedent(NamedTuple):
    """A speaker found for a pronoun, as `_pronoun` reads it off an earlier attribution."""
    speaker_name: str
    speaker_entity_id: str | None
    speaker_label: str


def _subject_pronoun(token: Token) -> bool:
    return token.lower_ in ("he", "she") and token.dep_ in ("nsubj", "nsubjpass")


def _joined_clause(verb: Token, main: Token) -> bool:
    """Whether `verb` is `main` or heads a clause joined to it as an adverbial clause, a
    conjunct or an open complement (not a reported clause: "X said she ..." is anyone)."""
    while verb.i != main.i:
        if verb.dep_ not in ("advcl", "conj", "xcomp") or verb.head.i == verb.i:
            return False
        verb = verb.head
    return True


def _one_member(head: Token, m: Mention) -> bool:
    """"The Wisconsin Republican", "the Democrat": one member of a group (a singular NORP head
    with a determiner) is a person for the role rules to resolve, not the group speaking."""
    return m.label == "NORP" and head.tag_ == "NNP" and any(
        c.dep_ == "det" and c.i < m.token_start for c in head.children)


def _honorific_before(doc: Doc, m: Mention, config: QuoteConfig) -> str | None:
    """"Mrs." in "Mrs. Roe" (the word before the name, or the first word of its title)."""
    candidates = [doc[m.token_start - 1].text] if m.token_start > 0 else []
    if m.title:
        candidates.append(m.title.split()[0])
    for word in candidates:
        if word.lower() in config.male_honorifics | config.female_honorifics:
            return word
    return None


def _share_of_people(subj: Token, config: QuoteConfig) -> bool:
    """"55 percent", "a majority", "three in four", "Six in 10 Republicans": a share of people."""
    if subj.lemma_.lower() in config.share_nouns or subj.pos_ == "NUM" or subj.text == "%":
        return True
    # "Six in 10 Republicans say": the people noun heads the phrase; "in" ties the two numbers.
    return any(c.dep_ == "nummod" and c.pos_ == "NUM" and
               any(q.dep_ == "quantmod" and q.lower_ == "in" for q in c.children) for c in subj.children)


def _poll_in_sentence(cue: Token, content: tuple[int, int] | None, config: QuoteConfig) -> Token | None:
    """The poll a share's answer is reported from, anywhere in its sentence: "According to a new
    survey, 51 percent said ...", "Some 20 percent of people in a recent poll said ...; 29 percent
    said ...", "Six in 10 say ..., a new poll shows", "results of an exit poll show that half said".
    Inside the reported clause only "in a poll" counts ("... said they back him in a poll this
    month"); a poll the respondents talk about ("said the poll was rigged") is not its source."""
    for tok in cue.sent:
        if tok.lemma_.lower() not in config.poll_nouns or tok.pos_ != "NOUN":
            continue
        prep = tok.head if tok.dep_ == "pobj" else None
        located = prep is not None and (prep.lower_ == "in" or
                                        (prep.lower_ == "to" and prep.head.lower_ == "according"))
        inside = content is not None and content[0] <= tok.idx < content[1]
        if inside and not located:
            continue
        # "Six in 10 say ..., after half said so in the earlier poll": the poll of another
        # answer (a poll in another reporting clause that it is not the subject of).
        verb = next((a for a in tok.ancestors if a.pos_ in ("VERB", "AUX")), None)
        if verb is not None and verb.i != cue.i and _is_cue_verb(verb, config) and \
                not (tok.dep_ == "nsubj" and tok.head.i == verb.i) and \
                not any(c.dep_ == "nsubj" and c.lemma_.lower() in config.poll_nouns for c in verb.children):
            continue
        # "Early results of an exit poll": the noun phrase the poll belongs to.
        head = tok
        while head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.pos_ == "NOUN":
            head = head.head.head
        if head.dep_ == "pobj" and head.head.lower_ == "to" and head.head.head.lower_ == "according":
            return head
        if located or head.dep_ in ("nsubj", "compound", "appos"):
            return head
    return None


def _poll_of_share(subj: Token, cue: Token, config: QuoteConfig,
                   content: tuple[int, int] | None = None) -> Token | None:
    """"In a new poll, 55 percent of voters said ..." / "The survey found that 40% say ...": a share
    of respondents answers the poll's question; the poll is what reports the figure, so it is the
    source. Returns the poll noun (a preposition phrase on the cue, or the subject of a verb
    governing the cue, or else a poll located in the sentence), else None."""
    if not _share_of_people(subj, config):
        return None
    sent = cue.sent
    # "In a poll released Monday, ... said": the poll as the object of "in" on the cue.
    for prep in cue.children:
        if prep.dep_ == "prep" and prep.lower_ == "in":
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.lemma_.lower() in config.poll_nouns:
                    return obj
    # "A poll showed that 55 percent said ...": the poll as the subject of a governing verb.
    head = cue
    while head.head is not head and head.head.sent == sent and head.dep_ in ("ccomp", "conj", "advcl", "relcl"):
        head = head.head
        for child in head.children:
            if child.dep_ in ("nsubj",) and child.lemma_.lower() in config.poll_nouns:
                return child
    return _poll_in_sentence(cue, content, config)


def _naming_participle(cue: Token, config: QuoteConfig) -> bool:
    """"a group called the “Freedom Fund”", "an event billed as “...”", "courses known as “...”":
    a passive participle naming the noun it modifies, with no "by" agent. The noun is what gets
    named, not who names it, and the namer is not known: no speaker."""
    lemma = cue.lemma_.lower()
    # (right after the noun: "De Blasio, speaking on the radio, called ..." parsed as a
    # participle after a comma is a finite verb)
    if cue.i == 0 or cue.doc[cue.i - 1].is_punct:
        return False
    known_as = lemma == "know" and any(c.dep_ == "prep" and c.lower_ == "as" for c in cue.children)
    return cue.dep_ == "acl" and cue.tag_ == "VBN" and cue.head.i < cue.i and \
        (lemma in config.metalinguistic_verbs or lemma in config.naming_verbs or
         lemma in config.name_giving_verbs or known_as) and not any(c.dep_ == "agent" for c in cue.children)


def lemma_of(token: Token) -> str:
    return token.lemma_.lower()


def _strip_the(text: str) -> str:
    return re.sub(r"^(the|The)\s+", "", text)


TYPE_PRIORITY = {"direct": 0, "mixed": 1, "indirect": 2}
