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

#include "buf.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "diag.h"
#include "http.h"
#include "jpath.h"
#include "json.h"
#include "opt.h"
#include "reqopt.h"
#include "stop.h"

enum {
	OPT_DATA_SELECTOR = OPT_PROGRAM, OPT_HAS_MORE_PATH, OPT_LIMIT,
	OPT_LIMIT_PARAM, OPT_MAX_OFFSET, OPT_NO_STOP_EMPTY, OPT_OFFSET,
	OPT_OFFSET_PARAM, OPT_PROGRESS, OPT_TOTAL_PATH, OPT_BASE_PAGE,
	OPT_MAX_PAGE, OPT_PAGE, OPT_PAGE_PARAM, OPT_SINGLE_PAGE, OPT_ALLOW_SHORT,
	OPT_POSITION_FD
};

/* The largest offset (or page) paging may reach, as the options allow. */
#define POS_MAX	(LONG_MAX / 2)

/* Record keys dlt looks for when it guesses where a page's records are. */
static const char *const record_keys[] = {
	"data", "items", "results", "entries", "records", "rows", "entities",
	"payload", "content", "objects", "values", NULL
};

/*
 * What the user asked for, by options and a configuration: settled before
 * paging starts, and never changed by it.
 */
struct pager_opts {
	struct reqopt	 req;
	const char	*url;
	long		 limit;
	long		 start;		/* --offset; a configuration's page */
	long		 page;		/* --page, or -1 */
	const char	*offset_param;
	const char	*limit_param;
	const char	*total_path;	/* NULL: totals are off */
	int		 total_explicit;
	long		 maximum;	/* --max-offset, --max-page; -1: none */
	const char	*page_param;	/* page-number paging when set */
	long		 base;		/* the first page's number, or 0 */
	int		 single;	/* one page only */
	int		 stop_after_empty;
	int		 allow_short;	/* short pages are warnings */
	const char	*has_more_path;
	const char	*data_selector;	/* NULL: detect on the first page */
	long		 parallel;
	int		 position_fd;	/* -1, or where each resume goes */
	int		 progress;	/* -1: when stderr is a terminal */
};

/*
 * Where paging is.  A position is an offset, or a page number when
 * paging by page number (o->page_param set).
 */
struct pager {
	const struct pager_opts *o;
	long		 step;		/* from a page's position to the next */
	long		 pos;		/* of the next page to write */
	long		 first;		/* the position paging began at */
	struct jpath	*records, *total, *has_more;
	long		 known_total;	/* -1 until a page says */
	int		 warned_total;
	long		 short_offset;	/* a short page not yet known last */
	long		 short_count;
	long		 first_count;	/* records on the first page, or -1 */
	struct buf	 prev;		/* the page before, to catch a repeat */
	long		 pages, nrecords;
	double		 started, shown_at;
	struct json	 json;
};

static struct jpath *
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
static noreturn void
fail(struct pager *pg, int status)
{
	fflush(stdout);
	warnmsg("resume with --%s %ld", pg->o->page_param != NULL ? "page" :
	    "offset", pg->short_offset >= 0 ? pg->short_offset +
	    pg->short_count : pg->pos);
	exit(status);
}

/* Append a selector step that names key exactly, however odd it is. */
static void
add_step(struct buf *sel, const char *key, size_t n)
{
	size_t i;

	buf_adds(sel, "['");
	for (i = 0; i < n; i++) {
		if (key[i] == '\'' || key[i] == '\\')
			buf_addc(sel, '\\');
		buf_addc(sel, key[i]);
	}
	buf_adds(sel, "']");
}

/*
 * dlt's guess at the records of a page: the page itself if it is an
 * array, else the first array met depth first at most three keys deep
 * whose key is a usual name for records, else the first array met.
 * Leaves the selectors of the first named array and of the first array
 * in named and first; both stay empty when there is no array.
 */
static void
find_records(const struct json *js, int i, int depth, struct buf *path,
    struct buf *first, struct buf *named)
{
	const jsmntok_t *t = js->tok;
	int end = json_skip(js, i), k, v, j;
	size_t keep;
	struct buf key;

