#!/bin/sh
# tools/deploy/nginx-dangxiao.conf, tested: nginx (Debian nginx-light) with a self-signed
# certificate made by openssl in a temp folder, in front of a demo academy on 127.0.0.1. Checks with
# curl --cacert: http → https redirect, login (Secure cookie), a page, a static file (compressed,
# cached by nginx on the second request), a tus upload chunk streamed through, and a Range request
# on /media. Only the listen addresses, ports, certificate and cache paths of the example are
# changed (sed) for the test.
set -u
cd "$(dirname "$0")/../.."
. tools/proof/lib.sh
proof_need nginx-light nginx
proof_need openssl openssl
proof_serve --set per_ip_conns=0 --set secure_cookie=1 --set trusted_proxy=127.0.0.1
N=$PROOF_TMP/nginx
mkdir -p "$N/cache" "$N/tmp" "$N/logs"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$N/key.pem" -out "$N/cert.pem" >"$N/openssl.log" 2>&1 || { cat "$N/openssl.log"; exit 1; }
TLS=$(proof_port)
PLAIN=$(proof_port)
sed -e "s|127.0.0.1:8080|127.0.0.1:$PROOF_PORT|" \
	-e "s|listen 443 ssl http2;|listen 127.0.0.1:$TLS ssl http2;|" \
	-e "s|listen 80;|listen 127.0.0.1:$PLAIN;|" \
	-e '/listen \[::\]/d' \
	-e "s|academy.example.org|localhost|" \
	-e "s|/etc/ssl/dangxiao/fullchain.pem|$N/cert.pem|" \
	-e "s|/etc/ssl/dangxiao/privkey.pem|$N/key.pem|" \
	-e "s|/var/cache/nginx/dangxiao|$N/cache|" \
	tools/deploy/nginx-dangxiao.conf >"$N/site.conf"
cat >"$N/nginx.conf" <<C
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes 1;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 512; }
http {
	include /etc/nginx/mime.types;
	access_log $N/logs/access.log;
	client_body_temp_path $N/tmp/body;
	proxy_temp_path $N/tmp/proxy;
	fastcgi_temp_path $N/tmp/fastcgi;
	uwsgi_temp_path $N/tmp/uwsgi;
	scgi_temp_path $N/tmp/scgi;
	include $N/site.conf;
}
C
nginx -t -p "$N" -c "$N/nginx.conf" >"$N/t.log" 2>&1 || { cat "$N/t.log"; exit 1; }
nginx -p "$N" -c "$N/nginx.conf" || exit 1
trap 'kill "$(cat "$N/nginx.pid" 2>/dev/null)" 2>/dev/null; proof_cleanup' EXIT INT TERM
sleep 0.3
H="https://localhost:$TLS"
C="curl -sS --cacert $N/cert.pem --max-time 20"
pass=0; fail=0
check() { # check NAME CONDITION-RESULT(0/1) DETAIL
	if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "  ok   $1 — $3"; else fail=$((fail + 1)); echo "  FAIL $1 — $3"; fi
}
hdr() { tr -d '\r' <"$1" | sed -n "s/^$2: //Ip" | tail -1; }

# 1. plain http is redirected
code=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$PLAIN/login")
case $code in "301 https://"*) r=0 ;; *) r=1 ;; esac
check "http → https" $r "$code"

# 2. login over TLS: token, Secure HttpOnly cookie
$C -D "$N/h1" -o "$N/b1" -H 'Content-Type: application/json' \
	-d '{"username":"admin","password":"dangxiao2026"}' "$H/api/v1/session"
TOKEN=$(jq -r .token "$N/b1" 2>/dev/null)
cookie=$(hdr "$N/h1" set-cookie)
case $cookie in *Secure*HttpOnly*|*HttpOnly*Secure*) r=0 ;; *) r=1 ;; esac
[ -n "$TOKEN" ] && [ "$TOKEN" != null ] || r=1
check "login" $r "$(head -1 "$N/h1" | tr -d '\r'), cookie: $(echo "$cookie" | sed 's/=[0-9a-f]\{20,\}/=…/')"

# 3. a page with the cookie: 200 HTML, CSP and HSTS
code=$($C -D "$N/h2" -o "$N/b2" -w '%{http_code} %{http_version}' -b "dx_session=$TOKEN" "$H/")
r=1; [ "${code%% *}" = 200 ] && grep -q '<html' "$N/b2" && [ -n "$(hdr "$N/h2" content-security-policy)" ] &&
	[ -n "$(hdr "$N/h2" strict-transport-security)" ] && r=0
check "page /" $r "HTTP/${code#* } ${code%% *}, $(wc -c <"$N/b2") bytes, CSP and HSTS present: $([ $r = 0 ] && echo yes || echo no)"

# 4. a static file twice: gzip from dangxiao, the second from nginx's cache
for i in 1 2; do
	$C -D "$N/h3" -o "$N/b3" -H 'Accept-Encoding: gzip' "$H/static/css/app.css"
