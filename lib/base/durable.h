/*
 * durable.h: a program's own state kept durably in a folder of its own
 * (rest-sync's DIR/.TABLE.sync: the spool, the page log, the state), and
 * the locks that keep two runs apart.  What atomic.h does for a table,
 * this does for small files: a file replaced whole by a temporary file
 * renamed over it, synced when asked, every file mode 0600 in a folder
 * of mode 0700, nothing ever opened, written or removed through a
 * symbolic link that someone planted there.
 */
#ifndef DURABLE_H
#define DURABLE_H

#include <sys/types.h>

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"

/*
 * Open the folder path, with create made if it is not there, as a
 * descriptor for the functions below (close on exec).  It must be a
 * directory of this user's, not a symbolic link; a mode looser than 0700
 * is made 0700.  Returns the descriptor, or -1 with e set: EX_IOERR
 * "PATH: a symbolic link; will not write through it" (or not a
 * directory, or another user's), EX_CANTCREAT "PATH: cannot create:
 * REASON"; without create, EX_NOINPUT with errno ENOENT if it is not
 * there.
 */
int	durable_dir(const char *path, int create, struct err *e);

/*
 * Open name in the folder dir with flags (O_CREAT makes it mode 0600),
 * never through a symbolic link, close on exec.  Returns as openat(2).
 */
int	durable_open(int dir, const char *name, int flags);

/*
 * Replace name in the folder dir, whose path is where (for messages),
 * with data[0..n), mode 0600, through a temporary file of its own
 * (NAME.PID.tmp) renamed over it;
 * with sync, the file is synced before the rename and the folder after.
 * Returns 0, or -1 with e set (EX_IOERR "WHERE/NAME: cannot write:
 * REASON") and no temporary file left.
 */
int	durable_put(int dir, const char *where, const char *name,
	    const void *data, size_t n, int sync, struct err *e);

/*
 * Append the file name of the folder dir to b, up to max bytes, as
 * file_read() does (its statuses and messages, the path where/name).
 * Returns 0, or -1 with e set and errno kept (ENOENT: there is none).
 */
int	durable_read(int dir, const char *where, const char *name,
	    size_t max, struct buf *b, struct err *e);

/* Sync the folder dir, so that the renames in it last; 0 or -1. */
int	durable_sync(int dir);

/*
 * Remove the files names[] (NULL-terminated) and their temporary files
 * (NAME.PID.tmp, of durable_put()) from the folder dir, then the folder
 * path itself if it is empty.
 */
void	durable_remove(int dir, const char *path, const char *const names[]);

/*
 * Take an exclusive flock(2) of path, created (mode 0600) if it is not
 * there, without waiting; one that its holder removed before this got
 * it is created and locked again.  Returns the descriptor (close on exec; the
 * lock lasts while it is open), or -1 with e set: EX_TEMPFAIL "PATH:
 * busy: ..." when another process holds it, EX_CANTCREAT when it cannot
 * be created, EX_IOERR when it is a symbolic link or not a regular file.
 */
int	durable_trylock(const char *path, struct err *e);

/*
 * Remove the lock file path and release the lock of fd (-1: none): no
 * lock file is left, and a process that had opened it takes the next
 * one (durable_trylock() checks that the name is still its file).
 */
void	durable_unlock(int fd, const char *path);

/*
 * The process that holds the flock(2) of path, found without taking it
 * (as /proc/locks says): its pid, 0 if none holds it, -1 if it cannot be
 * known.
 */
pid_t	durable_holder(const char *path);

#endif
