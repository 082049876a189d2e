/*
 * stop.h: SIGINT and SIGTERM (and SIGHUP) as a terminal sends them, to
 * every process of a pipeline at once.  The first stage stops where it is and says where to
 * resume; what it wrote before is in the pipe.  A later stage that reads a
 * pipe must not lose that, or the resume offset would leave a gap: it
 * defers the signal, reads its input to the end (the stage before is
 * gone), finishes its work, and only then dies of the signal.  A second
 * signal stops it at once, unless it came within 0.1 s of the first, as
 * timeout(1)'s two sends of one signal do.
 */
#ifndef STOP_H
#define STOP_H

/*
 * Defer SIGINT and SIGTERM as above.  A signal the parent ignored stays
 * ignored.  Call before any input is read.  From the first signal on,
 * SIGPIPE is ignored: a write to a reader that is gone then fails with
 * EPIPE, for the program to say that what it wrote is lost.
 */
void	stop_defer(void);

#define STOP_HUP	1	/* SIGHUP too, as a closed terminal sends it */
#define STOP_COUNT	2	/* a second signal is noted, not fatal */

/*
 * stop_defer() with flags: STOP_HUP defers SIGHUP as well; with
 * STOP_COUNT a second signal only makes stop_again() true, for a
 * supervisor to stop its children at once and still say what it did.
 * Called again, it sets the flags anew (a forked worker's own).
 */
void	stop_defer_flags(int flags);

/* 1 if a second signal came (STOP_COUNT), else 0. */
int	stop_again(void);

/*
 * Stop deferring: SIGINT and SIGTERM take again the action they had before
 * stop_defer().  Returns the signal deferred meanwhile, or 0, for the
 * caller to raise(3) once its own handlers are in place.
 */
int	stop_cancel(void);

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
 * A process that survives it (PID 1 of a PID namespace, which its own
 * default actions do not end) exits with 128 + n instead.  Flush what
 * must be flushed before.
 */
void	stop_finish(void);

/*
 * If fd writes into a pipe, wait until the process reading it has read
 * everything, or is gone.  Returns the bytes it left unread: more than 0
 * means that the reader ended without them, so whatever they held is
 * lost.  Returns 0 too for anything but a pipe.  Async-signal-safe.
 */
long	stop_drain(int fd);

/* 1 if fd reads what another process writes: a pipe, FIFO or socket. */
int	stop_is_pipe(int fd);

#endif
