"""Scoring canonical speakers against `polnear_dev_speakers.jsonl` (PolNeAR dev).

    python -m pipeline.evaluation.eval_speakers --output DIR [--shared SHARED] [--split dev] [--show N] [--json]

runs on any output folder holding `quotes.parquet` (and `mentions.parquet` / `entities.parquet`
for the surname-only count), so that `entities`, `quotes` and `claims` can be rerun on a copy of
a PolNeAR dev run and scored without parsing again.

Conventions (../shared/gold/README.md, section polnear_dev_speakers.jsonl)
- Predictions are matched to the PolNeAR attributions of their document exactly as the quote
  scorer does (`eval_quotes.match_one_to_one` at 30% of the gold content's characters,
  one-to-one, against every attribution of the document); only the matched attributions that
  have a gold canonical speaker are scored here.
- `person`: right when the predicted canonical speaker equals the gold full name, case, leading
  titles ("Sen.", "President") and middle initials ("Donald J. Trump") ignored; `surname_right`
  is the lenient figure (same last word).
- `organization`: right when one name contains the other, word for word (case, a leading "the"
  and the dots of an abbreviation ignored: "F.B.I." = "FBI").
- other kinds (`group`, `unnamed`, `document`, `other`): the phrase as written; reported with
  the organisation rule, for information.
- `surname_only`: predicted quotes (matched or not) whose speaker is a single name word while
  the same document names a person in full with that surname (a gold canonical person of the
  document, or a PERSON entity of its mentions). Target 0.

The title words below are the scorer's own (not the extraction lexicon), so they cannot be
tuned away.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from pipeline.core.config import DEFAULT_SHARED_DIR
from pipeline.evaluation.eval_quotes import _polnear_gold, _ratio, content_pieces, load_predictions, match_one_to_one, span_chars
import pyarrow.parquet as pq

from pipeline.core.io import table_path
from pipeline.evaluation.polnear import read_split, split_path
from pipeline.core.schemas import ENTITIES, MENTIONS

GOLD_FILE = "polnear_dev_speakers.jsonl"
THRESHOLD = 0.3
KINDS = ("person", "organization", "group", "unnamed", "document", "other")

# Leading words of a person's name that are titles, not names (lower case, dots kept).
TITLE_WORDS = frozenset("""
mr mr. mrs mrs. ms ms. miss dr dr. prof prof. professor sir dame lord lady rev rev. reverend
president vice vice-president president-elect former then then- late acting interim
sen sen. senator rep rep. representative congressman congresswoman gov gov. governor lt lt.
mayor secretary attorney general gen gen. col col. maj maj. sgt sgt. adm adm. admiral capt capt.
judge justice chief speaker ambassador minister prime chairman chairwoman chair
candidate nominee democratic republican gop u.s. us
""".split())
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "\u00a0": " "})


# ------------------------------------------------------------------------------------------------
# Names


def _words(name: str | None) -> list[str]:
    text = (name or "").translate(APOSTROPHES).casefold()
    text = re.sub(r"'s\b|'$", "", text)
    return [w.strip(",;:\"()[]") for w in text.split() if w.strip(",;:\"()[]")]


def person_key(name: str | None) -> str:
    """A person's name as compared: lower case, leading titles and middle initials dropped.

    "Sen. Bernie Sanders" -> "bernie sanders"; "Donald J. Trump" -> "donald trump"."""
    words = _words(name)
    while len(words) > 1 and words[0] in TITLE_WORDS:
        words = words[1:]
    if len(words) > 2:
        words = [words[0]] + [w for w in words[1:-1] if not re.fullmatch(r"[a-z]\.?", w)] + [words[-1]]
    return " ".join(words)


def surname(name: str | None) -> str:
    words = person_key(name).split()
    return words[-1] if words else ""


def org_words(name: str | None) -> list[str]:
    """An organisation's words: lower case, no leading determiner, no dots ("F.B.I." = "fbi")."""
    words = [w.replace(".", "") for w in _words(name)]
    words = [w for w in words if w]
    while words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return words


def _contains(longer: list[str], shorter: list[str]) -> bool:
    n = len(shorter)
    return any(longer[i:i + n] == shorter for i in range(len(longer) - n + 1))


def person_right(predicted: str | None, gold: str) -> bool:
    return bool(predicted) and person_key(predicted) == person_key(gold)


