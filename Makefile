# The course's two commands:  make lab   and   make test
# Both create .venv when it is missing and install the package with its pinned
# dependencies (constraints.txt); a second run skips what is already done.

PYTHON    ?= python3
VENV      ?= .venv
BIN        = $(VENV)/bin
STAMP      = $(VENV)/.se-tutorial-installed
LAB_ARGS  ?=
ROOT_ARGS  = $(if $(filter 0,$(shell id -u)),--allow-root)
PYTEST_ARGS ?=

.PHONY: lab test test-deps test-kernels test-offline lint install data checkpoints experiments experiments-07 unit notebooks execute benchmark colab assignments grade html test-browser clean help
.PHONY: hooks test-colab test-pythons test-kernels-notebooks test-kernels-solutions

# Training settings of the shipped checkpoints (data/checkpoints/manifest.json records the exact commands).
EPOCHS    ?= 20
TRAIN      = $(BIN)/python -m se_tutorial.train --epochs $(EPOCHS) --seed 0 --no-progress --force

help:
	@echo "make lab    - set up .venv and open JupyterLab on notebooks/ (LAB_ARGS=--no-browser on a server)"
	@echo "make test   - set up .venv, run the unit tests and every notebook through nbval"
	@echo "make test-kernels - the notebooks and the reproducibility tests again under other CPU kernels (another machine)"
	@echo "make test-kernels-notebooks - its first half: the course's notebooks and the reproducibility tests"
	@echo "make test-kernels-solutions - its second half: the solution notebooks"
	@echo "make test-offline - make test (unit tests and notebooks) in a network namespace with loopback only (no network at all)"
	@echo "make lint   - ruff (lint and format check) and the notebooks' metadata (kernel, no timing); pre-commit runs the same hooks"
	@echo "make hooks  - run the pre-commit hooks on every file (they must change nothing)"
	@echo "make html   - the course as a website (Sphinx), from the outputs stored in the notebooks, offline: build/html/index.html"
	@echo "make test-browser - make html, then check the site and notebook 06 in JupyterLab in headless chromium (screenshots in build/screenshots/)"
	@echo "make test-colab - rebuild Colab's runtime (Python 3.13, its torch, ipywidgets 7.7.1 ...) and run every notebook and assignment as on Colab"
	@echo "make test-pythons [FULL=1] - pip refuses 3.10; the package imports on 3.11, installs and imports on 3.12 (FULL=1), resolves on 3.13 (imported in Colab's runtime if built)"
	@echo "make data   - obtain Fashion-MNIST into data/ (Debian's package, no root needed, or a download)"
	@echo "make checkpoints - re-train the shipped plain and SE small ResNets (SE: about 14 minutes on 2 quiet cores)"
	@echo "make experiments - re-run every experiment of docs/experiments.md into data/results/ (hours; resumable, with progress bars)"
	@echo "make experiments-07 - the short-budget runs of notebook 07 (modules beyond SE) and their costs (about 25 minutes)"
	@echo "make execute [NB=notebooks/NAME.ipynb] - re-run notebooks in a fresh kernel and store their outputs"
	@echo "make colab  - rewrite the Colab badges and set-up cells from pyproject.toml"
	@echo "make assignments [COURSE=assignments] - write the student versions of the assignments into COURSE/release/ (nbgrader)"
	@echo "make grade A=NAME [COURSE=assignments] [TIMEOUT=120] - autograde every submission of NAME, each in a sandbox (bwrap); report in COURSE/reports/"
	@echo "make benchmark - run every benchmark in benchmarks/: SEBlock against torchvision's and timm's, capture's overhead, import time, training throughput"
	@echo "make unit   - the unit tests only (tests/)"
	@echo "make notebooks - the notebooks only, through nbval"
	@echo "make install - create .venv and install the package with its pinned dependencies"
	@echo "make test-deps - install everything make test needs (the teaching and site extras, Fashion-MNIST) and run nothing"
	@echo "make clean  - remove .venv, build/ and the caches"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lab,test]"
	@touch $@

install: $(STAMP)

# nbgrader, for the assignments and their grading test: installed by the targets that need it,
# so that a student's `make lab` shows no teacher's menus.
TEACH_STAMP = $(VENV)/.se-tutorial-teach-installed

$(TEACH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[teach]"
	@touch $@

# Sphinx, myst-nb and the book theme, for make html and its test (tests/test_html.py).
DOCS_STAMP = $(VENV)/.se-tutorial-docs-installed

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[docs]"
	@touch $@

DATA_STAMP = data/FashionMNIST/raw/t10k-labels-idx1-ubyte

$(DATA_STAMP): | $(STAMP)
	$(BIN)/python -m se_tutorial.data

data: $(DATA_STAMP)

checkpoints: install data
	$(TRAIN) --se standard --out data/checkpoints/se_small_resnet.pt --name se_small_resnet
	$(TRAIN) --se none --out data/checkpoints/plain_small_resnet.pt --name plain_small_resnet

# The student's lab: jupyter/student/ turns off nbgrader's menus and pages (installed for teachers by
# make test) and JupyterLab's news pop-up; a teacher runs `$(BIN)/jupyter lab` for the formgrader.
STUDENT_LAB = JUPYTER_CONFIG_PATH=$(CURDIR)/jupyter/student$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}
lab: install data
	$(STUDENT_LAB) $(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_ARGS) $(LAB_ARGS)

