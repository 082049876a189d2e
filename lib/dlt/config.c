/*
 * config.c: dlt's REST API source configuration.  The file is parsed once
 * with the JSON layer and read by token; nothing is copied into a tree.
 * resource_defaults merge into the resource as dlt merges them: resource
 * keys shallowly, endpoint keys one level deep, endpoint.params and
 * endpoint.json key by key, columns per column and hint.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "dlt/config.h"
#include "base/diag.h"
#include "base/file.h"
#include "json/jpath.h"
#include "json/json.h"
#include "base/opt.h"
#include "dlt/placeholder.h"
#include "net/secret.h"

#define MAX_CONFIG	(16L * 1024 * 1024)

struct reader {
	const char	*file;
	struct err	*err;
	struct json	 js;
	struct buf	 text;
	int		 res;		/* the resource token, or -1 */
	int		 defaults;	/* resource_defaults, or -1 */
	int		 client;	/* client, or -1 */
	char		 respath[64];	/* "$.resources[N]" */
	/* What {incremental.*} placeholders may name, read_incremental()'s. */
	struct incremental *incr;	/* endpoint.incremental, or NULL */
	char		*incr_param;	/* the path of a parameter's, or NULL */
	int		 incr_off;	/* not here: the client's headers */
	struct config	*cfg;		/* the configuration being read */
	int		 quiet;		/* CONFIG_QUIET_ENV: no warnings */
	/* The parent record a child's requests are filled from, or NULL. */
	const char	*rec;
	size_t		 reclen;
};

static const char *const top_keys[] = {
	"client", "resource_defaults", "resources", NULL
};
static const char *const client_keys[] = {
	"auth", "base_url", "headers", "paginator", "restpipe", "session",
	NULL
};
/* restpipe's own settings, on the client or a resource (read_own()). */
static const char *const own_keys[] = { "allow_short", NULL };
static const char *const resource_keys[] = {
	"columns", "endpoint", "file_format", "include_from_parent",
	"max_table_nesting", "merge_key", "name", "nested_hints",
	"parallelized", "parent_table_name", "primary_key",
	"processing_steps", "references", "restpipe", "schema_contract",
	"selected", "table_format", "table_name", "write_disposition", NULL
};
static const char *const endpoint_keys[] = {
	"auth", "data", "data_selector", "headers", "incremental", "json",
	"method",
	"paginator", "params", "path", "response_actions", NULL
};
static const char *const action_keys[] = {
	"action", "content", "status_code", NULL
};

/* dlt's endpoint methods (HTTPMethodBasic), spelt as dlt checks them. */
static const struct name methods[] = {
	{ "GET",	0 },
	{ "POST",	1 },
	{ NULL,		0 }
};
static const char *const offset_keys[] = {
	"has_more_path", "limit", "limit_body_path", "limit_param",
	"maximum_offset", "offset", "offset_body_path", "offset_param",
	"stop_after_empty_page", "total_header", "total_path", "type", NULL
};
static const char *const page_keys[] = {
	"base_page", "has_more_path", "maximum_page", "page", "page_body_path",
	"page_param", "stop_after_empty_page", "total_header", "total_path",
	"type", NULL
};
/* allow_other_host is restpipe's, not dlt's. */
static const char *const json_link_keys[] = {
	"allow_other_host", "next_url_path", "type", NULL
};
static const char *const header_link_keys[] = {
	"allow_other_host", "links_next_key", "type", NULL
};
static const char *const cursor_keys[] = {
	"cursor_body_path", "cursor_param", "cursor_path", "has_more_path",
	"stop_after_empty_page", "type", NULL
};
static const char *const header_cursor_keys[] = {
	"cursor_key", "cursor_param", "type", NULL
};
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
static const char *const disposition_keys[] = {
	"disposition", "strategy", NULL
};

const struct name write_dispositions[] = {
	{ "merge",	WRITE_MERGE },
	{ "append",	WRITE_APPEND },
	{ "replace",	WRITE_REPLACE },
	{ NULL,		0 }
};

const struct name sort_orders[] = {
	{ "asc",	SORT_ASC },
	{ "desc",	SORT_DESC },
	{ NULL,		0 }
};

static int
bad(struct reader *r, const char *path, const char *what)
{
	return err_set(r->err, EX_CONFIG, "%s: %s: %s", r->file, path, what);
}

static int
get(struct reader *r, int obj, const char *key)
{
	if (obj < 0 || !json_is_object(&r->js, obj))
		return -1;
	return json_get(&r->js, obj, key, strlen(key));
}

/* The unescaped string at token i, which the caller frees; or NULL. */
static char *
string_at(struct reader *r, int i, const char *path)
{
	struct buf b;

	if (!json_is_string(&r->js, i)) {
		bad(r, path, "expected a string");
		return NULL;
	}
	buf_init(&b, 0);
	json_unescape(&r->js, i, &b);
	if (memchr(buf_str(&b), '\0', b.len) != NULL) {
		buf_free(&b);
		bad(r, path, "a NUL byte in a string");
		return NULL;
	}
	return buf_str(&b);
}

/* The string at token i into *s, which must be NULL; returns 0 or -1. */
static int
take_string(struct reader *r, int i, const char *path, char **s)
{
	return (*s = string_at(r, i, path)) == NULL ? -1 : 0;
}

static int
long_at(struct reader *r, int i, const char *path, long *v)
{
	long long n;

	if (json_long(&r->js, i, &n) == -1 || n < 0 || n > 1000000000000LL)
		return bad(r, path, "expected a count (an integer, 0 or more)");
	*v = (long)n;
	return 0;
}

static int
bool_at(struct reader *r, int i, const char *path, int *v)
{
	if (!json_is_bool(&r->js, i, v))
		return bad(r, path, "expected true or false");
	return 0;
}

static void
join(char *out, size_t n, const char *path, const char *key)
{
	snprintf(out, n, "%s.%s", path, key);
}

/* Whether s[0..n) holds a byte below ' ' (a line break, a NUL). */
static int
has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ')
			return 1;
	return 0;
}

/*
 * Warn of each key of object obj that is not in known; or, with refuse,
 * fail at the first.
 */
static int
keys_known(struct reader *r, int obj, const char *path,
    const char *const *known, int refuse)
{
	int end, k, j;
	struct buf key, shown;

	if (obj < 0)
		return 0;
	if (!json_is_object(&r->js, obj))
		return bad(r, path, "expected an object");
	buf_init(&key, 0);
	buf_init(&shown, 0);
	end = json_skip(&r->js, obj);
	for (k = obj + 1; k < end; k = json_skip(&r->js, k + 1)) {
		buf_reset(&key);
		json_unescape(&r->js, k, &key);
		buf_str(&key);
		for (j = 0; known[j] != NULL; j++)
			if (strcmp(known[j], key.data) == 0)
				break;
		if (known[j] != NULL)
			continue;
		/* A key with a line break or a NUL is shown escaped. */
		buf_reset(&shown);
		if (has_control(key.data, key.len)) {
			json_quote(&shown, key.data, key.len);
			buf_reset(&key);
			buf_add(&key, shown.data + 1, shown.len - 2);
			buf_str(&key);
		}
		if (refuse) {
			err_set(r->err, EX_CONFIG, "%s: %s: unknown key '%s' "
			    "(at this level every key may change the rows)",
			    r->file, path, key.data);
			buf_free(&key);
			buf_free(&shown);
			return -1;
		}
		if (!r->quiet)
			warnmsg("warning: %s: %s: unknown key '%s'", r->file,
			    path, key.data);
	}
	buf_free(&key);
	buf_free(&shown);
	return 0;
}

/* Warn of each key of object obj that is not in known. */
static int
check_keys(struct reader *r, int obj, const char *path,
    const char *const *known)
{
	return keys_known(r, obj, path, known, 0);
}

/*
 * Refuse a key of object obj that is not in known: in the client, a
 * resource and an endpoint, a misspelt key (dlt refuses it too) would
 * leave out what it means, and load other rows.
 */
