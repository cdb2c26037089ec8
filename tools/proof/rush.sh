#!/bin/sh
# The December rush (issue 14; figures in docs/performance.md "The December rush"): an academy of
# RUSH_MEMBERS (100,000) members in a tree of 20 committees × 10 branches, RUSH_CONNS (2,000)
# concurrent keep-alive clients for RUSH_SECONDS (60) s mixing heartbeats (most), the catalog API,
# course pages, /api/v1/me/summary and whole exams (start, five answer saves, submit;
# RUSH_EXAM_TAKERS of the members), while an admin exports the whole tree's report as XLSX and a
# 60 s 720p lecture uploaded over tus transcodes in the server (one worker). bench/rush.c is the
# client. Prints per request kind the throughput, p50/p99/max latency and errors, the server's
# memory (VmRSS sampled every second, and VmHWM), the export's and the transcode's times, and the
# concurrent viewers at 15 s heartbeats the heartbeat rate is. Then the same mix for RUSH_SECONDS
# as an open load at half the closed loop's rate (RUSH_OPEN_RATE), for the latency of a busy but
# not saturated node. The machine's load average and the cores the server used are printed beside
# each (the machine is shared: other work moves the figures). FAIL on any request error, a failed
# export or transcode. Duration about 5 minutes (generating 100,000 members and opening 90,000
# sessions included).
set -u
cd "$(dirname "$0")/../.."
. tools/proof/lib.sh
N=${RUSH_MEMBERS:-100000}
CONNS=${RUSH_CONNS:-2000}
SECS=${RUSH_SECONDS:-60}
TAKERS=${RUSH_EXAM_TAKERS:-10000}
D=$PROOF_TMP/data
fail=0
cc -std=c11 -O2 -o "$PROOF_TMP/rush" bench/rush.c $(pkg-config --cflags --libs jansson) || exit 1
bin/dangxiao seed --data "$D" >"$PROOF_TMP/seed.log" 2>&1 || { cat "$PROOF_TMP/seed.log"; exit 1; }
t=$(date +%s)
LECTURE=$(python3 bench/gen_members.py "$D/dangxiao.db" "$N" "$PROOF_TMP/members" rush 学员 年终冲刺课 年终冲刺讲 3600 --published-at)
COURSE=$(sqlite3 "$D/dangxiao.db" "SELECT course_id FROM lectures WHERE id=$LECTURE")
# The tree: 20 committees under the root, 10 branches each; the members spread over the branches.
python3 - "$D/dangxiao.db" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1]); now = int(time.time())
root = c.execute("SELECT id FROM orgs WHERE parent_id IS NULL").fetchone()[0]
branches = []
for i in range(20):
    c.execute("INSERT INTO orgs(name, parent_id, path, created_at) VALUES (?,?,?,?)", (f"冲刺第{i+1}党委", root, "", now))
    p = c.execute("SELECT last_insert_rowid()").fetchone()[0]
    c.execute("UPDATE orgs SET path=? WHERE id=?", (f"/{root}/{p}/", p))
    for j in range(10):
        c.execute("INSERT INTO orgs(name, parent_id, path, created_at) VALUES (?,?,?,?)", (f"冲刺第{i+1}党委第{j+1}支部", p, "", now))
        b = c.execute("SELECT last_insert_rowid()").fetchone()[0]
        c.execute("UPDATE orgs SET path=? WHERE id=?", (f"/{root}/{p}/{b}/", b))
        branches.append(b)
ids = [r[0] for r in c.execute("SELECT id FROM users WHERE username LIKE 'rush%' ORDER BY id")]
c.executemany("UPDATE users SET org_id=? WHERE id=?", [(branches[k % len(branches)], u) for k, u in enumerate(ids)])
c.commit()
PY
# The demo lecture's transcode (queued by seed) is not part of this proof: the worker is for ours.
sqlite3 "$D/dangxiao.db" "UPDATE jobs SET state='cancelled' WHERE state IN ('queued','running');
	UPDATE lectures SET status='empty' WHERE status IN ('queued','transcoding')"
echo "proof rush: $N members generated in $(( $(date +%s) - t )) s (lecture $LECTURE, course $COURSE)"
proof_serve --workers 1 --set per_ip_conns=0 --set access_log=0
ROOT=$(sqlite3 "$D/dangxiao.db" "SELECT id FROM orgs WHERE parent_id IS NULL")
T=$(proof_login teacher)
A=$(proof_login admin)
H="Authorization: Bearer $T"
# The course's exam: five true/false questions, all drawn, unlimited attempts.
for i in 1 2 3 4 5; do
	curl -fsS -o /dev/null -H "$H" -H 'Content-Type: application/json' \
		-d "{\"type\":\"truefalse\",\"stem\":\"冲刺判断题$i\",\"answer\":[0]}" "$PROOF_BASE/api/v1/courses/$COURSE/questions" || fail=1
