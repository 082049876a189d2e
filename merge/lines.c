/* lines.c: the lines of a file descriptor, read in big blocks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "merge.h"

#define BLOCK	((size_t)1 << 20)	/* bytes asked of read(2) at once */

void
lines_init(struct lines *l, int fd, const char *name)
{
	l->fd = fd;
	l->name = name;
	l->buf = NULL;
	l->cap = l->start = l->end = 0;
	l->lineno = 0;
	l->nl = 0;
	l->eof = 0;
}

void
lines_free(struct lines *l)
{
	free(l->buf);
	l->buf = NULL;
}

/*
 * Read one more block, keeping the unread bytes: 1, or 0 at the end; or
 * -1 with e set.
 */
static int
fill(struct lines *l, struct err *e)
{
	ssize_t r;

	if (l->eof)
		return 0;
	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->cap - l->end < BLOCK) {
		/* A line may fill MAX_LINE; a byte more shows it is longer. */
		if (l->end > MAX_LINE)
			return err_set(e, EX_DATAERR, "%s:%lu: line too long "
			    "(over %zu MiB)", l->name, l->lineno + 1,
			    MAX_LINE >> 20);
		l->cap = l->cap * 2 > l->end + BLOCK ? l->cap * 2 :
		    l->end + BLOCK;
		l->buf = xrealloc(l->buf, l->cap);
	}
	do
		r = read(l->fd, l->buf + l->end, l->cap - l->end);
	while (r == -1 && errno == EINTR);
	if (r == -1)
		return err_set(e, EX_IOERR, "%s: read error:", l->name);
	if (r == 0) {
		l->eof = 1;
		return 0;
	}
	l->end += (size_t)r;
	return 1;
}

int
lines_next(struct lines *l, const char **line, size_t *len, struct err *e)
{
	size_t scanned = 0;
	char *nl;
	int r;

	for (;;) {
		nl = NULL;
		if (l->end > l->start + scanned)
			nl = memchr(l->buf + l->start + scanned, '\n',
			    l->end - l->start - scanned);
		if (nl != NULL)
			break;
		scanned = l->end - l->start;
		if ((r = fill(l, e)) == -1)
			return -1;
		if (r == 0) {
			if (l->start == l->end)
				return 0;
			nl = l->buf + l->end;
			break;
		}
	}
	*line = l->buf + l->start;
	*len = (size_t)(nl - *line);
	if (*len > MAX_LINE)
		return err_set(e, EX_DATAERR, "%s:%lu: line too long (over "
		    "%zu MiB)", l->name, l->lineno + 1, MAX_LINE >> 20);
	l->nl = nl < l->buf + l->end;
	l->start += *len + l->nl;
	l->lineno++;
	return 1;
}

int
blank(const char *s, size_t n)
{
	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	return n == 0;
}
