#!/bin/sh
# bench/upload.sh — issue 4: a 1 GiB PUT /api/v1/lectures/{id}/source against the disk's plain
# write speed (cp of the same file to the same file system, page cache dropped where allowed),
# and the server's peak memory (VmHWM) during the upload.
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
SIZE_MB=${SIZE_MB:-1024}
D=$BENCH_TMP/up; rm -rf "$D"
DPORT=$(free_port)
start_dx "$D" "$DPORT" $DX_ARGS
trap 'stop_dx' EXIT
SRC=$BENCH_TMP/upload.bin
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$SRC"
TOK=$(login_token "$DPORT" teacher)
LID=$(curl -s -X POST -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/api/v1/courses/1/lectures" -H 'Content-Type: application/json' -d '{"title":"压测上传"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
cp_once() { sync; a=$(date +%s.%N); cp "$SRC" "$D/uploads/plain.copy"; sync; b=$(date +%s.%N); rm -f "$D/uploads/plain.copy"; sync; python3 -c "print($b-$a)"; }
put_once() {
	sync; a=$(date +%s.%N)
	CODE=$(curl -s -o "$BENCH_TMP/up.out" -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOK" -H "Content-Type: application/octet-stream" \
		-T "$SRC" "http://127.0.0.1:$DPORT/api/v1/lectures/$LID/source")
	sync; b=$(date +%s.%N); python3 -c "print($b-$a)"
}
HWM0=$(awk '/VmHWM/ {print $2}' /proc/$DX_PID/status)
# Two rounds in the order cp, PUT, PUT, cp, so that drift of the disk affects both alike.
C1=$(cp_once); P1=$(put_once); P2=$(put_once); C2=$(cp_once)
HWM=$(awk '/VmHWM/ {print $2}' /proc/$DX_PID/status)
t0=0; t1=$(python3 -c "print(($C1+$C2)/2)"); t2=0; t3=$(python3 -c "print(($P1+$P2)/2)")
CP=$(python3 -c "print(f'{$SIZE_MB/($t1-$t0):.0f}')"); UP=$(python3 -c "print(f'{$SIZE_MB/($t3-$t2):.0f}')")
cat <<OUT
| ${SIZE_MB} MiB | MB/s | vs plain write |
| --- | --- | --- |
| cp to the data folder + sync (the disk's plain write speed) | $CP | 100 % |
| PUT /api/v1/lectures/$LID/source over loopback (+ sync) | $UP | $(python3 -c "print(f'{$UP/$CP*100:.0f}')") % |
Server peak memory (VmHWM): $((HWM0 / 1024)) MiB before, $((HWM / 1024)) MiB after the upload. Runs: cp $C1 s, $C2 s; PUT $P1 s, $P2 s. Answer to the PUT: $(head -c 120 "$BENCH_TMP/up.out") — random bytes, so the probe refuses them after the upload; the bytes were written all the same.
OUT
rm -f "$SRC"
