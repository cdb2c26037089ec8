#!/bin/sh
# bench/transcode.sh — issue 4: the server's HLS ladder (bin/dangxiao transcode: the same probe, plan,
# argv and runner as the job queue) on a 60 s 1080p clip, against, in the same run,
#   (a) a hand-written reference: one ffmpeg process, the same four rungs and encoder settings;
#   (b) one ffmpeg run per rung, one after another (each decodes the source again).
# Then: GET /api/v1/me latency (p99) idle and while a transcode runs (ffmpeg at nice +10).
set -e
cd "$(dirname "$0")/.."
. bench/lib.sh
LEN=${LEN:-60}
T=$BENCH_TMP/tc; mkdir -p "$T"
SRC=$T/src1080.mp4
# Like a camera or screen recording an instructor uploads: 1080p30 H.264 at 20 Mbit/s with B-frames
# (decoding it costs what decoding real uploads costs; an ultrafast low-rate clip decodes for free
# and hides what a single decode saves). Override with SRC_PRESET / SRC_RATE.
echo "generating a ${LEN} s 1920x1080 30 fps source"
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" -f lavfi -i "sine=frequency=440:sample_rate=48000" \
	-t "$LEN" -c:v libx264 -preset "${SRC_PRESET:-veryfast}" -b:v "${SRC_RATE:-20M}" -c:a aac -b:a 128k "$SRC"
now() { date +%s.%N; }
el() { python3 -c "print(f'{$2-$1:.1f}')"; }

# (a) the reference, written by hand: decode once, split, scale, encode four rungs, HLS out.
ref_one() {
	out=$1; mkdir -p "$out"
	nice -n 10 ffmpeg -v error -y -i "$SRC" -filter_complex \
"[0:v]split=4[a][b][c][d];[a]scale=640:360,setsar=1[v0];[b]scale=960:540,setsar=1[v1];[c]scale=1280:720,setsar=1[v2];[d]scale=1920:1080,setsar=1[v3]" \
	-map "[v0]" -map 0:a -map "[v1]" -map 0:a -map "[v2]" -map 0:a -map "[v3]" -map 0:a \
	-c:v libx264 -preset veryfast -pix_fmt yuv420p -force_key_frames "expr:gte(t,n_forced*2)" -sc_threshold 0 -g 60 -keyint_min 60 \
	-profile:v:0 main -b:v:0 800k -maxrate:v:0 856k -bufsize:v:0 1200k \
	-profile:v:1 high -b:v:1 1400k -maxrate:v:1 1498k -bufsize:v:1 2100k \
	-profile:v:2 high -b:v:2 2800k -maxrate:v:2 2996k -bufsize:v:2 4200k \
	-profile:v:3 high -b:v:3 5000k -maxrate:v:3 5350k -bufsize:v:3 7500k \
	-c:a aac -ac 2 -ar 48000 -b:a:0 96k -b:a:1 128k -b:a:2 128k -b:a:3 128k \
	-var_stream_map "v:0,a:0 v:1,a:1 v:2,a:2 v:3,a:3" -f hls -hls_time 4 -hls_playlist_type vod \
	-hls_segment_type mpegts -hls_segment_filename "$out/v%v/seg_%05d.ts" -master_pl_name master.m3u8 "$out/v%v/index.m3u8"
}
# (b) one process per rung.
ref_per_rung() {
	out=$1
	for r in "0 640 360 800 96 main" "1 960 540 1400 128 high" "2 1280 720 2800 128 high" "3 1920 1080 5000 128 high"; do
		set -- $r
		mkdir -p "$out/v$1"
		nice -n 10 ffmpeg -v error -y -i "$SRC" -vf "scale=$2:$3,setsar=1" -c:v libx264 -preset veryfast -pix_fmt yuv420p \
			-force_key_frames "expr:gte(t,n_forced*2)" -sc_threshold 0 -g 60 -keyint_min 60 -profile:v "$6" \
			-b:v "${4}k" -maxrate "$(($4 * 107 / 100))k" -bufsize "$(($4 * 3 / 2))k" -c:a aac -ac 2 -ar 48000 -b:a "${5}k" \
			-f hls -hls_time 4 -hls_playlist_type vod -hls_segment_filename "$out/v$1/seg_%05d.ts" "$out/v$1/index.m3u8"
	done
}
t0=$(now); bin/dangxiao transcode "$SRC" "$T/server" --quiet; t1=$(now)
ref_one "$T/ref"; t2=$(now)
ref_per_rung "$T/rungs"; t3=$(now)
# second round in the other order, to even out the machine's drift
ref_one "$T/ref2"; t4=$(now)
bin/dangxiao transcode "$SRC" "$T/server2" --quiet; t5=$(now)
S=$(python3 -c "print(f'{(($t1-$t0)+($t5-$t4))/2:.1f}')")
R=$(python3 -c "print(f'{(($t2-$t1)+($t4-$t3))/2:.1f}')")
P=$(el $t2 $t3)
ffprobe -v error "$T/server/master.m3u8" && PROBE=ok || PROBE=FAILED

# API latency idle vs during a transcode.
DPORT=$(free_port)
start_dx "$BENCH_TMP/data" "$DPORT"
trap 'stop_dx' EXIT
TOK=$(login_token "$DPORT" zhangsan)
wrk -t2 -c16 -d3s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/api/v1/me" >/dev/null
IDLE_RPS=$(wrk_rps -t2 -c16 -d10s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/api/v1/me"); IDLE_P99=$(wrk_p99)
bin/dangxiao transcode "$SRC" "$T/busy" --quiet & TC=$!
sleep 3
BUSY_RPS=$(wrk_rps -t2 -c16 -d10s -H "Authorization: Bearer $TOK" "http://127.0.0.1:$DPORT/api/v1/me"); BUSY_P99=$(wrk_p99)
kill $TC 2>/dev/null; wait $TC 2>/dev/null || true
cat <<OUT
| ${LEN} s 1920x1080 30 fps source → 360/540/720/1080 HLS | wall time (mean of 2) | vs reference | × real time |
| --- | --- | --- | --- |
| dangxiao (one ffmpeg, decode once) | $S s | $(python3 -c "print(f'{$S/$R:.3f}')") | $(python3 -c "print(f'{$LEN/$S:.2f}')") |
| reference, hand-written one-process command | $R s | 1.000 | $(python3 -c "print(f'{$LEN/$R:.2f}')") |
| one ffmpeg run per rung (sequential) | $P s | dangxiao is $(python3 -c "print(f'{$P/$S:.2f}')")× faster | $(python3 -c "print(f'{$LEN/$P:.2f}')") |
ffprobe of the server's master playlist: $PROBE

| GET /api/v1/me (wrk -t2 -c16 -d10s) | requests/s | p99 |
| --- | --- | --- |
| idle | $IDLE_RPS | $IDLE_P99 |
| while a transcode runs (ffmpeg at nice +10) | $BUSY_RPS | $BUSY_P99 |
OUT
