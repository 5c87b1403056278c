"""Shared fixtures: the model is loaded once per session, the seed outputs built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent: gold data and PolNeAR live there (../shared beside the repo)")
    return SHARED


@pytest.fixture(scope="session")
def nlp():
    from pipeline.core.config import load_stage_config
    from pipeline.steps.parse import build_nlp

    return build_nlp(load_stage_config(None, "parse"))


@pytest.fixture(scope="session")
def seed_outputs(tmp_path_factory) -> Path:
    """Every available stage run on seeds/ into a temporary folder (once per session)."""
    from pipeline.cli import run_all

    out = tmp_path_factory.mktemp("seed_outputs")
    run_all(SEEDS, out, None)
    return out


@pytest.fixture(scope="session")
def config():
    """The quotes stage's lexicons (configs/quotes.toml), read once."""
    from pipeline.steps.quotes import load_config

    return load_config()


@pytest.fixture(scope="session")
def extract(nlp, config):
    """text -> quote rows, the quotes stage's extractor on a fresh parse (no mentions table), with
    the spans as the rules found them (the field's span conventions: tests/test_quotes_spans.py),
    one row per record the rules found (their joining into one row per attribution:
    tests/test_quotes_assemble.py)."""
    from pipeline.steps.docs import ParsedDoc
    from pipeline.steps.quotes import extract_quotes

    def run(text):
        return extract_quotes(ParsedDoc.unmapped("t", nlp(text)), None, config, span_conventions=False, join=False)
    return run


# Test tiers: `make test` (and CI) runs every test; `make test-fast` leaves out the `slow` ones, those
# that load the spaCy model, run the pipeline, read ../shared, start a browser or run make. A test
# that runs the pipeline without these fixtures carries @pytest.mark.slow itself.
SLOW_FIXTURES = {"nlp", "extract", "seed_outputs", "shared_dir", "browser", "config_opens", "polnear_dev_metrics"}
SLOW_MODULES = {"test_make", "test_notebook"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module.__name__ in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
