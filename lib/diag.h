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
 * not a kill by SIGXFSZ that leaves temporary files behind.
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
 * When set, die() calls this instead of exit(); it must not return.  Only
 * the fuzzing harnesses set it, since they run many inputs in one process.
 */
extern void	(*die_hook)(int status);

/* Print a warning; the same ':' rule as die(). */
void	warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "rest-NAME VERSION" and exit as finish_stdout() says. */
noreturn void version(void);

/* Flush and close stdout; returns EX_OK, or EX_IOERR after saying why. */
int	finish_stdout(void);

#endif
