#!/bin/sh
# bench/catalog.sh — issue 3: the catalog page and a course page (logged in) against nginx serving
# static files of the same sizes, in the same run; catalog search over 10,000 courses (p95).
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${N:-10000}; DUR=${DUR:-8}; CONNS=${CONNS:-32}
D=$BENCH_TMP/cat; rm -rf "$D"; mkdir -p "$D"
bin/dangxiao seed --data "$D" >/dev/null
# 10,000 published courses with Chinese titles, summaries and bodies (~3 KB), written straight
# into the database (the FTS triggers index them as the API would).
python3 - "$D/dangxiao.db" "$N" "$BENCH_TMP/terms" <<'PY'
import sqlite3, sys, random, time
db, n, termf = sys.argv[1], int(sys.argv[2]), sys.argv[3]
random.seed(7)
# A vocabulary of 3,000 four-character terms, so that a searched term occurs in about 2 % of the
# courses (as a real phrase would), plus the real phrases of the demo in about 1 %.
chars = "党政治理论史建设法规业务能力综合素养学习教育基层组织生活廉洁自律乡村振兴作风群众路线民主集中制会课风干部队伍新时代高质量发展社会共同富裕主题调查研究员管理意识形态经济文化生态安全改革开放创新协调绿色共享人民" 
terms = sorted({"".join(random.sample(chars, 4)) for _ in range(4000)})[:3000]
with open(termf, "w") as f:
    f.write("\n".join(random.sample(terms, 16)))
real = ["全面从严治党", "党史学习教育", "三会一课", "民主集中制"]
cats = ["政治理论", "党史党建", "政策法规", "业务能力", "综合素养"]
c = sqlite3.connect(db)
teacher = c.execute("SELECT id FROM users WHERE username='teacher'").fetchone()[0]
now = int(time.time())
for i in range(n):
    pick = lambda k: random.sample(terms, k) + ([random.choice(real)] if random.random() < 0.01 else [])
    title = "".join(pick(2)) + f"专题{i}"
    summary = "，".join(pick(4)) + "。"
    paras = ["，".join(pick(10)) + "。" for _ in range(6)]
    body = "\n\n".join("## 第%d部分\n\n%s" % (k + 1, p) for k, p in enumerate(paras))
    html = "".join("<h2>第%d部分</h2><p>%s</p>" % (k + 1, p) for k, p in enumerate(paras))
    c.execute("INSERT INTO courses(owner_id,title,summary,category,credit_hours,body_md,body_html,status,enrolled_count,created_at,updated_at,published_at)"
              " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (teacher, title, summary, random.choice(cats), 1, body, html, "published",
              random.randint(0, 5000), now - i, now - i, now - i))
c.commit()
PY
DPORT=$(free_port); NPORT=$(free_port)
start_dx "$D" "$DPORT"
TOK=$(login_token "$DPORT" zhangsan)
CID=$(sqlite3 "$D/dangxiao.db" "SELECT max(id) FROM courses")
mkdir -p "$BENCH_TMP/www"
curl -s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/" >"$BENCH_TMP/home.html"
curl -s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/courses/$CID" >"$BENCH_TMP/course.html"
HS=$(stat -c %s "$BENCH_TMP/home.html"); CS=$(stat -c %s "$BENCH_TMP/course.html")
head -c "$HS" /dev/urandom | base64 -w0 | head -c "$HS" >"$BENCH_TMP/www/home.html"
head -c "$CS" /dev/urandom | base64 -w0 | head -c "$CS" >"$BENCH_TMP/www/course.html"
start_nginx "$BENCH_TMP/www" "$NPORT"
trap 'stop_dx; stop_nginx' EXIT
A=-H; B="Authorization: Bearer $TOK"
N1=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT/home.html")
D1=$(wrk_rps -t2 -c$CONNS -d${DUR}s -H "$B" "http://127.0.0.1:$DPORT/"); D1P=$(wrk_p99)
N2=$(wrk_rps -t2 -c$CONNS -d${DUR}s "http://127.0.0.1:$NPORT/course.html")
D2=$(wrk_rps -t2 -c$CONNS -d${DUR}s -H "$B" "http://127.0.0.1:$DPORT/courses/$CID"); D2P=$(wrk_p99)
# Search latency: 4 connections (a realistic concurrent load on 2 cores), p95 from wrk's histogram.
DX_TERMS=$BENCH_TMP/terms DX_TOKEN=$TOK wrk --latency -t2 -c4 -d${DUR}s -s bench/search.lua "http://127.0.0.1:$DPORT" >"$BENCH_TMP/last_wrk" 2>&1
SR=$(awk '/Requests\/sec/ {print $2}' "$BENCH_TMP/last_wrk"); SP95=$(awk '/^p95:/ {print $2}' "$BENCH_TMP/last_wrk")
HITS=$(curl -s -H "$B" "http://127.0.0.1:$DPORT/api/v1/courses?q=%E4%BB%8E%E4%B8%A5%E6%B2%BB" | python3 -c 'import sys,json;print(json.load(sys.stdin)["total"])')
cat <<OUT
| what | requests/s | p99 | vs nginx, same size |
| --- | --- | --- | --- |
| nginx, static $HS B (size of the catalog page) | $N1 | | 100 % |
| dangxiao catalog page / (member, $N courses) | $D1 | $D1P | $(ratio $D1 $N1) % |
| nginx, static $CS B (size of a course page) | $N2 | | 100 % |
| dangxiao course page /courses/$CID | $D2 | $D2P | $(ratio $D2 $N2) % |

Catalog search over $N courses (16 four-character terms, each in ~2 % of the courses, and 从严治 (~1 %) in turn, wrk -c4): $SR requests/s, p95 $SP95 ms.
("从严治" matches $HITS courses.)
OUT
