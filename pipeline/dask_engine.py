"""The Dask engine: `python -m pipeline run --engine dask [--workers N | --scheduler ADDRESS]`.

An optional extra (`pip install -e '.[dask]'`). The run is the local engine's run (`cli.run_all`:
the same stage table, staleness, staging copy and atomic publish, manifests and run id); only the
stages below run their documents on a Dask cluster instead of in this process:

  clean     line counts per partition, summed here (recurring lines per site), sent back to every
            worker, which labels its partition's lines; near-duplicates over all bodies here
  parse     each worker loads the model once and parses its partitions (one thread per worker)
  entities  mentions found per partition on the workers; corpus-wide linking here
  quotes    quotes per partition, each with its documents' mentions and entities
  topics    each partition's documents read and tagged on the workers (which build the taggers from
            the same config files); the adaptive scores, the article prior and issue phrases here

`ingest` and `claims` run here as the local engine runs them. Every partition's result is
kept in `OUT/.dask/<stage>/<key>.pickle`, `key` = sha256 of the partition's input rows, the
stage's code, config and model (`manifest.settings_fingerprint`), this module and the corpus-wide
data sent to the workers: after a crash the next run loads the finished partitions instead of
computing them again. A successful run removes the entries it did not use.

The client reads and writes the tables (in the staging folder) and sends each partition's rows to
the workers, so workers need no shared file system, and tables are written in document order with
the local engine's row groups: the tables are the local engine's, byte for byte (tested). A task
whose worker dies is run again on another worker by Dask (`distributed.scheduler.allowed-failures`),
and its rows are taken once, from the one result kept.

`--workers N` starts a LocalCluster of N processes with one thread each; `--scheduler ADDRESS` (or
the environment variable DASK_SCHEDULER_ADDRESS) connects to a running cluster, which this project
never starts itself (README: Slurm, Kubernetes). The workers need the project installed, with the
same code, configs and model.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import pyarrow as pa

from pipeline.core.config import DEFAULT_CONFIG_DIR, config_files, load_stage_config
from pipeline.core.errors import STAGE_REJECT_CODES, PipelineError, without_failing_step
from pipeline.core.io import TableWriter, read_table, replace_stage_rejects, write_table
from pipeline.core.manifest import StageRecord, settings_fingerprint

CACHE = ".dask"
DEFAULT_PARTITION_DOCS = 16
CONNECT_TIMEOUT = "10s"       # to a running cluster's scheduler (--scheduler)
# Test hook: "stage:partition:kill:MARKER" kills the worker running that partition once (MARKER is a
# file created on the first attempt); "stage:partition:raise" makes that partition raise every time.
FAULT_ENV = "PIPELINE_DASK_FAULT"
_ENGINE_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


# ---- the cluster -----------------------------------------------------------------------------

@contextmanager
def cluster_client(workers: int = 2, scheduler: str | None = None) -> Iterator:
    """A distributed Client: of the running cluster at `scheduler` (or DASK_SCHEDULER_ADDRESS), else
    of a LocalCluster of `workers` processes with one thread each, closed at the end."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise PipelineError("--engine dask needs the optional extra: pip install -e '.[dask]'") from None
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise PipelineError(f"cannot reach the Dask scheduler at {address} "
                                f"({type(exc).__name__}: {exc})") from None
        try:
            yield client
        finally:
            client.close()
        return
    if workers < 1:
        raise PipelineError(f"--workers {workers}: needs at least 1")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


# ---- partitions, their keys and the cache ------------------------------------------------------

