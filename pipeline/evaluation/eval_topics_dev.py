"""Development harness for a document taxonomy (not used by the pipeline or the tests).

    python -m pipeline.evaluation.eval_topics_dev --set nyt --out /work/cache/out/topics_nyt \
        --gold ../shared/topics/nyt_headlines_dev.jsonl [--taxonomy configs/topics/cap.toml] [--adaptive]

Reads the parsed documents of a pipeline output folder (`tokens.parquet`, `lines.parquet` for the
headline), tags each with `TopicTagger.tag_document` (and, with --adaptive, `adapt_scores` over the
whole set), and prints accuracy of the top topic against the gold `major_topic` (an unassigned or
missing document counts as wrong), macro-F1, coverage, precision at coverage and the confusions.
Records the `clean` stage dropped (one-line headlines taken for boilerplate) have no tokens: with
--parse-missing they are parsed here from the gold text (their share is printed either way).
The rebuilt documents are cached as a DocBin in --cache (default: no cache).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.core.config import DEFAULT_CONFIG_DIR
from pipeline.steps.docs import doc_from_columns, iter_parsed_docs, shared_vocab
from pipeline.steps.topic_tagger import adapt_scores, document_features, load_taxonomy


def _load_docs(out_dir: Path, gold: dict[str, dict], parse_missing: bool, cache: Path | None):
    from spacy.tokens import DocBin

    vocab = shared_vocab()
    if cache and cache.exists():
        bin_ = DocBin().from_bytes(cache.read_bytes())
        meta = json.loads(cache.with_suffix(".json").read_text())
        return dict(zip(meta["ids"], bin_.get_docs(vocab))), {k: int(v) for k, v in meta["title_end"].items()}, meta["missing"]
    lines = pd.read_parquet(out_dir / "lines.parquet", columns=["doc_id", "end", "label", "kept"])
    title_char_end = lines[(lines.label == "title") & lines.kept].groupby("doc_id")["end"].max().to_dict()
    docs, title_end = {}, {}
    for parsed in iter_parsed_docs(out_dir):
        docs[parsed.doc_id] = parsed.doc
        end = title_char_end.get(parsed.doc_id)
        title_end[parsed.doc_id] = int(np.searchsorted(parsed.token_starts, end, side="left")) if end is not None else 0
    missing = [i for i in gold if i not in docs]
    if parse_missing and missing:
        from pipeline.core.config import load_stage_config
        from pipeline.steps.parse import build_nlp

        nlp = build_nlp(load_stage_config(None, "parse"))
        for doc_id, model_doc in zip(missing, nlp.pipe([gold[i]["text"] for i in missing])):
            docs[doc_id] = doc_from_columns(vocab, {
                "text": [t.text for t in model_doc], "whitespace": [t.whitespace_ for t in model_doc],
                "lemma": [t.lemma_ for t in model_doc], "pos": [t.pos_ for t in model_doc],
                "tag": [t.tag_ for t in model_doc], "morph": [str(t.morph) for t in model_doc],
                "dep": [t.dep_ for t in model_doc], "head": [t.head.i for t in model_doc],
                "ent_iob": [t.ent_iob_ for t in model_doc], "ent_type": [t.ent_type_ for t in model_doc]})
            title_end[doc_id] = 0
    if cache:
        ids = list(docs)
        bin_ = DocBin(attrs=["ORTH", "LEMMA", "POS", "TAG", "MORPH", "DEP", "HEAD", "ENT_IOB", "ENT_TYPE", "SPACY"])
        for i in ids:
            bin_.add(docs[i])
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(bin_.to_bytes())
        cache.with_suffix(".json").write_text(json.dumps({"ids": ids, "title_end": title_end, "missing": missing}))
    return docs, title_end, missing


def metrics(gold: dict[str, str], predicted: dict[str, str | None]) -> dict:
    n = len(gold)
    assigned = [i for i in gold if predicted.get(i)]
    correct = sum(1 for i in gold if predicted.get(i) == gold[i])
    f1s = []
    for c in sorted(set(gold.values())):
        tp = sum(1 for i in gold if gold[i] == c and predicted.get(i) == c)
        fp = sum(1 for i in gold if gold[i] != c and predicted.get(i) == c)
        fn = sum(1 for i in gold if gold[i] == c and predicted.get(i) != c)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {"n": n, "accuracy": correct / n, "macro_f1": float(np.mean(f1s)), "coverage": len(assigned) / n,
            "precision_at_coverage": correct / len(assigned) if assigned else 0.0}


def confusion(gold: dict[str, str], predicted: dict[str, str | None], labels: dict[str, str]) -> str:
    rows = defaultdict(Counter)
    for i, g in gold.items():
        rows[g][predicted.get(i) or "-"] += 1
    out = [f"{'gold':>8} {'n':>5} {'recall':>6} {'prec':>5}  top confusions (predicted: count)"]
    pred_counts = Counter(p for p in predicted.values() if p)
    for g in sorted(rows, key=lambda t: int(t.split(":")[1])):
        n = sum(rows[g].values())
        tp = rows[g][g]
        prec = tp / pred_counts[g] if pred_counts[g] else 0.0
        others = ", ".join(f"{p}:{c}" for p, c in rows[g].most_common(6) if p != g)
        out.append(f"{g:>8} {n:>5} {tp / n:6.2f} {prec:5.2f}  {labels.get(g, '')[:18]:18} {others}")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--taxonomy", type=Path, default=DEFAULT_CONFIG_DIR / "topics" / "cap.toml")
    ap.add_argument("--adaptive", action="store_true")
    ap.add_argument("--parse-missing", action="store_true")
    ap.add_argument("--cache", type=Path)
    ap.add_argument("--errors", type=int, default=0, help="print this many wrong documents")
    args = ap.parse_args(argv)

    gold_rows = {}
    with args.gold.open() as fh:
        for line in fh:
            row = json.loads(line)
            gold_rows[row["id"]] = row
    taxonomy = load_taxonomy(args.taxonomy)
    prefix = (taxonomy.taxonomy or "cap") + ":"
    gold = {i: f"{prefix}{r['major_topic']}" for i, r in gold_rows.items()}
    t0 = time.perf_counter()
    docs, title_end, missing = _load_docs(args.out, gold_rows, args.parse_missing, args.cache)
    t1 = time.perf_counter()
    ids = [i for i in gold if i in docs]
    scores = [taxonomy.document_scores(docs[i], title_end.get(i, 0)) for i in ids]
    t2 = time.perf_counter()
    results = {"lexicon": scores}
    if args.adaptive:
        feats = [document_features(docs[i]) for i in ids]
        results["adaptive"] = adapt_scores(feats, scores, taxonomy.adaptive, taxonomy.doc_scoring["doc_threshold"])
    t3 = time.perf_counter()
    parsed_here = sum(1 for i in missing if i in docs)
    print(f"{args.out.name}: {len(gold)} gold records, {len(missing)} without tokens ({parsed_here} parsed here, "
          f"{len(missing) - parsed_here} counted wrong); load {t1 - t0:.1f}s, "
          f"tag {t2 - t1:.1f}s ({(t2 - t1) / max(1, len(ids)) * 1000:.2f} ms/doc), adaptive {t3 - t2:.1f}s")
    threshold = taxonomy.doc_scoring["doc_threshold"]
    for name, sc in results.items():
        predicted = {}
        for i, s in zip(ids, sc):
            if s and max(s.values()) >= threshold:
                predicted[i] = max(s, key=lambda t: (s[t], -list(taxonomy.labels).index(t)))
        m = metrics(gold, predicted)
        print(f"  {name:9} accuracy {m['accuracy']:.4f}  macro-F1 {m['macro_f1']:.4f}  coverage {m['coverage']:.4f}  "
              f"precision@coverage {m['precision_at_coverage']:.4f}")
        last = predicted
    print(confusion(gold, last, taxonomy.labels))
    if args.errors:
        wrong = [i for i in ids if last.get(i) != gold[i]]
        rng = np.random.default_rng(0)
        for i in rng.choice(wrong, size=min(args.errors, len(wrong)), replace=False):
            s = results[list(results)[-1]][ids.index(i)]
            top = sorted(s.items(), key=lambda kv: -kv[1])[:3]
            print(f"  {gold[i]:>7} -> {str(last.get(i)):>7} {top} | {docs[i].text[:150]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
