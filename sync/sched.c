/*
 * sched.c: the resources synced by worker processes, -j at once, each
 * handing its result back as one JSON line on a pipe.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
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
#include "base/diag.h"
#include "base/durable.h"
#include "base/stop.h"
#include "json/json.h"
#include "sync.h"

/* From the most serious down; statuses not listed come after 70. */
static const int order[] = {
	EX_CONFIG, EX_USAGE, EX_NOPERM, EX_UNAVAILABLE, EX_DATAERR,
	EX_NOINPUT, EX_IOERR, EX_CANTCREAT, EX_OSERR, EX_SOFTWARE,
	EX_TEMPFAIL
};

static int
rank(int status)
{
	size_t i, n = sizeof(order) / sizeof(order[0]);

	if (status == 0)
		return (int)n + 2;
	for (i = 0; i < n; i++)
		if (order[i] == status)
			return (int)i;
	return (int)n + 1;
}

int
worse(int a, int b)
{
	return rank(b) < rank(a) ? b : a;
}

/* Seconds before the end of the grace to kill what has not stopped. */
#define KILL_MARGIN	0.2

/* Where each resource is. */
enum { DONE_WAITING, DONE_RUNNING, DONE_OK, DONE_FAILED };

struct job {
	const struct resource *r;
	size_t		 index;		/* of r */
	pid_t		 pid;
	int		 fd;		/* its result, read */
	int		 err;		/* its stderr, read, or -1 */
	struct buf	 out;		/* its result */
	struct buf	 in;		/* from fd, not yet a whole line */
	struct buf	 errs;		/* from err, not yet a whole line */
};

/* DIR, created if it is not there. */
static void
make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0777) == 0)
		return;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return;
	if (errno == EEXIST)
		errno = ENOTDIR;
	die(EX_CANTCREAT, "%s: cannot create:", dir);
}

/*
 * DIR/.restpipe, made if need be, mode 0700; exits if it cannot be, or
 * is a link.  A new string.
 */
static char *
run_folder(const struct sync_opts *o)
{
	struct err e = { 0 };
	struct buf b;
	int fd;

	buf_init(&b, 0);
	buf_printf(&b, "%s/%s", o->dir, RUN_DIR);
	if ((fd = durable_dir(buf_str(&b), 1, &e)) == -1)
		die_err(&e);
	close(fd);
	return b.data;
}

/*
 * Fork the worker of r; its result comes on j->fd, its progress before
 * it, and its standard error on j->err when a progress block is drawn.
 */
static void
start_job(const struct sync_opts *o, const struct resource *r,
    struct job *j, struct job *jobs, size_t njobs, struct progress *p)
{
	int fd[2], e[2] = { -1, -1 }, status;
	size_t i;

	proc_pipe(fd);
	if (p->on)
		proc_pipe(e);
	/* It dies with rest-sync, and its programs with it. */
	if ((j->pid = proc_fork(SIGKILL)) == 0) {
		/*
		 * A second signal it only notes: rest-sync forwards the first
		 * to it, perhaps later than the terminal sent it, and decides
		 * itself when the grace is over.
		 */
		stop_defer_flags(STOP_HUP | STOP_COUNT);
		for (i = 0; i < njobs; i++)
			if (jobs[i].pid > 0 && &jobs[i] != j) {
				close(jobs[i].fd);
				if (jobs[i].err >= 0)
					close(jobs[i].err);
			}
		close(fd[0]);
		if (e[1] >= 0 && dup2(e[1], STDERR_FILENO) == -1)
			_exit(EX_OSERR);
		status = r->drive_only ? sync_drive(o, r) :
		    sync_resource(o, r, fd[1]);
		fflush(stderr);
		/* Killed by the signal, as the shell expects to see it. */
		stop_finish();
		exit(status);
	}
	close(fd[1]);
	if (e[1] >= 0)
		close(e[1]);
	j->r = r;
	j->fd = fd[0];
	j->err = e[0];
	buf_init(&j->out, 0);
	buf_init(&j->in, 0);
	buf_init(&j->errs, 0);
}

/*
 * Take the whole lines of b: a worker's progress to p (resource k), the
 * rest (its result) into out; or, for its stderr (out NULL), on to the
 * screen through p.  With eof, a last line without its line break too.
 */
