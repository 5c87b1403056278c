"""Per-stage manifests: what a stage read (hashes), its config, code and model, rows and time.

Each stage writes `OUT/manifest/<stage>.json` last, after its tables; the Makefile uses these
files as the stage targets, and `run` gathers them into `OUT/manifest.json`.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .config import combined_hash, hash_files, sha256_file
from .io import atomic_path

PACKAGE_DIR = Path(__file__).resolve().parent


def code_version() -> str:
    """Hash of the package's source: changes whenever any stage's code changes."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def installed_model() -> dict | None:
    """The spaCy model package `load_model` would load, and its version (without loading it)."""
    from importlib import metadata

    from .model import available_model

    name = available_model()
    if name is None:
        return None
    try:
        return {"package": name, "version": metadata.version(name)}
    except metadata.PackageNotFoundError:
        return {"package": name, "version": None}


@dataclass
class StageRecord:
    stage: str
    out_dir: Path
    inputs: dict[str, str] = field(default_factory=dict)      # path -> sha256
    config_files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    _t0: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        from .stages import BY_NAME

        declared = BY_NAME.get(self.stage)
        if declared is not None:           # what the stage table says it reads, hashed before it runs
            self.add_input_tables(*declared.reads)
            if declared.model:
                self.extra.setdefault("model_package", installed_model())

    def add_input_tables(self, *names: str) -> None:
        for name in names:
            path = Path(self.out_dir) / f"{name}.parquet"
            if path.exists():
                self.inputs[path.name] = sha256_file(path)

    def write(self) -> dict:
        config_hashes = hash_files(self.config_files)
        record = {
            "stage": self.stage,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "seconds": round(time.perf_counter() - self._t0, 3),
            "inputs": self.inputs,
            "config_files": {Path(k).name: v for k, v in config_hashes.items()},
            "config_hash": combined_hash(config_hashes),
            "code_version": code_version(),
            "python": platform.python_version(),
            "rows": self.rows,
            **self.extra,
        }
        path = Path(self.out_dir) / "manifest" / f"{self.stage}.json"
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        return record


def gather(out_dir: Path, stages: list[str]) -> dict:
    """Combine the stage manifests into OUT/manifest.json."""
    out_dir = Path(out_dir)
    records = {}
    for stage in stages:
        path = out_dir / "manifest" / f"{stage}.json"
        if path.exists():
            records[stage] = json.loads(path.read_text())
    combined = {"stages": records,
                "seconds_total": round(sum(r.get("seconds", 0) for r in records.values()), 3)}
    with atomic_path(out_dir / "manifest.json") as tmp:
        tmp.write_text(json.dumps(combined, indent=2, sort_keys=True) + "\n")
    return combined
