# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/aftersales
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/aftersales/aftersales/backend/internal/app.Version=$(VERSION)
UI_SOURCES := $(shell find frontend/src frontend/index.html frontend/package.json frontend/vite.config.ts -type f 2>/dev/null)

.PHONY: run build ui test test-go test-ui test-e2e test-cluster bench vet clean

## run: build the UI (when missing or stale) and the binary, then serve the demo enterprise on :8080
run: build
	@mkdir -p data
	$(BIN) serve --demo

build: frontend/dist/index.html
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./backend/cmd/aftersales

ui: frontend/dist/index.html

frontend/dist/index.html: $(UI_SOURCES)
	cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build

## test: the whole suite (Go on SQLite and MariaDB, UI unit tests, browser end-to-end)
test:
	bash scripts/test.sh

test-go:
	bash scripts/test.sh go

test-ui:
	bash scripts/test.sh ui

test-e2e:
	bash scripts/e2e.sh

## test-cluster: two instances behind haproxy on a 3-node Galera cluster; a node, then an instance, killed under load (docs/deployment.md)
test-cluster:
	bash scripts/cluster-test.sh

## bench: benchmarks (not part of make test)
bench:
	bash scripts/bench.sh

vet:
	$(GO) vet ./...

clean:
	rm -rf bin data/aftersales.db* frontend/test-artifacts
