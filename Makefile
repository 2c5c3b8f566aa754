# The two commands of the README: `make demo` and `make test`. Both work on a
# fresh machine: they create .venv, install kg with its dev extras, and (for
# the browser tests) Debian's chromium.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install demo test browser model clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

demo: install
	$(BIN)/kg build examples/papers.jsonl -o out/demo
	@echo
	@echo "graph:     out/demo/graph.json   (kg stats --graph out/demo/graph.json)"
	@echo "HTML view: $(CURDIR)/out/demo/graph.html"

test: install browser
	$(BIN)/pytest -q -rs

# Retrain the learned recogniser (its encoder first pretrained on the corpus's unlabelled abstracts), four
# recognisers each without a quarter of the train split, and the scorers over what those read of the papers
# they never saw, from training/labels (needs ../shared): seeded, into out/model (the four in out/folds).
# They report their scores; `--ship` on each script writes them into kg/learn/ (commit them only when they
# win on the tuning split).
model: install
	$(BIN)/pip install --quiet -e ".[train]"
	$(BIN)/python scripts/train_model.py --report-validation --vectors out/vectors.npz \
	  --pretrained out/pretrained.bin --out out/model
	for k in 0 1 2 3; do \
	  $(BIN)/python scripts/train_model.py --fold $$k/4 --vectors out/vectors.npz \
	    --pretrained out/pretrained.bin --out out/folds/$$k || exit 1; \
	done
	$(BIN)/python scripts/train_scorers.py --recogniser out/model --folds out/folds --out out/model

clean:
	rm -rf $(VENV) out test-output .pytest_cache
