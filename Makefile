# `make run` and `make test` each create .venv, install what they need into it, then work:
# `make run` the project alone (what a run needs), `make test` the project with its dev extra
# (test tools, a second solver, pyogrio for the GeoPackage). One stamp file each, so either
# target can follow the other: the dev install also satisfies `make run`.
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
# pyaugmecon, the independent oracle of tests/test_pyaugmecon_oracle.py, pins numpy 1.x: it
# gets a virtualenv of its own (the [oracle] extra of pyproject.toml names the same pins)
ORACLE        := .venv-oracle
ORACLE_STAMP  := $(ORACLE)/.installed
ORACLE_PINS   := "pyaugmecon==1.0.8" "highspy>=1.7"

.PHONY: run test lint typecheck oracle bench bench-orlib bench-research clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(DEV_STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(PY) run.py

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

# a failed install leaves the oracle test skipped, loudly
$(ORACLE_STAMP):
	$(PYTHON) -m venv $(ORACLE)
	$(ORACLE)/bin/python -m pip install --quiet $(ORACLE_PINS) && touch $(ORACLE_STAMP) \
		|| echo "warning: could not install $(ORACLE_PINS) into $(ORACLE); the pyaugmecon cross-check goes untested" >&2

oracle: $(ORACLE_STAMP)

test: lint typecheck oracle
	$(VENV)/bin/pytest

bench: $(RUN_STAMP)
	$(PY) bench/stages.py

bench-orlib: $(RUN_STAMP)
	$(PY) bench/orlib.py

# 1,000 weight variants and 1,000 robustness samples of the baseline on one persistent HiGHS
# model against rebuilds (measured on a subset, extrapolated), and the three-term front;
# writes docs/bench/research.md
bench-research: $(RUN_STAMP)
	$(PY) bench/research.py

clean:
	rm -rf $(VENV) $(ORACLE) .pytest_cache .mypy_cache .ruff_cache
