/*
 * http_int.h: private to http.c and http_retry.c, which share the
 * client's struct and these helpers; the API is http.h.
 */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <curl/curl.h>

#include "net/http.h"

struct http {
	const struct http_opts	*o;
	CURLM			*multi;
	struct curl_slist	*headers;	/* the options' and the auth's */
	struct curl_slist	*plain;		/* the options' alone */
	char			*user, *password;
	struct oauth		*oauth;		/* the access token's source */
	char			**hide;		/* what no message shows */
	size_t			 nhide;
	struct http_req		*queue;		/* waiting to start, by due */
	struct http_req		*active;	/* inside multi */
	struct http_req		*done;		/* finished, not yet returned */
	int			 running;	/* requests inside multi */
	int			 pending;
	struct http_stats	 stats;
	void			(*on_retry)(void *, const char *, int, long,
				    double, const char *);
	void			*retry_arg;
};
/* Insert r into the start queue, kept in order of due time. */
void	http_enqueue(struct http *, struct http_req *r);

/* The method a request is sent with, for messages. */
const char	*http_method(const struct http_opts *);

/* s on one line with every secret hidden; the caller frees. */
char	*http_hidden(const struct http *, const char *s);

/* Whether requests with these options follow redirects. */
int	http_follows_redirects(const struct http_opts *);

/*
 * Decide what a finished attempt means: 1 if it is done (r->result set,
 * the failure described in r->failure), 0 if it was queued again.
 */
int	http_settle(struct http *, struct http_req *r, CURLcode rc,
	    const char *errbuf);

#endif
