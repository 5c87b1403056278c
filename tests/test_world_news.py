"""Speakers in news from other countries: names, titles and honorifics as papers outside the US
write them. The articles are written for this test (no outside data); the whole pipeline runs
on them once per module (the model: `slow`). Each row: the speaker a quote holding the content
fragment must get, with its title and gender (None: whatever the row says)."""

from __future__ import annotations

import pytest

ARTICLES = {
    "asia": """Leaders meet in Cairo

CAIRO — Egyptian President Abdel Fattah el-Sisi hosted the summit on Monday. El-Sisi said the region needed stability. "Egypt will not stand by," el-Sisi said.

South Korean President Moon Jae-in urged dialogue with the North. Moon said sanctions alone would not work.

Chinese Foreign Minister Wang Yi said Beijing supported the talks. Wang added that outside interference was unwelcome.

Vietnamese Prime Minister Nguyen Xuan Phuc said trade would grow. Phuc told reporters that Vietnam wanted more investment.
""",
    "europe": """EU leaders debate migration plan

BRUSSELS — Ursula von der Leyen, the president of the European Commission, said the plan was fair. "Nobody is left alone," von der Leyen said.

German Chancellor Angela Merkel backed the proposal. The chancellor said Germany would take its share.

Turkish President Recep Tayyip Erdoğan criticised Europe. Erdoğan said Turkey had done more than any country. The Turkish leader added that promises had not been kept.
""",
    "uk": """Johnson defends energy plan

LONDON — Prime Minister Boris Johnson has defended his energy strategy. 'We are taking the long view,' Mr Johnson told MPs on Wednesday.

Labour leader Keir Starmer said the plan came too late. 'Families cannot wait,' Sir Keir said.

The Foreign Secretary, Liz Truss, said Britain would not be blackmailed. Ms Truss said sanctions would stay.
""",
    "americas": """Mexico and Brazil sign trade pact

MEXICO CITY — Mexican President Andrés Manuel López Obrador said on Monday that the agreement would create jobs. "This is good for both peoples," López Obrador said.

Brazil's president, Luiz Inácio Lula da Silva, welcomed the deal. Lula said the two countries were natural partners.

Saudi Crown Prince Mohammed bin Salman said the kingdom would invest. The crown prince said the fund was ready.
""",
}

ARTICLES["australia"] = """Albanese pledges $2 billion for housing

CANBERRA (AP) — Australian Prime Minister Anthony Albanese on Thursday pledged $2 billion to build social housing.

"No Australian should have to sleep in their car," Albanese told reporters in Canberra.

The Reserve Bank of Australia warned last month that rents would keep rising. Its governor, Philip Lowe, told a parliamentary committee that supply was the main problem.

Kate Colvin, a spokeswoman for the Everybody's Home campaign, said more was needed. Marcel Lazar, 44, said he could not find a flat.
"""

ARTICLES["korea"] = """South Korea's Yoon vows to rebuild ties with Japan

SEOUL — South Korean President Yoon Suk Yeol said on Tuesday that Seoul and Tokyo must move beyond the past.

"We cannot be held hostage by history," Yoon said in a televised address.

Japanese Prime Minister Fumio Kishida welcomed the remarks. Kishida told reporters in Tokyo that Japan would respond in kind.
"""

ARTICLES["germany"] = """Scholz rejects calls for tax relief as budget talks stall

BERLIN — German Chancellor Olaf Scholz on Tuesday rejected calls from business groups for tax relief, saying the budget had no room for it.
"""

ARTICLES["business"] = """Apple shares slip as iPhone sales slow

CUPERTINO, Calif. (Reuters) - Apple Inc's quarterly iPhone sales fell short of Wall Street estimates on Thursday, sending its shares down 3% in extended trading.

"Demand in China was softer than we expected," Chief Executive Tim Cook told Reuters in an interview. Cook said the company remained confident in its product lineup.

Chief Financial Officer Luca Maestri told analysts on a conference call that gross margins would stay between 44% and 45%.

"The numbers were disappointing, but not a disaster," said Dan Ives, an analyst at Wedbush Securities.
"""

ARTICLES["sport"] = """Messi leads Argentina past Croatia

LUSAIL, Qatar — Lionel Messi scored and set up a goal as Argentina beat Croatia 3-0 on Tuesday to reach the World Cup final.

Croatia coach Zlatko Dalić said his team had been unlucky. "We gave a lot, but they were better," Dalić said.
"""

ARTICLES["social"] = """Minister defends NHS funding

The shadow health secretary, Victoria Atkins, said the plans were "smoke and mirrors". She posted on Facebook that patients deserved better.
"""

ARTICLES["titles"] = """Group condemns general's remarks

The Council on American-Islamic Relations National Executive Director Nihad Awad says in a statement that the rhetoric crossed the line.

Advisers to Mr. Obama said the president was exasperated with the debate.
"""

