/*
 * links.c: the paginators whose position is a reference to the next page
 * that each page gives (links_paginator): a URL in the body (json_link)
 * or in the Link header (header_link), a cursor in the body (cursor) or
 * in a header (header_cursor).  Pages come one at a time, as each names
 * the next, and are counted from 1.  As dlt's paginators do, paging
 * stops when the reference is missing, null or empty; unlike them, a
 * reference already followed in this run is an error (the links go round
 * in a loop), and so is a link to another host unless asked for, when it
 * is followed without any credential.
 */
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "base/hash.h"
#include "json/jpath.h"
#include "json/json.h"
#include "json/wire.h"
#include "net/http.h"
#include "net/link.h"
#include "pager.h"

/* 1 for the paginators whose reference is a URL. */
static int
is_link(const struct pager_opts *o)
{
	return o->ref == PAGER_JSON_LINK || o->ref == PAGER_HEADER_LINK;
}

/*
 * The scheme, host and port of an absolute URL, as "scheme://host:port"
 * into out, the port spelled out when it is the scheme's default.
 * Returns 0, or -1 when url is not an absolute URL.
 */
static int
origin(const char *url, struct buf *out)
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	CURLU *u;
	int rc = -1;

	if ((u = curl_url()) == NULL)
		die(EX_OSERR, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK) {
		buf_printf(out, "%s://%s:%s", scheme, host, port);
		for (size_t i = 0; i < out->len; i++)
			if (out->data[i] >= 'A' && out->data[i] <= 'Z')
				out->data[i] += 'a' - 'A';
		rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/*
 * ref resolved against base as RFC 3986 says, in a string the caller
 * frees; NULL when it cannot be.
 */
static char *
resolve(const char *base, const char *ref)
{
	char *url = NULL, *s;
	CURLU *u;

	if ((u = curl_url()) == NULL)
		die(EX_OSERR, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, base, CURLU_NON_SUPPORT_SCHEME) ==
	    CURLUE_OK && curl_url_set(u, CURLUPART_URL, ref,
	    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &url, 0) == CURLUE_OK) {
		s = xstrdup(url);
		curl_free(url);
		curl_url_cleanup(u);
		return s;
	}
	curl_url_cleanup(u);
	return NULL;
}

/* The name of the reference, for messages. */
static const char *
ref_name(const struct pager_opts *o)
{
	return is_link(o) ? "next link" : "cursor";
}

/*
 * The cursor or next URL at the page's o->next_url_path or cursor_path,
 * in a string the caller frees, and in *json its JSON text (a string
 * quoted, a number as it is); NULL when missing, null, empty or, for a
 * cursor, false or 0 (as dlt reads a falsy value).
 */
static char *
ref_in_body(struct pager *pg, struct buf *json)
{
	const struct pager_opts *o = pg->o;
	const struct json *js = &pg->json;
	const char *path = is_link(o) ? o->next_url_path : o->cursor_path;
	struct buf v;
	int i, b;

	/* No path: a detected paginator found no next page. */
	if (pg->ref_path == NULL)
		return NULL;
	i = jpath_eval(pg->ref_path, js, 0);
	if (i < 0 || json_is_null(js, i))
		return NULL;
	if (json_is_bool(js, i, &b) && !b && !is_link(o))
		return NULL;
	buf_init(&v, 0);
	if (json_is_string(js, i)) {
		json_unescape(js, i, &v);
		buf_add(json, js->text + js->tok[i].start - 1,
		    (size_t)(js->tok[i].end - js->tok[i].start + 2));
	} else if (json_is_number(js, i) && !is_link(o)) {
		buf_add(&v, js->text + js->tok[i].start,
		    (size_t)(js->tok[i].end - js->tok[i].start));
		buf_add(json, v.data, v.len);
		if (strtod(buf_str(&v), NULL) == 0) {
			buf_free(&v);
			return NULL;
		}
	} else {
		buf_free(&v);
		warnmsg("%s: the %s at '%s' is not a %s", where(pg),
		    ref_name(o), path, is_link(o) ? "string" :
		    "string or a number");
		fail(pg, EX_DATAERR);
	}
	if (v.len == 0 || memchr(buf_str(&v), '\0', v.len) != NULL) {
		buf_free(&v);
		return NULL;
	}
	return buf_str(&v);
}

