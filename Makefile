# gmodel — see README.md. `make demo` and `make test` do all the set-up.
GO      ?= go
BIN     := bin/gmodel
PKGS    := ./...
BENCHDIR ?= $(CURDIR)/.bench
MODELS  ?= 10000

.PHONY: all build install test vet fmt fmt-check lint bench bench-compile bench-docs demo clean fuzz

all: build

build:
	$(GO) build -o $(BIN) ./cmd/gmodel

install:
	$(GO) install ./cmd/gmodel

fmt:
	gofmt -w $$(git ls-files '*.go')

# go vet plus the formatting check (no third-party linter is installed).
lint: vet fmt-check

# The whole suite: formatting, vet, unit, golden, fuzz-seed and end-to-end tests.
test: fmt-check vet
	$(GO) test -race -count=1 $(PKGS)

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

# Microbenchmarks, then the execution benchmarks of the README against a real
# PostgreSQL (seed vs psql \copy, run overhead of 1,000 views), 3 runs each.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./compiler/... ./adapters/csvseed/
	$(GO) test -run '^$$' -bench 'SeedRetail|RunOverhead1000Views' -benchtime 3x ./tests/
	@$(MAKE) --no-print-directory bench-docs

# The docs benchmarks of docsite/README.md on the generated 10,000-model
# project: the server's load and search, then in headless Chromium the
# first page until it is interactive and the lineage focus, 3 runs each.
bench-docs:
	$(GO) test -run '^$$' -bench 'Docs' -benchtime 3x ./tests/

# The compile benchmark of the README: a generated project of $(MODELS) models,
# compiled by the real binary (load, render, graph, manifest written), timed
# with wall clock and peak memory over 5 runs; then once more writing the
# 30,000 compiled files too.
bench-compile: build
	@test -f $(BENCHDIR)/project/dbt_project.yml || $(GO) run ./tests/benchgen/cmd/benchgen -out $(BENCHDIR)/project -models $(MODELS)
	$(GO) run ./tests/benchcompile -bin $(BIN) -project $(BENCHDIR)/project -runs 5
	$(GO) run ./tests/benchcompile -bin $(BIN) -project $(BENCHDIR)/project -runs 3 -files

# Short fuzzing of the Jinja front end and the YAML loaders.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParseRender -fuzztime 30s ./compiler/jinja/
	$(GO) test -run '^$$' -fuzz FuzzLoadYAML -fuzztime 30s ./project/

# The retail medallion example (examples/retail) end to end on its managed
# local target: gmodel starts its own PostgreSQL in examples/retail/.gmodel/pg
# (from the local binaries; it says what to install when they are missing).
# The 541,897-row bronze CSV is generated when missing; bronze is seeded only
# when it was never seeded into this cluster, the CSV changed, or RELOAD=1
# (`make demo RELOAD=1`): a marker beside the cluster holds the checksum of
# the CSV last seeded. Then run and test, each ending with dbt's summary.
RETAIL      := examples/retail
RETAIL_CSV  := $(RETAIL)/seeds/raw_transactions.csv
RETAIL_MARK := $(RETAIL)/.gmodel/raw_transactions.seeded
RETAIL_ARGS := --project-dir $(RETAIL) --profiles-dir $(RETAIL) --target local
RELOAD ?= 0
demo: build
	@set -e; start=$$(date +%s.%N); \
	if [ ! -f $(RETAIL_CSV) ]; then \
	  echo "generating $(RETAIL_CSV) (541,897 rows)"; \
	  $(GO) run ./$(RETAIL)/cmd/gendata -out $(RETAIL_CSV); \
	fi; \
	sum=$$(cksum < $(RETAIL_CSV)); \
	if [ "$(RELOAD)" = 1 ] || [ ! -d $(RETAIL)/.gmodel/pg ] || [ "$$(cat $(RETAIL_MARK) 2>/dev/null)" != "$$sum" ]; then \
	  rm -f $(RETAIL_MARK); \
	  $(BIN) seed $(RETAIL_ARGS); \
	  echo "$$sum" > $(RETAIL_MARK); \
	else \
	  echo "bronze.raw_transactions already seeded from this CSV: not reloaded (make demo RELOAD=1 reloads it)"; \
	fi; \
	$(BIN) run $(RETAIL_ARGS); \
	$(BIN) test $(RETAIL_ARGS); \
	end=$$(date +%s.%N); \
	echo "the local PostgreSQL keeps running: $(BIN) local status|stop --project-dir $(RETAIL)"; \
	awk -v s=$$start -v e=$$end 'BEGIN { printf "demo finished in %.1f s\n", e - s }'

clean:
	rm -rf bin .bench tests/testdata/jaffle_shop/target examples/retail/target
