/*
 * worker.c: one resource synced, in a process of its own.
 *
 * The pages rest-paginate writes come to rest-sync through a pipe, and
 * rest-sync appends them to the spool, DIR/.TABLE.sync/spool, as it reads
 * them (a wake-up every LINGER seconds at most, so that several pages
 * come in one read and one write).  After each page, rest-paginate says
 * on --position-fd how to resume after it, and once the page is in the
 * spool, rest-sync records that position, with the length and checksum
 * of the spool up to that page, in DIR/.TABLE.sync/pages and
 * DIR/.TABLE.sync/state.
 *
 * The pages go on to rest-select as they come, and its records straight
 * to rest-merge through a pipe that rest-sync holds open as well, without
 * writing to it: rest-merge commits when that pipe ends, so rest-sync
 * lets it end only once every page arrived, rest-select ended well, and
 * the state says "fetched".  On any failure or signal, rest-merge is
 * killed before it saw the end of its input, and nothing is committed.
 * (The records of a parent resource, which its children read too, come
 * through rest-sync instead, which writes them to both.)
 *
 * A run that finds a state resumes: the spool up to the length recorded
 * (checked against the checksum) goes to rest-select again, and
 * rest-paginate goes on from the position recorded.  After the commit,
 * the spool and state are removed; a crash before that is harmless, as
 * rest-merge --run-id skips a commit it already made.
 */
#define _GNU_SOURCE
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "dlt/config.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/durable.h"
#include "base/hash.h"
#include "dlt/incr.h"
#include "json/json.h"
#include "base/stop.h"
#include "sync.h"
#include "json/wire.h"

#define CHUNK		(256 * 1024)	/* read at once */
#define LINGER		0.001		/* seconds pages gather in their pipe */
#define RECORDS_HIGH	(4 << 20)	/* records held for rest-merge */
#define SYNC_EVERY	10.0		/* seconds between fsyncs of the spool */
#define PIPE_SIZE	(1 << 20)	/* of the pipes the data goes through */

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

static void
fail(struct run *run, int status, const char *who)
{
	if (run->failure == 0) {
		run->failure = status;
		run->failed = who;
		/* Its own: the reason it has just said. */
		if (who == NULL && *diag_last() != '\0')
			run->reason = xstrdup(diag_last());
	}
}

static void
push(struct queue *q, uint64_t length, uint64_t sum, const char *position)
{
	struct mark *m;

	if (q->head > 0 && q->head == q->n) {
		q->head = q->n = 0;
	}
	if (q->n == q->cap) {
		q->cap = q->cap == 0 ? 16 : q->cap * 2;
		q->v = xrealloc(q->v, q->cap * sizeof(*q->v));
	}
	m = &q->v[q->n++];
	m->length = length;
	m->sum = sum;
	m->position = position != NULL ? xstrdup(position) : NULL;
}

/*
 * Match each page end with the position rest-paginate told after that
 * page, and log each page so matched: the next run resumes after the
 * last one logged.  One write(2) for them all.
 */
static void
match(struct run *run)
{
	struct mark *e, *p;
	struct buf lines;
	ssize_t w;

	buf_init(&lines, 0);
	while (run->ends.head < run->ends.n &&
	    run->positions.head < run->positions.n &&
	    run->ends.v[run->ends.head].length <= run->flushed) {
		e = &run->ends.v[run->ends.head++];
		p = &run->positions.v[run->positions.head++];
		/*
		 * A position no line can hold (a cursor with a line break):
		 * no page after it is logged, and a run interrupted from now
		 * on resumes after the last one that was.
		 */
		if (p->position == NULL || run->log_stopped) {
			if (!run->log_stopped)
				warnmsg("warning: page %ld: its resume position "
				    "holds a line break: an interrupted run "
				    "resumes after page %ld", run->st.pages + 1,
				    run->st.pages);
			run->log_stopped = 1;
			free(p->position);
			p->position = NULL;
			continue;
		}
		run->st.pages++;
		run->st.length = e->length;
		run->st.sum = e->sum;
		free(run->st.position);
		run->st.position = p->position;
		p->position = NULL;
		state_log(&run->st, &lines);
	}
	if (lines.len > 0) {
		while ((w = write(run->log, lines.data, lines.len)) == -1 &&
		    errno == EINTR)
			;
		if (w != (ssize_t)lines.len) {
			warnmsg("%s: write failed:", run->logpath);
			fail(run, EX_IOERR, NULL);
		}
		run->dirty = 1;
	}
	buf_free(&lines);
}

/*
 * Write the pages read to the spool.  Returns 0, or -1 with the reason
 * said; what was written is out of pages either way.
 */
