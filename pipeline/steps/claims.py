"""Stage `claims`: the answer table -> `claims.parquet`, one row per quote.

Joins `quotes` (what was said, by whom as resolved), `quote_topics` (which issues, and the issue
phrase), `mentions` and `entities` (the speaker's title) and `documents` (date and outlet). The
speaker's gender and its evidence come with the quote. The speaker's title is the description the
quote's speaker was reduced from ("The hotel's general manager, Jane Roe"), else the title written
with the speaker's own mention ("Russian President Vladimir Putin said"), else the
title most often written with that entity in the same document, else none: titles change over
time ("former Prime Minister"), so one document's title is not carried to another.
`topics` lists a quote's topic ids taxonomy by taxonomy, in the order of `taxonomies` in
configs/topics.toml (CAP first by default), each taxonomy's by score (its primary first);
`["unassigned"]` only when no taxonomy assigns one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from pipeline.core.config import DEFAULT_CONFIG_DIR, config_files, load_toml
from pipeline.core.errors import ConfigError, PipelineError
from pipeline.core.io import read_table, table_path, write_table
from pipeline.core.manifest import StageRecord
from pipeline.core.schemas import CLAIMS, DOCUMENTS, ENTITIES, MENTIONS, QUOTE_TOPICS, QUOTES, UNASSIGNED

STAGE = "claims"


def speaker_titles(mentions: list[dict], honorifics: frozenset[str] = frozenset()) -> tuple[dict, dict]:
    """(doc_id -> [(start, end, title)] of titled mentions, (doc_id, entity_id) -> commonest title).
    An honorific alone ("Mr", "Ms.") is no title: "Mr Johnson" takes the title the document gives
    Johnson elsewhere ("Prime Minister")."""
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for m in mentions:
        if not m.get("title") or all(w.lower().rstrip(".") in honorifics for w in m["title"].split()):
            continue
        start = m["title_start"] if m.get("title_start") is not None else m["start"]
        spans[m["doc_id"]].append((start, m["end"], m["title"]))
        if m.get("entity_id"):
            counts[(m["doc_id"], m["entity_id"])][m["title"]] += 1
    common = {key: max(c, key=lambda t: (c[t], len(t), t)) for key, c in counts.items()}
    return spans, common


def build_claims(quotes: list[dict], quote_topics: list[dict], documents: list[dict],
                 mentions: list[dict] | None = None, taxonomies: list[str] | None = None,
                 honorifics: frozenset[str] = frozenset()) -> list[dict]:
    """Pure heart of the stage: one claim row per quote (`taxonomies`: their order in `topics`;
    unlisted ones come last; `honorifics`: lower case, without a dot)."""
    topics: dict[str, list[tuple[int, float, str]]] = defaultdict(list)
    phrases: dict[str, str] = {}
    order = {name: i for i, name in enumerate(taxonomies or [])}
    for row in quote_topics:
        if row.get("issue_phrase"):
            phrases[row["quote_id"]] = row["issue_phrase"]
        if row["topic"] != UNASSIGNED:
            tax = order.get(row.get("taxonomy"), len(order))
            topics[row["quote_id"]].append((tax, -row["score"], row.get("rank") or 0, row["topic"]))
    docs = {d["doc_id"]: d for d in documents}
    spans, common = speaker_titles(mentions or [], honorifics)
    ordered = sorted(quotes, key=lambda q: (q["doc_id"], q["content_start"], q["content_end"]))
    # a title a quote of the article found for the speaker ("The Foreign Secretary, Liz Truss")
    # holds for the speaker's other quotes there ("Ms Truss said")
    described: dict[tuple[str, str], str] = {}
    for q in ordered:
        if q.get("speaker_title") and q.get("speaker_entity_id"):
            described.setdefault((q["doc_id"], q["speaker_entity_id"]), q["speaker_title"])
    rows = []
    for q in ordered:
        title = q.get("speaker_title")
        if title is None and q.get("speaker_start") is not None:
            for start, end, t in spans.get(q["doc_id"], []):
                if start < q["speaker_end"] and q["speaker_start"] < end:
                    title = t
                    break
        if title is None and q.get("speaker_entity_id"):
            key = (q["doc_id"], q["speaker_entity_id"])
            title = common.get(key) or described.get(key)
        doc = docs.get(q["doc_id"], {})
        ranked = list(dict.fromkeys(t[-1] for t in sorted(topics.get(q["quote_id"], []))))
        rows.append({
            "quote_id": q["quote_id"], "doc_id": q["doc_id"],
            "speaker": q.get("speaker"),
            "speaker_entity_id": q.get("speaker_entity_id"), "speaker_title": title,
            "speaker_gender": q.get("speaker_gender"), "gender_evidence": q.get("gender_evidence"),
            "speaker_text": q.get("speaker_text"), "resolution": q.get("resolution"),
            "type": q["type"], "kind": q.get("kind") or "speech", "cue": q.get("cue"), "content": q["content"],
            "content_plain": q.get("content_plain") or q["content"],
            "content_spans": q.get("content_spans") or [{"start": q["content_start"], "end": q["content_end"]}],
            "topics": ranked or [UNASSIGNED], "issue_phrase": phrases.get(q["quote_id"]),
            "content_start": q["content_start"], "content_end": q["content_end"],
            "date": doc.get("date"), "source": doc.get("source"),
        })
    return rows


def configured_taxonomies(config_dir: Path) -> list[str]:
    """The taxonomies in configs/topics.toml, in order (the order of claims.topics)."""
    path = Path(config_dir) / "topics.toml"
    names = load_toml(path).get("taxonomies", []) if path.exists() else []
    return [n for n in names if isinstance(n, str)]


def configured_honorifics(config_dir: Path) -> frozenset[str]:
    """The honorifics of configs/entities.toml ([linking], where they tell a name's gender), lower
    case without a dot."""
    path = Path(config_dir) / "entities.toml"
    linking = load_toml(path).get("linking", {}) if path.exists() else {}
    words = [w for key in ("male_honorifics", "female_honorifics") for w in linking.get(key, [])]
    if not all(isinstance(w, str) for w in words):
        raise ConfigError(f"{path}: [linking] male_honorifics and female_honorifics must be lists of strings")
    return frozenset(w.lower().rstrip(".") for w in words)


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    out_dir = Path(out_dir)
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, out_dir, config_files=config_files(config_dir, STAGE))   # topics.toml: the order
    for spec, stage in ((QUOTES, "quotes"), (QUOTE_TOPICS, "topics")):
        if not table_path(spec, out_dir).exists():
            raise PipelineError(f"{table_path(spec, out_dir)}: missing; run the '{stage}' stage first")
    quotes = read_table(QUOTES, out_dir).to_pylist()
    quote_topics = read_table(QUOTE_TOPICS, out_dir, columns=["quote_id", "taxonomy", "topic", "rank", "score",
                                                              "issue_phrase"]).to_pylist()
    documents = read_table(DOCUMENTS, out_dir, columns=["doc_id", "date", "source"]).to_pylist()
    mentions = None
    if table_path(MENTIONS, out_dir).exists():
        mentions = read_table(MENTIONS, out_dir, columns=["doc_id", "start", "end", "title", "title_start",
                                                         "entity_id"]).to_pylist()
    tagged = {row["quote_id"] for row in quote_topics}
    stale = [q["quote_id"] for q in quotes if q["quote_id"] not in tagged]
    if stale:   # `topics` writes at least one row per quote: these quotes are newer than its run
        raise PipelineError(f"{table_path(QUOTE_TOPICS, out_dir)}: {len(stale)} quotes have no topic row "
                            f"(e.g. {stale[0]}); quote_topics is older than quotes: rerun the 'topics' stage")
    rows = build_claims(quotes, quote_topics, documents, mentions, configured_taxonomies(config_dir),
                        configured_honorifics(config_dir))
    write_table(CLAIMS, rows, out_dir)
    record.rows = {"claims": len(rows),
                   "with_speaker": sum(1 for r in rows if r["speaker"]),
                   "with_topic": sum(1 for r in rows if r["topics"] != [UNASSIGNED])}
    return record.write()
