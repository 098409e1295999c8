# `make run` and `make test` each create .venv, install what they need into it, then work:
# `make run` the project alone (what a run needs), `make test` the project with its dev extra
# (test tools, more solvers, pyogrio for the GeoPackage). One stamp file each, so either
# target can follow the other: the dev install also satisfies `make run`.
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint typecheck bench bench-orlib bench-handoff bench-studio bench-startup clean

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

# the dev extra installs these solvers: a test of one that is missing or has no licence fails
# instead of leaving it out (tests/installed_solvers.py)
REQUIRED_SOLVERS ?= highs,scip,gurobi,cplex,xpress,copt

test: lint typecheck
	CLUSTERSITE_REQUIRED_SOLVERS=$(REQUIRED_SOLVERS) $(VENV)/bin/pytest

bench: $(RUN_STAMP)
	$(PY) bench/stages.py

bench-orlib: $(RUN_STAMP)
	$(PY) bench/orlib.py

# hand-off of the model to each installed commercial solver (the dev or commercial extra)
bench-handoff: $(RUN_STAMP)
	$(PY) bench/handoff.py --sizes 100 300 --repeat 5

# the studio's change-to-redrawn-map latency (server side, and in Chromium when installed)
bench-studio: $(DEV_STAMP)
	$(PY) bench/studio.py

# the baseline run's whole-process wall time (median of 5) and what --help loads
bench-startup: $(RUN_STAMP)
	$(PY) bench/startup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
