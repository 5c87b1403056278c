"""`python -m pipeline report`: the data shipped to the page, the page as markup, and the page in a
real headless browser (Debian's chromium driven by selenium through chromium-driver)."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pytest

from pipeline.tools import report
from pipeline.core.io import write_table
from pipeline.core.schemas import BODIES, CLAIMS, DOCUMENTS, ENTITIES, LINES, MENTIONS, QUOTE_TOPICS, QUOTES

# --- a hand-built output folder --------------------------------------------------------------

HOSTILE = '</script><img src=x onerror="window.__pwned=1"><!--'
TEXTS = {
    "site/a1": ("Leaders meet\n"
                "Menu | Share\n"
                "President Putin said \"we will talk <soon> & more\" on Friday. Bennett said that Iran must stop.\n"),
    # an astral character (2 UTF-16 units in the browser) before the quote, and markup in the text
    "other/b2": ("Talks \U0001F600 resume\n"
                 f"Putin told reporters that {HOSTILE} was a test. He said the talks went well.\n"),
}


def _rows(spec, rows):
    return [{f.name: row.get(f.name) for f in spec.schema} for row in rows]


def _span(doc, part, nth=0):
    text = TEXTS[doc]
    i = -1
    for _ in range(nth + 1):
        i = text.index(part, i + 1)
    return i, i + len(part)


def build_outputs(out: Path) -> dict:
    write_table(DOCUMENTS, _rows(DOCUMENTS, [
        {"doc_id": "site/a1", "path": "site/a1.txt", "source": "site", "encoding": "utf-8", "text": TEXTS["site/a1"],
         "title": "Leaders meet", "date": "2021-10-22"},
        {"doc_id": "other/b2", "path": "other/b2.txt", "source": "other", "encoding": "utf-8",
         "text": TEXTS["other/b2"], "title": None, "date": None}]), out)
    write_table(BODIES, _rows(BODIES, [     # the headline `clean` kept (only a1's is known here)
        {"doc_id": "site/a1", "title": "Leaders meet", "body": "", "body_segments": []},
        {"doc_id": "other/b2", "title": None, "body": "", "body_segments": []}]), out)
    lines = []
    for doc, labels, kept in [("site/a1", ["title", "boilerplate", "body"], [True, False, True]),
                              ("other/b2", ["title", "body"], [True, True])]:
        pos = 0
        for no, (line, label, keep) in enumerate(zip(TEXTS[doc].split("\n"), labels, kept), start=1):
            lines.append({"doc_id": doc, "line_no": no, "start": pos, "end": pos + len(line), "text": line,
                          "label": label, "kept": keep, "rule_id": "r"})
            pos += len(line) + 1
    write_table(LINES, lines, out)

    def quote(doc, content, cue, speaker_text, speaker, entity, resolution, type_, rule, nth=0):
        c, k, s = _span(doc, content), _span(doc, cue, nth), _span(doc, speaker_text)
        return {"quote_id": f"{doc}:{c[0]}-{c[1]}", "doc_id": doc, "type": type_, "kind": "speech", "content": content,
                "content_start": c[0], "content_end": c[1], "content_plain": content,
                "content_spans": [{"start": c[0], "end": c[1]}], "cue": cue.split()[0], "cue_start": k[0],
                "cue_end": k[0] + len(cue.split()[0]), "speaker_text": speaker_text, "speaker_start": s[0],
                "speaker_end": s[1], "speaker": speaker, "speaker_entity_id": entity, "resolution": resolution,
                "rule_id": rule, "rule_trace": rule}

    quotes = [
        quote("site/a1", "we will talk <soon> & more", "said \"we", "President Putin", "Vladimir Putin",
              "PERSON:putin", "explicit", "direct", "direct.cue_after"),
        quote("site/a1", "that Iran must stop", "said that", "Bennett", None, None, "none", "indirect",
              "indirect.ccomp"),
        quote("other/b2", f"that {HOSTILE} was a test", "told reporters", "Putin", "Vladimir Putin", "PERSON:putin",
              "explicit", "indirect", "indirect.ccomp"),
        quote("other/b2", "the talks went well", "said the", "He", "Vladimir Putin", "PERSON:putin", "pronoun",
              "indirect", "indirect.ccomp"),
    ]
    write_table(QUOTES, _rows(QUOTES, quotes), out)
    mentions = []
    for doc, part, label, entity in [("site/a1", "Putin", "PERSON", "PERSON:putin"),
                                     ("site/a1", "Bennett", "PERSON", "PERSON:bennett"),
                                     ("site/a1", "Iran", "GPE", "GPE:iran"),
                                     ("other/b2", "Putin", "PERSON", "PERSON:putin")]:
        s, e = _span(doc, part)
        mentions.append({"mention_id": f"{doc}:{s}-{e}", "doc_id": doc, "start": s, "end": e, "token_start": 0,
                         "token_end": 1, "text": part, "label": label, "entity_id": entity, "rule_id": "ner",
                         "link_rule": "model"})
    write_table(MENTIONS, _rows(MENTIONS, mentions), out)
    # Rows through _rows: columns that other branches add to the schemas are filled (keys not in the
    # schema, like taxonomy before topics has it, are left out).
    write_table(ENTITIES, _rows(ENTITIES, [{"entity_id": "PERSON:putin", "label": "PERSON", "name": "Vladimir Putin",
                            "aliases": ["Putin", "Vladimir Putin"], "titles": ["President"], "n_mentions": 2,
                            "n_documents": 2},
                           {"entity_id": "PERSON:bennett", "label": "PERSON", "name": "Naftali Bennett", "aliases": [],
                            "titles": [], "n_mentions": 1, "n_documents": 1},
                           {"entity_id": "GPE:iran", "label": "GPE", "name": "Iran", "aliases": [], "titles": [],
                            "n_mentions": 1, "n_documents": 1}]), out)
    seed = {"taxonomy": "seed", "rank": 1}
    topic_rows = [{"quote_id": quotes[1]["quote_id"], "doc_id": "site/a1", "topic": "iran_nuclear",
                   "label": "Iran's nuclear programme", "score": 1.0, "evidence": ["Iran"], **seed},
                  {"quote_id": quotes[2]["quote_id"], "doc_id": "other/b2", "topic": "iran_nuclear",
                   "label": "Iran's nuclear programme", "score": 0.5, "evidence": [], **seed}]
    topic_rows += [{"quote_id": q["quote_id"], "doc_id": q["doc_id"], "topic": "unassigned", "label": "unassigned",
                    "score": 0.0, "evidence": [], **seed} for q in (quotes[0], quotes[3])]
    write_table(QUOTE_TOPICS, _rows(QUOTE_TOPICS, topic_rows), out)
    topics = {quotes[1]["quote_id"]: ["iran_nuclear"], quotes[2]["quote_id"]: ["iran_nuclear"]}
    dates = {"site/a1": "2021-10-22", "other/b2": None}
    write_table(CLAIMS, _rows(CLAIMS, [
        {**q, "speaker_title": "President" if q["speaker"] else None,
         "topics": topics.get(q["quote_id"], ["unassigned"]),
         "date": dates[q["doc_id"]], "source": q["doc_id"].split("/")[0]} for q in quotes]), out)
    (out / "manifest.json").write_text(json.dumps({"seconds_total": 1.5, "stages": {
        "quotes": {"seconds": 0.5, "rows": {"quotes": 4}, "config_hash": "abc", "code_version": "0.1+x"},
        "ingest": {"seconds": 1.0, "rows": {"documents": 2}, "config_hash": "def", "code_version": "0.1+x"}}}))
    return {"quotes": quotes}


@pytest.fixture
def outputs(tmp_path):
    out = tmp_path / "out"
    built = build_outputs(out)
    return out, built


def payload_of(out: Path, **extra_columns) -> dict:
    tables = report.load_tables(out)
    for name, values in extra_columns.items():
        tables["claims"][name] = values
    return report.build_payload(tables)


# --- the data shipped to the page --------------------------------------------------------------

def test_unknowns_are_kept_not_dropped(outputs):
    out, built = outputs
    data = payload_of(out)
    claims, values = data["claims"], data["values"]
    assert len(claims["doc"]) == len(built["quotes"]) == data["meta"]["claims"]
    speakers = [values["speaker"][i] for i in claims["speaker"]]
    assert speakers.count("Vladimir Putin") == 3 and speakers.count("unknown") == 1     # Bennett: unresolved
    assert sorted(claims["date"], key=str) == ["2021-10-22", "2021-10-22", None, None]  # no date: kept, null
    assert sorted(len(t) for t in claims["topics"]) == [0, 0, 1, 1]                   # "unassigned" -> none
    assert [values["topic"][t] for ts in claims["topics"] for t in ts] == ["iran_nuclear"] * 2
    assert data["meta"]["labels"] == {"iran_nuclear": "Iran's nuclear programme"}
    taxonomy = data["meta"]["taxonomies"]                 # "seed" where quote_topics names its taxonomy
    assert len(taxonomy) == 1 and taxonomy[0]["id"] in {"topics", "seed"} and taxonomy[0]["claims"] == 2
    rules = {values["rule"][r] for r in claims["rule"]}
    assert rules == {"direct.cue_after", "indirect.ccomp"}
    putin = claims["entity"][speakers.index("Vladimir Putin")]
    assert data["entities"]["aliases"][putin] == ["Putin", "Vladimir Putin"]
    assert data["entities"]["titles"][putin] == ["President"]
    titles = dict(zip(data["docs"]["id"], data["docs"]["title"]))     # from bodies.parquet
    assert titles == {"site/a1": "Leaders meet", "other/b2": None}


@pytest.mark.parametrize("columns, present, field, expected", [
    ({}, {"gender": False, "kind": False, "phrase": False}, None, None),
    ({"speaker_gender": ["male", None, "male", "male"]}, {"gender": True, "kind": False}, "gender",
     ["male", "unknown", "male", "male"]),
    ({"kind": ["speech", "thought", None, "evidence"]}, {"kind": True, "gender": False}, "kind",
     ["speech", "thought", "unknown", "evidence"]),
])
def test_columns_shown_when_present_and_skipped_when_absent(outputs, columns, present, field, expected):
    out, _ = outputs
    tables = report.load_tables(out)
    optional = ["speaker_gender", "kind", "issue_phrase"]       # absent on main, added by other branches
    tables["claims"] = tables["claims"].drop(columns=[c for c in optional if c not in columns], errors="ignore")
    for name, values in columns.items():
        tables["claims"][name] = values
    data = report.build_payload(tables)
    for key, value in present.items():
        assert data["meta"]["present"][key] is value
    spec = report.chart_spec(data["meta"])
    params = {p["name"] for p in spec["params"]}
    assert ("pick_gender" in params) is data["meta"]["present"]["gender"]
    if field:
        assert sorted(data["values"][field][i] for i in data["claims"][field]) == sorted(expected)


def test_several_taxonomies_and_doc_topics(outputs):
    out, _ = outputs
    tables = report.load_tables(out)
    tables["claims"]["topics"] = [["cap:19", "iran_nuclear"], ["unassigned"], ["cap:16"], []]
    tables["quote_topics"] = tables["quote_topics"].drop(columns=["taxonomy"], errors="ignore")  # ids say it
    tables["doc_topics"] = pd.DataFrame({"doc_id": ["site/a1"], "taxonomy": ["cap"], "topic": ["cap:19"],
                                         "score": [0.8]})
    data = report.build_payload(tables)
    taxonomies = {t["id"]: t["claims"] for t in data["meta"]["taxonomies"]}
    assert taxonomies == {"cap": 2, "topics": 1}
    assert data["meta"]["taxonomies"][0]["id"] == "cap"                 # the most used one first
    assert data["meta"]["present"]["doc_topics"]
    site = data["docs"]["id"].index("site/a1")
    assert [data["values"]["topic"][t] for t, _ in data["docs"]["topics"][site]] == ["cap:19"]


def test_taxonomy_from_quote_topics_when_ids_have_no_prefix(outputs):
    out, _ = outputs
    tables = report.load_tables(out)
    tables["claims"]["topics"] = [["19", "iran_nuclear"], ["unassigned"], ["19"], []]
    tables["quote_topics"]["taxonomy"] = "israel_russia"
    extra = tables["quote_topics"].iloc[:1].assign(topic="19", label="International affairs", taxonomy="cap")
    tables["quote_topics"] = pd.concat([tables["quote_topics"], extra], ignore_index=True)
    data = report.build_payload(tables)
    assert {t["id"]: t["claims"] for t in data["meta"]["taxonomies"]} == {"cap": 2, "israel_russia": 1}
    assert data["meta"]["labels"]["19"] == "International affairs"


@pytest.mark.parametrize("text, offset, expected", [
    ("plain", 3, 3),
    ("a\U0001F600b", 1, 1),          # before the astral character: unchanged
    ("a\U0001F600b", 2, 3),          # after it: one more UTF-16 unit
    ("\U0001F600\U0001F600x", 3, 5),
    ("é ü", 3, 3),                   # BMP characters are one unit
])
def test_offsets_are_converted_to_utf16(text, offset, expected):
    assert report.utf16_offsets(np.zeros(1, dtype=np.int64), [offset], [report.utf16_map(text)]) == [expected]
    assert len(text[:offset].encode("utf-16-le")) // 2 == expected


def test_offsets_in_the_payload_point_at_the_quote_in_utf16(outputs):
    out, built = outputs
    data = payload_of(out)
    for i, d in enumerate(data["claims"]["doc"]):
        text = data["docs"]["text"][d].encode("utf-16-le")
        start, end = data["claims"]["start"][i], data["claims"]["end"][i]
        content = text[2 * start:2 * end].decode("utf-16-le")
        assert content in {q["content"] for q in built["quotes"]}
        assert data["claims"]["content"][i] is None                    # a slice of the text: not repeated


@pytest.mark.parametrize("value", [HOSTILE, "a</SCRIPT >b", "<!-- x", "x\u2028y", "&amp;"])
def test_json_for_script_cannot_end_the_element(value):
    text = report.json_for_script({"t": value})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": value}


# --- the page as markup ------------------------------------------------------------------------

class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(name for name, _ in attrs)


def test_page_is_one_self_contained_file(outputs):
    out, _ = outputs
    assert report.main(["--output", str(out)]) == 0
    page = (out / "report.html").read_text()
    parsed = Tags()
    parsed.feed(page)
    assert parsed.tags.count("script") == 4                 # vega bundle, data, chart spec, page script
    assert "img" not in parsed.tags and "onerror" not in parsed.attrs
    assert HOSTILE not in page and "<soon>" not in page
    assert "src=" not in page.split("<script>", 1)[0] and "<link" not in page   # nothing loaded from elsewhere
    data = json.loads(page.split('id="report-data">')[1].split("</script>")[0])
    assert HOSTILE in data["docs"]["text"][data["docs"]["id"].index("other/b2")]   # the text itself is intact


@pytest.mark.parametrize("missing, stage", [("claims", "claims"), ("documents", "ingest"), ("quotes", "quotes")])
def test_a_missing_table_names_the_table_and_its_stage(outputs, capsys, missing, stage):
    out, _ = outputs
    (out / f"{missing}.parquet").unlink()
    assert report.main(["--output", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{missing}.parquet: missing" in err and f"'{stage}' stage" in err
    assert not (out / "report.html").exists()


def test_optional_tables_may_be_absent(outputs):
    out, _ = outputs
    for name in ("mentions", "entities", "lines", "quote_topics"):
        (out / f"{name}.parquet").unlink()
    (out / "manifest.json").unlink()
    data = payload_of(out)
    assert data["docs"]["mentions"] is None and data["docs"]["lines"] is None
    assert data["meta"]["labels"] == {} and data["meta"]["stages"] == []
    assert len(data["claims"]["doc"]) == 4


def test_each_chart_is_filtered_by_the_others(outputs):
    out, _ = outputs
    spec = report.chart_spec(payload_of(out, speaker_gender=["male", None, "male", "male"])["meta"])
    alt.VConcatChart.from_dict(spec)                    # a valid Vega-Lite spec (the build skips this check)
    picks = {p["name"] for p in spec["params"]}
    assert picks == {"pick_speaker", "pick_cell", "pick_type", "pick_time", "pick_gender"}
    views = [v for row in spec["vconcat"] for v in row["hconcat"]]
    speakers = next(v for v in views if v.get("name") == "speakers")
    filtered = {t["filter"]["param"] for t in speakers["transform"] if isinstance(t.get("filter"), dict)}
    assert filtered == picks - {"pick_speaker"}


# --- in a real headless browser ----------------------------------------------------------------

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
CHROMEDRIVER = shutil.which("chromedriver")


def _browser_missing() -> str | None:
    if CHROMIUM is None or CHROMEDRIVER is None:
        return "chromium and chromium-driver are not installed (Debian: apt-get install -y chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


needs_browser = pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))


@pytest.fixture
def browser(tmp_path):
    from pipeline.tools.report_bench import headless_chromium

    driver = headless_chromium(CHROMIUM, CHROMEDRIVER, tempfile.mkdtemp(prefix="chromium-", dir=tmp_path))
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(check, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def open_report(driver, path: Path):
    from selenium.webdriver.common.by import By

    driver.get(path.resolve().as_uri())
    wait_for(lambda: driver.find_element(By.TAG_NAME, "body").get_attribute("data-charts") == "ready",
             what="the charts")


def shown_count(driver) -> int:
    from selenium.webdriver.common.by import By

    return int(driver.find_element(By.ID, "claims").get_attribute("data-count"))


def console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@needs_browser
def test_in_the_browser_charts_filter_the_table_and_claims_open_their_article(outputs, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    out, built = outputs
    path = tmp_path / "report.html"
    assert report.main(["--output", str(out), "--to", str(path)]) == 0
    open_report(browser, path)
    assert shown_count(browser) == 4
    browser.save_screenshot(str(tmp_path / "report.png"))

    # A click on the speaker bar filters the table to that speaker's claims.
    bars = browser.find_elements(By.CSS_SELECTOR, ".speakers_marks path")
    assert bars, "no bar in the speaker chart"
    ActionChains(browser).move_to_element(bars[0]).click().perform()
    wait_for(lambda: shown_count(browser) < 4, what="the table to follow the chart selection")
    speakers = {td.text for td in browser.find_elements(By.CSS_SELECTOR, "#claims tbody tr td:nth-child(3) a")}
    assert shown_count(browser) == 3 and speakers == {"Vladimir Putin"}
    assert "speaker = Vladimir Putin" in browser.find_element(By.ID, "chart-selection").text
    browser.save_screenshot(str(tmp_path / "selected.png"))
    browser.find_element(By.ID, "clear-charts").click()
    wait_for(lambda: shown_count(browser) == 4, what="the selection to clear")

    # Sorting: by date, claims without one last whichever the direction.
    for _ in range(2):
        browser.find_element(By.CSS_SELECTOR, '#claims th[data-key="date"]').click()
        dates = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "#claims tbody tr td:nth-child(1)")]
        assert dates == ["2021-10-22", "2021-10-22", "unknown", "unknown"]

    # Free-text search (a word of one quote only), then the claim's article with the quote highlighted.
    search = browser.find_element(By.ID, "search")
    search.send_keys("talks went")
    wait_for(lambda: shown_count(browser) == 1, what="the search to filter")
    search.send_keys(Keys.CONTROL, "a")
    search.send_keys(Keys.BACKSPACE)
    wait_for(lambda: shown_count(browser) == 4, what="the search to clear")
    search.send_keys("onerror")                        # the hostile text is found as text
    wait_for(lambda: shown_count(browser) == 1, what="the search for markup as text")
    assert "onerror" in browser.find_element(By.CSS_SELECTOR, "#claims tbody a.open").text
    browser.find_element(By.CSS_SELECTOR, "#claims tbody a.open").click()
    current = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#article-text .q.current"),
                       what="the article view")
    assert "".join(e.text for e in current) == built["quotes"][2]["content"]
    assert "rule: indirect.ccomp" in current[0].get_attribute("title")
    assert browser.find_elements(By.CSS_SELECTOR, "#article-text .cue")
    assert browser.find_elements(By.CSS_SELECTOR, "#article-text .spk")
    assert browser.find_elements(By.CSS_SELECTOR, "#article-text .ent-PERSON")
    assert browser.execute_script("return window.__pwned") is None       # the markup stayed text
    assert not browser.find_elements(By.CSS_SELECTOR, "#article-text img")
    browser.save_screenshot(str(tmp_path / "article.png"))

    # The speaker page: aliases, titles and how each mention was resolved.
    browser.find_element(By.CSS_SELECTOR, "#other a.speaker").click()
    wait_for(lambda: browser.find_elements(By.ID, "speaker-name"), what="the speaker page")
    assert browser.find_element(By.ID, "speaker-name").text == "Vladimir Putin"
    resolutions = browser.find_element(By.ID, "resolutions").text
    assert "pronoun He 1" in resolutions and "explicit" in resolutions
    assert "President" in browser.find_element(By.ID, "other").text
    browser.save_screenshot(str(tmp_path / "speaker.png"))
    assert console_errors(browser) == []


@needs_browser
def test_in_the_browser_the_table_pages(outputs, browser, tmp_path):
    from selenium.webdriver.common.by import By

    from pipeline.tools.report_bench import scaled_copy

    out, _ = outputs
    many = scaled_copy([out], tmp_path / "many", 30)          # 30 copies of each document: 120 claims
    path = tmp_path / "report.html"
    assert report.main(["--output", str(many), "--to", str(path)]) == 0
    open_report(browser, path)
    rows = lambda: browser.find_elements(By.CSS_SELECTOR, "#claims tbody tr")  # noqa: E731
    assert shown_count(browser) == 120 and len(rows()) == 50
    assert browser.find_element(By.ID, "page").text == "page 1 of 3"
    first = rows()[0].get_attribute("data-claim")
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    assert browser.find_element(By.ID, "page").text == "page 3 of 3" and len(rows()) == 20
    assert not browser.find_element(By.ID, "next").is_enabled()
    browser.find_element(By.ID, "search").send_keys("talks went")
    wait_for(lambda: shown_count(browser) == 30, what="the search")
    assert browser.find_element(By.ID, "page").text == "page 1 of 1"      # a new filter starts at page 1
    assert rows()[0].get_attribute("data-claim") != first
    browser.find_element(By.ID, "search").send_keys(" zzzz")                # nothing left: empty charts, no error
    wait_for(lambda: shown_count(browser) == 0, what="the empty result")
    assert rows() == [] and browser.find_element(By.ID, "page").text == "page 1 of 1"
    assert console_errors(browser) == []


@needs_browser
def test_in_the_browser_another_taxonomy_recolours_the_charts(outputs, browser, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out, _ = outputs
    table = pq.read_table(out / "claims.parquet")
    claims = table.to_pandas()
    claims["topics"] = [list(t) + ["cap:19"] for t in claims["topics"]]    # every claim: CAP 19 as well
    pq.write_table(pa.Table.from_pandas(claims, schema=table.schema, preserve_index=False), out / "claims.parquet")
    path = tmp_path / "report.html"
    assert report.main(["--output", str(out), "--to", str(path)]) == 0
    open_report(browser, path)

    def legend():
        return {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".speakers_marks ~ * text, .role-legend text")}

    assert "cap:19" in legend() and "Iran's nuclear programme" not in legend()      # CAP first: more claims
    chooser = Select(browser.find_element(By.ID, "taxonomy"))
    assert [o.get_attribute("value") for o in chooser.options][0] == "cap"
    chooser.select_by_index(1)                         # the project's own taxonomy ("topics", or "seed")
    wait_for(lambda: browser.find_element(By.TAG_NAME, "body").get_attribute("data-charts") == "ready",
             what="the charts of the other taxonomy")
    assert "Iran's nuclear programme" in legend() and "cap:19" not in legend()
    issues = {td.text for td in browser.find_elements(By.CSS_SELECTOR, "#claims tbody td:nth-child(7)")}
    assert issues == {"Iran's nuclear programme", "unknown"}
    assert console_errors(browser) == []


@needs_browser
def test_in_the_browser_on_real_seed_outputs(seed_outputs, browser, tmp_path):
    path = tmp_path / "report.html"
    assert report.main(["--output", str(seed_outputs), "--to", str(path)]) == 0
    open_report(browser, path)
    claims = pd.read_parquet(seed_outputs / "claims.parquet")
    assert shown_count(browser) == int((claims["kind"] == "speech").sum())      # speech by default
    browser.save_screenshot(str(tmp_path / "seeds.png"))
    assert console_errors(browser) == []
    every = tmp_path / "every-kind.html"
    assert report.main(["--output", str(seed_outputs), "--to", str(every), "--all-kinds"]) == 0
    open_report(browser, every)
    assert shown_count(browser) == len(claims) > int((claims["kind"] == "speech").sum())
    assert console_errors(browser) == []


# --- the page of differences after a rule change (python -m pipeline diff --format html) --------

@pytest.fixture
def changed_outputs(outputs, tmp_path):
    """A second run: one quote gone, one with another speaker, one with a shorter span."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    old, built = outputs
    new = tmp_path / "new"
    shutil.copytree(old, new)
    table = pq.read_table(new / "quotes.parquet")
    quotes = table.to_pandas()
    quotes = quotes[quotes["content"] != "that Iran must stop"].reset_index(drop=True)
    quotes.loc[quotes["content"] == "the talks went well", "speaker"] = "Dmitry Peskov"
    short = quotes["content"] == "we will talk <soon> & more"
    quotes.loc[short, "content_end"] -= 7
    quotes.loc[short, "content"] = "we will talk <soon>"
    quotes.loc[short, "quote_id"] = [f"{d}:{s}-{e}" for d, s, e in zip(quotes.loc[short, "doc_id"],
                                                                       quotes.loc[short, "content_start"],
                                                                       quotes.loc[short, "content_end"])]
    pq.write_table(pa.Table.from_pandas(quotes, schema=table.schema, preserve_index=False), new / "quotes.parquet")
    return old, new


