/*
 * http.h: requests over libcurl with authentication and retries.  One
 * client drives any number of requests at once over the multi interface,
 * keeping connections alive between them; one request at a time is the
 * same code with a single request in flight.
 */
#ifndef HTTP_H
#define HTTP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/wire.h"
#include "net/auth.h"

#define HTTP_MAX_RETRY_STATUS	32

/*
 * A response taken as an empty page, as dlt's response_actions "ignore":
 * one with this status (0: any) whose body holds content (NULL: any).
 */
struct http_ignore {
	long		 status;
	const char	*content;
};

struct http_opts {
	const char		*method;	/* NULL: GET, or POST with a body */
	struct curl_slist	*headers;	/* "Name: value" as given */
	char			*query;		/* encoded "a=1&b=2", or NULL */
	char			*body;		/* request body, or NULL */
	size_t			 bodylen;
	enum auth_type		 auth;
	const char		*key_name;	/* api_key: header/param/cookie */
	enum key_location	 key_location;
	char			*secret;	/* NULL without auth */
	const char		*secret_var;	/* advice names it: API_KEY */
	/* oauth2_client_credentials; the secret is the client secret. */
	const char		*token_url;
	const char		*client_id;
	struct curl_slist	*token_data;	/* extra form fields, N=V */
	double			 token_expiration;	/* s, if none given */
	int			 no_redirects;
	long			 retries;
	double			 backoff_factor;
	long			 retry_status[HTTP_MAX_RETRY_STATUS];
	int			 nretry_status;
	double			 max_retry_delay;
	double			 timeout;
	double			 connect_timeout;
	const char		*cacert;
	int			 insecure;
	long long		 max_size;	/* largest body accepted, bytes */
	int			 verbose;
	int			 silent;
	int			 dry_run;	/* describe, send nothing */
	struct http_ignore	*ignore;	/* responses taken as empty */
	size_t			 nignore;
};

struct http_req {
	char		*url;		/* may hold the secret: never printed */
	char		*shown;		/* the URL with the secret as *** */
	void		*udata;		/* the caller's */
	struct buf	 body;		/* the response body */
	long		 status;	/* HTTP status of the last attempt */
	int		 result;	/* EX_OK, or why it failed for good */
	char		*failure;	/* then what to say, secrets hidden */
	char		*ignored;	/* or why it was taken as empty */
	int		 attempts;
	int		 flags;		/* HTTP_AS_IS, HTTP_BARE */
	char		*reqbody;	/* http_req_body()'s, or NULL */
	size_t		 reqbodylen;
	/* Private to http.c. */
	CURL		*easy;
	double		 due;
	double		 retry_after;
	int		 too_big;
	unsigned	 token_gen;	/* the access token's it was sent */
	int		 reauth;	/* sent again after a 401 */
	char		 errbuf[CURL_ERROR_SIZE];
	struct http_req	*next;
};

struct http;

/*
 * A client for these options (kept by pointer, not copied), or NULL with
 * e set when libcurl cannot start.
 */
struct http	*http_new(const struct http_opts *, struct err *e);

/* Free a client and the requests still queued in it. */
void	http_free(struct http *);

/*
 * A new request for base with extra (an encoded query such as
 * "offset=0&limit=100", or NULL) added to the query, followed by the
 * options' query and, for an api_key in the query, the key.  The caller
 * frees it with http_req_free() once it came back from http_next().
 */
struct http_req	*http_req_new(struct http *, const char *base,
	    const char *extra);

void	http_req_free(struct http_req *);

/* Flags of http_req_link(). */
#define HTTP_AS_IS	0x01	/* the URL as given: no options' query */
#define HTTP_BARE	0x02	/* no credential: no key, token or password */

/*
 * A new request for url, a server's link to the next page: sent as it
 * is, without the options' query (as dlt drops the request's params
 * then), with the key added in the query unless flags hold HTTP_BARE,
 * which sends no credential at all (the options' headers still go).
 */
struct http_req	*http_req_link(struct http *, const char *url, int flags);

/*
 * Give request r, not yet submitted, its own body of n bytes (copied),
 * instead of the options'; without a method it is a POST.
 */
void	http_req_body(struct http_req *r, const char *body, size_t n);

/*
 * Text s (a URL or a cursor) as messages may show it, in a string the
 * caller frees: every secret messages hide as "***" (in any form a
 * server may echo it), and, read as a URL, a password and the values of
 * query parameters named like secrets (api_key, token, --key-name...).
 * It differs from s when s could carry a secret.
 */
char	*http_redact(struct http *, const char *s);

/* Queue a request; it starts at the next http_next(). */
void	http_submit(struct http *, struct http_req *);

/*
 * Drive the queued requests until one is finished, into *r: done with a
 * 2xx status (result EX_OK), or failed for good after its retries, in
 * which case result holds the exit status and http_req_report() says
 * why.  A response the options ignore, whatever its status and before
 * any retry, is done with result EX_OK, an empty body and ignored set.  Retries are reported as they happen.  Returns 1 with *r set, 0
 * when nothing is queued, or -1 with e set when libcurl fails.
 */
int	http_next(struct http *, struct http_req **r, struct err *e);

/*
 * Print request r as it would be sent, sending nothing: the method and
 * URL on a line, then each header, every secret shown as ***.
 */
void	http_req_describe(const struct http *, const struct http_req *r,
	    FILE *);

/*
 * Append to b the values of the response header name (any case) of r's
 * last response, joined by ", " when it came more than once, as one
 * header would hold them.  Returns how many there were.
 */
int	http_req_header(const struct http_req *r, const char *name,
	    struct buf *b);

/* Say on stderr why request r failed for good; nothing if it did not. */
void	http_req_report(const struct http_req *);

/* The number of requests queued and not yet returned by http_next(). */
int	http_pending(const struct http *);

/* What a client sent, for a report (wire.h). */
struct http_stats {
	long long	 requests;	/* attempts sent, retries included */
	struct wire_tally sent[WIRE_TALLIES];	/* "2xx"... "transport" */
	size_t		 nsent;
	struct wire_tally retries[WIRE_TALLIES];	/* "503", "timeout"... */
	size_t		 nretries;
	double		 longest_wait;	/* seconds, of one retry */
};

/* The counts of the requests c sent so far. */
const struct http_stats *http_stats(const struct http *c);

/*
 * Have c call fn(arg, cause, attempt, attempts, wait, shown) when it
 * decides to send a request again: the cause ("503", "timeout",
 * "connect", "reset" or "transport"), the attempt that failed (1 for the
 * first), the most there will be, the seconds it waits, and the URL with
 * the secret hidden.
 */
void	http_on_retry(struct http *c, void (*fn)(void *, const char *, int,
	    long, double, const char *), void *arg);

/*
 * Seconds to wait as a Retry-After header value asks, at time now: a
 * delta in seconds or an HTTP date.  Returns -1 for an absent, invalid or
 * non-positive value.
 */
double	http_retry_after(const char *value, long long now);

#endif
