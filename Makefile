# gmodel — see README.md. `make demo` and `make test` do all the set-up.
GO      ?= go
BIN     := bin/gmodel
PKGS    := ./...
BENCHDIR ?= $(CURDIR)/.bench
MODELS  ?= 10000

.PHONY: all build test vet fmt-check bench bench-compile demo clean fuzz

all: build

build:
	$(GO) build -o $(BIN) ./cmd/gmodel

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

# The example pipeline end to end on the managed local target: a copy of the
# classic jaffle_shop project in .demo/, with a profile whose target is
# `managed: true`, so gmodel starts its own PostgreSQL in .demo/jaffle_shop/.gmodel
# (from the local binaries; it says what to install when they are missing).
# The retail medallion example replaces jaffle_shop with issue 4.
DEMO := $(CURDIR)/.demo/jaffle_shop
demo: build
	rm -rf $(DEMO) && mkdir -p $(dir $(DEMO)) && chmod 755 $(dir $(DEMO))
	cp -r tests/testdata/jaffle_shop $(DEMO)
	printf 'jaffle_shop:\n  target: local\n  outputs:\n    local:\n      type: postgres\n      managed: true\n      schema: analytics\n      threads: 4\n' > $(DEMO)/profiles.yml
	$(BIN) build --project-dir $(DEMO) --profiles-dir $(DEMO)
	$(BIN) local status --project-dir $(DEMO)
	$(BIN) local stop --project-dir $(DEMO)

clean:
	rm -rf bin .bench .demo tests/testdata/jaffle_shop/target
