#!/bin/sh
# sqlmap (Debian) against every route that takes parameters — path ids, query strings and JSON
# bodies — each with a session of a role the route allows (admin, teacher, assessor or zhangsan),
# against a demo academy served on 127.0.0.1. The routes come from the route tables
# (`bin/dangxiao routes`, checked against server/authz.tsv); every route must be a target below or
# be listed as skipped with its reason, else the script fails before sqlmap runs. Each target
# marks every parameter ('*'): its path parameters (from the route's pattern), every query value
# and every JSON value (and numeric object keys), so one sqlmap run tests all of them.
# Bounded: SQLite payloads only, two passes: level 2 risk 1 (techniques B,E,U) and level 3 risk 2
# (B,T,S with --time-sec 2: SQLite's time-based and stacked payloads start there; also User-Agent
# and Referer). Prints one result line per target and pass and a summary; exits 1 when sqlmap
# reports any injectable parameter, a run is inconclusive, or the server dies. Results:
# docs/security.md.
#   SQLMAP_ONLY=substring   runs only the targets whose line contains it (the coverage check still runs)
#   SQLMAP_JOBS=N           N sqlmap runs at a time against the one server (default 2)
#   SQLMAP_SHARD=i/n        runs only targets i, i+n, i+2n, … (1-based), to split the run over calls
#   SQLMAP_PASSES           default "2:1:BEU 3:2:BTS" (level:risk:techniques)
#   SQLMAP_CHECK_ONLY=1     checks the route coverage and exits
set -u
cd "$(dirname "$0")/../.."
. tools/proof/lib.sh
[ -x bin/dangxiao ] || { echo "proof: build first (make all)" >&2; exit 1; }

# ---- coverage: the route tables against authz.tsv, then every route against the lists below ----
bin/dangxiao routes | awk -F'\t' '{print $1 "\t" $2 "\t" $3}' | sort -u >"$PROOF_TMP/routes"
grep -v '^#' server/authz.tsv | awk -F'\t' 'NF > 2 {print $1 "\t" $2}' | sort -u >"$PROOF_TMP/authz"
cut -f1,2 "$PROOF_TMP/routes" | sort -u | diff - "$PROOF_TMP/authz" >"$PROOF_TMP/authz.diff" || {
	echo "proof sqlmap: the route table and server/authz.tsv differ (< code, > authz.tsv):"
	cat "$PROOF_TMP/authz.diff"; exit 1; }

