"""`python -m pipeline eval`: score an output folder against gold, list what to fix.

By default the outputs (`--output`, default `outputs/`) are scored on the seeds' hand gold
(`SHARED/gold`): boilerplate lines, quotes (precision, recall, speaker accuracy, by type, at 30%
and 80% overlap), people and topics. With `--polnear dev` (or `train`, or a path to a PolNeAR
JSONL file) the pipeline is first run on the split's texts in a temporary folder (never inside
the repository) and its quotes are scored against the PolNeAR attributions.
With `--rules` (alone: on train and dev) it also prints, per quote rule and per repair of
`pipeline/steps/quotes/rules.py`, the rows it produced and their precision; `--reuse` scores the outputs
a previous run left in `--workdir` instead of running the pipeline again.

The scoring itself lives with each stage (`pipeline.evaluation.eval_lines`, `eval_quotes`, `eval_speakers`,
`eval_entities`, `eval_topics`); this module finds what is available, runs it, prints one table, lists the misses
and false alarms (`--show N`), writes everything as JSON (`OUT/eval.json` or `--json PATH`), and
with `--min-f1 X` exits 1 when a headline F1 (quotes at 30% overlap, seed lines kept) is below X.

Exit codes: 0 scored (and above --min-f1), 1 below --min-f1 or a headline could not be scored,
2 nothing to score (no gold, no outputs) or a scorer failed.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import math
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pipeline.core.config import DEFAULT_SHARED_DIR as DEFAULT_SHARED
from pipeline.core.errors import PipelineError
from pipeline.evaluation.polnear import read_split, split_path, write_input

REPO = Path(__file__).resolve().parents[2]
NOT_YET = "not available yet"


# ------------------------------------------------------------------------------------------
# Finding the scorers (written by the stages' owners; absent ones are reported, not fatal)

class Unavailable(Exception):
    """A scorer module or function does not exist (yet)."""


def scorer(module: str, function: str) -> Callable:
    if importlib.util.find_spec(f"pipeline.evaluation.{module}") is None:
        raise Unavailable(f"{NOT_YET}: pipeline/evaluation/{module}.py does not exist")
    mod = importlib.import_module(f"pipeline.evaluation.{module}")
    fn = getattr(mod, function, None)
    if fn is None:
        raise Unavailable(f"{NOT_YET}: pipeline.evaluation.{module} has no {function}()")
    return fn


@dataclass
class Section:
    """One block of the report: a scorer, what it needs, and how its headline F1 is read."""
    name: str
    title: str
    module: str
    function: str
    needs: tuple[str, ...] = ()          # output tables, any one of which must exist
    gold: str | None = None              # file in the gold folder
    headline: str | None = None          # label of the headline F1 gated by --min-f1
    call: Callable | None = None         # (fn, ctx) -> dict
    result: dict | None = None
    status: str = "ok"                   # ok / unavailable / missing / error
    message: str = ""
    seconds: float = 0.0
    f1: float | None = None


@dataclass
class Context:
    out_dir: Path
    shared: Path
    gold_dir: Path
    config_dir: Path | None
    polnear_jsonl: Path | None = None
    multipage_k: int = 4


def _lines_call(fn, ctx: Context) -> dict:
    from pipeline.core.io import read_frame
    from pipeline.core.schemas import LINES

    return fn(read_frame(LINES, ctx.out_dir), ctx.gold_dir / "seed_lines.jsonl")


def _clean_config(ctx: Context) -> dict:
    from pipeline.core.config import load_stage_config

    return load_stage_config(ctx.config_dir, "clean")


def seed_sections() -> list[Section]:
    return [
        Section("lines", "boilerplate lines (seeds)", "eval_lines", "score_seed_lines", ("lines",),
                "seed_lines.jsonl", headline="lines kept F1", call=_lines_call),
        Section("quotes", "quotes (seeds)", "eval_quotes", "score_seed_quotes", ("quotes",),
                "seed_quotes.jsonl", headline="quotes F1@30",
                call=lambda fn, ctx: fn(ctx.out_dir, ctx.gold_dir / "seed_quotes.jsonl")),
        Section("people", "people (seeds)", "eval_entities", "score_people", ("entities", "mentions"),
                "seed_people.jsonl", call=lambda fn, ctx: fn(ctx.out_dir, ctx.gold_dir / "seed_people.jsonl")),
        Section("topics", "topics (seeds)", "eval_topics", "score_topics", ("quote_topics", "claims"),
                "seed_quotes.jsonl", call=lambda fn, ctx: fn(ctx.out_dir, ctx.gold_dir / "seed_quotes.jsonl")),
        gender_section(seeds=True),
    ]


def boilerplate_sections() -> list[Section]:
    return [
        Section("boilerplate_set", "article extraction, 181 pages (shingle P/R/F1)", "eval_lines",
                "score_boilerplate_set", call=lambda fn, ctx: fn(ctx.shared, _clean_config(ctx))),
        Section("multipage", "article extraction with sibling pages", "eval_lines", "score_multipage",
                call=lambda fn, ctx: fn(ctx.shared, _clean_config(ctx), k=ctx.multipage_k)),
        Section("polnear_retention", "article text kept on PolNeAR dev (attribution content)", "eval_lines",
                "score_polnear_retention", call=lambda fn, ctx: fn(ctx.shared, _clean_config(ctx), split="dev")),
    ]


def polnear_sections() -> list[Section]:
    return [Section("quotes", "quotes (PolNeAR)", "eval_quotes", "score_polnear", ("quotes",),
                    headline="quotes F1@30 (speech recall)",
                    call=lambda fn, ctx: fn(ctx.out_dir, ctx.polnear_jsonl)),
            # role-wise span scores as CofeNet computes them, on its dev instances (skipped on other splits)
            Section("cofenet", "role-wise spans as CofeNet scores them (PolNeAR dev tokens; published TEST figures beside)",
                    "eval_cofenet", "score_polnear_cofenet", ("quotes",),
                    call=lambda fn, ctx: fn(ctx.out_dir, ctx.polnear_jsonl,
                                            ctx.shared / "polnear" / "cofenet_dev.jsonl")),
            # canonical speakers against the dev speaker gold (skipped on other splits)
            Section("speakers", "canonical speakers (PolNeAR dev)", "eval_speakers", "score_polnear_speakers",
                    ("quotes",), "polnear_dev_speakers.jsonl",
                    call=lambda fn, ctx: fn(ctx.out_dir, ctx.polnear_jsonl,
                                            ctx.gold_dir / "polnear_dev_speakers.jsonl")),
            gender_section(seeds=False),
            Section("topics_unassigned", "quotes left unassigned, per taxonomy; topics+claims seconds vs parse",
                    "eval_topics", "unassigned_share", ("quote_topics",))]


def rules_section() -> Section:
    """Rows and precision per quote rule and per repair (`eval --rules`): which rules to trust."""
    return Section("rules", "quotes per rule and per repair (PolNeAR; precision as above, @30)", "eval_quotes",
                   "score_polnear_rules", ("quotes",), call=lambda fn, ctx: fn(ctx.out_dir, ctx.polnear_jsonl))


def gender_section(seeds: bool) -> Section:
    """Speaker gender on the speakers whose gender the gold's sources state by pronoun or
    honorific (the gold is built from the gold files at run time: pipeline.evaluation.eval_gender)."""
    if seeds:
        return Section("gender", "speaker gender (seeds, stated by pronoun or honorific)", "eval_gender",
                       "score_seed_gender", ("quotes",), "seed_quotes.jsonl",
                       call=lambda fn, ctx: fn(ctx.out_dir, ctx.gold_dir / "seed_quotes.jsonl"))
    return Section("gender", "speaker gender (PolNeAR, stated by pronoun or honorific)", "eval_gender",
                   "score_polnear_gender", ("quotes",),
                   call=lambda fn, ctx: fn(ctx.out_dir, ctx.polnear_jsonl, ctx.gold_dir / "polnear_dev_speakers.jsonl"))


def labelled_topics_sections(records: list[dict], taxonomy: str, name: str) -> list[Section]:
    return [Section("doc_topics", f"article topics ({taxonomy}, top doc_topics row) against {name}",
                    "eval_topics", "score_doc_topics", ("doc_topics",),
                    call=lambda fn, ctx: fn(ctx.out_dir, records, taxonomy))]


def baseline_section(seeds: bool) -> Section:
    """textacy's direct_quotations on the same parses, scored like ours (eval_quotes.textacy_scores)."""
    return Section("textacy_baseline", "textacy baseline (direct quotes only)", "eval_quotes", "textacy_scores",
                   ("tokens",), call=lambda fn, ctx: fn(
                       ctx.out_dir, gold_path=ctx.gold_dir / "seed_quotes.jsonl" if seeds else None,
                       polnear_jsonl=ctx.polnear_jsonl))


