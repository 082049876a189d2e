#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/opt.h"
#include "net/secret.h"
#include "dlt/config.h"
#include "dlt/reqopt.h"

#define MAX_BODY	(1024L * 1024 * 1024)

const struct option reqopt_options[] = {
	{ "auth",		required_argument,	NULL, OPT_AUTH },
	{ "backoff-factor",	required_argument,	NULL, OPT_BACKOFF_FACTOR },
	{ "cacert",		required_argument,	NULL, OPT_CACERT },
	{ "client-id",		required_argument,	NULL, OPT_CLIENT_ID },
	{ "connect-timeout",	required_argument,	NULL, OPT_CONNECT_TIMEOUT },
	{ "data",		required_argument,	NULL, 'd' },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "header",		required_argument,	NULL, 'H' },
	{ "ignore-content",	required_argument,	NULL, OPT_IGNORE_CONTENT },
	{ "ignore-status",	required_argument,	NULL, OPT_IGNORE_STATUS },
	{ "insecure",		no_argument,		NULL, 'k' },
	{ "json",		required_argument,	NULL, OPT_JSON },
	{ "key-location",	required_argument,	NULL, OPT_KEY_LOCATION },
	{ "key-name",		required_argument,	NULL, OPT_KEY_NAME },
	{ "max-retry-delay",	required_argument,	NULL, OPT_MAX_RETRY_DELAY },
	{ "max-size",		required_argument,	NULL, OPT_MAX_SIZE },
	{ "method",		required_argument,	NULL, 'X' },
	{ "query",		required_argument,	NULL, 'q' },
	{ "retries",		required_argument,	NULL, OPT_RETRIES },
	{ "retry-status",	required_argument,	NULL, OPT_RETRY_STATUS },
	{ "secret-env",		required_argument,	NULL, OPT_SECRET_ENV },
	{ "secret-file",	required_argument,	NULL, OPT_SECRET_FILE },
	{ "silent",		no_argument,		NULL, 's' },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "token-data",		required_argument,	NULL, OPT_TOKEN_DATA },
	{ "token-expiration",	required_argument,	NULL,
	    OPT_TOKEN_EXPIRATION },
	{ "token-url",		required_argument,	NULL, OPT_TOKEN_URL },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ NULL,			0,			NULL, 0 }
};

void
reqopt_init(struct reqopt *ro)
{
	struct http_opts *o = &ro->http;

	memset(ro, 0, sizeof(*ro));
	ro->secret.env = "API_KEY";
	o->auth = AUTH_NONE;
	o->key_name = "Authorization";
	o->key_location = KEY_HEADER;
	o->retries = 3;
	o->backoff_factor = 2;
	o->retry_status[0] = 429;
	o->retry_status[1] = 500;
	o->retry_status[2] = 502;
	o->retry_status[3] = 503;
	o->retry_status[4] = 504;
	o->nretry_status = 5;
	o->max_retry_delay = 300;
	o->timeout = 60;
	o->connect_timeout = 10;
	o->max_size = 256LL * 1024 * 1024;
	o->token_expiration = 3600;
}

/* The body of -d or --json: text, @FILE or @- (stdin). */
static int
read_body(struct http_opts *o, const char *arg, struct err *e)
{
	const char *name = strcmp(arg, "@-") == 0 ? "<stdin>" : arg + 1;
	struct err fe = { 0 };
	struct buf b;
	int rc;

	free(o->body);
	o->body = NULL;
	o->bodylen = 0;
	if (arg[0] != '@') {
		o->body = xstrdup(arg);
		o->bodylen = strlen(arg);
		return 0;
	}
	buf_init(&b, 0);
	rc = strcmp(arg, "@-") == 0 ?
	    fd_read(STDIN_FILENO, name, MAX_BODY, &b, &fe) :
	    file_read(name, MAX_BODY, &b, &fe);
	if (rc == -1) {
		/* The messages -d always had. */
		if (fe.status == EX_DATAERR)
			err_set(e, EX_DATAERR, "%s: request body over 1 GiB",
			    name);
		else
			err_set(e, fe.status == EX_NOINPUT ? EX_NOINPUT :
			    EX_IOERR, "%s:", name);
		err_free(&fe);
		buf_free(&b);
		return -1;
	}
	o->bodylen = b.len;
	o->body = buf_str(&b);
	return 0;
}

/* Append s, n bytes, to b URL-encoded as libcurl encodes. */
static void
add_escaped(struct buf *b, const char *s, size_t n)
{
	char *t;

	if (n > INT_MAX ||
	    (t = curl_easy_escape(NULL, n > 0 ? s : "", (int)n)) == NULL)
		die(EX_OSERR, "out of memory");
	buf_adds(b, t);
	curl_free(t);
}

