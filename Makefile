# USCE Portal. `make run` serves it; `make test` tests it. Both need only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast browser-test bench bench-check bench-seed bench-pages bench-throughput bench-reminders bench-match bench-retention bench-outbox bench-alerts bench-tantivy load-test cluster-test install install-dev seed clean lint audit pip-audit

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

seed: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo

run: seed
	$(PY) bin/run_dev.py

# axe-core for the browser tests' accessibility audits (tests/package-lock.json; never served).
# Without npm the audits are skipped locally; CI (PORTAL_REQUIRE_BROWSER) fails instead.
AXE := tests/node_modules/axe-core/axe.min.js
$(AXE): tests/package.json tests/package-lock.json
	@if command -v npm >/dev/null 2>&1; then cd tests && npm ci --no-audit --no-fund && touch node_modules/axe-core/axe.min.js; \
	else echo "npm not found: the browser tests' axe audits will be skipped"; fi

# Locally the test databases are kept between runs (new migrations still apply; PYTEST_ARGS=--create-db
# rebuilds them); CI (CI set) creates fresh ones.
REUSE_DB := $(if $(CI),,--reuse-db)

# The whole suite. PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set, else SQLite and
# in-process Celery. Browser tests run when Chromium is installed (required under CI).
test: install-dev $(AXE)
	$(PY) -m pytest $(REUSE_DB) $(PYTEST_ARGS)

test-fast: install-dev
	$(PY) -m pytest $(REUSE_DB) -m "not browser and not integration" $(PYTEST_ARGS)

browser-test: install-dev $(AXE)
	$(PY) -m pytest $(REUSE_DB) -m browser $(PYTEST_ARGS)

# Static checks, run by CI before the tests: ruff (lint and format), mypy with the Django and DRF
# plugins ([tool.mypy] in pyproject.toml) and the apps' layering (import-linter; docs/architecture.md).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Static analysis of our code: fails on any high-severity finding (lower ones are printed).
audit: install-dev
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level high

# Known vulnerabilities in the pinned runtime dependencies. Needs the PyPI/OSV vulnerability
# service; --strict makes a run that could not check a package fail instead of passing silently.
pip-audit: install-dev
	$(VENV)/bin/pip-audit --strict -r requirements.txt

# Benchmarks, on PostgreSQL and Redis as in production (bench/RESULTS.md): `make bench` seeds the
# national dataset once (bench/national.py; an empty database, or one it seeded before), then
# measures the pages and a reminders tick on it (bench/pages.py rewrites the table in
# bench/RESULTS.md), the throughput under gunicorn, the match engine, the retention purge and the
# outbox's delivery.
bench: bench-pages bench-throughput bench-match bench-retention bench-outbox bench-alerts

bench-check:
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make bench needs PostgreSQL: set DATABASE_URL=postgres://... (an empty database, or one bench/national.py seeded)" >&2; exit 2;; esac
	@case "$$REDIS_URL" in redis*) ;; *) echo "make bench needs Redis: set REDIS_URL=redis://..." >&2; exit 2;; esac

bench-seed: bench-check install
	$(PY) manage.py migrate --noinput
	$(PY) bench/national.py

bench-pages: bench-seed
	$(PY) bench/pages.py --write $(BENCH_ARGS)

# The same searches in tantivy, in process, timed by bench/pages.py's harness: the yardstick (#21).
bench-tantivy: bench-seed install-dev
	$(PY) bench/tantivy_yardstick.py $(BENCH_ARGS)

bench-reminders: install
	$(PY) bench/reminders.py $(BENCH_ARGS)

# The retention purge over 50,000 inactive applicants (README, Security, "Retention").
bench-retention: install
	$(PY) bench/retention.py $(BENCH_ARGS)

# 100,000 e-mails through the outbox to a local SMTP server (aiosmtpd) by a real worker on Redis:
# messages per second and the worker's peak memory (docs/outbox.md; bench/RESULTS.md).
bench-outbox: bench-check install-dev
	$(PY) manage.py migrate --noinput
	$(PY) bench/outbox.py $(OUTBOX_ARGS)

# A day of saved-search matching: 50,000 applicants with 3 saved searches each against 1,000 listings
# published over the day, as 288 beat runs and as one run (docs/alerts.md; bench/RESULTS.md).
bench-alerts: bench-check install
	$(PY) manage.py migrate --noinput
	$(PY) bench/alerts_match.py $(BENCH_ARGS)

# The match engine on a seeded national-scale round, beside the `matching` package (bench/RESULTS-match.md).
bench-match: install-dev
	$(PY) bench/match_round.py $(BENCH_ARGS)

# Requests per second of the search page and the API search under gunicorn, beside a trivial view
# (wrk on 127.0.0.1; needs DATABASE_URL on PostgreSQL and REDIS_URL). Writes bench/out/throughput.md.
bench-throughput: install
	$(PY) bench/throughput.py $(THROUGHPUT_ARGS)

# Simulated applicants sign in, search and apply on gunicorn (double and concurrent clicks included);
# then the database must hold every application they were told about exactly once, and no answer may be
# a 5xx. Needs DATABASE_URL on PostgreSQL and REDIS_URL. Writes bench/out/load.md.
load-test: install-dev
	$(PY) bench/load_test.py $(LOAD_ARGS)

# Scale-out with faults, on 127.0.0.1 (bench/cluster.py, docs/deployment.md): HAProxy in front of two
# gunicorn nodes, PgBouncer in transaction mode, two Celery workers and beat on Redis, uploads on S3
# (moto's test server); part of the suite through PgBouncer; the load test through HAProxy while a node
# and a worker are killed -9 and restarted. Installs Debian's haproxy, pgbouncer and wrk when missing.
# Needs DATABASE_URL (PostgreSQL, a database of its own) and REDIS_URL. Writes bench/out/cluster.md.
CLUSTER_PACKAGES := haproxy pgbouncer wrk
cluster-test: install-dev
	@missing=""; for p in $(CLUSTER_PACKAGES); do command -v $$p >/dev/null 2>&1 || [ -x /usr/sbin/$$p ] || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "Installing$$missing for the cluster test"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; fi
	$(PY) bench/cluster.py $(CLUSTER_ARGS)

clean:
	rm -rf var/test .pytest_cache