def content_hash(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(pickle.dumps(part, protocol=5))
    return digest.hexdigest()


def partitions(items: list, size: int) -> list[list]:
    """Consecutive slices of `size` items (documents), in order."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def token_partitions(table: pa.Table, size: int) -> list[pa.Table]:
    """A token table (whole documents, in order) cut into slices of `size` documents."""
    from pipeline.steps.docs import document_rows

    starts = [start for _, start, _ in document_rows(table)]
    if not starts:
        return []
    cuts = starts[::size] + [table.num_rows]
    return [table.slice(a, b - a) for a, b in zip(cuts, cuts[1:])]


class Cache:
    """Finished partitions: OUT/.dask/<stage>/<key>.pickle, written atomically."""

    def __init__(self, root: Path):
        self.root, self.used = Path(root), set()

    def path(self, stage: str, key: str) -> Path:
        return self.root / stage / f"{key}.pickle"

    def get(self, stage: str, key: str):
        path = self.path(stage, key)
        self.used.add(path)
        try:
            return pickle.loads(path.read_bytes())
        except (OSError, EOFError, pickle.UnpicklingError):
            return None

    def put(self, stage: str, key: str, value) -> None:
        path = self.path(stage, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value, protocol=5))
        os.replace(tmp, path)
        self.used.add(path)

    def prune(self) -> int:
        """Remove the entries this run did not use (older runs' partitions); how many."""
        removed = 0
        if self.root.is_dir():
            for path in self.root.rglob("*"):
                if path.is_file() and path not in self.used:
                    path.unlink()
                    removed += 1
        return removed


def _identity(value):
    return value


def set_fault(value: str | None) -> None:
    """Set (None: clear) the test hook in this process; `client.run(set_fault, ...)` on the workers."""
    if value is None:
        os.environ.pop(FAULT_ENV, None)
    else:
        os.environ[FAULT_ENV] = value


def _call(fn: Callable, stage: str, index: int, *args):
    """Runs on a worker: the partition's function, behind the test hook (FAULT_ENV)."""
    fault = os.environ.get(FAULT_ENV, "")
    if fault:
        f_stage, f_index, mode, *marker = fault.split(":", 3)
        if f_stage == stage and int(f_index) == index:
            if mode == "raise":
                raise RuntimeError(f"{FAULT_ENV}: partition {index} of {stage} fails")
            if mode == "kill" and marker and not Path(marker[0]).exists():
                Path(marker[0]).write_text(str(os.getpid()))
                os._exit(1)       # the worker process dies mid-task
    return fn(*args)


class DaskEngine:
    """Runs the stages of DISTRIBUTED on a cluster, the others as the local engine does."""

    def __init__(self, client, out_dir: Path, partition_docs: int = DEFAULT_PARTITION_DOCS):
        if partition_docs < 1:
            raise PipelineError(f"--partition-docs {partition_docs}: needs at least 1")
        self.client, self.partition_docs = client, partition_docs
        self.cache = Cache(Path(out_dir) / CACHE)
        self.counts: dict[str, dict[str, int]] = {}

    def describe(self, stage: str) -> dict:
        workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) \
            if hasattr(self.client, "scheduler_info") else None
        return {"name": "dask", "workers": workers, "partition_docs": self.partition_docs,
                **self.counts.get(stage, {})}

    def fingerprint(self, stage: str, config_dir: Path, *shared) -> str:
        return content_hash(settings_fingerprint(stage, config_dir), _ENGINE_HASH, *shared)

    def map(self, stage: str, fn: Callable, parts: list, fingerprint: str, *shared) -> list:
        """fn(part, *shared) for every partition, on the workers, in order; cached partitions are
        loaded instead. `shared` (small, corpus-wide) goes to every worker once."""
        from distributed import as_completed

        keys = [content_hash(fingerprint, stage, part) for part in parts]
        results: list = [None] * len(parts)
        todo = []
        for i, key in enumerate(keys):
            cached = self.cache.get(stage, key)
            if cached is None:
                todo.append(i)
            else:
                results[i] = cached
        counts = self.counts.setdefault(stage, {"partitions": 0, "cached": 0})
        counts["partitions"] += len(parts)
        counts["cached"] += len(parts) - len(todo)
        if todo:
            # data goes in as tasks, never scattered: a task whose worker dies is run again from its
            # spec (scattered data would die with the worker); the shared data is one task, sent to
            # the workers that need it once each
            with warnings.catch_warnings():     # "Sending large graph": the rows, on purpose
                warnings.filterwarnings("ignore", message="Sending large graph")
                shared_futures = [self.client.submit(_identity, s, pure=False) for s in shared]
                futures = {self.client.submit(_call, fn, stage, i, parts[i], *shared_futures, pure=False): i
                           for i in todo}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                self.cache.put(stage, keys[i], results[i])     # a crash after this keeps it
                future.release()
        return results

    def run_stage(self, name: str, out_dir: Path, config_dir: Path | None, input_dir: Path | None = None) -> dict:
        from pipeline.cli import run_stage

        runner = DISTRIBUTED.get(name)
        if runner is None:
            return run_stage(name, out_dir, config_dir, input_dir)
        started = time.perf_counter()
        record = runner(self, Path(out_dir), Path(config_dir or DEFAULT_CONFIG_DIR))
        rows = ", ".join(f"{k}={v}" for k, v in record.get("rows", {}).items())
        counts = self.counts.get(name, {})
        print(f"[{name}] {rows} in {time.perf_counter() - started:.1f}s (dask: {counts.get('partitions', 0)} "
              f"partitions, {counts.get('cached', 0)} from the cache)", file=sys.stderr)
        return record


# ---- clean ---------------------------------------------------------------------------------------

def _count_part(documents: list[dict]):
    from pipeline.steps.boilerplate import count_lines

    return count_lines(documents)


def merge_line_stats(parts: list):
    """The LineStats of the whole corpus from those of its partitions (in order): counts summed, the
    capped set of sources per line form filled in order up to its cap, as one pass would."""
    from pipeline.steps.boilerplate import LineStats

    total = LineStats()
    for stats in parts:
        total.corpus_docs += stats.corpus_docs
        total.corpus_counts.update(stats.corpus_counts)
        total.source_docs.update(stats.source_docs)
        for source, counts in stats.source_counts.items():
            total.source_counts.setdefault(source, type(counts)()).update(counts)
        for form, sources in stats.corpus_sources.items():
            seen = total.corpus_sources.setdefault(form, set())
            for source in sorted(sources, key=str):
                if len(seen) < 8:
                    seen.add(source)
    return total


def _label_part(documents: list[dict], stats, config: dict):
    from pipeline.steps.clean import label_documents

    failures: list[dict] = []
    rows, cleaned = label_documents(documents, stats, config, failures)
    return rows, cleaned, failures


def run_clean(engine: DaskEngine, out_dir: Path, config_dir: Path) -> dict:
    from pipeline.steps import clean
    from pipeline.steps.boilerplate import LineStats
    from pipeline.core.errors import REJECT_CODES
    from pipeline.core.schemas import BODIES, DOCUMENTS, LINES

    record = StageRecord(clean.STAGE, out_dir, config_files=config_files(config_dir, clean.STAGE))
    config = clean.check_config(config_dir)
    documents = read_table(DOCUMENTS, out_dir).to_pylist()
    parts = partitions(documents, engine.partition_docs)
    fingerprint = engine.fingerprint(clean.STAGE, config_dir)
    failures: list[dict] = []
    stats = without_failing_step(
        clean.STAGE, "recurring lines", failures,
        lambda: merge_line_stats(engine.map("clean.lines", _count_part, parts, fingerprint)), LineStats)
    labelled = engine.map(clean.STAGE, _label_part, parts, content_hash(fingerprint, stats), stats, config)
    line_rows = [row for rows, _, _ in labelled for row in rows]
    cleaned = [doc for _, docs, _ in labelled for doc in docs]
    failures += [row for _, _, rows in labelled for row in rows]
    copies = without_failing_step(clean.STAGE, "near-duplicates", failures,
                                  lambda: clean.near_duplicates(cleaned, config), dict)
    for doc in cleaned:
        doc["duplicate_of"] = copies.get(doc["doc_id"])
        if not doc["body"].strip():
            print(f"[clean] warning W004: {doc['path']}: {REJECT_CODES['W004'][1]}", file=sys.stderr)
    write_table(BODIES, [{name: doc[name] for name in BODIES.schema.names} for doc in cleaned], out_dir)
    write_table(LINES, line_rows, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[clean.STAGE], failures)
    record.rows = {"lines": len(line_rows), "kept": sum(row["kept"] for row in line_rows),
                   "documents": len(cleaned),
                   "near_duplicates": sum(1 for doc in cleaned if doc["duplicate_of"]), "failed": len(failures)}
    record.extra["engine"] = engine.describe(clean.STAGE)
    return record.write()


# ---- parse ---------------------------------------------------------------------------------------

_MODELS: dict[str, object] = {}      # per worker process: config hash -> nlp (one load per worker)


def _worker_nlp(config: dict, source: str):
    from pipeline.steps.parse import build_nlp

    key = content_hash(config, source)
    if key not in _MODELS:
        _MODELS.clear()
        _MODELS[key] = build_nlp(config, source)
    return _MODELS[key]


def _parse_part(items: list[tuple], config: dict, source: str):
    from pipeline.core.model import model_info
    from pipeline.steps.parse import ParseSettings, parse_documents
    from pipeline.core.schemas import SENTENCES, TOKENS

    settings = ParseSettings.from_config(config, source)
    nlp = _worker_nlp(config, source)
    rejects: list[dict] = []
    pairs = list(parse_documents(nlp, items, settings.batch_size, 1, 1 << 62, settings.max_chunk_chars, rejects))
    tokens = pa.concat_tables([t for t, _ in pairs]) if pairs else TOKENS.schema.empty_table()
    sentences = pa.concat_tables([s for _, s in pairs]) if pairs else SENTENCES.schema.empty_table()
    return tokens, sentences, rejects, model_info(nlp)


def row_groups(pairs: list[tuple[pa.Table, pa.Table]], row_group_tokens: int) -> Iterator[tuple[pa.Table, pa.Table]]:
    """(tokens, sentences) of consecutive partitions regrouped as the local engine groups them: a
    row group ends after the document that brings it to `row_group_tokens` tokens."""
    from pipeline.steps.docs import document_rows

    tokens_out, sents_out, pending = [], [], 0
    for tokens, sentences in pairs:
        if not sentences.num_rows:
            continue
        s_starts = [start for _, start, _ in document_rows(sentences)] + [sentences.num_rows]
        t_starts = [start for _, start, _ in document_rows(tokens)] + [tokens.num_rows]
        assert len(s_starts) == len(t_starts), "every parsed document has tokens and sentences"
        t_from = s_from = 0
        for k in range(1, len(s_starts)):
            pending += t_starts[k] - t_starts[k - 1]
            if pending >= row_group_tokens or k == len(s_starts) - 1:
                tokens_out.append(tokens.slice(t_from, t_starts[k] - t_from))
                sents_out.append(sentences.slice(s_from, s_starts[k] - s_from))
                t_from, s_from = t_starts[k], s_starts[k]
            if pending >= row_group_tokens:
                yield (pa.concat_tables(tokens_out).combine_chunks(), pa.concat_tables(sents_out).combine_chunks())
                tokens_out, sents_out, pending = [], [], 0
    if tokens_out:
        yield pa.concat_tables(tokens_out).combine_chunks(), pa.concat_tables(sents_out).combine_chunks()


def run_parse(engine: DaskEngine, out_dir: Path, config_dir: Path) -> dict:
    from pipeline.steps import parse
    from pipeline.core.schemas import SENTENCES, TOKENS

    source = str(config_dir / "parse.toml")
    record = StageRecord(parse.STAGE, out_dir, config_files=config_files(config_dir, parse.STAGE))
    config = load_stage_config(config_dir, parse.STAGE)
    settings = parse.ParseSettings.from_config(config, source)
    items = list(parse._iter_documents(out_dir))
    parts = partitions(items, engine.partition_docs)
    results = engine.map(parse.STAGE, _parse_part, parts, engine.fingerprint(parse.STAGE, config_dir), config, source)
    rejects = [row for _, _, rows, _ in results for row in rows]
    with TableWriter(TOKENS, out_dir) as token_writer, TableWriter(SENTENCES, out_dir) as sent_writer:
        for tokens, sentences in row_groups([(t, s) for t, s, _, _ in results], settings.row_group_tokens):
            token_writer.write(tokens)
            sent_writer.write(sentences)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[parse.STAGE], rejects)
    record.extra["model"] = results[0][3] if results else None
    record.extra["n_process"] = 1
    record.extra["engine"] = engine.describe(parse.STAGE)
    record.rows = {"tokens": token_writer.rows, "sentences": sent_writer.rows, "reused": 0,
                   "failed": sum(r["code"] == "E014" for r in rejects),
                   "chunked": sum(r["code"] == "W008" for r in rejects)}
    return record.write()


