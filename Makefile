# The course's two commands:  make lab   and   make test
# Both create .venv when it is missing and install the package with its pinned
# dependencies (constraints.txt); a second run skips what is already done.

PYTHON    ?= python3
VENV      ?= .venv
BIN        = $(VENV)/bin
STAMP      = $(VENV)/.se-tutorial-installed
LAB_ARGS  ?=
PYTEST_ARGS ?=

.PHONY: lab test install unit notebooks benchmark colab clean help

help:
	@echo "make lab    - set up .venv and open JupyterLab on notebooks/ (LAB_ARGS=--no-browser on a server)"
	@echo "make test   - set up .venv, run the unit tests and every notebook through nbval"
	@echo "make colab  - rewrite the Colab badges and set-up cells from pyproject.toml"
	@echo "make benchmark - time SEBlock against torchvision's and timm's SE modules"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[lab,test]"
	@touch $@

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

unit: install
	$(BIN)/python -m pytest tests $(PYTEST_ARGS)

notebooks: install
	$(BIN)/python -m pytest --nbval --nbval-current-env notebooks $(PYTEST_ARGS)

test: install
	$(BIN)/python -m pytest --nbval --nbval-current-env tests notebooks $(PYTEST_ARGS)

benchmark: install
	$(BIN)/python benchmarks/se_block.py

colab: install
	$(BIN)/python scripts/colab.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
