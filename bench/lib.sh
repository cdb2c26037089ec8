# bench/lib.sh — shared helpers: free ports, nginx and dangxiao start/stop, wrk parsing.
BENCH_TMP=${BENCH_TMP:-$(mktemp -d /tmp/dx-bench.XXXXXX)}
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# start_nginx ROOT PORT — serves ROOT as / with sendfile, like a production static tier.
start_nginx() {
	mkdir -p "$BENCH_TMP/nginx"
	cat >"$BENCH_TMP/nginx/nginx.conf" <<NGX
user root;
worker_processes 2;
pid $BENCH_TMP/nginx/nginx.pid;
error_log $BENCH_TMP/nginx/error.log;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  client_body_temp_path $BENCH_TMP/nginx/body; proxy_temp_path $BENCH_TMP/nginx/proxy;
  fastcgi_temp_path $BENCH_TMP/nginx/fcgi; uwsgi_temp_path $BENCH_TMP/nginx/uwsgi; scgi_temp_path $BENCH_TMP/nginx/scgi;
  server { listen 127.0.0.1:$2; root $1; etag on; }
}
NGX
	nginx -c "$BENCH_TMP/nginx/nginx.conf"
	sleep 0.5
}
stop_nginx() { [ -f "$BENCH_TMP/nginx/nginx.pid" ] && kill "$(cat "$BENCH_TMP/nginx/nginx.pid")" 2>/dev/null; sleep 0.3; }

# start_dx DATA PORT [extra args] — the release binary (or $DX_BIN), access log off (nginx's is off too).
start_dx() {
	data=$1; port=$2; shift 2
	[ -f "$data/dangxiao.db" ] || bin/dangxiao seed --data "$data" >/dev/null
	# No transcoder workers unless asked (DX_WORKERS): the demo lecture's transcode must not run
	# beside a measurement that is not about it.
	# Every load generator connects from 127.0.0.1 (up to 1000 connections): no per-address cap.
	${DX_BIN:-bin/dangxiao} serve --data "$data" --listen "127.0.0.1:$port" --set access_log=0 --set per_ip_conns=0 --workers "${DX_WORKERS:-0}" "$@" 2>"$data/server.err" &
	DX_PID=$!
	for i in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && return 0; sleep 0.1; done
	echo "dangxiao did not start" >&2; return 1
}
stop_dx() { kill "$DX_PID" 2>/dev/null; wait "$DX_PID" 2>/dev/null; }

# wrk_rps ARGS… — prints requests/s; latency percentiles go to $BENCH_TMP/last_wrk.
wrk_rps() { wrk --latency "$@" >"$BENCH_TMP/last_wrk" 2>&1; awk '/Requests\/sec/ {print $2}' "$BENCH_TMP/last_wrk"; }
wrk_p99() { awk '$1=="99%" {print $2}' "$BENCH_TMP/last_wrk"; }
ratio() { python3 -c "print(f'{$1/$2*100:.0f}')"; }
login_token() { curl -s -X POST "http://127.0.0.1:$1/api/v1/session" -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"dangxiao2026\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])'; }