def person_surname_right(predicted: str | None, gold: str) -> bool:
    return bool(predicted) and bool(surname(gold)) and surname(predicted) == surname(gold)


def org_right(predicted: str | None, gold: str) -> bool:
    """One name contains the other, word for word: "Clinton campaign" ~ "Hillary Clinton's
    campaign" is not, "Trump campaign" ~ "Trump campaign officials" is."""
    p, g = org_words(predicted), org_words(gold)
    if not p or not g:
        return False
    return _contains(p, g) or _contains(g, p)


# ------------------------------------------------------------------------------------------------
# Scoring (pure: gold rows, PolNeAR records, prediction rows and names in; a dict out)


def load_gold_speakers(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def surname_only_quotes(preds: dict[str, list[dict]], full_names: dict[str, set[str]]) -> list[dict]:
    """Quotes whose speaker is one name word while their document names a person in full with
    it as surname (`full_names`: doc_id -> full person names known in that document)."""
    out = []
    for doc_id, rows in sorted(preds.items()):
        by_surname = defaultdict(set)
        for name in full_names.get(doc_id, ()):
            if len(person_key(name).split()) >= 2:
                by_surname[surname(name)].add(name)
        for p in rows:
            key = person_key(p.get("speaker"))
            if not key or len(key.split()) != 1 or key not in by_surname:
                continue
            out.append({"doc_id": doc_id, "start": p["content_start"], "end": p["content_end"],
                        "speaker": p.get("speaker"), "speaker_entity_id": p.get("speaker_entity_id"),
                        "full_names": sorted(by_surname[key]), "text": (p.get("content") or "")[:100]})
    return out


def score_speakers(records: list[dict], gold_rows: list[dict], preds: dict[str, list[dict]],
                   full_names: dict[str, set[str]] | None = None) -> dict:
    """Per kind: gold, matched (`found`), right, and for persons the lenient surname figure;
    `accuracy` is over the matched attributions, `right_of_gold` over all of the kind."""
    records = [r for r in records if r["doc_id"] in {g["doc_id"] for g in gold_rows}]
    gold_by_key = {(g["doc_id"], int(g["i"])): g for g in gold_rows}
    tally: dict[str, Counter] = {kind: Counter() for kind in KINDS}
    misses: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    scored_docs = set()
    for record in records:
        doc_id = record["doc_id"]
        scored_docs.add(doc_id)
        gold = _polnear_gold(record)
        doc_preds = preds.get(doc_id, [])
        pchars = [span_chars(content_pieces(p)) for p in doc_preds]
        pairs = match_one_to_one([g["chars"] for g in gold], pchars, THRESHOLD)
        for i in range(len(gold)):
            g = gold_by_key.get((doc_id, i))
            if g is None:
                continue
            kind = g["kind"] if g["kind"] in tally else "other"
            tally[kind]["gold"] += 1
            if i not in pairs:
                continue
            p = doc_preds[pairs[i]]
            tally[kind]["found"] += 1
            predicted = p.get("speaker")
            if kind == "person":
                ok = person_right(predicted, g["canonical"])
                tally[kind]["surname_right"] += person_surname_right(predicted, g["canonical"])
            else:
                ok = org_right(predicted, g["canonical"])
            tally[kind]["right"] += ok
            if not ok:
                misses[kind].append({
                    "doc_id": doc_id, "i": i, "start": p["content_start"], "end": p["content_end"],
                    "gold": g["canonical"], "predicted": predicted,
                    "entity_id": p.get("speaker_entity_id"), "speaker_text": p.get("speaker_text"),
                    "source_text": g.get("source_text"), "resolution": p.get("resolution")})
    metrics: dict = {}
    for kind in KINDS:
        c = tally[kind]
        row = {"gold": c["gold"], "found": c["found"], "right": c["right"],
               "accuracy": _ratio(c["right"], c["found"]), "right_of_gold": _ratio(c["right"], c["gold"])}
        if kind == "person":
            row["surname_right"] = c["surname_right"]
            row["surname_accuracy"] = _ratio(c["surname_right"], c["found"])
        metrics[kind] = row
    names = defaultdict(set)
    for g in gold_rows:
        if g["kind"] == "person":
            names[g["doc_id"]].add(g["canonical"])
    for doc_id, found in (full_names or {}).items():
        names[doc_id] |= found
    surname_only = surname_only_quotes({d: rows for d, rows in preds.items() if d in scored_docs}, names)
    metrics["surname_only_with_full_name"] = len(surname_only)
    metrics["documents"] = len(scored_docs)
    return {"metrics": metrics, "person_misses": misses["person"],
            "organization_misses": misses["organization"],
            "other_kind_misses": [m for k in KINDS[2:] for m in misses[k]],
            "surname_only": surname_only}


def person_names_of(out_dir: Path) -> dict[str, set[str]]:
    """doc_id -> names of the PERSON entities its mentions link to (empty without the tables)."""
    out_dir = Path(out_dir)
    if not (table_path(MENTIONS, out_dir).exists() and table_path(ENTITIES, out_dir).exists()):
        return {}
    # only the columns needed, without the full schema check: folders written by an older version
    # of the entities stage are scored too
    entities = pq.read_table(table_path(ENTITIES, out_dir), columns=["entity_id", "name", "label"])
    names = {r["entity_id"]: r["name"] for r in entities.to_pylist() if r["label"] == "PERSON"}
    out: dict[str, set[str]] = defaultdict(set)
    for row in pq.read_table(table_path(MENTIONS, out_dir), columns=["doc_id", "entity_id"]).to_pylist():
        if row["entity_id"] in names:
            out[row["doc_id"]].add(names[row["entity_id"]])
    return dict(out)


def score_polnear_speakers(out_dir: Path, polnear_jsonl: Path, gold_path: Path) -> dict:
    """The speakers section of `python -m pipeline eval --polnear dev` for an output folder."""
    gold_path, polnear_jsonl = Path(gold_path), Path(polnear_jsonl)
    for path, what in ((gold_path, "speaker gold"), (polnear_jsonl, "PolNeAR split")):
        if not path.exists():
            return {"skipped": f"{path}: {what} not found (the shared folder is absent)", "metrics": {}}
    records = read_split(polnear_jsonl)
    doc_ids = {r["doc_id"] for r in records}
    gold_rows = [g for g in load_gold_speakers(gold_path) if g["doc_id"] in doc_ids]
    if not gold_rows:
        return {"skipped": f"{gold_path} has no speaker for the documents of {polnear_jsonl.name} "
                           "(the speaker gold is PolNeAR dev's)", "metrics": {}}
    return score_speakers(records, gold_rows, load_predictions(out_dir), person_names_of(out_dir))


# ------------------------------------------------------------------------------------------------
# Command line


def render(result: dict, show: int) -> str:
    if "skipped" in result:
        return f"speakers: skipped: {result['skipped']}\n"
    m = result["metrics"]
    lines = [f"canonical speakers ({m['documents']} documents)",
             f"  {'kind':<13}{'gold':>6}{'found':>7}{'right':>7}{'accuracy':>10}{'of gold':>9}  lenient (surname)"]
    for kind in KINDS:
        row = m[kind]
        fmt = lambda v: "   -  " if v is None else f"{v:.4f}"  # noqa: E731
        extra = f"  {row['surname_right']} {fmt(row['surname_accuracy'])}" if kind == "person" else ""
        lines.append(f"  {kind:<13}{row['gold']:>6}{row['found']:>7}{row['right']:>7}{fmt(row['accuracy']):>10}"
                     f"{fmt(row['right_of_gold']):>9}{extra}")
    lines.append(f"  surname-only person speakers whose document names them in full: "
                 f"{m['surname_only_with_full_name']}")
    for key in ("person_misses", "organization_misses", "surname_only"):
        items = result[key]
        lines.append(f"  {key.replace('_', ' ')}: {len(items)}")
        for item in items[:show] if show >= 0 else items:
            lines.append("    " + json.dumps(item, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluation.eval_speakers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", required=True, type=Path, help="output folder of a PolNeAR dev run")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED_DIR, help="shared folder (gold/, polnear/)")
    parser.add_argument("--split", default="dev", help="PolNeAR split whose doc_ids the folder holds")
    parser.add_argument("--show", type=int, default=10, help="misses listed per kind (-1: all)")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    if not (args.output / "quotes.parquet").exists():
        print(f"error: {args.output} has no quotes.parquet", file=sys.stderr)
        return 2
    result = score_polnear_speakers(args.output, split_path(args.shared, args.split),
                                    args.shared / "gold" / GOLD_FILE)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    else:
        sys.stdout.write(render(result, args.show))
    return 0 if "skipped" not in result else 2


if __name__ == "__main__":
    sys.exit(main())
