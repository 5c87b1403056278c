"""Stage `clean`: label every line, keep title and body, build each document's body.

The line labelling rules live in `pipeline.steps.boilerplate` (configured by `configs/clean.toml`); this
module runs them over the corpus in two passes (count recurring lines, then label) and writes
`lines.parquet` and `bodies.parquet` (`title`, `body`, `body_segments`, `duplicate_of` per
document; `documents.parquet` stays as `ingest` wrote it). HTML pages (with `documents.extracted`) have their line labels revised with
the extractor's verdict (`boilerplate.combine_with_extractor`). Near-duplicate bodies (syndicated
copies of one story) point to the first copy in `duplicate_of` (`near_duplicates`).
"""

from __future__ import annotations

import re
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np

from pipeline.steps.boilerplate import LineStats, combine_with_extractor, compile_rules, count_lines, label_document
from pipeline.core.config import DEFAULT_CONFIG_DIR, config_files, load_stage_config
from pipeline.core.doc_cache import DocumentCache, digest, settings_key
from pipeline.core.errors import REJECT_CODES, STAGE_REJECT_CODES, ConfigError, without_failing_step
from pipeline.core.io import read_table, replace_stage_rejects, write_table
from pipeline.core.manifest import StageRecord
from pipeline.steps.offsets import build_body
from pipeline.steps.unwrap import UnwrapSettings, for_labelling, soft_breaks
from pipeline.core.schemas import BODIES, DOCUMENTS, LINES

STAGE = "clean"


_WORDS = re.compile(r"\w+")


def near_duplicates(documents: list[dict], config: dict, cache: DocumentCache | None = None) -> dict[str, str]:
    """doc_id -> doc_id of the first copy, for bodies that are near-duplicates of an earlier one.

    Word shingles of each body (`near_duplicates.shingle_words`) are MinHashed and indexed with
    locality-sensitive hashing (datasketch), so the cost grows with the corpus, not its square.
    Documents are taken in order of date (undated last), then doc_id; a body whose estimated
    Jaccard similarity with an earlier one reaches `threshold` points to that one's first copy.
    Bodies shorter than `min_words` words are never flagged (a one-line brief is no story).
    With `cache`, a body's signature is kept (by doc_id, with the body's digest): an incremental
    run shingles only the new or changed bodies; the index is built again over all of them.
    """
    from datasketch import MinHash, MinHashLSH

    settings = config.get("near_duplicates")
    if not isinstance(settings, dict):
        raise ConfigError("clean.toml: missing table [near_duplicates]")
    unknown = sorted(set(settings) - {"shingle_words", "threshold", "num_perm", "min_words"})
    if unknown:
        raise ConfigError(f"clean.toml: unknown key 'near_duplicates.{unknown[0]}'")
    n = settings.get("shingle_words")
    threshold = settings.get("threshold")
    num_perm = settings.get("num_perm")
    min_words = settings.get("min_words")
    if not (isinstance(n, int) and isinstance(num_perm, int) and isinstance(min_words, int)
            and isinstance(threshold, (int, float)) and 0 < threshold <= 1):
        raise ConfigError("clean.toml: [near_duplicates] needs integers shingle_words, num_perm, "
                          "min_words and a threshold in (0, 1]")
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    template = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)   # permutations drawn once (seeded)
    hashes: dict[str, MinHash] = {}
    first: dict[str, str] = {}
    order = sorted(documents, key=lambda d: (d.get("date") is None, d.get("date") or "", d["doc_id"]))
    for doc in order:
        body = doc.get("body") or ""
        key = digest(body) if cache is not None else None
        signature = cache.get(doc["doc_id"], key) if cache is not None else None
        if signature is None:
            words = _WORDS.findall(body.lower())
            signature = b""                   # too short to be flagged
            if len(words) >= min_words:
                minhash = MinHash(num_perm=num_perm, hashfunc=zlib.crc32, permutations=template.permutations,
                                  scheme=template.scheme)
                minhash.update_batch([" ".join(words[i:i + n]).encode("utf-8")
                                      for i in range(len(words) - n + 1)])
                signature = minhash.hashvalues.tobytes()
            if cache is not None:
                cache.put(doc["doc_id"], key, signature)
        if not signature:
            continue
        minhash = MinHash(num_perm=num_perm, hashfunc=zlib.crc32, permutations=template.permutations,
                          scheme=template.scheme, hashvalues=np.frombuffer(signature, dtype=template.hashvalues.dtype))
        matches = [key for key in lsh.query(minhash) if hashes[key].jaccard(minhash) >= threshold]
        if matches:
            best = min(matches, key=lambda key: (first.get(key, key) != key, key))
            first[doc["doc_id"]] = first.get(best, best)
        hashes[doc["doc_id"]] = minhash
        lsh.insert(doc["doc_id"], minhash)
    return first