/* Add the parameter name=value (of n and m bytes) to the query. */
static void
add_param(struct http_opts *o, const char *name, size_t n, const char *value,
    size_t m)
{
	struct buf q;

	buf_init(&q, 0);
	if (o->query != NULL) {
		buf_adds(&q, o->query);
		buf_addc(&q, '&');
		free(o->query);
	}
	add_escaped(&q, name, n);
	buf_addc(&q, '=');
	add_escaped(&q, value, m);
	o->query = buf_str(&q);
}

static int
add_query(struct http_opts *o, const char *arg, struct err *e)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		return err_set(e, EX_CONFIG, "--query: '%s' is not NAME=VALUE",
		    arg);
	add_param(o, arg, (size_t)(eq - arg), eq + 1, strlen(eq + 1));
	return 0;
}

static int
parse_statuses(struct http_opts *o, const char *arg, struct err *e)
{
	char *list = xstrdup(arg), *tok, *save = NULL;
	long status;
	int rc = 0;

	o->nretry_status = 0;
	for (tok = strtok_r(list, ", ", &save); rc == 0 && tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (o->nretry_status == HTTP_MAX_RETRY_STATUS)
			rc = err_set(e, EX_CONFIG, "--retry-status: more than "
			    "%d statuses", HTTP_MAX_RETRY_STATUS);
		else if ((rc = parse_long("--retry-status", tok, 100, 599,
		    &status, e)) == 0)
			o->retry_status[o->nretry_status++] = status;
	}
	free(list);
	return rc;
}

/* Add the form field name=value to the token request. */
static void
add_field(struct http_opts *o, const char *name, const char *value)
{
	struct buf f;

	buf_init(&f, 0);
	buf_printf(&f, "%s=%s", name, value);
	o->token_data = curl_slist_append(o->token_data, buf_str(&f));
	buf_free(&f);
}

/* Add a rule to take responses as empty pages: status (0: any), content. */
static void
add_ignore(struct http_opts *o, long status, const char *content)
{
	o->ignore = xrealloc(o->ignore, (o->nignore + 1) * sizeof(*o->ignore));
	o->ignore[o->nignore].status = status;
	o->ignore[o->nignore++].content = content;
}

void
reqopt_config(struct reqopt *ro, const struct config *c)
{
	struct http_opts *o = &ro->http;
	struct buf h;
	size_t i;

	if (c->method != NULL)
		o->method = c->method;
	buf_init(&h, 0);
	for (i = 0; i < c->nheaders; i++) {
		buf_reset(&h);
		buf_adds(&h, c->headers[i].name);
		buf_adds(&h, ": ");
		buf_adds(&h, c->headers[i].value);
		o->headers = curl_slist_append(o->headers, buf_str(&h));
	}
	buf_free(&h);
	for (i = 0; i < c->nparams; i++)
		add_param(o, c->params[i].name, c->params[i].namelen,
		    c->params[i].value, c->params[i].valuelen);
	if (c->json != NULL) {
		o->body = xstrdup(c->json);
		o->bodylen = strlen(c->json);
		o->headers = curl_slist_append(o->headers,
		    "Content-Type: application/json");
	}
	if (c->data != NULL) {
		/* libcurl would call a raw body a form; requests does not. */
		o->body = xstrdup(c->data);
		o->bodylen = strlen(c->data);
		o->headers = curl_slist_append(o->headers, c->data_form ?
		    "Content-Type: application/x-www-form-urlencoded" :
		    "Content-Type:");
	}
	for (i = 0; i < c->nactions; i++)
		add_ignore(o, c->actions[i].status, c->actions[i].content);
	if (c->auth >= 0)
		o->auth = (enum auth_type)c->auth;
	if (c->key_name != NULL)
		o->key_name = c->key_name;
	if (c->key_location >= 0)
		o->key_location = (enum key_location)c->key_location;
	if (c->secret_env != NULL) {
		ro->secret.env = c->secret_env;
		ro->secret.env_named = c->secret_env_named;
	}
	if (c->token_url != NULL)
		o->token_url = c->token_url;
	if (c->client_id != NULL)
		o->client_id = c->client_id;
	for (i = 0; i < c->ntoken_data; i++)
		add_field(o, c->token_data[i].name, c->token_data[i].value);
	if (c->token_expiration >= 0)
		o->token_expiration = (double)c->token_expiration;
	ro->secret.literal = c->secret;
	ro->secret.toml_key = c->secret_key;
	ro->secret.username = c->username;
}

/*
 * The options of what is sent and what is said of it: the body, headers,
 * query and method.  Returns 1 if opt is one, -1 on an error, else 0.
 */
