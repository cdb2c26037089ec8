#!/bin/sh
# sqlmap (Debian) against every route of the API and the pages that takes parameters — query
# strings, JSON bodies and path ids — with a logged-in session (Bearer header), against a demo
# academy served on 127.0.0.1. Bounded: SQLite payloads only, two passes: level 2 risk 1
# (techniques B,E,U; also the Cookie header) and level 3 risk 2 (B,T,S with --time-sec 2: SQLite's
# time-based payloads start there; also User-Agent and Referer). Prints one result line per target and a summary;
# exits 1 when sqlmap reports any injectable parameter. Results: docs/security.md.
# SQLMAP_ONLY=substring runs only the targets whose line contains it.
set -u
cd "$(dirname "$0")/../.."
. tools/proof/lib.sh
proof_need sqlmap sqlmap
# The login throttle would answer 429 to most of sqlmap's guesses at POST /session; raise it so the
# payloads reach the code. No per-address cap: sqlmap runs several threads.
proof_serve --set login_free_tries=1000 --set login_addr_free_tries=100000 --set per_ip_conns=0
B=$PROOF_BASE
ADMIN=$(proof_login admin)
TEACH=$(proof_login teacher)
MEMBER=$(proof_login zhangsan)
auth() { printf 'Authorization: Bearer %s' "$1"; }
# Real ids so that the baseline answers are 200 (a 404 baseline would hide a boolean difference).
COURSE=$(curl -fsS -H "$(auth "$ADMIN")" "$B/api/v1/courses?per_page=1" | jq -r '.courses[0].id')
LECTURE=$(curl -fsS -H "$(auth "$ADMIN")" "$B/api/v1/courses/$COURSE" | jq -r '.lectures[0].id // empty')
[ -n "$LECTURE" ] || LECTURE=$(curl -fsS -H "$(auth "$ADMIN")" -H 'Content-Type: application/json' \
	-d '{"title":"sqlmap"}' "$B/api/v1/courses/$COURSE/lectures" | jq -r .id)
# A lecture with a stream (the demo lecture, transcoded after the server's first start).
MEDIA=$(proof_wait_media "$ADMIN")
[ -n "$MEDIA" ] || MEDIA=$LECTURE
ORG=$(curl -fsS -H "$(auth "$ADMIN")" "$B/api/v1/orgs" | jq -r '.orgs[-1].id')
USER=$(curl -fsS -H "$(auth "$ADMIN")" "$B/api/v1/users?q=zhangsan" | jq -r '.users[0].id')
ASSIGN=$(curl -fsS -H "$(auth "$ADMIN")" -H 'Content-Type: application/json' \
	-d "{\"course_id\":$COURSE,\"org_id\":$ORG,\"year\":2026}" "$B/api/v1/assignments" | jq -r .id)
curl -fsS -o /dev/null -X POST -H "$(auth "$MEMBER")" "$B/api/v1/courses/$COURSE/enroll"
PLAY=$(curl -sS -X POST -H "$(auth "$MEMBER")" "$B/api/v1/lectures/$LECTURE/play" | jq -r '.session // 1')
# A real tus upload, for GET /api/v1/uploads/{uid}.
UID_=$(curl -sS -D - -o /dev/null -X POST -H "$(auth "$ADMIN")" -H 'Tus-Resumable: 1.0.0' -H 'Upload-Length: 1000' \
	-H "Upload-Metadata: lecture_id $(printf %s "$LECTURE" | base64)" "$B/api/v1/uploads" |
	tr -d '\r' | sed -n 's|^[Ll]ocation: .*/api/v1/uploads/||p')
[ -n "$UID_" ] || UID_=0123456789abcdef0123456789abcdef
echo "proof sqlmap: server $B, course $COURSE, lecture $LECTURE, media lecture $MEDIA, upload $UID_, org $ORG, user $USER, assignment $ASSIGN"

