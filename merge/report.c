/*
 * report.c: what rest-merge says.  At a signal that ends the run, from
 * its handler, what the signal left of FILE; at the end, the summary on
 * stderr (the columns the data widened, the incremental state, the
 * counts) and the records of --report.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/atomic.h"
#include "base/diag.h"
#include "base/stop.h"
#include "json/wire.h"
#include "dlt/config.h"
#include "merge.h"
#include "run.h"

/*
 * What a signal handler says when a signal ends the run, built before
 * any signal is caught: write(2) is all it may use.
 */
static char	*said_once, *said_twice;
static size_t	 said_once_len, said_twice_len;
static int	 deferring;		/* SIGINT and SIGTERM end the input */
static volatile sig_atomic_t committed;

void
mark_committed(void)
{
	committed = 1;
}

/* Say, in a signal handler, what the signal that ends the run left. */
static void
on_kill(void)
{
	const char *s = said_once;
	size_t n = said_once_len;
	ssize_t w;

	spill_forget();
	if (committed)
		return;
	if (stop_requested()) {
		s = said_twice;
		n = said_twice_len;
	}
	while (n > 0 && (w = write(STDERR_FILENO, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

/*
 * Reading a pipe, with merge or append, SIGINT and SIGTERM end the input:
 * what the stage before wrote is committed, so that the offset it says to
 * resume from leaves no gap.  A replace never commits part of an input:
 * a signal stops it at once, as it does any run not reading a pipe.
 */
void
catch_signals(const struct opts *o)
{
	int sig;

	said_once = xasprintf("%s: interrupted: %s left as it was%s; rerun "
	    "from the start\n", getprog(), o->file,
	    o->wd == WRITE_REPLACE ? " (a replace commits only a whole input)" :
	    "");
	said_once_len = strlen(said_once);
	said_twice = xasprintf("%s: interrupted again: %s left as it was, so "
	    "a resume offset printed before does not apply; rerun from the "
	    "start\n", getprog(), o->file);
	said_twice_len = strlen(said_twice);
	deferring = o->wd != WRITE_REPLACE && stop_is_pipe(STDIN_FILENO);
	sig = deferring ? 0 : stop_cancel();
	atomic_handlers(on_kill);
	if (sig != 0)
		raise(sig);
}

/* What the summary adds when a signal ended the input, deferred. */
static const char *
interrupted(const struct opts *o)
{
	sigset_t set;

	if (!deferring)
		return "";
	/* Come during the commit, it is still pending. */
	if (stop_requested() == 0 && (sigpending(&set) == -1 ||
	    (sigismember(&set, SIGINT) != 1 &&
	    sigismember(&set, SIGTERM) != 1)))
		return "";
	return o->dry_run ? " (interrupted: counted the records read before "
	    "the input ended)" : " (interrupted: committed the records read "
	    "before the input ended)";
}

/* What became of the incremental state. */
static void
incr_report(const struct opts *o)
{
	const struct incr_run *ir = o->incr;

	if (ir->inc->end != NULL)
		return;
	if (!ir->complete)
		warnmsg("%s: the input did not end with rest-paginate's end "
		    "of a whole run: the incremental state stays at %s",
		    o->file, ir->had && ir->old.last != NULL ? ir->old.last :
		    "its start");
	else if (!o->silent && !o->dry_run)
		warnmsg("%s: incremental state: last %s %s", o->file,
		    ir->inc->cursor_path, ir->last != NULL ? ir->last : "null");
}

/*
 * The counts go in an "end" record, after the incremental state committed
 * in a "cursor" one.
 */
int
report_end(const struct run *r, const struct cmdline *cl, int status)
{
	const struct incr_run *ir = r->o->incr;
	struct wire w;
	int rc = 0;

	if (status != EX_OK || !wire_sink_on(&cl->report))
		return status;
	if (ir != NULL && ir->inc->end == NULL && ir->complete &&
	    !r->already && !r->o->dry_run) {
		wire_init(&w, WIRE_CURSOR, NULL);
		w.cursor_path = (char *)ir->inc->cursor_path;
		w.value = ir->last != NULL ? ir->last : "null";
		rc |= wire_send(&cl->report, &w);
	}
	wire_init(&w, WIRE_END, NULL);
	if (r->already)
		w.already = 1;
	else {
		w.inserted = (long long)r->inserted;
		w.updated = (long long)r->updated;
		w.unchanged = (long long)r->unchanged;
		w.deleted = (long long)r->deleted;
		w.rows = (long long)(r->inserted + r->updated + r->unchanged +
		    r->kept);
	}
	rc |= wire_send(&cl->report, &w);
	if (rc != 0) {
		warnmsg("--report: write failed:");
		return EX_IOERR;
	}
	return status;
}

void
report_run(const struct run *r)
{
	const struct opts *o = r->o;

	if (r->already) {
		if (!o->silent)
			warnmsg("%s: run %s committed it already; nothing "
			    "changed", o->file, o->run_id);
		return;
	}
	if (r->warn_schema)
		warnmsg("%s: no schema %s: the types describe only this run's "
		    "records", o->file, o->schema);
	schema_report(&r->s, o->file);
	if (o->incr != NULL)
		incr_report(o);
	if (!o->silent)
		warnmsg("%s: %lu inserted, %lu updated, %lu deleted, "
		    "%lu unchanged, %lu rows%s", o->file, r->inserted,
		    r->updated, r->deleted, r->unchanged,
		    r->inserted + r->updated + r->unchanged + r->kept,
		    interrupted(o));
}
