/*
 * detect.c: dlt's detector (dlt/sources/helpers/rest_client/detector.py)
 * over tokens: the same walks in the same order, each answer a selector.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/opt.h"
#include "json/json.h"
#include "net/detect.h"
#include "net/link.h"

const struct name detect_kinds[] = {
	{ "header_link",	DETECT_HEADER_LINK },
	{ "json_link",		DETECT_JSON_LINK },
	{ "page_number",	DETECT_PAGE_NUMBER },
	{ "cursor",		DETECT_CURSOR },
	{ "single_page",	DETECT_SINGLE },
	{ NULL,			0 }
};

/* Record keys dlt looks for when it guesses where a page's records are. */
static const char *const record_keys[] = {
	"data", "items", "results", "entries", "records", "rows", "entities",
	"payload", "content", "objects", "values", NULL
};

/* Keys of a count of pages, compared without regard to case. */
static const char *const pages_keys[] = {
	"total_pages", "pages", "totalpages", NULL
};

/* The keys from the root to a member, unescaped, back to back. */
struct keys {
	struct buf	 text;
	size_t		 end[JSON_MAX_DEPTH + 1];
	int		 n;
};

/* A member of an object: its key, unescaped, and its value's token. */
struct member {
	struct buf	 key;
	int		 value;
};

static void
keys_push(struct keys *k, const struct buf *key)
{
	buf_add(&k->text, key->data, key->len);
	k->end[k->n++] = k->text.len;
}

static void
keys_pop(struct keys *k)
{
	k->n--;
	k->text.len = k->n > 0 ? k->end[k->n - 1] : 0;
}

static int
bare(const char *s, size_t n)
{
	size_t i;
	int c;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_' && c != '-' && c < 0x80)
			return 0;
	}
	return 1;
}

/*
 * The selector of the keys: "a.b" as dlt writes it when every key is a
 * bare name, else "$['a']['b c']"; "$" for none.  A new string.
 */
static char *
selector(const struct keys *k)
{
	struct buf sel;
	size_t start, i, n;
	int j, plain = 1;
	const char *s;

	if (k->n == 0)
		return xstrdup("$");
	for (j = 0, start = 0; j < k->n; start = k->end[j++])
		plain = plain && bare(k->text.data + start, k->end[j] - start);
	buf_init(&sel, 0);
	if (!plain)
		buf_addc(&sel, '$');
	for (j = 0, start = 0; j < k->n; start = k->end[j++]) {
		s = k->text.data + start;
		n = k->end[j] - start;
		if (plain) {
			if (j > 0)
				buf_addc(&sel, '.');
			buf_add(&sel, s, n);
			continue;
		}
		buf_adds(&sel, "['");
		for (i = 0; i < n; i++) {
			if (s[i] == '\'' || s[i] == '\\')
				buf_addc(&sel, '\\');
			buf_addc(&sel, s[i]);
		}
		buf_adds(&sel, "']");
	}
	return buf_str(&sel);
}

/*
 * Step to the next member of object obj after token *k (0: the first):
 * its key in m, and its value, which is the one a selector of the key
 * reaches (a repeated key reaches the last).  Returns 0 at the end.
 * Keys a selector cannot name (with a NUL byte) are passed over.
 */
static int
next_member(const struct json *js, int obj, int *k, struct member *m)
{
	int end = json_skip(js, obj);

	for (*k = *k == 0 ? obj + 1 : json_skip(js, *k + 1); *k < end;
	    *k = json_skip(js, *k + 1)) {
		buf_reset(&m->key);
		if (json_unescape(js, *k, &m->key) == -1 ||
		    memchr(m->key.data != NULL ? m->key.data : "", '\0',
		    m->key.len) != NULL)
			continue;
		m->value = *k + 1;
		if (json_get(js, obj, m->key.data != NULL ? m->key.data : "",
		    m->key.len) != m->value)
			continue;
		return 1;
	}
	return 0;
}

static int
key_is(const struct buf *key, const char *name)
{
	return key->len == strlen(name) && (key->len == 0 ||
	    strncasecmp(key->data, name, key->len) == 0);
}

static int
key_starts(const struct buf *key, const char *prefix)
{
	size_t n = strlen(prefix);

	return key->len >= n && strncasecmp(key->data, prefix, n) == 0;
}

/* find_all_lists() and find_response_page_data() of dlt, in one walk. */
static void
find_records(const struct json *js, int obj, struct keys *path,
    char **first, char **named)
{
	struct member m;
	int k = 0, j;

	if (path->n > 2)
		return;
	buf_init(&m.key, 0);
	while (*named == NULL && next_member(js, obj, &k, &m)) {
		keys_push(path, &m.key);
		if (json_is_array(js, m.value)) {
			if (*first == NULL)
				*first = selector(path);
			for (j = 0; record_keys[j] != NULL; j++)
				if (m.key.len == strlen(record_keys[j]) &&
				    memcmp(m.key.data, record_keys[j],
				    m.key.len) == 0)
					break;
			if (record_keys[j] != NULL)
				*named = selector(path);
		} else if (json_is_object(js, m.value))
			find_records(js, m.value, path, first, named);
		keys_pop(path);
	}
	buf_free(&m.key);
}

char *
detect_records(const struct json *js, int *list)
{
	struct keys path;
	char *first = NULL, *named = NULL;

	*list = json_is_array(js, 0);
	if (!json_is_object(js, 0))
		return xstrdup("$");
	memset(&path, 0, sizeof(path));
	buf_init(&path.text, 0);
	find_records(js, 0, &path, &first, &named);
	buf_free(&path.text);
	if (named != NULL) {
		free(first);
		first = named;
	}
	*list = first != NULL;
	return first != NULL ? first : xstrdup("$");
}

