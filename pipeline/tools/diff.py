"""`python -m pipeline diff OLD NEW`: what a rule change did, table by table, on the stable keys.

Every `*.parquet` table found in either folder is compared on its key (`schemas.TABLES[name].key`;
tables without a key, like `rejects`, as multisets of rows):

* added / removed / changed rows (changed = same key, some other column differs; the changed
  columns are listed);
* `lines`: a change of `label` or `kept` is a *relabelled* line;
* `quotes`: a removed and an added quote of the same document whose contents overlap (piece by
  piece, `content_spans`) are paired as *span changed*; an added quote whose pieces cover several
  removed ones *joined* them (one attribution where there were several rows), a removed one
  covered by several added ones was *divided*; quote topics (from `quote_topics`, else `claims.topics`) are compared as a
  `topics` column, so a topic rule shows up on the quotes it moved;
* `entities`: mentions present in both runs are compared by the entity they are assigned to:
  an entity that now gathers mentions of several old entities was *merged*, an old entity whose
  mentions went to several new ones was *split*, a one-to-one change of id is *renamed*.

Counts come first, then the rows (a few per kind, `--limit`); `--format parquet --to DIR` writes
one Parquet file of changes per table for a notebook. Differences of the stage manifests (config
or code hashes) are shown as context. An unchanged rerun prints "no differences".

    from pipeline.tools.diff import compare
    result = compare("snapshots/before", "outputs")
    result.tables["quotes"].rows          # pandas frame: change, key, fields, old_*, new_*
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.core.errors import PipelineError
from pipeline.core.io import atomic_path
from pipeline.core.manifest import check_not_mixed
from pipeline.core.schemas import TABLES
from pipeline.core.stages import STAGES

# Display order: the pipeline's tables first, anything else after, alphabetically.
ORDER = [table for stage in STAGES for table in stage.writes]
# Columns shown for an added or removed row (others are in the Parquet output).
SHOWN = {
    "documents": ["source", "page_title"],
    "bodies": ["title", "duplicate_of"],
    "lines": ["label", "kept", "rule_id", "text"],
    "sentences": ["text"],
    "tokens": ["text", "pos", "dep", "ent_type"],
    "mentions": ["label", "entity_id", "text"],
    "entities": ["label", "name", "n_mentions"],
    "quotes": ["type", "cue", "speaker", "speaker_text", "topics", "content"],
    "quote_topics": ["score", "evidence"],
    "claims": ["speaker", "type", "topics", "content"],
    "rejects": ["level", "code", "message"],
}
# Columns that say *what a row is*, shown with every change of it.
CONTEXT = {"lines": "text", "quotes": "content", "claims": "content", "mentions": "text",
           "sentences": "text", "tokens": "text", "entities": "name"}
KIND_SIGN = {"added": "+", "removed": "-", "changed": "~", "relabelled": "~", "span changed": "~",
             "joined": ">", "divided": "<",
             "merged": ">", "split": "<", "renamed": "~"}
KIND_ORDER = ["relabelled", "changed", "span changed", "joined", "divided", "merged", "split", "renamed", "added", "removed"]


@dataclass
class TableDiff:
    name: str
    key: tuple[str, ...]
    rows: pd.DataFrame                                   # change, key, fields, old_<col>, new_<col>
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)        # schema changes, table present on one side
    extra: dict[str, pd.DataFrame] = field(default_factory=dict)  # e.g. entity merges/splits

    @property
    def changed(self) -> bool:
        return bool(sum(self.counts.values()) or self.notes)


@dataclass
class DiffResult:
    old: Path
    new: Path
    tables: dict[str, TableDiff]
    provenance: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(t.changed for t in self.tables.values())

    def summary(self) -> pd.DataFrame:
        rows = [{"table": name, "change": kind, "count": n}
                for name, t in self.tables.items() for kind, n in t.counts.items() if n]
        return pd.DataFrame(rows, columns=["table", "change", "count"])


# ------------------------------------------------------------------------------------------
# Reading

def _tables_in(folder: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(Path(folder).glob("*.parquet"))}


def _read(path: Path) -> pd.DataFrame:
    try:
        return pq.read_table(path).to_pandas()
    except (pa.ArrowInvalid, OSError) as exc:
        raise PipelineError(f"{path}: not a readable Parquet file: {exc}") from None


def _hashable(value):
    """Lists, arrays and structs as tuples, so that values can be compared and counted."""
    if isinstance(value, np.ndarray):
        return tuple(_hashable(v) for v in value.tolist())
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in value.items())
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    return value


def _needs_hashable(series: pd.Series) -> bool:
    if series.dtype != object:
        return False
    return any(isinstance(v, (np.ndarray, list, tuple, dict)) for v in series.head(1000))


def _equal(a: pd.Series, b: pd.Series) -> pd.Series:
    """Element-wise equality where two nulls are equal."""
    if _needs_hashable(a) or _needs_hashable(b):
        values = [_hashable(x) == _hashable(y) for x, y in zip(a.tolist(), b.tolist())]
        return pd.Series(values, index=a.index, dtype=bool)
    both_null = a.isna().to_numpy() & b.isna().to_numpy()
    try:
        same = (a.to_numpy() == b.to_numpy())
        same = np.asarray(same, dtype=bool) if np.ndim(same) else np.zeros(len(a), dtype=bool)
    except (TypeError, ValueError):
        same = np.array([x == y for x, y in zip(a.tolist(), b.tolist())], dtype=bool)
    return pd.Series(same | both_null, index=a.index)


# ------------------------------------------------------------------------------------------
# Generic comparison on a key

def _key_text(frame: pd.DataFrame, key: tuple[str, ...]) -> pd.Series:
    if len(key) == 1:
        return frame[key[0]].astype(str)
    columns = [frame[k].astype(str).tolist() for k in key]
    return pd.Series([":".join(parts) for parts in zip(*columns)], index=frame.index, dtype=object)


def _wide(change: str, merged_part: pd.DataFrame, key: tuple[str, ...], columns: list[str],
          fields: list[str] | None = None) -> pd.DataFrame:
    """Rows of one change kind in the common layout: change, key, fields, old_*, new_*."""
    out = pd.DataFrame(index=merged_part.index)
    out["change"] = change
    out["key"] = _key_text(merged_part.rename(columns={f"{k}__key": k for k in key}), key)
    out["fields"] = fields if fields is not None else [[] for _ in range(len(merged_part))]
    for col in columns:
        old = merged_part.get(f"{col}__old")
        new = merged_part.get(f"{col}__new")
        out[f"old_{col}"] = old if change != "added" and old is not None else None
        out[f"new_{col}"] = new if change != "removed" and new is not None else None
    return out.reset_index(drop=True)


def _nullable(frame: pd.DataFrame) -> pd.DataFrame:
    """Integers and booleans as pandas' nullable types, so that outer joins keep them exact."""
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("boolean")
        elif pd.api.types.is_integer_dtype(frame[col]):
            frame[col] = frame[col].astype("Int64")
    return frame