static int
refuse_keys(struct reader *r, int obj, const char *path,
    const char *const *known)
{
	return keys_known(r, obj, path, known, 1);
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

static int
read_file(struct reader *r, const char *file)
{
	struct json_error err;
	struct err fe = { 0 };
	size_t line, col;

	if (file_read(file, MAX_CONFIG, &r->text, &fe) == -1) {
		/* The messages configuration files always had. */
		if (fe.status == EX_DATAERR)
			err_set(r->err, EX_CONFIG, "%s: larger than 16 MiB",
			    file);
		else
			err_set(r->err, EX_NOINPUT, "%s:", file);
		err_free(&fe);
		return -1;
	}
	buf_str(&r->text);
	if (json_parse(&r->js, r->text.data, r->text.len, &err) == -1) {
		json_linecol(r->text.data, err.off, &line, &col);
		return err_set(r->err, EX_CONFIG, "%s:%zu:%zu: %s", file, line,
		    col, err.msg);
	}
	if (!json_is_object(&r->js, 0))
		return bad(r, "$", "expected an object");
	return 0;
}

/* The name of resource res; the caller frees it.  NULL on a fault. */
static char *
resource_name(struct reader *r, int res, const char *path)
{
	char p[96];
	int i;

	if (json_is_string(&r->js, res))
		return string_at(r, res, path);
	if (!json_is_object(&r->js, res)) {
		bad(r, path, "expected an object or a string");
		return NULL;
	}
	snprintf(p, sizeof(p), "%s.name", path);
	if ((i = get(r, res, "name")) < 0) {
		bad(r, path, "a resource needs a name");
		return NULL;
	}
	return string_at(r, i, p);
}

/*
 * Refuse a second resource named name, at path, among the n before it:
 * dlt refuses it too, and which one a name means would be a guess.
 */
static int
check_unique(struct reader *r, char **seen, int n, const char *name,
    const char *path, int res)
{
	int k;

	for (k = 0; k < n; k++)
		if (strcmp(seen[k], name) == 0)
			return err_set(r->err, EX_CONFIG, "%s: %s%s: a second "
			    "resource named '%s' (the first is "
			    "$.resources[%d])", r->file, path,
			    json_is_object(&r->js, res) ? ".name" : "", name,
			    k);
	return 0;
}

static int
choose_resource(struct reader *r, struct config *c, const char *want)
{
	int list = get(r, 0, "resources"), end, i, n = 0, rc = 0;
	struct buf names;
	char path[64];
	char *name, **seen;

	if (list < 0)
		return bad(r, "$", "no resources");
	if (!json_is_array(&r->js, list))
		return bad(r, "$.resources", "expected an array");
	buf_init(&names, 0);
	end = json_skip(&r->js, list);
	seen = xcalloc((size_t)r->js.tok[list].size + 1, sizeof(*seen));
	r->res = -1;
	for (i = list + 1; i < end; i = json_skip(&r->js, i), n++) {
		snprintf(path, sizeof(path), "$.resources[%d]", n);
		if ((name = resource_name(r, i, path)) == NULL ||
		    check_unique(r, seen, n, name, path, i) == -1) {
			free(name);
			rc = -1;
			break;
		}
		seen[n] = name;
		if (n > 0)
			buf_adds(&names, ", ");
		buf_adds(&names, name);
		if (want == NULL ? n == 0 : strcmp(want, name) == 0) {
			if (r->res < 0) {
				r->res = i;
				c->name = xstrdup(name);
				snprintf(r->respath, sizeof(r->respath), "%s",
				    path);
			}
		}
	}
	while (n > 0)
		free(seen[--n]);
	free(seen);
	n = r->js.tok[list].size;
	buf_str(&names);
	if (rc == -1) {
		buf_free(&names);
		return -1;
	}
	if (n == 0)
		rc = bad(r, "$.resources", "no resources");
	else if (want == NULL && n > 1)
		rc = err_set(r->err, EX_USAGE, "%s: %d resources, choose one "
		    "with -r: %s", r->file, n, names.data);
	else if (r->res < 0)
		rc = err_set(r->err, EX_USAGE, "%s: no resource '%s'; there "
		    "are: %s", r->file, want, names.data);
	buf_free(&names);
	return rc;
}

/* Join base_url and path the way dlt does; NULL on a fault. */
static char *
join_url(struct reader *r, const char *path)
{
	char bpath[64];
	char *base;
	int b;
	struct buf u;

	if (strstr(path, "://") != NULL)
		return xstrdup(path);
	if ((b = get(r, r->client, "base_url")) < 0) {
		bad(r, "$.client", "no base_url for a relative path");
		return NULL;
	}
	snprintf(bpath, sizeof(bpath), "$.client.base_url");
	if ((base = string_at(r, b, bpath)) == NULL || *path == '\0')
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

/* Whether the file has a resource named name. */
static int
resource_exists(struct reader *r, const char *name)
{
	int list = get(r, 0, "resources"), end, i, found = 0;
	char *s;

	end = json_skip(&r->js, list);
	for (i = list + 1; !found && i < end; i = json_skip(&r->js, i)) {
		/* choose_resource() checked every name. */
		if ((s = resource_name(r, i, "$.resources")) == NULL)
			continue;
		found = strcmp(s, name) == 0;
		free(s);
	}
	return found;
}

int
config_parent_value(const char *json, size_t n, const char *field, int raw,
    struct buf *b)
{
	struct json_error err;
	struct jpath *jp;
	struct json js;
	const char *msg;
	int i = -1;

	if ((jp = jpath_compile(field, &msg)) == NULL)
		return -1;
	json_init(&js);
	if (json_parse(&js, json, n, &err) == 0 && json_is_object(&js, 0))
		i = jpath_eval(jp, &js, 0);
	if (i >= 0) {
		if (!raw && json_is_string(&js, i))
			json_unescape(&js, i, b);
		else
			json_compact(&js, i, b);
	}
	json_free(&js);
	jpath_free(jp);
	return i >= 0 ? 0 : -1;
}

/* Append the n bytes at s percent-encoded: all but RFC 3986's unreserved. */
static void	add_encoded(struct buf *, const char *, size_t, int);

/*
 * Append the n bytes at s, a value bound into the path, as add_encoded()
 * does, but a value "." or ".." with each dot as %2E: as it is, it would
 * be a dot segment, which libcurl removes (RFC 3986, 5.2.4), so a parent
 * record whose id is ".." would ask for another resource and load its
 * records as the child's.  libcurl leaves %2E as it is.
 */
static void
add_path_value(struct buf *b, const char *s, size_t n)
{
	size_t i;

	if (n > 0 && n <= 2 && memcmp(s, "..", n) == 0) {
		for (i = 0; i < n; i++)
			buf_adds(b, "%2E");
	} else {
		add_encoded(b, s, n, 0);
	}
}

/*
 * Take field of resource res (at path) as this child's: res is its one
 * parent, not itself.  With a parent record, append the field's value to
 * out, percent-encoded when enc is set; a record without it is EX_DATAERR.
 */
static int
take_parent(struct reader *r, const char *path, const char *res,
    const char *field, struct buf *out, int enc)
{
	struct config *c = r->cfg;
	struct jpath *jp;
	const char *msg;
	struct buf v;
	size_t k;
	int rc = 0;

	if (c->name != NULL && strcmp(res, c->name) == 0)
		return err_set(r->err, EX_CONFIG, "%s: %s: resource '%s' "
		    "cannot be its own parent", r->file, path, res);
	if (c->parent != NULL && strcmp(c->parent, res) != 0)
		return err_set(r->err, EX_CONFIG, "%s: %s: takes values from "
		    "resources '%s' and '%s': a child resource has one parent",
		    r->file, path, c->parent, res);
	if ((jp = jpath_compile(field, &msg)) == NULL)
		return err_set(r->err, EX_CONFIG, "%s: %s: field '%s': %s",
		    r->file, path, field, msg);
	jpath_free(jp);
	if (c->parent == NULL)
		c->parent = xstrdup(res);
	for (k = 0; k < c->nparent_fields; k++)
		if (strcmp(c->parent_fields[k], field) == 0)
			break;
	if (k == c->nparent_fields) {
		c->parent_fields = xrealloc(c->parent_fields,
		    (k + 1) * sizeof(*c->parent_fields));
		c->parent_fields[c->nparent_fields++] = xstrdup(field);
	}
	if (r->rec == NULL)
		return 0;
	buf_init(&v, 0);
	if (config_parent_value(r->rec, r->reclen, field, 0, &v) == -1)
		rc = err_set(r->err, EX_DATAERR, "%s: %s: the record of "
		    "resource '%s' has no field '%s'", r->file, path, res,
		    field);
	else if (enc)
		add_path_value(out, v.data != NULL ? v.data : "", v.len);
	else
		buf_add(out, v.data != NULL ? v.data : "", v.len);
	buf_free(&v);
	return rc;
}

/*
 * The placeholder {resources.NAME.FIELD} (the n bytes at f, at path),
 * filled as take_parent() fills it.
 */
static int
parent_field(struct reader *r, const char *path, const char *f, size_t n,
    struct buf *out, int enc)
{
	char *s = xstrndup(f, n), *res = s + 10, *dot;
	int rc;

	if ((dot = strchr(res, '.')) == NULL || dot == res || dot[1] == '\0')
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "expected {resources.NAME.FIELD}", r->file, path, s);
	else if (*dot = '\0', !resource_exists(r, res))
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder "
		    "'{%s.%s}': no resource '%s'", r->file, path, s, dot + 1,
		    res);
	else
		rc = take_parent(r, path, res, dot + 1, out, enc);
	free(s);
	return rc;
}

/*
 * Refuse placeholder {f} at path, which restpipe does not fill in: dlt
 * fills {resources.NAME.FIELD} from a parent resource and {incremental.*}
 * from incremental state, binds a plain name in the path only, and
 * refuses the rest.  Sent as written, any of them would ask for
 * something else.
 */
/*
 * The n bytes of a placeholder's name as a message shows it, a new
 * string: escaped as in JSON when it holds a line break or a NUL.
 */
static char *
field_shown(const char *name, size_t n)
{
	struct buf b;

	if (!has_control(name, n))
		return xstrndup(name, n);
	buf_init(&b, 0);
	json_quote(&b, name, n);
	b.data[b.len - 1] = '\0';
	memmove(b.data, b.data + 1, b.len - 1);
	return b.data;
}

static int
refuse_field(struct reader *r, const char *path, const char *name,
    size_t n, int in_path)
{
	char *f = field_shown(name, n), *dot;
	int rc;

	if (strncmp(f, "resources.", 10) == 0) {
		/* expand_text() fills the others. */
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "expected {resources.NAME.FIELD}", r->file, path, f);
	} else if ((dot = strchr(f, '.')) != NULL) {
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "unknown context '%.*s' (there are resources and "
		    "incremental)", r->file, path, f, (int)(dot - f), f);
	} else if (in_path) {
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}' "
		    "has no value in endpoint.params", r->file, path, f);
	} else {
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "only the path binds parameters (write '{{' and '}}' for "
		    "braces)", r->file, path, f);
	}
	free(f);
	return rc;
}

/* Append the n bytes at s percent-encoded: all but RFC 3986's unreserved. */
static void
add_encoded(struct buf *b, const char *s, size_t n, int plus)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;
	size_t i;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		/* A placeholder's mark stays, for its value to be encoded. */
		if (ch == INCR_PLACEHOLDER && i + 1 < n) {
			buf_add(b, s + i, 2);
			i++;
			continue;
		}
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch) != NULL) {
			buf_addc(b, (char)ch);
		} else if (plus && ch == ' ') {
			buf_addc(b, '+');
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[ch >> 4]);
			buf_addc(b, hex[ch & 15]);
		}
	}
}

/* dlt's Incremental values a placeholder names, and their marks. */
static const struct name incr_fields[] = {
	{ "incremental.start_value",	's' },
	{ "incremental.last_value",	'l' },
	{ "incremental.end_value",	'e' },
	{ "incremental.initial_value",	'i' },
	{ NULL,				0 }
};

/*
 * The placeholder {f} (n bytes) at path, one of dlt's Incremental values:
 * its mark into out, for config_bind_incremental() to fill in.  dlt
 * offers them with endpoint.incremental only; a value the definition
 * cannot have is refused here, where dlt would send "None".
 */
static int
incr_field(struct reader *r, const char *path, const char *name, size_t n,
    struct buf *out)
{
	char *f = field_shown(name, n);
	int v = name_value(incr_fields, f), rc = 0;

	if (r->incr_off)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "dlt fills incremental placeholders in the endpoint's "
		    "path, params, json, data and headers, not the client's",
		    r->file, path, f);
	else if (r->incr == NULL && r->incr_param != NULL)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "dlt fills incremental placeholders from "
		    "endpoint.incremental only, not from the incremental "
		    "parameter %s", r->file, path, f, r->incr_param);
	else if (r->incr == NULL)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "no incremental definition (endpoint.incremental) to "
		    "fill it", r->file, path, f);
	else if (v == -1)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "expected incremental.start_value, last_value, end_value "
		    "or initial_value", r->file, path, f);
	else if (v == 'e' && r->incr->end == NULL)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "endpoint.incremental has no end_value", r->file, path, f);
	else if (v == 'i' && r->incr->initial == NULL)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "endpoint.incremental has no initial_value", r->file, path,
		    f);
	if (rc == 0) {
		buf_addc(out, INCR_PLACEHOLDER);
		buf_addc(out, (char)v);
		r->incr->placeholders = 1;
	}
	free(f);
	return rc;
}

