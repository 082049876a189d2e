#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "json/json.h"
#include "net/http.h"
#include "net/oauth.h"

struct oauth {
	const struct http_opts	*o;
	struct http_opts	 req;	/* the token request's options */
	struct http		*http;	/* made at the first token */
	char			*token;
	double			 renew;	/* clock_now() to fetch again at */
	unsigned		 gen;
};

/* Append name=value (of n and m bytes) to the form b, URL-encoded. */
static void
form_add(struct buf *b, const char *name, size_t n, const char *value,
    size_t m)
{
	char *s;

	if (b->len > 0)
		buf_addc(b, '&');
	if ((s = curl_easy_escape(NULL, name, (int)n)) == NULL)
		die(EX_OSERR, "out of memory");
	buf_adds(b, s);
	curl_free(s);
	buf_addc(b, '=');
	if ((s = curl_easy_escape(NULL, m > 0 ? value : "", (int)m)) == NULL)
		die(EX_OSERR, "out of memory");
	buf_adds(b, s);
	explicit_bzero(s, strlen(s));
	curl_free(s);
}

/* Whether the extra fields (NAME=VALUE) set name: theirs win, as in dlt. */
static int
overridden(const struct curl_slist *l, const char *name)
{
	size_t n = strlen(name);

	for (; l != NULL; l = l->next)
		if (strncmp(l->data, name, n) == 0 && l->data[n] == '=')
			return 1;
	return 0;
}

/* The form dlt posts: the client's id and secret, the grant, the extras. */
static char *
make_form(const struct http_opts *o, size_t *len)
{
	static const char *const names[] = {
		"client_id", "client_secret", "grant_type"
	};
	const char *values[] = {
		o->client_id, o->secret, "client_credentials"
	};
	const struct curl_slist *l;
	const char *eq;
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < 3; i++)
		if (!overridden(o->token_data, names[i]))
			form_add(&b, names[i], strlen(names[i]), values[i],
			    strlen(values[i]));
	for (l = o->token_data; l != NULL; l = l->next) {
		eq = strchr(l->data, '=');
		form_add(&b, l->data, (size_t)(eq - l->data), eq + 1,
		    strlen(eq + 1));
	}
	*len = b.len;
	return buf_str(&b);
}

struct oauth *
oauth_new(const struct http_opts *o)
{
	struct oauth *a = xcalloc(1, sizeof(*a));
	struct http_opts *q = &a->req;

	a->o = o;
	*q = *o;
	q->method = "POST";
	q->headers = curl_slist_append(NULL,
	    "Content-Type: application/x-www-form-urlencoded");
	q->headers = curl_slist_append(q->headers, "Accept: application/json");
	q->query = NULL;
	q->body = make_form(o, &q->bodylen);
	/* No auth of its own; the client secret is hidden as a secret. */
	q->auth = AUTH_NONE;
	q->token_data = NULL;
	/* A 307 would take the form, and the secret, to another host. */
	q->no_redirects = 1;
	q->dry_run = 0;
	/* The endpoint's response_actions are not the token URL's. */
	q->ignore = NULL;
	q->nignore = 0;
	return a;
}

static void
drop_token(struct oauth *a)
{
	if (a->token == NULL)
		return;
	explicit_bzero(a->token, strlen(a->token));
	free(a->token);
	a->token = NULL;
}

void
oauth_free(struct oauth *a)
{
	if (a == NULL)
		return;
	drop_token(a);
	http_free(a->http);
	curl_slist_free_all(a->req.headers);
	explicit_bzero(a->req.body, a->req.bodylen);
	free(a->req.body);
	free(a);
}

/* The OAuth2 errors (RFC 6749, 5.2) that refuse the client itself. */
static int
client_refused(const struct buf *body)
{
	static const char *const errors[] = {
		"invalid_client", "invalid_grant", "unauthorized_client"
	};
	struct json js;
	struct json_error je;
	size_t k;
	int i, found = 0;

	json_init(&js);
	if (json_parse(&js, body->data, body->len, &je) == 0 &&
	    (i = json_get(&js, 0, "error", 5)) >= 0)
		for (k = 0; k < sizeof(errors) / sizeof(errors[0]); k++)
			if (json_streq(&js, i, errors[k], strlen(errors[k])))
				found = 1;
	json_free(&js);
	return found;
}

