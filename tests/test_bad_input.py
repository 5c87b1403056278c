"""Bad input is data, not a crash: a folder of broken files still yields claims for the good ones."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import run_all
from pipeline.core.io import read_frame
from pipeline.core.schemas import BODIES, CLAIMS, DOCUMENTS, REJECTS, TOKENS


@pytest.mark.slow     # runs the pipeline (the model)
def test_whole_pipeline_on_a_folder_of_bad_files(tmp_path):
    root = tmp_path / "in"
    (root / "site").mkdir(parents=True)
    (root / "empty.txt").write_bytes(b"")
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "old.txt").write_bytes("Caf\u00e9 owner Ana Diaz said \u201cwe are open\u201d.\n".encode("cp1252"))
    (root / "site" / "chrome.txt").write_text("Share on Facebook\nTwitter\nLog in\n")   # no article text
    (root / "site" / "blank.txt").write_text("\n\n   \n")
    records = [{"id": "a", "text": 'Senator Jane Roe said: "We will win." She added that the vote mattered.'},
               "{not json", {"id": "b", "text": ""}]
    (root / "batch.jsonl").write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records))
    out = tmp_path / "out"
    run_all(root, out, None)

    rejects = read_frame(REJECTS, out)
    assert set(rejects.code) == {"E001", "E002", "E005", "E008", "W001"}
    documents = read_frame(DOCUMENTS, out)
    assert set(documents.doc_id) == {"old", "site/chrome", "a"}
    assert read_frame(BODIES, out).set_index("doc_id").body["site/chrome"] == ""
    assert "site/chrome" not in set(read_frame(TOKENS, out).doc_id)
    claims = read_frame(CLAIMS, out)
    assert {"a"} <= set(claims.doc_id)
    assert "Jane Roe" in set(claims.speaker)
