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
#include "file.h"
#include "http.h"
#include "jpath.h"
#include "json.h"
#include "opt.h"
#include "pager.h"
#include "reqopt.h"
#include "stop.h"

enum {
	OPT_DATA_SELECTOR = OPT_PROGRAM, OPT_HAS_MORE_PATH, OPT_LIMIT,
	OPT_LIMIT_PARAM, OPT_MAX_OFFSET, OPT_NO_STOP_EMPTY, OPT_OFFSET,
	OPT_OFFSET_PARAM, OPT_PROGRESS, OPT_TOTAL_PATH, OPT_BASE_PAGE,
	OPT_MAX_PAGE, OPT_PAGE, OPT_PAGE_PARAM, OPT_SINGLE_PAGE, OPT_ALLOW_SHORT,
	OPT_POSITION_FD, OPT_PAGINATOR, OPT_NEXT_URL_PATH, OPT_LINKS_NEXT_KEY,
	OPT_CURSOR_PATH, OPT_CURSOR_PARAM, OPT_CURSOR_BODY_PATH, OPT_CURSOR_KEY,
	OPT_NEXT_URL, OPT_CURSOR, OPT_ALLOW_OTHER_HOST, OPT_OFFSET_BODY_PATH,
	OPT_LIMIT_BODY_PATH, OPT_PAGE_BODY_PATH, OPT_STOP_EMPTY
};

/* Record keys dlt looks for when it guesses where a page's records are. */
static const char *const record_keys[] = {
	"data", "items", "results", "entries", "records", "rows", "entities",
	"payload", "content", "objects", "values", NULL
};

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

