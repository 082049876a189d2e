/* file.h: a whole file read into memory, up to a limit; bytes written whole. */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"

/*
 * Append the whole file at path to b, and a NUL after it (buf_str()).
 * Returns 0; or -1 with e set and errno kept as the failing call left it:
 * EX_NOINPUT "PATH: cannot open: REASON" (a caller to whom a missing file
 * is no error tests errno for ENOENT), EX_DATAERR "PATH: too large" when
 * it holds more than max bytes (or more than b may hold), EX_IOERR "PATH:
 * read error: REASON".  A directory opens, then fails to read (EISDIR).
 * On failure b holds what was read; the caller frees it either way.
 */
int	file_read(const char *path, size_t max, struct buf *b, struct err *e);

/*
 * Like file_read() for what is left to read on fd, named name in the
 * messages (as "<stdin>" for standard input); fd is left open.
 */
int	fd_read(int fd, const char *name, size_t max, struct buf *b,
	    struct err *e);

/*
 * Write all n bytes at p to fd, again after a signal or a short write.
 * Returns 0, or -1 with errno set.
 */
int	fd_write(int fd, const void *p, size_t n);

/*
 * 1 if fd is still the file path names (not a link), as a lock file must
 * be once locked: its holder may have removed the name, or another file
 * may have taken it.  Else 0.
 */
int	fd_still_named(int fd, const char *path);

#endif
