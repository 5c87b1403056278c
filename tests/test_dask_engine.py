"""The Dask engine (pipeline/dask_engine.py): partitions, the merged corpus aggregations, the
partition cache, the CLI's options, and whole runs on a local 2-worker cluster (processes) against
the local engine: the same tables, also when a worker is killed mid-task or a run crashes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import REPO, SEEDS
from pipeline import dask_engine
from pipeline.steps.boilerplate import count_lines
from pipeline.core.errors import PipelineError
from pipeline.core.io import table_sha256
from pipeline.core.schemas import TABLES

pytest.importorskip("distributed")


# ---- partitions ------------------------------------------------------------------------------------

@pytest.mark.parametrize("n, size, expected", [
    (0, 3, []),
    (1, 3, [1]),
    (6, 3, [3, 3]),
    (7, 3, [3, 3, 1]),
    (5, 1, [1, 1, 1, 1, 1]),
    (4, 16, [4]),
])
def test_partitions_are_consecutive_slices(n, size, expected):
    parts = dask_engine.partitions(list(range(n)), size)
    assert [len(p) for p in parts] == expected
    assert [x for p in parts for x in p] == list(range(n))


def _tokens(doc_lengths: dict[str, int]) -> pa.Table:
    ids = [d for d, n in doc_lengths.items() for _ in range(n)]
    return pa.table({"doc_id": ids, "i": [i for n in doc_lengths.values() for i in range(n)]})


@pytest.mark.parametrize("lengths, size, expected", [
    ({"a": 2, "b": 1, "c": 3}, 2, [["a", "b"], ["c"]]),
    ({"a": 2, "b": 1, "c": 3}, 1, [["a"], ["b"], ["c"]]),
    ({"a": 2, "b": 1, "c": 3}, 5, [["a", "b", "c"]]),
    ({}, 2, []),
])
def test_token_partitions_never_cut_a_document(lengths, size, expected):
    parts = dask_engine.token_partitions(_tokens(lengths), size)
    assert [list(dict.fromkeys(p.column("doc_id").to_pylist())) for p in parts] == expected
    assert sum(p.num_rows for p in parts) == sum(lengths.values())


@pytest.mark.parametrize("size", [0, -1])
def test_a_partition_size_below_one_is_an_error(size):
    with pytest.raises(PipelineError, match="at least 1"):
        dask_engine.DaskEngine(client=None, out_dir=Path("/nonexistent"), partition_docs=size)


# ---- the corpus aggregations: merged partitions give what one pass gives -----------------------------

def _docs(n_sources: int, per_source: int) -> list[dict]:
    return [{"doc_id": f"{s}-{k}", "source": f"site{s}",
             "text": f"Share this\nSubscribe to site{s}\nA story number {k} of site {s}.\nShare this"}
            for s in range(n_sources) for k in range(per_source)]


@pytest.mark.parametrize("n_sources, per_source, size", [(1, 4, 1), (3, 3, 2), (12, 2, 5), (12, 2, 24), (2, 0, 3)])
def test_merged_line_counts_equal_one_pass(n_sources, per_source, size):
    docs = _docs(n_sources, per_source)
    whole = count_lines(docs)
    merged = dask_engine.merge_line_stats([count_lines(p) for p in dask_engine.partitions(docs, size)])
    assert merged.corpus_docs == whole.corpus_docs
    assert merged.corpus_counts == whole.corpus_counts
    assert merged.source_docs == whole.source_docs
    assert merged.source_counts == whole.source_counts
    # the rules read how many sources a form has, capped at 8
    assert {f: len(s) for f, s in merged.corpus_sources.items()} == {f: len(s) for f, s in whole.corpus_sources.items()}
    assert all(len(s) <= 8 for s in merged.corpus_sources.values())


def _parsed(lengths: dict[str, int]) -> tuple[pa.Table, pa.Table]:
    tokens = _tokens(lengths)
    sentences = pa.table({"doc_id": [d for d, n in lengths.items() if n], "sent_index": [0] * sum(1 for n in lengths.values() if n)})
    return tokens, sentences


@pytest.mark.parametrize("partition_lengths, row_group_tokens, groups", [
    # one row group ends after the document that brings it to row_group_tokens tokens, across partitions
    ([{"a": 3, "b": 3}, {"c": 3}], 5, [["a", "b"], ["c"]]),
    ([{"a": 3}, {"b": 3}, {"c": 3}], 5, [["a", "b"], ["c"]]),
    ([{"a": 3}, {"b": 1}, {"c": 1, "d": 9}], 100, [["a", "b", "c", "d"]]),
    ([{"a": 10}, {"b": 10}], 1, [["a"], ["b"]]),
    ([{"a": 2, "empty": 0, "b": 2}], 4, [["a", "b"]]),     # a document without tokens has no rows
    ([], 4, []),
])
def test_row_groups_follow_the_local_engine(partition_lengths, row_group_tokens, groups):
    got = list(dask_engine.row_groups([_parsed(p) for p in partition_lengths], row_group_tokens))
    assert [list(dict.fromkeys(t.column("doc_id").to_pylist())) for t, _ in got] == groups
    assert [list(dict.fromkeys(s.column("doc_id").to_pylist())) for _, s in got] == groups
    assert all(t.column(0).num_chunks <= 1 for t, _ in got)


# ---- the cache ----------------------------------------------------------------------------------------

def test_cache_keeps_partitions_and_prunes_what_a_run_did_not_use(tmp_path):
    cache = dask_engine.Cache(tmp_path / ".dask")
    assert cache.get("parse", "k1") is None
    cache.put("parse", "k1", {"rows": [1, 2]})
    cache.put("parse", "k2", [3])
    assert dask_engine.Cache(tmp_path / ".dask").get("parse", "k1") == {"rows": [1, 2]}
    (tmp_path / ".dask" / "parse" / "broken.pickle").write_bytes(b"not a pickle")
    assert cache.get("parse", "broken") is None                   # a torn file is computed again
    later = dask_engine.Cache(tmp_path / ".dask")
    later.get("parse", "k2")
    assert later.prune() == 2                                      # k1 and the broken file
    assert sorted(p.name for p in (tmp_path / ".dask" / "parse").iterdir()) == ["k2.pickle"]


@pytest.mark.parametrize("a, b, same", [
    (([1, 2],), ([1, 2],), True),
    (([1, 2],), ([2, 1],), False),
    (({"doc_id": "a", "text": "x"},), ({"doc_id": "a", "text": "y"},), False),
    ((pa.table({"x": [1]}),), (pa.table({"x": [1]}),), True),
    ((pa.table({"x": [1]}),), (pa.table({"x": [2]}),), False),
])
def test_partition_keys_follow_content(a, b, same):
    assert (dask_engine.content_hash(*a) == dask_engine.content_hash(*b)) == same


@pytest.mark.parametrize("fault, stage, index, raises", [
    ("", "parse", 0, False),
    ("parse:1:raise", "parse", 1, True),
    ("parse:1:raise", "parse", 0, False),
    ("parse:1:raise", "quotes", 1, False),
])
def test_fault_hook(monkeypatch, fault, stage, index, raises):
    monkeypatch.setenv(dask_engine.FAULT_ENV, fault)
    if raises:
        with pytest.raises(RuntimeError, match="fails"):
            dask_engine._call(lambda x: x, stage, index, 7)
    else:
        assert dask_engine._call(lambda x: x, stage, index, 7) == 7


# ---- the command line ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args, env, message", [
    (["--scheduler", "tcp://127.0.0.1:1"], {}, "need --engine dask"),
    (["--partition-docs", "4"], {}, "need --engine dask"),
    (["--engine", "dask", "--workers", "0"], {}, "needs at least 1"),
    (["--engine", "spark"], {}, "invalid choice"),
    (["--engine", "dask", "--scheduler", "tcp://127.0.0.1:9"], {}, "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
    (["--engine", "dask"], {"DASK_SCHEDULER_ADDRESS": "tcp://127.0.0.1:7"}, "cannot reach the Dask scheduler at tcp://127.0.0.1:7"),
])
def test_cli_rejects_bad_engine_options(tmp_path, args, env, message):
    done = subprocess.run([sys.executable, "-m", "pipeline", "run", "--input", str(SEEDS), "--output",
                           str(tmp_path / "out"), *args], capture_output=True, text=True, cwd=REPO, timeout=120,
                          env={**os.environ, **env})
    assert done.returncode == 2
    assert message in done.stderr
    assert not (tmp_path / "out" / "claims.parquet").exists()


# ---- whole runs on a local 2-worker cluster --------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    with dask_engine.cluster_client(workers=2) as client:
        yield client


def _hashes(out: Path) -> dict[str, str]:
    return {name: table_sha256(out / f"{name}.parquet") for name in sorted(TABLES) if (out / f"{name}.parquet").exists()}


def _manifest(out: Path, stage: str) -> dict:
    return json.loads((out / "manifest" / f"{stage}.json").read_text())


@pytest.mark.slow
def test_dask_run_gives_the_local_engines_tables(client, seed_outputs, tmp_path):
    import pandas as pd

    out = tmp_path / "out"
    gathered = dask_engine.run_dask(SEEDS, out, None, partition_docs=2, client=client)
    assert _hashes(out) == _hashes(seed_outputs)
    peaks = gathered["worker_peak_rss_mb"]          # each worker's own peak, for bench --dask-scale
    assert len(peaks) == 2 and all(mb > 50 for mb in peaks.values()), peaks
    pd.testing.assert_frame_equal(pd.read_parquet(out / "claims.parquet"), pd.read_parquet(seed_outputs / "claims.parquet"))
    for stage in dask_engine.DISTRIBUTED:
        engine = _manifest(out, stage)["engine"]
        assert engine["name"] == "dask" and engine["workers"] == 2 and engine["partitions"] == 3, stage
    assert _manifest(out, "claims")["run_id"] == (out / "current").resolve().name     # one generation
    from pipeline.core.manifest import mixed_tables
    from pipeline.tools.show import main as show

    assert mixed_tables(out) == []                    # show, report and diff accept the folder
    assert show(["--output", str(out)]) == 0
    # a second run runs nothing; --force runs every stage from the cache (every partition cached)
    dask_engine.run_dask(SEEDS, out, None, partition_docs=2, client=client, force=True)
    assert _hashes(out) == _hashes(seed_outputs)
    for stage in dask_engine.DISTRIBUTED:
        assert _manifest(out, stage)["engine"]["cached"] == 3, stage


@pytest.mark.slow
def test_a_killed_worker_loses_no_rows_and_duplicates_none(client, seed_outputs, tmp_path):
    marker = tmp_path / "killed"
    client.run(dask_engine.set_fault, f"parse:1:kill:{marker}")
    try:
        out = tmp_path / "out"
        dask_engine.run_dask(SEEDS, out, None, partition_docs=2, client=client)
    finally:
        client.run(dask_engine.set_fault, None)
    assert marker.exists(), "the worker running parse's partition 1 was killed"
    client.wait_for_workers(2, timeout=60)            # the nanny restarted it
    assert _hashes(out) == _hashes(seed_outputs)
    import pandas as pd

    tokens = pd.read_parquet(out / "tokens.parquet", columns=["doc_id", "i"])
    assert not tokens.duplicated().any()
    assert Counter(tokens["doc_id"]) == Counter(pd.read_parquet(seed_outputs / "tokens.parquet", columns=["doc_id"])["doc_id"])


@pytest.mark.slow
def test_a_crashed_run_resumes_from_its_finished_partitions(client, seed_outputs, tmp_path):
    out = tmp_path / "out"
    client.run(dask_engine.set_fault, "quotes:1:raise")
    try:
        with pytest.raises(RuntimeError, match="partition 1 of quotes fails"):
            dask_engine.run_dask(SEEDS, out, None, partition_docs=2, client=client)
    finally:
        client.run(dask_engine.set_fault, None)
    assert not (out / "claims.parquet").exists()            # nothing published
    assert len(list((out / ".dask" / "parse").iterdir())) == 3
    dask_engine.run_dask(SEEDS, out, None, partition_docs=2, client=client)
    for stage in ("clean", "parse", "entities"):
        assert _manifest(out, stage)["engine"]["cached"] == 3, stage       # nothing computed again
    assert _manifest(out, "quotes")["engine"]["cached"] < 3
    assert _hashes(out) == _hashes(seed_outputs)
