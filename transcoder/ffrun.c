/* ffrun.c — fork/exec a program with piped -progress parsing, stderr tail, watchdog and cancellation. */
#include "transcoder/ffrun.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ERR_RING 2048    /* bytes of stderr kept */
#define ERR_LINES 4      /* lines of it quoted in the failure reason */
#define POLL_MS 200      /* cancel flag and deadlines are checked at least this often */
#define DEFAULT_NICE 10

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* State of one run, on the caller's stack. */
typedef struct run {
	const ffrun_opts *o;
	char line[512]; /* the stdout line being assembled */
	size_t llen;
	int64_t out_us; /* latest out_time in microseconds, -1 before the first */
	double last_cb, reported;
	int ended; /* saw progress=end */
	char ring[ERR_RING];
	uint64_t ring_total;
} run;

static void report(run *r, double frac)
{
	if (!r->o->on_progress)
		return;
	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	if (frac < r->reported) /* never move backwards */
		frac = r->reported;
	r->reported = frac;
	r->last_cb = now_s();
	r->o->on_progress(r->o->ud, frac);
}

/* One complete "key=value" line of ffmpeg's -progress output. */
static void progress_line(run *r, char *l)
{
	char *eq = strchr(l, '=');
	if (!eq)
		return;
	*eq = 0;
	const char *k = l, *v = eq + 1;
	/* out_time_ms is in microseconds too (a long-standing ffmpeg quirk); N/A before the first frame. */
	if (strcmp(k, "out_time_us") == 0 || strcmp(k, "out_time_ms") == 0) {
		char *end;
		long long us = strtoll(v, &end, 10);
		if (end != v && us >= 0)
			r->out_us = us;
	} else if (strcmp(k, "progress") == 0) {
		if (strcmp(v, "end") == 0) {
			r->ended = 1;
			report(r, 1.0);
		} else if (r->o->duration_s > 0 && r->out_us >= 0 && now_s() - r->last_cb >= 1.0) {
			report(r, (double)r->out_us / 1e6 / r->o->duration_s);
		}
	}
}

static void on_stdout(run *r, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '\n' || c == '\r') {
			if (r->llen) {
				r->line[r->llen] = 0;
				progress_line(r, r->line);
			}
			r->llen = 0;
		} else if (r->llen + 1 < sizeof r->line) {
			r->line[r->llen++] = c;
		}
	}
}

static void on_stderr(run *r, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		r->ring[(r->ring_total++) % ERR_RING] = p[i];
}

