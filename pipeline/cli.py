"""Command line: `python -m pipeline run|STAGE|eval|diff|show|bench|export ...` (thin: the work is in the stages)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

from pipeline.core import generation, io, manifest, stages as stage_table
from pipeline.core.config import DEFAULT_CONFIG_DIR
from pipeline.core.errors import ERROR_CODES, ConfigError, Interrupted, PipelineError

# Commands that are not stages: name -> help; each module has main(argv) -> exit code.
TOOLS = {"eval": "score outputs against gold", "diff": "compare two output folders",
         "show": "print a readable summary of the claims", "report": "write the interactive HTML report (one offline file)",
         "bench": "throughput and memory against bare spaCy",
         "export": "write the claims table as CSV or XLSX for spreadsheets"}
TOOL_MODULES = {"eval": "pipeline.evaluation.evaluate", "diff": "pipeline.tools.diff", "show": "pipeline.tools.show",
                "report": "pipeline.tools.report", "bench": "pipeline.tools.bench", "export": "pipeline.tools.export"}


STAGE_ORDER = stage_table.STAGE_ORDER


def available_stages() -> list[str]:
    return [stage.name for stage in stage_table.available()]


def run_stage(name: str, out_dir: Path, config_dir: Path | None, input_dir: Path | None = None) -> dict:
    module = importlib.import_module(stage_table.BY_NAME[name].module)
    started = time.perf_counter()
    record = module.run(out_dir=Path(out_dir), config_dir=config_dir, input_dir=input_dir)
    rows = ", ".join(f"{k}={v}" for k, v in record.get("rows", {}).items())
    print(f"[{name}] {rows} in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return record


def run_all(input_dir: Path, out_dir: Path, config_dir: Path | None, where: dict | None = None,
            force: bool = False, run_one=run_stage) -> dict:
    """Every stage in order, each only when it is stale (`manifest.is_current`) unless `force`, in a
    staging copy of the output folder published at the end as one generation (`pipeline.core.generation`);
    `where["stage"]` names the running stage (for the CLI's messages). `run_one` runs a stage
    (`run_stage`, or the Dask engine's, `pipeline.dask_engine`)."""
    where = {} if where is None else where
    stages = available_stages()
    where["stage"] = "config"
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    current = []        # the stages before the first stale one: nothing before them reruns, they stay current
    for name in stages:
        if force or not manifest.is_current(name, out_dir, config_dir, input_dir):
            break
        current.append(name)
    if len(current) == len(stages):
        for name in stages:
            print(f"[{name}] up to date (inputs, code, config and model unchanged)", file=sys.stderr)
        where["stage"] = None
        return json.loads((Path(out_dir) / "manifest.json").read_text())    # nothing to publish
    validate_configs(config_dir, stages)    # before the first stage writes anything
    with generation.staged(out_dir) as work:
        for name in stages:
            where["stage"] = name
            if name in current or (not force and manifest.is_current(name, work, config_dir, input_dir)):
                print(f"[{name}] up to date (inputs, code, config and model unchanged)", file=sys.stderr)
                continue
            run_one(name, work, config_dir, input_dir)
        where["stage"] = "publish"
        gathered = manifest.gather(work, stages)
    where["stage"] = None
    return gathered


def validate_configs(config_dir: Path | None, stages: list[str]) -> None:
    """Every stage's config checked up front: a bad topics pattern fails before ingest rewrites anything."""
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    if not config_dir.is_dir():
        raise ConfigError(f"{config_dir}: config folder not found")
    for name in stages:
        check = stage_table.config_check(stage_table.BY_NAME[name])
        if check is not None:
            check(config_dir)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="print the traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run every stage on a folder of articles")
    run.add_argument("--input", required=True, type=Path, help="folder of *.txt / *.jsonl articles")
    run.add_argument("--output", required=True, type=Path, help="folder for the Parquet tables")
    run.add_argument("--config", type=Path, default=None, help="config folder (default: configs/)")
    run.add_argument("--force", action="store_true",
                     help="rerun every stage (by default a stage reruns only when what it depends on changed)")
    run.add_argument("--engine", choices=["local", "dask"], default="local",
                     help="local: this process (parse may start its own workers); dask: clean, parse, entities, "
                          "quotes and topics on a Dask cluster (the extra: pip install -e '.[dask]')")
    run.add_argument("--workers", type=int, default=2,
                     help="--engine dask: worker processes of the local cluster it starts (one thread each)")
    run.add_argument("--scheduler", default=None,
                     help="--engine dask: address of a running cluster's scheduler (default: "
                          "$DASK_SCHEDULER_ADDRESS, else a local cluster of --workers)")
    run.add_argument("--partition-docs", type=int, default=None,
                     help="--engine dask: documents per partition (default 16)")

    for declared in stage_table.STAGES:
        stage = sub.add_parser(declared.name, help=f"{declared.summary} (this stage alone, on --output)")
        stage.add_argument("--output", required=True, type=Path)
        stage.add_argument("--config", type=Path, default=None)
        if declared.input_folder:
            stage.add_argument("--input", required=True, type=Path)

    for name, help_text in TOOLS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def report_error(exc: BaseException, debug: bool, where: str = "") -> int:
    """One line `error CODE: message` on stderr (the traceback too with --debug); the exit code."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, PipelineError):
        line = f"error {exc.code}: {exc}"
    elif isinstance(exc, OSError):
        name = f"{exc.filename}: " if exc.filename else (f"{where}: " if where else "")
        line = f"error E105: {name}{exc.strerror or exc}"
    else:
        hint = "" if debug else " (rerun with --debug for the traceback)"
        line = (f"error E199: {where + ': ' if where else ''}{type(exc).__name__}: {exc}{hint} -- "
                f"{ERROR_CODES['E199']}")
    print(generation.public(line), file=sys.stderr)
    return 2


def interrupted_message(out_dir: Path, stage: str | None) -> str:
    """What an interrupted run changed, from what it really renamed into place (io.WRITTEN)."""
    during = f" during '{stage}'" if stage else ""
    staging = Path(out_dir) / generation.GENERATIONS     # a staging folder is never published half-done
    written = sorted({p.relative_to(out_dir).as_posix() for p in io.WRITTEN
                      if Path(p).is_relative_to(out_dir) and not Path(p).is_relative_to(staging)})
    if not written:
        return f"{out_dir}: interrupted{during}: outputs unchanged"
    return (f"{out_dir}: interrupted{during}: outputs MIXED: this run already replaced {', '.join(written)}; "
            f"the other tables are from the previous run: rerun to finish")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    if argv and argv[0] in TOOLS:
        # Tools parse their own arguments.
        try:
            module = importlib.import_module(TOOL_MODULES[argv[0]])
            return module.main(argv[1:])
        except KeyboardInterrupt:
            print(f"error E107: interrupted", file=sys.stderr)
            return 130
        except Exception as exc:
            return report_error(exc, debug, argv[0])
    args = build_parser().parse_args(argv)
    out_dir = Path(args.output).absolute()
    where: dict = {"stage": None}
    io.WRITTEN.clear()
    try:
        with io.output_lock(out_dir):
            if args.command == "run" and args.engine == "dask":
                from pipeline.dask_engine import DEFAULT_PARTITION_DOCS, run_dask

                run_dask(args.input, out_dir, args.config, where, force=args.force, workers=args.workers,
                         scheduler=args.scheduler, partition_docs=args.partition_docs or DEFAULT_PARTITION_DOCS)
            elif args.command == "run":
                if args.scheduler or args.partition_docs:
                    raise PipelineError("--scheduler and --partition-docs need --engine dask")
                run_all(args.input, out_dir, args.config, where, force=args.force)
            elif args.command in STAGE_ORDER:
                if args.command not in available_stages():
                    raise PipelineError(f"stage '{args.command}' is not implemented yet")
                where["stage"] = args.command
                manifest.check_not_mixed(out_dir, STAGE_ORDER[: STAGE_ORDER.index(args.command)])
                with generation.staged(out_dir) as work:      # one stage alone: a generation too
                    run_stage(args.command, work, args.config, getattr(args, "input", None))
                    manifest.gather(work, available_stages())
                where["stage"] = None
    except KeyboardInterrupt as exc:
        if debug:
            traceback.print_exception(exc, file=sys.stderr)
        print(f"error {Interrupted.code}: {interrupted_message(out_dir, where['stage'])}", file=sys.stderr)
        return 130
    except Exception as exc:
        stage = where["stage"]
        return report_error(exc, debug, f"{out_dir} [{stage}]" if stage else str(out_dir))
    return 0