done
QUIZ=$(curl -fsS -X PUT -H "$H" -H 'Content-Type: application/json' \
	-d '{"num_questions":5,"pass_score":60,"time_limit_s":1800,"max_attempts":0}' \
	"$PROOF_BASE/api/v1/courses/$COURSE/quiz" | jq -r .id)
COURSES=$(sqlite3 "$D/dangxiao.db" "SELECT group_concat(id) FROM courses WHERE status='published'")
# Every watching member opens a playback session (the API's /play).
t=$(date +%s)
RUSH_EXAM_TAKERS=$TAKERS "$PROOF_TMP/rush" play "$PROOF_PORT" "$PROOF_TMP/members" "$LECTURE" 200 "$PROOF_TMP/sessions" || fail=1
echo "proof rush: sessions opened in $(( $(date +%s) - t )) s"
# The lecture to transcode: a 60 s 720p clip, uploaded over tus.
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=25:duration=60 \
	-f lavfi -i sine=frequency=440:duration=60 -c:v libx264 -preset ultrafast -b:v 3000k -pix_fmt yuv420p \
	-c:a aac "$PROOF_TMP/clip.mp4"
TL=$(curl -fsS -H "$H" -H 'Content-Type: application/json' -d '{"title":"冲刺转码讲"}' \
	"$PROOF_BASE/api/v1/courses/$COURSE/lectures" | jq -r .id)
SIZE=$(stat -c %s "$PROOF_TMP/clip.mp4")
LOC=$(curl -fsS -D - -o /dev/null -X POST -H "$H" -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $SIZE" \
	-H "Upload-Metadata: lecture_id $(printf %s "$TL" | base64),filename Y2xpcC5tcDQ=" "$PROOF_BASE/api/v1/uploads" |
	tr -d '\r' | awk 'tolower($1) == "location:" {print $2}')
sleep 5 # a session's first heartbeat comes >= 5 s after its play
# Memory: the server's VmRSS every second.
(while kill -0 "$PROOF_PID" 2>/dev/null && [ ! -f "$PROOF_TMP/stop" ]; do
	awk '/^VmRSS/ {print $2}' /proc/$PROOF_PID/status; sleep 1; done >"$PROOF_TMP/rss") &
RSS_PID=$!
RSS0=$(awk '/^VmRSS/ {print $2}' /proc/$PROOF_PID/status)
cpu() { awk '{print $14 + $15}' /proc/$PROOF_PID/stat; } # the server's CPU time, in ticks
TICK=$(getconf CLK_TCK)
LOAD0=$(cut -d' ' -f1 /proc/loadavg); CPU0=$(cpu); W0=$(date +%s)
"$PROOF_TMP/rush" run "$PROOF_PORT" "$PROOF_TMP/sessions" "$LECTURE" "$QUIZ" "$COURSES" "$CONNS" "$SECS" \
	>"$PROOF_TMP/rush.out" 2>&1 &
RUSH=$!
sleep 3
# The upload (the transcode starts when it completes) and the export of the whole tree, under load.
t0=$(date +%s.%N)
curl -fsS -o /dev/null -X PATCH -H "$H" -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \
	-H 'Content-Type: application/offset+octet-stream' --data-binary @"$PROOF_TMP/clip.mp4" "$PROOF_BASE$LOC" || fail=1
UP=$(python3 -c "import time; print(f'{time.time() - $t0:.1f}')")
t0=$(date +%s.%N)
YEAR=$(date +%Y)
X=$(curl -sS -o "$PROOF_TMP/tree.xlsx" -w '%{http_code} %{time_total} %{size_download}' -H "Authorization: Bearer $A" \
	"$PROOF_BASE/api/v1/reports/members?org_id=$ROOT&year=$YEAR&format=xlsx")