# ---- entities ------------------------------------------------------------------------------------

def _entities_part(tokens: pa.Table, rules):
    from pipeline.steps.docs import parsed_docs_of
    from pipeline.steps.entities import document_mentions

    failures: list[dict] = []
    rows, common_words = document_mentions(parsed_docs_of(tokens), rules, failures)
    return rows, common_words, failures


def _rebuild_tokens(out_dir: Path) -> pa.Table:
    from pipeline.steps.docs import REBUILD_COLUMNS
    from pipeline.core.schemas import TOKENS

    # without the run id stamped in the schema: a partition's key is its rows
    return read_table(TOKENS, out_dir, columns=["doc_id", *REBUILD_COLUMNS]).replace_schema_metadata(None)


def run_entities(engine: DaskEngine, out_dir: Path, config_dir: Path) -> dict:
    from collections import Counter

    from pipeline.steps import entities
    from pipeline.core.schemas import ENTITIES, MENTIONS, TOKENS

    record = StageRecord(entities.STAGE, out_dir, config_files=config_files(config_dir, entities.STAGE))
    record.add_input_tables(TOKENS.name)
    rules = entities.load_rules(config_dir)
    started = time.perf_counter()
    parts = token_partitions(_rebuild_tokens(out_dir), engine.partition_docs)
    results = engine.map(entities.STAGE, _entities_part, parts, engine.fingerprint(entities.STAGE, config_dir), rules)
    failures = [row for _, _, rows in results for row in rows]
    common_words = set().union(*(words for _, words, _ in results)) if results else set()
    mentions, found = entities.link_corpus([row for rows, _, _ in results for row in rows], common_words, rules,
                                           failures)
    write_table(MENTIONS, mentions, out_dir)
    write_table(ENTITIES, found, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[entities.STAGE], failures)
    record.rows = {"mentions": len(mentions), "entities": len(found), "failed": len(failures)}
    record.extra["rules"] = dict(Counter(row["rule_id"] for row in mentions))
    record.extra["seconds_extract"] = round(time.perf_counter() - started, 3)
    record.extra["engine"] = engine.describe(entities.STAGE)
    return record.write()


