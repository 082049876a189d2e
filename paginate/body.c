/*
 * body.c: a position put into the JSON body of a request, at a dotted
 * path (dlt's offset_body_path, limit_body_path, page_body_path and
 * cursor_body_path): "a.b" sets member b of member a, which is made an
 * object when it is missing, as dlt's set_value_at_path() does.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/json.h"
#include "pager.h"

/* Append the text of token i of js, with a string's quotes. */
static void
copy_tok(struct buf *out, const struct json *js, int i)
{
	int start = js->tok[i].start, end = js->tok[i].end;

	if (js->tok[i].type == JSMN_STRING) {
		start--;
		end++;
	}
	buf_add(out, js->text + start, (size_t)(end - start));
}

/*
 * Append the member that path names set to value, "a":{"b":value} for
 * a.b: its first part, then an object for each part after it.
 */
static void
new_member(struct buf *out, const char *path, const char *value)
{
	const char *dot = strchr(path, '.');

	json_quote(out, path, dot != NULL ? (size_t)(dot - path) : strlen(path));
	buf_addc(out, ':');
	if (dot == NULL) {
		buf_adds(out, value);
		return;
	}
	buf_addc(out, '{');
	new_member(out, dot + 1, value);
	buf_addc(out, '}');
}

/*
 * Append object obj of js with path set to value; -1 when a member on
 * the way is there but not an object.
 */
static int
set_in(struct buf *out, const struct json *js, int obj, const char *path,
    const char *value)
{
	const char *dot = strchr(path, '.');
	size_t n = dot != NULL ? (size_t)(dot - path) : strlen(path);
	int end = json_skip(js, obj), k, v, found = 0, first = 1;
	struct buf key;

	buf_init(&key, 0);
	buf_addc(out, '{');
	for (k = obj + 1; k < end; k = json_skip(js, v)) {
		v = k + 1;
		if (!first)
			buf_addc(out, ',');
		first = 0;
		copy_tok(out, js, k);
		buf_addc(out, ':');
		buf_reset(&key);
		json_unescape(js, k, &key);
		if (key.len != n || (n > 0 && memcmp(key.data, path, n) != 0)) {
			copy_tok(out, js, v);
			continue;
		}
		found = 1;
		if (dot == NULL)
			buf_adds(out, value);
		else if (!json_is_object(js, v) ||
		    set_in(out, js, v, dot + 1, value) == -1) {
			buf_free(&key);
			return -1;
		}
	}
	buf_free(&key);
	if (!found) {
		if (!first)
			buf_addc(out, ',');
		new_member(out, path, value);
	}
	buf_addc(out, '}');
	return 0;
}

void
body_set(struct buf *body, const char *opt, const char *path,
    const char *value)
{
	struct json_error err;
	struct json js;
	struct buf out;

	buf_init(&out, 0);
	if (body->len == 0) {
		buf_addc(&out, '{');
		new_member(&out, path, value);
		buf_addc(&out, '}');
	} else {
		json_init(&js);
		if (json_parse(&js, body->data, body->len, &err) == -1 ||
		    !json_is_object(&js, 0))
			die(EX_CONFIG, "%s %s: the request body is not a JSON "
			    "object", opt, path);
		if (set_in(&out, &js, 0, path, value) == -1)
			die(EX_CONFIG, "%s %s: a member on the way is in the "
			    "request body but not an object", opt, path);
		json_free(&js);
	}
	buf_reset(body);
	buf_add(body, out.data, out.len);
	buf_free(&out);
}