unit: test-deps
	$(BIN)/python -m pytest tests $(PYTEST_ARGS)

notebooks: install data
	$(BIN)/python -m pytest --nbval --nbval-current-env notebooks $(PYTEST_ARGS)

# What make test needs (.venv with the test, teaching and site extras; Fashion-MNIST), without running it.
test-deps: install data $(TEACH_STAMP) $(DOCS_STAMP)

test: test-deps
	$(BIN)/python -m pytest --nbval --nbval-current-env tests notebooks $(PYTEST_ARGS)

# Another machine, stood in for by other CPU kernels: no AVX (ATEN_CPU_CAPABILITY=default), oneDNN limited
# to SSE4.1 and one thread. The notebooks must print the same stored outputs, and the training runs must
# repeat themselves bit for bit and reproduce the stored results within their tolerances (about 9 minutes on 2 cores). This pass also
# gives notebook 06 cached (random) ImageNet weights, whose section must print what it prints without them.
OTHER_KERNELS = ATEN_CPU_CAPABILITY=default DNNL_MAX_CPU_ISA=SSE41 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
FAKE_TORCH_HOME = build/fake-torch-home
KERNELS_PYTEST = TORCH_HOME=$(abspath $(FAKE_TORCH_HOME)) $(OTHER_KERNELS) $(BIN)/python -m pytest --nbval --nbval-current-env
$(FAKE_TORCH_HOME): | $(STAMP)
	$(BIN)/python tests/fake_imagenet_cache.py $(FAKE_TORCH_HOME) > /dev/null
