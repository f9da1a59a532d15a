# One entry point for students, instructors and CI. Every target first creates or
# refreshes the project-local virtual environment .venv (idempotent: it reinstalls
# only when pyproject.toml or constraints.txt changed).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed
# nbgrader runs `alembic` by name, and every tool here should find the venv first.
export PATH := $(BIN):$(PATH)
# (No BLAS thread variables here: the course limits BLAS to one thread itself, on import
# of helpers, however JupyterLab or a script was started.)

.PHONY: help venv proxy workspace lab validate hub test test-fast bench bench-grading claims lint \
	notebooks release grade bundle clean roster collect feedback canvas-export archive-term \
	lti-grades

help:
	@echo "make lab        set up and open the course in JupyterLab (your copy: workspace/)"
	@echo "make validate   run every test of your notebooks in workspace/ (like Validate)"
	@echo "make hub        run the course on JupyterHub on this server, for a trial (as root)"
	@echo "make test       set up and run the whole test suite (what CI runs)"
	@echo "make bench      benchmark the reference (memorization, the LSTM against torch)"
	@echo "make claims     recompute the figures the course text quotes"
	@echo "make notebooks  rebuild source/ from course/text + the reference"
	@echo "make release    rebuild release/ from source/ with nbgrader"
	@echo "make roster     import the class list (ROSTER=students.csv)"
	@echo "make collect    put downloaded submissions into submitted/ (DOWNLOADS=folder)"
	@echo "make grade      grade every submission (see README, instructors)"
	@echo "make feedback   make the feedback pages again from the last grading run"
	@echo "make canvas-export  grades as a Canvas gradebook import (canvas_grades.csv)"
	@echo "make lti-grades grades back to the LMS over LTI AGS (the hub's course, as root)"
	@echo "make archive-term   move this term's grading state into terms/<date>/"
	@echo "make bundle     build the student bundle in dist/"
	@echo "make lint       ruff"

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is required, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

# configurable-http-proxy for JupyterHub, from npm, pinned by deploy/proxy/package-lock.json
# and installed in the project (deploy/proxy/node_modules), never globally.
PROXY_DIR   := deploy/proxy
PROXY_STAMP := $(PROXY_DIR)/node_modules/.installed

$(PROXY_STAMP): $(PROXY_DIR)/package.json $(PROXY_DIR)/package-lock.json
	npm ci --prefix $(PROXY_DIR) --no-audit --no-fund --loglevel=error
	@touch $(PROXY_STAMP)

proxy: $(PROXY_STAMP)

# `jupyter lab` refuses to start as root unless told it may (containers, many cloud VMs).
LAB_USER_ID ?= $(shell id -u)
LAB_FLAGS   := $(if $(filter 0,$(LAB_USER_ID)),--allow-root)
LAB_ARGS    ?=

# The course as students get it, in workspace/ (git-ignored, created once, never
# overwritten), so that working through it does not change the tracked release/.
workspace: venv
	$(BIN)/python -m authoring.bundle workspace --workspace

lab: workspace
	$(BIN)/jupyter lab $(LAB_FLAGS) --notebook-dir=$(CURDIR) $(LAB_ARGS) \
		workspace/notebooks/00_start_here.ipynb

validate: workspace
	$(BIN)/python -m helpers.selfcheck workspace/release/rnn

# The course on JupyterHub for a trial (deploy/README.md): accounts, environments, course and
# exchange below HUB_ROOT, then JupyterHub in the foreground. Needs root.
HUB_ROOT ?= /srv/rnn-course
hub: venv proxy
	$(BIN)/python -m deploy.hub --root $(HUB_ROOT) --auth trial

# Grades back to the LMS over LTI AGS, after grading (deploy/README.md; LTI_OPTIONS=--dry-run
# reports what would be sent). Needs root, like the hub.
LTI_OPTIONS ?=
lti-grades: venv
	$(BIN)/python -m deploy.lti_grades --root $(HUB_ROOT) $(LTI_OPTIONS)

test: venv proxy
	$(BIN)/python -m pytest

test-fast: venv
	$(BIN)/python -m pytest -m "not slow and not browser and not hub"

# The explorer first: the memorization benchmark's JSON line is the last line printed.
# torch (the optional extra "bench") is installed here only, never by make test.
bench: venv
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m bench.lstm
	$(BIN)/python -m bench.explorer
	$(BIN)/python -m bench.memorization
	$(BIN)/python -m bench.notebook

claims: venv
	$(BIN)/python -m authoring.claims
	$(BIN)/python -m authoring.build

lint: venv
	$(BIN)/ruff check .

notebooks: venv
	$(BIN)/python -m authoring.build

release: venv
	$(BIN)/python -m authoring.build --release

bench-grading: venv
	$(BIN)/python -m bench.grading

# Blackboard's file times are its server's local time: its receipts state the zone; where
# they do not, LMS_TIMEZONE (else nbgrader_config.py's c.LmsCollector.lms_timezone) does.
LMS_TIMEZONE ?=
LMS_ZONE_OPTION := $(if $(LMS_TIMEZONE),--lms-timezone=$(LMS_TIMEZONE))

SUBMISSIONS ?= submitted
grade: venv
	$(BIN)/python -m autograder.grade $(SUBMISSIONS) $(LMS_ZONE_OPTION) $(GRADE_OPTIONS)

ROSTER ?= students.csv
roster: venv
	$(BIN)/python -m autograder.roster import $(ROSTER)

DOWNLOADS ?= downloads
collect: venv
	$(BIN)/python -m autograder.collect $(DOWNLOADS) --write $(LMS_ZONE_OPTION)

feedback: venv
	$(BIN)/python -m autograder.feedback

canvas-export: venv
	$(BIN)/nbgrader export --exporter=autograder.lms_export.canvas.CanvasExportPlugin \
		--to=canvas_grades.csv

# A new term starts from an empty gradebook: this term's state is moved, never deleted.
TERM_STATE := gradebook.db submitted autograded feedback downloaded grading grades.csv \
	canvas_grades.csv
archive-term:
	@dest=terms/$$(date +%Y-%m-%d-%H%M%S); mkdir -p $$dest; \
	for p in $(TERM_STATE); do if [ -e $$p ]; then mv $$p $$dest/; fi; done; \
	echo "this term's grading state is now in $$dest"

bundle: venv
	$(BIN)/python -m authoring.bundle dist/student-bundle

clean:  # keeps workspace/, which holds your work
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts dist
