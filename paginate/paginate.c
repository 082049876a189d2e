/*
 * rest-paginate: drive offset pagination, one page per line on stdout, in
 * offset order, stopping where dlt's offset paginator stops.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "dlt/cli.h"
#include "base/clock.h"
#include "dlt/config.h"
#include "net/detect.h"
#include "base/diag.h"
#include "base/file.h"
#include "net/http.h"
#include "dlt/incr.h"
#include "json/jpath.h"
#include "json/json.h"
#include "dlt/name.h"
#include "base/opt.h"
#include "pager.h"
#include "dlt/reqopt.h"
#include "base/stop.h"

struct jpath *
compile(const char *opt, const char *path)
{
	const char *err;
	struct jpath *p;

	if ((p = jpath_compile(path, &err)) == NULL)
		die(EX_CONFIG, "%s: unsupported path '%s': %s; supported: %s",
		    opt, path, err, jpath_syntax);
	return p;
}

/*
 * Say where to start again and exit; the pages before are on stdout.
 * After a short page that may not be the last, that is where its records
 * end, so that a run resumed there asks again for the records a full page
 * would have held.
 */
#define NO_SAFE_RESUME	"no resume position is safe to print (it could " \
	"carry the secret); rerun from the start"

/* The URL of the request that failed, for the report; static storage. */
static char *fail_url;

/* The client of run() while it runs, for the counts of a failure. */
static const struct http *live_http;

int
failed_request(struct http_req *r)
{
	int status = r->result;

	http_req_report(r);
	free(fail_url);
	fail_url = xstrdup(r->shown);
	http_req_free(r);
	return status;
}

void
pager_report_fail(const struct pager_opts *o, int status,
    const struct wire *from)
{
	struct wire w;

	const struct http_stats *st;
	size_t i;

	wire_init(&w, WIRE_FAIL, NULL);
	w.status = status;
	w.reason = from != NULL && from->reason != NULL ? from->reason :
	    (char *)diag_last();
	w.url = from != NULL ? from->url : fail_url;
	/* What was sent before the failure, the request that failed too. */
	if (live_http != NULL) {
		st = http_stats(live_http);
		w.requests = st->requests;
		for (i = 0; i < st->nsent; i++)
			w.sent[i] = st->sent[i];
		w.nsent = st->nsent;
		for (i = 0; i < st->nretries; i++)
			w.retries[i] = st->retries[i];
		w.nretries = st->nretries;
		w.longest_wait = st->longest_wait;
	} else if (from != NULL)
		w.requests = from->requests;
	(void)wire_send(&o->report, &w);
}

noreturn void
fail(struct pager *pg, int status)
{
	fflush(stdout);
	pager_report_fail(pg->o, status, NULL);
	if (pg->o->quiet_resume)
		exit(status);
	if (pg->o->ref != PAGER_NONE) {
		if (!pg->resume_safe)
			warnmsg(NO_SAFE_RESUME);
		else if (pg->resume.len == 0)
			warnmsg("resume: rerun from the start");
		else
			warnmsg("resume with %s", buf_str(&pg->resume));
		exit(status);
	}
	warnmsg("resume with --%s %ld", pg->o->page_param != NULL ? "page" :
	    "offset", pg->short_offset >= 0 ? pg->short_offset +
	    pg->short_count : pg->pos);
	exit(status);
}

const char *
where(const struct pager *pg)
{
	static char s[64];

	snprintf(s, sizeof(s), pg->o->ref != PAGER_NONE ? "page %ld" :
	    "page at offset %ld", pg->pos);
	return s;
}

/*
 * dlt's guess at where the records of a page are (lib/net/detect.h), kept for
 * every page after.  A page with no array is one record, as in dlt, but
 * only where there is one page: pages of one record each would never
 * come to an empty page.
 */
static void
detect_selector(struct pager *pg)
{
	char *sel = detect_records(&pg->json, &pg->records_list);

	pg->records = compile("--data-selector", sel);
	free(pg->found_selector);
	pg->found_selector = sel;
}

/* A page that is no array of records, where paging needs one. */
static void
check_records(struct pager *pg)
{
	if (pg->records_list || pg->o->data_selector != NULL || pg->o->single)
		return;
	warnmsg("page at offset %ld: no array of records found; use "
	    "--data-selector", pg->pos);
	fail(pg, EX_DATAERR);
}

/* The total a page states, or -1 when it states none. */
static long
read_total(struct pager *pg)
{
	const struct pager_opts *o = pg->o;
	const struct json *js = &pg->json;
	long long v;
	int i;

	i = jpath_eval(pg->total, js, 0);
	if (i < 0 || json_is_null(js, i)) {
		if (o->total_explicit) {
			warnmsg("page at offset %ld: no total at '%s'",
			    pg->pos, o->total_path);
			fail(pg, EX_DATAERR);
		}
		if (!pg->warned_total)
			warnmsg("warning: page at offset %ld has no total at "
			    "'%s'; %s", pg->pos, o->total_path,
			    o->stop_after_empty ? "stopping at the first "
			    "empty page" : "paging on without a total");
		pg->warned_total = 1;
		return -1;
	}
	if (json_is_string(js, i)) {
		struct buf s;
		char *end;

		/* Digits only, and no more than a long long holds. */
		buf_init(&s, 64);
		v = -1;
		if (json_unescape(js, i, &s) == 0 &&
		    isdigit((unsigned char)*buf_str(&s))) {
			errno = 0;
			v = strtoll(s.data, &end, 10);
			if (errno == ERANGE || *end != '\0')
				v = -1;
		}
		buf_free(&s);
	} else if (json_long(js, i, &v) == -1) {
		v = -1;
	}
	if (v < 0 || v > LONG_MAX) {
		warnmsg("page at offset %ld: the total at '%s' is not a "
		    "count", pg->pos, o->total_path);
		fail(pg, EX_DATAERR);
	}
	return (long)v;
}

