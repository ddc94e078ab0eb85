# The README's two commands: `make run` and `make test`. Everything they need is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.installed
NODE_STAMP := frontend/node_modules/.installed
DIST := frontend/dist/index.html
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig*.json -type f 2>/dev/null)

.PHONY: run test setup services lint typecheck api-types api-types-check pytest frontend-test bench chromium clean

run: setup
	@$(PY) scripts/serve.py

test: setup chromium lint typecheck
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest
	cd frontend && npm test

setup: $(VENV_STAMP) $(DIST) services
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py seed_demo

services: $(VENV_STAMP)
	@$(PY) scripts/devenv.py ensure

$(VENV_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

$(NODE_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && npm install --no-audit --no-fund
	@touch $@

$(DIST): $(NODE_STAMP) $(FRONTEND_SOURCES)
	cd frontend && npm run build
	@touch $@

chromium:
	@command -v chromium >/dev/null || { echo "[modulebench] installing Chromium for browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV_STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports  # the layers of DESIGN §1 ([tool.importlinter] in pyproject.toml)

typecheck: $(VENV_STAMP) api-types-check
	$(PY) -m mypy .
	cd frontend && npm run typecheck

# The frontend's API types, generated from the serializers: openapi.yaml and schema.ts in frontend/src/api.
api-types: $(VENV_STAMP) $(NODE_STAMP)
	$(PY) scripts/api_types.py

api-types-check: $(VENV_STAMP) $(NODE_STAMP)
	@$(PY) scripts/api_types.py --check

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist
