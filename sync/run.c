/*
 * run.c: one resource synced, in a process of its own (its worker),
 * which starts rest-paginate | rest-select | rest-merge and supervises
 * them to their end.
 *
 * The pages come through this process, which spools them (spool.c) and
 * passes them on to rest-select, and its records go straight to
 * rest-merge through a pipe that rest-sync holds open as well, without
 * writing to it: rest-merge commits when that pipe ends, so rest-sync
 * lets it end only once every page arrived, rest-select ended well, and
 * the state says "fetched".  On any failure or signal, rest-merge is
 * killed before it saw the end of its input, and nothing is committed.
 * (The records of a parent resource, which its children read too, come
 * through rest-sync instead, which writes them to both.)
 */
#define _GNU_SOURCE
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "base/durable.h"
#include "base/file.h"
#include "base/stop.h"
#include "json/wire.h"
#include "dlt/config.h"
#include "sync.h"

#define RECORDS_HIGH	(4 << 20)	/* records held for rest-merge */
#define PIPE_SIZE	(1 << 20)	/* of the pipes the data goes through */

static pid_t	merge_pid;		/* to kill if this process exits */

static void
kill_merge(void)
{
	if (merge_pid > 0)
		kill(merge_pid, SIGKILL);
}

static char *
path_in(const char *dir, const char *name)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "%s/%s", dir, name);
	return buf_str(&b);
}

void
run_fail(struct run *run, int status, const char *who)
{
	if (run->failure == 0) {
		run->failure = status;
		run->failed = who;
		/* Its own: the reason it has just said. */
		if (who == NULL && *diag_last() != '\0')
			run->reason = xstrdup(diag_last());
	}
}

void
run_close_fd(struct run *run, int i)
{
	if (run->fd[i] >= 0)
		close(run->fd[i]);
	run->fd[i] = -1;
}

/* The program whose report fd i is, and its index in heard[]. */
const char *const stage_names[] = {
	"rest-paginate", "rest-select", "rest-merge"
};

static int
stage_of(int i)
{
	return i == POSITIONS ? 0 : i == SELREP ? 1 : 2;
}

/* One record of stage k's report. */
static void
heard(struct run *run, int k, struct wire *w)
{
	struct heard *h = &run->heard[k];
	struct wire *keep = NULL;
	struct wire_pos pos;

	switch (w->kind) {
	case WIRE_PAGE:
		/*
		 * The position after each page: logged once it is spooled.
		 * One a page, NULL where none is given or none can be logged.
		 */
		if (k == 0)
			queue_push(&run->positions, 0, 0, w->position != NULL &&
			    wire_pos_parse(w->position, &pos) == 0 ?
			    w->position : NULL);
		h->pages++;
		keep = &h->last;
		break;
	case WIRE_RETRY:
		h->retries++;
		retries_add(&run->rt, w);
		/* Said as it happens only with -v; else summed up. */
		if (run->o->verbose && !run->o->silent)
			proc_say(run->r->prefix, "%s", retry_line(w));
		break;
	case WIRE_END:
		keep = &h->end;
		break;
	case WIRE_FAIL:
		keep = &h->failed;
		break;
	case WIRE_CURSOR:
		keep = &h->cursor;
		break;
	}
	if (keep == NULL) {
		if (k == 0)
			report_progress(run, w);
		wire_free(w);
		return;
	}
	wire_free(keep);
	*keep = *w;
	if (k == 0 && w->kind == WIRE_PAGE)
		report_progress(run, w);
}

/*
 * Read what the report of fd i holds now, each whole line a record.  A
 * line that is not one is a program that does not speak lib/wire: a
 * failure of rest-sync's (70), for nothing it says can be trusted.
 */
