/* sync.h: what the files of rest-sync share. */
#ifndef SYNC_H
#define SYNC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/proc.h"
#include "json/wire.h"

/*
 * The folder of DIR where the locks and the state of the runs live,
 * removed when a run leaves nothing there.
 */
#define RUN_DIR	".restpipe"

/* The options of a run, as main() read them. */
struct sync_opts {
	const char	*config;	/* -c FILE */
	const char	*dir;		/* -C DIR, "." by default */
	const char	*ext;		/* --format: "jsonl", "csv" or "tsv" */
	long		 jobs;		/* -j N */
	double		 grace;		/* --grace: seconds to stop in */
	const char	*parallel;	/* -P N for rest-paginate, or NULL */
	int		 prune;
	int		 full_refresh;	/* ignore the incremental states */
	int		 json;
	int		 status;
	int		 dry_run;
	int		 verbose;
	int		 silent;
	int		 quiet;		/* -q: no progress */
	int		 progress;	/* --progress: off a terminal too */
};

/* One resource of the configuration, resolved and checked. */
struct resource {
	char		*name;
	char		*table;		/* its table name, normalized */
	char		*file;		/* DIR/TABLE.EXT */
	char		*statedir;	/* DIR/.restpipe/TABLE.sync */
	char		*lockfile;	/* DIR/.restpipe/TABLE.lock */
	char		*rundir;	/* DIR/.restpipe */
	char		*failfile;	/* TABLE.failure, in rundir */
	char		*prefix;	/* "rest-sync: NAME", for messages */
	int		 wd;		/* enum write_disposition */
	int		 prune;		/* --prune applies to it */
	int		 incremental;	/* it loads increments */
	char		*cursor_path;	/* of its incremental, or NULL */
	char		*fingerprint;	/* of what it fetches (resource.c) */
	char		*parent;	/* of a child resource, or NULL */
	/*
	 * DIR/.restpipe/TABLE.records: the records of a parent synced in this run,
	 * which its children read (--parents) instead of fetching them.
	 */
	char		*records;	/* a parent's, to write; or NULL */
	char		*parents;	/* a child's, to read; or NULL */
	int		 drive_only;	/* a parent not to sync, only to read */
};

/* resource.c */

/*
 * Resolve the resources named (all of the configuration's when n is 0)
 * into a new array of *nres the caller frees with resources_free().
 * Exits as the contract says when a name is unknown (64), a resource
 * cannot be read or two map to one table (78), before any request.
 */
struct resource *resources_load(const struct sync_opts *,
	    char *const *names, size_t n, size_t *nres);
void	resources_free(struct resource *, size_t);

/* child.c: the other programs, run with the descriptors given. */

/* The signals a run defers, and SIGCHLD; blocked outside of ppoll(). */
void	signals_init(void);

/* 1 if a child ended since the last call (SIGCHLD came), else 0. */
int	children_ended(void);

/* The mask to wait with in ppoll(): the one before signals_init(). */
const void *signals_waitmask(void);

/*
 * Start argv[0] (lib/base/proc.h finds it) with in, out and err as its
 * standard descriptors (-1: rest-sync's, PROC_NULL: /dev/null) and fd3
 * (when not -1) as descriptor 3, its signals as rest-sync found them,
 * killed if the process that started it dies.  Returns the pid; or 0,
 * the reason said, if it could not run the program.
 */
pid_t	child_start(char *const argv[], int in, int out, int err, int fd3);

/*
 * Hold what is written on stderr from now on, to pass each warning on
 * once only at warnings_release(), as the relay does for the programs'
 * warnings.  Returns what warnings_release() takes.
 */
int	warnings_hold(void);
void	warnings_release(int);

/*
 * Run argv to its end with no input, its standard output into out, its
 * standard error relayed.  Returns its exit status (128 + N when killed
 * by signal N).
 */
int	child_capture(char *const argv[], struct buf *out,
	    struct proc_relay *);

