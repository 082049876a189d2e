/*
 * http_retry.c: a finished attempt judged: success, an ignored response,
 * a new access token, a retry after its backoff or Retry-After, or a
 * failure for good; and the counts of attempts and retries.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/diag.h"
#include "net/http.h"
#include "net/http_int.h"
#include "net/oauth.h"
#include "net/secret.h"

double
http_retry_after(const char *value, long long t)
{
	const char *p = value;
	double secs;
	time_t when;

	if (value == NULL)
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (isdigit((unsigned char)*p)) {
		secs = 0;
		for (; isdigit((unsigned char)*p); p++)
			secs = secs * 10 + (*p - '0');
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		return *p == '\0' && secs > 0 ? secs : -1;
	}
	if ((when = curl_getdate(p, NULL)) == -1 || when <= t)
		return -1;
	return (double)(when - t);
}

/*
 * Append up to 200 bytes of the body, on one line, to msg.  The secrets
 * are hidden in the whole body before the cut, so that no part of one is
 * left at the end.
 */
static void
body_excerpt(const struct http *h, struct buf *msg, const struct buf *body)
{
	if (body->len == 0)
		return;
	buf_adds(msg, ": ");
	if (secret_excerpt(msg, body->data, body->len, h->hide, h->nhide, 200))
		buf_adds(msg, "...");
}

static void
say(struct http *h, struct buf *msg)
{
	char *s = http_hidden(h, buf_str(msg));

	warnmsg("%s", s);
	free(s);
	buf_reset(msg);
}

static int
is_transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_HTTP3:
	case CURLE_QUIC_CONNECT_ERROR:
		return 1;
	default:
		return 0;
	}
}

/* Exit status for a transfer that failed in libcurl for good. */
static int
transport_status(const struct http_req *r, CURLcode rc)
{
	long redirects = 0;

	switch (rc) {
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		/* The user's URL is a usage error; a server's redirect is not. */
		curl_easy_getinfo(r->easy, CURLINFO_REDIRECT_COUNT, &redirects);
		return redirects > 0 ? EX_UNAVAILABLE : EX_USAGE;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		return EX_CONFIG;
	default:
		/*
		 * Also CURLE_OUT_OF_MEMORY: libcurl before 8.6 reports so a
		 * response header over its 100 KiB limit, which is the
		 * server's doing; our own allocations exit by themselves.
		 */
		return EX_UNAVAILABLE;
	}
}

/* Whether the n bytes at s hold the string t. */
static int
holds(const char *s, size_t n, const char *t)
{
	size_t m = strlen(t), i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (memcmp(s + i, t, m) == 0)
			return 1;
	return 0;
}

/* The rule of o->ignore response r matches, or NULL. */
static const struct http_ignore *
ignored_by(const struct http_opts *o, const struct http_req *r)
{
	const struct http_ignore *g;
	size_t i;

	for (i = 0; i < o->nignore; i++) {
		g = &o->ignore[i];
		if ((g->status == 0 || g->status == r->status) &&
		    (g->content == NULL || holds(r->body.data, r->body.len,
		    g->content)))
			return g;
	}
	return NULL;
}

/* Take response r as an empty page, as rule g asks. */
static void
ignore(struct http *h, struct http_req *r, const struct http_ignore *g)
{
	struct buf line;

	buf_init(&line, 0);
	buf_printf(&line, "%s %s: HTTP %ld ignored (it matches ",
	    http_method(h->o), r->shown, r->status);
	if (g->status != 0)
		buf_printf(&line, "status %ld%s", g->status,
		    g->content != NULL ? " and " : "");
	if (g->content != NULL)
		buf_printf(&line, "content '%s'", g->content);
	buf_adds(&line, ")");
	free(r->ignored);
	r->ignored = http_hidden(h, buf_str(&line));
	buf_free(&line);
	buf_reset(&r->body);
	r->result = EX_OK;
}

static int
retry_status(const struct http_opts *o, long status)
{
	int i;

	for (i = 0; i < o->nretry_status; i++)
		if (o->retry_status[i] == status)
			return 1;
	return 0;
}

/*
 * The access token r was sent with was refused (msg says how): fetch a
 * new one and send r again at once, once, as an attempt of its own.
 */
