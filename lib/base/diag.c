#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"

static const char *prog = "restpipe";
static void (*die_fn)(void *, int, const char *);
static void *die_arg;
static char last[1024];		/* the last message said */

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

/*
 * The message fmt makes, a new string: with ": strerror(saved)" when fmt
 * ends in ':'.  NULL when memory ran out: no allocator that dies here,
 * for die() says that too.
 */
static char *
verr_format(const char *fmt, va_list ap, int saved)
{
	size_t len = strlen(fmt), m;
	const char *why = len > 0 && fmt[len - 1] == ':' ? strerror(saved) :
	    NULL;
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	m = (size_t)n + 1 + (why != NULL ? strlen(why) + 1 : 0);
	if ((s = malloc(m)) == NULL)
		return NULL;
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	if (why != NULL)
		snprintf(s + n, m - (size_t)n, " %s", why);
	return s;
}

#ifdef RESTPIPE_REWORD
/*
 * make REWORD=1: the programs rest-sync runs say every message otherwise
 * (its letters rot13'ed), so that the suite proves no program acts on
 * another's words: they talk through wire.h.
 */
static void
reword(char *s)
{
	if (strncmp(prog, "rest-sync", 9) == 0)
		return;
	for (; *s != '\0'; s++)
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
			*s = (char)((*s & 0x60) + 1 + ((*s & 0x1f) + 12) % 26);
}
#endif

/* Print the message; returns it, less the program's name, to free. */
static char *
vdiag(const char *fmt, va_list ap)
{
	int saved = errno;
	va_list aq;
	char *msg;

	va_copy(aq, ap);
	msg = verr_format(fmt, aq, saved);
	va_end(aq);
	if (msg == NULL) {
		fprintf(stderr, "%s: ", prog);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		return NULL;
	}
#ifdef RESTPIPE_REWORD
	reword(msg);
#endif
	fprintf(stderr, "%s: %s\n", prog, msg);
	snprintf(last, sizeof(last), "%s", msg);
	/* Cut, it ends with a whole character: no UTF-8 half in a report. */
	if (strlen(msg) >= sizeof(last)) {
		size_t n = sizeof(last) - 1;

		while (n > 0 && ((unsigned char)last[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && ((unsigned char)last[n - 1] & 0xc0) == 0xc0)
			n--;
		last[n] = '\0';
	}
	return msg;
}

const char *
diag_last(void)
{
	return last;
}

void
diag_on_die(void (*fn)(void *, int, const char *), void *arg)
{
	die_fn = fn;
	die_arg = arg;
}

void
die(int status, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = vdiag(fmt, ap);
	va_end(ap);
	if (die_fn != NULL && msg != NULL)
		die_fn(die_arg, status, msg);
	free(msg);
	exit(status);
}

int
err_set(struct err *e, int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = verr_format(fmt, ap, saved);
	va_end(ap);
	if (s == NULL)
		die(EX_OSERR, "out of memory");
	free(e->msg);
	e->status = status;
	e->msg = s;
	errno = saved;
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
	free(vdiag(fmt, ap));
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
