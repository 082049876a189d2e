/*
 * config.c: dlt's REST API source configuration.  The file is parsed once
 * with the JSON layer and read by token; nothing is copied into a tree.
 * resource_defaults merge into the resource as dlt merges them: resource
 * keys shallowly, endpoint keys one level deep, endpoint.params and
 * endpoint.json key by key, columns per column and hint.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "json.h"

#define MAX_CONFIG	(16L * 1024 * 1024)

struct reader {
	const char	*file;
	struct json	 js;
	struct buf	 text;
	int		 res;		/* the resource token, or -1 */
	int		 defaults;	/* resource_defaults, or -1 */
	int		 client;	/* client, or -1 */
	char		 respath[64];	/* "$.resources[N]" */
};

static const char *const top_keys[] = {
	"client", "resource_defaults", "resources", NULL
};
static const char *const client_keys[] = {
	"auth", "base_url", "headers", "paginator", "session", NULL
};
static const char *const resource_keys[] = {
	"columns", "endpoint", "include_from_parent", "max_table_nesting",
	"merge_key", "name", "parallelized", "primary_key",
	"processing_steps", "schema_contract", "selected", "table_format",
	"table_name", "write_disposition", NULL
};
static const char *const endpoint_keys[] = {
	"data_selector", "headers", "incremental", "json", "method",
	"paginator", "params", "path", "response_actions", NULL
};
static const char *const offset_keys[] = {
	"has_more_path", "limit", "limit_param", "maximum_offset", "offset",
	"offset_param", "stop_after_empty_page", "total_path", "type", NULL
};
static const char *const page_keys[] = {
	"base_page", "has_more_path", "maximum_page", "page", "page_param",
	"stop_after_empty_page", "total_path", "type", NULL
};
static const char *const api_key_keys[] = {
	"api_key", "location", "name", "type", NULL
};
static const char *const bearer_keys[] = { "token", "type", NULL };
static const char *const basic_keys[] = {
	"password", "type", "username", NULL
};
static const char *const disposition_keys[] = {
	"disposition", "strategy", NULL
};

static void
bad(struct reader *r, const char *path, const char *what)
{
	die(EX_CONFIG, "%s: %s: %s", r->file, path, what);
}

static int
get(struct reader *r, int obj, const char *key)
{
	if (obj < 0 || !json_is_object(&r->js, obj))
		return -1;
	return json_get(&r->js, obj, key, strlen(key));
}

/* The unescaped string at token i; the caller frees it. */
static char *
string_at(struct reader *r, int i, const char *path)
{
	struct buf b;

	if (!json_is_string(&r->js, i))
		bad(r, path, "expected a string");
	buf_init(&b, 0);
	json_unescape(&r->js, i, &b);
	if (memchr(buf_str(&b), '\0', b.len) != NULL)
		bad(r, path, "a NUL byte in a string");
	return buf_str(&b);
}

static long
long_at(struct reader *r, int i, const char *path)
{
	long long v;

	if (json_long(&r->js, i, &v) == -1 || v < 0 || v > 1000000000000LL)
		bad(r, path, "expected a count (an integer, 0 or more)");
	return (long)v;
}

static int
bool_at(struct reader *r, int i, const char *path)
{
	int v;

	if (!json_is_bool(&r->js, i, &v))
		bad(r, path, "expected true or false");
	return v;
}

static void
join(char *out, size_t n, const char *path, const char *key)
{
	snprintf(out, n, "%s.%s", path, key);
}

/* Warn of each key of object obj that is not in known. */
static void
check_keys(struct reader *r, int obj, const char *path,
    const char *const *known)
{
	int end, k, j;
	struct buf key;

	if (obj < 0)
		return;
	if (!json_is_object(&r->js, obj))
		bad(r, path, "expected an object");
	buf_init(&key, 0);
	end = json_skip(&r->js, obj);
	for (k = obj + 1; k < end; k = json_skip(&r->js, k + 1)) {
		buf_reset(&key);
		json_unescape(&r->js, k, &key);
		buf_str(&key);
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(known[j], key.data) == 0)
				break;
		if (known[j] == NULL)
			warnmsg("warning: %s: %s: unknown key '%s'", r->file,
			    path, key.data);
	}
	buf_free(&key);
}

