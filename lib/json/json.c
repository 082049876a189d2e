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
 *
 * What reads the tokens made here is json_value.c; finding the end of a
 * value without tokens is json_scan.c.
 */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_STATIC
#include <jsmn.h>

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "json/json_int.h"

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
