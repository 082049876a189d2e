#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"

#define CHUNK	((size_t)64 * 1024)	/* bytes asked of read(2) at once */

int
fd_read(int fd, const char *name, size_t max, struct buf *b, struct err *e)
{
	size_t start = b->len, want;
	ssize_t r;

	for (;;) {
		/* A byte past max is enough to know the file is larger. */
		want = CHUNK;
		if (max - (b->len - start) < want)
			want = max - (b->len - start) + 1;
		if (buf_grow(b, want) == -1)
			return err_set(e, EX_DATAERR, "%s: too large", name);
		r = read(fd, b->data + b->len, want);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return err_set(e, EX_IOERR, "%s: read error:", name);
		if (r == 0)
			break;
		b->len += (size_t)r;
		if (b->len - start > max)
			return err_set(e, EX_DATAERR, "%s: too large", name);
	}
	buf_str(b);
	return 0;
}

int
file_read(const char *path, size_t max, struct buf *b, struct err *e)
{
	int fd, r, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, EX_NOINPUT, "%s: cannot open:", path);
	r = fd_read(fd, path, max, b, e);
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}

int
fd_write(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
fd_still_named(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}
