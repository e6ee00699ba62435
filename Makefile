# llm-routing-lab: `make help` lists the targets.
SHELL := /bin/bash
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

PY    ?= $(shell command -v python3.11 || command -v python3)
VENV  := .venv
VPY   := $(VENV)/bin/python
STAMP := $(VENV)/.installed
JOBS  ?= 2

NB_NAMES := $(sort $(basename $(notdir $(wildcard notebooks/*.ipynb))))
EXECUTED := $(foreach n,$(NB_NAMES),results/$(n)/$(n).ipynb)
LIB      := $(shell find lib -name '*.py' -o -name '*.yaml' -o -name '*.csv' | sort) $(wildcard notebooks/claims/*.yaml) $(wildcard data/*/*.csv data/*/*.yaml data/*/*.json)

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv (Python 3.11), install the package and dev tools, register the Jupyter kernel

$(STAMP): pyproject.toml
	@test -x $(VPY) || $(PY) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e '.[dev]'
	$(VPY) -m ipykernel install --sys-prefix --name llmroute --display-name "Python (llmroute)" >/dev/null
	@touch $@

define NB_RULE
results/$(1)/$(1).ipynb: notebooks/$(1).ipynb $(LIB) $(STAMP)
	$(VPY) scripts/run_notebook.py $(1)
endef
$(foreach n,$(NB_NAMES),$(eval $(call NB_RULE,$(n))))

reproduce: $(STAMP) ## execute every notebook with its full parameters into results/, then render the README claims table
	$(MAKE) -j$(JOBS) $(EXECUTED)
	$(VPY) scripts/render_readme.py

smoke: $(STAMP) ## run every notebook with quick=True into build/smoke/ (results/ untouched)
	$(VPY) scripts/run_notebook.py --quick --out build/smoke $(NB_NAMES)

test: $(STAMP) ## unit tests plus a papermill smoke run of every notebook
	$(VPY) -m pytest -n $(JOBS) -q tests

verify: $(STAMP) ## re-run every notebook at full parameters into build/verify/ and compare CSV + claims.json with results/ (CI)
	$(VPY) scripts/verify_results.py --jobs $(JOBS)

lab: $(STAMP) ## open JupyterLab on the notebooks (kernel "Python (llmroute)"; run `make setup` first on a fresh clone)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

bench: $(STAMP) ## run the benchmarks (prints ratios and rates)
	@for b in bench/bench_*.py; do echo "== $$b"; $(VPY) $$b || exit 1; done

site: $(STAMP) ## build the static results site into build/site/ (README, CLAIMS.md, executed notebooks, interactive regime map)
	$(VPY) scripts/build_site.py

claims: $(STAMP) ## re-render README.md (claims tally, tables) and CLAIMS.md from results/
	$(VPY) scripts/render_readme.py

clean: ## remove build/ and caches (keeps .venv and results/)
	rm -rf build .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

.PHONY: help setup reproduce smoke test verify lab bench claims site clean
