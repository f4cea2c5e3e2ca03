# surftrace: build, run and test. `make help` lists the targets.
# The test targets that touch the kernel need root; `make deps` installs
# what they need on Debian 12.

SHELL   := /bin/bash
GO      ?= $(shell command -v go || echo /usr/local/go/bin/go)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CACHE   := .cache
FUZZTIME       ?= 10s
VMTEST_TIMEOUT ?= 25m
STATICCHECK    ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

export GO

# Extra flags and arguments for `make run`, e.g. ARGS=--duration=10s.
ARGS ?=

.PHONY: help build run firstrun test deps test-unit test-kernel vmtest bench fuzz lint

help:
	@echo "make run          build and run the drop monitor (as root); ARGS=--duration=10s bounds it"
	@echo "make test         deps + firstrun + test-unit + test-kernel + vmtest, timing each (as root)"
	@echo "make firstrun     make run on a fresh machine: tracefs unmounted (own mount namespace), a drop provoked (as root)"
	@echo "make build        static bin/surftrace"
	@echo "make deps         install missing Debian packages the tests need"
	@echo "make test-unit    unit tests only; kernel tests skip"
	@echo "make test-kernel  all tests on the host kernel (as root)"
	@echo "make vmtest       all test binaries inside a Debian 6.1 kernel VM (as root)"
	@echo "make bench | fuzz | lint"

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.stamp=$(VERSION)" -o bin/surftrace ./cmd/surftrace

run: build
	bin/surftrace run dropmon $(ARGS)

firstrun: require-root
	tools/firstrun.sh

# Every part runs even if an earlier one failed (except deps), so one run
# shows all failures; the summary gives each part's wall time. firstrun
# comes first: README's `make run` on a machine where no test has mounted
# anything yet.
test:
	@rm -f $(CACHE)/test-times && mkdir -p $(CACHE)
	@export TIMES_FILE=$(CACHE)/test-times; rc=0; \
	tools/timed.sh deps $(MAKE) --no-print-directory deps || exit 1; \
	for part in firstrun test-unit test-kernel vmtest; do \
		tools/timed.sh $$part $(MAKE) --no-print-directory $$part || rc=1; \
	done; \
	echo "== make test: wall time of each part"; cat $(CACHE)/test-times; exit $$rc

deps:
	@tools/deps.sh

test-unit:
	SURFTRACE_NO_KERNEL=1 $(GO) test ./...

# -p 1: the tracefs and cleanup tests compare global kernel state (instances,
# kprobe_events, BPF ids), so packages must not run them at the same time.
test-kernel: require-root
	$(GO) test -count=1 -p 1 ./...

vmtest: require-root
	$(GO) build -o $(CACHE)/bin/vmrun ./internal/vmtest/cmd/vmrun
	tools/vmtest-build.sh $(CACHE)/vmtest
	$(CACHE)/bin/vmrun -cache $(CACHE)/vm -timeout $(VMTEST_TIMEOUT) -- bash tools/vmtest-suite.sh $(CACHE)/vmtest

# The Go benchmarks, then surftrace against bpftrace on the host and in the
# 6.1 VM (internal/bench). The figures never fail the build.
BENCH_FLAGS ?= -runs 7 -dd 1000000 -vm
bench: require-root build
	$(GO) test -run '^$$' -bench . -benchmem ./... || true
	$(GO) build -o $(CACHE)/bin/bench ./internal/bench/cmd/bench
	$(CACHE)/bin/bench -surftrace bin/surftrace -vm-cache $(CACHE)/vm -json $(CACHE)/bench.json $(BENCH_FLAGS) || true

fuzz:
	tools/fuzz.sh $(FUZZTIME)

lint:
	@out=$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

.PHONY: require-root
require-root:
	@[ "$$(id -u)" -eq 0 ] || { echo "this target needs root (kernel tests, BPF, network namespaces, apt)"; exit 1; }
