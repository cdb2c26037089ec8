#!/bin/sh
# bench/heartbeat.sh — issue 5: heartbeat ingestion. N members each with an open playback session
# post heartbeats (wrk, bench/heartbeat.lua) against nginx serving a small static file in the same run;
# then the same while a transcode runs. Each 200 answer was committed (WAL) before it was sent; the
# script checks that the study time in the database equals the credited_s of the 200 answers.
# Only accepted heartbeats are throughput (issue 8): the sessions are enough (N) and paced (never two
# heartbeats of one session within DX_GAP = 5.5 s) that none is refused; a warm-up pass anchors every
# session just before each measured run (it ends when every session has its answer, at most WARM s),
# so that the run's heartbeats are credited (not a > 60 s gap). Any
# answer other than 200 is an error: the script prints it and exits 1.
# AWARDS=0 runs the same server built without the scoring module's awards listener
# (build/bench/dangxiao-noawards), to measure what awards cost (issue 11: < 10 %); TRANSCODE=0 skips
# the run during a transcode.
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${N:-200000}; DUR=${DUR:-8}; CONNS=${CONNS:-64}; WARM=${WARM:-300}
if [ "${AWARDS:-1}" = 0 ]; then make -s build/bench/dangxiao-noawards; DX_BIN=build/bench/dangxiao-noawards; fi
D=$BENCH_TMP/hb; rm -rf "$D"; mkdir -p "$D"
bin/dangxiao seed --data "$D" >/dev/null
# Members, their sessions (tokens we know), a ready 1-hour lecture and enrolments, written straight
# into the database before the server starts (creating 60,000 users through Argon2id would take minutes).
python3 bench/gen_members.py "$D/dangxiao.db" "$N" "$BENCH_TMP/tokens" hb 压测 压测课程 压测讲座 3600
LECTURE=$(sqlite3 "$D/dangxiao.db" "SELECT max(id) FROM lectures")
DPORT=$(free_port); NPORT=$(free_port)
mkdir -p "$BENCH_TMP/www"; printf '{"status":"ok","schema":4,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' >"$BENCH_TMP/www/small.json"
start_nginx "$BENCH_TMP/www" "$NPORT"
start_dx "$D" "$DPORT"
trap 'stop_dx; stop_nginx' EXIT
# Open every member's playback session through the API.
python3 - "$DPORT" "$LECTURE" "$BENCH_TMP/tokens" "$BENCH_TMP/sessions" <<'PY'
import sys, json, http.client, threading
port, lecture, tokf, out = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
toks = [l.split()[0] for l in open(tokf)]
res = [None] * len(toks)
def work(k):
    c = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(k, len(toks), 8):
        c.request("POST", f"/api/v1/lectures/{lecture}/play", headers={"Authorization": "Bearer " + toks[i]})
        r = c.getresponse(); body = r.read()
        res[i] = json.loads(body)["session"] if r.status == 201 else None
ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
with open(out, "w") as f:
    for t, s in zip(toks, res):
        if s: f.write(f"{t} {s}\n")
