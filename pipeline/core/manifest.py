"""Per-stage manifests: what a stage read (hashes), its config, code and model, rows and time.

Each stage writes `OUT/manifest/<stage>.json` last, after its tables, with a `fingerprint`: one
hash of the contents of everything the stage table (`pipeline/core/stages.py`) declares it depends on
(the tables it reads, or ingest's input files; its code and the core; its config files; the model
package and version) and the hashes of the tables it wrote. `run` reruns a stage only when the
fingerprint it would have now differs, or a table it wrote is missing or changed (`is_current`):
staleness by content, as weasel does with `project.lock`, never by file times.
`run` gathers the stage manifests into `OUT/manifest.json`.
"""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import __version__
from pipeline.core.config import combined_hash, hash_files, sha256_file
from pipeline.core.generation import staging_run_id
from pipeline.core.io import TABLE_HASH_PREFIX, atomic_path, table_run_id, table_sha256

PACKAGE_DIR = Path(__file__).resolve().parents[1]     # pipeline/


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

    from pipeline.core.model import available_model

    name = available_model()
    if name is None:
        return None
    try:
        return {"package": name, "version": metadata.version(name)}
    except metadata.PackageNotFoundError:
        return {"package": name, "version": None}


def code_hashes(stage_name: str) -> dict[str, str]:
    """sha256 of the stage's declared code files and of the core modules, by path in the package."""
    from pipeline.core.stages import BY_NAME, CORE, code_files

    files = code_files(BY_NAME[stage_name]) + [PACKAGE_DIR / f"{name}.py" for name in CORE]
    return {path.relative_to(PACKAGE_DIR).as_posix(): sha256_file(path) for path in sorted(set(files))}


def fingerprint(stage_name: str, inputs: dict[str, str], config_hashes: dict[str, str], model: dict | None,
                code: dict[str, str] | None = None) -> str:
    """One hash of what a stage's output depends on (inputs: table or input-file name -> sha256;
    code: the stage's code hashes, by default as they are now)."""
    parts = {"stage": stage_name, "inputs": inputs, "config": config_hashes, "model": model,
             "code": code_hashes(stage_name) if code is None else code}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def config_hashes_by_name(paths: list[Path]) -> dict[str, str]:
    """{file name: sha256} of a stage's config files, as manifests record and fingerprints use them."""
    return {Path(k).name: v for k, v in hash_files(paths).items()}


def settings_fingerprint(stage_name: str, config_dir: Path) -> str:
    """What decides how a stage treats each document, its inputs left out: code, config, model.
    Equal fingerprints let a stage reuse its earlier per-document results (incremental parse)."""
    from pipeline.core.config import config_files
    from pipeline.core.stages import BY_NAME

    config_hashes = config_hashes_by_name(config_files(config_dir, stage_name))
    return fingerprint(stage_name, {}, config_hashes, installed_model() if BY_NAME[stage_name].model else None)


def verified_outputs(stage_name: str, out_dir: Path) -> dict[str, str]:
    """sha256 of the tables the stage alone owns (a shared log that later stages amend is left out)."""
    from pipeline.core.stages import BY_NAME, STAGES

    amended = {table for stage in STAGES for table in stage.amends}
    names = [t for t in BY_NAME[stage_name].writes if t not in amended]
    return {f"{t}.parquet": table_sha256(Path(out_dir) / f"{t}.parquet")
            for t in names if (Path(out_dir) / f"{t}.parquet").exists()}


def current_inputs(stage_name: str, out_dir: Path, input_dir: Path | None, config_dir: Path) -> dict[str, str]:
    """The input hashes the stage would record if it ran now (ingest: its input files)."""
    from pipeline.core.stages import BY_NAME, input_file_hashes

    if BY_NAME[stage_name].input_folder:
        return input_file_hashes(BY_NAME[stage_name], input_dir, config_dir)
    return {f"{t}.parquet": table_sha256(Path(out_dir) / f"{t}.parquet")
            for t in BY_NAME[stage_name].reads if (Path(out_dir) / f"{t}.parquet").exists()}


