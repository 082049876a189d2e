/*
 * config_place.c: the str.format placeholders of a request, filled as
 * dlt fills them: {resources.NAME.FIELD} and resolve parameters from the
 * parent record (config_load_record()), {incremental.*} as marks that
 * config_bind_incremental() fills in once the start value is known, a
 * path's {name} from endpoint.params, and the percent-encoding of each.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/opt.h"
#include "json/jpath.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/config_int.h"
#include "dlt/incr.h"
#include "dlt/placeholder.h"

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
void
rd_add_encoded(struct buf *b, const char *s, size_t n, int plus)
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

/*
 * Append the n bytes at s, a value bound into the path, as rd_add_encoded()
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
		rd_add_encoded(b, s, n, 0);
	}
}

/*
 * Take field of resource res (at path) as this child's: res is its one
 * parent, not itself.  With a parent record, append the field's value to
 * out, percent-encoded when enc is set; a record without it is EX_DATAERR.
 */
int
rd_take_parent(struct reader *r, const char *path, const char *res,
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
 * filled as rd_take_parent() fills it.
 */
int
rd_parent_field(struct reader *r, const char *path, const char *f, size_t n,
    struct buf *out, int enc)
{
	char *s = xstrndup(f, n), *res = s + 10, *dot;
	int rc;

	if ((dot = strchr(res, '.')) == NULL || dot == res || dot[1] == '\0')
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder '{%s}': "
		    "expected {resources.NAME.FIELD}", r->file, path, s);
	else if (*dot = '\0', !rd_resource_exists(r, res))
		rc = err_set(r->err, EX_CONFIG, "%s: %s: placeholder "
		    "'{%s.%s}': no resource '%s'", r->file, path, s, dot + 1,
		    res);
	else
		rc = rd_take_parent(r, path, res, dot + 1, out, enc);
	free(s);
	return rc;
}

/*
 * The n bytes of a placeholder's name as a message shows it, a new
 * string: escaped as in JSON when it holds a line break or a NUL.
 */
static char *
field_shown(const char *name, size_t n)
{
	struct buf b;

	if (!rd_has_control(name, n))
		return xstrndup(name, n);
	buf_init(&b, 0);
	json_quote(&b, name, n);
	b.data[b.len - 1] = '\0';
	memmove(b.data, b.data + 1, b.len - 1);
	return b.data;
}

/*
 * Refuse placeholder {f} at path, which restpipe does not fill in: dlt
 * fills {resources.NAME.FIELD} from a parent resource and {incremental.*}
 * from incremental state, binds a plain name in the path only, and
 * refuses the rest.  Sent as written, any of them would ask for
 * something else.
 */
static int
refuse_field(struct reader *r, const char *path, const char *name,
    size_t n, int in_path)
{
	char *f = field_shown(name, n), *dot;
	int rc;

	if (strncmp(f, "resources.", 10) == 0) {
		/* rd_expand_text() fills the others. */
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
int
rd_expand_text(struct reader *r, const char *s, size_t n, const char *path,
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
			if (rd_parent_field(r, path, p, len, out,
			    c != NULL) == -1)
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
int
rd_unbrace(struct reader *r, char **s, const char *path)
{
	struct buf b;

	buf_init(&b, 0);
	if (rd_expand_text(r, *s, strlen(*s), path, &b, NULL, NULL) == -1) {
		buf_free(&b);
		return -1;
	}
	free(*s);
	*s = buf_str(&b);
	return 0;
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
		rd_add_encoded(b, t.data, t.len, 1);
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
