/*
 * lib/net/detect.h: dlt's guesses at the records and the paginator of a
 * first response, case by case as detector.py decides them, and each
 * selector reaching what was found.
 */
#include <stdlib.h>
#include <string.h>

#include "json/jpath.h"
#include "json/json.h"
#include "net/detect.h"
#include "unit.h"

static const struct {
	const char	*json;
	const char	*records;	/* the selector */
	int		 list;
} records[] = {
	{ "[1,2]", "$", 1 },
	{ "[]", "$", 1 },
	{ "3", "$", 0 },
	{ "null", "$", 0 },
	{ "{}", "$", 0 },
	{ "{\"id\":1,\"name\":\"x\"}", "$", 0 },
	{ "{\"data\":[1]}", "data", 1 },
	{ "{\"tags\":[1],\"items\":[2]}", "items", 1 },
	{ "{\"tags\":[1],\"meta\":{\"x\":[2]}}", "tags", 1 },
	{ "{\"meta\":{\"x\":[2]},\"tags\":[1]}", "meta.x", 1 },
	{ "{\"a\":{\"b\":{\"results\":[1]}},\"rows\":[2]}", "a.b.results", 1 },
	/* Three keys deep at most, as find_all_lists() looks. */
	{ "{\"a\":{\"b\":{\"c\":{\"data\":[1]}}}}", "$", 0 },
	{ "{\"a\":{\"b\":{\"c\":{\"data\":[1]}},\"x\":[2]}}", "a.x", 1 },
	/* Exact names only: dlt compares the key as it is. */
	{ "{\"Data\":[1],\"values\":[2]}", "values", 1 },
	{ "{\"odd key\":[1]}", "$['odd key']", 1 },
	{ "{\"a\":{\"it's\":[1]}}", "$['a']['it\\'s']", 1 },
	{ "{\"d\\u0061ta\":[1]}", "data", 1 },
	/* A repeated key: the member a selector reaches is the last. */
	{ "{\"data\":[1],\"data\":2,\"x\":[3]}", "x", 1 },
	{ "{\"data\":{\"rows\":[1]}}", "data.rows", 1 },
};

static const struct {
	const char	*json;
	const char	*link;
	const char	*kind;
	const char	*path;
} pagers[] = {
	{ "{\"data\":[]}", "<http://x/?page=2>; rel=\"next\"", "header_link",
	    NULL },
	{ "[]", "<http://x/2>; rel=next, <http://x/9>; rel=\"last\"",
	    "header_link", NULL },
	{ "[]", "<http://x/9>; rel=\"last\", <http://x/2>; rel=\"next\"",
	    "header_link", NULL },
	/*
	 * lib/link's reading, which the header_link paginator follows, not
	 * requests': one of several rels, a parameter with two '=' before
	 * the rel.
	 */
	{ "[]", "<http://x/9>; rel=\"prev next\"", "header_link", NULL },
	{ "[]", "<http://x/9>; title=a=b; rel=\"next\"", "header_link",
	    NULL },
	{ "[]", "<http://x/9>; rel=\"nextpage\"", "single_page", NULL },
	{ "[]", "", "single_page", NULL },
	{ "{\"next\":\"https://x/2\",\"data\":[]}", NULL, "json_link",
	    "next" },
	{ "{\"next\":\"/v1/r?page=2\",\"data\":[]}", NULL, "json_link",
	    "next" },
	{ "{\"links\":{\"next\":{\"href\":\"/p/2\"}}}", NULL, "json_link",
	    "links.next.href" },
	{ "{\"paging\":{\"Next_URL\":\"http://x\"}}", NULL, "json_link",
	    "paging.Next_URL" },
	{ "{\"nextPage\":{\"url\":\"http://x\"}}", NULL, "json_link",
	    "nextPage.url" },
	/* OData's key starts with '@': dlt misses it, and so do we. */
	{ "{\"@odata.nextLink\":\"http://x\",\"value\":[]}", NULL,
	    "single_page", NULL },
	{ "{\"next\":null,\"data\":[]}", NULL, "single_page", NULL },
	{ "{\"next\":\"abc\",\"data\":[]}", NULL, "cursor", "next" },
	{ "{\"next_cursor\":12,\"data\":[]}", NULL, "cursor", "next_cursor" },
	{ "{\"meta\":{\"next\":\"\"}}", NULL, "cursor", "meta.next" },
	{ "{\"next\":{\"token\":\"a\"}}", NULL, "single_page", NULL },
	{ "{\"next\":{\"token\":\"a\",\"next\":\"b\"}}", NULL, "cursor",
	    "next.next" },
	/* A count of pages comes before a cursor, after a link. */
	{ "{\"total_pages\":3,\"data\":[]}", NULL, "page_number",
	    "total_pages" },
	{ "{\"next\":\"abc\",\"meta\":{\"totalPages\":\"7\"}}", NULL,
	    "page_number", "meta.totalPages" },
	{ "{\"next\":\"http://x\",\"pages\":3}", NULL, "json_link", "next" },
	{ "{\"pages\":\"many\",\"x\":{\"total_pages\":2}}", NULL,
	    "single_page", NULL },
	{ "{\"pages\":2.5}", NULL, "page_number", "pages" },
	{ "{\"pages\":\" 4 \"}", NULL, "page_number", "pages" },
	{ "{\"pages\":[1,2]}", NULL, "single_page", NULL },
	{ "{\"page_count\":2,\"total\":30}", NULL, "single_page", NULL },
	{ "{\"odd key\":{\"next\":\"c\"}}", NULL, "cursor",
	    "$['odd key']['next']" },
	{ "[{\"next\":\"http://x\"}]", NULL, "single_page", NULL },
	{ "{\"next\":true}", NULL, "single_page", NULL },
};

