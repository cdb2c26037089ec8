#!/bin/sh
# tools/deploy/dangxiao.service, checked with systemd-analyze verify (the unit's paths pointed at
# this tree's bin/dangxiao and web/ for the check) and, where systemd has it, its offline security
# score. Skipped (PASS with a note) when systemd-analyze is missing.
set -u
cd "$(dirname "$0")/../.."
. tools/proof/lib.sh
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "proof systemd: systemd-analyze missing, not checked"
	proof_done systemd "PASS (skipped)"
	exit 0
fi
[ -x bin/dangxiao ] || { echo "proof: build first (make all)" >&2; exit 1; }
here=$(pwd)
mkdir -p "$PROOF_TMP/data"
sed -e "s|/opt/dangxiao|$here|g" -e "s|/var/lib/dangxiao|$PROOF_TMP/data|g" \
	tools/deploy/dangxiao.service >"$PROOF_TMP/dangxiao.service"
out=$(systemd-analyze verify "$PROOF_TMP/dangxiao.service" 2>&1)
rc=$?
unit_err=$(printf '%s\n' "$out" | grep -E "dangxiao.service:[0-9]+: .*(Unknown|Invalid|Failed|ignoring)" || true)
printf '%s\n' "$out" | sed '/^$/d; s/^/  /'
echo "  systemd-analyze verify: exit $rc"
score=$(systemd-analyze security --offline=true "$PROOF_TMP/dangxiao.service" 2>/dev/null | tail -1)
[ -n "$score" ] && echo "  systemd-analyze security --offline: $score"
if [ -n "$unit_err" ]; then
	proof_done systemd FAIL; exit 1
fi
proof_done systemd PASS