static int
spool_flush(struct run *run)
{
	struct buf *b = &run->pages;
	size_t i;
	ssize_t w;

	for (i = 0; i < b->len; i += (size_t)w)
		if ((w = write(run->spool, b->data + i, b->len - i)) == -1) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			warnmsg("%s: write failed:", run->spoolpath);
			break;
		}
	run->flushed += i;
	memmove(b->data, b->data + i, b->len - i);
	b->len -= i;
	return b->len == 0 ? 0 : -1;
}

/* Take n bytes of pages into pages, noting where pages end. */
static void
take_pages(struct run *run, size_t n)
{
	const char *p = run->pages.data + run->pages.len, *nl, *end = p + n;

	run->pages.len += n;
	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		sum_add(&run->sum, p, (size_t)(nl + 1 - p));
		run->written += (uint64_t)(nl + 1 - p);
		p = nl + 1;
		push(&run->ends, run->written, sum_value(&run->sum), NULL);
		run->fetched_pages++;
	}
	sum_add(&run->sum, p, (size_t)(end - p));
	run->written += (uint64_t)(end - p);
}

static void
close_fd(struct run *run, int i)
{
	if (run->fd[i] >= 0)
		close(run->fd[i]);
	run->fd[i] = -1;
}

static void
read_pages(struct run *run)
{
	ssize_t got;

	buf_grow(&run->pages, CHUNK);
	got = read(run->fd[PAGES], run->pages.data + run->pages.len, CHUNK);
	if (got == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		close_fd(run, PAGES);
		return;
	}
	take_pages(run, (size_t)got);
	/*
	 * A wake-up for each page and each position costs more than the
	 * copies: let a few gather in the pipes first.
	 */
	run->lull = clock_now() + LINGER;
}

/*
 * Spool the pages read.  A write that fails ends the fetch; the pages
 * logged before it stay good for the next run.
 */
static void
spool(struct run *run)
{
	if (run->pages.len == 0 || run->spool_broken)
		return;
	if (spool_flush(run) == -1) {
		run->spool_broken = 1;
		fail(run, EX_IOERR, NULL);
		close_fd(run, PAGES);
		if (run->paginate > 0)
			kill(run->paginate, SIGTERM);
	}
}

/* What save() does besides an fsync every SYNC_EVERY seconds. */
#define SAVE_SYNC	1	/* fsync the spool and the page log now */
#define SAVE_STATE	2	/* write the state (fsync'ed with SAVE_SYNC) */

/*
 * Make what the next run resumes from durable.  The checksums make it
 * safe without: a spool that lost its last pages to a power loss is
 * discarded.  So a run that succeeds does not wait for its spool to reach
 * the disk; one that stops has it sync'ed, and so does a long one now and
 * then, to lose little.
 */
static void
save(struct run *run, int how)
{
	struct err e = { 0 };
	int sync = how & SAVE_SYNC;

	if (run->dirty && clock_now() - run->synced >= SYNC_EVERY)
		sync = 1;
	if (sync) {
		spool(run);
		match(run);
	}
	if (sync && (fsync(run->spool) == -1 || (run->log >= 0 &&
	    fsync(run->log) == -1))) {
		warnmsg("%s: cannot sync:", run->r->statedir);
		fail(run, EX_IOERR, NULL);
		return;
	}
	if (sync) {
		run->synced = clock_now();
		run->dirty = 0;
	}
	if ((how & SAVE_STATE) && state_write(&run->st, run->dir,
	    run->r->statedir, sync, &e) == -1) {
		warnmsg("%s", e.msg);
		err_free(&e);
		fail(run, EX_IOERR, NULL);
	}
}

/* The program whose report fd i is, and its index in heard[]. */
static const char *const stages[] = {
	"rest-paginate", "rest-select", "rest-merge"
};

static int
stage_of(int i)
{
	return i == POSITIONS ? 0 : i == SELREP ? 1 : 2;
}

/*
 * Tell the parent how far the fetch is, for its progress block: now and
 * then, or at once with a retry's wait.
 */
