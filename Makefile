# kaigo_resource_plugin — the targets a user or a newcomer expects.
#   make demo   installs what is missing, runs the analysis on the bundled sample data -> demo-output/
#   make test   the whole test suite, headless
#   make test-matrix  the whole suite on QGIS 3.22, 3.40 and 3.44 (debootstrap chroots, cached in /var/cache/kaigo-matrix)
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PLUGIN := kaigo_resource_plugin
export QT_QPA_PLATFORM ?= offscreen
export VENV
PYTEST_ARGS ?=

.PHONY: setup demo test test-fast test-matrix test-unit test-qgis lint format bench package transcompile clean

setup:
	@bash scripts/setup.sh
	@$(MAKE) --no-print-directory transcompile

transcompile:
	@bash scripts/transcompile.sh

demo: setup
	$(PY) scripts/demo.py --output demo-output

test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS) tests

test-fast: setup  # the inner loop: everything but the tests marked slow (qgis_process subprocesses)
	$(PY) -m pytest -q -m "not slow" tests

test-matrix:
	bash scripts/matrix.sh

test-unit: setup
	$(PY) -m pytest -q tests/unit

test-qgis: setup
	$(PY) -m pytest -q tests/qgis

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy kaigo_resource_plugin/core

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(PY) scripts/bench.py

# the zip needs only the compiled translations and the system Python: no venv, no test tools
package: transcompile
	/usr/bin/env python3 scripts/package.py --output dist

clean:
	rm -rf dist build demo-output bench-output .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
