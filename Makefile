# guard-bench: `make bench` measures, `make test` checks.
# Kernel-style: one binary, warnings are errors (WERROR=0 to relax on a
# compiler newer than ours).

CC       ?= gcc
WERROR   ?= 1
OPT      ?= -O2
SANITIZE ?=
PKGS     := hwloc
PKG_CONFIG ?= pkg-config
# A `make dist` tarball has no .git: it carries its version in VERSION.
VERSION  := $(shell cat VERSION 2>/dev/null || git describe --always --dirty --tags 2>/dev/null || echo unknown)

CFLAGS   += -std=gnu11 $(OPT) -g -Wall -Wextra -Wshadow -Wformat=2 \
	    -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
	    $(if $(filter 1,$(WERROR)),-Werror) \
	    $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer) \
	    -DGB_VERSION='"$(VERSION)"' -MMD -MP -Ibench \
	    $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LDFLAGS  += $(if $(SANITIZE),-fsanitize=$(SANITIZE))
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lpfm -lpthread -lm
# libpfm4 ships no .pc file: look for its header
HAVE_PFM := test -f /usr/include/perfmon/pfmlib_perf_event.h

BIN      := bench/guard-bench
# One folder a layer (README.md, "Layout"); every .c below
# bench/ but main.c is in the library, headers named by their layer.
LIB_SRC  := $(wildcard bench/*/*.c)
LIB_OBJ  := $(LIB_SRC:.c=.o)
LIB      := bench/libguardbench.a

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:.c=)
HELPERS  := tests/helpers/no-guard tests/helpers/no-file-guard \
	    tests/helpers/delay-shim.so tests/helpers/delay-probe \
	    tests/e2e/check-run tests/e2e/plain-loop \
	    tests/e2e/plain-loop-threads

RUN_ARGS ?=

# Objects remember how they were built: SANITIZE=, OPT= or CC= changes
# rebuild everything instead of linking mismatched objects.
BUILD_FLAGS := $(CC) $(OPT) $(SANITIZE) $(WERROR)
FLAGS_STAMP := bench/.build-flags
$(shell printf '%s\n' "$(BUILD_FLAGS)" | cmp -s - $(FLAGS_STAMP) || \
	printf '%s\n' "$(BUILD_FLAGS)" > $(FLAGS_STAMP))

.PHONY: all build bench test deps test-deps clean unit-tests

# Libraries missing?  Install them first (or print the exact command),
# then build in a fresh make that sees their flags.
all: deps
	@$(MAKE) --no-print-directory build

build: $(BIN)

deps:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && $(HAVE_PFM) || scripts/deps.sh build

test-deps:
	@$(PKG_CONFIG) --exists $(PKGS) cmocka 2>/dev/null && $(HAVE_PFM) || \
		scripts/deps.sh build test

$(BIN): bench/main.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Written afresh: a source renamed or removed must not leave its old
# object behind in the archive.
$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB_OBJ) bench/main.o tests/helpers/no-guard tests/helpers/no-file-guard: \
	$(FLAGS_STAMP)

# The version string changes with every commit: rebuild what prints it.
bench/main.o bench/cmd/run_meta.o: $(wildcard .git/HEAD .git/index)

# The whole default matrix, fitted into BUDGET seconds by shortening
# trials (METHODOLOGY.md, "Trials"); BUDGET=0 runs it at full length.
BUDGET   ?= $(if $(QUICK),42,255)
# Independent re-execs of the run, each in its own random cell order,
# merged into one results directory; BUDGET covers all of them
# (METHODOLOGY.md, "Replicates: how a run is made of them").
REPLICATES ?= $(if $(QUICK),2,8)
# trials per cell in each replicate: between-replicate noise dominates
# here, so the budget buys replicates rather than trials (METHODOLOGY.md)
TRIALS   ?= 3

bench: all
	$(BIN) run $(if $(QUICK),--quick) $(if $(filter-out 0,$(BUDGET)),--budget $(BUDGET)) -R $(REPLICATES) -n $(TRIALS) $(RUN_ARGS)

tests/unit/test_%: tests/unit/test_%.c $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

tests/helpers/%: tests/helpers/%.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# An LD_PRELOAD library: position-independent, libdl for RTLD_NEXT
tests/helpers/%.so: tests/helpers/%.c
	$(CC) $(CFLAGS) -fPIC -shared $(LDFLAGS) -o $@ $< -ldl

tests/helpers/delay-probe: LDLIBS += -ldl

# The bare loop links nothing but libc: no hwloc, no libpfm4 (their
# mappings and constructors are what it is compared against).
tests/e2e/plain-loop: tests/e2e/plain-loop.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

tests/e2e/plain-loop-threads: tests/e2e/plain-loop-threads.c
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

tests/e2e/%: tests/e2e/%.c $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

unit-tests: $(UNIT_BIN)

test: test-deps
	@$(MAKE) --no-print-directory build $(UNIT_BIN) $(HELPERS)
	GB_SANITIZE='$(SANITIZE)' tests/run.sh

clean:
	rm -f bench/*.o bench/*.d bench/*/*.o bench/*/*.d \
	      $(LIB) $(BIN) $(UNIT_BIN) $(HELPERS) tests/unit/*.d \
	      tests/e2e/*.d tests/helpers/*.d $(FLAGS_STAMP)
	rm -rf $(FUZZ_DIR)

-include $(wildcard bench/*.d bench/*/*.d)