/*
 * The total of records that header o->total_header of response r
 * states, or -1 when it says the total is unknown: a count
 * (X-Total-Count: 2345), or the count after the '/' of a range
 * (Content-Range: 0-99/2345, or '*' then "/2345"; a '*' after the '/'
 * is unknown, a warning).  A header missing, or a value that is no
 * count, is exit 65.
 */
static long
header_total(struct pager *pg, const struct http_req *r)
{
	const char *name = pg->o->total_header, *p;
	struct buf v;
	char *end;
	long long n = -1;

	buf_init(&v, 0);
	if (http_req_header(r, name, &v) == 0) {
		warnmsg("page at offset %ld: no '%s' header", pg->pos, name);
		fail(pg, EX_DATAERR);
	}
	p = strrchr(buf_str(&v), '/');
	p = p != NULL ? p + 1 : v.data;
	if (strcmp(p, "*") == 0 && p != v.data) {
		if (!pg->warned_total)
			warnmsg("warning: page at offset %ld: header '%s' says "
			    "the total is unknown ('%s'); %s", pg->pos, name,
			    v.data, pg->o->stop_after_empty ? "stopping at the "
			    "first empty page" : "paging on without a total");
		pg->warned_total = 1;
		buf_free(&v);
		return -1;
	}
	if (isdigit((unsigned char)*p)) {
		errno = 0;
		n = strtoll(p, &end, 10);
		if (errno == ERANGE || *end != '\0' || n > LONG_MAX)
			n = -1;
	}
	if (n < 0) {
		warnmsg("page at offset %ld: the total in header '%s' is not "
		    "a count: '%s'", pg->pos, name, v.data);
		fail(pg, EX_DATAERR);
	}
	buf_free(&v);
	return (long)n;
}

/* 1 if the page says there is more, 0 if not. */
int
read_has_more(struct pager *pg)
{
	static const char *const yes[] = { "true", "yes", "1", NULL };
	static const char *const no[] = { "false", "no", "0", NULL };
	const struct json *js = &pg->json;
	struct buf s;
	int i, b, k, answer = -1;

	i = jpath_eval(pg->has_more, js, 0);
	if (i >= 0 && json_is_bool(js, i, &b))
		return b;
	if (i >= 0 && (json_is_string(js, i) || json_is_number(js, i))) {
		buf_init(&s, 64);
		json_unescape(js, i, &s);
		buf_str(&s);
		for (k = 0; yes[k] != NULL && answer == -1; k++)
			if (strcasecmp(s.data, yes[k]) == 0)
				answer = 1;
		for (k = 0; no[k] != NULL && answer == -1; k++)
			if (strcasecmp(s.data, no[k]) == 0)
				answer = 0;
		buf_free(&s);
		if (answer != -1)
			return answer;
	}
	warnmsg("%s: %s at '%s'", where(pg),
	    i < 0 ? "nothing" : "no true or false", pg->o->has_more_path);
	fail(pg, EX_DATAERR);
}

void
show_progress(struct pager *pg, int last)
{
	double t = clock_now(), rate, pos, speed;
	char pct[48] = "", eta[32] = "";

	if (!last && t - pg->shown_at < 0.2)
		return;
	pg->shown_at = t;
	/*
	 * A total counts records, or pages when paging by page number; the
	 * next offset (or page) says how far paging is, also after a resume.
	 */
	pos = pg->pos - pg->o->base;
	speed = t > pg->started ? (pg->pos - pg->first) / (t - pg->started) :
	    0;
	if (pg->known_total > 0) {
		if (pos > pg->known_total)
			pos = pg->known_total;
		snprintf(pct, sizeof(pct), ", %.0f%% of %ld%s",
		    100.0 * pos / pg->known_total, pg->known_total,
		    pg->o->page_param != NULL ? " pages" : "");
		if (speed > 0 && !last)
			snprintf(eta, sizeof(eta), ", ETA %.0f s",
			    (pg->known_total - pos) / speed);
	}
	rate = t > pg->started ? pg->nrecords / (t - pg->started) : 0;
	fprintf(stderr, "%s: %ld page%s, %ld records%s, %.0f records/s%s%s",
	    getprog(), pg->pages, pg->pages == 1 ? "" : "s", pg->nrecords,
	    pct, rate, eta,
	    isatty(STDERR_FILENO) ? (last ? "\033[K\n" : "\033[K\r") : "\n");
	fflush(stderr);
}

/*
 * The resume line, ready for a signal handler to write: SIGINT and SIGTERM
 * are held while a page is written, so the line always names the first
 * page not on stdout, and no page is ever cut in half.
 */
static char resume_line[4096];
static size_t resume_len;
static sigset_t stop_signals;
static int progress_tty;	/* a progress line may be on the terminal */
static int starter_resumes;	/* the process that started this one says */

