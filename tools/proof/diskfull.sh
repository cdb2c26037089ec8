#!/bin/sh
# The data folder's disk fills up (a DISK_MB tmpfs, default 96, mounted as the data folder; root)
# while members post heartbeats, a lecture transcodes and an instructor uploads. Then the space comes
# back. What must hold (each a FAIL otherwise):
#   - the server stays up: /api/v1/health answers 200 every second throughout;
#   - uploads on the full disk are refused with 507 disk_full (a PUT and a tus PATCH), nothing else;
#   - heartbeats on the full disk are answered 200 (the WAL reuses its pages) or 507 disk_full (the
#     batch's COMMIT failed: nothing of it stored), and after the space is back they are 200 again;
#   - nothing acknowledged is lost: after a restart every member's lecture_study_s in the database is
#     at least the largest one a 200 answer told them (the client records every answer);
#   - the transcode that hit the full disk ends with a stated reason or, retried, ready; after the
#     space is back a new upload transcodes to ready.
# Phases (real time, heartbeats paced 5.5 s per member): FULL_S seconds full (default 25).
# Results: docs/operations.md "Faults". Duration about 90 s.
set -u
cd "$(dirname "$0")/../.."
. tools/proof/lib.sh
[ "$(id -u)" = 0 ] || { echo "proof diskfull: needs root (mounts a tmpfs)"; exit 1; }
DISK_MB=${DISK_MB:-96}
FULL_S=${FULL_S:-25}
N=${DISK_MEMBERS:-40}
D=$PROOF_TMP/data
mkdir -p "$D"
mount -t tmpfs -o size=${DISK_MB}m tmpfs "$D" || { echo "proof diskfull: cannot mount a tmpfs"; exit 1; }
disk_cleanup() {
	[ -n "${HB_PID:-}" ] && kill "$HB_PID" 2>/dev/null
	proof_stop
	umount "$D" 2>/dev/null || umount -l "$D"
	proof_cleanup
}
trap disk_cleanup EXIT INT TERM
fail=0
check() { # check OK-EXPR MESSAGE
	if [ "$1" = 1 ]; then echo "  ok   $2"; else echo "  FAIL $2"; fail=1; fi
}

bin/dangxiao seed --data "$D" >"$PROOF_TMP/seed.log" 2>&1 || { cat "$PROOF_TMP/seed.log"; exit 1; }
# Members with sessions whose tokens we know, a ready 20,000 s lecture, enrolments (bench/heartbeat.sh).
LECTURE=$(python3 bench/gen_members.py "$D/dangxiao.db" "$N" "$PROOF_TMP/tokens" full 磁盘 磁盘满测试课 磁盘满测试讲 20000 --published-at)
# The demo lecture's transcode (queued by seed) is not part of this proof: cancelled, so the worker
# is free for the lecture below.
sqlite3 "$D/dangxiao.db" "UPDATE jobs SET state='cancelled' WHERE state IN ('queued','running');
	UPDATE lectures SET status='empty' WHERE status IN ('queued','transcoding')"
proof_serve --workers 1
T=$(proof_login teacher)
echo "proof diskfull: ${DISK_MB} MB tmpfs data folder, $N members, lecture $LECTURE, server pid $PROOF_PID"

# Clips: one to transcode while the disk fills, one after.
ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=25:duration=20 \
	-f lavfi -i sine=frequency=440:duration=20 -c:v libx264 -preset ultrafast -b:v 3000k -pix_fmt yuv420p \
	-c:a aac "$PROOF_TMP/clip.mp4"
head -c 30000000 /dev/urandom >"$PROOF_TMP/big.bin"

# The heartbeat client: one thread per 10 members, each member paced 5.5 s; every answer is a line
# "unix_time uid status lecture_study_s" in hb.log; it ends when PROOF_TMP/stop exists.
python3 - "$PROOF_PORT" "$LECTURE" "$PROOF_TMP/tokens" "$PROOF_TMP/hb.log" "$PROOF_TMP/stop" <<'PY' &
import sys, json, http.client, threading, time, os
port, lecture, tokf, logf, stopf = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
members = [l.split() for l in open(tokf)]
lock = threading.Lock()
log = open(logf, "w", buffering=1)
def conn():
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)
def req(c, method, path, tok, body=None):
    h = {"Authorization": "Bearer " + tok}
    if body is not None:
        h["Content-Type"] = "application/json"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    return r.status, r.read()
