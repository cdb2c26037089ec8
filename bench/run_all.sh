#!/bin/sh
# make bench — every benchmark, each against its reference in the same run.
cd "$(dirname "$0")/.."
for b in bench/http.sh bench/catalog.sh bench/heartbeat.sh bench/transcode.sh bench/media.sh bench/upload.sh \
	bench/reports.sh bench/classes.sh bench/exam.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	sh "$b" || echo "(failed: $b)"
done
