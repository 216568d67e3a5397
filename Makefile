# DSP Portal. `make run` starts the embedded default (with the local Stripe stand-in when no STRIPE_SECRET_KEY);
# `make test` installs what the suite needs, runs every test on PostgreSQL + Redis, then the journeys on the
# embedded default (SQLite, in-process tasks, the stand-in).
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run install test lint check build-static bench bench-solver bench-station bench-hubs migrate seed worker beat clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The Stripe stand-in (manage.py stripe_standin) runs beside the server and stops with it.
run: seed
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C to stop)"
	@export SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(PY) manage.py stripe_standin & standin=$$!; \
	trap 'kill $$standin 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Tests talk to PostgreSQL and Redis at the addresses in .env.example (or DATABASE_URL/REDIS_URL). The main run is
# parallel: TEST_WORKERS pytest-xdist workers (2: developers' machines and CI have two cores; 0 runs serially), each
# with its own test database, Redis database and private media folder (dsp_portal/test_settings.py). A file stays
# whole on one worker (--dist loadfile), so a module's fixtures are built once. Tests marked `serial` (the real
# Celery worker's chords) run after it, alone.
TEST_WORKERS ?= 2
test: install
	bash scripts/ensure-system-deps.sh
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -m "not serial" $(PYTEST_ARGS)
	$(PY) -m pytest -m serial $(PYTEST_ARGS)
	$(PY) -m pytest tests/embedded --ds=dsp_portal.test_settings_embedded

lint: install
	$(VENV)/bin/ruff check .

check: install
	$(VENV)/bin/ruff check .
	$(PY) ../shared/tools/check_layers.py .
	$(PY) manage.py makemigrations --check --dry-run

# The Dockerfile's static build step; CI runs it too (STATIC_ROOT=<temp dir>) so a broken image build fails CI.
build-static: install
	PYTHON=$(PY) bin/build-static

# Both kinds of worker (dsp_portal/settings.py, CELERY_TASK_ROUTES): SOLVERS single-core planners on the `solver`
# queue and one worker for the `short` queue (webhooks, e-mail, outcomes); Ctrl-C stops both.
SOLVERS ?= 1
worker: install
	@$(VENV)/bin/celery -A dsp_portal worker -Q short --pool prefork --concurrency 4 -n short@%h -l info & short=$$!; \
	trap 'kill $$short 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/celery -A dsp_portal worker -Q solver --pool prefork --concurrency $(SOLVERS) --prefetch-multiplier 1 \
		-n solver@%h -l info

beat: install
	$(VENV)/bin/celery -A dsp_portal beat -l info

bench: install
	@for f in bench/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) var
