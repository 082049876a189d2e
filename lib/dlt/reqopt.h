/*
 * reqopt.h: the request options rest-fetch and rest-paginate share, with
 * the same spelling and meaning in both.
 */
#ifndef REQOPT_H
#define REQOPT_H

#include <getopt.h>
#include <stdio.h>

#include "base/diag.h"
#include "net/http.h"
#include "dlt/cli.h"
#include "dlt/config.h"

/* The short request options, to put into a program's getopt string. */
#define REQOPT_SHORT	"d:H:kq:svX:"

/* Codes of the long-only request options (cli.h). */
enum {
	OPT_AUTH = OPT_REQUEST, OPT_BACKOFF_FACTOR, OPT_CACERT,
	OPT_CONNECT_TIMEOUT, OPT_DRY_RUN, OPT_JSON, OPT_KEY_LOCATION,
	OPT_KEY_NAME, OPT_MAX_RETRY_DELAY, OPT_MAX_SIZE, OPT_RETRIES,
	OPT_RETRY_STATUS, OPT_SECRET_ENV, OPT_SECRET_FILE, OPT_TIMEOUT,
	OPT_CLIENT_ID, OPT_TOKEN_DATA, OPT_TOKEN_EXPIRATION, OPT_TOKEN_URL,
	OPT_IGNORE_STATUS, OPT_IGNORE_CONTENT
};

/* The request options' lines of a usage message, for a struct cli. */
#define REQOPT_USAGE \
"request options:\n" \
"  -X, --method METHOD        request method (GET; POST with a body)\n" \
"  -H, --header 'NAME: VALUE' add a header (repeatable)\n" \
"  -q, --query NAME=VALUE     add a query parameter, URL-encoded " \
"(repeatable)\n" \
"  -d, --data BODY            request body; @FILE reads a file, @- stdin\n" \
"      --dry-run              print the (first) request, send nothing\n" \
"      --json BODY            JSON request body (sets Content-Type)\n" \
"      --auth TYPE            api_key, bearer, http_basic or\n" \
"                             oauth2_client_credentials\n" \
"      --key-name NAME        api_key name (Authorization)\n" \
"      --key-location WHERE   api_key in header, query or cookie " \
"(header)\n" \
"      --secret-env VAR       read the secret from VAR (API_KEY)\n" \
"      --secret-file FILE     read the secret from FILE's first line\n" \
"      --token-url URL        oauth2: where the access token comes from\n" \
"      --client-id ID         oauth2: the client id (the secret is its " \
"secret)\n" \
"      --token-data NAME=VALUE  oauth2: add a form field to the token " \
"request\n" \
"      --token-expiration S   oauth2: a token's life without expires_in " \
"(3600)\n" \
"      --retries N            retries of a failed request (3)\n" \
"      --backoff-factor F     wait F * 2^(n-1) s before retry n (2)\n" \
"      --retry-status LIST    statuses to retry (429,500,502,503,504)\n" \
"      --max-retry-delay S    longest wait before a retry (300)\n" \
"      --timeout S            time limit of one attempt (60)\n" \
"      --connect-timeout S    time limit to connect (10)\n" \
"      --cacert FILE          trust the certificates in FILE\n" \
"  -k, --insecure             do not verify the server's certificate\n" \
"      --max-size BYTES       refuse larger response bodies (268435456)\n" \
"      --ignore-status N      take a response of status N as empty " \
"(repeatable)\n" \
"      --ignore-content TEXT  take a response holding TEXT as empty " \
"(repeatable)\n" \
"  -s, --silent               do not report retries\n" \
"  -v, --verbose              report every attempt\n"

/* The request options' long options, for a struct cli's longopts. */
extern const struct option reqopt_options[];

/*
 * Where the secret is looked for: the input of reqopt_secret(), filled
 * by the options and a configuration.
 */
struct secret_src {
	const char	*file;		/* --secret-file */
	const char	*env;		/* the variable; API_KEY by default */
	int		 env_given;	/* env is --secret-env's */
	int		 env_named;	/* env is the configuration's "${VAR}" */
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