# One target a line: TOKEN-NAME METHOD PATH [JSON-BODY]. '*' marks a path segment to inject into.
cat >"$PROOF_TMP/targets" <<T
ADMIN GET /api/v1/users?org_id=$ORG&q=zhang&page=1
ADMIN GET /api/v1/courses?q=abc&category=%E6%94%BF%E6%B2%BB%E7%90%86%E8%AE%BA&type=required&sort=newest&mine=1&page=1&per_page=20
ADMIN GET /api/v1/assignments?year=2026
MEMBER GET /?q=abc&category=%E6%94%BF%E6%B2%BB%E7%90%86%E8%AE%BA&type=elective&sort=popular&page=1
NONE GET /login?next=/courses/1
NONE GET /static/css/app.css?v=1
NONE POST /api/v1/session {"username":"zhangsan","password":"wrong-password"}
ADMIN POST /api/v1/orgs {"name":"sqlmap-org","parent_id":$ORG}
ADMIN POST /api/v1/users {"username":"sqlmapuser","name":"x","password":"sqlmap-pass-1","role":"member","org_id":$ORG}
ADMIN PATCH /api/v1/users/$USER {"name":"zhang","role":"member","org_id":$ORG}
TEACH POST /api/v1/courses {"title":"sqlmap","category":"政治理论","summary":"s","credit_hours":1,"body_md":"b"}
TEACH PATCH /api/v1/courses/$COURSE {"title":"t","summary":"s","category":"政治理论","credit_hours":2,"body_md":"b"}
TEACH POST /api/v1/markdown/preview {"body_md":"hello"}
ADMIN POST /api/v1/assignments {"course_id":$COURSE,"org_id":$ORG,"year":2026}
TEACH POST /api/v1/courses/$COURSE/lectures {"title":"x"}
TEACH POST /api/v1/lectures/$LECTURE/import {"url":"http://127.0.0.1:9/x.mp4"}
MEMBER POST /api/v1/lectures/$LECTURE/heartbeat {"session":$PLAY,"position":1,"playing":true,"rate":1}
ADMIN GET /api/v1/courses/$COURSE*
ADMIN GET /api/v1/courses/$COURSE*/lectures
ADMIN GET /api/v1/lectures/$LECTURE*
MEMBER GET /api/v1/lectures/$LECTURE*/progress
MEMBER GET /courses/$COURSE*
MEMBER GET /lectures/$LECTURE*
ADMIN GET /teach/courses/$COURSE*
ADMIN GET /teach/courses/$COURSE*/lectures
ADMIN GET /images/1*
ADMIN GET /media/$MEDIA*/master.m3u8
ADMIN GET /api/v1/uploads/$UID_*
MEMBER POST /api/v1/courses/$COURSE*/enroll
MEMBER POST /api/v1/lectures/$LECTURE*/play
ADMIN POST /api/v1/courses/$COURSE*/publish
ADMIN POST /api/v1/lectures/$LECTURE*/cancel
ADMIN DELETE /api/v1/assignments/$ASSIGN*
T
total=0; clean=0; vuln=0
# Two passes: the one asked for (level 2: query, body and Cookie; risk 1), then level 3 risk 2,
# which adds SQLite's time-based (heavy query) and stacked payloads and the User-Agent and Referer
# headers: sqlmap has no SQLite time-based payload below level 3 / risk 2.
for pass in ${SQLMAP_PASSES:-2:1:BEU 3:2:BTS}; do
lvl=${pass%%:*}; rest=${pass#*:}; risk=${rest%%:*}; tech=${rest#*:}
echo "proof sqlmap: pass --level $lvl --risk $risk --technique $tech"
while read -r who method path body; do
	[ -n "${SQLMAP_ONLY:-}" ] && case "$who $method $path" in *"$SQLMAP_ONLY"*) ;; *) continue ;; esac
	total=$((total + 1))
	case $who in ADMIN) tok=$ADMIN ;; TEACH) tok=$TEACH ;; MEMBER) tok=$MEMBER ;; *) tok= ;; esac
	set -- -u "$B$path" --method "$method" --batch --level "$lvl" --risk "$risk" --dbms SQLite \
		--technique "$tech" --time-sec 2 --threads 4 --timeout 10 --retries 1 --ignore-code 401,404,429 \
		--flush-session --disable-coloring --output-dir "$PROOF_TMP/sqlmap"
	[ -n "$tok" ] && set -- "$@" --headers "Authorization: Bearer $tok"
	[ -n "$body" ] && set -- "$@" --data "$body"
	t0=$(date +%s)
	log="$PROOF_TMP/sqlmap-$total.log"
	sqlmap "$@" >"$log" 2>&1
	rc=$?
	dt=$(( $(date +%s) - t0 ))
	if grep -qiE "is vulnerable|sqlmap identified the following injection|parameter '.*' (is|appears to be) .*injectable" "$log"; then
		vuln=$((vuln + 1)); res="INJECTABLE"
		grep -iE "injectable|Parameter:|Type:|Payload:" "$log" | sed 's/^/    /'
	elif grep -qE "all tested parameters do not appear to be injectable" "$log"; then
		clean=$((clean + 1)); res="not injectable"
	else
		res="inconclusive (rc $rc)"
		tail -5 "$log" | sed 's/^/    /'
	fi
	reqs=$(grep -c . "$PROOF_TMP/data/access.log" 2>/dev/null || echo 0)
	echo "  $method $path${body:+ $body}: $res, ${dt} s (access log: $reqs lines)"
done <"$PROOF_TMP/targets"
done
s500=$(awk '{print $4}' "$PROOF_TMP/data/access.log" 2>/dev/null | grep -c '^5' || true)
echo "proof sqlmap: $total runs (targets × passes), $clean not injectable, $vuln injectable, $((total - clean - vuln)) inconclusive; $(wc -l <"$PROOF_TMP/data/access.log") requests, ${s500} answered 5xx"
kill -0 "$PROOF_PID" 2>/dev/null && echo "proof sqlmap: server alive" || { echo "proof sqlmap: SERVER DIED"; vuln=$((vuln + 1)); }
proof_done sqlmap "$([ $vuln = 0 ] && [ $clean = $total ] && echo PASS || echo FAIL)"
[ $vuln = 0 ] && [ $clean = $total ]