# ------------------------------------------------------------------------------------------
# Reading the scorers' dicts (shapes are the scorers' own: read them generously)

def metrics_of(result: dict) -> dict:
    """The numbers of a result: its `metrics` dict, or every non-list entry of a flat result."""
    if isinstance(result.get("metrics"), dict):
        return result["metrics"]
    return {k: v for k, v in result.items() if not isinstance(v, list)}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _walk(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, path + (str(key),))
    else:
        yield path, node


RECALL_KEYS = ("recall", "speech_recall", "recall_all")   # PolNeAR: speech attributions first


def _f1_of(node: dict) -> float | None:
    """A dict's F1: its own `f1`, else from its precision and recall."""
    for key, value in node.items():
        if "f1" in str(key).lower() and _is_number(value):
            return float(value)
    precision = node.get("precision")
    recall = next((node[k] for k in RECALL_KEYS if _is_number(node.get(k))), None)
    if _is_number(precision) and _is_number(recall):
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return None


def find_f1(metrics: dict, overlap: str = "30") -> float | None:
    """The overall F1 at an overlap threshold, wherever the scorer put it.

    Accepts `{"@30": {"precision", "recall"}}` (F1 computed), `{"overlap_30": {"f1": ..}}`,
    `{"at_30": {...}}`, `{"0.3": {...}}`, `{"f1@30": ..}`, `{"f1_30": ..}`. Per-type or per-label
    figures are never headlines; a top-level `f1` (or precision and recall) is used when no
    threshold is named anywhere. Where no plain `recall` exists, `speech_recall` (PolNeAR's
    speech attributions, what the project is about) comes before `recall_all`.
    """
    marks = {overlap, f"0.{overlap.rstrip('0')}", f"{int(overlap) / 100:g}"}
    excluded = ("type", "label", "speaker", "per_", "by_")

    def named(path) -> bool:
        words = " ".join(p.lower() for p in path)
        for sep in "@_-:":
            words = words.replace(sep, " ")
        return bool(marks & set(words.split()))

    candidates = []

    def visit(node: dict, path: tuple):
        for key, value in node.items():
            sub = path + (str(key),)
            if any(w in str(key).lower() for w in excluded):
                continue
            if isinstance(value, dict):
                if named(sub):
                    f1 = _f1_of(value)
                    if f1 is not None:
                        candidates.append((len(sub), f1))
                visit(value, sub)
            elif _is_number(value) and "f1" in str(key).lower() and named(sub):
                candidates.append((len(sub), float(value)))

    visit(metrics, ())
    if candidates:
        return sorted(candidates, key=lambda c: c[0])[0][1]
    return _f1_of(metrics)


