# The README's commands. `make demo` and `make test` install everything they need.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench sample clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/wallboard demo

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy schemas pipeline dashboard replay_data
	$(VENV)/bin/pytest -q -p no:cacheprovider -n 2 --dist loadgroup --durations=25

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy schemas pipeline dashboard replay_data

bench: install
	$(PY) -m bench.run

sample: install
	$(VENV)/bin/wallboard simulate --agents 300 --hours 24 --seed 20260302 \
		--out replay_data/sample_day.jsonl.gz

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
