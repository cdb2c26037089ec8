#!/bin/sh
# bench/reports.sh — the assessors' reports on a generated academy: 100,000 members in 2,000
# organisations with 5,000,000 ledger rows (generated with SQL into a seeded demo database), the
# members report for the whole tree as JSON, CSV and XLSX, the organisation summary, the server's
# memory growth during each export; nginx serving static files of the same sizes as the reference.
# Goals (issue 11): JSON ≤ 1 s, CSV ≤ 2 s, XLSX ≤ 5 s, RSS growth < 64 MB, summary ≤ 200 ms;
# `dangxiao verify` over every chain ≤ 30 s; GET /api/v1/me/summary ≥ 30 % of nginx's requests/s
# for a small static file, measured in the same run.
# The generated database is kept in $BENCH_TMP/reports-data between runs (REGEN=1 makes it again).
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${RUNS:-3}
make -s all build/bench/gen_ledger >/dev/null
D=${BENCH_TMP}/reports-data
Y=$(date -u -d '+8 hours' +%Y)

gen() {
	rm -rf "$D"
	bin/dangxiao seed --data "$D" >/dev/null
	db="$D/dangxiao.db"
	t0=$(date +%s)
	sqlite3 "$db" >/dev/null <<SQL
PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;
BEGIN;
-- 40 committees under the demo root, 49 branches under each: 2,000 new organisations.
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 40)
INSERT INTO orgs(name, parent_id, path, created_at) SELECT '测试党委' || i, 1, '', 0 FROM c;
UPDATE orgs SET path = '/1/' || id || '/' WHERE path = '';
WITH RECURSIVE c(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM c WHERE j < 49)
INSERT INTO orgs(name, parent_id, path, created_at)
  SELECT '第' || j || '支部', o.id, '', 0 FROM orgs o, c WHERE o.name LIKE '测试党委%';
UPDATE orgs SET path = (SELECT p.path FROM orgs p WHERE p.id = orgs.parent_id) || id || '/' WHERE path = '';
CREATE TEMP TABLE br(n INTEGER PRIMARY KEY, id INTEGER);
INSERT INTO br(id) SELECT id FROM orgs WHERE name LIKE '第%支部' ORDER BY id;
-- 100,000 members spread over the branches (the demo members' password hash: they can log in).
WITH RECURSIVE u(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM u WHERE i < 99999)
INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at)
  SELECT 'bench' || i, '学员' || i, 'member', (SELECT id FROM br WHERE n = 1 + i % (SELECT count(*) FROM br)),
         (SELECT pw_hash FROM users WHERE username = 'zhangsan'), 0, 0 FROM u;
-- Their yearly totals, and requirements for a few organisations.
INSERT INTO score_totals(user_id, year, hours_required, hours_elective, study_s, points, courses_completed, updated_at)
  SELECT id, $Y, abs(random()) % 2000 / 100.0, abs(random()) % 4000 / 100.0, abs(random()) % 200000,
         abs(random()) % 800, abs(random()) % 20, 0 FROM users WHERE username LIKE 'bench%';
INSERT INTO requirements(org_id, year, total_hours, required_hours, updated_at)
  SELECT id, $Y, 40, 10, 0 FROM orgs WHERE name LIKE '测试党委%' AND id % 3 = 0;
COMMIT;
SQL
	# 50 ledger rows per member (5,000,000), hash-chained as the server chains them (a C generator
	# linked with scoring/chain.c), the chain heads, and the yearly totals recomputed from those rows
	# so that `dangxiao verify` passes.
	build/bench/gen_ledger "$db" "$Y" 50 bench
	echo "generated in $(( $(date +%s) - t0 )) s: $(sqlite3 "$db" "SELECT (SELECT count(*) FROM orgs), (SELECT count(*) FROM users WHERE role='member'), (SELECT count(*) FROM sqlite_master WHERE name='ledger')") orgs|members|ledger?; ledger rows: $(sqlite3 "$db" "SELECT count(*) FROM ledger" 2>/dev/null || echo 0); db $(du -m "$db" | cut -f1) MB"
}

[ -f "$D/dangxiao.db" ] && [ -z "$REGEN" ] || gen
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"

P=$(free_port)
start_dx "$D" "$P"
B="http://127.0.0.1:$P"
T=$(login_token "$P" admin)
ORG1=$(sqlite3 "$D/dangxiao.db" "SELECT id FROM orgs WHERE parent_id IS NULL LIMIT 1")
COMMITTEE=$(sqlite3 "$D/dangxiao.db" "SELECT id FROM orgs WHERE name = '测试党委1'")

# rss_peak OUT PID: samples VmRSS (kB) every 10 ms into OUT until killed.
rss_sampler() { while :; do awk '/VmRSS/ {print $2}' "/proc/$2/status" >>"$1" 2>/dev/null; sleep 0.01; done; }