# ---- quotes --------------------------------------------------------------------------------------

def _quotes_part(part: tuple, config, first_names: dict):
    from pipeline.steps.docs import parsed_docs_of
    from pipeline.steps.quotes import quotes_of_documents
    from pipeline.steps.quotes.gender import seed_lookups

    tokens, documents, by_doc = part
    # the corpus's first names, looked up once by the client: a partition that looked up its own
    # read up to 16 buckets of the name list again (2-3 s a partition; the local stage reads them once)
    seed_lookups(first_names)
    failures: list[dict] = []
    rows, n_docs = quotes_of_documents(parsed_docs_of(tokens), documents, by_doc, config, failures)
    return rows, n_docs, failures


def run_quotes(engine: DaskEngine, out_dir: Path, config_dir: Path) -> dict:
    from pipeline.steps import quotes
    from pipeline.steps.quotes.mentions import mentions_from_tables
    from pipeline.core.schemas import BODIES, DOCUMENTS, ENTITIES, MENTIONS, QUOTES, TOKENS

    record = StageRecord(quotes.STAGE, out_dir, config_files=config_files(config_dir, quotes.STAGE))
    record.add_input_tables(DOCUMENTS.name, TOKENS.name, MENTIONS.name, ENTITIES.name)
    config = quotes.load_config(config_dir)
    documents = {row["doc_id"]: row for row in read_table(DOCUMENTS, out_dir, columns=["doc_id", "text", "source"]).to_pylist()}
    for row in read_table(BODIES, out_dir, columns=["doc_id", "body_segments"]).to_pylist():
        documents[row["doc_id"]]["body_segments"] = row["body_segments"]
    by_doc = mentions_from_tables(out_dir)
    record.extra["speaker_mentions"] = "entities stage" if by_doc is not None else "fallback (doc.ents)"
    parts = []
    for tokens in token_partitions(_rebuild_tokens(out_dir), engine.partition_docs):
        ids = list(dict.fromkeys(tokens.column("doc_id").to_pylist()))
        parts.append((tokens, {i: documents[i] for i in ids if i in documents},
                      None if by_doc is None else {i: by_doc[i] for i in ids if i in by_doc}))
    first_names = quotes.look_up_first_names(by_doc)
    results = engine.map(quotes.STAGE, _quotes_part, parts, engine.fingerprint(quotes.STAGE, config_dir), config,
                         first_names)
    rows = [row for found, _, _ in results for row in found]
    failures = [row for _, _, found in results for row in found]
    write_table(QUOTES, rows, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[quotes.STAGE], failures)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["type"]] = counts.get(row["type"], 0) + 1
    record.rows = {"quotes": len(rows), "documents": sum(n for _, n, _ in results),
                   **{f"type_{k}": v for k, v in sorted(counts.items())}}
    record.extra["engine"] = engine.describe(quotes.STAGE)
    return record.write()


