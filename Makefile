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
# win on the tuning split). The word vectors and the pretrained encoder are made first, then the five
# recognisers two at a time (one per core), then the scorers.
model: install
	$(BIN)/pip install --quiet -e ".[train]"
	$(TRAIN) --prepare-only
	$(MAKE) --no-print-directory -j2 $(RECOGNISERS)
	$(BIN)/python scripts/train_scorers.py --recogniser out/model --folds out/folds --out out/model

# The five recognisers, two at a time (`make model` runs them after --prepare-only); each writes its log.
TRAIN := $(BIN)/python scripts/train_model.py --vectors out/vectors.npz --pretrained out/pretrained.bin
FOLDS := 0 1 2 3
RECOGNISERS := recogniser $(FOLDS:%=fold-%)
.PHONY: $(RECOGNISERS)

recogniser:
	@mkdir -p out/logs && echo "training the recogniser: out/logs/recogniser.log"
	@$(TRAIN) --report-validation --out out/model > out/logs/recogniser.log 2>&1 \
	  || { tail -n 20 out/logs/recogniser.log; exit 1; }
	@grep -E "^(best epoch|validation)" out/logs/recogniser.log

$(FOLDS:%=fold-%): fold-%:
	@mkdir -p out/logs && echo "training fold recogniser $*: out/logs/fold-$*.log"
	@$(TRAIN) --fold $*/4 --out out/folds/$* > out/logs/fold-$*.log 2>&1 \
	  || { tail -n 20 out/logs/fold-$*.log; exit 1; }
	@grep -E "^best epoch" out/logs/fold-$*.log | sed 's/^/fold $*: /'

clean:
	rm -rf $(VENV) out test-output .pytest_cache
