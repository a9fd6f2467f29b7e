# jingfen — two commands for a new user: `make demo` and `make test`. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export JINGFEN_HOME ?= $(CURDIR)/var
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90
export PREFECT_HOME ?= $(JINGFEN_HOME)/prefect
export UV_LINK_MODE := copy

VENV := .venv
PY := $(VENV)/bin/python
JF := $(VENV)/bin/jingfen

# Demo size: big enough to look real, small enough for a few minutes on 2 cores.
SUBSCRIBERS ?= 20000
# Benchmark scale (subscribers).
SCALE ?= 100000

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

## ---- environments ---------------------------------------------------------------------------
.PHONY: uv env
uv:
	@command -v uv >/dev/null 2>&1 || { echo "installing uv"; python3 -m pip install --quiet uv; }

env: uv $(VENV)/.synced ## Create the main environment (.venv) from uv.lock

$(VENV)/.synced: pyproject.toml uv.lock
	uv sync --frozen --extra dev
	@touch $@

# Extra parts add prerequisites to these double-colon targets (see mk/*.mk).
.PHONY: test-deps demo-dashboards
test-deps:: env
demo-dashboards:: env

-include mk/*.mk

## ---- the two commands ---------------------------------------------------------------------
.PHONY: demo
demo: env demo-data demo-pipeline demo-dashboards ## Fresh machine to running dashboards: data, pipeline, Superset

.PHONY: demo-data
demo-data: env
	@if ls $(JINGFEN_HOME)/archive/*/* >/dev/null 2>&1 || ls $(JINGFEN_HOME)/landing/*.dat* >/dev/null 2>&1; then \
	  echo "demo data already generated under $(JINGFEN_HOME) (make clean to start over)"; \
	else $(JF) simulate --subscribers $(SUBSCRIBERS); fi

.PHONY: demo-pipeline
demo-pipeline: env
	$(JF) run

.PHONY: test
test: env test-deps ## The full test suite (installs what it needs, starts its own servers)
	$(VENV)/bin/pytest -q --durations=40 tests

.PHONY: test-fast
test-fast: env ## Tests without Superset, browser or end-to-end builds
	$(VENV)/bin/pytest -q -m "not slow and not superset and not browser and not sftp" tests

## ---- day-to-day -----------------------------------------------------------------------------
.PHONY: lint
lint: env ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: docs
docs: env ## dbt docs (static HTML under JINGFEN_HOME/dbt/target)
	$(JF) docs

.PHONY: bench
bench: env superset-env ## Benchmark the pipeline at SCALE subscribers (JSON under JINGFEN_HOME/bench)
	$(PY) -m cli.bench --scale $(SCALE) $(BENCH_ARGS)

.PHONY: prefect-server
prefect-server: env ## Run a Prefect server on 127.0.0.1:4200 (for schedules)
	$(VENV)/bin/prefect server start --host 127.0.0.1 --port 4200

.PHONY: clean
clean: ## Remove all state under JINGFEN_HOME
	rm -rf "$(JINGFEN_HOME)"
