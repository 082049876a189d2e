/*
 * http.c: the client: handles, the multi interface, requests and their
 * URLs with the secrets hidden, transfers, headers and bodies.  What a
 * finished attempt means is in http_retry.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "net/http.h"
#include "net/http_int.h"
#include "net/oauth.h"
#include "net/secret.h"

/* Hide the n bytes at s in every message from now on. */
static void
hide_more(struct http *h, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || memchr(s, '\0', n) != NULL)
		return;
	for (i = 0; i < h->nhide; i++)
		if (strlen(h->hide[i]) == n && memcmp(h->hide[i], s, n) == 0)
			return;
	h->hide = xrealloc(h->hide, (h->nhide + 1) * sizeof(*h->hide));
	h->hide[h->nhide++] = xstrndup(s, n);
}

struct http *
http_new(const struct http_opts *o, struct err *e)
{
	struct http *h;
	struct curl_slist *l;
	char *colon;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		err_set(e, EX_SOFTWARE, "cannot initialize libcurl");
		return NULL;
	}
	h = xcalloc(1, sizeof(*h));
	h->o = o;
	if ((h->multi = curl_multi_init()) == NULL) {
		err_set(e, EX_OSERR, "cannot create a libcurl multi handle");
		free(h);
		curl_global_cleanup();
		return NULL;
	}
	if (o->secret != NULL)
		hide_more(h, o->secret, strlen(o->secret));
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	for (l = o->headers; l != NULL; l = l->next) {
		h->headers = curl_slist_append(h->headers, l->data);
		h->plain = curl_slist_append(h->plain, l->data);
	}
	switch (o->auth) {
	case AUTH_API_KEY:
		if (o->key_location == KEY_HEADER) {
			char *hd = xasprintf("%s: %s", o->key_name, o->secret);

			h->headers = curl_slist_append(h->headers, hd);
			free(hd);
		} else if (o->key_location == KEY_COOKIE) {
			/*
			 * As a header, not CURLOPT_COOKIE: libcurl drops a
			 * Cookie header when a redirect leaves the host.
			 */
			char *hd = xasprintf("Cookie: %s=%s", o->key_name,
			    o->secret);

			h->headers = curl_slist_append(h->headers, hd);
			free(hd);
		}
		break;
	case AUTH_BEARER: {
		char *hd = xasprintf("Authorization: Bearer %s", o->secret);

		h->headers = curl_slist_append(h->headers, hd);
		free(hd);
		break;
	}
	case AUTH_BASIC:
		colon = strchr(o->secret, ':');
		h->user = xstrndup(o->secret, (size_t)(colon - o->secret));
		h->password = xstrdup(colon + 1);
		/* A server may quote the password, or the header it came in. */
		hide_more(h, h->password, strlen(h->password));
		break;
	case AUTH_OAUTH2:
		h->oauth = oauth_new(o);
		break;
	case AUTH_NONE:
		break;
	}
	return h;
}

static void
append_query(struct buf *u, const char *q)
{
	if (q == NULL || *q == '\0')
		return;
	buf_addc(u, strchr(u->data, '?') != NULL ? '&' : '?');
	buf_adds(u, q);
}

/* Query parameters whose values are secrets, besides --key-name. */
static const char *const secret_params[] = {
	"access_token", "api_key", "apikey", "client_secret", "key",
	"password", "secret", "sig", "signature", "token"
};

/* The name of a secret that parameter name (n bytes, encoded) holds. */
static const char *
secret_param(const struct http_opts *o, const char *name, size_t n)
{
	const char *found = NULL;
	size_t i;
	char *d;

	if ((d = curl_easy_unescape(NULL, name, (int)n, NULL)) == NULL)
		die(EX_OSERR, "out of memory");
	if (o->key_name != NULL && strcasecmp(d, o->key_name) == 0)
		found = o->key_name;
	for (i = 0; found == NULL &&
	    i < sizeof(secret_params) / sizeof(secret_params[0]); i++)
		if (strcasecmp(d, secret_params[i]) == 0)
			found = secret_params[i];
	curl_free(d);
	return found;
}

