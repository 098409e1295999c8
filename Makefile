# `make run` and `make test` each create .venv, install what they need into it, then work:
# `make run` the project alone (what a run needs), `make test` the project with its dev extra
# (test tools, more solvers, pyogrio for the GeoPackage). One stamp file each, so either
# target can follow the other: the dev install also satisfies `make run`.
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
DOCS_STAMP := $(VENV)/.installed-docs

# pyaugmecon, the independent oracle of tests/test_pyaugmecon_oracle.py, pins numpy 1.x: it
# gets a virtualenv of its own (the [oracle] extra of pyproject.toml names the same pins)
ORACLE        := .venv-oracle
ORACLE_STAMP  := $(ORACLE)/.installed
ORACLE_PINS   := "pyaugmecon==1.0.8" "highspy>=1.7"

.PHONY: run test lint typecheck docs oracle bench bench-orlib bench-research bench-scale bench-handoff bench-studio bench-startup bench-solve-thread clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(DEV_STAMP) $(RUN_STAMP)

# the documentation site (docs extra): MkDocs Material, mkdocstrings, mkdocs-gen-files
$(DOCS_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $(DOCS_STAMP)

run: $(RUN_STAMP)
	$(PY) run.py

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(DEV_STAMP)
	$(VENV)/bin/mypy

# builds site/ with --strict: a broken link or anchor, or a docstring mkdocstrings cannot
# render, fails the build (and so `make test`); the two variables silence a banner that a
# plugin prints about MkDocs 2 on every build
docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true $(VENV)/bin/mkdocs build --strict --quiet

# a failed install leaves the oracle test skipped, loudly
$(ORACLE_STAMP):
	$(PYTHON) -m venv $(ORACLE)
	$(ORACLE)/bin/python -m pip install --quiet $(ORACLE_PINS) && touch $(ORACLE_STAMP) \
		|| echo "warning: could not install $(ORACLE_PINS) into $(ORACLE); the pyaugmecon cross-check goes untested" >&2

oracle: $(ORACLE_STAMP)

# the dev extra installs these solvers: a test of one that is missing or has no licence fails
# instead of leaving it out (tests/installed_solvers.py)
REQUIRED_SOLVERS ?= highs,scip,gurobi,cplex,xpress,copt

# pytest runs on one worker process per CPU core (pytest-xdist, in the dev extra); worksteal
# lets an idle worker take queued tests from a busy one, so a few long tests do not leave the
# other cores waiting. PYTEST_ARGS="-n 0" runs serially, PYTEST_ARGS="-n 0 --durations=30"
# lists the slowest tests
PYTEST_ARGS ?= -n auto --dist worksteal

test: lint typecheck docs oracle
	CLUSTERSITE_REQUIRED_SOLVERS=$(REQUIRED_SOLVERS) $(VENV)/bin/pytest $(PYTEST_ARGS)

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

bench-solve-thread: $(RUN_STAMP)
	$(PY) bench/solve_thread.py

# 1,000 weight variants and 1,000 robustness samples of the baseline on one persistent HiGHS
# model against rebuilds (measured on a subset, extrapolated), and the three-term front;
# writes docs/bench/research.md
bench-research: $(RUN_STAMP)
	$(PY) bench/research.py

# 300, 1,000 and 3,000 districts x 6, 12, 24 and 51 types; writes docs/bench/scale.md and .png
bench-scale: $(RUN_STAMP)
	$(PY) bench/scale.py

clean:
	rm -rf $(VENV) $(ORACLE) .pytest_cache .mypy_cache .ruff_cache site