def last_record(stage_name: str, out_dir: Path) -> dict | None:
    """The stage's manifest in `out_dir` (its last run there), or None when missing or unreadable."""
    try:
        record = json.loads((Path(out_dir) / "manifest" / f"{stage_name}.json").read_text())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def is_current(stage_name: str, out_dir: Path, config_dir: Path, input_dir: Path | None = None) -> bool:
    """True when the stage's last manifest matches what it would depend on now, and its tables are intact."""
    from pipeline.core.config import config_files
    from pipeline.core.stages import BY_NAME

    record = last_record(stage_name, out_dir)
    if record is None:
        return False
    declared = BY_NAME[stage_name]
    if not record.get("fingerprint") or record.get("outputs") != verified_outputs(stage_name, out_dir):
        return False      # an older manifest, or a table it wrote is gone or was changed since
    config_hashes = config_hashes_by_name(config_files(config_dir, stage_name))
    model = installed_model() if declared.model else None
    now = fingerprint(stage_name, current_inputs(stage_name, out_dir, input_dir, config_dir), config_hashes, model)
    return now == record["fingerprint"]


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
    _code_at_start: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        from pipeline.core.stages import BY_NAME

        declared = BY_NAME.get(self.stage)
        if declared is not None:           # what the stage table says it reads, hashed before it runs
            self.add_input_tables(*declared.reads)
            if declared.model:
                self.extra.setdefault("model_package", installed_model())
            self._code_at_start = code_hashes(self.stage)     # the code that runs, not what is on disk after

    def add_input_tables(self, *names: str) -> None:
        for name in names:
            path = Path(self.out_dir) / f"{name}.parquet"
            if path.exists():
                self.inputs[path.name] = table_sha256(path)

    def write(self) -> dict:
        from pipeline.core.stages import BY_NAME

        config_hashes = hash_files(self.config_files)
        by_name = {Path(k).name: v for k, v in config_hashes.items()}     # as config_hashes_by_name
        declared = BY_NAME.get(self.stage)
        model = installed_model() if declared is not None and declared.model else None
        record = {
            "stage": self.stage,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "seconds": round(time.perf_counter() - self._t0, 3),
            "inputs": self.inputs,
            "config_files": by_name,
            "config_hash": combined_hash(config_hashes),
            "code_version": code_version(),
            "python": platform.python_version(),
            "rows": self.rows,
            **self.extra,
        }
        record["run_id"] = staging_run_id(self.out_dir)
        if declared is not None:
            code = self._code_at_start
            record["fingerprint"] = fingerprint(self.stage, self.inputs, by_name, model, code)
            record["settings_fingerprint"] = fingerprint(self.stage, {}, by_name, model, code)
            record["outputs"] = verified_outputs(self.stage, self.out_dir)
            edited = sorted(p.name for p in map(Path, self.config_files) if p.exists() and p.stat().st_mtime > self.started)
            if edited:
                # Hashed now, a config edited while the stage ran would pass for what it ran with: no
                # fingerprint, so the next run reruns the stage (and nothing reuses its results).
                record["fingerprint"] = record["settings_fingerprint"] = None
                record["configs_edited_while_running"] = edited
                print(f"warning: {', '.join(edited)} changed while {self.stage} ran: it reruns next time",
                      file=sys.stderr)
        path = Path(self.out_dir) / "manifest" / f"{self.stage}.json"
        with atomic_path(path) as tmp:
            tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
        return record


def mixed_tables(out_dir: Path, stages: list[str] | None = None) -> list[str]:
    """What makes the folder a mix of runs: a stage (of `stages`, default all) that read a table
    other than the one its writer's manifest says is here, or a table changed since it was written."""
    from pipeline.core.stages import STAGES, writer_of

    out_dir = Path(out_dir)
    records = {}
    for stage in STAGES:
        path = out_dir / "manifest" / f"{stage.name}.json"
        if path.exists():
            try:
                records[stage.name] = json.loads(path.read_text())
            except ValueError:
                return [f"{path}: not a readable manifest"]
    problems = []
    for name in stages or [s.name for s in STAGES]:
        record = records.get(name)
        if record is None or "outputs" not in record:
            continue                                  # never ran here, or an older manifest
        for table, sha in record.get("inputs", {}).items():
            if not table.endswith(".parquet"):
                continue
            writer = records.get(writer_of(table[: -len(".parquet")]).name)
            written = (writer or {}).get("outputs", {}).get(table)
            comparable = written is not None and written.startswith(TABLE_HASH_PREFIX) == sha.startswith(TABLE_HASH_PREFIX)
            if comparable and written != sha:
                problems.append(f"{name} was built from another {table} than the one here")
        for table in record.get("outputs", {}):
            path = out_dir / table
            stamped = table_run_id(path) if path.exists() else None
            if stamped and record.get("run_id") and stamped != record["run_id"]:
                problems.append(f"{table} was written by run {stamped}, but the {name} manifest is of run "
                                f"{record['run_id']}")
    return problems


def check_not_mixed(out_dir: Path, stages: list[str] | None = None) -> None:
    """MixedOutputs naming what differs, for readers that must not present two runs as one."""
    from pipeline.core.errors import MixedOutputs

    problems = mixed_tables(out_dir, stages)
    if problems:
        raise MixedOutputs(f"{out_dir}: the tables come from different runs ({'; '.join(problems[:3])}"
                           f"{'; ...' if len(problems) > 3 else ''}): rerun `python -m pipeline run` (make all)")


def gather(out_dir: Path, stages: list[str]) -> dict:
    """Combine the stage manifests into OUT/manifest.json."""
    out_dir = Path(out_dir)
    records = {}
    for stage in stages:
        path = out_dir / "manifest" / f"{stage}.json"
        if path.exists():
            records[stage] = json.loads(path.read_text())
    combined = {"run_id": staging_run_id(out_dir), "stages": records,
                "seconds_total": round(sum(r.get("seconds", 0) for r in records.values()), 3)}
    with atomic_path(out_dir / "manifest.json") as tmp:
        tmp.write_text(json.dumps(combined, indent=2, sort_keys=True) + "\n")
    return combined