/* The reference in the response's headers, or NULL. */
static char *
ref_in_headers(struct pager *pg, const struct http_req *r)
{
	const struct pager_opts *o = pg->o;
	struct buf value, target;
	char *s = NULL;

	buf_init(&value, 0);
	if (http_req_header(r, o->ref == PAGER_HEADER_LINK ? "Link" :
	    o->cursor_key, &value) == 0 || value.len == 0) {
		buf_free(&value);
		return NULL;
	}
	if (o->ref == PAGER_HEADER_CURSOR)
		return buf_str(&value);
	buf_init(&target, 0);
	if (link_find(value.data, value.len, o->links_next_key, &target) &&
	    target.len > 0)
		s = buf_str(&target);
	else
		buf_free(&target);
	buf_free(&value);
	return s;
}

/*
 * The request for the page at ref (a URL or a cursor; NULL: the first
 * page), with no credential when bare.
 */
static struct http_req *
ref_request(struct http *h, const struct pager *pg, const char *ref,
    const char *json, int bare)
{
	const struct pager_opts *o = pg->o;
	struct http_req *r;
	struct buf body, extra;
	char *p;

	if (ref == NULL)
		return http_req_new(h, o->url, NULL);
	if (is_link(o))
		return http_req_link(h, ref, bare ? HTTP_BARE : 0);
	if (o->cursor_body_path == NULL) {
		buf_init(&extra, 0);
		if ((p = curl_easy_escape(NULL, o->cursor_param, 0)) == NULL)
			die(EX_OSERR, "out of memory");
		buf_adds(&extra, p);
		curl_free(p);
		if ((p = curl_easy_escape(NULL, ref, 0)) == NULL)
			die(EX_OSERR, "out of memory");
		buf_addc(&extra, '=');
		buf_adds(&extra, p);
		curl_free(p);
		r = http_req_new(h, o->url, buf_str(&extra));
		buf_free(&extra);
		return r;
	}
	r = http_req_new(h, o->url, NULL);
	buf_init(&body, 0);
	if (o->req.http.body != NULL)
		buf_add(&body, o->req.http.body, o->req.http.bodylen);
	body_set(&body, "--cursor-body-path", o->cursor_body_path, json);
	http_req_body(r, body.data, body.len);
	buf_free(&body);
	return r;
}

/* A reference as JSON text for a body: a string unless json says. */
static void
ref_json(const char *ref, const char *json, struct buf *out)
{
	buf_reset(out);
	if (json != NULL && *json != '\0')
		buf_adds(out, json);
	else
		json_quote(out, ref, strlen(ref));
}

/* The option and value that resume at ref: "--cursor abc". */
static void
position(const struct pager_opts *o, const char *ref, struct buf *out)
{
	buf_reset(out);
	wire_pos_ref(out, is_link(o) ? POS_NEXT_URL : POS_CURSOR, ref);
	buf_str(out);
}

/* 1 if ref could carry the secret, or cannot be written on a line. */
static int
unsafe(struct http *h, const char *ref)
{
	char *shown = http_redact(h, ref);
	int bad = strcmp(shown, ref) != 0 || strpbrk(ref, "\r\n") != NULL;

	free(shown);
	return bad;
}

/*
 * Stop at a reference followed before in this run: the pages would come
 * round again, for ever.
 */
