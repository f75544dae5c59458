# Two commands set up a fresh machine: `make demo` runs the main job, `make test` the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | $(PYTHON) -c "import hashlib,sys;print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest()[:12])")

.PHONY: demo test lint typecheck unit bench fuzz clean browser postgres

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	# mesa-frames 0.1.0a0 pins numpy~=1.26 but runs on numpy 2: installed without its pins
	# (its dependencies, polars and pandas, are in pyproject.toml)
	$(BIN)/python -m pip install --quiet --no-deps --pre 'mesa-frames==0.1.0a0'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/planlab demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# The browser tests drive Debian's Chromium; install it when it is missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null || ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium)

# The council's tests start a throwaway PostgreSQL cluster with Debian's server binaries
# (initdb, pg_ctl); install them when they are missing.
postgres:
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || test -x "$$(pg_config --bindir 2>/dev/null)/initdb" || ($(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)

unit: $(STAMP) browser postgres
	$(BIN)/python -m pytest -q

test: lint typecheck unit

# The fuzz suites at length: FUZZ_SCALE times the input cases of `make test` (10^4, freshly
# random) and FUZZ_EXAMPLES mutated scenarios.
FUZZ_SCALE ?= 30
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	PLANLAB_FUZZ_SCALE=$(FUZZ_SCALE) $(BIN)/python -m pytest tests/test_fuzz_inputs.py -q -p no:cacheprovider --hypothesis-show-statistics
	PLANLAB_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/test_fuzz_scenarios.py -q -p no:cacheprovider --hypothesis-show-statistics

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/households.py --households 1000000 --months 12

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
