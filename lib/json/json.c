/*
 * json.c: validate one JSON value in a single pass, then tokenize it with
 * jsmn.  jsmn's strict mode accepts {"a":1,}, missing commas and "tru", so
 * the validator decides what is JSON and jsmn only builds the tokens.
 *
 * This is the one file that compiles jsmn's implementation: jsmn.h is
 * included here without JSMN_HEADER before json.h, whose own include of it
 * is then skipped by jsmn.h's include guard.  JSMN_STATIC keeps jsmn
 * private to this file (nothing else calls it), which lets the compiler
 * inline it and keep its parser state in registers: jsmn_parse() takes
 * the parser by pointer next to a char pointer that might alias it.
 */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_STATIC
#include <jsmn.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

/* Byte classes, one table lookup per byte in the hot loops. */
#define WS	0x01	/* whitespace between tokens */
#define ST	0x02	/* ends a run of plain bytes in a string */
#define WD	0x04	/* may not directly follow a number or literal */
#define DG	0x08	/* decimal digit */
#define HX	0x10	/* hexadecimal digit */
#define NUM	(WD | DG | HX)
#define HEX	(WD | HX)

static const unsigned char cls[256] = {
	ST, ST, ST, ST, ST, ST, ST, ST,
	ST, WS|ST, WS|ST, ST, ST, WS|ST, ST, ST,
	ST, ST, ST, ST, ST, ST, ST, ST,
	ST, ST, ST, ST, ST, ST, ST, ST,
	WS, 0, ST, 0, 0, 0, 0, 0,		/* ' ' to '\'' */
	0, 0, 0, WD, 0, WD, WD, 0,		/* '(' to '/' */
	NUM, NUM, NUM, NUM, NUM, NUM, NUM, NUM,	/* '0' to '7' */
	NUM, NUM, 0, 0, 0, 0, 0, 0,		/* '8' to '?' */
	0, HEX, HEX, HEX, HEX, HEX, HEX, WD,	/* '@' to 'G' */
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, 0, ST, 0, 0, WD,		/* 'X' to '_' */
	0, HEX, HEX, HEX, HEX, HEX, HEX, WD,	/* '`' to 'g' */
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, WD, WD, WD, WD, WD,
	WD, WD, WD, 0, 0, 0, 0, 0,		/* 'x' to DEL */
};

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Nonzero when some byte of x is less than n (n at most 128). */
static inline uint64_t
below(uint64_t x, unsigned int n)
{
	return (x - ONES * n) & ~x & HIGHS;
}

void
json_init(struct json *j)
{
	j->text = NULL;
	j->len = 0;
	j->tok = NULL;
	j->ntok = 0;
	j->cap = 0;
}

void
json_free(struct json *j)
{
	free(j->tok);
	json_init(j);
}

static int
fail(struct json_error *err, const char *text, const unsigned char *at,
    const char *msg)
{
	err->off = (size_t)((const char *)at - text);
	err->msg = msg;
	return -1;
}

/*
 * Check the string body at p, just past its opening quote.  Returns the
 * byte after the closing quote, or NULL with *at and *msg set.
 */
static const unsigned char *
scan_string(const unsigned char *p, const unsigned char *end,
    const unsigned char **at, const char **msg)
{
	uint64_t w;
	int k;

	for (;;) {
		/*
		 * Skip eight plain bytes at a time, then find the quote,
		 * backslash or control byte one byte at a time.
		 */
		for (; end - p >= 8; p += 8) {
			memcpy(&w, p, 8);
			if (below(w, 0x20) | below(w ^ ONES * '"', 1) |
			    below(w ^ ONES * '\\', 1))
				break;
		}
		while (p < end && (cls[*p] & ST) == 0)
			p++;
		if (p == end)
			break;
		if (*p == '"')
			return p + 1;
		if (*p != '\\') {
			*at = p;
			*msg = "control character in string";
			return NULL;
		}
		if (p + 1 == end)
			break;
		switch (p[1]) {
		case '"':
		case '/':
		case '\\':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			p += 2;
			continue;
		case 'u':
			for (k = 2; k < 6; k++) {
				if (p + k == end)
					goto eof;
				if ((cls[p[k]] & HX) == 0)
					goto bad;
			}
			p += 6;
			continue;
		}
bad:
		*at = p;
		*msg = "invalid escape";
		return NULL;
	}
eof:
	*at = end;
	*msg = "unexpected end of input";
	return NULL;
}

/*
 * Check the number at p against JSON's grammar.  Returns the byte after
 * it, or NULL with *at and *msg set.  A number cut short by the end of the
 * text is simply invalid: the text ends where the caller says it does.
 */
