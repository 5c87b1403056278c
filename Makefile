# Who said what about which issue: `make all` builds everything on seeds/, `make test` tests it.
# Each stage's target is its manifest (OUT/manifest/STAGE.json, written last); its prerequisites
# are the stage's inputs, code and config, so a second `make all` does nothing and editing one
# config reruns only that stage and the ones downstream of it.

PY      ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV    ?= .venv
BIN     := $(VENV)/bin
PYTHON  := $(BIN)/python
INPUT   ?= seeds
OUT     ?= outputs
CONFIG  ?= configs
SHARED  ?= ../shared
INSTALLED := $(VENV)/.installed-stamp

STAGES  := ingest clean parse entities quotes topics claims
BUILT   := $(foreach s,$(STAGES),$(if $(wildcard pipeline/$(s).py),$(s)))
M       := $(OUT)/manifest
COMMON  := pipeline/__init__.py pipeline/cli.py pipeline/config.py pipeline/io.py pipeline/schemas.py \
           pipeline/manifest.py pipeline/errors.py
INPUT_FILES := $(shell find $(INPUT) -type f \( -name '*.txt' -o -name '*.jsonl' -o -name '*.csv' -o -name '*.htm' -o -name '*.html' -o -name '*.htm*.gz' -o -name '*.warc' -o -name '*.warc.gz' \) 2>/dev/null)
code     = $(wildcard $(addprefix pipeline/,$(1))) $(COMMON)
conf     = $(wildcard $(CONFIG)/$(1).* $(CONFIG)/$(1)_* $(CONFIG)/$(1)/*)

.PHONY: all test eval bench diff diff-html snapshot report show help clean-outputs setup
.DEFAULT_GOAL := all

include Makefile.workflow

help:  ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

setup: $(INSTALLED)  ## create .venv and install the project with its dev tools

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	@# the report's Vega scripts, bundled once per machine (a few seconds) instead of at the first report
	$(PYTHON) -c 'from pipeline.report import vega_bundle; vega_bundle()' \
	  || echo "warning: could not bundle Vega's scripts now; the first report will" >&2
	touch $@

all: $(foreach s,$(BUILT),$(M)/$(s).json)  ## run every stage on INPUT (seeds/) into OUT (outputs/)

$(M)/ingest.json: $(INPUT) $(INPUT_FILES) $(call code,ingest.py html.py) $(call conf,ingest) | $(INSTALLED)
	$(PYTHON) -m pipeline ingest --input $(INPUT) --output $(OUT) --config $(CONFIG)

$(M)/clean.json: $(M)/ingest.json $(call code,clean.py boilerplate.py offsets.py) $(call conf,clean) | $(INSTALLED)
	$(PYTHON) -m pipeline clean --output $(OUT) --config $(CONFIG)

$(M)/parse.json: $(M)/clean.json $(call code,parse.py model.py offsets.py) $(call conf,parse) | $(INSTALLED)
	$(PYTHON) -m pipeline parse --output $(OUT) --config $(CONFIG)

$(M)/entities.json: $(M)/parse.json $(call code,entities.py docs.py) $(call conf,entities) | $(INSTALLED)
	$(PYTHON) -m pipeline entities --output $(OUT) --config $(CONFIG)

$(M)/quotes.json: $(M)/entities.json $(call code,quotes/*.py docs.py) $(call conf,quotes) | $(INSTALLED)
	$(PYTHON) -m pipeline quotes --output $(OUT) --config $(CONFIG)

$(M)/topics.json: $(M)/quotes.json $(call code,topics.py topic_tagger.py docs.py) $(call conf,topics) | $(INSTALLED)
	$(PYTHON) -m pipeline topics --output $(OUT) --config $(CONFIG)

$(M)/claims.json: $(M)/topics.json $(call code,claims.py) $(call conf,claims) | $(INSTALLED)
	$(PYTHON) -m pipeline claims --output $(OUT) --config $(CONFIG)

test: $(INSTALLED)  ## run the test suite (sets up .venv first)
	$(PYTHON) -m pytest -q

bench: $(INSTALLED)  ## throughput and memory against bare spaCy on PolNeAR (SHARED=../shared)
	$(PYTHON) -m pipeline bench --shared $(SHARED)

show: all  ## print a readable summary of the claims (per speaker, per topic)
	$(PYTHON) -m pipeline show --output $(OUT)

clean-outputs:  ## delete the generated tables
	rm -rf $(OUT)
