/* sync.h: what the files of rest-sync share. */
#ifndef SYNC_H
#define SYNC_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/hash.h"
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
	char		*fingerprint;	/* of what it fetches (plan.c) */
	char		*parent;	/* of a child resource, or NULL */
	/*
	 * DIR/.restpipe/TABLE.records: the records of a parent synced in this run,
	 * which its children read (--parents) instead of fetching them.
	 */
	char		*records;	/* a parent's, to write; or NULL */
	char		*parents;	/* a child's, to read; or NULL */
	int		 drive_only;	/* a parent not to sync, only to read */
};

/* plan.c: what a run does, decided before any request. */

/*
 * Resolve the resources named (all of the configuration's when n is 0)
 * into a new array of *nres the caller frees with resources_free().
 * Exits as the contract says when a name is unknown (64), a resource
 * cannot be read or two map to one table (78), before any request.
 */
struct resource *resources_load(const struct sync_opts *,
	    char *const *names, size_t n, size_t *nres);
void	resources_free(struct resource *, size_t);

/*
 * Start a --json line of r in b (emptied first): {"resource":NAME,
 * "table":TABLE,"file":FILE and no closing brace, for the caller's
 * fields.
 */
void	resource_json(const struct resource *r, struct buf *b);

/* The argument vector of a program: NULL-terminated, strings not owned. */
struct cmdline {
	char	*v[32];
	int	 n;
};

/*
 * The command lines of the programs that sync r, as the options o and
 * r's configuration ask: rest-paginate | rest-select for a parent driven
 * only (sync_drive()), or rest-select and rest-merge, each with its
 * report on descriptor 3, and rest-paginate resuming with the option opt
 * and its value val (opt NULL: from the start).  The strings are o's,
 * r's and the arguments'.
 */
void	plan_drive(struct cmdline *paginate, struct cmdline *select,
	    const struct sync_opts *o, const struct resource *r);
void	plan_select(struct cmdline *, const struct sync_opts *o,
	    const struct resource *r);
void	plan_merge(struct cmdline *, const struct sync_opts *o,
	    const struct resource *r, const char *run_id);
void	plan_paginate(struct cmdline *, const struct sync_opts *o,
	    const struct resource *r, const char *opt, const char *val);

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

/*
 * run.c: one resource synced, in a process of its own (its worker):
 * rest-paginate | rest-select | rest-merge started and supervised, the
 * pages spooled (spool.c) on their way.
 */

#define CHUNK		(256 * 1024)	/* read at once */

/*
 * The descriptors of a run: the pages and the report of rest-paginate,
 * the pages to rest-select, a parent's records and their way on to
 * rest-merge, the programs' standard error, the reports of rest-select
 * and rest-merge.
 */
enum {
	PAGES, POSITIONS, TOSELECT, RECORDS, TOMERGE, DIAG, SELREP, MERGEREP,
	NFD
};

/* What a program said on its report (lib/json/wire.h). */
struct heard {
	struct buf	 line;		/* not yet whole */
	struct wire	 end;		/* its "end"; kind WIRE_PAGE before */
	struct wire	 failed;	/* its "fail"; the same */
	struct wire	 last;		/* its last "page" */
	struct wire	 cursor;	/* rest-merge's "cursor" */
	long		 pages;		/* "page" records */
	long		 retries;	/* "retry" records */
};

/* A page end or a position that the other has not yet caught up with. */
struct mark {
	uint64_t	 length, sum;
	char		*position;
};

struct queue {
	struct mark	*v;
	size_t		 head, n, cap;
};

