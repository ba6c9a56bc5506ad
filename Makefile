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

# The example pipeline end to end (compile-only until the runner lands).
demo: build
	$(BIN) compile --project-dir tests/testdata/jaffle_shop --profiles-dir tests/testdata/jaffle_shop_profiles
	$(BIN) ls --project-dir tests/testdata/jaffle_shop --profiles-dir tests/testdata/jaffle_shop_profiles --resource-type model --output name

clean:
	rm -rf bin .bench tests/testdata/jaffle_shop/target
