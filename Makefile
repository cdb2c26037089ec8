# dangxiao — build, run and test. `make run` and `make test` are the front door.
CC      ?= cc
PKGS    := libmicrohttpd sqlite3 libcmark-gfm jansson libsodium libcurl libavformat libavcodec libavutil \
           xlsxwriter cairo pangocairo fontconfig libqrencode zlib
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN    := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wformat=2
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -I. -Iserver $(PKG_CFLAGS)
LIBS     = $(PKG_LIBS) -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# The core, then the module folders named in the registry (modules.c: one MODULE(name) line each).
MODULES := server $(shell sed -n 's/^[[:space:]]*MODULE(\([a-z_]*\)).*/\1/p' modules.c)
SRC     := modules.c $(sort $(wildcard $(addsuffix /*.c,$(MODULES))))
LIBSRC  := $(filter-out server/main.c,$(SRC))
OBJ     := $(SRC:%.c=build/rel/%.o)
SOBJ    := $(SRC:%.c=build/san/%.o)
SLIBOBJ := $(LIBSRC:%.c=build/san/%.o)
UNIT    := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN := $(UNIT:tests/unit/%.c=build/unit/%)
E2ESRC  := $(sort $(wildcard tests/e2e/*.c))
FUZZSRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZBIN := $(FUZZSRC:tests/fuzz/%.c=build/fuzz-replay/%)
HDRS    := $(wildcard $(addsuffix /*.h,$(MODULES)) tests/e2e/*.h)
VENDOR  := web/vendor/hls.min.js web/vendor/tus.min.js
# Static assets are served precompressed: FILE.gz always, FILE.br when the brotli tool is there.
ASSETS  := $(sort $(wildcard web/js/*.js web/css/*.css web/i18n/*.json)) $(VENDOR)
BROTLI  := $(shell command -v brotli 2>/dev/null)
PRECOMP := $(ASSETS:=.gz) $(if $(BROTLI),$(ASSETS:=.br))

DATA    ?= data
LISTEN  ?= 127.0.0.1:8080

.PHONY: all deps deps-test run test unit e2e browser bench fuzz fuzz-replay proof clean san vendor precompress format check-clang screenshots
all: bin/dangxiao vendor precompress

deps:
	@sh tools/deps.sh
deps-test:
	@sh tools/deps.sh test

bin/dangxiao: $(OBJ)
	@mkdir -p bin
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(LIBS)

build/rel/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The same program under AddressSanitizer + UBSan: what the tests run.
bin/dangxiao-san: $(SOBJ)
	@mkdir -p bin
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) $(SAN) -o $@ $(SOBJ) $(LIBS)
san: bin/dangxiao-san

build/san/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC san  $<"
	@$(CC) $(ALL_CFLAGS) $(SAN) -O1 -c -o $@ $<

# The same program built by clang in its own folder: CI builds with both compilers (make test runs it).
CLANG   ?= clang
CLANGOBJ := $(SRC:%.c=build/clang/%.o)
check-clang: build/clang/dangxiao
build/clang/dangxiao: $(CLANGOBJ)
	@echo "  LINK    $@"
	@$(CLANG) $(ALL_CFLAGS) -o $@ $(CLANGOBJ) $(LIBS)

build/clang/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"
	@$(CLANG) $(ALL_CFLAGS) -c -o $@ $<

build/unit/%: tests/unit/%.c $(SLIBOBJ) $(HDRS)
	@mkdir -p build/unit
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) $(SAN) -O1 -o $@ $< $(SLIBOBJ) $(LIBS) -lcmocka

# Release-build micro benchmarks of pure code (bench/*.c), e.g. build/bench/cert_bench.
build/bench/%: bench/%.c $(filter-out build/rel/server/main.o,$(OBJ)) $(HDRS)
	@mkdir -p build/bench
	@echo "  BENCH   $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(filter-out build/rel/server/main.o,$(OBJ)) $(LIBS)

# bench/heartbeat.sh's reference (AWARDS=0): the release server without the awards listener.
build/bench/dangxiao-noawards: $(OBJ) scoring/module.c $(HDRS)
	@mkdir -p build/bench
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -DDX_BENCH_NO_AWARDS -c -o build/bench/scoring-module-noawards.o scoring/module.c
	@$(CC) $(ALL_CFLAGS) -o $@ $(filter-out build/rel/scoring/module.o,$(OBJ)) build/bench/scoring-module-noawards.o $(LIBS)

# Each fuzz target without libFuzzer (gcc, ASan + UBSan), replaying its kept corpus and crash inputs.
build/fuzz-replay/%: tests/fuzz/%.c tests/fuzz/replay.c $(SLIBOBJ) $(HDRS)
	@mkdir -p build/fuzz-replay
	@echo "  FUZZ    $@"
	@$(CC) $(ALL_CFLAGS) $(SAN) -O1 -o $@ $< tests/fuzz/replay.c $(SLIBOBJ) $(LIBS)
fuzz-replay: $(FUZZBIN)

build/e2e/e2e: $(E2ESRC) $(HDRS)
	@mkdir -p build/e2e
	@echo "  TEST    $@"
	@$(CC) $(ALL_CFLAGS) $(SAN) -O1 -Itests/e2e -o $@ $(E2ESRC) $(LIBS)

web/vendor/hls.min.js: node_modules/.dangxiao-ok
	@mkdir -p web/vendor
	cp node_modules/hls.js/dist/hls.min.js $@
web/vendor/tus.min.js: node_modules/.dangxiao-ok
	@mkdir -p web/vendor
	cp node_modules/tus-js-client/dist/tus.min.js $@
vendor: $(VENDOR)
precompress: $(PRECOMP)
web/%.gz: web/%
	@gzip -9 -n -c $< > $@.tmp && mv $@.tmp $@
web/%.br: web/%
	@brotli -f -q 11 -o $@.tmp $< && mv $@.tmp $@ && touch $@
node_modules/.dangxiao-ok: package.json
	@sh tools/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@sh tools/run.sh "$(DATA)" "$(LISTEN)"

# Every test: unit (cmocka, ASan+UBSan), end-to-end against the real server, browser.
test: deps-test
	@$(MAKE) --no-print-directory all bin/dangxiao-san $(UNITBIN) $(FUZZBIN) build/e2e/e2e
	@sh tests/run_all.sh

unit: $(UNITBIN)
	@for t in $(UNITBIN); do $$t || exit 1; done

# Small JPEG screenshots of every audited page at 360 and 1280 px (tests/browser/test_audit.mjs) into
# docs/screenshots/, for the guides (docs/guide.md).
screenshots: deps-test all
	@rm -f docs/screenshots/*.jpg
	@DX_BIN=bin/dangxiao DX_SCREENSHOTS=docs/screenshots node tests/browser/run.mjs test_audit
	@du -ch docs/screenshots/*.jpg | tail -1

bench: deps-test all
	@sh bench/run_all.sh

fuzz: deps-test
	@command -v clang >/dev/null || apt-get install -y -q clang >/dev/null
	@sh tests/fuzz/run.sh

# The long proofs: every tools/proof/*.sh (sqlmap, slowhttptest, nginx + TLS, systemd unit, …),
# each bounded, each printing its duration and result; `make proof PROOF=nginx` runs one.
# They install their heavy Debian tools (sqlmap, slowhttptest) on first use. docs/security.md.
proof: all
	@fail=0; for s in tools/proof/$(or $(PROOF),*).sh; do \
		[ "$$(basename $$s)" = lib.sh ] && continue; \
		echo "== $$s"; t0=$$(date +%s); \
		if sh $$s; then r=PASS; else r=FAIL; fail=1; fi; \
		echo "== $$s: $$r in $$(( $$(date +%s) - t0 )) s"; \
	done; exit $$fail

clean:
	rm -rf build bin web/vendor
	rm -f web/js/*.gz web/js/*.br web/css/*.gz web/css/*.br web/i18n/*.gz web/i18n/*.br

# Formats the lines you changed since HEAD (or FORMAT_BASE) with .clang-format; the committed tree
# is left as it is written, so a clean tree stays unchanged.
FORMAT_BASE ?= HEAD
format:
	@git clang-format --force --extensions c,h $(FORMAT_BASE)