static void
take_lines(struct buf *b, struct progress *p, size_t k, struct buf *out,
    int eof)
{
	char *s, *nl, *end;
	size_t n;

	/* An empty buffer may have no data at all. */
	if (b->len == 0)
		return;
	s = b->data;
	end = b->data + b->len;
	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL) {
			if (!eof)
				break;
			nl = end;
		}
		n = (size_t)(nl - s) + (nl < end);
		if (out == NULL)
			progress_say(p, s, n);
		else if (strncmp(s, "{\"progress\":", 12) == 0)
			progress_update(p, k, s, (size_t)(nl - s));
		else
			buf_add(out, s, n);
		s += n;
	}
	memmove(b->data, s, (size_t)(end - s));
	b->len = (size_t)(end - s);
}

/* Read the rest of a worker's stderr, which it closed or will. */
static void
drain_err(struct job *j, struct progress *p)
{
	char chunk[4096];
	ssize_t got;

	if (j->err < 0)
		return;
	while ((got = read(j->err, chunk, sizeof(chunk))) > 0 ||
	    (got == -1 && errno == EINTR))
		if (got > 0)
			buf_add(&j->errs, chunk, (size_t)got);
	take_lines(&j->errs, p, j->index, NULL, 1);
	close(j->err);
	j->err = -1;
	buf_free(&j->errs);
}
/* The result of a worker that could not say it. */
static void
make_result(const struct resource *r, int status, const char *outcome,
    const char *why, struct buf *b)
{
	resource_json(r, b);
	buf_printf(b, ",\"status\":%d,\"outcome\":\"%s\",\"pages\":0,"
	    "\"records\":null,\"inserted\":null,\"updated\":null,"
	    "\"unchanged\":null,\"deleted\":null,\"rows\":null,"
	    "\"requests\":0,\"sent\":{},\"retries\":0,\"retry_causes\":{},"
	    "\"longest_wait\":0,\"seconds\":0,\"resumed\":null,"
	    "\"pending\":null,\"error\":{\"stage\":\"rest-sync\","
	    "\"status\":%d,\"message\":", status, outcome, status);
	json_quote(b, why, strlen(why));
	buf_adds(b, ",\"url\":null}}\n");
}

/* Reap the worker whose result ended; returns its exit status. */
static int
finish_job(const struct sync_opts *o, struct job *j, struct buf *result,
    struct progress *p)
{
	int wstatus, status;

	take_lines(&j->in, p, j->index, &j->out, 1);
	buf_free(&j->in);
	drain_err(j, p);
	progress_done(p, j->index);
	close(j->fd);
	while (waitpid(j->pid, &wstatus, 0) == -1)
		if (errno != EINTR)
			die(EX_OSERR, "wait:");
	status = proc_status(wstatus);
	/* Killed at the end of the grace: stopped, resumable. */
	if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL &&
	    stop_requested()) {
		warnmsg("%s: stopped at the end of the grace period (--grace "
		    "%g): %s left as it was; the next run resumes after the "
		    "pages fetched", j->r->name, o->grace, j->r->file);
		status = 128 + stop_requested();
	} else if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) != SIGINT &&
	    WTERMSIG(wstatus) != SIGTERM && WTERMSIG(wstatus) != SIGHUP) {
		/* A crash is rest-sync's fault, not the API's. */
		warnmsg("%s: the process syncing it died of signal %d",
		    j->r->name, WTERMSIG(wstatus));
		status = EX_SOFTWARE;
	}
	if (j->out.len == 0 || j->out.data[j->out.len - 1] != '\n')
		make_result(j->r, status, "failed", "the process syncing it "
		    "died before it said what it did", &j->out);
	if (o->json && !j->r->drive_only)
		fwrite(j->out.data, 1, j->out.len, stdout);
	/* Kept for the recap. */
	*result = j->out;
	j->pid = 0;
	return status;
}

/*
 * Read what the running workers said, waiting until deadline at most (0:
 * no limit); returns the worst status so far.
 */
static int
collect(const struct sync_opts *o, struct job *jobs, size_t njobs,
    size_t *running, int status, int *done, double deadline,
    struct buf *results, struct progress *pr)
{
	struct pollfd *p = xcalloc(njobs * 2, sizeof(*p));
	struct timespec ts;
	double wait = -1;
	char chunk[4096];
	ssize_t got;
	size_t i;
	int rc;

