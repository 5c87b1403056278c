"""Scoring topic tagging against the seed gold quotes (`seed_quotes.jsonl`).

Two measures, both micro-F1 over (quote, topic) pairs of the *required* gold records:
- on predicted quotes: `quotes.parquet` + `quote_topics.parquet` in the output folder; a predicted
  quote matches a gold record of the same document when their spans overlap by more than 30% of
  the gold span (one-to-one, largest overlap first); a required gold record with no match counts
  its topics as misses; predicted quotes matching no required record are not counted;
- on the gold quotes themselves (`tag_gold_quotes`): the gold content spans tagged directly, which
  measures the taxonomy alone, whatever the quotes stage finds.
`score_doc_topics` scores articles instead: the top `doc_topics` row of each record of a labelled
JSONL ({id, text, major_topic}) against its label (`python -m pipeline eval --topics FILE`).

Only the topics of the taxonomy the gold is written in count (the one whose ids the gold uses:
`israel_russia` for the seeds); the other taxonomies that run beside it are not scored here.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.core.config import DEFAULT_SHARED_DIR
from pipeline.evaluation.eval_quotes import match_by_pieces, span_chars
from pipeline.core.schemas import content_pieces
from pipeline.core.io import read_frame, table_path
from pipeline.core.errors import PipelineError
from pipeline.core.schemas import DOC_TOPICS, QUOTE_TOPICS, QUOTES
from pipeline.steps.topics import UNASSIGNED, load_settings, tag_quotes

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
        pairs = match_by_pieces([span_chars([(g["start"], g["end"])]) for g in golds],
                                [content_pieces(p) for p in preds], OVERLAP)
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
                                                         "content_end", "content_spans"]).to_dict("records")
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

    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluation.eval_topics")
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--gold", type=Path,
                        default=DEFAULT_SHARED_DIR / "gold" / "seed_quotes.jsonl")
    args = parser.parse_args(argv)
    print(json.dumps(score_topics(args.output, args.gold, args.config), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# --------------------------------------------------------------------------------------------
# Article topics against any labelled JSONL ({id, text, major_topic}): `eval --topics FILE`

def read_labelled(path: Path, limit: int | None = None) -> list[dict]:
    """Records {id, text, major_topic} of a labelled JSONL file; a malformed line names its number."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: labelled topic file not found")
    records = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise PipelineError(f"{path}:{number}: malformed JSON: {exc}") from None
            if not isinstance(record, dict) or not isinstance(record.get("id"), (str, int)) \
                    or not isinstance(record.get("text"), str) or record.get("major_topic") in (None, ""):
                raise PipelineError(f"{path}:{number}: a record needs 'id', 'text' and 'major_topic'")
            records.append(record)
            if limit and len(records) >= limit:
                break
    if not records:
        raise PipelineError(f"{path}: no records")
    return records


def gold_topic(value, taxonomy: str) -> str:
    """The gold label as a topic id: a CAP code 19 -> `cap:19`; an id already prefixed stays."""
    text = str(value)
    return text if ":" in text or taxonomy != "cap" else f"{taxonomy}:{text}"


def score_labelled(gold: dict[str, str], predicted: dict[str, str], confusions: int = 15) -> dict:
    """Accuracy, macro-F1 over the gold classes, coverage, precision at coverage, per class and the
    commonest confusions, for doc_id -> gold topic and doc_id -> predicted top topic
    (`unassigned` or absent counts as no answer)."""
    n = len(gold)
    answered = {d: predicted[d] for d in gold if predicted.get(d, UNASSIGNED) != UNASSIGNED}
    correct = sum(1 for d, t in answered.items() if gold[d] == t)
    classes = sorted(set(gold.values()), key=_code_order)
    per_class, f1s = {}, []
    for c in classes:
        tp = sum(1 for d, g in gold.items() if g == c and answered.get(d) == c)
        n_gold = sum(1 for g in gold.values() if g == c)
        n_pred = sum(1 for t in answered.values() if t == c)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        per_class[c] = {"gold": n_gold, "predicted": n_pred, "precision": round(p, 4), "recall": round(r, 4),
                        "f1": round(f1, 4)}
    pairs = Counter((gold[d], predicted.get(d, UNASSIGNED)) for d in gold if gold[d] != predicted.get(d))
    matrix: dict[str, Counter] = defaultdict(Counter)
    for d, g in gold.items():
        matrix[g][predicted.get(d, UNASSIGNED)] += 1
    for c in classes:
        wrong = [(p, k) for p, k in matrix[c].most_common() if p != c]
        per_class[c]["most_confused_with"] = f"{wrong[0][0]} ({wrong[0][1]})" if wrong else "—"
    return {
        "metrics": {"documents": n, "accuracy": round(correct / n, 4) if n else 0.0,
                    "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
                    "coverage": round(len(answered) / n, 4) if n else 0.0,
                    "precision_at_coverage": round(correct / len(answered), 4) if answered else 0.0,
                    "per_class": per_class},
        "confusions": [{"gold": g, "predicted": p, "count": c} for (g, p), c in pairs.most_common(confusions)],
        "confusion_matrix": {g: dict(row) for g, row in sorted(matrix.items(), key=lambda x: _code_order(x[0]))},
    }