# ---- fuzzing the readers (libFuzzer, clang) ----------------------------
# Every file compare and trend trust goes through a reader; each gets a
# libFuzzer harness under ASan+UBSan, seeded from tests/fuzz/corpus/.
# `make fuzz FUZZ_SECONDS=60` runs each for that long; a crash, leak or
# sanitizer report fails the target and leaves its reproducer in
# build/fuzz/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_DIR     := build/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS  := -std=gnu11 -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link \
		-MMD -MP -Ibench -DGB_VERSION='"fuzz"' \
		$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FUZZ_OBJ     := $(patsubst %.c,$(FUZZ_DIR)/%.o,$(LIB_SRC))
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS      := $(patsubst tests/fuzz/%.c,$(FUZZ_DIR)/%,$(FUZZ_SRC))

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/libguardbench.a: $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libguardbench.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Ibench -o $@ $< \
		$(FUZZ_DIR)/libguardbench.a $(LDLIBS)

-include $(wildcard $(FUZZ_DIR)/bench/*.d $(FUZZ_DIR)/bench/*/*.d \
	$(FUZZ_DIR)/*.d)

.PHONY: fuzz
fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
		name=$${f##*/fuzz_}; work=$(FUZZ_DIR)/corpus-$$name; \
		mkdir -p $$work; \
		echo "== $$f: $(FUZZ_SECONDS) s from tests/fuzz/corpus/$$name"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=70000 \
		    -artifact_prefix=$(FUZZ_DIR)/crash-$$name- \
		    -print_final_stats=1 $$work tests/fuzz/corpus/$$name \
		    2>$(FUZZ_DIR)/$$name.log || \
		    { tail -40 $(FUZZ_DIR)/$$name.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|Done' \
		    $(FUZZ_DIR)/$$name.log | tr '\n' ' '; echo; \
	done

# ---- compare, trend, plots --------------------------------------------
# Without BASE= NEW= / RUNS= / RUN= they take this host's runs under
# $(RESULTS) (scripts/runs.sh lists them, oldest first).  REPORT_ARGS
# goes to guard-bench and plot.sh: --threshold PCT, --allow-incomplete.  Plots
# land in plots/; without gnuplot the table still prints and plot.sh
# says how to install it (its status 7, tolerated here but not by
# make plots, whose only job is plots).
RESULTS     ?= results
REPORT_ARGS ?=

.PHONY: compare trend plots report validate

# Can this machine tell a kernel change from noise?  An A/A, a known
# injected delay, the noise floor (scripts/validate.sh; README).
VALIDATE_ARGS ?=
validate: all
	@$(MAKE) --no-print-directory tests/helpers/delay-shim.so \
		tests/helpers/delay-probe
	scripts/validate.sh $(VALIDATE_ARGS)

# BASE: the second most recent complete run, NEW: the most recent
# (shell: sets $base and $new, for compare and report alike)
PICK_SIDES = if [ -z "$(BASE)" ] || [ -z "$(NEW)" ]; then \
		last2=$$(scripts/runs.sh --complete --last 2 '$(RESULTS)'); \
	fi; \
	base='$(BASE)'; new='$(NEW)'; \
	[ -n "$$base" ] || base=$$(echo "$$last2" | head -n 1); \
	[ -n "$$new" ] || new=$$(echo "$$last2" | tail -n 1)

compare: build
	@set -e; \
	$(PICK_SIDES); \
	$(BIN) compare $(REPORT_ARGS) "$$base" "$$new"; \
	scripts/plot.sh compare $(REPORT_ARGS) "$$base" "$$new" || [ $$? -eq 7 ]

# The block under a cover letter: setup, table, commands, plots (drawn
# first, their chatter on stderr).  BASE, NEW as for compare;
# FORMAT=markdown for a web archive or a pull request.
report: build
	@set -e; \
	$(PICK_SIDES); \
	scripts/plot.sh compare $(REPORT_ARGS) "$$base" "$$new" >&2 || [ $$? -eq 7 ]; \
	$(BIN) report $(if $(FORMAT),--format $(FORMAT)) $(REPORT_ARGS) "$$base" "$$new"

# RUNS: every run of this host
trend: build
	@set -e; runs='$(RUNS)'; \
	[ -n "$$runs" ] || runs=$$(scripts/runs.sh --complete '$(RESULTS)'); \
	$(BIN) trend $(REPORT_ARGS) $$runs; \
	scripts/plot.sh trend $(REPORT_ARGS) $$runs || [ $$? -eq 7 ]

# RUN: the most recent run of this host
plots: build
	@set -e; run='$(RUN)'; \
	[ -n "$$run" ] || run=$$(scripts/runs.sh --last 1 '$(RESULTS)'); \
	scripts/plot.sh run $$run

# The kernel lab (scripts/vm/lab.sh): Debian's linux-source-7.2 built as
# stock, mmap-read and mmap-write, Debian's 7.2 (x86_64, arm64) and 6.1
# kernels, each booted under qemu with guard-bench inside; downloads and
# builds cached in LAB_DIR (~/.cache/guard-bench/lab; see README).  Its tools are installed first
# (scripts/deps.sh lab), or named all at once with the command.
.PHONY: lab
lab: all
	@scripts/deps.sh lab
	scripts/vm/lab.sh

# ---- source tarball ------------------------------------------------------
# dist/guardbench-$(DIST_VERSION).tar.gz: the tracked files as they are in
# the work tree, and VERSION; mmtests' guardbench-install builds from it
# (scripts/fleet/mmtests/), as can a LAVA device (scripts/fleet/lava/).
DIST_VERSION ?= $(VERSION)

.PHONY: dist
dist:
	@set -e; d=dist/guardbench-$(DIST_VERSION); rm -rf $$d; mkdir -p $$d; \
	git ls-files -z | tar --null -T - -cf - | tar -xf - -C $$d; \
	echo '$(VERSION)' > $$d/VERSION; \
	tar -C dist -czf $$d.tar.gz guardbench-$(DIST_VERSION); rm -rf $$d; \
	echo $$d.tar.gz