static int
parse_request(struct http_opts *o, int opt, const char *arg, struct err *e)
{
	switch (opt) {
	case 'd':
		return read_body(o, arg, e) == -1 ? -1 : 1;
	case 'H':
		if (strchr(arg, ':') == NULL || arg[0] == ':' ||
		    strpbrk(arg, "\r\n") != NULL)
			return err_set(e, EX_CONFIG, "--header: '%s' is not "
			    "'Name: value'", arg);
		o->headers = curl_slist_append(o->headers, arg);
		break;
	case 'q':
		return add_query(o, arg, e) == -1 ? -1 : 1;
	case 's':
		o->silent = 1;
		break;
	case 'v':
		o->verbose = 1;
		break;
	case OPT_DRY_RUN:
		o->dry_run = 1;
		break;
	case 'X':
		if (*arg == '\0' || strpbrk(arg, " \t\r\n") != NULL)
			return err_set(e, EX_CONFIG, "--method: '%s' is not a "
			    "method", arg);
		o->method = arg;
		break;
	case OPT_JSON:
		if (read_body(o, arg, e) == -1)
			return -1;
		o->headers = curl_slist_append(o->headers,
		    "Content-Type: application/json");
		o->headers = curl_slist_append(o->headers,
		    "Accept: application/json");
		break;
	default:
		return 0;
	}
	return 1;
}

/*
 * The options of the transfer and its answer: TLS, limits, timeouts,
 * retries and responses to ignore.  Like parse_request().
 */
static int
parse_transfer(struct http_opts *o, int opt, const char *arg, struct err *e)
{
	long n;

	switch (opt) {
	case 'k':
		o->insecure = 1;
		break;
	case OPT_CACERT:
		o->cacert = arg;
		break;
	case OPT_IGNORE_CONTENT:
		if (*arg == '\0')
			return err_set(e, EX_CONFIG, "--ignore-content: empty "
			    "text would match every response");
		add_ignore(o, 0, arg);
		break;
	case OPT_IGNORE_STATUS:
		if (parse_long("--ignore-status", arg, 100, 599, &n, e) == -1)
			return -1;
		add_ignore(o, n, NULL);
		break;
	case OPT_BACKOFF_FACTOR:
		return parse_double("--backoff-factor", arg, 0, 3600,
		    &o->backoff_factor, e) == -1 ? -1 : 1;
	case OPT_CONNECT_TIMEOUT:
		return parse_double("--connect-timeout", arg, 0.001, 86400,
		    &o->connect_timeout, e) == -1 ? -1 : 1;
	case OPT_MAX_RETRY_DELAY:
		return parse_double("--max-retry-delay", arg, 0, 86400,
		    &o->max_retry_delay, e) == -1 ? -1 : 1;
	case OPT_MAX_SIZE:
		if (parse_long("--max-size", arg, 1, LONG_MAX, &n, e) == -1)
			return -1;
		o->max_size = n;
		break;
	case OPT_RETRIES:
		return parse_long("--retries", arg, 0, 100, &o->retries, e) ==
		    -1 ? -1 : 1;
	case OPT_RETRY_STATUS:
		return parse_statuses(o, arg, e) == -1 ? -1 : 1;
	case OPT_TIMEOUT:
		return parse_double("--timeout", arg, 0.001, 86400,
		    &o->timeout, e) == -1 ? -1 : 1;
	default:
		return 0;
	}
	return 1;
}

/*
 * The options of authentication: the kind, the key's place, the secret
 * and OAuth2's token request.  Like parse_request().
 */
