# Leaddesk — one binary. Every Go command uses the same build tags (FTS5 for the search index).
TAGS    := sqlite_fts5
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X leaddesk/handlers.Version=$(VERSION)
BIN     := bin/leaddesk
GO      ?= go
export CGO_ENABLED := 1

.PHONY: run build test bench bench-scale vendor lint clean

## run: build and start with demo data on http://127.0.0.1:8080 (prints how to sign in)
run: build
	./$(BIN) demo

## build: one binary with templates, static files and migrations embedded
build:
	$(GO) build -tags $(TAGS) -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) .

## test: every test, browser tests included (they need Debian's chromium)
test:
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -tags $(TAGS) -count=1 -timeout 25m ./...

## bench: Go benchmarks and load checks on a seeded database (see scripts/bench.sh)
bench: build
	./scripts/bench.sh

## bench-scale: the scaling table (100k, 1M and 3M leads; seeding 3M takes a few minutes the first time)
bench-scale: build
	LEADDESK_BENCH_SCALE=1 ./scripts/bench.sh

## vendor: fetch htmx (static/vendor) and axe-core (internal/testkit/axe, tests only) from the npm registry; the result is committed
vendor:
	./scripts/vendor.sh

## lint: gofmt check and go vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...

## clean: remove build output (bin/ is not tracked; data/ is left alone)
clean:
	rm -rf bin
