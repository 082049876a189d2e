/*
 * detect.c: an "auto" paginator (no paginator, or {"type": "auto"}),
 * settled from the first response as dlt's detector does
 * (lib/net/detect.h): page numbers, a single page, or a link or cursor
 * to follow.  The options are changed to those of the paginator found,
 * and the driver hands the first page on to its family.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/jpath.h"
#include "net/detect.h"
#include "net/http.h"
#include "dlt/name.h"
#include "pager.h"

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
 * As dlt's detector does (lib/net/detect.h): page numbers go on from
 * page 1, as dlt's detected page_number paginator counts from 0; a
 * single page stops; a link or a cursor is followed from this page on
 * by links.c, with dlt's defaults for what the detector leaves out.  A
 * resume by --next-url or --cursor must find the same family again, or
 * no next page at all (the last page).
 */
void
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
			warnmsg("page %ld shows no next page: the last",
			    pg->pos);
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
