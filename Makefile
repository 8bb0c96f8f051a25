# framewatch: `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_LOGGING_LEVEL ?= WARNING
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/framewatch run --raw data/raw --warehouse data/parquet --reports data/reports

test: $(STAMP)
	$(BIN)/python -m pytest -q

BENCHES := bench_readability.py outlet_coverage.py babe_eval.py lexicon_cost.py extraction_quality.py \
           story_grouping.py paraphrase_eval.py throughput.py query_speed.py profile_features.py \
           hostile_corpus.py crash_points.py profile_run.py memory_profile.py dask_overhead.py \
           cli_increment.py report_cost.py plan_cost.py savepoint_cost.py parent_memory.py \
           provenance_shares.py language_hits.py quote_speakers.py figure_changes.py

# every figure in BENCHMARKS.md comes from one of these (outputs in bench/out/); a failing
# bench fails the target (pipefail: `| tee` hid its exit status)
bench: SHELL := /bin/bash
bench: .SHELLFLAGS := -o pipefail -ec
bench: $(STAMP)
	mkdir -p bench/out
	$(BIN)/python bench/throughput.py --keep bench/out/warehouses | tee bench/out/throughput.md
	$(BIN)/python bench/query_speed.py --workdir bench/out/warehouses | tee bench/out/query_speed.md
	$(BIN)/python bench/link_cost.py --warehouse bench/out/warehouses/wh1 --baseline 9e1925e --current a81e2fc | tee bench/out/link_cost.md
	$(BIN)/python bench/commit_cost.py --baseline 9e1925e --current a81e2fc | tee bench/out/commit_cost.md
	$(BIN)/python bench/pool_start.py --baseline a81e2fc --current 5574d42 | tee bench/out/pool_start.md
	for b in $(filter-out throughput.py query_speed.py,$(BENCHES)); do echo "== $$b"; $(BIN)/python bench/$$b | tee bench/out/$${b%.py}.md; done

clean:
	rm -rf $(VENV) .prefect data/parquet/* data/reports