/* Hide s (n bytes) decoded, with each '+' read as a space if plus. */
static void
hide_decoded(struct http *h, const char *s, size_t n, int plus)
{
	char *t = xstrndup(s, n), *d, *p;
	int dn;

	for (p = t; plus && (p = strchr(p, '+')) != NULL; p++)
		*p = ' ';
	if ((d = curl_easy_unescape(NULL, t, (int)n, &dn)) == NULL)
		die(EX_OSERR, "out of memory");
	hide_more(h, d, (size_t)dn);
	explicit_bzero(d, (size_t)dn);
	explicit_bzero(t, n);
	curl_free(d);
	free(t);
}

/*
 * Hide a value from a URL (n bytes) as it is and decoded, a '+' read
 * both ways: servers read forms with '+' for a space.
 */
static void
hide_value(struct http *h, const char *s, size_t n)
{
	hide_more(h, s, n);
	hide_decoded(h, s, n, 0);
	if (memchr(s, '+', n) != NULL)
		hide_decoded(h, s, n, 1);
}

/*
 * The names of the secrets found in a URL, each once: pointers to
 * secret_params[], to --key-name or to a constant, so at most 12.
 */
struct names {
	const char	*v[12];
	size_t		 n;
};

static void
add_name(struct names *names, const char *name)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		if (names->v[i] == name)
			return;
	names->v[names->n++] = name;
}

/*
 * Copy url into u up to its host, with the password of its userinfo as
 * "***"; returns where the copy stopped.
 */
static const char *
hide_userinfo(struct http *h, const char *url, struct buf *u,
    struct names *names)
{
	const char *auth = url, *end, *at = NULL, *colon, *p;
	size_t n = strcspn(url, ":/?#");

	if (strncmp(url + n, "://", 3) == 0)
		auth = url + n + 3;
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at == NULL ||
	    (colon = memchr(auth, ':', (size_t)(at - auth))) == NULL ||
	    colon + 1 == at)
		return url;
	buf_add(u, url, (size_t)(colon + 1 - url));
	buf_adds(u, "***");
	hide_value(h, colon + 1, (size_t)(at - colon - 1));
	add_name(names, "the userinfo password");
	return at;
}

/* Copy p into u with the values of secret query parameters as "***". */
static void
hide_query(struct http *h, const char *p, struct buf *u, struct names *names)
{
	const char *q = strchr(p, '?'), *end, *eq, *name;

	if (q == NULL) {
		buf_adds(u, p);
		return;
	}
	buf_add(u, p, (size_t)(q + 1 - p));
	for (p = q + 1;; p = end + 1) {
		end = p + strcspn(p, "&");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && eq + 1 < end &&
		    (name = secret_param(h->o, p, (size_t)(eq - p))) != NULL) {
			buf_add(u, p, (size_t)(eq + 1 - p));
			buf_adds(u, "***");
			hide_value(h, eq + 1, (size_t)(end - eq - 1));
			add_name(names, name);
		} else {
			buf_add(u, p, (size_t)(end - p));
		}
		if (*end == '\0')
			break;
		buf_addc(u, '&');
	}
}

/*
 * A secret in a URL shows in ps, in the shell's history and in logs: say
 * so once a process, and keep it out of core dumps.
 */
static void
warn_url_secret(const struct http *h, const struct names *names)
{
	static int warned;
	struct buf list;
	size_t i;

	if (names->n == 0 || warned)
		return;
	warned = 1;
	secret_nodump();
	buf_init(&list, 0);
	for (i = 0; i < names->n; i++) {
		if (i > 0)
			buf_adds(&list, ", ");
		buf_adds(&list, names->v[i]);
	}
	warnmsg("warning: a secret in the URL (%s): a URL shows in ps, shell "
	    "history and logs; put the secret in the environment (%s) and "
	    "use --auth", buf_str(&list), h->o->secret_var);
	buf_free(&list);
}

/*
 * url as messages show it: the userinfo password and the values of query
 * parameters named like secrets as "***", hidden from then on in every
 * message, raw and decoded.  The caller frees.
 */
static char *
hide_url(struct http *h, const char *url, int warn)
{
	struct names names;
	struct buf u;

	names.n = 0;
	buf_init(&u, 0);
	hide_query(h, hide_userinfo(h, url, &u, &names), &u, &names);
	if (warn)
		warn_url_secret(h, &names);
	return buf_str(&u);
}

/*
 * The URL of a request for base: with extra and the options' query
 * added, or as it is (a server's link); with the key in the query unless
 * bare; the secrets as "***" if shown.
 */
static char *
build_url(struct http *h, const char *base, const char *extra, int shown,
    int flags)
{
	const struct http_opts *o = h->o;
	const char *frag = strchr(base, '#');
	struct buf u;

	buf_init(&u, 0);
	buf_add(&u, base, frag != NULL ? (size_t)(frag - base) : strlen(base));
	buf_str(&u);
	if (!(flags & HTTP_AS_IS)) {
		append_query(&u, extra);
		buf_str(&u);
		append_query(&u, o->query);
	}
	if (shown) {
		char *s = hide_url(h, buf_str(&u), !(flags & HTTP_AS_IS));

		buf_reset(&u);
		buf_adds(&u, s);
		free(s);
	}
	buf_str(&u);
	if (o->auth == AUTH_API_KEY && o->key_location == KEY_QUERY &&
	    !(flags & HTTP_BARE)) {
		char *name = curl_easy_escape(NULL, o->key_name, 0);
		char *val = shown ? NULL : curl_easy_escape(NULL, o->secret, 0);

		if (name == NULL || (!shown && val == NULL))
			die(EX_OSERR, "out of memory");
		buf_addc(&u, strchr(u.data, '?') != NULL ? '&' : '?');
		buf_adds(&u, name);
		buf_addc(&u, '=');
		buf_adds(&u, shown ? "***" : val);
		curl_free(name);
		curl_free(val);
	}
	return buf_str(&u);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_req *r = arg;
	size_t len = size * n;

	if (buf_add(&r->body, p, len) == -1) {
		r->too_big = 1;
		return 0;
	}
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	static const char name[] = "retry-after:";
	struct http_req *r = arg;
	size_t len = size * n;
	char *v;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		r->retry_after = -1;
	} else if (len > sizeof(name) - 1 &&
	    strncasecmp(p, name, sizeof(name) - 1) == 0) {
		v = xstrndup(p + sizeof(name) - 1, len - (sizeof(name) - 1));
		r->retry_after = http_retry_after(v, (long long)time(NULL));
		free(v);
	}
	return len;
}

/*
 * libcurl drops Authorization and Cookie when a redirect leaves the host,
 * but not a key in a header of another name: such a request does not
 * follow redirects at all.
 */
int
http_follows_redirects(const struct http_opts *o)
{
	return !o->no_redirects && !(o->auth == AUTH_API_KEY && o->key_location == KEY_HEADER &&
	    strcasecmp(o->key_name, "Authorization") != 0);
}

static void
setup_easy(struct http *h, struct http_req *r, int flags)
{
	const struct http_opts *o = h->o;
	const char *method = o->method;
	CURL *e;

	/* Short of memory: libcurl is initialized by now. */
	if ((e = r->easy = curl_easy_init()) == NULL)
		die(EX_OSERR, "cannot create a libcurl handle");
	curl_easy_setopt(e, CURLOPT_URL, r->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "restpipe/" VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (http_follows_redirects(o)) {
		curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	}
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(o->timeout * 1000));
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(o->connect_timeout * 1000));
	if (o->max_size > 0)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
		    (curl_off_t)o->max_size);
	if (flags & HTTP_BARE) {
		if (h->plain != NULL)
			curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->plain);
	} else if (h->headers != NULL)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	/* libcurl sends the token only to the host of the URL, as a password. */
	if (h->oauth != NULL && !(flags & HTTP_BARE))
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
	if (h->user != NULL && !(flags & HTTP_BARE)) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, h->user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, h->password);
	}
	if (o->cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (o->body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)o->bodylen);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, o->body);
	}
	if (method != NULL) {
		if (strcmp(method, "HEAD") == 0)
			curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		else
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
}

