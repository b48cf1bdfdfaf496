# Overstap: the two commands a fresh machine needs are `make run` and `make test`.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
# Where pip --user puts uv may not be on PATH yet; the tests run the README's `uv run ...` lines, so put it there.
export PATH := $(dir $(UV)):$(PATH)
PYTHON ?= python3
GEN := libs/protos/src/overstap/taxonomy/v1/taxonomy_pb2.py
PROTOS := $(shell find protos -name '*.proto')

.PHONY: run test setup protos lint bench clean

## run: create the environment, build generated code, start every service + the gateway (Ctrl-C stops all)
run: setup
	$(UV) run overstap stack run

## test: the whole test suite (PostgreSQL tests run when one is reachable; in CI they must)
test: setup lint
	$(UV) run pytest

## setup: install uv if missing, sync the locked workspace, generate proto code
setup: .venv/.synced $(GEN)

$(UV):
	$(PYTHON) -m pip install --user --quiet "uv>=0.5" || $(PYTHON) -m pip install --user --quiet --break-system-packages "uv>=0.5"

.venv/.synced: $(UV) uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml tools/*/pyproject.toml)
	$(UV) sync --frozen
	@touch $@

$(GEN): .venv/.synced $(PROTOS) scripts/gen_protos.py
	$(UV) run python scripts/gen_protos.py

protos: .venv/.synced
	$(UV) run python scripts/gen_protos.py

## lint: proto lint (buf) and Python lint (ruff)
lint: .venv/.synced
	cd protos && ../.venv/bin/buf lint
	$(UV) run ruff check .

## bench: every benchmark, figures printed as JSON lines
bench: setup
	$(UV) run overstap bench all

clean:
	rm -rf .venv libs/protos/src/overstap/*/ var/
