"""Scoring the `entities` stage against the seed gold people (`seed_people.jsonl`).

A gold person is *found* when, in its document, exactly one entity holds the mentions written
with the person's forms (or carries the canonical name), that entity's name is the canonical
one, and every listed form is covered by one of its mentions: the mention's text, or the title
and the name together ("Prime Minister Bennett" = title "Prime Minister" + "Bennett").

Spurious persons: PERSON entities in a document that are not one of its gold people (headline
word salad, bylines, captions, boilerplate); the ones that appear as speakers in `claims.parquet`
(or `quotes.parquet`) are the ones users see, and are counted separately.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pandas as pd

from pipeline.core.config import DEFAULT_SHARED_DIR
from pipeline.steps.entities import name_words, normalise_name
from pipeline.core.io import read_frame, table_path
from pipeline.core.schemas import CLAIMS, DOCUMENTS, ENTITIES, MENTIONS, QUOTES


def load_gold_people(gold_path: Path) -> list[dict]:
    with Path(gold_path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _norm(text: str) -> str:
    return normalise_name(text).casefold()


def _forms(mentions: pd.DataFrame, texts: dict[str, str]) -> pd.Series:
    """Per mention, the written form with its title: text[title_start:end] (or the mention's text)."""
    out = []
    for row in mentions.itertuples():
        if pd.notna(row.title_start):
            out.append(texts[row.doc_id][int(row.title_start):int(row.end)])
        else:
            out.append(row.text)
    return pd.Series(out, index=mentions.index, dtype=object)


def _covered(form: str, own: pd.DataFrame) -> bool:
    """A form is covered by a mention written exactly so, or by the tail of a longer title:
    "Prime Minister Benjamin Netanyahu" within "former Prime Minister Benjamin Netanyahu"."""
    for text, full in zip(own.text_n, own.form_n):
        if form in (text, full) or (full.endswith(" " + form) and form.endswith(text)):
            return True
    return False


def _same_person(name: str, canonical: str) -> bool:
    """The gold person by canonical name, or by surname (the gold README's matching rule)."""
    if _norm(name) == _norm(canonical):
        return True
    words, gold = name_words(_norm(name)), name_words(_norm(canonical))
    return bool(words) and bool(gold) and words[-1] == gold[-1]


def score_people(out_dir: Path, gold_path: Path) -> dict:
    """{"metrics": {...}, "misses": [...]} for the gold people of the documents in out_dir."""
    out_dir = Path(out_dir)
    gold = load_gold_people(gold_path)
    mentions = read_frame(MENTIONS, out_dir)
    entities = read_frame(ENTITIES, out_dir).set_index("entity_id")
    documents = read_frame(DOCUMENTS, out_dir, columns=["doc_id", "text"])
    texts = dict(zip(documents.doc_id, documents.text))
    gold = [g for g in gold if g["doc_id"] in texts]
    persons = mentions[mentions.label == "PERSON"].copy()
    persons["form"] = _forms(persons, texts)
    persons["form_n"] = persons.form.map(_norm)
    persons["text_n"] = persons.text.map(_norm)
    persons["name"] = persons.entity_id.map(entities["name"])
    misses, found = [], 0
    for person in gold:
        in_doc = persons[persons.doc_id == person["doc_id"]]
        forms = {_norm(f) for f in person["mentions"]}
        canonical = _norm(person["canonical"])
        hit = in_doc[in_doc.form_n.isin(forms) | in_doc.text_n.isin(forms)
                     | (in_doc.name.map(_norm) == canonical)]
        ids = sorted(set(hit.entity_id.dropna()))
        problems = []
        if len(ids) != 1:
            problems.append(f"{len(ids)} entities: {ids}" if ids else "not found")
        else:
            own = in_doc[in_doc.entity_id == ids[0]]
            if _norm(entities.loc[ids[0], "name"]) != canonical:
                problems.append(f"canonical name is {entities.loc[ids[0], 'name']!r}")
            missing = sorted(f for f in person["mentions"] if not _covered(_norm(f), own))
            if missing:
                problems.append(f"forms not covered: {missing}")
        if problems:
            misses.append({"doc_id": person["doc_id"], "canonical": person["canonical"],
                           "entity_ids": ids, "problem": "; ".join(problems)})
        else:
            found += 1

    # spurious PERSON entities: per document, not any gold person of that document
    gold_by_doc = defaultdict(list)
    for person in gold:
        gold_by_doc[person["doc_id"]].append(person["canonical"])
    spurious = set()
    for (doc_id, eid), _ in persons.groupby(["doc_id", "entity_id"]):
        name = entities.loc[eid, "name"]
        if not any(_same_person(name, g) for g in gold_by_doc.get(doc_id, [])):
            spurious.add((doc_id, eid))
    speakers = _speaker_entities(out_dir)
    spurious_speakers = None
    if speakers is not None:
        spurious_speakers = sorted({(d, e) for d, e in speakers if (d, e) in spurious
                                    or (e.startswith("PERSON:") and d in gold_by_doc
                                        and not any(_same_person(entities.loc[e, "name"] if e in entities.index
                                                                 else e, g) for g in gold_by_doc[d]))})
    metrics = {
        "gold_people": len(gold),
        "people_found": found,
        "people_recall": round(found / len(gold), 4) if gold else None,
        "spurious_person_entities": len(spurious),
        "spurious_person_speakers": None if spurious_speakers is None else len(spurious_speakers),
    }
    return {"metrics": metrics, "misses": misses,
            "spurious_person_entities": sorted(f"{d}: {entities.loc[e, 'name']}" for d, e in spurious),
            "spurious_person_speakers": None if spurious_speakers is None else
            [f"{d}: {e}" for d, e in spurious_speakers]}


def _speaker_entities(out_dir: Path) -> set[tuple[str, str]] | None:
    """(doc_id, speaker_entity_id) pairs from claims (or quotes when claims are not built)."""
    for spec in (CLAIMS, QUOTES):
        if table_path(spec, out_dir).exists():
            frame = read_frame(spec, out_dir, columns=["doc_id", "speaker_entity_id"]).dropna()
            return set(zip(frame.doc_id, frame.speaker_entity_id))
    return None


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.evaluation.eval_entities")
    parser.add_argument("--output", type=Path, default=Path("outputs"))
    parser.add_argument("--gold", type=Path,
                        default=DEFAULT_SHARED_DIR / "gold" / "seed_people.jsonl")
    args = parser.parse_args(argv)
    print(json.dumps(score_people(args.output, args.gold), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