print(sum(1 for s in res if s), "sessions opened")
PY
# hb_run LABEL START_POS — a warm-up pass (each session once at START_POS), then the measured run;
# sets ACC (accepted heartbeats/s), P99, ANS (the answer counts), CR (credited s), PACED.
FAIL=0
hb_run() {
	rm -f "$BENCH_TMP"/warm.done.*
	DX_WARM_DONE=$BENCH_TMP/warm.done DX_LECTURE=$LECTURE wrk -t2 -c$CONNS -d${WARM}s -s bench/heartbeat.lua "http://127.0.0.1:$DPORT" -- "$BENCH_TMP/sessions" 2 "$2" warm >"$BENCH_TMP/warm_wrk" 2>&1 &
	W=$!
	while kill -0 $W 2>/dev/null && [ "$(ls "$BENCH_TMP"/warm.done.* 2>/dev/null | wc -l)" -lt 2 ]; do sleep 0.2; done
	kill -INT $W 2>/dev/null || true
	wait $W || true
	ws=$(awk '/^heartbeats sent:/ {print $3}' "$BENCH_TMP/warm_wrk")
	if [ "$ws" != "$NS" ] || ! grep -q "answers: [0-9]* x 200, 0 x 429, 0 other" "$BENCH_TMP/warm_wrk"; then
		echo "ERROR: $1: the warm-up reached $ws of $NS sessions ($(grep answers: "$BENCH_TMP/warm_wrk")); raise WARM" >&2
		FAIL=1
	fi
	CRW=$(awk '/^credited:/ {print $2}' "$BENCH_TMP/warm_wrk")
	c0=$(awk '{print $14 + $15}' "/proc/$DX_PID/stat")
	DX_LECTURE=$LECTURE wrk --latency -t2 -c$CONNS -d${DUR}s -s bench/heartbeat.lua "http://127.0.0.1:$DPORT" -- "$BENCH_TMP/sessions" 2 "$2" run >"$BENCH_TMP/last_wrk" 2>&1
	c1=$(awk '{print $14 + $15}' "/proc/$DX_PID/stat")
	P99=$(wrk_p99); ANS=$(grep answers: "$BENCH_TMP/last_wrk" | sed 's/answers: //')
	CR=$(awk '/^credited:/ {print $2}' "$BENCH_TMP/last_wrk")
	PACED=$(grep paced: "$BENCH_TMP/last_wrk" | sed 's/paced: //')
	ok=$(awk '/^answers:/ {print $2}' "$BENCH_TMP/last_wrk")
	secs=$(awk '/requests in/ {sub(/s,?$/, "", $4); print $4}' "$BENCH_TMP/last_wrk")
	ACC=$(python3 -c "print(round($ok / $secs))")
	# The server's CPU time (user + system) per accepted heartbeat, in µs: on a loaded machine a
	# steadier measure of the work than the rate.
	CPUUS=$(python3 -c "print(round(($c1 - $c0) * 10000 / max($ok, 1)))")
	if ! grep -q "answers: [0-9]* x 200, 0 x 429, 0 other" "$BENCH_TMP/last_wrk"; then
		echo "ERROR: $1: refused heartbeats ($ANS); they are not throughput" >&2
		FAIL=1
	fi
	case "$PACED" in 0\ *) ;; *) echo "note: $1: the clients waited ($PACED): N=$N members limited the rate; raise N" >&2 ;; esac
}
NS=$(wc -l <"$BENCH_TMP/sessions")
sleep 6  # the first heartbeat of a session must come >= 5 s after play
N1=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT/small.json"); N1P=$(wrk_p99)
hb_run idle 5
H1=$ACC; H1C=$CPUUS; H1P=$P99; A1=$ANS; CR1=$(python3 -c "print(round($CR + $CRW))"); PA1=$PACED
# Durability check: the credited study time in the database equals the credited_s of the 200 answers.
SUM=$(sqlite3 "$D/dangxiao.db" "SELECT CAST(sum(study_s) AS INTEGER) FROM study_daily")
# AB=R: what awards cost, measured A/B in this run: R rounds, each the same data and sessions served
# by the release server (awards) and then by build/bench/dangxiao-noawards (no awards listener),
# restarted in turn on the same port, each run after its own warm-up pass.
AB_ROWS=""
if [ -n "$AB" ]; then
	make -s build/bench/dangxiao-noawards
	AB_POS=1200  # each run starts 200 s further (the runs advance a session by 5–10 s; the lecture is 1 h)
	for round in $(seq "$AB"); do
		for bin in bin/dangxiao build/bench/dangxiao-noawards; do
			stop_dx
			DX_BIN=$bin start_dx "$D" "$DPORT"
			sleep 6  # no session's next heartbeat within 5 s of its last one
			hb_run "ab-$round-$bin" $AB_POS
			AB_POS=$((AB_POS + 200))
			AB_ROWS="$AB_ROWS| $round | $bin | $ACC | $CPUUS µs | $P99 | $ANS |
"
		done
	done
fi
AW=$(sqlite3 "$D/dangxiao.db" "SELECT count(*) FROM ledger")
H2=0; H2P=-; A2="not run"; PA2=-
if [ "${TRANSCODE:-1}" != 0 ]; then
# The same while a transcode runs (a 60 s 1080p ladder, ffmpeg at nice +10).
SRC=$BENCH_TMP/busy.mp4
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" -f lavfi -i sine -t 60 -c:v libx264 -preset ultrafast -c:a aac "$SRC"
sleep 5
bin/dangxiao transcode "$SRC" "$BENCH_TMP/busy" --quiet & TC=$!
sleep 3
# the warm-up re-anchors every session at position 1000 (beyond the idle run's positions)
hb_run transcode 1000
H2=$ACC; H2P=$P99; A2=$ANS; PA2=$PACED
kill $TC 2>/dev/null; wait $TC 2>/dev/null || true
fi
N2=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT/small.json")
cat <<OUT
| what | requests/s | p99 | vs nginx |
| --- | --- | --- | --- |
| nginx, static small.json (110 B), before the heartbeats | $N1 | $N1P | 100 % |
| dangxiao accepted heartbeats/s, idle ($A1) | $H1 | $H1P | $(ratio $H1 $N1) % |
| dangxiao accepted heartbeats/s while a transcode runs ($A2) | $H2 | $H2P | $(ratio $H2 $N1) % |
| nginx again, after the heartbeats | $N2 | | $(ratio $N2 $N1) % |
Server CPU per accepted heartbeat, idle run: $H1C µs.
Durability: study time in the database after the idle run = $SUM s; the credited_s of every 200 answer (warm-up and run) summed = $CR1 s (the database may hold a little more: answers in flight when wrk stopped).
$( [ -n "$AB" ] && printf '\nA/B, awards (bin/dangxiao) against no awards listener (build/bench/dangxiao-noawards), same data and sessions:\n| round | server | accepted heartbeats/s | server CPU per heartbeat | p99 | answers |\n| --- | --- | --- | --- | --- | --- |\n%s' "$AB_ROWS")
Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg).
Awards: ${AWARDS:-1} (ledger rows written during the runs: $AW; server ${DX_BIN:-bin/dangxiao}).
Pacing (client waits so that no session is hit within 5.5 s): idle $PA1; transcode $PA2.
(wrk -t2 -c$CONNS -d${DUR}s right after a warm-up pass; $NS members, one open playback session each, cycled in order.)
OUT
exit $FAIL
