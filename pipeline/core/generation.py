"""Generations: a run's tables are published all at once, or not at all.

An output folder holds its tables in `OUT/.generations/<run id>/`; `OUT/current` is a symbolic link
to the published one, and every table name at the top (`OUT/claims.parquet`, `OUT/manifest/`,
`OUT/manifest.json`) is a link through `current`, so users read `OUT/claims.parquet` as always.

A run (or one stage alone) works in a staging copy of the current generation (hard links: no data
copied, and a table replaced there leaves the published one untouched), then publishes it by
swapping `current` in one rename. An interrupted or failed run leaves the published generation as it
was; its staging folder is removed by the next run. An output folder of the older flat layout
(tables as plain files at the top) is adopted as the first generation.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

GENERATIONS = ".generations"
CURRENT = "current"
STAGING_SUFFIX = ".staging"
# What a generation holds besides tables: the stage manifests and their summary.
EXTRA_ENTRIES = ("manifest", "manifest.json")

# staging folder -> its output folder, for this process's runs (error messages name the output,
# also when they are printed after the staging folder is gone)
ACTIVE: dict[Path, Path] = {}


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def _is_generation_entry(name: str) -> bool:
    from pipeline.core.schemas import TABLES

    return name in EXTRA_ENTRIES or (name.endswith(".parquet") and name[: -len(".parquet")] in TABLES)


def staging_run_id(out_dir: Path) -> str | None:
    """The run writing `out_dir` when it is a generation's staging folder, else None."""
    out_dir = Path(out_dir)
    if out_dir.parent.name == GENERATIONS and out_dir.name.endswith(STAGING_SUFFIX):
        return out_dir.name[: -len(STAGING_SUFFIX)]
    return None


def current_dir(out_dir: Path) -> Path | None:
    """The published generation's folder, or None (a new folder, or the flat layout)."""
    link = Path(out_dir) / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def run_id_of(out_dir: Path) -> str | None:
    current = current_dir(out_dir)
    return current.name if current else None


def _link(entry: Path, target: Path) -> None:
    """`target` mirrors the file or folder `entry` with hard links (copies where the file system
    has none); hidden entries and symbolic links are left out."""
    if not entry.is_dir():
        try:
            os.link(entry, target)
        except OSError:
            shutil.copy2(entry, target)
        return
    target.mkdir(parents=True, exist_ok=True)
    for child in entry.iterdir():
        if not child.is_symlink() and not child.name.startswith("."):
            _link(child, target / child.name)


def _base_entries(out_dir: Path) -> list[Path]:
    """The files and folders the next generation starts from."""
    current = current_dir(out_dir)
    if current is not None:
        return [p for p in current.iterdir() if not p.name.startswith(".")]
    # the flat layout: tables and manifests as plain files at the top
    return [p for p in Path(out_dir).iterdir() if not p.is_symlink() and _is_generation_entry(p.name)]


def remove_stale_staging(out_dir: Path) -> list[Path]:
    """Staging folders of runs that did not finish (call only while holding the folder's lock)."""
    root = Path(out_dir) / GENERATIONS
    removed = []
    if root.is_dir():
        for path in root.iterdir():
            if path.name.endswith(STAGING_SUFFIX):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _replace_with_link(path: Path, target: str) -> None:
    """Make `path` a symbolic link to `target`, atomically where `path` is a file or a link."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    os.symlink(target, tmp)
    if path.is_dir() and not path.is_symlink():      # the flat layout's manifest/ folder
        shutil.rmtree(path)
    os.replace(tmp, path)


def publish(out_dir: Path, staging: Path, run_id: str) -> Path:
    """Make `staging` the published generation: one rename of `current`, then the top-level links."""
    out_dir = Path(out_dir)
    final = staging.with_name(run_id)
    os.rename(staging, final)
    _replace_with_link(out_dir / CURRENT, f"{GENERATIONS}/{run_id}")     # the switch: one rename
    names = {p.name for p in final.iterdir() if not p.name.startswith(".")}
    for name in sorted(names):
        _replace_with_link(out_dir / name, f"{CURRENT}/{name}")
    for path in out_dir.iterdir():            # links to tables this generation no longer has
        if path.is_symlink() and path.name not in names and os.readlink(path).startswith(f"{CURRENT}/"):
            path.unlink()
    for path in (out_dir / GENERATIONS).iterdir():
        if path.name != run_id:
            shutil.rmtree(path, ignore_errors=True)
    return final


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A staging folder starting from the current generation; published when the block succeeds."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id()
    staging = out_dir / GENERATIONS / f"{run_id}{STAGING_SUFFIX}"
    staging.mkdir(parents=True)
    for entry in _base_entries(out_dir):
        _link(entry, staging / entry.name)
    ACTIVE[staging] = out_dir
    try:
        yield staging
        publish(out_dir, staging, run_id)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def public(text: str) -> str:
    """A message with any active staging folder named as the output folder it will become."""
    for staging, out_dir in ACTIVE.items():
        text = text.replace(str(staging), str(out_dir))
    return text
