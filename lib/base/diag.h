/* diag.h: diagnostics on stderr, each line prefixed "rest-NAME: ". */
#ifndef DIAG_H
#define DIAG_H

#include <stdnoreturn.h>

/* Set the name diagnostics carry, e.g. "rest-fetch"; call first in main. */
void	setprog(const char *);

/* Flags of startup(). */
#define START_STDOUT	1	/* the program's data goes to stdout */

/*
 * Start a program: setprog(name), then make its descriptors safe.  A
 * closed standard descriptor is opened on /dev/null, so that no file or
 * socket opened later takes its place and receives data or messages meant
 * for it; with START_STDOUT a closed stdout exits with EX_IOERR instead.
 * A file grown past ulimit -f becomes a write error (EFBIG) to report,
 * not a kill by SIGXFSZ that leaves temporary files behind.  Each line
 * on stderr (up to 64 KiB) goes out in one write(2), whole, so the lines
 * of programs run in parallel never splice.
 */
void	startup(const char *name, int flags);

/* The name set by setprog(); static storage. */
const char *getprog(void);

/*
 * Print a message and exit with status (a <sysexits.h> name).  A format
 * ending in ':' has ": strerror(errno)" appended.
 */
noreturn void die(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * An error a library function returns instead of exiting: the exit
 * status a program should end with (a <sysexits.h> name) and the message,
 * without the program's name.  Zero it before first use.
 */
struct err {
	int	 status;
	char	*msg;
};

/*
 * Set e to status and the message fmt makes, with the ':' rule of die(),
 * replacing what e held.  Returns -1, for "return err_set(...);".
 */
int	err_set(struct err *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Free what e holds; it is zeroed and can be set again. */
void	err_free(struct err *e);

/* Print e's message as die() prints one and exit with e's status. */
noreturn void die_err(const struct err *e);

/*
 * Have die() call fn(arg, status, message) before it exits, the message
 * as printed less the program's name; NULL stops it.  For a program
 * that reports its failure to another one (wire.h).
 */
void	diag_on_die(void (*fn)(void *, int, const char *), void *arg);

/* The last message printed (cut at 1 KiB), "" if none; static storage. */
const char *diag_last(void);

/* Print a warning; the same ':' rule as die(). */
void	warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "rest-NAME VERSION" and exit as finish_stdout() says. */
noreturn void version(void);

/* Flush and close stdout; returns EX_OK, or EX_IOERR after saying why. */
int	finish_stdout(void);

#endif