static void
tell_progress(struct run *run, const struct wire *w)
{
	const struct wire *last = &run->heard[0].last;
	struct buf b;

	if (w->kind != WIRE_RETRY && clock_now() - run->told_at < 0.2)
		return;
	run->told_at = clock_now();
	buf_init(&b, 0);
	buf_printf(&b, "{\"progress\":{\"records\":%lld,\"pages\":%lld",
	    last->records > 0 ? last->records : 0, (last->pages > 0 ?
	    last->pages : 0) + run->resumed_pages);
	if (last->total >= 0)
		buf_printf(&b, ",\"total\":%lld", last->total);
	if (w->kind == WIRE_RETRY && w->wait > 0)
		buf_printf(&b, ",\"wait\":%.0f", w->wait);
	buf_adds(&b, "}}\n");
	(void)fd_write(run->resultfd, b.data, b.len);
	buf_free(&b);
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
			push(&run->positions, 0, 0, w->position != NULL &&
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
			tell_progress(run, w);
		wire_free(w);
		return;
	}
	wire_free(keep);
	*keep = *w;
	if (k == 0 && w->kind == WIRE_PAGE)
		tell_progress(run, w);
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
		close_fd(run, i);
		return;
	}
	buf_add(b, chunk, (size_t)got);
	while ((nl = memchr(b->data + start, '\n', b->len - start)) != NULL) {
		if (wire_parse(b->data + start, (size_t)(nl + 1 - (b->data +
		    start)), &w, &e) == -1) {
			warnmsg("%s: %s", stages[k], e.msg);
			err_free(&e);
			fail(run, EX_SOFTWARE, stages[k]);
		} else
			heard(run, k, &w);
		start = (size_t)(nl - b->data) + 1;
	}
	memmove(b->data, b->data + start, b->len - start);
	b->len -= start;
}

/*
 * Give rest-select what it has not had of the pages: from those just
 * read, else from the spool.
 */
static void
feed(struct run *run)
{
	char chunk[65536];
	off_t off = (off_t)run->fed;
	size_t n = run->flushed - run->fed;
	ssize_t got, w;

	if (run->fed >= run->flushed) {
		w = write(run->fd[TOSELECT], run->pages.data + (run->fed -
		    run->flushed), run->written - run->fed);
		if (w > 0)
			run->fed += (uint64_t)w;
		else if (w == -1 && errno != EAGAIN && errno != EINTR)
			close_fd(run, TOSELECT);	/* rest-select is gone */
		return;
	}
	if ((w = sendfile(run->fd[TOSELECT], run->spool, &off, n)) > 0) {
		run->fed += (uint64_t)w;
		return;
	}
	if (w == -1 && errno == EAGAIN)
		return;
	/* A kernel that cannot send a file into a pipe. */
	if (n > sizeof(chunk))
		n = sizeof(chunk);
	if ((got = pread(run->spool, chunk, n, (off_t)run->fed)) <= 0) {
		warnmsg("%s: read failed:", run->spoolpath);
		fail(run, EX_IOERR, NULL);
		return;
	}
	if ((w = write(run->fd[TOSELECT], chunk, (size_t)got)) > 0)
		run->fed += (uint64_t)w;
	else if (w == -1 && errno != EAGAIN && errno != EINTR)
		close_fd(run, TOSELECT);	/* rest-select is gone */
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
		close_fd(run, RECORDS);
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
		fail(run, EX_IOERR, NULL);
	}
	if (w > 0)
		run->records_off += (size_t)w;
	else if (w == -1 && errno != EAGAIN && errno != EINTR)
		close_fd(run, TOMERGE);	/* rest-merge is gone */
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
	close_fd(run, TOSELECT);
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
			fail(run, proc_status(run->pstatus), "rest-paginate");
	}
	if (proc_reaped(run->merge, &run->mstatus)) {
		run->merge = merge_pid = 0;
		run->f.merge = ended(run->mstatus);
		lost = run->select_lost;
		run->select_lost = 0;
		if (proc_status(run->mstatus) != 0 && !run->aborted)
			fail(run, proc_status(run->mstatus), "rest-merge");
		else if (!run->committing && !run->aborted)
			fail(run, EX_SOFTWARE, "rest-merge");
		if (lost)
			fail(run, proc_status(run->sstatus), "rest-select");
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
				fail(run, proc_status(run->sstatus), "rest-select");
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
	save(run, SAVE_STATE);
	if (run->failure != 0) {
		abort_load(run);
		return;
	}
	run->committing = 1;
	close_fd(run, TOMERGE);
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
		spool(run);
		match(run);
		if (run->failure != 0 || stop_requested())
			save(run, SAVE_SYNC);
	}
	if (run->failure != 0)
		abort_load(run);
	if (run->fetch_done && !run->aborted && run->fed == run->written)
		close_fd(run, TOSELECT);
	if (run->fetch_done && !run->aborted && !run->committing &&
	    run->select == 0 && !run->select_lost && run->fd[RECORDS] < 0 &&
	    run->fd[SELREP] < 0 && run->records_off == run->records.len)
		commit(run);
	if (run->aborted) {
		close_fd(run, RECORDS);
		if (run->merge == 0)
			close_fd(run, TOMERGE);
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
		close_fd(run, DIAG);
	if (p[SELREP].revents != 0)
		read_report(run, SELREP);
	if (p[MERGEREP].revents != 0)
		read_report(run, MERGEREP);
	if (p[PAGES].revents != 0)
		read_pages(run);
	if (p[POSITIONS].revents != 0)
		read_report(run, POSITIONS);
	/* Pages go on to rest-select as they come: from memory, mostly. */
	if (p[TOSELECT].revents & (POLLERR | POLLHUP))
		close_fd(run, TOSELECT);
	else if (run->fd[TOSELECT] >= 0 && run->fed < run->written &&
	    !run->aborted)
		feed(run);
	spool(run);
	match(run);
	save(run, 0);
	if (p[RECORDS].revents != 0)
		read_records(run);
	if (p[TOMERGE].revents & (POLLERR | POLLHUP))
		close_fd(run, TOMERGE);
	else if (p[TOMERGE].revents != 0)
		write_records(run);
}