noreturn void
fail(struct pager *pg, int status)
{
	fflush(stdout);
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
		warnmsg("%s: no array of records found; use --data-selector",
		    where(pg));
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

/* Write line, and a line break, to --position-fd. */
static void
tell_line(const struct pager_opts *o, const char *line)
{
	struct buf b;

	if (o->position_fd < 0)
		return;
	buf_init(&b, 0);
	buf_adds(&b, line);
	buf_addc(&b, '\n');
	if (write(o->position_fd, b.data, b.len) != (ssize_t)b.len) {
		warnmsg("--position-fd %d: write failed:", o->position_fd);
		exit(EX_IOERR);
	}
	buf_free(&b);
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

void
write_ref_page(struct pager *pg, const struct buf *body, const char *position,
    int safe)
{
	sigset_t saved;

	sigprocmask(SIG_BLOCK, &stop_signals, &saved);
	if (fwrite(body->data, 1, body->len, stdout) != body->len ||
	    putchar('\n') == EOF || fflush(stdout) == EOF) {
		int gone = errno == EPIPE, status = finish_stdout();

		if (gone)
			exit(status);
		fail(pg, status);
	}
	set_resume_ref(pg, position, safe);
	tell_line(pg->o, position);
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
long
parse_page(struct pager *pg, struct buf *body)
{
	const struct pager_opts *o = pg->o;
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
	if (json_is_array(&pg->json, i))
		count = pg->json.tok[i].size;
	else
		count = json_is_null(&pg->json, i) ? 0 : 1;
	flatten(body);
	return count;
}

static int
take_page(struct pager *pg, struct buf *body)
{
	const struct pager_opts *o = pg->o;
	struct buf swap;
	long count, total = -1, next;
	int stop, more;

	count = parse_page(pg, body);
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

	/* dlt's single_page paginator adds no paging parameters. */
	if (o->single) {
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

static void
run(struct pager *pg)
{
	const struct http_opts *o = &pg->o->req.http;
	struct http_req **window, *r;
	long scheduled = pg->pos, slot, end;
	struct err e = { 0 };
	struct http *h;
	int go = 1, status;

	if ((h = http_new(o, &e)) == NULL)
		die_err(&e);
	if (pg->o->ref != PAGER_NONE) {
		run_links(pg, h);
		http_free(h);
		return;
	}

	if (o->dry_run) {
		r = page_request(h, pg, pg->pos);
		http_req_describe(h, r, stdout);
		http_req_free(r);
		http_free(h);
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

/* The keys of the body paths and of link and cursor paging. */
static void
config_refs(struct pager_opts *o, const struct config *c)
{
	if (c->offset_body_path != NULL)
		o->offset_body_path = c->offset_body_path;
	if (c->limit_body_path != NULL)
		o->limit_body_path = c->limit_body_path;
	if (c->page_body_path != NULL)
		o->page_body_path = c->page_body_path;
	if (c->next_url_path != NULL)
		o->next_url_path = c->next_url_path;
	if (c->links_next_key != NULL)
		o->links_next_key = c->links_next_key;
	if (c->cursor_path != NULL)
		o->cursor_path = c->cursor_path;
	if (c->cursor_param != NULL)
		o->cursor_param = c->cursor_param;
	if (c->cursor_body_path != NULL)
		o->cursor_body_path = c->cursor_body_path;
	if (c->cursor_key != NULL)
		o->cursor_key = c->cursor_key;
	if (c->allow_other_host >= 0)
		o->allow_other_host = c->allow_other_host;
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
	case PAGER_JSON_LINK:
	case PAGER_HEADER_LINK:
	case PAGER_CURSOR:
	case PAGER_HEADER_CURSOR:
		o->ref = c->pager;
		break;
	case PAGER_NONE:
		break;
	}
	config_refs(o, c);
	if (c->total_path_set) {
		o->total_path = c->total_path;
		o->total_explicit = 1;
	}
	if (c->stop_after_empty >= 0) {
		o->stop_after_empty = c->stop_after_empty;
		o->stop_empty_set = 1;
	}
	if (c->has_more_path != NULL)
		o->has_more_path = c->has_more_path;
	if (c->data_selector != NULL)
		o->data_selector = c->data_selector;
}

/* Read a resume value: as given, or @FILE's first line (@- stdin). */
static int
resume_option(struct pager_opts *o, const char *opt, const char *arg,
    struct err *e)
{
	struct err fe = { 0 };
	struct buf b;
	char *nl;
	int rc;

	if (arg[0] != '@') {
		o->start_ref = arg;
		return 0;
	}
	buf_init(&b, 1024 * 1024);
	rc = strcmp(arg, "@-") == 0 ? fd_read(STDIN_FILENO, "<stdin>",
	    1024 * 1024, &b, &fe) : file_read(arg + 1, 1024 * 1024, &b, &fe);
	if (rc == -1) {
		err_set(e, fe.status, "%s: %s", opt, fe.msg);
		err_free(&fe);
		buf_free(&b);
		return -1;
	}
	if ((nl = memchr(buf_str(&b), '\n', b.len)) != NULL)
		*nl = '\0';
	free(o->start_buf);
	o->start_ref = o->start_buf = b.data;
	return 0;
}

/* The paginator --paginator names, or -1 with e set. */
static int
paginator_option(struct pager_opts *o, const char *arg, struct err *e)
{
	int v;

	if (parse_name("--paginator", arg, paginators, &v, e) == -1)
		return -1;
	switch (v) {
	case PAGER_OFFSET:
		o->ref = PAGER_NONE;
		o->page_param = NULL;
		o->single = 0;
		break;
	case PAGER_PAGE_NUMBER:
		o->ref = PAGER_NONE;
		if (o->page_param == NULL)
			o->page_param = "page";
		break;
	case PAGER_SINGLE:
		o->single = 1;
		break;
	default:
		o->ref = (enum pager_type)v;
	}
	return 0;
}

/*
 * The options of the body paths and of link and cursor paging.  Their
 * keys alone choose their paginator.  Returns 0, or -1 with e set.
 */
static int
ref_option(struct pager_opts *o, int opt, const char *arg, struct err *e)
{
	switch (opt) {
	case OPT_PAGINATOR:
		return paginator_option(o, arg, e);
	case OPT_NEXT_URL_PATH:
		o->next_url_path = arg;
		o->ref = PAGER_JSON_LINK;
		break;
	case OPT_LINKS_NEXT_KEY:
		o->links_next_key = arg;
		o->ref = PAGER_HEADER_LINK;
		break;
	case OPT_CURSOR_PATH:
		o->cursor_path = arg;
		o->ref = PAGER_CURSOR;
		break;
	case OPT_CURSOR_PARAM:
		o->cursor_param = arg;
		if (o->ref != PAGER_HEADER_CURSOR)
			o->ref = PAGER_CURSOR;
		break;
	case OPT_CURSOR_BODY_PATH:
		o->cursor_body_path = arg;
		o->ref = PAGER_CURSOR;
		break;
	case OPT_CURSOR_KEY:
		o->cursor_key = arg;
		o->ref = PAGER_HEADER_CURSOR;
		break;
	case OPT_NEXT_URL:
	case OPT_CURSOR:
		return resume_option(o, opt == OPT_NEXT_URL ? "--next-url" :
		    "--cursor", arg, e);
	case OPT_ALLOW_OTHER_HOST:
		o->allow_other_host = 1;
		break;
	case OPT_OFFSET_BODY_PATH:
		o->offset_body_path = arg;
		break;
	case OPT_LIMIT_BODY_PATH:
		o->limit_body_path = arg;
		break;
	case OPT_PAGE_BODY_PATH:
		o->page_body_path = arg;
		if (o->page_param == NULL)
			o->page_param = "page";
		break;
	}
	return 0;
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
	case OPT_PAGINATOR:
	case OPT_NEXT_URL_PATH:
	case OPT_LINKS_NEXT_KEY:
	case OPT_CURSOR_PATH:
	case OPT_CURSOR_PARAM:
	case OPT_CURSOR_BODY_PATH:
	case OPT_CURSOR_KEY:
	case OPT_NEXT_URL:
	case OPT_CURSOR:
	case OPT_ALLOW_OTHER_HOST:
	case OPT_OFFSET_BODY_PATH:
	case OPT_LIMIT_BODY_PATH:
	case OPT_PAGE_BODY_PATH:
		rc = ref_option(o, opt, arg, e);
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
	case OPT_STOP_EMPTY:
		o->stop_after_empty = opt == OPT_STOP_EMPTY;
		o->stop_empty_set = 1;
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
	{ "allow-other-host",	no_argument,	   NULL, OPT_ALLOW_OTHER_HOST },
	{ "allow-short",	no_argument,	   NULL, OPT_ALLOW_SHORT },
	{ "base-page",		required_argument, NULL, OPT_BASE_PAGE },
	{ "cursor",		required_argument, NULL, OPT_CURSOR },
	{ "cursor-body-path",	required_argument, NULL, OPT_CURSOR_BODY_PATH },
	{ "cursor-key",		required_argument, NULL, OPT_CURSOR_KEY },
	{ "cursor-param",	required_argument, NULL, OPT_CURSOR_PARAM },
	{ "cursor-path",	required_argument, NULL, OPT_CURSOR_PATH },
	{ "data-selector",	required_argument, NULL, OPT_DATA_SELECTOR },
	{ "has-more-path",	required_argument, NULL, OPT_HAS_MORE_PATH },
	{ "limit",		required_argument, NULL, OPT_LIMIT },
	{ "limit-body-path",	required_argument, NULL, OPT_LIMIT_BODY_PATH },
	{ "limit-param",	required_argument, NULL, OPT_LIMIT_PARAM },
	{ "links-next-key",	required_argument, NULL, OPT_LINKS_NEXT_KEY },
	{ "max-offset",		required_argument, NULL, OPT_MAX_OFFSET },
	{ "max-page",		required_argument, NULL, OPT_MAX_PAGE },
	{ "next-url",		required_argument, NULL, OPT_NEXT_URL },
	{ "next-url-path",	required_argument, NULL, OPT_NEXT_URL_PATH },
	{ "no-stop-after-empty-page", no_argument, NULL, OPT_NO_STOP_EMPTY },
	{ "offset",		required_argument, NULL, OPT_OFFSET },
	{ "offset-body-path",	required_argument, NULL, OPT_OFFSET_BODY_PATH },
	{ "offset-param",	required_argument, NULL, OPT_OFFSET_PARAM },
	{ "page",		required_argument, NULL, OPT_PAGE },
	{ "page-body-path",	required_argument, NULL, OPT_PAGE_BODY_PATH },
	{ "page-param",		required_argument, NULL, OPT_PAGE_PARAM },
	{ "paginator",		required_argument, NULL, OPT_PAGINATOR },
	{ "parallel",		required_argument, NULL, 'P' },
	{ "position-fd",	required_argument, NULL, OPT_POSITION_FD },
	{ "progress",		no_argument,	   NULL, OPT_PROGRESS },
	{ "single-page",	no_argument,	   NULL, OPT_SINGLE_PAGE },
	{ "stop-after-empty-page", no_argument,	   NULL, OPT_STOP_EMPTY },
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
	    "      --stop-after-empty-page\n"
	    "                             stop at an empty page (cursor "
	    "paging)\n"
	    "      --offset-body-path PATH\n"
	    "                             put the offset into the JSON body\n"
	    "      --limit-body-path PATH put the limit into the JSON body\n"
	    "      --page-body-path PATH  put the page into the JSON body\n"
	    "link and cursor paging:\n"
	    "      --paginator TYPE       json_link, header_link, cursor, "
	    "header_cursor\n"
	    "                             (or offset, page_number, "
	    "single_page)\n"
	    "      --next-url-path PATH   json_link: where the next URL is "
	    "(next)\n"
	    "      --links-next-key REL   header_link: the Link rel to follow "
	    "(next)\n"
	    "      --cursor-path PATH     cursor: where it is (cursors.next)\n"
	    "      --cursor-param NAME    the query parameter it goes in "
	    "(cursor)\n"
	    "      --cursor-body-path PATH\n"
	    "                             put it into the JSON body instead\n"
	    "      --cursor-key NAME      header_cursor: the header it is in "
	    "(next)\n"
	    "      --next-url URL         resume at URL (@FILE: its first "
	    "line)\n"
	    "      --cursor VALUE         resume at cursor VALUE (@FILE too)\n"
	    "      --allow-other-host     follow links to another host, "
	    "without\n"
	    "                             credentials\n"
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

/* Check the options of link and cursor paging, and fill in dlt's defaults. */
static void
check_refs(struct pager_opts *o)
{
	if (o->ref == PAGER_NONE) {
		if (o->start_ref != NULL)
			die(EX_USAGE, "--next-url and --cursor resume link and "
			    "cursor paging: give its paginator too");
		if (o->offset_body_path != NULL && o->page_param != NULL)
			die(EX_USAGE, "--offset-body-path is for offset "
			    "paging, not page numbers");
		return;
	}
	if (o->single || o->page_param != NULL)
		die(EX_USAGE, "link and cursor paging do not go with page "
		    "numbers or --single-page");
	if (o->offset_body_path != NULL || o->limit_body_path != NULL ||
	    o->page_body_path != NULL)
		die(EX_USAGE, "the body paths of offsets and pages do not go "
		    "with link and cursor paging");
	if (o->next_url_path == NULL)
		o->next_url_path = "next";
	if (o->links_next_key == NULL)
		o->links_next_key = "next";
	if (o->cursor_path == NULL)
		o->cursor_path = "cursors.next";
	if (o->cursor_key == NULL)
		o->cursor_key = "next";
	if (o->cursor_param == NULL)
		o->cursor_param = "cursor";
	if (o->ref == PAGER_CURSOR && o->cursor_body_path != NULL &&
	    o->cursor_param != NULL && strcmp(o->cursor_param, "cursor") != 0)
		die(EX_USAGE, "give --cursor-param or --cursor-body-path, not "
		    "both");
	if (*o->cursor_param == '\0' || *o->cursor_key == '\0' ||
	    *o->links_next_key == '\0')
		die(EX_CONFIG, "the paging parameters need names");
	if (o->parallel > 1) {
		warnmsg("warning: --parallel %ld: link and cursor paging is "
		    "sequential (each page names the next): fetching one page "
		    "at a time", o->parallel);
		o->parallel = 1;
	}
}

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
	    o->maximum < 0 && o->has_more_path == NULL && o->ref == PAGER_NONE)
		die(EX_USAGE, "paging would never stop: give --total-path, "
		    "--max-offset or --has-more-path, or stop after an empty "
		    "page");
	check_refs(o);
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
	free(o.start_buf);
	config_free(&cfg);
	return finish_stdout();
}
