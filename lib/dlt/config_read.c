/*
 * config_read.c: the reader's primitives, which every config_*.c file
 * reads with: a typed value at a token, the keys of an object checked
 * against those known, and a member of the resource, or of its endpoint,
 * with resource_defaults under it.  resource_defaults merge into the
 * resource as dlt merges them: resource keys shallowly, endpoint keys one
 * level deep, endpoint.params and endpoint.json key by key.
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

/* The unescaped string at token i, which the caller frees; or NULL. */
char *
rd_string_at(struct reader *r, int i, const char *path)
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
int
rd_take_string(struct reader *r, int i, const char *path, char **s)
{
	return (*s = rd_string_at(r, i, path)) == NULL ? -1 : 0;
}

int
rd_long_at(struct reader *r, int i, const char *path, long *v)
{
	long long n;

	if (json_long(&r->js, i, &n) == -1 || n < 0 || n > 1000000000000LL)
		return bad(r, path, "expected a count (an integer, 0 or more)");
	*v = (long)n;
	return 0;
}

int
rd_bool_at(struct reader *r, int i, const char *path, int *v)
{
	if (!json_is_bool(&r->js, i, v))
		return bad(r, path, "expected true or false");
	return 0;
}

void
rd_join(char *out, size_t n, const char *path, const char *key)
{
	snprintf(out, n, "%s.%s", path, key);
}

/* Whether s[0..n) holds a byte below ' ' (a line break, a NUL). */
int
rd_has_control(const char *s, size_t n)
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
		if (rd_has_control(key.data, key.len)) {
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
int
rd_check_keys(struct reader *r, int obj, const char *path,
    const char *const *known)
{
	return keys_known(r, obj, path, known, 0);
}

/*
 * Refuse a key of object obj that is not in known: in the client, a
 * resource and an endpoint, a misspelt key (dlt refuses it too) would
 * leave out what it means, and load other rows.
 */
int
rd_refuse_keys(struct reader *r, int obj, const char *path,
    const char *const *known)
{
	return keys_known(r, obj, path, known, 1);
}

/* A resource member, or the default's. */
int
rd_res_get(struct reader *r, const char *key, char *path, size_t n)
{
	int i;

	if (r->res >= 0 && json_is_object(&r->js, r->res) &&
	    (i = get(r, r->res, key)) >= 0) {
		rd_join(path, n, r->respath, key);
		return i;
	}
	rd_join(path, n, "$.resource_defaults", key);
	return get(r, r->defaults, key);
}

/* The resource's endpoint object, or -1. */
int
rd_endpoint_of(struct reader *r, int res)
{
	int e;

	if (res < 0 || !json_is_object(&r->js, res))
		return -1;
	e = get(r, res, "endpoint");
	return e >= 0 && json_is_object(&r->js, e) ? e : -1;
}

/* An endpoint member, or the default endpoint's. */
int
rd_ep_get(struct reader *r, const char *key, char *path, size_t n)
{
	int e = rd_endpoint_of(r, r->res), i;

	if ((i = get(r, e, key)) >= 0) {
		snprintf(path, n, "%s.endpoint.%s", r->respath, key);
		return i;
	}
	snprintf(path, n, "$.resource_defaults.endpoint.%s", key);
	return get(r, rd_endpoint_of(r, r->defaults), key);
}

/*
 * Visit the members of the default's object then the resource's, each key
 * once, the resource's value winning, in first-seen order.
 */
int
rd_member_wins(struct reader *r, int later, int k)
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

/* Say that the value at path is none of the names of t. */
int
rd_bad_name(struct reader *r, const char *path, const struct name *t)
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
int
rd_name_at(struct reader *r, int i, const char *path, const struct name *t,
    int *v)
{
	char *s;

	if ((s = rd_string_at(r, i, path)) == NULL)
		return -1;
	*v = name_value(t, s);
	free(s);
	return *v == -1 ? rd_bad_name(r, path, t) : 0;
}

/* Add a pair to the n of v, taking name and value. */
void
rd_add_pair(struct pair **v, size_t *n, char *name, size_t namelen, char *value,
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