def lines_kept_f1(result: dict) -> float | None:
    """F1 of "kept" (title and body are the article) from score_seed_lines' per-label counts."""
    metrics = metrics_of(result)
    for key in ("kept_f1", "f1"):
        if _is_number(metrics.get(key)):
            return float(metrics[key])
    per_label = result.get("per_label") or metrics.get("per_label")
    if not isinstance(per_label, dict):
        return None
    tp = sum(v.get("kept", 0) for k, v in per_label.items() if k in ("title", "body"))
    gold = sum(v.get("gold", 0) for k, v in per_label.items() if k in ("title", "body"))
    fp = sum(v.get("kept", 0) for k, v in per_label.items() if k not in ("title", "body"))
    fn = gold - tp
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def headline_f1(section: Section) -> float | None:
    if section.result is None or not section.headline:
        return None
    if section.name == "lines":
        return lines_kept_f1(section.result)
    return find_f1(metrics_of(section.result), "30")


def problem_lists(result: dict) -> dict[str, list]:
    """Lists of records a rule writer reads: misses, false alarms, wrong speakers, ..."""
    return {k: v for k, v in result.items() if isinstance(v, list) and v and isinstance(v[0], (dict, str))}


# ------------------------------------------------------------------------------------------
# Running

def run_sections(sections: list[Section], ctx: Context) -> None:
    for section in sections:
        started = time.perf_counter()
        try:
            fn = scorer(section.module, section.function)
            if section.gold and not (ctx.gold_dir / section.gold).exists():
                section.status, section.message = "missing", f"gold file {ctx.gold_dir / section.gold} not found"
                continue
            if section.needs and not any((ctx.out_dir / f"{t}.parquet").exists() for t in section.needs):
                tables = " or ".join(f"{t}.parquet" for t in section.needs)
                section.status = "missing"
                section.message = f"{tables} not in {ctx.out_dir}: run the stage that writes it (make all)"
                continue
            section.result = section.call(fn, ctx) if section.call else fn(ctx.out_dir)
            if not isinstance(section.result, dict):
                raise TypeError(f"{section.module}.{section.function} returned {type(section.result).__name__}, "
                                "expected a dict")
            if isinstance(section.result.get("skipped"), str):
                section.status, section.message = "skipped", section.result["skipped"]
            section.f1 = headline_f1(section)
        except Unavailable as exc:
            section.status, section.message = "unavailable", str(exc)
        except PipelineError as exc:
            section.status, section.message = "missing", str(exc)
        except Exception as exc:  # a scorer's bug: reported with its traceback, exit code 2
            section.status = "error"
            section.message = f"{type(exc).__name__}: {exc}"
            section.result = {"traceback": traceback.format_exc()}
        finally:
            section.seconds = round(time.perf_counter() - started, 2)


