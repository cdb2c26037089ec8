#!/bin/sh
# bench/media.sh — issue 4: HLS segment serving (a member's Bearer token, access checks, sendfile)
# against nginx serving the very same files, in the same run.
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
DUR=${DUR:-8}; CONNS=${CONNS:-32}
D=$BENCH_TMP/media; rm -rf "$D"
DPORT=$(free_port); NPORT=$(free_port)
DX_WORKERS=1 start_dx "$D" "$DPORT"          # seeds the demo academy; its demo lecture is transcoded on start
trap 'stop_dx; stop_nginx' EXIT
TOK=$(login_token "$DPORT" zhangsan)
curl -s -X POST -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/api/v1/courses/1/enroll" >/dev/null
for i in $(seq 120); do
	st=$(curl -s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/api/v1/lectures/1" | python3 -c 'import sys,json;print(json.load(sys.stdin)["status"])')
	[ "$st" = ready ] && break; sleep 1
done
VER=$(sqlite3 "$D/dangxiao.db" "SELECT media_version FROM lectures WHERE id=1")
ROOT="$D/media/1/$VER"
SEG=$(cd "$ROOT" && ls v2/seg_*.ts | sed -n 2p)
SIZE=$(stat -c %s "$ROOT/$SEG")
start_nginx "$ROOT" "$NPORT"
curl -sf -o /dev/null -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/media/1/$SEG" || { echo "cannot fetch the segment"; exit 1; }
mb() { awk '/Transfer\/sec/ {v=$2; if (v ~ /GB/) {sub(/GB/,"",v); v*=1024} else if (v ~ /KB/) {sub(/KB/,"",v); v/=1024} else sub(/MB/,"",v); print v}' "$BENCH_TMP/last_wrk"; }
N=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT/$SEG"); NM=$(mb)
S=$(wrk_rps -t2 -c$CONNS -d${DUR}s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/media/1/$SEG"); SM=$(mb)
P=$(wrk_rps -t2 -c$CONNS -d${DUR}s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/media/1/v2/index.m3u8")
cat <<OUT
| what | requests/s | MB/s | vs nginx |
| --- | --- | --- | --- |
| nginx, $SEG ($SIZE B) | $N | $NM | 100 % |
| dangxiao /media/1/$SEG (member, Bearer) | $S | $SM | $(python3 -c "print(f'{$SM/$NM*100:.0f}')") % |
| dangxiao /media/1/v2/index.m3u8 | $P | | |
(wrk -t2 -c$CONNS -d${DUR}s on loopback.)
OUT
