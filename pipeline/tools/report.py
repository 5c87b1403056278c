"""`python -m pipeline report --output DIR [--to FILE]`: one self-contained, interactive HTML page.

The page answers "who said what about which issue" with linked charts (Vega-Altair): the most
quoted speakers stacked by issue, issues by outlet, claims over time, the share of quotes by
speaker gender, quote types and kinds. A click in one chart filters the others and the claims
table below them (free-text search, filters, sorting, paging). Each claim links to its article,
with quote, cue, speaker and entity mentions highlighted and the rule that found the quote on
hover; each speaker has a page of their own (claims by issue and over time, aliases and titles,
how each mention was resolved).

Self-contained: the data, the Vega/Vega-Lite/vega-embed bundle (from vl-convert, no network) and
the page's own script are inline, so the file opens offline from disk. Text is never written as
HTML: the data travels as JSON inside `<script type="application/json">` (with `<`, `>` and `&`
escaped, so article text cannot close the element) and the page script writes it with
`textContent`. Offsets are converted from Python's code points to JavaScript's UTF-16 units.

Columns that later stages add (`claims.speaker_gender`, `claims.kind`, `claims.issue_phrase`,
`documents.date/url/title`, `quote_topics.taxonomy`, `doc_topics.parquet`) are shown when present
and skipped when absent; a missing speaker, date, outlet or issue is shown as "unknown".

    from pipeline.tools.report import build_payload, write_report
    write_report("outputs", "outputs/report.html")
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.core.errors import PipelineError
from pipeline.core.io import atomic_path
from pipeline.core.manifest import check_not_mixed
from pipeline.core.schemas import UNASSIGNED

UNKNOWN = "unknown"
DEFAULT_TAXONOMY = "topics"    # ids without a "taxonomy:" prefix come from configs/topics.toml
ASSETS = Path(__file__).with_name("report_assets")
# Tables the page needs, with the stage that writes each (for the error message).
REQUIRED = {"documents": "ingest", "quotes": "quotes", "claims": "claims"}
# Optional tables (page parts are skipped without them): the stage that writes each.
OPTIONAL = {"bodies": "clean", "lines": "clean", "mentions": "entities", "entities": "entities", "quote_topics": "topics",
            "doc_topics": "topics"}


# ------------------------------------------------------------------------------------------
# Reading (defensive: only the columns that exist; other engineers add columns in parallel)

def read_optional(out_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame | None:
    path = Path(out_dir) / f"{name}.parquet"
    if not path.exists():
        return None
    try:
        schema = pq.read_schema(path)
        wanted = None if columns is None else [c for c in columns if c in schema.names]
        return pq.read_table(path, columns=wanted).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise PipelineError(f"{path}: not a readable Parquet file: {exc}") from None


def read_required(out_dir: Path, name: str, columns: list[str] | None = None) -> pd.DataFrame:
    frame = read_optional(out_dir, name, columns)
    if frame is None:
        stage = REQUIRED[name]
        raise PipelineError(f"{Path(out_dir) / (name + '.parquet')}: missing; it is written by the '{stage}' "
                            f"stage (python -m pipeline {stage} --output {out_dir}, or make all)")
    return frame


def _present(value) -> bool:
    if type(value) is str:                 # the common case first: this runs for every cell
        return bool(value) and not value.isspace()
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float) and np.isnan(value):
        return False
    return not (isinstance(value, str) and not value.strip())


def _text(value) -> str | None:
    return str(value) if _present(value) else None


def _list(value) -> list:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [v for v in list(value) if _present(v)]
    return []


def _column(frame: pd.DataFrame, name: str, default=None) -> list:
    return frame[name].tolist() if name in frame.columns else [default] * len(frame)


# ------------------------------------------------------------------------------------------
# Offsets: Python str indices (code points) -> JavaScript string indices (UTF-16 code units)

def utf16_map(text: str) -> np.ndarray | None:
    """None when every character is in the BMP (offsets are equal), else offset -> UTF-16 offset."""
    if text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text):
        return None
    astral = np.fromiter((ord(c) > 0xFFFF for c in text), dtype=np.int64, count=len(text))
    return np.concatenate([[0], np.cumsum(astral)]) + np.arange(len(text) + 1)


def utf16_offsets(docs: np.ndarray, offsets, maps: list) -> list[int]:
    """Offsets (null -> -1) of rows in documents `docs`, in UTF-16 units."""
    values = pd.to_numeric(pd.Series(offsets), errors="coerce").to_numpy(dtype=np.float64)
    missing = np.isnan(values)
    result = np.where(missing, -1, np.nan_to_num(values, nan=-1)).astype(np.int64)
    for doc in np.unique(docs):
        mapping = maps[doc]
        if mapping is not None:
            mine = (docs == doc) & ~missing
            result[mine] = mapping[np.clip(result[mine], 0, len(mapping) - 1)]
    return result.tolist()


def piece_offsets(docs: np.ndarray, spans_column, maps: list) -> list[list[int] | None]:
    """Per row, its content pieces as a flat [start, end, start, end, ...] list in UTF-16 units
    when it has more than one (“A,” he said. “B.”: the page highlights each piece), else None."""
    out: list[list[int] | None] = [None] * len(docs)
    flat_docs, flat, where = [], [], []
    for k, (doc, spans) in enumerate(zip(docs, spans_column)):
        if spans is None or isinstance(spans, float) or len(spans) < 2:
            continue
        where.append((k, len(spans)))
        for piece in spans:
            flat_docs += [doc, doc]
            flat += [piece["start"], piece["end"]]
    converted = utf16_offsets(np.asarray(flat_docs, dtype=np.int64), flat, maps) if flat else []
    pos = 0
    for k, n in where:
        out[k] = converted[pos:pos + 2 * n]
        pos += 2 * n
    return out


# ------------------------------------------------------------------------------------------
# The data shipped to the page: columnar, with repeated strings as indices into value lists

class Values:
    """A list of distinct strings and the index of each (the page's dictionary encoding)."""

    def __init__(self, first: list[str] | None = None):
        self.items: list[str] = []
        self.index: dict[str, int] = {}
        for item in first or []:
            self(item)

    def __call__(self, value, default: str = UNKNOWN) -> int:
        value = _text(value) or default
        if value not in self.index:
            self.index[value] = len(self.items)
            self.items.append(value)
        return self.index[value]


def taxonomy_of(topic: str, declared: dict[str, str]) -> str:
    if topic in declared:
        return declared[topic]
    return topic.split(":", 1)[0] if ":" in topic else DEFAULT_TAXONOMY


def build_payload(tables: dict[str, pd.DataFrame | None], *, title: str = "Who said what",
                  source: str = "", manifest: dict | None = None, notes: list[str] | None = None) -> dict:
    """Pure heart of the report: the tables in, the JSON-able data of the page out.

    `tables` maps table names to frames (None for an absent optional table). Every claim is kept:
    null speakers, outlets and genders become "unknown", null dates stay null (shown "unknown"),
    claims without a topic have an empty topic list (their issue is "unknown").
    """
    documents, quotes, claims = tables["documents"], tables["quotes"], tables["claims"]
    lines, mentions, entities = tables.get("lines"), tables.get("mentions"), tables.get("entities")
    quote_topics, doc_topics = tables.get("quote_topics"), tables.get("doc_topics")

    documents = documents.sort_values("doc_id").reset_index(drop=True)
    doc_index = {d: i for i, d in enumerate(documents["doc_id"])}
    texts = documents["text"].tolist()
    maps = [utf16_map(t) for t in texts]
    values = {name: Values() for name in ("speaker", "outlet", "resolution", "type", "kind", "gender", "rule",
                                           "cue", "topic", "label", "change")}

    labels, declared = _topic_labels(quote_topics, doc_topics)

    # Documents that have claims but are missing from documents.parquet cannot be shown: say so.
    orphans = sorted({d for d in claims["doc_id"] if d not in doc_index})
    if orphans:
        raise PipelineError(f"claims.parquet refers to {len(orphans)} documents missing from documents.parquet "
                            f"(e.g. {orphans[0]}): the tables come from different runs; rerun the pipeline")

    claims = claims.sort_values(["doc_id", "content_start", "content_end"]).reset_index(drop=True)
    doc_dates = documents["date"].tolist() if "date" in documents else [None] * len(documents)
    doc_sources = documents["source"].tolist() if "source" in documents else [None] * len(documents)
    n = len(claims)
    column = lambda name: claims[name] if name in claims else pd.Series([None] * n, dtype=object)  # noqa: E731
    d = claims["doc_id"].map(doc_index).to_numpy(dtype=np.int64)
    # Details of each quote that claims does not carry: cue and speaker offsets, rule.
    q_cols = ["quote_id", "cue_start", "cue_end", "speaker_start", "speaker_end", "rule_id"]
    detail = claims[["quote_id"]].merge(quotes.reindex(columns=q_cols).drop_duplicates("quote_id"),
                                        on="quote_id", how="left")
    entity_ids = Values()
    entity_codes, entity_uniques = pd.factorize(column("speaker_entity_id"), use_na_sentinel=True)
    entity_table = np.array([entity_ids(e) if _present(e) else -1 for e in entity_uniques] + [-1], dtype=np.int64)
    starts = claims["content_start"].to_numpy(dtype=np.int64)
    ends = claims["content_end"].to_numpy(dtype=np.int64)
    contents = claims["content"].tolist()
    fallback_dates = pd.Series([doc_dates[i] for i in d], dtype=object)
    fallback_sources = pd.Series([doc_sources[i] for i in d], dtype=object)
    out = {
        "doc": d.tolist(),
        "speaker": _codes(column("speaker"), values["speaker"]).tolist(),
        "entity": entity_table[entity_codes].tolist(),
        "title": [_text(x) for x in column("speaker_title")],
        "written": [_text(x) for x in column("speaker_text")],
        "resolution": _codes(column("resolution"), values["resolution"]).tolist(),
        "type": _codes(column("type"), values["type"]).tolist(),
        "kind": _codes(column("kind"), values["kind"]).tolist(),
        "gender": _codes(column("speaker_gender"), values["gender"]).tolist(),
        "cue": _codes(column("cue"), values["cue"]).tolist(),
        "topics": [[values["topic"](t) for t in _list(ts) if t != UNASSIGNED] for ts in column("topics")],
        "start": utf16_offsets(d, starts, maps), "end": utf16_offsets(d, ends, maps),
        "pieces": piece_offsets(d, column("content_spans"), maps),
        "cue_start": utf16_offsets(d, detail["cue_start"], maps), "cue_end": utf16_offsets(d, detail["cue_end"], maps),
        "spk_start": utf16_offsets(d, detail["speaker_start"], maps),
        "spk_end": utf16_offsets(d, detail["speaker_end"], maps),
        "rule": _codes(detail["rule_id"], values["rule"]).tolist(),
        # content is usually the slice of the text its offsets give: then it is not repeated
        "content": [None if c == texts[i][a:b] else _text(c) for c, i, a, b in zip(contents, d, starts, ends)],
        "date": [_text(x) or _text(y) for x, y in zip(column("date"), fallback_dates)],
        "outlet": _codes(column("source").where(column("source").map(_present), fallback_sources),
                         values["outlet"]).tolist(),
        "phrase": [_text(x) for x in column("issue_phrase")],
        "change": _codes(column("change"), values["change"]).tolist(),
        "changes": [_text(x) for x in column("changes")],
    }

    docs = _document_payload(documents, texts, doc_dates, doc_sources, doc_index, maps, values,
                             lines, mentions, entities, doc_topics)
    ent = _entity_payload(entities, entity_ids)
    topics, tax_of, order, counts, taxonomies, issue_names = _taxonomy_summary(values, out["topics"], labels,
                                                                          declared)
    dates = sorted(x for x in out["date"] if x)
    present = {
        "gender": "speaker_gender" in claims.columns,
        "kind": "kind" in claims.columns,
        "phrase": "issue_phrase" in claims.columns,
        "date": bool(dates),
        "outlet": any(v != UNKNOWN for v in values["outlet"].items),
        "mentions": docs["mentions"] is not None,
        "lines": docs["lines"] is not None,
        "doc_topics": docs["topics"] is not None,
        "change": "change" in claims.columns,
    }
    return {
        "meta": {"title": title, "source": source, "generated": time.strftime("%Y-%m-%d %H:%M:%S"),
                 "documents": len(texts), "claims": n, "present": present,
                 "taxonomies": [{"id": t, "claims": counts[t], "topics": len(taxonomies[t])} for t in order],
                 "taxonomy_of": tax_of, "issues": issue_names, "palette": TABLEAU20, "unknown_colour": UNKNOWN_COLOUR,
                 "labels": {t: labels[t] for t in topics if t in labels},
                 "time_unit": time_unit(dates[0], dates[-1]) if dates else None,
                 "date_range": [dates[0][:10], dates[-1][:10]] if dates else None,
                 "stages": _stage_rows(manifest), "notes": list(notes or [])},
        "values": {k: v.items for k, v in values.items()},
        "claims": out,
        "docs": docs,
        "entities": ent,
    }


def _topic_labels(quote_topics: pd.DataFrame | None, doc_topics: pd.DataFrame | None) -> tuple[dict, dict]:
    """Topic id -> label, and topic id -> taxonomy, from quote_topics and doc_topics when they say."""
    labels: dict[str, str] = {}
    declared: dict[str, str] = {}
    if quote_topics is not None and "topic" in quote_topics:
        real = quote_topics[quote_topics["topic"] != UNASSIGNED]
        if "label" in real:
            labels.update({t: l for t, l in zip(real["topic"], real["label"]) if _present(l)})
        if "taxonomy" in real:
            declared.update({t: x for t, x in zip(real["topic"], real["taxonomy"]) if _present(x)})
    if doc_topics is not None and {"topic", "taxonomy"} <= set(doc_topics.columns):
        declared.update({t: x for t, x in zip(doc_topics["topic"], doc_topics["taxonomy"]) if _present(x)})
        if "label" in doc_topics:
            labels.update({t: l for t, l in zip(doc_topics["topic"], doc_topics["label"]) if _present(l)})
    return labels, declared


def _document_payload(documents, texts, doc_dates, doc_sources, doc_index, maps, values, lines, mentions, entities,
                      doc_topics) -> dict:
    """Documents: text, outlet, the lines to show, entity mentions and article topics."""
    docs = {"id": documents["doc_id"].tolist(), "text": texts,
            "title": [_text(x) for x in _column(documents, "title")],
            "date": [_text(x) for x in doc_dates], "url": [_text(x) for x in _column(documents, "url")],
            "author": [_text(x) for x in _column(documents, "author")],
            "outlet": [values["outlet"](x) for x in doc_sources], "lines": None, "mentions": None, "topics": None}
    if lines is not None and {"doc_id", "start", "end", "kept"} <= set(lines.columns):
        docs["lines"] = per_document(lines, doc_index, maps, [lines["kept"].astype(bool).astype(int).to_numpy()])
    names = {}
    if entities is not None and "entity_id" in entities:
        names = dict(zip(entities["entity_id"], entities["name"]))
    if mentions is not None and {"doc_id", "start", "end", "label"} <= set(mentions.columns):
        shown = mentions["entity_id"].map(names) if "entity_id" in mentions else pd.Series(None, index=mentions.index)
        if "text" in mentions:
            shown = shown.fillna(mentions["text"])
        docs["mentions"] = per_document(mentions, doc_index, maps, [_codes(mentions["label"], values["label"]),
                                                                     _codes(shown, values["speaker"])])
    if doc_topics is not None and {"doc_id", "topic"} <= set(doc_topics.columns):
        per_doc = [[] for _ in texts]
        scores = _column(doc_topics, "score", 0.0)
        for doc_id, topic, score in zip(doc_topics["doc_id"], doc_topics["topic"], scores):
            d = doc_index.get(doc_id)
            if d is not None and _present(topic) and topic != UNASSIGNED:
                per_doc[d].append([values["topic"](topic), round(float(score), 3) if _present(score) else None])
        docs["topics"] = per_doc
    return docs


def _entity_payload(entities: pd.DataFrame | None, entity_ids: Values) -> dict:
    """The speakers' entities (in `entity_ids` order): names, aliases and titles, for the speaker pages."""
    ent = {"id": entity_ids.items, "name": [], "aliases": [], "titles": [], "label": []}
    info = {}
    if entities is not None and "entity_id" in entities:
        for row in entities.reindex(columns=["entity_id", "name", "aliases", "titles", "label"]).itertuples(
                index=False, name=None):
            info[row[0]] = row
    for entity_id in entity_ids.items:
        row = info.get(entity_id, (entity_id, None, None, None, None))
        ent["name"].append(_text(row[1]))
        ent["aliases"].append([str(a) for a in _list(row[2])])
        ent["titles"].append([str(t) for t in _list(row[3])])
        ent["label"].append(_text(row[4]))
    return ent


def _taxonomy_summary(values: dict, claim_topics: list[list[int]], labels: dict, declared: dict):
    """The topics seen, each one's taxonomy, the taxonomies by claims, and their issue names by claims."""
    topics = values["topic"].items
    taxonomies = {}
    for topic in topics:
        taxonomies.setdefault(taxonomy_of(topic, declared), []).append(topic)
    counts = {tax: 0 for tax in taxonomies}
    tax_of = [taxonomy_of(t, declared) for t in topics]
    for ts in claim_topics:
        for tax in {tax_of[t] for t in ts}:
            counts[tax] += 1
    order = sorted(taxonomies, key=lambda t: (-counts[t], t))
    per_topic = np.bincount([t for ts in claim_topics for t in ts], minlength=len(topics))
    issue_names: dict[str, list[str]] = {tax: [] for tax in order}     # per taxonomy, most claims first
    for t in sorted(range(len(topics)), key=lambda t: (-per_topic[t], topics[t])):
        name, names = labels.get(topics[t], topics[t]), issue_names[tax_of[t]]
        if name not in names and name != UNKNOWN:
            names.append(name)
    return topics, tax_of, order, counts, taxonomies, issue_names


def _codes(column: pd.Series, values: Values) -> np.ndarray:
    """The column as indices into `values` (one lookup per distinct value)."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    table = np.array([values(u) for u in uniques] + [values(None)], dtype=np.int64)
    return table[codes]       # the sentinel -1 takes the last entry: "unknown"


def per_document(frame: pd.DataFrame, doc_index: dict, maps: list, extra: list[np.ndarray]) -> list[list]:
    """[[start, end, *extra], ...] for each document (in text order), offsets in UTF-16 units."""
    d = frame["doc_id"].map(doc_index)
    keep = d.notna().to_numpy()
    d = d[keep].astype(np.int64).to_numpy()
    starts = frame["start"].to_numpy(dtype=np.int64)[keep].copy()
    ends = frame["end"].to_numpy(dtype=np.int64)[keep].copy()
    for doc in np.unique(d):
        mapping = maps[doc]
        if mapping is not None:
            mine = d == doc
            starts[mine] = mapping[np.clip(starts[mine], 0, len(mapping) - 1)]
            ends[mine] = mapping[np.clip(ends[mine], 0, len(mapping) - 1)]
    columns = np.stack([starts, ends] + [x[keep] for x in extra], axis=1)
    order = np.lexsort((starts, d))
    columns, d = columns[order], d[order]
    bounds = np.searchsorted(d, np.arange(len(maps) + 1))
    rows = columns.tolist()
    return [rows[bounds[i]:bounds[i + 1]] for i in range(len(maps))]


def time_unit(first: str, last: str) -> str:
    """Bars per day for a short period, per month otherwise (dates as ISO strings)."""
    try:
        days = (pd.Timestamp(last[:10]) - pd.Timestamp(first[:10])).days
    except (ValueError, TypeError):
        return "yearmonth"
    return "yearmonthdate" if days <= 92 else "yearmonth"


def _stage_rows(manifest: dict | None) -> list[dict]:
    if not manifest:
        return []
    from pipeline.core.stages import STAGE_ORDER

    stages = manifest.get("stages", {})
    order = sorted(stages, key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else len(STAGE_ORDER), s))
    return [{"stage": s, "seconds": stages[s].get("seconds"),
             "rows": ", ".join(f"{k}={v}" for k, v in (stages[s].get("rows") or {}).items()),
             "code": stages[s].get("code_version"), "config": stages[s].get("config_hash")} for s in order]


# ------------------------------------------------------------------------------------------
# Charts: one Vega-Lite spec (Altair), data inserted by the page as the named dataset "claims"

TABLEAU20 = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
             "#bab0ac", "#a0cbe8", "#ffbe7d", "#ff9d9a", "#86bcb6", "#8cd17d", "#f1ce63", "#d4a6c8", "#fabfd2",
             "#d7b5a6", "#79706e"]
UNKNOWN_COLOUR = "#d0d0d0"


def issue_colours(issues: list[str]) -> tuple[list[str], list[str]]:
    """Issue names (by claim count) and their colours; "unknown" last and grey (the page does the
    same when another taxonomy is chosen: page.js issueScale)."""
    names = issues + [UNKNOWN]
    return names, [TABLEAU20[i % len(TABLEAU20)] for i in range(len(issues))] + [UNKNOWN_COLOUR]


def chart_spec(meta: dict) -> dict:
    """Linked charts: every chart is filtered by the selections made in the others."""
    import warnings

    with warnings.catch_warnings():   # the three gender charts share one selection, as intended
        warnings.filterwarnings("ignore", message="Automatically deduplicated selection parameter")
        return _chart_spec(meta)


def _chart_spec(meta: dict) -> dict:
    import altair as alt

    present = meta["present"]
    if present.get("change"):
        return _diff_chart_spec(meta)
    data = alt.NamedData(name="claims")
    first = meta["taxonomies"][0]["id"] if meta["taxonomies"] else None
    names, colours = issue_colours(meta["issues"].get(first, []))
    issue = alt.Color("issue:N", title="issue", scale=alt.Scale(domain=names, range=colours),
                      legend=alt.Legend(orient="bottom", columns=2, symbolLimit=40, labelLimit=190))
    picks = {
        "pick_speaker": alt.selection_point(name="pick_speaker", fields=["speaker"]),
        "pick_cell": alt.selection_point(name="pick_cell", fields=["outlet", "issue"]),
        "pick_type": alt.selection_point(name="pick_type", fields=["type", "kind"] if present["kind"] else ["type"]),
    }
    if present["date"]:
        picks["pick_time"] = alt.selection_interval(name="pick_time", encodings=["x"])
    if present["gender"]:
        picks["pick_gender"] = alt.selection_point(name="pick_gender", fields=["gender"])

    def base(own: str) -> alt.Chart:
        return _filtered_by_the_others(data, picks, own)

    def highlight(name: str):
        return alt.condition(picks[name], alt.value(1.0), alt.value(0.35))

    count = alt.X("count():Q", title="claims")
    speakers = (base("pick_speaker")
                .transform_filter(alt.datum.speaker != UNKNOWN)
                .transform_joinaggregate(n="count()", groupby=["speaker"])
                .transform_window(rank="dense_rank()", sort=[alt.SortField("n", order="descending"),
                                                             alt.SortField("speaker", order="ascending")])
                .transform_filter(alt.datum.rank <= 20)
                .mark_bar(cursor="pointer")
                .encode(y=alt.Y("speaker:N", sort="-x", title=None, axis=alt.Axis(labelLimit=180)), x=count,
                        color=issue, opacity=highlight("pick_speaker"),
                        tooltip=["speaker:N", "issue:N", alt.Tooltip("count():Q", title="claims")])
                .add_params(picks["pick_speaker"])
                .properties(name="speakers", title="Most-quoted speakers (top 20, by issue)", width=300, height=380))
    heat = (base("pick_cell").mark_rect(cursor="pointer")
            .encode(x=alt.X("outlet:N", title="outlet", axis=alt.Axis(labelAngle=-40, labelLimit=120)),
                    y=alt.Y("issue:N", title=None, axis=alt.Axis(labelLimit=150)),
                    color=alt.Color("count():Q", title="claims", scale=alt.Scale(scheme="blues")),
                    opacity=highlight("pick_cell"),
                    tooltip=["outlet:N", "issue:N", alt.Tooltip("count():Q", title="claims")])
            .add_params(picks["pick_cell"])
            .properties(name="heat", title="Issues by outlet" if present["outlet"] else "Issues (no outlet known)",
                        width=300, height=380))
    types = (base("pick_type").mark_bar(cursor="pointer")
             .encode(y=alt.Y("type:N", title=None), x=count,
                     color=(alt.Color("kind:N", title="kind", scale=alt.Scale(scheme="set2"))
                            if present["kind"] else alt.value("#7a9cc6")),
                     opacity=highlight("pick_type"),
                     tooltip=["type:N"] + (["kind:N"] if present["kind"] else [])
                     + [alt.Tooltip("count():Q", title="claims")])
             .add_params(picks["pick_type"])
             .properties(title="Quote types" + (" and kinds" if present["kind"] else ""), width=300, height=110))
    rows = [alt.hconcat(speakers, heat)]
    second = []
    if present["date"]:
        unit = meta.get("time_unit") or "yearmonth"
        # A fixed time axis: the brush stays where it was drawn while other selections filter the bars.
        try:
            first, last = (pd.Timestamp(d) for d in meta["date_range"])
            last = last + (pd.Timedelta(days=1) if unit == "yearmonthdate" else pd.DateOffset(months=1))
            domain = [alt.DateTime(year=t.year, month=t.month, date=1 if unit == "yearmonth" else t.day)
                      for t in (first, last)]
        except (ValueError, TypeError):     # dates that are not ISO: let the axis follow the data
            domain = alt.Undefined
        timeline = (base("pick_time").transform_filter("isValid(datum.date)")
                    .mark_bar()
                    .encode(x=alt.X(f"{unit}(date):T", title="date", scale=alt.Scale(domain=domain)),
                            y=alt.Y("count():Q", title="claims"),
                            color=issue, tooltip=[alt.Tooltip(f"{unit}(date):T", title="date"), "issue:N",
                                                  alt.Tooltip("count():Q", title="claims")])
                    .add_params(picks["pick_time"])
                    .properties(title="Claims over time, by issue (drag to select)", width=380, height=150))
        second.append(timeline)
    second.append(types)
    rows.append(alt.hconcat(*second))
    if present["gender"]:
        gender = alt.Color("gender:N", title="speaker gender",
                           scale=alt.Scale(domain=["female", "male", UNKNOWN], range=["#d9653b", "#3b7dd9", "#bbbbbb"]))

        def share(field: str | None, title: str, height: int):
            y = alt.Y(f"{field}:N", title=None, axis=alt.Axis(labelLimit=180)) if field else alt.Y("all:N", title=None)
            chart = base("pick_gender")
            if not field:
                chart = chart.transform_calculate(all="'all quotes'")
            return (chart.mark_bar(cursor="pointer")
                    .encode(y=y, x=alt.X("count():Q", stack="normalize", title="share of quotes",
                                         axis=alt.Axis(format="%")),
                            color=gender, opacity=highlight("pick_gender"),
                            tooltip=[f"{field or 'all'}:N", "gender:N", alt.Tooltip("count():Q", title="claims")])
                    .add_params(picks["pick_gender"])
                    .properties(name=f"gender_{field or 'all'}", title=title, width=260, height=height))
        rows.append(alt.hconcat(share(None, "Share of quotes by speaker gender", 30),
                                share("outlet", "… by outlet", 140), share("issue", "… by issue", 220)))
    rows = [row.resolve_scale(color="independent") for row in rows[:2]] + rows[2:]   # gender: one legend
    chart = (alt.vconcat(*rows).resolve_scale(color="independent")
             .configure_view(stroke=None).configure_axis(labelFontSize=11))
    return chart.to_dict(validate=False)   # the spec's shape is tested (tests/test_report.py), not rechecked per run


CHANGE_COLOURS = {"added": "#59a14f", "removed": "#e15759", "span changed": "#f28e2b", "changed": "#4e79a7",
                  "joined": "#76b7b2", "divided": "#b07aa1"}


def _filtered_by_the_others(data, picks: dict, own: str):
    """A chart of `data` filtered by every selection but its own (linked charts)."""
    import altair as alt

    chart = alt.Chart(data)
    for name, param in picks.items():
        if name != own:
            chart = chart.transform_filter(param)
    return chart


def _diff_chart_spec(meta: dict) -> dict:
    """The differences after a rule change: by rule, by speaker and by kind of change, linked."""
    import altair as alt

    data = alt.NamedData(name="claims")
    picks = {"pick_rule": alt.selection_point(name="pick_rule", fields=["rule"]),
             "pick_speaker": alt.selection_point(name="pick_speaker", fields=["speaker"]),
             "pick_change": alt.selection_point(name="pick_change", fields=["change"])}
    change = alt.Color("change:N", title="change", scale=alt.Scale(domain=list(CHANGE_COLOURS),
                                                                     range=list(CHANGE_COLOURS.values())))

    def base(own: str) -> alt.Chart:
        return _filtered_by_the_others(data, picks, own)

    def bars(own: str, field: str, title: str, name: str, top: int | None = None):
        chart = base(own)
        if top:
            chart = (chart.transform_filter(alt.datum[field] != UNKNOWN)
                     .transform_joinaggregate(n="count()", groupby=[field])
                     .transform_window(rank="dense_rank()", sort=[alt.SortField("n", order="descending"),
                                                                  alt.SortField(field, order="ascending")])
                     .transform_filter(alt.datum.rank <= top))
        return (chart.mark_bar(cursor="pointer")
                .encode(y=alt.Y(f"{field}:N", sort="-x", title=None, axis=alt.Axis(labelLimit=200)),
                        x=alt.X("count():Q", title="quotes"), color=change,
                        opacity=alt.condition(picks[own], alt.value(1.0), alt.value(0.35)),
                        tooltip=[f"{field}:N", "change:N", alt.Tooltip("count():Q", title="quotes")])
                .add_params(picks[own]).properties(name=name, title=title, width=300))

    chart = alt.hconcat(bars("pick_rule", "rule", "Changes by rule", "rules"),
                        bars("pick_speaker", "speaker", "Changes by speaker (top 20)", "speakers", top=20),
                        bars("pick_change", "change", "Kinds of change", "changes"))
    return chart.configure_view(stroke=None).to_dict(validate=False)


def diff_tables(old_dir: Path, new_dir: Path) -> tuple[dict[str, pd.DataFrame | None], list[str]]:
    """The quotes that differ between two output folders, as tables `build_payload` reads.

    One row per added, removed or changed quote (pipeline.tools.diff pairs a removed and an added quote
    that overlap as "span changed"); a removed quote is shown with the OLD run's values, the others
    with the NEW run's; an article is shown as the NEW run read it when it is in both (its text only
    changes when the input did). `changes` says what changed ("speaker: A → B").
    """
    from pipeline.tools.diff import _short, compare

    old_dir, new_dir = Path(old_dir), Path(new_dir)
    for folder in (old_dir, new_dir):
        for name in ("documents", "quotes"):
            read_required(folder, name, ["doc_id"])
    result = compare(old_dir, new_dir, ["quotes"])
    rows = result.tables["quotes"].rows
    new_docs = read_required(new_dir, "documents")
    old_docs = read_required(old_dir, "documents")
    documents = pd.concat([new_docs, old_docs[~old_docs["doc_id"].isin(new_docs["doc_id"])]], ignore_index=True)
    records = []
    for r in rows.to_dict("records"):
        side = "old" if r["change"] == "removed" else "new"
        get = lambda c: r.get(f"{side}_{c}")  # noqa: E731
        fields = [f for f in _list(r.get("fields")) if f not in ("content_start", "content_end", "quote_id",
                                                                  "content_spans", "content_plain")]
        changes = "; ".join(f"{f}: {_short(r.get(f'old_{f}'), 60)} → {_short(r.get(f'new_{f}'), 60)}"
                            for f in fields)
        if isinstance(r.get("parts"), str):      # joined / divided: the rows it was or became
            changes = "; ".join(x for x in (f"{r['change']}: {r['parts']}", changes) if x)
        records.append({
            "quote_id": f"{r['change']}:{r['key']}", "doc_id": get("doc_id"), "speaker": get("speaker"),
            "speaker_entity_id": get("speaker_entity_id"), "speaker_title": None, "speaker_text": get("speaker_text"),
            "resolution": get("resolution"), "type": get("type"), "cue": get("cue"), "content": get("content"),
            "topics": [t for t in _list(get("topics")) if t != UNASSIGNED], "content_start": get("content_start"),
            "content_end": get("content_end"), "date": None, "source": None, "cue_start": get("cue_start"),
            "cue_end": get("cue_end"), "speaker_start": get("speaker_start"), "speaker_end": get("speaker_end"),
            "rule_id": get("rule_id"), "change": r["change"], "changes": changes or None,
            "content_spans": get("content_spans")})
    columns = ["quote_id", "doc_id", "speaker", "speaker_entity_id", "speaker_title", "speaker_text", "resolution",
               "type", "cue", "content", "content_spans", "topics", "content_start", "content_end", "date", "source", "cue_start",
               "cue_end", "speaker_start", "speaker_end", "rule_id", "change", "changes"]
    frame = pd.DataFrame(records, columns=columns)
    tables = {"documents": documents, "quotes": frame, "claims": frame, "entities": read_optional(new_dir, "entities"),
              "quote_topics": read_optional(new_dir, "quote_topics"), "lines": read_optional(new_dir, "lines"),
              "mentions": None, "doc_topics": None}
    counts = ", ".join(f"{n} {kind}" for kind, n in result.tables["quotes"].counts.items()) or "no differences"
    return tables, [f"quotes: {counts}", *result.provenance]


def write_diff_report(old_dir: Path, new_dir: Path, to: Path) -> Path:
    tables, notes = diff_tables(old_dir, new_dir)
    payload = build_payload(tables, title="What the change did", source=f"{old_dir} → {new_dir}", notes=notes)
    page = render(payload, chart_spec(payload["meta"]))
    with atomic_path(Path(to)) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return Path(to)


# ------------------------------------------------------------------------------------------
# The page

def json_for_script(value) -> str:
    """JSON that can sit inside <script>: no '<', '>' or '&' can end the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script, from vl-convert (no network).

    Bundling takes a few seconds, so the result is kept per vl-convert and Vega-Lite version in
    the user's cache folder (PIPELINE_CACHE or XDG_CACHE_HOME/pipeline); a cache that cannot be
    written only costs the time.
    """
    import vl_convert
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    cache_root = Path(os.environ.get("PIPELINE_CACHE")
                      or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pipeline")
    cache = cache_root / f"vega-bundle-{vl_convert.__version__}-{version}.js"
    if cache.exists():
        bundle = cache.read_text(encoding="utf-8")
    else:
        bundle = vl_convert.javascript_bundle(vl_version=version)
        try:
            with atomic_path(cache) as tmp:
                tmp.write_text(bundle, encoding="utf-8")
        except OSError:
            pass
    if "</script" in bundle.lower():   # would end the inline element early
        bundle = bundle.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")
    return bundle


def render(payload: dict, spec: dict | None) -> str:
    meta = payload["meta"]
    css = (ASSETS / "page.css").read_text(encoding="utf-8")
    script = (ASSETS / "page.js").read_text(encoding="utf-8")
    e = lambda x: html.escape("" if x is None else str(x), quote=True)  # noqa: E731
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(meta["title"])} — {e(meta["source"])}</title><style>{css}</style>
<script>{vega_bundle() if spec is not None else ""}</script></head>
<body>
<header><h1><a href="#">{e(meta["title"])}</a></h1>
<p class="summary" id="summary">{meta["documents"]} articles · {meta["claims"]} claims — from
<code>{e(meta["source"])}</code>, generated {e(meta["generated"])}</p></header>
<main id="app"><noscript>This report needs JavaScript (it runs offline, from this file alone).</noscript></main>
<script type="application/json" id="report-data">{json_for_script(payload)}</script>
<script type="application/json" id="report-spec">{json_for_script(spec)}</script>
<script>{script}</script>
</body></html>
"""


