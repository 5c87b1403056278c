"""Reading and writing the stage tables: schema-checked, atomic (temporary file, then rename)."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .errors import PipelineError, SchemaError
from .schemas import TableSpec


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


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it into place only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_table(spec: TableSpec, data, out_dir: Path) -> pa.Table:
    table = to_arrow(spec, data)
    validate(spec, table)
    with atomic_path(Path(out_dir) / spec.filename) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return table


class TableWriter:
    """Streaming writer for big tables (tokens): one row group per batch, atomic on close.

    Keys are checked within each batch; batches hold whole documents, so (doc_id, i) stays unique
    as long as each document is written once, which the caller guarantees.
    """

    def __init__(self, spec: TableSpec, out_dir: Path):
        self.spec = spec
        self.rows = 0
        self._ctx = atomic_path(Path(out_dir) / spec.filename)
        self._tmp = self._ctx.__enter__()
        self._writer = pq.ParquetWriter(self._tmp, spec.schema, compression="zstd")

    def write(self, data) -> None:
        table = to_arrow(self.spec, data)
        validate(self.spec, table)
        if table.num_rows:
            self._writer.write_table(table)
            self.rows += table.num_rows

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self._writer.close()
        self._ctx.__exit__(exc_type, exc, tb)


def table_path(spec: TableSpec, out_dir: Path) -> Path:
    return Path(out_dir) / spec.filename


def read_table(spec: TableSpec, out_dir: Path, *, columns: list[str] | None = None,
               doc_ids: list[str] | None = None) -> pa.Table:
    path = table_path(spec, out_dir)
    if not path.exists():
        raise PipelineError(f"{path}: missing; run the stage that writes '{spec.name}' first")
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise PipelineError(f"{path}: not a readable Parquet file: {exc}") from None
    if not table.schema.equals(spec.schema, check_metadata=False):
        raise SchemaError(f"{path}: schema differs from '{spec.name}' as declared; rerun the stage that "
                          f"writes it.\nfound:\n{table.schema}")
    validate(spec, table, check_key=False)
    if doc_ids is not None:
        table = table.filter(pc.is_in(table.column("doc_id"), pa.array(doc_ids, pa.string())))
    if columns is not None:
        table = table.select(columns)
    return table


def read_frame(spec: TableSpec, out_dir: Path, **kwargs) -> pd.DataFrame:
    return read_table(spec, out_dir, **kwargs).to_pandas()


def iter_row_groups(spec: TableSpec, out_dir: Path) -> Iterator[pa.Table]:
    """Stream a table written by TableWriter one row group (batch of whole documents) at a time."""
    path = table_path(spec, out_dir)
    if not path.exists():
        raise PipelineError(f"{path}: missing; run the stage that writes '{spec.name}' first")
    parquet = pq.ParquetFile(path)
    if not parquet.schema_arrow.equals(spec.schema, check_metadata=False):
        raise SchemaError(f"{path}: schema differs from '{spec.name}' as declared")
    for index in range(parquet.num_row_groups):
        yield parquet.read_row_group(index)