def test_diff_page_lists_the_changed_quotes(changed_outputs, tmp_path):
    from pipeline.tools import diff

    old, new = changed_outputs
    page = tmp_path / "diff.html"
    assert diff.main([str(old), str(new), "--format", "html", "--to", str(page)]) == 0
    data = json.loads(page.read_text().split('id="report-data">')[1].split("</script>")[0])
    claims, values = data["claims"], data["values"]
    changes = sorted(values["change"][c] for c in claims["change"])
    assert changes == ["changed", "removed", "span changed"]
    described = dict(zip((values["change"][c] for c in claims["change"]), claims["changes"]))
    assert described["changed"] == "speaker: Vladimir Putin → Dmitry Peskov"
    assert "content:" in described["span changed"]
    removed = claims["change"].index(values["change"].index("removed"))
    assert values["rule"][claims["rule"][removed]] == "indirect.ccomp"
    assert data["meta"]["notes"][0] == "quotes: 1 changed, 1 span changed, 1 removed"
    spec = json.loads(page.read_text().split('id="report-spec">')[1].split("</script>")[0])
    assert {p["name"] for p in spec["params"]} == {"pick_rule", "pick_speaker", "pick_change"}
    alt.HConcatChart.from_dict(spec)
    assert diff.main([str(old), str(new), "--format", "html"]) == 2          # needs --to