def load_tables(out_dir: Path) -> dict[str, pd.DataFrame | None]:
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise PipelineError(f"{out_dir}: output folder not found; run the pipeline first (make all)")
    check_not_mixed(out_dir)
    tables = {name: read_required(out_dir, name) for name in REQUIRED}
    for name in OPTIONAL:
        tables[name] = read_optional(out_dir, name)
    bodies = tables.pop("bodies")
    if bodies is not None:     # the headline `clean` kept, beside what ingest read
        tables["documents"] = tables["documents"].merge(bodies[["doc_id", "title", "duplicate_of"]],
                                                        on="doc_id", how="left")
    return tables


def load_many(out_dirs: list[Path]) -> dict[str, pd.DataFrame | None]:
    """Several output folders as one corpus (e.g. PolNeAR train + dev); doc_ids must not repeat."""
    loaded = [load_tables(d) for d in out_dirs]
    if len(loaded) == 1:
        return loaded[0]
    tables = {}
    for name in loaded[0]:
        frames = [t[name] for t in loaded if t[name] is not None]
        tables[name] = pd.concat(frames, ignore_index=True) if frames else None
    repeated = tables["documents"]["doc_id"].duplicated()
    if repeated.any():
        first = tables["documents"]["doc_id"][repeated].iloc[0]
        raise PipelineError(f"{', '.join(map(str, out_dirs))}: document {first} is in more than one folder; "
                            "one report covers distinct documents")
    if tables["entities"] is not None:   # one entity per id (the folders were linked separately)
        tables["entities"] = tables["entities"].drop_duplicates("entity_id")
    return tables


