/*
 * single.c: dlt's single_page paginator: one request, with no paging
 * parameters, and its page the only one.  An "auto" paginator asks its
 * first request so too, before that response settles it (detect.c).
 * The page is taken as numbers.c takes the first page of numeric
 * paging, whose checks and stop rules know a single page.
 */
#include <stdint.h>

#include "net/http.h"
#include "pager.h"

static struct http_req *
single_request(struct pager *pg, long pos)
{
	struct http_req *r = http_req_new(pg->http, pg->o->url, NULL);

	r->udata = (void *)(intptr_t)pos;
	return r;
}

/* Nothing is asked for ahead: there is no page after this one. */
static int
single_ahead(const struct pager *pg, long pos)
{
	(void)pg;
	(void)pos;
	return 0;
}

const struct paginator single_paginator = {
	.init = numbers_init,
	.request = single_request,
	.ahead = single_ahead,
	.check = numbers_check,
	.update = numbers_update,
	.ignored = numbers_ignored
};