done
enc=$(hdr "$N/h3" content-encoding); cs=$(hdr "$N/h3" x-cache-status); cc=$(hdr "$N/h3" cache-control)
r=1; head -1 "$N/h3" | grep -q ' 200' && [ "$enc" = gzip ] && [ "$cs" = HIT ] && gzip -t <"$N/b3" && r=0
check "static /static/css/app.css" $r "$(head -1 "$N/h3" | tr -d '\r'), Content-Encoding $enc, X-Cache-Status $cs (second request), Cache-Control $cc"

# 5. a tus upload: create, then a 600-byte PATCH streamed through (proxy_request_buffering off)
LECT=$($C -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"title":"nginx"}' \
	"$H/api/v1/courses/1/lectures" | jq -r .id)
$C -D "$N/h4" -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" -H 'Tus-Resumable: 1.0.0' \
	-H 'Upload-Length: 100000' -H "Upload-Metadata: lecture_id $(printf %s "$LECT" | base64)" "$H/api/v1/uploads"
loc=$(hdr "$N/h4" location)
head -c 600 /dev/urandom >"$N/chunk"
case $loc in http*) url=$loc ;; *) url=$H$loc ;; esac
code=$($C -o /dev/null -w '%{http_code}' -D "$N/h5" -X PATCH -H "Authorization: Bearer $TOKEN" \
	-H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' -H 'Content-Type: application/offset+octet-stream' \
	--data-binary "@$N/chunk" "$url")
off=$(hdr "$N/h5" upload-offset)
r=1; [ "$code" = 204 ] && [ "$off" = 600 ] && r=0
check "tus PATCH" $r "POST → $(head -1 "$N/h4" | tr -d '\r') $loc, PATCH 600 bytes → $code, Upload-Offset $off"

# 6. Range on /media: the demo lecture's first segment, bytes 0-187 (one TS packet)
# The demo lecture is transcoded by the server after its first start: wait for it.
t0=$(date +%s)
MEDIA=$(proof_wait_media "$TOKEN")
i=$(( $(date +%s) - t0 ))
echo "  (the demo lecture's stream was ready after ${i} s of polling)"
if [ -n "$MEDIA" ]; then
	var=$($C -b "dx_session=$TOKEN" "$H/media/$MEDIA/master.m3u8" | grep -v '^#' | grep m3u8 | head -1)
	seg=$($C -b "dx_session=$TOKEN" "$H/media/$MEDIA/$var" | grep -v '^#' | grep . | head -1)
	dir=$(dirname "${var%%\?*}")
	code=$($C -D "$N/h6" -o "$N/b6" -w '%{http_code}' -b "dx_session=$TOKEN" -H 'Range: bytes=0-187' "$H/media/$MEDIA/$dir/$seg")
	cr=$(hdr "$N/h6" content-range); ct=$(hdr "$N/h6" content-type)
	first=$(od -An -tx1 -N1 "$N/b6" | tr -d ' ')
	r=1; [ "$code" = 206 ] && [ "$(wc -c <"$N/b6")" = 188 ] && [ "$first" = 47 ] && r=0
	check "Range on /media" $r "GET /media/$MEDIA/$dir/$seg bytes=0-187 → $code, Content-Range $cr, $ct, $(wc -c <"$N/b6") bytes, first byte 0x$first"
	code=$($C -o /dev/null -w '%{http_code}' "$H/media/$MEDIA/master.m3u8")
	r=1; [ "$code" = 401 ] && r=0
	check "/media without a session" $r "$code"
else
	check "Range on /media" 1 "no lecture with a stream in the demo academy"
fi
# 7. the login throttle counts nginx's X-Real-IP: 20 wrong passwords from 127.0.0.3 slow that
#    address only; a login from 127.0.0.1 through the same nginx still works
for i in $(seq 1 20); do
	$C -o /dev/null --interface 127.0.0.3 -H 'Content-Type: application/json' \
		-d "{\"username\":\"ghost$i\",\"password\":\"wrong\"}" "$H/api/v1/session"
done
g=$($C -o /dev/null -w '%{http_code}' --interface 127.0.0.3 -H 'Content-Type: application/json' \
	-d '{"username":"admin","password":"dangxiao2026"}' "$H/api/v1/session")
o=$($C -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-d '{"username":"admin","password":"dangxiao2026"}' "$H/api/v1/session")
r=1; [ "$g" = 429 ] && [ "$o" = 200 ] && r=0
check "login throttle per client behind nginx" $r "after 20 wrong passwords from 127.0.0.3: its login $g, a login from 127.0.0.1 $o"
grep -E '\[(emerg|alert|crit|error)\]' "$N/logs/error.log" | head -5
echo "proof nginx: $pass passed, $fail failed ($(nginx -v 2>&1 | sed 's/.*: //'), TLS on 127.0.0.1:$TLS → dangxiao on 127.0.0.1:$PROOF_PORT)"
proof_done nginx "$([ $fail = 0 ] && echo PASS || echo FAIL)"
[ $fail = 0 ]