static void
check_loop(struct pager *pg, struct http *h, const char *ref)
{
	const struct pager_opts *o = pg->o;
	char *shown;
	int added;

	strtab_add(&pg->seen, ref, strlen(ref), &added);
	if (added)
		return;
	shown = http_redact(h, ref);
	warnmsg("%s: the %s '%s' was followed before in this run: the "
	    "pages go round in a loop; check that %s names the next page "
	    "(not this one)%s", where(pg), ref_name(o), shown,
	    o->ref == PAGER_JSON_LINK ? "--next-url-path (next_url_path)" :
	    o->ref == PAGER_HEADER_LINK ? "--links-next-key (links_next_key)" :
	    o->ref == PAGER_CURSOR ? "--cursor-path (cursor_path)" :
	    "--cursor-key (cursor_key)", is_link(o) ? "" :
	    " and that the server reads the cursor where it is sent");
	free(shown);
	fflush(stdout);
	exit(EX_DATAERR);
}

/*
 * Whether the next link url may be followed with the credentials: 1 if
 * it goes to the first request's scheme, host and port; 0 if it goes
 * elsewhere and --allow-other-host lets it go without them; else exit.
 */
static int
same_host(struct pager *pg, struct http *h, const char *first,
    const char *url)
{
	struct buf there;
	char *shown;
	int same;

	buf_init(&there, 0);
	same = origin(url, &there) == 0 && strcmp(buf_str(&there), first) == 0;
	buf_free(&there);
	if (same)
		return 1;
	shown = http_redact(h, url);
	if (pg->o->allow_other_host && strcmp(shown, url) == 0) {
		free(shown);
		return 0;
	}
	if (pg->o->allow_other_host) {
		warnmsg("%s: the next link goes to another scheme, host or "
		    "port than the first request (%s), and carries the secret "
		    "in its URL, which must not go there: '%s'", where(pg),
		    first, shown);
		free(shown);
		fail(pg, EX_UNAVAILABLE);
	}
	warnmsg("%s: the next link goes to another scheme, host or port than "
	    "the first request (%s), where the credentials must not go: '%s'; "
	    "give --allow-other-host (allow_other_host) to follow it without "
	    "them", where(pg), first, shown);
	free(shown);
	fail(pg, EX_UNAVAILABLE);
}

/* The next reference after the page of request r, or NULL: the last. */
static char *
next_ref(struct pager *pg, const struct http_req *r, long count,
    struct buf *json)
{
	const struct pager_opts *o = pg->o;
	char *ref, *abs;
	int more;

	buf_reset(json);
	if (o->ref == PAGER_JSON_LINK || o->ref == PAGER_CURSOR)
		ref = ref_in_body(pg, json);
	else
		ref = ref_in_headers(pg, r);
	if (o->stop_empty_set && o->stop_after_empty && count == 0) {
		free(ref);
		return NULL;
	}
	if (o->has_more_path != NULL) {
		more = read_has_more(pg);
		if (!more) {
			free(ref);
			return NULL;
		}
		if (ref == NULL) {
			warnmsg("%s: '%s' says there is more, but there is no "
			    "%s", where(pg), o->has_more_path, ref_name(o));
			fail(pg, EX_DATAERR);
		}
	}
	if (ref == NULL || !is_link(o))
		return ref;
	/* dlt joins a link without a scheme to the request's URL. */
	abs = resolve(pg->resume_base.data, ref);
	if (abs == NULL) {
		warnmsg("%s: the next link is not a URL", where(pg));
		free(ref);
		fail(pg, EX_DATAERR);
	}
	free(ref);
	return abs;
}

/*
 * Start at the first page, or at --next-url or --cursor, with the
 * resume position there; 0 when that is empty: the run before saw the
 * last page.  A link back to the first page is a loop too.
 */
