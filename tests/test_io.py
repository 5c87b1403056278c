"""Data contracts: each table is checked against its declared schema on write and read."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.core.errors import PipelineError, SchemaError
from pipeline.core.io import TableWriter, read_table, schema_difference, write_table
from pipeline.core.schemas import LINES, REJECTS, TABLES

LINE = {"doc_id": "d", "line_no": 1, "start": 0, "end": 5, "text": "Hello", "label": "body",
        "kept": True, "rule_id": "body.default"}


def test_round_trip(tmp_path):
    write_table(LINES, [LINE, {**LINE, "line_no": 2}], tmp_path)
    table = read_table(LINES, tmp_path)
    assert table.num_rows == 2 and table.schema.equals(LINES.schema)


@pytest.mark.parametrize("rows, message", [
    ([{**LINE, "colour": "red"}], "unknown columns \\['colour'\\]"),
    ([{k: v for k, v in LINE.items() if k != "label"}], "missing columns \\['label'\\]"),
    ([LINE, LINE], "duplicate keys"),
    ([{**LINE, "label": None}], "nulls in required column 'label'"),
])
def test_write_rejects_bad_tables(tmp_path, rows, message):
    frame = pd.DataFrame(rows)
    with pytest.raises(SchemaError, match=message):
        write_table(LINES, frame, tmp_path)
    assert not (tmp_path / "lines.parquet").exists()       # nothing half-written
    assert not list(tmp_path.iterdir())


def test_failed_write_keeps_the_old_table(tmp_path):
    write_table(LINES, [LINE], tmp_path)
    with pytest.raises(SchemaError):
        write_table(LINES, [LINE, LINE], tmp_path)
    assert read_table(LINES, tmp_path).num_rows == 1
    assert [p.name for p in tmp_path.iterdir()] == ["lines.parquet"]


def test_read_rejects_foreign_schema(tmp_path):
    pq.write_table(pd.DataFrame([{"doc_id": "d"}]).pipe(__import__("pyarrow").Table.from_pandas),
                   tmp_path / "lines.parquet")
    with pytest.raises(SchemaError, match="schema differs"):
        read_table(LINES, tmp_path)


DECLARED = pa.schema([pa.field("doc_id", pa.string(), False), pa.field("start", pa.int64(), False),
                      pa.field("kind", pa.string())])


@pytest.mark.parametrize("found, expected", [
    (DECLARED.remove(2), "missing: kind"),                                     # an older version's table
    (DECLARED.append(pa.field("extra", pa.int64())), "not declared: extra"),
    (DECLARED.set(1, pa.field("start", pa.int32(), False)), "other type: start int32 (declared int64, not null)"),
    (pa.schema([DECLARED.field(2), DECLARED.field(0), DECLARED.field(1)]), "column order"),
    (DECLARED.remove(2).append(pa.field("extra", pa.int64())), "missing: kind; not declared: extra"),
])
def test_schema_difference_says_what_differs(found, expected):
    assert schema_difference(found, DECLARED) == expected


def test_an_older_table_names_its_missing_columns(tmp_path):
    pq.write_table(pa.Table.from_pylist([{k: v for k, v in LINE.items() if k != "label"}]), tmp_path / "lines.parquet")
    with pytest.raises(SchemaError, match="missing: label.*rerun the stage"):
        read_table(LINES, tmp_path)


def test_missing_table_names_the_file(tmp_path):
    with pytest.raises(PipelineError, match="lines.parquet: missing"):
        read_table(LINES, tmp_path)


def test_streaming_writer_is_atomic(tmp_path):
    row = {"path": "a.txt", "doc_id": None, "level": "error", "code": "E001", "message": "a.txt: empty"}
    with pytest.raises(RuntimeError):
        with TableWriter(REJECTS, tmp_path) as writer:
            writer.write([row])
            raise RuntimeError("crash in the middle")
    assert not list(tmp_path.iterdir())
    with TableWriter(REJECTS, tmp_path) as writer:
        writer.write([row])
        writer.write([row])
    assert read_table(REJECTS, tmp_path).num_rows == 2


@pytest.mark.parametrize("wanted, groups", [
    (None, [["a", "b"], ["c"], ["d"]]),          # every row group
    (["c"], [["c"]]),                             # only the group that holds the document
    (["b", "d"], [["a", "b"], ["d"]]),            # whole groups: the caller drops the other rows
    (["z"], []),                                  # nobody: nothing read
])
def test_row_groups_can_be_read_for_some_documents_only(tmp_path, wanted, groups):
    import pyarrow as pa

    from pipeline.core.io import iter_row_groups

    def row(doc_id):
        return {"path": f"{doc_id}.txt", "doc_id": doc_id, "level": "warning", "code": "W001", "message": "m"}

    with TableWriter(REJECTS, tmp_path) as writer:
        for batch in (["a", "b"], ["c"], ["d"]):
            writer.write([row(d) for d in batch])
    ids = pa.array(wanted, pa.string()) if wanted is not None else None
    got = [t.column("doc_id").to_pylist() for t in iter_row_groups(REJECTS, tmp_path, doc_ids=ids)]
    assert got == groups


def test_every_table_has_a_key_in_its_schema():
    for spec in TABLES.values():
        assert set(spec.key) <= set(spec.schema.names), spec.name


@pytest.mark.parametrize("row, message", [
    ({**LINE, "colour": "red"}, "unknown columns \\['colour'\\]"),
    ({k: v for k, v in LINE.items() if k != "rule_id"}, "missing columns \\['rule_id'\\]"),
    ({**LINE, "start": "zero"}, "rows do not fit the schema"),
])
def test_write_rejects_bad_rows(tmp_path, row, message):
    with pytest.raises(SchemaError, match=message):
        write_table(LINES, [row], tmp_path)
