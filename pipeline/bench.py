"""`python -m pipeline bench`: throughput and memory of the pipeline against bare spaCy, in one run.

Corpus: the PolNeAR texts in SHARED/polnear (train + dev, ~700k words; read from ../shared, never
copied into the repository). Each measurement runs in its own subprocess so that peak memory
(ru_maxrss) is its own:
  - bare:      `nlp.pipe` over the raw texts with the parse settings of configs/parse.toml
  - pipeline:  ingest + clean + parse (every stage up to the parse, as `run` would) on the same
               texts, model load included on both sides
  - scale:     the pipeline on growing corpora (a fraction of the texts, or the texts repeated
               under new ids), to show that peak memory stays flat as the corpus grows.
Throughput is words (whitespace-separated, of the raw texts) per second; the figure that matters is
the ratio pipeline / bare, measured in the same run (absolute times wander on shared machines).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .config import DEFAULT_SHARED_DIR
from .polnear import as_input, read_split, split_path, write_input

from .stages import STAGE_ORDER

# The stages timed against bare spaCy: every stage up to and including the parse, from the stage table.
PIPELINE_STAGES = STAGE_ORDER[: STAGE_ORDER.index("parse") + 1]


def load_texts(shared: Path) -> list[dict]:
    """PolNeAR train + dev as ingest records (id, text, source, date)."""
    paths = [split_path(shared, "train"), split_path(shared, "dev")]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SystemExit(f"bench: PolNeAR not found ({', '.join(missing)}): the benchmark reads the "
                         f"corpus from ../shared/polnear beside the repository; pass --shared DIR")
    return [as_input(record) for path in paths for record in read_split(path)]


def scaled(records: list[dict], factor: float) -> list[dict]:
    """The first `factor` of the corpus, or the corpus repeated under new ids when factor > 1."""
    whole, part = int(factor), factor - int(factor)
    out = [{**r, "id": f"{r['id']}~{k}" if k else r["id"]} for k in range(whole) for r in records]
    return out + records[: round(len(records) * part)]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(mode: str, corpus: Path, out_dir: Path) -> dict:
    """One measurement, in this process: prints JSON with seconds, words and peak memory."""
    from .config import load_stage_config

    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    words = sum(len(r["text"].split()) for r in records)
    settings = load_stage_config(None, "parse")
    started = time.perf_counter()
    if mode == "bare":
        from .model import load_model

        nlp = load_model()
        for _ in nlp.pipe((r["text"] for r in records), batch_size=settings["batch_size"],
                          n_process=settings["n_process"]):
            pass
    else:
        from .cli import run_stage

        for stage in PIPELINE_STAGES:
            run_stage(stage, out_dir, None, corpus.parent)
    seconds = time.perf_counter() - started
    return {"mode": mode, "documents": len(records), "words": words, "seconds": round(seconds, 2),
            "words_per_second": round(words / seconds, 1), "peak_rss_mb": round(_peak_mb(), 1)}


def measure(mode: str, records: list[dict], scratch: Path, label: str) -> dict:
    folder = scratch / label
    corpus = write_input(records, folder / "input", "corpus.jsonl")
    cmd = [sys.executable, "-m", "pipeline.bench", "_worker", mode, str(corpus), str(folder / "out")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bench: {label} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["label"] = label
    print(f"  {label:<18} {result['documents']:>6} docs {result['words']:>9} words "
          f"{result['seconds']:>8.1f} s {result['words_per_second']:>9.0f} words/s "
          f"peak {result['peak_rss_mb']:>7.0f} MB", file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED_DIR)
    parser.add_argument("--fraction", type=float, default=1.0, help="share of the corpus for the throughput runs")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of each side; best of each counts")
    parser.add_argument("--scale", default="0.25,1,2", help="corpus sizes (x PolNeAR) for the memory runs; '' skips")
    parser.add_argument("--json", type=Path, default=None, help="write the results here too")
    args = parser.parse_args(argv)

    records = load_texts(args.shared)
    texts = scaled(records, args.fraction)
    results: dict = {"throughput": [], "scale": []}
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        scratch = Path(tmp)
        print(f"bench: {len(texts)} PolNeAR documents; bare spaCy vs ingest+clean+parse", file=sys.stderr)
        for k in range(args.repeat):
            results["throughput"].append(measure("bare", texts, scratch, f"bare#{k + 1}"))
            results["throughput"].append(measure("pipeline", texts, scratch, f"pipeline#{k + 1}"))
        for factor in [float(f) for f in args.scale.split(",") if f.strip()]:
            results["scale"].append(measure("pipeline", scaled(records, factor), scratch, f"scale x{factor:g}"))
    best = {mode: max(r["words_per_second"] for r in results["throughput"] if r["mode"] == mode)
            for mode in ("bare", "pipeline")}
    results["ratio"] = round(best["pipeline"] / best["bare"], 3)
    print(f"\nthroughput: pipeline {best['pipeline']:.0f} words/s, bare spaCy {best['bare']:.0f} words/s, "
          f"ratio {results['ratio']:.3f} (target >= 0.85)")
    if results["scale"]:
        peaks = [(r["words"], r["peak_rss_mb"]) for r in results["scale"]]
        growth = peaks[-1][1] / peaks[0][1]
        results["memory_growth"] = round(growth, 3)
        print("memory: " + ", ".join(f"{w} words -> {m:.0f} MB" for w, m in peaks)
              + f"; largest/smallest peak = {growth:.2f} for {peaks[-1][0] / peaks[0][0]:.1f}x the words")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        print(json.dumps(worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        raise SystemExit(main(sys.argv[1:]))
