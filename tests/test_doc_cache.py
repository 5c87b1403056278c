"""Per-document results kept between runs (pipeline/core/doc_cache.py): what is reused, what is
redone, and that an incremental run writes the tables a full run would."""

from __future__ import annotations

import pickle
import shutil
from collections import Counter
from dataclasses import dataclass

import pandas as pd
import pytest

from pipeline.core.doc_cache import DocumentCache, digest


@dataclass
class Result:          # a stage's own class, named to the cache
    words: list


def _computed(calls):
    """compute(ids) that records which documents it was asked for; "bad" fails (is skipped)."""
    def compute(ids):
        calls.append(set(ids))
        for doc_id in ["a", "b", "c", "bad"]:
            if doc_id in ids and doc_id != "bad":
                yield doc_id, Result([doc_id.upper()])
    return compute


def _through(tmp_path, keys, settings="s1", order=("a", "b", "c", "bad")):
    calls: list[set] = []
    cache = DocumentCache(tmp_path, "stage", settings, classes=(Result,))
    out = list(cache.through(list(order), keys, _computed(calls)))
    cache.save()
    return out, calls, cache


KEYS = {"a": "ka", "b": "kb", "c": "kc", "bad": "kbad"}


@pytest.mark.parametrize("second_keys, second_settings, order, computed, reused", [
    (KEYS, "s1", ("a", "b", "c", "bad"), {"bad"}, 3),                  # nothing changed: only the failed one again
    ({**KEYS, "b": "kb2"}, "s1", ("a", "b", "c", "bad"), {"b", "bad"}, 2),  # b's inputs changed
    (KEYS, "s2", ("a", "b", "c", "bad"), {"a", "b", "c", "bad"}, 0),   # other settings: nothing reused
    (KEYS, None, ("a", "b", "c", "bad"), {"a", "b", "c", "bad"}, 0),   # unknown settings: nothing reused
    ({**KEYS, "d": "kd"}, "s1", ("a", "d", "c"), {"d"}, 2),            # b removed, d new
])
def test_through_reuses_documents_whose_inputs_and_settings_match(tmp_path, second_keys, second_settings,
                                                                  order, computed, reused):
    first, calls, cache = _through(tmp_path, KEYS)
    assert [d for d, _ in first] == ["a", "b", "c"] and calls == [{"a", "b", "c", "bad"}]
    assert cache.reused == 0
    again, calls, cache = _through(tmp_path, second_keys, second_settings, order)
    assert calls == [computed]
    assert cache.reused == reused
    # in the given order, the failed document left out, cached or not the same results
    assert again == [(d, Result([d.upper()])) for d in order if d not in ("bad", "d")]


def test_a_removed_document_leaves_the_cache(tmp_path):
    _through(tmp_path, KEYS)
    _through(tmp_path, KEYS, order=("a", "c"))
    _, calls, _ = _through(tmp_path, KEYS)
    assert calls == [{"b", "bad"}]


def test_a_result_changed_after_it_is_put_is_cached_as_it_was(tmp_path):
    cache = DocumentCache(tmp_path, "stage", "s1", classes=(Result,))
    rows = [{"name": "Roe"}]
    cache.put("a", "ka", rows)
    del rows[0]["name"]                          # as linking does to mention rows
    cache.save()
    assert DocumentCache(tmp_path, "stage", "s1").get("a", "ka") == [{"name": "Roe"}]


@dataclass
class Evil:
    command: str

    def __reduce__(self):
        return (print, ("executed",))


@pytest.mark.parametrize("content", [
    b"",                                                        # empty
    b"not a pickle at all",                                     # garbage
    pickle.dumps({"settings": "s1", "documents": []}),          # wrong shape
    pickle.dumps(Evil("x")),                                    # a callable the cache does not allow
])
def test_a_damaged_or_foreign_cache_file_is_ignored_with_a_warning(tmp_path, capsys, content):
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "stage.pickle").write_bytes(content)
    out, calls, _ = _through(tmp_path, KEYS)
    assert calls == [{"a", "b", "c", "bad"}] and len(out) == 3
    captured = capsys.readouterr()
    assert "executed" not in captured.out
    assert "stage.pickle" in captured.err


def test_an_entry_with_a_class_not_named_is_redone(tmp_path):
    cache = DocumentCache(tmp_path, "stage", "s1", classes=(Result,))
    cache.put("a", "ka", Result(["A"]))
    cache.save()
    assert DocumentCache(tmp_path, "stage", "s1").get("a", "ka") is None          # Result not allowed here
    assert DocumentCache(tmp_path, "stage", "s1", classes=(Result,)).get("a", "ka") == Result(["A"])
    cache.put("b", "kb", Counter(x=1))                                             # Counter always is
    cache.save()
    assert DocumentCache(tmp_path, "stage", "s1").get("b", "kb") == Counter(x=1)