# Routes not run through sqlmap, with the reason. "no parameters" is checked: no path parameter in
# the pattern, no query and no body in any of its authz.tsv rows, and its handler (found in the
# route tables' sources) reads no query argument (req_arg/req_page) and no JSON field (body_*).
cat >"$PROOF_TMP/skips" <<'S'
GET	/api/v1/me	no parameters
DELETE	/api/v1/session	no parameters (and it would end the session sqlmap uses)
GET	/api/v1/orgs	no parameters
GET	/api/v1/me/sessions	no parameters
DELETE	/api/v1/me/sessions	no parameters (and it ends the user's other sessions)
GET	/admin	no parameters
GET	/account	no parameters
GET	/api/v1/health	no parameters
GET	/api/v1/users/import/template	no parameters
GET	/teach	no parameters
GET	/api/v1/teach/courses	no parameters
OPTIONS	/api/v1/uploads	no parameters
POST	/api/v1/daily-quiz	no parameters
GET	/api/v1/daily-quiz	no parameters
GET	/daily	no parameters
GET	/api/v1/point-rules	no parameters
GET	/admin/points	no parameters
GET	/me/rules	no parameters
GET	/api/v1/scoring/settings	no parameters
GET	/classes	no parameters
GET	/me/certificates	no parameters
GET	/api/v1/classes	no parameters
GET	/api/v1/me/certificates	no parameters
POST	/api/v1/test/clock	test-only route (404 unless the server runs with the test clock); its body is read by body_num/body_str and bound
POST	/api/v1/test/event	test-only route (404 unless the server runs with the test clock); its body is read by body_int/body_num/body_str and bound
POST	/api/v1/uploads	tus creation: its parameters are headers (Upload-Length, Upload-Metadata), no query or JSON
PATCH	/api/v1/uploads/{uid}	tus chunk: an offset header and a binary body (written to a file); the {uid} is tested by GET /api/v1/uploads/{uid}
DELETE	/api/v1/uploads/{uid}	tus termination: deletes the upload sqlmap needs; the {uid} is tested by GET /api/v1/uploads/{uid}
S
# Targets, one a line: ROLE METHOD PATTERN URL [JSON-BODY]. ROLE is ADMIN, TEACH (teacher, the demo
# courses' instructor), ASSESS (assessor), MEMBER (zhangsan) or NONE; it must be one the route
# allows. Bodies that are not JSON (CSV, Markdown, a PDF) are named by a leading @type: and are
# sent as they are, only their path and query parameters marked. Ids are real ones so that the
# baseline answers are 2xx (a 404 baseline would hide a boolean difference); the fixtures are made
# below, after the server starts.
targets_file() {
cat <<T
NONE	POST	/api/v1/session	/api/v1/session	{"username":"zhangsan","password":"wrong-password"}
PWUSER	POST	/api/v1/me/password	/api/v1/me/password	{"current_password":"wrong-password","new_password":"sqlmap-pass-2"}
MEMBER	DELETE	/api/v1/me/sessions/{sid}	/api/v1/me/sessions/$SID
ADMIN	POST	/api/v1/orgs	/api/v1/orgs	{"name":"sqlmap-org","parent_id":$ORG}
ADMIN	PATCH	/api/v1/orgs/{id}	/api/v1/orgs/$ORGPATCH	{"name":"sqlmap-renamed","parent_id":$ORG,"version":$ORGV}
ADMIN	DELETE	/api/v1/orgs/{id}	/api/v1/orgs/$ORGDEL?version=1
ADMIN	POST	/api/v1/users	/api/v1/users	{"username":"sqlmapuser","name":"x","password":"sqlmap-pass-1","role":"member","org_id":$ORG}
ADMIN	GET	/api/v1/users	/api/v1/users?org_id=$ORG&q=zhang&role=member&active=1&sort=name&order=desc&page=1&per_page=20
ADMIN	GET	/api/v1/users/{id}	/api/v1/users/$VICTIM
ADMIN	PATCH	/api/v1/users/{id}	/api/v1/users/$VICTIM	{"name":"victim","role":"member","org_id":$ORG,"active":true,"version":$VICV}
ADMIN	POST	/api/v1/users/{id}/password-reset	/api/v1/users/$VICTIM/password-reset?version=1
ADMIN	POST	/api/v1/users/move	/api/v1/users/move	{"user_ids":[$VICTIM],"org_id":$ORG}
ADMIN	POST	/api/v1/users/import	/api/v1/users/import?confirm=$DIGEST&allow_role_changes=0	@text/csv:username,name,org
ADMIN	POST	/api/v1/users/import/preview	/api/v1/users/import/preview?allow_role_changes=1	@text/csv:username,name,org
ADMIN	GET	/api/v1/audit	/api/v1/audit?actor_id=1&target_id=1&target_kind=user&user_id=1&action=user.create&from=2026-01-01&to=2099-01-01&page=1&per_page=20
NONE	GET	/login	/login?next=/courses/1
NONE	GET	/static/*	/static/css/app.css?v=1
MEMBER	GET	/	/?q=abc&category=%E6%94%BF%E6%B2%BB%E7%90%86%E8%AE%BA&type=elective&sort=popular&page=1
MEMBER	GET	/api/v1/courses	/api/v1/courses?q=abc&category=%E6%94%BF%E6%B2%BB%E7%90%86%E8%AE%BA&type=required&sort=newest&mine=1&page=1&per_page=20
TEACH	POST	/api/v1/courses	/api/v1/courses	{"title":"sqlmap","category":"政治理论","summary":"s","credit_hours":1,"body_md":"b"}
ADMIN	GET	/api/v1/courses/{id}	/api/v1/courses/$COURSE
TEACH	PATCH	/api/v1/courses/{id}	/api/v1/courses/$COURSE2	{"title":"t","summary":"s","category":"政治理论","credit_hours":2,"body_md":"b","cover_image_id":$IMAGE,"updated_at":"$C2AT"}
TEACH	POST	/api/v1/courses/{id}/publish	/api/v1/courses/$COURSE/publish
TEACH	POST	/api/v1/courses/{id}/unpublish	/api/v1/courses/$SPARE/unpublish
TEACH	POST	/api/v1/courses/{id}/archive	/api/v1/courses/$SPARE/archive
TEACH	POST	/api/v1/courses/{id}/restore	/api/v1/courses/$SPARE/restore
MEMBER	POST	/api/v1/courses/{id}/enroll	/api/v1/courses/$COURSE/enroll
TEACH	POST	/api/v1/courses/{id}/images	/api/v1/courses/$COURSE2/images	@image/png:not-a-png
MEMBER	GET	/images/{id}	/images/$IMAGE
TEACH	POST	/api/v1/courses/{id}/attachments	/api/v1/courses/$COURSE2/attachments?name=sqlmap.pdf	@application/pdf:%PDF-1.4
MEMBER	GET	/api/v1/courses/{id}/attachments	/api/v1/courses/$COURSE2/attachments
TEACH	DELETE	/api/v1/courses/{id}/attachments/{id}	/api/v1/courses/$COURSE2/attachments/$ATTDEL
MEMBER	GET	/courses/{id}/attachments/{id}	/courses/$COURSE2/attachments/$ATT
TEACH	POST	/api/v1/markdown/preview	/api/v1/markdown/preview	{"body_md":"hello"}
ADMIN	POST	/api/v1/assignments	/api/v1/assignments	{"course_id":$COURSE,"org_id":$ORG,"year":$YEAR}
ADMIN	GET	/api/v1/assignments	/api/v1/assignments?year=$YEAR
ADMIN	DELETE	/api/v1/assignments/{id}	/api/v1/assignments/$ASSIGN
MEMBER	GET	/courses/{id}	/courses/$COURSE
TEACH	GET	/teach/courses/{id}	/teach/courses/$COURSE
TEACH	POST	/api/v1/courses/{id}/lectures	/api/v1/courses/$COURSE2/lectures	{"title":"x"}
TEACH	GET	/api/v1/courses/{id}/lectures	/api/v1/courses/$COURSE/lectures
MEMBER	GET	/api/v1/lectures/{id}	/api/v1/lectures/$LECTURE
TEACH	PATCH	/api/v1/lectures/{id}	/api/v1/lectures/$LECTURE2	{"title":"x","revision":$REV2,"updated_at":"$L2AT"}
TEACH	DELETE	/api/v1/lectures/{id}	/api/v1/lectures/$SPARELEC
TEACH	PUT	/api/v1/courses/{id}/lectures/order	/api/v1/courses/$COURSE2/lectures/order	{"lecture_ids":[$LECTURE2]}
TEACH	POST	/api/v1/lectures/{id}/cancel	/api/v1/lectures/$LECTURE2/cancel
TEACH	PUT	/api/v1/lectures/{id}/captions	/api/v1/lectures/$LECTURE/captions	@text/vtt:WEBVTT
TEACH	GET	/teach/courses/{id}/lectures	/teach/courses/$COURSE/lectures
TEACH	PUT	/api/v1/lectures/{id}/source	/api/v1/lectures/$LECTURE2/source	@video/mp4:not-a-video
TEACH	GET	/api/v1/uploads/{uid}	/api/v1/uploads/$UID_
TEACH	POST	/api/v1/lectures/{id}/import	/api/v1/lectures/$LECTURE2/import	{"url":"http://127.0.0.1:9/x.mp4"}
MEMBER	GET	/media/{id}/*	/media/$MEDIA/master.m3u8
MEMBER	POST	/api/v1/lectures/{id}/play	/api/v1/lectures/$LECTURE/play
MEMBER	POST	/api/v1/lectures/{id}/heartbeat	/api/v1/lectures/$LECTURE/heartbeat	{"session":$PLAY,"position":1,"playing":true,"rate":1}
MEMBER	GET	/api/v1/lectures/{id}/progress	/api/v1/lectures/$LECTURE/progress
MEMBER	GET	/lectures/{id}	/lectures/$LECTURE
TEACH	GET	/api/v1/courses/{id}/roster	/api/v1/courses/$COURSE/roster?format=json
TEACH	GET	/teach/courses/{id}/roster	/teach/courses/$COURSE/roster
TEACH	GET	/api/v1/courses/{id}/questions	/api/v1/courses/$COURSE/questions?retired=1
TEACH	POST	/api/v1/courses/{id}/questions	/api/v1/courses/$COURSE2/questions	{"type":"single","stem":"sqlmap","options":["a","b"],"answer":[1],"explanation":"e","tags":["t"]}
TEACH	POST	/api/v1/courses/{id}/questions/import	/api/v1/courses/$COURSE2/questions/import?dry_run=1	@text/csv:type,stem,options,answer
TEACH	GET	/api/v1/questions/{id}	/api/v1/questions/$QUESTION
TEACH	PUT	/api/v1/questions/{id}	/api/v1/questions/$QUESTION2	{"type":"single","stem":"sqlmap","options":["a","b"],"answer":[0],"explanation":"e","tags":["t"]}
TEACH	DELETE	/api/v1/questions/{id}	/api/v1/questions/$QUESTIONDEL
TEACH	PUT	/api/v1/courses/{id}/quiz	/api/v1/courses/$COURSE2/quiz	{"num_questions":1,"pass_score":60,"time_limit_s":600,"max_attempts":0}
MEMBER	GET	/api/v1/courses/{id}/quiz	/api/v1/courses/$COURSE/quiz
MEMBER	GET	/api/v1/quizzes/{id}	/api/v1/quizzes/$QUIZ
MEMBER	POST	/api/v1/quizzes/{id}/attempts	/api/v1/quizzes/$QUIZ/attempts
MEMBER	GET	/api/v1/quizzes/{id}/attempts	/api/v1/quizzes/$QUIZ/attempts
MEMBER	GET	/api/v1/attempts/{id}	/api/v1/attempts/$ATTEMPT
MEMBER	PUT	/api/v1/attempts/{id}/answers	/api/v1/attempts/$ATTEMPT/answers	{"answers":{"$AQ":[0]}}
MEMBER	POST	/api/v1/attempts/{id}/submit	/api/v1/attempts/$ATTEMPT2/submit	{}
TEACH	GET	/api/v1/quizzes/{id}/stats	/api/v1/quizzes/$QUIZ/stats
MEMBER	GET	/quizzes/{id}	/quizzes/$QUIZ
MEMBER	GET	/attempts/{id}	/attempts/$ATTEMPT
TEACH	GET	/teach/courses/{id}/quiz	/teach/courses/$COURSE/quiz
TEACH	GET	/teach/quizzes/{id}/stats	/teach/quizzes/$QUIZ/stats
MEMBER	POST	/api/v1/courses/{id}/rating	/api/v1/courses/$COURSE/rating	{"stars":5,"comment":"c"}
MEMBER	GET	/api/v1/courses/{id}/rating	/api/v1/courses/$COURSE/rating
TEACH	GET	/api/v1/courses/{id}/ratings	/api/v1/courses/$COURSE/ratings?page=1&per_page=20
TEACH	GET	/courses/{id}/ratings	/courses/$COURSE/ratings
ADMIN	POST	/api/v1/point-rules	/api/v1/point-rules	{"code":"login","points":1,"daily_cap":1,"effective_from":"$TOMORROW","unit":1}
ADMIN	PUT	/api/v1/scoring/settings	/api/v1/scoring/settings	{"default_total_hours":50,"default_required_hours":20,"webhook_url":"","remind_weekday":1,"remind_hour":9}
MEMBER	GET	/api/v1/me/summary	/api/v1/me/summary?year=$YEAR
MEMBER	GET	/api/v1/me/points	/api/v1/me/points?year=$YEAR&from=2026-01-01&to=2099-01-01&page=1&per_page=20
MEMBER	GET	/me	/me?year=$YEAR&page=1
ASSESS	GET	/assess	/assess?org_id=$ORG&year=$YEAR&status=behind&q=zhang&page=1
ASSESS	GET	/api/v1/requirements	/api/v1/requirements?org_id=$ORG&year=$YEAR
ADMIN	PUT	/api/v1/requirements	/api/v1/requirements	{"org_id":$ORG,"year":$YEAR,"total_hours":50,"required_hours":20}
ADMIN	DELETE	/api/v1/requirements	/api/v1/requirements?org_id=$ORGREQ&year=$YEAR
ASSESS	GET	/api/v1/reports/members	/api/v1/reports/members?org_id=$ORG&year=$YEAR&status=behind&q=zhang&format=json&page=1&per_page=50
ASSESS	GET	/api/v1/reports/orgs	/api/v1/reports/orgs?org_id=$ORG&year=$YEAR
ASSESS	POST	/api/v1/reminders	/api/v1/reminders?org_id=$ORG	{"year":$YEAR}
ASSESS	GET	/api/v1/reminders	/api/v1/reminders?org_id=$ORG&page=1&per_page=20
ADMIN	POST	/api/v1/classes	/api/v1/classes	{"title":"sqlmap","summary":"s","course_ids":[$COURSE],"mode":"open","capacity":10,"min_hours":0,"opens_at":"2020-01-01T00:00:00Z","closes_at":"2099-01-01T00:00:00Z"}
MEMBER	GET	/api/v1/classes/{id}	/api/v1/classes/$CLASS
ADMIN	PATCH	/api/v1/classes/{id}	/api/v1/classes/$CLASS2	{"title":"sqlmap","summary":"s","capacity":0,"min_hours":0}
ADMIN	POST	/api/v1/classes/{id}/assign	/api/v1/classes/$CLASS2/assign	{"org_id":$ORG}
MEMBER	POST	/api/v1/classes/{id}/join	/api/v1/classes/$CLASS/join
ADMIN	POST	/api/v1/classes/{id}/cover	/api/v1/classes/$CLASS/cover	@image/png:not-a-png
MEMBER	GET	/classes/{id}/cover	/classes/$CLASS/cover
MEMBER	GET	/classes/{id}	/classes/$CLASS
ADMIN	GET	/api/v1/classes/{id}/roster	/api/v1/classes/$CLASS2/roster?org_id=$ORG&status=completed&q=zhang&format=json
ADMIN	GET	/api/v1/classes/{id}/certificates.zip	/api/v1/classes/$CLASS2/certificates.zip?org_id=$ORG&status=completed&q=zhang
ADMIN	GET	/classes/{id}/roster	/classes/$CLASS2/roster?org_id=$ORG&status=completed&q=zhang
LISI	POST	/api/v1/me/certificates	/api/v1/me/certificates	{"year":$YEAR,"title":"t"}
ADMIN	GET	/api/v1/certificates	/api/v1/certificates?user_id=$LISI_ID&class_id=$CLASS2
LISI	GET	/api/v1/certificates/{code}.pdf	/api/v1/certificates/$CERT.pdf
ADMIN	POST	/api/v1/certificates/{code}/revoke	/api/v1/certificates/$CERTREV/revoke	{"reason":"sqlmap"}
NONE	GET	/api/v1/verify/{code}	/api/v1/verify/$CERT
NONE	GET	/verify/{code}	/verify/$CERT
T
}

role_bit() {
	case $1 in MEMBER | LISI | PWUSER) echo 1 ;; TEACH) echo 2 ;; ASSESS) echo 4 ;; ADMIN) echo 8 ;; *) echo 0 ;; esac
}

# A placeholder environment for the coverage check (the real fixtures come after the server starts).
fixture_names="SID ORG ORGDEL ORGPATCH ORGREQ VICTIM DIGEST COURSE COURSE2 SPARE IMAGE ATT ATTDEL ASSIGN YEAR TOMORROW
LECTURE LECTURE2 REV2 SPARELEC UID_ MEDIA PLAY QUESTION QUESTION2 QUESTIONDEL QUIZ ATTEMPT ATTEMPT2 AQ CLASS
CLASS2 LISI_ID CERT CERTREV C2AT L2AT ORGV VICV QUIZ2 PWUSER"
for v in $fixture_names; do eval "$v=1"; done
targets_file >"$PROOF_TMP/targets.check"

# The source of each route's handler, for the "no parameters" check.
src_files=$(ls server/*.c courses/*.c quiz/*.c scoring/*.c classes/*.c attach/*.c)
handler_reads() { # handler_reads METHOD PATTERN: prints what the handler reads, nothing when it reads nothing
	fn=$(cat $src_files | tr '\n' ' ' | grep -oE "\{ *\.method = \"$1\", *\.pattern = \"$2\", *\.fn = [a-z_0-9]+" |
		sed 's/.*\.fn = //' | head -1)
	[ -n "$fn" ] || { echo "no handler found"; return; }
	for f in $src_files; do
		awk -v fn="$fn" '$0 ~ "^(static )?int " fn "\\(req \\*r\\)$" {on = 1} on {print} on && /^}/ {exit}' "$f"
	done | grep -oE 'req_arg\(r, "[a-z_]+"|req_page\(|body_(str|int|num|bool)\(r, "[a-z_]+"|r->body' | sort -u | tr '\n' ' '
}

fail_cov=0; ntested=0; nskipped=0; nparam=0
while IFS="$(printf '\t')" read -r method pattern mask; do
	if awk -F'\t' -v m="$method" -v p="$pattern" '$2 == m && $3 == p {f = 1} END {exit !f}' "$PROOF_TMP/targets.check"; then
		ntested=$((ntested + 1)); nparam=$((nparam + 1))
		awk -F'\t' -v m="$method" -v p="$pattern" '$2 == m && $3 == p {print $1}' "$PROOF_TMP/targets.check" |
			while read -r who; do
				bit=$(role_bit "$who")
				if { [ "$mask" = 0 ] && [ "$bit" != 0 ]; } || { [ "$mask" != 0 ] && [ $((mask & bit)) = 0 ]; }; then
					echo "proof sqlmap: $method $pattern is run as $who, a role the route does not allow (roles $mask)"
					echo bad >>"$PROOF_TMP/cov.bad"
				fi
			done
		# Every query argument and JSON field the handler itself reads is in the target.
		awk -F'\t' -v m="$method" -v p="$pattern" '$2 == m && $3 == p {print $4 "\t" $5}' "$PROOF_TMP/targets.check" >"$PROOF_TMP/t1"
		for a in $(handler_reads "$method" "$pattern" | grep -oE '(req_arg|body_[a-z]+)\(r, "[a-z_]+"' | tr -d ' '); do
			name=${a#*\"}; name=${name%\"}
			case $a in
			req_arg*) grep -qE "[?&]$name=" "$PROOF_TMP/t1" ;;
			*) grep -q "\"$name\":" "$PROOF_TMP/t1" ;;
			esac || { echo "proof sqlmap: the target of $method $pattern lacks \"$name\", which its handler reads"; echo bad >>"$PROOF_TMP/cov.bad"; }
		done
		continue
	fi
	reason=$(awk -F'\t' -v m="$method" -v p="$pattern" '$1 == m && $2 == p {print $3}' "$PROOF_TMP/skips")
	if [ -z "$reason" ]; then
		echo "proof sqlmap: route $method $pattern is neither a target nor skipped with a reason"
		fail_cov=1; continue
	fi
	nskipped=$((nskipped + 1))
	case $reason in "no parameters"*)
		why=
		case $pattern in *"{"* | *"*"*) why="its pattern has a path parameter" ;; esac
		if grep -v '^#' server/authz.tsv | awk -F'\t' -v m="$method" -v p="$pattern" \
			'$1 == m && $2 == p && ($4 != "-" || $3 ~ /\?/) {f = 1} END {exit !f}'; then
			why="${why:+$why; }an authz.tsv row sends a query or a body"
		fi
		reads=$(handler_reads "$method" "$pattern")
		[ -n "$reads" ] && why="${why:+$why; }its handler reads: $reads"
		if [ -n "$why" ]; then
			echo "proof sqlmap: $method $pattern is skipped as \"no parameters\" but $why"
			fail_cov=1
		fi
		;;
	*) nparam=$((nparam + 1)) ;;
	esac
done <"$PROOF_TMP/routes"
awk -F'\t' '{print $1 "\t" $2}' "$PROOF_TMP/skips" | while IFS="$(printf '\t')" read -r m p; do
	awk -F'\t' -v m="$m" -v p="$p" '$1 == m && $2 == p {f = 1} END {exit !f}' "$PROOF_TMP/routes" || { echo "proof sqlmap: skipped route $m $p is not in the route table"; echo bad >>"$PROOF_TMP/cov.bad"; }
done
awk -F'\t' '{print $2 "\t" $3}' "$PROOF_TMP/targets.check" | sort | uniq -d | sed 's/^/proof sqlmap: twice a target: /'
awk -F'\t' '{print $2 "\t" $3}' "$PROOF_TMP/targets.check" | while IFS="$(printf '\t')" read -r m p; do
	awk -F'\t' -v m="$m" -v p="$p" '$1 == m && $2 == p {f = 1} END {exit !f}' "$PROOF_TMP/routes" || { echo "proof sqlmap: target $m $p is not in the route table"; echo bad >>"$PROOF_TMP/cov.bad"; }
done
[ -f "$PROOF_TMP/cov.bad" ] && fail_cov=1
nroutes=$(wc -l <"$PROOF_TMP/routes")
echo "proof sqlmap: $nroutes routes (the route table = server/authz.tsv): $ntested run through sqlmap, $nskipped skipped ($((nskipped - (nparam - ntested))) without parameters, $((nparam - ntested)) with a reason)"
[ $fail_cov = 0 ] || { echo "proof sqlmap: FAIL: the route coverage is incomplete"; exit 1; }
[ "${SQLMAP_CHECK_ONLY:-0}" = 1 ] && exit 0

# ---- the demo academy and its fixtures ----
proof_need sqlmap sqlmap
# The login throttle would answer 429 to most of sqlmap's guesses at POST /session; raise it so the
# payloads reach the code. No per-address cap: sqlmap runs several threads.
proof_serve --set login_free_tries=1000 --set login_addr_free_tries=100000 --set per_ip_conns=0
B=$PROOF_BASE
ADMIN=$(proof_login admin)
TEACH=$(proof_login teacher)
ASSESS=$(proof_login assessor)
MEMBER=$(proof_login zhangsan)
LISI=$(proof_login lisi)
SECOND=$(proof_login zhangsan) # a second session of zhangsan's, for DELETE /api/v1/me/sessions/{sid}
api() { # api TOKEN METHOD PATH [BODY]
	if [ $# -gt 3 ]; then
		curl -sS -X "$2" -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$4" "$B$3"
	else
		curl -sS -X "$2" -H "Authorization: Bearer $1" "$B$3"
	fi
}
YEAR=$(date -u +%Y)
TOMORROW=$(date -u -d tomorrow +%Y-%m-%d)
ORG=$(api "$ADMIN" GET /api/v1/orgs | jq -r '.orgs[] | select(.name == "机关第一支部") | .id')
ORGDEL=$(api "$ADMIN" POST /api/v1/orgs "{\"name\":\"sqlmap-spare\",\"parent_id\":$ORG}" | jq -r .id)
ORGPATCH=$(api "$ADMIN" POST /api/v1/orgs "{\"name\":\"sqlmap-patch\",\"parent_id\":$ORG}" | jq -r .id)
ORGREQ=$(api "$ADMIN" POST /api/v1/orgs "{\"name\":\"sqlmap-req\",\"parent_id\":$ORG}" | jq -r .id)
api "$ADMIN" PUT /api/v1/requirements "{\"org_id\":$ORGREQ,\"year\":$YEAR,\"total_hours\":10,\"required_hours\":0}" >/dev/null
VICTIM=$(api "$ADMIN" POST /api/v1/users "{\"username\":\"sqlmapvictim\",\"name\":\"v\",\"password\":\"sqlmap-pass-1\",\"role\":\"member\",\"org_id\":$ORG}" | jq -r .id)
api "$ADMIN" POST /api/v1/users "{\"username\":\"sqlmappw\",\"name\":\"p\",\"password\":\"sqlmap-pass-1\",\"role\":\"member\",\"org_id\":$ORG}" >/dev/null
PWUSER=$(curl -sS -H 'Content-Type: application/json' -d '{"username":"sqlmappw","password":"sqlmap-pass-1"}' \
	"$B/api/v1/session" | jq -r '.token // empty')
LISI_ID=$(api "$ADMIN" GET '/api/v1/users?q=lisi' | jq -r '.users[0].id')
DIGEST=$(printf 'x%.0s' $(seq 64))
COURSE=$(api "$ADMIN" GET '/api/v1/courses?per_page=50' | jq -r '[.courses[].id] | min')
COURSE2=$(api "$ADMIN" GET '/api/v1/courses?per_page=50' | jq -r '[.courses[].id] | max')
SPARE=$(api "$TEACH" POST /api/v1/courses '{"title":"sqlmap spare","category":"政治理论","credit_hours":1}' | jq -r .id)
IMAGE=$(sqlite3 "$PROOF_TMP/data/dangxiao.db" 'SELECT min(id) FROM course_images' 2>/dev/null)
[ -n "$IMAGE" ] || IMAGE=1
attach() { curl -sS -X POST -H "Authorization: Bearer $TEACH" -H 'Content-Type: application/pdf' \
	--data-binary '%PDF-1.4
%%EOF
' "$B/api/v1/courses/$COURSE2/attachments?name=$1" | jq -r .id; }
ATT=$(attach sqlmap-a.pdf)
ATTDEL=$(attach sqlmap-b.pdf)
ASSIGN=$(api "$ADMIN" POST /api/v1/assignments "{\"course_id\":$COURSE2,\"org_id\":$ORG,\"year\":$YEAR}" | jq -r .id)
api "$MEMBER" POST "/api/v1/courses/$COURSE/enroll" >/dev/null
api "$LISI" POST "/api/v1/courses/$COURSE/enroll" >/dev/null
LECTURE2=$(api "$TEACH" POST "/api/v1/courses/$COURSE2/lectures" '{"title":"sqlmap lecture"}' | jq -r .id)
REV2=$(api "$TEACH" GET "/api/v1/lectures/$LECTURE2" | jq -r '.revision // 1')
L2AT=$(api "$TEACH" GET "/api/v1/lectures/$LECTURE2" | jq -r '.updated_at')
C2AT=$(api "$TEACH" GET "/api/v1/courses/$COURSE2" | jq -r '.updated_at')
ORGV=$(api "$ADMIN" GET /api/v1/orgs | jq -r ".orgs[] | select(.id == $ORGPATCH) | .version")
VICV=$(api "$ADMIN" GET "/api/v1/users/$VICTIM" | jq -r '.version // .user.version')
SPARELEC=$(api "$TEACH" POST "/api/v1/courses/$COURSE2/lectures" '{"title":"sqlmap spare lecture"}' | jq -r .id)
# A lecture with a stream (the demo lecture, transcoded after the server's first start).
MEDIA=$(proof_wait_media "$ADMIN")
LECTURE=${MEDIA:-$(api "$ADMIN" GET "/api/v1/courses/$COURSE" | jq -r '.lectures[0].id')}
MEDIA=${MEDIA:-$LECTURE}
PLAY=$(api "$MEMBER" POST "/api/v1/lectures/$LECTURE/play" | jq -r '.session // 1')
UID_=$(curl -sS -D - -o /dev/null -X POST -H "Authorization: Bearer $TEACH" -H 'Tus-Resumable: 1.0.0' -H 'Upload-Length: 1000' \
	-H "Upload-Metadata: lecture_id $(printf %s "$LECTURE2" | base64)" "$B/api/v1/uploads" |
	tr -d '\r' | sed -n 's|^[Ll]ocation: .*/api/v1/uploads/||p')
[ -n "$UID_" ] || UID_=0123456789abcdef0123456789abcdef
QUIZ=$(api "$MEMBER" GET "/api/v1/courses/$COURSE/quiz" | jq -r '.id // .quiz.id // empty')
QUESTION=$(api "$TEACH" GET "/api/v1/courses/$COURSE/questions" | jq -r '.questions[0].id')
qpost() { api "$TEACH" POST "/api/v1/courses/$COURSE2/questions" "{\"type\":\"truefalse\",\"stem\":\"sqlmap $1\",\"answer\":[0]}" | jq -r .id; }
QUESTION2=$(qpost 2)
QUESTIONDEL=$(qpost 3)
ATTEMPT=$(api "$MEMBER" POST "/api/v1/quizzes/$QUIZ/attempts" | jq -r .attempt_id)
AQ=$(api "$MEMBER" GET "/api/v1/attempts/$ATTEMPT" | jq -r '(.questions // .items)[0] | (.id // .question_id)')
# A second attempt of zhangsan's (on the other course's exam), for submit: the first stays open.
api "$MEMBER" POST "/api/v1/courses/$COURSE2/enroll" >/dev/null
QUIZ2=$(api "$MEMBER" GET "/api/v1/courses/$COURSE2/quiz" | jq -r '.id // .quiz.id // empty')
ATTEMPT2=$(api "$MEMBER" POST "/api/v1/quizzes/$QUIZ2/attempts" | jq -r .attempt_id)
CLASS=$(api "$ADMIN" GET /api/v1/classes | jq -r '[.classes[] | select(.mode == "open")][0].id')
CLASS2=$(api "$ADMIN" GET /api/v1/classes | jq -r '[.classes[] | select(.mode == "assigned")][0].id')
CERT=$(api "$LISI" POST /api/v1/me/certificates "{\"year\":$YEAR}" | jq -r '.code // empty')
# A second certificate to revoke: zhaoliu's (the demo's other member with a year's hours), else lisi's.
ZL=$(proof_login zhaoliu)
CERTREV=$(api "$ZL" POST /api/v1/me/certificates "{\"year\":$YEAR}" | jq -r '.code // empty')
[ -n "$CERTREV" ] || CERTREV=$CERT
SID=$(curl -sS -H "Authorization: Bearer $SECOND" "$B/api/v1/me/sessions" | jq -r '.sessions[] | select(.current) | .id')
echo "proof sqlmap: server $B; fixtures:"
for v in $fixture_names; do eval "printf ' %s=%s' $v \"\$$v\""; done; echo
for v in $fixture_names; do
	eval "val=\$$v"
	case $val in "" | null) echo "proof sqlmap: fixture $v not made"; exit 1 ;; esac
done
targets_file >"$PROOF_TMP/targets"

# mark PATTERN URL [BODY]: prints the URL and the JSON body with '*' after every parameter: the
# path segments the pattern's {…} and * stand for, every query value, every JSON scalar (and
# numeric object keys). A body given as @type:text is printed as it is.
mark() {
	python3 - "$@" <<'PY'
import json, sys
pattern, url = sys.argv[1], sys.argv[2]
body = sys.argv[3] if len(sys.argv) > 3 else ""
path, _, query = url.partition("?")
ps, us = pattern.split("/"), path.split("/")
out = []
for i, u in enumerate(us):
    p = ps[i] if i < len(ps) else "*"
    if p == "*" or (i >= len(ps)):
        out.append(u + ("*" if i == len(us) - 1 else ""))
    elif p.startswith("{") and "}" in p:
        suffix = p[p.index("}") + 1:]
        stem = u[: len(u) - len(suffix)] if suffix and u.endswith(suffix) else u
        out.append(stem + "*" + (suffix if stem != u else ""))
    else:
        out.append(u)
m = "/".join(out)
if query:
    m += "?" + "&".join(kv + "*" for kv in query.split("&"))
def enc(v):
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k + ("*" if k.isdigit() else ""), ensure_ascii=False) + ":" + enc(x)
                              for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(enc(x) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v + "*", ensure_ascii=False)
    return json.dumps(v) + "*"
if body.startswith("@"):
    b = body
elif body:
    b = enc(json.loads(body))
else:
    b = ""
print(m)
print(b)
PY
}

