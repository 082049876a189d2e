/*
 * page.c: a page read.  parse_page() parses a response's body, finds its
 * records (their selector detected on the first page when none is
 * given, and an "auto" paginator settled there, detect.c) and flattens
 * it to one line; read_has_more() reads the has_more flag the numeric
 * and the link and cursor paginators both stop by.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/jpath.h"
#include "json/json.h"
#include "net/detect.h"
#include "pager.h"

/*
 * dlt's guess at where the records of a page are (lib/net/detect.h),
 * kept for every page after.  A page with no array is one record, as in
 * dlt, but only where there is one page: pages of one record each would
 * never come to an empty page.
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
