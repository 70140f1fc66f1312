# Sluice — a self-hosted marketing-analytics data hub.  GNU make.
#
#   make run    install what is missing, build, start the stack on PORT
#   make stop   stop exactly what `make run` started
#   make test   sanitizer build and every test; ends with "N passed, N failed"
#   make check-layers  every #include goes down lib/'s layers (README)
#   make bench  benchmarks (tests/bench/README.md)
#   make fuzz   libFuzzer on every tests/fuzz/fuzz_*.c target, FUZZ_SECONDS each
#
# BUILD selects the output tree (build/ for `run`, build/asan for `test`),
# so several builds can live side by side.

SHELL		:= /bin/bash
.DEFAULT_GOAL	:= build
.DELETE_ON_ERROR:
.SECONDARY:

BUILD		?= build
SAN		?= 0
PORT		?= 8080
# Empty: nginx/stack.sh picks var/ or /var/lib/sluice/NAME-HASH (README).
VAR		?=
FUZZ_SECONDS	?= 60

CC		:= gcc
PKGS		:= libpq json-c libcurl openssl cmocka
# A system directory given as -I breaks <limits.h> chaining: drop it.
PKG_CFLAGS	= $(filter-out -I/usr/include/x86_64-linux-gnu,$(shell pkg-config --cflags $(PKGS) 2>/dev/null))
PKG_LIBS	= $(shell pkg-config --libs libpq json-c libcurl openssl 2>/dev/null)

WARN		:= -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
		   -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
		   -Wno-format-nonliteral
# lib/ is in layer folders; a header is included by its folder path,
# e.g. #include "store/db.h" (README, Module map).
LIB_INC		:= -iquote lib
CFLAGS_COMMON	= -std=c17 -D_GNU_SOURCE $(LIB_INC) $(WARN) $(PKG_CFLAGS) \
		   -fstack-protector-strong -fPIE -MMD -MP
ifeq ($(SAN),1)
CFLAGS_MODE	:= -O1 -g -fsanitize=address,undefined \
		   -fno-sanitize-recover=undefined -fno-omit-frame-pointer \
		   -DARENA_DEBUG
LDFLAGS_MODE	:= -fsanitize=address,undefined
else
CFLAGS_MODE	:= -O2 -g -D_FORTIFY_SOURCE=2
LDFLAGS_MODE	:=
endif
CFLAGS		= $(CFLAGS_COMMON) $(CFLAGS_MODE)
LDFLAGS		= -pie -Wl,-z,relro,-z,now $(LDFLAGS_MODE)
LIBS		= $(PKG_LIBS) -lfcgi -lm

