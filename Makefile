# Two commands on a fresh machine with only Python: `make test` and `make run`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test run lint format bench bench-load eval messages mutation clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/python -m pytest

run: $(STAMP)
	$(BIN)/amzerror kb build
	$(BIN)/amzerror serve

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format bot tests benchmarks
	$(BIN)/ruff check --fix bot tests benchmarks

eval: $(STAMP)
	$(BIN)/amzerror eval tests/data/devset.jsonl

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_matcher.py

bench-load: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py

# After changing a sentence in bot/ or templates/: new ids go to locale/*.po, to translate.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --omit-header --sort-output -o locale/amzerror.pot .
	$(BIN)/pybabel update -i locale/amzerror.pot -d locale -D amzerror --no-fuzzy-matching --ignore-obsolete --ignore-pot-creation-date -w 100

# Not part of `make test`: minutes of CPU. MODULES=verify runs one (see the script).
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,mutation]'
	$(BIN)/python benchmarks/mutation.py $(MODULES)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mutation
