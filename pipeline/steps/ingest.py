"""Stage `ingest`: read a folder of articles into `documents.parquet` (+ `rejects.parquet`).

`*.txt` files are one document each; `*.jsonl` files hold one document a line (`id`, `text` or
`body`, optional `title`/`headline`, `url`, `source`/`publisher`, `date`); `*.csv` files one a row
(header with `text` and optional `id`, `url`, `title`, `date`, `source`); `*.html`, `*.htm`,
`*.html.gz` are one page each and `*.warc`, `*.warc.gz` hold pages as HTTP response records
(rendered and extracted by `pipeline.steps.html`). Dates are normalised to ISO 8601 (`date`), the
original kept (`date_raw`). Problems with a file or record (empty, binary, undecodable, too large,
malformed JSON or CSV, not HTML, truncated archive, duplicate id or content) become rows in
`rejects` with a code from `errors.REJECT_CODES`, naming the file (and record); the run goes on.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from pipeline.core.config import config_files, load_stage_config, require
from pipeline.core.errors import REJECT_CODES, ConfigError, NoInput, PipelineError
from pipeline.core.io import write_table
from pipeline.core.manifest import StageRecord
from pipeline.core.schemas import DOCUMENTS, REJECTS

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


def _suffixes(config: dict, key: str, source: str) -> tuple[str, ...]:
    values = require(config, key, list, source)
    if not all(isinstance(v, str) and v.startswith(".") and len(v) > 1 for v in values):
        raise ConfigError(f"{source}: key '{key}' must list file name endings such as \".txt\", got {values!r}")
    return tuple(values)


@dataclass(frozen=True)
class IngestSettings:
    max_bytes: int
    max_html_bytes: int
    html_min_article_words: int
    max_control_ratio: float
    text_suffixes: tuple[str, ...]
    jsonl_suffixes: tuple[str, ...]
    csv_suffixes: tuple[str, ...]
    html_suffixes: tuple[str, ...]
    warc_suffixes: tuple[str, ...]

    _KEYS = ("max_bytes", "max_html_bytes", "html_min_article_words", "max_control_ratio", "text_suffixes", "jsonl_suffixes",
             "csv_suffixes", "html_suffixes", "warc_suffixes")

    @classmethod
    def from_config(cls, config: dict, source: str = "ingest.toml") -> "IngestSettings":
        unknown = sorted(set(config) - set(cls._KEYS))
        if unknown:
            from pipeline.core.errors import ConfigError
            raise ConfigError(f"{source}: unknown key '{unknown[0]}'")
        return cls(
            max_bytes=require(config, "max_bytes", int, source, positive=True),
            max_html_bytes=require(config, "max_html_bytes", int, source, positive=True),
            html_min_article_words=require(config, "html_min_article_words", int, source),
            max_control_ratio=float(require(config, "max_control_ratio", (int, float), source)),
            text_suffixes=_suffixes(config, "text_suffixes", source),
            jsonl_suffixes=_suffixes(config, "jsonl_suffixes", source),
            csv_suffixes=_suffixes(config, "csv_suffixes", source),
            html_suffixes=_suffixes(config, "html_suffixes", source),
            warc_suffixes=_suffixes(config, "warc_suffixes", source),
        )

    def kind(self, path: Path) -> str | None:
        """The reader a file name asks for (longest matching ending wins: `.html.gz` over `.gz`)."""
        name = path.name.lower()
        best = None
        for kind, suffixes in (("text", self.text_suffixes), ("jsonl", self.jsonl_suffixes),
                               ("csv", self.csv_suffixes), ("html", self.html_suffixes),
                               ("warc", self.warc_suffixes)):
            for suffix in suffixes:
                if name.endswith(suffix.lower()) and (best is None or len(suffix) > best[1]):
                    best = (kind, len(suffix))
        return best[0] if best else None


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


_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")


def normalise_date(raw) -> str | None:
    """A date as written (ISO, RFC 2822, "September 12, 2016", "12 Sep 2016 10:30 GMT", a Unix
    timestamp) to ISO 8601: `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS[+HH:MM]` when a time is given.
    None when it is not a date. Ambiguous day/month orders read month first (US), as dateutil."""
    from datetime import datetime, timezone

    if raw is None:
        return None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if not 0 < raw < 4e10:   # seconds since 1970, up to the year 3237
            return None
        return datetime.fromtimestamp(raw, tz=timezone.utc).isoformat()
    text = str(raw).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        from dateutil import parser as dateparser

        try:
            parsed = dateparser.parse(text)
        except (ValueError, OverflowError, TypeError):
            return None
    if not 1000 <= parsed.year <= 2999:
        return None
    if _HAS_TIME.search(text):
        return parsed.isoformat()
    return parsed.date().isoformat()


def make_document(doc_id: str, path: str, text: str, encoding: str, source: str | None = None,
                  url: str | None = None, date=None, title: str | None = None,
                  author: str | None = None, extracted: str | None = None, date_raw: str | None = None,
                  ) -> tuple[dict, list[dict]]:
    """One `documents` row (columns set by `clean` left empty) and its warnings (a date that
    could not be read). `date_raw` defaults to `date` as given."""
    raw = None if date is None or (isinstance(date, str) and not date.strip()) else str(date).strip()
    iso = normalise_date(date) if raw is not None else None
    problems = [reject(path, "W005", repr(raw), doc_id)] if raw is not None and iso is None else []
    doc = {"doc_id": doc_id, "path": path, "source": source, "url": url, "date": iso,
           "date_raw": date_raw or raw, "author": author, "page_title": title, "encoding": encoding,
           "text": text, "extracted": extracted}
    return doc, problems


def _text_field(record: dict, *names: str) -> str | None:
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


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
    doc, _ = make_document(_doc_id(rel), shown, text, encoding, source=_folder_source(rel))
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
            if not isinstance(record, dict) or not (isinstance(record.get("text"), str)
                                                    or isinstance(record.get("body"), str)):
                problems.append(reject(where, "E006"))
                continue
            raw_id = record.get("id", record.get("doc_id"))
            doc_id = str(raw_id) if raw_id not in (None, "") else f"{_doc_id(rel)}/{line_no}"
            if warning:
                problems.append(reject(where, warning, doc_id=doc_id))
            title = _text_field(record, "title", "headline")
            text = record.get("text")
            if not isinstance(text, str):
                # `body` without `text`: the headline is the first line, as on the page
                text = f"{title}\n\n{record['body']}" if title and record["body"].strip() else record["body"]
            if not text.strip():
                problems.append(reject(where, "E008", doc_id=doc_id))
                continue
            url = record.get("url") if isinstance(record.get("url"), str) else None
            source = record.get("source") or record.get("publisher") or host_of(url) or _folder_source(rel)
            doc, warnings = make_document(doc_id, where, text, encoding,
                                          source=str(source) if source else None, url=url,
                                          date=record.get("date"), title=title,
                                          author=_text_field(record, "author", "byline"))
            docs.append(doc)
            problems.extend(warnings)
    return docs, problems


def read_csv_file(path: Path, rel: Path, settings: IngestSettings) -> tuple[list[dict], list[dict]]:
    """A CSV file with a header row: `text` required; `id`, `url`, `title`, `date`, `source`
    (or `publisher`), `author` optional. Read by pandas, every cell as a string."""
    import pandas as pd

    shown = rel.as_posix()
    try:
        size = path.stat().st_size
        if size > settings.max_bytes * 20:
            return [], [reject(shown, "E003", f"{size} bytes > 20 x {settings.max_bytes}")]
        data = path.read_bytes()
    except OSError as exc:
        return [], [reject(shown, "E004", exc.strerror or str(exc))]
    content, encoding, warning = decode(data, settings)
    if content is None:
        return [], [reject(shown, encoding)]
    import io as _io
    try:
        frame = pd.read_csv(_io.StringIO(content), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        return [], [reject(shown, "E013", str(exc).strip().splitlines()[0][:200])]
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if "text" not in frame.columns:
        return [], [reject(shown, "E013", f"columns: {', '.join(frame.columns[:10])}")]
    docs, problems = [], [reject(shown, warning)] if warning else []
    for row_no, record in enumerate(frame.to_dict("records"), start=2):   # line 1 is the header
        where = f"{shown}:{row_no}"
        doc_id = record.get("id") or record.get("doc_id") or f"{_doc_id(rel)}/{row_no}"
        if not record["text"].strip():
            problems.append(reject(where, "E008", doc_id=doc_id))
            continue
        url = record.get("url") or None
        source = record.get("source") or record.get("publisher") or host_of(url) or _folder_source(rel)
        doc, warnings = make_document(doc_id, where, record["text"], encoding, source=source, url=url,
                                      date=record.get("date"), title=record.get("title") or None,
                                      author=record.get("author") or None)
        docs.append(doc)
        problems.extend(warnings)
    return docs, problems


def _gunzip(data: bytes, limit: int) -> bytes:
    """Decompress at most `limit` + 1 bytes (a bomb or a huge page stops there)."""
    out = zlib.decompressobj(16 + zlib.MAX_WBITS)
    result = out.decompress(data, limit + 1)
    if len(result) <= limit and not out.eof:
        raise EOFError("compressed stream ends before its end marker")
    return result


def _declared_or_decoded(data: bytes, settings: IngestSettings, charset: str | None = None
                         ) -> tuple[str | None, str, str | None]:
    """Decode a page: UTF-8 (with mojibake repair) first; when that fails, the charset the HTTP
    response (`charset`) or the page declares (cp1252, Shift-JIS, ...) before the cp1252/latin-1
    fallbacks of `decode`."""
    from pipeline.steps.html import declared_charset

    text, encoding, warning = decode(data, settings)
    if warning in ("W001", "W002"):
        declared = charset or declared_charset(data)
        if declared:
            try:
                return data.decode(declared), declared, None
            except (LookupError, UnicodeDecodeError):
                pass
    return text, encoding, warning


def html_document(data: bytes, doc_id: str, where: str, settings: IngestSettings,
                  source: str | None = None, url: str | None = None, charset: str | None = None
                  ) -> tuple[dict | None, list[dict]]:
    """One page (raw bytes) as a document: rendered text, extractor text, metadata."""
    from pipeline.steps.html import NotHtml, read_html

    if len(data) > settings.max_html_bytes:
        return None, [reject(where, "E003", f"{len(data)} bytes > max_html_bytes {settings.max_html_bytes}",
                             doc_id)]
    text, encoding, warning = _declared_or_decoded(data, settings, charset)
    if text is None:
        return None, [reject(where, encoding, doc_id=doc_id)]
    problems = [reject(where, warning, doc_id=doc_id)] if warning else []
    try:
        page = read_html(text, url=url)
    except NotHtml as exc:
        return None, problems + [reject(where, "E009", str(exc), doc_id)]
    if not page.text.strip():
        return None, problems + [reject(where, "E008", doc_id=doc_id)]
    n_words = len(re.findall(r"\w+", page.extracted or ""))
    if n_words < settings.html_min_article_words:
        problems.append(reject(where, "W006", f"{n_words} words", doc_id))
    site = source or host_of(page.url) or host_of(url) or page.site_name
    doc, warnings = make_document(doc_id, where, page.text, encoding, source=site,
                                  url=page.url or url, date=page.date, date_raw=page.date_raw,
                                  title=page.title,
                                  author=page.author, extracted=page.extracted)
    return doc, problems + warnings


def _doc_id_of(rel: Path, settings: IngestSettings) -> str:
    name = rel.name
    for suffix in sorted(settings.html_suffixes + settings.warc_suffixes, key=len, reverse=True):
        if name.lower().endswith(suffix.lower()):
            return (rel.parent / name[:-len(suffix)]).as_posix()
    return _doc_id(rel)


def read_html_file(path: Path, rel: Path, settings: IngestSettings) -> tuple[list[dict], list[dict]]:
    shown = rel.as_posix()
    doc_id = _doc_id_of(rel, settings)
    try:
        size = path.stat().st_size
        if size > settings.max_html_bytes:
            return [], [reject(shown, "E003", f"{size} bytes > max_html_bytes {settings.max_html_bytes}",
                               doc_id)]
        data = path.read_bytes()
    except OSError as exc:
        return [], [reject(shown, "E004", exc.strerror or str(exc), doc_id)]
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data, settings.max_html_bytes)
        except (EOFError, zlib.error) as exc:
            return [], [reject(shown, "E012", str(exc), doc_id)]
    doc, problems = html_document(data, doc_id, shown, settings, source=_folder_source(rel))
    return ([doc] if doc else []), problems


def read_warc_file(path: Path, rel: Path, settings: IngestSettings) -> tuple[list[dict], list[dict]]:
    """HTTP responses with an HTML payload become documents, `doc_id` = file stem + "/" + the
    record's WARC-Record-ID (stable: it is written in the archive). Other responses, repeated
    payloads (same SHA-256) and a truncated tail are rejects naming the file and record; other
    record kinds (request, metadata, warcinfo) are counted in one warning row per file."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    shown = rel.as_posix()
    stem = _doc_id_of(rel, settings)
    docs, problems, seen, skipped = [], [], {}, {}
    try:
        handle = path.open("rb")
    except OSError as exc:
        return [], [reject(shown, "E004", exc.strerror or str(exc))]
    offset = 0
    with handle:
        records = ArchiveIterator(handle, arc2warc=True)
        try:
            for record in records:
                kind = record.rec_type
                if kind != "response":
                    skipped[kind] = skipped.get(kind, 0) + 1
                    continue
                record_id = record.rec_headers.get_header("WARC-Record-ID") or f"record-{len(seen) + 1}"
                record_id = record_id.strip("<>").removeprefix("urn:uuid:")
                doc_id = f"{stem}/{record_id}"
                url = record.rec_headers.get_header("WARC-Target-URI")
                where = f"{shown}#{record_id} ({url})" if url else f"{shown}#{record_id}"
                ctype = (record.http_headers.get_header("Content-Type") if record.http_headers else "") or ""
                if "html" not in ctype.lower():
                    problems.append(reject(where, "E010", ctype or "no Content-Type", doc_id))
                    continue
                data = record.content_stream().read(settings.max_html_bytes + 1)
                while record.raw_stream.read(1 << 20):    # the rest of an oversized record
                    pass
                if getattr(record.raw_stream, "limit", 0) > 0:
                    # the archive ends inside this record (its WARC Content-Length is not reached)
                    raise EOFError(f"record {record_id} cut {record.raw_stream.limit} bytes short")
                offset = records.get_record_offset()    # (reads the record to its end: after the payload)
                digest = hashlib.sha256(data).hexdigest()
                if digest in seen:
                    problems.append(reject(where, "E011", f"as {seen[digest]}", doc_id))
                    continue
                seen[digest] = doc_id
                charset = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", ctype, re.I)
                doc, found = html_document(data, doc_id, where, settings, url=url,
                                           charset=charset.group(1).lower() if charset else None)
                problems.extend(found)
                if doc:
                    docs.append(doc)
        except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as exc:
            problems.append(reject(f"{shown}@{offset}", "E012",
                                   f"after {len(docs)} documents, past byte {offset}: {str(exc)[:200]}"))
    if skipped:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items()))
        problems.append(reject(shown, "W007", counts))
    return docs, problems


