"""`python -m pipeline export --format csv|xlsx --output DIR [--to FILE]`: the claims table for
spreadsheet users.

Reads `DIR/claims.parquet` and writes `DIR/claims.csv` (UTF-8 with a byte-order mark, so that
Excel reads accents and curly quotes right) or `DIR/claims.xlsx` (openpyxl), or FILE. List
columns (`topics`) become one cell, items joined by "; ". Written to a temporary file, then
renamed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.core.errors import PipelineError
from pipeline.core.io import atomic_path, read_frame, table_path
from pipeline.core.schemas import CLAIMS

LIST_SEPARATOR = "; "
# Excel cells hold at most 32,767 characters
XLSX_MAX_CELL = 32_767


def _item(value) -> str:
    """A list item as text: a content piece ({start, end}) as `start-end`."""
    if isinstance(value, dict) and set(value) == {"start", "end"}:
        return f"{value['start']}-{value['end']}"
    return str(value)


def flatten(frame):
    """List cells joined by LIST_SEPARATOR (content_spans: `12-40; 55-80`); other cells as they are."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any():
            frame[column] = frame[column].map(
                lambda v: LIST_SEPARATOR.join(map(_item, v)) if v is not None and not isinstance(v, str) else v)
    return frame


def export_claims(out_dir: Path, fmt: str, target: Path | None = None) -> Path:
    out_dir = Path(out_dir)
    if not table_path(CLAIMS, out_dir).exists():
        raise PipelineError(f"{table_path(CLAIMS, out_dir)}: missing; run the pipeline (or the 'claims' stage) first")
    frame = flatten(read_frame(CLAIMS, out_dir))
    target = Path(target) if target else out_dir / f"claims.{fmt}"
    with atomic_path(target) as tmp:
        if fmt == "csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            for column in frame.columns:
                if frame[column].dtype == object:
                    frame[column] = frame[column].map(
                        lambda v: v[:XLSX_MAX_CELL] if isinstance(v, str) else v)
            frame.to_excel(tmp, index=False, sheet_name="claims", engine="openpyxl")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline export", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--output", required=True, type=Path, help="output folder holding claims.parquet")
    parser.add_argument("--to", type=Path, default=None, help="file to write (default: OUTPUT/claims.FORMAT)")
    args = parser.parse_args(argv)
    target = export_claims(args.output, args.format, args.to)
    print(f"[export] {target}", file=sys.stderr)
    return 0