@pytest.mark.parametrize("a, b, same", [
    (("body", [{"start": 0, "end": 4}]), ("body", [{"start": 0, "end": 4}]), True),
    (("body", [{"start": 0, "end": 4}]), ("body", [{"start": 1, "end": 5}]), False),   # same body, moved
    (("ab", "c"), ("a", "bc"), False),                                                 # parts kept apart
    ((None,), ("None",), False),
])
def test_digest_tells_inputs_apart(a, b, same):
    assert (digest(*a) == digest(*b)) is same


# ---- the whole run: an incremental run writes what a full run writes ----------------------------

ARTICLES = {
    "a.txt": 'Tax plan unveiled\n\nSenator Jane Roe said the tax plan would help families. "We will win," she said.\n',
    "b.txt": 'Border talks fail\n\nThe minister told reporters that the talks had failed. "It is over," he added.\n',
    "c.txt": "Budget vote nears\n\nJane Roe toured a factory in Ohio on Monday with local officials.\n\n"
             "The senator said the budget would pass before the summer recess.\n",
    "d.txt": 'Roe speaks again\n\nRoe said on Monday that the tax plan was fair. "Families first," she said.\n',
}
PER_DOCUMENT_STAGES = ("entities", "quotes", "topics")


def _tables(out) -> dict[str, pd.DataFrame]:
    from pipeline.core.schemas import TABLES

    return {p.stem: pd.read_parquet(p) for p in sorted(out.glob("*.parquet")) if p.stem in TABLES}


def _source(tmp_path, names):
    source = tmp_path / "in"
    source.mkdir()
    for name in names:
        (source / name).write_text(ARTICLES[name])
    return source


@pytest.mark.slow
def test_an_incremental_run_reuses_unchanged_documents_and_equals_a_full_run(tmp_path):
    from pipeline.cli import run_all

    source = _source(tmp_path, ("b.txt", "c.txt"))
    out = tmp_path / "out"
    first = run_all(source, out, None)
    assert all(first["stages"][s]["rows"]["reused"] == 0 for s in PER_DOCUMENT_STAGES)
    assert {"The senator", "The minister"} <= set(pd.read_parquet(out / "quotes.parquet").speaker)

    # new: Senator Jane Roe, which makes c.txt's "The senator" hers (the corpus's titles of Roe,
    # read by c.txt's speaker resolution, changed: its quotes are redone, its mentions are not)
    (source / "a.txt").write_text(ARTICLES["a.txt"])
    (source / "d.txt").write_text(ARTICLES["d.txt"])
    (source / "b.txt").unlink()                                # removed
    again = run_all(source, out, None)
    reused = {s: again["stages"][s]["rows"]["reused"] for s in PER_DOCUMENT_STAGES}
    # topics reads a quote's place, not its speaker: c.txt's reading is reused
    assert reused == {"entities": 1, "quotes": 0, "topics": 1}, reused
    full = tmp_path / "full"
    run_all(source, full, None)
    got, want = _tables(out), _tables(full)
    assert got.keys() == want.keys()
    for name in want:
        if name != "rejects":
            pd.testing.assert_frame_equal(got[name], want[name], obj=name)
    quotes = pd.read_parquet(out / "quotes.parquet")
    assert "b" not in set(quotes.doc_id) and set(quotes[quotes.doc_id == "c"].speaker) == {"Jane Roe"}


@pytest.mark.slow
def test_a_deleted_cache_costs_a_full_pass_not_a_different_answer(tmp_path):
    from pipeline.cli import run_all

    source = _source(tmp_path, ("a.txt", "c.txt"))
    out = tmp_path / "out"
    run_all(source, out, None)
    before = _tables(out)
    shutil.rmtree((out / "current").resolve() / "cache")
    (source / "d.txt").write_text(ARTICLES["d.txt"])
    again = run_all(source, out, None)
    assert all(again["stages"][s]["rows"]["reused"] == 0 for s in PER_DOCUMENT_STAGES)
    (source / "d.txt").unlink()
    run_all(source, out, None)
    for name, frame in before.items():
        if name != "rejects":
            pd.testing.assert_frame_equal(_tables(out)[name], frame, obj=name)


def test_a_result_that_is_no_longer_valid_is_redone(tmp_path):
    _through(tmp_path, KEYS)
    calls: list[set] = []
    cache = DocumentCache(tmp_path, "stage", "s1", classes=(Result,))
    # what b's result read elsewhere changed (quotes: what the corpus says of a mention it read)
    out = list(cache.through(["a", "b", "c"], KEYS, _computed(calls), still_valid=lambda d, r: d != "b"))
    assert calls == [{"b"}] and cache.reused == 2 and [d for d, _ in out] == ["a", "b", "c"]