# run_one N PASS WHO METHOD PATTERN URL [BODY]: one sqlmap run; writes its result line to res-N-PASS.
run_one() {
	n=$1; pass=$2; who=$3; method=$4; pattern=$5; url=$6; body=${7:-}
	lvl=${pass%%:*}; rest=${pass#*:}; risk=${rest%%:*}; tech=${rest#*:}
	case $who in ADMIN) tok=$ADMIN ;; TEACH) tok=$TEACH ;; ASSESS) tok=$ASSESS ;; MEMBER) tok=$MEMBER ;; LISI) tok=$LISI ;; PWUSER) tok=$PWUSER ;; *) tok= ;; esac
	marked=$(mark "$pattern" "$url" "$body")
	murl=$(printf '%s\n' "$marked" | sed -n 1p)
	mbody=$(printf '%s\n' "$marked" | sed -n 2p)
	set -- -u "$B$murl" --method "$method" --batch --level "$lvl" --risk "$risk" --dbms SQLite \
		--technique "$tech" --time-sec 2 --threads 4 --timeout 10 --retries 1 \
		--ignore-code 400,401,403,404,405,409,412,413,415,422,429 --flush-session --disable-coloring \
		--output-dir "$PROOF_TMP/sqlmap-$n-$lvl"
	hdrs=
	if [ "$lvl" -ge 3 ] && [ "$method" = GET ] && [ "$who" = MEMBER ]; then
		# The second pass authenticates zhangsan's GETs by cookie (no CSRF needed) and marks it.
		hdrs="Cookie: dx_session=$tok*"
	elif [ -n "$tok" ]; then
		hdrs="Authorization: Bearer $tok"
	fi
	# The headers the server reads as text: User-Agent (stored with a session at login) and, with
	# them, Referer. sqlmap tests only marked places once anything is marked, so mark them.
	[ "$lvl" -ge 3 ] && hdrs="$hdrs\nUser-Agent: Mozilla/5.0 (sqlmap proof)*\nReferer: $B/*"
	hdrs=${hdrs#\\n}
	case $mbody in
	@*)
		ctype=${mbody#@}; ctype=${ctype%%:*}
		hdrs="${hdrs:+$hdrs\\n}Content-Type: $ctype"
		set -- "$@" --data "${mbody#@*:}"
		;;
	?*) set -- "$@" --data "$mbody" ;;
	esac
	[ -n "$hdrs" ] && set -- "$@" --headers "$(printf '%b' "$hdrs")"
	t0=$(date +%s)
	log="$PROOF_TMP/sqlmap-$n-$lvl.log"
	nice -n 19 sqlmap "$@" >"$log" 2>&1
	rc=$?
	dt=$(($(date +%s) - t0))
	# sqlmap reports a candidate as "appears to be … injectable", then checks it: a confirmed one is
	# "parameter 'X' is '…' injectable" and ends in "identified the following injection point(s)";
	# a rejected one is "false positive or unexploitable injection point detected".
	if grep -qiE "is vulnerable|sqlmap identified the following injection|parameter '[^']*' is '.*' injectable" "$log"; then
		res="INJECTABLE"
		grep -iE "injectable|Parameter:|Type:|Payload:" "$log" | sed 's/^/    /' >"$PROOF_TMP/res-$n-$lvl.detail"
	elif grep -qE "all tested parameters do not appear to be injectable" "$log"; then
		res="not injectable"
		fp=$(grep -c "false positive or unexploitable injection point detected" "$log")
		if [ "$fp" -gt 0 ]; then
			res="not injectable ($fp candidate(s) rejected by sqlmap as false positives)"
			grep -E "appears to be .*injectable|false positive" "$log" | tr -d "\r" | sed 's/^/    /' >"$PROOF_TMP/res-$n-$lvl.detail"
		fi
	else
		res="inconclusive (rc $rc)"
		tail -5 "$log" | sed 's/^/    /' >"$PROOF_TMP/res-$n-$lvl.detail"
	fi
	pts=$(grep -cE "testing for SQL injection on .* parameter '" "$log")
	printf '%s\t%s\t%s\n' "$res" "$dt" "  [$who] $method $url${body:+ $body}: $res, $pts point(s), ${dt} s" >"$PROOF_TMP/res-$n-$lvl"
}