/* A resource member, or the default's. */
static int
res_get(struct reader *r, const char *key, char *path, size_t n)
{
	int i;

	if (r->res >= 0 && json_is_object(&r->js, r->res) &&
	    (i = get(r, r->res, key)) >= 0) {
		join(path, n, r->respath, key);
		return i;
	}
	join(path, n, "$.resource_defaults", key);
	return get(r, r->defaults, key);
}

/* The resource's endpoint object, or -1. */
static int
endpoint_of(struct reader *r, int res)
{
	int e;

	if (res < 0 || !json_is_object(&r->js, res))
		return -1;
	e = get(r, res, "endpoint");
	return e >= 0 && json_is_object(&r->js, e) ? e : -1;
}

/* An endpoint member, or the default endpoint's. */
static int
ep_get(struct reader *r, const char *key, char *path, size_t n)
{
	int e = endpoint_of(r, r->res), i;

	if ((i = get(r, e, key)) >= 0) {
		snprintf(path, n, "%s.endpoint.%s", r->respath, key);
		return i;
	}
	snprintf(path, n, "$.resource_defaults.endpoint.%s", key);
	return get(r, endpoint_of(r, r->defaults), key);
}

static void
read_file(struct reader *r, const char *file)
{
	char chunk[65536];
	struct json_error err;
	size_t n, line, col;
	FILE *fp;

	if ((fp = fopen(file, "rb")) == NULL)
		die(EX_NOINPUT, "%s:", file);
	buf_init(&r->text, MAX_CONFIG);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_add(&r->text, chunk, n) == -1)
			die(EX_CONFIG, "%s: larger than 16 MiB", file);
	if (ferror(fp))
		die(EX_NOINPUT, "%s:", file);
	fclose(fp);
	buf_str(&r->text);
	json_init(&r->js);
	if (json_parse(&r->js, r->text.data, r->text.len, &err) == -1) {
		json_linecol(r->text.data, err.off, &line, &col);
		die(EX_CONFIG, "%s:%zu:%zu: %s", file, line, col, err.msg);
	}
	if (!json_is_object(&r->js, 0))
		bad(r, "$", "expected an object");
}

static char *
resource_name(struct reader *r, int res, const char *path)
{
	char p[96];
	int i;

	if (json_is_string(&r->js, res))
		return string_at(r, res, path);
	if (!json_is_object(&r->js, res))
		bad(r, path, "expected an object or a string");
	snprintf(p, sizeof(p), "%s.name", path);
	if ((i = get(r, res, "name")) < 0)
		bad(r, path, "a resource needs a name");
	return string_at(r, i, p);
}

static void
choose_resource(struct reader *r, struct config *c, const char *want)
{
	int list = get(r, 0, "resources"), end, i, n = 0;
	struct buf names;
	char path[64];
	char *name;

	if (list < 0)
		bad(r, "$", "no resources");
	if (!json_is_array(&r->js, list))
		bad(r, "$.resources", "expected an array");
	buf_init(&names, 0);
	end = json_skip(&r->js, list);
	r->res = -1;
	for (i = list + 1; i < end; i = json_skip(&r->js, i), n++) {
		snprintf(path, sizeof(path), "$.resources[%d]", n);
		name = resource_name(r, i, path);
		if (n > 0)
			buf_adds(&names, ", ");
		buf_adds(&names, name);
		if (want == NULL ? n == 0 : strcmp(want, name) == 0) {
			if (r->res < 0) {
				r->res = i;
				c->name = name;
				snprintf(r->respath, sizeof(r->respath), "%s",
				    path);
				continue;
			}
		}
		free(name);
	}
	buf_str(&names);
	if (n == 0)
		bad(r, "$.resources", "no resources");
	if (want == NULL && n > 1)
		die(EX_USAGE, "%s: %d resources, choose one with -r: %s",
		    r->file, n, names.data);
	if (r->res < 0)
		die(EX_USAGE, "%s: no resource '%s'; there are: %s", r->file,
		    want, names.data);
	buf_free(&names);
}

