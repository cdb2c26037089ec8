#!/bin/sh
# Runs every test suite and ends with one line: "N passed, N failed".
#   unit:    build/unit/test_* (cmocka, ASan + UBSan)
#   e2e:     build/e2e/e2e against bin/dangxiao-san (ASan + UBSan), real HTTP
#   fuzz:    build/fuzz-replay/fuzz_* (each libFuzzer target built without libFuzzer, ASan + UBSan)
#            over tests/fuzz/corpus/TARGET/ and tests/fuzz/regress/TARGET/; one passed/failed each
#   browser: tests/browser/*.mjs with playwright-core and Debian's chromium
#   clang:   the server built by clang too (make check-clang), one counted step
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$(pwd)/tests/lsan.supp
# Any sanitizer report fails the suite that printed it, whatever its exit status and tally say.
SAN_RE='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:'
passed=0; failed=0
log=$(mktemp -d)

for t in build/unit/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	"$t" >"$log/$name.out" 2>&1; rc=$?
	p=$(sed -n 's/.*\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log/$name.out" | tail -1)
	f=$(sed -n 's/.*\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log/$name.out" | tail -1)
	p=${p:-0}; f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
	if grep -qE "$SAN_RE" "$log/$name.out"; then
		echo "unit $name: sanitizer report"; f=$((f + 1))
	fi
	echo "unit $name: $p passed, $f failed"
	[ "$f" != 0 ] && cat "$log/$name.out"
	passed=$((passed + p)); failed=$((failed + f))
done

for t in build/fuzz-replay/fuzz_*; do
	[ -x "$t" ] || continue
	name=${t##*/fuzz_}
	set --
	for d in tests/fuzz/corpus/$name tests/fuzz/regress/$name; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	"$t" "$@" >"$log/fuzz_$name.out" 2>&1; rc=$?
	n=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$log/fuzz_$name.out")
	if [ $rc -ne 0 ] || [ -z "$n" ] || grep -qE "$SAN_RE" "$log/fuzz_$name.out"; then
		echo "fuzz $name: failed (input: $(sed -n 's/^replay: \(.*\/.*\)$/\1/p' "$log/fuzz_$name.out" | tail -1))"
		tail -40 "$log/fuzz_$name.out"
		failed=$((failed + 1))
	else
		echo "fuzz $name: $n inputs replayed"
		passed=$((passed + 1))
	fi
done

build/e2e/e2e >"$log/e2e.out" 2>&1; rc=$?
grep -E '^(ok|not ok)|FAIL' "$log/e2e.out" | sed 's/^/  /'
p=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log/e2e.out")
f=$(sed -n 's/^e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log/e2e.out")
p=${p:-0}; f=${f:-1}
[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
# the harness fails a test on the server's reports itself; this catches the harness's own
grep -qE "$SAN_RE" "$log/e2e.out" && [ "$f" = 0 ] && f=1
[ "$f" != 0 ] && tail -40 "$log/e2e.out"
echo "e2e: $p passed, $f failed"
passed=$((passed + p)); failed=$((failed + f))

if ls tests/browser/*.mjs >/dev/null 2>&1; then
	node tests/browser/run.mjs >"$log/browser.out" 2>&1; rc=$?
	cat "$log/browser.out" | sed 's/^/  /'
	p=$(sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log/browser.out")
	f=$(sed -n 's/^browser: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log/browser.out")
	p=${p:-0}; f=${f:-1}
	[ $rc -ne 0 ] && [ "$f" = 0 ] && f=1
	passed=$((passed + p)); failed=$((failed + f))
fi
# CI builds with both compilers: the gcc build is above, this is clang's (-Werror as well).
if make --no-print-directory check-clang >"$log/clang.out" 2>&1; then
	echo "clang build: 1 passed, 0 failed"
	passed=$((passed + 1))
else
	tail -30 "$log/clang.out"
	echo "clang build: 0 passed, 1 failed"
	failed=$((failed + 1))
fi

rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