set -- $X
XCODE=$1; XTIME=$2; XSIZE=$3
XROWS=$(python3 -c "import zipfile,re,sys; z=zipfile.ZipFile(sys.argv[1]); s=z.read('xl/worksheets/sheet1.xml').decode(); print(len(re.findall('<row ', s)))" "$PROOF_TMP/tree.xlsx" 2>/dev/null || echo 0)
wait $RUSH
RC=$?
CPU1=$(cpu); W1=$(date +%s); LOAD1=$(cut -d' ' -f1 /proc/loadavg)
CORES1=$(python3 -c "print(f'{($CPU1 - $CPU0) / $TICK / ($W1 - $W0):.2f}')")
# The same traffic as an open load at half the closed loop's answered rate: the latency members
# see when the node is busy but not saturated (no export, no transcode beside it).
ALL=$(awk -F'|' '$2 ~ /^ all / {gsub(/ /, "", $4); print $4}' "$PROOF_TMP/rush.out")
RATE=${RUSH_OPEN_RATE:-$(( ${ALL:-1000} / 2 ))}
sleep 6 # the new client starts at the first session again: not within 5 s of its last heartbeat (429)
CPU0=$(cpu); W0=$(date +%s); LOAD2=$(cut -d' ' -f1 /proc/loadavg)
RUSH_RATE=$RATE "$PROOF_TMP/rush" run "$PROOF_PORT" "$PROOF_TMP/sessions" "$LECTURE" "$QUIZ" "$COURSES" "$CONNS" "$SECS" \
	>"$PROOF_TMP/rush2.out" 2>&1
RC2=$?
CPU1=$(cpu); W1=$(date +%s); LOAD3=$(cut -d' ' -f1 /proc/loadavg)
CORES2=$(python3 -c "print(f'{($CPU1 - $CPU0) / $TICK / ($W1 - $W0):.2f}')")
touch "$PROOF_TMP/stop"
wait $RSS_PID 2>/dev/null
# The transcode: its time from the upload's end to ready.
i=0
while [ $i -lt 600 ]; do
	ST=$(curl -fsS -H "$H" "$PROOF_BASE/api/v1/lectures/$TL" | jq -r .status)
	case "$ST" in ready|failed) break ;; esac
	sleep 1; i=$((i + 1))
done
TC=$(sqlite3 "$D/dangxiao.db" "SELECT coalesce(finished_at - created_at, -1) FROM jobs WHERE lecture_id=$TL ORDER BY id DESC LIMIT 1")
TDONE=$(sqlite3 "$D/dangxiao.db" "SELECT finished_at FROM jobs WHERE lecture_id=$TL ORDER BY id DESC LIMIT 1")
REND=$(date +%s)
HWM=$(awk '/^VmHWM/ {print $2}' /proc/$PROOF_PID/status)
RSSMAX=$(sort -n "$PROOF_TMP/rss" | tail -1)
echo "closed loop, with the export and the transcode (machine load average $LOAD0 → $LOAD1; the server used $CORES1 cores):"
cat "$PROOF_TMP/rush.out"
echo
echo "open load at $RATE requests/s (load average $LOAD2 → $LOAD3; the server used $CORES2 cores):"
cat "$PROOF_TMP/rush2.out"
echo
HB=$(awk -F'|' '$2 ~ /^ heartbeat / {gsub(/ /, "", $4); print $4}' "$PROOF_TMP/rush.out")
HBP99=$(awk -F'|' '$2 ~ /^ heartbeat / {gsub(/ /, "", $6); print $6}' "$PROOF_TMP/rush.out")
echo "server memory: VmRSS ${RSS0:-?} kB before the run, at most ${RSSMAX:-?} kB during it (sampled each second); VmHWM ${HWM:-?} kB"
echo "XLSX export of the whole tree (root $ROOT, year $YEAR) under load: HTTP $XCODE in $XTIME s, $XSIZE bytes, $XROWS rows"
echo "transcode under load: upload of $SIZE bytes in $UP s; lecture $TL $ST, job $TC s from queueing to done"
PERCORE=$(python3 -c "print(round(${ALL:-0} / max($CORES1, 0.01)))")
echo "closed loop: ${ALL:-?} requests/s with the server on $CORES1 cores = $PERCORE requests per second of server CPU"
grep -i 'dangxiao:' "$PROOF_TMP/server.log" | sort | uniq -c | sort -rn | head -5
[ -n "$HB" ] && echo "heartbeats: $HB/s accepted = $(( HB * 15 )) concurrent viewers at one heartbeat per 15 s (p99 $HBP99 ms)"
sqlite3 "$D/dangxiao.db" "PRAGMA integrity_check" | grep -qx ok || { echo "  FAIL integrity_check"; fail=1; }
[ "$RC" = 0 ] && [ "$RC2" = 0 ] || { echo "  FAIL requests failed during the rush (see the errors column)"; fail=1; }
[ "$XCODE" = 200 ] && [ "$XROWS" -gt "$((N / 2))" ] || { echo "  FAIL the export ($XCODE, $XROWS rows)"; fail=1; }
[ "$ST" = ready ] || { echo "  FAIL the transcode ended $ST"; fail=1; }
: "$TDONE" "$REND"
[ $fail = 0 ] && proof_done rush PASS || proof_done rush FAIL
exit $fail