static const unsigned char *
scan_number(const unsigned char *p, const unsigned char *end,
    const unsigned char **at, const char **msg)
{
	const unsigned char *start = p;

	if (*p == '-')
		p++;
	if (p == end)
		goto bad;
	if (*p == '0')
		p++;
	else if (cls[*p] & DG) {
		while (p < end && (cls[*p] & DG))
			p++;
	} else
		goto bad;
	if (p < end && *p == '.') {
		if (++p == end || (cls[*p] & DG) == 0)
			goto bad;
		while (p < end && (cls[*p] & DG))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || (cls[*p] & DG) == 0)
			goto bad;
		while (p < end && (cls[*p] & DG))
			p++;
	}
	if (p < end && (cls[*p] & WD))
		goto bad;
	return p;
bad:
	*at = start;
	*msg = "invalid number";
	return NULL;
}

/* Check the literal at p, which starts like word.  Like scan_number(). */
static const unsigned char *
scan_literal(const unsigned char *p, const unsigned char *end,
    const char *word, size_t n, const unsigned char **at, const char **msg)
{
	size_t left = (size_t)(end - p);

	if (left < n || memcmp(p, word, n) != 0 ||
	    (left > n && (cls[p[n]] & WD))) {
		*at = p;
		*msg = "invalid literal";
		return NULL;
	}
	return p + n;
}

/* Make room for n tokens, doubling the array. */
static void
grow_tokens(struct json *j, size_t n)
{
	size_t cap = j->cap > 0 ? (size_t)j->cap : 256;

	if (n <= (size_t)j->cap)
		return;
	while (cap < n)
		cap *= 2;
	if (cap > JSON_MAX_TOKENS)
		cap = JSON_MAX_TOKENS;
	j->tok = xrealloc(j->tok, cap * sizeof(*j->tok));
	j->cap = (int)cap;
}

/*
 * Append a token for the span [start, end) of text to j.  The validator
 * counts every token against JSON_MAX_TOKENS first, so there is room.
 */
static int
record(struct json *j, jsmntype_t type, const char *text,
    const unsigned char *start, const unsigned char *end, int parent)
{
	jsmntok_t *t;

	if (j->ntok == j->cap)
		grow_tokens(j, (size_t)j->ntok + 1);
	t = &j->tok[j->ntok];
	t->type = type;
	t->start = (int)((const char *)start - text);
	t->end = (int)((const char *)end - text);
	t->size = 0;
	t->parent = parent;
	return j->ntok++;
}

/* The first byte at or after p that is not whitespace, or end. */
static inline const unsigned char *
skip_space(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (cls[*p] & WS))
		p++;
	return p;
}

/*
 * Check the number or literal at p.  Like scan_number(); novalue is the
 * message when p starts no value at all.
 */
static inline const unsigned char *
scan_scalar(const unsigned char *p, const unsigned char *end,
    const char *novalue, const unsigned char **at, const char **msg)
{
	if (*p == '-' || (cls[*p] & DG))
		return scan_number(p, end, at, msg);
	if (*p == 't')
		return scan_literal(p, end, "true", 4, at, msg);
	if (*p == 'f')
		return scan_literal(p, end, "false", 5, at, msg);
	if (*p == 'n')
		return scan_literal(p, end, "null", 4, at, msg);
	*at = p;
	*msg = novalue;
	return NULL;
}

/* Fail at p, which is the end of the text or a byte other than what. */
static int
expected(struct json_error *err, const char *text, const unsigned char *p,
    const unsigned char *end, const char *what)
{
	return fail(err, text, p, p == end ? "unexpected end of input" : what);
}

/*
 * At p, just past a value and its whitespace: the end of the text, or,
 * at depth 0, trailing data.  Ends the validating pass either way.
 */
static int
finish(const char *text, const unsigned char *p, const unsigned char *end,
    size_t depth, size_t count, size_t *ntok, struct json_error *err)
{
	if (p < end)
		return fail(err, text, p, "trailing data after value");
	if (depth > 0)
		return fail(err, text, p, "unexpected end of input");
	*ntok = count;
	return 0;
}

/*
 * Fail at p, where a value was to start: the end of the text (count says
 * whether anything came before), or the token over JSON_MAX_TOKENS.
 */
static int
no_value(struct json_error *err, const char *text, const unsigned char *p,
    const unsigned char *end, size_t count)
{
	if (p < end)
		return fail(err, text, p, "too many tokens");
	return fail(err, text, p, count == 0 ?
	    "empty input" : "unexpected end of input");
}