static struct http_req *
new_req(struct http *h, const char *base, const char *extra, int flags)
{
	struct http_req *r = xcalloc(1, sizeof(*r));

	r->url = build_url(h, base, extra, 0, flags);
	r->shown = build_url(h, base, extra, 1, flags);
	r->flags = flags;
	buf_init(&r->body, h->o->max_size > 0 ? (size_t)h->o->max_size : 0);
	r->retry_after = -1;
	setup_easy(h, r, flags);
	return r;
}

struct http_req *
http_req_new(struct http *h, const char *base, const char *extra)
{
	return new_req(h, base, extra, 0);
}

struct http_req *
http_req_link(struct http *h, const char *url, int flags)
{
	return new_req(h, url, NULL, flags | HTTP_AS_IS);
}

void
http_req_body(struct http_req *r, const char *body, size_t n)
{
	free(r->reqbody);
	r->reqbody = xmalloc(n + 1);
	memcpy(r->reqbody, body, n);
	r->reqbody[n] = '\0';
	r->reqbodylen = n;
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->reqbody);
}

void
http_req_free(struct http_req *r)
{
	if (r == NULL)
		return;
	curl_easy_cleanup(r->easy);
	free(r->url);
	free(r->shown);
	free(r->failure);
	free(r->ignored);
	free(r->reqbody);
	buf_free(&r->body);
	free(r);
}

/* Insert r into the start queue, kept in order of due time. */
void
http_enqueue(struct http *h, struct http_req *r)
{
	struct http_req **pp = &h->queue;

	while (*pp != NULL && (*pp)->due <= r->due)
		pp = &(*pp)->next;
	r->next = *pp;
	*pp = r;
}

void
http_submit(struct http *h, struct http_req *r)
{
	r->due = clock_now();
	r->attempts = 0;
	h->pending++;
	http_enqueue(h, r);
}

int
http_pending(const struct http *h)
{
	return h->pending;
}

const char *
http_method(const struct http_opts *o)
{
	if (o->method != NULL)
		return o->method;
	return o->body != NULL ? "POST" : "GET";
}

/* s on one line with every secret hidden; the caller frees. */
char *
http_hidden(const struct http *h, const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	secret_excerpt(&b, s, strlen(s), h->hide, h->nhide, 0);
	return buf_str(&b);
}

void
http_req_describe(const struct http *h, const struct http_req *r, FILE *fp)
{
	const struct curl_slist *l;
	char *s;

	fprintf(fp, "%s %s\n", r->reqbody != NULL && h->o->method == NULL ?
	    "POST" : http_method(h->o), r->shown);
	for (l = r->flags & HTTP_BARE ? h->plain : h->headers; l != NULL;
	    l = l->next) {
		s = http_hidden(h, l->data);
		fprintf(fp, "%s\n", s);
		free(s);
	}
	if (h->user != NULL && !(r->flags & HTTP_BARE))
		fprintf(fp, "Authorization: Basic ***\n");
	if (h->oauth != NULL && !(r->flags & HTTP_BARE)) {
		s = http_hidden(h, h->o->token_url);
		fprintf(fp, "Authorization: Bearer *** (an access token from "
		    "%s)\n", s);
		free(s);
	}
	if (r->reqbody != NULL)
		fprintf(fp, "\n%s\n", r->reqbody);
	else if (h->o->body != NULL)
		fprintf(fp, "\n(a body of %zu bytes)\n", h->o->bodylen);
}

/* Put r, done, at the end of the list http_next() returns from. */
static void
finish(struct http *h, struct http_req *r)
{
	struct http_req **tail;

	for (tail = &h->done; *tail != NULL; tail = &(*tail)->next)
		;
	r->next = NULL;
	*tail = r;
}

/*
 * Give r the access token, fetched if it must be; or fail r for good as
 * the token request failed.
 */
static int
authorize(struct http *h, struct http_req *r)
{
	struct err e = { 0 };
	const char *token;

	if ((token = oauth_token(h->oauth, &r->token_gen, &e)) == NULL) {
		r->result = e.status;
		free(r->failure);
		r->failure = http_hidden(h, e.msg);
		err_free(&e);
		return -1;
	}
	hide_more(h, token, strlen(token));
	curl_easy_setopt(r->easy, CURLOPT_XOAUTH2_BEARER, token);
	return 0;
}

