"""Every error and warning the pipeline reports, each with a code (the spaCy `errors.py` pattern).

Messages name the file and the problem so that a user can act without reading code.
"""

import sys


# Run-level errors: one line `error CODE: message naming the file` on stderr and exit 2 (the CLI,
# `pipeline/cli.py`); `--debug` adds the traceback. Each class below carries its code.
ERROR_CODES = {
    "E100": "pipeline error",
    "E101": "malformed config",
    "E102": "table does not fit its schema",
    "E103": "spaCy model not installed",
    "E104": "output folder in use by another run",
    "E105": "cannot write the output",
    "E106": "no usable input",
    "E107": "interrupted",
    "E108": "output folder mixes tables of different runs",
    "E199": "unexpected error (a bug: please report it with the --debug traceback)",
}


class PipelineError(Exception):
    """An error the user can fix: bad input folder, malformed config, missing stage output."""
    code = "E100"


class ConfigError(PipelineError):
    code = "E101"


class SchemaError(PipelineError):
    code = "E102"


class ModelNotFound(PipelineError):
    code = "E103"


class OutputLocked(PipelineError):
    code = "E104"


class OutputNotWritable(PipelineError):
    code = "E105"


class NoInput(PipelineError):
    code = "E106"


class Interrupted(PipelineError):
    code = "E107"


class MixedOutputs(PipelineError):
    code = "E108"


# Per-document problems found by `ingest` (and by later stages, see STAGE_REJECT_CODES): recorded in the rejects table, never a crash.
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
    "E014": ("error", "document failed in stage 'parse': it has no tokens and no claims"),
    "E015": ("error", "file kind not read: the name ends with none of the suffixes in ingest.toml"),
    "E016": ("error", "unreadable folder: its files are not read"),
    "E017": ("error", "folder already read (a symbolic link loop or a second link to it): not read again"),
    "E018": ("error", "document failed in stage 'quotes': it has no quotes and no claims"),
    "E019": ("error", "document failed in stage 'entities': it has no entity mentions (its speakers stay as written)"),
    "E020": ("error", "document failed in stage 'topics': it and its quotes are unassigned"),
    "W001": ("warning", "not valid UTF-8: decoded as cp1252"),
    "W002": ("warning", "not valid UTF-8 or cp1252: decoded as latin-1"),
    "W003": ("warning", "UTF-8 text held mojibake (UTF-8 read as cp1252): repaired"),
    "W004": ("warning", "no title or body line kept: the document has no article text"),
    "W005": ("warning", "date not understood: kept as written in date_raw, date left empty"),
    "W006": ("warning", "HTML page without article text according to the extractor (ingest.html_min_article_words)"),
    "W007": ("warning", "WARC records that are not HTTP responses skipped"),
    "W008": ("warning", "body longer than parse.max_chunk_chars: parsed in pieces cut at paragraph boundaries"),
    "W009": ("warning", "a corpus-level step of stage 'clean' failed: every document was cleaned without it"),
    "W010": ("warning", "cleaning the document failed: its whole text is kept as the body"),
    "W011": ("warning", "a corpus-level step of stage 'entities' failed: every document was linked without it"),
    "W012": ("warning", "a corpus-level step of stage 'topics' failed: every document was tagged without it"),
}

# The rejects rows each later stage writes (it replaces its own rows when it reruns).
STAGE_REJECT_CODES = {"clean": {"W009", "W010"}, "parse": {"E014", "W008"}, "entities": {"E019", "W011"},
                      "quotes": {"E018"}, "topics": {"E020", "W012"}}
STAGE_FAILURE_CODE = {"parse": "E014", "entities": "E019", "quotes": "E018", "topics": "E020"}
CORPUS_FAILURE_CODE = {"clean": "W009", "entities": "W011", "topics": "W012"}


def document_failure(stage: str, doc_id: str, exc: Exception, path: str | None = None) -> dict:
    """The rejects row of a document whose processing raised in `stage` (the run goes on).

    `path` None: `io.replace_stage_rejects` fills it in from the documents table.
    """
    code = STAGE_FAILURE_CODE[stage]
    level, text = REJECT_CODES[code]
    return {"path": path, "doc_id": doc_id, "level": level, "code": code,
            "message": f"{path or doc_id}: {text} ({type(exc).__name__}: {exc})"}


CORPUS_PATH = "(corpus)"     # the rejects `path` of a problem of the whole corpus, not of one file


def corpus_failure(stage: str, step: str, exc: Exception) -> dict:
    """The rejects row of a corpus-level step of `stage` that raised (the documents go on without it)."""
    code = CORPUS_FAILURE_CODE[stage]
    level, text = REJECT_CODES[code]
    return {"path": CORPUS_PATH, "doc_id": None, "level": level, "code": code,
            "message": f"step '{step}': {text} ({type(exc).__name__}: {exc})"}


def without_failing_step(stage: str, step: str, failures: list[dict] | None, compute, fallback):
    """`compute()`, or, when it raises and failures are collected, `fallback()` with a rejects row.

    For the steps that read the whole corpus (recurring lines, near-duplicates, entity linking, the
    adaptive topic scores): one bad document there would otherwise sink the stage for all."""
    try:
        return compute()
    except Exception as exc:
        if failures is None:
            raise
        failures.append(corpus_failure(stage, step, exc))
        print(f"[{stage}] warning {failures[-1]['code']}: {failures[-1]['message']}", file=sys.stderr)
        return fallback()
