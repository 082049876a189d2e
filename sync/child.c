/*
 * child.c: the other programs as children of rest-sync, their signals as
 * rest-sync found them, their standard error passed on a line at a time
 * with the resource's name in front.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/proc.h"
#include "base/stop.h"
#include "sync.h"

#define MAX_SEEN	64	/* warnings remembered, not to repeat them */

static sigset_t	 held;
static volatile sig_atomic_t ended;
static struct proc_env env;	/* as rest-sync found its signals */
static char	*seen[MAX_SEEN];
static size_t	 nseen;

static void
on_child(int sig)
{
	(void)sig;
	ended = 1;
}

int
children_ended(void)
{
	int was = ended;

	ended = 0;
	return was;
}

void
signals_init(void)
{
	struct sigaction sa;

	proc_init(&env);
	/* A second signal stops the children at once (sched.c). */
	stop_defer_flags(STOP_HUP | STOP_COUNT);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_child;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	/* Outside of ppoll(), so that no signal slips in between. */
	sigemptyset(&held);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGHUP);
	sigaddset(&held, SIGCHLD);
	sigprocmask(SIG_BLOCK, &held, NULL);
}

const void *
signals_waitmask(void)
{
	static sigset_t wait;

	wait = env.mask;
	sigdelset(&wait, SIGINT);
	sigdelset(&wait, SIGTERM);
	sigdelset(&wait, SIGHUP);
	sigdelset(&wait, SIGCHLD);
	return &wait;
}

pid_t
child_start(char *const argv[], int in, int out, int err, int fd3)
{
	struct proc_spec spec = {
		.argv = argv, .fd = { in, out, err, fd3 }, .death_signal = SIGKILL
	};
	struct err e = { 0 };
	pid_t pid;

	if ((pid = proc_start(&env, &spec, &e)) == -1) {
		warnmsg("%s", e.msg);
		err_free(&e);
		return 0;
	}
	return pid;
}

/* 1 if s[0..n) starts with the string p. */
static int
starts(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);

	return n >= m && memcmp(s, p, m) == 0;
}

/*
 * A warning rest-sync said already, such as a configuration's unknown key
 * that reading each resource says again: said once is enough.  The text
 * after the program's name is compared, and remembered.  (Only rest-sync's
 * own lines: its programs say nothing of the configuration, see
 * CONFIG_QUIET_ENV.)
 */
static int
repeated(const char *s, size_t n)
{
	const char *w = memchr(s, ':', n);
	size_t i;

	if (w == NULL || !starts(w, (size_t)(s + n - w), ": warning: "))
		return 0;
	w += 2;
	n = (size_t)(s + n - w);
	for (i = 0; i < nseen; i++)
		if (strlen(seen[i]) == n && memcmp(seen[i], w, n) == 0)
			return 1;
	if (nseen < MAX_SEEN)
		seen[nseen++] = xstrndup(w, n);
	return 0;
}

int
warnings_hold(void)
{
	int mem, saved;

	fflush(stderr);
	if ((mem = memfd_create("warnings", MFD_CLOEXEC)) == -1)
		return -1;
	if ((saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) == -1 ||
	    dup2(mem, STDERR_FILENO) == -1) {
		if (saved != -1)
			close(saved);
		close(mem);
		return -1;
	}
	close(mem);
	return saved;
}

void
warnings_release(int saved)
{
	struct buf b;
	char *p, *nl;
	ssize_t got;
	char chunk[4096];

	if (saved == -1)
		return;
	fflush(stderr);
	buf_init(&b, 0);
	lseek(STDERR_FILENO, 0, SEEK_SET);
	while ((got = read(STDERR_FILENO, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)got);
	dup2(saved, STDERR_FILENO);
	close(saved);
	for (p = b.data; p != NULL && p < b.data + b.len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(b.data + b.len - p))) ==
		    NULL)
			nl = b.data + b.len;
		if (!repeated(p, (size_t)(nl - p)))
			(void)fd_write(STDERR_FILENO, p, (size_t)(nl - p) +
			    (nl < b.data + b.len));
	}
	buf_free(&b);
}

int
child_capture(char *const argv[], struct buf *out, struct proc_relay *r)
{
	struct pollfd p[2];
	int o[2], e[2], status, open_fds = 2;
	char chunk[4096];
	ssize_t got;
	pid_t pid;

	proc_pipe(o);
	proc_pipe(e);
	pid = child_start(argv, PROC_NULL, o[1], e[1], -1);
	close(o[1]);
	close(e[1]);
	p[0].fd = o[0];
	p[1].fd = e[0];
	p[0].events = p[1].events = POLLIN;
	while (open_fds > 0) {
		if (ppoll(p, 2, NULL, signals_waitmask()) == -1) {
			if (errno == EINTR)
				continue;
			die(EX_OSERR, "poll:");
		}
		if (p[0].revents != 0) {
			got = read(o[0], chunk, sizeof(chunk));
			if (got > 0)
				buf_add(out, chunk, (size_t)got);
			else if (got == 0 || errno != EINTR) {
				p[0].fd = -1;
				open_fds--;
			}
		}
		if (p[1].revents != 0 && proc_relay_read(r, e[0]) == 0) {
			p[1].fd = -1;
			open_fds--;
		}
	}
	close(o[0]);
	close(e[0]);
	if (pid == 0)
		return EX_OSERR;
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			die(EX_OSERR, "wait:");
	return proc_status(status);
}
