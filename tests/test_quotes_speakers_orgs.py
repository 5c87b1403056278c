"""Organisations as speakers (pipeline/steps/quotes/speakers.py): definite descriptions ("the bank",
"the website", "the agency", "the state"), "it" and "they" of organisations, a reporting noun's
named owner and a description in apposition to a name. Table-driven, each with negative cases."""

from __future__ import annotations

import pytest

# (text, speaker_text of the row checked, speaker, resolution)
DEFINITE_DESCRIPTIONS = [
    # a business noun: the organisation the document is about, though nothing calls it a bank
    ('Senators grilled the chief of Wells Fargo on Tuesday. Customers of Wells Fargo lost money. '
     'Regulators fined Wells Fargo.\n"We regret the losses," the bank said.', "the bank", "Wells Fargo", "role"),
    # ... never an organisation whose name says it is of another kind
    ('Senators grilled the chief of the Washington Post on Tuesday. Readers of the Washington Post lost '
     'faith. Regulators fined the Washington Post.\n"We regret the losses," the bank said.',
     "the bank", "the bank", "none"),
    # ... nor, for a noun that is not a business's ("the group"), the most mentioned organisation
    ('Senators grilled the chief of the American Red Cross on Tuesday. Donors of the American Red Cross '
     'lost money. Regulators fined the American Red Cross.\n"We regret the losses," the group said.',
     "the group", "the group", "none"),
    # the organisation named twice that the text follows, as the subject of the sentence before
    ('PolitiFact rated the claim true. BuzzFeed disputed the rating on Monday.\n'
     'BuzzFeed asked why the figures changed.\nThe website noted that both men cited the same study.',
     "The website", "BuzzFeed", "role"),
    # ... not one named once ("Google reported profits ... the bank said")
    ('Google reported record profits on Monday.\n"Demand is strong," the bank said.',
     "the bank", "the bank", "none"),
    # "the agency" looks back: the one of its kind named before the cue, not the one described
    # as "the agency" after it
    ('Officials at Homeland Security Investigations said they were concerned about fraud. In a 2013 memo, '
     'the agency suggested that the program end.\nUnited States Citizenship and Immigration Services, '
     'the agency that oversees the program, said it was adding checks.',
     "the agency", "Homeland Security Investigations", "role"),
    # "the state": the place named before it in its sentence ...
    ('Voting rights advocates cite the 2000 election in Florida, when the state incorrectly stated that '
     '12,000 registered voters were felons.', "the state", "Florida", "role"),
    # ... not a place of the sentence before (a city of the state)
    ('Residents of Flint were told the water was safe.\nThe state admitted that it made a mistake.',
     "The state", None, "none"),
]


@pytest.mark.parametrize("text, written, speaker, resolution", DEFINITE_DESCRIPTIONS,
                         ids=["business-focus", "other-kind", "not-business", "subject-named-twice",
                              "named-once", "agency-before", "state", "state-city"])
def test_definite_organisation_description(extract, text, written, speaker, resolution):
    rows = [r for r in extract(text) if r["speaker_text"] == written]
    assert rows and (rows[0]["speaker"], rows[0]["resolution"]) == (speaker, resolution), extract(text)


# (text, speaker_text, speaker)
ORGANISATION_PRONOUNS = [
    # "it": the organisation that is the subject of the sentence before
    ("During the primaries, the Tampa Bay Times endorsed Hillary Clinton.\n"
     "Meanwhile, it attacked Donald Trump, saying that he was unfit for office.", "it", "Tampa Bay Times"),
    # ... also one the model did not tag, named by a capitalised organisation word
    ("Many leaders of ethnic communities share these fears, but the Central and East European Coalition, "
     "which represents 20 million Americans, wants to stay neutral.\n"
     "Recently, however, it said that NATO should build permanent bases in the east.",
     "it", "Central and East European Coalition"),
    # ... a document the subject: its issuer
    ("The report was released by the Treasury on Monday.\nIt said that the plan would raise revenue.",
     "It", "Treasury"),
    # "they" for an organisation subject of the sentence before
    ("The Tax Policy Center reviewed the plan on Monday. They said that the top 1 percent would gain the most.",
     "They", "Tax Policy Center"),
    # ... not past a plural nearer the pronoun
    ("The Tax Policy Center reviewed the plan on Monday. Many economists read it too. "
     "They said that the top 1 percent would gain the most.", "They", None),
    ("Microsoft hired many analysts because they believe that the market will grow.", "they", None),
]


@pytest.mark.parametrize("text, written, speaker", ORGANISATION_PRONOUNS,
                         ids=["it-subject", "it-untagged", "it-document", "they-subject", "they-plural-between",
                              "they-plural-object"])
def test_pronoun_for_an_organisation(extract, text, written, speaker):
    rows = [r for r in extract(text) if r["speaker_text"] == written]
    assert rows and rows[0]["speaker"] == speaker, extract(text)


# (text, speaker)
NAMED_OWNERS = [
    # a name compounded before a reporting noun owns it, as a possessor would ...
    ("Hillary Clinton is seizing upon a New York Times report that Donald Trump had a net loss of more "
     "than $915 million in 1995.", "New York Times"),
    # ... while a report nobody is named for is taken up by the subject
    ("Clinton is seizing upon the report that Donald Trump had a net loss of more than $915 million in 1995.",
     "Clinton"),
    # a description in apposition to a name ("Future45, a super PAC that ...") is the name's
    ("Adelson is joining forces with Joe Ricketts to help fund Future45, a super PAC that intends to "
     "hammer Democrat Hillary Clinton with negative ads.", "Future45"),
]


