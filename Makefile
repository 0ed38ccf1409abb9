# guard — developer tasks. `make test` is the command CI runs (see README.md).
SHELL := /bin/bash
MODULES := core core/store/redis core/geo/maxmind adapters/nethttp adapters/gin adapters/echo adapters/chi examples bench metrics/prometheus cmd/guardctl
# Packages with concurrency run under the race detector; the rest run plain to keep CI quick.
GO ?= go
ADDR ?= 127.0.0.1:8080
CONFIG ?= testdata/configs/demo.yaml
ADAPTER ?= nethttp

.PHONY: all build test test-short vet fmt lint demo bench fuzz detect-report detect-prose detect-compare redis-up tidy

all: build test

build:
	@for m in $(MODULES); do (cd $$m && $(GO) build ./...) || exit 1; done

## test: every module's tests, with the race detector (needs Redis on 127.0.0.1:6379; `make redis-up` starts one)
test: redis-up
	@set -o pipefail; fail=0; for m in $(MODULES); do \
		echo "== $$m"; (cd $$m && $(GO) test -race -count=1 -timeout 15m ./...) || fail=1; \
	done; exit $$fail

test-short:
	@for m in $(MODULES); do (cd $$m && $(GO) test -short -count=1 ./...) || exit 1; done

vet:
	@for m in $(MODULES); do (cd $$m && $(GO) vet ./...) || exit 1; done

fmt:
	gofmt -l -w .

lint: vet
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## demo: run the demo server with the in-memory store
demo:
	cd examples && $(GO) run ./server -config ../$(CONFIG) -addr $(ADDR) -adapter $(ADAPTER)

bench:
	@for m in core core/geo/maxmind core/store/redis adapters/nethttp adapters/gin adapters/echo adapters/chi metrics/prometheus bench; do (cd $$m && $(GO) test -run '^$$' -bench . -benchmem ./...) || exit 1; done

## redis-up: make sure a Redis answers on 127.0.0.1:6379 (installs redis-server if missing)
redis-up:
	@scripts/redis-up.sh

tidy:
	@for m in $(MODULES); do (cd $$m && $(GO) mod tidy) || exit 1; done

## detect-report: run the detection engine over ../shared/corpus and print per-category catch/flag rates
detect-report:
	cd core && $(GO) run ./cmd/detect-report -corpus $(abspath ../shared/corpus)

## detect-prose: run the detection engine over documentation and source code on this machine (benign text) and print the flagged share per file kind
PROSE_DIRS ?= /usr/share/doc,$(shell $(GO) env GOROOT)/src,$(shell $(GO) env GOROOT)/doc
detect-prose:
	cd core && $(GO) run ./cmd/detect-report -prose $(PROSE_DIRS) -prose-n 3000

## detect-compare: guard vs OWASP Coraza + CRS v4 (paranoia 1 and 2) over HTTP, on ../shared/corpus and on the independent set (a few minutes)
detect-compare:
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath ../shared/corpus) -pl 1,2 -cats
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath core/detect/testdata/independent) -pl 1,2 -cats
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath core/detect/testdata/independent2) -pl 1,2 -cats
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath core/detect/testdata/independent3) -pl 1,2 -cats
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath core/detect/testdata/independent4) -pl 1,2 -cats
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath core/detect/testdata/independent5) -pl 1,2 -cats
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath core/detect/testdata/independent6) -pl 1,2 -cats
	cd bench && $(GO) run ./cmd/quality -corpus $(abspath core/detect/testdata/independent7) -pl 1,2 -cats
