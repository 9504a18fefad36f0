# stratsim: build, run, test, bench, asan.
# `make build` only compiles bin/stratsim (and the benchmarks): it never installs anything and
# needs no CUnit; the test binaries are built by `make unit` / `make integration` / `make test`.
# `make run` and `make test` first install missing Debian packages (scripts/install-deps.sh),
# then re-enter make so that pkg-config sees what was just installed; DEPS=0 skips that step
# (clusters: load modules instead, e.g. `module load openmpi petsc; make test DEPS=0`).
# Objects are linked directly (no archive); the registries (src/experiments.c and each
# family's table) name every simulator and plug-in with ordinary references, so a library
# would link too.
# Cluster overrides: PETSC_DIR/PETSC_ARCH (a PETSc install or build tree, linked with PETSc's
# own PETSC_CC_INCLUDES and PETSC_WITH_EXTERNAL_LIB, so a static PETSc works), MPICC, NP, DEPS.

MPICC    ?= mpicc
NP       ?= 2
BUILD    ?= build
BIN      ?= bin
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN      = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter
PYTHON   ?= /usr/bin/python3
DEPS     ?= 1
export PYTHON

ifdef PETSC_DIR
PETSC_CFLAGS := $(shell PETSC_DIR='$(PETSC_DIR)' PETSC_ARCH='$(PETSC_ARCH)' scripts/petsc-var.sh PETSC_CC_INCLUDES)
PETSC_LIBS   := $(shell PETSC_DIR='$(PETSC_DIR)' PETSC_ARCH='$(PETSC_ARCH)' scripts/petsc-var.sh PETSC_WITH_EXTERNAL_LIB)
ifeq ($(strip $(PETSC_LIBS)),)
$(error PETSC_DIR=$(PETSC_DIR) PETSC_ARCH=$(PETSC_ARCH): cannot read PETSc's lib/petsc/conf/petscvariables)
endif
else
PETSC_CFLAGS = $(shell pkg-config --cflags petsc)
PETSC_LIBS   = $(shell pkg-config --libs petsc)
endif
YAML_CFLAGS  = $(shell pkg-config --cflags yaml-0.1)
YAML_LIBS    = $(shell pkg-config --libs yaml-0.1)
CUNIT_CFLAGS = $(shell pkg-config --cflags cunit)
CUNIT_LIBS   = $(shell pkg-config --libs cunit)

GIT_DESCRIBE := $(shell git describe --always --dirty --tags 2>/dev/null || echo unknown)
CPPFLAGS += -Iinclude -I$(BUILD)/gen $(PETSC_CFLAGS) $(YAML_CFLAGS)
LDLIBS   += $(PETSC_LIBS) $(YAML_LIBS) -lm

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
MPIT_SRC := $(wildcard tests/mpi/*.c)
MPIT_BIN := $(MPIT_SRC:tests/mpi/%.c=$(BIN)/%)
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BIN := $(BENCH_SRC:bench/%.c=$(BIN)/%)

.PHONY: all deps deps-test deps-bench build run test unit integration bench asan memcheck docs clean fuzz fuzz-build fuzz-smoke asan-integration
all: build

deps:
	@[ "$(DEPS)" = 0 ] || scripts/install-deps.sh

# the tests also bring up a private 2-node SLURM cluster
deps-test:
	@[ "$(DEPS)" = 0 ] || scripts/install-deps.sh --slurm

build: $(BIN)/stratsim $(BENCH_BIN)

# The two commands of the README. `make run` is the tour (scripts/tour.sh): bandit, facility
# and RLHF, a takeaway and a figure each.
run: deps
	@$(MAKE) --no-print-directory build
	@NP=$(NP) PYTHON=$(PYTHON) scripts/tour.sh

test: deps-test
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory unit integration fuzz-smoke asan-integration

unit: $(BIN)/test_unit
	$(BIN)/test_unit

integration: build $(MPIT_BIN)
	@tests/run_integration.sh

# the benchmarks also compare with sklearn, scipy and numpy (bench/compare.sh)
deps-bench:
	@scripts/install-deps.sh --bench

bench: deps-bench
	@$(MAKE) --no-print-directory build
	@bench/run_all.sh

# unit tests under AddressSanitizer + UBSan, in a separate build tree
asan:
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" build/asan/bin/test_unit build/asan/bin/stratsim
	ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0 LSAN_OPTIONS=suppressions=tests/lsan.supp \
	  build/asan/bin/test_unit

# libFuzzer harnesses (tests/fuzz): clang with ASan + UBSan, the project's objects in their own
# build tree. `make fuzz` fuzzes each harness FUZZ_SECONDS; `make test` runs fuzz-smoke.
# (-Wno-sometimes-uninitialized: clang misreads PETSc's logging wrappers around MPI_Recv.)
FUZZ_SECONDS ?= 300
FUZZ_BIN := $(patsubst tests/fuzz/%.c,build/fuzz/bin/%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz-build: $(BIN)/stratsim
	@$(MAKE) --no-print-directory BUILD=build/fuzz BIN=build/fuzz/bin MPICC="OMPI_CC=clang mpicc" \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -Wno-unknown-warning-option -Wno-sometimes-uninitialized" \
	  $(FUZZ_BIN)
fuzz: fuzz-build
	tests/fuzz/run.sh fuzz $(FUZZ_SECONDS)
fuzz-smoke: fuzz-build
	tests/fuzz/run.sh smoke

$(BIN)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(MPICC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

# the integration pass under ASan/UBSan (tests/asan_integration.sh): the quick presets on 2
# ranks and a sample of bad inputs, with the stratsim of the asan build tree
asan-integration:
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" build/asan/bin/stratsim
	@tests/asan_integration.sh

docs: $(BIN)/stratsim
	$(BIN)/stratsim schema --markdown > docs/config.md
	$(PYTHON) scripts/bad_inputs_table.py --update docs/reliability.md

# What the manifest and --version report; rewritten only when it changes, so a new commit
# or other flags rebuild exactly the two files that print it.
VERSION_H := $(BUILD)/gen/stratsim_version.h
$(VERSION_H): FORCE
	@mkdir -p $(@D)
	@printf '#define SS_GIT_DESCRIBE "%s"\n#define SS_CC "%s"\n#define SS_CFLAGS "%s"\n' \
	  "$(GIT_DESCRIBE)" "$(MPICC)" "$(CFLAGS)" > $@.tmp
	@cmp -s $@.tmp $@ && rm -f $@.tmp || mv $@.tmp $@
FORCE:

$(BIN)/stratsim: $(BUILD)/src/main.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(MPICC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/test_unit: $(UNIT_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	$(MPICC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CUNIT_LIBS)

$(BIN)/%: $(BUILD)/tests/mpi/%.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(MPICC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/%: $(BUILD)/bench/%.o $(LIB_OBJ)
	@mkdir -p $(@D)
	$(MPICC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(MPICC) $(CPPFLAGS) $(CUNIT_CFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

# (order-only: the generated header exists before any file that may include it is compiled;
# the -MMD dependencies then rebuild exactly its includers when it changes)
$(BUILD)/%.o: %.c | $(VERSION_H)
	@mkdir -p $(@D)
	$(MPICC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

clean:
	rm -rf build bin tests/out

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# valgrind over the unit tests and a small run (Open MPI's own init leaks are suppressed)
VALGRIND = valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite \
           --suppressions=tests/valgrind.supp
memcheck: build $(BIN)/test_unit
	$(VALGRIND) $(BIN)/test_unit
	$(VALGRIND) $(BIN)/stratsim run configs/demo.yaml --out build/memcheck --force --quiet --set seeds=2
