/*
 * child.c: the other programs as children of rest-sync, their signals as
 * rest-sync found them, their standard error passed on a line at a time
 * with the resource's name in front.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include <ctype.h>
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

#include "buf.h"
#include "diag.h"
#include "proc.h"
#include "stop.h"
#include "sync.h"

#define LINE_MAX_RELAY	65536	/* a longer line goes on in pieces */
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

static void
say_all(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0 && ((w = write(STDERR_FILENO, s, n)) > 0 ||
	    (w == -1 && errno == EINTR))) {
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
	}
}

void
relay_say(const char *prefix, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int n;

	buf_init(&b, 0);
	buf_printf(&b, "%s: ", prefix);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n > 0 && buf_grow(&b, (size_t)n + 1) == 0) {
		va_start(ap, fmt);
		vsnprintf(b.data + b.len, (size_t)n + 1, fmt, ap);
		va_end(ap);
		b.len += (size_t)n;
	}
	buf_addc(&b, '\n');
	say_all(b.data, b.len);
	buf_free(&b);
}

/* 1 if s[0..n) starts with the string p. */
static int
starts(const char *s, size_t n, const char *p)
{
	size_t m = strlen(p);

	return n >= m && memcmp(s, p, m) == 0;
}

/*
 * A warning already passed on, such as a configuration's unknown key that
 * every program reading it reports: said once is enough.  The text after
 * the program's name is compared, and remembered.
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
			say_all(p, (size_t)(nl - p) + (nl < b.data + b.len));
	}
	buf_free(&b);
}

/* The summary of rest-merge, whose counts rest-sync reports itself. */
static int
merge_summary(struct relay *r, const char *s, size_t n)
{
	unsigned long *c = r->counts;
	struct buf head;
	char *text;
	int got, ok = 0;

	if (r->file == NULL)
		return 0;
	buf_init(&head, 0);
	buf_printf(&head, "rest-merge: %s: ", r->file);
	if (starts(s, n, head.data)) {
		text = xstrndup(s + head.len, n - head.len);
		got = sscanf(text, "%lu inserted, %lu updated, %lu deleted, "
		    "%lu unchanged, %lu rows", &c[0], &c[1], &c[2], &c[3],
		    &c[4]);
		if (got == 5)
			ok = r->merged = 1;
		else if (strncmp(text, "run ", 4) == 0 && strstr(text,
		    " committed it already; nothing changed") != NULL)
			ok = r->already = 1;
		free(text);
	}
	buf_free(&head);
	return ok;
}

/* rest-select -v's "N records from M values": its count of records. */
static int
select_count(struct relay *r, const char *s, size_t n)
{
	char text[64], *p;
	unsigned long records;

	if (!starts(s, n, "rest-select: ") || n >= sizeof(text))
		return 0;
	memcpy(text, s, n);
	text[n] = '\0';
	p = text + strlen("rest-select: ");
	if (!isdigit((unsigned char)*p))
		return 0;
	records = strtoul(p, &p, 10);
	if (strncmp(p, " record", 7) != 0)
		return 0;
	p += 7 + (p[7] == 's');
	if (strncmp(p, " from ", 6) != 0)
		return 0;
	r->records = records;
	return 1;
}

/* Pass one line on, or eat it. */
static void
relay_line(struct relay *r, const char *s, size_t n)
{
	struct buf b;

	if (starts(s, n, "rest-paginate: attempt ")) {
		r->retries++;
		if (r->silent)
			return;
	}
	/*
	 * rest-sync says itself how the next run resumes, a link or a
	 * cursor kept in its state, not shown, after the pages in its
	 * spool: rest-paginate's advice, about its standard output, is not
	 * for this.
	 */
	if (starts(s, n, "rest-paginate: resume with --") ||
	    starts(s, n, "rest-paginate: resume: rerun from the start") ||
	    starts(s, n, "rest-paginate: no resume position is safe to print") ||
	    starts(s, n, "rest-paginate: interrupted: the next stage ended"))
		return;
	if (merge_summary(r, s, n) || select_count(r, s, n) || repeated(s, n))
		return;
	/* Its note of the new incremental state is part of the summary. */
	buf_init(&b, 0);
	buf_printf(&b, "rest-merge: %s: incremental state: last ", r->file);
	if (r->silent && starts(s, n, b.data)) {
		buf_free(&b);
		return;
	}
	buf_free(&b);
	buf_init(&b, 0);
	buf_printf(&b, "%s: ", r->prefix);
	buf_add(&b, s, n);
	buf_addc(&b, '\n');
	say_all(b.data, b.len);
	buf_free(&b);
}

int
relay_read(struct relay *r, int fd)
{
	char chunk[16384], *nl;
	size_t start;
	ssize_t got;

	got = read(fd, chunk, sizeof(chunk));
	if (got == -1 && (errno == EAGAIN || errno == EINTR))
		return 1;
	if (got <= 0) {
		if (r->line.len > 0)
			relay_line(r, r->line.data, r->line.len);
		buf_reset(&r->line);
		return 0;
	}
	buf_add(&r->line, chunk, (size_t)got);
	start = 0;
	while ((nl = memchr(r->line.data + start, '\n', r->line.len -
	    start)) != NULL) {
		relay_line(r, r->line.data + start, (size_t)(nl -
		    (r->line.data + start)));
		start = (size_t)(nl - r->line.data) + 1;
	}
	if (r->line.len - start > LINE_MAX_RELAY) {
		relay_line(r, r->line.data + start, r->line.len - start);
		start = r->line.len;
	}
	memmove(r->line.data, r->line.data + start, r->line.len - start);
	r->line.len -= start;
	return 1;
}

int
child_capture(char *const argv[], struct buf *out, struct relay *r)
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
		if (p[1].revents != 0 && relay_read(r, e[0]) == 0) {
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
