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
	OPT_DRY_RUN,
	OPT_JSON, OPT_KEY_LOCATION, OPT_KEY_NAME, OPT_MAX_RETRY_DELAY,
	OPT_MAX_SIZE, OPT_RETRIES, OPT_RETRY_STATUS, OPT_SECRET_ENV,
	OPT_SECRET_FILE, OPT_TIMEOUT, OPT_VERSION, OPT_PROGRAM = 512
};

/* The request options' lines of a usage message. */
extern const char reqopt_usage[];

/*
 * Where the secret is looked for: the input of reqopt_secret(), filled
 * by the options and a configuration.
 */
struct secret_src {
	const char	*file;		/* --secret-file */
	const char	*env;		/* the variable; API_KEY by default */
	int		 env_given;	/* env is --secret-env's */
	const char	*literal;	/* written into a configuration */
	const char	*toml_key;	/* a config's .dlt/secrets.toml key */
	const char	*username;	/* http_basic, from a configuration */
};

/* The request options, and where their secret will come from. */
struct reqopt {
	struct http_opts	 http;
	struct secret_src	 secret;
};

/* Fill in the defaults: GET, no auth, 3 retries with factor 2, ... */
void	reqopt_init(struct reqopt *);

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
void	reqopt_config(struct reqopt *, const struct config *);

/*
 * Apply option opt with argument arg.  Returns 1, 0 if it is not ours,
 * or -1 with e set when arg is not a valid value.
 */
int	reqopt_parse(struct reqopt *, int opt, const char *arg, struct err *e);

/*
 * Check the options together and resolve the secret into http.secret;
 * then the process is made non-dumpable.  Returns 0, or -1 with e set.
 */
int	reqopt_finish(struct reqopt *, struct err *e);

/*
 * The secret for auth, from the first of: --secret-file, then the
 * variable of --secret-env, when given; a secret written into the
 * configuration; its variable (env); the configuration's key in
 * .dlt/secrets.toml.  For http_basic with a configuration's username it
 * is "username:secret".  Returns 0 with *secret set, a string the caller
 * wipes and frees, or -1 with e set: EX_NOINPUT for a file that cannot be
 * read, EX_CONFIG when none is found or it holds a line break (or, for
 * http_basic, no ':').  AUTH_NONE needs no secret: *secret is NULL.
 */
int	reqopt_secret(const struct secret_src *, enum auth_type auth,
	    char **secret, struct err *e);

/* Free what the options hold, wiping the secret. */
void	reqopt_free(struct reqopt *);

#endif
