"""`python -m pipeline show [--output DIR]`: a readable summary of `claims.parquet` in the terminal.

Per speaker: how many claims in how many documents, their title, their topics and a sample quote;
per topic: how many claims, who made them and a sample. Unattributed claims and unassigned topics
are listed as such, never hidden. A story syndicated in several near-identical copies
(`bodies.duplicate_of`) is counted once: the copies' claims are left out and the header says how
many (`--all-copies` counts them too). Claims are speech by default: thought and evidence claims
(`claims.kind`) are left out and counted in the header (`--all-kinds` counts them too).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.core.io import read_table, table_path
from pipeline.core.manifest import check_not_mixed
from pipeline.steps.quotes.marks import without_outer_marks
from pipeline.core.schemas import BODIES, CLAIMS, QUOTE_TOPICS, UNASSIGNED

NO_SPEAKER = "(no speaker found)"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)].rstrip() + "…"


def _counts(counter: Counter, limit: int) -> str:
    items = counter.most_common()
    shown = ", ".join(f"{key} {n}" for key, n in items[:limit])
    return shown + (f", +{len(items) - limit} more" if len(items) > limit else "")


def _sample(claims: list[dict]) -> dict:
    """A representative claim: a direct quote if any, then the longest content up to 200 chars."""
    return max(claims, key=lambda c: (c["type"] == "direct", min(len(c["content"]), 200), c["quote_id"]))


def summarise(claims: list[dict], topic_labels: dict[str, str] | None = None, *, speakers: int = 15,
              topics: int = 20, width: int = 100, copies: dict[str, str] | None = None,
              all_kinds: bool = False) -> str:
    """The summary as text (pure: rows in, text out). `copies`: doc_id -> the first document of the
    same story; those documents' claims are left out of every count. Claims of other kinds than
    speech (`kind` thought or evidence) are left out unless `all_kinds` (a claim without `kind`
    is speech)."""
    topic_labels = topic_labels or {}
    lines: list[str] = []
    copies = copies or {}
    other_kinds = Counter() if all_kinds else Counter(c.get("kind") for c in claims
                                                      if (c.get("kind") or "speech") != "speech")
    claims = [c for c in claims if all_kinds or (c.get("kind") or "speech") == "speech"]
    left_out = [c for c in claims if copies.get(c["doc_id"])]
    claims = [c for c in claims if not copies.get(c["doc_id"])]
    docs = {c["doc_id"] for c in claims}
    named = sum(1 for c in claims if c["speaker"])
    tagged = sum(1 for c in claims if c["topics"] and c["topics"] != [UNASSIGNED])
    lines.append(f"{len(claims)} claims from {len(docs)} documents: {named} with a speaker, "
                 f"{tagged} with a topic")
    if left_out:
        n_copies = len({c["doc_id"] for c in left_out})
        lines.append(f"(each story counted once: {len(left_out)} claims of {n_copies} near-duplicate "
                     f"cop{'ies' if n_copies != 1 else 'y'} left out; --all-copies counts them)")
    if other_kinds:
        what = ", ".join(f"{n} {k}" for k, n in sorted(other_kinds.items()))
        lines.append(f"(speech only: {sum(other_kinds.values())} claims of other kinds left out ({what}); "
                     f"--all-kinds counts them)")
    if not claims:
        return "\n".join(lines)
    wrap = textwrap.TextWrapper(width=width, initial_indent="      ", subsequent_indent="      ")

    def sample_lines(c: dict) -> list[str]:
        where = ", ".join(x for x in (c["doc_id"], c.get("source"), c.get("date")) if x)
        # (content_plain: every piece without its marks, “A,” he said. “B.” shown as “A, … B.”)
        plain = c.get("content_plain") or without_outer_marks(c["content"])
        return wrap.wrap(f"e.g. “{_clip(plain, 220)}” ({where})")

    by_speaker: dict[str, list[dict]] = defaultdict(list)
    for c in claims:
        by_speaker[c["speaker"] or NO_SPEAKER].append(c)
    order = sorted(by_speaker, key=lambda s: (s == NO_SPEAKER, -len(by_speaker[s]), s))
    lines += ["", f"BY SPEAKER ({len(by_speaker)} speakers{', top ' + str(speakers) if len(order) > speakers else ''})"]
    for speaker in order[:speakers]:
        rows = by_speaker[speaker]
        titles = Counter(c["speaker_title"] for c in rows if c.get("speaker_title"))
        title = f" ({titles.most_common(1)[0][0]})" if titles else ""
        n_docs = len({c["doc_id"] for c in rows})
        lines.append(f"  {speaker}{title}: {len(rows)} claim{'s' * (len(rows) != 1)} in {n_docs} "
                     f"document{'s' * (n_docs != 1)}")
        lines.append(f"      topics: {_counts(Counter(t for c in rows for t in c['topics']), 5)}")
        lines += sample_lines(_sample(rows))
    if len(order) > speakers:
        rest = order[speakers:]
        lines.append(f"  … {len(rest)} more speakers with {sum(len(by_speaker[s]) for s in rest)} claims")

    by_topic: dict[str, list[dict]] = defaultdict(list)
    for c in claims:
        for t in c["topics"] or [UNASSIGNED]:
            by_topic[t].append(c)
    order = sorted(by_topic, key=lambda t: (t == UNASSIGNED, -len(by_topic[t]), t))
    lines += ["", f"BY TOPIC ({len(by_topic)} topics)"]
    for topic in order[:topics]:
        rows = by_topic[topic]
        label = topic_labels.get(topic)
        lines.append(f"  {topic}{' — ' + label if label and label != topic else ''}: {len(rows)} "
                     f"claim{'s' * (len(rows) != 1)}")
        lines.append(f"      speakers: {_counts(Counter(c['speaker'] or NO_SPEAKER for c in rows), 5)}")
        lines += sample_lines(_sample(rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline show", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("outputs"), help="output folder (default: outputs)")
    parser.add_argument("--speakers", type=int, default=15, help="speakers to list (default 15)")
    parser.add_argument("--topics", type=int, default=20, help="topics to list (default 20)")
    parser.add_argument("--doc", default=None, help="only claims of this doc_id")
    parser.add_argument("--all-copies", action="store_true",
                        help="count the claims of near-duplicate copies of a story too (default: each story once)")
    parser.add_argument("--all-kinds", action="store_true",
                        help="count thought and evidence claims too (claims.kind; default: speech only)")
    args = parser.parse_args(argv)
    try:
        if not table_path(CLAIMS, args.output).exists():
            raise PipelineError(f"{table_path(CLAIMS, args.output)}: missing; run `python -m pipeline run` "
                                f"(or the 'claims' stage) first")
        check_not_mixed(args.output)
        claims = read_table(CLAIMS, args.output).to_pylist()
        labels = {}
        if table_path(QUOTE_TOPICS, args.output).exists():
            for row in read_table(QUOTE_TOPICS, args.output, columns=["topic", "label"]).to_pylist():
                labels[row["topic"]] = row["label"]
        copies = {}
        if not args.all_copies and table_path(BODIES, args.output).exists():
            copies = {r["doc_id"]: r["duplicate_of"] for r in
                      read_table(BODIES, args.output, columns=["doc_id", "duplicate_of"]).to_pylist() if r["duplicate_of"]}
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.doc:
        claims = [c for c in claims if c["doc_id"] == args.doc]
    width = min(110, shutil.get_terminal_size((100, 20)).columns)
    print(f"Claims in {args.output}")
    print(summarise(claims, labels, speakers=args.speakers, topics=args.topics, width=width, copies=copies,
                    all_kinds=args.all_kinds))
    return 0
