/*
 * stop.h: SIGINT and SIGTERM as a terminal sends them, to every process of
 * a pipeline at once.  The first stage stops where it is and says where to
 * resume; what it wrote before is in the pipe.  A later stage that reads a
 * pipe must not lose that, or the resume offset would leave a gap: it
 * defers the signal, reads its input to the end (the stage before is
 * gone), finishes its work, and only then dies of the signal.  A second
 * signal stops it at once.
 */
#ifndef STOP_H
#define STOP_H

/*
 * Defer SIGINT and SIGTERM as above.  A signal the parent ignored stays
 * ignored.  Call before any input is read.
 */
void	stop_defer(void);

/* The signal deferred so far, or 0. */
int	stop_requested(void);

/*
 * Run fn before a second signal kills the process (at most 4 functions,
 * run last registered first).  fn runs in a signal handler: it may only
 * call async-signal-safe functions such as write(2) and unlink(2).
 */
void	stop_on_abort(void (*fn)(void));

/*
 * If a signal was deferred, die of it now as its default action does (the
 * shell then sees the process killed by it, status 128 + n); else return.
 * Flush what must be flushed before.
 */
void	stop_finish(void);

/* 1 if fd reads what another process writes: a pipe, FIFO or socket. */
int	stop_is_pipe(int fd);

#endif