/* A value dlt takes for a link, a cursor or a count: a string or number. */
static int
scalar(const struct json *js, int i)
{
	return json_is_string(js, i) || json_is_number(js, i);
}

/*
 * dlt's find_next_page_path(): depth first, the first member whose key
 * starts with "next" and holds a scalar, or an object with a scalar
 * member whose key starts with "href" or "url".  Leaves its keys in
 * path and returns its token, or -1.
 */
static int
find_next(const struct json *js, int obj, struct keys *path)
{
	struct member m, in;
	int k = 0, k2, found = -1;

	buf_init(&m.key, 0);
	buf_init(&in.key, 0);
	while (found < 0 && next_member(js, obj, &k, &m)) {
		keys_push(path, &m.key);
		if (key_starts(&m.key, "next") && json_is_object(js, m.value)) {
			for (k2 = 0; found < 0 &&
			    next_member(js, m.value, &k2, &in);)
				if ((key_starts(&in.key, "href") ||
				    key_starts(&in.key, "url")) &&
				    scalar(js, in.value)) {
					keys_push(path, &in.key);
					found = in.value;
				}
		} else if (key_starts(&m.key, "next") && scalar(js, m.value))
			found = m.value;
		if (found < 0 && json_is_object(js, m.value))
			found = find_next(js, m.value, path);
		if (found < 0)
			keys_pop(path);
	}
	buf_free(&m.key);
	buf_free(&in.key);
	return found;
}

/* Whether token i is what Python's int() takes: a number, or digits. */
static int
integral(const struct json *js, int i)
{
	struct buf s;
	const char *p;
	int ok;

	if (json_is_number(js, i)) {
		buf_init(&s, 0);
		json_unescape(js, i, &s);
		ok = isfinite(strtod(buf_str(&s), NULL));
		buf_free(&s);
		return ok;
	}
	if (!json_is_string(js, i))
		return 0;
	buf_init(&s, 0);
	ok = json_unescape(js, i, &s) == 0;
	for (p = buf_str(&s); isspace((unsigned char)*p); p++)
		;
	if (*p == '+' || *p == '-')
		p++;
	ok = ok && isdigit((unsigned char)*p);
	while (isdigit((unsigned char)*p))
		p++;
	while (isspace((unsigned char)*p))
		p++;
	ok = ok && *p == '\0' && (size_t)(p - s.data) == s.len;
	buf_free(&s);
	return ok;
}

/*
 * dlt's find_total_pages_path(), depth first: the first member named for
 * a count of pages that holds a scalar.  Leaves its keys in path and
 * returns its token; -2 if it holds no integer (dlt stops there too), or
 * -1 if there is none.
 */
static int
find_pages(const struct json *js, int obj, struct keys *path)
{
	struct member m;
	int k = 0, j, found = -1;

	buf_init(&m.key, 0);
	while (found == -1 && next_member(js, obj, &k, &m)) {
		keys_push(path, &m.key);
		for (j = 0; pages_keys[j] != NULL; j++)
			if (key_is(&m.key, pages_keys[j]))
				break;
		if (pages_keys[j] != NULL && scalar(js, m.value))
			found = integral(js, m.value) ? m.value : -2;
		else if (json_is_object(js, m.value))
			found = find_pages(js, m.value, path);
		if (found == -1)
			keys_pop(path);
	}
	buf_free(&m.key);
	return found;
}

/* The string token i starts with prefix, byte for byte. */
static int
starts(const struct json *js, int i, const char *prefix)
{
	size_t n = strlen(prefix);

	return json_is_string(js, i) &&
	    (size_t)(js->tok[i].end - js->tok[i].start) >= n &&
	    memcmp(js->text + js->tok[i].start, prefix, n) == 0;
}

/*
 * lib/link's reader, the one rest-paginate's header_link paginator
 * follows: a detected header_link always finds its next link.
 */
int
detect_link_next(const char *link)
{
	struct buf target;
	int found;

	if (link == NULL)
		return 0;
	buf_init(&target, 0);
	found = link_find(link, strlen(link), "next", &target);
	buf_free(&target);
	return found;
}

void
detect_paginator(const struct json *js, const char *link, struct detected *d)
{
	struct keys path;
	int i;

	memset(d, 0, sizeof(*d));
	d->kind = DETECT_SINGLE;
	if (detect_link_next(link)) {
		d->kind = DETECT_HEADER_LINK;
		d->score = 1;
		return;
	}
	if (!json_is_object(js, 0))
		return;
	memset(&path, 0, sizeof(path));
	buf_init(&path.text, 0);
	i = find_next(js, 0, &path);
	if (i >= 0 && (starts(js, i, "http") || starts(js, i, "/"))) {
		d->kind = DETECT_JSON_LINK;
		d->path = selector(&path);
		d->score = 1;
		buf_free(&path.text);
		return;
	}
	memset(path.end, 0, sizeof(path.end));
	path.n = 0;
	path.text.len = 0;
	if (find_pages(js, 0, &path) >= 0) {
		d->kind = DETECT_PAGE_NUMBER;
		d->path = selector(&path);
		d->score = 0.5;
	} else if (i >= 0) {
		path.n = 0;
		path.text.len = 0;
		find_next(js, 0, &path);
		d->kind = DETECT_CURSOR;
		d->path = selector(&path);
		d->score = 0.5;
	}
	buf_free(&path.text);
}

void
detected_free(struct detected *d)
{
	free(d->path);
	d->path = NULL;
}
