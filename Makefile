# rnn-course: build the book, run every check, and a few conveniences.
#
#   make book    create .venv, install the book tools, execute every chapter and
#                build the HTML into _build/html (open _build/html/index.html)
#   make test    create .venv with the test tools and run every check
#   make lab     open the notebooks in JupyterLab
#   make bench   run the speed benchmarks
#   make grade   grade a folder of submitted exercise notebooks into a CSV
#   make clean   remove build outputs (keeps .venv; `make distclean` removes it too)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PYTEST_ARGS ?=
SUBMISSIONS ?= submissions
GRADES ?= grades.csv

# The exact command that builds the book: -W turns every warning (a failed cell
# included) into an error, -n reports broken references, --keep-going lists them all,
# --all re-reads every page so that a failure is reported again on the next build
# (Sphinx would otherwise skip an unchanged page and its warnings). Notebooks that ran
# cleanly still come from the execution cache; a failed one is executed again.
JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going --all
LIB_SOURCES := $(wildcard lib/*.py)

.DEFAULT_GOAL := help
.PHONY: help book test lint lab bench grade clean distclean

help:
	@sed -n '2,10p' Makefile | sed 's/^# \{0,1\}//'

# --- virtual environment ------------------------------------------------------------
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "rnn-course needs Python 3.10 or newer; run make PYTHON=python3.X")'
	$(PYTHON) -m venv $(VENV) || { echo "could not create $(VENV): on Debian/Ubuntu install python3-venv"; rm -rf $(VENV); exit 1; }
	$(PIP) install --upgrade pip setuptools wheel

# One stamp per set of extras, each remade when pyproject.toml changes, so that
# `make book` followed by `make test` installs only what is missing.
$(VENV)/.book-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[book]'
	@touch $@

# torch first and pinned on its own: pip then takes the local CPU wheel (or the
# registry's build for this platform) before anything can ask for a newer torch.
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[test]'
	@touch $@

$(VENV)/.lab-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[book,lab]'
	@touch $@

# The execution cache knows a notebook's code, not the library it imports: forget the
# cached outputs whenever lib/ changes, so that every chapter runs on the current lib.
_build/.lib-stamp: $(LIB_SOURCES) pyproject.toml
	rm -rf _build/.jupyter_cache
	@mkdir -p _build
	@touch $@

# --- targets ------------------------------------------------------------------------
book: $(VENV)/.book-installed _build/.lib-stamp
	$(JB_BUILD)
	@echo "Book built: open _build/html/index.html"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lab: $(VENV)/.lab-installed
	$(BIN)/jupyter lab

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/run.py

grade: $(VENV)/.test-installed
	$(BIN)/python -m exercises.grade $(SUBMISSIONS) $(GRADES)

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info
