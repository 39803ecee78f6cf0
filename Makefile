# Two commands on a fresh machine: `make run` and `make test`. Both build .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock requirements-test.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run demo test lint bench fuzz audit chaos scale clean i18n

$(STAMP): requirements.lock requirements-test.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Ponte needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock -r requirements-test.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/ponte up

# `make run` with sample people and work from every seed manual; prints who to sign in as.
demo: install
	$(VENV)/bin/ponte demo

test: install
	scripts/ensure-infrastructure
	$(PY) -m ruff check .
	PY=$(PY) scripts/audit
	$(PY) -m pytest

# The portal's and the API's texts (docs/portal.md): extract every message id of the gateway's
# code and templates into gateway/locale/messages.pot, update the pt_BR, en and it catalogues
# (.po, what translators edit and git keeps) and compile them once as a check (the gateway
# compiles the .po files in memory when it starts; no .mo file is kept).
i18n: install
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ -k _ --no-location --sort-output \
	  --project=Ponte -o gateway/locale/messages.pot gateway
	$(VENV)/bin/pybabel -q update -i gateway/locale/messages.pot -d gateway/locale \
	  --no-fuzzy-matching --ignore-obsolete
	$(VENV)/bin/pybabel compile --statistics -d gateway/locale -o /dev/null -i gateway/locale/pt_BR/LC_MESSAGES/messages.po -l pt_BR
	$(VENV)/bin/pybabel compile --statistics -d gateway/locale -o /dev/null -i gateway/locale/it/LC_MESSAGES/messages.po -l it

# ruff (rules F, E, I, B, UP in pyproject.toml) over the whole tree (also part of `make test`).
lint: install
	$(PY) -m ruff check .

# bandit over the code, pip-audit over the locked dependencies (also part of `make test`).
audit: install
	PY=$(PY) scripts/audit

# The long fuzzing run: schemathesis as every kind of caller with many more examples per
# operation than the bounded run in `make test`; prints the table kept in docs/benchmarks.md.
FUZZ_EXAMPLES ?= 15
fuzz: install
	@mkdir -p var
	PONTE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) PONTE_FUZZ_MIN_CASES=20000 \
	  PONTE_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
	  PONTE_FUZZ_SUMMARY=var/fuzz-summary.txt $(PY) -m pytest tests/fuzz -p no:cacheprovider -q -s
	@cat var/fuzz-summary.txt

# Every load scenario in one distributed run beside the floor; prints the table kept in the
# docs/benchmarks.md. BENCH_ARGS="--seconds 3 --events 20" for a quick look.
bench: install
	scripts/ensure-infrastructure
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get install -y -qq wrk >/dev/null 2>&1; } || echo "bench: wrk not available, using the Python client"
	$(PY) bench/all.py $(BENCH_ARGS)

# Faults under a write load, the long version: kills every component, restarts the machine's
# RabbitMQ and stops its PostgreSQL (every user of them notices; CHAOS_ARGS=--gentle faults only
# this run's vhost and databases). Prints the table kept in docs/benchmarks.md.
chaos: install
	scripts/ensure-infrastructure
	$(PY) bench/chaos.py $(CHAOS_ARGS)

# A second authorizations instance beside the floor, with per-process CPU and a model for more cores.
scale: install
	scripts/ensure-infrastructure
	$(PY) bench/scale.py

clean:
	rm -rf $(VENV) var .pytest_cache
