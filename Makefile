# reinc - GNU make build.
#
#   make            build everything into build/ (or build-$(SANITIZER)/)
#   make run        build, then run reincd in the foreground with the
#                   example system (examples/run.sh)
#   make check      build and run every test (unit, fuzz corpus replay,
#                   integration); ends with "N passed, N failed"
#   make bench      benchmarks, each figure beside its reference
#   make fuzz       coverage-guided fuzzing with libFuzzer (needs clang)
#   make install PREFIX=DIR
#   make SANITIZER=address,undefined check   (what CI runs too)

CC      ?= cc
PREFIX  ?= /usr/local
VERSION := 0.1.0
comma := ,

ifeq ($(SANITIZER),)
B       := build
SANFLAGS :=
else
B       := build-$(subst $(comma),-,$(SANITIZER))
SANFLAGS := -fsanitize=$(SANITIZER) -fno-sanitize-recover=all -fno-omit-frame-pointer
endif

CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wno-missing-field-initializers
ALLCFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) \
           -Iinclude -Ilib -fPIC -pthread
LDFLAGS ?=
ALLLDFLAGS := $(LDFLAGS) $(SANFLAGS) -pthread -rdynamic

# reincd builds seccomp filters (system.conf's `system`) with libseccomp.
SECCOMP_LIBS := -lseccomp
ifeq ($(filter clean,$(MAKECMDGOALS)),)
ifneq ($(shell printf '\043include <seccomp.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo ok),ok)
$(error libseccomp's headers are missing: install the Debian package libseccomp-dev (apt-get install libseccomp-dev))
endif
endif

LIB_SRC    := $(wildcard lib/*.c)
REINCD_SRC := $(wildcard reincd/*.c)
CLI_SRC    := $(wildcard cli/*.c)
DSD_SRC    := $(wildcard dsd/*.c)

LIB_OBJ    := $(LIB_SRC:%.c=$(B)/%.o)
REINCD_OBJ := $(REINCD_SRC:%.c=$(B)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(B)/%.o)
DSD_OBJ    := $(DSD_SRC:%.c=$(B)/%.o)
# dsd's store and request decoder, for the unit tests and fuzzers
DSD_LIBOBJ := $(filter-out $(B)/dsd/dsd.o,$(DSD_OBJ))

# Example programs and test services: one binary per .c file.
EXAMPLE_SRC := $(wildcard examples/*/*.c)
TESTSVC_SRC := $(wildcard tests/services/*.c)
UNIT_SRC    := $(wildcard tests/unit/*.c)
FUZZ_SRC    := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC   := $(wildcard bench/*.c)

EXAMPLE_BIN := $(patsubst examples/%.c,$(B)/examples/%,$(EXAMPLE_SRC))
TESTSVC_BIN := $(patsubst tests/services/%.c,$(B)/tests/services/%,$(TESTSVC_SRC))
UNIT_BIN    := $(patsubst tests/unit/%.c,$(B)/tests/unit/%,$(UNIT_SRC))
FUZZ_BIN    := $(patsubst tests/fuzz/%.c,$(B)/tests/fuzz/%,$(FUZZ_SRC))
BENCH_BIN   := $(patsubst bench/%.c,$(B)/bench/%,$(BENCH_SRC))

LIBA  := $(B)/lib/libsef.a
LIBSO := $(B)/lib/libsef.so

all: $(B)/bin/reincd $(B)/bin/reinc $(B)/bin/dsd $(LIBA) $(LIBSO) $(EXAMPLE_BIN) \
     $(TESTSVC_BIN) $(UNIT_BIN) $(FUZZ_BIN) $(BENCH_BIN)

$(B)/%.o: %.c $(wildcard include/*.h lib/*.h reincd/*.h cli/*.h dsd/*.h) | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -c -o $@ $<

$(B):
	@mkdir -p $(B)/bin $(B)/lib

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libsef.so.0 -o $@ $^ $(ALLLDFLAGS)

$(B)/bin/reincd: $(REINCD_OBJ) $(LIBA)
	$(CC) -o $@ $(REINCD_OBJ) $(LIBA) $(ALLLDFLAGS) $(SECCOMP_LIBS)

$(B)/bin/reinc: $(CLI_OBJ) $(LIBA)
	$(CC) -o $@ $(CLI_OBJ) $(LIBA) $(ALLLDFLAGS)

$(B)/bin/dsd: $(DSD_OBJ) $(LIBA)
	$(CC) -o $@ $(DSD_OBJ) $(LIBA) $(ALLLDFLAGS)

$(B)/examples/%: examples/%.c $(LIBA) include/sef.h $(wildcard examples/*/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LIBA) $(ALLLDFLAGS)

$(B)/tests/services/%: tests/services/%.c $(LIBA) include/sef.h $(wildcard tests/services/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LIBA) $(ALLLDFLAGS)

$(B)/tests/unit/%: tests/unit/%.c tests/unit/check.h $(LIBA) $(filter-out $(B)/reincd/main.o,$(REINCD_OBJ)) $(DSD_LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Ireincd -Idsd -o $@ $< $(filter-out $(B)/reincd/main.o,$(REINCD_OBJ)) $(DSD_LIBOBJ) $(LIBA) $(ALLLDFLAGS) $(SECCOMP_LIBS)

# Fuzz targets define LLVMFuzzerTestOneInput; tests/fuzz/replay.c gives
# them a main() that replays a corpus, so `make check` needs no clang.
$(B)/tests/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIBA) $(filter-out $(B)/reincd/main.o,$(REINCD_OBJ)) $(DSD_LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -Ireincd -Idsd -o $@ $< tests/fuzz/replay.c $(filter-out $(B)/reincd/main.o,$(REINCD_OBJ)) $(DSD_LIBOBJ) $(LIBA) $(ALLLDFLAGS) $(SECCOMP_LIBS)

$(B)/bench/%: bench/%.c $(LIBA) include/sef.h
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LIBA) $(ALLLDFLAGS)

run: all
	REINC_BUILD=$(B) sh examples/run.sh

check: all
	REINC_BUILD=$(B) sh tests/run.sh

bench: all
	REINC_BUILD=$(B) sh bench/run.sh

fuzz:
	REINC_BUILD=$(B) sh tests/fuzz/run-libfuzzer.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 755 $(B)/bin/reincd $(B)/bin/reinc $(B)/bin/dsd $(DESTDIR)$(PREFIX)/bin/
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/libsef.a
	install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/libsef.so.0
	ln -sf libsef.so.0 $(DESTDIR)$(PREFIX)/lib/libsef.so
	install -m 644 include/sef.h $(DESTDIR)$(PREFIX)/include/sef.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    libsef.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/libsef.pc
	-install -m 644 docs/man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/ 2>/dev/null
	-install -m 644 docs/man/*.3 $(DESTDIR)$(PREFIX)/share/man/man3/ 2>/dev/null

clean:
	rm -rf build build-*

.PHONY: all run check bench fuzz install clean
