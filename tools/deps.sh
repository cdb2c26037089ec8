#!/bin/sh
# Installs what dangxiao needs to build, run and test: Debian packages and npm modules.
# Fast when everything is present; as non-root prints the exact command and stops.
set -e
PKGS="build-essential pkg-config libmicrohttpd-dev libsqlite3-dev sqlite3 libcmark-gfm-dev libcmark-gfm-extensions-dev \
libavformat-dev libavcodec-dev libavutil-dev ffmpeg libcurl4-openssl-dev curl libsodium-dev \
libjansson-dev libcmocka-dev brotli tzdata libxlsxwriter-dev libcairo2-dev libpango1.0-dev \
libqrencode-dev fonts-wqy-microhei zlib1g-dev"
[ "${1:-}" = "test" ] && PKGS="$PKGS nginx-light wrk chromium libxml2-utils unzip poppler-utils zbar-tools clang clang-format tidy"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Node.js may come from elsewhere than Debian (the machine image ships its own): check commands.
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "dangxiao needs these Debian packages; run as root:" >&2
		echo "  apt-get update && apt-get install -y$missing" >&2
		exit 1
	fi
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
# Front-end modules from npm (never committed): hls.js, tus-js-client, playwright-core.
if [ ! -f node_modules/.dangxiao-ok ] || [ package.json -nt node_modules/.dangxiao-ok ] || \
   [ package-lock.json -nt node_modules/.dangxiao-ok ]; then
	if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error
	else npm install --no-audit --no-fund --loglevel=error; fi
	touch node_modules/.dangxiao-ok
fi