def read_manifest(out_dir: Path) -> dict | None:
    path = Path(out_dir) / "manifest.json"
    try:
        return json.loads(path.read_text()) if path.exists() else None
    except (OSError, json.JSONDecodeError):
        return None


def one_copy_per_story(tables: dict) -> tuple[dict, list[str]]:
    """The claims of near-duplicate copies of a story (documents.duplicate_of, from bodies.parquet)
    left out, so that a syndicated story counts once; the note says how many."""
    documents, claims = tables["documents"], tables["claims"]
    if "duplicate_of" not in documents:
        return tables, []
    copies = set(documents.loc[documents["duplicate_of"].map(_present), "doc_id"])
    dropped = claims["doc_id"].isin(copies)
    if not dropped.any():
        return tables, []
    kept = {**tables, "claims": claims[~dropped].reset_index(drop=True)}
    n_docs = claims.loc[dropped, "doc_id"].nunique()
    return kept, [f"each story counted once: {int(dropped.sum())} claims of {n_docs} near-duplicate "
                  f"cop{'ies' if n_docs != 1 else 'y'} of other stories left out (--all-copies shows them)"]


def speech_only(tables: dict) -> tuple[dict, list[str]]:
    """Claims of other kinds than speech (claims.kind: thought, evidence) left out, so the page
    shows who said what; the note says how many (--all-kinds shows them). A claims table without
    `kind` (an older run) is all speech."""
    claims = tables["claims"]
    if "kind" not in claims:
        return tables, []
    other = claims["kind"].notna() & (claims["kind"] != "speech")
    if not other.any():
        return tables, []
    by_kind = claims.loc[other, "kind"].value_counts()
    what = ", ".join(f"{int(n)} {k}" for k, n in sorted(by_kind.items()))
    return ({**tables, "claims": claims[~other].reset_index(drop=True)},
            [f"speech only: {int(other.sum())} claims of other kinds left out ({what}; --all-kinds shows them)"])