	if (t[i].type != JSMN_OBJECT || depth >= 3)
		return;
	buf_init(&key, 0);
	for (k = i + 1; k < end; k = json_skip(js, v)) {
		v = k + 1;
		keep = path->len;
		buf_reset(&key);
		json_unescape(js, k, &key);
		add_step(path, key.data != NULL ? key.data : "", key.len);
		if (t[v].type == JSMN_ARRAY) {
			if (first->len == 0)
				buf_add(first, path->data, path->len);
			for (j = 0; named->len == 0 && record_keys[j] != NULL;
			    j++)
				if (strlen(record_keys[j]) == key.len &&
				    memcmp(record_keys[j], key.data,
				    key.len) == 0)
					buf_add(named, path->data, path->len);
		} else {
			find_records(js, v, depth + 1, path, first, named);
		}
		path->len = keep;
		if (named->len != 0)
			break;
	}
	buf_free(&key);
}

static void
detect_selector(struct pager *pg)
{
	struct buf path, first, named;
	const char *sel;

	if (json_is_array(&pg->json, 0)) {
		pg->records = compile("--data-selector", "$");
		return;
	}
	buf_init(&path, 0);
	buf_init(&first, 0);
	buf_init(&named, 0);
	buf_adds(&path, "$");
	find_records(&pg->json, 0, 0, &path, &first, &named);
	if (named.len == 0 && first.len == 0) {
		warnmsg("page at offset %ld: no array of records found; "
		    "use --data-selector", pg->pos);
		fail(pg, EX_DATAERR);
	}
	sel = buf_str(named.len != 0 ? &named : &first);
	pg->records = compile("--data-selector", sel);
	buf_free(&path);
	buf_free(&first);
	buf_free(&named);
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

/* 1 if the page says there is more, 0 if not. */
static int
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
	warnmsg("page at offset %ld: %s at '%s'", pg->pos,
	    i < 0 ? "nothing" : "no true or false", pg->o->has_more_path);
	fail(pg, EX_DATAERR);
}

static void
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
static char resume_line[128];
static size_t resume_len;
static sigset_t stop_signals;

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
	if (stop_drain(STDOUT_FILENO) > 0) {
		say(prog, strlen(prog));
		say(lost, sizeof(lost) - 1);
	} else
		say(resume_line, resume_len);
	raise(sig);
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
 * Tell --position-fd how to resume after the page just written: the
 * option alone, "--offset N" or "--page N", on a line.
 */
static void
tell_position(struct pager *pg, long next)
{
	const struct pager_opts *o = pg->o;
	char line[64];
	int n = snprintf(line, sizeof(line), "--%s %ld\n",
	    o->page_param != NULL ? "page" : "offset", next);

	if (o->position_fd >= 0 &&
	    write(o->position_fd, line, (size_t)n) != n) {
		warnmsg("--position-fd %d: write failed:", o->position_fd);
		exit(EX_IOERR);
	}
}

static void
catch_stops(const struct pager *pg)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	set_resume(pg, pg->pos);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
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
	sigset_t saved;
	long next;

	sigprocmask(SIG_BLOCK, &stop_signals, &saved);
	if (fwrite(body->data, 1, body->len, stdout) != body->len ||
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
	tell_position(pg, next);
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
	if (o->page_param != NULL)
		warnmsg("page %ld repeats page %ld byte for byte: the server "
		    "seems to ignore '%s'; name its page parameter with "
		    "--page-param, or give --single-page if the API does not "
		    "page", pg->pos, pg->pos - pg->step, o->page_param);
	else
		warnmsg("page at offset %ld repeats the page at offset %ld "
		    "byte for byte: the server seems to ignore '%s'; name its "
		    "offset parameter with --offset-param, or give "
		    "--single-page if the API does not page", pg->pos,
		    pg->pos - pg->step, o->offset_param);
	exit(EX_DATAERR);
}