def compare_keyed(old: pd.DataFrame, new: pd.DataFrame, key: tuple[str, ...],
                  changed_kind=None) -> pd.DataFrame:
    """Added, removed and changed rows of two frames with the same key.

    `changed_kind(fields) -> str` names a change from the list of changed columns (default
    "changed"). Key columns are kept as old_<k>/new_<k> too, and as `key` (joined with ':').
    """
    columns = [c for c in old.columns if c in new.columns]
    values = [c for c in columns if c not in key]
    left = _nullable(old[columns])
    right = _nullable(new[columns])
    for k in key:
        left[f"{k}__key"] = left[k]
        right[f"{k}__key"] = right[k]
    keys = [f"{k}__key" for k in key]
    left = left.rename(columns={c: f"{c}__old" for c in columns})
    right = right.rename(columns={c: f"{c}__new" for c in columns})
    merged = left.merge(right, on=keys, how="outer", indicator=True, sort=True)
    parts = []
    added = merged[merged["_merge"] == "right_only"]
    removed = merged[merged["_merge"] == "left_only"]
    both = merged[merged["_merge"] == "both"]
    if len(both):
        diffs = {c: ~_equal(both[f"{c}__old"], both[f"{c}__new"]) for c in values}
        if diffs:
            mask = np.logical_or.reduce([d.to_numpy() for d in diffs.values()])
            changed = both[mask]
            if len(changed):
                fields = [[c for c in values if diffs[c].loc[i]] for i in changed.index]
                kinds = [changed_kind(f) if changed_kind else "changed" for f in fields]
                part = _wide("changed", changed, key, columns, fields)
                part["change"] = kinds
                parts.append(part)
    if len(added):
        parts.append(_wide("added", added, key, columns))
    if len(removed):
        parts.append(_wide("removed", removed, key, columns))
    if not parts:
        return _empty_changes(columns)
    return pd.concat(parts, ignore_index=True)


