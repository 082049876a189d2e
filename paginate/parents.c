/*
 * parents.c: a child resource (a resolve parameter or a
 * {resources.PARENT.FIELD} placeholder), as dlt's transformer runs it:
 * one run of rest-paginate per record of the parent resource, each run
 * with that record (config_load_record()) and the pages it writes
 * added to stdout whole, in the parents' order, however many run at once.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "dlt/config.h"
#include "base/diag.h"
#include "base/hash.h"
#include "dlt/incr.h"
#include "pager.h"
#include "base/proc.h"
#include "json/wire.h"

/* One run for one parent record. */
struct run {
	pid_t		 pid;		/* 0: the slot is free */
	int		 fd;		/* its stdout, -1 at its end */
	int		 posfd;		/* its --report-fd, -1 at its end */
	long		 index;		/* the record's, from 0 */
	uint64_t	 before;	/* the keys before it, hashed */
	char		*key;		/* "id=4", for messages */
	struct buf	 out;		/* its pages, until they are whole */
	struct buf	 pos;		/* its positions, one a line a page */
	struct buf	 raw;		/* its report, not yet a whole line */
	struct wire	 end;		/* its "end" record; kind WIRE_PAGE
					   until it comes */
	struct wire	 failed;	/* its "fail" record, the same */
};

static volatile sig_atomic_t stopped;
static struct proc_env env;	/* as this process found its signals */

/*
 * The keys of the records before the next one, hashed in order: a resume
 * at record N checks that the parent's first N records are still those
 * the interrupted run had, for if one came or went before N, the records
 * after it moved, and skipping N would skip the wrong ones.
 */
static uint64_t
chain(uint64_t h, const char *key)
{
	struct buf b;

	buf_init(&b, 0);
	buf_add(&b, &h, sizeof(h));
	buf_adds(&b, key);
	h = hash_bytes(b.data, b.len);
	buf_free(&b);
	return h;
}

/*
 * "N:HASH", the value of --parent-start that resumes at record n; "N"
 * alone for the first record, or when h is not known.
 */
static const char *
start_at(struct buf *b, long n, uint64_t h, int known)
{
	buf_reset(b);
	if (n == 0 || !known)
		buf_printf(b, "%ld", n);
	else
		buf_printf(b, "%ld:%016llx", n, (unsigned long long)h);
	return buf_str(b);
}

static void
on_stop(int sig)
{
	stopped = sig;
}

/* The values of the fields the requests take, as "id=4, slug=x". */
static char *
record_key(const struct config *c, const char *rec, size_t n)
{
	struct buf b, v;
	size_t k;

	buf_init(&b, 0);
	buf_init(&v, 0);
	for (k = 0; k < c->nparent_fields; k++) {
		buf_reset(&v);
		if (k > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, c->parent_fields[k]);
		buf_addc(&b, '=');
		if (config_parent_value(rec, n, c->parent_fields[k], 1,
		    &v) == 0)
			buf_add(&b, v.data, v.len);
		else
			buf_adds(&b, "(none)");
	}
	buf_free(&v);
	return buf_str(&b);
}

/*
 * The arguments of a run for one parent: this command line without the
 * options that only this process takes.
 */
static char **
run_args(char *const args[], int resume)
{
	static const char *const drop[] = {
		"--parents", "--parent-start", "--parallel", "--position-fd",
		"--report-fd", "--report", NULL, "--offset", "--page",
		"--next-url", "--cursor", NULL
	};
	const char *const *d;
	size_t n = 0, i, k, len;
	int skip;
	char **v;

	while (args[n] != NULL)
		n++;
	v = xcalloc(n + 3, sizeof(*v));
	v[0] = args[0];
	v[1] = "--report-fd";
	v[2] = "3";
	for (i = 1, k = 3; i < n; i++) {
		skip = 0;

		if (strcmp(args[i], "--") == 0) {
			while (i < n)
				v[k++] = args[i++];
			break;
		}
		if (strcmp(args[i], "--progress") == 0)
			continue;
		if (strncmp(args[i], "-P", 2) == 0) {
			if (args[i][2] == '\0')
				i++;
			continue;
		}
		for (d = drop; (*d != NULL || (!resume && d == drop + 6)) &&
		    !skip; d++) {
			if (*d == NULL)
				continue;
			len = strlen(*d);
			if (strncmp(args[i], *d, len) != 0)
				continue;
			if (args[i][len] == '\0') {
				i++;
				skip = 1;
			} else if (args[i][len] == '=')
				skip = 1;
		}
		if (!skip)
			v[k++] = args[i];
	}
	return v;
}