	for (i = 0; i < njobs; i++) {
		p[i].fd = jobs[i].pid > 0 ? jobs[i].fd : -1;
		p[njobs + i].fd = jobs[i].pid > 0 ? jobs[i].err : -1;
		p[i].events = p[njobs + i].events = POLLIN;
	}
	if (deadline > 0)
		wait = deadline - clock_now();
	/* The block is redrawn while nothing happens, for its rates. */
	if (pr->on && pr->tty && (wait < 0 || wait > 0.25))
		wait = 0.25;
	if (wait < 0 && deadline > 0)
		wait = 0;
	ts.tv_sec = (time_t)(wait > 0 ? wait : 0);
	ts.tv_nsec = wait > 0 ? (long)((wait - (double)ts.tv_sec) * 1e9) : 0;
	if (ppoll(p, njobs * 2, wait >= 0 ? &ts : NULL, signals_waitmask()) ==
	    -1 && errno != EINTR)
		die(EX_OSERR, "poll:");
	for (i = 0; i < njobs; i++) {
		if (p[njobs + i].fd >= 0 && p[njobs + i].revents != 0) {
			got = read(jobs[i].err, chunk, sizeof(chunk));
			if (got > 0) {
				buf_add(&jobs[i].errs, chunk, (size_t)got);
				take_lines(&jobs[i].errs, pr, jobs[i].index,
				    NULL, 0);
			} else if (got == 0 || errno != EINTR)
				drain_err(&jobs[i], pr);
		}
		if (p[i].fd < 0 || p[i].revents == 0)
			continue;
		got = read(jobs[i].fd, chunk, sizeof(chunk));
		if (got > 0) {
			buf_add(&jobs[i].in, chunk, (size_t)got);
			take_lines(&jobs[i].in, pr, jobs[i].index,
			    &jobs[i].out, 0);
			continue;
		}
		if (got == -1 && errno == EINTR)
			continue;
		rc = finish_job(o, &jobs[i], &results[jobs[i].index], pr);
		done[jobs[i].index] = rc == 0 ? DONE_OK : DONE_FAILED;
		status = worse(status, rc);
		(*running)--;
	}
	progress_draw(pr, 0);
	free(p);
	return status;
}
/*
 * Whether resource k may start: it has no parent among r, or the parent
 * is done.  A parent that failed makes k fail with EX_UNAVAILABLE.
 */
static int
ready(const struct sync_opts *o, const struct resource *r, size_t n,
    size_t k, int *done, int *status, struct buf *results)
{
	struct buf b;
	size_t p;

	for (p = 0; r[k].parent != NULL && p < n; p++)
		if (strcmp(r[p].name, r[k].parent) == 0)
			break;
	if (r[k].parent == NULL || p == n || done[p] == DONE_OK)
		return 1;
	if (done[p] != DONE_FAILED)
		return 0;
	warnmsg("%s: not synced: its parent resource '%s' failed",
	    r[k].name, r[p].name);
	buf_init(&b, 0);
	buf_printf(&b, "its parent resource '%s' failed", r[p].name);
	make_result(&r[k], EX_UNAVAILABLE, "skipped", buf_str(&b),
	    &results[k]);
	buf_free(&b);
	if (o->json)
		fwrite(results[k].data, 1, results[k].len, stdout);
	done[k] = DONE_FAILED;
	*status = worse(*status, EX_UNAVAILABLE);
	return 0;
}

/*
 * A signal came: pass it on to each worker, which stops its programs,
 * keeps what was committed and leaves the rest resumable.  Returns when
 * the workers that do not stop by then must be killed: grace seconds
 * after the signal, less the time to reap them.
 */
static double
forward(const struct sync_opts *o, struct job *jobs, size_t njobs)
{
	int sig = stop_requested();
	size_t i;

	for (i = 0; i < njobs; i++)
		if (jobs[i].pid > 0)
			kill(jobs[i].pid, sig);
	return clock_now() + (o->grace > KILL_MARGIN ? o->grace - KILL_MARGIN :
	    0);
}

/* Kill every worker now; their programs die with them. */
static void
kill_jobs(struct job *jobs, size_t njobs)
{
	size_t i;

	for (i = 0; i < njobs; i++)
		if (jobs[i].pid > 0)
			kill(jobs[i].pid, SIGKILL);
}

/* The state of a run of every resource, -j at once. */
struct sched {
	const struct sync_opts	*o;
	const struct resource	*r;
	size_t		 n;
	struct job	*jobs;
	size_t		 njobs;
	size_t		 running;	/* jobs under way */
	int		*done;		/* where each resource is: DONE_* */
	struct buf	*results;	/* each resource's, for the recap */
	struct progress	 prog;
	int		 status;	/* the worst so far */
};

