# Stormdrill developer commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3
SCENARIO ?= empty-ovens
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: play test lint check bench calibrate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Set up (first time) and start the trainee console on the default scenario.
play: $(STAMP)
	$(BIN)/stormdrill play $(SCENARIO)

## Set up (first time) and run everything CI runs: lint, types, import contracts, tests, calibration.
test: $(STAMP)
	$(BIN)/ruff check sim scoring tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/stormdrill validate scenarios
	$(BIN)/python -m pytest -q -n 2
	$(BIN)/stormdrill calibrate --quiet scenarios

lint: $(STAMP)
	$(BIN)/ruff check sim scoring tests bench
	$(BIN)/ruff format --check sim scoring tests bench

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache
