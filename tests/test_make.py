"""Staleness by content: `make all` (= `run`) reruns a stage only when what it depends on changed.

File times never decide: a second run does nothing, touching a file does nothing, an article
deleted, copied in with an old mtime, or a switched input folder all rerun what they must, and input
paths with spaces or colons work.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO
from pipeline.cli import run_all
from pipeline.core.io import read_frame
from pipeline.core.schemas import CLAIMS, DOCUMENTS

ARTICLES = {
    "a.txt": 'Tax plan unveiled\n\nSenator Jane Roe said the tax plan would help families. "We will win," she said.\n',
    "b.txt": 'Border talks\n\nThe minister told reporters that the border talks had failed. "It is over," he said.\n',
}


def write_articles(folder, names=("a.txt", "b.txt")):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_text(ARTICLES[name])
    return folder


def ran(err: str) -> set[str]:
    """The stages a run's stderr says it ran (a stage that was current says "up to date")."""
    return {line[1:].split("]")[0] for line in err.splitlines()
            if line.startswith("[") and "up to date" not in line and "] " in line and " in " in line}


@pytest.fixture
def corpus(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs", configs)
    return write_articles(tmp_path / "in"), tmp_path / "out", configs


@pytest.mark.slow
def test_second_run_reruns_nothing_and_touching_files_changes_nothing(corpus, capfd):
    source, out, configs = corpus
    run_all(source, out, configs)
    first = capfd.readouterr().err
    assert ran(first) == {"ingest", "clean", "parse", "entities", "quotes", "topics", "claims"}
    manifests = {p.name: p.read_text() for p in (out / "manifest").glob("*.json")}

    for path in [*source.iterdir(), *configs.rglob("*.toml")]:
        os.utime(path, None)                            # newer mtimes, same contents
    run_all(source, out, configs)
    assert ran(capfd.readouterr().err) == set()
    assert {p.name: p.read_text() for p in (out / "manifest").glob("*.json")} == manifests


@pytest.mark.slow
def test_an_edit_reruns_its_stage_and_only_the_stages_whose_inputs_changed(corpus, capfd):
    source, out, configs = corpus
    run_all(source, out, configs)
    capfd.readouterr()
    with (configs / "clean.toml").open("a") as fh:
        fh.write("\n# a comment changes the file, not what clean writes\n")
    run_all(source, out, configs)
    assert ran(capfd.readouterr().err) == {"clean"}

    with (configs / "quotes.toml").open("a") as fh:
        fh.write("\n# quotes reruns; topics and claims follow only if quotes.parquet changed\n")
    run_all(source, out, configs)
    assert ran(capfd.readouterr().err) == {"quotes"}


@pytest.mark.slow
def test_deleted_old_mtime_and_switched_inputs_are_seen(corpus, capfd):
    source, out, configs = corpus
    run_all(source, out, configs)
    assert set(read_frame(DOCUMENTS, out).doc_id) == {"a", "b"}

    (source / "b.txt").unlink()                         # a deleted article leaves every table
    run_all(source, out, configs)
    assert set(read_frame(DOCUMENTS, out).doc_id) == {"a"}
    assert set(read_frame(CLAIMS, out).doc_id) == {"a"}

    write_articles(source, ["b.txt"])
    os.utime(source / "b.txt", (0, 0))                  # copied in with an old mtime (cp -p, rsync -a)
    run_all(source, out, configs)
    assert set(read_frame(DOCUMENTS, out).doc_id) == {"a", "b"}

    other = write_articles(source.parent / "other", ["b.txt"])   # another input folder
    capfd.readouterr()
    run_all(other, out, configs)
    assert set(read_frame(DOCUMENTS, out).doc_id) == {"b"}
    assert "ingest" in ran(capfd.readouterr().err)


@pytest.mark.slow
def test_a_changed_or_missing_output_table_reruns_its_stage(corpus, capfd):
    source, out, configs = corpus
    run_all(source, out, configs)
    Path(os.path.realpath(out / "claims.parquet")).unlink()      # the table, not only its link
    (out / "mentions.parquet").write_bytes((out / "mentions.parquet").read_bytes() + b"x")
    capfd.readouterr()
    run_all(source, out, configs)
    assert {"entities", "claims"} <= ran(capfd.readouterr().err)
    assert (out / "claims.parquet").exists()


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_make_all_delegates_to_run_with_spaces_and_colons_in_paths(tmp_path):
    source = write_articles(tmp_path / "my articles: 2024")
    out = tmp_path / "out put"
    env = {**os.environ}

    def make():
        return subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "all", f"INPUT={source}",
                               f"OUT={out}"], capture_output=True, text=True, env=env)

    first = make()
    assert first.returncode == 0, first.stderr[-2000:]
    assert set(read_frame(DOCUMENTS, out).doc_id) == {"a", "b"}
    record = json.loads((out / "manifest" / "claims.json").read_text())
    assert record["fingerprint"] and "claims.parquet" in record["outputs"]
    second = make()
    assert second.returncode == 0 and ran(second.stderr) == set(), second.stderr[-2000:]


def test_the_stage_table_gives_make_a_target_per_stage():
    from pipeline.core.stages import STAGE_ORDER

    listed = subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "help"], capture_output=True,
                            text=True).stdout if shutil.which("make") else ""
    if not listed:
        pytest.skip("GNU make is not installed")
    targets = {line.split("\t")[0] for line in listed.splitlines()}
    assert set(STAGE_ORDER) | {"all"} <= targets
