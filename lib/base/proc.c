/* proc.c: the programs a restpipe program runs (proc.h). */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/proc.h"

#define LINE_MAX_RELAY	65536	/* a longer line goes on in pieces */

static const int handled[5] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD };

/* The folder of this executable, a new string; or NULL. */
static char *
own_dir(void)
{
	char self[4096], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	*slash = '\0';
	return xstrdup(self[0] != '\0' ? self : "/");
}

void
proc_init(struct proc_env *env)
{
	const char *dir = getenv(PROC_BINDIR_ENV);
	size_t i;

	memset(env, 0, sizeof(*env));
	sigprocmask(SIG_SETMASK, NULL, &env->mask);
	for (i = 0; i < 5; i++)
		sigaction(handled[i], NULL, &env->sig[i]);
	env->dir = dir != NULL && *dir != '\0' ? xstrdup(dir) : own_dir();
}

void
proc_env_free(struct proc_env *env)
{
	free(env->dir);
	env->dir = NULL;
}

char *
proc_find(const struct proc_env *env, const char *name)
{
	struct buf b;

	if (env->dir == NULL || strchr(name, '/') != NULL)
		return xstrdup(name);
	buf_init(&b, 0);
	buf_printf(&b, "%s/%s", env->dir, name);
	if (access(b.data, X_OK) == 0)
		return b.data;
	buf_free(&b);
	return xstrdup(name);
}

void
proc_pipe(int fd[2])
{
	if (pipe2(fd, O_CLOEXEC) == -1)
		die(EX_OSERR, "cannot make a pipe:");
}

void
proc_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl != -1)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

pid_t
proc_fork(int death_signal)
{
	pid_t parent = getpid(), pid;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		die(EX_OSERR, "cannot fork:");
	if (pid > 0)
		return pid;
	/* Ended with the process that started it, never left alone. */
	if (prctl(PR_SET_PDEATHSIG, death_signal != 0 ? death_signal :
	    SIGKILL) == -1 || getppid() != parent)
		_exit(EX_OSERR);
	return 0;
}

/*
 * In the child: descriptors 0 to 3 in place, the signals as found.
 * Returns 0, or -1 with errno set.
 */
static int
prepare(const struct proc_env *env, const int from[4])
{
	int tmp[4], i, null = -1;

	for (i = 0; i < 4; i++) {
		tmp[i] = -1;
		if (from[i] == PROC_NULL) {
			if (null == -1 && (null = open("/dev/null", O_RDWR |
			    O_CLOEXEC)) == -1)
				return -1;
			tmp[i] = fcntl(null, F_DUPFD, 10);
		} else if (from[i] >= 0)
			tmp[i] = fcntl(from[i], F_DUPFD, 10);
		if (tmp[i] == -1 && from[i] != -1)
			return -1;
	}
	for (i = 0; i < 4; i++) {
		if (tmp[i] < 0)
			continue;
		if (dup2(tmp[i], i) == -1)
			return -1;
		close(tmp[i]);
	}
	for (i = 0; i < 5; i++)
		sigaction(handled[i], &env->sig[i], NULL);
	sigprocmask(SIG_SETMASK, &env->mask, NULL);
	return 0;
}

pid_t
proc_start(const struct proc_env *env, const struct proc_spec *spec,
    struct err *e)
{
	char *path = proc_find(env, spec->argv[0]);
	int report[2], code = 0, status, i;
	ssize_t got;
	pid_t pid;

	/* Whether it ran the program comes back on a pipe exec closes. */
	proc_pipe(report);
	if ((pid = proc_fork(spec->death_signal)) == 0) {
		close(report[0]);
		/* The report pipe is out of the way of descriptors 0 to 3. */
		if ((i = fcntl(report[1], F_DUPFD_CLOEXEC, 10)) != -1) {
			close(report[1]);
			report[1] = i;
		}
		if (prepare(env, spec->fd) == 0) {
			if (spec->before_exec != NULL)
				spec->before_exec(spec->arg);
			if (strchr(path, '/') != NULL)
				execv(path, spec->argv);
			else
				execvp(path, spec->argv);
		}
		code = errno != 0 ? errno : EIO;
		(void)!write(report[1], &code, sizeof(code));
		_exit(EX_OSERR);
	}
	close(report[1]);
	while ((got = read(report[0], &code, sizeof(code))) == -1 &&
	    errno == EINTR)
		;
	close(report[0]);
	if (got == 0) {
		free(path);
		return pid;
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	errno = got == (ssize_t)sizeof(code) ? code : EIO;
	err_set(e, EX_OSERR, "cannot run %s:", spec->argv[0]);
	free(path);
	return -1;
}

int
proc_reaped(pid_t pid, int *status)
{
	pid_t r;

	if (pid <= 0)
		return 0;
	while ((r = waitpid(pid, status, WNOHANG)) == -1 && errno == EINTR)
		;
	return r == pid;
}

int
proc_status(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EX_SOFTWARE;
}

int
proc_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return EX_OSERR;
	return proc_status(status);
}

pid_t *
proc_children(size_t *n)
{
	char path[64];
	pid_t *v = NULL;
	long child;
	FILE *fp;

	*n = 0;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/children",
	    (long)getpid());
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	while (fscanf(fp, "%ld", &child) == 1) {
		v = xrealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = (pid_t)child;
	}
	fclose(fp);
	return v;
}

static int
among(pid_t pid, const pid_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == pid)
			return 1;
	return 0;
}

void
proc_reap_all(double deadline, const pid_t *before, size_t nbefore)
{
	static const struct timespec tick = { 0, 2000000 };
	pid_t *now;
	size_t n, i, ours;
	int status, killed = 0;

	for (;;) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		now = proc_children(&n);
		for (i = ours = 0; i < n; i++) {
			if (among(now[i], before, nbefore))
				continue;
			ours++;
			if (killed == 1)
				kill(now[i], SIGKILL);
		}
		free(now);
		if (ours == 0)
			return;
		if (killed == 0 && clock_now() >= deadline)
			killed = 1;
		else if (killed == 1)
			killed = 2;
		nanosleep(&tick, NULL);
	}
}

void
proc_relay_init(struct proc_relay *r, const char *label)
{
	r->label = label;
	buf_init(&r->line, 0);
}

void
proc_relay_free(struct proc_relay *r)
{
	buf_free(&r->line);
}

/* Pass one line on, labelled. */
static void
relay_line(const struct proc_relay *r, const char *s, size_t n)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s: ", r->label);
	buf_add(&b, s, n);
	buf_addc(&b, '\n');
	(void)fd_write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
}

int
proc_relay_read(struct proc_relay *r, int fd)
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

void
proc_say(const char *label, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int n;

	buf_init(&b, 0);
	buf_printf(&b, "%s: ", label);
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
	(void)fd_write(STDERR_FILENO, b.data, b.len);
	buf_free(&b);
}
