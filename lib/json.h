/*
 * json.h: one JSON value tokenized by jsmn (strict mode, parent links) and
 * validated, since jsmn's strict mode alone accepts {"a":1,}, missing
 * commas and "tru".  This is the only place that configures jsmn, so the
 * token layout is the same in every object file.
 */
#ifndef JSON_H
#define JSON_H

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

#define JSON_MAX_DEPTH	512		/* deeper nesting is refused */
#define JSON_MAX_TOKENS	(1 << 24)	/* tokens in one value */

struct json {
	const char	*text;	/* the value's bytes, not owned */
	size_t		 len;
	jsmntok_t	*tok;	/* owned; tok[0] is the root value */
	int		 ntok;
	int		 cap;
};

struct json_error {
	size_t		 off;	/* byte offset of the fault in text */
	const char	*msg;	/* static, lower-case: "expected ',' or ']'" */
};

/* Prepare an empty parser state; no memory is allocated yet. */
void	json_init(struct json *);

/* Free the token array; the struct can be reused after json_init(). */
void	json_free(struct json *);

/*
 * Tokenize and validate text[0..len), which must hold exactly one JSON
 * value with optional whitespace around it.  The token array is reused
 * and grows as needed.  Returns 0; or -1 with err filled in.  text must
 * stay alive while the tokens are used.
 */
int	json_parse(struct json *, const char *text, size_t len,
	    struct json_error *err);

/* The depth of json_parse_shallow() that keeps every level. */
#define JSON_ALL_LEVELS	(JSON_MAX_DEPTH + 1)

/*
 * Like json_parse(), with the same validation and errors, but the
 * validating pass makes the tokens itself, and only for the values and
 * keys at most depth levels below the root (whose level is 0): the
 * tokens jsmn would make, in its order, minus the deeper ones.  A
 * container at the last level keeps its span and size but has no member
 * tokens, so navigate (json_get(), json_index(), jpath_eval()) only above
 * it.  Reading a value without its interior is what makes rest-select
 * fast: a page's records are written as spans, never tokenized.  With
 * JSON_ALL_LEVELS it makes every token, in one pass instead of
 * json_parse()'s two, which is what rest-merge does with each record
 * and rest-paginate with each page.
 */
int	json_parse_shallow(struct json *, const char *text, size_t len,
	    size_t depth, struct json_error *err);

/* Turn a byte offset of text into a 1-based line and column. */
void	json_linecol(const char *text, size_t off, size_t *line, size_t *col);

/* The index of the first token after token i's subtree. */
int	json_skip(const struct json *, int i);

/*
 * The value token of the member of object token obj whose key, once
 * unescaped, equals key[0..n); -1 if there is none or obj is no object.
 * A repeated key yields its last member, as most parsers do.
 */
int	json_get(const struct json *, int obj, const char *key, size_t n);

/* The element idx of array token arr (negative counts from the end); -1. */
int	json_index(const struct json *, int arr, long idx);

/* Token kinds, by name. */
int	json_is_null(const struct json *, int i);
int	json_is_bool(const struct json *, int i, int *value);
int	json_is_number(const struct json *, int i);
int	json_is_string(const struct json *, int i);
int	json_is_object(const struct json *, int i);
int	json_is_array(const struct json *, int i);

/*
 * Parse number token i as an integer that fits a long long; returns 0, or
 * -1 if it is no number, has a fraction or exponent, or is out of range.
 */
int	json_long(const struct json *, int i, long long *value);

/* 1 if string token i, unescaped, equals s[0..n); else 0. */
int	json_streq(const struct json *, int i, const char *s, size_t n);

/*
 * Append the unescaped (UTF-8) value of string token i to b; a primitive
 * is appended as its text.  Returns 0, or -1 past the buffer's maximum.
 */
int	json_unescape(const struct json *, int i, struct buf *b);

/*
 * Append token i's value in compact form to b: whitespace outside strings
 * removed, every other byte copied as it came, so numbers and escapes are
 * kept exactly.  Returns 0, or -1 past the buffer's maximum.
 */
int	json_compact(const struct json *, int i, struct buf *b);

/* Write token i's value in compact form to fp; returns 0, or -1 (ferror). */
int	json_write(const struct json *, int i, FILE *fp);

/*
 * Write token i to fp as JSON Lines in compact form: each element of an
 * array on a line of its own (an empty array writes nothing), any other
 * value on one line.  Returns 0, or -1 (ferror).
 */
int	json_write_lines(const struct json *, int i, FILE *fp);

#endif
