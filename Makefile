# Every target creates .venv from requirements.lock on first use and reuses it afterwards.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORES ?= all
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test test-fast test-deps bench lint format report publish reproduce

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

run: $(STAMP)
	snakemake --cores $(CORES) --configfile config/config.yaml

report: $(STAMP)
	snakemake --cores 1 --configfile config/config.yaml --report results/report.html

test: $(STAMP) test-deps
	pytest

# Servers and daemons of the integration tests (openssh-server, s3rver, SLURM); returns at
# once when they are installed.
test-deps:
	tools/dvc/install-test-deps.sh
	tests/integration/slurm/install.sh

# Record the outputs of a finished run in dvc.lock and push them to the DVC remote.
publish: $(STAMP)
	CONFIG=config/config.yaml REMOTE=$(REMOTE) tools/dvc/publish.sh

# From a fresh clone: pull, mark the pulled artifacts current, build figures and report.
reproduce: $(STAMP)
	CONFIG=config/config.yaml CORES=$(CORES) REMOTE=$(REMOTE) tools/dvc/reproduce.sh

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
