"""Loading rules and settings from `configs/` (TOML) with errors that name the file."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path
from typing import Any

from pipeline.core.errors import ConfigError

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
# Gold data, PolNeAR and the boilerplate set live in a folder `shared` beside the repository; they
# are read from there for measuring and never copied into the project.
DEFAULT_SHARED_DIR = Path(__file__).resolve().parents[2].parent / "shared"


def config_files(config_dir: Path, stage: str) -> list[Path]:
    """The files a stage reads, as `pipeline/core/stages.py` declares them (those that exist)."""
    from pipeline.core.stages import BY_NAME, config_paths

    return config_paths(BY_NAME[stage], config_dir)


def load_toml(path: Path) -> dict[str, Any]:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: malformed TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text: {exc}") from None


def load_stage_config(config_dir: Path | None, stage: str) -> dict[str, Any]:
    """`configs/<stage>.toml` as a dict ({} when the stage has no config file)."""
    path = Path(config_dir or DEFAULT_CONFIG_DIR) / f"{stage}.toml"
    if not path.exists():
        return {}
    return load_toml(path)


def require(config: dict, dotted_key: str, kind: type | tuple[type, ...], source: str,
            positive: bool = False) -> Any:
    """Fetch `a.b.c` from a config dict, raising a ConfigError naming the file and key.

    `positive`: the value must also be > 0 (sizes and counts: `batch_size = -5` is an error).
    """
    node: Any = config
    for part in dotted_key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConfigError(f"{source}: missing key '{dotted_key}'")
        node = node[part]
    if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{source}: key '{dotted_key}' must be {names}, got {node!r}")
    if positive and not node > 0:
        raise ConfigError(f"{source}: key '{dotted_key}' must be a positive {kind.__name__}, got {node!r}")
    return node


def reject_unknown_keys(config: dict, known, source: str, prefix: str = "") -> None:
    """A key the loader does not read is a typo or a leftover: an error naming the file and key."""
    unknown = sorted(set(config) - set(known))
    if unknown:
        raise ConfigError(f"{source}: unknown key '{prefix}{unknown[0]}' (known: {', '.join(sorted(known))})")


def compile_regex(pattern: str, where: str) -> re.Pattern:
    """A regular expression from a config file; a bad one is a ConfigError naming `where`."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: bad regular expression {pattern!r}: {exc}") from None


def hash_files(paths: list[Path]) -> dict[str, str]:
    return {str(p): sha256_file(p) for p in paths}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def combined_hash(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(hashes):
        digest.update(f"{Path(name).name}={hashes[name]}\n".encode())
    return digest.hexdigest()[:16]