def _empty_changes(columns: list[str]) -> pd.DataFrame:
    cols = ["change", "key", "fields"] + [f"{side}_{c}" for c in columns for side in ("old", "new")]
    return pd.DataFrame(columns=cols)


def compare_multiset(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Tables without a key: rows present more often on one side are added or removed."""
    columns = [c for c in old.columns if c in new.columns]
    count_old = Counter(tuple(_hashable(v) for v in row) for row in old[columns].itertuples(index=False))
    count_new = Counter(tuple(_hashable(v) for v in row) for row in new[columns].itertuples(index=False))
    rows = []
    for change, side, other in [("added", count_new, count_old), ("removed", count_old, count_new)]:
        for values, n in sorted((side - other).items(), key=lambda kv: str(kv[0])):
            for _ in range(n):
                row = {"change": change, "key": str(values[columns.index("path")]) if "path" in columns else "",
                       "fields": []}
                for col, value in zip(columns, values):
                    row[f"old_{col}"] = value if change == "removed" else None
                    row[f"new_{col}"] = value if change == "added" else None
                rows.append(row)
    return pd.DataFrame(rows) if rows else _empty_changes(columns)


# ------------------------------------------------------------------------------------------
# Table-specific rules

def _line_kind(fields: list[str]) -> str:
    return "relabelled" if {"label", "kept"} & set(fields) else "changed"


def _quote_topics(folder: Path, tables: dict[str, Path]) -> tuple[str, dict[str, tuple]] | None:
    """quote_id -> sorted topics, from quote_topics (without "unassigned") or claims."""
    if "quote_topics" in tables:
        frame = _read(tables["quote_topics"])
        frame = frame[frame["topic"] != "unassigned"]
        grouped = frame.groupby("quote_id")["topic"].agg(lambda s: tuple(sorted(set(s))))
        return "quote_topics", grouped.to_dict()
    if "claims" in tables:
        frame = _read(tables["claims"])
        return "claims", {q: tuple(sorted(_hashable(t) or ())) for q, t in zip(frame["quote_id"], frame["topics"])}
    return None


def _pieces(row: pd.Series, side: str) -> list[tuple[int, int]]:
    """A quote row's content pieces on one side (old/new): `content_spans`, else the hull."""
    spans = row.get(f"{side}_content_spans")
    if spans is not None and not (isinstance(spans, float) and np.isnan(spans)) and len(spans):
        return [(int(p["start"]), int(p["end"])) for p in spans]
    return [(int(row[f"{side}_content_start"]), int(row[f"{side}_content_end"]))]


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def _paired(rows: pd.DataFrame, columns: list[str], change: str, i, j, parts: list | None = None) -> dict:
    """One row describing removed row i and added row j as one change (`parts`: the keys of the
    rows joined into j, or divided from i)."""
    row = {"change": change, "key": rows.at[j, "key"]}
    fields = []
    for col in columns:
        old, new = rows.at[i, f"old_{col}"], rows.at[j, f"new_{col}"]
        row[f"old_{col}"], row[f"new_{col}"] = old, new
        if col != "quote_id" and _hashable(old) != _hashable(new):
            fields.append(col)
    row["fields"] = fields
    if parts is not None:
        row["parts"] = " + ".join(str(p) for p in parts)
    return row


def _pair_spans(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Pair removed and added quotes of one document whose contents overlap, piece by piece: an
    added row whose pieces cover several removed rows (and only it) *joined* them (“A,” he said.
    “B.” found as one attribution where it was two rows), a removed row covered by several added
    ones was *divided*; the rest pair one to one (most overlap first) as *span changed*."""
    added = rows[rows["change"] == "added"]
    removed = rows[rows["change"] == "removed"]
    if added.empty or removed.empty:
        return rows
    overlaps: dict = {}
    for i, r in removed.iterrows():
        same_doc = added[added["new_doc_id"] == r["old_doc_id"]]
        for j, a in same_doc.iterrows():
            n = _overlap(_pieces(r, "old"), _pieces(a, "new"))
            if n > 0:
                overlaps[(i, j)] = n
    of_removed, of_added = defaultdict(list), defaultdict(list)
    for i, j in overlaps:
        of_removed[i].append(j)
        of_added[j].append(i)
    used_r, used_a, paired = set(), set(), []
    for j, olds in of_added.items():            # joined: several removed rows, each only into j
        olds = sorted(i for i in olds if of_removed[i] == [j])
        if len(olds) > 1:
            paired.append(_paired(rows, columns, "joined", olds[0], j, [rows.at[i, "key"] for i in olds]))
            used_r.update(olds)
            used_a.add(j)
    for i, news in of_removed.items():          # divided: one removed row into several, each only from i
        news = sorted(j for j in news if of_added[j] == [i] and j not in used_a)
        if len(news) > 1 and i not in used_r:
            paired.append(_paired(rows, columns, "divided", i, news[0], [rows.at[j, "key"] for j in news]))
            used_r.add(i)
            used_a.update(news)
    for (i, j), n in sorted(overlaps.items(), key=lambda kv: -kv[1]):
        if i not in used_r and j not in used_a:
            used_r.add(i)
            used_a.add(j)
            paired.append(_paired(rows, columns, "span changed", i, j))
    if not paired:
        return rows
    rest = rows.drop(index=list(used_r | used_a))
    return pd.concat([rest, pd.DataFrame(paired)], ignore_index=True)


def entity_assignments(old_mentions: pd.DataFrame, new_mentions: pd.DataFrame,
                       old_entities: pd.DataFrame | None = None,
                       new_entities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Merges, splits and renames, from the entity each common mention is assigned to."""
    common = old_mentions[["mention_id", "entity_id", "text"]].merge(
        new_mentions[["mention_id", "entity_id"]], on="mention_id", suffixes=("_old", "_new"))
    common = common.dropna(subset=["entity_id_old", "entity_id_new"])
    names_old = dict(zip(old_entities["entity_id"], old_entities["name"])) if old_entities is not None else {}
    names_new = dict(zip(new_entities["entity_id"], new_entities["name"])) if new_entities is not None else {}
    to_new = common.groupby("entity_id_old")["entity_id_new"].agg(lambda s: sorted(set(s))).to_dict()
    from_old = common.groupby("entity_id_new")["entity_id_old"].agg(lambda s: sorted(set(s))).to_dict()
    texts = defaultdict(set)
    for old_id, new_id, text in zip(common["entity_id_old"], common["entity_id_new"], common["text"]):
        texts[(old_id, new_id)].add(text)
    rows = []

    def add(change, olds, news):
        n = int(sum(((common["entity_id_old"].isin(olds)) & (common["entity_id_new"].isin(news))).to_numpy()))
        forms = sorted({t for o in olds for nn in news for t in texts.get((o, nn), ())})
        rows.append({"change": change, "old_entity_ids": list(olds), "new_entity_ids": list(news),
                     "old_names": [names_old.get(o, o) for o in olds],
                     "new_names": [names_new.get(nn, nn) for nn in news],
                     "mentions": n, "forms": forms[:8]})

    for new_id, olds in sorted(from_old.items()):
        if len(olds) > 1:
            add("merged", olds, [new_id])
    for old_id, news in sorted(to_new.items()):
        if len(news) > 1:
            add("split", [old_id], news)
    for old_id, news in sorted(to_new.items()):
        if len(news) == 1 and news[0] != old_id and len(from_old.get(news[0], [])) == 1:
            add("renamed", [old_id], news)
    return pd.DataFrame(rows, columns=["change", "old_entity_ids", "new_entity_ids", "old_names",
                                       "new_names", "mentions", "forms"])


# ------------------------------------------------------------------------------------------
# Whole folders

def _count(rows: pd.DataFrame) -> dict[str, int]:
    counts = Counter(rows["change"]) if len(rows) else Counter()
    return {k: counts[k] for k in KIND_ORDER if counts.get(k)} | {
        k: v for k, v in counts.items() if k not in KIND_ORDER}


def compare_table(name: str, old_path: Path | None, new_path: Path | None,
                  old_tables: dict[str, Path], new_tables: dict[str, Path]) -> TableDiff:
    spec = TABLES.get(name)
    key = spec.key if spec is not None else ()
    if old_path is None or new_path is None:
        side, path = ("new", new_path) if old_path is None else ("old", old_path)
        frame = _read(path)
        note = f"only in {'NEW' if side == 'new' else 'OLD'} ({len(frame)} rows)"
        return TableDiff(name, key, _empty_changes(list(frame.columns)), {}, [note])
    old, new = _read(old_path), _read(new_path)
    notes = []
    gone = [c for c in old.columns if c not in new.columns]
    came = [c for c in new.columns if c not in old.columns]
    if gone:
        notes.append(f"columns only in OLD: {', '.join(gone)}")
    if came:
        notes.append(f"columns only in NEW: {', '.join(came)}")
    if key and not all(k in old.columns and k in new.columns for k in key):
        notes.append(f"key {key} missing on one side: compared as rows")
        key = ()
    extra = {}
    if name == "quotes":
        old_topics, new_topics = _quote_topics(old_path.parent, old_tables), _quote_topics(new_path.parent, new_tables)
        if old_topics and new_topics and old_topics[0] == new_topics[0]:
            old["topics"] = [old_topics[1].get(q, ()) for q in old["quote_id"]]
            new["topics"] = [new_topics[1].get(q, ()) for q in new["quote_id"]]
    if key:
        rows = compare_keyed(old, new, key, _line_kind if name == "lines" else None)
    else:
        rows = compare_multiset(old, new)
    if name == "quotes" and len(rows):
        rows = _pair_spans(rows, [c for c in old.columns if c in new.columns])
    if name == "entities" and "mentions" in old_tables and "mentions" in new_tables:
        moves = entity_assignments(_read(old_tables["mentions"]), _read(new_tables["mentions"]), old, new)
        if len(moves):
            extra["entity_assignments"] = moves
    counts = {}
    for frame in extra.values():  # merges and splits first: they explain the rows below them
        for kind, n in Counter(frame["change"]).items():
            counts[kind] = counts.get(kind, 0) + n
    for kind, n in _count(rows).items():
        counts[kind] = counts.get(kind, 0) + n
    diff = TableDiff(name, key, rows, counts, notes, extra)
    return diff


def _provenance(old: Path, new: Path) -> list[str]:
    """Which stages ran with another config, code or model (context for the differences)."""
    lines = []
    for path in sorted((new / "manifest").glob("*.json")):
        other = old / "manifest" / path.name
        if not other.exists():
            continue
        try:
            a, b = json.loads(other.read_text()), json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        what = []
        files_a, files_b = a.get("config_files", {}), b.get("config_files", {})
        changed_files = sorted(f for f in set(files_a) | set(files_b) if files_a.get(f) != files_b.get(f))
        if changed_files:
            what.append(f"config changed ({', '.join(changed_files)})")
        elif a.get("config_hash") != b.get("config_hash"):
            what.append("config changed")
        if a.get("code_version") != b.get("code_version"):
            what.append("code changed")
        if (a.get("model"), a.get("model_package")) != (b.get("model"), b.get("model_package")):
            what.append("model changed")
        if what:
            lines.append(f"{path.stem}: {', '.join(what)}")
    return lines


def compare(old_dir: Path | str, new_dir: Path | str, tables: list[str] | None = None) -> DiffResult:
    """Compare two output folders; `tables` limits the comparison to some table names."""
    old_dir, new_dir = Path(old_dir), Path(new_dir)
    for folder, label in [(old_dir, "OLD"), (new_dir, "NEW")]:
        if not folder.is_dir():
            raise PipelineError(f"{folder}: {label} output folder not found")
        check_not_mixed(folder)
    old_tables, new_tables = _tables_in(old_dir), _tables_in(new_dir)
    if not old_tables and not new_tables:
        raise PipelineError(f"{old_dir} and {new_dir}: no Parquet tables in either folder")
    names = sorted(set(old_tables) | set(new_tables),
                   key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    if tables:
        unknown = [t for t in tables if t not in names]
        if unknown:
            raise PipelineError(f"no table named {', '.join(unknown)} in either folder "
                                f"(found: {', '.join(names)})")
        names = [n for n in names if n in tables]
    result = {}
    for name in names:
        result[name] = compare_table(name, old_tables.get(name), new_tables.get(name), old_tables, new_tables)
    return DiffResult(old_dir, new_dir, result, _provenance(old_dir, new_dir))


# ------------------------------------------------------------------------------------------
# Terminal rendering

class _Style:
    def __init__(self, color: bool):
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.color else text


SIGN_COLOR = {"+": "32", "-": "31", "~": "33", ">": "36", "<": "36"}


def _short(value, width: int = 70) -> str:
    value = _hashable(value)
    if value is None:
        return "∅"
    if isinstance(value, tuple):
        if value and all(isinstance(v, tuple) for v in value):
            return f"[{len(value)} items]"      # a list of structs: too long for a terminal line
        text = "[" + ", ".join(str(v) for v in value) + "]"
    elif isinstance(value, (bool, np.bool_)):
        text = "yes" if value else "no"
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else f"{value:.3g}"
    else:
        text = str(value)
        if text and not text.strip():
            return repr(text)                   # whitespace tokens: show them
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _change(old, new, width: int = 40) -> str:
    """`old -> new`; two long texts are shown from a little before their first difference."""
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > width:
        prefix = 0
        for a, b in zip(old, new):
            if a != b:
                break
            prefix += 1
        if prefix > 10:
            cut = prefix - 10
            return f"…{_short(old[cut:], width)} -> …{_short(new[cut:], width)} (at char {prefix})"
    return f"{_short(old, width)} -> {_short(new, width)}"


def _format_row(name: str, row: pd.Series, style: _Style) -> str:
    change = row["change"]
    sign = KIND_SIGN.get(change, "~")
    head = style(f"{sign} {row['key']}", SIGN_COLOR.get(sign, "0"))
    if change in ("added", "removed"):
        side = "new" if change == "added" else "old"
        shown = [c for c in SHOWN.get(name, []) if f"{side}_{c}" in row.index]
        if not shown:
            shown = [c[len(side) + 1:] for c in row.index if c.startswith(f"{side}_")][:5]
        parts = [f"{c}={_short(row[f'{side}_{c}'], 80 if c == CONTEXT.get(name) else 40)}" for c in shown]
        return f"  {head}  " + "  ".join(parts)
    fields = list(row["fields"]) if isinstance(row["fields"], (list, tuple, np.ndarray)) else []
    if change in ("span changed", "joined", "divided"):
        start, end = row.get("old_content_start"), row.get("old_content_end")
        if change == "span changed":
            head = style(f"~ {row['key']}", SIGN_COLOR["~"]) + f" (was {_short(start)}-{_short(end)})"
        else:       # "parts": the rows joined into this one, or divided out of the old one
            head = style(f"{sign} {row['key']}", SIGN_COLOR.get(sign, "0")) + f" ({change}: {row.get('parts')})"
        fields = [f for f in fields if f not in ("content_start", "content_end", "content", "content_spans",
                                                 "content_plain")]
        changes = [f"{f}: {_change(row.get(f'old_{f}'), row.get(f'new_{f}'))}" for f in fields]
        text = (f"  {head}  " + "; ".join(changes)).rstrip()
        return (text + f"\n      old: {_short(row.get('old_content'), 100)}"
                + f"\n      new: {_short(row.get('new_content'), 100)}")
    context = CONTEXT.get(name)
    changes = [f"{f}: {_change(row.get(f'old_{f}'), row.get(f'new_{f}'))}" for f in fields if f != context]
    if context in fields:
        changes.append(f"{context}: {_change(row.get(f'old_{context}'), row.get(f'new_{context}'), 60)}")
    elif context and f"new_{context}" in row.index:
        changes.append(f"| {_short(row.get(f'new_{context}'), 70)}")
    return f"  {head}  " + "; ".join(changes)


def _format_move(row: pd.Series, style: _Style) -> str:
    sign = KIND_SIGN[row["change"]]
    olds = " + ".join(row["old_names"])
    news = " + ".join(row["new_names"])
    forms = ", ".join(row["forms"]) if len(row["forms"]) else ""
    head = style(f"{sign} {row['change']}", SIGN_COLOR[sign])
    return f"  {head}: {olds} -> {news}  ({row['mentions']} mentions: {forms})"


def render(result: DiffResult, limit: int = 10, color: bool = False) -> str:
    style = _Style(color)
    out = [f"diff {result.old} -> {result.new}"]
    for line in result.provenance:
        out.append(f"  {line}")
    if result.empty:
        out.append("no differences")
        return "\n".join(out) + "\n"
    # Counts first.
    out.append("")
    width = max(len(n) for n in result.tables)
    for name, t in result.tables.items():
        if not t.changed:
            out.append(f"  {name:<{width}}  no differences")
            continue
        counts = ", ".join(f"{n} {kind}" for kind, n in t.counts.items())
        notes = "; ".join(t.notes)
        out.append(f"  {name:<{width}}  " + (f"{counts}  ({notes})" if counts and notes else counts or notes))
    # Then the rows, a few per change kind.
    for name, t in result.tables.items():
        if not sum(t.counts.values()):
            continue
        out.append("")
        out.append(style(f"== {name}: " + ", ".join(f"{n} {k}" for k, n in t.counts.items()), "1"))
        for frame in t.extra.values():
            for kind in frame["change"].unique():
                part = frame[frame["change"] == kind]
                for _, row in part.head(limit).iterrows():
                    out.append(_format_move(row, style))
                if len(part) > limit:
                    out.append(f"  ... {len(part) - limit} more {kind}")
        if len(t.rows):
            kinds = [k for k in KIND_ORDER if k in set(t.rows["change"])] + \
                    [k for k in t.rows["change"].unique() if k not in KIND_ORDER]
            for kind in kinds:
                part = t.rows[t.rows["change"] == kind]
                for _, row in part.head(limit).iterrows():
                    out.append(_format_row(name, row, style))
                if len(part) > limit:
                    out.append(f"  ... {len(part) - limit} more {kind} (--limit N to see more)")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------
# Parquet output

def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object:
            try:
                pa.array(frame[col], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
                frame[col] = [None if v is None else json.dumps(_hashable(v), default=str) for v in frame[col]]
    return pa.Table.from_pandas(frame, preserve_index=False)


def write_parquet(result: DiffResult, to_dir: Path) -> list[Path]:
    """One `<table>.parquet` of changes per table with changes, plus `summary.parquet`."""
    to_dir = Path(to_dir)
    to_dir.mkdir(parents=True, exist_ok=True)
    written = []
    frames = {"summary": result.summary()}
    for name, t in result.tables.items():
        if len(t.rows):
            frames[name] = t.rows
        frames.update(t.extra)
    for stale in to_dir.glob("*.parquet"):  # a folder of changes describes one comparison
        if stale.stem not in frames:
            stale.unlink()
    for name, frame in frames.items():
        path = to_dir / f"{name}.parquet"
        with atomic_path(path) as tmp:
            pq.write_table(_to_arrow(frame), tmp)
        written.append(path)
    return written


# ------------------------------------------------------------------------------------------
# Command line

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline diff",
                                     description="Compare two output folders table by table on their keys.")
    parser.add_argument("old", type=Path, help="the output folder before the change (e.g. snapshots/base)")
    parser.add_argument("new", type=Path, help="the output folder after it (e.g. outputs)")
    parser.add_argument("--tables", default=None, help="comma-separated tables to compare (default: all)")
    parser.add_argument("--limit", type=int, default=10, help="rows shown per kind of change (default 10)")
    parser.add_argument("--format", choices=["text", "parquet", "html"], default="text",
                        help="html: one interactive page of the quotes added, removed and changed")
    parser.add_argument("--to", type=Path, default=None, help="folder for --format parquet, file for --format html")
    parser.add_argument("--exit-code", action="store_true", help="exit 1 when there are differences")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    tables = [t.strip() for t in args.tables.split(",") if t.strip()] if args.tables else None
    if args.format in ("parquet", "html") and args.to is None:
        print(f"error: --format {args.format} needs --to {'DIR' if args.format == 'parquet' else 'FILE'}",
              file=sys.stderr)
        return 2
    if args.format == "html":
        from pipeline.tools.report import write_diff_report

        try:
            path = write_diff_report(args.old, args.new, args.to)
        except PipelineError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB): open file://{path.resolve()}")
        return 0
    try:
        result = compare(args.old, args.new, tables)
    except PipelineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty()
                                       and not os.environ.get("NO_COLOR"))
    if args.format == "parquet":
        written = write_parquet(result, args.to)
        print(render(result, limit=0, color=color).split("\n== ")[0].rstrip())
        print(f"wrote {len(written)} files to {args.to}: {', '.join(p.name for p in written)}")
    else:
        sys.stdout.write(render(result, limit=args.limit, color=color))
    return 1 if args.exit_code and not result.empty else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
