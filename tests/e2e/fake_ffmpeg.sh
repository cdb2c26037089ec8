#!/bin/sh
# fake_ffmpeg.sh — ffmpeg for the lecture tests (setting `ffmpeg`): runs the real one unless the
# file named by $DX_FAKE_CTL says otherwise for the ladder run (the one with -progress):
#   fail  print an encoder error on stderr and exit 1
#   hang  say nothing, forever (the stall watchdog must kill it)
#   slow  report progress for 3 s, then transcode (room for a cancel or a restart mid-way)
mode=$(cat "$DX_FAKE_CTL" 2>/dev/null)
case " $* " in *" -progress "*) ;; *) mode= ;; esac
case "$mode" in
fail)
	echo "[libx264 @ 0x5581d2c0] simulated encoder failure" >&2
	echo "Error while opening encoder for output stream #0:0" >&2
	echo "Conversion failed!" >&2
	exit 1 ;;
hang)
	exec sleep 600 ;;
slow)
	for i in 1 2 3 4 5 6; do echo "out_time_us=0"; echo "progress=continue"; sleep 0.5; done ;;
esac
exec ffmpeg "$@"
