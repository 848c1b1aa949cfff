# Two entry points (see README.md):
#   make book   build the site into _build/html (sets everything up first)
#   make test   run every test: unit tests, nbval over every chapter (smoke profile),
#               the notebook drift check, the strict site build, and the browser test
#
# Both install what they need: a virtual environment in .venv from
# requirements/lock.txt, the front-end packages from package-lock.json, and
# Chromium (Debian package) for the browser test.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Data: $VAEGAN_DATA_DIR if set, else ../shared/data when it exists (this project's machines).
VAEGAN_DATA_DIR ?= $(if $(wildcard ../shared/data/MNIST),$(abspath ../shared/data),)
export VAEGAN_DATA_DIR
# Profile of the site build (the notebooks under nbval always run in `smoke`).
BOOK_PROFILE ?= book
export MPLBACKEND := Agg
export WANDB_MODE ?= offline
export PYTHONHASHSEED := 0

.PHONY: book test setup vendor notebooks check-notebooks unit nbval build browser benchmark clean

book: setup vendor
	VAEGAN_PROFILE=$(BOOK_PROFILE) $(BIN)/jupyter-book build . --all -W -n --keep-going

test: setup vendor
	$(BIN)/python -m pytest tests -m "not browser"
	VAEGAN_PROFILE=smoke $(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:randomly notebooks
	$(MAKE) --no-print-directory build
	$(BIN)/python -m pytest tests -m browser

build:
	VAEGAN_PROFILE=$(BOOK_PROFILE) $(BIN)/jupyter-book build . --all -W -n --keep-going

setup: $(VENV)/.installed node_modules/.installed chromium

$(VENV)/.installed: requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium (Debian package) for the browser test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

vendor: node_modules/.installed
	bash scripts/vendor_assets.sh

# Regenerate the Colab notebooks from the MyST sources (one way: .md -> .ipynb).
notebooks: $(VENV)/.installed
	$(BIN)/python scripts/make_notebooks.py

benchmark: setup
	$(BIN)/python benchmarks/conv_transpose.py

clean:
	rm -rf _build book/assets/vendor
