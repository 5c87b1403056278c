"""Stage `ingest`: read a folder of articles into `documents.parquet` (+ `rejects.parquet`).

`*.txt` files are one document each; `*.jsonl` files hold one document a line (`id`, `text`,
optional `url`, `source`/`publisher`, `date`). Problems with a file (empty, binary, undecodable,
too large, malformed JSON, duplicate id) become rows in `rejects` with a code from
`errors.REJECT_CODES`; the run goes on with the other documents.
"""

from __future__ import annotations

import codecs
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from .config import config_files, load_stage_config, require
from .errors import REJECT_CODES, PipelineError
from .io import write_table
from .manifest import StageRecord
from .schemas import DOCUMENTS, REJECTS

STAGE = "ingest"
_CONTROL_OK = {9, 10, 12, 13}
# UTF-8 bytes that were once decoded as Latin-1/cp1252 ("Todayâ€™s", "cafÃ©"): a lead byte
# character followed by a continuation-byte character.
_MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                       "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                       "\u2039\u203a\u20ac\u2122]")
MOJIBAKE_MIN_HITS = 2


# A scraper that turned the no-break-space byte (0xA0) into a plain space leaves a UTF-8 lead byte
# followed by a space, which valid UTF-8 never has: put the 0xA0 continuation byte back.
_LEAD_THEN_SPACE = re.compile(rb"(?<=[\xc2-\xdf]) |(?<=[\xe0-\xef]) |(?<=[\xe0-\xef][\x80-\xbf]) ")
MOJIBAKE_MAX_REPLACED = 0.01


def repair_mojibake(text: str) -> str | None:
    """Text whose UTF-8 was decoded as Latin-1 or cp1252, decoded right; None when it is not that.

    Characters that Latin-1/cp1252 cannot hold are genuine and kept as they are. The repair is
    accepted when at most 1% of the repaired non-ASCII characters are undecodable.
    """
    if len(_MOJIBAKE.findall(text)) < MOJIBAKE_MIN_HITS:
        return None
    raw = bytearray()
    for ch in text:
        code = ord(ch)
        if code < 256:
            raw.append(code)
        else:
            try:
                raw += ch.encode("cp1252")
            except UnicodeEncodeError:
                raw += ch.encode("utf-8")
    repaired = _LEAD_THEN_SPACE.sub(b"\xa0", bytes(raw)).decode("utf-8", errors="replace")
    non_ascii = sum(1 for ch in repaired if ord(ch) > 127)
    if repaired.count("\ufffd") > MOJIBAKE_MAX_REPLACED * max(non_ascii, 1):
        return None
    return repaired


@dataclass(frozen=True)
class IngestSettings:
    max_bytes: int
    max_control_ratio: float
    text_suffixes: tuple[str, ...]
    jsonl_suffixes: tuple[str, ...]

    @classmethod
    def from_config(cls, config: dict, source: str = "ingest.toml") -> "IngestSettings":
        return cls(
            max_bytes=require(config, "max_bytes", int, source),
            max_control_ratio=float(require(config, "max_control_ratio", (int, float), source)),
            text_suffixes=tuple(require(config, "text_suffixes", list, source)),
            jsonl_suffixes=tuple(require(config, "jsonl_suffixes", list, source)),
        )


def reject(path: str, code: str, detail: str = "", doc_id: str | None = None) -> dict:
    level, text = REJECT_CODES[code]
    message = f"{path}: {text}" + (f" ({detail})" if detail else "")
    return {"path": path, "doc_id": doc_id, "level": level, "code": code, "message": message}


def decode(data: bytes, settings: IngestSettings) -> tuple[str | None, str, str | None]:
    """Bytes to text: (text or None, encoding or error code, warning code or None).

    Order: UTF-8 with BOM, UTF-16 with BOM, UTF-8, then cp1252 (with a warning), then latin-1.
    UTF-8 that holds mojibake (text once decoded with the wrong codec and saved again) is repaired,
    with a warning, when every suspicious character decodes back to valid UTF-8.
    """
    if not data.strip():
        return None, "E001", None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig", None
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", None
        except UnicodeDecodeError:
            return None, "E002", None
    head = data[:4096]
    if b"\x00" in data:
        return None, "E002", None
    controls = sum(1 for byte in head if byte < 32 and byte not in _CONTROL_OK)
    if controls / len(head) > settings.max_control_ratio:
        return None, "E002", None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        repaired = repair_mojibake(text)
        return (repaired, "utf-8+mojibake-repaired", "W003") if repaired is not None else (text, "utf-8", None)
    try:
        return data.decode("cp1252"), "cp1252", "W001"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", "W002"


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.") or None


def _doc_id(rel: Path) -> str:
    return rel.with_suffix("").as_posix()


def _folder_source(rel: Path) -> str | None:
    # The site is the folder the file sits in; files at the top level have no known site.
    return rel.parent.name or None


