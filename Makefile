# The two README commands: `make run` (the whole system on its embedded default) and
# `make test` (the whole suite). Both install what they need first.

VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SYSTEM_PACKAGES := $(VENV)/.system-packages

.PHONY: run test setup lint benchmarks clean

run: setup
	$(VENV)/bin/resync run

test: setup
	$(VENV)/bin/pytest

setup: $(SYSTEM_PACKAGES) $(INSTALLED)

$(SYSTEM_PACKAGES): packages.apt
	bash .ci/install-system-packages packages.apt
	@mkdir -p $(VENV) && touch $@

$(INSTALLED): pyproject.toml
	test -x $(PYTHON) || python3.11 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

benchmarks: setup
	$(PYTHON) -m benchmarks.run_all

clean:
	rm -rf $(VENV) .resync