static int
parse_auth(struct reqopt *ro, int opt, const char *arg, struct err *e)
{
	struct http_opts *o = &ro->http;
	int v;

	switch (opt) {
	case OPT_AUTH:
		if (parse_name("--auth", arg, auth_names, &v, e) == -1)
			return -1;
		o->auth = (enum auth_type)v;
		break;
	case OPT_KEY_LOCATION:
		if (parse_name("--key-location", arg, key_location_names, &v,
		    e) == -1)
			return -1;
		o->key_location = (enum key_location)v;
		break;
	case OPT_KEY_NAME:
		if (*arg == '\0' || strpbrk(arg, ":;= \t\r\n") != NULL)
			return err_set(e, EX_CONFIG, "--key-name: '%s' is not "
			    "a valid name", arg);
		o->key_name = arg;
		break;
	case OPT_SECRET_ENV:
		if (*arg == '\0')
			return err_set(e, EX_CONFIG, "--secret-env: empty "
			    "variable name");
		ro->secret.env = arg;
		ro->secret.env_given = 1;
		break;
	case OPT_SECRET_FILE:
		ro->secret.file = arg;
		break;
	case OPT_CLIENT_ID:
		o->client_id = arg;
		break;
	case OPT_TOKEN_DATA:
		if (strchr(arg, '=') == NULL || arg[0] == '=')
			return err_set(e, EX_CONFIG, "--token-data: '%s' is not "
			    "NAME=VALUE", arg);
		o->token_data = curl_slist_append(o->token_data, arg);
		break;
	case OPT_TOKEN_EXPIRATION:
		return parse_double("--token-expiration", arg, 0, 1e9,
		    &o->token_expiration, e) == -1 ? -1 : 1;
	case OPT_TOKEN_URL:
		o->token_url = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

int
reqopt_parse(struct reqopt *ro, int opt, const char *arg, struct err *e)
{
	int rc;

	if ((rc = parse_request(&ro->http, opt, arg, e)) != 0)
		return rc;
	if ((rc = parse_transfer(&ro->http, opt, arg, e)) != 0)
		return rc;
	return parse_auth(ro, opt, arg, e);
}

int
reqopt_secret(const struct secret_src *src, enum auth_type auth,
    char **secret, struct err *e)
{
	const char *name = name_of(auth_names, auth);
	int given = src->file != NULL || src->env_given;
	struct buf up;
	char *s = NULL;

	*secret = NULL;
	if (auth == AUTH_NONE)
		return 0;
	/*
	 * Unless an option or the configuration names where it is: as dlt
	 * finds it, its environment's names first, the most specific one
	 * first, then the variable (API_KEY), then .dlt/secrets.toml.
	 */
	if (!given && src->literal != NULL)
		s = xstrdup(src->literal);
	else if (!given && !src->env_named && src->toml_key != NULL &&
	    (s = secret_dlt_env(src->toml_key)) != NULL)
		;
	else if (secret_load(src->env, src->file, &s, e) == -1)
		return -1;
	if (s == NULL && !given && src->toml_key != NULL)
		s = config_secrets_toml(src->toml_key);
	if (s == NULL && src->toml_key != NULL)
		return err_set(e, EX_CONFIG, "--auth %s needs a secret: set "
		    "%s, or %s in .dlt/secrets.toml, or use --secret-file",
		    name, src->env, src->toml_key);
	if (s == NULL)
		return err_set(e, EX_CONFIG, "--auth %s needs a secret: set "
		    "%s or use --secret-file", name, src->env);
	if (auth == AUTH_BASIC && src->username != NULL) {
		buf_init(&up, 0);
		buf_adds(&up, src->username);
		buf_addc(&up, ':');
		buf_adds(&up, s);
		explicit_bzero(s, strlen(s));
		free(s);
		s = buf_str(&up);
	}
	if (strpbrk(s, "\r\n") != NULL)
		err_set(e, EX_CONFIG, "the secret holds a line break");
	else if (auth == AUTH_BASIC && strchr(s, ':') == NULL)
		err_set(e, EX_CONFIG, "--auth http_basic needs the secret as "
		    "user:password");
	else
		*secret = s;
	if (*secret == NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
		return -1;
	}
	return 0;
}

int
reqopt_finish(struct reqopt *ro, struct err *e)
{
	struct http_opts *o = &ro->http;
	FILE *fp;

	/*
	 * libcurl opens the CA file only at a TLS handshake, so a missing one
	 * would pass unnoticed with http:// and fail late with https://.
	 */
	if (o->cacert != NULL) {
		if ((fp = fopen(o->cacert, "r")) == NULL)
			return err_set(e, EX_NOINPUT, "%s:", o->cacert);
		fclose(fp);
	}
	o->secret_var = ro->secret.env;
	if (o->auth == AUTH_NONE)
		return 0;
	if (o->auth == AUTH_OAUTH2 && o->token_url == NULL)
		return err_set(e, EX_CONFIG, "--auth oauth2_client_credentials "
		    "needs a token URL: --token-url, or access_token_url in "
		    "the configuration");
	if (o->auth == AUTH_OAUTH2 && o->client_id == NULL)
		return err_set(e, EX_CONFIG, "--auth oauth2_client_credentials "
		    "needs a client id: --client-id, or client_id in the "
		    "configuration");
	if (reqopt_secret(&ro->secret, o->auth, &o->secret, e) == -1)
		return -1;
	/* A core dump held the key four times over. */
	secret_nodump();
	return 0;
}

void
reqopt_free(struct reqopt *ro)
{
	struct http_opts *o = &ro->http;

	curl_slist_free_all(o->headers);
	curl_slist_free_all(o->token_data);
	free(o->ignore);
	free(o->query);
	free(o->body);
	if (o->secret != NULL) {
		explicit_bzero(o->secret, strlen(o->secret));
		free(o->secret);
	}
}