def work(part):
    c = conn()
    sess, pos = {}, {}
    for tok, uid in part:
        st, b = req(c, "POST", f"/api/v1/lectures/{lecture}/play", tok)
        sess[uid] = json.loads(b)["session"] if st == 201 else 0
        pos[uid] = 0.0
    last = time.time()
    while not os.path.exists(stopf):
        wait = last + 5.5 - time.time()
        if wait > 0:
            time.sleep(wait)
        step = time.time() - last
        last = time.time()
        for tok, uid in part:
            pos[uid] += step
            body = json.dumps({"session": sess[uid], "position": round(pos[uid], 3), "playing": True, "rate": 1})
            try:
                st, b = req(c, "POST", f"/api/v1/lectures/{lecture}/heartbeat", tok, body)
                j = json.loads(b) if b[:1] == b"{" else {}
                s = j.get("lecture_study_s", -1) if st == 200 else -1
                code = j.get("error", {}).get("code", "") if st != 200 else ""
            except Exception as e:
                st, s, code = 0, -1, type(e).__name__
                c.close(); c = conn()
            with lock:
                log.write(f"{time.time():.3f} {uid} {st} {s} {code}\n")
ths = [threading.Thread(target=work, args=(members[i:i + 10],)) for i in range(0, len(members), 10)]
for t in ths: t.start()
for t in ths: t.join()
PY
HB_PID=$!

# health every second, in the background: "unix_time status"
( while [ ! -f "$PROOF_TMP/stop" ]; do
	printf '%s %s\n' "$(date +%s)" "$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$PROOF_BASE/api/v1/health")"
	sleep 1
done ) >"$PROOF_TMP/health.log" &

new_lecture() {
	curl -fsS -H "Authorization: Bearer $T" -H 'Content-Type: application/json' -d "{\"title\":\"$1\"}" \
		"$PROOF_BASE/api/v1/courses/1/lectures" | jq -r .id
}
lecture_state() {
	curl -fsS -H "Authorization: Bearer $T" "$PROOF_BASE/api/v1/lectures/$1" | jq -r '.status + " " + (.error // "")'
}
sleep 8
L1=$(new_lecture '磁盘满时转码')
st=$(curl -s -o "$PROOF_TMP/put1.json" -w '%{http_code}' -T "$PROOF_TMP/clip.mp4" -H "Authorization: Bearer $T" \
	"$PROOF_BASE/api/v1/lectures/$L1/source")
check "$([ "$st" = 202 ] && echo 1)" "upload before the disk fills: $st"
# wait until the transcode runs, then fill the disk
for i in $(seq 100); do lecture_state "$L1" | grep -q '^transcoding' && break; sleep 0.2; done
echo "  lecture $L1: $(lecture_state "$L1") — filling the disk"
FULL_T0=$(date +%s)
dd if=/dev/zero of="$D/filler" bs=1M 2>/dev/null
df -h "$D" | tail -1 | sed 's/^/  disk: /'
# Uploads on the full disk.
L2=$(new_lecture '磁盘满时上传')
st=$(curl -s -o "$PROOF_TMP/put2.json" -w '%{http_code}' -T "$PROOF_TMP/big.bin" -H "Authorization: Bearer $T" \
	-H 'Content-Type: video/mp4' "$PROOF_BASE/api/v1/lectures/$L2/source")
echo "  PUT on the full disk: $st $(cat "$PROOF_TMP/put2.json")"
check "$([ "$st" = 507 ] && grep -q disk_full "$PROOF_TMP/put2.json" && echo 1)" "PUT refused with 507 disk_full"
SIZE=$(stat -c %s "$PROOF_TMP/big.bin")
B64=$(printf %s "$L2" | base64)
loc=$(curl -s -D - -o /dev/null -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $SIZE" \
	-H "Upload-Metadata: lecture_id $B64,filename YmlnLm1wNA==" -H "Authorization: Bearer $T" \
	"$PROOF_BASE/api/v1/uploads" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
if [ -n "$loc" ]; then
	st=$(curl -s -o "$PROOF_TMP/tus.json" -w '%{http_code}' -X PATCH -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \
		-H 'Content-Type: application/offset+octet-stream' -H "Authorization: Bearer $T" --data-binary @"$PROOF_TMP/big.bin" \
		"$PROOF_BASE$loc")
	echo "  tus PATCH on the full disk: $st $(cat "$PROOF_TMP/tus.json")"
	check "$([ "$st" = 507 ] && echo 1)" "tus PATCH refused with 507"
else
	st=$(curl -s -o "$PROOF_TMP/tus.json" -w '%{http_code}' -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $SIZE" \
		-H "Upload-Metadata: lecture_id $B64,filename YmlnLm1wNA==" -H "Authorization: Bearer $T" "$PROOF_BASE/api/v1/uploads")
	echo "  tus creation on the full disk: $st $(cat "$PROOF_TMP/tus.json")"
	check "$([ "$st" = 507 ] && echo 1)" "tus creation refused with 507"
fi
st=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $T" "$PROOF_BASE/api/v1/courses")
check "$([ "$st" = 200 ] && echo 1)" "the catalog is served on the full disk: $st"
sleep $(( FULL_T0 + FULL_S - $(date +%s) > 0 ? FULL_T0 + FULL_S - $(date +%s) : 0 ))
echo "  lecture $L1 at the end of the full period: $(lecture_state "$L1")"
rm -f "$D/filler"
FREE_T0=$(date +%s)
echo "  space back after $((FREE_T0 - FULL_T0)) s"
# The lecture that hit the full disk: a stated reason, or ready after a retry.
for i in $(seq 150); do s=$(lecture_state "$L1"); case "$s" in ready*|failed*) break;; esac; sleep 1; done
echo "  lecture $L1 after: $s"
check "$(case "$s" in ready*) echo 1;; failed\ ?*) echo 1;; esac)" "the transcode that hit the full disk: ready or failed with a reason"
L3=$(new_lecture '空间恢复后上传')
st=$(curl -s -o /dev/null -w '%{http_code}' -T "$PROOF_TMP/clip.mp4" -H "Authorization: Bearer $T" "$PROOF_BASE/api/v1/lectures/$L3/source")
for i in $(seq 150); do s=$(lecture_state "$L3"); case "$s" in ready*|failed*) break;; esac; sleep 1; done
check "$([ "$st" = 202 ] && case "$s" in ready*) echo 1;; esac)" "an upload after the space is back transcodes: $st, $s"
sleep 12
touch "$PROOF_TMP/stop"
wait "$HB_PID" 2>/dev/null
HB_PID=
sleep 1

