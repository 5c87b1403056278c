"""ingest: every kind of bad input becomes a reject row naming the file, never a crash."""

from __future__ import annotations

import codecs
import json

import pandas as pd
import pytest

from pipeline.core.config import load_stage_config
from pipeline.steps.ingest import IngestSettings, decode, host_of, ingest_folder, run
from pipeline.core.errors import ConfigError

SETTINGS = IngestSettings.from_config(load_stage_config(None, "ingest"))


@pytest.mark.parametrize("data, text, encoding, warning", [
    ("Putin said “yes”.".encode(), "Putin said “yes”.", "utf-8", None),
    (codecs.BOM_UTF8 + "café".encode(), "café", "utf-8-sig", None),
    ("Naïve “quote”".encode("utf-16"), "Naïve “quote”", "utf-16", None),
    ("He said \u201chi\u201d".encode("cp1252"), "He said \u201chi\u201d", "cp1252", "W001"),
    (b"caf\xe9 \x81", "caf\xe9 \x81", "latin-1", "W002"),      # 0x81 is undefined in cp1252
    (b"", None, "E001", None),
    (b"  \n\t\n", None, "E001", None),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "E002", None),
    (bytes(range(1, 32)) * 10, None, "E002", None),
])
def test_decode(data, text, encoding, warning):
    assert decode(data, SETTINGS) == (text, encoding, warning)


@pytest.mark.parametrize("url, host", [
    ("https://www.haaretz.com/israel-news/x", "haaretz.com"),
    ("http://al-monitor.com/a?b=c", "al-monitor.com"),
    ("not a url", None), (None, None), ("", None),
])
def test_host_of(url, host):
    assert host_of(url) == host


def test_folder_of_bad_files(tmp_path):
    root = tmp_path / "in"
    (root / "haaretz").mkdir(parents=True)
    (root / "haaretz" / "good.txt").write_text("Title\n\nBennett said he was happy.\n", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "old.txt").write_bytes("Caf\u00e9 \u201cquote\u201d".encode("cp1252"))
    (root / "big.txt").write_bytes(b"a " * (SETTINGS.max_bytes // 2 + 1))
    (root / "ignored.dat").write_text("not read")
    (root / "notes.csv").write_text("name,comment\nx,y\n")          # no `text` column
    records = [
        {"id": "a1", "text": "One.", "url": "https://www.nytimes.com/x"},
        "this is not json",
        {"id": "a2"},
        {"id": "a1", "text": "duplicate id"},
        {"id": "a3", "text": "From a publisher.", "publisher": "politico", "date": "2016-09-12"},
    ]
    lines = [json.dumps(r) if isinstance(r, dict) else r for r in records]
    (root / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    documents, rejects, hashes = ingest_folder(root, SETTINGS)
    by_id = {d["doc_id"]: d for d in documents}
    assert set(by_id) == {"haaretz/good", "old", "a1", "a3"}
    assert by_id["haaretz/good"]["source"] == "haaretz"
    assert by_id["old"]["source"] is None and by_id["old"]["encoding"] == "cp1252"
    assert by_id["a1"]["source"] == "nytimes.com"
    assert (by_id["a3"]["source"], by_id["a3"]["date"]) == ("politico", "2016-09-12")
    codes = sorted((r["path"], r["code"]) for r in rejects)
    assert codes == [("batch.jsonl:2", "E005"), ("batch.jsonl:3", "E006"), ("batch.jsonl:4", "E007"),
                     ("big.txt", "E003"), ("empty.txt", "E001"), ("ignored.dat", "E015"), ("image.txt", "E002"),
                     ("notes.csv", "E013"), ("old.txt", "W001")]
    assert all(r["message"].startswith(r["path"]) for r in rejects)   # every message names its file
    assert "ignored.dat" not in hashes and "batch.jsonl" in hashes


def test_run_writes_tables_and_manifest(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    (root / "a.txt").write_text("Hello.\n")
    (root / "b.txt").write_bytes(b"")
    out = tmp_path / "out"
    record = run(out, input_dir=root)
    assert record["rows"] == {"documents": 1, "rejects": 1}
    assert pd.read_parquet(out / "documents.parquet").doc_id.tolist() == ["a"]
    assert pd.read_parquet(out / "rejects.parquet").code.tolist() == ["E001"]
    assert (out / "manifest" / "ingest.json").exists()
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))


@pytest.mark.parametrize("content, message", [
    ("max_bytes = ", "malformed TOML"),
    ("max_bytes = 10\n", "missing key 'max_html_bytes'"),
    ("max_bytes = 10\nmax_byte = 3\n", "unknown key 'max_byte'"),
    ('max_bytes = "big"\nmax_control_ratio = 0.1\ntext_suffixes = []\njsonl_suffixes = []\n', "must be int"),
])
def test_malformed_config_names_the_file(tmp_path, content, message):
    (tmp_path / "ingest.toml").write_text(content)
    (tmp_path / "in").mkdir()
    with pytest.raises(ConfigError, match=message) as info:
        run(tmp_path / "out", config_dir=tmp_path, input_dir=tmp_path / "in")
    assert "ingest.toml" in str(info.value)


@pytest.mark.parametrize("text, repaired", [
    ("Todayâ€™s â€œbigâ€\x9d story, cafÃ©", "Today’s “big” story, café"),
    ("Itâ€™s fine", None),                                         # one hit is not evidence enough
    ("Ãlvaro said “hi” in São Paulo — café", None),                # real accented text stays as is
    ("Plain ASCII text.", None),
])
def test_repair_mojibake(text, repaired):
    from pipeline.steps.ingest import repair_mojibake

    assert repair_mojibake(text) == repaired


def test_decode_repairs_mojibake_with_a_warning():
    data = "Todayâ€™s â€œbigâ€\x9d story".encode("utf-8")
    assert decode(data, SETTINGS) == ("Today’s “big” story", "utf-8+mojibake-repaired", "W003")


@pytest.mark.parametrize("text, repaired", [
    # the scrape turned the no-break space (C2 A0) into "Â " and Cyrillic "Р" (D0 A0) into "Ð "
    ("Putinâ€™s visitÂ  to Ð\xa0Ð¾Ñ\x81Ñ\x81Ð¸Ñ\x8f", "Putin’s visit\xa0 to Россия"),
    ("Putinâ€™s â€œvisitâ€\x9d Ð ", "Putin’s “visit” Р"),
])
def test_repair_mojibake_lost_no_break_space(text, repaired):
    from pipeline.steps.ingest import repair_mojibake

    assert repair_mojibake(text) == repaired
