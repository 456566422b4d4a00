# dirco: every routine task. `make` lists them.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
DIRCO := $(VENV)/bin/dirco
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
SHOT_PORT ?= 8106
API_FUZZ_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install demo prod-demo backup serve test test-e2e api-fuzz lint format bench bench-seed bench-pages bench-api bench-forecast bench-forecast-refresh bench-campaign bench-load bench-route-cpu messages screenshots clean

help: ## List the tasks
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint,prod]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install dirco with its test and lint tools

# The demo runs background tasks inline (TASKS_IMMEDIATE=1: no worker to start) and the
# scheduler (lead re-routing, registration expiry, webhook retries, pruning) beside the server.
demo: install ## Install, create the SQLite database with the demo company, and serve on $(HOST):$(PORT)
	$(DIRCO) migrate --no-input
	TASKS_IMMEDIATE=1 $(DIRCO) seed_demo --if-empty
	@echo ""
	@echo "  dirco is running at http://$(HOST):$(PORT)/"
	@echo "  Log in with password 'dirco-demo' as director@demo.test, manager1@demo.test,"
	@echo "  rep1@demo.test or partner1@demo.test (partner admin of the first partner)."
	@echo "  Background tasks run inline; the scheduler runs the periodic jobs (dirco scheduler --list)."
	@echo ""
	export TASKS_IMMEDIATE=1; $(DIRCO) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	DIRCO_DEBUG=1 $(DIRCO) runserver $(HOST):$(PORT)

# The production topology on one machine: PostgreSQL, gunicorn, a task worker and the
# scheduler, run together from the Procfile by honcho. Plain HTTP on loopback, so the
# HTTPS-only settings of DIRCO_ENV=production stay off (see docs/deployment.md).
PROD_DEMO_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/dirco_prod_demo
prod-demo: install ## Web (gunicorn) + worker + scheduler on PostgreSQL, from the Procfile (honcho)
	$(PY) -m pip install --quiet -e '.[prod,procfile]'
	export DATABASE_URL=$(PROD_DEMO_DATABASE_URL) STATIC_ROOT=$(CURDIR)/staticfiles; \
	$(DIRCO) db_create && \
	$(DIRCO) migrate --no-input && \
	$(DIRCO) collectstatic --no-input -v0 && \
	$(DIRCO) seed_demo --if-empty && \
	echo "" && echo "  dirco (PostgreSQL, gunicorn, worker, scheduler) at http://$(HOST):$(PORT)/" && \
	echo "  Log in as director@demo.test with password 'dirco-demo'. Ctrl-C stops all three." && \
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH HOST=$(HOST) $(VENV)/bin/honcho start -f Procfile -p $(PORT)

backup: install ## Back up the database and media into ./backups (dirco backup)
	$(DIRCO) backup --output-dir backups

serve: install ## Serve the app without seeding (development server)
	$(DIRCO) migrate --no-input
	$(DIRCO) runserver $(HOST):$(PORT)

test: install ## Run the whole test suite (SQLite, or DATABASE_URL when set)
	$(VENV)/bin/pytest -n 2 -q $(PYTEST_ARGS)

test-e2e: install ## Run only the browser tests (needs /usr/bin/chromium)
	$(VENV)/bin/pytest -q -m e2e $(PYTEST_ARGS)

api-fuzz: install ## Schemathesis against a live server, as the director and a partner user
	$(PY) .ci/api_fuzz.py $(API_FUZZ_ARGS)

lint: install ## ruff, mypy strict, the import layers (import-linter) and a check that no migration is missing
	$(VENV)/bin/ruff check src bench
	$(VENV)/bin/ruff format --check src bench
	$(VENV)/bin/mypy src
	$(VENV)/bin/lint-imports
	DIRCO_TESTING=1 $(DIRCO) makemigrations --check --dry-run

format: install ## Format and auto-fix the code with ruff
	$(VENV)/bin/ruff format src bench
	$(VENV)/bin/ruff check --fix src bench

bench: bench-seed bench-pages bench-api bench-forecast ## Run every benchmark (each prints one JSON line)

bench-seed: install ## Seed 1M deals in a scratch database and print seconds and deals/s
	$(PY) bench/seed.py

bench-pages: install ## Page and API latency and query counts at 25k and 1M deals
	$(PY) bench/pages.py

bench-api: install ## Deal API list and create at 1M deals (p50/p95, requests/s), SQLite (+ --pg URL)
	$(PY) bench/api.py $(BENCH_API_ARGS)

bench-forecast-refresh: install ## Forecast refresh tasks and the home after a deal write (coalesced, debounced)
	$(PY) bench/forecast_refresh.py

bench-campaign: install ## A 10,000-recipient campaign through the worker to a local SMTP server (messages/s)
	$(PY) bench/campaign.py

# The load test: gunicorn + db_worker + scheduler on a seeded copy, locust users, the ledger of
# acknowledged writes checked afterwards. E.g. BENCH_LOAD_ARGS='--users 200 --duration 600
# --pg postgres://postgres@127.0.0.1:5432/x --kill-every 120' (see bench/load.py and
# docs/deployment.md for the measured limits).
BENCH_LOAD_ARGS ?= --users 50 --duration 60
bench-load: install ## Load test (locust): p50/p95 per route, errors, lost writes; BENCH_LOAD_ARGS
	$(PY) -m pip install --quiet -e '.[load]'
	$(PY) bench/load.py $(BENCH_LOAD_ARGS)

# CPU per request of each route of the load test (web process and PostgreSQL backend), on a
# copy of the load test's seeded PostgreSQL database. E.g. BENCH_ROUTE_CPU_ARGS='--profile
# "POST /deals" --profiler cprofile' writes a profile per route to /tmp/dirco-profiles.
BENCH_ROUTE_CPU_ARGS ?=
bench-route-cpu: install ## CPU ms and queries per request, per route of the load test (PostgreSQL)
	$(PY) -m pip install --quiet pyinstrument
	$(PY) bench/route_cpu.py $(BENCH_ROUTE_CPU_ARGS)

bench-forecast: install ## Forecast accuracy against statsmodels and statsforecast
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/forecast_accuracy.py

screenshots: install ## Seed the demo in a scratch database and photograph the README's pages (Chromium)
	$(PY) docs/screenshots/take.py --port $(SHOT_PORT)

messages: install ## Update and compile the French translation
	cd src/dirco && $(abspath $(DIRCO)) makemessages -l fr --ignore 'tests/*' --ignore '*/tests/*' --no-obsolete
	cd src/dirco && $(abspath $(DIRCO)) compilemessages

clean: ## Remove the virtual environment and local databases
	rm -rf $(VENV) dirco.sqlite3* staticfiles
