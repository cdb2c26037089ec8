# lib.sh — shared by tools/proof/*.sh: a throw-away demo academy served on a free loopback port.
#   . tools/proof/lib.sh
#   proof_serve [--set key=value ...]   seeds PROOF_TMP/data, starts bin/dangxiao, sets PROOF_BASE, PROOF_PID
#   proof_login USER                    prints a Bearer token
#   proof_need PKG CMD                  installs the Debian package PKG when CMD is missing (root only)
# Traffic goes to 127.0.0.1 only. The server is stopped and the temp folder removed on exit
# (PROOF_KEEP=1 keeps the folder).
PROOF_T0=$(date +%s)
PROOF_TMP=$(mktemp -d /tmp/dx-proof.XXXXXX)
PROOF_PID=
proof_cleanup() {
	[ -n "$PROOF_PID" ] && kill "$PROOF_PID" 2>/dev/null && wait "$PROOF_PID" 2>/dev/null
	[ "${PROOF_KEEP:-0}" = 1 ] || rm -rf "$PROOF_TMP"
}
trap proof_cleanup EXIT INT TERM

proof_need() {
	command -v "$2" >/dev/null 2>&1 && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "proof: needs the Debian package $1: apt-get install -y $1" >&2
		exit 1
	fi
	echo "proof: installing $1"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "$1" >/dev/null ||
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			-o DPkg::Lock::Timeout=300 "$1" >/dev/null; } || exit 1
}

proof_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

proof_serve() {
	[ -x bin/dangxiao ] || { echo "proof: build first (make all)" >&2; exit 1; }
	if [ ! -f "$PROOF_TMP/data/dangxiao.db" ]; then
		bin/dangxiao seed --data "$PROOF_TMP/data" >"$PROOF_TMP/seed.log" 2>&1 ||
			{ cat "$PROOF_TMP/seed.log"; exit 1; }
	fi
	PROOF_PORT=$(proof_port)
	PROOF_BASE="http://127.0.0.1:$PROOF_PORT"
	bin/dangxiao serve --data "$PROOF_TMP/data" --listen "127.0.0.1:$PROOF_PORT" "$@" \
		>"$PROOF_TMP/server.log" 2>&1 &
	PROOF_PID=$!
	i=0
	until curl -fsS -o /dev/null "$PROOF_BASE/api/v1/health" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 200 ] || ! kill -0 "$PROOF_PID" 2>/dev/null; then
			echo "proof: the server did not start" >&2; cat "$PROOF_TMP/server.log" >&2; exit 1
		fi
		sleep 0.05
	done
}

proof_stop() {
	[ -n "$PROOF_PID" ] && kill "$PROOF_PID" 2>/dev/null && wait "$PROOF_PID" 2>/dev/null
	PROOF_PID=
}

proof_login() {
	curl -fsS -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"dangxiao2026\"}" "$PROOF_BASE/api/v1/session" | jq -r .token
}

# proof_done NAME RESULT: the closing line every proof script prints.
proof_done() {
	echo "proof $1: $2 in $(( $(date +%s) - PROOF_T0 )) s"
}

# proof_wait_media TOKEN [SECONDS]: prints the id of a lecture with a stream, waiting for the demo
# lecture's transcode (the server runs it after its first start); nothing after SECONDS (180).
proof_wait_media() {
	_i=0
	while [ $_i -lt "${2:-180}" ]; do
		for _c in $(curl -fsS -H "Authorization: Bearer $1" "$PROOF_BASE/api/v1/courses?per_page=50" | jq -r '.courses[].id'); do
			_m=$(curl -fsS -H "Authorization: Bearer $1" "$PROOF_BASE/api/v1/courses/$_c" |
				jq -r '[.lectures[] | select(.status == "ready")][0].id // empty')
			[ -n "$_m" ] && { echo "$_m"; return 0; }
		done
		sleep 1
		_i=$((_i + 1))
	done
}
