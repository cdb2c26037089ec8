#!/bin/sh
# make fuzz — builds the libFuzzer targets with clang (ASan + UBSan) and runs each for FUZZ_SECONDS
# (default 60), starting from the kept corpus tests/fuzz/corpus/TARGET/ plus the crash inputs of
# tests/fuzz/regress/TARGET/, copied into build/fuzz/corpus_TARGET/ (the tree is never rewritten).
# Crashes are saved as build/fuzz/crashes/TARGET-crash-*; a new one belongs, once fixed, in
# tests/fuzz/regress/TARGET/ (replayed by `make test`). FUZZ_TARGETS="a b" runs only those.
# FUZZ_MERGE=1 afterwards minimises each grown corpus into build/fuzz/merged_TARGET/ (to pick seeds).
set -e
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install clang" >&2; exit 1; }
S=${FUZZ_SECONDS:-60}
ALL=$(ls tests/fuzz/fuzz_*.c | sed 's|tests/fuzz/fuzz_||; s|\.c$||')
TARGETS=${FUZZ_TARGETS:-$ALL}
mkdir -p build/fuzz/crashes build/fuzz/obj
CF="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -I. -Iserver $(pkg-config --cflags libmicrohttpd sqlite3 libcmark-gfm jansson libsodium libcurl libavformat xlsxwriter cairo pangocairo 2>/dev/null)"
LIBS="$(pkg-config --libs libmicrohttpd sqlite3 libcmark-gfm jansson libsodium libcurl libavformat libavcodec libavutil xlsxwriter cairo pangocairo fontconfig libqrencode 2>/dev/null) -lpthread -lm"
# The core once, instrumented for coverage (fuzzer-no-link); each target links against it.
OBJS=""
# The core and the modules named in the registry (modules.c), with the registry itself.
DIRS="server $(sed -n 's/^[[:space:]]*MODULE(\([a-z_]*\)).*/\1/p' modules.c)"
for c in modules.c $(for m in $DIRS; do ls $m/*.c; done | grep -v server/main.c); do
	o=build/fuzz/obj/$(echo "$c" | tr / _ | sed 's/\.c$/.o/')
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ -n "$(find $DIRS -name '*.h' -newer "$o" | head -1)" ]; then
		clang $CF -fsanitize=fuzzer-no-link -c -o "$o" "$c"
	fi
	OBJS="$OBJS $o"
done
fail=0
for t in $TARGETS; do
	clang $CF -fsanitize=fuzzer -o build/fuzz/fuzz_$t tests/fuzz/fuzz_$t.c $OBJS $LIBS
	mkdir -p build/fuzz/corpus_$t
	for d in tests/fuzz/corpus/$t tests/fuzz/regress/$t; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' -exec cp {} build/fuzz/corpus_$t/ \;
	done
	echo "fuzzing $t for $S s"
	build/fuzz/fuzz_$t -max_total_time=$S -print_final_stats=1 -artifact_prefix=build/fuzz/crashes/$t- \
		build/fuzz/corpus_$t >build/fuzz/$t.log 2>&1 || { fail=1; tail -30 build/fuzz/$t.log; }
	grep -E '^stat::number_of_executed_units' build/fuzz/$t.log | tail -1 | sed "s/^/  $t: /"
	if [ -n "$FUZZ_MERGE" ]; then
		rm -rf build/fuzz/merged_$t && mkdir -p build/fuzz/merged_$t
		build/fuzz/fuzz_$t -merge=1 -max_len=4096 build/fuzz/merged_$t build/fuzz/corpus_$t >build/fuzz/$t.merge.log 2>&1
		echo "  $t: $(ls build/fuzz/merged_$t | wc -l) inputs after -merge=1 (build/fuzz/merged_$t)"
	fi
done
[ $fail = 0 ] && echo "fuzz: no crashes" || { echo "fuzz: crashes found (build/fuzz/crashes/)"; exit 1; }