def prepare_polnear(jsonl: Path, work: Path, docs: int | None) -> tuple[Path, Path]:
    """Write the split's articles as pipeline input (id, text, source, date) in `work`.

    Returns (input folder, gold JSONL restricted to those articles)."""
    records = read_split(jsonl, limit=docs)
    write_input(records, work / "input")
    if not docs:
        return work / "input", jsonl
    gold = work / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return work / "input", gold


# ------------------------------------------------------------------------------------------
# Printing

def _fmt(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4f}"
    if value is None:
        return "—"
    return str(value)


def _scalar(value) -> bool:
    return value is None or isinstance(value, (int, float, str, bool))


def render_metrics(metrics: dict, indent: str = "  ") -> list[str]:
    """Scalars as `name value`; dicts of scalars as rows of a small matrix; deeper as name.path."""
    out: list[str] = []
    scalars = [(k, v) for k, v in metrics.items() if _scalar(v)]
    width = max([len(str(k)) for k, _ in scalars] + [12])
    for key, value in scalars:
        out.append(f"{indent}{str(key):<{width}}  {_fmt(value)}")
    rows: list[tuple[str, dict]] = []       # consecutive dicts of scalars with the same keys

    def flush():
        if len(rows) == 1:                   # a lone dict (counts, a confusion) reads better inline
            name, row = rows[0]
            out.append(f"{indent}{name}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in row.items()))
        elif rows:
            columns = []
            for _, row in rows:
                columns += [c for c in row if c not in columns]
            name_w = max(len(n) for n, _ in rows)
            col_w = {c: max(len(str(c)), *(len(_fmt(r.get(c))) for _, r in rows)) for c in columns}
            out.append(f"{indent}{'':<{name_w}}  " + "  ".join(f"{str(c):>{col_w[c]}}" for c in columns))
            for name, row in rows:
                out.append(f"{indent}{name:<{name_w}}  "
                           + "  ".join(f"{_fmt(row.get(c)):>{col_w[c]}}" for c in columns))
        rows.clear()

    for key, value in metrics.items():
        if _scalar(value) or isinstance(value, list):
            continue
        if isinstance(value, dict) and value and all(_scalar(v) for v in value.values()):
            if rows and len(set(rows[-1][1]) & set(value)) * 2 < len(set(rows[-1][1]) | set(value)):
                flush()                      # rows of one matrix share most of their columns
            rows.append((str(key), value))
        elif isinstance(value, dict):
            flush()
            out.append(f"{indent}{key}:")
            out.extend(render_metrics(value, indent + "  "))
    flush()
    return out


LOCATION = ("line", "line_no", "start", "end", "content_start", "content_end")
TEXTY = ("text", "content", "quote", "sentence")


def format_item(item: dict | str, width: int = 150) -> str:
    """One miss or false alarm on one line: where, what the labels say, then the text."""
    if not isinstance(item, dict):
        return str(item)
    where = str(item.get("doc_id", ""))
    if "line" in item or "line_no" in item:
        where += f":{item.get('line', item.get('line_no'))}"
    elif "start" in item and "end" in item:
        where += f":{item['start']}-{item['end']}"
    elif "content_start" in item:
        where += f":{item['content_start']}-{item.get('content_end')}"
    text_key = next((k for k in TEXTY if isinstance(item.get(k), str) and item[k]), None)
    fields = [f"{k}={_fmt(v) if not isinstance(v, (list, dict)) else json.dumps(v, ensure_ascii=False)}"
              for k, v in item.items() if k not in ("doc_id", *LOCATION, text_key) and not isinstance(v, dict)]
    text = item[text_key] if text_key else ""
    line = f"{where}  {'  '.join(fields)}"
    if text:
        text = " ".join(text.split())
        room = max(80, width - len(line))
        line += f"  | {text if len(text) <= room else text[: room - 1] + '…'}"
    return line


def render(sections: list[Section], header: str, show: int, min_f1: float | None) -> str:
    out = [header, ""]
    for section in sections:
        timing = f" [{section.seconds:.1f}s]" if section.seconds >= 0.5 else ""
        out.append(f"## {section.title}{timing}")
        if section.status != "ok":
            out.append(f"  {section.status}: {section.message}")
            out.append("")
            continue
        if section.f1 is not None:
            out.append(f"  {'HEADLINE ' + section.headline:<12}  {_fmt(section.f1)}")
        out.extend(render_metrics(metrics_of(section.result)))
        for name, items in problem_lists(section.result).items():
            order = ""
            if all(isinstance(i, dict) and _f1_of(i) is not None for i in items):
                items, order = sorted(items, key=_f1_of), " worst first"   # per-item scores
            shown = items[:show] if show >= 0 else items
            more = f",{order or ' first'} {len(shown)} (--show N)" if len(shown) < len(items) else order
            out.append(f"  {name.replace('_', ' ')}: {len(items)}{more}")
            out.extend(f"    {format_item(item)}" for item in shown)
        out.append("")
    heads = [s for s in sections if s.headline]
    if heads:
        parts = [f"{s.headline} {_fmt(s.f1) if s.f1 is not None else '— (' + s.status + ')'}" for s in heads]
        verdict = ""
        if min_f1 is not None:
            verdict = f"  [min {min_f1}: {'OK' if gate(sections, min_f1)[0] else 'FAIL'}]"
        out.append("headline: " + ", ".join(parts) + verdict)
    return "\n".join(out) + "\n"


def gate(sections: list[Section], min_f1: float) -> tuple[bool, list[str]]:
    problems = []
    for s in sections:
        if not s.headline:
            continue
        if s.f1 is None:
            problems.append(f"{s.headline} could not be scored ({s.status}: {s.message})")
        elif s.f1 < min_f1:
            problems.append(f"{s.headline} {s.f1:.3f} < {min_f1}")
    return not problems, problems


def to_json(sections: list[Section], meta: dict) -> dict:
    return {**meta, "sections": {s.name: {"title": s.title, "status": s.status, "message": s.message,
                                          "seconds": s.seconds, "headline": s.headline, "headline_f1": s.f1,
                                          "result": s.result} for s in sections}}


def _json_default(value):
    if hasattr(value, "item"):        # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, tuple)):
        return list(value)
    return str(value)


# ------------------------------------------------------------------------------------------
# Command line

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=Path("outputs"),
                        help="output folder to score (default: outputs); with --polnear, where the JSON goes")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                        help=f"shared data folder with gold/ and polnear/ (default: {DEFAULT_SHARED})")
    parser.add_argument("--gold", type=Path, default=None, help="seed gold folder (default: SHARED/gold)")
    parser.add_argument("--config", type=Path, default=None, help="config folder (default: configs/)")
    parser.add_argument("--polnear", metavar="SPLIT", default=None,
                        help="score on PolNeAR instead: dev, train, a comma list (train,dev: one run and "
                             "table each), or a PolNeAR .jsonl path")
    parser.add_argument("--topics", type=Path, default=None, metavar="FILE.jsonl",
                        help="score article topics instead: each record {id, text, major_topic} of FILE is run "
                             "as a document through the pipeline; its top doc_topics row is compared with the label")
    parser.add_argument("--taxonomy", default="cap", help="with --topics: the taxonomy scored (default: cap; "
                        "a bare label 19 is read as cap:19)")
    parser.add_argument("--docs", type=int, default=None, help="with --polnear or --topics: only the first N records")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="with --polnear or --topics: keep the run's outputs here (outside the repository)")
    parser.add_argument("--rules", action="store_true",
                        help="also print rows and precision per quote rule and per repair (pipeline/steps/quotes/rules.py) "
                             "on PolNeAR; without --polnear, on train and dev (--polnear train,dev)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --polnear and --workdir: score the outputs already in WORKDIR/outputs "
                             "(WORKDIR/SPLIT/outputs for several splits) instead of running the pipeline again")
    parser.add_argument("--baseline", action="store_true", help="also score textacy's direct_quotations baseline")
    parser.add_argument("--boilerplate", action="store_true",
                        help="also score article extraction on the 181-page set and with sibling pages (slow)")
    parser.add_argument("--multipage-k", type=int, default=4, help="sibling pages per page for --boilerplate")
    parser.add_argument("--only", default=None, help="comma-separated sections to run (lines,quotes,people,topics)")
    parser.add_argument("--json", type=Path, default=None, help="where to write the JSON (default: OUTPUT/eval.json)")
    parser.add_argument("--show", type=int, default=10, help="misses / false alarms listed per kind (-1: all)")
    parser.add_argument("--min-f1", type=float, default=None, help="exit 1 if a headline F1 is below this")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.rules and not args.polnear and not args.topics:
        args.polnear = "train,dev"
    splits = [s.strip() for s in (args.polnear or "").split(",") if s.strip()]
    if len(splits) <= 1:
        return _main(args)
    codes = []
    for split in splits:                 # one run, table and JSON per split, in the order given
        sub = argparse.Namespace(**vars(args))
        sub.polnear = split
        sub.workdir = args.workdir / split if args.workdir else None
        sub.json = args.json.with_name(f"{args.json.stem}_{split}{args.json.suffix}") if args.json else None
        codes.append(_main(sub))
    return max(codes)