/* Fail at p, a byte that neither follows a value in bracket nor closes it. */
static int
unclosed(struct json_error *err, const char *text, const unsigned char *p,
    unsigned char bracket)
{
	return fail(err, text, p, bracket == '{' ?
	    "expected ',' or '}'" : "expected ',' or ']'");
}

/*
 * Open the container whose bracket is at p, at depth: push the bracket
 * and, when depth is less than levels, record its token.
 */
static inline void
push(struct json *j, const char *text, const unsigned char *p,
    unsigned char *stack, int *open, size_t depth, size_t levels,
    int parent)
{
	if (depth < levels)
		open[depth] = record(j, *p == '{' ? JSMN_OBJECT : JSMN_ARRAY,
		    text, p, p, parent);
	stack[depth] = *p;
}

/*
 * An element counts in its array, when that is recorded, and is its
 * parent; a member's value has its key for parent already.  Returns the
 * parent of the value starting at depth (with levels 0, j is not touched).
 */
static inline int
count_element(struct json *j, const unsigned char *stack, const int *open,
    size_t depth, size_t levels, int parent)
{
	if (depth > 0 && depth <= levels && stack[depth - 1] == '[') {
		parent = open[depth - 1];
		j->tok[parent].size++;
	}
	return parent;
}

/*
 * The colon after a key, at p or after whitespace.  Returns the byte
 * after it, or NULL with *at and *msg set.
 */
static inline const unsigned char *
scan_colon(const unsigned char *p, const unsigned char *end,
    const unsigned char **at, const char **msg)
{
	p = skip_space(p, end);
	if (p == end || *p != ':') {
		*at = p;
		*msg = p == end ? "unexpected end of input" : "expected ':'";
		return NULL;
	}
	return p + 1;
}

/*
 * Count the key [start, key_end) in the object open at depth and record
 * it, when they are less than levels deep (with levels 0, j is not
 * touched).  Returns the key's token, the parent of the member's value,
 * or parent as it was.
 */
static inline int
record_key(struct json *j, const char *text, const unsigned char *start,
    const unsigned char *key_end, const int *open, size_t depth,
    size_t levels, int parent)
{
	if (levels > 0 && depth <= levels)
		j->tok[open[depth - 1]].size++;
	if (depth < levels) {
		parent = record(j, JSMN_STRING, text, start, key_end,
		    open[depth - 1]);
		j->tok[parent].size = 1;
	}
	return parent;
}

/*
 * The validating pass: a pushdown automaton over the bytes, with the open
 * brackets on a fixed stack (depth is bounded).  Its three states are
 * labels: value (a value must start here), next (a value just ended) and
 * key (on the quote of a member's key), so the common path through a
 * member, key to colon to value to comma, runs straight on.  Counts the
 * tokens jsmn will need, so the token array can be sized before jsmn runs.
 *
 * Given levels > 0 it also records into j the tokens jsmn would make for
 * the values and keys less than levels deep, in jsmn's order and with
 * jsmn's sizes and parent links: json_parse_shallow().  open[d] is the
 * token of the container open at depth d, when it is recorded.
 */
static int
validate(const char *text, size_t len, struct json *j, size_t levels,
    size_t *ntok, struct json_error *err)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len, *at = p, *start;
	unsigned char stack[JSON_MAX_DEPTH];
	int open[JSON_MAX_DEPTH];
	size_t depth = 0, count = 0;
	const char *msg = NULL, *novalue = "expected a value";
	int parent = -1;

value:
	p = skip_space(p, end);
	if (p == end || ++count > JSON_MAX_TOKENS)
		return no_value(err, text, p, end, count);
	parent = count_element(j, stack, open, depth, levels, parent);
	start = p;
	switch (*p) {
	case '{':
	case '[':
		if (depth == JSON_MAX_DEPTH)
			return fail(err, text, p, "nesting too deep");
		push(j, text, p, stack, open, depth++, levels, parent);
		p = skip_space(p + 1, end);
		if (p < end && *p == (*start == '{' ? '}' : ']'))
			goto close;
		if (*start == '[') {
			novalue = "expected a value or ']'";
			goto value;
		}
		if (p == end || *p != '"')
			return expected(err, text, p, end,
			    "expected a key or '}'");
		goto key;
	case '"':
		if ((p = scan_string(p + 1, end, &at, &msg)) == NULL)
			return fail(err, text, at, msg);
		if (depth < levels)
			record(j, JSMN_STRING, text, start + 1, p - 1, parent);
		goto next;
	}
	if ((p = scan_scalar(p, end, novalue, &at, &msg)) == NULL)
		return fail(err, text, at, msg);
	if (depth < levels)
		record(j, JSMN_PRIMITIVE, text, start, p, parent);

