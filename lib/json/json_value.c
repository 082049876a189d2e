/*
 * json_value.c: read the values json.c has tokenized and validated: find
 * members and elements, tell their types, decode numbers and strings, and
 * write them back compact, one line each.  Also quote a string as JSON.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json/json.h"
#include "json/json_int.h"

int
json_skip(const struct json *j, int i)
{
	int end = j->tok[i].end;

	for (i++; i < j->ntok && j->tok[i].start < end; i++)
		;
	return i;
}

static int
valid(const struct json *j, int i)
{
	return i >= 0 && i < j->ntok;
}

int
json_get(const struct json *j, int obj, const char *key, size_t n)
{
	int i, k, found = -1;

	if (!valid(j, obj) || j->tok[obj].type != JSMN_OBJECT)
		return -1;
	for (i = 0, k = obj + 1; i < j->tok[obj].size; i++) {
		if (json_streq(j, k, key, n))
			found = k + 1;
		k = json_skip(j, k + 1);
	}
	return found;
}

int
json_index(const struct json *j, int arr, long idx)
{
	int k;

	if (!valid(j, arr) || j->tok[arr].type != JSMN_ARRAY)
		return -1;
	if (idx < 0)
		idx += j->tok[arr].size;
	if (idx < 0 || idx >= j->tok[arr].size)
		return -1;
	for (k = arr + 1; idx > 0; idx--)
		k = json_skip(j, k);
	return k;
}

static int
first_byte(const struct json *j, int i)
{
	if (!valid(j, i) || j->tok[i].type != JSMN_PRIMITIVE)
		return -1;
	return (unsigned char)j->text[j->tok[i].start];
}

int
json_is_null(const struct json *j, int i)
{
	return first_byte(j, i) == 'n';
}

int
json_is_bool(const struct json *j, int i, int *value)
{
	int c = first_byte(j, i);

	if (c != 't' && c != 'f')
		return 0;
	if (value != NULL)
		*value = c == 't';
	return 1;
}

int
json_is_number(const struct json *j, int i)
{
	int c = first_byte(j, i);

	return c == '-' || (c >= '0' && c <= '9');
}

int
json_is_string(const struct json *j, int i)
{
	return valid(j, i) && j->tok[i].type == JSMN_STRING;
}

int
json_is_object(const struct json *j, int i)
{
	return valid(j, i) && j->tok[i].type == JSMN_OBJECT;
}

int
json_is_array(const struct json *j, int i)
{
	return valid(j, i) && j->tok[i].type == JSMN_ARRAY;
}

int
json_long(const struct json *j, int i, long long *value)
{
	const char *p, *end;
	long long v = 0;
	int neg, d;

	if (!json_is_number(j, i))
		return -1;
	p = j->text + j->tok[i].start;
	end = j->text + j->tok[i].end;
	if ((neg = *p == '-'))
		p++;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		d = *p - '0';
		/* Accumulate negatively: LLONG_MIN has no positive twin. */
		if (v < (LLONG_MIN + d) / 10)
			return -1;
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == LLONG_MIN)
			return -1;
		v = -v;
	}
	*value = v;
	return 0;
}

int
json_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The code unit of the \uXXXX at p, or -1 if p holds none. */
static long
unit(const char *p, const char *end)
{
	long v = 0;
	int k, d;

	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (k = 2; k < 6; k++) {
		if ((d = json_hexval((unsigned char)p[k])) == -1)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

size_t
json_unescape_one(const char *p, const char *end, char out[4], size_t *n)
{
	long cp, lo;
	size_t used = 2;

	*n = 1;
	switch (end - p > 1 ? p[1] : '\\') {
	case 'b':
		out[0] = '\b';
		return used;
	case 'f':
		out[0] = '\f';
		return used;
	case 'n':
		out[0] = '\n';
		return used;
	case 'r':
		out[0] = '\r';
		return used;
	case 't':
		out[0] = '\t';
		return used;
	case 'u':
		break;
	default:
		out[0] = end - p > 1 ? p[1] : '\\';
		return used;
	}
	if ((cp = unit(p, end)) == -1) {
		out[0] = 'u';
		return used;
	}
	used = 6;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		lo = unit(p + 6, end);
		if (lo >= 0xdc00 && lo <= 0xdfff) {
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			used = 12;
		} else
			cp = 0xfffd;
	} else if (cp >= 0xdc00 && cp <= 0xdfff)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
	} else if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		*n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		*n = 3;
	} else {
		out[0] = (char)(0xf0 | cp >> 18);
		out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		*n = 4;
	}
	return used;
}

int
json_streq(const struct json *j, int i, const char *s, size_t n)
{
	const char *p, *end, *bs;
	char out[4];
	size_t len, m;

	if (!json_is_string(j, i))
		return 0;
	p = j->text + j->tok[i].start;
	end = j->text + j->tok[i].end;
	len = (size_t)(end - p);
	if ((bs = memchr(p, '\\', len)) == NULL)
		return len == n && memcmp(p, s, n) == 0;
	while (p < end) {
		if ((bs = memchr(p, '\\', (size_t)(end - p))) == NULL)
			bs = end;
		len = (size_t)(bs - p);
		if (len > n || memcmp(p, s, len) != 0)
			return 0;
		s += len;
		n -= len;
		if ((p = bs) == end)
			break;
		p += json_unescape_one(p, end, out, &m);
		if (m > n || memcmp(out, s, m) != 0)
			return 0;
		s += m;
		n -= m;
	}
	return n == 0;
}

