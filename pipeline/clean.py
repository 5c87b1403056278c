"""Stage `clean`: label every line, keep title and body, build `documents.body`.

The line labelling rules live in `pipeline.boilerplate` (configured by `configs/clean.toml`); this
module runs them over the corpus in two passes (count recurring lines, then label) and writes
`lines.parquet` and the `title`, `body` and `body_segments` columns of `documents.parquet`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .boilerplate import compile_rules, count_lines, label_document
from .config import DEFAULT_CONFIG_DIR, config_files, load_stage_config
from .errors import ConfigError, REJECT_CODES
from .io import read_table, write_table
from .manifest import StageRecord
from .offsets import build_body
from .schemas import DOCUMENTS, LINES

STAGE = "clean"


def clean_documents(documents: list[dict], config: dict) -> tuple[list[dict], list[dict]]:
    """Pure heart of the stage: (line rows, documents with title/body/body_segments set)."""
    stats = count_lines(documents)
    line_rows: list[dict] = []
    cleaned: list[dict] = []
    for doc in documents:
        labels = label_document(doc["text"], doc.get("source"), stats, config)
        kept = [label for label in labels if label.kept]
        body, segments = build_body(doc["text"], [(label.start, label.end) for label in kept])
        titles = [label.text.strip() for label in kept if label.label == "title"]
        cleaned.append({**doc, "title": titles[0] if titles else None, "body": body,
                        "body_segments": segments})
        line_rows.extend({"doc_id": doc["doc_id"], "line_no": label.line_no, "start": label.start,
                          "end": label.end, "text": label.text, "label": label.label,
                          "kept": label.kept, "rule_id": label.rule_id} for label in labels)
    return line_rows, cleaned


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    record.add_input_tables(DOCUMENTS.name)
    config = load_stage_config(config_dir, STAGE)
    try:
        compile_rules(config)   # checks every key, type and pattern before any document is read
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{config_dir / 'clean.toml'}: {exc}") from None
    documents = read_table(DOCUMENTS, out_dir).to_pylist()
    line_rows, cleaned = clean_documents(documents, config)
    for doc in cleaned:
        if not doc["body"].strip():
            print(f"[clean] warning W004: {doc['path']}: {REJECT_CODES['W004'][1]}", file=sys.stderr)
    write_table(DOCUMENTS, cleaned, out_dir)
    write_table(LINES, line_rows, out_dir)
    kept = sum(row["kept"] for row in line_rows)
    record.rows = {"lines": len(line_rows), "kept": kept, "documents": len(cleaned)}
    return record.write()
