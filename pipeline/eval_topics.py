"""Scoring topic tagging against the seed gold quotes (`seed_quotes.jsonl`).

Two measures, both micro-F1 over (quote, topic) pairs of the *required* gold records:
- on predicted quotes: `quotes.parquet` + `quote_topics.parquet` in the output folder; a predicted
  quote matches a gold record of the same document when their spans overlap by more than 30% of
  the gold span (one-to-one, largest overlap first); a required gold record with no match counts
  its topics as misses; predicted quotes matching no required record are not counted;
- on the gold quotes themselves (`tag_gold_quotes`): the gold content spans tagged directly, which
  measures the taxonomy alone, whatever the quotes stage finds.
Only the topics of the taxonomy the gold is written in count (the one whose ids the gold uses:
`israel_russia` for the seeds); the other taxonomies that run beside it are not scored here.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from .config import DEFAULT_SHARED_DIR
from .eval_quotes import match_one_to_one, span_chars
from .io import read_frame, table_path
from .schemas import QUOTE_TOPICS, QUOTES
from .topics import UNASSIGNED, load_settings, tag_quotes

OVERLAP = 0.30


def load_gold_quotes(gold_path: Path) -> list[dict]:
    with Path(gold_path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def gold_taxonomy(gold: list[dict], config_dir: Path | None = None) -> str | None:
    """The configured taxonomy whose topic ids the gold uses most (None when none does)."""
    settings = load_settings(config_dir)
    wanted = Counter(t for g in gold for t in g.get("topics", []))
    best = max(settings.taxonomies, key=lambda tax: sum(wanted[t] for t in tax.tagger.labels), default=None)
    return best.id if best is not None and any(wanted[t] for t in best.tagger.labels) else None


def tag_gold_quotes(out_dir: Path, gold_path: Path, config_dir: Path | None = None) -> list[dict]:
    """quote_topics rows for the gold quotes (quote_id = the gold record's id)."""
    gold = load_gold_quotes(gold_path)
    quotes = [{"quote_id": g["id"], "doc_id": g["doc_id"], "content_start": g["start"],
               "content_end": g["end"]} for g in gold]
    return tag_quotes(Path(out_dir), quotes, load_settings(config_dir))


def match_quotes(predicted: list[dict], gold: list[dict]) -> dict[str, str]:
    """gold id -> predicted quote_id: same document, overlap > 30% of the gold span, one-to-one
    (the quotes scorer's matching, so topics are scored on the same pairs)."""
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for p in predicted:
        by_doc[p["doc_id"]].append(p)
    gold_by_doc: dict[str, list[dict]] = defaultdict(list)
    for g in gold:
        gold_by_doc[g["doc_id"]].append(g)
    matched = {}
    for doc_id, golds in gold_by_doc.items():
        preds = by_doc.get(doc_id, [])
        pairs = match_one_to_one([span_chars([(g["start"], g["end"])]) for g in golds],
                                 [span_chars([(p["content_start"], p["content_end"])]) for p in preds], OVERLAP)
        matched.update({golds[g]["id"]: preds[p]["quote_id"] for g, p in pairs.items()})
    return matched


def micro_f1(gold: list[dict], predicted_topics: dict[str, set[str]], matched: dict[str, str]) -> dict:
    """Micro P/R/F1 over (gold record, topic) pairs of the required records."""
    tp = fp = fn = 0
    misses = []
    for g in gold:
        if not g.get("required", True):
            continue
        truth = set(g["topics"])
        qid = matched.get(g["id"])
        got = set(predicted_topics.get(qid, set())) - {UNASSIGNED} if qid is not None else set()
        tp += len(truth & got)
        fp += len(got - truth)
        fn += len(truth - got)
        if got != truth:
            misses.append({"id": g["id"], "doc_id": g["doc_id"], "gold": sorted(truth),
                           "predicted": sorted(got), "matched": qid is not None,
                           "content": g["content"][:120]})
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"metrics": {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 4),
                        "recall": round(recall, 4), "micro_f1": round(f1, 4)},
            "misses": misses}


def _topics_by_quote(rows: list[dict], taxonomy: str | None = None) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if taxonomy is None or row.get("taxonomy", taxonomy) == taxonomy:
            out[row["quote_id"]].add(row["topic"])
    return out


def score_gold_quotes(out_dir: Path, gold_path: Path, config_dir: Path | None = None) -> dict:
    """Topic micro-F1 of the taxonomy on the gold quote spans themselves."""
    gold = load_gold_quotes(gold_path)
    rows = tag_gold_quotes(out_dir, gold_path, config_dir)
    taxonomy = gold_taxonomy(gold, config_dir)
    return micro_f1(gold, _topics_by_quote(rows, taxonomy), {g["id"]: g["id"] for g in gold})


def score_topics(out_dir: Path, gold_path: Path, config_dir: Path | None = None) -> dict:
    """{"metrics": {...}, "misses": [...]}: topics on predicted quotes (when quotes and
    quote_topics exist in out_dir), and on the gold quotes directly (`gold_quotes_*` keys)."""
    out_dir = Path(out_dir)
    gold = load_gold_quotes(gold_path)
    docs = set(read_frame(QUOTES, out_dir, columns=["doc_id"]).doc_id) if table_path(QUOTES, out_dir).exists() else None
    result: dict = {"metrics": {}, "misses": []}
    if docs is not None and table_path(QUOTE_TOPICS, out_dir).exists():
        predicted = read_frame(QUOTES, out_dir, columns=["quote_id", "doc_id", "content_start",
                                                         "content_end"]).to_dict("records")
        topics = read_frame(QUOTE_TOPICS, out_dir, columns=["quote_id", "taxonomy", "topic"]).to_dict("records")
        matched = match_quotes(predicted, gold)
        scored = micro_f1(gold, _topics_by_quote(topics, gold_taxonomy(gold, config_dir)), matched)
        result["metrics"].update(scored["metrics"])
        result["metrics"]["required_matched"] = sum(1 for g in gold if g.get("required", True) and g["id"] in matched)
        result["metrics"]["required"] = sum(1 for g in gold if g.get("required", True))
        result["misses"] = scored["misses"]
    on_gold = score_gold_quotes(out_dir, gold_path, config_dir)
    result["metrics"].update({f"gold_quotes_{k}": v for k, v in on_gold["metrics"].items()})
    result["gold_quotes_misses"] = on_gold["misses"]
    return result


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.eval_topics")
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--gold", type=Path,
                        default=DEFAULT_SHARED_DIR / "gold" / "seed_quotes.jsonl")
    args = parser.parse_args(argv)
    print(json.dumps(score_topics(args.output, args.gold, args.config), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
