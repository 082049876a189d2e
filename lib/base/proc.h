/*
 * proc.h: the one supervisor of the programs a restpipe program runs
 * (rest-sync runs the pipeline of each resource; rest-paginate a run for
 * each parent record).  As runit's runsv or s6's supervise: start a
 * program with its descriptors in place and its signals as the
 * supervisor found them, know whether it started at all, relay its
 * standard error a whole line at a time with a label, reap it, and
 * make sure it never outlives the process that started it
 * (PR_SET_PDEATHSIG).
 *
 * The programs are found beside the running executable first
 * (/proc/self/exe), then in PATH: a tree unpacked anywhere, or run as
 * ./bin/rest-sync from cron's PATH, runs its own siblings.
 * RESTPIPE_BINDIR, when set, names the folder to look in first.
 */
#ifndef PROC_H
#define PROC_H

#include <sys/types.h>

#include <signal.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"

#define PROC_BINDIR_ENV	"RESTPIPE_BINDIR"

/*
 * What the supervisor found at its start, for the programs it runs:
 * the signal mask and the dispositions of the signals it then handles
 * itself.  Fill it with proc_init() before changing either.
 */
struct proc_env {
	sigset_t	 mask;
	struct sigaction sig[5];	/* INT, TERM, HUP, PIPE, CHLD */
	char		*dir;		/* where the siblings are, or NULL */
};

void	proc_init(struct proc_env *);
void	proc_env_free(struct proc_env *);

/*
 * The path of the restpipe program name, as proc_start() runs it: in
 * RESTPIPE_BINDIR, else beside this executable if it is there, else
 * name itself for PATH to find.  A new string.
 */
char	*proc_find(const struct proc_env *, const char *name);

#define PROC_NULL	(-2)	/* a descriptor on /dev/null */

/* A program to start. */
struct proc_spec {
	char *const	*argv;		/* argv[0]: the program's name */
	int		 fd[4];		/* its 0 to 3; -1: as the starter's */
	int		 death_signal;	/* when the starter dies; 0: SIGKILL */
	void		(*before_exec)(void *);	/* in the child, or NULL */
	void		*arg;
};

/*
 * Start the program: its descriptors in place, every other descriptor
 * of the starter's closed on exec as they are, its signals as in env,
 * killed with spec->death_signal when the starter dies.  Returns its pid
 * once it runs the program; or -1 with e set ("cannot run rest-merge:
 * No such file or directory", EX_OSERR) if it never did: it then was
 * never started, and is reaped already.
 */
pid_t	proc_start(const struct proc_env *, const struct proc_spec *,
	    struct err *e);

/*
 * fork(2) a process of this program that dies with the starter
 * (death_signal, 0 for SIGKILL).  Returns as fork() does; exits with
 * EX_OSERR if it cannot fork.
 */
pid_t	proc_fork(int death_signal);

/* A pipe whose both ends close on exec; exits with EX_OSERR. */
void	proc_pipe(int fd[2]);

/* Make fd non-blocking. */
void	proc_nonblock(int fd);

/* Reap pid if it ended: 1 with *status its wait status, else 0. */
int	proc_reaped(pid_t pid, int *status);

/* Wait for pid to end; returns its exit status as proc_status() says. */
int	proc_wait(pid_t pid);

/* The exit status a wait status means: 128 + N for a signal N. */
int	proc_status(int wstatus);

/*
 * The children of this process now, as /proc lists them: those it had
 * before it started any (a process substitution of the shell that ran
 * it, say), which are none of its business.  A new array of *n, or NULL.
 */
pid_t	*proc_children(size_t *n);

/*
 * Reap every child of this process that has ended and is not one of
 * before[0..nbefore), and, once deadline (clock_now() seconds) has
 * passed, kill with SIGKILL those that have not; returns when none is
 * left.  For a subreaper (PR_SET_CHILD_SUBREAPER), whose children
 * include the orphans of its children: no process of its run outlives
 * it.
 */
void	proc_reap_all(double deadline, const pid_t *before, size_t nbefore);

/*
 * A child's standard error, passed on a whole line at a time, each line
 * with the label in front ("rest-sync: NAME: ") in one write(2), never
 * read for meaning: what a program tells its starter goes through
 * wire.h.
 */
struct proc_relay {
	const char	*label;		/* "rest-sync: NAME" */
	struct buf	 line;		/* a line not yet whole */
};

void	proc_relay_init(struct proc_relay *, const char *label);
void	proc_relay_free(struct proc_relay *);

/*
 * Read what fd holds now and pass on each whole line (one longer than
 * 64 KiB in pieces).  At the end of input, a last line without its line
 * break goes too.  Returns 0 at the end of input, else 1.
 */
int	proc_relay_read(struct proc_relay *, int fd);

/* Write "LABEL: " and the line made of fmt in one write(2). */
void	proc_say(const char *label, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
