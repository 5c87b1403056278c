"""Reading and writing the stage tables: schema-checked, atomic (temporary file, then rename)."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.core.errors import OutputLocked, OutputNotWritable, PipelineError, SchemaError
from pipeline.core.schemas import REJECTS, TableSpec


def to_arrow(spec: TableSpec, data: pa.Table | pd.DataFrame | Iterable[dict]) -> pa.Table:
    """Convert rows or a frame to the spec's schema; unknown or missing columns are errors."""
    if isinstance(data, pa.Table):
        table = data
    elif isinstance(data, pd.DataFrame):
        table = pa.Table.from_pandas(data, preserve_index=False)
    else:
        rows = list(data)
        names = set(spec.schema.names)
        for row in rows:
            if row.keys() != names:
                raise SchemaError(f"table '{spec.name}': unknown columns {sorted(row.keys() - names)}, "
                                  f"missing columns {sorted(names - row.keys())}")
        try:
            table = pa.Table.from_pylist(rows, schema=spec.schema) if rows else spec.schema.empty_table()
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise SchemaError(f"table '{spec.name}': rows do not fit the schema: {exc}") from None
    expected, got = spec.schema.names, table.column_names
    unknown = [c for c in got if c not in expected]
    missing = [c for c in expected if c not in got]
    if unknown or missing:
        raise SchemaError(f"table '{spec.name}': unknown columns {unknown}, missing columns {missing}")
    table = table.select(expected)
    for field in spec.schema:
        if not field.nullable and table.column(field.name).null_count:
            raise SchemaError(f"table '{spec.name}': nulls in required column '{field.name}'")
    try:
        table = table.cast(spec.schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError) as exc:
        raise SchemaError(f"table '{spec.name}': column types do not fit the schema: {exc}") from None
    return table


def validate(spec: TableSpec, table: pa.Table, *, check_key: bool = True) -> None:
    if not table.schema.equals(spec.schema, check_metadata=False):
        raise SchemaError(f"table '{spec.name}': schema differs from the declared one:\n{table.schema}")
    for field in spec.schema:
        if not field.nullable and table.column(field.name).null_count:
            raise SchemaError(f"table '{spec.name}': nulls in required column '{field.name}'")
    if check_key and spec.key and table.num_rows:
        keys = table.select(list(spec.key)).to_pandas()
        duplicated = keys.duplicated()
        if duplicated.any():
            first = keys[duplicated].iloc[0].to_dict()
            raise SchemaError(f"table '{spec.name}': {int(duplicated.sum())} duplicate keys, e.g. {first}")


