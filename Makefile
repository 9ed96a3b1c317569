# Every target creates .venv from requirements.lock on first use and reuses it afterwards.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CORES ?= all
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test test-fast bench lint format report

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

test: $(STAMP)
	pytest

test-fast: $(STAMP)
	pytest -m "not workflow and not integration"

bench: $(STAMP)
	python benchmarks/lyapunov.py
	python benchmarks/training.py

lint: $(STAMP)
	ruff check .
	snakefmt --check Snakefile workflow/rules
	snakemake --lint --configfile config/config.yaml

format: $(STAMP)
	ruff format src tests benchmarks workflow/scripts
	snakefmt Snakefile workflow/rules