/* Start the resources that are ready, as long as a worker is free. */
static void
launch(struct sched *s)
{
	size_t i, k;

	for (k = 0; k < s->n && !stop_requested(); k++) {
		if (s->done[k] != DONE_WAITING || !ready(s->o, s->r, s->n, k,
		    s->done, &s->status, s->results))
			continue;
		for (i = 0; i < s->njobs && s->jobs[i].pid != 0; i++)
			;
		if (i == s->njobs)
			break;
		start_job(s->o, &s->r[k], &s->jobs[i], s->jobs, s->njobs,
		    &s->prog);
		s->jobs[i].index = k;
		progress_start(&s->prog, k);
		s->done[k] = DONE_RUNNING;
		s->running++;
	}
}

/*
 * Parents before their children, -j at once, until every resource is
 * done or a signal stopped the run: its workers stopped within the
 * grace, or killed.
 */
static void
run_jobs(struct sched *s)
{
	size_t k, left = s->n;
	double deadline = 0;
	int killed = 0;

	while (left > 0 || s->running > 0) {
		launch(s);
		if (stop_requested() && deadline == 0)
			deadline = forward(s->o, s->jobs, s->njobs);
		if (deadline > 0 && !killed && (stop_again() ||
		    clock_now() >= deadline)) {
			kill_jobs(s->jobs, s->njobs);
			killed = 1;
		}
		for (left = 0, k = 0; k < s->n; k++)
			left += s->done[k] == DONE_WAITING;
		if (s->running > 0)
			s->status = collect(s->o, s->jobs, s->njobs,
			    &s->running, s->status, s->done, killed ? 0 :
			    deadline, s->results, &s->prog);
		else if (stop_requested() || left > 0)
			break;
	}
}

/* For --status: when the run began and ended, and how. */
static void
record_run(const char *run_dir, char *started, int status)
{
	struct lastrun last;

	last.started = started;
	last.ended = (char *)utc_now();
	last.status = stop_requested() ? worse(status, 128 +
	    stop_requested()) : status;
	(void)lastrun_write(run_dir, &last);
}

/* Those an interrupt, or a cycle of parents, kept from starting. */
static void
not_started(struct sched *s)
{
	const struct resource *r = s->r;
	struct buf b;
	size_t k;

	buf_init(&b, 0);
	for (k = 0; k < s->n; k++) {
		if (s->done[k] != DONE_WAITING)
			continue;
		if (!stop_requested()) {
			warnmsg("%s: not synced: its parent resource '%s' is "
			    "its child too", r[k].name, r[k].parent);
			s->status = worse(s->status, EX_CONFIG);
		} else
			s->status = worse(s->status, 128 + stop_requested());
		if (stop_requested())
			make_result(&r[k], 128 + stop_requested(), "skipped",
			    "a signal stopped the run before it",
			    &s->results[k]);
		else {
			buf_reset(&b);
			buf_printf(&b, "its parent resource '%s' is its child "
			    "too", r[k].parent);
			make_result(&r[k], EX_CONFIG, "failed", buf_str(&b),
			    &s->results[k]);
		}
		if (s->o->json)
			fwrite(s->results[k].data, 1, s->results[k].len,
			    stdout);
	}
	buf_free(&b);
}

int
sync_all(const struct sync_opts *o, const struct resource *r, size_t n)
{
	struct sched s = { .o = o, .r = r, .n = n, .njobs = (size_t)o->jobs };
	struct buf *results;
	size_t nbefore, i, k;
	pid_t *before;
	char *run_dir, *started;

	make_dir(o->dir);
	run_dir = run_folder(o);
	started = xstrdup(utc_now());
	/*
	 * The orphans of a worker killed come to this process, which reaps
	 * them before it ends: no process of the run outlives it.
	 */
	before = proc_children(&nbefore);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	s.jobs = xcalloc(s.njobs, sizeof(*s.jobs));
	for (i = 0; i < s.njobs; i++)
		s.jobs[i].err = -1;
	s.done = xcalloc(n, sizeof(*s.done));
	s.results = results = xcalloc(n, sizeof(*results));
	progress_init(&s.prog, o, r, n);
	run_jobs(&s);
	proc_reap_all(clock_now() + KILL_MARGIN, before, nbefore);
	free(before);
	record_run(run_dir, started, s.status);
	free(started);
	free(run_dir);
	not_started(&s);
	progress_end(&s.prog);
	progress_free(&s.prog);
	if (!o->silent)
		recap(o, r, n, results);
	for (k = 0; k < n; k++)
		buf_free(&results[k]);
	free(results);
	/* The records parents kept for their children. */
	for (k = 0; k < n; k++)
		if (r[k].records != NULL)
			unlink(r[k].records);
	free(s.done);
	free(s.jobs);
	return s.status;
}