static void
read_report(struct run *run, int i)
{
	int k = stage_of(i);
	struct buf *b = &run->heard[k].line;
	char chunk[8192], *nl;
	struct err e = { 0 };
	struct wire w;
	ssize_t got;
	size_t start = 0;

	got = read(run->fd[i], chunk, sizeof(chunk));
	if (got == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		run_close_fd(run, i);
		return;
	}
	buf_add(b, chunk, (size_t)got);
	while ((nl = memchr(b->data + start, '\n', b->len - start)) != NULL) {
		if (wire_parse(b->data + start, (size_t)(nl + 1 - (b->data +
		    start)), &w, &e) == -1) {
			warnmsg("%s: %s", stage_names[k], e.msg);
			err_free(&e);
			run_fail(run, EX_SOFTWARE, stage_names[k]);
		} else
			heard(run, k, &w);
		start = (size_t)(nl - b->data) + 1;
	}
	memmove(b->data, b->data + start, b->len - start);
	b->len -= start;
}

/* A parent's records, for rest-merge and for its children. */
static void
read_records(struct run *run)
{
	struct buf *b = &run->records;
	ssize_t got;

	if (run->records_off > 0 && run->records_off == b->len) {
		b->len = 0;
		run->records_off = 0;
	}
	buf_grow(b, CHUNK);
	got = read(run->fd[RECORDS], b->data + b->len, CHUNK);
	if (got == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		run_close_fd(run, RECORDS);
		return;
	}
	b->len += (size_t)got;
}

static void
write_records(struct run *run)
{
	struct buf *b = &run->records;
	ssize_t w;

	w = write(run->fd[TOMERGE], b->data + run->records_off, b->len -
	    run->records_off);
	if (w > 0 && fd_write(run->tee, b->data +
	    run->records_off, (size_t)w) == -1) {
		warnmsg("%s: write failed:", run->r->records);
		run_fail(run, EX_IOERR, NULL);
	}
	if (w > 0)
		run->records_off += (size_t)w;
	else if (w == -1 && errno != EAGAIN && errno != EINTR)
		run_close_fd(run, TOMERGE);	/* rest-merge is gone */
	if (run->records_off > CHUNK && run->records_off * 2 > b->len) {
		memmove(b->data, b->data + run->records_off, b->len -
		    run->records_off);
		b->len -= run->records_off;
		run->records_off = 0;
	}
}

/*
 * Stop rest-paginate after the page it is at, and kill rest-select and
 * rest-merge: rest-merge has not seen the end of its input, so it dies
 * without committing anything.
 */
static void
abort_load(struct run *run)
{
	/*
	 * Its own signal, which it may have had from the terminal too
	 * (the same twice at once is one stop); SIGTERM for the rest.
	 */
	if (run->paginate > 0 && !run->stopped) {
		run->stopped = 1;
		kill(run->paginate, stop_requested() == SIGINT ? SIGINT :
		    SIGTERM);
	}
	if (run->aborted || run->committing)
		return;
	run->aborted = 1;
	if (run->select > 0)
		kill(run->select, SIGKILL);
	if (run->merge > 0)
		kill(run->merge, SIGKILL);
	run_close_fd(run, TOSELECT);
}

/* 1 if rest-merge closed its input: the pipe to it has no reader. */
static int
merge_input_gone(const struct run *run)
{
	struct pollfd p = { .fd = run->fd[TOMERGE], .events = POLLOUT };

	return p.fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLERR);
}

/* How a program that ended did, by its wait status. */
static enum stage_end
ended(int wstatus)
{
	if (WIFSIGNALED(wstatus))
		return STAGE_KILLED;
	return proc_status(wstatus) == 0 ? STAGE_OK : STAGE_FAILED;
}

