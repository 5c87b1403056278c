"""The per-document work of a stage spread over worker processes (pipeline/core/workers.py): the
same results, in document order, and the same side tables, with any number of processes."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from pipeline.core.workers import spread

ORDER = [f"doc{k:02d}" for k in range(11)]


def _stage_like(failures: list, notes: dict):
    """A per-document function as a stage writes one: results in order, a failure list, a memo dict."""
    def compute(ids):
        for doc_id in ORDER:
            if doc_id not in ids:
                continue
            if doc_id.endswith("3"):            # a document whose work raises is skipped and recorded
                failures.append({"doc_id": doc_id, "pid": os.getpid()})
                continue
            notes[doc_id] = len(doc_id)
            yield doc_id, doc_id.upper()
    return compute


@pytest.mark.parametrize("n_process", [1, 2, 3, 20])
@pytest.mark.parametrize("wanted", [set(ORDER), set(ORDER[2:9]), {"doc05"}, set()])
def test_spread_work_equals_the_work_done_in_one_process(n_process, wanted):
    one_failures, one_notes = [], {}
    expected = list(_stage_like(one_failures, one_notes)(wanted))
    failures, notes = [], {"earlier": 0}
    got = list(spread(_stage_like(failures, notes), ORDER, n_process, collect=(failures, notes))(wanted))
    assert got == expected
    assert [f["doc_id"] for f in failures] == [f["doc_id"] for f in one_failures]
    assert notes == {"earlier": 0, **one_notes}


def test_the_work_really_runs_in_other_processes():
    failures: list = []
    list(spread(_stage_like(failures, {}), ORDER, 2, collect=(failures,))(set(ORDER)))
    assert failures and all(f["pid"] != os.getpid() for f in failures)
    failures.clear()
    list(spread(_stage_like(failures, {}), ORDER, 1, collect=(failures,))(set(ORDER)))
    assert failures and all(f["pid"] == os.getpid() for f in failures)


def test_a_worker_that_dies_costs_time_not_the_run(capsys):
    parent = os.getpid()

    def dies_in_a_worker(ids):
        if os.getpid() != parent:
            os._exit(9)                         # as the kernel's out-of-memory killer would
        for doc_id in ORDER:
            if doc_id in ids:
                yield doc_id, 1

    got = list(spread(dies_in_a_worker, ORDER, 2)(set(ORDER)))
    assert got == [(doc_id, 1) for doc_id in ORDER]
    assert "worker process died" in capsys.readouterr().err


def test_an_error_in_the_work_itself_is_raised_not_hidden():
    def broken(ids):
        raise RuntimeError("a bug, not a bad document")
        yield

    with pytest.raises(RuntimeError, match="a bug"):
        list(spread(broken, ORDER, 2)(set(ORDER)))


@pytest.mark.slow
def test_a_run_on_two_processes_writes_the_tables_of_a_run_on_one(tmp_path):
    from pipeline.cli import run_all
    from pipeline.tools.bench import _config_with_n_process
    from tests.test_doc_cache import ARTICLES, _source, _tables

    source = _source(tmp_path, sorted(ARTICLES))
    outs = {}
    for n in (1, 2):
        outs[n] = tmp_path / f"out{n}"
        run_all(source, outs[n], _config_with_n_process(tmp_path / f"configs{n}", n))
    one, two = _tables(outs[1]), _tables(outs[2])
    assert one.keys() == two.keys() and {"mentions", "quotes", "quote_topics"} <= one.keys()
    assert len(one["quotes"]) >= 4
    for name in one:
        pd.testing.assert_frame_equal(two[name], one[name], obj=name)