READERS = {"text": read_text_file, "jsonl": read_jsonl_file, "csv": read_csv_file,
           "html": read_html_file, "warc": read_warc_file}


def iter_input_files(input_dir: Path, settings: IngestSettings, problems: list[dict] | None = None) -> list[Path]:
    """The files to read under `input_dir`, sorted; hidden files and folders (`.git`) are skipped.

    Symbolic links to folders are followed, each real folder read once: a link back to a folder
    already read (a loop, or a second link) is an E017 row in `problems`, as are unreadable folders
    (E016), files of a kind ingest does not read (E015) and broken links (E004): nothing is
    skipped silently.
    """
    root = Path(input_dir)
    problems = [] if problems is None else problems
    files, seen = [], {}        # (device, inode) of each folder read -> where it was read

    def where(path: Path, folder: bool = False) -> str:
        rel = path.relative_to(root).as_posix()
        return (rel + "/" if rel != "." else "./") if folder else rel

    def walk(folder: Path) -> None:
        try:
            info = folder.stat()
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(reject(where(folder, True), "E016", exc.strerror or str(exc)))
            return
        key = (info.st_dev, info.st_ino)
        if key in seen:
            problems.append(reject(where(folder, True), "E017", f"the folder read as {seen[key]}"))
            return
        seen[key] = where(folder, True)
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if entry.is_dir():
                walk(path)
            elif not entry.is_file():
                detail = "broken symbolic link" if entry.is_symlink() else "not a regular file"
                problems.append(reject(where(path), "E004", detail))
            elif settings.kind(path):
                files.append(path)
            else:
                problems.append(reject(where(path), "E015"))

    walk(root)
    return sorted(files)


