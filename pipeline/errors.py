"""Every error and warning the pipeline reports, each with a code (the spaCy `errors.py` pattern).

Messages name the file and the problem so that a user can act without reading code.
"""


class PipelineError(Exception):
    """An error the user can fix: bad input folder, malformed config, missing stage output."""


class ConfigError(PipelineError):
    pass


class SchemaError(PipelineError):
    pass


class ModelNotFound(PipelineError):
    pass


# Per-document problems found by `ingest`: recorded in the rejects table, never a crash.
# level "error": the document is not processed; "warning": it is, with a caveat.
REJECT_CODES = {
    "E001": ("error", "empty file"),
    "E002": ("error", "binary file (NUL bytes or control characters)"),
    "E003": ("error", "file larger than ingest.max_bytes"),
    "E004": ("error", "unreadable file"),
    "E005": ("error", "malformed JSON line"),
    "E006": ("error", "JSON record without a text string"),
    "E007": ("error", "duplicate doc_id"),
    "E008": ("error", "text is empty after decoding"),
    "E009": ("error", "not an HTML page"),
    "E010": ("error", "WARC response record is not an HTML page"),
    "E011": ("error", "same content as an earlier record (content hash)"),
    "E012": ("error", "truncated or corrupt compressed file or archive"),
    "E013": ("error", "CSV file unreadable or without a 'text' column"),
    "W001": ("warning", "not valid UTF-8: decoded as cp1252"),
    "W002": ("warning", "not valid UTF-8 or cp1252: decoded as latin-1"),
    "W003": ("warning", "UTF-8 text held mojibake (UTF-8 read as cp1252): repaired"),
    "W004": ("warning", "no title or body line kept: the document has no article text"),
    "W005": ("warning", "date not understood: kept as written in date_raw, date left empty"),
    "W006": ("warning", "HTML page without article text according to the extractor (ingest.html_min_article_words)"),
    "W007": ("warning", "WARC records that are not HTTP responses skipped"),
}
