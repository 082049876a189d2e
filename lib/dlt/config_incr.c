/*
 * config_incr.c: dlt's incremental loading as a configuration gives it,
 * endpoint.incremental or one parameter of type incremental, read into a
 * struct incremental (incr.h) and checked for what restpipe can honour.
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
	if ((s = rd_string_at(r, i, kp)) == NULL)
		return -1;
	*v = name_value(t, s);
	free(s);
	return *v == -1 ? rd_bad_name(r, kp, t) : 0;
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
	if (rd_check_keys(r, o, path, incremental_keys) == -1 ||
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
	if (rd_take_string(r, i, kp, &inc->cursor_path) == -1)
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
	    "%s.start_param", path), rd_take_string(r, i, kp,
	    &inc->start_param) == -1)) || ((i = get(r, o, "end_param")) >= 0 &&
	    !json_is_null(&r->js, i) && (snprintf(kp, sizeof(kp),
	    "%s.end_param", path), rd_take_string(r, i, kp,
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
int
rd_incremental(struct reader *r, struct config *c)
{
	char path[256], first[256], ip[128];
	int objs[2], i, k, end, t, found = -1, inc;
	struct buf name;

	objs[0] = get(r, rd_endpoint_of(r, r->defaults), "params");
	objs[1] = get(r, rd_endpoint_of(r, r->res), "params");
	buf_init(&name, 0);
	for (i = 0; i < 2; i++) {
		if (objs[i] < 0 || !json_is_object(&r->js, objs[i]))
			continue;
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			if (i == 0 && !rd_member_wins(r, objs[1], k))
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
	inc = rd_ep_get(r, "incremental", ip, sizeof(ip));
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
