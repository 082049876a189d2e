/*
 * config_auth.c: the auth of a request (CONFIG_REQUEST), as dlt chooses
 * it: the type and its members, and where the secret comes from (the
 * file, a variable, dlt's environment names or .dlt/secrets.toml).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/json.h"
#include "net/auth.h"
#include "net/secret.h"
#include "dlt/config.h"
#include "dlt/config_int.h"

static const char *const api_key_keys[] = {
	"api_key", "location", "name", "type", NULL
};

static const char *const bearer_keys[] = { "token", "type", NULL };

static const char *const basic_keys[] = {
	"password", "type", "username", NULL
};

static const char *const oauth2_keys[] = {
	"access_token_request_data", "access_token_url", "client_id",
	"client_secret", "default_token_expiration", "type", NULL
};

/* name in upper case, a new string: dlt.secrets' variable for a field. */
static char *
upper(const char *name)
{
	char *up = xstrdup(name), *q;

	for (q = up; *q != '\0'; q++)
		*q = (char)toupper((unsigned char)*q);
	return up;
}

/*
 * A value of the auth left out of the file, as dlt.secrets resolves it:
 * its dlt environment names (secret_dlt_env()), the variable of its name
 * in upper case, else .dlt/secrets.toml.
 */
static char *
resolve_field(const char *name)
{
	char *var = upper(name), *v, *s;

	if ((s = secret_dlt_env(name)) != NULL) {
		free(var);
		return s;
	}
	v = getenv(var);
	free(var);
	if (v != NULL && *v != '\0')
		return xstrdup(v);
	return config_secrets_toml(name);
}

/* The string member key of auth a at path into *s, when it is there. */
static int
auth_string(struct reader *r, int a, const char *path, const char *key,
    char **s)
{
	char fp[192];
	int i;

	if ((i = get(r, a, key)) < 0)
		return 0;
	snprintf(fp, sizeof(fp), "%s.%s", path, key);
	return rd_take_string(r, i, fp, s);
}

/* The form fields of access_token_request_data, at token d. */
static int
read_token_data(struct reader *r, struct config *c, int d, const char *path)
{
	char fp[192], vp[256];
	struct buf key, val;
	int k, end;

	snprintf(fp, sizeof(fp), "%s.access_token_request_data", path);
	if (!json_is_object(&r->js, d))
		return bad(r, fp, "expected an object");
	end = json_skip(&r->js, d);
	for (k = d + 1; k < end; k = json_skip(&r->js, k + 1)) {
		buf_init(&key, 0);
		json_unescape(&r->js, k, &key);
		buf_str(&key);
		if (json_is_object(&r->js, k + 1) ||
		    json_is_array(&r->js, k + 1)) {
			snprintf(vp, sizeof(vp), "%s.%s", fp, key.data);
			buf_free(&key);
			return bad(r, vp, "expected a string, number or "
			    "boolean");
		}
		if (json_is_null(&r->js, k + 1)) {
			buf_free(&key);
			continue;
		}
		buf_init(&val, 0);
		json_unescape(&r->js, k + 1, &val);
		rd_add_pair(&c->token_data, &c->ntoken_data, buf_str(&key),
		    key.len, buf_str(&val), val.len);
	}
	return 0;
}

/*
 * The members of an oauth2_client_credentials auth a (-1: a bare type
 * name) at path; the token URL and the client id left out are resolved
 * as dlt resolves them, and checked once the command line is read.
 */
static int
read_oauth2(struct reader *r, struct config *c, int a, const char *path)
{
	char fp[192];
	int i;

	if (auth_string(r, a, path, "access_token_url", &c->token_url) == -1 ||
	    auth_string(r, a, path, "client_id", &c->client_id) == -1)
		return -1;
	if ((i = get(r, a, "default_token_expiration")) >= 0) {
		snprintf(fp, sizeof(fp), "%s.default_token_expiration", path);
		if (rd_long_at(r, i, fp, &c->token_expiration) == -1)
			return -1;
	}
	if ((i = get(r, a, "access_token_request_data")) >= 0 &&
	    read_token_data(r, c, i, path) == -1)
		return -1;
	if (c->token_url == NULL)
		c->token_url = resolve_field("access_token_url");
	if (c->client_id == NULL)
		c->client_id = resolve_field("client_id");
	return 0;
}

/*
 * The auth's own members, of object a at path, or of none (a is -1) for
 * a bare type name, whose type is set already.
 */