/* Join base_url and path the way dlt does. */
static char *
join_url(struct reader *r, const char *path)
{
	char bpath[64];
	char *base;
	int b;
	struct buf u;

	if (strstr(path, "://") != NULL)
		return xstrdup(path);
	if ((b = get(r, r->client, "base_url")) < 0)
		bad(r, "$.client", "no base_url for a relative path");
	snprintf(bpath, sizeof(bpath), "$.client.base_url");
	base = string_at(r, b, bpath);
	if (*path == '\0')
		return base;
	buf_init(&u, 0);
	buf_adds(&u, base);
	while (u.len > 0 && u.data[u.len - 1] == '/')
		u.len--;
	buf_addc(&u, '/');
	while (*path == '/')
		path++;
	buf_adds(&u, path);
	free(base);
	return buf_str(&u);
}

/* Add a pair to the n of v, taking name and value. */
static void
add_pair(struct pair **v, size_t *n, char *name, size_t namelen, char *value,
    size_t valuelen)
{
	struct pair *p;

	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	p = &(*v)[(*n)++];
	p->name = name;
	p->namelen = namelen;
	p->value = value;
	p->valuelen = valuelen;
}

/* A scalar as a parameter: strings unescaped, numbers and bools as are. */
static void
add_param(struct reader *r, struct config *c, int k, int v, const char *path)
{
	struct buf key, val;

	buf_init(&key, 0);
	json_unescape(&r->js, k, &key);
	if (json_is_object(&r->js, v) || json_is_array(&r->js, v)) {
		char vp[192];

		snprintf(vp, sizeof(vp), "%s.%s", path, buf_str(&key));
		bad(r, vp, "expected a string, number or boolean "
		    "(incremental parameters are not supported)");
	}
	if (json_is_null(&r->js, v)) {
		buf_free(&key);
		return;
	}
	buf_init(&val, 0);
	json_unescape(&r->js, v, &val);
	add_pair(&c->params, &c->nparams, buf_str(&key), key.len,
	    buf_str(&val), val.len);
}

/*
 * Visit the members of the default's object then the resource's, each key
 * once, the resource's value winning, in first-seen order.
 */
static int
member_wins(struct reader *r, int later, int k)
{
	struct buf key;
	int found;

	if (later < 0)
		return 1;
	buf_init(&key, 0);
	json_unescape(&r->js, k, &key);
	found = json_get(&r->js, later, key.data != NULL ? key.data : "",
	    key.len) >= 0;
	buf_free(&key);
	return !found;
}

/* endpoint.params as pairs into c, or endpoint.json as an object to out. */
static void
merged_members(struct reader *r, const char *key, struct config *c,
    struct buf *out)
{
	int objs[2], i, k, end;
	char path[128];

	objs[0] = get(r, endpoint_of(r, r->defaults), key);
	objs[1] = get(r, endpoint_of(r, r->res), key);
	for (i = 0; i < 2; i++) {
		if (objs[i] < 0)
			continue;
		snprintf(path, sizeof(path), "%s.endpoint.%s",
		    i == 0 ? "$.resource_defaults" : r->respath, key);
		if (!json_is_object(&r->js, objs[i]))
			bad(r, path, "expected an object");
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			if (i == 0 && !member_wins(r, objs[1], k))
				continue;
			if (c != NULL) {
				add_param(r, c, k, k + 1, path);
				continue;
			}
			buf_addc(out, out->len == 0 ? '{' : ',');
			json_compact(&r->js, k, out);
			buf_addc(out, ':');
			json_compact(&r->js, k + 1, out);
		}
	}
	if (c == NULL && out->len > 0)
		buf_addc(out, '}');
}

