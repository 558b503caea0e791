# USCE Portal. `make run` serves it; `make test` tests it. Both need only Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test test-fast browser-test bench bench-reminders bench-match bench-retention bench-throughput load-test install install-dev seed clean lint audit pip-audit

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

# The whole suite. PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set, else SQLite and
# in-process Celery. Browser tests run when Chromium is installed (required under CI).
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install-dev
	$(PY) -m pytest -m "not browser and not integration" $(PYTEST_ARGS)

browser-test: install-dev
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

# Static analysis of our code: fails on any high-severity finding (lower ones are printed).
audit: install-dev
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level high

# Known vulnerabilities in the pinned runtime dependencies. Needs the PyPI/OSV vulnerability
# service; --strict makes a run that could not check a package fail instead of passing silently.
pip-audit: install-dev
	$(VENV)/bin/pip-audit --strict -r requirements.txt

# Benchmarks, one script each under bench/; `make bench` runs them all.
bench: bench-reminders bench-match bench-retention

bench-reminders: install
	$(PY) bench/reminders.py $(BENCH_ARGS)

# The retention purge over 50,000 inactive applicants (README, Security, "Retention").
bench-retention: install
	$(PY) bench/retention.py $(BENCH_ARGS)

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

clean:
	rm -rf var/test .pytest_cache