static int
read_auth_type(struct reader *r, struct config *c, int a, const char *path)
{
	static const char *const *const keys[] = {
		[AUTH_API_KEY] = api_key_keys, [AUTH_BEARER] = bearer_keys,
		[AUTH_BASIC] = basic_keys, [AUTH_OAUTH2] = oauth2_keys
	};
	char fp[192];
	int i;

	if (a >= 0) {
		c->auth = AUTH_BEARER;
		snprintf(fp, sizeof(fp), "%s.type", path);
		if ((i = get(r, a, "type")) >= 0 &&
		    rd_name_at(r, i, fp, auth_names, &c->auth) == -1)
			return -1;
		if (rd_check_keys(r, a, path, keys[c->auth]) == -1)
			return -1;
	}
	switch (c->auth) {
	case AUTH_API_KEY:
		if (auth_string(r, a, path, "name", &c->key_name) == -1)
			return -1;
		snprintf(fp, sizeof(fp), "%s.location", path);
		if ((i = get(r, a, "location")) >= 0 &&
		    rd_name_at(r, i, fp, key_location_names,
		    &c->key_location) == -1)
			return -1;
		break;
	case AUTH_BASIC:
		/*
		 * A bare "http_basic" finds its username where dlt would, in
		 * .dlt/secrets.toml; else the secret is user:password.
		 */
		if (a < 0) {
			c->username = config_secrets_toml("username");
			break;
		}
		if (get(r, a, "username") < 0)
			return bad(r, path, "http_basic needs a username");
		return auth_string(r, a, path, "username", &c->username);
	case AUTH_OAUTH2:
		return read_oauth2(r, c, a, path);
	default:
		break;
	}
	return 0;
}

/* The secret of auth a at path: in the file, a variable, or looked up. */
static int
read_secret(struct reader *r, struct config *c, int a, const char *path)
{
	static const char *const fields[] = {
		[AUTH_API_KEY] = "api_key", [AUTH_BEARER] = "token",
		[AUTH_BASIC] = "password", [AUTH_OAUTH2] = "client_secret"
	};
	const char *field = fields[c->auth];
	char p[192];
	int i;

	/* dlt.secrets resolves a left-out secret from FIELD in upper case. */
	c->secret_key = field;
	snprintf(p, sizeof(p), "%s.%s", path, field);
	if ((i = get(r, a, field)) >= 0) {
		char *v = rd_string_at(r, i, p);
		size_t n;

		if (v == NULL)
			return -1;
		n = strlen(v);
		if (n > 3 && strncmp(v, "${", 2) == 0 && v[n - 1] == '}') {
			c->secret_env = xstrndup(v + 2, n - 3);
			c->secret_env_named = 1;
			free(v);
		} else {
			if (!r->quiet)
				warnmsg("warning: %s: %s: a secret written into "
				    "the configuration belongs in the "
				    "environment", r->file, p);
			c->secret = v;
		}
	}
	if (c->secret == NULL && c->secret_env == NULL)
		c->secret_env = upper(field);
	return 0;
}

/*
 * The auth as dlt chooses it: the endpoint's (or the default endpoint's),
 * else the client's.  null is no auth, even over the client's; a bare
 * type name is the type with every member left out.
 */
int
rd_auth(struct reader *r, struct config *c)
{
	char path[128];
	int a;

	if ((a = rd_ep_get(r, "auth", path, sizeof(path))) < 0) {
		snprintf(path, sizeof(path), "$.client.auth");
		if ((a = get(r, r->client, "auth")) < 0)
			return 0;
	}
	if (json_is_null(&r->js, a)) {
		c->auth = AUTH_NONE;
		return 0;
	}
	if (json_is_string(&r->js, a)) {
		if (rd_name_at(r, a, path, auth_names, &c->auth) == -1)
			return -1;
		a = -1;
	} else if (!json_is_object(&r->js, a)) {
		return bad(r, path, "expected an object, a type name or null");
	}
	if (read_auth_type(r, c, a, path) == -1)
		return -1;
	return read_secret(r, c, a, path);
}

/* Trim the spaces around s in place; returns s. */
static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * The value of a key = value line, in place: a basic string ("...", with
 * \" and \\ unescaped), a literal string ('...'), or bare text; a comment
 * may follow.  Returns NULL for an unterminated string.
 */
static char *
toml_value(char *v)
{
	char *r, *w, q = *v;

	if (q != '"' && q != '\'') {
		if ((r = strchr(v, '#')) != NULL)
			*r = '\0';
		return trim(v);
	}
	for (r = w = ++v; *r != q; r++) {
		if (*r == '\0')
			return NULL;
		if (q == '"' && *r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	*w = '\0';
	return v;
}

char *
config_secrets_toml(const char *key)
{
	char *line = NULL, *p, *eq, *v, *found = NULL;
	size_t cap = 0;
	int rank = 1, best = 0;
	FILE *fp;

	if ((fp = fopen(".dlt/secrets.toml", "r")) == NULL)
		return NULL;
	/* The most specific table wins, as in dlt's lookup. */
	while (getline(&line, &cap, fp) != -1) {
		p = trim(line);
		if (*p == '#' || *p == '\0')
			continue;
		if (*p == '[') {
			p = trim(p + 1);
			if ((eq = strchr(p, ']')) != NULL)
				*eq = '\0';
			p = trim(p);
			rank = strcmp(p, "sources.rest_api") == 0 ? 3 :
			    strcmp(p, "sources") == 0 ? 2 : 0;
			continue;
		}
		if (rank < best || rank == 0 || (eq = strchr(p, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(trim(p), key) != 0 ||
		    (v = toml_value(trim(eq + 1))) == NULL || *v == '\0')
			continue;
		free(found);
		found = xstrdup(v);
		best = rank;
	}
	free(line);
	fclose(fp);
	return found;
}