static void
reap(struct run *run)
{
	int lost;

	if (proc_reaped(run->paginate, &run->pstatus)) {
		run->paginate = 0;
		run->f.paginate = ended(run->pstatus);
		if (proc_status(run->pstatus) != 0)
			run_fail(run, proc_status(run->pstatus),
			    "rest-paginate");
	}
	if (proc_reaped(run->merge, &run->mstatus)) {
		run->merge = merge_pid = 0;
		run->f.merge = ended(run->mstatus);
		lost = run->select_lost;
		run->select_lost = 0;
		if (proc_status(run->mstatus) != 0 && !run->aborted)
			run_fail(run, proc_status(run->mstatus), "rest-merge");
		else if (!run->committing && !run->aborted)
			run_fail(run, EX_SOFTWARE, "rest-merge");
		if (lost)
			run_fail(run, proc_status(run->sstatus), "rest-select");
	}
	/*
	 * rest-select writing to a rest-merge that left dies of that: the
	 * failure is rest-merge's, whose status may come later.
	 */
	if (proc_reaped(run->select, &run->sstatus)) {
		run->select = 0;
		run->f.select = ended(run->sstatus);
		if (proc_status(run->sstatus) != 0 && !run->aborted) {
			if (run->merge > 0 && run->tee < 0 &&
			    merge_input_gone(run))
				run->select_lost = 1;
			else
				run_fail(run, proc_status(run->sstatus),
				    "rest-select");
		}
	}
}

/*
 * Every page and record is in: if the rules of the state allow it
 * (phase_may_commit()), say so in the state and end the input of
 * rest-merge, which then commits; else stop the run, resumable.
 */
static void
commit(struct run *run)
{
	run->f.paginate_end = run->heard[0].end.kind == WIRE_END;
	run->f.select_end = run->heard[1].end.kind == WIRE_END;
	run->f.whole = run->flushed == run->written;
	run->f.signalled = stop_requested() != 0;
	run->f.failed = run->failure != 0;
	if (!phase_may_commit(&run->f)) {
		abort_load(run);
		return;
	}
	run->st.fetched = 1;
	run->st.pages = run->resumed_pages + run->fetched_pages;
	run->st.length = run->written;
	run->st.sum = sum_value(&run->sum);
	spool_save(run, SAVE_STATE);
	if (run->failure != 0) {
		abort_load(run);
		return;
	}
	run->committing = 1;
	run_close_fd(run, TOMERGE);
}

/* What happened decides what comes next. */
static void
advance(struct run *run)
{
	if (stop_requested())
		abort_load(run);
	if (!run->fetch_done && run->paginate == 0 &&
	    run->fd[PAGES] < 0 && run->fd[POSITIONS] < 0) {
		run->fetch_done = 1;
		spool_write(run);
		spool_match(run);
		if (run->failure != 0 || stop_requested())
			spool_save(run, SAVE_SYNC);
	}
	if (run->failure != 0)
		abort_load(run);
	if (run->fetch_done && !run->aborted && run->fed == run->written)
		run_close_fd(run, TOSELECT);
	if (run->fetch_done && !run->aborted && !run->committing &&
	    run->select == 0 && !run->select_lost && run->fd[RECORDS] < 0 &&
	    run->fd[SELREP] < 0 && run->records_off == run->records.len)
		commit(run);
	if (run->aborted) {
		run_close_fd(run, RECORDS);
		if (run->merge == 0)
			run_close_fd(run, TOMERGE);
	}
}

static int
busy(const struct run *run)
{
	int i;

	for (i = 0; i < NFD; i++)
		if (run->fd[i] >= 0)
			return 1;
	return run->paginate > 0 || run->select > 0 || run->merge > 0;
}

