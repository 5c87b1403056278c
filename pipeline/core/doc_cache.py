"""Per-document results kept between runs, so that an incremental run redoes only the documents
whose inputs changed (issue 13).

A stage's per-document work (entities' mentions, quotes' rows, topics' reading of a document) is a
pure function of the document's own inputs and of the settings it runs with (code, config, model).
The cache keeps, per document, a digest of those inputs and the result, under a key of the settings
it was made with: other settings, and the cache starts empty. The corpus-level steps (linking,
the adaptive step, issue phrases) always run on every document's results, cached or not, so an
incremental run writes the tables a full run would.

It lives in the generation's `cache/` folder (pipeline/core/generation.py), so it is published or
dropped with the tables it belongs to, and is written whole (temporary file, then rename: the
staging folder's copy is a hard link to the published one, never written in place). It holds the
documents of the latest run only: a removed document leaves it. Results are pickled; reading accepts
only the classes the stage names, so a tampered or foreign file is ignored (the stage recomputes
everything), never executed.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pipeline.core.io import atomic_path

CACHE_DIR = "cache"
# what a cached result may be made of besides the classes a stage names
SAFE_BUILTINS = frozenset({"list", "dict", "tuple", "set", "frozenset", "str", "bytes", "int", "float",
                           "bool", "complex", "NoneType"})
SAFE_CLASSES = {("collections", "Counter"): Counter}


def digest(*parts: Any) -> str:
    """sha256 of the parts' reprs, each kept apart: plain Python data only (strings, numbers, lists,
    dicts, tuples), whose repr is whole and stable (a numpy array's is not: it elides)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


class _Restricted(pickle.Unpickler):
    def __init__(self, data: bytes, allowed: dict[tuple[str, str], type]):
        super().__init__(io.BytesIO(data))
        self.allowed = allowed

    def find_class(self, module: str, name: str):
        if module == "builtins" and name in SAFE_BUILTINS:
            return super().find_class(module, name)
        found = self.allowed.get((module, name)) or SAFE_CLASSES.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a document cache")
        return found


class DocumentCache:
    """doc_id -> (digest of the document's inputs, result) of one stage, valid for one settings key.

    `get` returns the earlier result when the digest matches (and keeps it for the next run), `put`
    records a new one; `save` writes the documents of this run only."""

    def __init__(self, out_dir: Path, stage: str, settings: str | None, classes: Iterable[type] = ()):
        self.path = Path(out_dir) / CACHE_DIR / f"{stage}.pickle"
        self.settings = settings
        self.allowed = {(c.__module__, c.__qualname__): c for c in classes}
        self.kept: dict[str, tuple[str, bytes]] = {}
        self.reused = 0
        self.earlier = self._load()

    def _load(self) -> dict[str, tuple[str, bytes]]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            print(f"warning: {self.path}: cannot read the document cache ({exc}); every document is redone",
                  file=sys.stderr)
            return {}
        try:
            # the outer layer holds only strings and bytes: each result is unpickled when it is used
            stored = _Restricted(data, {}).load()
            if not (isinstance(stored, dict) and isinstance(stored.get("documents"), dict)):
                raise ValueError("not a document cache")
        except Exception as exc:        # a damaged file costs a full pass, never the run
            print(f"warning: {self.path}: unreadable document cache ({exc}); every document is redone",
                  file=sys.stderr)
            return {}
        return stored["documents"] if self.settings is not None and stored.get("settings") == self.settings else {}

    def _cached(self, doc_id: str, key: str | None) -> Any | None:
        entry = self.earlier.get(doc_id)
        if entry is None or entry[0] != key:
            return None
        try:
            return _Restricted(entry[1], self.allowed).load()
        except Exception:               # an entry this version cannot read: the document is redone
            return None

    def _reuse(self, doc_id: str) -> None:
        self.kept[doc_id] = self.earlier[doc_id]
        self.reused += 1

    def get(self, doc_id: str, key: str) -> Any | None:
        result = self._cached(doc_id, key)
        if result is not None:
            self._reuse(doc_id)
        return result

    def put(self, doc_id: str, key: str, result: Any) -> None:
        """Pickled now: the stage may change the result's objects afterwards (linking does)."""
        self.kept[doc_id] = (key, pickle.dumps(result, protocol=5))

    def through(self, order: list[str], keys: dict[str, str],
                compute: Callable[[set[str]], Iterator[tuple[str, Any]]],
                still_valid: Callable[[str, Any], bool] | None = None) -> Iterator[tuple[str, Any]]:
        """(doc_id, result) of every document in `order`: the cached result where the document's key
        matches (and `still_valid(doc_id, result)`, for what a result records it read besides its
        key's inputs), else the one `compute(missing doc_ids)` yields (in `order`'s order; a
        document it skips, one that failed, is skipped here too and stays uncached)."""
        found = {}
        for doc_id in order:
            hit = self._cached(doc_id, keys.get(doc_id))
            if hit is not None and (still_valid is None or still_valid(doc_id, hit)):
                self._reuse(doc_id)
                found[doc_id] = hit
        missing = {doc_id for doc_id in order if doc_id not in found}
        fresh = iter(compute(missing) if missing else ())
        upcoming = next(fresh, None)
        for doc_id in order:
            if doc_id in found:
                yield doc_id, found.pop(doc_id)
            elif upcoming is not None and upcoming[0] == doc_id:
                if keys.get(doc_id) is not None:
                    self.put(doc_id, keys[doc_id], upcoming[1])
                yield upcoming
                upcoming = next(fresh, None)

    def save(self) -> None:
        with atomic_path(self.path) as tmp:
            tmp.write_bytes(pickle.dumps({"settings": self.settings, "documents": self.kept}, protocol=5))


def settings_key(out_dir: Path, config_dir: Path, stage: str, parsed: bool = True) -> str | None:
    """The settings a cached result is made with: the stage's code, config and model, and (for a
    stage after parse, `parsed`) those the folder's tokens were parsed with (parse's manifest: they
    decide a document's tokens). None when parse's are unknown: nothing is reused then."""
    from pipeline.core.manifest import last_record, settings_fingerprint

    own = settings_fingerprint(stage, Path(config_dir))
    if not parsed:
        return digest(own)
    parsed_with = (last_record("parse", out_dir) or {}).get("settings_fingerprint")
    return digest(own, parsed_with) if parsed_with else None