int
json_unescape(const struct json *j, int i, struct buf *b)
{
	const char *p, *end, *bs;
	char out[4];
	size_t m;

	if (!valid(j, i))
		return -1;
	if (j->tok[i].type == JSMN_OBJECT || j->tok[i].type == JSMN_ARRAY)
		return json_compact(j, i, b);
	p = j->text + j->tok[i].start;
	end = j->text + j->tok[i].end;
	if (j->tok[i].type != JSMN_STRING)
		return buf_add(b, p, (size_t)(end - p));
	while (p < end) {
		if ((bs = memchr(p, '\\', (size_t)(end - p))) == NULL)
			bs = end;
		if (buf_add(b, p, (size_t)(bs - p)) == -1)
			return -1;
		if ((p = bs) == end)
			break;
		p += json_unescape_one(p, end, out, &m);
		if (buf_add(b, out, m) == -1)
			return -1;
	}
	return 0;
}

/* The bytes of token i, with the quotes of a string. */
static void
span(const struct json *j, int i, const char **s, size_t *n)
{
	int start = j->tok[i].start, end = j->tok[i].end;

	if (j->tok[i].type == JSMN_STRING) {
		start--;
		end++;
	}
	*s = j->text + start;
	*n = (size_t)(end - start);
}

/*
 * 1 if s[0..n) holds a byte up to ' ': in validated JSON, only whitespace
 * can be one, since control characters are refused even in strings.
 */
static int
has_space(const char *s, size_t n)
{
	uint64_t w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		if (below(w, 0x21))
			return 1;
	}
	for (; n > 0; s++, n--)
		if ((unsigned char)*s <= ' ')
			return 1;
	return 0;
}

/*
 * Hand the runs of s[0..n) that lie between whitespace outside strings to
 * emit.  Most values hold no whitespace at all, and go out in one piece.
 */
static int
compact(const char *s, size_t n, int (*emit)(void *, const char *, size_t),
    void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n, *run = p;

	if (!has_space(s, n))
		return emit(arg, s, n);
	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\' && p + 1 < end)
					p++;
			if (p < end)
				p++;
		} else if (cls[*p] & WS) {
			if (p > run && emit(arg, (const char *)run,
			    (size_t)(p - run)) == -1)
				return -1;
			while (p < end && (cls[*p] & WS))
				p++;
			run = p;
		} else
			p++;
	}
	if (p > run)
		return emit(arg, (const char *)run, (size_t)(p - run));
	return 0;
}

static int
emit_buf(void *arg, const char *s, size_t n)
{
	return buf_add(arg, s, n);
}

static int
emit_file(void *arg, const char *s, size_t n)
{
	return fwrite(s, 1, n, arg) == n ? 0 : -1;
}

int
json_compact(const struct json *j, int i, struct buf *b)
{
	const char *s;
	size_t n;

	if (!valid(j, i))
		return -1;
	span(j, i, &s, &n);
	return compact(s, n, emit_buf, b);
}

int
json_write(const struct json *j, int i, FILE *fp)
{
	const char *s;
	size_t n;

	if (!valid(j, i))
		return -1;
	span(j, i, &s, &n);
	return compact(s, n, emit_file, fp);
}

/* Write s[0..n) compact and a newline, looking for whitespace if spaced. */
static int
write_line(const char *s, size_t n, int spaced, FILE *fp)
{
	if (spaced) {
		if (compact(s, n, emit_file, fp) == -1)
			return -1;
	} else if (fwrite(s, 1, n, fp) != n)
		return -1;
	return putc('\n', fp) == EOF ? -1 : 0;
}

long
json_write_lines(const struct json *j, int i, FILE *fp)
{
	const char *s;
	size_t n;
	int k, left, spaced;

	if (!valid(j, i))
		return -1;
	span(j, i, &s, &n);
	/* One look for whitespace in the whole value: usually there is none. */
	spaced = has_space(s, n);
	if (j->tok[i].type != JSMN_ARRAY)
		return write_line(s, n, spaced, fp) == -1 ? -1 : 1;
	for (k = i + 1, left = j->tok[i].size; left > 0; left--) {
		span(j, k, &s, &n);
		if (write_line(s, n, spaced, fp) == -1)
			return -1;
		k = json_skip(j, k);
	}
	return j->tok[i].size;
}

int
json_quote(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s, *end = p + n, *run;
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	if (buf_addc(b, '"') == -1)
		return -1;
	for (run = p; p < end; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		if (buf_add(b, run, (size_t)(p - run)) == -1)
			return -1;
		if (*p < 0x20) {
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 0xf];
			if (buf_add(b, esc, 6) == -1)
				return -1;
		} else if (buf_addc(b, '\\') == -1 || buf_addc(b, *p) == -1)
			return -1;
		run = p + 1;
	}
	if (buf_add(b, run, (size_t)(p - run)) == -1)
		return -1;
	return buf_addc(b, '"');
}
