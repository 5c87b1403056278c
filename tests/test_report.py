"""`python -m pipeline report`: the HTML page, checked as markup and in a real headless browser."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline import report
from pipeline.io import write_table
from pipeline.schemas import DOCUMENTS, ENTITIES, LINES, MENTIONS, QUOTE_TOPICS, QUOTES

# --- highlighting: overlapping spans never give crossing tags --------------------------------

S = report.Span
HIGHLIGHT_CASES = [
    ("plain", "a < b", [], "a &lt; b"),
    ("one quote", "He said hi.", [S(8, 10, "quote", "q", anchor="q1-1")],
     'He said <span class="q"><sup class="qn"><a href="#q1-1">[1]</a></sup>hi</span>.'),
    ("entity inside quote", "x Putin y", [S(0, 9, "quote", "q"), S(2, 7, "entity", "ent")],
     '<span class="q">x </span><span class="q"><span class="ent">Putin</span></span><span class="q"> y</span>'),
    ("speaker overlapping entity", "Mr Putin said", [S(3, 8, "entity", "ent"), S(0, 8, "speaker", "spk")],
     '<span class="spk">Mr </span><span class="spk"><span class="ent">Putin</span></span> said'),
    ("clipped to the line", "abcdef", [S(0, 100, "quote", "q")], '<span class="q">cd</span>'),
]


@pytest.mark.parametrize("name, text, spans, expected", HIGHLIGHT_CASES, ids=[c[0] for c in HIGHLIGHT_CASES])
def test_highlight(name, text, spans, expected):
    start, end = (2, 4) if name == "clipped to the line" else (0, len(text))
    assert report.highlight(text, start, end, spans) == expected


# --- a hand-built output folder --------------------------------------------------------------

TEXT = ("Leaders meet\n"
        "Menu | Share\n"
        "President Putin said \"we will talk <soon> & more\" on Friday. Bennett said that Iran must stop.\n")


def _rows(spec, rows):
    return [{f.name: row.get(f.name) for f in spec.schema} for row in rows]


def build_outputs(out: Path) -> dict:
    def span(part):
        i = TEXT.index(part)
        return i, i + len(part)

    write_table(DOCUMENTS, _rows(DOCUMENTS, [{"doc_id": "site/a1", "path": "site/a1.txt", "source": "site",
                                             "encoding": "utf-8", "text": TEXT, "title": "Leaders meet",
                                             "date": "2021-10-22"}]), out)
    lines, pos = [], 0
    for no, (line, label, kept) in enumerate(zip(TEXT.split("\n")[:3], ["title", "boilerplate", "body"],
                                                 [True, False, True]), start=1):
        lines.append({"doc_id": "site/a1", "line_no": no, "start": pos, "end": pos + len(line), "text": line,
                      "label": label, "kept": kept, "rule_id": "r"})
        pos += len(line) + 1
    write_table(LINES, lines, out)
    c1, c2 = span("we will talk <soon> & more"), span("that Iran must stop")
    cue1, cue2 = span("said \"we"), span("said that")
    spk1, spk2 = span("President Putin"), span("Bennett said")
    quotes = [
        {"quote_id": f"site/a1:{c1[0]}-{c1[1]}", "doc_id": "site/a1", "type": "direct", "content": TEXT[c1[0]:c1[1]],
         "content_start": c1[0], "content_end": c1[1], "cue": "say", "cue_start": cue1[0], "cue_end": cue1[0] + 4,
         "speaker_text": "President Putin", "speaker_start": spk1[0], "speaker_end": spk1[1],
         "speaker": "Vladimir Putin", "speaker_entity_id": "PERSON:putin", "resolution": "explicit", "rule_id": "d1"},
        {"quote_id": f"site/a1:{c2[0]}-{c2[1]}", "doc_id": "site/a1", "type": "indirect", "content": TEXT[c2[0]:c2[1]],
         "content_start": c2[0], "content_end": c2[1], "cue": "say", "cue_start": cue2[0], "cue_end": cue2[0] + 4,
         "speaker_text": "Bennett", "speaker_start": spk2[0], "speaker_end": spk2[0] + 7,
         "speaker": None, "speaker_entity_id": None, "resolution": "none", "rule_id": "i1"},
    ]
    write_table(QUOTES, _rows(QUOTES, quotes), out)
    mentions = []
    for part, label, entity in [("Putin", "PERSON", "PERSON:putin"), ("Bennett", "PERSON", "PERSON:bennett"),
                                ("Iran", "GPE", "GPE:iran")]:
        s, e = span(part)
        mentions.append({"mention_id": f"site/a1:{s}-{e}", "doc_id": "site/a1", "start": s, "end": e,
                         "token_start": 0, "token_end": 1, "text": part, "label": label, "entity_id": entity,
                         "rule_id": "ner"})
    write_table(MENTIONS, _rows(MENTIONS, mentions), out)
    write_table(ENTITIES, [{"entity_id": e, "label": e.split(":")[0], "name": n, "aliases": [], "titles": [],
                            "n_mentions": 1, "n_documents": 1}
                           for e, n in [("PERSON:putin", "Vladimir Putin"), ("PERSON:bennett", "Naftali Bennett"),
                                        ("GPE:iran", "Iran")]], out)
    write_table(QUOTE_TOPICS, [{"quote_id": quotes[1]["quote_id"], "doc_id": "site/a1", "taxonomy": "seed",
                                "topic": "iran_nuclear", "rank": 1, "issue_phrase": None,
                                "label": "Iran's nuclear programme", "score": 1.0, "evidence": ["Iran"]},
                               {"quote_id": quotes[0]["quote_id"], "doc_id": "site/a1", "taxonomy": "seed",
                                "topic": "unassigned", "rank": 1, "issue_phrase": None,
                                "label": "unassigned", "score": 0.0, "evidence": []}], out)
    (out / "manifest.json").write_text(json.dumps({"seconds_total": 1.5, "stages": {
        "quotes": {"seconds": 0.5, "rows": {"quotes": 2}, "config_hash": "abc", "code_version": "0.1+x"},
        "ingest": {"seconds": 1.0, "rows": {"documents": 1}, "config_hash": "def", "code_version": "0.1+x"}}}))
    return {"quotes": quotes}


class Collect(HTMLParser):
    """Well-formedness (every opened tag closed in order) and the text of chosen elements."""

    VOID = {"meta", "br", "img", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.cells, self.quote_spans = [], [], [], 0
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag == "sup" and attrs.get("class") == "qn":
            self.quote_spans += 1
        if tag == "td" and attrs.get("class") == "content":
            self._cell = []

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "td" and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def page(tmp_path):
    out = tmp_path / "out"
    built = build_outputs(out)
    assert report.main(["--output", str(out)]) == 0
    return out / "report.html", built


def test_page_structure(page):
    path, built = page
    text = path.read_text()
    parsed = Collect()
    parsed.feed(text)
    assert not parsed.errors and parsed.stack == []
    assert parsed.cells == [q["content"] for q in built["quotes"]]     # per-quote list, in text order
    assert parsed.quote_spans == 2                                      # [1] [2] markers in the body
    assert "&lt;soon&gt; &amp; more" in text and "<soon>" not in text     # escaped
    assert "Menu | Share" not in text                                   # boilerplate line not shown
    assert 'class="spk"' in text and 'class="cue"' in text and "ent-PERSON" in text
    matrix = text[text.index('id="speaker-topic"'):text.index("</table>", text.index('id="speaker-topic"'))]
    assert "(unresolved)" in matrix and "Vladimir Putin" in matrix and "Iran&#x27;s nuclear programme" in matrix
    manifest = text[text.index('id="manifest"'):]
    assert manifest.index(">ingest<") < manifest.index(">quotes<")     # pipeline order
    assert "quotes=2" in manifest


def test_without_later_tables_and_errors(tmp_path, capsys):
    out = tmp_path / "out"
    build_outputs(out)
    for name in ("quotes", "quote_topics", "mentions", "entities", "lines"):
        (out / f"{name}.parquet").unlink()
    (out / "manifest.json").unlink()
    assert report.main(["--output", str(out), "--to", str(tmp_path / "r.html")]) == 0
    text = (tmp_path / "r.html").read_text()
    assert "No quotes table yet" in text and "Menu | Share" in text
    assert report.main(["--output", str(tmp_path / "nothing")]) == 2
    assert "no documents.parquet" in capsys.readouterr().err


# --- in a real headless browser ----------------------------------------------------------------

def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if shutil.which(name):
            return shutil.which(name)
    return None


needs_chromium = pytest.mark.skipif(chromium() is None, reason="chromium is not installed "
                                    "(Debian: apt-get install -y chromium); the browser test needs it")


def browse(page: Path, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
            capture_output=True, text=True, timeout=120)


def dom_text(dom: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", dom))


@needs_chromium
def test_browser_renders_the_quotes(page, tmp_path):
    path, built = page
    result = browse(path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<article" in dom and 'id="speaker-topic"' in dom
    assert dom.count('class="qn"') == 2
    visible = dom_text(dom)
    for quote in built["quotes"]:
        assert quote["content"] in visible
    shot = tmp_path / "page.png"
    result = browse(path, "--screenshot=" + str(shot), "--window-size=1200,1600")
    assert result.returncode == 0 and shot.exists()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000  # not a blank page


@needs_chromium
def test_browser_on_real_seed_outputs(seed_outputs, tmp_path):
    if importlib.util.find_spec("pipeline.quotes") is None:
        pytest.skip("the quotes stage (pipeline/quotes/) does not exist yet")
    import pandas as pd

    path = tmp_path / "report.html"
    assert report.main(["--output", str(seed_outputs), "--to", str(path)]) == 0
    result = browse(path, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    quotes = pd.read_parquet(seed_outputs / "quotes.parquet")
    visible = dom_text(result.stdout)
    assert result.stdout.count("<article") == 5
    assert result.stdout.count('class="qn"') == len(quotes)
    for content in quotes["content"]:
        assert " ".join(content.split()) in " ".join(visible.split())


# --- progress on a terminal (pipeline.progress; the report uses it per article) ---------------

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
    from pipeline.progress import Progress

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