nl -ba -s "$(printf '\t')" "$PROOF_TMP/targets" | sed 's/^ *//' >"$PROOF_TMP/targets.n"
JOBS=${SQLMAP_JOBS:-2}
SHARD=${SQLMAP_SHARD:-1/1}
si=${SHARD%/*}; sn=${SHARD#*/}
for pass in ${SQLMAP_PASSES:-2:1:BEU 3:2:BTS}; do
	lvl=${pass%%:*}; rest=${pass#*:}; risk=${rest%%:*}; tech=${rest#*:}
	echo "proof sqlmap: pass --level $lvl --risk $risk --technique $tech (shard $SHARD, $JOBS at a time)"
	tp=$(date +%s)
	w=1; pids=
	while [ $w -le "$JOBS" ]; do
		(
			k=0
			while IFS="$(printf '\t')" read -r n who method pattern url body; do
				[ $(((n - 1) % sn)) = $((si - 1)) ] || continue
				[ -n "${SQLMAP_ONLY:-}" ] && case "$who $method $pattern $url" in *"$SQLMAP_ONLY"*) ;; *) continue ;; esac
				k=$((k + 1))
				[ $(((k - 1) % JOBS)) = $((w - 1)) ] || continue
				run_one "$n" "$pass" "$who" "$method" "$pattern" "$url" "$body"
			done <"$PROOF_TMP/targets.n"
		) &
		pids="$pids $!"
		w=$((w + 1))
	done
	wait $pids # not a bare wait: the server is a child too
	for f in $(ls "$PROOF_TMP"/res-*-"$lvl" 2>/dev/null | sort -t- -k2 -n); do
		cut -f3 "$f"
		[ -f "$f.detail" ] && cat "$f.detail"
	done
	echo "proof sqlmap: pass level $lvl took $(($(date +%s) - tp)) s"