/*
 * In a child about to exec: the record in a file in memory, whose
 * descriptor PARENT_RECORD_ENV names.  Not the record itself: the
 * environment holds no string over 128 KiB.
 */
static void
hand_record(void *arg)
{
	const char *rec = arg;
	char name[16];
	size_t n = strlen(rec), off;
	ssize_t w;
	int fd, high;

	if ((fd = memfd_create("parent-record", 0)) == -1)
		_exit(EX_OSERR);
	for (off = 0; off < n; off += (size_t)w)
		if ((w = write(fd, rec + off, n - off)) == -1)
			_exit(EX_OSERR);
	/* Out of the way of the descriptors the run is given. */
	if (lseek(fd, 0, SEEK_SET) == -1 ||
	    (high = fcntl(fd, F_DUPFD, 10)) == -1)
		_exit(EX_OSERR);
	close(fd);
	snprintf(name, sizeof(name), "%d", high);
	if (setenv(PARENT_RECORD_ENV, name, 1) == -1)
		_exit(EX_OSERR);
}

/*
 * Start the program args[0] with in (-1: none) as its input, its stdout
 * to *fd and, with posfd, its descriptor 3 to *posfd; the record, if
 * any, handed on.
 */
static pid_t
spawn(char *const args[], int in, int *fd, int *posfd, const char *rec)
{
	struct proc_spec spec = {
		.argv = args, .fd = { in < 0 ? PROC_NULL : in, -1, -1, -1 },
		.death_signal = SIGKILL, .before_exec = rec != NULL ?
		    hand_record : NULL, .arg = (void *)rec
	};
	struct err e = { 0 };
	int p[2], q[2] = { -1, -1 };
	pid_t pid;

	proc_pipe(p);
	if (posfd != NULL)
		proc_pipe(q);
	spec.fd[1] = p[1];
	/* No report wanted: not this process's own descriptor 3 either. */
	spec.fd[3] = posfd != NULL ? q[1] : PROC_NULL;
	if ((pid = proc_start(&env, &spec, &e)) == -1)
		die_err(&e);
	close(p[1]);
	if (in >= 0)
		close(in);
	if (posfd != NULL) {
		close(q[1]);
		*posfd = q[0];
	}
	*fd = p[0];
	return pid;
}

/*
 * The parent's records, one a line: the file (- for stdin), or a
 * pipeline rest-paginate -c F -r PARENT | rest-select -c F -r PARENT
 * with its two process ids in pids.
 */
static FILE *
open_parents(const struct parent_opts *po, const struct config *c,
    pid_t pids[2])
{
	char *args[6];
	const char *seen;
	struct buf chain, key;
	int fd;
	FILE *fp;

	pids[0] = pids[1] = 0;
	if (po->file != NULL && strcmp(po->file, "-") == 0)
		return stdin;
	if (po->file != NULL) {
		if ((fp = fopen(po->file, "re")) == NULL)
			die(EX_NOINPUT, "--parents: %s:", po->file);
		return fp;
	}
	/* A chain of parents that comes round again would never end. */
	buf_init(&chain, 0);
	if ((seen = getenv(PARENT_CHAIN_ENV)) != NULL)
		buf_adds(&chain, seen);
	buf_printf(&chain, "/%s/", c->name);
	buf_init(&key, 0);
	buf_printf(&key, "/%s/", c->parent);
	if (strstr(buf_str(&chain), buf_str(&key)) != NULL)
		die(EX_CONFIG, "%s: resource '%s': its parent '%s' is its "
		    "child too", po->config, c->name, c->parent);
	buf_free(&key);
	setenv(PARENT_CHAIN_ENV, chain.data, 1);
	buf_free(&chain);
	args[1] = "-c";
	args[2] = (char *)po->config;
	args[3] = "-r";
	args[4] = c->parent;
	args[5] = NULL;
	args[0] = "rest-paginate";
	pids[0] = spawn(args, -1, &fd, NULL, NULL);
	args[0] = "rest-select";
	pids[1] = spawn(args, fd, &fd, NULL, NULL);
	if ((fp = fdopen(fd, "r")) == NULL)
		die(EX_OSERR, "fdopen:");
	return fp;
}

