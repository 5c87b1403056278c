"""Runs that never lie (issue 15): a lock per output folder, one-line coded errors, leftovers removed,
outputs that follow the umask, one document that cannot sink a run, nothing lost silently."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import cli
from pipeline.core import io
from pipeline.core.config import DEFAULT_CONFIG_DIR, sha256_file
from pipeline.core.errors import ERROR_CODES, PipelineError

REPO = Path(__file__).resolve().parents[1]


def _articles(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "a.txt").write_text('Senator Jane Roe said: "We will win." She added that the vote mattered.\n')
    (root / "b.txt").write_text("The mayor said the budget was balanced.\n")
    return root


def _main(capsys, *argv) -> tuple[int, str]:
    code = cli.main([str(a) for a in argv])
    return code, capsys.readouterr().err


def _one_line_error(err: str, code: str) -> str:
    """The stderr of a failed command: exactly one `error CODE:` line and no traceback."""
    lines = [line for line in err.splitlines() if line.startswith("error ")]
    assert len(lines) == 1, err
    assert lines[0].startswith(f"error {code}: "), err
    assert "Traceback" not in err, err
    return lines[0]


# --- 1. a lock on the output folder -------------------------------------------------------------

HOLD = ("import sys, time; from pipeline.core import io\n"
        "with io.output_lock(sys.argv[1]):\n"
        "    print('locked', flush=True); time.sleep(60)\n")


def _hold_lock(out: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def _pipeline(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, argv)], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow     # runs the pipeline (the model)
def test_second_run_into_a_locked_folder_fails_fast_naming_the_holder(tmp_path):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    holder = _hold_lock(out)
    try:
        for argv in (["ingest", "--input", src, "--output", out], ["run", "--input", src, "--output", out]):
            started = time.monotonic()
            done = _pipeline(*argv)
            assert done.returncode == 2, done.stderr
            line = _one_line_error(done.stderr, "E104")
            assert f"pid {holder.pid}" in line and str(out) in line
            assert time.monotonic() - started < 30          # fails fast, does not wait for the holder
        assert not (out / "documents.parquet").exists()     # the refused runs wrote nothing
    finally:
        holder.kill()
        holder.wait()
    # The holder was killed: its pid is left in the lock, which the next run takes over, saying so.
    done = _pipeline("ingest", "--input", src, "--output", out)
    assert done.returncode == 0, done.stderr
    assert f"stale lock of pid {holder.pid}" in done.stderr
    assert (out / "documents.parquet").exists()
    # A run that finished released its lock cleanly: no stale-lock message the next time.
    again = _pipeline("ingest", "--input", src, "--output", out)
    assert again.returncode == 0 and "stale lock" not in again.stderr


def test_lock_is_released_after_an_error(tmp_path, capsys):
    out = tmp_path / "out"
    code, err = _main(capsys, "ingest", "--input", tmp_path / "missing", "--output", out)
    assert code == 2
    with io.output_lock(out):       # would raise OutputLocked if the failed run still held it
        pass
    assert "stale lock" not in capsys.readouterr().err


# --- 2. one-line coded errors -------------------------------------------------------------------

def test_every_error_class_has_a_declared_code():
    from pipeline.core import errors

    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, PipelineError)]
    assert len(classes) >= 8
    codes = [c.code for c in classes]
    assert len(set(codes)) == len(codes) and set(codes) <= set(ERROR_CODES)


def test_output_naming_a_file(tmp_path, capsys):
    src, target = _articles(tmp_path / "in"), tmp_path / "out.parquet"
    target.write_text("not a folder")
    code, err = _main(capsys, "ingest", "--input", src, "--output", target)
    assert code == 2
    assert str(target) in _one_line_error(err, "E105") and "names a file" in err
    assert target.read_text() == "not a folder"


def test_disk_full_names_the_file_and_keeps_the_old_table(tmp_path, capsys, monkeypatch):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    assert _main(capsys, "ingest", "--input", src, "--output", out)[0] == 0
    before = sha256_file(out / "documents.parquet")
    (src / "c.txt").write_text("A third article.\n")

    def full_disk(table, where, **kwargs):
        Path(where).write_bytes(b"PAR1 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq, "write_table", full_disk)
    code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    assert code == 2
    line = _one_line_error(err, "E105")
    assert f"{out / 'documents.parquet'}: cannot write (disk full)" in line
    assert sha256_file(out / "documents.parquet") == before
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_read_only_output_folder(tmp_path, capsys, monkeypatch):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    out.mkdir()

    def refused(*args, dir=None, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", dir)

    monkeypatch.setattr("tempfile.mkstemp", refused)
    code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    assert code == 2
    assert "documents.parquet: cannot write (permission denied)" in _one_line_error(err, "E105")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder anyway")
def test_read_only_output_folder_for_real(tmp_path, capsys):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    finally:
        out.chmod(0o755)
    assert code == 2 and str(out) in _one_line_error(err, "E105")


def _config_copy(tmp_path: Path) -> Path:
    config = tmp_path / "configs"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    return config


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("old, new, message", [
    ("batch_size = 16", "batch_size = -5", "key 'batch_size' must be a positive int, got -5"),
    ("batch_size = 16", 'batch_size = "16"', "key 'batch_size' must be int"),
    ('n_process = "auto"', "n_process = 0", "key 'n_process' must be a positive int, got 0"),
    ('n_process = "auto"', 'n_process = "all"', "key 'n_process' must be a positive int or \"auto\""),
    ('paragraph_break = "line"', 'paragraph_break = "lines"', "paragraph_break must be 'line' or 'blank_line'"),
    ('n_process = "auto"', 'n_process = "auto"\nbatch = 3', "unknown key 'batch'"),
])
def test_malformed_parse_config(tmp_path, capsys, old, new, message):
    config, out = _config_copy(tmp_path), tmp_path / "out"
    _edit(config / "parse.toml", old, new)
    code, err = _main(capsys, "parse", "--output", out, "--config", config)
    assert code == 2
    line = _one_line_error(err, "E101")
    assert str(config / "parse.toml") in line and message in line


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    from pipeline.steps import ingest

    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(ingest, "ingest_folder", broken)
    code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    assert code == 2
    line = _one_line_error(err, "E199")
    assert "[ingest]" in line and "ZeroDivisionError" in line and "--debug" in line
    code, err = _main(capsys, "--debug", "ingest", "--input", src, "--output", out)
    assert code == 2 and "Traceback" in err and "ingest_folder" not in err.splitlines()[-1]


def test_interrupted_single_stage_leaves_outputs_unchanged(tmp_path, capsys, monkeypatch):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    assert _main(capsys, "ingest", "--input", src, "--output", out)[0] == 0
    before = {p.name: sha256_file(p) for p in out.rglob("*") if p.is_file()}
    from pipeline.steps import ingest

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest, "ingest_folder", ctrl_c)
    code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    assert code == 130
    assert f"error E107: {out}: interrupted during 'ingest': outputs unchanged" in err and "Traceback" not in err
    assert {p.name: sha256_file(p) for p in out.rglob("*") if p.is_file()} == before


def test_an_interrupted_run_leaves_the_previous_generation_whole(tmp_path, capsys, monkeypatch):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    assert _main(capsys, "run", "--input", src, "--output", out)[0] == 0
    before = {p.name: sha256_file(p) for p in out.glob("*.parquet")}
    published = os.readlink(out / "current")
    (src / "c.txt").write_text("A third article, which ingest reads before clean is interrupted.\n")
    from pipeline.steps import clean

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(clean, "run", ctrl_c)
    code, err = _main(capsys, "run", "--input", src, "--output", out)
    assert code == 130
    line = _one_line_error(err, "E107")
    assert "interrupted during 'clean': outputs unchanged" in line
    assert {p.name: sha256_file(p) for p in out.glob("*.parquet")} == before     # ingest's new table unpublished
    assert os.readlink(out / "current") == published
    assert not list((out / ".generations").glob("*.staging"))


# --- 3. leftovers of a killed run; the umask ----------------------------------------------------

def test_leftover_temporary_files_are_removed_by_the_next_run(tmp_path, capsys):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    (out / "manifest").mkdir(parents=True)
    leftovers = [out / ".documents.parquet.k3j_x9.tmp", out / "manifest" / ".ingest.json.a1b2c3.tmp"]
    kept = [out / "notes.tmp", out / ".keep", out / "manifest" / "mine.txt"]
    for path in leftovers + kept:
        path.write_text("x")
    code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    assert code == 0, err
    assert not any(p.exists() for p in leftovers)
    assert all(p.exists() for p in kept)
    assert "removed 2 temporary files" in err


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_follow_the_umask(tmp_path, capsys, umask, mode):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    old = os.umask(umask)
    try:
        code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    finally:
        os.umask(old)
    assert code == 0, err
    written = [out / "documents.parquet", out / "rejects.parquet", out / "manifest" / "ingest.json",
               out / "manifest.json"]
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in written} == {p.name: oct(mode) for p in written}


# --- 4. one document cannot sink a run ----------------------------------------------------------

from pipeline.steps.parse import parse_documents, split_paragraphs  # noqa: E402


@pytest.mark.parametrize("text, max_chars, pieces", [
    ("short text", 100, ["short text"]),                                             # under the limit: whole
    ("aaaa bbbb\n\ncccc dddd\neeee", 13, ["aaaa bbbb\n\n", "cccc dddd\n", "eeee"]),   # blank line first
    ("aaaa\nbbbb cccc dddd", 12, ["aaaa\nbbbb ", "cccc dddd"]),                     # 2nd half space wins
    ("aaaa\nbbbbbbbbbbb", 12, ["aaaa\n", "bbbbbbbbbbb"]),                            # else 1st half break
    ("aaaaaa bbbb\ncc", 10, ["aaaaaa ", "bbbb\ncc"]),                                # else a space
    ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),                                   # no boundary: cut hard
    ("a\n\n\nb" + "c" * 8, 6, ["a\n\n\n", "bccccc", "ccc"]),                         # whitespace kept whole
])
def test_split_paragraphs(text, max_chars, pieces):
    assert split_paragraphs(text, max_chars) == pieces
    assert "".join(pieces) == text and all(len(p) <= max_chars for p in pieces)


def _paragraphs(n: int) -> str:
    return "".join(f"Minister Ana Diaz{k} said the plan {k} would cost {k} million dollars. "
                   f"\"We will see,\" she added.\n" for k in range(n))


def _parsed(nlp, documents, **kwargs):
    rejects = kwargs.pop("rejects", [])
    tables = list(parse_documents(nlp, documents, batch_size=4, n_process=1, row_group_tokens=10**6,
                                  rejects=rejects, **kwargs))
    tokens = pa_concat([t for t, _ in tables])
    sentences = pa_concat([s for _, s in tables])
    return tokens, sentences, rejects


def pa_concat(tables):
    import pyarrow as pa

    return pa.concat_tables(tables).to_pandas() if tables else None


def test_a_long_document_is_parsed_in_pieces_with_offsets_kept(nlp):
    body = _paragraphs(40)                    # ~3.7k characters, cut into pieces of <= 1,000
    tokens, sentences, rejects = _parsed(nlp, [("long", body, [], "long.txt")], max_chunk_chars=1000)
    whole, whole_sentences, none = _parsed(nlp, [("long", body, [], "long.txt")], max_chunk_chars=100_000)
    assert not none                            # negative: a body under the limit is not cut
    assert [(r["code"], r["path"]) for r in rejects] == [("W008", "long.txt")]
    n_pieces = len(split_paragraphs(body, 1000))
    assert n_pieces >= 4 and f"{len(body):,} characters in {n_pieces} pieces" in rejects[0]["message"]
    # Offsets point into the whole body, tokens and sentences are those of a parse in one go.
    assert all(body[s:e] == t for s, e, t in zip(tokens.start, tokens.end, tokens.text))
    assert list(tokens.text) == list(whole.text) and list(tokens.start) == list(whole.start)
    assert list(sentences.text) == list(whole_sentences.text)
    assert (tokens["head"] >= 0).all() and (tokens["head"] < len(tokens)).all()
    assert set(tokens.ent_type) >= {"PERSON"}


def test_a_document_over_the_model_limit_no_longer_raises_e088(nlp):
    body = _paragraphs(100)                   # ~9k characters against a limit of 5,000
    saved = nlp.max_length
    nlp.max_length = 5000
    try:
        with pytest.raises(ValueError, match="E088"):      # what the stage ran into before
            nlp(body)
        tokens, _, rejects = _parsed(nlp, [("big", body, [], "big.txt")], max_chunk_chars=2000)
    finally:
        nlp.max_length = saved
    assert tokens.end.max() == len(body) and [r["code"] for r in rejects] == ["W008"]


def test_a_document_that_raises_becomes_a_reject_and_the_others_go_on(nlp):
    from spacy.language import Language

    if "explode_on_boom" not in Language.factories:
        @Language.component("explode_on_boom")
        def explode_on_boom(doc):
            if "BOOM" in doc.text:
                raise RuntimeError("component failed on this text")
            return doc

    documents = [("a", "Ana Diaz said it works.", [], "a.txt"), ("b", "BOOM went the parser.", [], "site/b.txt"),
                 ("c", "Bo Li said it works too.", [], "c.txt")]
    nlp.add_pipe("explode_on_boom", after="parser")
    try:
        tokens, _, rejects = _parsed(nlp, documents)
        with pytest.raises(RuntimeError, match="component failed"):    # without a rejects list: raised
            list(parse_documents(nlp, documents, 4, 1, 10**6, rejects=None))
    finally:
        nlp.remove_pipe("explode_on_boom")
    assert set(tokens.doc_id) == {"a", "c"}
    assert [(r["path"], r["doc_id"], r["code"]) for r in rejects] == [("site/b.txt", "b", "E014")]
    assert "RuntimeError: component failed on this text" in rejects[0]["message"]


@pytest.mark.slow     # runs the pipeline (the model)
def test_parse_stage_writes_its_rejects_once(tmp_path, capsys):
    src, out, config = tmp_path / "in", tmp_path / "out", _config_copy(tmp_path)
    src.mkdir()
    (src / "long.txt").write_text(_paragraphs(30))
    (src / "short.txt").write_text("The mayor said the budget was balanced.\n")
    (src / "empty.txt").write_text("")
    _edit(config / "parse.toml", "max_chunk_chars = 100_000", "max_chunk_chars = 800")
    for stage in ["ingest", "clean", "parse", "parse"]:          # parse twice: its rows are replaced
        argv = [stage, "--output", out, "--config", config] + (["--input", src] if stage == "ingest" else [])
        code, err = _main(capsys, *argv)
        assert code == 0, err
    from pipeline.core.io import read_frame
    from pipeline.core.schemas import REJECTS, TOKENS

    rejects = read_frame(REJECTS, out)
    assert sorted(zip(rejects.path, rejects.code)) == [("empty.txt", "E001"), ("long.txt", "W008")]
    assert set(read_frame(TOKENS, out).doc_id) == {"long", "short"}


# --- 5. nothing lost silently -------------------------------------------------------------------

from pipeline.steps.ingest import IngestSettings, ingest_folder  # noqa: E402
from pipeline.core.config import load_stage_config  # noqa: E402

SETTINGS = IngestSettings.from_config(load_stage_config(None, "ingest"))
ARTICLE = "Mayor Tom Hill said the budget was balanced.\n"


@pytest.mark.parametrize("files, detail", [
    ({}, "no input files"),
    ({"notes.md": "x", "photo.png": "x", "sub/page.pdf": "x"}, "(3 other files or folders skipped)"),
    ({".hidden.txt": ARTICLE}, "no input files"),
])
def test_empty_input_is_an_error_naming_the_folder(tmp_path, capsys, files, detail):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    for name, text in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text)
    code, err = _main(capsys, "ingest", "--input", src, "--output", out)
    assert code == 2
    line = _one_line_error(err, "E106")
    assert f"{src}: no input files: none ends with .txt" in line and detail in line
    assert not (out / "documents.parquet").exists()


def test_one_readable_file_is_enough(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE)
    (tmp_path / "notes.md").write_text("x")
    documents, rejects, _ = ingest_folder(tmp_path, SETTINGS)
    assert [d["doc_id"] for d in documents] == ["a"]
    assert [(r["path"], r["code"]) for r in rejects] == [("notes.md", "E015")]


def test_symlinked_folders_are_followed_once_and_loops_are_rejects(tmp_path):
    root, elsewhere = tmp_path / "in", tmp_path / "elsewhere"
    (root / "real").mkdir(parents=True)
    elsewhere.mkdir()
    (root / "real" / "a.txt").write_text(ARTICLE)
    (elsewhere / "b.txt").write_text(ARTICLE.replace("Tom", "Tim"))
    (root / "outside").symlink_to(elsewhere, target_is_directory=True)     # followed
    (root / "real" / "up").symlink_to(root, target_is_directory=True)      # a loop
    (root / "zz_again").symlink_to(root / "real", target_is_directory=True)  # a second link
    (root / "gone.txt").symlink_to(tmp_path / "missing.txt")               # broken
    documents, rejects, _ = ingest_folder(root, SETTINGS)
    assert sorted(d["doc_id"] for d in documents) == ["outside/b", "real/a"]
    assert sorted((r["path"], r["code"]) for r in rejects) == [
        ("gone.txt", "E004"), ("real/up/", "E017"), ("zz_again/", "E017")]
    assert "broken symbolic link" in next(r["message"] for r in rejects if r["code"] == "E004")
    assert "the folder read as ./" in next(r["message"] for r in rejects if r["path"] == "real/up/")


def test_an_unreadable_folder_is_a_reject_and_the_rest_is_read(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.txt").write_text(ARTICLE)
    (tmp_path / "open.txt").write_text(ARTICLE)
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    documents, rejects, _ = ingest_folder(tmp_path, SETTINGS)
    assert [d["doc_id"] for d in documents] == ["open"]
    assert [(r["path"], r["code"], r["level"]) for r in rejects] == [("locked/", "E016", "error")]
    assert "Permission denied" in rejects[0]["message"]


@pytest.mark.parametrize("stage_file, old, new, message", [
    ("topics.toml", "threshold = 1.0", 'threshold = "x"', "[scoring]: 'threshold' must be a non-negative number"),
    ("parse.toml", "batch_size = 16", "batch_size = -5", "key 'batch_size' must be a positive int"),
    ("parse.toml", 'n_process = "auto"', 'n_process = "auto"\nbatch = 3', "unknown key 'batch'"),
    ("ingest.toml", 'text_suffixes = [".txt"]', "text_suffixes = [1, 2]", "key 'text_suffixes' must list"),
    ("ingest.toml", "max_bytes = 5_000_000", "max_bytes = 5_000_000\nmax_byte = 1", "unknown key 'max_byte'"),
    # a key no rule reads, at every level of every stage's files
    ("entities.toml", "[linking]\n", "[linking]\ncorpus_shares = 0.5\n", "unknown key 'linking.corpus_shares'"),
    ("entities.toml", "[titles]\n", "label = 1\n[titles]\n", "unknown key 'label'"),
    ("entities.toml", 'id = "org_ministry"\n', 'id = "org_ministry"\nlabels = "ORG"\n',
     "unknown key 'patterns[0].labels'"),
    ("entities_aliases.toml", '[[alias]]\nform = "Bibi"\n', '[[alias]]\nform = "Bibi"\nname_ = "x"\n',
     "unknown key 'alias[1].name_'"),
    ("entities_aliases.toml", '[[alias]]\nform = "Putis"', 'aliases = []\n[[alias]]\nform = "Putis"',
     "unknown key 'aliases'"),
    ("clean.toml", "[unwrap]\n", "[unwrap]\nmax_widht = 3\n", "unknown key 'unwrap.max_widht'"),
    ("quotes.toml", "[speakers]\n", "[speakers]\nfemale_honorific = []\n", "unknown key 'speakers.female_honorific'"),
    ("topics/cap.toml", "[adaptive]\n", "[adaptive]\nenable = true\n", "unknown key(s) 'enable'"),
])
def test_run_checks_every_config_before_the_first_stage(tmp_path, capsys, stage_file, old, new, message):
    src, out, config = _articles(tmp_path / "in"), tmp_path / "out", _config_copy(tmp_path)
    _edit(config / stage_file, old, new)
    code, err = _main(capsys, "run", "--input", src, "--output", out, "--config", config)
    assert code == 2
    line = _one_line_error(err, "E101")
    assert str(config / stage_file) in line and message in line
    assert "[ingest]" not in err and not (out / "documents.parquet").exists()   # no stage ran


def test_a_failing_write_of_any_file_names_the_file_not_its_temporary(tmp_path):
    target = tmp_path / "manifest" / "parse.json"
    with pytest.raises(PipelineError, match=r"parse.json: cannot write \(disk full\)$") as err:
        with io.atomic_path(target) as tmp:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert ".tmp" not in str(err.value) and not list((tmp_path / "manifest").iterdir())
    with pytest.raises(KeyError):                 # other errors pass through unchanged
        with io.atomic_path(target):
            raise KeyError("x")


def test_a_document_that_raises_in_quotes_becomes_a_reject(seed_outputs, tmp_path, capsys, monkeypatch):
    import pipeline.steps.quotes as quotes
    from pipeline.core.io import read_frame
    from pipeline.core.schemas import CLAIMS, DOCUMENTS, QUOTES, REJECTS

    out = tmp_path / "out"
    shutil.copytree(seed_outputs, out)
    doc_ids = sorted(read_frame(DOCUMENTS, out).doc_id)
    before = read_frame(QUOTES, out)
    victim = next(d for d in doc_ids if (before.doc_id == d).any())
    real = quotes.extract_quotes

    def fails_on_one(parsed, *args, **kwargs):
        if parsed.doc_id == victim:
            raise IndexError("list index out of range")
        return real(parsed, *args, **kwargs)

    monkeypatch.setattr(quotes, "extract_quotes", fails_on_one)
    for stage in ["quotes", "quotes", "topics", "claims"]:    # quotes twice: its row is not repeated
        code, err = _main(capsys, stage, "--output", out)
        assert code == 0, err
    rejects = read_frame(REJECTS, out)
    failed = rejects[rejects.code == "E018"]
    path = read_frame(DOCUMENTS, out).set_index("doc_id").path[victim]
    assert list(zip(failed.path, failed.doc_id)) == [(path, victim)]
    assert "IndexError: list index out of range" in failed.message.iloc[0]
    after = read_frame(QUOTES, out)
    assert victim not in set(after.doc_id) and victim not in set(read_frame(CLAIMS, out).doc_id)
    others = before[before.doc_id != victim]
    assert len(after) == len(others) > 0            # the other documents' quotes are all there
    # Negative: once the document parses again, its quotes come back and the row goes.
    monkeypatch.setattr(quotes, "extract_quotes", real)
    assert _main(capsys, "quotes", "--output", out)[0] == 0
    assert "E018" not in set(read_frame(REJECTS, out).code) and len(read_frame(QUOTES, out)) == len(before)


# --- 4. generations: readers refuse a folder that mixes runs ------------------------------------

@pytest.mark.slow
def test_readers_refuse_a_mixed_folder_until_the_run_is_finished(tmp_path, capsys):
    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    assert _main(capsys, "run", "--input", src, "--output", out)[0] == 0
    from pipeline.core.manifest import mixed_tables

    assert mixed_tables(out) == []
    (src / "c.txt").write_text("A third article: ingest alone reads it, so claims is of the previous run.\n")
    assert _main(capsys, "ingest", "--input", src, "--output", out)[0] == 0
    assert any("clean was built from another documents.parquet" in p for p in mixed_tables(out))
    from pipeline.tools.show import main as show

    assert show(["--output", str(out)]) == 2
    assert "come from different runs" in capsys.readouterr().err
    code, err = _main(capsys, "quotes", "--output", out)          # a single stage on a mixed upstream
    assert code == 2 and "E108" in err
    assert _main(capsys, "run", "--input", src, "--output", out)[0] == 0
    assert mixed_tables(out) == [] and show(["--output", str(out)]) == 0


@pytest.mark.slow
def test_every_table_carries_the_run_that_wrote_it(tmp_path, capsys):
    import json

    from pipeline.core.io import table_run_id, table_sha256
    from pipeline.core.manifest import mixed_tables

    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    assert _main(capsys, "run", "--input", src, "--output", out)[0] == 0
    first = json.loads((out / "manifest.json").read_text())["run_id"]
    tables = sorted(out.glob("*.parquet"))
    assert tables and {table_run_id(p) for p in tables} == {first}
    before = {p.name: table_sha256(p) for p in tables}
    # a stage run alone is a run of its own: its tables carry its id, the others keep theirs, and
    # rows written again unchanged keep their content hash (the stages after it stay current)
    assert _main(capsys, "topics", "--output", out)[0] == 0
    second = json.loads((out / "manifest" / "topics.json").read_text())["run_id"]
    assert second != first
    assert table_run_id(out / "quote_topics.parquet") == second and table_run_id(out / "claims.parquet") == first
    assert table_sha256(out / "quote_topics.parquet") == before["quote_topics.parquet"]
    assert mixed_tables(out) == []
    code, err = _main(capsys, "run", "--input", src, "--output", out)
    assert code == 0 and "[claims] up to date" in err
    # Negative: a table of another run put in place by hand is named, although its rows are the same
    other = tmp_path / "other"
    assert _main(capsys, "run", "--input", src, "--output", other)[0] == 0
    target = (out / "claims.parquet").resolve()
    target.unlink()
    shutil.copy(other / "claims.parquet", target)
    assert any("claims.parquet was written by run" in p for p in mixed_tables(out))


@pytest.mark.slow
def test_a_folder_of_an_older_version_is_stale_not_mixed(tmp_path, capsys):
    """Manifests of versions that hashed whole files: no stage is current, and none is taken for
    a mix of runs (the two kinds of hash are never compared)."""
    import json

    from pipeline.core.config import sha256_file
    from pipeline.core.manifest import is_current, mixed_tables
    from pipeline.core.stages import STAGES

    src, out = _articles(tmp_path / "in"), tmp_path / "out"
    assert _main(capsys, "run", "--input", src, "--output", out)[0] == 0
    for path in (out / "manifest").glob("*.json"):
        record = json.loads(path.read_text())
        for key in ("inputs", "outputs"):
            record[key] = {name: sha256_file(out / name) if name.endswith(".parquet") else sha
                           for name, sha in record.get(key, {}).items()}
        path.resolve().write_text(json.dumps(record))
    assert mixed_tables(out) == []
    assert not any(is_current(s.name, out, REPO / "configs", src) for s in STAGES if s.name != "ingest")
    code, err = _main(capsys, "claims", "--output", out)
    assert code == 0, err
    code, err = _main(capsys, "run", "--input", src, "--output", out)
    assert code == 0, err
    # every stage of the older version reruns; claims, just rerun alone, stays current (same rows)
    assert not any(f"[{name}] up to date" in err for name in ("clean", "parse", "entities", "quotes", "topics"))
    assert "[claims] up to date" in err


def test_a_flat_output_folder_is_adopted_as_the_first_generation(tmp_path):
    from pipeline.core import generation
    from pipeline.core.io import write_table
    from pipeline.core.schemas import DOCUMENTS

    out = tmp_path / "out"
    write_table(DOCUMENTS, [{"doc_id": "a", "path": "a.txt", "source": None, "url": None, "date": None,
                             "date_raw": None, "author": None, "page_title": None, "encoding": "utf-8",
                             "text": "x", "extracted": None}], out)
    (out / "notes.txt").write_text("the user's own file")
    before = sha256_file(out / "documents.parquet")
    with generation.staged(out) as work:
        assert (work / "documents.parquet").exists() and not (work / "notes.txt").exists()
    assert (out / "documents.parquet").is_symlink() and sha256_file(out / "documents.parquet") == before
    assert (out / "notes.txt").read_text() == "the user's own file"
    first = generation.run_id_of(out)
    with pytest.raises(RuntimeError):
        with generation.staged(out) as work:
            (work / "documents.parquet").unlink()
            raise RuntimeError("a stage failed")
    assert generation.run_id_of(out) == first and sha256_file(out / "documents.parquet") == before
    assert not list((out / generation.GENERATIONS).glob("*" + generation.STAGING_SUFFIX))


@pytest.mark.parametrize("stage, module_name, function, code", [
    ("entities", "pipeline.steps.entities", "mention_rows", "E019"),
    ("topics", "pipeline.steps.topics", "read_document", "E020"),
    ("topics", "pipeline.steps.topics", "finish_document", "E020"),
])
def test_a_document_that_raises_in_entities_or_topics_becomes_a_reject(seed_outputs, tmp_path, capsys, monkeypatch,
                                                                      stage, module_name, function, code):
    import importlib

    from pipeline.core.io import read_frame
    from pipeline.core.schemas import CLAIMS, DOCUMENTS, MENTIONS, QUOTE_TOPICS, REJECTS, UNASSIGNED

    module = importlib.import_module(module_name)
    out = tmp_path / "out"
    shutil.copytree(seed_outputs, out)
    doc_ids = sorted(read_frame(DOCUMENTS, out).doc_id)
    victim = doc_ids[0]
    real = getattr(module, function)

    def fails_on_one(first, *args, **kwargs):
        doc_id = getattr(first, "doc_id", None)
        if doc_id == victim:
            raise ValueError("broken on purpose")
        return real(first, *args, **kwargs)

    monkeypatch.setattr(module, function, fails_on_one)
    for name in [stage, "quotes", "topics", "claims"] if stage == "entities" else [stage, "claims"]:
        code_, err = _main(capsys, name, "--output", out)
        assert code_ == 0, err
    rejects = read_frame(REJECTS, out)
    failed = rejects[rejects.code == code]
    assert list(failed.doc_id) == [victim] and "ValueError: broken on purpose" in failed.message.iloc[0]
    claims = read_frame(CLAIMS, out)
    assert set(claims.doc_id) - {victim}                       # the other documents go through
    if stage == "entities":
        assert victim not in set(read_frame(MENTIONS, out).doc_id)
    else:
        topics = read_frame(QUOTE_TOPICS, out)
        assert set(topics[topics.doc_id == victim].topic) == {UNASSIGNED}
        assert set(topics[topics.doc_id != victim].topic) - {UNASSIGNED}


@pytest.mark.parametrize("stage, module_name, function, code", [
    ("clean", "pipeline.steps.clean", "count_lines", "W009"),
    ("clean", "pipeline.steps.clean", "near_duplicates", "W009"),
    ("entities", "pipeline.steps.entities", "link_mentions", "W011"),
    ("topics", "pipeline.steps.topics", "adapt", "W012"),
    ("topics", "pipeline.steps.topics", "choose_phrases", "W012"),
])
def test_a_corpus_level_step_that_raises_is_left_out_and_the_documents_go_on(seed_outputs, tmp_path, capsys,
                                                                           monkeypatch, stage, module_name,
                                                                           function, code):
    import importlib

    from pipeline.core.io import read_frame
    from pipeline.core.schemas import CLAIMS, ENTITIES, QUOTE_TOPICS, REJECTS, UNASSIGNED

    module = importlib.import_module(module_name)
    out = tmp_path / "out"
    shutil.copytree(seed_outputs, out)
    before = read_frame(CLAIMS, out)
    real = getattr(module, function)

    def fails(first, *args, **kwargs):
        if not first:            # the up-front config check calls it on nothing: that part works
            return real(first, *args, **kwargs)
        raise ValueError("broken on purpose")

    monkeypatch.setattr(module, function, fails)
    later = ["clean", "parse", "entities", "quotes", "topics", "claims"]
    for name in later[later.index(stage):]:
        code_, err = _main(capsys, name, "--output", out)
        assert code_ == 0, err
        if name == stage:
            assert f"warning {code}" in err and "broken on purpose" in err
    rejects = read_frame(REJECTS, out)
    row = rejects[rejects.code == code]
    assert len(row) == 1 and row.path.iloc[0] == "(corpus)" and row.doc_id.isna().all()
    assert "ValueError: broken on purpose" in row.message.iloc[0] and row.level.iloc[0] == "warning"
    claims = read_frame(CLAIMS, out)
    assert set(claims.doc_id) == set(before.doc_id)            # every document still has its claims
    if function == "link_mentions":
        assert set(read_frame(ENTITIES, out).link_rule) == {"unlinked"}
    if function == "adapt":
        assert set(read_frame(QUOTE_TOPICS, out).topic) - {UNASSIGNED}
    if function == "choose_phrases":
        assert read_frame(QUOTE_TOPICS, out).issue_phrase.isna().all()
    # the next run without the fault replaces the warning: it is the stage's own row
    monkeypatch.undo()
    for name in later[later.index(stage):]:
        assert _main(capsys, name, "--output", out)[0] == 0
    assert code not in set(read_frame(REJECTS, out).code)


def test_a_document_whose_cleaning_raises_keeps_its_whole_text(seed_outputs, tmp_path, capsys, monkeypatch):
    from pipeline.steps import clean
    from pipeline.core.io import read_frame
    from pipeline.core.schemas import BODIES, CLAIMS, DOCUMENTS, LINES, REJECTS

    out = tmp_path / "out"
    shutil.copytree(seed_outputs, out)
    documents = read_frame(DOCUMENTS, out)
    victim = sorted(documents.doc_id)[0]
    real = clean.label_document

    def fails_on_one(text, *args, **kwargs):
        if text == documents.set_index("doc_id").text[victim]:
            raise ValueError("broken on purpose")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(clean, "label_document", fails_on_one)
    for name in ["clean", "parse", "entities", "quotes", "topics", "claims"]:
        code_, err = _main(capsys, name, "--output", out)
        assert code_ == 0, err
    rejects = read_frame(REJECTS, out)
    row = rejects[rejects.code == "W010"]
    assert list(row.doc_id) == [victim] and "ValueError: broken on purpose" in row.message.iloc[0]
    bodies = read_frame(BODIES, out).set_index("doc_id")
    assert bodies.body[victim].strip() == documents.set_index("doc_id").text[victim].strip()
    assert victim not in set(read_frame(LINES, out).doc_id)
    assert victim in set(read_frame(CLAIMS, out).doc_id)      # its quotes are still found


# --- a stage's code or config edited while it runs ------------------------------------------------

@pytest.mark.parametrize("edit, current_after", [
    ("config", False),       # the config changed under the running stage: its manifest says nothing is current
    ("code", False),         # the code changed: the fingerprint keeps the code that ran
    (None, True),            # negative: nothing edited, the stage is current afterwards
])
def test_an_edit_while_a_stage_runs_makes_it_stale_not_current(tmp_path, monkeypatch, edit, current_after):
    from pipeline.core import manifest
    from pipeline.core.config import config_files

    config_dir = tmp_path / "configs"
    shutil.copytree(DEFAULT_CONFIG_DIR, config_dir)
    out = tmp_path / "out"
    out.mkdir()
    files = config_files(config_dir, "claims")
    code_now = manifest.code_hashes("claims")
    record = manifest.StageRecord("claims", out, config_files=files)
    if edit == "config":
        os.utime(files[0], (time.time() + 5, time.time() + 5))       # written after the stage started
    if edit == "code":
        changed = {**code_now, "steps/claims.py": "0" * 64}
        monkeypatch.setattr(manifest, "code_hashes", lambda stage: changed)
    written = record.write()
    assert (written["fingerprint"] is not None) == (edit != "config")
    assert manifest.is_current("claims", out, config_dir) == current_after
