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
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/hash.h"
#include "base/proc.h"
#include "json/wire.h"
#include "dlt/config.h"
#include "dlt/incr.h"
#include "pager.h"

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

/*
 * Read from the descriptor that PARENT_RECORD_ENV names, which is then
 * closed.
 */
char *
parents_record(void)
{
	const char *value = getenv(PARENT_RECORD_ENV);
	struct err e = { 0 };
	struct buf b;
	char *end;
	long fd;

	if (value == NULL)
		return NULL;
	errno = 0;
	fd = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || fd < 0 ||
	    fd > INT_MAX)
		die(EX_SOFTWARE, "%s: not a descriptor: '%s'",
		    PARENT_RECORD_ENV, value);
	buf_init(&b, 0);
	if (fd_read((int)fd, PARENT_RECORD_ENV, PARENT_RECORD_MAX, &b,
	    &e) == -1)
		die_err(&e);
	close((int)fd);
	unsetenv(PARENT_RECORD_ENV);
	return b.data;
}

int
parents_one(const struct config *c, char *rec, struct pager_opts *o)
{
	if (rec == NULL)
		return 0;
	parents_include(c, rec, &o->columns);
	o->quiet_resume = 1;
	free(rec);
	return 1;
}

int
parents_main(struct config *c, struct pager_opts *o, char **args)
{
	struct wire end;

	if (o->req.http.dry_run && o->parents.file == NULL) {
		/* The parent's requests would not be a dry run. */
		printf("# resource '%s' is a child of resource '%s': one "
		    "request sequence for each of its records (--parents FILE "
		    "shows them)\n", c->name, c->parent);
		free(args);
		options_free(o, c);
		return finish_stdout();
	}
	wire_init(&end, WIRE_END, NULL);
	parents_run(&o->parents, c, o, args, &end);
	/* Every parent's run ended well: the run is whole only now. */
	end_incremental(o);
	free(args);
	options_free(o, c);
	return report_end(o, &end);
}

/* A run over the parent's records: where it is. */
struct feed {
	const struct parent_opts *po;
	const struct config *c;
	const struct pager_opts *o;
	struct run	*runs;		/* -P slots, in a ring */
	long		 n;		/* -P */
	char		**cargs;	/* the arguments of a run */
	char		**first;	/* those of the run resumed in */
	FILE		*fp;		/* the parent's records */
	pid_t		 pids[2];	/* the pipeline they come from */
	char		*line;		/* the record read */
	size_t		 cap;
	long		 index;		/* the records read */
	long		 started;	/* the runs started */
	long		 head;		/* the runs whose pages are out */
	long		 next;		/* the record to resume at */
	uint64_t	 h;		/* the keys of the records read */
	uint64_t	 next_h;	/* of those before next */
	int		 known;		/* next_h is known */
	int		 eof;
	struct buf	 at;		/* a --parent-start value, said */
};

