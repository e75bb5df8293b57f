# Shortcuts for dev.py, which needs nothing but Python 3.11+ (see README's quick start).
PYTHON ?= python3
SCENARIO ?= empty-ovens

.PHONY: play test lint bench clean

play:
	$(PYTHON) dev.py play $(SCENARIO)

test:
	$(PYTHON) dev.py test

lint:
	$(PYTHON) dev.py lint

bench:
	$(PYTHON) dev.py bench

clean:
	$(PYTHON) dev.py clean