/*
 * The n bytes at s (at path) as dlt sends them into out: "{{" and "}}"
 * as braces, and, in the path (c set), each {name} as the value of the
 * parameter name of c, percent-encoded, marking it in bound.  An
 * {incremental.*} placeholder leaves its mark; any other is refused.
 */
static int
expand_text(struct reader *r, const char *s, size_t n, const char *path,
    struct buf *out, struct config *c, char *bound)
{
	struct ph_scan sc = { s, n, 0 };
	const char *p;
	size_t len, i;
	enum ph_kind k;

	while ((k = placeholder_next(&sc, &p, &len)) != PH_END) {
		if (k == PH_ERROR)
			return err_set(r->err, EX_CONFIG, "%s: %s: %s", r->file,
			    path, p);
		if (k == PH_TEXT) {
			/* The byte that marks a placeholder is not text. */
			if (memchr(p, INCR_PLACEHOLDER, len) != NULL)
				return err_set(r->err, EX_CONFIG, "%s: %s: the "
				    "control character U+0001", r->file, path);
			buf_add(out, p, len);
			continue;
		}
		if (len > 12 && memcmp(p, "incremental.", 12) == 0) {
			if (incr_field(r, path, p, len, out) == -1)
				return -1;
			continue;
		}
		if (len > 10 && strncmp(p, "resources.", 10) == 0) {
			if (parent_field(r, path, p, len, out, c != NULL) == -1)
				return -1;
			continue;
		}
		for (i = 0; c != NULL && i < c->nparams; i++)
			if (c->params[i].namelen == len &&
			    memcmp(c->params[i].name, p, len) == 0)
				break;
		if (c == NULL || i == c->nparams)
			return refuse_field(r, path, p, len, c != NULL);
		add_path_value(out, c->params[i].value, c->params[i].valuelen);
		bound[i] = 1;
	}
	return 0;
}

/* Replace the string *s (at path) with its expansion, braces unescaped. */
static int
unbrace(struct reader *r, char **s, const char *path)
{
	struct buf b;

	buf_init(&b, 0);
	if (expand_text(r, *s, strlen(*s), path, &b, NULL, NULL) == -1) {
		buf_free(&b);
		return -1;
	}
	free(*s);
	*s = buf_str(&b);
	return 0;
}

/*
 * Bind the placeholders of the path s (at path) from c's parameters, as
 * dlt does: a parameter bound is not sent as a query parameter too.
 */
static char *
bind_path(struct reader *r, struct config *c, const char *s,
    const char *path)
{
	char *bound = xcalloc(c->nparams + 1, 1);
	size_t i, j;
	struct buf b;

	buf_init(&b, 0);
	if (expand_text(r, s, strlen(s), path, &b, c, bound) == -1) {
		buf_free(&b);
		free(bound);
		return NULL;
	}
	for (i = j = 0; i < c->nparams; i++) {
		if (bound[i]) {
			free(c->params[i].name);
			free(c->params[i].value);
		} else {
			c->params[j++] = c->params[i];
		}
	}
	c->nparams = j;
	free(bound);
	return buf_str(&b);
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

/*
 * Refuse parameter object v (at vp): dlt's resolve parameter makes a
 * child resource, its incremental one incremental loading, neither of
 * which restpipe has yet; a resolve names a resource that must exist.
 */
static int
param_object(struct reader *r, int v, const char *vp, struct buf *key)
{
	char tp[256], *type = NULL, *res = NULL, *field = NULL;
	struct buf val;
	int i, rc;

	snprintf(tp, sizeof(tp), "%s.type", vp);
	if (!json_is_object(&r->js, v) || (i = get(r, v, "type")) < 0 ||
	    !json_is_string(&r->js, i) || (type = string_at(r, i, tp)) == NULL)
		rc = bad(r, vp, "expected a string, number or boolean");
	else if (strcmp(type, "incremental") == 0)
		rc = 0;		/* read_incremental() read it */
	else if (strcmp(type, "resolve") != 0)
		rc = bad(r, tp, "expected resolve or incremental");
	else if (snprintf(tp, sizeof(tp), "%s.resource", vp),
	    (i = get(r, v, "resource")) < 0)
		rc = bad(r, vp, "a resolve parameter needs a resource");
	else if ((res = string_at(r, i, tp)) == NULL)
		rc = -1;
	else if (!resource_exists(r, res))
		rc = err_set(r->err, EX_CONFIG, "%s: %s: no resource '%s'",
		    r->file, tp, res);
	else if (snprintf(tp, sizeof(tp), "%s.field", vp),
	    (i = get(r, v, "field")) < 0)
		rc = bad(r, vp, "a resolve parameter needs a field");
	else if ((field = string_at(r, i, tp)) == NULL)
		rc = -1;
	else {
		buf_init(&val, 0);
		rc = take_parent(r, vp, res, field, &val, 0);
		if (rc == 0)
			add_pair(&r->cfg->params, &r->cfg->nparams,
			    xstrndup(key->data != NULL ? key->data : "",
			    key->len), key->len, buf_str(&val), val.len);
		else
			buf_free(&val);
	}
	free(type);
	free(res);
	free(field);
	return rc;
}

/*
 * A scalar as a parameter: strings unescaped, numbers and bools as are;
 * braces as dlt expands them.
 */
static int
add_param(struct reader *r, struct config *c, int k, int v, const char *path)
{
	struct buf key, val, ek, ev;
	char vp[192];
	int rc;

	buf_init(&key, 0);
	json_unescape(&r->js, k, &key);
	snprintf(vp, sizeof(vp), "%s.%s", path, buf_str(&key));
	if (json_is_object(&r->js, v) || json_is_array(&r->js, v)) {
		rc = param_object(r, v, vp, &key);
		buf_free(&key);
		return rc;
	}
	if (json_is_null(&r->js, v)) {
		buf_free(&key);
		return 0;
	}
	buf_init(&val, 0);
	json_unescape(&r->js, v, &val);
	buf_init(&ek, 0);
	buf_init(&ev, 0);
	rc = expand_text(r, key.data != NULL ? key.data : "", key.len, vp,
	    &ek, NULL, NULL) == -1 || expand_text(r, val.data != NULL ?
	    val.data : "", val.len, vp, &ev, NULL, NULL) == -1 ? -1 : 0;
	if (rc == 0)
		add_pair(&c->params, &c->nparams, buf_str(&ek), ek.len,
		    buf_str(&ev), ev.len);
	else {
		buf_free(&ek);
		buf_free(&ev);
	}
	buf_free(&key);
	buf_free(&val);
	return rc;
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

/* Whether the n bytes at s are one placeholder {resources.NAME.FIELD}. */
static int
whole_field(const char *s, size_t n)
{
	struct ph_scan sc = { s, n, 0 };
	const char *p;
	size_t len;

	return n > 12 && strncmp(s, "{resources.", 11) == 0 &&
	    placeholder_next(&sc, &p, &len) == PH_FIELD &&
	    placeholder_next(&sc, &p, &len) == PH_END;
}

/*
 * The placeholder resources.NAME.FIELD (n bytes at f, at path) into out
 * as the JSON value the parent record holds, or "" without a record.
 */
static int
parent_json(struct reader *r, const char *path, const char *f, size_t n,
    struct buf *out)
{
	struct buf v;
	size_t k;
	char *field;

	buf_init(&v, 0);
	if (parent_field(r, path, f, n, &v, 0) == -1) {
		buf_free(&v);
		return -1;
	}
	buf_free(&v);
	/* parent_field() checked it: the field follows the second dot. */
	field = xstrndup(f, n);
	k = strcspn(field + 10, ".") + 11;
	if (r->rec == NULL)
		buf_adds(out, "\"\"");
	else
		config_parent_value(r->rec, r->reclen, field + k, 1, out);
	free(field);
	return 0;
}

/*
 * The string x quoted as JSON into out, the marks of {incremental.*}
 * placeholders left as they are, for config_bind_incremental().
 */
static void
quote_marked(struct buf *out, const struct buf *x)
{
	const char *p = x->data != NULL ? x->data : "", *end = p + x->len, *m;
	struct buf q;

	buf_init(&q, 0);
	buf_addc(out, '"');
	while (p < end) {
		if ((m = memchr(p, INCR_PLACEHOLDER, (size_t)(end - p))) ==
		    NULL || m + 1 >= end)
			m = end;
		buf_reset(&q);
		json_quote(&q, p, (size_t)(m - p));
		buf_add(out, q.data + 1, q.len - 2);
		if (m == end)
			break;
		buf_add(out, m, 2);
		p = m + 2;
	}
	buf_addc(out, '"');
	buf_free(&q);
}

/*
 * The value at token i as compact JSON into out, each string (a key too)
 * expanded as dlt expands it.
 */
static int
compact_expanded(struct reader *r, int i, const char *path, struct buf *out)
{
	struct buf s, x;
	int obj, end, j, n = 0, rc = 0;

	if (json_is_string(&r->js, i)) {
		buf_init(&s, 0);
		buf_init(&x, 0);
		json_unescape(&r->js, i, &s);
		if (s.data == NULL)
			buf_str(&s);
		rc = placeholder_any(s.data, s.len);
		if (rc == 0)
			json_compact(&r->js, i, out);
		else if (rc == 1 && whole_field(s.data, s.len) &&
		    strncmp(s.data + 1, "incremental.", 12) != 0)
			/* dlt keeps the type of a value that is one placeholder. */
			rc = parent_json(r, path, s.data + 1, s.len - 2, out);
		else if (rc == 1 && (rc = expand_text(r, s.data, s.len, path,
		    &x, NULL, NULL)) == 0)
			quote_marked(out, &x);
		else if (rc == -1)
			rc = expand_text(r, s.data, s.len, path, &x, NULL, NULL);
		buf_free(&s);
		buf_free(&x);
		return rc == -1 ? -1 : 0;
	}
	if (!json_is_object(&r->js, i) && !json_is_array(&r->js, i)) {
		json_compact(&r->js, i, out);
		return 0;
	}
	obj = json_is_object(&r->js, i);
	buf_addc(out, obj ? '{' : '[');
	end = json_skip(&r->js, i);
	for (j = i + 1; rc == 0 && j < end;
	    j = json_skip(&r->js, obj ? j + 1 : j)) {
		if (n++ > 0)
			buf_addc(out, ',');
		rc = compact_expanded(r, j, path, out);
		if (obj && rc == 0) {
			buf_addc(out, ':');
			rc = compact_expanded(r, j + 1, path, out);
		}
	}
	buf_addc(out, obj ? '}' : ']');
	return rc;
}

/* endpoint.params as pairs into c, or endpoint.json as an object to out. */
static int
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
			return bad(r, path, "expected an object");
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			if (i == 0 && !member_wins(r, objs[1], k))
				continue;
			if (c != NULL) {
				if (add_param(r, c, k, k + 1, path) == -1)
					return -1;
				continue;
			}
			buf_addc(out, out->len == 0 ? '{' : ',');
			if (compact_expanded(r, k, path, out) == -1)
				return -1;
			buf_addc(out, ':');
			if (compact_expanded(r, k + 1, path, out) == -1)
				return -1;
		}
	}
	if (c == NULL && out->len > 0)
		buf_addc(out, '}');
	return 0;
}

