#!/bin/sh
# bench/http.sh — issue 2: static files and GET /api/v1/me against nginx serving the same file, in
# the same run; then the server's memory with 1,000 open keep-alive connections.
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
DUR=${DUR:-10}; CONNS=${CONNS:-64}
NPORT=$(free_port); DPORT=$(free_port)
start_nginx "$(pwd)/web" "$NPORT"
start_dx "$BENCH_TMP/data" "$DPORT"
trap 'stop_dx; stop_nginx' EXIT
TOK=$(login_token "$DPORT" zhangsan)
FILE=/css/app.css
SIZE=$(stat -c %s "web$FILE")
echo "warm-up"; wrk -t2 -c$CONNS -d2s "http://127.0.0.1:$NPORT$FILE" >/dev/null; wrk -t2 -c$CONNS -d2s "http://127.0.0.1:$DPORT/static$FILE" >/dev/null
N=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT$FILE"); NP99=$(wrk_p99)
D=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$DPORT/static$FILE"); DP99=$(wrk_p99)
M=$(wrk_rps -t2 -c$CONNS -d${DUR}s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/api/v1/me"); MP99=$(wrk_p99)
# 1,000 keep-alive connections, each having made a request, held open while we read VmRSS.
RSS0=$(awk '/VmRSS/ {print $2}' /proc/$DX_PID/status)
python3 - "$DPORT" "$DX_PID" "$TOK" >"$BENCH_TMP/mem" <<'PY'
import socket, sys, time
port, pid, tok = int(sys.argv[1]), sys.argv[2], sys.argv[3]
socks = []
for i in range(1000):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(f"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tok}\r\n\r\n".encode())
    socks.append(s)
ok = 0
for s in socks:
    s.settimeout(10)
    d = s.recv(4096)
    ok += d.startswith(b"HTTP/1.1 200")
time.sleep(0.5)
st = {l.split(":")[0]: l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith(("VmRSS", "RssAnon", "RssFile"))}
print(ok, st["VmRSS"], st["RssAnon"], st["RssFile"])
for s in socks: s.close()
PY
read OK RSS ANON RFILE <"$BENCH_TMP/mem"
cat <<OUT
| what | requests/s | p99 latency | vs nginx static |
| --- | --- | --- | --- |
| nginx 1.22, static $FILE ($SIZE B) | $N | $NP99 | 100 % |
| dangxiao, same file under /static | $D | $DP99 | $(ratio $D $N) % |
| dangxiao, GET /api/v1/me (Bearer, session lookup in SQLite) | $M | $MP99 | $(ratio $M $N) % |

Memory: VmRSS $((RSS0/1024)) MiB idle after the runs; $((RSS/1024)) MiB with 1,000 keep-alive connections open ($OK of 1000 answered 200), of which $((ANON/1024)) MiB the server's own memory (RssAnon) and $((RFILE/1024)) MiB mapped shared libraries (RssFile: FFmpeg's libraries and their dependencies, shared with other processes).
(wrk -t2 -c$CONNS -d${DUR}s on loopback; nginx with 2 workers, sendfile, access_log off; dangxiao with $(nproc) HTTP threads, access log off.)
OUT