static void
read_auth(struct reader *r, struct config *c)
{
	int a = get(r, r->client, "auth"), i;
	const char *path = "$.client.auth", *field;
	char p[64], *type = NULL;

	if (a < 0)
		return;
	if (!json_is_object(&r->js, a))
		bad(r, path, "expected an object");
	if ((i = get(r, a, "type")) >= 0)
		type = string_at(r, i, "$.client.auth.type");
	if (type == NULL || strcmp(type, "bearer") == 0) {
		c->auth = AUTH_BEARER;
		field = "token";
		check_keys(r, a, path, bearer_keys);
	} else if (strcmp(type, "api_key") == 0) {
		c->auth = AUTH_API_KEY;
		field = "api_key";
		check_keys(r, a, path, api_key_keys);
		if ((i = get(r, a, "name")) >= 0)
			c->key_name = string_at(r, i, "$.client.auth.name");
		if ((i = get(r, a, "location")) >= 0) {
			char *loc = string_at(r, i, "$.client.auth.location");

			if (strcmp(loc, "header") == 0)
				c->key_location = KEY_HEADER;
			else if (strcmp(loc, "query") == 0 ||
			    strcmp(loc, "param") == 0)
				c->key_location = KEY_QUERY;
			else if (strcmp(loc, "cookie") == 0)
				c->key_location = KEY_COOKIE;
			else
				bad(r, "$.client.auth.location",
				    "expected header, query or cookie");
			free(loc);
		}
	} else if (strcmp(type, "http_basic") == 0) {
		c->auth = AUTH_BASIC;
		field = "password";
		check_keys(r, a, path, basic_keys);
		if ((i = get(r, a, "username")) < 0)
			bad(r, path, "http_basic needs a username");
		c->username = string_at(r, i, "$.client.auth.username");
	} else {
		bad(r, "$.client.auth.type", "expected api_key, bearer or "
		    "http_basic");
	}
	free(type);

	/* dlt.secrets resolves a left-out secret from FIELD in upper case. */
	c->secret_key = field;
	snprintf(p, sizeof(p), "$.client.auth.%s", field);
	if ((i = get(r, a, field)) >= 0) {
		char *v = string_at(r, i, p);
		size_t n = strlen(v);

		if (n > 3 && strncmp(v, "${", 2) == 0 && v[n - 1] == '}') {
			c->secret_env = xstrndup(v + 2, n - 3);
			free(v);
		} else {
			warnmsg("warning: %s: %s: a secret written into the "
			    "configuration belongs in the environment",
			    r->file, p);
			c->secret = v;
		}
	}
	if (c->secret == NULL && c->secret_env == NULL) {
		char *up = xstrdup(field), *q;

		for (q = up; *q != '\0'; q++)
			*q = (char)toupper((unsigned char)*q);
		c->secret_env = up;
	}
}

/*
 * The endpoint's path as dlt sets it up: a resource given as a string and
 * a resource without an endpoint use their name; an endpoint given as a
 * string is the path; else the endpoint's own path, or the name.  dlt
 * sets the path before it merges in the defaults, so theirs never applies.
 */
static char *
resource_path(struct reader *r, struct config *c)
{
	char path[128];
	int e, i;

	if (json_is_string(&r->js, r->res) ||
	    (e = get(r, r->res, "endpoint")) < 0)
		return xstrdup(c->name);
	if (json_is_string(&r->js, e)) {
		snprintf(path, sizeof(path), "%s.endpoint", r->respath);
		return string_at(r, e, path);
	}
	if ((i = get(r, e, "path")) >= 0) {
		snprintf(path, sizeof(path), "%s.endpoint.path", r->respath);
		return string_at(r, i, path);
	}
	return xstrdup(c->name);
}

static void
read_request(struct reader *r, struct config *c)
{
	char path[128], *s;
	int i, end, k;
	struct buf b;

	check_keys(r, r->client, "$.client", client_keys);
	s = resource_path(r, c);
	c->url = join_url(r, s);
	free(s);
	if ((i = ep_get(r, "method", path, sizeof(path))) >= 0)
		c->method = string_at(r, i, path);
	for (int pass = 0; pass < 2; pass++) {
		char hp[128];
		int h = pass == 0 ? get(r, r->client, "headers") :
		    ep_get(r, "headers", hp, sizeof(hp));

		if (pass == 0)
			snprintf(hp, sizeof(hp), "$.client.headers");
		if (h < 0)
			continue;
		if (!json_is_object(&r->js, h))
			bad(r, hp, "expected an object");
		end = json_skip(&r->js, h);
		for (k = h + 1; k < end; k = json_skip(&r->js, k + 1)) {
			char *name, *value, vp[192];

			name = string_at(r, k, hp);
			snprintf(vp, sizeof(vp), "%s.%s", hp, name);
			if (*name == '\0' ||
			    strpbrk(name, ": \t\r\n") != NULL)
				bad(r, vp, "not a valid header name");
			value = string_at(r, k + 1, vp);
			if (strpbrk(value, "\r\n") != NULL)
				bad(r, vp, "a line break in a header");
			add_pair(&c->headers, &c->nheaders, name, strlen(name),
			    value, strlen(value));
		}
	}
	merged_members(r, "params", c, NULL);
	buf_init(&b, 0);
	merged_members(r, "json", NULL, &b);
	c->json = b.len > 0 ? buf_str(&b) : NULL;
	if (c->json == NULL)
		buf_free(&b);
	read_auth(r, c);
}

