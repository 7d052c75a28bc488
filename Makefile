# Uponyaji developer commands. Everything runs from the project's own virtual environment (.venv).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Every directory holding a pyproject.toml below libs/, services/ and deploy/ is a workspace package.
PACKAGES := $(patsubst %/pyproject.toml,%,$(wildcard libs/*/pyproject.toml services/*/pyproject.toml deploy/*/pyproject.toml))

.PHONY: install run up down test lint format bench docs clean

install: $(STAMP)

$(STAMP): requirements.txt constraints.txt $(addsuffix /pyproject.toml,$(PACKAGES))
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -r requirements.txt
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-build-isolation --no-deps \
		$(addprefix -e ,$(PACKAGES))
	@touch $(STAMP)

run: install          ## the whole stack in the foreground, with demo data; Ctrl-C stops it
	$(BIN)/uponyaji run

up: install           ## the whole stack in the background; returns once everything is healthy
	$(BIN)/uponyaji up

down: install         ## stop what `make up` started
	$(BIN)/uponyaji down

test: install         ## lint, type-check and every test, against real PostgreSQL and NATS
	$(MAKE) lint
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs deploy services bench

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install        ## benchmarks (not part of make test); figures go to docs/benchmarks.md
	$(BIN)/python -m bench

docs: install         ## regenerate docs/asyncapi.json and docs/openapi/<service>.json
	$(BIN)/python -m uponyaji_events.asyncapi > docs/asyncapi.json
	for dir in services/*/uponyaji_*/; do \
		package=$$(basename $$dir); \
		$(BIN)/python -m uponyaji_service.openapi $$package docs/openapi/$${package#uponyaji_}.json; \
	done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
