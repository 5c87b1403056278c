"""`python -m pipeline bench`: throughput and memory of the whole run against bare spaCy, in one run.

Corpus: the PolNeAR texts in SHARED/polnear (train + dev, ~700k words; read from ../shared, never
copied into the repository). Each measurement runs in its own subprocess so that peak memory
(ru_maxrss, of the process and its children) is its own:
  - bare:N     `nlp.pipe` over the raw texts with the batch size of configs/parse.toml and
               n_process = N (1 and 2 by default): the best bare figure is the yardstick
  - run:N      every stage of the stage table, as `run` does, with parse's n_process = N
               (model loads, the taggers' build and all writing included)
  - dask:N     (--dask, 1 and 2 by default when the extra is installed) the whole run with the Dask
               engine (`run --engine dask`) on a local cluster of N workers, one thread each
               (the cluster's start and every model load included)
  - add 1%     (--incremental) a run on all but the last 1% of the documents, then one after they
               are added: its time against the whole run's (parse reuses the unchanged documents)
  - scale      the whole run on growing corpora (a fraction of the texts, or the texts repeated
               under new ids), to show that peak memory stays flat as the corpus grows.
  - dask xF    (--dask-scale) the Dask engine with 2 workers on growing corpora: each worker's own
               peak memory (asked of the workers at the end of the run).
The sides are interleaved (bare:1, bare:2, run:1, ..., then again) and the best of `--repeat` runs
of each counts, so that a noisy neighbour slows one attempt, not one side. Throughput is words
(whitespace-separated, of the raw texts) per second; the figure that matters is the ratio of the
run to the best bare figure, measured in the same invocation. The run's stage manifests give each
stage's seconds: topics + claims against parse is printed too.
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

from pipeline.core.config import DEFAULT_SHARED_DIR
from pipeline.evaluation.polnear import as_input, read_split, split_path, write_input

from pipeline.core.stages import STAGE_ORDER


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


def _peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def worker(mode: str, corpus: Path, out_dir: Path) -> dict:
    """One measurement, in this process: prints JSON with seconds, words, peak memory (and stage times)."""
    from pipeline.core.config import load_stage_config

    kind, n_process = mode.split(":")
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    words = sum(len(r["text"].split()) for r in records)
    stage_seconds = {}
    worker_peak = None
    started = time.perf_counter()
    if kind == "bare":
        from pipeline.core.model import load_model

        nlp = load_model()
        for _ in nlp.pipe((r["text"] for r in records), batch_size=load_stage_config(None, "parse")["batch_size"],
                          n_process=int(n_process)):
            pass
    elif kind == "dask":        # the whole run with the Dask engine on a local cluster of N workers
        from pipeline.dask_engine import run_dask

        gathered = run_dask(corpus.parent, out_dir, None, workers=int(n_process))
        stage_seconds = {name: record["seconds"] for name, record in gathered["stages"].items()}
        worker_peak = max(gathered["worker_peak_rss_mb"].values(), default=None)
    elif kind == "run":
        from pipeline.cli import run_all

        config_dir = _config_with_n_process(out_dir.parent / "configs", int(n_process))
        gathered = run_all(corpus.parent, out_dir, config_dir)      # as `run`: configs checked first
        stage_seconds = {name: record["seconds"] for name, record in gathered["stages"].items()}
    else:       # "add": a run on all but the last 1% of the documents (untimed), then they arrive (timed)
        from pipeline.cli import run_all

        config_dir = _config_with_n_process(out_dir.parent / "configs", int(n_process))
        keep = len(records) - max(1, len(records) // 100)
        corpus.write_text("".join(json.dumps(r) + "\n" for r in records[:keep]), encoding="utf-8")
        run_all(corpus.parent, out_dir, config_dir)
        (corpus.parent / "added.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records[keep:]),
                                                   encoding="utf-8")
        started = time.perf_counter()
        gathered = run_all(corpus.parent, out_dir, config_dir)
        stage_seconds = {name: record["seconds"] for name, record in gathered["stages"].items()}
        stage_seconds["reused_documents"] = gathered["stages"]["parse"]["rows"].get("reused", 0)
    seconds = time.perf_counter() - started
    return {"mode": mode, "documents": len(records), "words": words, "seconds": round(seconds, 2),
            "words_per_second": round(words / seconds, 1), "stage_seconds": stage_seconds,
            "peak_rss_mb": round(max(_peak_mb(), _peak_children_mb()), 1), "worker_peak_rss_mb": worker_peak}


def _config_with_n_process(folder: Path, n_process: int) -> Path:
    """A copy of the config folder whose parse.toml sets n_process (every other setting as shipped)."""
    import re
    import shutil

    from pipeline.core.config import DEFAULT_CONFIG_DIR

    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(DEFAULT_CONFIG_DIR, folder)
    parse = folder / "parse.toml"
    text, count = re.subn(r"(?m)^n_process\s*=.*$", f"n_process = {n_process}", parse.read_text())
    if count != 1:
        raise SystemExit(f"bench: {parse}: expected one `n_process = ...` line, found {count}")
    parse.write_text(text)
    return folder


def measure(mode: str, records: list[dict], scratch: Path, label: str) -> dict:
    folder = scratch / label
    corpus = write_input(records, folder / "input", "corpus.jsonl")
    cmd = [sys.executable, "-m", "pipeline.tools.bench", "_worker", mode, str(corpus), str(folder / "out")]
    if (folder / "out").exists():            # every attempt starts from an empty output folder
        import shutil
        shutil.rmtree(folder / "out")
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
    parser.add_argument("--repeat", type=int, default=2, help="interleaved runs of each side; best of each counts")
    parser.add_argument("--n-process", default="1,2", help="worker processes for bare spaCy and for the run's parse")
    parser.add_argument("--scale", default="0.25,1,2", help="corpus sizes (x PolNeAR) for the memory runs; '' skips")
    parser.add_argument("--incremental", action="store_true",
                        help="also time a run that adds the last 1%% of the documents to a processed corpus")
    parser.add_argument("--dask", default=None,
                        help="workers of the Dask engine's runs (a local cluster, one thread per worker; default "
                             "'1,2' when the extra is installed); '' skips")
    parser.add_argument("--dask-scale", default="",
                        help="corpus sizes (x PolNeAR) for Dask runs with 2 workers: each worker's peak memory as "
                             "the corpus grows (e.g. '0.25,0.5,1'); '' (default) skips")
    parser.add_argument("--json", type=Path, default=None, help="write the results here too")
    args = parser.parse_args(argv)
    if args.dask is None:
        import importlib.util

        args.dask = "1,2" if importlib.util.find_spec("distributed") is not None else ""

    records = load_texts(args.shared)
    texts = scaled(records, args.fraction)
    counts = [int(n) for n in args.n_process.split(",") if n.strip()]
    dask_counts = [int(n) for n in args.dask.split(",") if n.strip()]
    modes = [f"bare:{n}" for n in counts] + [f"run:{n}" for n in counts] + [f"dask:{n}" for n in dask_counts]
    results: dict = {"throughput": [], "scale": []}
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        scratch = Path(tmp)
        print(f"bench: {len(texts)} PolNeAR documents; bare spaCy (n_process {args.n_process}) vs the whole "
              f"run ({' '.join(STAGE_ORDER)}){f' and the Dask engine (workers {args.dask})' if dask_counts else ''}, "
              f"interleaved, best of {args.repeat}", file=sys.stderr)
        for k in range(args.repeat):
            for mode in modes:
                results["throughput"].append(measure(mode, texts, scratch, f"{mode}#{k + 1}"))
        if args.incremental:
            results["incremental"] = measure(f"add:{counts[0]}", texts, scratch, "add 1%")
        for factor in [float(f) for f in args.scale.split(",") if f.strip()]:
            results["scale"].append(measure(f"run:{counts[0]}", scaled(records, factor), scratch, f"scale x{factor:g}"))
        results["dask_scale"] = [measure("dask:2", scaled(records, factor), scratch, f"dask x{factor:g}")
                                 for factor in [float(f) for f in args.dask_scale.split(",") if f.strip()]]
    best = {mode: max((r for r in results["throughput"] if r["mode"] == mode), key=lambda r: r["words_per_second"])
            for mode in modes}
    best_bare = max((best[m] for m in modes if m.startswith("bare")), key=lambda r: r["words_per_second"])
    best_run = max((best[m] for m in modes if m.startswith("run:")), key=lambda r: r["words_per_second"])
    results["best"] = {m: r["words_per_second"] for m, r in best.items()}
    results["ratio"] = round(best_run["words_per_second"] / best_bare["words_per_second"], 3)
    stages = best_run["stage_seconds"]
    results["topics_claims_vs_parse"] = round((stages["topics"] + stages["claims"]) / stages["parse"], 3)
    print("\nbest words/s: " + ", ".join(f"{m} {r['words_per_second']:.0f}" for m, r in best.items()))
    print(f"throughput: the whole run ({best_run['mode']}) {best_run['words_per_second']:.0f} words/s against "
          f"bare spaCy ({best_bare['mode']}) {best_bare['words_per_second']:.0f}: ratio {results['ratio']:.3f} "
          f"(target >= 0.95)")
    print(f"stages of that run (s): " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items())
          + f"; topics + claims = {results['topics_claims_vs_parse']:.3f} of parse (target <= 0.10)")
    if dask_counts:
        results["dask"] = {f"workers_{n}": {"words_per_second": best[f"dask:{n}"]["words_per_second"],
                                            "ratio_to_bare": round(best[f"dask:{n}"]["words_per_second"]
                                                                   / best_bare["words_per_second"], 3),
                                            "stage_seconds": best[f"dask:{n}"]["stage_seconds"],
                                            "peak_rss_mb": best[f"dask:{n}"]["peak_rss_mb"]}
                           for n in dask_counts}
        print("dask engine: " + ", ".join(
            f"{n} worker{'s' if n > 1 else ''} {best[f'dask:{n}']['words_per_second']:.0f} words/s "
            f"({results['dask'][f'workers_{n}']['ratio_to_bare']:.3f} of bare {best_bare['mode']})" for n in dask_counts))
        if 1 in dask_counts and 2 in dask_counts:
            results["dask"]["speedup_2_vs_1"] = round(best["dask:2"]["words_per_second"]
                                                      / best["dask:1"]["words_per_second"], 3)
            print(f"dask engine: 2 workers against 1: {results['dask']['speedup_2_vs_1']:.2f}x (target >= 1.6)")
    if args.incremental:
        full = best[f"run:{counts[0]}"]["seconds"]
        added = results["incremental"]
        results["incremental_vs_full"] = round(added["seconds"] / full, 3)
        print(f"incremental: adding 1% of the documents to a processed corpus took {added['seconds']:.1f} s "
              f"({added['stage_seconds'].get('reused_documents', 0)} documents' parses reused) against "
              f"{full:.1f} s for the whole run: {results['incremental_vs_full']:.3f} (target <= 0.10); "
              "stages (s): " + ", ".join(f"{k} {v:.1f}" for k, v in added["stage_seconds"].items()
                                         if k != "reused_documents"))
    if results["scale"]:
        peaks = [(r["words"], r["peak_rss_mb"]) for r in results["scale"]]
        growth = peaks[-1][1] / peaks[0][1]
        results["memory_growth"] = round(growth, 3)
        print("memory: " + ", ".join(f"{w} words -> {m:.0f} MB" for w, m in peaks)
              + f"; largest/smallest peak = {growth:.2f} for {peaks[-1][0] / peaks[0][0]:.1f}x the words")
    if results["dask_scale"]:
        peaks = [(r["words"], r["worker_peak_rss_mb"]) for r in results["dask_scale"]]
        results["dask_worker_memory_growth"] = round(peaks[-1][1] / peaks[0][1], 3)
        print("dask worker memory (2 workers, the larger peak): " + ", ".join(f"{w} words -> {m:.0f} MB" for w, m in peaks)
              + f"; largest/smallest = {results['dask_worker_memory_growth']:.2f} for "
              f"{peaks[-1][0] / peaks[0][0]:.1f}x the words")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        print(json.dumps(worker(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        raise SystemExit(main(sys.argv[1:]))
