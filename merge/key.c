/*
 * key.c: field paths (-k, --hard-delete, --dedup-sort), the key identity
 * of a record or a row, and the order of dedup-sort values.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "json/json.h"
#include "merge.h"

int
path_parse(struct path *p, const char *text)
{
	const char *s = text, *dot;
	struct buf col;
	size_t n;

	p->text = xstrdup(text);
	p->part = NULL;
	p->nparts = 0;
	p->column = NULL;
	buf_init(&col, 0);
	for (;;) {
		dot = strchr(s, '.');
		n = dot == NULL ? strlen(s) : (size_t)(dot - s);
		if (n == 0)
			goto bad;
		p->part = xrealloc(p->part, (p->nparts + 1) * sizeof(*p->part));
		p->part[p->nparts++] = xstrndup(s, n);
		if (col.len > 0)
			buf_adds(&col, "__");
		if (normalize(s, n, &col) == -1)
			goto bad;
		if (dot == NULL)
			break;
		s = dot + 1;
	}
	p->column = xstrdup(buf_str(&col));
	buf_free(&col);
	return 0;
bad:
	buf_free(&col);
	path_free(p);
	return -1;
}

void
path_free(struct path *p)
{
	size_t i;

	for (i = 0; i < p->nparts; i++)
		free(p->part[i]);
	free(p->part);
	free(p->column);
	free(p->text);
	p->text = NULL;
	p->part = NULL;
	p->column = NULL;
	p->nparts = 0;
}

int
path_get(const struct path *p, const struct json *j)
{
	size_t i;
	int t = 0;

	for (i = 0; i < p->nparts && t != -1; i++)
		t = json_get(j, t, p->part[i], strlen(p->part[i]));
	return t;
}

void
key_part(struct buf *b, size_t nkey, const char *s, size_t n)
{
	uint32_t len = (uint32_t)n;

	/* A tuple's parts carry their lengths, so no byte can be confused. */
	if (nkey > 1)
		buf_add(b, &len, sizeof(len));
	buf_add(b, s, n);
}

enum keyfault
key_of(const struct opts *o, const struct json *j, struct buf *b,
    size_t *which)
{
	size_t i, at;
	uint32_t len;
	int t;

	for (i = 0; i < o->nkey; i++) {
		*which = i;
		if ((t = path_get(&o->key[i], j)) == -1)
			return KEY_MISSING;
		if (json_is_null(j, t))
			return KEY_NULL;
		if (json_is_object(j, t) || json_is_array(j, t))
			return KEY_NESTED;
		at = b->len;
		if (o->nkey > 1)
			buf_add(b, "\0\0\0\0", sizeof(len));
		if (o->fmt == FMT_JSONL)
			json_compact(j, t, b);
		else
			json_unescape(j, t, b);
		if (o->nkey > 1) {
			len = (uint32_t)(b->len - at - sizeof(len));
			memcpy(b->data + at, &len, sizeof(len));
		}
	}
	return KEY_OK;
}

static int
rank(const char *s, size_t n)
{
	if (n == 0 || *s == 'n')
		return 0;
	if (*s == 'f')
		return 1;
	if (*s == 't')
		return 2;
	if (*s == '-' || (*s >= '0' && *s <= '9'))
		return 3;
	if (*s == '"')
		return 4;
	return 5;
}

static int
num_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	char *sa = xstrndup(a, an), *sb = xstrndup(b, bn);
	long long ia, ib;
	double da, db;
	int r, ea, eb;

	errno = 0;
	ia = strtoll(sa, NULL, 10);
	ea = errno || strpbrk(sa, ".eE") != NULL;
	errno = 0;
	ib = strtoll(sb, NULL, 10);
	eb = errno || strpbrk(sb, ".eE") != NULL;
	if (!ea && !eb)
		r = (ia > ib) - (ia < ib);
	else {
		da = strtod(sa, NULL);
		db = strtod(sb, NULL);
		r = (da > db) - (da < db);
	}
	free(sa);
	free(sb);
	return r;
}

/* Append the unescaped text of the JSON string s[0..n) to out. */
static void
unquote(const char *s, size_t n, struct buf *out)
{
	struct json_error err;
	struct json j;

	json_init(&j);
	if (json_parse(&j, s, n, &err) == 0)
		json_unescape(&j, 0, out);
	json_free(&j);
}

static int
bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int r = n > 0 ? memcmp(a, b, n) : 0;

	if (r != 0)
		return r;
	return (an > bn) - (an < bn);
}

int
sort_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int ra = rank(a, an), rb = rank(b, bn), r;
	struct buf ua, ub;

	if (ra != rb || ra <= 2)
		return ra - rb;
	if (ra == 3)
		return num_cmp(a, an, b, bn);
	if (ra == 5)
		return bytes_cmp(a, an, b, bn);
	buf_init(&ua, 0);
	buf_init(&ub, 0);
	unquote(a, an, &ua);
	unquote(b, bn, &ub);
	r = bytes_cmp(ua.data, ua.len, ub.data, ub.len);
	buf_free(&ua);
	buf_free(&ub);
	return r;
}

int
key_scan(const struct opts *o, const char *s, size_t n, struct buf *b)
{
	const char *v, *e;
	size_t i, k;

	for (k = 0; k < o->nkey; k++) {
		v = s;
		e = s + n;
		for (i = 0; i < o->key[k].nparts; i++)
			if (json_member(&v, &e, o->key[k].part[i],
			    strlen(o->key[k].part[i])) == -1)
				return -1;
		if (*v == '{' || *v == '[' || *v == 'n')
			return -1;
		key_part(b, o->nkey, v, (size_t)(e - v));
	}
	return 0;
}
