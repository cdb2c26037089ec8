#!/bin/sh
# make fuzz — builds libFuzzer targets with clang (ASan + UBSan) and runs each for FUZZ_SECONDS
# (default 60). Crashes are saved under build/fuzz/crashes/.
set -e
cd "$(dirname "$0")/../.."
command -v clang >/dev/null || { echo "make fuzz needs clang: apt-get install clang" >&2; exit 1; }
S=${FUZZ_SECONDS:-60}
mkdir -p build/fuzz/crashes
CF="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -I. -Iserver $(pkg-config --cflags jansson cairo pangocairo)"
LIBS="$(pkg-config --libs libmicrohttpd sqlite3 libcmark jansson libsodium libcurl libavformat libavcodec libavutil cairo pangocairo fontconfig libqrencode) -lpthread -lm"
CORE="modules.c $(for m in server $(sed -n 's/^[[:space:]]*MODULE(\([a-z_]*\)).*/\1/p' modules.c); do ls $m/*.c; done | grep -v server/main.c)"
fail=0
for t in csv cov http markdown qimport code; do
	clang $CF -o build/fuzz/fuzz_$t tests/fuzz/fuzz_$t.c $CORE $LIBS
	mkdir -p build/fuzz/corpus_$t
	echo "fuzzing $t for $S s"
	build/fuzz/fuzz_$t -max_total_time=$S -artifact_prefix=build/fuzz/crashes/$t- build/fuzz/corpus_$t \
		>build/fuzz/$t.log 2>&1 || { fail=1; tail -30 build/fuzz/$t.log; }
	grep -E '^Done|stat::number_of_executed_units' build/fuzz/$t.log | tail -1
done
[ $fail = 0 ] && echo "fuzz: no crashes" || { echo "fuzz: crashes found"; exit 1; }