static void
read_pager_object(struct reader *r, struct config *c, int p,
    const char *path)
{
	char fp[160];
	char *type;
	int i;

#define FIELD(name) (snprintf(fp, sizeof(fp), "%s.%s", path, name), \
	get(r, p, name))
	if ((i = FIELD("type")) < 0)
		bad(r, path, "a paginator needs a type");
	type = string_at(r, i, fp);
	if (strcmp(type, "offset") == 0) {
		c->pager = PAGER_OFFSET;
		check_keys(r, p, path, offset_keys);
		if ((i = FIELD("limit")) < 0)
			bad(r, path, "the offset paginator needs a limit");
		if ((c->limit = long_at(r, i, fp)) == 0)
			bad(r, fp, "expected a limit of 1 or more");
		if ((i = FIELD("offset")) >= 0)
			c->offset = long_at(r, i, fp);
		if ((i = FIELD("offset_param")) >= 0)
			c->offset_param = string_at(r, i, fp);
		if ((i = FIELD("limit_param")) >= 0)
			c->limit_param = string_at(r, i, fp);
		if ((i = FIELD("maximum_offset")) >= 0)
			c->maximum = long_at(r, i, fp);
	} else if (strcmp(type, "page_number") == 0) {
		c->pager = PAGER_PAGE_NUMBER;
		check_keys(r, p, path, page_keys);
		if ((i = FIELD("base_page")) >= 0)
			c->base_page = long_at(r, i, fp);
		if ((i = FIELD("page")) >= 0)
			c->page = long_at(r, i, fp);
		if ((i = FIELD("page_param")) >= 0)
			c->page_param = string_at(r, i, fp);
		if ((i = FIELD("maximum_page")) >= 0)
			c->maximum = long_at(r, i, fp);
	} else if (strcmp(type, "single_page") == 0) {
		c->pager = PAGER_SINGLE;
		free(type);
		return;
	} else {
		die(EX_CONFIG, "%s: %s.type: paginator '%s' is not supported "
		    "(offset, page_number and single_page are)", r->file, path,
		    type);
	}
	free(type);
	if ((i = FIELD("total_path")) >= 0) {
		c->total_path_set = 1;
		c->total_path = json_is_null(&r->js, i) ? NULL :
		    string_at(r, i, fp);
	}
	if ((i = FIELD("stop_after_empty_page")) >= 0)
		c->stop_after_empty = bool_at(r, i, fp);
	if ((i = FIELD("has_more_path")) >= 0 && !json_is_null(&r->js, i))
		c->has_more_path = string_at(r, i, fp);
#undef FIELD
}

static void
read_pager(struct reader *r, struct config *c)
{
	char path[128];
	char *s;
	int p;

	/* dlt's precedence: the endpoint's, the defaults', the client's. */
	if ((p = ep_get(r, "paginator", path, sizeof(path))) < 0) {
		snprintf(path, sizeof(path), "$.client.paginator");
		if ((p = get(r, r->client, "paginator")) < 0)
			return;
	}
	if (json_is_object(&r->js, p)) {
		read_pager_object(r, c, p, path);
		return;
	}
	if (!json_is_string(&r->js, p))
		bad(r, path, "expected an object or a string");
	s = string_at(r, p, path);
	if (strcmp(s, "page_number") == 0)
		c->pager = PAGER_PAGE_NUMBER;
	else if (strcmp(s, "single_page") == 0)
		c->pager = PAGER_SINGLE;
	else if (strcmp(s, "offset") == 0)
		bad(r, path, "the offset paginator needs a limit: write it as "
		    "{\"type\": \"offset\", \"limit\": N}");
	else
		die(EX_CONFIG, "%s: %s: paginator '%s' is not supported "
		    "(offset, page_number and single_page are)", r->file, path,
		    s);
	free(s);
}