static int
links_init(struct pager *pg)
{
	const struct pager_opts *o = pg->o;
	struct buf b;
	char *self;

	if (origin(o->url, &pg->origin) == -1)
		die(EX_USAGE, "%s: not an absolute http or https URL", o->url);
	buf_reset(&pg->resume_base);
	buf_adds(&pg->resume_base, o->url);
	buf_str(&pg->resume_base);
	buf_init(&b, 0);
	if (is_link(o)) {
		buf_adds(&b, o->url);
		if (o->req.http.query != NULL)
			buf_printf(&b, "%c%s", strchr(o->url, '?') != NULL ?
			    '&' : '?', o->req.http.query);
		if ((self = resolve(o->url, buf_str(&b))) != NULL)
			strtab_add(&pg->seen, self, strlen(self), NULL);
		free(self);
	}
	if (o->start_ref == NULL)
		set_resume_ref(pg, NULL, 1);
	else if (*o->start_ref == '\0') {
		buf_free(&b);
		return 0;
	} else {
		pg->ref_now = is_link(o) ? resolve(o->url, o->start_ref) :
		    xstrdup(o->start_ref);
		if (pg->ref_now == NULL)
			die(EX_USAGE, "--next-url: '%s' is not a URL",
			    o->start_ref);
		if (is_link(o))
			pg->bare = !same_host(pg, pg->http, pg->origin.data,
			    pg->ref_now);
		position(o, pg->ref_now, &b);
		set_resume_ref(pg, b.data, !unsafe(pg->http, pg->ref_now));
		strtab_add(&pg->seen, pg->ref_now, strlen(pg->ref_now), NULL);
	}
	buf_free(&b);
	pg->started = pg->shown_at = clock_now();
	pg->pos = 1;
	pg->step = 1;
	return 1;
}

/* The request for the page the last one named, or the first page. */
static struct http_req *
links_request(struct pager *pg, long pos)
{
	const struct pager_opts *o = pg->o;
	struct http_req *r;

	if (pg->ref_now != NULL && is_link(o)) {
		buf_reset(&pg->resume_base);
		buf_adds(&pg->resume_base, pg->ref_now);
		buf_str(&pg->resume_base);
	}
	if (pg->ref_now != NULL && !is_link(o))
		ref_json(pg->ref_now, pg->ref_json.len > 0 ?
		    buf_str(&pg->ref_json) : NULL, &pg->ref_body);
	r = ref_request(pg->http, pg, pg->ref_now, buf_str(&pg->ref_body),
	    pg->bare);
	r->udata = (void *)(intptr_t)pos;
	return r;
}

/* Pages come one at a time: each names the next. */
static int
links_ahead(const struct pager *pg, long pos)
{
	(void)pg;
	(void)pos;
	return 0;
}

/*
 * The reference to the next page, checked: followed before, or a link
 * to another host.  The position that resumes after the page is at it.
 */
static void
links_check(struct pager *pg, struct http_req *r, long count,
    struct buf *at, int *safe)
{
	const struct pager_opts *o = pg->o;

	pg->ref_next = next_ref(pg, r, count, &pg->ref_json);
	if (pg->ref_next != NULL) {
		check_loop(pg, pg->http, pg->ref_next);
		if (is_link(o))
			pg->bare = !same_host(pg, pg->http, pg->origin.data,
			    pg->ref_next);
	}
	position(o, pg->ref_next, at);
	*safe = pg->ref_next == NULL || !unsafe(pg->http, pg->ref_next);
}

/* On to the page the one written names; none: the last. */
static int
links_update(struct pager *pg, struct http_req *r, long count)
{
	(void)r;
	(void)count;
	free(pg->ref_now);
	pg->ref_now = pg->ref_next;
	pg->ref_next = NULL;
	return pg->ref_now != NULL;
}

/* As response_actions ask: paging stops, as dlt's. */
static int
links_ignored(struct pager *pg, const struct http_req *r)
{
	warnmsg("page %ld: %s: paging stops there, as after an empty page",
	    pg->pos, r->ignored);
	return 0;
}

const struct paginator links_paginator = {
	.init = links_init,
	.request = links_request,
	.ahead = links_ahead,
	.check = links_check,
	.update = links_update,
	.ignored = links_ignored
};
