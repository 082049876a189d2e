/*
 * config_request.c: a resource's request (CONFIG_REQUEST): the URL, its
 * path bound from endpoint.params, the params and the JSON body merged
 * key by key with resource_defaults, the form data, the headers, the
 * method and the response actions.  The auth is config_auth.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/opt.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/config_int.h"
#include "dlt/incr.h"
#include "dlt/placeholder.h"

static const char *const client_keys[] = {
	"auth", "base_url", "headers", "paginator", "restpipe", "session",
	NULL
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
	if ((base = rd_string_at(r, b, bpath)) == NULL || *path == '\0')
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
	if (rd_expand_text(r, s, strlen(s), path, &b, c, bound) == -1) {
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
	    !json_is_string(&r->js, i) ||
	    (type = rd_string_at(r, i, tp)) == NULL)
		rc = bad(r, vp, "expected a string, number or boolean");
	else if (strcmp(type, "incremental") == 0)
		rc = 0;		/* rd_incremental() read it */
	else if (strcmp(type, "resolve") != 0)
		rc = bad(r, tp, "expected resolve or incremental");
	else if (snprintf(tp, sizeof(tp), "%s.resource", vp),
	    (i = get(r, v, "resource")) < 0)
		rc = bad(r, vp, "a resolve parameter needs a resource");
	else if ((res = rd_string_at(r, i, tp)) == NULL)
		rc = -1;
	else if (!rd_resource_exists(r, res))
		rc = err_set(r->err, EX_CONFIG, "%s: %s: no resource '%s'",
		    r->file, tp, res);
	else if (snprintf(tp, sizeof(tp), "%s.field", vp),
	    (i = get(r, v, "field")) < 0)
		rc = bad(r, vp, "a resolve parameter needs a field");
	else if ((field = rd_string_at(r, i, tp)) == NULL)
		rc = -1;
	else {
		buf_init(&val, 0);
		rc = rd_take_parent(r, vp, res, field, &val, 0);
		if (rc == 0)
			rd_add_pair(&r->cfg->params, &r->cfg->nparams,
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
	rc = rd_expand_text(r, key.data != NULL ? key.data : "", key.len, vp,
	    &ek, NULL, NULL) == -1 || rd_expand_text(r, val.data != NULL ?
	    val.data : "", val.len, vp, &ev, NULL, NULL) == -1 ? -1 : 0;
	if (rc == 0)
		rd_add_pair(&c->params, &c->nparams, buf_str(&ek), ek.len,
		    buf_str(&ev), ev.len);
	else {
		buf_free(&ek);
		buf_free(&ev);
	}
	buf_free(&key);
	buf_free(&val);
	return rc;
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
	if (rd_parent_field(r, path, f, n, &v, 0) == -1) {
		buf_free(&v);
		return -1;
	}
	buf_free(&v);
	/* rd_parent_field() checked it: the field follows the second dot. */
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
		else if (rc == 1 && (rc = rd_expand_text(r, s.data, s.len, path,
		    &x, NULL, NULL)) == 0)
			quote_marked(out, &x);
		else if (rc == -1)
			rc = rd_expand_text(r, s.data, s.len, path, &x, NULL,
			    NULL);
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

	objs[0] = get(r, rd_endpoint_of(r, r->defaults), key);
	objs[1] = get(r, rd_endpoint_of(r, r->res), key);
	for (i = 0; i < 2; i++) {
		if (objs[i] < 0)
			continue;
		snprintf(path, sizeof(path), "%s.endpoint.%s",
		    i == 0 ? "$.resource_defaults" : r->respath, key);
		if (!json_is_object(&r->js, objs[i]))
			return bad(r, path, "expected an object");
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			if (i == 0 && !rd_member_wins(r, objs[1], k))
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
		return rd_string_at(r, e, path);
	}
	if ((i = get(r, e, "path")) >= 0) {
		snprintf(path, n, "%s.endpoint.path", r->respath);
		return rd_string_at(r, i, path);
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
		if ((name = rd_string_at(r, k, hp)) == NULL)
			return -1;
		if (rd_unbrace(r, &name, hp) == -1) {
			free(name);
			return -1;
		}
		snprintf(vp, sizeof(vp), "%s.%s", hp, name);
		value = NULL;
		if (*name == '\0' || strpbrk(name, ": \t\r\n") != NULL)
			bad(r, vp, "not a valid header name");
		else if ((value = rd_string_at(r, k + 1, vp)) != NULL &&
		    rd_unbrace(r, &value, vp) == -1) {
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
		rd_add_pair(&c->headers, &c->nheaders, name, strlen(name),
		    value, strlen(value));
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
	if (rd_refuse_keys(r, a, path, action_keys) == -1)
		return -1;
	snprintf(fp, sizeof(fp), "%s.action", path);
	if ((i = get(r, a, "action")) < 0 || json_is_null(&r->js, i))
		return bad(r, path, "no action (ignore is supported)");
	if (!json_is_string(&r->js, i))
		return bad(r, fp, "actions that are Python callables are not "
		    "supported (ignore is)");
	if ((s = rd_string_at(r, i, fp)) == NULL)
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
		if ((ra->content = rd_string_at(r, i, fp)) == NULL)
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

	if ((l = rd_ep_get(r, "response_actions", path, sizeof(path))) < 0 ||
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
	if ((rc = rd_expand_text(r, val.data != NULL ? val.data : "", val.len,
	    path, &ev, NULL, NULL)) == 0) {
		if (b->len > 0)
			buf_addc(b, '&');
		rd_add_encoded(b, name, strlen(name), 1);
		buf_addc(b, '=');
		rd_add_encoded(b, ev.data != NULL ? ev.data : "", ev.len, 1);
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

	if ((d = rd_ep_get(r, "data", path, sizeof(path))) < 0 ||
	    json_is_null(&r->js, d))
		return 0;
	if (json_is_string(&r->js, d)) {
		if ((c->data = rd_string_at(r, d, path)) == NULL)
			return -1;
		return rd_unbrace(r, &c->data, path);
	}
	if (!json_is_object(&r->js, d))
		return bad(r, path, "expected an object (form fields) or a "
		    "string");
	buf_init(&b, 0);
	end = json_skip(&r->js, d);
	for (k = d + 1; rc == 0 && k < end; k = json_skip(&r->js, k + 1)) {
		if ((name = rd_string_at(r, k, path)) == NULL ||
		    rd_unbrace(r, &name, path) == -1) {
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

	if ((i = rd_ep_get(r, "method", path, sizeof(path))) >= 0 &&
	    !json_is_null(&r->js, i)) {
		if (rd_name_at(r, i, path, methods, &v) == -1)
			return -1;
		c->method = xstrdup(name_of(methods, v));
	} else if (c->json != NULL || c->data != NULL) {
		c->method = xstrdup("GET");
	}
	return 0;
}

int
rd_request(struct reader *r, struct config *c)
{
	char path[128], hp[128], *s, *bound;
	int h;
	struct buf b;

	if (rd_refuse_keys(r, r->client, "$.client", client_keys) == -1)
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
	if ((h = rd_ep_get(r, "headers", hp, sizeof(hp))) >= 0 &&
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
	return rd_auth(r, c);
}