/* Whether the resource's columns give column col the hint, even false. */
static int
own_hint(struct reader *r, int columns, const char *col, const char *hint)
{
	int o;

	if (columns < 0 || !json_is_object(&r->js, columns) ||
	    (o = json_get(&r->js, columns, col, strlen(col))) < 0)
		return 0;
	return get(r, o, hint) >= 0;
}

/*
 * The first column of columns (merged) whose hint is set.  A hint of the
 * resource's, even false, hides the defaults' for the same column.
 */
static void
read_columns(struct reader *r, struct config *c)
{
	int objs[2], i, k, end, h;
	char path[256];
	char *col;

	objs[0] = get(r, r->defaults, "columns");
	objs[1] = r->res >= 0 && json_is_object(&r->js, r->res) ?
	    get(r, r->res, "columns") : -1;
	for (i = 1; i >= 0; i--) {
		const char *base = i == 0 ? "$.resource_defaults" : r->respath;

		if (objs[i] < 0)
			continue;
		snprintf(path, sizeof(path), "%s.columns", base);
		if (!json_is_object(&r->js, objs[i]))
			bad(r, path, "expected an object");
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			col = string_at(r, k, path);
			snprintf(path, sizeof(path), "%s.columns.%s", base, col);
			if (!json_is_object(&r->js, k + 1))
				bad(r, path, "expected an object of hints");
			if ((h = get(r, k + 1, "dedup_sort")) >= 0 &&
			    c->dedup_sort == NULL && (i == 1 ||
			    !own_hint(r, objs[1], col, "dedup_sort"))) {
				char hp[300];

				snprintf(hp, sizeof(hp), "%s.dedup_sort", path);
				c->dedup_order = string_at(r, h, hp);
				if (strcmp(c->dedup_order, "asc") != 0 &&
				    strcmp(c->dedup_order, "desc") != 0)
					bad(r, hp, "expected asc or desc");
				c->dedup_sort = xstrdup(col);
			}
			if ((h = get(r, k + 1, "hard_delete")) >= 0 &&
			    c->hard_delete == NULL && (i == 1 ||
			    !own_hint(r, objs[1], col, "hard_delete"))) {
				char hp[300];

				snprintf(hp, sizeof(hp), "%s.hard_delete", path);
				if (bool_at(r, h, hp))
					c->hard_delete = xstrdup(col);
			}
			free(col);
			snprintf(path, sizeof(path), "%s.columns", base);
		}
	}
}

/* Both merge strategies dlt has for a key are restpipe's merge. */
static void
read_strategy(struct reader *r, int wd, const char *wdpath)
{
	char path[160], *s;
	int i;

	if ((i = get(r, wd, "strategy")) < 0)
		return;
	snprintf(path, sizeof(path), "%s.strategy", wdpath);
	s = string_at(r, i, path);
	if (strcmp(s, "delete-insert") != 0 && strcmp(s, "upsert") != 0)
		die(EX_CONFIG, "%s: %s: merge strategy '%s' is not supported "
		    "(delete-insert and upsert are)", r->file, path, s);
	free(s);
}

static void
read_table(struct reader *r, struct config *c)
{
	char path[128], ep[160];
	int i, k, n, end;

	if ((i = res_get(r, "primary_key", path, sizeof(path))) >= 0) {
		if (json_is_string(&r->js, i)) {
			c->primary_key = xcalloc(1, sizeof(char *));
			c->primary_key[c->nprimary_key++] =
			    string_at(r, i, path);
		} else if (json_is_array(&r->js, i)) {
			end = json_skip(&r->js, i);
			c->primary_key = xcalloc((size_t)r->js.tok[i].size + 1,
			    sizeof(char *));
			for (k = i + 1, n = 0; k < end;
			    k = json_skip(&r->js, k), n++) {
				snprintf(ep, sizeof(ep), "%s[%d]", path, n);
				c->primary_key[c->nprimary_key++] =
				    string_at(r, k, ep);
			}
		} else {
			bad(r, path, "expected a string or a list of strings");
		}
	}
	if ((i = res_get(r, "write_disposition", path, sizeof(path))) >= 0) {
		char *d;

		if (json_is_object(&r->js, i)) {
			check_keys(r, i, path, disposition_keys);
			if ((k = get(r, i, "disposition")) < 0)
				bad(r, path, "no disposition");
			read_strategy(r, i, path);
			strcat(path, ".disposition");
			d = string_at(r, k, path);
		} else {
			d = string_at(r, i, path);
		}
		if (strcmp(d, "merge") != 0 && strcmp(d, "append") != 0 &&
		    strcmp(d, "replace") != 0)
			bad(r, path, "expected merge, append or replace");
		c->write_disposition = d;
	}
	if ((i = res_get(r, "table_name", path, sizeof(path))) >= 0)
		c->table = string_at(r, i, path);
	else
		c->table = xstrdup(c->name);
	read_columns(r, c);
}

