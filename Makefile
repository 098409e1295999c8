# `make run` and `make test` each create .venv, install what they need into it, then work:
# `make run` the project alone (what a run needs), `make test` the project with its dev extra
# (test tools, a second solver, pyogrio for the GeoPackage). One stamp file each, so either
# target can follow the other: the dev install also satisfies `make run`.
PYTHON    ?= python3
VENV      := .venv
PY        := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint typecheck bench bench-orlib bench-scale clean

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

test: lint typecheck
	$(VENV)/bin/pytest

bench: $(RUN_STAMP)
	$(PY) bench/stages.py

bench-orlib: $(RUN_STAMP)
	$(PY) bench/orlib.py

# 300, 1,000 and 3,000 districts x 6, 12, 24 and 51 types; writes docs/bench/scale.md and .png
bench-scale: $(RUN_STAMP)
	$(PY) bench/scale.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