/* End the runs still going: their pages are not written. */
static void
stop_runs(struct run *runs, long n)
{
	long i;

	for (i = 0; i < n; i++)
		if (runs[i].pid > 0)
			kill(runs[i].pid, SIGKILL);
	for (i = 0; i < n; i++)
		if (runs[i].pid > 0) {
			if (runs[i].fd >= 0)
				close(runs[i].fd);
			if (runs[i].posfd >= 0)
				close(runs[i].posfd);
			proc_wait(runs[i].pid);
			runs[i].pid = 0;
		}
}

/*
 * Take the whole lines of a run's report: its positions, one a page, for
 * put_pages(); its retries, passed on at once; its "end".  A line that
 * is not a record ends the run: it is not rest-paginate's.
 */
static void
take_report(struct run *r, const struct wire_sink *report)
{
	struct err e = { 0 };
	struct wire w;
	struct wire_pos wp;
	char *p = r->raw.data, *nl, *end = r->raw.data + r->raw.len;

	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	    p = nl + 1) {
		if (wire_parse(p, (size_t)(nl + 1 - p), &w, &e) == -1)
			die(EX_SOFTWARE, "the run for parent record %ld: %s",
			    r->index, e.msg);
		/*
		 * "RECORDS REQUESTS POSITION": the counts of the run so far;
		 * "!" for a position no line can hold (a line break in it).
		 */
		if (w.kind == WIRE_PAGE)
			buf_printf(&r->pos, "%lld %lld %s\n", w.records,
			    w.requests, w.position != NULL &&
			    wire_pos_parse(w.position, &wp) == 0 ?
			    w.position : "!");
		else if (w.kind == WIRE_RETRY)
			(void)wire_send(report, &w);
		else if (w.kind == WIRE_END || w.kind == WIRE_FAIL) {
			wire_free(w.kind == WIRE_END ? &r->end : &r->failed);
			*(w.kind == WIRE_END ? &r->end : &r->failed) = w;
			continue;
		}
		wire_free(&w);
	}
	memmove(r->raw.data, p, (size_t)(end - p));
	r->raw.len = (size_t)(end - p);
}

/* Read what the runs write, until the oldest one's output ends. */
static void
drain(struct run *runs, long n, struct run *oldest,
    const struct wire_sink *report)
{
	struct pollfd *pfd = xcalloc((size_t)n * 2, sizeof(*pfd));
	char chunk[65536];
	ssize_t got;
	long i;
	int *fd;

	while ((oldest->fd >= 0 || oldest->posfd >= 0) && !stopped) {
		for (i = 0; i < n * 2; i++) {
			fd = i % 2 == 0 ? &runs[i / 2].fd : &runs[i / 2].posfd;
			pfd[i].fd = runs[i / 2].pid > 0 ? *fd : -1;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n * 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			die(EX_OSERR, "poll:");
		}
		for (i = 0; i < n * 2; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			fd = i % 2 == 0 ? &runs[i / 2].fd : &runs[i / 2].posfd;
			got = read(*fd, chunk, sizeof(chunk));
			if (got > 0 && i % 2 == 0) {
				buf_add(&runs[i / 2].out, chunk, (size_t)got);
			} else if (got > 0) {
				buf_add(&runs[i / 2].raw, chunk, (size_t)got);
				take_report(&runs[i / 2], report);
			} else if (got == 0 || errno != EINTR) {
				close(*fd);
				*fd = -1;
			}
		}
	}
	free(pfd);
}

