# The two commands of a fresh machine: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DIR ?= .oogst-demo

.PHONY: install bytecode browser servers scale demo demo-no-serve test bench clean

# Debian's python3 has no venv module until python3-venv is installed: as root, apt installs it.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "oogst needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV) || { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && \
	  rm -rf $(VENV) && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
	  $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)
	@$(MAKE) --no-print-directory bytecode

# The project's own modules compiled ahead (an editable install does not, and where
# PYTHONDONTWRITEBYTECODE is set nothing ever writes them): every `oogst` command starts about
# 0.2 s sooner. Incremental: only changed files are compiled again.
bytecode:
	@$(BIN)/python -m compileall -q -x '(^|/)\.(venv|oogst-demo|git)(/|$$)' . >/dev/null

demo: install
	$(BIN)/oogst --data-dir $(DEMO_DIR) demo

demo-no-serve: install
	$(BIN)/oogst --data-dir $(DEMO_DIR) demo --no-serve

# Chromium for the browser tests (tests/test_pages.py) comes from Debian, never from a test
# tool's own download. Nothing to do when it is there; without apt (or root) a warning, and
# the browser tests skip with a message.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; } || \
	  echo "warning: Chromium is not installed (apt-get install chromium chromium-driver): the browser tests skip"

# Virtuoso for the store tests, PostgreSQL and Redis for the tests of several machines
# (tests/servers.py starts them, and the Oxigraph server from the test extras, on 127.0.0.1):
# installed from Debian when missing; without apt (or root) a warning, and their tests skip
# with a message.
servers:
	@bash tests/install_servers.sh

# The scale extra (psycopg, Celery, redis-py) for those tests; the demo does without it.
scale: install
	@$(BIN)/python -c 'import psycopg, psycopg_pool, celery, redis' 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet -e ".[test,scale]" || \
	  echo "warning: the scale extra did not install: the PostgreSQL and worker tests skip"

test: install browser servers scale
	$(BIN)/python -m pytest

bench: install
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache
