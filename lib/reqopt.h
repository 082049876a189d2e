/*
 * reqopt.h: the request options rest-fetch and rest-paginate share, with
 * the same spelling and meaning in both.
 */
#ifndef REQOPT_H
#define REQOPT_H

#include <getopt.h>
#include <stdio.h>

#include "config.h"
#include "diag.h"
#include "http.h"

/* The short request options, to put into a program's getopt string. */
#define REQOPT_SHORT	"d:H:kq:svX:"

/* Codes of long-only options; a program's own start at OPT_PROGRAM. */
enum {
	OPT_AUTH = 256, OPT_BACKOFF_FACTOR, OPT_CACERT, OPT_CONNECT_TIMEOUT,
	OPT_JSON, OPT_KEY_LOCATION, OPT_KEY_NAME, OPT_MAX_RETRY_DELAY,
	OPT_MAX_SIZE, OPT_RETRIES, OPT_RETRY_STATUS, OPT_SECRET_ENV,
	OPT_SECRET_FILE, OPT_TIMEOUT, OPT_VERSION, OPT_PROGRAM = 512
};

/* The request options' lines of a usage message. */
extern const char reqopt_usage[];

/* Fill in the defaults: GET, no auth, 3 retries with factor 2, ... */
void	reqopt_init(struct http_opts *);

/*
 * A getopt_long table of the request options and own (terminated by a
 * zero entry), sorted by long name.  The caller frees it.
 */
struct option	*reqopt_table(const struct option *own);

/*
 * Apply the request part of a configuration (kept by pointer: it must
 * outlive the options), before the command line is read, so that options
 * given there win.  Its parameters are URL-encoded here.
 */
void	reqopt_config(struct http_opts *, const struct config *);

/*
 * Apply option opt with argument arg.  Returns 1, 0 if it is not ours,
 * or -1 with e set when arg is not a valid value.
 */
int	reqopt_parse(struct http_opts *, int opt, const char *arg,
	    struct err *e);

/* Check the options together and load the secret; returns 0, or -1. */
int	reqopt_finish(struct http_opts *, struct err *e);

/* Free what the options hold. */
void	reqopt_free(struct http_opts *);

/* The --auth name of an auth type, for messages. */
const char	*reqopt_auth_name(enum auth_type);

#endif
