## ---- Superset (dashboards) ------------------------------------------------------------------
# Superset runs in its own environment (.venv-superset: SQLAlchemy 1.4, pandas 2); the main code
# drives it through its CLI and REST API (dashboards/server.py). State: $(JINGFEN_HOME)/superset.
SUPERSET_VENV := .venv-superset
SUPERSET_PORT ?= 8088
DASHBOARDS := $(PY) -m dashboards

.PHONY: system-deps superset-env superset-lock superset-bootstrap superset-start superset-stop \
	dashboards-generate dashboards-deploy dashboards-export reports-list reports-log test-superset

system-deps: ## apt packages: chromium, chromium-driver + CJK fonts (browser checks, reports), openssh-server (SFTP tests)
	./scripts/install-system-deps.sh

superset-env: uv $(SUPERSET_VENV)/.synced ## Create .venv-superset from requirements/superset.txt

$(SUPERSET_VENV)/.synced: requirements/superset.txt
	@test -x $(SUPERSET_VENV)/bin/python || uv venv --quiet --python 3.11 $(SUPERSET_VENV)
	VIRTUAL_ENV=$(CURDIR)/$(SUPERSET_VENV) uv pip sync --quiet requirements/superset.txt
	@touch $@

superset-lock: uv ## Re-pin requirements/superset.txt from requirements/superset.in
	uv pip compile --python-version 3.11 --quiet --no-header requirements/superset.in -o requirements/superset.txt

superset-bootstrap: env superset-env ## Create/upgrade Superset's metadata, admin user, roles (idempotent)
	$(DASHBOARDS) bootstrap

superset-start: superset-bootstrap ## Start Superset on 127.0.0.1:SUPERSET_PORT and the reports' Celery worker + beat (prints the admin password)
	$(DASHBOARDS) start --port $(SUPERSET_PORT)

superset-stop: env ## Stop the Superset server (and the reports' Celery worker + beat) of this JINGFEN_HOME
	$(DASHBOARDS) stop

dashboards-generate: env ## Regenerate dashboards/assets/ from dashboards/catalogue.py
	$(DASHBOARDS) generate

dashboards-deploy: env ## Push dashboards/assets/ to the running Superset, apply config/access.yaml and config/reports.yaml
	$(DASHBOARDS) deploy

dashboards-export: env ## Pull dashboards edited in the UI into dashboards/exported/ for review
	$(DASHBOARDS) export

reports-list: env ## The scheduled reports and alerts (config/reports.yaml): state, crontab, last run
	$(JF) reports list

reports-log: env ## The delivery log of the scheduled reports (the latest runs, with errors)
	$(JF) reports log

# The Makefile declares these two as double-colon targets; parts add their own rules.
demo-dashboards:: superset-env ## Start Superset (if not running), deploy dashboards and access; print URL + logins
	JINGFEN_SUPERSET_PORT=$(SUPERSET_PORT) $(JF) superset start

test-deps:: system-deps superset-env

test-superset: env superset-env system-deps ## Superset + browser tests only
	$(VENV)/bin/pytest -q -m "superset or browser" tests/dashboards
