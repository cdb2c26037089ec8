/* ffrun.h — run ffmpeg (or any program) from an argv with progress, a watchdog and cancellation. */
#ifndef DX_FFRUN_H
#define DX_FFRUN_H
#include <stddef.h>

/* Called with the fraction done (0..1), at most about once per second, and once more with 1.0
   when ffmpeg reports progress=end. Runs on the calling thread. */
typedef void (*ffrun_progress_fn)(void *ud, double fraction);

typedef struct ffrun_opts {
	double duration_s;          /* media duration: fraction = out_time / duration_s (0: no fractions) */
	int stall_s;                /* kill when stdout (the -progress stream) is silent this long; 0: off */
	int max_s;                  /* kill when the run takes longer than this in total; 0: no limit */
	volatile int *cancel;       /* kill as soon as *cancel becomes non-zero (polled 5x/s); may be NULL */
	ffrun_progress_fn on_progress; /* may be NULL */
	void *ud;                   /* passed to on_progress */
	int nice_inc;               /* child's niceness increment; 0 means the default +10, < 0 leaves it */
} ffrun_opts;

/* Runs argv[0] (looked up in PATH, no shell) in its own process group at lower CPU priority, with
   stdin on /dev/null, stdout parsed as ffmpeg `-progress` key=value lines and the last ~2 KB of
   stderr kept. Blocks until the child is gone; on cancel or timeout the whole process group gets
   SIGKILL. Returns 0 on exit status 0; else -1 with err filled: "cancelled", "timed out (no
   progress for N s)", "timed out (over N s in total)", "cannot run X: ...", "X exited with status
   N: <last stderr lines>" or "X killed by signal N (NAME): ...", X being argv[0]'s base name.
   Thread-safe: no global state, pipes are O_CLOEXEC, only the own child is waited for. */
int ffrun(char *const argv[], const ffrun_opts *o, char *err, size_t errlen);

#endif