/* Add what the run of one parent did, its "end", into all. */
static void
add_end(struct wire *all, const struct wire *run)
{
	size_t i;

	all->pages = (all->pages < 0 ? 0 : all->pages) + (run->pages < 0 ?
	    0 : run->pages);
	all->records = (all->records < 0 ? 0 : all->records) +
	    (run->records < 0 ? 0 : run->records);
	all->requests = (all->requests < 0 ? 0 : all->requests) +
	    (run->requests < 0 ? 0 : run->requests);
	for (i = 0; i < run->nsent; i++)
		(void)wire_tally_add(all->sent, &all->nsent, run->sent[i].name,
		    run->sent[i].n);
	for (i = 0; i < run->nretries; i++)
		(void)wire_tally_add(all->retries, &all->nretries,
		    run->retries[i].name, run->retries[i].n);
	if (run->longest_wait > all->longest_wait)
		all->longest_wait = run->longest_wait;
}

/*
 * Write the pages of run r, each followed, on o->position_fd and in o's
 * report, by the position that resumes after it: --parent-start N and
 * the run's own position within parent N, or --parent-start N+1 after
 * its last page.  The report's counts are those of the runs before (all)
 * and of this one so far; then this run's are added to all.
 */
static void
put_pages(const struct run *r, const struct pager_opts *o, struct wire *all)
{
	const char *page = r->out.data, *pos = r->pos.data, *pe, *qe;
	const char *end = r->out.data + r->out.len;
	const char *pend = r->pos.data + r->pos.len;
	long long records = 0, requests = 0, pages = 0;
	struct buf line, at;
	struct wire w;
	char *rest;
	int unloggable;

	buf_init(&line, 0);
	buf_init(&at, 0);
	while (page != NULL && page < end) {
		pe = memchr(page, '\n', (size_t)(end - page));
		pe = pe != NULL ? pe + 1 : end;
		if (fwrite(page, 1, (size_t)(pe - page), stdout) !=
		    (size_t)(pe - page) || fflush(stdout) == EOF)
			exit(finish_stdout());
		qe = pos != NULL && pos < pend ? memchr(pos, '\n',
		    (size_t)(pend - pos)) : NULL;
		if (qe != NULL) {
			records = strtoll(pos, &rest, 10);
			requests = strtoll(rest, &rest, 10);
			pos = rest + 1;
		}
		pages++;
		buf_reset(&line);
		unloggable = 0;
		if (pe == end || qe == NULL || qe == pos)
			wire_pos_parent(&line, r->index + 1, chain(r->before,
			    r->key), 1, NULL);
		else if (qe - pos == 1 && *pos == '!')
			unloggable = 1;
		else {
			buf_add(&at, pos, (size_t)(qe - pos));
			wire_pos_parent(&line, r->index, r->before,
			    r->index != 0, buf_str(&at));
			buf_reset(&at);
		}
		if (qe != NULL)
			pos = qe + 1;
		wire_init(&w, WIRE_PAGE, NULL);
		w.position = unloggable ? NULL : buf_str(&line);
		w.pages = (all->pages < 0 ? 0 : all->pages) + pages;
		w.records = (all->records < 0 ? 0 : all->records) + records;
		w.requests = (all->requests < 0 ? 0 : all->requests) +
		    requests;
		if (wire_send(&o->report, &w) == -1)
			die(EX_IOERR, "--report: write failed:");
		buf_addc(&line, '\n');
		if (o->position_fd >= 0 && !unloggable)
			(void)!write(o->position_fd, line.data, line.len);
		page = pe;
	}
	add_end(all, &r->end);
	buf_free(&line);
	buf_free(&at);
}

