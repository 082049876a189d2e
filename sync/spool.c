/*
 * spool.c: the pages of a run kept for a resume, in DIR/.TABLE.sync/.
 *
 * The pages rest-paginate writes come to rest-sync through a pipe, and
 * rest-sync appends them to the spool, DIR/.TABLE.sync/spool, as it reads
 * them (a wake-up every LINGER seconds at most, so that several pages
 * come in one read and one write).  After each page, rest-paginate says
 * on --position-fd how to resume after it, and once the page is in the
 * spool, rest-sync records that position, with the length and checksum
 * of the spool up to that page, in DIR/.TABLE.sync/pages and
 * DIR/.TABLE.sync/state.  The pages go on to rest-select from memory as
 * they come, or from the spool.
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

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "base/durable.h"
#include "base/hash.h"
#include "dlt/incr.h"
#include "sync.h"

#define LINGER		0.001		/* seconds pages gather in their pipe */
#define SYNC_EVERY	10.0		/* seconds between fsyncs of the spool */

void
queue_push(struct queue *q, uint64_t length, uint64_t sum,
    const char *position)
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

void
queue_free(struct queue *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->v[i].position);
	free(q->v);
}

/*
 * Match each page end with the position rest-paginate told after that
 * page, and log each page so matched: the next run resumes after the
 * last one logged.  One write(2) for them all.
 */
void
spool_match(struct run *run)
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
				warnmsg("warning: page %ld: its resume "
				    "position holds a line break: an "
				    "interrupted run resumes after page %ld",
				    run->st.pages + 1, run->st.pages);
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
			run_fail(run, EX_IOERR, NULL);
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
		queue_push(&run->ends, run->written, sum_value(&run->sum),
		    NULL);
		run->fetched_pages++;
	}
	sum_add(&run->sum, p, (size_t)(end - p));
	run->written += (uint64_t)(end - p);
}

void
spool_read(struct run *run)
{
	ssize_t got;

	buf_grow(&run->pages, CHUNK);
	got = read(run->fd[PAGES], run->pages.data + run->pages.len, CHUNK);
	if (got == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		run_close_fd(run, PAGES);
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
void
spool_write(struct run *run)
{
	if (run->pages.len == 0 || run->spool_broken)
		return;
	if (spool_flush(run) == -1) {
		run->spool_broken = 1;
		run_fail(run, EX_IOERR, NULL);
		run_close_fd(run, PAGES);
		if (run->paginate > 0)
			kill(run->paginate, SIGTERM);
	}
}

/*
 * Make what the next run resumes from durable.  The checksums make it
 * safe without: a spool that lost its last pages to a power loss is
 * discarded.  So a run that succeeds does not wait for its spool to reach
 * the disk; one that stops has it sync'ed, and so does a long one now and
 * then, to lose little.
 */
void
spool_save(struct run *run, int how)
{
	struct err e = { 0 };
	int sync = how & SAVE_SYNC;

	if (run->dirty && clock_now() - run->synced >= SYNC_EVERY)
		sync = 1;
	if (sync) {
		spool_write(run);
		spool_match(run);
	}
	if (sync && (fsync(run->spool) == -1 || (run->log >= 0 &&
	    fsync(run->log) == -1))) {
		warnmsg("%s: cannot sync:", run->r->statedir);
		run_fail(run, EX_IOERR, NULL);
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
		run_fail(run, EX_IOERR, NULL);
	}
}

/*
 * Give rest-select what it has not had of the pages: from those just
 * read, else from the spool.
 */
void
spool_feed(struct run *run)
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
			run_close_fd(run, TOSELECT); /* rest-select is gone */
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
		run_fail(run, EX_IOERR, NULL);
		return;
	}
	if ((w = write(run->fd[TOSELECT], chunk, (size_t)got)) > 0)
		run->fed += (uint64_t)w;
	else if (w == -1 && errno != EAGAIN && errno != EINTR)
		run_close_fd(run, TOSELECT); /* rest-select is gone */
}

/* Remove what the next run would have resumed. */
void
spool_clean(struct run *run)
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
int
spool_prepare(struct run *run, const char *fp)
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
int
spool_end_marked(const struct run *run)
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