/* One turn of the loop: wait for something to do, and do it. */
static void
turn(struct run *run)
{
	struct pollfd p[NFD];
	struct timespec timeout;
	double now = clock_now(), until = 0, wait;
	int i, n;

	for (i = 0; i < NFD; i++) {
		p[i].fd = run->fd[i];
		p[i].events = POLLIN;
	}
	p[TOSELECT].events = POLLOUT;
	if (run->fed == run->written)
		p[TOSELECT].fd = -1;
	if (now < run->lull && !stop_requested()) {
		p[PAGES].fd = p[POSITIONS].fd = -1;
		until = run->lull;
	}
	wait = until > now ? until - now : 0;
	timeout.tv_sec = (time_t)wait;
	timeout.tv_nsec = (long)((wait - (double)timeout.tv_sec) * 1e9);
	if (run->records.len - run->records_off >= RECORDS_HIGH)
		p[RECORDS].fd = -1;
	p[TOMERGE].events = POLLOUT;
	if (run->records_off == run->records.len || run->aborted)
		p[TOMERGE].fd = -1;
	/* Signals and ended children come only while it waits. */
	n = ppoll(p, NFD, until > 0 ? &timeout : NULL, signals_waitmask());
	if (children_ended())
		reap(run);
	if (n == -1) {
		if (errno != EINTR)
			die(EX_OSERR, "poll:");
		return;
	}
	if (p[DIAG].revents != 0 && proc_relay_read(&run->rl,
	    run->fd[DIAG]) == 0)
		run_close_fd(run, DIAG);
	if (p[SELREP].revents != 0)
		read_report(run, SELREP);
	if (p[MERGEREP].revents != 0)
		read_report(run, MERGEREP);
	if (p[PAGES].revents != 0)
		spool_read(run);
	if (p[POSITIONS].revents != 0)
		read_report(run, POSITIONS);
	/* Pages go on to rest-select as they come: from memory, mostly. */
	if (p[TOSELECT].revents & (POLLERR | POLLHUP))
		run_close_fd(run, TOSELECT);
	else if (run->fd[TOSELECT] >= 0 && run->fed < run->written &&
	    !run->aborted)
		spool_feed(run);
	spool_write(run);
	spool_match(run);
	spool_save(run, 0);
	if (p[RECORDS].revents != 0)
		read_records(run);
	if (p[TOMERGE].revents & (POLLERR | POLLHUP))
		run_close_fd(run, TOMERGE);
	else if (p[TOMERGE].revents != 0)
		write_records(run);
}