/* Say that the value at path is none of the names of t. */
static int
bad_name(struct reader *r, const char *path, const struct name *t)
{
	struct buf what;

	buf_init(&what, 0);
	buf_adds(&what, "expected ");
	name_list(t, &what);
	bad(r, path, buf_str(&what));
	buf_free(&what);
	return -1;
}

/* The name at token i, at path, as a value of t into *v. */
static int
name_at(struct reader *r, int i, const char *path, const struct name *t,
    int *v)
{
	char *s;

	if ((s = string_at(r, i, path)) == NULL)
		return -1;
	*v = name_value(t, s);
	free(s);
	return *v == -1 ? bad_name(r, path, t) : 0;
}

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
	return take_string(r, i, fp, s);
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
		add_pair(&c->token_data, &c->ntoken_data, buf_str(&key),
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
		if (long_at(r, i, fp, &c->token_expiration) == -1)
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
		    name_at(r, i, fp, auth_names, &c->auth) == -1)
			return -1;
		if (check_keys(r, a, path, keys[c->auth]) == -1)
			return -1;
	}
	switch (c->auth) {
	case AUTH_API_KEY:
		if (auth_string(r, a, path, "name", &c->key_name) == -1)
			return -1;
		snprintf(fp, sizeof(fp), "%s.location", path);
		if ((i = get(r, a, "location")) >= 0 &&
		    name_at(r, i, fp, key_location_names,
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
		char *v = string_at(r, i, p);
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
static int
read_auth(struct reader *r, struct config *c)
{
	char path[128];
	int a;

	if ((a = ep_get(r, "auth", path, sizeof(path))) < 0) {
		snprintf(path, sizeof(path), "$.client.auth");
		if ((a = get(r, r->client, "auth")) < 0)
			return 0;
	}
	if (json_is_null(&r->js, a)) {
		c->auth = AUTH_NONE;
		return 0;
	}
	if (json_is_string(&r->js, a)) {
		if (name_at(r, a, path, auth_names, &c->auth) == -1)
			return -1;
		a = -1;
	} else if (!json_is_object(&r->js, a)) {
		return bad(r, path, "expected an object, a type name or null");
	}
	if (read_auth_type(r, c, a, path) == -1)
		return -1;
	return read_secret(r, c, a, path);
}

/*
 * The endpoint's path as dlt sets it up: a resource given as a string and
 * a resource without an endpoint use their name; an endpoint given as a
 * string is the path; else the endpoint's own path, or the name.  dlt
 * sets the path before it merges in the defaults, so theirs never applies.
 * NULL on a fault.
 */
static char *
resource_path(struct reader *r, struct config *c, char *path, size_t n)
{
	int e, i;

	snprintf(path, n, "%s%s", r->respath,
	    json_is_string(&r->js, r->res) ? "" : ".name");
	if (json_is_string(&r->js, r->res) ||
	    (e = get(r, r->res, "endpoint")) < 0)
		return xstrdup(c->name);
	if (json_is_string(&r->js, e)) {
		snprintf(path, n, "%s.endpoint", r->respath);
		return string_at(r, e, path);
	}
	if ((i = get(r, e, "path")) >= 0) {
		snprintf(path, n, "%s.endpoint.path", r->respath);
		return string_at(r, i, path);
	}
	return xstrdup(c->name);
}

/* The headers of object h, at path hp, added to c's. */
static int
read_headers(struct reader *r, struct config *c, int h, const char *hp)
{
	char *name, *value, vp[192];
	int end, k;

	if (!json_is_object(&r->js, h))
		return bad(r, hp, "expected an object");
	end = json_skip(&r->js, h);
	for (k = h + 1; k < end; k = json_skip(&r->js, k + 1)) {
		if ((name = string_at(r, k, hp)) == NULL)
			return -1;
		if (unbrace(r, &name, hp) == -1) {
			free(name);
			return -1;
		}
		snprintf(vp, sizeof(vp), "%s.%s", hp, name);
		value = NULL;
		if (*name == '\0' || strpbrk(name, ": \t\r\n") != NULL)
			bad(r, vp, "not a valid header name");
		else if ((value = string_at(r, k + 1, vp)) != NULL &&
		    unbrace(r, &value, vp) == -1) {
			free(value);
			value = NULL;
		} else if (value != NULL && strpbrk(value, "\r\n") != NULL) {
			bad(r, vp, "a line break in a header");
			free(value);
			value = NULL;
		}
		if (value == NULL) {
			free(name);
			return -1;
		}
		add_pair(&c->headers, &c->nheaders, name, strlen(name), value,
		    strlen(value));
	}
	return 0;
}

/* Response action a (at path): which responses to ignore, into c. */
static int
read_action(struct reader *r, struct config *c, int a, const char *path)
{
	struct response_action *ra;
	char fp[192], *s;
	int i;
	long long status = 0;

	if (!json_is_object(&r->js, a))
		return bad(r, path, "expected an object (a Python callable "
		    "is not expressible here)");
	if (refuse_keys(r, a, path, action_keys) == -1)
		return -1;
	snprintf(fp, sizeof(fp), "%s.action", path);
	if ((i = get(r, a, "action")) < 0 || json_is_null(&r->js, i))
		return bad(r, path, "no action (ignore is supported)");
	if (!json_is_string(&r->js, i))
		return bad(r, fp, "actions that are Python callables are not "
		    "supported (ignore is)");
	if ((s = string_at(r, i, fp)) == NULL)
		return -1;
	if (strcmp(s, "ignore") != 0) {
		free(s);
		return bad(r, fp, "only ignore is supported");
	}
	free(s);
	c->actions = xrealloc(c->actions, (c->nactions + 1) *
	    sizeof(*c->actions));
	ra = &c->actions[c->nactions++];
	memset(ra, 0, sizeof(*ra));
	snprintf(fp, sizeof(fp), "%s.status_code", path);
	if ((i = get(r, a, "status_code")) >= 0 && !json_is_null(&r->js, i)) {
		if (json_is_string(&r->js, i))
			return bad(r, fp, "expected a number: dlt compares a "
			    "string with the status number, which never "
			    "matches");
		if (json_long(&r->js, i, &status) == -1 || status < 100 ||
		    status > 599)
			return bad(r, fp, "expected an HTTP status (100 to "
			    "599)");
		ra->status = (long)status;
	}
	snprintf(fp, sizeof(fp), "%s.content", path);
	if ((i = get(r, a, "content")) >= 0 && !json_is_null(&r->js, i)) {
		if ((ra->content = string_at(r, i, fp)) == NULL)
			return -1;
		if (*ra->content == '\0')
			return bad(r, fp, "an empty content matches every "
			    "response");
	}
	if (ra->status == 0 && ra->content == NULL)
		return bad(r, path, "an action needs a status_code or a "
		    "content");
	return 0;
}

/* endpoint.response_actions: the responses to take as empty pages. */
static int
read_response_actions(struct reader *r, struct config *c)
{
	char path[128], ap[160];
	int l, a, n, end;

	if ((l = ep_get(r, "response_actions", path, sizeof(path))) < 0 ||
	    json_is_null(&r->js, l))
		return 0;
	if (!json_is_array(&r->js, l))
		return bad(r, path, "expected a list");
	end = json_skip(&r->js, l);
	for (a = l + 1, n = 0; a < end; a = json_skip(&r->js, a), n++) {
		snprintf(ap, sizeof(ap), "%s[%d]", path, n);
		if (read_action(r, c, a, ap) == -1)
			return -1;
	}
	return 0;
}

/* The form field name=value (at path) added to the form in b. */
static int
add_field(struct reader *r, struct buf *b, const char *name, int v,
    const char *path)
{
	struct buf val, ev;
	int rc;

	if (json_is_null(&r->js, v))
		return 0;
	if (json_is_object(&r->js, v) || json_is_array(&r->js, v))
		return bad(r, path, "expected a string, number, boolean or a "
		    "list of them");
	buf_init(&val, 0);
	buf_init(&ev, 0);
	json_unescape(&r->js, v, &val);
	if ((rc = expand_text(r, val.data != NULL ? val.data : "", val.len,
	    path, &ev, NULL, NULL)) == 0) {
		if (b->len > 0)
			buf_addc(b, '&');
		add_encoded(b, name, strlen(name), 1);
		buf_addc(b, '=');
		add_encoded(b, ev.data != NULL ? ev.data : "", ev.len, 1);
	}
	buf_free(&val);
	buf_free(&ev);
	return rc;
}

/*
 * endpoint.data as dlt's requests sends it: an object as form fields
 * (a list as the field repeated, null left out), a string as it is.
 */
static int
read_data(struct reader *r, struct config *c)
{
	char path[128], fp[256], *name;
	int d, k, v, end, rc = 0;
	struct buf b;

	if ((d = ep_get(r, "data", path, sizeof(path))) < 0 ||
	    json_is_null(&r->js, d))
		return 0;
	if (json_is_string(&r->js, d)) {
		if ((c->data = string_at(r, d, path)) == NULL)
			return -1;
		return unbrace(r, &c->data, path);
	}
	if (!json_is_object(&r->js, d))
		return bad(r, path, "expected an object (form fields) or a "
		    "string");
	buf_init(&b, 0);
	end = json_skip(&r->js, d);
	for (k = d + 1; rc == 0 && k < end; k = json_skip(&r->js, k + 1)) {
		if ((name = string_at(r, k, path)) == NULL ||
		    unbrace(r, &name, path) == -1) {
			free(name);
			rc = -1;
			break;
		}
		snprintf(fp, sizeof(fp), "%s.%s", path, name);
		if (!json_is_array(&r->js, k + 1))
			rc = add_field(r, &b, name, k + 1, fp);
		for (v = k + 2; json_is_array(&r->js, k + 1) && rc == 0 &&
		    v < json_skip(&r->js, k + 1); v = json_skip(&r->js, v))
			rc = add_field(r, &b, name, v, fp);
		free(name);
	}
	c->data = buf_str(&b);
	c->data_form = 1;
	return rc;
}

/*
 * The method, one of dlt's; without one, GET as in dlt, even with a
 * body (restpipe's own default is POST then).
 */
static int
read_method(struct reader *r, struct config *c)
{
	char path[128];
	int i, v;

	if ((i = ep_get(r, "method", path, sizeof(path))) >= 0 &&
	    !json_is_null(&r->js, i)) {
		if (name_at(r, i, path, methods, &v) == -1)
			return -1;
		c->method = xstrdup(name_of(methods, v));
	} else if (c->json != NULL || c->data != NULL) {
		c->method = xstrdup("GET");
	}
	return 0;
}

static int
read_request(struct reader *r, struct config *c)
{
	char path[128], hp[128], *s, *bound;
	int h;
	struct buf b;

	if (refuse_keys(r, r->client, "$.client", client_keys) == -1)
		return -1;
	/* The path binds parameters, which are then not sent as such. */
	if (merged_members(r, "params", c, NULL) == -1 ||
	    (s = resource_path(r, c, path, sizeof(path))) == NULL)
		return -1;
	bound = bind_path(r, c, s, path);
	free(s);
	if (bound == NULL)
		return -1;
	c->url = join_url(r, bound);
	free(bound);
	if (c->url == NULL)
		return -1;
	r->incr_off = 1;
	if ((h = get(r, r->client, "headers")) >= 0 &&
	    read_headers(r, c, h, "$.client.headers") == -1)
		return -1;
	r->incr_off = 0;
	if ((h = ep_get(r, "headers", hp, sizeof(hp))) >= 0 &&
	    read_headers(r, c, h, hp) == -1)
		return -1;
	buf_init(&b, 0);
	if (merged_members(r, "json", NULL, &b) == -1) {
		buf_free(&b);
		return -1;
	}
	c->json = b.len > 0 ? buf_str(&b) : NULL;
	if (c->json == NULL)
		buf_free(&b);
	if (read_data(r, c) == -1)
		return -1;
	if (c->json != NULL && c->data != NULL)
		return bad(r, path, "endpoint.json and endpoint.data together: "
		    "dlt would send the data and drop the json; give one");
	if (read_method(r, c) == -1 || read_response_actions(r, c) == -1)
		return -1;
	return read_auth(r, c);
}

/*
 * The optional string member key of paginator p at path into *s: a name
 * or a path, never empty.  Returns 0 or -1.
 */
static int
opt_string(struct reader *r, int p, const char *path, const char *key,
    char **s)
{
	char fp[160];
	int i;

	snprintf(fp, sizeof(fp), "%s.%s", path, key);
	if ((i = get(r, p, key)) < 0 || json_is_null(&r->js, i))
		return 0;
	if (take_string(r, i, fp, s) == -1)
		return -1;
	if (**s == '\0')
		return bad(r, fp, "expected a name, not an empty string");
	return 0;
}

/*
 * The body path key of p into *s, which the parameter param must not be
 * given with (dlt refuses both).  Returns 0 or -1.
 */
static int
body_path(struct reader *r, int p, const char *path, const char *key,
    const char *param, char **s)
{
	char fp[160];
	const char *dot;

	if (opt_string(r, p, path, key, s) == -1)
		return -1;
	if (*s == NULL)
		return 0;
	snprintf(fp, sizeof(fp), "%s.%s", path, key);
	if (get(r, p, param) >= 0 && !json_is_null(&r->js, get(r, p, param)))
		return bad(r, fp, param[0] == 'c' ? "give cursor_param or "
		    "cursor_body_path, not both" : "give the parameter or the "
		    "body path, not both");
	for (dot = *s; (dot = strchr(dot, '.')) != NULL; dot++)
		if (dot == *s || dot[1] == '\0' || dot[1] == '.')
			return bad(r, fp, "an empty key in a dotted path");
	if ((*s)[strlen(*s) - 1] == '.')
		return bad(r, fp, "an empty key in a dotted path");
	return 0;
}

/* The restpipe key allow_other_host of p at path. */
static int
read_other_host(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	snprintf(fp, sizeof(fp), "%s.allow_other_host", path);
	if ((i = get(r, p, "allow_other_host")) >= 0)
		return bool_at(r, i, fp, &c->allow_other_host);
	return 0;
}

/* The members of the link and cursor paginators p at path. */
static int
read_ref(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	switch (c->pager) {
	case PAGER_JSON_LINK:
		if (check_keys(r, p, path, json_link_keys) == -1 ||
		    opt_string(r, p, path, "next_url_path",
		    &c->next_url_path) == -1)
			return -1;
		return read_other_host(r, c, p, path);
	case PAGER_HEADER_LINK:
		if (check_keys(r, p, path, header_link_keys) == -1 ||
		    opt_string(r, p, path, "links_next_key",
		    &c->links_next_key) == -1)
			return -1;
		return read_other_host(r, c, p, path);
	case PAGER_CURSOR:
		if (check_keys(r, p, path, cursor_keys) == -1 ||
		    opt_string(r, p, path, "cursor_path", &c->cursor_path) ==
		    -1 || opt_string(r, p, path, "cursor_param",
		    &c->cursor_param) == -1 || body_path(r, p, path,
		    "cursor_body_path", "cursor_param", &c->cursor_body_path) ==
		    -1)
			return -1;
		snprintf(fp, sizeof(fp), "%s.stop_after_empty_page", path);
		if ((i = get(r, p, "stop_after_empty_page")) >= 0 &&
		    bool_at(r, i, fp, &c->stop_after_empty) == -1)
			return -1;
		return opt_string(r, p, path, "has_more_path",
		    &c->has_more_path);
	default:
		if (check_keys(r, p, path, header_cursor_keys) == -1 ||
		    opt_string(r, p, path, "cursor_key", &c->cursor_key) == -1)
			return -1;
		return opt_string(r, p, path, "cursor_param", &c->cursor_param);
	}
}

/* The members of the offset paginator p at path. */
static int
read_offset(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

#define FIELD(name) (snprintf(fp, sizeof(fp), "%s.%s", path, name), \
	get(r, p, name))
	if (p < 0)
		return bad(r, path, "the offset paginator needs a limit: write "
		    "it as {\"type\": \"offset\", \"limit\": N}");
	if (check_keys(r, p, path, offset_keys) == -1)
		return -1;
	if ((i = FIELD("limit")) < 0)
		return bad(r, path, "the offset paginator needs a limit");
	if (long_at(r, i, fp, &c->limit) == -1)
		return -1;
	if (c->limit == 0)
		return bad(r, fp, "expected a limit of 1 or more");
	if ((i = FIELD("offset")) >= 0 && long_at(r, i, fp, &c->offset) == -1)
		return -1;
	if ((i = FIELD("offset_param")) >= 0 &&
	    take_string(r, i, fp, &c->offset_param) == -1)
		return -1;
	if ((i = FIELD("limit_param")) >= 0 &&
	    take_string(r, i, fp, &c->limit_param) == -1)
		return -1;
	if ((i = FIELD("maximum_offset")) >= 0 &&
	    long_at(r, i, fp, &c->maximum) == -1)
		return -1;
	if (body_path(r, p, path, "offset_body_path", "offset_param",
	    &c->offset_body_path) == -1)
		return -1;
	return body_path(r, p, path, "limit_body_path", "limit_param",
	    &c->limit_body_path);
}

/* The members of the page number paginator p at path. */
static int
read_page_number(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	if (check_keys(r, p, path, page_keys) == -1)
		return -1;
	if ((i = FIELD("base_page")) >= 0 &&
	    long_at(r, i, fp, &c->base_page) == -1)
		return -1;
	if ((i = FIELD("page")) >= 0 && long_at(r, i, fp, &c->page) == -1)
		return -1;
	if ((i = FIELD("page_param")) >= 0 &&
	    take_string(r, i, fp, &c->page_param) == -1)
		return -1;
	if ((i = FIELD("maximum_page")) >= 0 &&
	    long_at(r, i, fp, &c->maximum) == -1)
		return -1;
	return body_path(r, p, path, "page_body_path", "page_param",
	    &c->page_body_path);
}

const struct name paginators[] = {
	{ "offset",		PAGER_OFFSET },
	{ "page_number",	PAGER_PAGE_NUMBER },
	{ "single_page",	PAGER_SINGLE },
	{ "json_link",		PAGER_JSON_LINK },
	{ "header_link",	PAGER_HEADER_LINK },
	{ "cursor",		PAGER_CURSOR },
	{ "header_cursor",	PAGER_HEADER_CURSOR },
	{ "auto",		PAGER_AUTO },
	{ NULL,			0 }
};

/* Say that the paginator type at path is not one restpipe has. */
static int
unsupported_pager(struct reader *r, const char *path, const char *type)
{
	struct buf list;

	buf_init(&list, 0);
	name_join(paginators, " and ", &list);
	err_set(r->err, EX_CONFIG, "%s: %s: paginator '%s' is not supported "
	    "(%s are)", r->file, path, type, buf_str(&list));
	buf_free(&list);
	return -1;
}

/* The stop rules the offset and page number paginators share. */
static int
read_stops(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	if ((i = FIELD("total_path")) >= 0) {
		c->total_path_set = 1;
		if (!json_is_null(&r->js, i) &&
		    take_string(r, i, fp, &c->total_path) == -1)
			return -1;
	}
	/* restpipe's own: the total from a response header. */
	if ((i = FIELD("total_header")) >= 0 && !json_is_null(&r->js, i) &&
	    take_string(r, i, fp, &c->total_header) == -1)
		return -1;
	if ((i = FIELD("stop_after_empty_page")) >= 0 &&
	    bool_at(r, i, fp, &c->stop_after_empty) == -1)
		return -1;
	if ((i = FIELD("has_more_path")) >= 0 && !json_is_null(&r->js, i) &&
	    take_string(r, i, fp, &c->has_more_path) == -1)
		return -1;
	if (c->total_path_set && (c->total_path == NULL ||
	    *c->total_path == '\0') && c->total_header == NULL &&
	    c->stop_after_empty == 0 && c->maximum < 0 &&
	    c->has_more_path == NULL)
		return err_set(r->err, EX_CONFIG, "%s: %s: paging would never "
		    "stop: total_path is null and stop_after_empty_page false; "
		    "give a total_path, %s or has_more_path", r->file, path,
		    c->pager == PAGER_OFFSET ? "maximum_offset" :
		    "maximum_page");
	return 0;
#undef FIELD
}

static int
read_pager_object(struct reader *r, struct config *c, int p,
    const char *path)
{
	char fp[160];
	char *type;
	int i, rc;

	snprintf(fp, sizeof(fp), "%s.type", path);
	if (json_is_string(&r->js, p)) {
		/* A bare type name: every member left out, as dlt allows. */
		snprintf(fp, sizeof(fp), "%s", path);
		i = p;
		p = -1;
	} else if ((i = get(r, p, "type")) < 0) {
		return bad(r, path, "a paginator needs a type");
	}
	if ((type = string_at(r, i, fp)) == NULL)
		return -1;
	switch (name_value(paginators, type)) {
	case PAGER_OFFSET:
		c->pager = PAGER_OFFSET;
		rc = read_offset(r, c, p, path);
		break;
	case PAGER_PAGE_NUMBER:
		c->pager = PAGER_PAGE_NUMBER;
		rc = read_page_number(r, c, p, path);
		break;
	case PAGER_SINGLE:
		c->pager = PAGER_SINGLE;
		free(type);
		return 0;
	case PAGER_JSON_LINK:
	case PAGER_HEADER_LINK:
	case PAGER_CURSOR:
	case PAGER_HEADER_CURSOR:
		c->pager = (enum pager_type)name_value(paginators, type);
		free(type);
		return read_ref(r, c, p, path);
	default:
		rc = unsupported_pager(r, fp, type);
	}
	free(type);
	if (rc == -1 || read_stops(r, c, p, path) == -1)
		return -1;
	return 0;
}

/* Whether paginator p is "auto" or {"type": "auto", ...}. */
static int
is_auto(struct reader *r, int p, const char *path)
{
	static const char *const auto_keys[] = { "type", NULL };
	int t;

	if (json_is_string(&r->js, p))
		return json_streq(&r->js, p, "auto", 4);
	if ((t = get(r, p, "type")) < 0 || !json_streq(&r->js, t, "auto", 4))
		return 0;
	check_keys(r, p, path, auto_keys);
	return 1;
}

/*
 * The paginator as dlt chooses it: the endpoint's, the defaults', the
 * client's.  An endpoint's "auto" or null is no paginator there, so the
 * client's applies; null is none given, as in dlt: an endpoint's hides
 * the defaults' but not the client's.
 */
static int
read_pager(struct reader *r, struct config *c)
{
	char path[128];
	int p, cp = get(r, r->client, "paginator"), detect = 0;

	if ((p = ep_get(r, "paginator", path, sizeof(path))) >= 0 &&
	    json_is_null(&r->js, p) && cp >= 0 && !json_is_null(&r->js, cp) &&
	    !r->quiet)
		warnmsg("warning: %s: %s: null takes the client's paginator, "
		    "as in dlt; write \"single_page\" for one page", r->file,
		    path);
	if (p >= 0 && (json_is_null(&r->js, p) || is_auto(r, p, path))) {
		detect = !json_is_null(&r->js, p);
		p = -1;
	}
	if (p < 0) {
		snprintf(path, sizeof(path), "$.client.paginator");
		if ((p = cp) < 0 || json_is_null(&r->js, p)) {
			c->pager = detect ? PAGER_AUTO : PAGER_NONE;
			return 0;
		}
	}
	if (is_auto(r, p, path)) {
		c->pager = PAGER_AUTO;
		return 0;
	}
	if (!json_is_object(&r->js, p) && !json_is_string(&r->js, p))
		return bad(r, path, "expected an object or a string");
	return read_pager_object(r, c, p, path);
}

/*
 * The hints of column col in columns, an object of them by name or, as
 * dlt also takes them, a list of columns with a name; or -1.
 */
static int
column_of(struct reader *r, int columns, const char *col)
{
	int end, k, nm;

	if (columns < 0)
		return -1;
	if (json_is_object(&r->js, columns))
		return json_get(&r->js, columns, col, strlen(col));
	if (!json_is_array(&r->js, columns))
		return -1;
	end = json_skip(&r->js, columns);
	for (k = columns + 1; k < end; k = json_skip(&r->js, k))
		if ((nm = get(r, k, "name")) >= 0 &&
		    json_streq(&r->js, nm, col, strlen(col)))
			return k;
	return -1;
}

/* Whether the resource's columns give column col the hint, even false. */
static int
own_hint(struct reader *r, int columns, const char *col, const char *hint)
{
	int o;

	if ((o = column_of(r, columns, col)) < 0)
		return 0;
	return get(r, o, hint) >= 0;
}

/*
 * The hints of column col (hints at token h, at path) that no earlier
 * column set; a hint of the resource's (columns), even false, hides the
 * defaults' for the same column, read when res is 0.
 */
static int
read_hints(struct reader *r, struct config *c, int h, const char *col,
    const char *path, int columns, int res)
{
	char hp[300];
	int i, v;

	if (!json_is_object(&r->js, h))
		return bad(r, path, "expected an object of hints");
	if ((i = get(r, h, "dedup_sort")) >= 0 && c->dedup_sort == NULL &&
	    (res || !own_hint(r, columns, col, "dedup_sort"))) {
		snprintf(hp, sizeof(hp), "%s.dedup_sort", path);
		if (take_string(r, i, hp, &c->dedup_order) == -1)
			return -1;
		if (name_value(sort_orders, c->dedup_order) == -1)
			return bad_name(r, hp, sort_orders);
		c->dedup_sort = xstrdup(col);
	}
	if ((i = get(r, h, "hard_delete")) >= 0 && c->hard_delete == NULL &&
	    (res || !own_hint(r, columns, col, "hard_delete"))) {
		snprintf(hp, sizeof(hp), "%s.hard_delete", path);
		if (bool_at(r, i, hp, &v) == -1)
			return -1;
		if (v)
			c->hard_delete = xstrdup(col);
	}
	return 0;
}

/* The columns given as a list (objs[i], of base), as read_columns(). */
static int
read_column_list(struct reader *r, struct config *c, const int *objs,
    int i, const char *base)
{
	char path[256], np[272], *col;
	int end, k, n, nm, rc;

	end = json_skip(&r->js, objs[i]);
	for (k = objs[i] + 1, n = 0; k < end; k = json_skip(&r->js, k), n++) {
		snprintf(path, sizeof(path), "%s.columns[%d]", base, n);
		if (!json_is_object(&r->js, k))
			return bad(r, path, "expected a column (an object with "
			    "a name)");
		if ((nm = get(r, k, "name")) < 0)
			return bad(r, path, "a column needs a name");
		snprintf(np, sizeof(np), "%s.name", path);
		if ((col = string_at(r, nm, np)) == NULL)
			return -1;
		rc = read_hints(r, c, k, col, path, objs[1], i);
		free(col);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* The first column of columns (merged) whose hint is set. */
static int
read_columns(struct reader *r, struct config *c)
{
	int objs[2], i, k, end, rc;
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
		if (json_is_array(&r->js, objs[i])) {
			if (read_column_list(r, c, objs, i, base) == -1)
				return -1;
			continue;
		}
		if (!json_is_object(&r->js, objs[i]))
			return bad(r, path, "expected an object or a list");
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			if ((col = string_at(r, k, path)) == NULL)
				return -1;
			snprintf(path, sizeof(path), "%s.columns.%s", base, col);
			rc = read_hints(r, c, k + 1, col, path, objs[1], i);
			free(col);
			if (rc == -1)
				return -1;
			snprintf(path, sizeof(path), "%s.columns", base);
		}
	}
	return 0;
}

/* Both merge strategies dlt has for a key are restpipe's merge. */
static int
read_strategy(struct reader *r, int wd, const char *wdpath)
{
	char path[160], *s;
	int i, rc = 0;

	if ((i = get(r, wd, "strategy")) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s.strategy", wdpath);
	if ((s = string_at(r, i, path)) == NULL)
		return -1;
	if (strcmp(s, "delete-insert") != 0 && strcmp(s, "upsert") != 0)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: merge strategy '%s' "
		    "is not supported (delete-insert and upsert are)",
		    r->file, path, s);
	free(s);
	return rc;
}

static int
read_primary_key(struct reader *r, struct config *c, int i, const char *path)
{
	char ep[160];
	int k, n, end;

	if (json_is_string(&r->js, i)) {
		c->primary_key = xcalloc(1, sizeof(char *));
		return take_string(r, i, path,
		    &c->primary_key[c->nprimary_key++]);
	}
	if (!json_is_array(&r->js, i))
		return bad(r, path, "expected a string or a list of strings");
	end = json_skip(&r->js, i);
	c->primary_key = xcalloc((size_t)r->js.tok[i].size + 1,
	    sizeof(char *));
	for (k = i + 1, n = 0; k < end; k = json_skip(&r->js, k), n++) {
		snprintf(ep, sizeof(ep), "%s[%d]", path, n);
		if (take_string(r, k, ep,
		    &c->primary_key[c->nprimary_key++]) == -1)
			return -1;
	}
	return 0;
}

static int
read_disposition(struct reader *r, struct config *c, int i, char *path)
{
	int k;

	if (json_is_object(&r->js, i)) {
		if (check_keys(r, i, path, disposition_keys) == -1)
			return -1;
		if ((k = get(r, i, "disposition")) < 0)
			return bad(r, path, "no disposition");
		if (read_strategy(r, i, path) == -1)
			return -1;
		strcat(path, ".disposition");
		i = k;
	}
	if (take_string(r, i, path, &c->write_disposition) == -1)
		return -1;
	if (name_value(write_dispositions, c->write_disposition) == -1)
		return bad_name(r, path, write_dispositions);
	return 0;
}

static int
read_table(struct reader *r, struct config *c)
{
	char path[128];
	int i;

	if ((i = res_get(r, "primary_key", path, sizeof(path))) >= 0 &&
	    read_primary_key(r, c, i, path) == -1)
		return -1;
	if ((i = res_get(r, "write_disposition", path, sizeof(path))) >= 0 &&
	    read_disposition(r, c, i, path) == -1)
		return -1;
	if ((i = res_get(r, "table_name", path, sizeof(path))) >= 0) {
		if (take_string(r, i, path, &c->table) == -1)
			return -1;
	} else {
		c->table = xstrdup(c->name);
	}
	return read_columns(r, c);
}

/* The endpoints' own keys, of the defaults then the resource's. */
static int
check_endpoints(struct reader *r, int parts)
{
	char path[128];
	int i, res, e;

	for (i = 0; i < 2; i++) {
		res = i == 0 ? r->defaults : r->res;
		if (res < 0 || !json_is_object(&r->js, res) ||
		    (e = get(r, res, "endpoint")) < 0)
			continue;
		snprintf(path, sizeof(path), "%s.endpoint",
		    i == 0 ? "$.resource_defaults" : r->respath);
		if (i == 1 && json_is_string(&r->js, e))
			continue;
		if (i == 1 && !json_is_object(&r->js, e))
			return bad(r, path, "expected an object or a string");
		if (parts & CONFIG_REQUEST) {
			if (refuse_keys(r, e, path, endpoint_keys) == -1)
				return -1;
		} else if (!json_is_object(&r->js, e)) {
			return bad(r, path, "expected an object");
		}
	}
	return 0;
}

static const char *const incremental_keys[] = {
	"allow_external_schedulers", "convert", "cursor_path", "end_param",
	"end_value", "initial_value", "lag", "last_value_func",
	"on_cursor_value_missing", "primary_key", "range_end", "range_start",
	"row_order", "start_param", "transform", "type", NULL
};

static const struct name last_value_funcs[] = {
	{ "max",	0 },
	{ "min",	1 },
	{ NULL,		0 }
};

static const struct name cursor_missing[] = {
	{ "raise",	INCR_RAISE },
	{ "include",	INCR_INCLUDE },
	{ "exclude",	INCR_EXCLUDE },
	{ NULL,		0 }
};

/* The value at member key of o, compact, into *v (NULL if none or null). */
static int
incr_value(struct reader *r, int o, const char *key, const char *path,
    char **v)
{
	char kp[256];
	int i;
	struct buf b;

	*v = NULL;
	if ((i = get(r, o, key)) < 0 || json_is_null(&r->js, i))
		return 0;
	snprintf(kp, sizeof(kp), "%s.%s", path, key);
	if (json_is_object(&r->js, i) || json_is_array(&r->js, i))
		return bad(r, kp, "expected a string or a number");
	buf_init(&b, 0);
	json_compact(&r->js, i, &b);
	*v = buf_str(&b);
	return 0;
}

/* The name of member key of o, one of t's, into *v (dflt if none). */
static int
incr_name(struct reader *r, int o, const char *key, const char *path,
    const struct name *t, int *v)
{
	char kp[256], *s;
	int i;

	if ((i = get(r, o, key)) < 0 || json_is_null(&r->js, i))
		return 0;
	snprintf(kp, sizeof(kp), "%s.%s", path, key);
	if ((s = string_at(r, i, kp)) == NULL)
		return -1;
	*v = name_value(t, s);
	free(s);
	return *v == -1 ? bad_name(r, kp, t) : 0;
}

/*
 * Refuse what dlt's incremental o (at path) holds that restpipe cannot
 * honour: a Python callable, or a range other than dlt's default.
 */
static int
incr_refuse(struct reader *r, int o, const char *path)
{
	char kp[256];
	int i;

	if (((i = get(r, o, "convert")) >= 0 ||
	    (i = get(r, o, "transform")) >= 0) && !json_is_null(&r->js, i)) {
		snprintf(kp, sizeof(kp), "%s.%s", path, get(r, o, "convert") >=
		    0 ? "convert" : "transform");
		return bad(r, kp, "a Python callable that restpipe cannot "
		    "run");
	}
	if ((i = get(r, o, "range_start")) >= 0 &&
	    !json_streq(&r->js, i, "closed", 6)) {
		snprintf(kp, sizeof(kp), "%s.range_start", path);
		return bad(r, kp, "only \"closed\" (dlt's default) is "
		    "supported");
	}
	if ((i = get(r, o, "range_end")) >= 0 &&
	    !json_streq(&r->js, i, "open", 4)) {
		snprintf(kp, sizeof(kp), "%s.range_end", path);
		return bad(r, kp, "only \"open\" (dlt's default) is supported");
	}
	return 0;
}

/* The incremental object o at path into c; param names the parameter form. */
static int
incr_object(struct reader *r, struct config *c, int o, const char *path,
    const char *param)
{
	struct incremental *inc;
	char kp[256];
	int i, v, later;

	if (!json_is_object(&r->js, o))
		return bad(r, path, "expected an object");
	if (check_keys(r, o, path, incremental_keys) == -1 ||
	    incr_refuse(r, o, path) == -1)
		return -1;
	if (param != NULL && (((i = get(r, o, "end_value")) >= 0 &&
	    !json_is_null(&r->js, i)) || ((i = get(r, o, "end_param")) >= 0 &&
	    !json_is_null(&r->js, i))))
		return bad(r, path, "an incremental parameter takes no "
		    "end_value or end_param (as in dlt): give them in "
		    "endpoint.incremental");
	c->incr = inc = xcalloc(1, sizeof(*inc));
	inc->dedup = 1;
	snprintf(kp, sizeof(kp), "%s.cursor_path", path);
	if ((i = get(r, o, "cursor_path")) < 0)
		return bad(r, path, "no cursor_path");
	if (take_string(r, i, kp, &inc->cursor_path) == -1)
		return -1;
	if (!incr_plain_path(inc->cursor_path))
		return bad(r, kp, "expected a plain path: field names joined "
		    "by dots, such as updated_at or meta.updated");
	if (incr_value(r, o, "initial_value", path, &inc->initial) == -1 ||
	    incr_value(r, o, "end_value", path, &inc->end) == -1)
		return -1;
	if (param != NULL)
		inc->start_param = xstrdup(param);
	else if (((i = get(r, o, "start_param")) >= 0 &&
	    !json_is_null(&r->js, i) && (snprintf(kp, sizeof(kp),
	    "%s.start_param", path), take_string(r, i, kp,
	    &inc->start_param) == -1)) || ((i = get(r, o, "end_param")) >= 0 &&
	    !json_is_null(&r->js, i) && (snprintf(kp, sizeof(kp),
	    "%s.end_param", path), take_string(r, i, kp,
	    &inc->end_param) == -1)))
		return -1;
	v = 0;
	if (incr_name(r, o, "last_value_func", path, last_value_funcs,
	    &v) == -1)
		return -1;
	inc->min = v;
	v = INCR_RAISE;
	if (incr_name(r, o, "on_cursor_value_missing", path, cursor_missing,
	    &v) == -1)
		return -1;
	inc->missing = v;
	if ((i = get(r, o, "lag")) >= 0 && !json_is_null(&r->js, i)) {
		snprintf(kp, sizeof(kp), "%s.lag", path);
		if (!json_is_number(&r->js, i) ||
		    r->js.text[r->js.tok[i].start] == '-')
			return bad(r, kp, "expected a number, not negative");
		incr_value(r, o, "lag", path, &inc->lag);
	}
	if ((i = get(r, o, "primary_key")) >= 0 && json_is_array(&r->js, i) &&
	    r->js.tok[i].size == 0)
		inc->dedup = 0;
	if (inc->end != NULL && inc->initial == NULL) {
		snprintf(kp, sizeof(kp), "%s.end_value", path);
		return bad(r, kp, "an end value without a start: give "
		    "initial_value too (as dlt asks)");
	}
	if (inc->end != NULL) {
		snprintf(kp, sizeof(kp), "%s.end_value", path);
		later = incr_later(inc, inc->end, inc->initial);
		if (!later)
			return bad(r, kp, inc->min ? "expected a value below "
			    "initial_value (last_value_func min)" : "expected a "
			    "value above initial_value");
	}
	return 0;
}

/*
 * dlt's incremental loading: endpoint.incremental, or one parameter of
 * type incremental, never both nor two.
 */
static int
read_incremental(struct reader *r, struct config *c)
{
	char path[256], first[256], ip[128];
	int objs[2], i, k, end, t, found = -1, inc;
	struct buf name;

	objs[0] = get(r, endpoint_of(r, r->defaults), "params");
	objs[1] = get(r, endpoint_of(r, r->res), "params");
	buf_init(&name, 0);
	for (i = 0; i < 2; i++) {
		if (objs[i] < 0 || !json_is_object(&r->js, objs[i]))
			continue;
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			if (i == 0 && !member_wins(r, objs[1], k))
				continue;
			if (!json_is_object(&r->js, k + 1) ||
			    (t = get(r, k + 1, "type")) < 0 ||
			    !json_streq(&r->js, t, "incremental", 11))
				continue;
			buf_reset(&name);
			json_unescape(&r->js, k, &name);
			snprintf(path, sizeof(path), "%s.endpoint.params.%s",
			    i == 0 ? "$.resource_defaults" : r->respath,
			    buf_str(&name));
			if (found >= 0) {
				buf_free(&name);
				return err_set(r->err, EX_CONFIG, "%s: %s: a "
				    "second incremental parameter (dlt allows "
				    "one per endpoint; the first is %s)",
				    r->file, path, first);
			}
			found = k;
			memcpy(first, path, sizeof(first));
		}
	}
	inc = ep_get(r, "incremental", ip, sizeof(ip));
	if (inc >= 0 && json_is_null(&r->js, inc))
		inc = -1;
	if (found >= 0 && inc >= 0) {
		buf_free(&name);
		return err_set(r->err, EX_CONFIG, "%s: %s: an incremental "
		    "parameter and %s together: give one", r->file, first, ip);
	}
	if (found >= 0) {
		buf_reset(&name);
		json_unescape(&r->js, found, &name);
		k = incr_object(r, c, found + 1, first, buf_str(&name));
		r->incr_param = xstrdup(first);
	} else {
		k = inc >= 0 ? incr_object(r, c, inc, ip, NULL) : 0;
		r->incr = c->incr;
	}
	buf_free(&name);
	return k;
}

/*
 * Refuse what dlt would do to the rows that restpipe cannot: processing
 * steps (Python callables).  Ignored, they would load other rows than
 * dlt's.
 */
static int
refuse_unsupported(struct reader *r, int parts)
{
	char path[128];
	int i;

	if ((i = res_get(r, "processing_steps", path, sizeof(path))) >= 0 &&
	    !json_is_null(&r->js, i) && !(json_is_array(&r->js, i) &&
	    r->js.tok[i].size == 0))
		return bad(r, path, "processing steps are Python callables "
		    "that restpipe cannot run: filter or map the records "
		    "between the stages (rest-select, jq) instead");
	(void)parts;
	return 0;
}

/* include_from_parent and selected, which every program reads. */
static int
read_child(struct reader *r, struct config *c)
{
	char path[128], ip[160];
	int i, end, k;

	if ((i = res_get(r, "selected", path, sizeof(path))) >= 0 &&
	    !json_is_null(&r->js, i) && !json_is_bool(&r->js, i, &c->selected))
		return bad(r, path, "expected true or false");
	if ((i = res_get(r, "include_from_parent", path, sizeof(path))) < 0 ||
	    json_is_null(&r->js, i))
		return 0;
	if (!json_is_array(&r->js, i))
		return bad(r, path, "expected an array of field names");
	end = json_skip(&r->js, i);
	for (k = i + 1; k < end; k = json_skip(&r->js, k)) {
		snprintf(ip, sizeof(ip), "%s[%zu]", path, c->ninclude);
		c->include = xrealloc(c->include, (c->ninclude + 1) *
		    sizeof(*c->include));
		if (take_string(r, k, ip, &c->include[c->ninclude]) == -1)
			return -1;
		c->ninclude++;
		if (*c->include[c->ninclude - 1] == '\0')
			return bad(r, ip, "expected a field name");
	}
	return 0;
}

/*
 * restpipe's own settings, keys dlt does not have, in one namespace:
 * "restpipe": {"allow_short": true} on the resource (or the defaults),
 * else on the client.  Every setting a hint names has its key here, so
 * that rest-sync, which takes the configuration alone, can follow it.
 */
static int
read_own(struct reader *r, struct config *c)
{
	char path[128], key[160];
	int o, i;

	if ((o = res_get(r, "restpipe", path, sizeof(path))) < 0 &&
	    r->client >= 0) {
		snprintf(path, sizeof(path), "$.client.restpipe");
		o = get(r, r->client, "restpipe");
	}
	if (o < 0)
		return 0;
	if (!json_is_object(&r->js, o))
		return bad(r, path, "expected an object");
	if (refuse_keys(r, o, path, own_keys) == -1)
		return -1;
	if ((i = get(r, o, "allow_short")) >= 0) {
		join(key, sizeof(key), path, "allow_short");
		return bool_at(r, i, key, &c->allow_short);
	}
	return 0;
}

/* Read the parts asked for, once the file is parsed. */
static int
read_parts(struct reader *r, struct config *c, const char *resource,
    int parts)
{
	char path[128];
	int i;

	if (check_keys(r, 0, "$", top_keys) == -1)
		return -1;
	r->client = get(r, 0, "client");
	if (r->client >= 0 && !json_is_object(&r->js, r->client))
		return bad(r, "$.client", "expected an object");
	r->defaults = get(r, 0, "resource_defaults");
	if (refuse_keys(r, r->defaults, "$.resource_defaults",
	    resource_keys) == -1 || choose_resource(r, c, resource) == -1)
		return -1;
	if (json_is_object(&r->js, r->res) &&
	    refuse_keys(r, r->res, r->respath, resource_keys) == -1)
		return -1;
	if (refuse_unsupported(r, parts) == -1)
		return -1;
	if (check_endpoints(r, parts) == -1)
		return -1;
	if (read_incremental(r, c) == -1)
		return -1;
	if ((parts & CONFIG_REQUEST) && read_request(r, c) == -1)
		return -1;
	if ((parts & CONFIG_PAGER) && (read_pager(r, c) == -1 ||
	    read_own(r, c) == -1))
		return -1;
	if ((parts & CONFIG_SELECT) &&
	    (i = ep_get(r, "data_selector", path, sizeof(path))) >= 0 &&
	    take_string(r, i, path, &c->data_selector) == -1)
		return -1;
	/*
	 * Every program checks the table's settings, so that a pipeline
	 * whose last stage would refuse them stops before its first request.
	 */
	if (read_table(r, c) == -1)
		return -1;
	return read_child(r, c);
}

int
config_load(struct config *c, const char *file, const char *resource,
    int parts, struct err *e)
{
	return config_load_record(c, file, resource, parts, NULL, 0, e);
}

int
config_load_record(struct config *c, const char *file, const char *resource,
    int parts, const char *rec, size_t n, struct err *e)
{
	struct reader r = {
		.file = file, .err = e, .cfg = c, .rec = rec, .reclen = n,
		.quiet = getenv(CONFIG_QUIET_ENV) != NULL
	};
	int rc;

	memset(c, 0, sizeof(*c));
	c->file = xstrdup(file);
	c->selected = 1;
	c->auth = -1;
	c->key_location = -1;
	c->limit = c->offset = c->maximum = c->base_page = c->page = -1;
	c->stop_after_empty = -1;
	c->allow_other_host = -1;
	c->allow_short = -1;
	c->token_expiration = -1;
	buf_init(&r.text, MAX_CONFIG);
	json_init(&r.js);
	if ((rc = read_file(&r, file)) == 0)
		rc = read_parts(&r, c, resource, parts);
	json_free(&r.js);
	buf_free(&r.text);
	free(r.incr_param);
	if (rc == -1)
		config_free(c);
	return rc;
}

/*
 * Append the value v (compact JSON) to b as it goes where how says: into
 * the URL's path (as add_path_value() writes it) or form fields
 * percent-encoded, as text into a JSON string, or as it is.
 */
enum { BIND_RAW, BIND_URL, BIND_FORM, BIND_JSON };

static void
bind_value(struct buf *b, const char *v, int how)
{
	struct buf t, q;

	buf_init(&t, 0);
	buf_init(&q, 0);
	incr_param_value(v, &t);
	buf_str(&t);
	if (how == BIND_URL) {
		add_path_value(b, t.data, t.len);
	} else if (how == BIND_FORM) {
		add_encoded(b, t.data, t.len, 1);
	} else if (how == BIND_JSON) {
		/* Inside a string already: without its quotes. */
		json_quote(&q, t.data, t.len);
		buf_add(b, q.data + 1, q.len - 2);
	} else {
		buf_add(b, t.data, t.len);
	}
	buf_free(&t);
	buf_free(&q);
}

/*
 * The string *s with its marks filled in from c's incremental and start,
 * as how says; in JSON, a string that is one placeholder alone becomes
 * the value itself, of its type, as dlt's preserve_value_type does.
 */
static int
bind_marks(const struct config *c, const char *start, char **s, int how,
    struct err *e)
{
	const char *p = *s, *v;
	struct buf b;
	size_t n;

	if (p == NULL || strchr(p, INCR_PLACEHOLDER) == NULL)
		return 0;
	buf_init(&b, 0);
	for (; *p != '\0'; p++) {
		if (*p != INCR_PLACEHOLDER || p[1] == '\0') {
			buf_addc(&b, *p);
			continue;
		}
		v = p[1] == 'e' ? c->incr->end : p[1] == 'i' ?
		    c->incr->initial : start;
		if (v == NULL) {
			buf_free(&b);
			return err_set(e, EX_CONFIG, "{incremental.%s_value}: "
			    "no value: no initial_value and no state yet",
			    p[1] == 's' ? "start" : "last");
		}
		n = b.len;
		if (how == BIND_JSON && n > 0 && b.data[n - 1] == '"' &&
		    p[2] == '"') {
			b.len--;
			buf_adds(&b, v);
			p += 2;
		} else {
			bind_value(&b, v, how);
			p++;
		}
	}
	free(*s);
	*s = buf_str(&b);
	return 1;
}

int
config_bind_incremental(struct config *c, const char *start, struct err *e)
{
	size_t i;
	int n, v;

	if (c->incr == NULL || !c->incr->placeholders)
		return 0;
	if (bind_marks(c, start, &c->url, BIND_URL, e) == -1 ||
	    bind_marks(c, start, &c->json, BIND_JSON, e) == -1 ||
	    bind_marks(c, start, &c->data, c->data_form ? BIND_FORM :
	    BIND_RAW, e) == -1)
		return -1;
	/* Only a string with a mark has its length taken again. */
	for (i = 0; i < c->nparams; i++) {
		if ((n = bind_marks(c, start, &c->params[i].name, BIND_RAW,
		    e)) == -1 || (v = bind_marks(c, start,
		    &c->params[i].value, BIND_RAW, e)) == -1)
			return -1;
		if (n)
			c->params[i].namelen = strlen(c->params[i].name);
		if (v)
			c->params[i].valuelen = strlen(c->params[i].value);
	}
	for (i = 0; i < c->nheaders; i++) {
		if ((n = bind_marks(c, start, &c->headers[i].name, BIND_RAW,
		    e)) == -1 || (v = bind_marks(c, start,
		    &c->headers[i].value, BIND_RAW, e)) == -1)
			return -1;
		if (v && strpbrk(c->headers[i].value, "\r\n") != NULL)
			return err_set(e, EX_DATAERR, "header %s: the "
			    "incremental value holds a line break",
			    c->headers[i].name);
		if (n)
			c->headers[i].namelen = strlen(c->headers[i].name);
		if (v)
			c->headers[i].valuelen = strlen(c->headers[i].value);
	}
	return 0;
}

int
config_resources(const char *file, char ***names, size_t *n, struct err *e)
{
	struct reader r = { .file = file, .err = e };
	int list, end, i, rc = 0;
	char path[64], *name;

	*names = NULL;
	*n = 0;
	buf_init(&r.text, MAX_CONFIG);
	json_init(&r.js);
	if ((rc = read_file(&r, file)) == 0) {
		if ((list = get(&r, 0, "resources")) < 0)
			rc = bad(&r, "$", "no resources");
		else if (!json_is_array(&r.js, list))
			rc = bad(&r, "$.resources", "expected an array");
	}
	end = rc == 0 ? json_skip(&r.js, list) : 0;
	for (i = rc == 0 ? list + 1 : 0; rc == 0 && i < end;
	    i = json_skip(&r.js, i)) {
		snprintf(path, sizeof(path), "$.resources[%zu]", *n);
		if ((name = resource_name(&r, i, path)) == NULL) {
			rc = -1;
			break;
		}
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = name;
	}
	if (rc == 0 && *n == 0)
		rc = bad(&r, "$.resources", "no resources");
	json_free(&r.js);
	buf_free(&r.text);
	if (rc == -1) {
		while (*n > 0)
			free((*names)[--*n]);
		free(*names);
		*names = NULL;
	}
	return rc;
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
	size_t k;
	int i;

	free(c->file);
	free(c->name);
	free(c->url);
	free(c->parent);
	for (k = 0; k < c->nparent_fields; k++)
		free(c->parent_fields[k]);
	free(c->parent_fields);
	for (k = 0; k < c->ninclude; k++)
		free(c->include[k]);
	free(c->include);
	free(c->method);
	free_pairs(c->headers, c->nheaders);
	free_pairs(c->params, c->nparams);
	free(c->json);
	free(c->data);
	for (k = 0; k < c->nactions; k++)
		free(c->actions[k].content);
	free(c->actions);
	free(c->key_name);
	free(c->secret);
	free(c->secret_env);
	free(c->username);
	free(c->token_url);
	free(c->client_id);
	free_pairs(c->token_data, c->ntoken_data);
	free(c->offset_param);
	free(c->limit_param);
	free(c->page_param);
	free(c->total_path);
	free(c->total_header);
	free(c->has_more_path);
	free(c->offset_body_path);
	free(c->limit_body_path);
	free(c->page_body_path);
	free(c->next_url_path);
	free(c->links_next_key);
	free(c->cursor_path);
	free(c->cursor_param);
	free(c->cursor_body_path);
	free(c->cursor_key);
	free(c->data_selector);
	for (i = 0; i < c->nprimary_key; i++)
		free(c->primary_key[i]);
	free(c->primary_key);
	free(c->write_disposition);
	free(c->dedup_sort);
	free(c->dedup_order);
	free(c->hard_delete);
	free(c->table);
	incr_free(c->incr);
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
