# smtplint - streaming SMTP transcript and log analyzer
#
#   make            build ./smtplint
#   make demo       build and run it on a bundled sample
#   make check      unit tests (Check) + golden tests + bad-input tests
#   make check SAN=1          the same built with ASan + UBSan
#   make check-valgrind       the golden runs under valgrind
#   make install PREFIX=/usr/local DESTDIR=
#
# Missing Debian packages are installed with apt-get when run as root.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DESTDIR	?=
CC	?= cc
PKG_CONFIG ?= pkg-config

VERSION	= 0.1.0

WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wmissing-declarations -Wpointer-arith -Wcast-qual -Wwrite-strings \
	  -Wformat=2 -Wvla -fno-common
OPT	?= -O2 -g
CFLAGS	?= $(OPT)
ALL_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) $(CFLAGS) \
	  -DSMTPLINT_VERSION='"$(VERSION)"' -Isrc -Ibuild

ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDSAN	= -fsanitize=address,undefined
BUILD	= build-san
else
BUILD	= build
endif

DEB_PKGS = build-essential pkg-config libpcre2-dev libyaml-dev zlib1g-dev check libsubunit-dev \
	python3

SRCS	= $(sort $(wildcard src/*.c))
OBJS	= $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/rules_embed.o
LIBOBJS	= $(filter-out $(BUILD)/main.o,$(OBJS))
RULES	= $(sort $(wildcard rules/*.yaml))
TESTS	= $(sort $(wildcard tests/check_*.c))
TESTBINS = $(TESTS:tests/%.c=$(BUILD)/%)

all: smtplint

# ---- dependencies: install what is missing on Debian, as root
.deps-ok:
	@sh tools/deps.sh $(DEB_PKGS)
	@touch $@

PKGS	= libpcre2-8 yaml-0.1 zlib
LIBS	= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -pthread
PKGCFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
CHECKLIBS = $(shell $(PKG_CONFIG) --cflags --libs check 2>/dev/null)

$(BUILD)/.dir:
	@mkdir -p $(BUILD)
	@touch $@

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) .deps-ok | $(BUILD)/.dir
	$(CC) $(ALL_CFLAGS) $(PKGCFLAGS) -c -o $@ $<

# The embed tool parses the rules files with src/ydoc.c at build time.
EMBED_SRCS = tools/embed.c src/ydoc.c src/arena.c src/diag.c src/xalloc.c
$(BUILD)/embed: $(EMBED_SRCS) src/ydoc.h src/arena.h src/diag.h src/xalloc.h .deps-ok | $(BUILD)/.dir
	$(CC) -std=c11 -D_POSIX_C_SOURCE=200809L -O1 -Isrc $(PKGCFLAGS) -o $@ $(EMBED_SRCS) $(LIBS)

$(BUILD)/rules_embed.c: $(BUILD)/embed $(RULES)
	$(BUILD)/embed $(RULES) > $@.tmp && mv $@.tmp $@

$(BUILD)/rules_embed.o: $(BUILD)/rules_embed.c
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/smtplint: $(OBJS)
	$(CC) $(LDSAN) -o $@ $(OBJS) $(LIBS)

smtplint: $(BUILD)/smtplint
	cp $< $@

$(BUILD)/check_%: tests/check_%.c $(LIBOBJS)
	$(CC) $(ALL_CFLAGS) $(PKGCFLAGS) -DTOP_SRCDIR='"$(CURDIR)"' -o $@ $< $(LIBOBJS) $(LDSAN) $(LIBS) $(CHECKLIBS)

# ---- tests
check: unit golden same bad corpus

unit: $(TESTBINS)
	@set -e; for t in $(TESTBINS); do echo "== $$t"; $$t; done

golden: $(BUILD)/smtplint
	@sh tests/golden.sh $(BUILD)/smtplint

golden-update: $(BUILD)/smtplint
	@UPDATE=1 sh tests/golden.sh $(BUILD)/smtplint

same: $(BUILD)/smtplint
	@sh tests/same.sh $(BUILD)/smtplint

bad: $(BUILD)/smtplint
	@sh tests/bad.sh $(BUILD)/smtplint

bad-update: $(BUILD)/smtplint
	@UPDATE=1 sh tests/bad.sh $(BUILD)/smtplint

check-valgrind: $(BUILD)/smtplint $(TESTBINS)
	@command -v valgrind >/dev/null || sh tools/deps.sh valgrind
	@set -e; for t in $(TESTBINS); do echo "== valgrind $$t"; \
	  CK_FORK=no valgrind -q --leak-check=full --error-exitcode=1 $$t; done
	@VALGRIND=1 sh tests/golden.sh $(BUILD)/smtplint
	@VALGRIND=1 sh tests/bad.sh $(BUILD)/smtplint

# The committed captures of real clients against a real Postfix and a
# misbehaving server (testdata/real, testdata/bad-server), linted again.
corpus: $(BUILD)/smtplint
	@SMTPLINT=$(BUILD)/smtplint bash tests/live/run.sh --from testdata

check-live: smtplint
	@bash tests/live/run.sh

demo: smtplint
	./smtplint -s info testdata/demo/sample.txt; \
	  echo "(exit status $$?)"

# ---- fuzzing (clang, libFuzzer): tests/fuzz/fuzz_*.c, seed corpus testdata/
FUZZ_SECONDS ?= 20
FUZZ_SRCS = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS = $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)
# Small caps so that short fuzz inputs reach the limit paths (SMTP_MAX_PENDING
# must stay 8 times a power of two: the queue doubles from 8).
FUZZ_LIMITS = -DINPUT_MAX_LINE=1024 -DSMTP_MAX_PENDING=16 -DSMTP_MAX_REPLY_LINES=6
FUZZ_CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -g -O1 -Isrc -Ibuild-fuzz \
	$(FUZZ_LIMITS) -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
FUZZ_OBJS = $(filter-out build-fuzz/main.o,$(SRCS:src/%.c=build-fuzz/%.o)) build-fuzz/rules_embed.o

build-fuzz/%.o: src/%.c $(wildcard src/*.h) .deps-ok
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) $(PKGCFLAGS) -c -o $@ $<

build-fuzz/rules_embed.c: $(BUILD)/embed $(RULES)
	@mkdir -p build-fuzz
	$(BUILD)/embed $(RULES) > $@.tmp && mv $@.tmp $@

build-fuzz/rules_embed.o: build-fuzz/rules_embed.c
	clang $(FUZZ_CFLAGS) -c -o $@ $<

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(PKGCFLAGS) -o $@ $< $(FUZZ_OBJS) $(LIBS)

.PRECIOUS: build-fuzz/%.o build-fuzz/rules_embed.c

fuzz: $(FUZZ_BINS)

fuzz-run: $(FUZZ_BINS)
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# ---- benchmark: a generated 1 GB log, timed against grep and cat
bench: smtplint
	@sh tests/bench/bench.sh

install: smtplint
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 smtplint $(DESTDIR)$(BINDIR)/smtplint
	install -m 644 contrib/smtplint.1 $(DESTDIR)$(MANDIR)/man1/smtplint.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/smtplint $(DESTDIR)$(MANDIR)/man1/smtplint.1

clean:
	rm -rf build build-san build-fuzz smtplint

.PHONY: all check unit golden golden-update same bad bad-update check-valgrind check-live demo \
	install uninstall clean fuzz fuzz-run bench