def read_text_file(path: Path, rel: Path, settings: IngestSettings) -> tuple[list[dict], list[dict]]:
    shown = rel.as_posix()
    try:
        size = path.stat().st_size
        if size > settings.max_bytes:
            return [], [reject(shown, "E003", f"{size} bytes > {settings.max_bytes}", _doc_id(rel))]
        data = path.read_bytes()
    except OSError as exc:
        return [], [reject(shown, "E004", exc.strerror or str(exc), _doc_id(rel))]
    text, encoding, warning = decode(data, settings)
    if text is None:
        return [], [reject(shown, encoding, doc_id=_doc_id(rel))]
    problems = [reject(shown, warning, doc_id=_doc_id(rel))] if warning else []
    if not text.strip():
        return [], [reject(shown, "E008", doc_id=_doc_id(rel))]
    doc = {"doc_id": _doc_id(rel), "path": shown, "source": _folder_source(rel), "url": None,
           "date": None, "encoding": encoding, "text": text}
    return [doc], problems


def read_jsonl_file(path: Path, rel: Path, settings: IngestSettings) -> tuple[list[dict], list[dict]]:
    shown = rel.as_posix()
    docs, problems = [], []
    try:
        handle = path.open("rb")
    except OSError as exc:
        return [], [reject(shown, "E004", exc.strerror or str(exc))]
    with handle:
        for line_no, raw in enumerate(handle, start=1):
            where = f"{shown}:{line_no}"
            if not raw.strip():
                continue
            if len(raw) > settings.max_bytes:
                problems.append(reject(where, "E003", f"{len(raw)} bytes > {settings.max_bytes}"))
                continue
            line, encoding, warning = decode(raw, settings)
            if line is None:
                problems.append(reject(where, encoding))
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(reject(where, "E005", exc.msg))
                continue
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                problems.append(reject(where, "E006"))
                continue
            raw_id = record.get("id", record.get("doc_id"))
            doc_id = str(raw_id) if raw_id not in (None, "") else f"{_doc_id(rel)}/{line_no}"
            if warning:
                problems.append(reject(where, warning, doc_id=doc_id))
            if not record["text"].strip():
                problems.append(reject(where, "E008", doc_id=doc_id))
                continue
            url = record.get("url") if isinstance(record.get("url"), str) else None
            source = record.get("source") or record.get("publisher") or host_of(url) or _folder_source(rel)
            docs.append({"doc_id": doc_id, "path": where, "source": str(source) if source else None,
                         "url": url, "date": str(record["date"]) if record.get("date") else None,
                         "encoding": encoding, "text": record["text"]})
    return docs, problems


def iter_input_files(input_dir: Path, settings: IngestSettings) -> Iterator[Path]:
    suffixes = settings.text_suffixes + settings.jsonl_suffixes
    for path in sorted(Path(input_dir).rglob("*")):
        if path.is_file() and path.suffix.lower() in suffixes and not path.name.startswith("."):
            yield path


def ingest_folder(input_dir: Path, settings: IngestSettings) -> tuple[list[dict], list[dict], dict[str, str]]:
    """Pure heart of the stage: (documents, rejects, {relative path: sha256}) for a folder."""
    from .config import sha256_file

    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise PipelineError(f"{input_dir}: input folder not found")
    documents, rejects, hashes, seen = [], [], {}, {}
    for path in iter_input_files(input_dir, settings):
        rel = path.relative_to(input_dir)
        try:
            hashes[rel.as_posix()] = sha256_file(path)
        except OSError:
            pass
        reader = read_jsonl_file if path.suffix.lower() in settings.jsonl_suffixes else read_text_file
        docs, problems = reader(path, rel, settings)
        rejects.extend(problems)
        for doc in docs:
            if doc["doc_id"] in seen:
                rejects.append(reject(doc["path"], "E007", f"also in {seen[doc['doc_id']]}", doc["doc_id"]))
                continue
            seen[doc["doc_id"]] = doc["path"]
            documents.append(doc)
    return documents, rejects, hashes


def run(out_dir: Path, config_dir: Path | None = None, input_dir: Path | None = None, **_) -> dict:
    if input_dir is None:
        raise PipelineError("ingest needs --input DIR")
    from .config import DEFAULT_CONFIG_DIR

    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    settings = IngestSettings.from_config(load_stage_config(config_dir, STAGE), str(config_dir / "ingest.toml"))
    documents, rejects, hashes = ingest_folder(Path(input_dir), settings)
    for problem in rejects:
        print(f"[ingest] {problem['level']} {problem['code']}: {problem['message']}", file=sys.stderr)
    for doc in documents:
        doc.update(title=None, body=None, body_segments=None)
    write_table(DOCUMENTS, documents, out_dir)
    write_table(REJECTS, rejects, out_dir)
    record.inputs = hashes
    record.rows = {"documents": len(documents), "rejects": len(rejects)}
    record.extra["input_dir"] = str(input_dir)
    return record.write()