/* The token request r failed: say so in e. */
static int
failed(const struct http_req *r, struct err *e)
{
	if (r->result == EX_NOPERM ||
	    (r->status == 400 && client_refused(&r->body)))
		return err_set(e, EX_NOPERM, "access token: %s (check the "
		    "client id and secret)", r->failure);
	return err_set(e, r->result, "access token: %s", r->failure);
}

/* The seconds of expires_in at token i, or -1 if it is no count. */
static double
lifetime(const struct json *js, int i)
{
	struct buf b;
	long long n;
	char *end;

	if (json_long(js, i, &n) == 0)
		return n >= 0 ? (double)n : -1;
	if (!json_is_string(js, i))
		return -1;
	buf_init(&b, 0);
	json_unescape(js, i, &b);
	buf_str(&b);
	n = strtoll(b.data, &end, 10);
	if (b.len == 0 || *end != '\0' || b.data[0] < '0' || b.data[0] > '9')
		n = -1;
	buf_free(&b);
	return n >= 0 ? (double)n : -1;
}

const char *
oauth_answer(const char *body, size_t n, struct buf *tok, double *life)
{
	const char *what = NULL;
	struct json_error je;
	struct json js;
	size_t k;
	int i, x;

	buf_init(tok, 0);
	json_init(&js);
	if (json_parse(&js, body, n, &je) == -1 || !json_is_object(&js, 0))
		what = "the answer is not a JSON object";
	else if ((i = json_get(&js, 0, "access_token", 12)) < 0 ||
	    !json_is_string(&js, i) || json_unescape(&js, i, tok) == -1 ||
	    tok->len == 0)
		what = "the answer has no \"access_token\" string";
	else if ((x = json_get(&js, 0, "expires_in", 10)) >= 0 &&
	    !json_is_null(&js, x) && (*life = lifetime(&js, x)) < 0)
		what = "its \"expires_in\" is not a count of seconds";
	for (k = 0; what == NULL && k < tok->len; k++)
		if ((unsigned char)tok->data[k] < ' ' || tok->data[k] == 0x7f)
			what = "its \"access_token\" holds a control character";
	json_free(&js);
	if (what != NULL) {
		if (tok->data != NULL)
			explicit_bzero(tok->data, tok->cap);
		buf_free(tok);
	}
	return what;
}

/*
 * Take the token of the answer of r, sent at time sent.  The answer is
 * never quoted: it may hold the token under another name.
 */
static int
take_token(struct oauth *a, struct http_req *r, double sent, struct err *e)
{
	double life = a->o->token_expiration, margin;
	const char *what;
	struct buf tok;

	if ((what = oauth_answer(r->body.data, r->body.len, &tok, &life)) !=
	    NULL)
		return err_set(e, EX_DATAERR, "access token: POST %s: %s",
		    r->shown, what);
	drop_token(a);
	a->token = buf_str(&tok);
	a->gen++;
	margin = life / 10 < 60 ? life / 10 : 60;
	a->renew = sent + life - margin;
	return 0;
}

static int
fetch(struct oauth *a, struct err *e)
{
	struct http_req *r;
	double sent = clock_now();
	int rc;

	if (a->http == NULL && (a->http = http_new(&a->req, e)) == NULL)
		return -1;
	http_submit(a->http, http_req_new(a->http, a->o->token_url, NULL));
	if (http_next(a->http, &r, e) == -1)
		return -1;
	if (r->result != EX_OK)
		rc = failed(r, e);
	else
		rc = take_token(a, r, sent, e);
	if (r->body.data != NULL)
		explicit_bzero(r->body.data, r->body.cap);
	http_req_free(r);
	return rc;
}

const char *
oauth_token(struct oauth *a, unsigned *gen, struct err *e)
{
	if ((a->token == NULL || clock_now() >= a->renew) &&
	    fetch(a, e) == -1)
		return NULL;
	*gen = a->gen;
	return a->token;
}

int
oauth_refused(struct oauth *a, unsigned gen)
{
	if (gen != a->gen || a->token == NULL)
		return 0;
	drop_token(a);
	return 1;
}