/* What to do about records missing from short pages; static storage. */
static const char *
short_advice(const struct pager *pg)
{
	static char s[192];

	if (pg->first_count > 0 && pg->first_count < pg->o->limit)
		snprintf(s, sizeof(s), "the server seems to send at most %ld "
		    "records a page: try --limit %ld, or --allow-short if the "
		    "API drops records after paging", pg->first_count,
		    pg->first_count);
	else
		snprintf(s, sizeof(s), "if the API drops records after "
		    "paging, give --allow-short");
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

/*
 * Check and write the page at pg->pos, then apply the stop rules in
 * dlt's order.  Returns 1 to go on, 0 to stop.
 */
static int
take_page(struct pager *pg, struct buf *body)
{
	const struct pager_opts *o = pg->o;
	struct json_error err;
	struct buf swap;
	long count, total = -1, next;
	size_t line, col;
	int i, stop, more;

	if (body->len == 0) {
		warnmsg("page at offset %ld: empty body", pg->pos);
		fail(pg, EX_DATAERR);
	}
	if (json_parse_shallow(&pg->json, body->data, body->len,
	    JSON_ALL_LEVELS, &err) == -1) {
		json_linecol(body->data, err.off, &line, &col);
		warnmsg("page at offset %ld: invalid JSON at %zu:%zu: %s",
		    pg->pos, line, col, err.msg);
		fail(pg, EX_DATAERR);
	}
	if (pg->records == NULL)
		detect_selector(pg);
	i = jpath_eval(pg->records, &pg->json, 0);
	if (i < 0) {
		warnmsg("page at offset %ld: data selector '%s' matched "
		    "nothing", pg->pos, o->data_selector != NULL ?
		    o->data_selector : "(detected)");
		fail(pg, EX_DATAERR);
	}
	if (json_is_array(&pg->json, i))
		count = pg->json.tok[i].size;
	else
		count = json_is_null(&pg->json, i) ? 0 : 1;
	flatten(body);
	check_repeat(pg, body, count);
	stop = count == 0 && o->stop_after_empty;
	if (!stop && pg->total != NULL && (total = read_total(pg)) >= 0)
		pg->known_total = total;
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

static struct http_req *
page_request(struct http *h, struct pager *pg, long pos)
{
	const struct pager_opts *o = pg->o;
	char *op, *lp, extra[256];
	struct http_req *r;
	long limit = o->limit;

	/* dlt's single_page paginator adds no paging parameters. */
	if (o->single) {
		r = http_req_new(h, o->url, NULL);
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

	if (o->dry_run) {
		r = page_request(h, pg, pg->pos);
		http_req_describe(h, r, stdout);
		http_req_free(r);
		http_free(h);
		return;
	}
	window = xcalloc((size_t)pg->o->parallel, sizeof(*window));
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
		    (scheduled == pg->pos || (end >= 0 && scheduled < end))) {
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
			if (r->result != EX_OK) {
				http_req_report(r);
				status = r->result;
				http_req_free(r);
				fail(pg, status);
			}
			if (r->ignored != NULL)
				go = take_ignored(pg, r);
			else
				go = take_page(pg, &r->body);
			http_req_free(r);
			pg->pos += pg->step;
			if (pg->o->progress)
				show_progress(pg, !go);
		}
	}
	for (slot = 0; slot < pg->o->parallel; slot++)
		http_req_free(window[slot]);
	free(window);
	http_free(h);
}

/* Paging settings of a configuration, before the command line's. */
static void
config(void *opts, const struct config *c)
{
	struct pager_opts *o = opts;

	reqopt_config(&o->req, c);
	switch (c->pager) {
	case PAGER_OFFSET:
		o->limit = c->limit;
		if (c->offset >= 0)
			o->start = c->offset;
		if (c->offset_param != NULL)
			o->offset_param = c->offset_param;
		if (c->limit_param != NULL)
			o->limit_param = c->limit_param;
		o->maximum = c->maximum;
		break;
	case PAGER_PAGE_NUMBER:
		o->page_param = c->page_param != NULL ? c->page_param : "page";
		if (c->base_page >= 0)
			o->base = c->base_page;
		o->start = c->page >= 0 ? c->page : o->base;
		o->maximum = c->maximum;
		break;
	case PAGER_SINGLE:
		o->single = 1;
		break;
	case PAGER_NONE:
		break;
	}
	if (c->total_path_set) {
		o->total_path = c->total_path;
		o->total_explicit = 1;
	}
	if (c->stop_after_empty >= 0)
		o->stop_after_empty = c->stop_after_empty;
	if (c->has_more_path != NULL)
		o->has_more_path = c->has_more_path;
	if (c->data_selector != NULL)
		o->data_selector = c->data_selector;
}

static int
option(void *opts, int opt, const char *arg, struct err *e)
{
	struct pager_opts *o = opts;
	long fd;
	int rc;

	if ((rc = reqopt_parse(&o->req, opt, arg, e)) != 0)
		return rc;
	switch (opt) {
	case 'P':
		rc = parse_long("--parallel", arg, 1, 64, &o->parallel, e);
		break;
	case OPT_ALLOW_SHORT:
		o->allow_short = 1;
		break;
	case OPT_BASE_PAGE:
		rc = parse_long("--base-page", arg, 0, POS_MAX, &o->base, e);
		break;
	case OPT_DATA_SELECTOR:
		o->data_selector = arg;
		break;
	case OPT_HAS_MORE_PATH:
		o->has_more_path = arg;
		break;
	case OPT_LIMIT:
		rc = parse_long("--limit", arg, 1, 1000000000, &o->limit, e);
		break;
	case OPT_LIMIT_PARAM:
		o->limit_param = arg;
		break;
	case OPT_MAX_OFFSET:
	case OPT_MAX_PAGE:
		rc = parse_long(opt == OPT_MAX_PAGE ? "--max-page" :
		    "--max-offset", arg, 0, POS_MAX, &o->maximum, e);
		break;
	case OPT_NO_STOP_EMPTY:
		o->stop_after_empty = 0;
		break;
	case OPT_OFFSET:
		rc = parse_long("--offset", arg, 0, POS_MAX, &o->start, e);
		break;
	case OPT_OFFSET_PARAM:
		o->offset_param = arg;
		break;
	case OPT_PAGE:
		rc = parse_long("--page", arg, 0, POS_MAX, &o->page, e);
		break;
	case OPT_PAGE_PARAM:
		o->page_param = arg;
		break;
	case OPT_POSITION_FD:
		if ((rc = parse_long("--position-fd", arg, 3, 1023, &fd, e)) ==
		    0)
			o->position_fd = (int)fd;
		break;
	case OPT_PROGRESS:
		o->progress = 1;
		break;
	case OPT_SINGLE_PAGE:
		o->single = 1;
		break;
	case OPT_TOTAL_PATH:
		o->total_path = *arg != '\0' ? arg : NULL;
		o->total_explicit = 1;
		break;
	default:
		return 0;
	}
	return rc == -1 ? -1 : 1;
}

static const struct option own[] = {
	{ "allow-short",	no_argument,	   NULL, OPT_ALLOW_SHORT },
	{ "base-page",		required_argument, NULL, OPT_BASE_PAGE },
	{ "data-selector",	required_argument, NULL, OPT_DATA_SELECTOR },
	{ "has-more-path",	required_argument, NULL, OPT_HAS_MORE_PATH },
	{ "limit",		required_argument, NULL, OPT_LIMIT },
	{ "limit-param",	required_argument, NULL, OPT_LIMIT_PARAM },
	{ "max-offset",		required_argument, NULL, OPT_MAX_OFFSET },
	{ "max-page",		required_argument, NULL, OPT_MAX_PAGE },
	{ "no-stop-after-empty-page", no_argument, NULL, OPT_NO_STOP_EMPTY },
	{ "offset",		required_argument, NULL, OPT_OFFSET },
	{ "offset-param",	required_argument, NULL, OPT_OFFSET_PARAM },
	{ "page",		required_argument, NULL, OPT_PAGE },
	{ "page-param",		required_argument, NULL, OPT_PAGE_PARAM },
	{ "parallel",		required_argument, NULL, 'P' },
	{ "position-fd",	required_argument, NULL, OPT_POSITION_FD },
	{ "progress",		no_argument,	   NULL, OPT_PROGRESS },
	{ "single-page",	no_argument,	   NULL, OPT_SINGLE_PAGE },
	{ "total-path",		required_argument, NULL, OPT_TOTAL_PATH },
	{ NULL,			0,		   NULL, 0 }
};
static const struct option *const longopts[] = { own, reqopt_options, NULL };

static const struct cli program = {
	.name = "rest-paginate",
	.flags = START_STDOUT,
	.synopsis = "usage: rest-paginate [options] URL\n"
	    "       rest-paginate -c FILE [-r NAME] [options] [URL]\n",
	.help = "paging options:\n"
	    "      --limit N              records per page (100)\n"
	    "      --offset N             first offset (0)\n"
	    "      --offset-param NAME    offset parameter (offset)\n"
	    "      --limit-param NAME     limit parameter (limit)\n"
	    "      --total-path PATH      where the total is (total); "
	    "'' for none\n"
	    "      --max-offset N         stop before offset N\n"
	    "      --no-stop-after-empty-page\n"
	    "                             go on after an empty page\n"
	    "      --has-more-path PATH   stop when PATH is false\n"
	    "      --data-selector PATH   where a page's records are\n"
	    "      --page-param NAME      page by number in NAME instead\n"
	    "      --page N               first page (the base page)\n"
	    "      --base-page N          number of the first page (0)\n"
	    "      --max-page N           stop before page N\n"
	    "      --single-page          fetch one page only\n"
	    "      --allow-short          warn, not fail, when pages are "
	    "short\n"
	    "      --position-fd FD       after each page, write the "
	    "option that\n"
	    "                             resumes after it to FD\n"
	    CLI_CONFIG_USAGE
	    "  -P, --parallel N           fetch up to N pages at once (1)\n"
	    "      --progress             show progress on stderr\n"
	    REQOPT_USAGE,
	.shortopts = "P:" REQOPT_SHORT,
	.longopts = longopts,
	.parts = CONFIG_REQUEST | CONFIG_PAGER | CONFIG_SELECT,
	.config = config,
	.option = option
};

/*
 * Check the options together, take the URL (the operand, else the
 * configuration's) and settle what was left to be decided.
 */
static void
check_options(struct pager_opts *o, int argc, char *argv[],
    const struct config *c)
{
	if (o->position_fd >= 0 && fcntl(o->position_fd, F_GETFD) == -1)
		die(EX_USAGE, "--position-fd: %d is not open", o->position_fd);
	if (argc == 1)
		o->url = argv[0];
	else if (argc == 0 && c->url != NULL)
		o->url = c->url;
	else
		cli_usage(&program, EX_USAGE);
	if (*o->offset_param == '\0' || *o->limit_param == '\0' ||
	    (o->page_param != NULL && *o->page_param == '\0'))
		die(EX_CONFIG, "the paging parameters need names");
	if (o->page_param != NULL && o->page >= 0 && o->page < o->base)
		die(EX_CONFIG, "--page: %ld is below --base-page %ld", o->page,
		    o->base);
	if (o->total_path == NULL && !o->stop_after_empty && !o->single &&
	    o->maximum < 0 && o->has_more_path == NULL)
		die(EX_USAGE, "paging would never stop: give --total-path, "
		    "--max-offset or --has-more-path, or stop after an empty "
		    "page");
	if (o->progress == -1)
		o->progress = isatty(STDERR_FILENO);
	if (o->req.http.silent)
		o->progress = 0;
}

/*
 * Set pg to start where o says: at --page, else at --offset (in page
 * mode never below the base page), with o's paths compiled.
 */
static void
pager_init(struct pager *pg, const struct pager_opts *o)
{
	memset(pg, 0, sizeof(*pg));
	pg->o = o;
	pg->step = o->page_param != NULL ? 1 : o->limit;
	pg->pos = o->start;
	if (o->page_param != NULL && o->page >= 0)
		pg->pos = o->page;
	else if (o->page_param != NULL && o->start < o->base)
		pg->pos = o->base;
	pg->known_total = -1;
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
}

static void
pager_free(struct pager *pg)
{
	json_free(&pg->json);
	buf_free(&pg->prev);
	jpath_free(pg->records);
	jpath_free(pg->total);
	jpath_free(pg->has_more);
}

int
main(int argc, char *argv[])
{
	struct pager_opts o = {
		.limit = 100, .offset_param = "offset", .limit_param = "limit",
		.total_path = "total", .page = -1, .maximum = -1,
		.stop_after_empty = 1, .parallel = 1, .position_fd = -1,
		.progress = -1
	};
	struct config cfg;
	struct err e = { 0 };
	struct pager pg;

	reqopt_init(&o.req);
	cli_start(&program, &argc, &argv, &cfg, &o);
	check_options(&o, argc, argv, &cfg);
	pager_init(&pg, &o);
	if (reqopt_finish(&o.req, &e) == -1)
		die_err(&e);
	catch_stops(&pg);
	run(&pg);
	pager_free(&pg);
	reqopt_free(&o.req);
	config_free(&cfg);
	return finish_stdout();
}
