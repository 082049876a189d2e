#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"

static const char *prog = "restpipe";

void
setprog(const char *name)
{
	prog = name;
}

void
startup(const char *name, int flags)
{
	int fd, closed_out = 0;

	static char line[65536];

	setprog(name);
	/* A line at a time, so that lines of programs run at once never mix. */
	setvbuf(stderr, line, _IOLBF, sizeof(line));
	signal(SIGXFSZ, SIG_IGN);
	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		closed_out |= fd == STDOUT_FILENO;
		/* The lowest free descriptor: fd itself. */
		if (open("/dev/null", O_RDWR) != fd)
			die(EX_OSERR, "cannot open /dev/null:");
	}
	if (closed_out && (flags & START_STDOUT))
		die(EX_IOERR, "standard output is closed");
}

const char *
getprog(void)
{
	return prog;
}

static void
vdiag(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
	exit(status);
}

int
err_set(struct err *e, int status, const char *fmt, ...)
{
	int saved = errno, n;
	size_t len = strlen(fmt);
	va_list ap;
	char *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EX_SOFTWARE, "cannot format a message");
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (len > 0 && fmt[len - 1] == ':') {
		const char *why = strerror(saved);
		size_t m = (size_t)n + 1 + strlen(why);

		s = xrealloc(s, m + 1);
		snprintf(s + n, m + 1 - (size_t)n, " %s", why);
	}
	free(e->msg);
	e->status = status;
	e->msg = s;
	return -1;
}

void
err_free(struct err *e)
{
	free(e->msg);
	e->msg = NULL;
	e->status = 0;
}

void
die_err(const struct err *e)
{
	die(e->status, "%s", e->msg != NULL ? e->msg : "unknown error");
}

void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
}

void
version(void)
{
	printf("%s %s\n", prog, VERSION);
	exit(finish_stdout());
}

int
finish_stdout(void)
{
	/* A reader that went away is not our error: SIGPIPE already said so. */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno == EPIPE)
			return EX_IOERR;
		warnmsg("write error on stdout:");
		return EX_IOERR;
	}
	if (fclose(stdout) == EOF) {
		warnmsg("write error on stdout:");
		return EX_IOERR;
	}
	return EX_OK;
}