def write_report(out_dir: Path | list[Path], to: Path | None = None, title: str = "Who said what",
                 all_copies: bool = False, all_kinds: bool = False) -> Path:
    out_dirs = [Path(d) for d in (out_dir if isinstance(out_dir, (list, tuple)) else [out_dir])]
    to = Path(to) if to is not None else out_dirs[0] / "report.html"
    tables, notes = load_many(out_dirs), []
    if not all_copies:
        tables, notes = one_copy_per_story(tables)
    if not all_kinds:
        tables, kind_notes = speech_only(tables)
        notes += kind_notes
    payload = build_payload(tables, title=title, source=" + ".join(map(str, out_dirs)), notes=notes,
                            manifest=read_manifest(out_dirs[0]) if len(out_dirs) == 1 else None)
    page = render(payload, chart_spec(payload["meta"]))
    with atomic_path(to) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return to


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, nargs="+", default=[Path("outputs")],
                        help="output folder (default: outputs); several make one report of all their documents")
    parser.add_argument("--to", type=Path, default=None, help="HTML file to write (default: OUTPUT/report.html)")
    parser.add_argument("--title", default="Who said what", help="the page's title")
    parser.add_argument("--all-copies", action="store_true",
                        help="count the claims of near-duplicate copies of a story too (default: each story once)")
    parser.add_argument("--all-kinds", action="store_true",
                        help="show thought and evidence claims too (claims.kind; default: speech only)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        path = write_report(args.output, args.to, args.title, all_copies=args.all_copies,
                            all_kinds=args.all_kinds)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    size = path.stat().st_size
    print(f"wrote {path} ({size / 1e6:.1f} MB in {time.perf_counter() - started:.1f}s): "
          f"open file://{path.resolve()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