# ---- topics --------------------------------------------------------------------------------------

_SETTINGS: dict[str, object] = {}     # per worker process: config contents' hash -> TopicsSettings


def _worker_topics_settings(files: dict[str, bytes]):
    """The topics settings built on the worker (its taggers are bound to the worker's shared vocab,
    so they cannot be sent built) from the config files' contents, written to a private folder."""
    import tempfile

    from pipeline.steps.topic_phrases import CACHE_NAME
    from pipeline.steps.topics import load_settings

    key = content_hash(sorted(files.items()))
    if key not in _SETTINGS:
        folder = Path(tempfile.mkdtemp(prefix="pipeline-topics-"))
        for name, data in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        _SETTINGS.clear()
        _SETTINGS[key] = load_settings(folder / "configs", cache=folder / CACHE_NAME)
    return _SETTINGS[key]


def _topics_part(part: tuple, files: dict[str, bytes]):
    from pipeline.steps.docs import parsed_docs_of
    from pipeline.steps.topics import needs_fine_grained, read_documents

    settings = _worker_topics_settings(files)
    tokens, by_doc = part
    return read_documents(parsed_docs_of(tokens, fine_grained=needs_fine_grained(settings)), by_doc, settings)


def run_topics(engine: DaskEngine, out_dir: Path, config_dir: Path) -> dict:
    from pipeline.steps import topic_phrases, topics
    from pipeline.core.schemas import DOC_TOPICS, QUOTE_TOPICS, QUOTES, TOKENS
    from pipeline.core.stages import BY_NAME, config_paths

    record = StageRecord(topics.STAGE, out_dir, config_files=config_files(config_dir, topics.STAGE))
    started = time.perf_counter()
    settings = topics.load_settings(config_dir, cache=out_dir / topic_phrases.CACHE_NAME)
    built = time.perf_counter()
    if not (out_dir / QUOTES.filename).exists():
        raise PipelineError(f"{out_dir / QUOTES.filename}: missing; run the 'quotes' stage first")
    record.add_input_tables(TOKENS.name, QUOTES.name)
    quotes = read_table(QUOTES, out_dir, columns=topics.QUOTE_COLUMNS).to_pylist()
    by_doc = topics.quotes_by_doc(quotes)
    parts = []
    for tokens in token_partitions(_rebuild_tokens(out_dir), engine.partition_docs):
        ids = dict.fromkeys(tokens.column("doc_id").to_pylist())
        parts.append((tokens, {i: by_doc[i] for i in ids if i in by_doc}))
    # the workers build the taggers from the same files: the stage's configs and the phrases cache
    files = {f"configs/{path.relative_to(config_dir).as_posix()}": path.read_bytes()
             for path in config_paths(BY_NAME[topics.STAGE], config_dir)}
    if (out_dir / topic_phrases.CACHE_NAME).exists():
        files[topic_phrases.CACHE_NAME] = (out_dir / topic_phrases.CACHE_NAME).read_bytes()
    results = engine.map(topics.STAGE, _topics_part, parts, engine.fingerprint(topics.STAGE, config_dir, files), files)
    pending = [doc for found, _ in results for doc in found]
    failed = {doc_id: exc for _, failures in results for doc_id, exc in failures.items()}
    failures: list[dict] = []
    doc_rows, quote_rows = topics.finish_corpus(pending, failed, by_doc, settings, failures)
    for row in failures:
        if row["level"] == "error":
            print(f"[topics] error {row['code']}: {row['message']}", file=sys.stderr)
    write_table(DOC_TOPICS, doc_rows, out_dir)
    write_table(QUOTE_TOPICS, quote_rows, out_dir)
    replace_stage_rejects(out_dir, STAGE_REJECT_CODES[topics.STAGE], failures)
    record.rows = {"quote_topics": len(quote_rows), "doc_topics": len(doc_rows), "quotes": len(quotes),
                   "failed": len(failures)}
    for tax in settings.taxonomies:
        record.rows[f"unassigned_quotes_{tax.id}"] = sum(1 for r in quote_rows
                                                         if r["taxonomy"] == tax.id and r["topic"] == topics.UNASSIGNED)
        record.rows[f"unassigned_docs_{tax.id}"] = sum(1 for r in doc_rows
                                                       if r["taxonomy"] == tax.id and r["topic"] == topics.UNASSIGNED)
    record.extra["taxonomies"] = [t.id for t in settings.taxonomies]
    record.extra["seconds_build_tagger"] = round(built - started, 3)
    record.extra["seconds_tagging"] = round(time.perf_counter() - built, 3)
    record.extra["engine"] = engine.describe(topics.STAGE)
    return record.write()


