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
	char	*tmp;	/* ".NAME.rp-XXXXXX" beside it; owned */
	FILE	*fp;	/* open on tmp until atomic_close() */
	char	*iobuf;	/* fp's buffer; owned */
};

/*
 * Lock path + ".lock" (created if needed) with flock(2), waiting while
 * another process holds it.  The lock lasts until the process exits,
 * which removes the file while it still holds it: a clean run leaves no
 * lock file, and a process that waited on one removed takes the new one
 * instead.  The lock file must be a regular file: a symbolic link,
 * a directory, a FIFO or a device there is neither followed, opened nor
 * created through.  Returns 0, -1 with errno set, or -2 if the lock file
 * is not a regular file.
 */
int	atomic_lock(const char *path);

/*
 * Install now the handlers that remove the temporary files, which
 * atomic_open() would install, and have on_kill (if not NULL) run in the
 * signal handler once they are removed, just before SIGHUP, SIGINT or
 * SIGTERM ends the process (a deferred signal, see stop.h: the second
 * one).  on_kill may only call async-signal-safe functions.
 */
void	atomic_handlers(void (*on_kill)(void));

/*
 * Create the temporary file for path, with path's permission bits (0777,
 * never setuid, setgid or sticky) if it exists, else 0666 less the umask,
 * open for writing on a->fp.  Until
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

/*
 * Commit the n files opened with atomic_open() together: after a failure
 * at any step, or a crash, the n paths hold all their old contents or all
 * their new ones, the new ones perhaps only once atomic_recover() has
 * run.  The temporary files are closed (flushed and synced); a journal,
 * itself written to a temporary file, synced and renamed, then names
 * their renames: the rename of the journal is the commit point.  Then
 * come the renames, a sync of the directories and the removal of the
 * journal.  From the commit point on, SIGHUP, SIGINT and SIGTERM are
 * blocked, so that no signal cuts the renames short, and they stay
 * blocked when the commit is done: a signal that came meanwhile ends the
 * process at atomic_unblock(), once the caller has said what it did.
 * Returns 0; -1 with errno set if it failed before the commit point (the
 * temporary files are removed, the paths are old); or 1 with errno set if
 * it failed after it (the journal and the temporary files it names stay
 * for atomic_recover()).  The structs' memory is freed in every case.
 */
int	atomic_commit_all(struct atomic *a[], size_t n, const char *journal);

/* Unblock the signals atomic_commit_all() blocked, if it did. */
void	atomic_unblock(void);

/*
 * Finish the commit that journal records, if there is one: rename each
 * temporary file it names that still exists, sync the directories, and
 * remove the journal.  Call it holding the lock, before reading the
 * files.  Returns 0 if there was no journal, 1 if it finished one, or -1
 * with errno set, the journal kept (EBADMSG: not a journal that
 * atomic_commit_all() wrote).
 */
int	atomic_recover(const char *journal);

/*
 * Remove the temporary files of path that a writer left when SIGKILL or
 * a crash stopped it: the regular files beside path named as
 * atomic_open() names them, and nothing else (no symbolic link, no other
 * name).  Call it holding path's lock, so that no live writer's file
 * goes, and after atomic_recover(), which renames the ones a journal
 * names.  Returns how many it removed (0 if the directory is not there),
 * or -1 with errno set if one could not be removed or the directory not
 * read; it still removes the others.
 */
int	atomic_clean(const char *path);

#endif
