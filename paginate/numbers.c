/*
 * numbers.c: the paginators whose positions are numbers, dlt's offset
 * (an offset and a limit) and page_number (a page).  The position of
 * each page is known before the one before it comes, so up to
 * --parallel pages are asked for at once where a total or a maximum
 * says they exist.  Paging stops where dlt's paginators stop: at an
 * empty page, at the total or the maximum, or when has_more is false.
 * Beyond dlt, a page that repeats the one before, a short page that was
 * not the last, and fewer records than the total promised are errors.
 */
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/jpath.h"
#include "json/json.h"
#include "json/wire.h"
#include "net/detect.h"
#include "net/http.h"
#include "pager.h"

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

/*
 * The page at pg->pos, before it is written: a repeat, its total, its
 * has_more, a short page before it; what the update needs is kept in pg.
 */
void
numbers_check(struct pager *pg, struct http_req *r, long count,
    struct buf *position, int *safe)
{
	const struct pager_opts *o = pg->o;
	long total = -1, per, next;
	int stop;

	(void)safe;
	check_repeat(pg, &r->body, count);
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
	pg->stop = stop;
	pg->page_total = total;
	pg->more = stop || pg->has_more == NULL || read_has_more(pg);

	/* A short page is only suspicious once a later page has records. */
	check_short(pg, count);
	/*
	 * A run resumed after this page starts where the next page starts;
	 * after a short page, where its records end, since it may not be
	 * the last.
	 */
	next = o->page_param == NULL && count < o->limit ?
	    pg->pos + count : pg->pos + pg->step;
	wire_pos_number(position, o->page_param != NULL ? POS_PAGE :
	    POS_OFFSET, next);
}

/* After the page at pg->pos, written: the stop rules in dlt's order. */
int
numbers_update(struct pager *pg, struct http_req *r, long count)
{
	const struct pager_opts *o = pg->o;
	struct buf *body = &r->body;
	struct buf swap;
	long total = pg->page_total, next;
	int stop = pg->stop, more = pg->more;

	swap = pg->prev;
	pg->prev = *body;
	*body = swap;
	if (pg->pages == 1)
		pg->first_count = count;

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
int
numbers_ignored(struct pager *pg, const struct http_req *r)
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
numbers_request(struct pager *pg, long pos)
{
	const struct pager_opts *o = pg->o;
	struct http *h = pg->http;
	char *op, *lp, extra[256];
	struct http_req *r;
	long limit = o->limit;

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

/*
 * Fetch the page at pos ahead only where a total or maximum says it
 * exists, and once the paginator is settled.
 */
static int
numbers_ahead(const struct pager *pg, long pos)
{
	long end = horizon(pg);

	return pg->settle == NULL && end >= 0 && pos < end;
}

/* No page to ask for when paging starts at --max-offset or --max-page. */
int
numbers_init(struct pager *pg)
{
	return pg->o->maximum < 0 || pg->pos < pg->o->maximum;
}

const struct paginator numbers_paginator = {
	.init = numbers_init,
	.request = numbers_request,
	.ahead = numbers_ahead,
	.check = numbers_check,
	.update = numbers_update,
	.ignored = numbers_ignored
};
