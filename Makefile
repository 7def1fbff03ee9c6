# Two entry points, as the README's quick start says:
#   make lab   - set up a virtual environment and start the course in JupyterLab
#   make test  - set up everything the tests need and run them (CI runs this)
#   make test-fast - the contributor's loop: all but the slow tests (kernels, browsers, builds, other processes)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: lab test test-fast setup setup-test check bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test
	bash scripts/system-deps.sh
	$(BIN)/ankl-course assets

lab: setup
	$(BIN)/ankl-course lab $(ARGS)

test: setup-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The slow tests start kernels (every notebook under nbval), browsers, builds or other processes
# (the grader's workers, the CLI, Node, mypy); `make test` runs them all.
# Only tests/: every notebook runs under nbval, which is slow, so collecting them would only cost time.
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests -m "not slow" -q $(PYTEST_ARGS)

check: setup
	$(BIN)/ankl-course check

bench: setup-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) ankl-course-work site
