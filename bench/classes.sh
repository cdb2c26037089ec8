#!/bin/sh
# bench/classes.sh — issue 13: a certificate PDF (≤ 100 ms), the ZIP of 1,000 certificates of a
# roster (≤ 60 s, server memory growth < 64 MB), the roster of a 10,000-member class as XLSX
# (≤ 2 s); each against nginx serving the same bytes as a static file in the same run.
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${N:-10000}; NCERT=${NCERT:-1000}
make --no-print-directory build/bench/cert_bench >/dev/null
echo "-- pure drawing (build/bench/cert_bench 30)"
build/bench/cert_bench 30

D=$BENCH_TMP/classes; rm -rf "$D"; mkdir -p "$D"
bin/dangxiao seed --data "$D" >/dev/null
# A class of one course with N members spread over the demo's branches: 30 % completed the
# course (its completion event), half have study time on its lecture, the first NCERT completed
# the class with a certificate. Written straight into the database.
python3 - "$D/dangxiao.db" "$N" "$NCERT" <<'PY'
import sqlite3, sys, time, random, hashlib
db, n, ncert = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(13)
c = sqlite3.connect(db)
now = int(time.time())
teacher = c.execute("SELECT id FROM users WHERE username='teacher'").fetchone()[0]
orgs = [r[0] for r in c.execute("SELECT id FROM orgs WHERE path LIKE '%/%/%/%'")]
c.execute("INSERT INTO courses(id, owner_id, title, category, credit_hours, status, created_at, updated_at, published_at)"
          " VALUES (90001, ?, '基准测试课程：党的二十大精神', '政治理论', 1.5, 'published', ?, ?, ?)", (teacher, now, now, now))
c.execute("INSERT INTO lectures(id, course_id, title, position, status, duration_s, media_version, created_at, updated_at)"
          " VALUES (900010, 90001, '第1讲', 0, 'ready', 1800, 1, ?, ?)", (now, now))
c.execute("INSERT INTO classes(id, title, summary, opens_at, closes_at, capacity, mode, min_hours, created_at, updated_at)"
          " VALUES (9001, '学习贯彻党的二十大精神网络专题班（基准）', '', ?, ?, 0, 'open', 0, ?, ?)",
          (now - 86400 * 10, now + 86400 * 30, now, now))
c.execute("INSERT INTO class_courses VALUES (9001, 90001, 0, 1)")
alpha = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
names = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
year = time.gmtime(now).tm_year
for i in range(n):
    name = random.choice(names) + "".join(random.sample(given, 2))
    c.execute("INSERT INTO users(username, name, role, org_id, pw_hash, created_at, updated_at) VALUES (?, ?, 'member', ?, 'x', ?, ?)",
              (f"bench{i:05d}", name, random.choice(orgs), now, now))
    uid = c.execute("SELECT last_insert_rowid()").fetchone()[0]
    done = i < ncert or random.random() < 0.3
    at = now - random.randint(60, 86400 * 5)
    c.execute("INSERT INTO class_members(class_id, user_id, joined_at, how) VALUES (9001, ?, ?, 'joined')", (uid, now - 86400 * 9))
    if done or random.random() < 0.5:
        c.execute("INSERT INTO lecture_progress(user_id, lecture_id, study_s, updated_at) VALUES (?, 900010, ?, ?)",
                  (uid, random.randint(60, 1800), now))
    if done:
        c.execute("INSERT INTO events(user_id, kind, ref, at, data) VALUES (?, 'course_completed', 90001, ?, '{\"credit_hours\":1.5}')", (uid, at))
    if i < ncert:
        code = "".join(random.choice(alpha) for _ in range(27))
        c.execute("INSERT INTO certificates(code, number, year, seq, kind, user_id, class_id, holder, title, hours, window_from,"
                  " window_to, completed_at, issued_at, digest) VALUES (?, ?, ?, ?, 'class', ?, 9001, ?, ?, 1.5, ?, ?, ?, ?, ?)",
                  (code, f"DX-{year}-{i + 1:06d}", year, i + 1, uid, name, "学习贯彻党的二十大精神网络专题班（基准）",
                   now - 86400 * 10, now + 86400 * 30, at, at, hashlib.sha256(code.encode()).hexdigest()))
        cid = c.execute("SELECT last_insert_rowid()").fetchone()[0]
        c.execute("UPDATE class_members SET completed_at = ?, certificate_id = ? WHERE class_id = 9001 AND user_id = ?", (at, cid, uid))