static void
say(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = write(STDERR_FILENO, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

/*
 * The pages before the resume offset are safe only once the next stage
 * has read them: it then ends its input there and keeps them (stop.h).
 * If it is gone without reading them all, no offset is safe.  While this
 * waits, a second signal ends the process at once.
 */
static void
on_stop(int sig)
{
	static const char lost[] = ": interrupted: the next stage ended "
	    "before reading every page, so no resume offset is safe; rerun "
	    "from the start\n";
	const char *prog = getprog();

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
	/* The progress line the resume line would finish: off it first. */
	if (progress_tty)
		say("\r\033[K", 4);
	if (stop_drain(STDOUT_FILENO) > 0) {
		if (!starter_resumes) {
			say(prog, strlen(prog));
			say(lost, sizeof(lost) - 1);
		}
	} else if (!starter_resumes)
		say(resume_line, resume_len);
	raise(sig);
}

/* Append s to b as one shell word, quoted unless it needs no quotes. */
static void
shell_word(struct buf *b, const char *s)
{
	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789-_./:=@%+,") == strlen(s)) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '\'');
	for (; *s != '\0'; s++)
		if (*s == '\'')
			buf_adds(b, "'\\''");
		else
			buf_addc(b, *s);
	buf_addc(b, '\'');
}

/*
 * Make position ("--cursor abc", or NULL at the start) what a signal and
 * fail() say to resume with, or, when it is not safe, that nothing is.
 */
void
set_resume_ref(struct pager *pg, const char *position, int safe)
{
	const char *sp;
	int n;

	buf_reset(&pg->resume);
	pg->resume_safe = safe;
	if (position != NULL && safe) {
		sp = strchr(position, ' ');
		buf_add(&pg->resume, position, (size_t)(sp - position + 1));
		shell_word(&pg->resume, sp + 1);
	}
	if (!safe)
		n = snprintf(resume_line, sizeof(resume_line), "%s: %s\n",
		    getprog(), NO_SAFE_RESUME);
	else if (pg->resume.len == 0)
		n = snprintf(resume_line, sizeof(resume_line), "%s: resume: "
		    "rerun from the start\n", getprog());
	else
		n = snprintf(resume_line, sizeof(resume_line), "%s: resume "
		    "with %s\n", getprog(), buf_str(&pg->resume));
	if (n < 0 || (size_t)n >= sizeof(resume_line))
		n = snprintf(resume_line, sizeof(resume_line), "%s: the resume "
		    "position is too long to print; rerun from the start\n",
		    getprog());
	resume_len = n > 0 && (size_t)n < sizeof(resume_line) ? (size_t)n : 0;
}

static void
set_resume(const struct pager *pg, long next)
{
	int n = snprintf(resume_line, sizeof(resume_line),
	    "%s: resume with --%s %ld\n", getprog(),
	    pg->o->page_param != NULL ? "page" : "offset", next);

	resume_len = n > 0 && (size_t)n < sizeof(resume_line) ? (size_t)n : 0;
}

/*
 * Tell --position-fd and the report how to resume after the page just
 * written, which held count records: position, "--offset N" or a link,
 * on a line, and the counts so far in a "page" record.
 */
static void
told(struct pager *pg, const char *position, long count)
{
	const struct pager_opts *o = pg->o;
	struct wire w;
	struct buf b;

	/* A link or cursor with a line break: no line can hold it. */
	if (strpbrk(position, "\r\n") != NULL)
		position = NULL;
	if (o->position_fd >= 0 && position != NULL) {
		buf_init(&b, 0);
		buf_printf(&b, "%s\n", position);
		if (write(o->position_fd, b.data, b.len) != (ssize_t)b.len) {
			warnmsg("--position-fd %d: write failed:",
			    o->position_fd);
			exit(EX_IOERR);
		}
		buf_free(&b);
	}
	if (!wire_sink_on(&o->report))
		return;
	wire_init(&w, WIRE_PAGE, NULL);
	w.position = (char *)position;
	w.pages = pg->pages + 1;
	w.records = pg->nrecords + count;
	if (pg->http != NULL)
		w.requests = http_stats(pg->http)->requests;
	if (o->page_param == NULL && o->ref == PAGER_NONE &&
	    pg->known_total >= 0)
		w.total = pg->known_total;
	else if (pg->header_total >= 0)
		w.total = pg->header_total;
	if (wire_send(&o->report, &w) == -1) {
		warnmsg("--report: write failed:");
		exit(EX_IOERR);
	}
}

static void
catch_stops(struct pager *pg)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	if (pg->o->ref != PAGER_NONE)
		set_resume_ref(pg, NULL, 1);
	else
		set_resume(pg, pg->pos);
	progress_tty = pg->o->progress && isatty(STDERR_FILENO);
	starter_resumes = pg->o->quiet_resume;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * Write the page in body on one line, with a child resource's
 * include_from_parent columns added to its records.  Returns 0, or EOF.
 */
static int
put_page(const struct pager *pg, const struct buf *body)
{
	struct buf out;
	int rc = 0;

	if (pg->o->columns.len == 0)
		return fwrite(body->data, 1, body->len, stdout) != body->len ?
		    EOF : 0;
	buf_init(&out, 0);
	parents_add_columns(&pg->json, pg->rec_tok, &pg->o->columns, &out);
	if (fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = EOF;
	buf_free(&out);
	return rc;
}

/*
 * Write a page already flattened to one line, holding count records.  A
 * signal waits until the page is whole on stdout, and then resumes where
 * the next page starts; after a short page, where its records end, since
 * it may not be the last.
 */
static void
write_page(struct pager *pg, const struct buf *body, long count)
{
	const struct pager_opts *o = pg->o;
	struct buf pos;
	sigset_t saved;
	long next;

	sigprocmask(SIG_BLOCK, &stop_signals, &saved);
	if (put_page(pg, body) == EOF ||
	    putchar('\n') == EOF || fflush(stdout) == EOF) {
		/* A reader gone needs no resume line; a full disk does. */
		int gone = errno == EPIPE, status = finish_stdout();

		if (gone)
			exit(status);
		fail(pg, status);
	}
	next = pg->o->page_param == NULL && count < pg->o->limit ?
	    pg->pos + count : pg->pos + pg->step;
	set_resume(pg, next);
	buf_init(&pos, 0);
	wire_pos_number(&pos, o->page_param != NULL ? POS_PAGE : POS_OFFSET,
	    next);
	told(pg, buf_str(&pos), count);
	buf_free(&pos);
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

void
write_ref_page(struct pager *pg, const struct buf *body, const char *position,
    int safe, long count)
{
	sigset_t saved;

	sigprocmask(SIG_BLOCK, &stop_signals, &saved);
	if (put_page(pg, body) == EOF ||
	    putchar('\n') == EOF || fflush(stdout) == EOF) {
		int gone = errno == EPIPE, status = finish_stdout();

		if (gone)
			exit(status);
		fail(pg, status);
	}
	set_resume_ref(pg, position, safe);
	told(pg, position, count);
	sigprocmask(SIG_SETMASK, &saved, NULL);
}

/*
 * A page on one line: raw line breaks, which valid JSON has only between
 * tokens, become spaces.
 */
static void
flatten(struct buf *body)
{
	char *p, *end = body->data + body->len;

	for (p = body->data; (p = memchr(p, '\n', (size_t)(end - p))) != NULL;)
		*p++ = ' ';
	for (p = body->data; (p = memchr(p, '\r', (size_t)(end - p))) != NULL;)
		*p++ = ' ';
}

/*
 * A page with records that repeats the page before it byte for byte: the
 * server ignores the position asked.  The pages before are not complete,
 * whatever one resumes from, so no resume line.
 */
static void
check_repeat(const struct pager *pg, const struct buf *body, long count)
{
	const struct pager_opts *o = pg->o;

	if (count == 0 || body->len != pg->prev.len ||
	    memcmp(body->data, pg->prev.data, body->len) != 0)
		return;
	if (pg->detected.kind == DETECT_PAGE_NUMBER && pg->pos == 1)
		warnmsg("page 1 repeats the first page byte for byte: the API "
		    "seems to count pages from 1, where the detected "
		    "paginator counts from 0 (dlt's would load that page "
		    "twice); set the paginator {\"type\": \"page_number\", "
		    "\"base_page\": 1, \"total_path\": \"%s\"}",
		    pg->detected.path);
	else if (o->page_param != NULL)
		warnmsg("page %ld repeats page %ld byte for byte: the server "
		    "seems to ignore '%s'; name its page parameter with "
		    "--page-param (the paginator's \"page_param\"), or give "
		    "--single-page ({\"type\": \"single_page\"}) if the API "
		    "does not page", pg->pos, pg->pos - pg->step,
		    o->page_param);
	else
		warnmsg("page at offset %ld repeats the page at offset %ld "
		    "byte for byte: the server seems to ignore '%s'; name its "
		    "offset parameter with --offset-param (the paginator's "
		    "\"offset_param\"), or give --single-page ({\"type\": "
		    "\"single_page\"}) if the API does not page", pg->pos,
		    pg->pos - pg->step, o->offset_param);
	exit(EX_DATAERR);
}

/* What to do about records missing from short pages; static storage. */
static const char *
short_advice(const struct pager *pg)
{
	static char s[320];

	if (pg->first_count > 0 && pg->first_count < pg->o->limit)
		snprintf(s, sizeof(s), "the server seems to send at most %ld "
		    "records a page: try --limit %ld (the paginator's "
		    "\"limit\": %ld), or --allow-short (\"restpipe\": "
		    "{\"allow_short\": true}) if the API drops records after "
		    "paging", pg->first_count, pg->first_count,
		    pg->first_count);
	else
		snprintf(s, sizeof(s), "if the API drops records after "
		    "paging, give --allow-short (\"restpipe\": "
		    "{\"allow_short\": true})");
	return s;
}

/*
 * A page with records after a short one proves the short one was not the
 * last: the records between were skipped, unless the API drops records
 * after paging.  No resume offset would bring them back.
 */
static void
check_short(struct pager *pg, long count)
{
	const struct pager_opts *o = pg->o;

	if (count == 0 || pg->short_offset < 0)
		return;
	if (o->allow_short) {
		warnmsg("warning: page at offset %ld had %ld records, fewer "
		    "than --limit %ld, and was not the last: the server may "
		    "clamp the limit, and records would be skipped",
		    pg->short_offset, pg->short_count, o->limit);
		return;
	}
	warnmsg("page at offset %ld had %ld records, fewer than --limit %ld, "
	    "and was not the last: records were skipped; %s",
	    pg->short_offset, pg->short_count, o->limit, short_advice(pg));
	exit(EX_DATAERR);
}

/*
 * When offset paging ends: the pages must hold every record the total
 * promised from the first offset to the total or --max-offset.  Page
 * numbers say nothing of how many records a page holds.
 */
static void
check_count(struct pager *pg)
{
	const struct pager_opts *o = pg->o;
	long end = pg->known_total, want;

	/* By page number, only a header's total counts records. */
	if (o->page_param != NULL && pg->header_total >= 0 &&
	    pg->pos + 1 >= pg->known_total + o->base && pg->first == o->base) {
		want = pg->header_total;
		if (want <= pg->nrecords)
			return;
		warnmsg("paging ended with %ld of the %ld records header '%s' "
		    "promised", pg->nrecords, want, o->total_header);
		exit(EX_DATAERR);
	}
	if (o->page_param != NULL || o->single || end < 0)
		return;
	if (o->maximum >= 0 && o->maximum < end)
		end = o->maximum;
	want = end > pg->first ? end - pg->first : 0;
	if (pg->nrecords >= want)
		return;
	if (o->allow_short) {
		warnmsg("warning: paging ended with %ld of the %ld records the "
		    "total promised from offset %ld to %ld", pg->nrecords,
		    want, pg->first, end);
		return;
	}
	warnmsg("paging ended with %ld of the %ld records the total promised "
	    "from offset %ld to %ld; %s", pg->nrecords, want, pg->first, end,
	    short_advice(pg));
	exit(EX_DATAERR);
}

/* A paginator detected, as a configuration would write it. */
static void
describe(const struct detected *d, struct buf *b)
{
	buf_adds(b, name_of(detect_kinds, (int)d->kind));
	if (d->kind == DETECT_JSON_LINK)
		buf_printf(b, " with next_url_path '%s'", d->path);
	else if (d->kind == DETECT_CURSOR)
		buf_printf(b, " with cursor_path '%s'", d->path);
	else if (d->kind == DETECT_PAGE_NUMBER)
		buf_printf(b, " with total_path '%s'", d->path);
}

/*
 * A detected link or cursor paginator, as dlt's detector makes it: the
 * next link in the Link header with rel "next", or at the detected path
 * of the body; a cursor at the detected path, sent back as "cursor".
 */
static void
settle_ref(struct pager *pg, struct pager_opts *o, struct buf *what)
{
	const struct detected *d = &pg->detected;

	o->ref = d->kind == DETECT_HEADER_LINK ? PAGER_HEADER_LINK :
	    d->kind == DETECT_JSON_LINK ? PAGER_JSON_LINK : PAGER_CURSOR;
	o->links_next_key = "next";
	o->cursor_param = "cursor";
	o->cursor_key = "next";
	o->next_url_path = o->cursor_path = d->path;
	jpath_free(pg->ref_path);
	pg->ref_path = d->path != NULL ? compile(o->ref == PAGER_CURSOR ?
	    "cursor_path" : "next_url_path", d->path) : NULL;
	jpath_free(pg->total);
	pg->total = NULL;
	if (o->start_ref != NULL)
		return;
	warnmsg("warning: detected paginator %s from the first response: a "
	    "guess, as dlt's; check it, and set the paginator in the "
	    "configuration", buf_str(what));
	if (o->parallel > 1)
		warnmsg("warning: --parallel %ld: link and cursor paging is "
		    "sequential (each page names the next): fetching one page "
		    "at a time", o->parallel);
}

/*
 * Settle an "auto" paginator from the first response r, with count
 * records, a list or not, as dlt's detector does (lib/net/detect.h).  Page numbers go
 * on from page 1, as dlt's detected page_number paginator counts from
 * 0; a single page stops; a link or a cursor is followed from this page
 * on by links.c, with dlt's defaults for what the detector leaves out.
 * A resume by --next-url or --cursor must find the same family again,
 * or no next page at all (the last page).
 */
static void
settle(struct pager *pg, const struct http_req *r, long count, int list)
{
	struct pager_opts *o = pg->settle;
	struct detected *d = &pg->detected;
	struct buf link, what;

	buf_init(&link, 0);
	http_req_header(r, "Link", &link);
	detect_paginator(&pg->json, link.len > 0 ? buf_str(&link) : NULL, d);
	buf_free(&link);
	buf_init(&what, 0);
	describe(d, &what);
	pg->settle = NULL;
	if (o->req.http.verbose)
		warnmsg("detected paginator %s and data_selector '%s'",
		    buf_str(&what), o->data_selector != NULL ?
		    o->data_selector : pg->found_selector);
	if (o->ref != PAGER_NONE && d->kind != DETECT_SINGLE &&
	    (d->kind == DETECT_CURSOR) != (o->ref == PAGER_CURSOR)) {
		warnmsg("%s: resumed by %s, but the response shows a %s now "
		    "(%s detected)", where(pg), o->ref == PAGER_CURSOR ?
		    "--cursor" : "--next-url", d->kind == DETECT_CURSOR ?
		    "cursor" : "next link", buf_str(&what));
		fail(pg, EX_DATAERR);
	}
	if (d->kind != DETECT_PAGE_NUMBER && o->page >= 0) {
		warnmsg("page %ld: resumed by page number, but the response "
		    "shows no count of pages now (%s detected)", pg->pos,
		    buf_str(&what));
		fail(pg, EX_DATAERR);
	}
	switch (d->kind) {
	case DETECT_PAGE_NUMBER:
		o->page_param = "page";
		if (!o->total_explicit) {
			o->total_path = d->path;
			o->total_explicit = 1;
			jpath_free(pg->total);
			pg->total = compile("total_path", d->path);
		}
		warnmsg("warning: detected paginator %s, page_param 'page' "
		    "and base_page 0 from the first response: a guess, as "
		    "dlt's; check it, and set the paginator in the "
		    "configuration", buf_str(&what));
		break;
	case DETECT_SINGLE:
		o->single = 1;
		jpath_free(pg->total);
		pg->total = NULL;
		/* A resumed link or cursor paging: the last page. */
		jpath_free(pg->ref_path);
		pg->ref_path = NULL;
		if (o->ref != PAGER_NONE && o->req.http.verbose)
			warnmsg("page %ld shows no next page: the last", pg->pos);
		if (list && o->ref == PAGER_NONE)
			warnmsg("warning: no paginator detected: the first "
			    "response (%ld records) is taken as the only "
			    "page; if the API pages, set a paginator (dlt's "
			    "detector looks for a Link header with "
			    "rel=\"next\", a next link or cursor in the body, "
			    "and a count of pages)", count);
		break;
	default:
		settle_ref(pg, o, &what);
		break;
	}
	buf_free(&what);
}

/*
 * Check and write the page at pg->pos, then apply the stop rules in
 * dlt's order.  Returns 1 to go on, 0 to stop.
 */
long
parse_page(struct pager *pg, struct http_req *r)
{
	const struct pager_opts *o = pg->o;
	struct buf *body = &r->body;
	struct json_error err;
	size_t line, col;
	long count;
	int i;

	if (body->len == 0) {
		warnmsg("%s: empty body", where(pg));
		fail(pg, EX_DATAERR);
	}
	if (json_parse_shallow(&pg->json, body->data, body->len,
	    JSON_ALL_LEVELS, &err) == -1) {
		json_linecol(body->data, err.off, &line, &col);
		warnmsg("%s: invalid JSON at %zu:%zu: %s", where(pg), line, col,
		    err.msg);
		fail(pg, EX_DATAERR);
	}
	if (pg->records == NULL)
		detect_selector(pg);
	i = jpath_eval(pg->records, &pg->json, 0);
	if (i < 0) {
		warnmsg("%s: data selector '%s' matched nothing", where(pg),
		    o->data_selector != NULL ? o->data_selector : "(detected)");
		fail(pg, EX_DATAERR);
	}
	pg->rec_tok = i;
	if (json_is_array(&pg->json, i))
		count = pg->json.tok[i].size;
	else
		count = json_is_null(&pg->json, i) ? 0 : 1;
	if (pg->settle != NULL)
		settle(pg, r, count, json_is_array(&pg->json, i));
	check_records(pg);
	flatten(body);
	return count;
}

static int
take_page(struct pager *pg, struct http_req *r)
{
	const struct pager_opts *o = pg->o;
	struct buf *body = &r->body;
	struct buf swap;
	long count, total = -1, next, per;
	int stop, more;

	count = parse_page(pg, r);
	/* A link or cursor detected: links.c takes this page on. */
	if (o->ref != PAGER_NONE)
		return 2;
	check_repeat(pg, body, count);
	stop = count == 0 && o->stop_after_empty;
	if (!stop && !o->single && pg->total != NULL &&
	    (total = read_total(pg)) >= 0)
		pg->known_total = total;
	if (!stop && o->total_header != NULL &&
	    (total = header_total(pg, r)) >= 0) {
		pg->header_total = total;
		/* By page number, the pages of the first page's size. */
		if (o->page_param != NULL) {
			per = pg->pages == 0 ? count : pg->first_count;
			total = per > 0 ? total / per + (total % per != 0) : 0;
		}
		pg->known_total = total;
	}
	more = stop || pg->has_more == NULL || read_has_more(pg);

	/* A short page is only suspicious once a later page has records. */
	check_short(pg, count);
	write_page(pg, body, count);
	swap = pg->prev;
	pg->prev = *body;
	*body = swap;
	if (pg->pages++ == 0)
		pg->first_count = count;
	pg->nrecords += count;

	/* Positions stay at most POS_MAX: none of this can overflow. */
	next = pg->pos + pg->step;
	if (stop || o->single || (total >= 0 && next - o->base >= total) ||
	    (o->maximum >= 0 && next >= o->maximum) || !more) {
		check_count(pg);
		return 0;
	}
	if (next > POS_MAX) {
		warnmsg("page at offset %ld: paging would pass the largest "
		    "offset, %ld", pg->pos, POS_MAX);
		exit(EX_DATAERR);
	}
	pg->short_offset = count < o->limit && o->page_param == NULL ?
	    pg->pos : -1;
	pg->short_count = count;
	if (total < 0 && !o->stop_after_empty && o->maximum < 0 &&
	    pg->has_more == NULL) {
		warnmsg("page at offset %ld: no total, and no other rule "
		    "would stop paging", pg->pos);
		pg->pos = next;
		fail(pg, EX_DATAERR);
	}
	return 1;
}

/*
 * A response ignored as response_actions or --ignore-* ask: as dlt does,
 * paging stops there, as after an empty page.  Nothing is written and
 * the resume position stays at that page, so a resume asks for it again.
 */
static int
take_ignored(struct pager *pg, const struct http_req *r)
{
	if (pg->o->page_param != NULL)
		warnmsg("page %ld: %s: paging stops there, as after an "
		    "empty page", pg->pos, r->ignored);
	else
		warnmsg("page at offset %ld: %s: paging stops there, as "
		    "after an empty page", pg->pos, r->ignored);
	check_count(pg);
	return 0;
}

/*
 * Give r a body: the options' with value at path, and value2 at path2
 * when path2 is not NULL.
 */
static void
set_body(struct http_req *r, const struct pager_opts *o, const char *opt,
    const char *path, const char *value, const char *path2,
    const char *value2)
{
	struct buf body;

	buf_init(&body, 0);
	if (o->req.http.body != NULL)
		buf_add(&body, o->req.http.body, o->req.http.bodylen);
	body_set(&body, opt, path, value);
	if (path2 != NULL)
		body_set(&body, "--limit-body-path", path2, value2);
	http_req_body(r, body.data, body.len);
	buf_free(&body);
}

/*
 * The request of the offset paginator at pos when the offset or the
 * limit (or both) go into the body, the other into the query.
 */
static struct http_req *
offset_body_request(struct http *h, const struct pager_opts *o, long pos,
    long limit)
{
	char extra[256], v1[32], v2[32], *p;
	struct http_req *r;

	snprintf(v1, sizeof(v1), "%ld", pos);
	snprintf(v2, sizeof(v2), "%ld", limit);
	extra[0] = '\0';
	if (o->offset_body_path == NULL || o->limit_body_path == NULL) {
		p = curl_easy_escape(NULL, o->offset_body_path == NULL ?
		    o->offset_param : o->limit_param, 0);
		if (p == NULL)
			die(EX_OSERR, "out of memory");
		snprintf(extra, sizeof(extra), "%s=%s", p,
		    o->offset_body_path == NULL ? v1 : v2);
		curl_free(p);
	}
	r = http_req_new(h, o->url, extra[0] != '\0' ? extra : NULL);
	if (o->offset_body_path != NULL)
		set_body(r, o, "--offset-body-path", o->offset_body_path, v1,
		    o->limit_body_path, v2);
	else
		set_body(r, o, "--limit-body-path", o->limit_body_path, v2,
		    NULL, NULL);
	r->udata = (void *)(intptr_t)pos;
	return r;
}

static struct http_req *
page_request(struct http *h, struct pager *pg, long pos)
{
	const struct pager_opts *o = pg->o;
	char *op, *lp, extra[256];
	struct http_req *r;
	long limit = o->limit;

	/*
	 * dlt's single_page paginator adds no paging parameters, nor does
	 * its first request before the paginator is detected.
	 */
	if (o->single || (pg->settle != NULL && o->page_param == NULL)) {
		r = http_req_new(h, o->url, NULL);
		r->udata = (void *)(intptr_t)pos;
		return r;
	}
	if (o->page_param != NULL && o->page_body_path != NULL) {
		r = http_req_new(h, o->url, NULL);
		snprintf(extra, sizeof(extra), "%ld", pos);
		set_body(r, o, "--page-body-path", o->page_body_path, extra,
		    NULL, NULL);
		r->udata = (void *)(intptr_t)pos;
		return r;
	}
	if (o->page_param != NULL) {
		if ((op = curl_easy_escape(NULL, o->page_param, 0)) == NULL)
			die(EX_OSERR, "out of memory");
		snprintf(extra, sizeof(extra), "%s=%ld", op, pos);
		curl_free(op);
		r = http_req_new(h, o->url, extra);
		r->udata = (void *)(intptr_t)pos;
		return r;
	}

	/* The last page of a range asks only for what lies inside it. */
	if (o->maximum >= 0 && o->maximum - pos < limit)
		limit = o->maximum - pos;
	if (o->offset_body_path != NULL || o->limit_body_path != NULL)
		return offset_body_request(h, o, pos, limit);
	op = curl_easy_escape(NULL, o->offset_param, 0);
	lp = curl_easy_escape(NULL, o->limit_param, 0);
	if (op == NULL || lp == NULL)
		die(EX_OSERR, "out of memory");
	snprintf(extra, sizeof(extra), "%s=%ld&%s=%ld", op, pos, lp, limit);
	curl_free(op);
	curl_free(lp);
	r = http_req_new(h, o->url, extra);
	r->udata = (void *)(intptr_t)pos;
	return r;
}

/* The offset beyond which no page needs fetching ahead, or -1: unknown. */
static long
horizon(const struct pager *pg)
{
	const struct pager_opts *o = pg->o;
	long end = -1;

	if (pg->known_total >= 0)
		end = pg->known_total > LONG_MAX - o->base ? LONG_MAX :
		    pg->known_total + o->base;
	if (o->maximum >= 0 && (end < 0 || o->maximum < end))
		end = o->maximum;
	return end;
}

/* The counts of the report's "end" record, of a run that ended well. */
static void
end_counts(const struct pager *pg, struct wire *w)
{
	size_t i;

	wire_init(w, WIRE_END, NULL);
	w->pages = pg->pages;
	w->records = pg->nrecords;
	w->requests = pg->stats.requests;
	for (i = 0; i < pg->stats.nsent; i++)
		w->sent[i] = pg->stats.sent[i];
	w->nsent = pg->stats.nsent;
	for (i = 0; i < pg->stats.nretries; i++)
		w->retries[i] = pg->stats.retries[i];
	w->nretries = pg->stats.nretries;
	w->longest_wait = pg->stats.longest_wait;
}

/*
 * End the program: its output flushed and closed, then, if that went
 * well, the "end" record that says every page is out.  Returns the exit
 * status.
 */
static int
report_end(const struct pager_opts *o, const struct wire *end)
{
	int status = finish_stdout();

	if (status == EX_OK && wire_send(&o->report, end) == -1) {
		warnmsg("--report: write failed:");
		return EX_IOERR;
	}
	return status;
}

/* A retry the client decided, for the report. */
static void
on_retry(void *arg, const char *cause, int attempt, long attempts,
    double wait, const char *shown)
{
	const struct pager *pg = arg;
	struct wire w;

	wire_init(&w, WIRE_RETRY, NULL);
	w.cause = (char *)cause;
	w.attempt = attempt;
	w.attempts = attempts;
	w.wait = wait;
	w.url = (char *)shown;
	(void)wire_send(&pg->o->report, &w);
}

/* Keep what the client counted, and free it. */
static void
end_client(struct pager *pg, struct http *h)
{
	pg->stats = *http_stats(h);
	pg->http = NULL;
	live_http = NULL;
	http_free(h);
}

static void
run(struct pager *pg)
{
	const struct http_opts *o = &pg->o->req.http;
	/* Static: fail() exits from inside, and the window is not a leak. */
	static struct http_req **window;
	struct http_req *r;
	long scheduled = pg->pos, slot, end;
	struct err e = { 0 };
	struct http *h;
	int go = 1, status;

	if ((h = http_new(o, &e)) == NULL)
		die_err(&e);
	pg->http = h;
	live_http = h;
	http_on_retry(h, on_retry, pg);
	if (pg->o->ref != PAGER_NONE) {
		run_links(pg, h, NULL);
		end_client(pg, h);
		return;
	}

	if (o->dry_run) {
		r = page_request(h, pg, pg->pos);
		http_req_describe(h, r, stdout);
		http_req_free(r);
		end_client(pg, h);
		return;
	}
	/* Kept in pg, where a leak checker sees it when fail() exits. */
	window = pg->window = xcalloc((size_t)pg->o->parallel,
	    sizeof(*window));
	pg->started = pg->shown_at = clock_now();
	pg->first = pg->pos;
	pg->known_total = -1;
	if (pg->o->maximum >= 0 && pg->pos >= pg->o->maximum)
		go = 0;
	while (go) {
		/*
		 * Keep up to --parallel pages in flight, but fetch ahead of
		 * the page to write next only where a total or maximum says
		 * the pages exist.
		 */
		end = horizon(pg);
		while (scheduled < pg->pos + pg->o->parallel * pg->step &&
		    (scheduled == pg->pos || (pg->settle == NULL && end >= 0 &&
		    scheduled < end))) {
			http_submit(h, page_request(h, pg, scheduled));
			scheduled += pg->step;
		}
		if ((status = http_next(h, &r, &e)) == -1)
			die_err(&e);
		if (status == 0)
			break;
		slot = ((intptr_t)r->udata - pg->pos) / pg->step;
		window[slot] = r;
		while (go && window[0] != NULL) {
			r = window[0];
			memmove(window, window + 1,
			    (size_t)(pg->o->parallel - 1) * sizeof(*window));
			window[pg->o->parallel - 1] = NULL;
			/*
			 * A page fetched ahead that failed counts only once it
			 * is the next to write: paging may stop before it.
			 */
			if (r->result != EX_OK)
				fail(pg, failed_request(r));
			if (r->ignored != NULL)
				go = take_ignored(pg, r);
			else if ((go = take_page(pg, r)) == 2) {
				free(window);
				pg->window = window = NULL;
				run_links(pg, h, r);
				end_client(pg, h);
				return;
			}
			http_req_free(r);
			pg->pos += pg->step;
			if (pg->o->progress)
				show_progress(pg, !go);
		}
	}
	for (slot = 0; slot < pg->o->parallel; slot++)
		http_req_free(window[slot]);
	free(window);
	end_client(pg, h);
}


/*
 * Tell rest-merge that every page came, and the start value they were
 * asked from.
 */
static void
end_incremental(const struct pager_opts *o)
{
	if (o->incr == NULL)
		return;
	printf("%s%s}\n", INCR_END_MARK, o->incr_start != NULL ?
	    o->incr_start : "null");
}

/*
 * Set pg to start where o says: at --page, else at --offset (in page
 * mode never below the base page), with o's paths compiled.
 */
static void
pager_init(struct pager *pg, struct pager_opts *o)
{
	memset(pg, 0, sizeof(*pg));
	pg->o = o;
	pg->step = o->page_param != NULL ? 1 : o->limit;
	pg->detected.kind = DETECT_SINGLE;
	if (o->autodetect != AUTO_OFF) {
		pg->settle = o;
		pg->step = 1;
	}
	pg->pos = o->start;
	if (o->page_param != NULL && o->page >= 0)
		pg->pos = o->page;
	else if (o->page_param != NULL && o->start < o->base)
		pg->pos = o->base;
	pg->known_total = -1;
	pg->header_total = -1;
	pg->short_offset = -1;
	pg->first_count = -1;
	buf_init(&pg->prev, 0);
	json_init(&pg->json);
	if (o->data_selector != NULL)
		pg->records = compile("--data-selector", o->data_selector);
	if (o->total_path != NULL)
		pg->total = compile("--total-path", o->total_path);
	if (o->has_more_path != NULL)
		pg->has_more = compile("--has-more-path", o->has_more_path);
	strtab_init(&pg->seen);
	buf_init(&pg->resume, 0);
	buf_init(&pg->resume_base, 0);
	pg->resume_safe = 1;
	if (o->ref == PAGER_JSON_LINK)
		pg->ref_path = compile("--next-url-path", o->next_url_path);
	else if (o->ref == PAGER_CURSOR)
		pg->ref_path = compile("--cursor-path", o->cursor_path);
}

static void
pager_free(struct pager *pg)
{
	json_free(&pg->json);
	buf_free(&pg->prev);
	jpath_free(pg->records);
	jpath_free(pg->total);
	jpath_free(pg->has_more);
	jpath_free(pg->ref_path);
	strtab_free(&pg->seen);
	buf_free(&pg->resume);
	buf_free(&pg->resume_base);
	free(pg->found_selector);
	detected_free(&pg->detected);
}

/*
 * The parent's record of a run for one parent: read from the descriptor
 * that value (PARENT_RECORD_ENV) names, which is then closed.
 */
static char *
parent_record(const char *value)
{
	struct err e = { 0 };
	struct buf b;
	char *end;
	long fd;

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
	return buf_str(&b);
}

int
main(int argc, char *argv[])
{
	struct pager_opts o;
	struct config cfg;
	struct err e = { 0 };
	struct pager pg;
	struct wire end;
	/* Static: reachable still when a check exits, for LeakSanitizer. */
	static char **args;
	char *rec;
	int i, one_parent;

	/* A run for one parent record of a child resource (parents.c). */
	setprog(PROGRAM_NAME);
	if ((rec = getenv(PARENT_RECORD_ENV)) != NULL) {
		rec = parent_record(rec);
		unsetenv(PARENT_RECORD_ENV);
		config_parent_record(rec, strlen(rec));
	}
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	for (i = 0; i < argc; i++)
		args[i] = argv[i];
	options_read(&o, &argc, &argv, &cfg);
	if (cfg.parent != NULL && rec == NULL && o.req.http.dry_run &&
	    o.parents.file == NULL) {
		/* The parent's requests would not be a dry run. */
		printf("# resource '%s' is a child of resource '%s': one "
		    "request sequence for each of its records (--parents FILE "
		    "shows them)\n", cfg.name, cfg.parent);
		free(args);
		options_free(&o, &cfg);
		return finish_stdout();
	}
	if (cfg.parent != NULL && rec == NULL) {
		wire_init(&end, WIRE_END, NULL);
		parents_run(&o.parents, &cfg, &o, args, &end);
		/* Every parent's run ended well: the run is whole only now. */
		end_incremental(&o);
		free(args);
		options_free(&o, &cfg);
		return report_end(&o, &end);
	}
	free(args);
	if ((one_parent = rec != NULL)) {
		parents_include(&cfg, rec, &o.columns);
		/* The process that started this one handles stops. */
		o.quiet_resume = 1;
	}
	free(rec);
	settle_incremental(&o);
	pager_init(&pg, &o);
	if (reqopt_finish(&o.req, &e) == -1)
		die_err(&e);
	catch_stops(&pg);
	if (one_parent)
		signal(SIGINT, SIG_IGN);
	run(&pg);
	/* A run for one parent is part of a run: its starter ends that. */
	if (!one_parent)
		end_incremental(&o);
	end_counts(&pg, &end);
	pager_free(&pg);
	options_free(&o, &cfg);
	return o.req.http.dry_run ? finish_stdout() : report_end(&o, &end);
}