struct run {
	const struct sync_opts	*o;
	const struct resource	*r;
	struct proc_relay rl;		/* the programs' stderr, passed on */
	struct heard	 heard[3];	/* rest-paginate, -select, -merge */
	struct state	 st;
	char		*statepath, *spoolpath, *logpath;
	int		 fd[NFD];
	int		 spool;
	int		 spool_broken;	/* a write to it failed: no more tries */
	int		 log;		/* the page log, appended */
	int		 tee;		/* r->records, or -1 */
	uint64_t	 written;	/* bytes of pages come */
	uint64_t	 flushed;	/* of them, in the spool; the rest in pages */
	uint64_t	 fed;		/* of them, given to rest-select */
	double		 lull;		/* until then, pages are not read */
	struct sum	 sum;		/* of the spool's bytes so far */
	struct queue	 ends, positions;
	long		 fetched_pages;	/* by this run */
	long		 resumed_pages;	/* in the spool when it began */
	int		 resumed;	/* it took up an earlier run's state */
	char		*resumed_from;	/* where, as messages show it */
	int		 dirty;		/* pages logged since the last fsync */
	int		 log_stopped;	/* a page's position could not be */
	double		 started, synced;
	struct buf	 pages, records;
	size_t		 records_off;
	pid_t		 paginate, select, merge;
	int		 pstatus, sstatus, mstatus;
	int		 fetch_done;	/* the pages are all in, or never come */
	int		 committing;	/* rest-merge saw the end of its input */
	int		 aborted;	/* rest-select and rest-merge killed */
	int		 stopped;	/* rest-paginate told to stop */
	struct run_facts f;		/* for the rules of the state */
	int		 dir;		/* r->statedir (lib/base/durable.h), or -1 */
	int		 select_lost;	/* rest-select failed after rest-merge
					   left its input: which failed first
					   is known when rest-merge ends */
	int		 failure;	/* the first failure's exit status */
	const char	*failed;	/* which program failed, or NULL */
	char		*reason;	/* of rest-sync's own failure, or NULL */
	int		 resultfd;	/* to the parent: progress, result */
	double		 told_at;	/* the last progress line */
	struct retries	 rt;		/* rest-paginate's, as they came */
};

/* The name of each program of a run, by its index in heard[]. */
extern const char *const stage_names[3];

/*
 * Note the first failure of the run: status, and who failed (NULL:
 * rest-sync itself, for the reason it has just said).
 */
void	run_fail(struct run *, int status, const char *who);

/* Close the run's descriptor i, if it is open. */
void	run_close_fd(struct run *, int i);

/*
 * Fetch the records of r, a parent not synced itself (selected: false,
 * or not named), into r->records for its children: rest-paginate |
 * rest-select, no table.  Returns the worse exit status of the two.
 */
int	sync_drive(const struct sync_opts *, const struct resource *r);

/*
 * Sync one resource, in a process of its own: returns the exit status,
 * having written its result as a JSON object on a line to resultfd.
 */
int	sync_resource(const struct sync_opts *, const struct resource *,
	    int resultfd);

/*
 * spool.c: the pages of a run kept for a resume, in r->statedir, and
 * what the run takes up of an earlier one.
 */

/* Append a mark to q; position copied.  queue_free() frees them all. */
void	queue_push(struct queue *q, uint64_t length, uint64_t sum,
	    const char *position);
void	queue_free(struct queue *q);

/*
 * Take up the state an earlier run left, if it is still good for the
 * configuration whose fingerprint is fp; else start afresh.  Returns 0
 * or an exit status.
 */
int	spool_prepare(struct run *, const char *fp);

/* Read what rest-paginate wrote of the pages. */
void	spool_read(struct run *);

/*
 * Spool the pages read.  A write that fails ends the fetch (the status
 * noted); the pages logged before it stay good for the next run.
 */
void	spool_write(struct run *);

/* Log each page spooled whose resume position came: resumed after. */
void	spool_match(struct run *);

/* What spool_save() does besides an fsync every SYNC_EVERY seconds. */
#define SAVE_SYNC	1	/* fsync the spool and the page log now */
#define SAVE_STATE	2	/* write the state (fsync'ed with SAVE_SYNC) */

/* Make what the next run resumes from durable, as how says. */
void	spool_save(struct run *, int how);

/* Give rest-select what it has not had of the pages. */
void	spool_feed(struct run *);

/* Remove what the next run would have resumed. */
void	spool_clean(struct run *);

/* 1 if the spool ends with rest-paginate's end of an incremental run. */
int	spool_end_marked(const struct run *);

/* report.c: what a worker tells of its run. */

/*
 * Tell the parent how far the fetch is, for its progress block: now and
 * then, or at once with a retry's wait (w).
 */
void	report_progress(struct run *, const struct wire *w);

/* The result as a JSON object on a line, to the parent and --json. */
void	report_result(struct run *, int status, int resultfd);

/*
 * One line on what became of the resource: a summary unless --json or
 * -s, or what failed and what the next run does.
 */
void	report_summary(struct run *, int status);

/*
 * Keep, for --status, the last failure of the resource, or forget it
 * once it succeeded.
 */
void	report_remember(const struct run *, int status);

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
