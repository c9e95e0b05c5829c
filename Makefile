# rnn-course: build the book, run every check, and a few conveniences.
#
#   make book    create .venv, install the book tools and (npm ci) the scripts the
#                pages serve themselves, execute every chapter and build the HTML into
#                _build/html (open _build/html/index.html; it reads offline)
#   make test    create .venv with the test tools and run every check
#   make lab     open the notebooks in JupyterLab
#   make bench   run the speed benchmarks
#   make test-gpu  on a machine with an NVIDIA GPU: CuPy, the GPU tests and GPU benchmarks
#   make grade   grade a folder of submitted exercise notebooks into a CSV
#   make autograders   one Gradescope autograder zip per exercise, in _build/autograders
#   make clean   remove build outputs (keeps .venv; `make distclean` removes it too)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
PYTEST_ARGS ?=
SUBMISSIONS ?= submissions
GRADES ?= grades.csv
GRADE_ARGS ?=

# The exact command that builds the book: -W turns every warning (a failed cell
# included) into an error, -n reports broken references, --keep-going lists them all,
# --all re-reads every page so that a failure is reported again on the next build
# (Sphinx would otherwise skip an unchanged page and its warnings). Notebooks that ran
# cleanly still come from the execution cache; a failed one is executed again.
JB_BUILD := $(BIN)/jupyter-book build . -W -n --keep-going --all
LIB_SOURCES := $(wildcard lib/*.py)

.DEFAULT_GOAL := help
.PHONY: help book test test-gpu lint lab bench grade clean distclean autograders wheelhouse bench-grading

help:
	@sed -n '2,13p' Makefile | sed 's/^# \{0,1\}//'

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

# MathJax, require.js and the ipywidgets HTML manager, from the npm registry at the
# versions of js/package-lock.json; book/_ext/offline_assets.py copies what the pages
# need into _build/html/_static/offline/. Without npm (or when `npm ci` fails) the book
# still builds, and its pages load these scripts from CDNs (see the README).
NPM_STAMP := js/node_modules/.rnn-course-installed
$(NPM_STAMP): js/package.json js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		echo "npm ci in js/: MathJax, require.js and the widget manager for offline reading"; \
		if (cd js && npm ci --ignore-scripts --no-audit --no-fund); then touch $@; \
		else echo "WARNING: npm ci failed in js/: the pages will load MathJax, require.js and the widget manager from CDNs (they need the network)."; fi; \
	else \
		echo "WARNING: npm (Node.js) not found: the book still builds, but its pages will load MathJax, require.js and the ipywidgets manager from CDNs, so reading it needs the network. Install Node.js and npm, then run make book again to serve them from the book."; \
	fi

# --- targets ------------------------------------------------------------------------
book: $(VENV)/.book-installed _build/.lib-stamp $(NPM_STAMP)
	$(JB_BUILD)
	@echo "Book built: open _build/html/index.html"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The browser tests (tests/browser) open _build/html and build it (`make book`) when it is
# missing or older than its sources; the npm step comes first so that it reads offline.
test: lint $(NPM_STAMP) $(WHEELHOUSE)/.complete
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything that needs an NVIDIA GPU (CI has none, so there these cases skip and say
# why): CuPy from the gpu extra, the tests marked gpu (lib on CuPy equal to NumPy and to
# torch, no host transfer per step, chapters on LIB_BACKEND=cupy), then lib on CuPy
# against cuDNN. On CUDA 13: make test-gpu GPU_INSTALL=cupy-cuda13x
GPU_INSTALL ?= -e '.[gpu]'
test-gpu: $(VENV)/.test-installed
	$(PIP) install $(GPU_INSTALL)
	$(BIN)/python -m pytest -m gpu -rs $(PYTEST_ARGS)
	$(BIN)/python benchmarks/run.py --gpu-only

lab: $(VENV)/.lab-installed
	$(BIN)/jupyter lab

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/widgets.py
	$(BIN)/python benchmarks/book.py

# Grading needs the book tools only (IPython, NumPy), not the test extras. Each notebook
# runs in its own sandboxed process; see exercises/grade.py and README "Grading".
# GRADE_ARGS passes options, e.g. GRADE_ARGS="--jobs 4 --timeout 300 --memory-mb 4096".
grade: $(VENV)/.book-installed
	$(BIN)/python -m exercises.grade $(SUBMISSIONS) $(GRADES) $(GRADE_ARGS)

# --- Gradescope autograders ---------------------------------------------------------------
# One self-contained otter autograder zip per exercise (exercises/autograder.py).
AUTOGRADERS ?= _build/autograders
autograders: $(VENV)/.test-installed
	$(BIN)/python -m exercises.autograder $(AUTOGRADERS)

# Wheels of everything the autograders' requirements pin (otter-grader included),
# fetched once: tests/exercises/test_autograder.py installs them into a fresh virtual
# environment with --no-index, offline, as Gradescope would install them from the zip.
WHEELHOUSE := $(VENV)/wheelhouse
$(WHEELHOUSE)/.complete: $(VENV)/.test-installed
	@mkdir -p $(WHEELHOUSE)
	$(BIN)/python -m exercises.autograder --requirements > $(WHEELHOUSE)/requirements.txt
	$(PIP) wheel -q -w $(WHEELHOUSE) -r $(WHEELHOUSE)/requirements.txt
	@touch $@
wheelhouse: $(WHEELHOUSE)/.complete

# Grading at class size: 300 generated submissions, notebooks per minute and peak memory.
bench-grading: $(VENV)/.test-installed
	$(BIN)/python benchmarks/grading.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info js/node_modules