# Every path renamed into place by this process, in order: what an interrupted run really changed.
WRITTEN: list[Path] = []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def not_writable(path: Path, exc: OSError) -> OutputNotWritable:
    reason = {errno.ENOSPC: "disk full", errno.EDQUOT: "disk quota exceeded", errno.EROFS: "read-only file system",
              errno.EACCES: "permission denied", errno.EPERM: "operation not permitted (immutable?)"}
    why = reason.get(exc.errno, exc.strerror or str(exc))
    kept = f"; the previous {Path(path).name} is unchanged" if Path(path).is_file() else ""
    return OutputNotWritable(f"{path}: cannot write ({why}){kept}")


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it into place only if the block succeeds.

    The file gets the mode the umask gives a new file (mkstemp alone would leave it 0600).
    OSErrors of creating and publishing it (disk full, read-only folder) name `path`.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise not_writable(path, exc) from exc
    try:
        try:
            yield Path(tmp)
        except OSError as exc:
            if exc.filename in (tmp, Path(tmp)):     # writing the temporary file failed
                raise not_writable(path, exc) from exc
            raise
        try:
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        except OSError as exc:
            raise not_writable(path, exc) from exc
        WRITTEN.append(path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# The Parquet key-value metadata entry naming the run that wrote a table (pipeline.core.generation): a
# table copied or read on its own still says which run it comes from.
RUN_ID_KEY = b"pipeline.run_id"


def _stamped(schema: pa.Schema, out_dir: Path) -> pa.Schema:
    from pipeline.core.generation import staging_run_id

    run_id = staging_run_id(out_dir)
    return schema.with_metadata({**(schema.metadata or {}), RUN_ID_KEY: run_id.encode()}) if run_id else schema


def table_run_id(path: Path) -> str | None:
    """The run that wrote the Parquet file at `path` (None: written outside a run, or by hand)."""
    value = (pq.read_schema(path).metadata or {}).get(RUN_ID_KEY)
    return value.decode() if value else None


# Marks a table hash of table_sha256 in manifests: those of older versions hashed the whole file,
# and the two kinds are never compared (a folder of an older version is stale, not mixed).
TABLE_HASH_PREFIX = "data:"


def table_sha256(path: Path) -> str:
    """sha256 of a Parquet file's contents: its schema and its data pages, not its footer metadata,
    so that a stage rewriting the same rows under another run id leaves the stages after it current.
    A file that is not Parquet is hashed whole."""
    import hashlib

    path = Path(path)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(max(size - 8, 0))
        tail = fh.read(8)
        if size < 12 or tail[4:] != b"PAR1":
            from pipeline.core.config import sha256_file

            return sha256_file(path)
        data_end = size - 8 - int.from_bytes(tail[:4], "little")
        fh.seek(0)
        left = max(data_end, 0)
        while left:
            chunk = fh.read(min(left, 1 << 20))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    try:
        schema = pq.read_schema(path).remove_metadata()
    except (pa.ArrowInvalid, OSError):
        from pipeline.core.config import sha256_file

        return sha256_file(path)
    digest.update(schema.to_string().encode())
    return TABLE_HASH_PREFIX + digest.hexdigest()


def write_table(spec: TableSpec, data, out_dir: Path) -> pa.Table:
    table = to_arrow(spec, data)
    validate(spec, table)
    path = Path(out_dir) / spec.filename
    with atomic_path(path) as tmp:
        try:
            pq.write_table(table.replace_schema_metadata(_stamped(table.schema, out_dir).metadata), tmp,
                           compression="zstd")
        except OSError as exc:
            raise not_writable(path, exc) from exc
    return table


class TableWriter:
    """Streaming writer for big tables (tokens): one row group per batch, atomic on close.

    Keys are checked within each batch; batches hold whole documents, so (doc_id, i) stays unique
    as long as each document is written once, which the caller guarantees.
    """

    def __init__(self, spec: TableSpec, out_dir: Path):
        self.spec = spec
        self.rows = 0
        self.path = Path(out_dir) / spec.filename
        self._ctx = atomic_path(self.path)
        self._tmp = self._ctx.__enter__()
        try:
            self._writer = pq.ParquetWriter(self._tmp, _stamped(spec.schema, out_dir), compression="zstd")
        except OSError as exc:
            self._ctx.__exit__(type(exc), exc, None)
            raise not_writable(self.path, exc) from exc

    def write(self, data) -> None:
        table = to_arrow(self.spec, data)
        validate(self.spec, table)
        if table.num_rows:
            try:
                self._writer.write_table(table)
            except OSError as exc:
                raise not_writable(self.path, exc) from exc
            self.rows += table.num_rows

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._writer.close()
        except OSError as close_exc:
            if exc is None:
                self._ctx.__exit__(type(close_exc), close_exc, None)   # removes the temporary file
                raise not_writable(self.path, close_exc) from close_exc
        self._ctx.__exit__(exc_type, exc, tb)


def replace_stage_rejects(out_dir: Path, codes: set[str], rows: list[dict]) -> None:
    """Put a stage's rejects rows in rejects.parquet, replacing the rows (by code) of its last run."""
    from pipeline.core.schemas import DOCUMENTS

    if any(row["path"] is None for row in rows):      # rows of later stages know the doc_id only
        paths = dict(zip(*read_table(DOCUMENTS, out_dir, columns=["doc_id", "path"]).to_pydict().values()))
        rows = [{**row, "path": row["path"] or paths.get(row["doc_id"], row["doc_id"])} for row in rows]
    existing = read_table(REJECTS, out_dir).to_pylist() if table_path(REJECTS, out_dir).exists() else []
    kept = [r for r in existing if r["code"] not in codes]
    if rows or len(kept) != len(existing):     # unchanged otherwise: the file is not rewritten
        write_table(REJECTS, kept + list(rows), out_dir)


def _writer_hint(table: str) -> str:
    from pipeline.core.stages import writer_of

    try:
        return f" ('{writer_of(table).name}')"
    except KeyError:
        return ""


def schema_difference(found: pa.Schema, declared: pa.Schema) -> str:
    """What differs, in one line: columns missing, columns not declared, columns of another type."""
    have, want = {f.name: f for f in found}, {f.name: f for f in declared}
    parts = []
    if missing := [n for n in want if n not in have]:
        parts.append("missing: " + ", ".join(missing))
    if extra := [n for n in have if n not in want]:
        parts.append("not declared: " + ", ".join(extra))
    if changed := [f"{n} {have[n].type} (declared {want[n].type}{'' if want[n].nullable else ', not null'})"
                   for n in want if n in have and not have[n].equals(want[n])]:
        parts.append("other type: " + ", ".join(changed))
    return "; ".join(parts) or "column order"


def table_path(spec: TableSpec, out_dir: Path) -> Path:
    return Path(out_dir) / spec.filename


def read_table(spec: TableSpec, out_dir: Path, *, columns: list[str] | None = None,
               doc_ids: list[str] | None = None) -> pa.Table:
    path = table_path(spec, out_dir)
    if not path.exists():
        raise PipelineError(f"{path}: missing; run the stage that writes '{spec.name}' first{_writer_hint(spec.name)}")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise PipelineError(f"{path}: not a readable Parquet file: {exc}") from None
    if not table.schema.equals(spec.schema, check_metadata=False):
        raise SchemaError(f"{path}: schema differs from '{spec.name}' as declared "
                          f"({schema_difference(table.schema, spec.schema)}): written by another version or by "
                          f"hand? rerun the stage that writes it (`python -m pipeline run`)")
    validate(spec, table, check_key=False)
    if doc_ids is not None:
        table = table.filter(pc.is_in(table.column("doc_id"), pa.array(doc_ids, pa.string())))
    if columns is not None:
        table = table.select(columns)
    return table


def read_frame(spec: TableSpec, out_dir: Path, **kwargs) -> pd.DataFrame:
    return read_table(spec, out_dir, **kwargs).to_pandas()


def iter_row_groups(spec: TableSpec, out_dir: Path, columns: list[str] | None = None,
                    doc_ids: pa.Array | None = None) -> Iterator[pa.Table]:
    """Stream a table written by TableWriter one row group (batch of whole documents) at a time;
    with `doc_ids`, only the row groups holding one of them (each group's `doc_id` column is read
    first: a worker or an incremental run that wants a few documents reads only their groups)."""
    path = table_path(spec, out_dir)
    if not path.exists():
        raise PipelineError(f"{path}: missing; run the stage that writes '{spec.name}' first{_writer_hint(spec.name)}")
    parquet = pq.ParquetFile(path)
    if not parquet.schema_arrow.equals(spec.schema, check_metadata=False):
        raise SchemaError(f"{path}: schema differs from '{spec.name}' as declared "
                          f"({schema_difference(parquet.schema_arrow, spec.schema)})")
    for index in range(parquet.num_row_groups):
        if doc_ids is not None:
            held = pc.cast(parquet.read_row_group(index, columns=["doc_id"]).column("doc_id"), pa.string())
            if not pc.any(pc.is_in(held, value_set=doc_ids)).as_py():
                continue
        yield parquet.read_row_group(index, columns=columns)


# --- the output folder: one run at a time, leftovers of killed runs removed ---

LOCK_NAME = ".pipeline.lock"
# Temporary files of atomic_path: `.<name>.<random>.tmp`.
_TMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


def check_output_dir(out_dir: Path) -> Path:
    """The output folder, created if missing; a path naming a file is an error naming it."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputNotWritable(f"{out_dir}: --output names a file, not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputNotWritable(f"{out_dir}: a parent of --output is a file, not a folder") from None
    except OSError as exc:
        raise not_writable(out_dir, exc) from exc
    return out_dir


def remove_leftover_temporaries(out_dir: Path) -> list[Path]:
    """Delete `.*.tmp` files a killed run left (call only while holding the folder's lock)."""
    removed = []
    for folder in (Path(out_dir), Path(out_dir) / "manifest"):
        if folder.is_dir():
            for path in folder.iterdir():
                if path.is_file() and _TMP.match(path.name):
                    path.unlink()
                    removed.append(path)
    return removed


@contextmanager
def output_lock(out_dir: Path) -> Iterator[Path]:
    """Hold the output folder for this process: a second run into it fails fast naming our pid.

    The lock is `flock` on OUT/.pipeline.lock, which the kernel releases when the holder dies, so
    a killed run never blocks the next one; the pid written inside is only for the messages. A
    pid left there by a run that did not finish is reported as a stale lock taken over.
    """
    out_dir = check_output_dir(out_dir)
    path = out_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666 & ~_umask())
    except OSError as exc:
        raise not_writable(path, exc) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            raise OutputLocked(f"{out_dir}: another run (pid {holder}) is writing this folder; wait for it "
                               f"to finish or choose another --output") from None
        previous = os.pread(fd, 64, 0).decode(errors="replace").strip()
        if previous:
            print(f"[lock] {path}: stale lock of pid {previous}, which is no longer running: taken over",
                  file=sys.stderr)
        from pipeline.core.generation import remove_stale_staging

        removed = remove_leftover_temporaries(out_dir) + remove_stale_staging(out_dir)
        if removed:
            print(f"[lock] {out_dir}: removed {len(removed)} temporary files or staging folders left by an "
                  f"interrupted run",
                  file=sys.stderr)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield out_dir
        finally:
            os.ftruncate(fd, 0)     # an empty lock file: released cleanly
    finally:
        os.close(fd)