int
sync_drive(const struct sync_opts *o, const struct resource *r)
{
	struct cmdline pa, sa;
	int p[2], out, s1, s2;
	pid_t pg, sel;

	setprog(r->prefix);
	if ((out = open(r->records, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		warnmsg("%s: cannot create:", r->records);
		return EX_CANTCREAT;
	}
	proc_pipe(p);
	plan_drive(&pa, &sa, o, r);
	pg = child_start(pa.v, PROC_NULL, p[1], -1, -1);
	sel = child_start(sa.v, p[0], out, -1, -1);
	close(p[0]);
	close(p[1]);
	close(out);
	s1 = pg > 0 ? proc_wait(pg) : EX_OSERR;
	s2 = sel > 0 ? proc_wait(sel) : EX_OSERR;
	return s1 != 0 ? s1 : s2;
}

/*
 * Start rest-select and rest-merge, their standard error diag, the
 * output of rest-merge null (/dev/null).
 */
static void
start_select_merge(struct run *run, int null, int diag)
{
	struct cmdline a;
	int sel[2], rec[2], mrg[2], srep[2], mrep[2];

	proc_pipe(sel);
	proc_pipe(mrg);
	proc_pipe(srep);
	proc_pipe(mrep);
	/* A parent's records come through this process, for its children. */
	if (run->tee >= 0)
		proc_pipe(rec);
	else
		rec[0] = -1, rec[1] = mrg[1];
	plan_select(&a, run->o, run->r);
	run->f.fetched = run->st.fetched;
	if ((run->select = child_start(a.v, sel[0], rec[1], diag,
	    srep[1])) == 0)
		run_fail(run, EX_OSERR, "rest-select");
	else
		run->f.select = STAGE_RUNNING;
	plan_merge(&a, run->o, run->r, run->st.run_id);
	if ((run->merge = merge_pid = child_start(a.v, mrg[0], null, diag,
	    mrep[1])) == 0)
		run_fail(run, EX_OSERR, "rest-merge");
	else
		run->f.merge = STAGE_RUNNING;
	run->fd[TOSELECT] = sel[1];
	run->fd[RECORDS] = rec[0];
	run->fd[TOMERGE] = mrg[1];	/* rest-merge's input ends with it */
	run->fd[SELREP] = srep[0];
	run->fd[MERGEREP] = mrep[0];
	close(sel[0]);
	if (run->tee >= 0)
		close(rec[1]);
	close(mrg[0]);
	close(srep[1]);
	close(mrep[1]);
}

/* Start rest-paginate, resuming with opt and val unless opt is NULL. */
static void
start_paginate(struct run *run, int null, int diag, const char *opt,
    const char *val)
{
	struct cmdline a;
	int pages[2], pos[2];

	proc_pipe(pages);
	proc_pipe(pos);
	plan_paginate(&a, run->o, run->r, opt, val);
	if ((run->paginate = child_start(a.v, null, pages[1], diag,
	    pos[1])) == 0)
		run_fail(run, EX_OSERR, "rest-paginate");
	else
		run->f.paginate = STAGE_RUNNING;
	run->fd[PAGES] = pages[0];
	run->fd[POSITIONS] = pos[0];
	close(pages[1]);
	close(pos[1]);
}

/* The descriptors of the run as the loop reads and writes them. */
static void
tune(struct run *run)
{
	int i;

	for (i = 0; i < NFD; i++) {
		if (run->fd[i] < 0)
			continue;
		/* Not rest-select's own output, which this shares. */
		if (i != TOMERGE || run->tee >= 0)
			proc_nonblock(run->fd[i]);
		/* Fewer, larger transfers: each wake-up of a relay costs. */
		if (i != DIAG && i != SELREP && i != MERGEREP)
			fcntl(run->fd[i], F_SETPIPE_SZ, PIPE_SIZE);
	}
}

/* Start the three programs, joined through this process. */
static void
start(struct run *run)
{
	struct buf opt, val;
	struct err e = { 0 };
	int null, diag[2];

	/*
	 * Before any program starts: rest-merge would commit what it had if
	 * this process ended.  A link or a cursor goes through a file.
	 */
	buf_init(&opt, 0);
	buf_init(&val, 0);
	if (!run->st.fetched && run->st.position != NULL &&
	    state_resume_args(&run->st, run->dir, run->r->statedir, &opt,
	    &val, &e) == -1)
		die_err(&e);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		die(EX_OSERR, "/dev/null:");
	proc_pipe(diag);
	start_select_merge(run, null, diag[1]);
	/* A program that could not start: none fetches for nothing. */
	if (!run->st.fetched && run->failure == 0)
		start_paginate(run, null, diag[1], opt.len > 0 ? opt.data :
		    NULL, val.data);
	buf_free(&opt);
	buf_free(&val);
	run->fd[DIAG] = diag[0];
	close(diag[1]);
	close(null);
	tune(run);
}

/* Load the resource with everything set up; returns the exit status. */
static int
load(struct run *run)
{
	int i;

	for (i = 0; i < NFD; i++)
		run->fd[i] = -1;
	/* A signal come before the programs start: none starts. */
	if (stop_requested()) {
		run->failure = 128 + stop_requested();
		if (run->st.pages == 0 && !run->st.fetched)
			spool_clean(run);
		return run->failure;
	}
	start(run);
	for (;;) {
		advance(run);
		if (!busy(run))
			break;
		turn(run);
	}
	if (run->failure == 0 && stop_requested() && !run->committing)
		run->failure = 128 + stop_requested();
	run->f.paginate_end = run->heard[0].end.kind == WIRE_END;
	run->f.select_end = run->heard[1].end.kind == WIRE_END;
	run->f.merge_end = run->heard[2].end.kind == WIRE_END;
	if (run->failure == 0 && !run->f.merge_end)
		run_fail(run, EX_SOFTWARE, "rest-merge");
	run->f.pages = run->st.pages;
	switch (phase_after(&run->f, run->committing)) {
	case PHASE_COMMITTED:
		spool_clean(run);
		return 0;
	case PHASE_NONE:
		spool_clean(run);
		return run->failure;
	default:
		break;
	}
	/*
	 * A resumed run that rest-paginate found the data changed under (65:
	 * a parent record came or went before the position, say) would fail
	 * the same way again; starting over is never wrong.
	 */
	if (run->resumed && run->failure == EX_DATAERR && run->failed != NULL &&
	    strcmp(run->failed, "rest-paginate") == 0) {
		warnmsg("%s: the pending run %s cannot be resumed: discarded; "
		    "the next run starts over", run->r->file, run->st.run_id);
		spool_clean(run);
		return run->failure;
	}
	return run->failure;
}

static void
run_free(struct run *run)
{
	int i;

	if (run->tee >= 0)
		close(run->tee);
	queue_free(&run->ends);
	queue_free(&run->positions);
	buf_free(&run->pages);
	buf_free(&run->records);
	for (i = 0; i < 3; i++) {
		buf_free(&run->heard[i].line);
		wire_free(&run->heard[i].end);
		wire_free(&run->heard[i].failed);
		wire_free(&run->heard[i].last);
		wire_free(&run->heard[i].cursor);
	}
	proc_relay_free(&run->rl);
	retries_free(&run->rt);
	free(run->reason);
	free(run->resumed_from);
	state_free(&run->st);
	free(run->statepath);
	free(run->spoolpath);
	free(run->logpath);
	if (run->spool >= 0)
		close(run->spool);
	if (run->log >= 0)
		close(run->log);
	if (run->dir >= 0)
		close(run->dir);
}

int
sync_resource(const struct sync_opts *o, const struct resource *r,
    int resultfd)
{
	struct run run;
	struct err e = { 0 };
	int status, lock = -1, i;

	memset(&run, 0, sizeof(run));
	run.spool = run.log = run.tee = run.dir = -1;
	run.resultfd = resultfd;
	run.o = o;
	run.r = r;
	run.started = clock_now();
	proc_relay_init(&run.rl, r->prefix);
	for (i = 0; i < 3; i++) {
		buf_init(&run.heard[i].line, 0);
		wire_init(&run.heard[i].end, WIRE_PAGE, NULL);
		wire_init(&run.heard[i].failed, WIRE_PAGE, NULL);
		wire_init(&run.heard[i].last, WIRE_PAGE, NULL);
		wire_init(&run.heard[i].cursor, WIRE_PAGE, NULL);
	}
	run.statepath = path_in(r->statedir, "state");
	run.spoolpath = path_in(r->statedir, "spool");
	run.logpath = path_in(r->statedir, "pages");
	setprog(r->prefix);
	signal(SIGPIPE, SIG_IGN);
	atexit(kill_merge);
	if ((lock = durable_trylock(r->lockfile, &e)) == -1 ||
	    (run.dir = durable_dir(r->statedir, 1, &e)) == -1) {
		warnmsg("%s", e.msg);
		status = e.status;
		err_free(&e);
	} else if (r->records != NULL && (run.tee = open(r->records,
	    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1) {
		/* Under the lock: the records its children read are its own. */
		warnmsg("%s: cannot create:", r->records);
		status = EX_CANTCREAT;
	} else if ((status = spool_prepare(&run, r->fingerprint)) == 0) {
		status = load(&run);
	}
	report_summary(&run, status);
	report_result(&run, status, resultfd);
	/* Not a table another run holds: its record is that run's. */
	if (lock >= 0)
		report_remember(&run, status);
	run_free(&run);
	durable_unlock(lock, r->lockfile);
	return status;
}