static void
parse(struct json *js, const char *text)
{
	struct json_error err;

	if (json_parse(js, text, strlen(text), &err) == -1)
		unit_check(0, "%s parses: %s", unit_quotes(text), err.msg);
}

/* The selector compiles and reaches a value of the kind wanted. */
static void
reaches(const struct json *js, const char *sel, const char *what,
    const char *text)
{
	const char *err;
	struct jpath *p;
	int i;

	if ((p = jpath_compile(sel, &err)) == NULL) {
		unit_check(0, "%s: %s compiles: %s", unit_quotes(text),
		    unit_quotes(sel), err);
		return;
	}
	i = jpath_eval(p, js, 0);
	unit_check(i >= 0 && (strcmp(what, "array") != 0 ||
	    json_is_array(js, i)), "%s: %s reaches the %s",
	    unit_quotes(text), unit_quotes(sel), what);
	jpath_free(p);
}

int
main(void)
{
	struct json js;
	struct detected d;
	size_t i;
	char *sel;
	int list;

	json_init(&js);
	for (i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		parse(&js, records[i].json);
		sel = detect_records(&js, &list);
		unit_str(sel, records[i].records, "%s: records at",
		    unit_quotes(records[i].json));
		unit_long(list, records[i].list, "%s: a list",
		    unit_quotes(records[i].json));
		reaches(&js, sel, list ? "array" : "value", records[i].json);
		free(sel);
	}
	for (i = 0; i < sizeof(pagers) / sizeof(pagers[0]); i++) {
		parse(&js, pagers[i].json);
		detect_paginator(&js, pagers[i].link, &d);
		unit_str(name_of(detect_kinds, (int)d.kind), pagers[i].kind,
		    "%s, link %s: kind", unit_quotes(pagers[i].json),
		    unit_quotes(pagers[i].link));
		if (pagers[i].path == NULL)
			unit_check(d.path == NULL, "%s: no path",
			    unit_quotes(pagers[i].json));
		else {
			unit_str(d.path, pagers[i].path, "%s: path",
			    unit_quotes(pagers[i].json));
			if (d.path != NULL)
				reaches(&js, d.path, "value",
				    pagers[i].json);
		}
		unit_double(d.score, d.kind == DETECT_SINGLE ? 0 :
		    d.kind == DETECT_PAGE_NUMBER || d.kind == DETECT_CURSOR ?
		    0.5 : 1, "%s: score", unit_quotes(pagers[i].json));
		detected_free(&d);
	}
	json_free(&js);
	return unit_done();
}