next:
	p = skip_space(p, end);
	if (p == end || depth == 0)
		return finish(text, p, end, depth, count, ntok, err);
	if (*p == ',') {
		p = skip_space(p + 1, end);
		novalue = "expected a value";
		if (stack[depth - 1] == '[')
			goto value;
		if (p == end || *p != '"')
			return expected(err, text, p, end, "expected a key");
		goto key;
	}
	if (*p != (stack[depth - 1] == '{' ? '}' : ']'))
		return unclosed(err, text, p, stack[depth - 1]);
close:
	depth--;
	p++;
	if (depth < levels)
		j->tok[open[depth]].end = (int)((const char *)p - text);
	goto next;

key:
	start = p + 1;
	if ((p = scan_string(start, end, &at, &msg)) == NULL)
		return fail(err, text, at, msg);
	if (++count > JSON_MAX_TOKENS)
		return fail(err, text, start - 1, "too many tokens");
	parent = record_key(j, text, start, p - 1, open, depth, levels, parent);
	if ((p = scan_colon(p, end, &at, &msg)) == NULL)
		return fail(err, text, at, msg);
	novalue = "expected a value";
	goto value;
}

/*
 * flatten inlines jsmn here, where its parser is a local that nothing can
 * alias: about 5% faster over a page.
 */
__attribute__((flatten)) int
json_parse(struct json *j, const char *text, size_t len,
    struct json_error *err)
{
	const unsigned char *p = (const unsigned char *)text;
	const unsigned char *end = p + len;
	jsmn_parser parser;
	size_t ntok;
	int r;

	j->text = text;
	j->len = len;
	j->ntok = 0;
	if (len > INT_MAX)
		return fail(err, text, p, "value too large");
	if (validate(text, len, NULL, 0, &ntok, err) == -1)
		return -1;
	grow_tokens(j, ntok);

	/*
	 * In strict mode jsmn wants a delimiter after a primitive, so a bare
	 * number or literal at the end of the text would be "partial".  The
	 * validator has checked it already: make its one token here.
	 */
	while (cls[*p] & WS)
		p++;
	if (*p != '{' && *p != '[' && *p != '"') {
		j->tok[0].type = JSMN_PRIMITIVE;
		j->tok[0].start = (int)((const char *)p - text);
		while (p < end && (cls[*p] & WS) == 0)
			p++;
		j->tok[0].end = (int)((const char *)p - text);
		j->tok[0].size = 0;
		j->tok[0].parent = -1;
		j->ntok = 1;
		return 0;
	}

	/*
	 * The array was sized from the validator's count, so jsmn has room;
	 * should it still run short, grow and resume with the same parser.
	 */
	jsmn_init(&parser);
	for (;;) {
		r = jsmn_parse(&parser, text, len, j->tok,
		    (unsigned int)j->cap);
		if (r != JSMN_ERROR_NOMEM)
			break;
		if (j->cap >= JSON_MAX_TOKENS)
			return fail(err, text, (const unsigned char *)text +
			    parser.pos, "too many tokens");
		grow_tokens(j, (size_t)j->cap * 2);
	}
	if (r < 0)
		return fail(err, text, (const unsigned char *)text + parser.pos,
		    "invalid json");
	j->ntok = r;
	return 0;
}

/*
 * No jsmn here: the validator makes the tokens as it checks the bytes,
 * down to depth (levels counts the root's level too).  flatten inlines
 * validate() with j and levels known, as json_parse() does without them.
 */
__attribute__((flatten)) int
json_parse_shallow(struct json *j, const char *text, size_t len,
    size_t depth, struct json_error *err)
{
	size_t levels = depth < JSON_MAX_DEPTH ? depth + 1 : JSON_MAX_DEPTH + 1;
	size_t ntok;

	j->text = text;
	j->len = len;
	j->ntok = 0;
	if (len > INT_MAX)
		return fail(err, text, (const unsigned char *)text,
		    "value too large");
	if (validate(text, len, j, levels, &ntok, err) == -1) {
		j->ntok = 0;
		return -1;
	}
	return 0;
}

void
json_linecol(const char *text, size_t off, size_t *line, size_t *col)
{
	const char *p = text, *end = text + off, *bol = text, *nl;
	size_t n = 1;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p = bol = nl + 1;
	}
	*line = n;
	*col = (size_t)(end - bol) + 1;
}

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
