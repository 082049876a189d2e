/*
 * err.h: the error a library function hands back to the program that
 * called it, which alone decides to exit: a status and a message.
 */
#ifndef ERR_H
#define ERR_H

struct err {
	int	 status;	/* a <sysexits.h> name */
	char	 msg[512];	/* one line, without the "rest-NAME: " */
};

/*
 * Set e's status and its message, made from fmt as die() makes its own:
 * a format ending in ':' has ": strerror(errno)" appended.  A message
 * longer than msg holds is cut.  Returns -1, for "return err_set(...)".
 */
int	err_set(struct err *e, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
