# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
# Each creates the virtual environment in .venv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest benchmark clean system-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: the main job — a demo on the embedded local tracker
run: $(STAMP)
	$(BIN)/sop-sync demo

## test: lint, format check, strict type check, then the whole test suite
test: system-packages lint typecheck pytest

## system-packages: the Debian packages tests need (.ci/system-packages), when root with apt
system-packages:
	bash .ci/install-system-packages

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy sop_sync tests benchmarks

pytest: $(STAMP)
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
