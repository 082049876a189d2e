/*
 * oauth.h: OAuth2's client credentials grant (RFC 6749, 4.4) as dlt's
 * OAuth2ClientCredentials does it: the client id and secret posted as a
 * form with grant_type=client_credentials to the token URL, the access
 * token of the answer sent as a bearer token until it expires.  The
 * token request is made with the request options' retries and limits.
 */
#ifndef OAUTH_H
#define OAUTH_H

#include "base/buf.h"
#include "base/diag.h"
#include "net/http.h"

struct oauth;

/*
 * A token source for the token URL, client id, extra form fields and
 * secret (the client secret) of o, which it keeps by pointer.
 */
struct oauth	*oauth_new(const struct http_opts *o);

void	oauth_free(struct oauth *);

/*
 * The access token, fetched when there is none yet, when it expires
 * within a margin (a tenth of its life, at most 60 s), or when the one
 * of this generation was refused.  Returns it (owned by the source, good
 * until the next call) with its generation in *gen; or NULL with e set:
 * EX_NOPERM when the token URL refused the client (401, 403, or an
 * OAuth2 error such as invalid_client), EX_DATAERR for an answer without
 * an access token, else as a failed request (EX_TEMPFAIL, EX_UNAVAILABLE).
 * The message hides the client secret.
 */
const char	*oauth_token(struct oauth *, unsigned *gen, struct err *e);

/*
 * Say that the token of generation gen was refused (a 401): the next
 * oauth_token() fetches a new one, unless that was done already.
 * Returns 1 if it was the current token, else 0.
 */
int	oauth_refused(struct oauth *, unsigned gen);

/*
 * Read a token URL's answer, body[0..n): NULL with its access token in
 * tok (which the caller frees) and, if the answer has a non-null
 * expires_in, its seconds in *life; or why the answer is no good (static
 * text that never quotes it), tok freed and wiped.
 */
const char	*oauth_answer(const char *body, size_t n, struct buf *tok,
	    double *life);

#endif