/* Start f: its signals caught, its runs' slots, its records' source. */
static void
feed_open(struct feed *f, const struct parent_opts *po,
    const struct config *c, const struct pager_opts *o, char *const args[])
{
	struct sigaction sa;
	long i;

	memset(f, 0, sizeof(*f));
	f->po = po;
	f->c = c;
	f->o = o;
	f->n = o->parallel;
	f->next = po->start;
	f->next_h = po->check;
	f->known = po->checked || po->start == 0;
	buf_init(&f->at, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	f->runs = xcalloc((size_t)f->n, sizeof(*f->runs));
	for (i = 0; i < f->n; i++) {
		buf_init(&f->runs[i].out, 0);
		buf_init(&f->runs[i].pos, 0);
		buf_init(&f->runs[i].raw, 0);
		wire_init(&f->runs[i].end, WIRE_PAGE, NULL);
		wire_init(&f->runs[i].failed, WIRE_PAGE, NULL);
	}
	proc_init(&env);
	f->cargs = run_args(args, 0);
	f->first = run_args(args, po->start_set);
	f->cargs[0] = f->first[0] = "rest-paginate";
	f->fp = open_parents(po, c, f->pids);
}

/*
 * Read the next line of the parent's records into f->line.  Returns its
 * length, 0 for a line that holds no record, or -1 at the end.
 */
static ssize_t
read_record(struct feed *f)
{
	ssize_t len;

	if ((len = getline(&f->line, &f->cap, f->fp)) == -1)
		return -1;
	while (len > 0 && (f->line[len - 1] == '\n' ||
	    f->line[len - 1] == '\r'))
		f->line[--len] = '\0';
	/* An incremental parent's end: none of its records. */
	if (len == 0 || strncmp(f->line, INCR_END_MARK,
	    sizeof(INCR_END_MARK) - 1) == 0)
		return 0;
	return len;
}

/*
 * Start the run for the record in f->line, len bytes, unless it is one
 * --parent-start skips.
 */
static void
start_run(struct feed *f, size_t len)
{
	const struct parent_opts *po = f->po;
	char *key = record_key(f->c, f->line, len);
	struct run *r;

	if (f->index++ < po->start) {
		f->h = chain(f->h, key);
		free(key);
		return;
	}
	if (f->index - 1 == po->start) {
		check_start(po, f->c, po->start, f->h);
		f->next_h = f->h;
		f->known = 1;
	}
	if (f->line[0] != '{') {
		stop_runs(f->runs, f->n);
		warnmsg("resource '%s': parent record %ld: not a JSON object; "
		    "resume with --parent-start %s", f->c->name, f->index - 1,
		    start_at(&f->at, f->next, f->next_h, f->known));
		pager_report_fail(f->o, NULL, EX_DATAERR, NULL);
		exit(EX_DATAERR);
	}
	r = &f->runs[f->started % f->n];
	r->index = f->index - 1;
	r->key = key;
	r->before = f->h;
	f->h = chain(f->h, key);
	buf_reset(&r->out);
	buf_reset(&r->pos);
	buf_reset(&r->raw);
	wire_free(&r->end);
	wire_free(&r->failed);
	r->pid = spawn(r->index == po->start ? f->first : f->cargs, -1, &r->fd,
	    &r->posfd, f->line);
	f->started++;
}

/*
 * Write the pages of the oldest run once it has ended well, and add its
 * counts into end; when it failed, stop every run and exit as it did.
 * Returns 0 when a signal came first.
 */
static int
finish_oldest(struct feed *f, struct wire *end)
{
	struct run *r = &f->runs[f->head % f->n];
	int status;

	drain(f->runs, f->n, r, &f->o->report);
	if (stopped)
		return 0;
	status = proc_wait(r->pid);
	r->pid = 0;
	if (status != 0) {
		stop_runs(f->runs, f->n);
		warnmsg("resource '%s': the run for parent record %ld (%s of "
		    "'%s') failed (exit %d); resume with --parent-start %s",
		    f->c->name, r->index, r->key, f->c->parent, status,
		    start_at(&f->at, r->index, r->before, 1));
		pager_report_fail(f->o, NULL, status > 125 ? EX_SOFTWARE :
		    status, r->failed.kind == WIRE_FAIL ? &r->failed : NULL);
		exit(status > 125 ? EX_SOFTWARE : status);
	}
	put_pages(r, f->o, end);
	f->next = r->index + 1;
	f->next_h = chain(r->before, r->key);
	free(r->key);
	r->key = NULL;
	f->head++;
	return 1;
}

/* A signal came: end the runs, say where to resume, and die of it. */
static void
interrupted(struct feed *f)
{
	stop_runs(f->runs, f->n);
	warnmsg("interrupted: resume with --parent-start %s",
	    start_at(&f->at, f->next, f->next_h, f->known));
	signal(stopped, SIG_DFL);
	raise(stopped);
}

/*
 * Every run's pages are out: check that the parent's records all came,
 * as many as --parent-start skips at least, and free f.
 */
static void
feed_close(struct feed *f)
{
	int status;
	long i;

	if (f->fp != stdin)
		fclose(f->fp);
	for (i = 0; i < 2; i++) {
		if (f->pids[i] > 0 && (status = proc_wait(f->pids[i])) != 0) {
			warnmsg("resource '%s': its parent resource '%s' "
			    "failed (exit %d); resume with --parent-start %s",
			    f->c->name, f->c->parent, status, start_at(&f->at,
			    f->next, f->next_h, f->known));
			pager_report_fail(f->o, NULL, status > 125 ?
			    EX_SOFTWARE : status, NULL);
			exit(status > 125 ? EX_SOFTWARE : status);
		}
	}
	if (f->index <= f->po->start)
		check_start(f->po, f->c, f->index, f->h);
	buf_free(&f->at);
	for (i = 0; i < f->n; i++) {
		buf_free(&f->runs[i].out);
		buf_free(&f->runs[i].pos);
		buf_free(&f->runs[i].raw);
		wire_free(&f->runs[i].end);
		wire_free(&f->runs[i].failed);
		free(f->runs[i].key);
	}
	free(f->runs);
	free(f->cargs);
	free(f->first);
	proc_env_free(&env);
	free(f->line);
}

int
parents_run(const struct parent_opts *po, const struct config *c,
    const struct pager_opts *o, char *const args[], struct wire *end)
{
	/* Static: a run that fails exits from inside, and it is no leak. */
	static struct feed f;
	ssize_t len;

	feed_open(&f, po, c, o, args);
	for (;;) {
		/* Start a run for each parent record, up to -P at once. */
		while (!f.eof && !stopped && f.started - f.head < f.n) {
			if ((len = read_record(&f)) == -1)
				f.eof = 1;
			else if (len > 0)
				start_run(&f, (size_t)len);
		}
		if (stopped || f.head == f.started)
			break;
		/* Write the oldest run's pages once it has ended well. */
		if (!finish_oldest(&f, end))
			break;
	}
	if (stopped)
		interrupted(&f);
	feed_close(&f);
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
