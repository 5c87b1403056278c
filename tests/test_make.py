"""Make: a second `make all` does nothing; touching a clean config reruns clean and what follows only."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")


def make(*args, env_extra=None):
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(["make", "-C", str(REPO), "--no-print-directory", *args],
                          capture_output=True, text=True, env=env)


def test_incremental_builds(tmp_path):
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "configs", configs)
    out = tmp_path / "out"
    variables = [f"OUT={out}", f"CONFIG={configs}"]
    first = make("all", *variables)
    assert first.returncode == 0, first.stderr[-2000:]
    stages = sorted(p.stem for p in (out / "manifest").glob("*.json"))
    assert {"ingest", "clean", "parse"} <= set(stages)

    again = make("-q", "all", *variables)            # -q: exit 0 when everything is up to date
    assert again.returncode == 0, make("-n", "all", *variables).stdout
    mtimes = {s: (out / "manifest" / f"{s}.json").stat().st_mtime_ns for s in stages}

    time.sleep(0.01)
    (configs / "clean.toml").touch()
    planned = make("-n", "all", *variables).stdout
    ran = {s for s in stages if f"-m pipeline {s} " in planned}
    assert ran == set(stages) - {"ingest"}, planned
    rerun = make("all", *variables)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    changed = {s for s in stages if (out / "manifest" / f"{s}.json").stat().st_mtime_ns != mtimes[s]}
    assert changed == set(stages) - {"ingest"}
    assert make("-q", "all", *variables).returncode == 0