c.commit()
PY
DPORT=$(free_port); NPORT=$(free_port)
start_dx "$D" "$DPORT"
trap 'stop_dx; stop_nginx' EXIT
ADM=$(login_token "$DPORT" admin)
ZS=$(login_token "$DPORT" zhangsan)
H="Authorization: Bearer $ADM"
mkdir -p "$BENCH_TMP/www"
rss() { awk -v k="$1:" '$1==k {print $2}' "/proc/$DX_PID/status"; }
# dl_times URL HEADER OUT N — best and median wall time of N downloads (seconds).
dl_times() {
	python3 - "$@" <<'PY'
import subprocess, sys, time
url, hdr, out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ts = []
for _ in range(n):
    t = time.perf_counter()
    args = ["curl", "-sf", "-o", out, url] + (["-H", hdr] if hdr else [])
    subprocess.run(args, check=True)
    ts.append(time.perf_counter() - t)
ts.sort()
print(f"{ts[0]:.3f} {ts[len(ts)//2]:.3f}")
PY
}

# 1. One certificate PDF over HTTP (a yearly certificate of zhangsan's, drawn on each request).
CODE=$(curl -s -X POST -H "Authorization: Bearer $ZS" -H 'Content-Type: application/json' -d "{\"year\":$(date +%Y)}" \
	"http://127.0.0.1:$DPORT/api/v1/me/certificates" | python3 -c 'import sys,json;print(json.load(sys.stdin)["code"])')
curl -sf -H "Authorization: Bearer $ZS" -o "$BENCH_TMP/www/cert.pdf" "http://127.0.0.1:$DPORT/api/v1/certificates/$CODE.pdf"
start_nginx "$BENCH_TMP/www" "$NPORT"
P=$(dl_times "http://127.0.0.1:$DPORT/api/v1/certificates/$CODE.pdf" "Authorization: Bearer $ZS" /dev/null 30)
PN=$(dl_times "http://127.0.0.1:$NPORT/cert.pdf" "" /dev/null 30)

# 2. The roster of the N-member class as XLSX.
X=$(dl_times "http://127.0.0.1:$DPORT/api/v1/classes/9001/roster?format=xlsx" "$H" "$BENCH_TMP/www/roster.xlsx" 3)
XN=$(dl_times "http://127.0.0.1:$NPORT/roster.xlsx" "" /dev/null 3)
XROWS=$(python3 -c "import zipfile,sys,re;s=zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode();print(len(re.findall('<row ',s)))" "$BENCH_TMP/www/roster.xlsx")

# 3. The ZIP of the roster's NCERT certificates, with the server's memory before and at its peak.
R0=$(rss VmRSS); H0=$(rss VmHWM)
# Streamed: the first bytes leave before the second certificate is drawn; the peak is sampled while
# it streams as well as after.
PEAK=0
( while :; do v=$(rss VmRSS); [ -n "$v" ] && echo "$v"; sleep 0.2; done ) >"$BENCH_TMP/zip-rss" &
SAMPLER=$!
ZT=$(curl -sf -H "$H" -o "$BENCH_TMP/www/certs.zip" -w '%{time_starttransfer} %{time_total}' \
	"http://127.0.0.1:$DPORT/api/v1/classes/9001/certificates.zip")
kill $SAMPLER 2>/dev/null || true; wait $SAMPLER 2>/dev/null || true
PEAK=$(sort -n "$BENCH_TMP/zip-rss" | tail -1)
Z="${ZT#* } ${ZT#* }"; ZFIRST=${ZT% *}
H1=$(rss VmHWM); R1=$(rss VmRSS)
ZN=$(dl_times "http://127.0.0.1:$NPORT/certs.zip" "" /dev/null 3)
ZENT=$(unzip -Z1 "$BENCH_TMP/www/certs.zip" | wc -l)
ZSIZE=$(stat -c %s "$BENCH_TMP/www/certs.zip")
unzip -tq "$BENCH_TMP/www/certs.zip" >/dev/null && ZOK=ok || ZOK=BROKEN
cat <<OUT
-- over HTTP (release build, $(nproc) cores, best / median)
one certificate PDF (yearly, drawn per request): dangxiao ${P% *} / ${P#* } s; nginx static same file ${PN% *} / ${PN#* } s
roster of $N members as XLSX ($XROWS rows incl. header): dangxiao ${X% *} / ${X#* } s; nginx static same file ${XN% *} / ${XN#* } s
ZIP of $ZENT certificates ($ZSIZE bytes, unzip -t: $ZOK): dangxiao ${Z% *} s (first byte after ${ZFIRST} s, streamed); nginx static same file ${ZN% *} s
server memory: RSS ${R0} kB before, ${PEAK} kB at most while streaming (sampled every 0.2 s), peak (VmHWM) ${H0} kB before → ${H1} kB after, RSS ${R1} kB after; growth $(( (H1 - R0) / 1024 )) MB
OUT
