# The two entry points of README.md. Both set the environment up first
# (tools/setup_env.sh is idempotent: seconds when nothing changed).
VENV ?= $(if $(VIRTUAL_ENV),$(VIRTUAL_ENV),$(CURDIR)/.venv)
PYTHON := $(VENV)/bin/python
export MMDYNASEG_VENV := $(VENV)

.PHONY: setup demo test

setup:
	bash tools/setup_env.sh

demo: setup
	$(PYTHON) tools/demo.py $(ARGS)

test: setup
	$(PYTHON) -m pytest $(ARGS)
