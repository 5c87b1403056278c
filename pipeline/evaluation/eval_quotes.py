"""Scoring `quotes.parquet`: against the seed gold, against PolNeAR, and textacy side by side.

    python -m pipeline.evaluation.eval_quotes --out DIR [--gold FILE] [--polnear FILE] [--no-textacy] [--json]

Every scorer returns a plain dict with `metrics` and `misses` / `false_alarms` lists, so that
`python -m pipeline eval` can call them and print or store them.

Matching conventions
- Seed gold (../shared/gold/README.md): a prediction matches a gold record of the same document
  when one of its content pieces (`content_spans`) overlaps more than 30% of the gold span,
  one-to-one between gold records and pieces (greedy, best overlap first): the seed gold
  annotates `“A,” he said. “B.”` as two records, which one row of two pieces finds. Only
  `required` records count; a prediction matching a non-required record is ignored (neither
  rewarded nor punished); so is a thought or evidence row (`kind`) matching none, since the seed
  gold annotates speech only (counted: `other_kinds_set_aside`). Speaker right: canonical names
  equal case-insensitively (’ = '),
  or, for a person, the same surname.
- PolNeAR (GGT-style): a gold attribution is found when a prediction covers more than 30% (also
  reported: 80%) of its content characters (spans may be discontinuous: gold and predicted content are compared as the characters of their
  pieces, never the hull), one-to-one. "quoted" =
  gold content holds a double quote mark; "speech" = a word of the gold cue is a form of a verb
  in SPEECH_CUE_LEMMAS below (defined here, independently of the extraction lexicon, so it cannot
  be tuned away); `by_kind` gives recall per gold kind (speech, evidence, thought, other: gold_kind,
  from the gold cue and source words, since PolNeAR labels no kind) and precision per predicted
  `kind`. Precision = predictions covering more than 30% of the content of some gold
  attribution (not one-to-one) / all predictions; `precision_lenient` also accepts a prediction
  lying more than 30% inside a gold content (the second half of a quotation split by "he said",
  which PolNeAR annotates as one discontinuous attribution); `precision_one_to_one` = matched
  pairs / all predictions (a quotation split into three rows counts one); `recall_lenient` = gold
  attributions whose content all predictions together cover more than the threshold (not one-to-
  one, so split rows count). Speaker = the predicted speaker span
  overlaps a gold source span (or both are absent), over the matched pairs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.core.io import read_table
from pipeline.evaluation.polnear import read_split
from pipeline.core.schemas import QUOTES, content_pieces

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DEFAULT_GOLD = SHARED / "gold" / "seed_quotes.jsonl"
DEFAULT_POLNEAR = SHARED / "polnear" / "dev.jsonl"
THRESHOLDS = (0.3, 0.8)

# Speech cues for the PolNeAR breakdown (lemma -> irregular forms); regular forms are generated.
SPEECH_CUE_LEMMAS = {
    "say": ["said", "says", "saying"], "tell": ["told", "tells", "telling"], "add": [],
    "write": ["wrote", "written", "writes", "writing"], "note": [], "explain": [], "ask": [],
    "claim": [], "state": [], "announce": [], "argue": [], "insist": [], "warn": [], "report": [],
    "tweet": [], "respond": [], "reply": ["replied", "replies"], "declare": [], "acknowledge": [],
    "admit": ["admitted", "admitting"], "comment": [], "remark": [], "stress": [],
    "emphasize": [], "recall": [], "deny": ["denied", "denies"], "confirm": [],
}
SPEECH_PHRASES = ["according to"]
# The kind of a gold attribution (PolNeAR has no kind label; these lists, like SPEECH_CUE_LEMMAS,
# are defined here apart from the extraction lexicons, so that they cannot be tuned to it):
# speech = a speech cue (above); else evidence = a source whose words name a poll, a study, a
# record or a document; else thought = a cue verb of belief, feeling, wish or plan; else other
# (PolNeAR's many remaining cues: "called", "endorsed", "criticized", ":" ...).
THOUGHT_CUE_LEMMAS = {
    "think": ["thought", "thinks", "thinking"], "believe": [], "hope": [], "fear": [],
    "worry": ["worried", "worries"], "feel": ["felt"], "know": ["knew", "known", "knows"],
    "expect": [], "want": [], "plan": ["planned", "planning", "plans"], "doubt": [],
    "wish": [], "intend": [], "prefer": ["preferred", "preferring"], "suspect": [],
    "assume": [], "consider": [], "realize": [], "understand": ["understood"], "imagine": [],
}
EVIDENCE_SOURCE_NOUNS = {
    "poll", "polls", "polling", "survey", "surveys", "study", "studies", "data", "record",
    "records", "report", "reports", "analysis", "research", "numbers", "figures", "results",
    "document", "documents", "emails", "filing", "filings", "statistics", "census", "audit",
    "review", "investigation", "estimates", "projections", "forecast", "model", "evidence",
}
QUOTE_MARK_RE = re.compile(r"[\"“”„«»]|''|‘‘|’’")


def _forms(lemma: str, irregular: list[str]) -> set[str]:
    forms = {lemma, *irregular}
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    forms |= {lemma + "s", lemma + "es", stem + "ed", stem + "ing", lemma + "ed", lemma + "d"}
    return forms


SPEECH_FORMS = {form for lemma, irregular in SPEECH_CUE_LEMMAS.items() for form in _forms(lemma, irregular)}
THOUGHT_FORMS = {form for lemma, irregular in THOUGHT_CUE_LEMMAS.items() for form in _forms(lemma, irregular)}
GOLD_KINDS = ("speech", "thought", "evidence", "other")


def is_speech_cue(cue_text: str | None) -> bool:
    if not cue_text:
        return False
    low = cue_text.lower()
    if any(p in low for p in SPEECH_PHRASES):
        return True
    return any(word in SPEECH_FORMS for word in re.findall(r"[a-z]+", low))


def gold_kind(cue_text: str | None, source_text: str | None) -> str:
    """speech / evidence / thought / other for a PolNeAR attribution (see GOLD_KINDS above)."""
    if is_speech_cue(cue_text):
        return "speech"
    if any(w in EVIDENCE_SOURCE_NOUNS for w in re.findall(r"[a-z]+", (source_text or "").lower())):
        return "evidence"
    if any(w in THOUGHT_FORMS for w in re.findall(r"[a-z]+", (cue_text or "").lower())):
        return "thought"
    return "other"


# ------------------------------------------------------------------------------------------------
# Shared matching
# ------------------------------------------------------------------------------------------------


def span_chars(spans) -> set[int]:
    out: set[int] = set()
    for s, e in spans:
        out.update(range(int(s), int(e)))
    return out


def match_one_to_one(golds: list[set[int]], preds: list[set[int]], threshold: float) -> dict[int, int]:
    """One-to-one: gold index -> prediction index, greedy by the share of the gold covered."""
    candidates = []
    for g, gchars in enumerate(golds):
        if not gchars:
            continue
        for p, pchars in enumerate(preds):
            share = len(gchars & pchars) / len(gchars)
            if share > threshold:
                candidates.append((share, -g, -p))
    candidates.sort(reverse=True)
    used_g, used_p, pairs = set(), set(), {}
    for share, g, p in candidates:
        g, p = -g, -p
        if g in used_g or p in used_p:
            continue
        used_g.add(g)
        used_p.add(p)
        pairs[g] = p
    return pairs


def match_by_pieces(golds: list[set[int]], preds: list[list[tuple[int, int]]], threshold: float) -> dict[int, int]:
    """Gold index -> prediction index, where each prediction is a list of content pieces: a gold
    record is found by the row one of whose pieces covers it (more than `threshold` of it), one
    gold per piece, so a row joining “A,” he said. “B.” finds the gold records of both pieces
    (gold annotated piece by piece, as the seed gold is)."""
    flat, owner = [], []
    for p, pieces in enumerate(preds):
        for piece in pieces:
            flat.append(span_chars([piece]))
            owner.append(p)
    return {g: owner[k] for g, k in match_one_to_one(golds, flat, threshold).items()}


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def load_predictions(out_dir: Path) -> dict[str, list[dict]]:
    rows = read_table(QUOTES, Path(out_dir)).to_pylist()
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_doc[row["doc_id"]].append(row)
    return by_doc


# ------------------------------------------------------------------------------------------------
# Seed gold
# ------------------------------------------------------------------------------------------------


def _norm_name(name: str | None) -> str:
    if not name:
        return ""
    name = name.replace("’", "'").replace("\u00a0", " ").strip().lower()
    return re.sub(r"^the\s+", "", name)


def speaker_right(predicted: str | None, gold: str | None) -> bool:
    p, g = _norm_name(predicted), _norm_name(gold)
    if not g:
        return not p
    if p == g:
        return True
    # A person matched by surname: "Netanyahu" ~ "Benjamin Netanyahu".
    gw, pw = g.split(), p.split()
    if gold and len(gw) >= 2 and gold.split()[-1][:1].isupper() and pw and pw[-1] == gw[-1]:
        return True
    return False


def score_seed_quotes(out_dir: Path, gold_path: Path = DEFAULT_GOLD, *, predictions=None) -> dict:
    """Recall, precision and speaker accuracy against the seed gold, at 30% and 80% overlap."""
    gold_path = Path(gold_path)
    if not gold_path.exists():
        return {"skipped": f"{gold_path}: not found (the shared gold folder is absent)",
                "metrics": {}, "misses": [], "false_alarms": []}
    gold = [json.loads(line) for line in gold_path.open(encoding="utf-8") if line.strip()]
    preds = predictions if predictions is not None else load_predictions(out_dir)
    result = {"metrics": {}, "misses": [], "false_alarms": []}
    for threshold in THRESHOLDS:
        tag = f"@{int(threshold * 100)}"
        n_req = n_found = n_pred = n_fa = n_speaker = n_other = 0
        by_type = defaultdict(Counter)
        misses, false_alarms = [], []
        for doc_id in sorted({g["doc_id"] for g in gold}):
            golds = [g for g in gold if g["doc_id"] == doc_id]
            required = [g for g in golds if g.get("required", True)]
            optional = [g for g in golds if not g.get("required", True)]
            doc_preds = preds.get(doc_id, [])
            ppieces = [content_pieces(p) for p in doc_preds]
            pairs = match_by_pieces([span_chars([(g["start"], g["end"])]) for g in required], ppieces, threshold)
            matched_p = set(pairs.values())
            # Predictions matching an optional record only: ignored.
            opt_pairs = match_by_pieces([span_chars([(g["start"], g["end"])]) for g in optional],
                                        [c if k not in matched_p else [] for k, c in enumerate(ppieces)], threshold)
            ignored = set(opt_pairs.values())
            n_req += len(required)
            for gi, g in enumerate(required):
                by_type[g["type"]]["gold"] += 1
                if gi in pairs:
                    p = doc_preds[pairs[gi]]
                    n_found += 1
                    by_type[g["type"]]["found"] += 1
                    ok = speaker_right(p["speaker"], g["speaker"])
                    n_speaker += ok
                    if not ok and threshold == THRESHOLDS[0]:
                        misses.append({"kind": "wrong_speaker", "doc_id": doc_id, "gold_id": g["id"],
                                       "start": g["start"], "end": g["end"], "text": g["content"][:120],
                                       "gold_speaker": g["speaker"], "predicted_speaker": p["speaker"],
                                       "speaker_text": p["speaker_text"], "rule_id": p["rule_id"]})
                else:
                    misses.append({"kind": "missed", "doc_id": doc_id, "gold_id": g["id"], "type": g["type"],
                                   "start": g["start"], "end": g["end"], "text": g["content"][:120],
                                   "gold_speaker": g["speaker"]})
            for k, p in enumerate(doc_preds):
                if k in ignored:
                    continue
                if k not in matched_p and (p.get("kind") or "speech") != "speech":
                    n_other += 1       # a thought or evidence row: the seed gold is speech only
                    continue
                n_pred += 1
                by_type[p["type"]]["predicted"] += 1
                if k not in matched_p:
                    n_fa += 1
                    false_alarms.append({"doc_id": doc_id, "start": p["content_start"], "end": p["content_end"],
                                         "type": p["type"], "text": p["content"][:120],
                                         "predicted_speaker": p["speaker"], "rule_id": p["rule_id"]})
                else:
                    by_type[p["type"]]["predicted_correct"] += 1
        result["metrics"][tag] = {
            "recall": _ratio(n_found, n_req), "precision": _ratio(n_pred - n_fa, n_pred),
            "speaker_accuracy": _ratio(n_speaker, n_found), "gold_required": n_req, "found": n_found,
            "predicted_counted": n_pred, "false_alarms": n_fa, "other_kinds_set_aside": n_other,
            "by_type": {t: {"recall": _ratio(c["found"], c["gold"]),
                            "precision": _ratio(c["predicted_correct"], c["predicted"]), **dict(c)}
                        for t, c in sorted(by_type.items())},
        }
        if threshold == THRESHOLDS[0]:
            result["misses"], result["false_alarms"] = misses, false_alarms
        else:
            result["misses_at_80"] = [m for m in misses if m["kind"] == "missed"]
    return result


# ------------------------------------------------------------------------------------------------
# PolNeAR
# ------------------------------------------------------------------------------------------------


def load_polnear(path: Path) -> list[dict]:
    return read_split(path)


def _polnear_gold(record: dict) -> list[dict]:
    out = []
    for a in record["attributions"]:
        content = a.get("content") or []
        out.append({"content": content, "chars": span_chars(content), "source": a.get("source") or [],
                    "quoted": bool(QUOTE_MARK_RE.search(a.get("content_text") or "")),
                    "speech": is_speech_cue(a.get("cue_text")),
                    "kind": gold_kind(a.get("cue_text"), a.get("source_text")),
                    "content_text": a.get("content_text"), "source_text": a.get("source_text"),
                    "cue_text": a.get("cue_text")})
    return out


def _prediction_ok(gold: list[dict], pchars: set[int], threshold: float) -> tuple[bool, bool]:
    """(strict, lenient) correctness of one prediction's characters against a document's gold:
    strict when it covers more than `threshold` of some gold content, lenient also when more
    than `threshold` of it lies inside one (see the module's matching conventions)."""
    strict = any(len(g["chars"] & pchars) > threshold * len(g["chars"]) for g in gold if g["chars"])
    lenient = strict or any(len(g["chars"] & pchars) > threshold * max(1, len(pchars)) for g in gold)
    return strict, lenient


def score_rules_polnear(records: list[dict], preds: dict[str, list[dict]], threshold: float = THRESHOLDS[0]) -> dict:
    """Rows and precision per rule (`rule_id`) and per repair (from `rule_trace`), with the
    precision of score_predictions_polnear at `threshold`: a rule's precision is the share of
    its rows that are right. Rules with no row on these documents are listed with 0 rows."""
    from pipeline.steps.quotes.rules import REPAIRS, RULES

    counts: dict[str, Counter] = {r.id: Counter() for r in RULES}
    counts.update({r.id: Counter() for r in REPAIRS})
    for record in records:
        gold = _polnear_gold(record)
        for p in preds.get(record["doc_id"], []):
            strict, lenient = _prediction_ok(gold, span_chars(content_pieces(p)), threshold)
            repairs = (p.get("rule_trace") or "").split(" > ")[1:]
            for key in {p["rule_id"], *repairs}:
                c = counts.setdefault(key, Counter())        # (an undeclared id still shows up)
                c["rows"] += 1
                c["right"] += strict
                c["right_lenient"] += lenient
    total = Counter()
    for record in records:
        total["rows"] += len(preds.get(record["doc_id"], []))
    table = {key: {"rows": c["rows"], "right": c["right"], "precision": _ratio(c["right"], c["rows"]),
                   "precision_lenient": _ratio(c["right_lenient"], c["rows"])}
             for key, c in counts.items()}
    rules = {k: v for k, v in table.items() if not k.startswith("repair.")}
    repairs = {k: v for k, v in table.items() if k.startswith("repair.")}
    return {"metrics": {"threshold": threshold, "rows": total["rows"],
                        "rules": dict(sorted(rules.items(), key=lambda kv: (-kv[1]["rows"], kv[0]))),
                        "repairs": dict(sorted(repairs.items(), key=lambda kv: (-kv[1]["rows"], kv[0])))}}


def score_polnear_rules(out_dir: Path, polnear_jsonl: Path = DEFAULT_POLNEAR) -> dict:
    """score_rules_polnear for `quotes.parquet` in out_dir."""
    polnear_jsonl = Path(polnear_jsonl)
    if not polnear_jsonl.exists():
        return {"skipped": f"{polnear_jsonl}: not found (the shared PolNeAR folder is absent)", "metrics": {}}
    return score_rules_polnear(load_polnear(polnear_jsonl), load_predictions(out_dir))


def score_predictions_polnear(records: list[dict], preds: dict[str, list[dict]], *, keep_lists: bool = True) -> dict:
    """Score predictions (rows with content_start/end and speaker_start/end) against PolNeAR."""
    result = {"metrics": {}, "misses": [], "false_alarms": []}
    docs = [r for r in records]
    for threshold in THRESHOLDS:
        tag = f"@{int(threshold * 100)}"
        tot = Counter()
        kinds: dict[str, Counter] = defaultdict(Counter)
        misses, false_alarms = [], []
        for record in docs:
            doc_id = record["doc_id"]
            gold = _polnear_gold(record)
            doc_preds = preds.get(doc_id, [])
            pchars = [span_chars(content_pieces(p)) for p in doc_preds]
            pairs = match_one_to_one([g["chars"] for g in gold], pchars, threshold)
            union = set().union(*pchars) if pchars else set()
            for gi, g in enumerate(gold):
                tot["gold"] += 1
                tot["found_lenient"] += bool(g["chars"]) and len(g["chars"] & union) > threshold * len(g["chars"])
                tot["gold_quoted"] += g["quoted"]
                tot["gold_speech"] += g["speech"]
                kinds[g["kind"]]["gold"] += 1
                kinds[g["kind"]]["found"] += gi in pairs
                if gi in pairs:
                    tot["found"] += 1
                    tot["found_quoted"] += g["quoted"]
                    tot["found_speech"] += g["speech"]
                    p = doc_preds[pairs[gi]]
                    if g["source"]:
                        ok = p.get("speaker_start") is not None and any(
                            p["speaker_start"] < e and s < p["speaker_end"] for s, e in g["source"])
                    else:
                        ok = p.get("speaker_start") is None
                    tot["speaker_ok"] += ok
                    tot["speaker_ok_speech"] += ok and g["speech"]
                elif (g["quoted"] or g["speech"]) and keep_lists:
                    misses.append({"doc_id": doc_id, "content": g["content"],
                                   "text": (g["content_text"] or "")[:160], "cue": g["cue_text"],
                                   "source": g["source_text"], "quoted": g["quoted"], "speech": g["speech"]})
            for k, p in enumerate(doc_preds):
                tot["predicted"] += 1
                strict, lenient = _prediction_ok(gold, pchars[k], threshold)
                tot["pred_ok"] += strict
                tot["pred_ok_lenient"] += lenient
                kinds[p.get("kind") or "speech"]["predicted"] += 1
                kinds[p.get("kind") or "speech"]["predicted_ok"] += strict
                if not lenient and keep_lists:
                    false_alarms.append({"doc_id": doc_id, "start": p["content_start"], "end": p["content_end"],
                                         "type": p.get("type"), "text": (p.get("content") or "")[:160],
                                         "speaker_text": p.get("speaker_text"), "rule_id": p.get("rule_id")})
        result["metrics"][tag] = {
            "quoted_recall": _ratio(tot["found_quoted"], tot["gold_quoted"]),
            "speech_recall": _ratio(tot["found_speech"], tot["gold_speech"]),
            "recall_all": _ratio(tot["found"], tot["gold"]),
            "precision": _ratio(tot["pred_ok"], tot["predicted"]),
            "precision_lenient": _ratio(tot["pred_ok_lenient"], tot["predicted"]),
            "precision_one_to_one": _ratio(tot["found"], tot["predicted"]),
            "recall_lenient": _ratio(tot["found_lenient"], tot["gold"]),
            "speaker_overlap": _ratio(tot["speaker_ok"], tot["found"]),
            "counts": dict(tot),
            # recall per gold kind (gold_kind) and precision per predicted `kind`
            "by_kind": {k: {"gold": kinds[k]["gold"], "found": kinds[k]["found"],
                            "recall": _ratio(kinds[k]["found"], kinds[k]["gold"]),
                            "predicted": kinds[k]["predicted"],
                            "precision": _ratio(kinds[k]["predicted_ok"], kinds[k]["predicted"])}
                        for k in GOLD_KINDS},
        }
        if threshold == THRESHOLDS[0]:
            result["misses"], result["false_alarms"] = misses, false_alarms
    return result


def score_polnear(out_dir: Path, polnear_jsonl: Path = DEFAULT_POLNEAR) -> dict:
    """PolNeAR figures for `quotes.parquet` in out_dir (doc_id = PolNeAR doc_id)."""
    polnear_jsonl = Path(polnear_jsonl)
    if not polnear_jsonl.exists():
        return {"skipped": f"{polnear_jsonl}: not found (the shared PolNeAR folder is absent)",
                "metrics": {}, "misses": [], "false_alarms": []}
    preds = load_predictions(out_dir)
    records = load_polnear(polnear_jsonl)
    present = {r["doc_id"] for r in read_table(QUOTES, Path(out_dir), columns=["doc_id"]).to_pylist()}
    result = score_predictions_polnear(records, preds)
    result["documents"] = {"gold": len(records), "with_predictions": len(present & {r["doc_id"] for r in records})}
    return result


# ------------------------------------------------------------------------------------------------
# textacy baseline
# ------------------------------------------------------------------------------------------------


def textacy_baseline(out_dir: Path, doc_ids: set[str] | None = None) -> dict[str, list[dict]] | str:
    """textacy's `direct_quotations` on the same parsed documents (the Docs rebuilt from
    tokens.parquet: same model, same parse), as prediction rows; a message when textacy is absent.

    textacy gives up on a document with an odd number of quote characters (ValueError): that
    document then has no predictions, and the count is reported.
    """
    try:
        from textacy.extract.triples import direct_quotations
    except ImportError:
        return "textacy is not installed (optional dev dependency: pip install textacy==0.13.0)"
    from pipeline.steps.docs import iter_parsed_docs

    preds: dict[str, list[dict]] = defaultdict(list)
    failed = 0
    for parsed in iter_parsed_docs(Path(out_dir)):
        if doc_ids is not None and parsed.doc_id not in doc_ids:
            continue
        try:
            triples = list(direct_quotations(parsed.doc))
        except ValueError:
            failed += 1
            continue
        for speaker, cue, content in triples:
            cs, ce = parsed.text_span(content.start, content.end)
            row = {"content_start": cs, "content_end": ce, "type": "direct", "content": content.text,
                   "speaker_start": None, "speaker_end": None, "speaker": None, "rule_id": "textacy",
                   "speaker_text": None}
            if speaker:
                ss = min(t.i for t in speaker)
                se = max(t.i for t in speaker) + 1
                row["speaker_start"], row["speaker_end"] = parsed.text_span(ss, se)
                row["speaker_text"] = " ".join(t.text for t in sorted(speaker, key=lambda t: t.i))
                row["speaker"] = row["speaker_text"]
            preds[parsed.doc_id].append(row)
    preds["__failed_documents__"] = failed  # type: ignore[assignment]
    return preds


def textacy_scores(out_dir: Path, gold_path: Path | None = None, polnear_jsonl: Path | None = None) -> dict:
    preds = textacy_baseline(out_dir)
    if isinstance(preds, str):
        return {"skipped": preds}
    failed = preds.pop("__failed_documents__", 0)
    out = {"documents_given_up": failed}
    if gold_path is not None and Path(gold_path).exists():
        out["seed"] = score_seed_quotes(out_dir, gold_path, predictions=preds)["metrics"]
    if polnear_jsonl is not None and Path(polnear_jsonl).exists():
        out["polnear"] = score_predictions_polnear(load_polnear(polnear_jsonl), preds, keep_lists=False)["metrics"]
    return out


# ------------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------------


def _fmt(value) -> str:
    return "   -  " if value is None else f"{value:.4f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluation.eval_quotes", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, type=Path, help="output folder holding quotes.parquet")
    parser.add_argument("--gold", type=Path, default=None, help=f"seed gold (default {DEFAULT_GOLD} when scoring seeds)")
    parser.add_argument("--polnear", type=Path, default=None, help="PolNeAR jsonl whose doc_ids are the folder's")
    parser.add_argument("--no-textacy", action="store_true", help="skip the textacy baseline")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    parser.add_argument("--show", type=int, default=15, help="misses / false alarms to list")
    args = parser.parse_args(argv)
    gold = args.gold if args.gold is not None else (DEFAULT_GOLD if args.polnear is None else None)
    report: dict = {}
    if gold is not None:
        report["seed"] = score_seed_quotes(args.out, gold)
    if args.polnear is not None:
        report["polnear"] = score_polnear(args.out, args.polnear)
    if not args.no_textacy:
        report["textacy"] = textacy_scores(args.out, gold, args.polnear)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    if "seed" in report:
        seed = report["seed"]
        if "skipped" in seed:
            print(f"seed gold: skipped: {seed['skipped']}")
        else:
            print("seed gold (required records)      recall  precision  speaker")
            for tag, m in seed["metrics"].items():
                print(f"  ours    {tag:<24} {_fmt(m['recall'])}   {_fmt(m['precision'])}    {_fmt(m['speaker_accuracy'])}"
                      f"   (found {m['found']}/{m['gold_required']}, false alarms {m['false_alarms']}/{m['predicted_counted']})")
            tx = report.get("textacy", {})
            for tag, m in tx.get("seed", {}).items():
                print(f"  textacy {tag:<24} {_fmt(m['recall'])}   {_fmt(m['precision'])}    {_fmt(m['speaker_accuracy'])}")
            for t, m in seed["metrics"]["@30"]["by_type"].items():
                print(f"    {t:<9} recall {_fmt(m['recall'])} precision {_fmt(m['precision'])}")
            for item in seed["misses"][:args.show]:
                print(f"  MISS {item}")
            for item in seed["false_alarms"][:args.show]:
                print(f"  FALSE ALARM {item}")
    if "polnear" in report:
        pol = report["polnear"]
        if "skipped" in pol:
            print(f"PolNeAR: skipped: {pol['skipped']}")
        else:
            print(f"PolNeAR {args.polnear} ({pol['documents']['gold']} documents)")
            columns = ("quoted_recall", "speech_recall", "recall_all", "precision", "precision_lenient",
                       "speaker_overlap")
            headers = ("quoted_rec", "speech_rec", "all_rec", "precision", "prec_lenient", "speaker")
            print(" " * 16 + "".join(f"{h:>13}" for h in headers))
            rows = [("ours", pol["metrics"])]
            tx = report.get("textacy", {})
            if "polnear" in tx:
                rows.append(("textacy", tx["polnear"]))
            for name, metrics in rows:
                for tag, m in metrics.items():
                    print(f"  {name:<7} {tag:<6}" + "".join(f"{_fmt(m[c]):>13}" for c in columns))
            print(f"  counts @30: {pol['metrics']['@30']['counts']}")
            for kind, m in pol["metrics"]["@30"]["by_kind"].items():
                print(f"  {kind:<9} @30: recall {_fmt(m['recall'])} ({m['found']}/{m['gold']} gold), "
                      f"precision {_fmt(m['precision'])} ({m['predicted']} rows)")
    if "textacy" in report:
        tx = report["textacy"]
        if "skipped" in tx:
            print(f"textacy: skipped: {tx['skipped']}")
        else:
            print(f"textacy gave up on {tx['documents_given_up']} documents (odd number of quote characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
