# Every target creates .venv from requirements.lock on first use and reuses it afterwards.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORES ?= all
# The run's config: `make run CONFIG=config/paper.yaml`; its outputs go to results/<run>/,
# logs/<run>/ and data/<run>/ (<run>: the config's `run:` key).
CONFIG ?= config/config.yaml
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test test-fast test-deps bench lint format report publish reproduce

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

run: $(STAMP)
	snakemake --cores $(CORES) --configfile $(CONFIG)

report: $(STAMP)
	snakemake --cores 1 --configfile $(CONFIG) \
		--report results/$$($(PY) tools/run_name.py $(CONFIG))/report.html

test: $(STAMP) test-deps
	pytest

# Servers and daemons of the integration tests (openssh-server, s3rver, SLURM); returns at
# once when they are installed.
test-deps:
	tools/dvc/install-test-deps.sh
	tests/integration/slurm/install.sh

# Record the outputs of the finished run of CONFIG in dvc.lock and push them to the DVC remote.
publish: $(STAMP)
	CONFIG=$(CONFIG) REMOTE=$(REMOTE) tools/dvc/publish.sh

# From a fresh clone: pull the published artifacts of the run of CONFIG, mark them current,
# build its figures and report.
reproduce: $(STAMP)
	CONFIG=$(CONFIG) CORES=$(CORES) REMOTE=$(REMOTE) tools/dvc/reproduce.sh

test-fast: $(STAMP)
	pytest -m "not workflow and not integration"

bench: $(STAMP)
	python benchmarks/lyapunov.py
	python benchmarks/training.py

lint: $(STAMP)
	ruff check .
	ruff format --check .
	snakefmt --check Snakefile workflow/rules
	snakemake --lint --configfile config/config.yaml

format: $(STAMP)
	ruff format .
	snakefmt Snakefile workflow/rules