# Heartbeats per phase: status counts.
awk -v a="$FULL_T0" -v b="$FREE_T0" '{ ph = ($1 < a) ? "before" : ($1 < b) ? "full" : "after"; k = ph " " $3 ($5 != "" ? " " $5 : ""); n[k]++ }
	END { for (k in n) print "  heartbeats " k ": " n[k] }' "$PROOF_TMP/hb.log" | sort
bad=$(awk '$3 == 0' "$PROOF_TMP/hb.log" | wc -l)
check "$([ "$bad" = 0 ] && echo 1)" "every heartbeat got an HTTP answer ($bad without)"
full_other=$(awk -v a="$FULL_T0" -v b="$FREE_T0" '$1 >= a && $1 < b && $3 != 200 && !($3 == 507 && $5 == "disk_full")' "$PROOF_TMP/hb.log" | wc -l)
check "$([ "$full_other" = 0 ] && echo 1)" "on the full disk a heartbeat is 200 or 507 disk_full ($full_other otherwise)"
after_ok=$(awk -v b="$FREE_T0" '$1 >= b + 6 && $3 == 200' "$PROOF_TMP/hb.log" | wc -l)
after_bad=$(awk -v b="$FREE_T0" '$1 >= b + 6 && $3 != 200' "$PROOF_TMP/hb.log" | wc -l)
check "$([ "$after_ok" -gt 0 ] && [ "$after_bad" = 0 ] && echo 1)" "after the space is back heartbeats are 200 ($after_ok, $after_bad not)"
down=$(awk '$2 != 200' "$PROOF_TMP/health.log" | wc -l)
check "$([ "$down" = 0 ] && kill -0 "$PROOF_PID" 2>/dev/null && echo 1)" "the server stayed up: $(wc -l <"$PROOF_TMP/health.log") health checks, $down not 200"
# Restart, then compare every member's acknowledgements with the database.
proof_stop
lost=$(python3 - "$D/dangxiao.db" "$LECTURE" "$PROOF_TMP/hb.log" <<'PY'
import sqlite3, sys
db, lecture, logf = sys.argv[1], int(sys.argv[2]), sys.argv[3]
acked = {}
for l in open(logf):
    t, uid, st, s = l.split()[:4]
    if st == "200":
        acked[int(uid)] = max(acked.get(int(uid), 0), float(s))
c = sqlite3.connect(db)
lost = 0
for uid, s in acked.items():
    r = c.execute("SELECT study_s FROM lecture_progress WHERE user_id=? AND lecture_id=?", (uid, lecture)).fetchone()
    if r is None or r[0] + 0.01 < s:
        lost += 1
        print(f"member {uid}: acknowledged {s}, database {r}", file=sys.stderr)
print(lost)
PY
)
proof_serve --workers 0
st=$(curl -s -o /dev/null -w '%{http_code}' "$PROOF_BASE/api/v1/health")
check "$([ "$lost" = 0 ] && [ "$st" = 200 ] && echo 1)" "nothing acknowledged lost ($lost members behind), restart $st"
grep -iE 'no space|disk|full|ENOSPC' "$PROOF_TMP/server.log" | head -5 | sed 's/^/  server log: /'
proof_done diskfull "$([ $fail = 0 ] && echo PASS || echo FAIL)"
exit $fail