def _main(args: argparse.Namespace) -> int:
    shared = args.shared
    if not shared.is_dir() and not args.topics:      # --topics needs nothing from the shared folder
        print(f"error: shared data folder {shared} not found: the gold files and PolNeAR live there "
              f"(a folder 'shared' beside the repository); pass --shared DIR", file=sys.stderr)
        return 2
    gold_dir = args.gold or shared / "gold"
    ctx = Context(out_dir=args.output, shared=shared, gold_dir=gold_dir, config_dir=args.config,
                  multipage_k=args.multipage_k)
    meta: dict[str, Any] = {"output": str(args.output), "shared": str(shared)}
    tmp = None
    try:
        if args.topics:
            from pipeline.evaluation.eval_topics import read_labelled

            records = read_labelled(args.topics, limit=args.docs)
            work, tmp = _workdir(args.workdir, "pipeline-eval-topics-")
            if work is None:
                return 2
            input_dir = work / "input"
            write_input([{"id": str(r["id"]), "text": r["text"]} for r in records], input_dir, name="labelled.jsonl")
            run_out = work / "outputs"
            print(f"eval: running the pipeline on {len(records)} records of {args.topics} into {run_out}",
                  file=sys.stderr)
            from pipeline.cli import run_all

            run_all(input_dir, run_out, args.config)
            ctx.out_dir = run_out
            sections = labelled_topics_sections(records, args.taxonomy, args.topics.name)
            meta.update(gold=str(args.topics), mode="topics", taxonomy=args.taxonomy, docs=args.docs,
                        run_output=str(run_out))
            header = f"eval of article topics on {args.topics} ({len(records)} records, taxonomy {args.taxonomy})"
            default_json = args.output / f"eval_topics_{args.topics.stem}.json"
        elif args.polnear:
            jsonl = split_path(shared, args.polnear)
            if not jsonl.exists():
                print(f"error: PolNeAR split {jsonl} not found", file=sys.stderr)
                return 2
            work, tmp = _workdir(args.workdir, "pipeline-eval-polnear-")
            if work is None:
                return 2
            input_dir, gold = prepare_polnear(jsonl, work, args.docs)
            run_out = work / "outputs"
            if args.reuse and (run_out / "quotes.parquet").exists():
                print(f"eval: scoring the outputs already in {run_out} (--reuse)", file=sys.stderr)
            else:
                print(f"eval: running the pipeline on {jsonl.name}"
                      f"{f' (first {args.docs} articles)' if args.docs else ''} into {run_out}", file=sys.stderr)
                from pipeline.cli import run_all

                run_all(input_dir, run_out, args.config)
            ctx.out_dir, ctx.polnear_jsonl = run_out, gold
            sections = polnear_sections()
            if args.rules:
                sections.append(rules_section())
            meta.update(gold=str(jsonl), mode="polnear", docs=args.docs, run_output=str(run_out))
            header = f"eval on PolNeAR {args.polnear}{f' ({args.docs} articles)' if args.docs else ''}: {jsonl}"
            default_json = args.output / f"eval_polnear_{Path(args.polnear).stem}.json"
        else:
            if not gold_dir.is_dir():
                print(f"error: gold folder {gold_dir} not found", file=sys.stderr)
                return 2
            if not (args.output / "documents.parquet").exists():
                print(f"error: {args.output} has no documents.parquet: run the pipeline first "
                      f"(make all, or python -m pipeline run --input seeds --output {args.output})", file=sys.stderr)
                return 2
            sections = seed_sections()
            meta.update(gold=str(gold_dir), mode="seeds")
            header = f"eval of {args.output} on the seeds' gold ({gold_dir})"
            warning = _seed_coverage(args.output, gold_dir)
            if warning:
                header += f"\nwarning: {warning}"
            default_json = args.output / "eval.json"
        if args.baseline:
            sections.append(baseline_section(seeds=not args.polnear))
        if args.boilerplate:
            sections += boilerplate_sections()
        if args.only:
            wanted = {w.strip() for w in args.only.split(",") if w.strip()}
            sections = [s for s in sections if s.name in wanted]
        run_sections(sections, ctx)
        sys.stdout.write(render(sections, header, args.show, args.min_f1))
        passed, problems = gate(sections, args.min_f1) if args.min_f1 is not None else (True, [])
        meta.update(min_f1=args.min_f1, passed=passed,
                    headline={s.headline: s.f1 for s in sections if s.headline})
        json_path = args.json or default_json
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(to_json(sections, meta), indent=2, default=_json_default,
                                        ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {json_path}")
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if tmp is not None:
            tmp.cleanup()
    errors = [s for s in sections if s.status == "error"]
    for s in errors:
        print(f"error: {s.title}: {s.message} (traceback in the JSON)", file=sys.stderr)
    for problem in problems:
        print(f"below --min-f1: {problem}", file=sys.stderr)
    if problems:
        return 1
    return 2 if errors else 0


def _workdir(workdir: Path | None, prefix: str):
    """(folder for a run on measuring data, its TemporaryDirectory or None); (None, None) when
    --workdir points inside the repository (measuring data must never be copied into it)."""
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix=prefix)
        return Path(tmp.name), tmp
    work = workdir.resolve()
    if work == REPO or REPO in work.parents:
        print(f"error: --workdir {work} is inside the repository; measuring data must not be "
              "copied into it: choose a folder outside", file=sys.stderr)
        return None, None
    work.mkdir(parents=True, exist_ok=True)
    return work, None


def _seed_coverage(out_dir: Path, gold_dir: Path) -> str | None:
    """A warning when the outputs are not a run on the seeds (the gold would all be misses)."""
    gold_file = gold_dir / "seed_lines.jsonl"
    if not gold_file.exists():
        return None
    import pyarrow.parquet as pq

    gold_ids = {json.loads(l)["doc_id"] for l in gold_file.read_text(encoding="utf-8").splitlines() if l.strip()}
    ids = set(pq.read_table(out_dir / "documents.parquet", columns=["doc_id"]).column("doc_id").to_pylist())
    missing = gold_ids - ids
    if missing == gold_ids:
        return f"{out_dir} holds none of the seed documents: is it a run on seeds/?"
    if missing:
        return f"{len(missing)} seed documents missing from {out_dir}: {', '.join(sorted(missing))}"
    return None


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
