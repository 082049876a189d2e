/*
 * json_scan.c: find where a value ends without tokenizing or validating
 * it, trusting its brackets and quotes: json_scan() over input that comes
 * in pieces, json_value_end() over bytes at hand, and json_member() to
 * look up one member of a record that way.
 */
#include <stddef.h>
#include <string.h>

#include "json/json.h"
#include "json/json_int.h"

/*
 * The scanner's byte classes: it trusts the brackets and quotes, and
 * stops a number or literal at any byte that could follow one.
 */
#define S_QUOTE		0x01
#define S_OPEN		0x02
#define S_CLOSE		0x04
#define S_DELIM		0x08	/* whitespace, ',' or ':' */
#define S_BRACKET	(S_QUOTE | S_OPEN | S_CLOSE)

static const unsigned char scls[256] = {
	['"'] = S_QUOTE,
	['{'] = S_OPEN, ['['] = S_OPEN,
	['}'] = S_CLOSE, [']'] = S_CLOSE,
	[' '] = S_DELIM, ['\t'] = S_DELIM, ['\n'] = S_DELIM, ['\r'] = S_DELIM,
	[','] = S_DELIM, [':'] = S_DELIM,
};

void
json_scan_init(struct json_scan *s)
{
	s->depth = 0;
	s->first = -1;
	s->instring = 0;
}

/*
 * Scan on from p, before e, for the end of the string or container s is
 * in, whose first byte is at base.  Returns the byte after it, or NULL if
 * it goes on past e.  The backslashes before a quote are counted looking
 * back, so no escape needs remembering from one piece to the next.
 */
static inline const unsigned char *
scan_nested(struct json_scan *s, const unsigned char *base,
    const unsigned char *p, const unsigned char *e)
{
	const unsigned char *q, *bs;

	for (;;) {
		if (s->instring) {
			for (;;) {
				q = memchr(p, '"', (size_t)(e - p));
				if (q == NULL)
					return NULL;
				for (bs = q; bs > base && bs[-1] == '\\'; bs--)
					;
				p = q + 1;
				if ((q - bs) % 2 == 0)
					break;
			}
			s->instring = 0;
			if (s->depth == 0)
				return p;
		}
		while (p < e && (scls[*p] & S_BRACKET) == 0)
			p++;
		if (p == e)
			return NULL;
		if (*p == '"')
			s->instring = 1;
		else if (scls[*p] & S_OPEN)
			s->depth++;
		else if (--s->depth == 0)
			return p + 1;
		p++;
	}
}

int
json_scan(struct json_scan *s, const char *text, size_t len, int eof,
    size_t *pos)
{
	const unsigned char *b = (const unsigned char *)text;
	const unsigned char *p = b + *pos, *e = b + len, *end;

	if (s->first == -1) {
		if (p == e)
			return 0;
		s->first = *p;
		if (scls[*p] & (S_CLOSE | S_DELIM)) {
			*pos += 1;
			return 1;
		}
		if (scls[*p] & (S_QUOTE | S_OPEN)) {
			s->instring = *p == '"';
			s->depth = *p != '"';
			p++;
		}
	}
	if (scls[s->first] & (S_QUOTE | S_OPEN))
		end = scan_nested(s, b, p, e);
	else {
		while (p < e && scls[*p] == 0)
			p++;
		end = p < e || eof ? p : NULL;
	}
	if (end == NULL) {
		*pos = len;
		return 0;
	}
	*pos = (size_t)(end - b);
	return 1;
}

/*
 * json_value_end(): json_scan() of all the bytes at once, without the
 * state between calls, for json_member() to inline.
 */
static inline const char *
value_end(const char *p, const char *end)
{
	const unsigned char *b = (const unsigned char *)p;
	const unsigned char *e = (const unsigned char *)end, *q;
	struct json_scan s;

	if (b == e || (scls[*b] & (S_CLOSE | S_DELIM)))
		return NULL;
	if ((scls[*b] & (S_QUOTE | S_OPEN)) == 0) {
		for (q = b + 1; q < e && scls[*q] == 0; q++)
			;
		return (const char *)q;
	}
	s.instring = *b == '"';
	s.depth = *b != '"';
	return (const char *)scan_nested(&s, b, b + 1, e);
}

const char *
json_value_end(const char *p, const char *end)
{
	return value_end(p, end);
}

/* skip_space() over chars. */
static inline const char *
skip_ws(const char *p, const char *end)
{
	return (const char *)skip_space((const unsigned char *)p,
	    (const unsigned char *)end);
}

/* flatten: one function per row of rest-merge's FILE, scans and all. */
__attribute__((flatten)) int
json_member(const char **s, const char **end, const char *key, size_t n)
{
	const char *p, *e = *end, *k, *v, *found = NULL, *found_end = NULL;
	size_t len;

	p = skip_ws(*s, e);
	if (p == e || *p != '{')
		return -1;
	p = skip_ws(p + 1, e);
	while (p < e && *p == '"') {
		k = p + 1;
		if ((p = value_end(p, e)) == NULL)
			return -1;
		len = (size_t)(p - 1 - k);
		if (memchr(k, '\\', len) != NULL)
			return -1;
		p = skip_ws(p, e);
		if (p == e || *p != ':')
			return -1;
		v = skip_ws(p + 1, e);
		if ((p = value_end(v, e)) == NULL)
			return -1;
		if (len == n && memcmp(k, key, n) == 0) {
			found = v;
			found_end = p;
		}
		p = skip_ws(p, e);
		if (p < e && *p == '}')
			break;
		if (p == e || *p != ',')
			return -1;
		p = skip_ws(p + 1, e);
	}
	if (found == NULL)
		return -1;
	*s = found;
	*end = found_end;
	return 0;
}