/* The last few non-empty stderr lines, joined with " | ", into out. */
static void stderr_tail(const run *r, char *out, size_t outlen)
{
	char lin[ERR_RING + 1];
	size_t n = r->ring_total < ERR_RING ? (size_t)r->ring_total : ERR_RING;
	size_t start = r->ring_total < ERR_RING ? 0 : (size_t)(r->ring_total % ERR_RING);
	for (size_t i = 0; i < n; i++)
		lin[i] = r->ring[(start + i) % ERR_RING];
	lin[n] = 0;
	char *s = lin;
	if (r->ring_total > ERR_RING) { /* drop the partial first line */
		char *nl = strchr(s, '\n');
		if (nl)
			s = nl + 1;
	}
	/* Collect line starts from the end. */
	char *lines[ERR_LINES];
	int cnt = 0;
	char *end = s + strlen(s);
	while (end > s && cnt < ERR_LINES) {
		while (end > s && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		if (end == s)
			break;
		char *b = end;
		while (b > s && b[-1] != '\n')
			b--;
		lines[cnt++] = b;
		end = b;
	}
	out[0] = 0;
	size_t off = 0;
	for (int i = cnt - 1; i >= 0 && off + 1 < outlen; i--) {
		for (char *c = lines[i]; *c; c++) /* keep the reason on one printable line */
			if ((unsigned char)*c < 0x20)
				*c = ' ';
		int w = snprintf(out + off, outlen - off, "%s%s", off ? " | " : "", lines[i]);
		if (w < 0)
			break;
		off += (size_t)w;
		if (off >= outlen)
			off = outlen - 1;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Waits up to timeout_ms for output on the open pipes and consumes one read from each ready one;
   a pipe at EOF is closed and set to -1. Returns the number of pipes serviced, -1 on poll failure. */
static int pump(run *r, int *out_fd, int *err_fd, int timeout_ms, double *last_out)
{
	struct pollfd pf[2];
	int *fds[2];
	int np = 0, done = 0;
	char buf[4096];
	if (*out_fd >= 0) {
		fds[np] = out_fd;
		pf[np++] = (struct pollfd){.fd = *out_fd, .events = POLLIN};
	}
	if (*err_fd >= 0) {
		fds[np] = err_fd;
		pf[np++] = (struct pollfd){.fd = *err_fd, .events = POLLIN};
	}
	int pr = poll(pf, (nfds_t)np, timeout_ms); /* with no pipe left this just sleeps */
	if (pr < 0)
		return errno == EINTR ? 0 : -1;
	for (int i = 0; pr > 0 && i < np; i++) {
		if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
			continue;
		ssize_t n = read(pf[i].fd, buf, sizeof buf);
		if (n > 0) {
			if (fds[i] == out_fd) {
				*last_out = now_s();
				on_stdout(r, buf, (size_t)n);
			} else {
				on_stderr(r, buf, (size_t)n);
			}
			done++;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			close_fd(fds[i]);
			done++;
		}
	}
	return done;
}

/* The server's pid, so a child can tell that its parent is already gone (same for every thread). */
static pid_t g_server_pid;

/* The child after fork: only async-signal-safe calls until exec. */
static void child_exec(char *const argv[], int nice_inc, int in_fd, int out_fd, int err_fd, int exe_fd)
{
	sigset_t none;
	struct sigaction dfl;
	static const int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2};
	setpgid(0, 0);
	/* If the server dies (kill -9), ffmpeg goes too instead of encoding for nobody; the staging
	   folder it wrote is wiped when the server starts again. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != g_server_pid)
		_exit(127);
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (nice_inc > 0) {
		errno = 0;
		int cur = getpriority(PRIO_PROCESS, 0);
		if (!(cur == -1 && errno))
			setpriority(PRIO_PROCESS, 0, cur + nice_inc);
	}
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		goto fail;
	/* Descriptors other threads opened without O_CLOEXEC must not leak into ffmpeg. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execvp(argv[0], argv);
fail:;
	int e = errno;
	ssize_t w = write(exe_fd, &e, sizeof e);
	(void)w;
	_exit(127);
}

int ffrun(char *const argv[], const ffrun_opts *o, char *err, size_t errlen)
{
	static const ffrun_opts none = {0};
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, exep[2] = {-1, -1}, devnull = -1;
	char eb[256];
	if (!o)
		o = &none;
	set_err(err, errlen, "%s", "");
	if (!argv || !argv[0]) {
		set_err(err, errlen, "cannot run: empty command");
		return -1;
	}
	const char *prog = base_name(argv[0]);
	if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) || pipe2(exep, O_CLOEXEC) ||
	    (devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0) {
		set_err(err, errlen, "cannot run %s: %s", prog, strerror_r(errno, eb, sizeof eb));
		goto fail_fds;
	}
	int nice_inc = o->nice_inc == 0 ? DEFAULT_NICE : o->nice_inc;
	g_server_pid = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		set_err(err, errlen, "cannot run %s: %s", prog, strerror_r(errno, eb, sizeof eb));
		goto fail_fds;
	}
	if (pid == 0)
		child_exec(argv, nice_inc, devnull, outp[1], errp[1], exep[1]);

	setpgid(pid, pid); /* also done by the child; whichever runs first wins the race */
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	close_fd(&exep[1]);
	close_fd(&devnull);

	/* exec either succeeds (the O_CLOEXEC pipe reads EOF) or the child reports its errno. */
	int child_errno = 0;
	ssize_t got;
	do
		got = read(exep[0], &child_errno, sizeof child_errno);
	while (got < 0 && errno == EINTR);
	close_fd(&exep[0]);
	if (got == (ssize_t)sizeof child_errno) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		set_err(err, errlen, "cannot run %s: %s", prog, strerror_r(child_errno, eb, sizeof eb));
		close_fd(&outp[0]);
		close_fd(&errp[0]);
		return -1;
	}

	run *r = calloc(1, sizeof *r);
	if (!r)
		abort();
	r->o = o;
	r->out_us = -1;
	r->last_cb = -1e9;
	double t0 = now_s(), last_out = t0;
	int reaped_elsewhere = 0;
	enum { RUNNING, EXITED, CANCELLED, STALLED, OVERTIME } why = RUNNING;

	while (why == RUNNING) {
		double t = now_s();
		if (o->cancel && *o->cancel)
			why = CANCELLED;
		else if (o->max_s > 0 && t - t0 >= o->max_s)
			why = OVERTIME;
		else if (o->stall_s > 0 && t - last_out >= o->stall_s)
			why = STALLED;
		if (why != RUNNING)
			break;

		int pr = pump(r, &outp[0], &errp[0], POLL_MS, &last_out);
		if (pr < 0)
			break;
		/* Has the child exited? (WNOWAIT: the zombie keeps its pid and process group reserved.) */
		siginfo_t si;
		memset(&si, 0, sizeof si);
		int wr = waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT);
		if (wr < 0 && errno == ECHILD) {
			/* Reaped behind our back (SIGCHLD set to SIG_IGN): its pid may be reused, never signal it. */
			reaped_elsewhere = 1;
			why = EXITED;
		} else if (wr == 0 && si.si_pid == pid) {
			/* Drain what it left in the pipes; a grandchild may hold them open, so no waiting for EOF. */
			for (int k = 0; k < 256 && pump(r, &outp[0], &errp[0], 0, &last_out) > 0; k++)
				;
			why = EXITED;
		}
	}

	/* Kill the process group: the whole run on cancel/timeout, stragglers after a normal exit.
	   Safe because the child is not reaped yet, so its pid (= process group id) cannot be reused. */
	int status = 0;
	if (!reaped_elsewhere) {
		kill(-pid, SIGKILL);
		if (why != EXITED)
			kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				reaped_elsewhere = 1;
				break;
			}
		}
	}
	close_fd(&outp[0]);
	close_fd(&errp[0]);

	int rc = -1;
	char tail[ERR_RING];
	switch (why) {
	case CANCELLED:
		set_err(err, errlen, "cancelled");
		break;
	case STALLED:
		set_err(err, errlen, "timed out (no progress for %d s)", o->stall_s);
		break;
	case OVERTIME:
		set_err(err, errlen, "timed out (over %d s in total)", o->max_s);
		break;
	default:
		stderr_tail(r, tail, sizeof tail);
		if (reaped_elsewhere) {
			if (r->ended)
				rc = 0; /* its exit status is lost; ffmpeg said progress=end */
			else
				set_err(err, errlen, "%s: exit status lost (SIGCHLD ignored?)%s%s", prog, tail[0] ? ": " : "", tail);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			rc = 0;
		} else if (WIFEXITED(status)) {
			set_err(err, errlen, "%s exited with status %d%s%s", prog, WEXITSTATUS(status), tail[0] ? ": " : "", tail);
		} else if (WIFSIGNALED(status)) {
			const char *abbr = sigabbrev_np(WTERMSIG(status));
			set_err(err, errlen, "%s killed by signal %d (SIG%s)%s%s", prog, WTERMSIG(status), abbr ? abbr : "?", tail[0] ? ": " : "", tail);
		} else {
			set_err(err, errlen, "%s ended abnormally", prog);
		}
		break;
	}
	free(r);
	return rc;

fail_fds:
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&exep[0]);
	close_fd(&exep[1]);
	close_fd(&devnull);
	return -1;
}