/* The argument vector of a program: NULL-terminated, strings not owned. */
struct args {
	char	*v[32];
	int	 n;
};

static void
arg(struct args *a, const char *s)
{
	if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

/* Start a over as PROG -c CONFIG -r NAME: one of the programs for r. */
static void
command(struct args *a, const char *prog, const struct sync_opts *o,
    const struct resource *r)
{
	a->n = 0;
	arg(a, prog);
	arg(a, "-c");
	arg(a, o->config);
	arg(a, "-r");
	arg(a, r->name);
}

int
sync_drive(const struct sync_opts *o, const struct resource *r)
{
	struct args a = { .n = 0 };
	int p[2], out, s1, s2;
	pid_t pg, sel;

	setprog(r->prefix);
	if ((out = open(r->records, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		warnmsg("%s: cannot create:", r->records);
		return EX_CANTCREAT;
	}
	proc_pipe(p);
	command(&a, "rest-paginate", o, r);
	if (o->verbose)
		arg(&a, "-v");
	if (r->parents != NULL) {
		arg(&a, "--parents");
		arg(&a, r->parents);
	}
	pg = child_start(a.v, PROC_NULL, p[1], -1, -1);
	command(&a, "rest-select", o, r);
	sel = child_start(a.v, p[0], out, -1, -1);
	close(p[0]);
	close(p[1]);
	close(out);
	s1 = pg > 0 ? proc_wait(pg) : EX_OSERR;
	s2 = sel > 0 ? proc_wait(sel) : EX_OSERR;
	return s1 != 0 ? s1 : s2;
}

/* Start the three programs, joined through this process. */
static void
start(struct run *run)
{
	const struct sync_opts *o = run->o;
	const struct resource *r = run->r;
	struct args a = { .n = 0 };
	int pages[2], pos[2], sel[2], rec[2], mrg[2], diag[2], srep[2];
	int mrep[2], null, i;
	struct buf opt, val;
	struct err e = { 0 };

	/*
	 * Before any program starts: rest-merge would commit what it had if
	 * this process ended.  A link or a cursor goes through a file.
	 */
	buf_init(&opt, 0);
	buf_init(&val, 0);
	if (!run->st.fetched && run->st.position != NULL &&
	    state_resume_args(&run->st, run->dir, r->statedir, &opt, &val,
	    &e) == -1)
		die_err(&e);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		die(EX_OSERR, "/dev/null:");
	proc_pipe(sel);
	proc_pipe(mrg);
	proc_pipe(diag);
	proc_pipe(srep);
	proc_pipe(mrep);
	/* A parent's records come through this process, for its children. */
	if (run->tee >= 0)
		proc_pipe(rec);
	else
		rec[0] = -1, rec[1] = mrg[1];
	command(&a, "rest-select", o, r);
	arg(&a, "--report-fd");
	arg(&a, "3");
	run->f.fetched = run->st.fetched;
	if ((run->select = child_start(a.v, sel[0], rec[1], diag[1],
	    srep[1])) == 0)
		fail(run, EX_OSERR, "rest-select");
	else
		run->f.select = STAGE_RUNNING;
	command(&a, "rest-merge", o, r);
	/* Its summary is rest-sync's to say, from its report. */
	arg(&a, "-s");
	arg(&a, "--report-fd");
	arg(&a, "3");
	arg(&a, "--run-id");
	arg(&a, run->st.run_id);
	if (r->prune)
		arg(&a, "--prune");
	if (r->incremental && o->full_refresh)
		arg(&a, "--full-refresh");
	/* A whole extract with no records is what the API has. */
	if (r->wd == WRITE_REPLACE)
		arg(&a, "--allow-empty");
	arg(&a, r->file);
	if ((run->merge = merge_pid = child_start(a.v, mrg[0], null, diag[1],
	    mrep[1])) == 0)
		fail(run, EX_OSERR, "rest-merge");
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
	/* A program that could not start: none fetches for nothing. */
	if (!run->st.fetched && run->failure == 0) {
		proc_pipe(pages);
		proc_pipe(pos);
		command(&a, "rest-paginate", o, r);
		if (o->verbose)
			arg(&a, "-v");
		/* Its retries are summed up, or said from its report. */
		if (!o->verbose)
			arg(&a, "-s");
		if (o->parallel != NULL) {
			arg(&a, "-P");
			arg(&a, o->parallel);
		}
		arg(&a, "--report-fd");
		arg(&a, "3");
		if (r->parents != NULL) {
			arg(&a, "--parents");
			arg(&a, r->parents);
		}
		/* The state of the table this run feeds. */
		if (r->incremental) {
			arg(&a, "--table");
			arg(&a, r->file);
		}
		if (r->incremental && o->full_refresh)
			arg(&a, "--full-refresh");
		if (opt.len > 0) {
			arg(&a, opt.data);
			arg(&a, val.data);
		}
		if ((run->paginate = child_start(a.v, null, pages[1], diag[1],
		    pos[1])) == 0)
			fail(run, EX_OSERR, "rest-paginate");
		else
			run->f.paginate = STAGE_RUNNING;
		run->fd[PAGES] = pages[0];
		run->fd[POSITIONS] = pos[0];
		close(pages[1]);
		close(pos[1]);
	}
	buf_free(&opt);
	buf_free(&val);
	run->fd[DIAG] = diag[0];
	close(diag[1]);
	close(null);
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

/* Remove what the next run would have resumed. */
static void
clean(struct run *run)
{
	static const char *const files[] = {
		"spool", "pages", "state", "position", NULL
	};

	if (run->dir >= 0)
		durable_remove(run->dir, run->r->statedir, files);
}

/*
 * Check the spool against a state read: the pages recorded must be
 * there, whole, with the checksum recorded.  Returns 0, or -1 with a
 * reason to start over said.
 */
static int
check_spool(struct run *run)
{
	char *chunk = xmalloc(CHUNK);
	struct state *st = &run->st;
	uint64_t off = 0;
	struct stat sb;
	long lines = 0;
	ssize_t got;
	char *p, last = '\n';
	int rc = 0;

	if ((run->spool = durable_open(run->dir, "spool", O_RDWR |
	    O_APPEND)) == -1 || fstat(run->spool, &sb) == -1 ||
	    (uint64_t)sb.st_size < st->length)
		rc = -1;
	sum_init(&run->sum);
	while (rc == 0 && off < st->length) {
		got = pread(run->spool, chunk, st->length - off < CHUNK ?
		    st->length - off : CHUNK, (off_t)off);
		if (got <= 0) {
			rc = -1;
			break;
		}
		sum_add(&run->sum, chunk, (size_t)got);
		for (p = chunk; (p = memchr(p, '\n', (size_t)(chunk + got -
		    p))) != NULL; p++)
			lines++;
		last = chunk[got - 1];
		off += (uint64_t)got;
	}
	free(chunk);
	if (rc == 0 && (lines != st->pages || last != '\n' ||
	    sum_value(&run->sum) != st->sum))
		rc = -1;
	if (rc == 0 && (uint64_t)sb.st_size > st->length &&
	    ftruncate(run->spool, (off_t)st->length) == -1)
		rc = -1;
	if (rc == -1) {
		warnmsg("%s: not the %ld pages the state records; starting "
		    "over", run->spoolpath, st->pages);
		if (run->spool >= 0)
			close(run->spool);
		run->spool = -1;
	}
	run->written = run->flushed = st->length;
	return rc;
}

/* A new run: an empty spool and a new run id. */
static int
begin(struct run *run, const char *fp)
{
	struct err e = { 0 };

	state_free(&run->st);
	run->st.fingerprint = xstrdup(fp);
	run->st.run_id = xstrdup(new_run_id());
	run->st.started = xstrdup(utc_now());
	run->spool = durable_open(run->dir, "spool", O_RDWR | O_CREAT |
	    O_TRUNC | O_APPEND);
	if (run->spool == -1) {
		warnmsg("%s: cannot create:", run->spoolpath);
		return EX_CANTCREAT;
	}
	run->log = durable_open(run->dir, "pages", O_WRONLY | O_CREAT |
	    O_TRUNC | O_APPEND);
	if (run->log == -1) {
		warnmsg("%s: cannot create:", run->logpath);
		return EX_CANTCREAT;
	}
	sum_init(&run->sum);
	run->written = run->flushed = 0;
	if (state_write(&run->st, run->dir, run->r->statedir, 0, &e) == -1) {
		warnmsg("%s", e.msg);
		err_free(&e);
		return EX_IOERR;
	}
	return 0;
}

/* The page log of a run resumed, cut after its last good line. */
static int
open_log(struct run *run)
{
	run->log = durable_open(run->dir, "pages", O_WRONLY | O_CREAT |
	    O_APPEND);
	if (run->log == -1 || ftruncate(run->log, (off_t)run->st.logend) ==
	    -1) {
		warnmsg("%s: cannot open:", run->logpath);
		if (run->log >= 0)
			close(run->log);
		run->log = -1;
		close(run->spool);
		run->spool = -1;
		return -1;
	}
	return 0;
}

/*
 * Take up the state an earlier run left, if it is still good for this
 * configuration; else start afresh.  Returns 0 or an exit status.
 */
static int
prepare(struct run *run, const char *fp)
{
	struct err e = { 0 };
	struct buf what;
	int rc;

	run->spool = run->log = -1;
	if ((rc = state_read(&run->st, run->dir, run->r->statedir, &e)) ==
	    -1) {
		warnmsg("%s; starting over", e.msg);
		err_free(&e);
	} else if (rc == 1 && run->st.pages == 0 && !run->st.fetched) {
		/* Stopped before its first page: nothing to take up. */
	} else if (rc == 1 && strcmp(run->st.fingerprint, fp) != 0) {
		buf_init(&what, 0);
		state_describe(&run->st, &what);
		warnmsg("discarding the pending run %s (%s): the "
		    "configuration changed", run->st.run_id, buf_str(&what));
		buf_free(&what);
	} else if (rc == 1 && check_spool(run) == 0 && open_log(run) == 0) {
		buf_init(&what, 0);
		state_describe(&run->st, &what);
		if (!run->o->silent)
			warnmsg("resuming the run %s: %s", run->st.run_id,
			    buf_str(&what));
		buf_free(&what);
		run->resumed_pages = run->st.pages;
		run->resumed = 1;
		run->resumed_from = xstrdup(run->st.fetched ? "commit" :
		    run->st.position != NULL ? state_shown(run->st.position) :
		    "start");
		run->synced = clock_now();
		return 0;
	}
	run->synced = clock_now();
	return begin(run, fp);
}

/*
 * 1 if the spool ends with rest-paginate's end of an incremental run: a
 * line the counts of pages, requests and records leave out.
 */
static int
end_marked(const struct run *run)
{
	char tail[1024];
	size_t n = sizeof(tail), i;

	if (!run->r->incremental || run->spool < 0 || run->flushed == 0 ||
	    run->flushed != run->written)
		return 0;
	if (run->written < n)
		n = (size_t)run->written;
	if (pread(run->spool, tail, n, (off_t)(run->written - n)) !=
	    (ssize_t)n || tail[n - 1] != '\n')
		return 0;
	for (i = n - 1; i > 0 && tail[i - 1] != '\n'; i--)
		;
	if (i == 0 && n < run->written)
		return 0;
	return n - i > sizeof(INCR_END_MARK) - 1 && memcmp(tail + i,
	    INCR_END_MARK, sizeof(INCR_END_MARK) - 1) == 0;
}

/*
 * The pages, requests and records of the run as the API gave them, the
 * end line left out: it came from the pages fetched by this run, or
 * with those of a run resumed.
 */
static void
counts(const struct run *run, long *fetched, long *pages, long *requests,
    unsigned long *records)
{
	const struct heard *pg = &run->heard[0];
	int mark = end_marked(run);

	/* What rest-paginate said it fetched, sent and counted. */
	*fetched = pg->end.pages >= 0 ? (long)pg->end.pages : pg->pages;
	*pages = run->resumed_pages + run->fetched_pages - mark;
	if (pg->end.requests >= 0)
		*requests = (long)pg->end.requests;
	else if (pg->failed.requests >= 0)
		*requests = (long)pg->failed.requests;
	else
		*requests = pg->last.requests >= 0 ? (long)pg->last.requests :
		    0;
	*records = run->heard[1].end.records >= 0 ?
	    (unsigned long)run->heard[1].end.records : 0;
}

/* Append the tallies t as a JSON object to b. */
static void
add_tallies(struct buf *b, const struct wire_tally *t, size_t n)
{
	size_t i;

	buf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		json_quote(b, t[i].name, strlen(t[i].name));
		buf_printf(b, ":%lld", t[i].n);
	}
	buf_addc(b, '}');
}

/*
 * Why the run failed with status: the failing stage's own report of it,
 * or rest-sync's reason; *url that of the request that failed, or NULL.
 * Static storage, or NULL when nothing was said.
 */
static const char *
why_failed(const struct run *run, int status, const char **url)
{
	static char killed[64];
	const struct wire *f = NULL;
	int k;

	for (k = 0; k < 3; k++)
		if (run->failed != NULL && strcmp(run->failed, stages[k]) ==
		    0 && run->heard[k].failed.kind == WIRE_FAIL)
			f = &run->heard[k].failed;
	*url = f != NULL ? f->url : NULL;
	if (f != NULL)
		return f->reason;
	if (run->reason != NULL)
		return run->reason;
	if (status > 128) {
		snprintf(killed, sizeof(killed), "%s by signal %d",
		    stop_requested() ? "stopped" : "killed", status - 128);
		return killed;
	}
	return NULL;
}

/*
 * Keep, for --status, the last failure of the resource, or forget it
 * once it succeeded.
 */
static void
remember(const struct run *run, int status)
{
	struct lastfail lf;
	struct buf path;
	const char *url;

	if (status == 0) {
		buf_init(&path, 0);
		buf_printf(&path, "%s/%s", run->r->rundir, run->r->failfile);
		unlink(path.data);
		buf_free(&path);
		return;
	}
	lf.at = (char *)utc_now();
	lf.status = status;
	lf.stage = (char *)(run->failed != NULL ? run->failed : "rest-sync");
	lf.message = (char *)why_failed(run, status, &url);
	(void)lastfail_write(run->r->rundir, run->r->failfile, &lf);
}

/* The failure of the run: the stage's own report of it, or rest-sync's. */
static void
add_error(struct buf *b, const struct run *run, int status)
{
	const char *url, *msg = why_failed(run, status, &url);
	const char *stage = run->failed != NULL ? run->failed : "rest-sync";

	buf_adds(b, ",\"error\":{\"stage\":");
	json_quote(b, stage, strlen(stage));
	buf_printf(b, ",\"status\":%d,\"message\":", status);
	if (msg != NULL)
		json_quote(b, msg, strlen(msg));
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"url\":");
	if (url != NULL)
		json_quote(b, url, strlen(url));
	else
		buf_adds(b, "null");
	buf_addc(b, '}');
}

/* The result as a JSON object, to the parent and into --json. */
static void
result(struct run *run, int status, int resultfd)
{
	const struct wire *m = &run->heard[2].end;
	const struct heard *pg = &run->heard[0];
	const struct wire *sent = pg->end.kind == WIRE_END ? &pg->end :
	    &pg->failed;
	int counted = m->kind == WIRE_END && !m->already;
	unsigned long records;
	long fetched, pages, requests;
	const char *outcome, *pending;
	struct buf b;
	ssize_t w;

	counts(run, &fetched, &pages, &requests, &records);
	if (status == 0)
		outcome = run->resumed ? "resumed" : "ok";
	else
		outcome = status > 128 && stop_requested() ? "interrupted" :
		    "failed";
	buf_init(&b, 0);
	buf_adds(&b, "{\"resource\":");
	json_quote(&b, run->r->name, strlen(run->r->name));
	buf_adds(&b, ",\"table\":");
	json_quote(&b, run->r->table, strlen(run->r->table));
	buf_adds(&b, ",\"file\":");
	json_quote(&b, run->r->file, strlen(run->r->file));
	buf_printf(&b, ",\"status\":%d,\"outcome\":\"%s\",\"pages\":%ld,"
	    "\"records\":", status, outcome, fetched);
	if (run->committing)
		buf_printf(&b, "%lu", records);
	else
		buf_adds(&b, "null");
	if (counted)
		buf_printf(&b, ",\"inserted\":%lld,\"updated\":%lld,"
		    "\"unchanged\":%lld,\"deleted\":%lld,\"rows\":%lld",
		    m->inserted, m->updated, m->unchanged, m->deleted, m->rows);
	else
		buf_adds(&b, ",\"inserted\":null,\"updated\":null,"
		    "\"unchanged\":null,\"deleted\":null,\"rows\":null");
	buf_printf(&b, ",\"requests\":%ld,\"sent\":", requests);
	add_tallies(&b, sent->sent, sent->nsent);
	buf_printf(&b, ",\"retries\":%ld,\"retry_causes\":", run->rt.count);
	add_tallies(&b, run->rt.by, run->rt.nby);
	buf_printf(&b, ",\"longest_wait\":%g,\"seconds\":%.3f,\"resumed\":",
	    run->rt.longest, clock_now() - run->started);
	/* Where this run took up an earlier one: its pages and position. */
	if (run->resumed) {
		buf_printf(&b, "{\"pages\":%ld,\"from\":", run->resumed_pages);
		pending = run->resumed_from != NULL ? run->resumed_from :
		    "commit";
		json_quote(&b, pending, strlen(pending));
		buf_addc(&b, '}');
	} else
		buf_adds(&b, "null");
	buf_adds(&b, ",\"pending\":");
	if (status != 0 && run->st.run_id != NULL &&
	    access(run->statepath, F_OK) == 0) {
		pending = run->st.fetched ? "commit" : run->st.position !=
		    NULL ? state_shown(run->st.position) : "start";
		json_quote(&b, pending, strlen(pending));
	} else
		buf_adds(&b, "null");
	if (status != 0)
		add_error(&b, run, status);
	else
		buf_adds(&b, ",\"error\":null");
	buf_adds(&b, "}\n");
	while ((w = write(resultfd, b.data, b.len)) == -1 && errno == EINTR)
		;
	buf_free(&b);
}

/*
 * One line on what became of the resource: a summary unless --json or
 * -s, or what failed and what the next run does.
 */
static void
summary(struct run *run, int status)
{
	const struct state *st = &run->st;
	const struct wire *m = &run->heard[2].end;
	unsigned long records;
	long fetched, pages, requests, logged;
	struct buf why, next;
	const char *p, *nl;

	counts(run, &fetched, &pages, &requests, &records);

	if (status == 0 && m->already) {
		warnmsg("%s: the run %s had committed it already",
		    run->r->file, st->run_id);
		return;
	}
	if (status == 0) {
		if (run->rt.count > 0 && !run->o->json && !run->o->silent) {
			buf_init(&why, 0);
			retries_describe(&run->rt, &why);
			warnmsg("%s", buf_str(&why));
			buf_free(&why);
		}
		if (!run->o->json && !run->o->silent)
			warnmsg("%s: %lu records from %ld page%s (%ld "
			    "request%s): %lu inserted, %lu updated, %lu "
			    "deleted, %lu unchanged, %lu rows; %.2f s",
			    run->r->file, records, pages, pages == 1 ?
			    "" : "s", requests, requests == 1 ? "" : "s",
			    (unsigned long)m->inserted,
			    (unsigned long)m->updated,
			    (unsigned long)m->deleted,
			    (unsigned long)m->unchanged,
			    (unsigned long)m->rows, clock_now() -
			    run->started);
		return;
	}
	/* A failure: the retries that led to it, unless said already. */
	if (run->rt.nlines > 0 && !run->o->verbose && !run->o->silent)
		for (p = run->rt.lines.data; (nl = memchr(p, '\n',
		    (size_t)(run->rt.lines.data + run->rt.lines.len - p))) !=
		    NULL; p = nl + 1)
			warnmsg("%.*s", (int)(nl - p), p);
	buf_init(&why, 0);
	buf_init(&next, 0);
	if (status > 128 && stop_requested())
		buf_adds(&why, "interrupted");
	else
		buf_printf(&why, "not synced (%s exit %d)", run->failed !=
		    NULL ? run->failed : "rest-sync", status);
	if (st->run_id != NULL && access(run->statepath, F_OK) == 0) {
		/* Only a run fetched whole has the end line. */
		logged = st->pages - (st->fetched && end_marked(run));
		if (logged == 1)
			buf_printf(&next, "; the next run %s the page fetched",
			    st->fetched ? "commits" : "resumes after");
		else
			buf_printf(&next, "; the next run %s the %ld pages "
			    "fetched", st->fetched ? "commits" :
			    "resumes after", logged);
		if (!st->fetched)
			buf_printf(&next, " (%s)", state_shown(st->position));
	}
	warnmsg("%s: %s left as it was%s", buf_str(&why), run->r->file,
	    buf_str(&next));
	buf_free(&why);
	buf_free(&next);
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
			clean(run);
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
		fail(run, EX_SOFTWARE, "rest-merge");
	run->f.pages = run->st.pages;
	switch (phase_after(&run->f, run->committing)) {
	case PHASE_COMMITTED:
		clean(run);
		return 0;
	case PHASE_NONE:
		clean(run);
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
		clean(run);
		return run->failure;
	}
	return run->failure;
}

static void
queue_free(struct queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->v[i].position);
	free(q->v);
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
	} else if ((status = prepare(&run, r->fingerprint)) == 0) {
		status = load(&run);
	}
	summary(&run, status);
	result(&run, status, resultfd);
	/* Not a table another run holds: its record is that run's. */
	if (lock >= 0)
		remember(&run, status);
	run_free(&run);
	durable_unlock(lock, r->lockfile);
	return status;
}
