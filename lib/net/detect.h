/*
 * detect.h: dlt's guesses, from the first response, at what a
 * configuration leaves out: where a page's records are (its
 * data_selector) and how the API pages (its paginator).  Pure functions
 * of the parsed body and the Link header: they print nothing, and each
 * answer is a selector that jpath_compile() accepts.
 */
#ifndef DETECT_H
#define DETECT_H

#include "base/opt.h"
#include "json/json.h"

/* What detect_paginator() found, in the order dlt tries them. */
enum detect_kind {
	DETECT_HEADER_LINK,	/* a Link header with rel="next" */
	DETECT_JSON_LINK,	/* a next URL in the body */
	DETECT_PAGE_NUMBER,	/* a count of pages in the body */
	DETECT_CURSOR,		/* a next value that is no URL */
	DETECT_SINGLE		/* none of these: one page */
};

/* The kinds by the names of their paginator types in a configuration. */
extern const struct name detect_kinds[];

struct detected {
	enum detect_kind kind;
	/*
	 * The selector of the next URL (json_link), of the cursor (cursor)
	 * or of the count of pages (page_number); NULL for the others.
	 */
	char		*path;
	double		 score;	/* dlt's: 1 sure, 0.5 a guess, 0 a fallback */
};

/*
 * dlt's data_selector guess for the page in js (token 0 its root): "$"
 * if the page is no object; else, among the arrays at most three keys
 * deep, met depth first, the first whose key is a usual name for
 * records (data, items, results, ...), else the first; "$" if there is
 * none.  Returns a new string the caller frees, and sets *list to 1 if
 * it selects an array.
 */
char	*detect_records(const struct json *js, int *list);

/*
 * dlt's paginator guess for the first response, body js (token 0 its
 * root) and its Link header values joined by ", " (or NULL), into d:
 * header_link if a link has rel="next"; json_link if the first member
 * met depth first whose key starts with "next" (or its "href" or "url"
 * member) is a string that starts with "http" or "/"; page_number if a
 * member named total_pages, pages or totalPages holds an integer;
 * cursor if that first "next" member holds any other string or number;
 * else single page.  Key names are compared without regard to case.
 * d->path is a new string the caller frees with detected_free().
 */
void	detect_paginator(const struct json *js, const char *link,
	    struct detected *d);

void	detected_free(struct detected *);

/*
 * 1 if the Link header value link has a link whose rel is "next", as
 * lib/link reads it.
 */
int	detect_link_next(const char *link);

#endif
