/*
 * libFuzzer: dlt's guesses of lib/net/detect.h, against a second reading.
 *
 * The input is a Link header value, a newline, and a JSON body (no
 * newline: no header).  detect_records() walks members depth first; the
 * reference here scans the tokens in order instead (document order is
 * that walk's order) with the parent links, taking the first array, and
 * the first named for records, whose way up is all objects no more than
 * three keys deep.  Both must agree, and the selector must compile and
 * reach that very token.  detect_paginator()'s path must reach a value
 * of the kind found (a link that starts with "http" or "/", a scalar),
 * and header_link needs a Link value with "next" in it, in any case (a
 * rel is case-insensitive, RFC 8288).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "json/jpath.h"
#include "json/json.h"
#include "net/detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Whether s holds "next" in any case once every backslash is taken out:
 * a quoted rel may spell it with quoted pairs, "nex\t" (RFC 9110).
 */
static int
has_next(const char *s)
{
	size_t i;
	const char *p;

	for (; *s != '\0'; s++) {
		for (i = 0, p = s; i < 4 && *p != '\0'; p++) {
			if (*p == '\\')
				continue;
			if ((*p | 0x20) != "next"[i])
				break;
			i++;
		}
		if (i == 4)
			return 1;
	}
	return 0;
}

static const char *const record_keys[] = {
	"data", "items", "results", "entries", "records", "rows", "entities",
	"payload", "content", "objects", "values", NULL
};

static void
check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/*
 * The number of keys from the root to value token v if every container
 * on the way is an object and each key reaches its value (not hidden by
 * a later repeat, no NUL byte); else -1.  The key of v goes to key.
 */
static int
keys_up(const struct json *js, int v, struct buf *key)
{
	struct buf k;
	int n = 0, kt, obj, ok = 1;

	buf_init(&k, 0);
	buf_reset(key);
	while (ok && v != 0) {
		kt = js->tok[v].parent;
		obj = kt >= 0 ? js->tok[kt].parent : -1;
		if (kt < 0 || obj < 0 || !json_is_object(js, obj)) {
			ok = 0;
			break;
		}
		buf_reset(&k);
		json_unescape(js, kt, &k);
		ok = memchr(k.data != NULL ? k.data : "", '\0', k.len) ==
		    NULL && json_get(js, obj, k.data != NULL ? k.data : "",
		    k.len) == v;
		if (n++ == 0)
			buf_add(key, k.data != NULL ? k.data : "", k.len);
		v = obj;
	}
	buf_free(&k);
	return ok ? n : -1;
}

/* The token the reference picks for the records, or 0 for "$". */
static int
ref_records(const struct json *js)
{
	struct buf key;
	int i, n, j, first = 0, named = 0;

	if (!json_is_object(js, 0))
		return 0;
	buf_init(&key, 0);
	for (i = 1; i < js->ntok && named == 0; i++) {
		if (!json_is_array(js, i) || (n = keys_up(js, i, &key)) < 1 ||
		    n > 3)
			continue;
		if (first == 0)
			first = i;
		for (j = 0; record_keys[j] != NULL; j++)
			if (key.len == strlen(record_keys[j]) &&
			    memcmp(key.data, record_keys[j], key.len) == 0)
				named = i;
	}
	buf_free(&key);
	return named != 0 ? named : first;
}

static int
reach(const struct json *js, const char *sel)
{
	const char *err;
	struct jpath *p;
	int i;

	p = jpath_compile(sel, &err);
	check(p != NULL);
	i = jpath_eval(p, js, 0);
	jpath_free(p);
	return i;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl;
	struct json_error err;
	struct detected d;
	struct json js;
	char *link = NULL, *sel;
	int list, want, i;

	if ((nl = memchr(text, '\n', size)) != NULL) {
		link = xstrndup(text, (size_t)(nl - text));
		size -= (size_t)(nl + 1 - text);
		text = nl + 1;
	}
	json_init(&js);
	if (json_parse_shallow(&js, text, size, JSON_ALL_LEVELS, &err) == 0) {
		sel = detect_records(&js, &list);
		want = ref_records(&js);
		i = reach(&js, sel);
		check(i == want);
		check(list == json_is_array(&js, i));
		check(want != 0 || strcmp(sel, "$") == 0);
		free(sel);

		detect_paginator(&js, link, &d);
		check((d.path != NULL) == (d.kind == DETECT_JSON_LINK ||
		    d.kind == DETECT_CURSOR || d.kind == DETECT_PAGE_NUMBER));
		check(d.kind != DETECT_HEADER_LINK || (link != NULL &&
		    has_next(link)));
		if (d.path != NULL) {
			i = reach(&js, d.path);
			check(i > 0 && (json_is_string(&js, i) ||
			    json_is_number(&js, i)));
			check(d.kind != DETECT_JSON_LINK ||
			    js.text[js.tok[i].start] == '/' ||
			    strncmp(js.text + js.tok[i].start, "http", 4) ==
			    0);
		}
		detected_free(&d);
	}
	json_free(&js);
	free(link);
	return 0;
}