done
total=$(cat "$PROOF_TMP"/res-*[0-9] 2>/dev/null | wc -l)
clean=$(cat "$PROOF_TMP"/res-*[0-9] 2>/dev/null | grep -c '^not injectable' || true)
vuln=$(cat "$PROOF_TMP"/res-*[0-9] 2>/dev/null | grep -c '^INJECTABLE' || true)
s500=$(awk '{print $4}' "$PROOF_TMP/data/access.log" 2>/dev/null | grep -c '^5' || true)
nreq=$(wc -l <"$PROOF_TMP/data/access.log" 2>/dev/null || echo 0)
fps=$(cat "$PROOF_TMP"/res-*[0-9] 2>/dev/null | grep -c 'rejected by sqlmap' || true)
echo "proof sqlmap: $total runs (targets × passes), $clean not injectable ($fps with a candidate sqlmap rejected as a false positive), $vuln injectable, $((total - clean - vuln)) inconclusive; $nreq requests, ${s500} answered 5xx"
kill -0 "$PROOF_PID" 2>/dev/null && echo "proof sqlmap: server alive" || { echo "proof sqlmap: SERVER DIED"; vuln=$((vuln + 1)); }
proof_done sqlmap "$([ "$vuln" = 0 ] && [ "$clean" = "$total" ] && [ "$total" -gt 0 ] && echo PASS || echo FAIL)"
[ "$vuln" = 0 ] && [ "$clean" = "$total" ] && [ "$total" -gt 0 ]
