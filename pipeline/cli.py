"""Command line: `python -m pipeline run|STAGE|eval|diff|show|bench|export ...` (thin: the work is in the stages)."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from . import manifest
from .errors import PipelineError

# Stages in pipeline order; a stage is available when its module exists.
STAGE_ORDER = ["ingest", "clean", "parse", "entities", "quotes", "topics", "claims"]
# Commands that are not stages: name -> help; each module has main(argv) -> exit code.
TOOLS = {"eval": "score outputs against gold", "diff": "compare two output folders",
         "show": "print a readable summary of the claims", "report": "write the interactive HTML report (one offline file)",
         "bench": "throughput and memory against bare spaCy",
         "export": "write the claims table as CSV or XLSX for spreadsheets"}
TOOL_MODULES = {"eval": "evaluate"}


def available_stages() -> list[str]:
    return [name for name in STAGE_ORDER if importlib.util.find_spec(f"pipeline.{name}") is not None]


def run_stage(name: str, out_dir: Path, config_dir: Path | None, input_dir: Path | None = None) -> dict:
    module = importlib.import_module(f"pipeline.{name}")
    started = time.perf_counter()
    record = module.run(out_dir=Path(out_dir), config_dir=config_dir, input_dir=input_dir)
    rows = ", ".join(f"{k}={v}" for k, v in record.get("rows", {}).items())
    print(f"[{name}] {rows} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return record


def run_all(input_dir: Path, out_dir: Path, config_dir: Path | None) -> dict:
    stages = available_stages()
    for name in stages:
        run_stage(name, out_dir, config_dir, input_dir)
    return manifest.gather(out_dir, stages)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run every stage on a folder of articles")
    run.add_argument("--input", required=True, type=Path, help="folder of *.txt / *.jsonl articles")
    run.add_argument("--output", required=True, type=Path, help="folder for the Parquet tables")
    run.add_argument("--config", type=Path, default=None, help="config folder (default: configs/)")

    for name in STAGE_ORDER:
        stage = sub.add_parser(name, help=f"run the '{name}' stage alone, reading its inputs from --output")
        stage.add_argument("--output", required=True, type=Path)
        stage.add_argument("--config", type=Path, default=None)
        if name == "ingest":
            stage.add_argument("--input", required=True, type=Path)

    for name, help_text in TOOLS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in TOOLS:
        # Tools parse their own arguments.
        module = importlib.import_module(f"pipeline.{TOOL_MODULES.get(argv[0], argv[0])}")
        try:
            return module.main(argv[1:])
        except PipelineError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            run_all(args.input, args.output, args.config)
        elif args.command in STAGE_ORDER:
            if args.command not in available_stages():
                raise PipelineError(f"stage '{args.command}' is not implemented yet")
            run_stage(args.command, args.output, args.config, getattr(args, "input", None))
            manifest.gather(args.output, available_stages())
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
