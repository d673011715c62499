# One entry point for every task. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY311 ?= python3
PY310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10.*/bin/python3.10) $(shell command -v python3.10))
VENV := .venv
RASA_VENV := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Ports and addresses have their defaults in one place, bot/core/ports.py (README "Settings").

RASA_SOURCES := domain.yml config.yml $(shell find data/nlu data/rules data/stories bot/nlu bot/core bot/rasa/nlu bot/rasa/policies -type f -name '*.y*ml' -o -type f -name '*.py' 2>/dev/null)

.PHONY: help setup model kb secrets run standin web user test test-unit test-rasa test-conversations fmt lint types types-rasa validate clean lock telegram-webhook nlu-cv nlu-compare eval-dev kb-eval kb-bench catalogue-bench eval eval-smoke bench bench-smoke dashboard-bench

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements/app.txt
	@echo "==> Python 3.11 environment ($(VENV)): installing pinned requirements"
	test -x $(PY) || $(PY311) -m venv $(VENV)
	$(PY) -m pip install --progress-bar on -q --upgrade pip
	$(PY) -m pip install --progress-bar on -r requirements/app.txt
	touch $@

$(RASA_VENV)/.installed: requirements/rasa.txt
	@echo "==> Python 3.10 environment for Rasa ($(RASA_VENV)): installing pinned requirements"
	@test -n "$(PY310)" || { echo "Python 3.10 not found: install it (e.g. pyenv install 3.10.13)"; exit 1; }
	test -x $(RASA_VENV)/bin/python || $(PY310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --progress-bar on -q --upgrade pip wheel
	$(RASA_VENV)/bin/python -m pip install --progress-bar on -r requirements/rasa.txt
	touch $@

setup: $(VENV)/.installed $(RASA_VENV)/.installed ## create both virtualenvs (only when missing or requirements changed)

models/comptoir.tar.gz: $(RASA_VENV)/.installed $(RASA_SOURCES)
	@echo "==> Training the assistant (NLU + dialogue), a few minutes on 2 cores"
	$(RASA) train --fixed-model-name comptoir --out models
	touch $@

model: models/comptoir.tar.gz ## train the Rasa model (only when training data or config changed)

kb_index/CURRENT: $(VENV)/.installed $(wildcard data/faq/*.yml)
	@echo "==> Publishing the knowledge base (data/faq) to kb_index/"
	$(PY) -m bot.kb build

kb: kb_index/CURRENT ## publish the FAQ knowledge base (only when data/faq changed)

# Secrets made once, before the processes that share them start (README "Security"): Rasa's
# API token, the action server's, the back office's service token and cookie key, the widget's
# conversation-id key, the demo shop's API key, label-link key and event-signing key
# (bot/core/shared_secrets.py).
SECRETS := rasa_token action_token service_token session_secret conversation_secret shop_api_key shop_label_secret shop_webhook_secret
secrets:
	@$(PY311) -m bot.core.shared_secrets $(SECRETS)

var/shop.db: | $(VENV)/.installed
	@echo "==> Seeding the demo shop database"
	$(PY) -m bot.demo_shop seed

run: setup model kb secrets var/shop.db ## start the demo shop, the action server, Rasa, the back office and the chat widget's demo page (Ctrl-C stops all)
	@if [ "$${COMPTOIR_SHOP:-demo}" = demo ]; then echo "==> Demo orders to try:"; $(PY) -m bot.demo_shop demo-orders; \
	else echo "==> Shop: $$COMPTOIR_SHOP (README \"Connecting your own shop\")"; fi
	@echo "==> Chat over REST: curl -s localhost:5005/webhooks/rest/webhook -d '{\"sender\":\"moi\",\"message\":\"bonjour\"}'"
	@$(PY) -m bot.settings addresses
	$(VENV)/bin/honcho start -f Procfile

standin: $(VENV)/.installed ## a local stand-in of a shop platform's API, to try make run COMPTOIR_SHOP=<platform> on one machine: make standin PLATFORM=woocommerce|prestashop|shopify
	@case "$(PLATFORM)" in woocommerce|prestashop|shopify) ;; *) echo "usage: make standin PLATFORM=woocommerce|prestashop|shopify"; exit 2;; esac
	$(PY) -m bot.tools.standins.$(PLATFORM) --port $(or $(PORT),8300)

web: $(VENV)/.installed ## serve only the chat widget's demo shop page on :8200 (Rasa must run: make run)
	$(PY) -m bot.web serve

user: $(VENV)/.installed ## create a back-office account: make user EMAIL=vous@boutique.fr [NAME=Prénom] [ROLE=agent|editor|manager|admin] (asks the password, or reads it from a pipe)
	@test -n "$(EMAIL)" || { echo "usage: make user EMAIL=vous@boutique.fr [NAME=Prénom] [ROLE=agent|editor|manager|admin]"; exit 2; }
	$(PY) -m bot.backoffice create-user --email "$(EMAIL)" --name "$(or $(NAME),$(firstword $(subst @, ,$(EMAIL))))" --role "$(or $(ROLE),admin)"

test: setup lint types model kb ## lint, types, then every test suite: unit, shop API, knowledge base, Rasa data and stories, channels, end-to-end, and the Rasa side in its own Python
	$(MAKE) --no-print-directory test-rasa
	$(VENV)/bin/pytest

test-unit: $(VENV)/.installed ## the fast tests only (pure logic, no server, no model), with coverage: seconds
	$(VENV)/bin/pytest -m "not integration" --cov=bot --cov=actions --cov-report=term:skip-covered --cov-report=html:reports/coverage

# The Rasa server's own code, in-process under Python 3.10 with Rasa's real classes, and the
# shared vocabulary it loads (bot/core), which must work under both interpreters.
test-rasa: $(RASA_VENV)/.installed ## the Rasa side's unit tests, under the Rasa server's Python 3.10
	$(RASA_VENV)/bin/python -m pytest -p no:cacheprovider -W ignore::DeprecationWarning tests/in_rasa tests/core

test-conversations: setup model kb ## only the scripted conversations of tests/conversations/*.yml, against the real stack (about a minute)
	$(VENV)/bin/pytest tests/conversations

telegram-webhook: $(RASA_VENV)/.installed ## point the Telegram bot at this server: make telegram-webhook URL=https://bot.example.org
	@test -n "$(URL)" || { echo "usage: make telegram-webhook URL=https://your.public.host"; exit 2; }
	@set -a; if [ -f .env ]; then . ./.env; fi; set +a; \
	$(RASA_VENV)/bin/python -m bot.rasa.channels.telegram set-webhook "$(URL)"

eval: setup model kb ## quality report: route accuracy on real shoppers, KB retrieval, story tests -> reports/eval.{json,md}
	$(PY) -m bot.tools.eval report

eval-smoke: setup model kb ## the same on a handful of items (about a minute), for CI
	$(PY) -m bot.tools.eval report --smoke

bench: setup model kb ## speed next to a default-config Rasa: latency, throughput, start-up, memory, KB -> reports/bench.{json,md,png} (the first run trains the vanilla model: ~45 min)
	$(PY) -m bot.tools.bench

bench-smoke: setup model kb ## the same on a handful of turns, for CI (figures not comparable)
	$(PY) -m bot.tools.bench --smoke --out-json reports/bench-smoke.json --out-md reports/bench-smoke.md

kb-eval: kb ## knowledge-base retrieval accuracy (dev set, held-out topics)
	$(PY) -m bot.tools.kb eval

unanswered-eval: $(VENV)/.installed ## grouping of unanswered questions: purity and coverage by method, on bot/tools/eval/unanswered_fr.yml
	$(PY) -m bot.backoffice.unanswered eval

dashboard-bench: setup ## the dashboard on PostgreSQL: 100,000 synthetic conversations / ~2.4 M events (copy, figures, page) -> its section of reports/bench.{json,md}
	$(PY) -m bot.tools.bench.dashboard

kb-bench: kb ## knowledge-base latency, publish-to-answer, exact vs HNSW at 10k/100k vectors
	$(PY) -m bot.tools.kb bench --sizes 10000,100000

catalogue-bench: $(VENV)/.installed ## product index at scale: exact, HNSW, IVF, IVF-PQ on 100k and 1M generated products -> reports/catalogue-bench.{json,md} and its section of reports/bench.md (the first 1M run embeds ~666k texts: hours, resumable)
	$(PY) -m bot.catalogue bench --sizes 100000,1000000
	$(PY) -m bot.tools.bench.catalogue

nlu-cv: $(VENV)/.installed ## cross-validated intent accuracy on data/nlu
	$(PY) -m bot.tools.nlu.crossval

nlu-compare: $(VENV)/.installed ## intent-model candidates: cross-validation and the dev set of realistic messages (data/nlu_dev)
	$(PY) -m bot.tools.nlu.compare

eval-dev: setup model kb ## end-to-end routes on our own dev sets of realistic messages (data/nlu_dev), not the held-out one
	$(PY) -m bot.tools.eval report --file data/nlu_dev/routes_dev.jsonl --no-stories --no-kb --no-products --out-json reports/eval-dev.json --out-md reports/eval-dev.md
	$(PY) -m bot.tools.eval report --file data/nlu_dev/routes_dev2.jsonl --no-stories --no-kb --no-products --out-json reports/eval-dev2.json --out-md reports/eval-dev2.md
	$(PY) -m bot.tools.eval report --file data/nlu_dev/routes_dev3.jsonl --no-stories --no-kb --no-products --out-json reports/eval-dev3.json --out-md reports/eval-dev3.md

validate: $(RASA_VENV)/.installed ## check the Rasa training data
	$(RASA) data validate --fail-on-warnings

fmt: $(VENV)/.installed ## format the code and fix what ruff can (ruff format, ruff check --fix)
	$(VENV)/bin/ruff format bot actions tests
	$(VENV)/bin/ruff check --fix bot actions tests

lint: $(VENV)/.installed ## ruff: style and formatting (make fmt fixes most)
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/ruff format --check bot actions tests

types: $(VENV)/.installed types-rasa ## mypy: the 3.11 side, then the Rasa side against Rasa's own annotations
	$(VENV)/bin/mypy bot actions --exclude bot/rasa

# Rasa ships no py.typed marker, so mypy would read every Rasa class as Any: a folder that holds
# only a link to the installed package makes mypy read its annotations (not its errors).
RASA_TYPES := var/mypy-rasa
types-rasa: $(RASA_VENV)/.installed ## mypy on bot/rasa and bot/core under Python 3.10 with Rasa installed
	@mkdir -p $(RASA_TYPES) && ln -sfn "$$($(RASA_VENV)/bin/python -c 'import importlib.util as u; print(u.find_spec("rasa").submodule_search_locations[0])')" $(RASA_TYPES)/rasa
	MYPYPATH=$(RASA_TYPES) $(RASA_VENV)/bin/mypy --config-file= --python-version 3.10 --ignore-missing-imports --follow-imports=silent --warn-unused-ignores bot/rasa

clean: ## remove trained models, databases, the published knowledge base and caches (not the virtualenvs)
	rm -rf models var results kb_index .pytest_cache

lock: ## re-pin requirements/*.txt from the *.in files and what the virtualenvs hold
	{ echo "# Generated by pip freeze from requirements/app.in on Python 3.11; regenerate with make lock"; $(PY) -m pip freeze --exclude-editable; } > requirements/app.txt
	{ echo "# Generated by pip freeze from requirements/rasa.in on Python 3.10; regenerate with make lock"; $(RASA_VENV)/bin/python -m pip freeze --exclude-editable; } > requirements/rasa.txt
