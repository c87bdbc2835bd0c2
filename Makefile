# TPP vouchers for UMKM purchase schemes. GNU make.
# Settings: override on the command line (make CFLAGS=-O0 PREFIX=/opt/voucher).
PREFIX     ?= /usr/local
DESTDIR    ?=
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DATADIR    ?= $(PREFIX)/share/voucher
CC         ?= cc
CFLAGS     ?= -O2 -g
LDFLAGS    ?=
PKG_CONFIG ?= pkg-config
BUILD      ?= build
BIN        ?= bin
SAN        ?=
FUZZ_SECONDS ?= 60
FUZZ_INPUTS ?= 10000000
FUZZ_LONG_SECONDS ?= 0
FUZZ_JOBS  ?= 2
CLANG      ?= clang
CLANG_FORMAT ?= clang-format

# One name for one object file: a BUILD given as an absolute path inside the
# tree (tests/run.sh exports one) is made relative, so that the header
# dependencies (-MMD) written by one make match the targets of the next.
override BUILD := $(patsubst $(CURDIR)/%,%,$(BUILD))

# LMDB's pkg-config file is missing on some systems: fall back to -llmdb.
LMDB_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags lmdb 2>/dev/null)
LMDB_LIBS   ?= $(shell $(PKG_CONFIG) --libs lmdb 2>/dev/null || echo -llmdb)
# libxlsxwriter's pkg-config file is missing on some systems too: -lxlsxwriter.
XLSX_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags xlsxwriter 2>/dev/null)
XLSX_LIBS   ?= $(shell $(PKG_CONFIG) --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter)
# libcsv and libharu ship no pkg-config file at all.
CSV_LIBS    ?= -lcsv
HPDF_LIBS   ?= -lhpdf

PKGS      = openssl libqrencode libevent libevent_pthreads libevent_openssl jansson inih libpng
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(PKGS))
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-missing-field-initializers
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SAN) -Icommon $(PKG_CFLAGS) $(LMDB_CFLAGS) $(XLSX_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SAN) -Wl,--as-needed
LIBS      = $(PKG_LIBS) $(LMDB_LIBS) $(CSV_LIBS) $(HPDF_LIBS) $(XLSX_LIBS) -lpthread -lm

