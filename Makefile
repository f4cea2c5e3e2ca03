# surftrace: build, run and test. `make help` lists the targets.
# The test targets that touch the kernel need root; `make deps` installs
# what they need on Debian 12.

SHELL   := /bin/bash
GO      ?= $(shell command -v go || echo /usr/local/go/bin/go)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
CACHE   := .cache
FUZZTIME       ?= 10s
VMTEST_TIMEOUT ?= 75m
# Kernel series `make vmtest` boots, and those `make test` runs the suite on.
# 6.12 joins make test's list once the whole suite passes there (see
# docs/TESTING.md for what still fails on it); until then
# `make test TEST_VMTEST_KERNELS="6.1 6.12"` or `make vmtest-6.12`.
VMTEST_KERNELS      ?= 6.1
TEST_VMTEST_KERNELS ?= 6.1
STATICCHECK    ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

export GO

# Extra flags and arguments for `make run`, e.g. ARGS=--duration=10s.
ARGS ?=

# `make install` puts bin/surftrace in $(DESTDIR)$(PREFIX)/bin; with
# BPFTRACE_LINK=1 (or `make install-bpftrace`) also a symlink named
# bpftrace to it, through which surftrace speaks bpftrace's command line.
# The link is never made over an existing bpftrace that is not ours
# (Debian's /usr/bin/bpftrace): FORCE=1 replaces it.
PREFIX        ?= /usr/local
DESTDIR       ?=
BPFTRACE_LINK ?=
FORCE         ?=

.PHONY: help build install install-bpftrace run firstrun test deps test-unit test-kernel vmtest vmtest-build bench fuzz lint

help:
	@echo "make run          build and run the drop monitor (as root); ARGS=--duration=10s bounds it"
	@echo "make test         deps + firstrun + test-unit + test-kernel + vmtest, timing each (as root)"
	@echo "make firstrun     make run on a fresh machine: tracefs unmounted (own mount namespace), a drop provoked (as root)"
	@echo "make build        static bin/surftrace"
	@echo "make install      bin/surftrace into PREFIX/bin (PREFIX=/usr/local); BPFTRACE_LINK=1 adds the bpftrace symlink"
	@echo "make install-bpftrace  PREFIX/bin/bpftrace -> surftrace (never over another bpftrace unless FORCE=1)"
	@echo "make deps         install missing Debian packages the tests need"
	@echo "make test-unit    unit tests only; kernel tests skip"
	@echo "make test-kernel  all tests on the host kernel (as root)"
	@echo "make vmtest       all test binaries inside a Debian 6.1 kernel VM (VMTEST_KERNELS=\"6.1 6.12\" for more; as root)"
	@echo "make vmtest-6.12  the same inside Debian's 6.12 kernel"
	@echo "make bench | fuzz | lint"

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w -X main.stamp=$(VERSION)" -o bin/surftrace ./cmd/surftrace

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/surftrace $(DESTDIR)$(PREFIX)/bin/surftrace
	@if [ -n "$(BPFTRACE_LINK)" ]; then $(MAKE) --no-print-directory install-bpftrace; fi

# The link is relative, so DESTDIR staging keeps it right.
install-bpftrace:
	@link=$(DESTDIR)$(PREFIX)/bin/bpftrace; \
	if [ ! -e $(DESTDIR)$(PREFIX)/bin/surftrace ]; then echo "$(DESTDIR)$(PREFIX)/bin/surftrace is not installed: make install first"; exit 1; fi; \
	if [ -e "$$link" ] && [ "$$(readlink "$$link")" != surftrace ] && [ -z "$(FORCE)" ]; then \
		echo "$$link exists and is not surftrace's link: left alone (FORCE=1 replaces it)"; exit 1; fi; \
	ln -sfn surftrace "$$link" && echo "$$link -> surftrace"; \
	case ":$$PATH:" in *":$(PREFIX)/bin:"*) ;; *) echo "note: $(PREFIX)/bin is not in PATH";; esac; \
	other=$$(PATH=$$(echo ":$$PATH:" | sed 's#:$(PREFIX)/bin:#:#g; s#^:##; s#:$$##') command -v bpftrace || true); \
	if [ -n "$$other" ]; then echo "note: $$other is also a bpftrace; the one earlier in PATH runs"; fi

run: build
	bin/surftrace run drop $(ARGS)

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
	for part in firstrun test-unit test-kernel vmtest-build $(addprefix vmtest-run-,$(TEST_VMTEST_KERNELS)); do \
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

# vmtest builds the test binaries once and runs them in one VM boot per
# kernel series; vmtest-6.12 (or any series vmrun knows) runs one series.
vmtest: vmtest-build
	@rc=0; for k in $(VMTEST_KERNELS); do $(MAKE) --no-print-directory vmtest-run-$$k || rc=1; done; exit $$rc

vmtest-%: vmtest-build
	@$(MAKE) --no-print-directory vmtest-run-$*

vmtest-build: require-root
	$(GO) build -o $(CACHE)/bin/vmrun ./internal/vmtest/cmd/vmrun
	tools/vmtest-build.sh $(CACHE)/vmtest

# Runs the binaries vmtest-build left, without rebuilding them.
vmtest-run-%: require-root
	$(CACHE)/bin/vmrun -kernel $* -cache $(CACHE)/vm -timeout $(VMTEST_TIMEOUT) -- bash tools/vmtest-suite.sh $(CACHE)/vmtest

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
