"""`python -m pipeline report --output DIR [--to FILE]`: one static HTML page to read the results.

For each article: its title and body lines (the kept lines, plus any line holding a quote) with
quote contents, cues, speakers and entity mentions highlighted, then the list of its quotes;
before the articles, a speaker × topic table and the manifest's figures (seconds and rows per
stage). Offsets in the tables point into `documents.text`, so the page is cut from that text.
The page is self-contained (inline CSS, no script, no network) and works with whichever later
tables exist: without quotes it still shows the articles and their entities.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .errors import PipelineError
from .io import atomic_path
from .progress import Progress

NO_SPEAKER = "(unresolved)"
NO_TOPIC = "(no topic)"
# Nesting order of highlights: quote outermost, then cue / speaker, then entity mentions.
LAYER = {"quote": 0, "cue": 1, "speaker": 1, "entity": 2}

CSS = """
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 70rem;
       padding: 1rem 2rem; color: #222; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 2px solid #ddd; margin-top: 2.5rem; }
.meta, .summary { color: #666; font-size: .9em; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .2rem .5rem; vertical-align: top; text-align: left; }
th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.zero { color: #ccc; }
nav ol { columns: 2; font-size: .9em; }
article { border-top: 1px solid #ccc; margin-top: 2rem; }
.text { max-width: 48rem; }
.text p { margin: .4rem 0; } .text p.title { font-weight: 600; font-size: 1.1em; }
.text p.dropped { color: #999; } .text p.dropped::before { content: "(not kept) "; font-size: .8em; }
.q { border-radius: 3px; padding: 0 1px; }
.q-direct { background: #fff3b0; } .q-indirect { background: #d8ecff; } .q-mixed { background: #e6dcff; }
.cue { text-decoration: underline 2px #c0392b; font-style: italic; }
.spk { font-weight: 600; border-bottom: 3px solid #27ae60; }
.ent { border-bottom: 1px dotted #777; }
.ent-PERSON { color: #1e6b33; } .ent-ORG { color: #8e44ad; } .ent-GPE, .ent-LOC { color: #a0522d; }
.ent-NORP { color: #2c3e8f; }
sup.qn { font-size: .7em; color: #555; margin-right: 1px; }
sup.qn a { text-decoration: none; color: inherit; }
.legend span { margin-right: 1rem; font-size: .85em; }
table.quotes td.content { max-width: 32rem; }
"""


def _read(out_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame | None:
    path = Path(out_dir) / f"{name}.parquet"
    if not path.exists():
        return None
    frame = pq.read_table(path).to_pandas()
    if columns is not None:
        frame = frame[[c for c in columns if c in frame.columns]]
    return frame


def _e(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and np.isnan(value)) and value is not pd.NA


def _int(value) -> int | None:
    return int(value) if _present(value) else None


@dataclass
class Span:
    start: int
    end: int
    kind: str            # quote / cue / speaker / entity
    css: str
    title: str = ""
    anchor: str = ""     # for quotes: the number shown as [n] and the row it links to


# ------------------------------------------------------------------------------------------
# Loading

@dataclass
class Data:
    documents: pd.DataFrame
    lines: pd.DataFrame | None
    quotes: pd.DataFrame | None
    mentions: pd.DataFrame | None
    entity_names: dict
    topics: dict          # quote_id -> list of topics (without "unassigned")
    topic_labels: dict    # topic id -> label
    manifest: dict | None


def load(out_dir: Path) -> Data:
    out_dir = Path(out_dir)
    documents = _read(out_dir, "documents")
    if documents is None:
        raise PipelineError(f"{out_dir}: no documents.parquet; run the pipeline first (make all)")
    quotes = _read(out_dir, "quotes")
    entities = _read(out_dir, "entities", ["entity_id", "name", "label"])
    topics, labels = {}, {}
    quote_topics = _read(out_dir, "quote_topics")
    claims = _read(out_dir, "claims", ["quote_id", "topics"])
    if quote_topics is not None:
        real = quote_topics[quote_topics["topic"] != "unassigned"]
        ordered = real.sort_values(["quote_id", "score"], ascending=[True, False]) if "score" in real else real
        for quote_id, topic in zip(ordered["quote_id"], ordered["topic"]):
            topics.setdefault(quote_id, []).append(topic)
        if "label" in real:
            labels = dict(zip(real["topic"], real["label"]))
    elif claims is not None and "topics" in claims:
        topics = {q: [t for t in (list(ts) if _present_list(ts) else []) if t != "unassigned"]
                  for q, ts in zip(claims["quote_id"], claims["topics"])}
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    return Data(documents=documents, lines=_read(out_dir, "lines"), quotes=quotes,
                mentions=_read(out_dir, "mentions"),
                entity_names=dict(zip(entities["entity_id"], entities["name"])) if entities is not None else {},
                topics=topics, topic_labels=labels, manifest=manifest)


def _present_list(value) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


# ------------------------------------------------------------------------------------------
# Highlighting

def highlight(text: str, start: int, end: int, spans: list[Span]) -> str:
    """HTML of text[start:end] with the spans (clipped to it) as nested <span>s.

    The range is cut at every span boundary; each piece opens the spans covering it in layer
    order and closes them again, so overlapping spans never produce crossing tags.
    """
    inside = [s for s in spans if s.start < end and s.end > start and s.end > s.start]
    cuts = sorted({start, end, *(max(s.start, start) for s in inside), *(min(s.end, end) for s in inside)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = sorted((s for s in inside if s.start <= a and s.end >= b),
                          key=lambda s: (LAYER[s.kind], s.start, -s.end))
        piece = _e(text[a:b])
        for s in reversed(covering):
            marker = ""
            if s.kind == "quote" and a == s.start and s.anchor:
                marker = f'<sup class="qn"><a href="#{_e(s.anchor)}">[{_e(s.anchor.rsplit("-", 1)[-1])}]</a></sup>'
            title = f' title="{_e(s.title)}"' if s.title else ""
            piece = f'<span class="{s.css}"{title}>{marker}{piece}</span>'
        out.append(piece)
    return "".join(out)


def document_spans(doc_id: str, quotes: pd.DataFrame | None, mentions: pd.DataFrame | None,
                   entity_names: dict, anchors: dict) -> list[Span]:
    spans = []
    if quotes is not None:
        for q in quotes.itertuples(index=False):
            speaker = q.speaker if _present(q.speaker) else NO_SPEAKER
            spans.append(Span(int(q.content_start), int(q.content_end), "quote", f"q q-{_e(q.type)}",
                              f"{q.type} quote, speaker: {speaker}", anchors.get(q.quote_id, "")))
            if _present(getattr(q, "cue_start", None)) and _present(getattr(q, "cue_end", None)):
                spans.append(Span(int(q.cue_start), int(q.cue_end), "cue", "cue", f"cue: {q.cue}"))
            if _present(getattr(q, "speaker_start", None)) and _present(getattr(q, "speaker_end", None)):
                spans.append(Span(int(q.speaker_start), int(q.speaker_end), "speaker", "spk",
                                  f"speaker: {speaker} ({q.resolution})"))
    if mentions is not None:
        for m in mentions.itertuples(index=False):
            name = entity_names.get(m.entity_id, m.text) if _present(m.entity_id) else m.text
            spans.append(Span(int(m.start), int(m.end), "entity", f"ent ent-{_e(m.label)}", f"{m.label}: {name}"))
    return spans


def document_ranges(doc: dict, lines: pd.DataFrame | None, quotes: pd.DataFrame | None) -> list[tuple[int, int, str]]:
    """(start, end, css class) of the lines to show: title and body lines, and any line with a quote."""
    text = doc["text"]
    if lines is None or lines.empty:
        ranges, pos = [], 0
        for line in text.split("\n"):
            if line.strip():
                ranges.append((pos, pos + len(line), "body"))
            pos += len(line) + 1
        return ranges
    quote_spans = [] if quotes is None else list(zip(quotes["content_start"], quotes["content_end"]))
    ranges = []
    for line in lines.sort_values("line_no").itertuples(index=False):
        has_quote = any(s < line.end and e > line.start for s, e in quote_spans)
        if line.kept or has_quote:
            ranges.append((int(line.start), int(line.end), line.label if line.kept else f"{line.label} dropped"))
    return ranges


# ------------------------------------------------------------------------------------------
# Page parts

def speaker_topic_table(data: Data) -> str:
    if data.quotes is None:
        return "<p>No quotes table yet: run the quotes stage.</p>"
    counts: dict[str, Counter] = defaultdict(Counter)
    for q in data.quotes.itertuples(index=False):
        speaker = q.speaker if _present(q.speaker) else NO_SPEAKER
        for topic in data.topics.get(q.quote_id) or [NO_TOPIC]:
            counts[speaker][topic] += 1
    if not counts:
        return "<p>No quotes.</p>"
    totals = Counter()
    for row in counts.values():
        totals.update(row)
    topics = [t for t, _ in totals.most_common() if t != NO_TOPIC] + ([NO_TOPIC] if NO_TOPIC in totals else [])
    quotes_per_speaker = Counter(s if _present(s) else NO_SPEAKER for s in data.quotes["speaker"])
    speakers = sorted(counts, key=lambda s: (s == NO_SPEAKER, -quotes_per_speaker[s], s))
    head = "".join(f'<th title="{_e(data.topic_labels.get(t, t))}">{_e(t)}</th>' for t in topics)
    rows = []
    for s in speakers:
        cells = "".join(f'<td class="n{"" if counts[s][t] else " zero"}">{counts[s][t]}</td>' for t in topics)
        rows.append(f'<tr><th scope="row">{_e(s)}</th>{cells}<td class="n">{quotes_per_speaker[s]}</td></tr>')
    note = ("" if data.topics else
            '<p class="meta">No topics yet (quote_topics or claims): every quote is under “(no topic)”.</p>')
    return (f'{note}<table class="matrix" id="speaker-topic"><thead><tr><th>speaker</th>{head}<th>quotes</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def manifest_table(manifest: dict | None) -> str:
    if not manifest:
        return "<p>No manifest.json in this folder.</p>"
    from .cli import STAGE_ORDER

    stages = manifest.get("stages", {})
    order = sorted(stages, key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else len(STAGE_ORDER), s))
    rows = []
    for stage, record in ((s, stages[s]) for s in order):
        rows_text = ", ".join(f"{k}={v}" for k, v in (record.get("rows") or {}).items())
        model = record.get("model")
        if isinstance(model, dict):
            model = " ".join(str(model.get(k, "")) for k in ("name", "version") if model.get(k))
        rows.append(f'<tr><th scope="row">{_e(stage)}</th><td class="n">{record.get("seconds", "")}</td>'
                    f'<td>{_e(rows_text)}</td><td><code>{_e(record.get("config_hash", ""))}</code></td>'
                    f'<td><code>{_e(record.get("code_version", ""))}</code></td><td>{_e(model or "")}</td>'
                    f'<td>{_e(record.get("started_at", ""))}</td></tr>')
    return ('<table id="manifest"><thead><tr><th>stage</th><th>seconds</th><th>rows</th><th>config</th>'
            f'<th>code</th><th>model</th><th>started</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            f'<tfoot><tr><th>total</th><td class="n">{manifest.get("seconds_total", "")}</td>'
            '<td colspan="5"></td></tr></tfoot></table>')


def quotes_table(doc_quotes: pd.DataFrame, anchors: dict, topics: dict) -> str:
    if doc_quotes.empty:
        return '<p class="meta">No quotes found in this article.</p>'
    rows = []
    for q in doc_quotes.itertuples(index=False):
        anchor = anchors[q.quote_id]
        speaker = q.speaker if _present(q.speaker) else NO_SPEAKER
        written = q.speaker_text if _present(q.speaker_text) else ""
        rows.append(f'<tr id="{_e(anchor)}" data-quote-id="{_e(q.quote_id)}"><td class="n">{_e(anchor.rsplit("-", 1)[-1])}</td>'
                    f'<td>{_e(q.type)}</td><td class="speaker">{_e(speaker)}</td><td>{_e(written)}</td>'
                    f'<td>{_e(q.cue if _present(q.cue) else "")}</td><td class="content">{_e(q.content)}</td>'
                    f'<td>{_e(", ".join(topics.get(q.quote_id, [])))}</td><td>{_e(q.resolution)}</td>'
                    f'<td><code>{_e(q.rule_id)}</code></td></tr>')
    return ('<table class="quotes"><thead><tr><th>#</th><th>type</th><th>speaker</th><th>as written</th>'
            '<th>cue</th><th>content</th><th>topics</th><th>resolution</th><th>rule</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


LEGEND = ('<div class="legend"><span class="q q-direct">direct</span><span class="q q-indirect">indirect</span>'
          '<span class="q q-mixed">mixed</span><span class="cue">cue</span><span class="spk">speaker</span>'
          '<span class="ent ent-PERSON">person</span><span class="ent ent-ORG">organisation</span>'
          '<span class="ent ent-GPE">place</span></div>')


def article_html(doc: dict, index: int, data: Data) -> str:
    doc_id = doc["doc_id"]
    by_doc = lambda frame: None if frame is None else frame[frame["doc_id"] == doc_id]  # noqa: E731
    quotes = by_doc(data.quotes)
    if quotes is not None:
        quotes = quotes.sort_values(["content_start", "content_end"])
    anchors = {} if quotes is None else {q: f"q{index}-{n}" for n, q in enumerate(quotes["quote_id"], start=1)}
    spans = document_spans(doc_id, quotes, by_doc(data.mentions), data.entity_names, anchors)
    paragraphs = []
    for start, end, css in document_ranges(doc, by_doc(data.lines), quotes):
        paragraphs.append(f'<p class="{_e(css)}">{highlight(doc["text"], start, end, spans)}</p>')
    title = doc.get("title") if _present(doc.get("title")) else doc_id
    meta = " · ".join(_e(x) for x in [doc_id, doc.get("source"), doc.get("date")] if _present(x) and x)
    n_quotes = 0 if quotes is None else len(quotes)
    url = doc.get("url")
    link = f' · <a href="{_e(url)}">source</a>' if _present(url) and url else ""
    quote_list = "" if quotes is None else quotes_table(quotes, anchors, data.topics)
    return (f'<article id="doc-{index}" data-doc-id="{_e(doc_id)}"><h3>{_e(title)}</h3>'
            f'<p class="meta">{meta}{link} · {n_quotes} quotes</p>'
            f'<div class="text">{"".join(paragraphs)}</div>{quote_list}</article>')


def render(data: Data, out_dir: Path, docs: int | None = None, title: str = "Who said what") -> str:
    documents = data.documents.sort_values("doc_id")
    if docs is not None:
        documents = documents.head(docs)
    n_quotes = 0 if data.quotes is None else len(data.quotes)
    n_speakers = 0 if data.quotes is None else data.quotes["speaker"].dropna().nunique()
    n_entities = len(data.entity_names)
    toc = "".join(f'<li><a href="#doc-{i}">{_e(d["title"] if _present(d.get("title")) else d["doc_id"])}</a></li>'
                  for i, d in enumerate(documents.to_dict("records"), start=1))
    articles = []
    with Progress("report", total=len(documents)) as progress:
        for i, doc in enumerate(documents.to_dict("records"), start=1):
            articles.append(article_html(doc, i, data))
            progress.update(1)
    generated = time.strftime("%Y-%m-%d %H:%M:%S")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)} — {_e(out_dir)}</title><style>{CSS}</style></head>
<body>
<header><h1>{_e(title)}</h1>
<p class="summary" id="summary">{len(documents)} articles · {n_quotes} quotes · {n_speakers} named speakers ·
{n_entities} entities — from <code>{_e(out_dir)}</code>, generated {generated}</p>
<nav><ol>{toc}</ol></nav></header>
<section id="speakers"><h2>Speakers × topics</h2>{speaker_topic_table(data)}</section>
<section id="run"><h2>Pipeline run</h2>{manifest_table(data.manifest)}</section>
<section id="articles"><h2>Articles</h2>{LEGEND}{"".join(articles)}</section>
</body></html>
"""


def write_report(out_dir: Path, to: Path | None = None, docs: int | None = None) -> Path:
    out_dir = Path(out_dir)
    to = Path(to) if to is not None else out_dir / "report.html"
    page = render(load(out_dir), out_dir, docs)
    with atomic_path(to) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return to


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    parser.add_argument("--to", type=Path, default=None, help="HTML file to write (default: OUTPUT/report.html)")
    parser.add_argument("--docs", type=int, default=None, help="only the first N articles")
    args = parser.parse_args(argv)
    try:
        path = write_report(args.output, args.to, args.docs)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path} ({path.stat().st_size // 1024} KB): open file://{path.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