/*
 * state.c: what lets the next run resume, beside the table, and the
 * rules of a run's state (rest-sync(1), THE RUN'S STATE):
 *
 *	(none) --a run begins--> fetching, 0 pages
 *	fetching, k pages --a page in the spool--> fetching, k + 1 pages
 *	fetching --phase_may_commit()--> fetched --rest-merge exits 0,
 *	    having said "end"--> committed: the state removed
 *	fetching, k pages --any other ending--> fetching, k pages
 *	    (resumed after page k); with k = 0, (none)
 *	fetched --any other ending--> fetched (the next run commits the
 *	    spool without a request)
 *
 * A run is fetched only when every page is in the spool and each program
 * that made it ended as it should: rest-paginate exited 0 having said
 * "end" (the last page came) and rest-select the same, rest-merge still
 * waits for the end of its input, no signal came and no write failed.
 * Any other ending (a program killed, never started, or failing; a
 * signal) leaves the run resumable after the last page logged, never
 * fetched: a fetched run is committed as it is, so a partial one would
 * replace a whole table with part of it.
 */

/* How a program of a run ended, as the worker saw it. */
enum stage_end {
	STAGE_NOT_STARTED, STAGE_RUNNING, STAGE_OK, STAGE_FAILED,
	STAGE_KILLED
};

/* What the worker knows of a run, for the rules above. */
struct run_facts {
	enum stage_end	 paginate, select, merge;
	int		 paginate_end;	/* rest-paginate said "end" */
	int		 select_end;	/* rest-select said "end" */
	int		 merge_end;	/* rest-merge said "end": committed */
	int		 fetched;	/* the state said so when it began */
	int		 whole;		/* every page read is in the spool */
	int		 signalled;
	int		 failed;	/* anything else failed: a write */
	long		 pages;		/* logged */
};

enum phase { PHASE_NONE, PHASE_FETCHING, PHASE_FETCHED, PHASE_COMMITTED };

/* 1 if the run may now be marked fetched and rest-merge commit it. */
int	phase_may_commit(const struct run_facts *);

/*
 * The phase a run ends in, marked fetched (by phase_may_commit()) or
 * not: what the state says for the next run.
 */
enum phase phase_after(const struct run_facts *, int marked);

/* state.c: what lets the next run resume, beside the table. */
struct state {
	char		*fingerprint;	/* of the configuration */
	char		*run_id;
	int		 fetched;	/* every page is in the spool */
	long		 pages;		/* whole pages in the spool */
	char		*position;	/* "--offset N", "--next-url URL"..., or NULL */
	uint64_t	 length;	/* bytes of those pages */
	uint64_t	 sum;		/* their checksum */
	char		*started;	/* when the run began, UTC */
	uint64_t	 logend;	/* bytes of the page log read */
};


/*
 * Read the state in the folder dir (lib/base/durable.h; -1: there is none),
 * whose path is where, into st, the page log's last whole line giving
 * the pages of a run not yet fetched.  Returns 1, 0 if there is none, or
 * -1 if it is not a state this program wrote (e set, EX_DATAERR).
 */
int	state_read(struct state *, int dir, const char *where, struct err *e);

/*
 * Replace the state in the folder dir with st (durable_put()); with
 * sync, on the disk before and after.  Returns 0, or -1 with e set
 * (EX_IOERR).
 */
int	state_write(const struct state *, int dir, const char *where, int sync,
	    struct err *e);

/* Append the page log's line for st's last page to b. */
void	state_log(const struct state *, struct buf *b);

void	state_free(struct state *);

/* Append what st waits for, in words: "7 pages fetched, to resume ...". */
void	state_describe(const struct state *st, struct buf *b);

/*
 * A position as messages show it: a link or a cursor may carry the
 * secret (a server that echoes the key into its links), so only its
 * option is shown ("--cursor, not shown").  Static storage, or pos.
 */
const char *state_shown(const char *pos);

/*
 * The option and the value that resume after st's last page, into opt
 * and val: "--offset" "N"; for a link or a cursor, which is never put on
 * a command line, "--next-url" "@WHERE/position", that file (mode 0600)
 * written first in the folder dir.  Returns 0, or -1 with e set
 * (EX_IOERR).
 */
int	state_resume_args(const struct state *st, int dir, const char *where,
	    struct buf *opt, struct buf *val, struct err *e);

/*
 * The record of the last run of a mirror (DIR/.restpipe/last-run) and
 * of a resource's last failure (TABLE.failure there, removed by its next
 * success): key=value lines, for --status.
 */
struct lastrun {
	char	*started, *ended;
	int	 status;
};