# Two single-threaded halves, which `make -j` runs side by side: the course's notebooks with the
# reproducibility tests, and the solution notebooks.
test-kernels: test-kernels-notebooks test-kernels-solutions
test-kernels-notebooks: install data $(FAKE_TORCH_HOME)
	$(KERNELS_PYTEST) notebooks/*.ipynb tests/test_experiments.py -k "ipynb or within_tolerance or bit_identical" $(PYTEST_ARGS)
test-kernels-solutions: install data $(FAKE_TORCH_HOME)
	$(KERNELS_PYTEST) notebooks/solutions $(PYTEST_ARGS)

# make test with no network at all: everything it needs is installed first (with the network), then
# make test runs in a network namespace whose only interface is loopback (needs root, or unprivileged user
# namespaces for --map-root-user). Tests that need a package registry are marked `registry` and skip,
# saying so (CI runs them with the network: make unit PYTEST_ARGS="-m registry").
UNSHARE = unshare --net $(if $(filter 0,$(shell id -u)),,--map-root-user)
test-offline: test-deps
	$(UNSHARE) sh -c 'ip link set lo up && $(MAKE) --no-print-directory test PYTEST_ARGS="-rs $(PYTEST_ARGS)"'

# The course's style: ruff lints the Python files and the notebooks and checks the Python files' format
# (configuration in pyproject.toml), and the notebooks' metadata is normalised (scripts/normalise_notebooks.py).
# Fix with: $(BIN)/ruff check --fix . && $(BIN)/ruff format . && $(BIN)/python scripts/normalise_notebooks.py
# (or install the same checks as git hooks: $(BIN)/pre-commit install; CONTRIBUTING.md).
LINT_STAMP = $(VENV)/.se-tutorial-lint-installed

$(LINT_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lint]"
	@touch $@

lint: $(LINT_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/normalise_notebooks.py --check

# The pre-commit hooks (.pre-commit-config.yaml) on every file, in environments of their own (from PyPI, kept
# in build/pre-commit): they must change nothing.
hooks: $(LINT_STAMP)
	PRE_COMMIT_HOME=$(abspath build/pre-commit) $(BIN)/pre-commit run --all-files --show-diff-on-failure

# The course as a website, from the outputs stored in the notebooks (nothing is executed): Sphinx with
# myst-nb and the book theme, settings in docs/conf.py; every warning is an error.
html: install $(DOCS_STAMP)
	$(BIN)/python -m sphinx -b html -c docs -E -W --keep-going -q -d build/doctrees . build/html
	@echo "the site: build/html/index.html"

# A student's view in a real browser: Debian's chromium (apt-get install chromium), driven by playwright.
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP = $(VENV)/.se-tutorial-browser-installed

$(BROWSER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[browser]"
	@touch $@

test-browser: install data html $(BROWSER_STAMP)
	@test -x $(CHROMIUM) || { echo "make test-browser needs chromium: apt-get install chromium, or CHROMIUM=/path/to/it"; exit 1; }
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -s browser_tests $(PYTEST_ARGS)

# The experiments of docs/experiments.md, in the order of their importance: the primary comparison (plain,
# SE and SE starting open: 18 runs of 55,000 images x 5 epochs), the cue task (10 runs), the secondary arms
# (50 runs of 30,000 images x 3 epochs), then the short budget (the speed of early training: notebooks 05
# and 07) and the tiny budget the tests re-run. Progress bars show each part; interrupted, run it again:
# finished seeds are kept (--resume). The wall time of each part is in docs/experiments.md.
experiments: install data
	$(BIN)/python -m se_tutorial.experiments --suite primary --budget primary --resume --out data/results/
	$(BIN)/python -m se_tutorial.experiments --suite cue --budget cue --resume --out data/results/
	$(BIN)/python -m se_tutorial.experiments --suite secondary --budget secondary --resume --out data/results/
	$(BIN)/python -m se_tutorial.experiments --suite 05 --budget short --resume --out data/results/
	$(BIN)/python -m se_tutorial.experiments --suite 05 --budget tiny --resume --out data/results/
	$(MAKE) experiments-07

# The short-budget runs behind notebook 07 (plain, SE and the modules beyond SE; plain and SE are kept when
# stored), then their parameters, MACs and CPU latency into data/results/costs.json (run it on a quiet machine).
experiments-07: install data
	$(BIN)/python -m se_tutorial.experiments --suite 07 --resume --budget tiny --out data/results/
	$(BIN)/python -m se_tutorial.experiments --suite 07 --resume --costs --budget short --out data/results/

# Re-run notebooks top to bottom in a fresh kernel and store their outputs: make execute [NB=notebooks/01_squeeze.ipynb]
NB ?= notebooks/*.ipynb notebooks/solutions/*.ipynb
execute: install data
	for nb in $(NB); do $(BIN)/jupyter nbconvert --to notebook --execute --inplace --NotebookClient.record_timing=False $$nb \
	  && $(BIN)/python scripts/normalise_notebooks.py $$nb > /dev/null || exit 1; done

# The student versions of the assignments: no solutions, no hidden tests (docs/teaching.md).
# COURSE: the course folder (nbgrader_config.py, source/), assignments/ unless you keep a private copy.
COURSE ?= assignments
ASSIGNMENTS = $(notdir $(wildcard $(COURSE)/source/*))
assignments: install $(TEACH_STAMP)
	cd $(COURSE) && for a in $(ASSIGNMENTS); do \
	  PATH="$(abspath $(BIN)):$$PATH" nbgrader generate_assignment $$a --force --log-level=WARN || exit 1; done

# Grading: each student's notebook runs in a bubblewrap sandbox (apt-get install bubblewrap), away from
# the hidden tests, the gradebook and your files (scripts/grade.py). TIMEOUT: seconds a cell may run;
# GRADE_ARGS: more options of scripts/grade.py, e.g. GRADE_ARGS="--student alice bob".
grade: install data $(TEACH_STAMP)
	@test -n "$(A)" || { echo "make grade needs the assignment: make grade A=NAME, NAME one of: $(ASSIGNMENTS)"; exit 1; }
	$(BIN)/python scripts/grade.py $(A) --course $(COURSE) $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(GRADE_ARGS)

# Every benchmark in benchmarks/ (each prints its figures; none is a test).
benchmark: install data
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

colab: install
	$(BIN)/python scripts/colab.py

# Colab's runtime rebuilt on this machine from its published versions (tests_colab/colab-requirements.txt):
# every set-up cell clones a local stand-in of this repository, every notebook and reference solution runs
# top to bottom, every student version up to its first unanswered part (tests_colab/test_colab.py).
# The environment (4.7 GB: PyPI's CUDA build of torch, run on the CPU) is built once and kept in COLAB_VENV;
# pip keeps no second copy of its downloads in its cache (--no-cache-dir).
pyfind = $(firstword $(wildcard $(HOME)/.pyenv/versions/$(1).*/bin/python3 /usr/local/bin/python$(1) /usr/bin/python$(1)))
COLAB_PYTHON ?= $(call pyfind,3.13)
COLAB_VENV   ?= build/colab-venv
COLAB_STAMP   = $(COLAB_VENV)/.colab-installed

$(COLAB_STAMP): tests_colab/colab-requirements.txt
	@test -n "$(COLAB_PYTHON)" || { echo "make test-colab needs Python 3.13 (Colab's): COLAB_PYTHON=/path/to/python3.13"; exit 1; }
	rm -rf $(COLAB_VENV)
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_VENV)/bin/python -m pip install --quiet --no-cache-dir -r tests_colab/colab-requirements.txt
	@touch $@

test-colab: data $(COLAB_STAMP)
	$(COLAB_VENV)/bin/python -m pytest -p no:cacheprovider tests_colab $(PYTEST_ARGS)

# The supported Pythons (requires-python): scripts/test_pythons.sh says what is checked on each.
test-pythons: install
	PYTHON310="$(call pyfind,3.10)" PYTHON311=$(BIN)/python PYTHON312="$(call pyfind,3.12)" \
	  PYTHON313="$(call pyfind,3.13)" COLAB_VENV=$(COLAB_VENV) bash scripts/test_pythons.sh

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
