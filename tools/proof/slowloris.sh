#!/bin/sh
# slowhttptest (Debian) against a demo academy on 127.0.0.1: slow headers (-H, slowloris), slow
# body (-B, R-U-Dead-Yet) and slow read (-X), each with the per-address cap (per_ip_conns = 64, the
# default) and without it (per_ip_conns = 0: the deadlines alone), the server's other limits at their
# defaults (head_timeout_s 30, body_stall_s 30 with body_stall_bytes 1024, conn_timeout_s 60).
# Meanwhile a normal client from another loopback address (127.0.0.2) asks for the catalog every
# 0.25 s; its latency and errors are the result. Results: docs/security.md.
# SLOW_LEN (seconds per attack, default 60) and SLOW_CONNS (default 1000) bound the run;
# SLOW_ONLY=headers|body|read runs one kind.
set -u
cd "$(dirname "$0")/../.."
. tools/proof/lib.sh
proof_need slowhttptest slowhttptest
LEN=${SLOW_LEN:-60}
CONNS=${SLOW_CONNS:-1000}
fail=0

# normal_client OUT SECONDS: GET /api/v1/courses every 0.25 s from 127.0.0.2; one line per request:
# "http_code time_total_s".
normal_client() {
	end=$(( $(date +%s) + $2 ))
	while [ "$(date +%s)" -lt $end ]; do
		curl -sS -o /dev/null --interface 127.0.0.2 --max-time 10 -H "Authorization: Bearer $TOKEN" \
			-w '%{http_code} %{time_total}\n' "$PROOF_BASE/api/v1/courses" 2>/dev/null || echo "000 10"
		sleep 0.25
	done >"$1"
}

# summary FILE: "N requests, E failed, p50 X ms, p99 Y ms, max Z ms"
summary() {
	awk '{ n++; if ($1 != "200") e++; print $2 * 1000 }' "$1" | sort -n | awk -v f="$1" '
		{ v[NR] = $1 } END {
			if (!NR) { print "no requests"; exit }
			p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
			printf "%d requests, p50 %.1f ms, p99 %.1f ms, max %.1f ms", NR, p50, p99, v[NR] }'
	printf ', %d not 200\n' "$(awk '$1 != "200"' "$1" | wc -l)"
}

run() { # run NAME CAP SLOWHTTPTEST-ARGS...
	name=$1; cap=$2; shift 2
	case "$name" in ${SLOW_ONLY:-*}*) ;; *) return 0 ;; esac
	proof_serve --set per_ip_conns="$cap" --set max_conns=4000
	TOKEN=$(proof_login zhangsan)
	for a; do shift; set -- "$@" "$(printf %s "$a" | sed "s/:PORT/:$PROOF_PORT/")"; done
	normal_client "$PROOF_TMP/$name.lat" $((LEN + 5)) &
	cl=$!
	slowhttptest "$@" -c "$CONNS" -r 200 -l "$LEN" -p 3 -g -o "$PROOF_TMP/$name" >"$PROOF_TMP/$name.out" 2>&1
	wait $cl
	alive=yes; kill -0 "$PROOF_PID" 2>/dev/null || { alive=NO; fail=1; }
	closed=$(grep -c "past the request deadline" "$PROOF_TMP/server.log" || true)
	nclosed=$(sed -n 's/.*closed \([0-9]*\) connection(s) past the request deadline/\1/p' "$PROOF_TMP/server.log" | awk '{s += $1} END {print s + 0}')
	# slowhttptest's CSV: seconds,closed,pending,connected,service available (0/1)
	csv="$PROOF_TMP/$name.csv"
	maxc=$(awk -F, 'NR > 1 && $4 + 0 > m { m = $4 + 0 } END { print m + 0 }' "$csv")
	lastc=$(awk -F, 'NR > 1 { c = $4 + 0 } END { print c + 0 }' "$csv")
	unavail=$(awk -F, 'NR > 1 && $5 + 0 == 0 { n++ } END { print n + 0 }' "$csv")
	secs=$(awk -F, 'NR > 1 { n++ } END { print n + 0 }' "$csv")
	tail=$(grep -E "Exit status|test ended|service available" "$PROOF_TMP/$name.out" | tail -2 | sed 's/\x1b\[[0-9;]*m//g' | tr -s ' ' | tr '\n' ' ')
	lat=$(summary "$PROOF_TMP/$name.lat")
	echo "  $name (per_ip_conns=$cap): slowhttptest $*: connected at most $maxc, at the end $lastc;"
	echo "      its probe (from 127.0.0.1) saw the service unavailable in $unavail of $secs s; $tail"
	echo "      server: alive $alive, $nclosed connection(s) closed past the deadline ($closed sweeps)"
	echo "      normal client (127.0.0.2): $lat"
	case $lat in *", 0 not 200") ;; *) fail=1 ;; esac
	proof_stop
	rm -f "$PROOF_TMP/data/access.log"
}

# A URL that makes the server read a body (the login) and one with a big answer (hls.js, ~600 KB).
for cap in 64 0; do
	proof_serve; proof_stop  # seeds once; each run gets its own server
	run "headers-cap$cap" $cap -H -i 10 -x 24 -t GET -u "http://127.0.0.1:PORT/login"
	run "body-cap$cap" $cap -B -i 10 -x 10 -s 8192 -t POST -f application/json -u "http://127.0.0.1:PORT/api/v1/session"
	run "read-cap$cap" $cap -X -k 4 -n 2 -w 16 -y 64 -z 16 -t GET -u "http://127.0.0.1:PORT/static/vendor/hls.min.js"
done
proof_done slowloris "$([ $fail = 0 ] && echo PASS || echo FAIL)"
[ $fail = 0 ]