struct lastfail {
	char	*at, *stage, *message;
	int	 status;
};

/* Write them durably into the folder rundir; 0 or -1 (said). */
int	lastrun_write(const char *rundir, const struct lastrun *);
int	lastfail_write(const char *rundir, const char *file,
	    const struct lastfail *);

/* Read them: 1, 0 if there is none (or not ours), the struct filled. */
int	lastrun_read(const char *rundir, struct lastrun *);
int	lastfail_read(const char *rundir, const char *file,
	    struct lastfail *);
void	lastrun_free(struct lastrun *);
void	lastfail_free(struct lastfail *);

/* The UTC time now as ISO 8601, "2026-11-26T10:00:00Z", static storage. */
const char *utc_now(void);

/* A new run id, unique to this process and moment; static storage. */
const char *new_run_id(void);

/* report.c: what a person reads of a run, and --json. */

#define RETRY_LINES	64	/* retries said after a failure, at most */

/* The retries of a resource, as rest-paginate's report told them. */
struct retries {
	struct wire_tally by[WIRE_TALLIES];	/* by cause */
	size_t		 nby;
	long		 count;
	double		 longest;	/* wait, seconds */
	struct buf	 lines;		/* the last RETRY_LINES, as retry_line() */
	long		 nlines;
};

/* Count the retry w into r, and keep its line. */
void	retries_add(struct retries *r, const struct wire *w);

void	retries_free(struct retries *r);

/*
 * The retry w in words: "retry 1 of 3 after 503: GET URL; waited 2 s".
 * Static storage.
 */
const char *retry_line(const struct wire *w);

/* Append "12 retries: 9x 503, 3x 429, longest wait 8 s" to b. */
void	retries_describe(const struct retries *r, struct buf *b);

/*
 * The recap at the end of a run, on stderr: a row per resource of r, from
 * its result (a line of --json, or empty when it never ran), and for each
 * failure its reason and the command that resumes or fixes it.
 */
void	recap(const struct sync_opts *o, const struct resource *r, size_t n,
	    const struct buf *results);

/* progress.c: the block a person watches, and the lines said meanwhile. */

struct prog_row {
	const char	*name;
	long long	 records, pages, total;	/* total -1: not known */
	double		 started, waiting;	/* waiting: a retry until */
	int		 running, done;
};

struct progress {
	int		 on, tty;
	int		 drawn;		/* lines of the block on the screen */
	double		 shown_at, started;
	struct prog_row	*rows;
	size_t		 n;
	struct buf	 line;
};

void	progress_init(struct progress *, const struct sync_opts *,
	    const struct resource *, size_t n);
void	progress_free(struct progress *);
/* Resource k began, or ended. */
void	progress_start(struct progress *, size_t k);
void	progress_done(struct progress *, size_t k);
/* Take resource k's progress line (its worker's), and redraw if due. */
void	progress_update(struct progress *, size_t k, const char *line,
	    size_t n);
/* Write the n bytes at s (whole lines) where the block does not hide them. */
void	progress_say(struct progress *, const char *s, size_t n);
/* Draw the block now if it is due, or with force whatever the time. */
void	progress_draw(struct progress *, int force);
/* Take the block off the screen for good. */
void	progress_end(struct progress *);

/* worker.c */

/*
 * Sync one resource, in a process of its own: returns the exit status,
 * having written its result as a JSON object on a line to resultfd.
 */
/*
 * Fetch the records of r, a parent not synced itself (selected: false,
 * or not named), into r->records for its children: rest-paginate |
 * rest-select, no table.  Returns the worse exit status of the two.
 */
int	sync_drive(const struct sync_opts *, const struct resource *r);

int	sync_resource(const struct sync_opts *, const struct resource *,
	    int resultfd);


/* status.c */

/* --status: a line (or JSON object) per resource on stdout. */
int	show_status(const struct sync_opts *, const struct resource *,
	    size_t n);

/* --dry-run: each resource's first request, prefixed by its name. */
int	show_dry_run(const struct sync_opts *, const struct resource *,
	    size_t n);

/* sched.c */

/* Sync every resource, -j at once; returns the exit status. */
int	sync_all(const struct sync_opts *, const struct resource *, size_t n);

/* The more serious of two exit statuses, by the order rest-sync(1) gives. */
int	worse(int a, int b);

#endif