static void
refresh(struct http *h, struct http_req *r, struct buf *msg)
{
	struct buf line;

	oauth_refused(h->oauth, r->token_gen);
	r->reauth = 1;
	r->attempts--;
	if (!h->o->silent) {
		buf_init(&line, 0);
		buf_printf(&line, "%s %s: ", http_method(h->o), r->shown);
		buf_add(&line, msg->data, msg->len);
		buf_adds(&line, "; sending it again with a new access token");
		say(h, &line);
		buf_free(&line);
	}
	buf_reset(&r->body);
	r->too_big = 0;
	r->retry_after = -1;
	r->due = clock_now();
	http_enqueue(h, r);
}

const struct http_stats *
http_stats(const struct http *h)
{
	return &h->stats;
}

void
http_on_retry(struct http *h, void (*fn)(void *, const char *, int, long,
    double, const char *), void *arg)
{
	h->on_retry = fn;
	h->retry_arg = arg;
}

/* What a retry is for, in a word: the status, or the transport's fault. */
static void
retry_cause(const struct http_req *r, CURLcode rc, char *cause, size_t n)
{
	if (rc == CURLE_OK)
		snprintf(cause, n, "%ld", r->status);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(cause, n, "timeout");
	else if (rc == CURLE_COULDNT_CONNECT)
		snprintf(cause, n, "connect");
	else if (rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
	    rc == CURLE_GOT_NOTHING || rc == CURLE_PARTIAL_FILE)
		snprintf(cause, n, "reset");
	else
		snprintf(cause, n, "transport");
}

/* Count an attempt made, by the class of its answer. */
static void
count_sent(struct http *h, const struct http_req *r, CURLcode rc)
{
	char class[16];

	if (rc == CURLE_OK && r->status >= 100 && r->status <= 999)
		snprintf(class, sizeof(class), "%ldxx", r->status / 100);
	else
		snprintf(class, sizeof(class), "transport");
	h->stats.requests++;
	(void)wire_tally_add(h->stats.sent, &h->stats.nsent, class, 1);
}

/* With --verbose, say how attempt r went: rc, errbuf, in ms. */
static void
say_attempt(struct http *h, const struct http_req *r, CURLcode rc,
    const char *errbuf, double ms)
{
	struct buf msg;

	buf_init(&msg, 0);
	buf_adds(&msg, http_method(h->o));
	buf_addc(&msg, ' ');
	buf_adds(&msg, r->shown);
	if (rc == CURLE_OK)
		buf_printf(&msg, ": %ld, %zu bytes, %.0f ms", r->status,
		    r->body.len, ms);
	else
		buf_printf(&msg, ": %s, %.0f ms", *errbuf ? errbuf :
		    curl_easy_strerror(rc), ms);
	say(h, &msg);
	buf_free(&msg);
}

/* What a finished attempt calls for. */
enum verdict {
	SUCCEEDED,	/* done, well */
	REAUTHORIZE,	/* send it again with a new access token */
	TRANSIENT,	/* retry it, unless out of attempts */
	FAILED		/* done, with the exit status judge() gives */
};

/*
 * Describe in msg how attempt r ended, not ignored (rc, errbuf), and
 * judge it; for a failure, *final is the exit status.
 */
static enum verdict
judge(const struct http *h, const struct http_req *r, CURLcode rc,
    const char *errbuf, struct buf *msg, int *final)
{
	const struct http_opts *o = h->o;

	if (rc == CURLE_OK) {
		buf_printf(msg, "HTTP %ld", r->status);
		if (r->status >= 300 && r->status < 400 &&
		    !http_follows_redirects(o))
			buf_adds(msg, " (not followed: the key would go along "
			    "in its header)");
		body_excerpt(h, msg, &r->body);
		if (r->status >= 200 && r->status < 300)
			return SUCCEEDED;
		if (r->status == 401 && h->oauth != NULL && !r->reauth &&
		    !(r->flags & HTTP_BARE))
			return REAUTHORIZE;
		if (retry_status(o, r->status))
			return TRANSIENT;
		if (r->status == 401 || r->status == 403)
			*final = EX_NOPERM;
		else if (r->status == 429)
			*final = EX_TEMPFAIL;
		else
			*final = EX_UNAVAILABLE;
		return FAILED;
	}
	if (r->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		buf_printf(msg, "response body larger than --max-size %lld "
		    "bytes", o->max_size);
		*final = EX_UNAVAILABLE;
		return FAILED;
	}
	buf_adds(msg, *errbuf ? errbuf : curl_easy_strerror(rc));
	if (is_transient(rc))
		return TRANSIENT;
	*final = transport_status(r, rc);
	return FAILED;
}

