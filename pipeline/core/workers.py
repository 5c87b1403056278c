"""How many processes the run uses, and the per-document work of a stage spread over them.

One setting decides both: `n_process` in configs/parse.toml, the worker processes of parse's
`nlp.pipe` and of the per-document part of entities, quotes and topics (finding mentions, quotes,
topic evidence in each Doc). Those parts are pure functions of one document (pipeline/core/
doc_cache.py), so they can run on forked workers, each on a run of consecutive documents, and come
back in document order: the tables are the same with any number of processes. The corpus-level
parts (linking, the adaptive step, issue phrases) stay in the stage's own process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Callable, Iterator

from pipeline.core.config import load_stage_config, require
from pipeline.core.errors import ConfigError

# n_process = "auto": one worker per core, at most AUTO_MAX_WORKERS (each parse worker holds a model,
# ~0.3 GB), for corpora of at least AUTO_MIN_DOCUMENTS (starting parse's workers costs a few
# seconds); else in-process.
AUTO_MAX_WORKERS = 4
AUTO_MIN_DOCUMENTS = 50
# Runs of documents per worker: more than one, so that a worker given short articles is not left
# idle while another finishes long ones (each run reads the token table's row groups once).
RUNS_PER_WORKER = 2


def n_process_setting(config: dict, source: str) -> int | str:
    """parse.toml's `n_process`: a positive int or "auto" (ConfigError naming the file otherwise)."""
    value = config.get("n_process")
    if value == "auto":
        return value
    if isinstance(value, str):
        raise ConfigError(f"{source}: key 'n_process' must be a positive int or \"auto\", got {value!r}")
    return require(config, "n_process", int, source, positive=True)


def workers(n_process: int | str, n_documents: int, cores: int | None = None) -> int:
    """The worker processes for `n_documents`: the setting, or for "auto" what the machine and corpus warrant."""
    if n_process != "auto":
        return int(n_process)
    cores = cores if cores is not None else (os.cpu_count() or 1)
    return max(1, min(cores, AUTO_MAX_WORKERS)) if n_documents >= AUTO_MIN_DOCUMENTS else 1


def run_n_process(config_dir: Path | None) -> int | str:
    """The run's `n_process` (configs/parse.toml), checked."""
    config = load_stage_config(config_dir, "parse")
    return n_process_setting(config, str(Path(config_dir or "configs") / "parse.toml"))


# The task of the forked workers: set just before the pool forks, so that the workers inherit it
# (the stage's settings and closures are never pickled; only document ids go out, results come back).
_TASK: tuple[Callable, tuple] | None = None


def _run(ids: list[str]) -> tuple[list, list]:
    compute, collect = _TASK
    before = [len(c) if isinstance(c, list) else set(c) for c in collect]
    results = list(compute(set(ids)))
    added = [c[b:] if isinstance(c, list) else {k: v for k, v in c.items() if k not in b}
             for c, b in zip(collect, before)]
    return results, added


def spread(compute: Callable[[set[str]], Iterator[tuple[str, Any]]], order: list[str], n_process: int | str,
           collect: tuple[list | dict, ...] = ()) -> Callable[[set[str]], Iterator[tuple[str, Any]]]:
    """`compute` (doc_ids -> (doc_id, result) in `order`'s order, as DocumentCache.through asks) run
    on `workers(n_process, ...)` forked processes, each on runs of consecutive documents. `collect`:
    the lists and dicts `compute` adds to besides its results (a stage's failures); what each
    worker added is added here, in document order."""
    def spread_compute(ids: set[str]) -> Iterator[tuple[str, Any]]:
        global _TASK
        wanted = [doc_id for doc_id in order if doc_id in ids]
        processes = min(workers(n_process, len(wanted)), len(wanted))
        if processes < 2:
            yield from compute(ids)
            return
        n_runs = min(len(wanted), processes * RUNS_PER_WORKER)
        runs = [wanted[len(wanted) * k // n_runs: len(wanted) * (k + 1) // n_runs] for k in range(n_runs)]
        _TASK = (compute, collect)
        try:
            with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
                outputs = list(pool.map(_run, runs))
        except BrokenProcessPool as exc:     # a worker killed (out of memory): the work is done here instead
            print(f"warning: a worker process died ({exc}); the {len(wanted)} documents are redone in one process",
                  file=sys.stderr)
            yield from compute(ids)
            return
        finally:
            _TASK = None
        for results, added in outputs:
            for container, new in zip(collect, added):
                if isinstance(container, list):
                    container.extend(new)
                else:
                    container.update(new)
            yield from results

    return spread_compute
