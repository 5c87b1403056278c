"""Scoring `quotes.speaker_gender` against a gender gold built at run time from the shared gold.

    python -m pipeline.evaluation.eval_gender --out DIR [--seeds] [--polnear dev|train|FILE] [--shared DIR]

The gold is built from annotations only, never from the system's output: a speaker's gender is
stated by the article when a gold source as written is a personal pronoun ("he", "she", "him",
"her") or a name with an honorific ("Mr. Comey", "Mrs. Clinton", "Ms. Roe"). Then
- PolNeAR (`polnear_dev_speakers.jsonl` beside PolNeAR dev): every attribution of that speaker
  (same document, same canonical `person`) has that gender; a speaker stated both ways is left out;
- PolNeAR without canonical speakers (train): only the attributions whose source is such a
  pronoun or honorific;
- seeds (`seed_quotes.jsonl`): every record of the same document and canonical speaker.
Predictions are matched to gold attributions as for quotes (more than 30% of the gold content,
one-to-one); the figure is the share of matched gold attributions whose predicted
`speaker_gender` is the gold one (`unknown` or none counts as wrong).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.evaluation.eval_quotes import content_pieces, load_predictions, match_by_pieces, match_one_to_one, span_chars
from pipeline.evaluation.polnear import read_split

PRONOUNS = {"he": "male", "him": "male", "she": "female", "her": "female"}
HONORIFIC_RE = re.compile(r"^(?:(Mr|Sir)|(Mrs|Ms|Miss))\.?\s+[A-Z]")
THRESHOLD = 0.3


def stated_gender(source_text: str | None) -> str | None:
    """The gender a source as written states: a personal pronoun or an honorific; else None."""
    if not source_text:
        return None
    text = " ".join(source_text.split())
    if text.lower() in PRONOUNS:
        return PRONOUNS[text.lower()]
    m = HONORIFIC_RE.match(text)
    if m:
        return "male" if m.group(1) else "female"
    return None


def _speaker_genders(keys_and_sources) -> dict:
    """(doc_id, canonical) -> gender from every source as written of that speaker; a speaker
    stated both ways is dropped."""
    seen: dict[tuple, set] = defaultdict(set)
    for key, source in keys_and_sources:
        gender = stated_gender(source)
        if gender is not None:
            seen[key].add(gender)
    return {key: next(iter(g)) for key, g in seen.items() if len(g) == 1}


def polnear_gender_gold(polnear_jsonl: Path, speakers_jsonl: Path | None = None) -> dict[str, list[dict]]:
    """doc_id -> gold attributions with a stated gender: {"chars", "gender", "source_text"}."""
    records = read_split(polnear_jsonl)
    canonical: dict[tuple[str, int], dict] = {}
    if speakers_jsonl is not None and Path(speakers_jsonl).exists():
        for line in Path(speakers_jsonl).open(encoding="utf-8"):
            if line.strip():
                g = json.loads(line)
                canonical[(g["doc_id"], g["i"])] = g
    by_speaker = {}
    if canonical:
        by_speaker = _speaker_genders(((g["doc_id"], g["canonical"].lower()), g["source_text"])
                                      for g in canonical.values() if g["kind"] == "person")
    gold: dict[str, list[dict]] = {}
    for record in records:
        items = []
        for i, a in enumerate(record["attributions"]):
            if not a.get("content"):
                continue
            g = canonical.get((record["doc_id"], i))
            if g is not None:
                gender = by_speaker.get((record["doc_id"], g["canonical"].lower())) if g["kind"] == "person" else None
            elif canonical:
                gender = None
            else:
                gender = stated_gender(a.get("source_text"))
            if gender is not None:
                items.append({"chars": span_chars(a["content"]), "gender": gender,
                              "source_text": a.get("source_text"), "i": i})
        gold[record["doc_id"]] = items
    return gold


def seed_gender_gold(seed_quotes: Path) -> dict[str, list[dict]]:
    rows = [json.loads(line) for line in Path(seed_quotes).open(encoding="utf-8") if line.strip()]
    by_speaker = _speaker_genders(((r["doc_id"], (r["speaker"] or "").lower()), r.get("speaker_mention"))
                                  for r in rows if r.get("speaker"))
    gold: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        gender = by_speaker.get((r["doc_id"], (r["speaker"] or "").lower()))
        if gender is not None:
            gold[r["doc_id"]].append({"chars": span_chars([(r["start"], r["end"])]), "gender": gender,
                                      "source_text": r.get("speaker_mention"), "i": r["id"]})
    return dict(gold)


def score_gender(gold: dict[str, list[dict]], preds: dict[str, list[dict]], by_pieces: bool = False) -> dict:
    """Gender accuracy over the gold records a prediction matches; `by_pieces`: gold annotated
    piece by piece (the seed gold), found by the row one of whose content pieces covers it."""
    counts, confusion, wrong = Counter(), Counter(), []
    for doc_id, items in sorted(gold.items()):
        doc_preds = preds.get(doc_id, [])
        if by_pieces:
            pairs = match_by_pieces([g["chars"] for g in items], [content_pieces(p) for p in doc_preds], THRESHOLD)
        else:
            pairs = match_one_to_one([g["chars"] for g in items], [span_chars(content_pieces(p)) for p in doc_preds],
                                     THRESHOLD)
        for gi, g in enumerate(items):
            counts["gold"] += 1
            if gi not in pairs:
                continue
            p = doc_preds[pairs[gi]]
            predicted = p.get("speaker_gender") or "none"
            counts["matched"] += 1
            counts["right"] += predicted == g["gender"]
            confusion[f"{g['gender']}->{predicted}"] += 1
            if predicted != g["gender"]:
                wrong.append({"doc_id": doc_id, "gold": g["gender"], "predicted": predicted,
                              "evidence": p.get("gender_evidence"), "source_text": g["source_text"],
                              "speaker": p.get("speaker"), "text": (p.get("content") or "")[:100]})
    m = counts["matched"]
    return {"metrics": {"gender_accuracy": round(counts["right"] / m, 4) if m else None,
                        "gold_attributions": counts["gold"], "matched": m, "right": counts["right"],
                        "confusion": dict(sorted(confusion.items()))},
            "wrong_gender": wrong}


def _skip(path: Path) -> dict:
    return {"skipped": f"{path}: not found (the shared gold folder is absent)", "metrics": {}}


def score_seed_gender(out_dir: Path, seed_quotes: Path) -> dict:
    """Gender on the seed speakers whose gender a seed states by pronoun or honorific."""
    if not Path(seed_quotes).exists():
        return _skip(seed_quotes)
    return score_gender(seed_gender_gold(seed_quotes), load_predictions(Path(out_dir)), by_pieces=True)


def score_polnear_gender(out_dir: Path, polnear_jsonl: Path, speakers_jsonl: Path | None = None) -> dict:
    """Gender on PolNeAR speakers stated by pronoun or honorific (all their attributions when
    the canonical-speaker gold is given and covers this split)."""
    if not Path(polnear_jsonl).exists():
        return _skip(polnear_jsonl)
    speakers = speakers_jsonl if speakers_jsonl is not None and Path(speakers_jsonl).exists() else None
    if speakers is not None:
        ids = {json.loads(line)["doc_id"] for line in Path(speakers).open(encoding="utf-8") if line.strip()}
        if not ids & {r["doc_id"] for r in read_split(polnear_jsonl)}:
            speakers = None          # the canonical gold is for another split
    result = score_gender(polnear_gender_gold(polnear_jsonl, speakers), load_predictions(Path(out_dir)))
    result["metrics"]["gold_from"] = "canonical speakers" if speakers else "sources as written"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluation.eval_gender", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="output folder holding quotes.parquet")
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2].parent / "shared")
    parser.add_argument("--seeds", action="store_true", help="score the seed gold")
    parser.add_argument("--polnear", default=None, help="dev, train or a PolNeAR .jsonl path")
    parser.add_argument("--show", type=int, default=10, help="wrong genders to list")
    args = parser.parse_args(argv)
    from pipeline.evaluation.polnear import split_path

    results = {}
    if args.seeds:
        results["seeds"] = score_seed_gender(args.out, args.shared / "gold" / "seed_quotes.jsonl")
    if args.polnear:
        results["polnear"] = score_polnear_gender(args.out, split_path(args.shared, args.polnear),
                                                  args.shared / "gold" / "polnear_dev_speakers.jsonl")
    for name, result in results.items():
        print(name, json.dumps(result["metrics"]) if "metrics" in result else result)
        for item in result.get("wrong_gender", [])[:args.show]:
            print("  WRONG", json.dumps(item, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