@pytest.mark.parametrize("text, speaker", NAMED_OWNERS, ids=["compound-owner", "no-owner", "apposition"])
def test_named_owner_of_a_statement(extract, text, speaker):
    rows = extract(text)
    assert rows and rows[0]["speaker"] == speaker, rows


def _resolver(words: list[str], mentions: list[tuple], config, heads=None, deps=None):
    """A SpeakerResolver on hand-built words (and parse) with mentions (start, end, label, name)."""
    from spacy.tokens import Doc

    from pipeline.steps.docs import shared_vocab
    from pipeline.steps.quotes.mentions import Mention
    from pipeline.steps.quotes.speakers import SpeakerResolver

    doc = Doc(shared_vocab(), words=words, heads=heads, deps=deps)
    ms = [Mention("t", s, e, doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), doc[s:e].text, label, None,
                  f"{label}:{name}", name) for s, e, label, name in mentions]
    return SpeakerResolver(doc, ms, config)


@pytest.mark.parametrize("words, mentions, noun, other", [
    (["Washington", "Post"], [(0, 2, "ORG", "Washington Post")], "bank", True),
    (["Senate"], [(0, 1, "ORG", "Senate")], "paper", True),
    (["Wells", "Fargo"], [(0, 2, "ORG", "Wells Fargo")], "bank", False),
    # a word of the noun's own kind is no other kind, nor one of a kind sharing a word with it
    (["Daily", "News"], [(0, 2, "ORG", "Daily News")], "newspaper", False),
    (["Daily", "Beast"], [(0, 2, "ORG", "Daily Beast")], "newspaper", False),
    (["Daily", "Beast"], [(0, 2, "ORG", "Daily Beast")], "bank", True),
])
def test_organisation_of_another_kind(config, words, mentions, noun, other):
    resolver = _resolver(words, mentions, config)
    assert resolver._other_kind(resolver.mentions[0], noun) is other


@pytest.mark.parametrize("words, mentions, tagged", [
    # a one-word ORG that is the surname of a person named in full
    (["Nikki", "Haley", "spoke", ".", "Haley", "left"],
     [(0, 2, "PERSON", "Nikki Haley"), (4, 5, "ORG", "Haley")], True),
    # ... also when the full name was tagged ORG too, its surname used alone
    (["Nikki", "Haley", "spoke", ".", "Haley", "left"],
     [(0, 2, "ORG", "Nikki Haley"), (4, 5, "ORG", "Haley")], True),
    # not an organisation whose first word is a first name ("Wells") and whose last word is never alone
    (["Wells", "Fargo", "fell", ".", "Wells", "Fargo", "left"],
     [(0, 2, "ORG", "Wells Fargo"), (4, 6, "ORG", "Wells Fargo")], False),
    # nor one whose last word used alone is an organisation's word ("the Post")
    (["Washington", "Post", "said", ".", "Post", "left"],
     [(0, 2, "ORG", "Washington Post"), (4, 5, "ORG", "Post")], False),
])
def test_person_name_tagged_as_organisation(config, words, mentions, tagged):
    resolver = _resolver(words, mentions, config)
    assert resolver._surname_tagged(resolver.mentions[-1]) is tagged


# "Critics watch DET RT America television network . RT America said so ." (or "in RT America")
_NETWORK_HEADS = [1, 1, 6, 4, 6, 6, 1, 1, 9, 10, 10, 10, 10]
_NETWORK_DEPS = ["nsubj", "ROOT", "det", "compound", "compound", "compound", "dobj", "punct", "compound",
                 "nsubj", "ROOT", "advmod", "punct"]


@pytest.mark.parametrize("det, second, noun, compounded", [
    # a name tagged as a place, compounded into a definite "the ... network" and used again
    ("the", ["RT", "America", "said"], "network", True),
    # not an indefinite phrase ("a Baton Rouge newspaper" is a paper the text does not name) ...
    ("a", ["RT", "America", "said"], "network", False),
    # ... nor a noun the phrase does not end with, nor one that is no organisation noun
    ("the", ["RT", "America", "said"], "agency", False),
    ("the", ["RT", "America", "said"], "television", False),
])
def test_place_name_compounded_into_an_organisation_noun(config, det, second, noun, compounded):
    words = ["Critics", "watch", det, "RT", "America", "television", "network", "."] + second + ["so", "."]
    resolver = _resolver(words, [(3, 5, "GPE", "RT America"), (8, 10, "GPE", "RT America")], config,
                         _NETWORK_HEADS, _NETWORK_DEPS)
    assert resolver._compounded_into(resolver.mentions[0], noun) is compounded


def test_place_name_used_as_a_place_is_no_organisation(config):
    # "Critics watch the RT America television network . in RT America , so ." : "in RT America"
    words = ["Critics", "watch", "the", "RT", "America", "television", "network", ".", "in", "RT", "America",
             "so", "."]
    heads = [1, 1, 6, 4, 6, 6, 1, 1, 11, 10, 8, 11, 11]
    deps = ["nsubj", "ROOT", "det", "compound", "compound", "compound", "dobj", "punct", "prep", "compound",
            "pobj", "ROOT", "punct"]
    resolver = _resolver(words, [(3, 5, "GPE", "RT America"), (9, 11, "GPE", "RT America")], config, heads, deps)
    assert resolver._compounded_into(resolver.mentions[0], "network") is False