def input_hashes(input_dir: Path | str, config_dir: Path) -> dict[str, str]:
    """{relative path: sha256} of the files ingest would read now (as `ingest_folder` records them)."""
    from pipeline.core.config import sha256_file

    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        return {}
    hashes = {}
    for path in iter_input_files(input_dir, check_config(config_dir)):
        try:
            hashes[path.relative_to(input_dir).as_posix()] = sha256_file(path)
        except OSError:
            pass
    return hashes


def ingest_folder(input_dir: Path, settings: IngestSettings) -> tuple[list[dict], list[dict], dict[str, str]]:
    """Pure heart of the stage: (documents, rejects, {relative path: sha256}) for a folder."""
    from pipeline.core.config import sha256_file

    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise PipelineError(f"{input_dir}: input folder not found")
    documents, rejects, hashes, seen = [], [], {}, {}
    paths = iter_input_files(input_dir, settings, rejects)
    if not paths:
        kinds = settings.text_suffixes + settings.jsonl_suffixes + settings.csv_suffixes + \
            settings.html_suffixes + settings.warc_suffixes
        raise NoInput(f"{input_dir}: no input files: none ends with {', '.join(kinds)}"
                      + (f" ({len(rejects)} other files or folders skipped)" if rejects else ""))
    for path in paths:
        rel = path.relative_to(input_dir)
        try:
            hashes[rel.as_posix()] = sha256_file(path)
        except OSError:
            pass
        docs, problems = READERS[settings.kind(path)](path, rel, settings)
        rejects.extend(problems)
        for doc in docs:
            if doc["doc_id"] in seen:
                rejects.append(reject(doc["path"], "E007", f"also in {seen[doc['doc_id']]}", doc["doc_id"]))
                continue
            seen[doc["doc_id"]] = doc["path"]
            documents.append(doc)
    return documents, rejects, hashes


def check_config(config_dir: Path) -> IngestSettings:
    """`configs/ingest.toml` checked (ConfigError naming the file and key); no input read."""
    return IngestSettings.from_config(load_stage_config(config_dir, STAGE), str(Path(config_dir) / "ingest.toml"))


def run(out_dir: Path, config_dir: Path | None = None, input_dir: Path | None = None, **_) -> dict:
    if input_dir is None:
        raise PipelineError("ingest needs --input DIR")
    from pipeline.core.config import DEFAULT_CONFIG_DIR

    config_dir = Path(config_dir or DEFAULT_CONFIG_DIR)
    record = StageRecord(STAGE, Path(out_dir), config_files=config_files(config_dir, STAGE))
    settings = check_config(config_dir)
    documents, rejects, hashes = ingest_folder(Path(input_dir), settings)
    for problem in rejects:
        print(f"[ingest] {problem['level']} {problem['code']}: {problem['message']}", file=sys.stderr)
    write_table(DOCUMENTS, documents, out_dir)
    write_table(REJECTS, rejects, out_dir)
    record.inputs = hashes
    record.rows = {"documents": len(documents), "rejects": len(rejects)}
    record.extra["input_dir"] = str(input_dir)
    return record.write()
