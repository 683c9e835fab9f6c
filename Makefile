# The README's commands. Each one builds .venv first if it is missing or stale.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

# Environment of the embedded first look: SQLite, Celery tasks run inline, console SMS.
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///demo.sqlite3 CACHE_URL=locmem:// \
	CELERY_TASK_ALWAYS_EAGER=1 SMS_BACKEND=console EMAIL_BACKEND=console

# Hashed lock files (regenerate with `make lock` after editing pyproject.toml): the site's
# packages alone, and the site's with the test tools. The project itself installs --no-deps.
SITE_LOCK := requirements/site.txt
DEV_LOCK := requirements/dev.txt
SITE_STAMP := $(VENV)/.installed-site
LOCK_FLAGS := --generate-hashes --universal --python-version 3.11 --quiet \
	--custom-compile-command 'make lock'

.PHONY: venv demo demo-setup test lint worker beat browser-deps walk lock offline-bundle

# The site's packages only (make demo, make worker/beat): nothing of the test tools.
$(SITE_STAMP): $(SITE_LOCK) pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# psycopg2 (built from source) was replaced by psycopg2-binary: both own the same files
	$(BIN)/pip uninstall --quiet --yes psycopg2 2>/dev/null || true
	$(BIN)/pip install --quiet --require-hashes -r $(SITE_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(SITE_STAMP)

# The site's packages and the test tools (make test, make lint): a superset of the above.
$(STAMP): $(DEV_LOCK) $(SITE_LOCK) pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip uninstall --quiet --yes psycopg2 2>/dev/null || true
	$(BIN)/pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(SITE_STAMP) $(STAMP)

venv: $(STAMP)

# After a change of the dependencies in pyproject.toml: pin and hash them again (needs PyPI).
# Pins already in the files are kept; `make lock LOCK_ARGS=--upgrade` moves every package to
# its newest release inside pyproject.toml's ranges (`--upgrade-package NAME` just one).
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) $(LOCK_ARGS) -o $(SITE_LOCK)
	$(BIN)/uv pip compile pyproject.toml --extra dev -c $(SITE_LOCK) $(LOCK_FLAGS) $(LOCK_ARGS) \
		-o $(DEV_LOCK)

# Wheels for a host without internet (x86_64 and aarch64), see docs/部署运维手册.md.
OUT ?= offline-bundle
offline-bundle: $(SITE_STAMP)
	$(BIN)/python deploy/offline_bundle.py $(OUT)

# First look: set up SQLite, seed demo data (only into a new database) and serve.
demo: demo-setup
	@$(DEMO_ENV) $(BIN)/python manage.py demo_banner --port $(PORT)
	$(DEMO_ENV) $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

demo-setup: $(SITE_STAMP)
	@fresh=0; test -f demo.sqlite3 || fresh=1; \
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput >/dev/null && \
	if [ $$fresh = 1 ]; then $(DEMO_ENV) $(BIN)/python manage.py seed_demo; \
	else echo "demo.sqlite3 exists: keeping its data (delete the file to start over)"; fi

# npm packages of the browser tests (axe-core), exactly as locked, into tests/browser/node_modules.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $(AXE)

browser-deps: $(AXE)

# The whole test suite against the real PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379).
test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(ARGS)

# A deeper walk of the API with generated input (the suite runs 10 examples per operation).
walk: $(STAMP)
	SCHEMA_WALK_EXAMPLES=100 $(BIN)/python -m pytest -n 2 tests/hardening/test_schema_walk.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports --no-logo \
	  && $(BIN)/python manage.py makemigrations --check --dry-run --settings=tests.settings

# Production-style processes (environment from .env or the shell).
worker: $(SITE_STAMP)
	$(BIN)/celery -A sanyuan worker --loglevel INFO --concurrency 2

beat: $(SITE_STAMP)
	$(BIN)/celery -A sanyuan beat --loglevel INFO
