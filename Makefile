# acmec — see README.  GNU make.

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR ?=

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS     = libcurl openssl libcjson yaml-0.1 ldns expat
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla
DEFS     = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
           -DOPENSSL_API_COMPAT=30000 -DOPENSSL_NO_DEPRECATED \
           -DACMEC_VERSION='"$(VERSION)"'
# Object trees are kept apart so that `make`, `make check` (-Werror) and
# `make asan` never mix objects built with different flags.
BUILD   ?= build/all
XCFLAGS ?=
XLDFLAGS ?=

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(DEFS) -I. -pthread $(PKG_CFLAGS) $(CFLAGS) $(XCFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(XLDFLAGS)

LIB_SRCS  = $(wildcard crypto/*.c jws/*.c acme/*.c acme/*/*.c)
UNIT_SRCS = $(wildcard tests/unit/*.c)
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_OBJS = $(UNIT_SRCS:%.c=$(BUILD)/%.o)

ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all

FUZZERS    = config http01 acme pem b64 xml
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer-no-link,address,undefined \
             -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60

.PHONY: all deps deps-test deps-bench check asan install clean demo fuzz \
        fuzz-build bench bench-wan

# pkg-config's flags are read when make starts, so the real build runs in a
# sub-make after deps may have installed the packages.
all: deps
	$(MAKE) BUILD=build/all build/all/acmec
	cp build/all/acmec acmec

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/acmec: $(BUILD)/acmec.o $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BUILD)/unit: $(UNIT_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

deps:
	@tests/deps.sh build

deps-test:
	@tests/deps.sh test

check: deps-test
	$(MAKE) BUILD=build/check XCFLAGS=-Werror build/check/acmec build/check/unit
	$(MAKE) fuzz-build
	tests/run.sh build/check

asan: deps-test
	$(MAKE) BUILD=build/asan XCFLAGS="-Werror $(ASAN_FLAGS)" \
	    XLDFLAGS="$(ASAN_FLAGS)" build/asan/acmec build/asan/unit
	$(MAKE) fuzz-build
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/run.sh build/asan

demo: deps-test all
	tests/demo.sh

deps-bench:
	@tests/deps.sh bench

# acmec against certbot, lego and uacme: tests/bench/last-run.md
bench: deps-bench all
	tests/bench/run.sh

# The same peers over a 50 ms round trip (BENCH_DELAY_MS each way, 25):
# tests/bench/last-wan.md
bench-wan: deps-bench all
	tests/bench/wan.sh

# libFuzzer harnesses (clang); tests/e2e/fuzz_smoke.sh runs each briefly.
fuzz-build:
	$(MAKE) BUILD=build/fuzz CC=clang XCFLAGS="$(FUZZ_FLAGS)" \
	    $(FUZZERS:%=build/fuzz/fuzz_%)

build/fuzz/fuzz_%: $(LIB_OBJS) build/fuzz/tests/fuzz/fuzz_%.o
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $^ \
	    $(PKG_LIBS)

# make fuzz FUZZ_SECONDS=N: each harness for N seconds, corpus kept in
# build/fuzz/corpus/NAME (seeded from tests/fuzz/corpus/NAME).
fuzz: deps-test fuzz-build
	@for f in $(FUZZERS); do \
	    mkdir -p build/fuzz/corpus/$$f; \
	    echo "== fuzz_$$f for $(FUZZ_SECONDS) s"; \
	    build/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
	        -print_final_stats=1 build/fuzz/corpus/$$f \
	        tests/fuzz/corpus/$$f 2>&1 | \
	        grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|crash-' \
	        || exit 1; \
	done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 acmec $(DESTDIR)$(BINDIR)/acmec
	install -m 0644 man/acmec.1 $(DESTDIR)$(MANDIR)/man1/acmec.1
	install -m 0644 man/acmec.conf.5 $(DESTDIR)$(MANDIR)/man5/acmec.conf.5
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	./acmec completion bash >$(DESTDIR)$(BASHCOMPDIR)/acmec
	./acmec completion zsh >$(DESTDIR)$(ZSHCOMPDIR)/_acmec
	./acmec completion fish >$(DESTDIR)$(FISHCOMPDIR)/acmec.fish

clean:
	rm -rf build acmec

-include $(shell find build -name '*.d' 2>/dev/null)