def clean_document(doc: dict, stats, config: dict, unwrap: UnwrapSettings) -> tuple[list[dict], dict]:
    """(line rows, the document with title/body/body_segments set) of one document."""
    # hard-wrapped plain text is read as paragraphs (same offsets; never HTML, which has its blocks)
    breaks = {} if doc.get("extracted") else soft_breaks(doc["text"], unwrap)
    text = for_labelling(doc["text"], breaks)
    labels = label_document(text, doc.get("source"), stats, config)
    if breaks:
        labels = [replace(label, text=doc["text"][label.start:label.end]) for label in labels]
    if doc.get("extracted"):
        labels = combine_with_extractor(labels, doc["text"], doc["extracted"], config, doc.get("page_title"))
    kept = [label for label in labels if label.kept]
    body, segments = build_body(doc["text"], [(label.start, label.end) for label in kept], breaks)
    titles = [label.text.strip() for label in kept if label.label == "title"]
    cleaned = {**doc, "title": titles[0] if titles else doc.get("page_title"), "body": body,
               "body_segments": segments}
    return [{"doc_id": doc["doc_id"], "line_no": label.line_no, "start": label.start, "end": label.end,
             "text": label.text, "label": label.label, "kept": label.kept, "rule_id": label.rule_id}
            for label in labels], cleaned


def whole_text_kept(doc: dict) -> dict:
    """A document whose cleaning raised: its whole text is its body (nothing is lost; boilerplate
    may stay), and it has no line labels."""
    body, segments = build_body(doc["text"], [(0, len(doc["text"]))], {})
    return {**doc, "title": doc.get("page_title"), "body": body, "body_segments": segments}


def clean_documents(documents: list[dict], config: dict, failures: list[dict] | None = None,
                    cache: DocumentCache | None = None) -> tuple[list[dict], list[dict]]:
    """Pure heart of the stage: (line rows, documents with title/body/body_segments/duplicate_of set).

    With `failures`, nothing one document holds can sink the stage: a document whose labelling raises
    keeps its whole text as body (a W010 row there), and a corpus-level step that raises (recurring
    lines, near-duplicates) is left out (a W009 row); the others go on."""
    stats = without_failing_step(STAGE, "recurring lines", failures, lambda: count_lines(documents), LineStats)
    line_rows, cleaned = label_documents(documents, stats, config, failures)
    copies = without_failing_step(STAGE, "near-duplicates", failures,
                                  lambda: near_duplicates(cleaned, config, cache), dict)
    for doc in cleaned:
        doc["duplicate_of"] = copies.get(doc["doc_id"])
    return line_rows, cleaned


def label_documents(documents: list[dict], stats: LineStats, config: dict,
                    failures: list[dict] | None = None) -> tuple[list[dict], list[dict]]:
    """The per-document part of `clean_documents`, given the corpus's line counts (`stats`): (line
    rows, documents with title/body/body_segments set), `duplicate_of` not yet set. The Dask engine
    runs it on each partition with the counts of the whole corpus."""
    line_rows: list[dict] = []
    cleaned: list[dict] = []
    unwrap = UnwrapSettings.from_config(config)
    for doc in documents:
        try:
            rows, done = clean_document(doc, stats, config, unwrap)
        except Exception as exc:
            if failures is None:
                raise
            level, text = REJECT_CODES["W010"]
            failures.append({"path": doc.get("path"), "doc_id": doc["doc_id"], "level": level, "code": "W010",
                             "message": f"{doc.get('path') or doc['doc_id']}: {text} ({type(exc).__name__}: {exc})"})
            print(f"[clean] warning W010: {failures[-1]['message']}", file=sys.stderr)
            rows, done = [], whole_text_kept(doc)
        line_rows.extend(rows)
        cleaned.append(done)
    return line_rows, cleaned


def check_config(config_dir: Path) -> dict:
    """`configs/clean.toml` with every key, type and pattern checked (ConfigError naming the file)."""
    config = load_stage_config(config_dir, STAGE)
    try:
        compile_rules(config)
        near_duplicates([], config)
        UnwrapSettings.from_config(config, str(Path(config_dir) / "clean.toml"))
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{Path(config_dir) / 'clean.toml'}: {exc}") from None
    return config


def run(out_dir: Path, config_dir: Path | None = None, **_) -> dict:
    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    config = check_config(config_dir)    # before any document is read
    documents = read_table(DOCUMENTS, out_dir).to_pylist()
    failures: list[dict] = []
    # the bodies' near-duplicate signatures, kept for the next run
    cache = DocumentCache(Path(out_dir), STAGE, settings_key(out_dir, config_dir, STAGE, parsed=False))
    line_rows, cleaned = clean_documents(documents, config, failures, cache)
    for doc in cleaned:
        if not doc["body"].strip():
            print(f"[clean] warning W004: {doc['path']}: {REJECT_CODES['W004'][1]}", file=sys.stderr)
    write_table(BODIES, [{name: doc[name] for name in BODIES.schema.names} for doc in cleaned], out_dir)
    write_table(LINES, line_rows, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[STAGE], failures)
    cache.save()
    kept = sum(row["kept"] for row in line_rows)
    record.rows = {"lines": len(line_rows), "kept": kept, "documents": len(cleaned),
                   "near_duplicates": sum(1 for doc in cleaned if doc["duplicate_of"]), "failed": len(failures)}
    return record.write()