def _code_order(topic: str):
    tail = topic.rsplit(":", 1)[-1]
    return (0, int(tail), topic) if tail.isdigit() else (1, 0, topic)


def score_doc_topics(out_dir: Path, labelled: Path | list[dict], taxonomy: str = "cap") -> dict:
    """The top `doc_topics` row of each labelled document (in `taxonomy`) against its gold label.
    A document the pipeline dropped (rejected, or no body) counts as unassigned."""
    records = read_labelled(labelled) if isinstance(labelled, (str, Path)) else labelled
    gold = {str(r["id"]): gold_topic(r["major_topic"], taxonomy) for r in records}
    if not table_path(DOC_TOPICS, out_dir).exists():
        raise PipelineError(f"{table_path(DOC_TOPICS, out_dir)}: missing; run the 'topics' stage first")
    rows = read_frame(DOC_TOPICS, out_dir, columns=["doc_id", "taxonomy", "topic", "rank"])
    rows = rows[(rows["taxonomy"] == taxonomy) & (rows["rank"] == 1)]
    if rows.empty:
        raise PipelineError(f"{table_path(DOC_TOPICS, out_dir)}: no row of taxonomy '{taxonomy}' "
                            f"(is it listed in configs/topics.toml?)")
    predicted = dict(zip(rows["doc_id"], rows["topic"]))
    result = score_labelled(gold, predicted)
    result["metrics"]["taxonomy"] = taxonomy
    result["metrics"]["reached_doc_topics"] = sum(1 for d in gold if d in predicted)
    return result


def unassigned_share(out_dir: Path) -> dict:
    """Per taxonomy, the share of quotes left `unassigned`; and what topics plus claims cost
    against the parse, from the stage manifests (each stage records its seconds)."""
    rows = read_frame(QUOTE_TOPICS, out_dir, columns=["quote_id", "taxonomy", "topic"])
    metrics: dict = {}
    for taxonomy, group in rows.groupby("taxonomy", sort=False):
        quotes = group["quote_id"].nunique()
        bare = group.loc[group["topic"] == UNASSIGNED, "quote_id"].nunique()
        metrics[taxonomy] = {"quotes": quotes, "unassigned": bare,
                             "unassigned_share": round(bare / quotes, 4) if quotes else 0.0}
    cost = stage_cost(out_dir)
    if cost:
        metrics["cost"] = cost
    return {"metrics": metrics}


def stage_cost(out_dir: Path) -> dict:
    """Seconds of topics + claims against parse, from OUT/manifest/<stage>.json."""
    seconds = {}
    for stage in ("parse", "topics", "claims"):
        path = Path(out_dir) / "manifest" / f"{stage}.json"
        if not path.exists():
            return {}
        seconds[stage] = float(json.loads(path.read_text(encoding="utf-8")).get("seconds", 0.0))
    ratio = (seconds["topics"] + seconds["claims"]) / seconds["parse"] if seconds["parse"] else 0.0
    return {"seconds_parse": seconds["parse"], "seconds_topics": seconds["topics"],
            "seconds_claims": seconds["claims"], "topics_claims_vs_parse": round(ratio, 4)}
