# catalog: `make run` serves the app with demo content, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cat requirements.lock requirements-dev.lock | cksum | cut -d' ' -f1)

.PHONY: run test lint format lock install clean bench-pipeline bench-discovery bench-upload bench-web

install: $(INSTALLED)

$(INSTALLED): requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "catalog: Python 3.11 or newer is needed; $(PYTHON) is " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing dependencies into $(VENV) (first run only)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(INSTALLED)
	@bin/run-local

test: $(INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-resolve the direct dependencies of pyproject.toml into exact versions: the runtime set into
# requirements.lock (what the Docker image installs), the test tools into requirements-dev.lock.
lock:
	rm -rf var/lock-venv
	$(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/python -m pip install --quiet --disable-pip-version-check .
	var/lock-venv/bin/python -m pip freeze --exclude catalog > var/lock-runtime.txt
	var/lock-venv/bin/python -m pip install --quiet --disable-pip-version-check ".[dev]"
	printf '%s\n' "# Exact versions of the runtime dependencies the test suite passed with (the Docker image installs these)." "# Regenerate with 'make lock' after changing pyproject.toml." > requirements.lock
	cat var/lock-runtime.txt >> requirements.lock
	printf '%s\n' "# Development and test tools on top of the runtime lock. Regenerate with 'make lock'." "-r requirements.lock" > requirements-dev.lock
	var/lock-venv/bin/python -m pip freeze --exclude catalog | grep -vxFf var/lock-runtime.txt >> requirements-dev.lock
	rm -rf var/lock-venv var/lock-runtime.txt

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache

# The media pipeline against naive Pillow, libvips and the decode+encode floor, one core each;
# installs the wallpaper corpus, libvips/pyvips and numpy when missing. See BENCHMARKS.md.
bench-pipeline: $(INSTALLED)
	$(BIN)/python -m bench.pipeline $(BENCH_ARGS)

# Search, related pins and near-duplicate lookups on one core over synthetic catalogs in PostgreSQL
# databases catalog_bench_<size> (made once, then reused). SIZES="10k 100k" for other sizes;
# BENCH_DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres).
bench-discovery: $(INSTALLED)
	$(BIN)/python -m bench.discovery $(if $(SIZES),--sizes $(SIZES)) $(BENCH_ARGS)

# Photos uploaded through the API by 8 clients into gunicorn, PostgreSQL, Redis and a Celery worker
# of 1, then 2, processes, all started here and stopped at the end (2-3 minutes; BENCH_ARGS=--quick
# for a smoke run). A database catalog_bench_upload is made on BENCH_DATABASE_URL's server.
bench-upload: $(INSTALLED)
	$(BIN)/python -m bench.upload $(BENCH_ARGS)

# The site under load as in production: gunicorn (gunicorn.conf.py), PostgreSQL and Redis, driven by
# wrk from 127.0.0.1 against a minimal Django view's floor, at 10k, 100k and 1m pins (catalogs made
# once as for bench-discovery). SIZES="10k 1m" for fewer sizes; BENCH_ARGS="--duration 5" shorter.
bench-web: $(INSTALLED)
	$(BIN)/python -m bench.web $(if $(SIZES),--sizes $(SIZES)) $(BENCH_ARGS)