def test_diff_page_of_identical_runs_is_empty_not_an_error(outputs, tmp_path):
    from pipeline.tools import diff

    old, _ = outputs
    page = tmp_path / "diff.html"
    assert diff.main([str(old), str(old), "--format", "html", "--to", str(page)]) == 0
    data = json.loads(page.read_text().split('id="report-data">')[1].split("</script>")[0])
    assert data["meta"]["claims"] == 0 and data["meta"]["notes"][0] == "quotes: no differences"


@needs_browser
def test_in_the_browser_the_diff_page_filters_by_rule(changed_outputs, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from pipeline.tools import diff

    old, new = changed_outputs
    page = tmp_path / "diff.html"
    assert diff.main([str(old), str(new), "--format", "html", "--to", str(page)]) == 0
    open_report(browser, page)
    assert shown_count(browser) == 3
    bars = browser.find_elements(By.CSS_SELECTOR, ".rules_marks path")
    ActionChains(browser).move_to_element(bars[0]).click().perform()
    wait_for(lambda: shown_count(browser) < 3, what="the table to follow the rule selection")
    assert "rule = " in browser.find_element(By.ID, "chart-selection").text
    browser.save_screenshot(str(tmp_path / "diff.png"))
    assert console_errors(browser) == []


# --- progress on a terminal (pipeline.core.progress) -------------------------------------------------

class FakeTTY:
    def __init__(self, tty: bool):
        self.tty, self.written = tty, []

    def isatty(self):
        return self.tty

    def write(self, text):
        self.written.append(text)

    def flush(self):
        pass


@pytest.mark.parametrize("tty, env, shown", [
    (True, {}, True),
    (False, {}, False),                        # a log file or a pipe: quiet
    (True, {"CI": "true"}, False),             # CI: quiet
    (True, {"CI": "0"}, True),
    (False, {"PIPELINE_PROGRESS": "1"}, True),  # forced on
    (True, {"PIPELINE_PROGRESS": "0"}, False),  # forced off
])
def test_progress_on_terminals_only(monkeypatch, tty, env, shown):
    from pipeline.core.progress import Progress

    for name in ("CI", "PIPELINE_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    stream = FakeTTY(tty)
    with Progress("parse", total=4, stream=stream, interval=0) as progress:
        for _ in range(4):
            progress.update(1)
    out = "".join(stream.written)
    if not shown:
        assert out == ""
        return
    assert "\r[parse] 1/4 documents 25%" in out and "docs/s" in out
    assert out.endswith("\n") and "[parse] 4 documents in " in out.splitlines()[-1]
    assert list(Progress("x", stream=FakeTTY(tty), interval=0).iter("abc")) == ["a", "b", "c"]


@pytest.mark.parametrize("duplicate_of, kept, note", [
    ({"a": None, "b": "a"}, ["a1", "a2", "c1"], "2 claims of 1 near-duplicate copy"),   # b copies a
    ({"a": None, "b": None}, ["a1", "a2", "b1", "b2", "c1"], None),                    # no copies
    (None, ["a1", "a2", "b1", "b2", "c1"], None),                                      # no bodies table
])
def test_a_story_is_counted_once(duplicate_of, kept, note):
    import pandas as pd

    from pipeline.tools.report import one_copy_per_story

    documents = pd.DataFrame({"doc_id": ["a", "b", "c"]})
    if duplicate_of is not None:
        documents["duplicate_of"] = documents["doc_id"].map(duplicate_of)
    claims = pd.DataFrame({"quote_id": ["a1", "a2", "b1", "b2", "c1"], "doc_id": ["a", "a", "b", "b", "c"]})
    tables, notes = one_copy_per_story({"documents": documents, "claims": claims})
    assert tables["claims"]["quote_id"].tolist() == kept
    assert (note in notes[0]) if note else notes == []


@pytest.mark.parametrize("text, spans, expected", [
    # one attribution in pieces: the page highlights each piece
    ("“A,” he said. “B.”", [[{"start": 0, "end": 4}, {"start": 14, "end": 18}]], [[0, 4, 14, 18]]),
    # offsets in UTF-16 units after a character outside the BMP
    ("😀 “A,” he said. “B.”", [[{"start": 2, "end": 6}, {"start": 16, "end": 20}]], [[3, 7, 17, 21]]),
    # negatives: one piece, no pieces (an older table), a missing value: the hull is enough
    ("“A,” he said.", [[{"start": 0, "end": 4}]], [None]),
    ("“A,” he said.", [[]], [None]),
    ("“A,” he said.", [None], [None]),
])
def test_piece_offsets(text, spans, expected):
    maps = [report.utf16_map(text)]
    assert report.piece_offsets(np.zeros(len(spans), dtype=np.int64), spans, maps) == expected
@pytest.mark.parametrize("kinds, kept, note", [
    (["speech", "thought", "speech", "evidence", "speech"], ["a1", "b1", "c1"],
     "speech only: 2 claims of other kinds left out (1 evidence, 1 thought; --all-kinds shows them)"),
    (["speech"] * 5, ["a1", "a2", "b1", "b2", "c1"], None),                          # all speech
    (None, ["a1", "a2", "b1", "b2", "c1"], None),                                    # an older table: no kind
])
def test_the_report_shows_speech_unless_asked_for_all_kinds(kinds, kept, note):
    import pandas as pd

    from pipeline.tools.report import speech_only

    claims = pd.DataFrame({"quote_id": ["a1", "a2", "b1", "b2", "c1"], "doc_id": ["a", "a", "b", "b", "c"]})
    if kinds is not None:
        claims["kind"] = kinds
    tables, notes = speech_only({"documents": pd.DataFrame({"doc_id": ["a", "b", "c"]}), "claims": claims})
    assert tables["claims"]["quote_id"].tolist() == kept
    assert notes == ([note] if note else [])