SPEAKERS = [
    # (article, content fragment, speaker, speaker_title, speaker_gender)
    ("asia", "the region needed stability", "Abdel Fattah el-Sisi", "Egyptian President", None),
    ("asia", "Egypt will not stand by", "Abdel Fattah el-Sisi", None, None),
    ("asia", "sanctions alone would not work", "Moon Jae-in", "South Korean President", None),
    ("asia", "outside interference was unwelcome", "Wang Yi", "Chinese Foreign Minister", None),
    ("asia", "Vietnam wanted more investment", "Nguyen Xuan Phuc", None, None),
    ("europe", "the plan was fair", "Ursula von der Leyen", None, "female"),
    ("europe", "Nobody is left alone", "Ursula von der Leyen", None, "female"),
    ("europe", "Germany would take its share", "Angela Merkel", "German Chancellor", "female"),
    ("europe", "promises had not been kept", "Recep Tayyip Erdoğan", "Turkish President", "male"),
    ("uk", "We are taking the long view", "Boris Johnson", "Prime Minister", "male"),   # not "Mr"
    ("uk", "Families cannot wait", "Keir Starmer", "Labour leader", "male"),
    ("uk", "Britain would not be blackmailed", "Liz Truss", "Foreign Secretary", "female"),
    ("uk", "sanctions would stay", "Liz Truss", "Foreign Secretary", "female"),   # the title found above
    ("americas", "This is good for both peoples", "Andrés Manuel López Obrador", "Mexican President", "male"),
    ("americas", "natural partners", "Luiz Inácio Lula da Silva", None, "male"),
    ("americas", "the fund was ready", "Mohammed bin Salman", "Saudi Crown Prince", None),
    # a description in apposition is the title
    ("australia", "No Australian should have to sleep", "Anthony Albanese", "Australian Prime Minister", "male"),
    ("australia", "supply was the main problem", "Philip Lowe", "Its governor", "male"),
    ("australia", "more was needed", "Kate Colvin", "spokeswoman for the Everybody's Home campaign", "female"),
    # a family name in the headline, tagged as a place: the person the article names in full
    ("korea", "to rebuild ties with Japan", "Yoon Suk Yeol", "South Korean President", None),
    ("korea", "hostage by history", "Yoon Suk Yeol", None, None),
    ("korea", "Japan would respond in kind", "Fumio Kishida", "Japanese Prime Minister", None),
    ("germany", "the budget had no room for it", "Olaf Scholz", "German Chancellor", None),
    # titles of companies and sport
    ("business", "Demand in China was softer", "Tim Cook", "Chief Executive", "male"),
    ("business", "remained confident in its product lineup", "Tim Cook", "Chief Executive", "male"),
    ("business", "gross margins would stay", "Luca Maestri", "Chief Financial Officer", None),
    ("business", "not a disaster", "Dan Ives", "analyst at Wedbush Securities", "male"),
    ("sport", "his team had been unlucky", "Zlatko Dalić", "Croatia coach", "male"),
    ("sport", "they were better", "Zlatko Dalić", "Croatia coach", "male"),
    # a title that took in an organisation's name: the person it closes on speaks
    ("titles", "the rhetoric crossed the line", "Nihad Awad", None, None),
    # a post on social media reports as a tweet does
    ("social", "patients deserved better", "Victoria Atkins", "shadow health secretary", "female"),
]


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    from pipeline.cli import run_all
    from pipeline.core.io import read_table
    from pipeline.core.schemas import CLAIMS

    folder = tmp_path_factory.mktemp("world_news")
    (folder / "in").mkdir()
    for name, text in ARTICLES.items():
        (folder / "in" / f"{name}.txt").write_text(text, encoding="utf-8")
    run_all(folder / "in", folder / "out", None)
    return read_table(CLAIMS, folder / "out").to_pylist()


@pytest.mark.slow     # runs the pipeline (the model)
@pytest.mark.parametrize("article, fragment, speaker, title, gender", SPEAKERS)
def test_speakers_of_other_countries_news(claims, article, fragment, speaker, title, gender):
    rows = [c for c in claims if c["doc_id"] == article and fragment in c["content"]]
    assert rows, f"no quote holds {fragment!r}"
    row = rows[0]
    assert row["speaker"] == speaker, row
    if title is not None:
        assert row["speaker_title"] == title, row
    if gender is not None:
        assert row["speaker_gender"] == gender, row


@pytest.mark.slow
def test_an_age_in_apposition_is_no_title(claims):
    rows = [c for c in claims if c["doc_id"] == "australia" and "could not find a flat" in c["content"]]
    assert rows and rows[0]["speaker"] == "Marcel Lazar" and rows[0]["speaker_title"] is None, rows


@pytest.mark.slow
def test_no_entity_is_a_piece_of_a_name(claims):
    # the pieces the model's cuts used to leave ("Leyen", "Ursula von der", "Moon Jae", "Ms Truss")
    names = {c["speaker"] for c in claims}
    assert not names & {"Leyen", "Ursula von der", "Moon Jae", "Ms Truss", "Wang", "El-Sisi", "Foreign Secretary",
                        "Yoon", "Scholz rejects"}


@pytest.mark.slow
def test_advisers_to_a_person_are_not_the_person(claims):
    rows = [c for c in claims if c["doc_id"] == "titles" and "exasperated" in c["content"]]
    assert rows and rows[0]["speaker"] != "Barack Obama" and "Obama" != rows[0]["speaker"], rows


@pytest.mark.slow
def test_a_headline_verb_read_as_a_noun_reports_nothing(claims):
    # "Scholz rejects calls for tax relief": the calls are the business groups', not his statement
    assert not [c for c in claims if c["doc_id"] == "germany" and c["content"].strip('"') == "tax relief"]