COMMON_SRC   = $(wildcard common/*.c)
SIGN_SRC     = $(wildcard common/sign/*.c)
KEYS_SRC     = $(filter-out keys/main.c,$(wildcard keys/*.c))
ISSUER_SRC   = $(filter-out issuer/main.c,$(wildcard issuer/*.c))
PAGE_FILES   = index:redeemer/page/index.html app:redeemer/page/app.js \
	       voucher:redeemer/page/voucher.js noble:redeemer/page/noble.mjs \
	       offline:redeemer/page/offline.js sw:redeemer/page/sw.js \
	       manifest:redeemer/page/manifest.webmanifest icon:redeemer/page/icon.svg \
	       scanner:redeemer/page/scanner.js \
	       zxing:redeemer/page/vendor/zxing-reader.js \
	       zxing_wasm:redeemer/page/vendor/zxing_reader.wasm \
	       zxing_license:redeemer/page/vendor/zxing-wasm.LICENSE \
	       noble_ed25519:redeemer/page/vendor/noble-ed25519.mjs \
	       noble_license:redeemer/page/vendor/noble-ed25519.LICENSE
PAGE_SRC     = $(foreach f,$(PAGE_FILES),$(BUILD)/gen/page_$(firstword $(subst :, ,$(f))).c)
REDEEMER_SRC = $(filter-out redeemer/main.c,$(wildcard redeemer/*.c)) $(PAGE_SRC)
TEST_SRC     = $(wildcard tests/test_*.c)
BENCH_SRC    = $(wildcard bench/*.c)

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))
LIBCOMMON   = $(BUILD)/libcommon.a
LIBSIGN     = $(BUILD)/libsign.a
LIBKEYS     = $(BUILD)/libkeys.a
LIBISSUER   = $(BUILD)/libissuer.a
LIBREDEEMER = $(BUILD)/libredeemer.a
PROGS = $(BIN)/voucher-keys $(BIN)/voucher-issuer $(BIN)/voucher-redeemer
TESTS = $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
# Not a unit test: tests/e2e_differential.sh's inputs, each with the C verifier's answer.
DIFF_GEN = $(BUILD)/tests/diff_gen
DIFF_SRC = $(wildcard tests/diff/*.c)
BENCHES = $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.SECONDARY:
.PHONY: all deps check test asan tsan demo fuzz bench install clean tests crash-test format format-check
all: $(PROGS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The scanner page and the files it loads, built into the redeemer.
define page_rule
$(BUILD)/gen/page_$(1).c: $(2) scripts/embed.sh
	@mkdir -p $$(dir $$@)
	scripts/embed.sh page_$(1) $$< >$$@
endef
$(foreach f,$(PAGE_FILES),$(eval $(call page_rule,$(firstword $(subst :, ,$(f))),$(lastword $(subst :, ,$(f))))))

$(LIBCOMMON): $(call obj,$(COMMON_SRC))
$(LIBSIGN): $(call obj,$(SIGN_SRC))
$(LIBKEYS): $(call obj,$(KEYS_SRC))
$(LIBISSUER): $(call obj,$(ISSUER_SRC))
$(LIBREDEEMER): $(call obj,$(REDEEMER_SRC))
$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/voucher-keys: $(call obj,keys/main.c) $(LIBKEYS) $(LIBCOMMON)
$(BIN)/voucher-issuer: $(call obj,issuer/main.c) $(LIBISSUER) $(LIBSIGN) $(LIBCOMMON)
# Verify-only: the redeemer links no libsign, so it cannot sign a voucher or
# a revocation list (tests/e2e_redeemer.sh checks its symbols).
$(BIN)/voucher-redeemer: $(call obj,redeemer/main.c) $(LIBREDEEMER) $(LIBCOMMON)
$(PROGS):
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIBISSUER) $(LIBREDEEMER) $(LIBKEYS) $(LIBSIGN) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LIBISSUER) $(LIBSIGN) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(DIFF_GEN): $(call obj,$(DIFF_SRC)) $(LIBSIGN) $(LIBCOMMON)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Tests reach into the programs' modules.
$(BUILD)/tests/%.o: ALL_CFLAGS += -Iissuer -Iredeemer

tests: $(PROGS) $(TESTS) $(DIFF_GEN)

deps:
	@scripts/deps.sh

# The whole suite: unit tests, golden vectors, end-to-end runs; then all
# of it again under AddressSanitizer and UndefinedBehaviorSanitizer.
check: deps format-check
	@$(MAKE) --no-print-directory tests
	@BIN=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) tests/run.sh
	@echo "== the same suite under AddressSanitizer and UndefinedBehaviorSanitizer"
	@$(MAKE) --no-print-directory asan

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin \
		CFLAGS="-O1 -g -fno-omit-frame-pointer" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" tests
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		BIN=$(abspath build/asan/bin) BUILD=$(abspath build/asan) tests/run.sh

# The tests whose code runs on several threads, under ThreadSanitizer: the
# store's writer, the verify pool and the event loop (the redeemer's unit and
# end-to-end tests), and the issuer's pools (issue, reconcile). A race stops
# the program that has it, which fails its test. Not part of `make check`:
# it adds minutes, and the same code runs there under ASan and UBSan.
TSAN_TESTS = test_store test_sig test_reconcile e2e_redeemer e2e_race e2e_codes e2e_offline \
	e2e_limits e2e_issuer e2e_reconcile e2e_archive e2e_rotation e2e_keytheft e2e_tls
tsan: deps
	@$(MAKE) --no-print-directory BUILD=build/tsan BIN=build/tsan/bin \
		CFLAGS="-O1 -g -fno-omit-frame-pointer" SAN="-fsanitize=thread" tests
	@TSAN_OPTIONS=halt_on_error=1 ONLY="$(TSAN_TESTS)" \
		BIN=$(abspath build/tsan/bin) BUILD=$(abspath build/tsan) tests/run.sh

# The crash test of `make check`, longer: 200 SIGKILLs.
crash-test: deps
	@$(MAKE) --no-print-directory all
	@KILLS=200 BIN=$(abspath $(BIN)) bash tests/e2e_crash.sh

# Every C file of ours in the style of .clang-format: `make format` rewrites
# them, `make check` refuses a tree where one differs.
FORMAT_SRC = $(shell find common keys issuer redeemer tests bench -name '*.[ch]' \
	-not -path '*/vendor/*' -not -path '*/node_modules/*')
format:
	@$(CLANG_FORMAT) -i $(FORMAT_SRC)

format-check:
	@$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRC) || \
		{ echo "make format: the files above differ from .clang-format"; exit 1; }

demo: deps
	@$(MAKE) --no-print-directory all
	@BIN=$(abspath $(BIN)) scripts/demo.sh

FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh build/fuzz/fuzz $(FUZZ_TARGETS)

# A campaign (tests/fuzz/long.sh): each harness for FUZZ_INPUTS inputs (or
# FUZZ_LONG_SECONDS), FUZZ_JOBS at a time, its findings merged back into
# tests/fuzz/corpus/ (commit them); a table of what each did.
.PHONY: fuzz-long
fuzz-long: deps
	@$(MAKE) --no-print-directory fuzz-build
	@FUZZ_INPUTS=$(FUZZ_INPUTS) FUZZ_LONG_SECONDS=$(FUZZ_LONG_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
		tests/fuzz/long.sh build/fuzz/fuzz

# The harnesses alone, into build/fuzz/fuzz/ (tests/e2e_fuzz.sh runs them briefly).
# -O2, as the programs are built, with AddressSanitizer and UBSan as at -O1:
# a fifth more inputs a second than -O1. Objects and harnesses built with
# other flags (build/fuzz/flags) are built again. UBSan stops at the first
# undefined behaviour, a crash to libFuzzer (it used to print and go on,
# and no run failed for it).
FUZZ_CFLAGS = -O2 -g -fno-omit-frame-pointer
FUZZ_SAN = -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
.PHONY: fuzz-build
fuzz-build:
	@mkdir -p build/fuzz
	@echo '$(FUZZ_CFLAGS) $(FUZZ_SAN)' | cmp -s - build/fuzz/flags || \
		{ find build/fuzz \( -name '*.o' -o -name '*.a' \) -delete; rm -rf build/fuzz/fuzz; \
		  echo '$(FUZZ_CFLAGS) $(FUZZ_SAN)' >build/fuzz/flags; }
	@$(MAKE) --no-print-directory BUILD=build/fuzz CC=$(CLANG) \
		CFLAGS="$(FUZZ_CFLAGS)" SAN="$(FUZZ_SAN)" \
		$(patsubst %,build/fuzz/fuzz/%,$(FUZZ_TARGETS))

# Each harness with tests/fuzz/sigmemo.c in front of sig_verify: Ed25519
# verdicts remembered, so a signature seen before costs a look-up.
FUZZ_WRAP = -Wl,--wrap=sig_verify,--wrap=sig_verifier_new,--wrap=sig_verifier_free
# reconcile's harnesses (tests/fuzz/recon_fixture.h) also start no pool worker.
FUZZ_RECON = $(patsubst %,build/fuzz/fuzz/fuzz_%,journal pins receipts reconcile)
$(FUZZ_RECON): FUZZ_WRAP += -Wl,--wrap=pool_start
# The pins harness reads its journal once and replays what it told the pins.
build/fuzz/fuzz/fuzz_pins: FUZZ_WRAP += -Wl,--wrap=pins_note
# Harnesses whose input the reader opens with fopen get it from memory
# (tests/fuzz/memfile.h, MEMFILE_IN_MEMORY), not from a file.
FUZZ_MEMORY = $(patsubst %,build/fuzz/fuzz/fuzz_%,journal pins receipts roster merchants policy)
$(FUZZ_MEMORY): FUZZ_WRAP += -Wl,--wrap=fopen,--wrap=setvbuf
# The request and route harnesses (tests/fuzz/service_fixture.h) run the
# verify pool's tasks on their own thread.
build/fuzz/fuzz/fuzz_request build/fuzz/fuzz/fuzz_route: FUZZ_WRAP += -Wl,--wrap=pool_submit
build/fuzz/fuzz/%: build/fuzz/tests/fuzz/%.o build/fuzz/tests/fuzz/sigmemo.o $(LIBISSUER) $(LIBREDEEMER) $(LIBKEYS) $(LIBSIGN) $(LIBCOMMON)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) $(FUZZ_WRAP) -fsanitize=fuzzer -o $@ $^ $(LIBS)

bench: deps
	@$(MAKE) --no-print-directory all $(BENCHES)
	@BIN=$(abspath $(BIN)) BUILD=$(abspath $(BUILD)) bench/run.sh

# The programs, their man pages, the redeemer's systemd unit (pointed at
# this PREFIX) and sample configuration.
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR)
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 $(wildcard docs/man/*.1) $(DESTDIR)$(MANDIR)/man1/
	sed 's|/usr/local/bin/|$(PREFIX)/bin/|g' packaging/voucher-redeemer.service \
		>$(DESTDIR)$(UNITDIR)/voucher-redeemer.service
	install -m 0644 packaging/redeemer.ini tests/data/policy.ini $(DESTDIR)$(DATADIR)/

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