/*
 * At record n of the parent, h the hash of the keys before it: refuse a
 * resume there if the parent's first n records are not what the run that
 * said where to resume had.
 */
static void
check_start(const struct parent_opts *po, const struct config *c, long n,
    uint64_t h)
{
	struct buf at;

	if (n == po->start && (!po->checked || h == po->check))
		return;
	buf_init(&at, 0);
	if (n < po->start)
		die(EX_DATAERR, "resource '%s': --parent-start %s: resource "
		    "'%s' has %ld records now: no resume is safe; rerun "
		    "from the start", c->name, start_at(&at, po->start,
		    po->check, po->checked), c->parent, n);
	die(EX_DATAERR, "resource '%s': --parent-start %s: the first %ld "
	    "records of resource '%s' are not those of the run that said "
	    "to resume there (a record came, went or moved before them): "
	    "no resume is safe; rerun from the start", c->name,
	    start_at(&at, po->start, po->check, 1), n, c->parent);
}

int
parents_run(const struct parent_opts *po, const struct config *c,
    const struct pager_opts *o, char *const args[], struct wire *end)
{
	struct run *runs, *r;
	struct sigaction sa;
	struct buf at;
	char **cargs, **first, *line = NULL, *key;
	size_t cap = 0;
	ssize_t len;
	long n = o->parallel, i, index = 0, next = po->start, head = 0;
	long started = 0;
	uint64_t h = 0, next_h = po->check;
	pid_t pids[2];
	int status, eof = 0, known = po->checked || po->start == 0;
	FILE *fp;

	buf_init(&at, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	runs = xcalloc((size_t)n, sizeof(*runs));
	for (i = 0; i < n; i++) {
		buf_init(&runs[i].out, 0);
		buf_init(&runs[i].pos, 0);
		buf_init(&runs[i].raw, 0);
		wire_init(&runs[i].end, WIRE_PAGE, NULL);
		wire_init(&runs[i].failed, WIRE_PAGE, NULL);
	}
	proc_init(&env);
	cargs = run_args(args, 0);
	first = run_args(args, po->start_set);
	cargs[0] = first[0] = "rest-paginate";
	fp = open_parents(po, c, pids);
	for (;;) {
		/* Start a run for each parent record, up to -P at once. */
		while (!eof && !stopped && started - head < n) {
			if ((len = getline(&line, &cap, fp)) == -1) {
				eof = 1;
				break;
			}
			while (len > 0 && (line[len - 1] == '\n' ||
			    line[len - 1] == '\r'))
				line[--len] = '\0';
			/* An incremental parent's end: none of its records. */
			if (len == 0 || strncmp(line, INCR_END_MARK,
			    sizeof(INCR_END_MARK) - 1) == 0)
				continue;
			key = record_key(c, line, (size_t)len);
			if (index++ < po->start) {
				h = chain(h, key);
				free(key);
				continue;
			}
			if (index - 1 == po->start) {
				check_start(po, c, po->start, h);
				next_h = h;
				known = 1;
			}
			if (line[0] != '{') {
				stop_runs(runs, n);
				warnmsg("resource '%s': parent record %ld: not "
				    "a JSON object; resume with --parent-start "
				    "%s", c->name, index - 1, start_at(&at, next,
				    next_h, known));
				pager_report_fail(o, EX_DATAERR, NULL);
				exit(EX_DATAERR);
			}
			r = &runs[started % n];
			r->index = index - 1;
			r->key = key;
			r->before = h;
			h = chain(h, key);
			buf_reset(&r->out);
			buf_reset(&r->pos);
			buf_reset(&r->raw);
			wire_free(&r->end);
			wire_free(&r->failed);
			r->pid = spawn(r->index == po->start ? first : cargs,
			    -1, &r->fd, &r->posfd, line);
			started++;
		}
		if (stopped)
			break;
		if (head == started)
			break;
		/* Write the oldest run's pages once it has ended well. */
		r = &runs[head % n];
		drain(runs, n, r, &o->report);
		if (stopped)
			break;
		status = proc_wait(r->pid);
		r->pid = 0;
		if (status != 0) {
			stop_runs(runs, n);
			warnmsg("resource '%s': the run for parent record %ld "
			    "(%s of '%s') failed (exit %d); resume with "
			    "--parent-start %s", c->name, r->index, r->key,
			    c->parent, status, start_at(&at, r->index,
			    r->before, 1));
			pager_report_fail(o, status > 125 ? EX_SOFTWARE : status,
			    r->failed.kind == WIRE_FAIL ? &r->failed : NULL);
			exit(status > 125 ? EX_SOFTWARE : status);
		}
		put_pages(r, o, end);
		next = r->index + 1;
		next_h = chain(r->before, r->key);
		free(r->key);
		r->key = NULL;
		head++;
	}
	if (stopped) {
		stop_runs(runs, n);
		warnmsg("interrupted: resume with --parent-start %s",
		    start_at(&at, next, next_h, known));
		signal(stopped, SIG_DFL);
		raise(stopped);
	}
	if (fp != stdin)
		fclose(fp);
	for (i = 0; i < 2; i++) {
		if (pids[i] > 0 && (status = proc_wait(pids[i])) != 0) {
			warnmsg("resource '%s': its parent resource '%s' failed "
			    "(exit %d); resume with --parent-start %s", c->name,
			    c->parent, status, start_at(&at, next, next_h,
			    known));
			pager_report_fail(o, status > 125 ? EX_SOFTWARE :
			    status, NULL);
			exit(status > 125 ? EX_SOFTWARE : status);
		}
	}
	if (index <= po->start)
		check_start(po, c, index, h);
	buf_free(&at);
	for (i = 0; i < n; i++) {
		buf_free(&runs[i].out);
		buf_free(&runs[i].pos);
		buf_free(&runs[i].raw);
		wire_free(&runs[i].end);
		wire_free(&runs[i].failed);
		free(runs[i].key);
	}
	free(runs);
	free(cargs);
	free(first);
	proc_env_free(&env);
	free(line);
	return 0;
}

void
parents_include(const struct config *c, const char *rec, struct buf *cols)
{
	struct buf v;
	size_t k;

	buf_init(&v, 0);
	for (k = 0; k < c->ninclude; k++) {
		buf_reset(&v);
		if (config_parent_value(rec, strlen(rec), c->include[k], 1,
		    &v) == -1)
			die(EX_DATAERR, "resource '%s': include_from_parent: "
			    "the record of resource '%s' has no field '%s'",
			    c->name, c->parent, c->include[k]);
		if (cols->len > 0)
			buf_addc(cols, ',');
		buf_addc(cols, '"');
		buf_addc(cols, '_');
		buf_adds(cols, c->parent);
		buf_addc(cols, '_');
		buf_adds(cols, c->include[k]);
		buf_adds(cols, "\":");
		buf_add(cols, v.data, v.len);
	}
	buf_free(&v);
	buf_str(cols);
}

/* Object token j of the page with cols added before its closing brace. */
static void
add_columns(const struct json *js, int j, const struct buf *cols,
    struct buf *out, size_t *from)
{
	size_t end = (size_t)js->tok[j].end - 1;

	buf_add(out, js->text + *from, end - *from);
	if (js->tok[j].size > 0)
		buf_addc(out, ',');
	buf_add(out, cols->data, cols->len);
	*from = end;
}

void
parents_add_columns(const struct json *js, int i, const struct buf *cols,
    struct buf *out)
{
	size_t from = 0;
	int j, end;

	if (json_is_object(js, i)) {
		add_columns(js, i, cols, out, &from);
	} else if (json_is_array(js, i)) {
		end = json_skip(js, i);
		for (j = i + 1; j < end; j = json_skip(js, j))
			if (json_is_object(js, j))
				add_columns(js, j, cols, out, &from);
	}
	buf_add(out, js->text + from, js->len - from);
}