DISTRIBUTED: dict[str, Callable[[DaskEngine, Path, Path], dict]] = {
    "clean": run_clean, "parse": run_parse, "entities": run_entities, "quotes": run_quotes, "topics": run_topics}


def run_dask(input_dir: Path, out_dir: Path, config_dir: Path | None, where: dict | None = None, force: bool = False,
             workers: int = 2, scheduler: str | None = None, partition_docs: int = DEFAULT_PARTITION_DOCS,
             client=None) -> dict:
    """`run` with the Dask engine (see the module's doc), on `client` when given (else a cluster as
    `cluster_client` makes it); the cache entries it did not use are removed once the generation is
    published."""
    from pipeline.cli import run_all

    if client is None:
        with cluster_client(workers, scheduler) as client:
            return run_dask(input_dir, out_dir, config_dir, where, force, partition_docs=partition_docs, client=client)
    engine = DaskEngine(client, out_dir, partition_docs)
    gathered = run_all(input_dir, out_dir, config_dir, where, force=force, run_one=engine.run_stage)
    if engine.counts:           # nothing ran: the cache is left as it was
        engine.cache.prune()
    return {**gathered, "worker_peak_rss_mb": worker_peaks(client)}


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024      # Linux: kilobytes


def worker_peaks(client) -> dict[str, float]:
    """Each worker's peak resident memory so far, in MB, by worker address (`bench --dask-scale`
    shows that it stays flat as the corpus grows: a worker holds one partition at a time)."""
    try:
        return {address: round(mb, 1) for address, mb in sorted(client.run(_peak_rss_mb).items())}
    except Exception:           # a cluster that cannot answer costs the figure, never the run
        return {}