static int
start_due(struct http *h, struct err *e)
{
	double t = clock_now();
	struct http_req *r;

	while ((r = h->queue) != NULL && r->due <= t) {
		if (h->oauth != NULL && !(r->flags & HTTP_BARE) &&
		    authorize(h, r) == -1) {
			h->queue = r->next;
			finish(h, r);
			continue;
		}
		if (curl_multi_add_handle(h->multi, r->easy) != CURLM_OK)
			return err_set(e, EX_SOFTWARE, "cannot start a "
			    "transfer");
		h->queue = r->next;
		buf_reset(&r->body);
		r->errbuf[0] = '\0';
		r->next = h->active;
		h->active = r;
		h->running++;
	}
	return 0;
}

static void
collect(struct http *h)
{
	struct http_req *r, **pp;
	CURLcode rc;
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		curl_multi_remove_handle(h->multi, r->easy);
		for (pp = &h->active; *pp != r; pp = &(*pp)->next)
			;
		*pp = r->next;
		h->running--;
		if (!http_settle(h, r, rc, r->errbuf))
			continue;
		finish(h, r);
	}
}

int
http_next(struct http *h, struct http_req **rp, struct err *e)
{
	struct http_req *r;
	int still;

	*rp = NULL;
	for (;;) {
		if ((r = h->done) != NULL) {
			h->done = r->next;
			r->next = NULL;
			h->pending--;
			*rp = r;
			return 1;
		}
		if (h->pending == 0)
			return 0;
		if (start_due(h, e) == -1)
			return -1;
		if (curl_multi_perform(h->multi, &still) != CURLM_OK)
			return err_set(e, EX_SOFTWARE, "libcurl multi "
			    "interface failed");
		collect(h);
		if (h->done != NULL)
			continue;
		if (h->running > 0 || h->queue != NULL) {
			int ms = 1000;

			if (h->queue != NULL) {
				double wait = (h->queue->due - clock_now()) *
				    1000;

				if (wait < ms)
					ms = wait < 0 ? 0 : (int)ceil(wait);
			}
			if (h->running > 0)
				curl_multi_poll(h->multi, NULL, 0, ms, NULL);
			else if (ms > 0) {
				struct timespec ts = { ms / 1000,
				    (ms % 1000) * 1000000L };

				nanosleep(&ts, NULL);
			}
		}
	}
}

int
http_req_header(const struct http_req *r, const char *name, struct buf *b)
{
	struct curl_header *hd;
	size_t i, n = 1;

	for (i = 0; i < n; i++) {
		if (curl_easy_header(r->easy, name, i, CURLH_HEADER, -1,
		    &hd) != CURLHE_OK)
			return 0;
		n = hd->amount;
		if (i > 0)
			buf_adds(b, ", ");
		buf_adds(b, hd->value);
	}
	return (int)n;
}

void
http_req_report(const struct http_req *r)
{
	if (r->failure != NULL)
		warnmsg("%s", r->failure);
}

void
http_free(struct http *h)
{
	struct http_req *r;

	if (h == NULL)
		return;
	while ((r = h->queue) != NULL) {
		h->queue = r->next;
		http_req_free(r);
	}
	while ((r = h->done) != NULL) {
		h->done = r->next;
		http_req_free(r);
	}
	while ((r = h->active) != NULL) {
		h->active = r->next;
		curl_multi_remove_handle(h->multi, r->easy);
		http_req_free(r);
	}
	curl_multi_cleanup(h->multi);
	oauth_free(h->oauth);
	curl_slist_free_all(h->headers);
	curl_slist_free_all(h->plain);
	while (h->nhide > 0) {
		char *d = h->hide[--h->nhide];

		explicit_bzero(d, strlen(d));
		free(d);
	}
	free(h->hide);
	free(h->user);
	free(h->password);
	free(h);
	curl_global_cleanup();
}

char *
http_redact(struct http *h, const char *s)
{
	char *url = hide_url(h, s, 0), *text = http_hidden(h, url);

	free(url);
	return text;
}
