# The README commands: `make run` (the whole system on its embedded default), `make test` (the
# whole suite, what CI runs) and `make test-fast` (the unit and SQLite tiers, a few minutes).
# All install what they need first.

VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SYSTEM_PACKAGES := $(VENV)/.system-packages
ADMIN_PANEL := dashboards/admin/dist/.built
REPORT_RENDERER := dashboards/reports/node_modules/.installed

.PHONY: run test test-fast setup lint lock clean

run: setup
	$(VENV)/bin/resync run

# Every test process (the xdist workers, and the APIs, flows and CLIs they start) reads the
# project's compiled modules and pytest's rewritten tests from one cache outside the tree, even
# where the environment says not to write bytecode: compiling them again in each process cost
# about a third of each worker's collection.
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache $(VENV)/bin/pytest

# Four pytest-xdist workers on two cores: many tests wait (on processes starting, a review
# paused past Prefect's lease, flows on Dask and on workers), not on a core. Five took the same
# CPU time and 38 s less on a quiet machine, but left less room for the tests that time a
# response. Each worker starts its own PostgreSQL and Prefect server; a module stays on one
# worker, so a module's stack starts once. Modules go out in the order the suite collects them:
# heaviest tiers first.
test: setup
	$(PYTEST) -n 4 --dist loadscope --no-loadscope-reorder

# Tiers are markers set from the fixtures a test uses (tests/support/tiers.py).
test-fast: setup
	$(PYTEST) -n 4 -m "not postgres and not prefect and not browser and not e2e"

setup: $(SYSTEM_PACKAGES) $(INSTALLED) $(ADMIN_PANEL) $(REPORT_RENDERER)

$(SYSTEM_PACKAGES): packages.apt
	bash .ci/install-system-packages packages.apt
	@mkdir -p $(VENV) && touch $@

# The admin panel served at /admin/; rebuilt when its sources or lock change.
PANEL_SOURCES := $(shell find dashboards/admin/src -type f 2>/dev/null) \
	$(addprefix dashboards/admin/,package.json package-lock.json index.html vite.config.ts tsconfig.json)
$(ADMIN_PANEL): $(PANEL_SOURCES)
	cd dashboards/admin && npm ci && npm run build
	touch $@

# The plotly.js bundle kaleido draws the report PDF's charts with; reinstalled when its lock changes.
$(REPORT_RENDERER): dashboards/reports/package.json dashboards/reports/package-lock.json
	cd dashboards/reports && npm ci --no-audit --no-fund
	touch $@

# The versions the suite passed with (requirements.lock), then Resync itself on top of them.
$(INSTALLED): pyproject.toml requirements.lock
	test -x $(PYTHON) || python3.11 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.lock
	$(PYTHON) -m pip install --quiet --no-deps -e .
	touch $@

# Pins requirements.lock again from pyproject.toml (keeps current pins; add --upgrade to move them).
lock: $(INSTALLED)
	$(VENV)/bin/pip-compile --quiet --extra dev --extra bench --strip-extras --no-emit-index-url \
		--no-emit-find-links --no-emit-trusted-host -o requirements.lock pyproject.toml

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .resync