# The product library, and the provider simulator in an archive of its own
# that only cgi-bin/sandbox and the tests link.
SBX_SRC		:= $(wildcard lib/sandbox/*.c)
SBX_OBJ		:= $(SBX_SRC:lib/%.c=$(BUILD)/obj/lib/%.o)
SBXA		:= $(BUILD)/libsandbox.a
LIB_SRC		:= $(filter-out $(SBX_SRC),$(wildcard lib/*/*.c))
LIB_OBJ		:= $(LIB_SRC:lib/%.c=$(BUILD)/obj/lib/%.o)
LIBA		:= $(BUILD)/libsluice.a
PROGRAMS	:= $(patsubst cgi-bin/%.c,%,$(wildcard cgi-bin/*.c))
BINS		:= $(PROGRAMS:%=$(BUILD)/bin/%)
# A program is served through nginx when it has nginx/locations/NAME.conf.
SERVED		:= $(filter $(PROGRAMS),$(patsubst nginx/locations/%.conf,%,$(wildcard nginx/locations/*.conf)))
TEST_SRC	:= $(wildcard tests/unit/test_*.c)
TESTS		:= $(TEST_SRC:tests/unit/%.c=$(BUILD)/test/%)
TOOL_SRC	:= $(wildcard tests/tools/*.c)
TOOLS		:= $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
FUZZ_SRC	:= $(wildcard tests/fuzz/fuzz_*.c)
REPLAYS		:= $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/replay_%)

# Debian packages: building, running, testing.
DEB_BUILD	:= gcc make pkg-config libc6-dev libfcgi-dev libpq-dev \
		   libjson-c-dev libcurl4-openssl-dev libssl-dev libcmocka-dev
DEB_RUN		:= postgresql-15 nginx-light spawn-fcgi curl ca-certificates \
		   openssl procps
DEB_TEST	:= nodejs chromium fonts-dejavu-core prometheus pgbouncer
DEB_BENCH	:= wrk bc python3-fastapi python3-uvicorn python3-psycopg \
		   python3-psycopg-pool python3-uvloop python3-httptools
DEB_FUZZ	:= clang libclang-rt-14-dev

.PHONY: all build deps deps-build deps-test run stop start test unit \
	test-build bench fuzz clean migrate status check-layers module-map \
	cli rotate-keys api-key password-link backup restore

all: build
build: deps-build $(LIBA) $(SBXA) $(BINS)

# --- dependencies -------------------------------------------------------

# Installs the Debian packages that are missing (as root), else says what to run.
define apt_ensure
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' \
	    || missing="$$missing $$p"; \
	done; \
	missing=$$(for p in $$missing; do \
	  if [ $$p = nodejs ] && command -v node >/dev/null; then continue; fi; \
	  echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "missing Debian packages:" $$missing; \
	    echo "run: sudo apt-get install -y" $$missing; exit 1; \
	  fi; \
	  echo "installing:" $$missing; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends \
	    $$missing >/dev/null || exit 1; \
	fi
endef

deps: deps-build deps-run
deps-build:
	$(call apt_ensure,$(DEB_BUILD))
deps-run:
	$(call apt_ensure,$(DEB_RUN))
deps-test: deps
	$(call apt_ensure,$(DEB_TEST))
	@command -v npm >/dev/null || $(MAKE) -s npm-install
	@cd tests && if [ ! -f node_modules/.package-lock.json ] || \
	    [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund --loglevel=error; fi

npm-install:
	$(call apt_ensure,npm)

# --- compiling ----------------------------------------------------------

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "cc $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(SBXA): $(SBX_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/obj/cgi-bin/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(LIBA) $(LIBS)

# The one program that serves the simulator.
$(BUILD)/bin/sandbox: $(BUILD)/obj/cgi-bin/sandbox.o $(SBXA) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(SBXA) $(LIBA) $(LIBS)

# Every unit test links tests/unit/testlib.c, what the tests share.
TESTLIB		= $(BUILD)/obj/tests/unit/testlib.o
$(BUILD)/test/%: $(BUILD)/obj/tests/unit/%.o $(TESTLIB) $(SBXA) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(TESTLIB) $(SBXA) $(LIBA) $(LIBS) -lcmocka

# Small programs the integration tests drive (tests/tools/*.c).
$(BUILD)/tools/%: $(BUILD)/obj/tests/tools/%.o $(SBXA) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $< $(SBXA) $(LIBA) $(LIBS)

# Each fuzz target also builds with a replay driver: make test runs the corpus.
$(BUILD)/fuzz/replay_%: $(BUILD)/obj/tests/fuzz/%.o \
    $(BUILD)/obj/tests/fuzz/replay.o $(SBXA) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/tests/fuzz/replay.o: tests/fuzz/replay.c
	@mkdir -p $(@D)
	@$(CC) $(CFLAGS) -c $< -o $@

test-build: $(LIBA) $(SBXA) $(BINS) $(TESTS) $(TOOLS) $(REPLAYS)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# --- tests --------------------------------------------------------------

# The whole suite: the include directions first (quick), then the sanitizer
# build, unit tests, fuzz corpora, integration.
test: check-layers deps-test
	$(MAKE) --no-print-directory BUILD=build/asan SAN=1 test-build
	bash tests/run.sh build/asan

# Fails, naming the file, the include and the rule, when a file includes a
# header of a layer above its own; silent when none does.  The table of
# layers is in tests/tools/layers.sh.
check-layers:
	@bash tests/tools/layers.sh check

# The layer table and module map of README.md, printed from the tree.
module-map:
	@bash tests/tools/layers.sh map

# One module's unit tests: make unit T=arena; without T, every unit test
# (sanitizer build in UBUILD); stops at the first that fails, naming it.
UBUILD		?= build/asan
UNIT_RUN	= $(strip $(if $(T),$(UBUILD)/test/test_$(T), \
		    $(TEST_SRC:tests/unit/%.c=$(UBUILD)/test/%)))
unit: deps-build
	$(MAKE) --no-print-directory BUILD=$(UBUILD) SAN=1 $(UNIT_RUN)
	@set -e; for t in $(UNIT_RUN); do echo "== $$t"; $$t || \
	  { echo "$$t failed" >&2; exit 1; }; done

bench: deps-test build
	$(call apt_ensure,$(DEB_BENCH))
	bash tests/bench/run.sh $(BUILD)

FUZZ_CFLAGS	= -std=c17 -D_GNU_SOURCE $(LIB_INC) -g -O1 $(PKG_CFLAGS) \
		   -fsanitize=fuzzer,address,undefined -DARENA_DEBUG
fuzz: deps-test
	$(call apt_ensure,$(DEB_FUZZ))
	@mkdir -p build/fuzz
	@set -e; for src in $(FUZZ_SRC); do \
	  name=$$(basename $$src .c); \
	  clang $(FUZZ_CFLAGS) -o build/fuzz/$$name $$src $(LIB_SRC) $(SBX_SRC) \
	    $(PKG_LIBS) -lfcgi -lm; \
	  mkdir -p tests/fuzz/corpus/$$name build/fuzz/new-$$name; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
	  build/fuzz/$$name -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	    build/fuzz/new-$$name tests/fuzz/corpus/$$name; \
	done

clean:
	rm -rf build

# --- running ------------------------------------------------------------

run: deps build
	@bash nginx/stack.sh start "$(VAR)" "$(PORT)" "$(CURDIR)/$(BUILD)/bin" \
	  "$(SERVED)"

stop:
	@bash nginx/stack.sh stop "$(VAR)"

status:
	@bash nginx/stack.sh status "$(VAR)"

# The programs' commands against the running stack, with its own
# configuration (secrets, private cluster) and as its service user:
#   make migrate   make rotate-keys [BATCH=500]
#   make api-key WS=1 [NAME=script] [ROLE=viewer|admin]
#   make password-link EMAIL=someone@example.com
#   make cli ARGS="worker --once"
migrate:
	@bash nginx/stack.sh cli "$(VAR)" api migrate
rotate-keys:
	@bash nginx/stack.sh cli "$(VAR)" api rotate-keys $(BATCH)
api-key:
	@test -n "$(WS)" || { echo "make api-key WS=<workspace id> [NAME=…] [ROLE=viewer|admin]" >&2; exit 2; }
	@bash nginx/stack.sh cli "$(VAR)" api create-key "$(WS)" "$(or $(NAME),key)" "$(or $(ROLE),viewer)"
password-link:
	@test -n "$(EMAIL)" || { echo "make password-link EMAIL=<address>" >&2; exit 2; }
	@bash nginx/stack.sh cli "$(VAR)" api password-link "$(EMAIL)"
cli:
	@bash nginx/stack.sh cli "$(VAR)" $(ARGS)

# A dump of the running stack's database, and its restore into an empty
# installation (README, Operations: Backup and restore):
#   make backup [FILE=path]   make restore FILE=path [FORCE=1]
backup:
	@bash nginx/stack.sh backup "$(VAR)" "$(FILE)"
restore:
	@test -n "$(FILE)" || { echo "make restore FILE=<dump> [FORCE=1]" >&2; exit 2; }
	@bash nginx/stack.sh restore "$(VAR)" "$(FILE)" "$(FORCE)"
