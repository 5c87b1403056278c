"""PolNeAR (../shared/polnear) as pipeline input: read for measuring, never copied into the repo."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.core.errors import PipelineError


def split_path(shared: Path, split: str) -> Path:
    """`dev`/`train` -> SHARED/polnear/<split>.jsonl; a path ending in .jsonl is taken as it is."""
    path = Path(split)
    return path if path.suffix == ".jsonl" else Path(shared) / "polnear" / f"{split}.jsonl"


def read_split(path: Path, limit: int | None = None) -> list[dict]:
    """The split's articles (doc_id, text, publisher, date, title, attributions), first `limit`."""
    path = Path(path)
    if not path.exists():
        raise PipelineError(f"{path}: PolNeAR split not found (it lives in ../shared/polnear beside the "
                            f"repository; pass --shared DIR)")
    records = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                records.append(json.loads(line))
                if limit and len(records) >= limit:
                    break
    if not records:
        raise PipelineError(f"{path}: no articles")
    return records


def as_input(record: dict) -> dict:
    """One article as an ingest JSONL record: id = PolNeAR doc_id, source = publisher."""
    return {"id": record["doc_id"], "text": record["text"], "source": record.get("publisher"),
            "date": record.get("date")}


def write_input(records: list[dict], folder: Path, name: str = "polnear.jsonl") -> Path:
    """Write articles (PolNeAR records or ingest records) as one JSONL file in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(as_input(record) if "doc_id" in record else record) + "\n")
    return path
