/*
 * atomic.h: replace a file all at once, as a mail delivery agent does: the
 * new content goes to a temporary file beside it, which is flushed,
 * fsync'ed and renamed over the old one, and then the directory is
 * fsync'ed.  A crash leaves the old file or the new one, never a mix.
 */
#ifndef ATOMIC_H
#define ATOMIC_H

#include <stdio.h>

struct atomic {
	char	*path;	/* the file to replace; owned */
	char	*tmp;	/* ".NAME.XXXXXX" beside it; owned */
	FILE	*fp;	/* open on tmp until atomic_close() */
	char	*iobuf;	/* fp's buffer; owned */
};

/*
 * Lock path + ".lock" (created if needed, never removed) with flock(2),
 * waiting while another process holds it.  The lock lasts until the
 * process exits.  Returns 0, or -1 with errno set.
 */
int	atomic_lock(const char *path);

/*
 * Create the temporary file for path, with path's permissions if it
 * exists (else 0666 less the umask), open for writing on a->fp.  Until
 * atomic_commit() or atomic_abort(), the temporary file is removed if the
 * process exits or SIGHUP, SIGINT or SIGTERM kill it (a deferred signal,
 * see stop.h, only when the second one does).  Returns 0, or -1
 * with errno set.
 */
int	atomic_open(struct atomic *, const char *path);

/* Flush, fsync and close the temporary file; returns 0, or -1 (errno). */
int	atomic_close(struct atomic *);

/*
 * Close the temporary file if still open, rename it over the path and
 * fsync the directory; returns 0, or -1 with errno set.  Either way the
 * temporary file is gone and the struct's memory freed.
 */
int	atomic_commit(struct atomic *);

/* Close and remove the temporary file, and free the struct's memory. */
void	atomic_abort(struct atomic *);

#endif