# measure NAME URL OUTFILE: RUNS downloads; prints the median time, the size and the RSS growth.
measure() {
	name=$1; url=$2; out=$3
	times=""
	cpus=""
	growth=0
	for i in $(seq "$RUNS"); do
		base=$(awk '/VmRSS/ {print $2}' "/proc/$DX_PID/status")
		: >"$BENCH_TMP/rss"
		rss_sampler "$BENCH_TMP/rss" "$DX_PID" &
		sp=$!
		c0=$(awk '{print $14 + $15}' "/proc/$DX_PID/stat")
		t=$(curl -s -H "Authorization: Bearer $T" -o "$out" -w '%{time_total}' "$url")
		c1=$(awk '{print $14 + $15}' "/proc/$DX_PID/stat")
		cpus="$cpus $(( c1 - c0 ))"
		kill $sp 2>/dev/null; wait $sp 2>/dev/null || true
		peak=$(sort -n "$BENCH_TMP/rss" | tail -1)
		g=$(( (${peak:-$base} - base) / 1024 ))
		[ "$g" -gt "$growth" ] && growth=$g
		times="$times $t"
	done
	med=$(echo "$times" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	size=$(stat -c %s "$out")
	# The server's own CPU time (user + system, clock ticks of 10 ms), median: on a loaded machine
	# the wall time also holds the waits for a core.
	cpu=$(echo "$cpus" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 100}')
	echo "$name|$med|$size|$growth|$cpu"
}

# nginx_time FILE: the median time for nginx to serve a copy of FILE.
NG=$(free_port)
mkdir -p "$BENCH_TMP/static"
start_nginx "$BENCH_TMP/static" "$NG"
nginx_time() {
	cp "$1" "$BENCH_TMP/static/$(basename "$1")"
	times=""
	for i in $(seq "$RUNS"); do times="$times $(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$NG/$(basename "$1")")"; done
	echo "$times" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

echo "| what | time (median of $RUNS) | server CPU | bytes | server RSS growth | nginx, same size |"
echo "| --- | --- | --- | --- | --- | --- |"
for row in \
	"JSON, whole tree, first page (500 rows; counts and total over 100,000)|$B/api/v1/reports/members?year=$Y&per_page=500|json" \
	"JSON, whole tree, status=at_risk, page 20|$B/api/v1/reports/members?year=$Y&status=at_risk&per_page=500&page=20|json" \
	"CSV, whole tree (100,003 rows, streamed as produced)|$B/api/v1/reports/members?year=$Y&format=csv|csv" \
	"XLSX, whole tree (100,003 rows)|$B/api/v1/reports/members?year=$Y&format=xlsx|xlsx" \
	"organisation summary, whole tree (1 root, 100,003 members)|$B/api/v1/reports/orgs?year=$Y|json" \
	"organisation summary of the demo root (40 committees + 3 demo orgs)|$B/api/v1/reports/orgs?org_id=$ORG1&year=$Y|json" \
	"organisation summary of one committee (49 branches)|$B/api/v1/reports/orgs?org_id=$COMMITTEE&year=$Y|json"; do
	name=${row%%|*}; rest=${row#*|}; url=${rest%|*}; ext=${rest##*|}
	out="$BENCH_TMP/out.$ext"
	r=$(measure "$name" "$url" "$out")
	ng=$(nginx_time "$out")
	echo "$r" | awk -F'|' -v ng="$ng" '{printf "| %s | %.3f s | %.2f s | %d | %d MB | %.3f s |\n", $1, $2, $5, $3, $4, ng}'
done

# GET /api/v1/me/summary of a member with 50 ledger rows, against nginx serving a file of the
# same size, wrk -t2 -c32 in the same run.
DUR=${DUR:-8}
MT=$(login_token "$P" bench4242)
curl -s -H "Authorization: Bearer $MT" "$B/api/v1/me/summary?year=$Y" >"$BENCH_TMP/static/summary.json"
NR=$(wrk_rps -t2 -c32 -d${DUR}s "http://127.0.0.1:$NG/summary.json"); NRP=$(wrk_p99)
MR=$(wrk_rps -t2 -c32 -d${DUR}s -H "Authorization: Bearer $MT" "$B/api/v1/me/summary?year=$Y"); MRP=$(wrk_p99)
echo
echo "| what | requests/s | p99 | vs nginx |"
echo "| --- | --- | --- | --- |"
echo "| nginx, static copy of the summary ($(stat -c %s "$BENCH_TMP/static/summary.json") B) | $NR | $NRP | 100 % |"
echo "| dangxiao GET /api/v1/me/summary (member bench4242, Bearer) | $MR | $MRP | $(ratio "$MR" "$NR") % (goal ≥ 30 %) |"
stop_nginx
stop_dx

# verify over every chain (the server stopped: the command is alone on the database). The first
# run also signs the 100,000 chain heads (a signing run); the second checks that run's signature.
for i in 1 2; do
	t0=$(date +%s.%N)
	( bin/dangxiao verify --data "$D" >"$BENCH_TMP/verify.out" 2>&1; echo $? >"$BENCH_TMP/verify.rc"; times >"$BENCH_TMP/verify.times" )
	t1=$(date +%s.%N)
	[ "$(cat "$BENCH_TMP/verify.rc")" = 0 ] || { cat "$BENCH_TMP/verify.out"; echo "verify FAILED" >&2; exit 1; }
	# times: the subshell's children's user and system CPU on its second line
	echo "verify run $i: $(python3 -c "print(f'{$t1 - $t0:.1f}')") s wall, CPU $(sed -n 2p "$BENCH_TMP/verify.times") (goal ≤ 30 s): $(tr '\n' ' ' <"$BENCH_TMP/verify.out")"
done
