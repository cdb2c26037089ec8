#!/bin/sh
# bench/exam.sh — issue 10: the exam rush before a deadline. N members (bench/gen_members.py: known
# session tokens, enrolled in a published course) each start an attempt of the course exam (10
# questions drawn from a 20-question bank, options shuffled), save SAVES answers one at a time
# (PUT /api/v1/attempts/{id}/answers) and submit; driven by bench/exam_rush.c (CONNS keep-alive
# connections; three phases with a barrier between them, so each operation has its own rate and
# latency). nginx serves a small static file in the same run as the reference (wrk, same connection
# count), before and after. The script then checks the database: every attempt submitted and graded,
# with its SAVES answers kept. Any answer other than the expected one fails the run.
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${N:-5000}; SAVES=${SAVES:-10}; CONNS=${CONNS:-64}; DUR=${DUR:-8}
D=$BENCH_TMP/exam; rm -rf "$D"; mkdir -p "$D"
make -s build/bench/exam_rush
bin/dangxiao seed --data "$D" >/dev/null
python3 bench/gen_members.py "$D/dangxiao.db" "$N" "$BENCH_TMP/exam_tokens" ex 考生 考试压测课程 考试压测讲座 600 >/dev/null
COURSE=$(sqlite3 "$D/dangxiao.db" "SELECT max(id) FROM courses")
DPORT=$(free_port); NPORT=$(free_port)
mkdir -p "$BENCH_TMP/www"; printf '{"status":"ok","schema":4,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}' >"$BENCH_TMP/www/small.json"
start_nginx "$BENCH_TMP/www" "$NPORT"
start_dx "$D" "$DPORT"
trap 'stop_dx; stop_nginx' EXIT
# The bench course's bank: the two demo banks copied through the API (the instructor's), and its exam.
QUIZ=$(python3 - "$DPORT" "$COURSE" <<'PY'
import sys, json, http.client
port, course = int(sys.argv[1]), sys.argv[2]
def call(method, path, tok=None, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port)
    h = {"Content-Type": "application/json"}
    if tok: h["Authorization"] = "Bearer " + tok
    c.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
    r = c.getresponse(); return r.status, json.loads(r.read() or b"null")
st, s = call("POST", "/api/v1/session", body={"username": "teacher", "password": "dangxiao2026"})
tok = s["token"]
n = 0
for demo in (1, 2):
    st, b = call("GET", f"/api/v1/courses/{demo}/questions", tok)
    for q in b["questions"]:
        q = {k: v for k, v in q.items() if k not in ("id", "retired", "used")}
        st, _ = call("POST", f"/api/v1/courses/{course}/questions", tok, q)
        assert st == 201, st
        n += 1
st, quiz = call("PUT", f"/api/v1/courses/{course}/quiz", tok,
                {"num_questions": 10, "pass_score": 60, "time_limit_s": 3600, "max_attempts": 1})
assert st == 200, (st, quiz)
print(quiz["id"])
PY
)
BANK=$(sqlite3 "$D/dangxiao.db" "SELECT count(*) FROM questions WHERE course_id = $COURSE")
N1=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT/small.json"); N1P=$(wrk_p99)
FAIL=0
build/bench/exam_rush 127.0.0.1 "$DPORT" "$BENCH_TMP/exam_tokens" "$QUIZ" "$CONNS" "$SAVES" >"$BENCH_TMP/rush" || FAIL=1
N2=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT/small.json"); N2P=$(wrk_p99)
f() { awk -v p="$1" -v k="$2" '$1 == p { for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == k) print a[2] } }' "$BENCH_TMP/rush"; }
NREF=$(python3 -c "print(round(($N1 + $N2) / 2))")
# What the database holds: every attempt submitted and graded, each with its answers.
SUB=$(sqlite3 "$D/dangxiao.db" "SELECT count(*) FROM attempts WHERE quiz_id = $QUIZ AND submitted_at IS NOT NULL AND score IS NOT NULL")
KEPT=$(sqlite3 "$D/dangxiao.db" "SELECT count(*) FROM attempts WHERE quiz_id = $QUIZ AND (SELECT count(*) FROM json_each(answers)) = min($SAVES, 10)")
ITEMS=$(sqlite3 "$D/dangxiao.db" "SELECT count(*) FROM attempt_items i JOIN attempts a ON a.id = i.attempt_id WHERE a.quiz_id = $QUIZ")
[ "$SUB" = "$N" ] && [ "$KEPT" = "$N" ] || { echo "ERROR: $SUB of $N attempts graded, $KEPT with their $SAVES answers" >&2; FAIL=1; }
grep -q '^errors=0$' "$BENCH_TMP/rush" || { echo "ERROR: refused requests: $(cat "$BENCH_TMP/rush")" >&2; FAIL=1; }
cat <<OUT
| what | count | requests/s | p50 | p99 | vs nginx |
| --- | --- | --- | --- | --- | --- |
| nginx, static small.json (110 B), before | | $N1 | | $N1P | |
| attempts started (POST /api/v1/quizzes/{id}/attempts) | $(f start n) | $(f start rps) | $(f start p50_ms) ms | $(f start p99_ms) ms | $(ratio "$(f start rps)" "$NREF") % |
| answer saves (PUT /api/v1/attempts/{id}/answers, one answer each) | $(f save n) | $(f save rps) | $(f save p50_ms) ms | $(f save p99_ms) ms | $(ratio "$(f save rps)" "$NREF") % |
| submits (POST /api/v1/attempts/{id}/submit: graded) | $(f submit n) | $(f submit rps) | $(f submit p50_ms) ms | $(f submit p99_ms) ms | $(ratio "$(f submit rps)" "$NREF") % |
| nginx, static small.json, after | | $N2 | | $N2P | |
(ratios against the mean of the two nginx runs, $NREF requests/s; $N members, $CONNS connections, $SAVES saves each; bank $BANK questions, 10 drawn.)
Database after the run: $SUB of $N attempts graded, $KEPT with all their answers kept, $ITEMS graded items.
OUT
exit $FAIL
