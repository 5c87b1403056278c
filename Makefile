# Who said what about which issue: `make all` builds everything on seeds/, `make test` tests it.
# `make all` delegates to `python -m pipeline run`, which reruns a stage only when the contents of
# what it depends on changed (its input tables or files, code, config, model: the fingerprint in
# OUT/manifest/STAGE.json), never by file times: a second `make all` runs no stage, and editing one
# config reruns that stage and those downstream whose inputs it changed. `make STAGE` reruns one
# stage (Makefile.stages, generated from the stage table in pipeline/core/stages.py).

PY      ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV    ?= .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python
INPUT   ?= seeds
OUT     ?= outputs
CONFIG  ?= configs
SHARED  ?= ../shared
INSTALLED := $(VENV)/.installed-stamp


.PHONY: all test test-fast eval bench diff diff-html snapshot report show help clean-outputs setup
.DEFAULT_GOAL := all

include Makefile.workflow
# The stages' rules (and `all`), generated from the stage table in pipeline/core/stages.py.
include Makefile.stages

help:  ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

setup: $(INSTALLED)  ## create .venv and install the project with its dev tools

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	@# the report's Vega scripts, bundled once per machine (a few seconds) instead of at the first report
	$(PYTHON) -c 'from pipeline.tools.report import vega_bundle; vega_bundle()' \
	  || echo "warning: could not bundle Vega's scripts now; the first report will" >&2
	touch $@

test: $(INSTALLED)  ## run the whole test suite, as CI does (sets up .venv first)
	$(PYTHON) -m pytest -q

test-fast: $(INSTALLED)  ## the fast tier: model-free rule tests and contract tests (no `slow` marker)
	$(PYTHON) -m pytest -q -m "not slow"

bench: $(INSTALLED)  ## throughput and memory against bare spaCy on PolNeAR (SHARED=../shared)
	$(PYTHON) -m pipeline bench --shared $(SHARED)

show: all  ## print a readable summary of the claims (per speaker, per topic)
	$(PYTHON) -m pipeline show --output $(OUT)

clean-outputs:  ## delete the generated tables
	rm -rf $(OUT)
