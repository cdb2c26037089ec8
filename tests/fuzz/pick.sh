#!/bin/sh
# tests/fuzz/pick.sh TARGET — after `FUZZ_TARGETS=TARGET make fuzz`: adds to tests/fuzz/corpus/TARGET/
# the inputs of build/fuzz/corpus_TARGET/ that reach code the kept seeds do not (libFuzzer -merge=1,
# at most 4 KB each), up to 30 files in the folder (the largest first: they reach most). Review, then commit.
set -e
cd "$(dirname "$0")/../.."
t=$1
[ -x build/fuzz/fuzz_$t ] && [ -d build/fuzz/corpus_$t ] || { echo "run FUZZ_TARGETS=$t make fuzz first" >&2; exit 1; }
tmp=build/fuzz/pick_$t
rm -rf $tmp && mkdir -p $tmp
cp tests/fuzz/corpus/$t/* $tmp/ 2>/dev/null || true
build/fuzz/fuzz_$t -merge=1 -max_len=4096 $tmp build/fuzz/corpus_$t >build/fuzz/$t.pick.log 2>&1
room=$((30 - $(ls tests/fuzz/corpus/$t | wc -l)))
added=0
for f in $(ls -S $tmp); do
	[ -e tests/fuzz/corpus/$t/$f ] && continue
	[ $added -ge $room ] && break
	[ $(wc -c <$tmp/$f) -le 4096 ] || continue
	cp $tmp/$f tests/fuzz/corpus/$t/fuzz-$f
	added=$((added + 1))
done
echo "$t: $(ls $tmp | wc -l) after merge, $added added, $(ls tests/fuzz/corpus/$t | wc -l) kept"