void
config_load(struct config *c, const char *file, const char *resource,
    int parts)
{
	struct reader r = { .file = file };
	char path[128];
	int i;

	memset(c, 0, sizeof(*c));
	c->auth = -1;
	c->key_location = -1;
	c->limit = c->offset = c->maximum = c->base_page = c->page = -1;
	c->stop_after_empty = -1;
	read_file(&r, file);
	check_keys(&r, 0, "$", top_keys);
	r.client = get(&r, 0, "client");
	if (r.client >= 0 && !json_is_object(&r.js, r.client))
		bad(&r, "$.client", "expected an object");
	r.defaults = get(&r, 0, "resource_defaults");
	check_keys(&r, r.defaults, "$.resource_defaults", resource_keys);
	choose_resource(&r, c, resource);
	if (json_is_object(&r.js, r.res))
		check_keys(&r, r.res, r.respath, resource_keys);
	for (i = 0; i < 2; i++) {
		int res = i == 0 ? r.defaults : r.res, e;

		if (res < 0 || !json_is_object(&r.js, res) ||
		    (e = get(&r, res, "endpoint")) < 0)
			continue;
		snprintf(path, sizeof(path), "%s.endpoint",
		    i == 0 ? "$.resource_defaults" : r.respath);
		if (i == 1 && json_is_string(&r.js, e))
			continue;
		if (i == 1 && !json_is_object(&r.js, e))
			bad(&r, path, "expected an object or a string");
		if (parts & CONFIG_REQUEST)
			check_keys(&r, e, path, endpoint_keys);
		else if (!json_is_object(&r.js, e))
			bad(&r, path, "expected an object");
	}
	if (parts & CONFIG_REQUEST)
		read_request(&r, c);
	if (parts & CONFIG_PAGER)
		read_pager(&r, c);
	if (parts & CONFIG_SELECT &&
	    (i = ep_get(&r, "data_selector", path, sizeof(path))) >= 0)
		c->data_selector = string_at(&r, i, path);
	if (parts & CONFIG_TABLE)
		read_table(&r, c);
	json_free(&r.js);
	buf_free(&r.text);
}

static void
free_pairs(struct pair *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void
config_free(struct config *c)
{
	int i;

	free(c->name);
	free(c->url);
	free(c->method);
	free_pairs(c->headers, c->nheaders);
	free_pairs(c->params, c->nparams);
	free(c->json);
	free(c->key_name);
	free(c->secret);
	free(c->secret_env);
	free(c->username);
	free(c->offset_param);
	free(c->limit_param);
	free(c->page_param);
	free(c->total_path);
	free(c->has_more_path);
	free(c->data_selector);
	for (i = 0; i < c->nprimary_key; i++)
		free(c->primary_key[i]);
	free(c->primary_key);
	free(c->write_disposition);
	free(c->dedup_sort);
	free(c->dedup_order);
	free(c->hard_delete);
	free(c->table);
	memset(c, 0, sizeof(*c));
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

int
config_from_argv(struct config *c, int argc, char *argv[],
    const char *shortopts, const struct option *longopts, int parts)
{
	const char *file = NULL, *resource = NULL;
	int ch, saved = opterr;

	memset(c, 0, sizeof(*c));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == 'c')
			file = optarg;
		else if (ch == 'r')
			resource = optarg;
	}
	opterr = saved;
	optind = 0;	/* glibc: start over, reinitializing */
	if (file == NULL && resource != NULL)
		die(EX_USAGE, "--resource needs --config");
	if (file == NULL)
		return 0;
	config_load(c, file, resource, parts);
	return 1;
}
