# Two entry points (see README.md):
#   make book   build the site into _build/html (sets everything up first)
#   make test   run every test: unit tests, nbval over every chapter (smoke profile),
#               the notebook drift check, the strict site build (smoke profile), and the browser test
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
# Profile of the site build: `make book` builds the website in `book` (real training, the numbers the
# pages assert); `make test` builds the site in $(TEST_SITE_PROFILE) to check the build and the browser,
# as CI does (`make test TEST_SITE_PROFILE=book` also runs every book-profile assertion; about 8 more minutes).
BOOK_PROFILE ?= book
TEST_SITE_PROFILE ?= smoke
# No MPLBACKEND here: set to Agg it would replace the Jupyter kernels' inline backend, and
# plt.show() in a chapter would then put no figure on the page (tests/test_browser.py checks).
unexport MPLBACKEND
export WANDB_MODE ?= offline
export PYTHONHASHSEED := 0
# The colab-like environment of `make test` (stage 2): rebuilt at every run.
COLAB_DIR ?= _build/colab
# `make test` times each stage (scripts/timed.sh) and prints the times at its end.
STAGE_LOG := _build/stage-times.txt
TIMED := STAGE_LOG=$(STAGE_LOG) scripts/timed.sh

.PHONY: book test test-package test-site setup chromium vendor notebooks build data benchmark clean

book:
	$(MAKE) --no-print-directory -j3 setup vendor
	$(MAKE) --no-print-directory build

test:
	@test -n "$$VAEGAN_DATA_DIR" || { echo "set VAEGAN_DATA_DIR to a folder with MNIST/raw and celeba/ (or run \`make data\` online)"; exit 1; }
	@mkdir -p _build && rm -f $(STAGE_LOG)
	# 0. set-up: the virtual environment, the front-end packages and Chromium at once (three jobs)
	$(TIMED) "0. set-up" $(MAKE) --no-print-directory -j3 setup vendor
	# 1-4. two lanes at once, their lines prefixed with their lane, each lane's stages in turn:
	#      [package] 1. the unit tests, then 2. every chapter executed as a Colab learner runs it, under nbval;
	#      [site]    3. the strict site build, which executes every chapter a second time, then 4. the browser test.
	#      One torch thread per process: a kernel spends much of a chapter waiting on one core, the browser
	#      test mostly waits on pages, and the lanes fill each other's gaps (README, "Tests and their times")
	$(MAKE) --no-print-directory -j2 test-package test-site || { echo "make test: a stage failed:"; cat $(STAGE_LOG); exit 1; }
	@echo "make test: every stage passed, in"; cat $(STAGE_LOG)

# Lane [package] of `make test`:
# 1. the unit tests, in two worker processes (pytest-xdist), one torch thread each (two workers with two
#    threads each would oversubscribe the two cores; measured: 110 s against 162 s serial, 251 s so);
# 2. a fresh environment with only torch, torchvision and a kernel, the package pip-installed from this
#    clone as the first cell does, the notebooks copied out of the repository, the data in the user cache;
#    every chapter executed there under nbval (smoke profile). COLAB_PYTEST_ARGS go to that pytest run
#    (`make test-package COLAB_PYTEST_ARGS="-k 01_transposed"`: one chapter).
test-package:
	@set -o pipefail; { $(TIMED) "1. unit tests" env VAEGAN_PROFILE=smoke OMP_NUM_THREADS=1 \
	  $(BIN)/python -m pytest tests -m "not browser" -n 2 --durations=20 \
	  && $(TIMED) "2. Colab path (nbval)" env VAEGAN_PROFILE=smoke OMP_NUM_THREADS=1 PYTHONUNBUFFERED=1 \
	  $(BIN)/python scripts/colab_env.py $(COLAB_DIR)/env --home $(COLAB_DIR)/home --run-notebooks \
	  $(if $(COLAB_PYTEST_ARGS),-- $(COLAB_PYTEST_ARGS)); } 2>&1 | sed -u 's/^/[package] /'

# Lane [site] of `make test`: 3. the strict site build in the $(TEST_SITE_PROFILE) profile, then 4. the built
# site in headless Chromium (three pages at a time: tests/browser/check_site.mjs).
test-site:
	@set -o pipefail; { $(TIMED) "3. strict site build" env OMP_NUM_THREADS=1 $(MAKE) --no-print-directory build BOOK_PROFILE=$(TEST_SITE_PROFILE) \
	  && $(TIMED) "4. browser" $(BIN)/python -m pytest tests -m browser; } 2>&1 | sed -u 's/^/[site] /'

build:
	VAEGAN_PROFILE=$(BOOK_PROFILE) $(BIN)/jupyter-book build . --all -W -n --keep-going

setup: $(VENV)/.installed node_modules/.installed chromium

$(VENV)/.installed: requirements/lock.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	# Byte-compiled afterwards on every core instead of by pip, one file at a time (measured: 28 s against 47 s).
	# Compiled all the same: where PYTHONDONTWRITEBYTECODE is set (as on this project's CI machines), an
	# uncompiled environment would compile torch again at every import (measured: +2.5 min). torch ships one
	# test file written for Python 3.12, which no 3.11 compiles (pip skips it silently; here it is named).
	$(BIN)/python -m pip install --quiet --no-compile -r requirements/lock.txt
	$(BIN)/python -m compileall -q -j 0 -x '/torch/testing/_internal/py312_intrinsics\.py$$' $(VENV)/lib >/dev/null
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@test -n "$$CHROMIUM_PATH" || command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium (Debian package) for the browser test"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi; }

vendor: node_modules/.installed
	bash scripts/vendor_assets.sh

# Regenerate the Colab notebooks from the MyST sources (one way: .md -> .ipynb).
notebooks: $(VENV)/.installed
	$(BIN)/python scripts/make_notebooks.py

# Online only: download MNIST and 6,000 CelebA faces into $$VAEGAN_DATA_DIR (or the user cache).
data: $(VENV)/.installed
	$(BIN)/python -c "from vaegan.core import data; data.mnist(); data.celeba(download_limit=6000); print('data in', data.data_dir())"

benchmark: setup
	$(BIN)/python benchmarks/conv_transpose.py
	$(BIN)/python benchmarks/autoencoder_trainer.py
	$(BIN)/python benchmarks/dcgan_trainer.py
	@test -d _build/html/book/chapters || $(MAKE) build
	$(BIN)/python benchmarks/live_explorers.py

clean:
	rm -rf _build book/assets/vendor