/* Fail r for good with exit status final, as msg describes. */
static void
fail_attempt(struct http *h, struct http_req *r, const struct buf *msg,
    int final)
{
	struct buf line;

	buf_init(&line, 0);
	buf_adds(&line, http_method(h->o));
	buf_addc(&line, ' ');
	buf_adds(&line, r->shown);
	buf_adds(&line, ": ");
	buf_add(&line, msg->data, msg->len);
	free(r->failure);
	r->failure = http_hidden(h, buf_str(&line));
	buf_free(&line);
	r->result = final;
}

/* Count a retry of r after delay seconds, and tell the on_retry hook. */
static void
count_retry(struct http *h, const struct http_req *r, CURLcode rc,
    double delay)
{
	char cause[16];

	retry_cause(r, rc, cause, sizeof(cause));
	(void)wire_tally_add(h->stats.retries, &h->stats.nretries, cause, 1);
	if (delay > h->stats.longest_wait)
		h->stats.longest_wait = delay;
	if (h->on_retry != NULL)
		h->on_retry(h->retry_arg, cause, r->attempts,
		    h->o->retries + 1, delay, r->shown);
}

/* Queue r again, after its backoff, as msg describes why. */
static void
retry_later(struct http *h, struct http_req *r, CURLcode rc,
    const struct buf *msg)
{
	const struct http_opts *o = h->o;
	struct buf line;
	double delay;

	delay = o->backoff_factor * pow(2, r->attempts - 1);
	if (r->retry_after > 0)
		delay = r->retry_after;
	if (delay > o->max_retry_delay)
		delay = o->max_retry_delay;
	count_retry(h, r, rc, delay);
	if (!o->silent) {
		buf_init(&line, 0);
		buf_printf(&line, "attempt %d of %ld: %s %s: ", r->attempts,
		    o->retries + 1, http_method(o), r->shown);
		buf_add(&line, msg->data, msg->len);
		buf_printf(&line, "; retrying in %g s%s", delay,
		    r->retry_after > 0 ? " (Retry-After)" : "");
		say(h, &line);
		buf_free(&line);
	}
	buf_reset(&r->body);
	r->too_big = 0;
	r->retry_after = -1;
	r->due = clock_now() + delay;
	http_enqueue(h, r);
}

/*
 * Decide what a finished attempt means: 1 if it is done (r->result set,
 * the failure described in r->failure), 0 if it was queued again.
 */
int
http_settle(struct http *h, struct http_req *r, CURLcode rc,
    const char *errbuf)
{
	const struct http_opts *o = h->o;
	enum verdict v;
	struct buf msg;
	int final = 0;
	curl_off_t t = 0;

	r->attempts++;
	r->status = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME_T, &t);
	count_sent(h, r, rc);
	if (o->verbose)
		say_attempt(h, r, rc, errbuf, t / 1000.0);

	/* Describe the outcome; decide between success, retry and failure. */
	if (rc == CURLE_OK && ignored_by(o, r) != NULL) {
		ignore(h, r, ignored_by(o, r));
		return 1;
	}
	buf_init(&msg, 0);
	v = judge(h, r, rc, errbuf, &msg, &final);
	if (v == SUCCEEDED) {
		buf_free(&msg);
		r->result = EX_OK;
		return 1;
	}
	if (v == REAUTHORIZE) {
		refresh(h, r, &msg);
		buf_free(&msg);
		return 0;
	}
	if (v == TRANSIENT && r->attempts > o->retries) {
		buf_printf(&msg, " (gave up after %d attempt%s)", r->attempts,
		    r->attempts == 1 ? "" : "s");
		final = EX_TEMPFAIL;
	}
	if (final)
		fail_attempt(h, r, &msg, final);
	else
		retry_later(h, r, rc, &msg);
	buf_free(&msg);
	return final != 0;
}
