/*
 * json.h: JSON bytes.  One value tokenized and validated (jsmn's strict
 * mode alone accepts {"a":1,}, missing commas and "tru"); values found,
 * members looked up and strings written without tokens; this is the only
 * place that configures jsmn, so the token layout is the same in every
 * object file.
 *
 * jsmn's role.  The validator makes its own tokens in one pass
 * (json_parse_shallow(), every hot path: rest-select, rest-merge,
 * rest-paginate), so jsmn no longer needs to be fast.  It stays for three
 * things: its jsmntok_t is the token layout every caller navigates; it is
 * the tokenizer of json_parse(), the two-pass path of small cold inputs
 * (the configuration, the schema sidecar, a sort value); and it is the
 * second implementation that tests/fuzz/fuzz_json.c holds the single
 * pass to, token for token.  Dropping it would leave that pass checked
 * against nothing.
 */
#ifndef JSON_H
#define JSON_H

#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"

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

/* The value of the hex digit c (either case), or -1 if it is none. */
int	json_hexval(int c);

/*
 * Decode the escape at p (a backslash) into out as UTF-8; returns the
 * number of input bytes it took (a \u surrogate pair is one escape of
 * 12), with *n set to the bytes in out.  A lone surrogate becomes U+FFFD.
 */
size_t	json_unescape_one(const char *p, const char *end, char out[4],
	    size_t *n);

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
 * value on one line.  Returns the number of lines written, or -1
 * (ferror).
 */
long	json_write_lines(const struct json *, int i, FILE *fp);


/*
 * Scanning without tokens: where a value ends, in bytes not yet (or
 * never) parsed, at the speed of memchr.  The scanner trusts brackets and
 * quotes and checks nothing else: on bytes that are not JSON its answers
 * mean nothing, but it never reads outside the bytes it is given.  A
 * string ends at a quote after an even run of backslashes, a container
 * at the bracket that balances its first ('{' and '[' alike), a number or
 * literal at whitespace, ',', ':', a quote or a bracket.  On JSON text
 * every answer equals the parser's.
 */
struct json_scan {
	size_t		 depth;		/* brackets open */
	int		 first;		/* the value's first byte; -1: none yet */
	int		 instring;
};

/* Prepare to scan a new value. */
void	json_scan_init(struct json_scan *);

/*
 * Find the end of the value that starts at text[0], whose bytes come in
 * pieces: text[0..len) is what has come so far and *pos where the last
 * call stopped (0 at first).  Returns 1 with *pos just past the value; or
 * 0 with *pos = len when it goes on past len, to call again once more
 * bytes follow text[0..len), which must stay as they were (text may
 * move).  With eof set nothing follows: a number or literal ends at len,
 * a string or container cut short returns 0.  A value that starts with a
 * byte no value starts with (whitespace, ',', ':', '}' or ']') is that
 * byte alone, for the parser to report.
 */
int	json_scan(struct json_scan *, const char *text, size_t len, int eof,
	    size_t *pos);

/*
 * The byte after the value at p, all of whose bytes lie before end, found
 * as json_scan() finds it; NULL if it is cut off, or if p == end or holds
 * a byte no value starts with.
 */
const char *json_value_end(const char *p, const char *end);

/*
 * Narrow [*s, *end), an object after optional whitespace, to the value of
 * its member whose key is key[0..n), found without tokens: a string's
 * value keeps its quotes, and the last such member wins, as in
 * json_get().  Returns 0; or -1 if there is none, or if the bytes are
 * not plain enough to be sure (cut off, an escape in a key, no ':' after
 * a key, no ',' or '}' after a value).  Bytes after the object are not
 * looked at.  On JSON text an answer is the span of json_get()'s token.
 */
int	json_member(const char **s, const char **end, const char *key,
	    size_t n);

/*
 * Append s[0..n) to b as a JSON string: in quotes, '"' and the backslash
 * escaped with a backslash, bytes below ' ' as \u00xx, every other byte
 * as it is, so that json_unescape() of it gives s back.  Returns 0, or -1
 * past the buffer's maximum (b holds part of it then).
 */
int	json_quote(struct buf *b, const char *s, size_t n);

#endif
