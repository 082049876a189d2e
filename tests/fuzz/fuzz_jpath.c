/*
 * libFuzzer: the data_selector grammar, against a second implementation.
 *
 * The input is a selector.  A reference parser written here from the
 * grammar of rest-select(1) (and OData's "@odata.nextLink", one key) must
 * accept exactly what jpath_compile()
 * accepts, with as many steps as jpath_depth() says.  For an accepted
 * selector the harness builds documents from the reference's steps:
 *   - one where the path leads to a marked value, past decoys (longer and
 *     shorter keys, the same key escaped and repeated before the last
 *     member, which is the one that counts, elements either side);
 *     jpath_eval() must return the marked token;
 *   - one where a key is missing or an index out of range at one level,
 *     and one where a container has the wrong type there; both -1.
 * Then the reference's steps are written back as canonical text, in two
 * spellings, and compiled again: same depth, same token.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "json/jpath.h"
#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Longer paths nest past JSON_MAX_DEPTH once decoys wrap them. */
#define MAX_BUILT	200
/* An index further from 0 than this is tested as out of range. */
#define MAX_INDEX	40
#define LEAF		"271828"

struct rstep {
	int		 is_key;
	const char	*key;	/* into the reference's key bytes */
	size_t		 len;
	long		 index;
};

struct ref {
	struct rstep	*step;
	size_t		 n;
	char		*keys;
};

static void
check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static int
is_namechar(unsigned char c)
{
	return c >= 0x80 || c == '_' || c == '-' ||
	    strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789", c) != NULL;
}

/*
 * The quoted key at s[*i], its quote, into out: 0 with *len set and *i
 * past the closing quote, or -1.
 */
static int
ref_quoted(const char *s, size_t *i, char *out, size_t *len)
{
	size_t j = *i + 1;
	char q = s[*i];

	*len = 0;
	for (; s[j] != q; j++) {
		if (s[j] == '\0')
			return -1;
		if (s[j] == '\\') {
			j++;
			if (s[j] != '\'' && s[j] != '"' && s[j] != '\\')
				return -1;
		}
		out[(*len)++] = s[j];
	}
	*i = j + 1;
	return 0;
}

/*
 * The reference parser.  Grammar, from rest-select(1):
 *   selector = ( "$" / "*" / name / bracket ) *step    ; not empty
 *   step     = "." name / "." "*" / bracket
 *   bracket  = "[" ( "*" / index / quoted ) "]"
 *   quoted   = "'" *( qchar / "\" ( "'" / DQUOTE / "\" ) ) "'"  ; or "..."
 *   index    = [ "-" ] 1*DIGIT                       ; within a long
 * A "*" or "[*]" adds no step and must be the last thing.
 * Returns 0 with r filled in, or -1.
 */
static int
ref_parse(const char *s, struct ref *r)
{
	size_t n = strlen(s), i = 0, k = 0;
	int first = 1, done = 0;

	r->step = calloc(n + 1, sizeof(*r->step));
	r->keys = malloc(n + 1);
	r->n = 0;
	if (r->step == NULL || r->keys == NULL)
		abort();
	if (n == 0)
		return -1;
	/* OData's annotations: the whole selector is one key. */
	if (s[0] == '@' && s[1] != '\0' && is_namechar((unsigned char)s[1])) {
		memcpy(r->keys, s, n);
		r->step[0].is_key = 1;
		r->step[0].key = r->keys;
		r->step[0].len = n;
		r->n = 1;
		return 0;
	}
	if (s[0] == '$') {
		i = 1;
		first = 0;
	}
	for (; i < n; first = 0) {
		struct rstep *st = &r->step[r->n];

		if (done)
			return -1;
		if (s[i] == '*' && first) {
			i++;
			done = 1;
		} else if ((first && s[i] != '[') || s[i] == '.') {
			/* A name, after a dot unless it comes first. */
			if (!first)
				i++;
			if (s[i] == '*' && !first) {
				i++;
				done = 1;
				continue;
			}
			st->is_key = 1;
			st->key = r->keys + k;
			while (i < n && is_namechar((unsigned char)s[i]))
				r->keys[k++] = s[i++];
			if ((st->len = (size_t)(r->keys + k - st->key)) == 0)
				return -1;
			r->n++;
		} else if (s[i] == '[') {
			i++;
			if (s[i] == '*') {
				i++;
				done = 1;
			} else if (s[i] == '\'' || s[i] == '"') {
				st->is_key = 1;
				st->key = r->keys + k;
				if (ref_quoted(s, &i, r->keys + k, &st->len) ==
				    -1)
					return -1;
				k += st->len;
				r->n++;
			} else {
				int neg = s[i] == '-';
				unsigned long long v = 0;
				size_t d = 0;

				if (neg)
					i++;
				for (; i < n && s[i] >= '0' && s[i] <= '9';
				    i++, d++) {
					/* Before the product can wrap. */
					if (v > ((unsigned long long)LONG_MAX -
					    (unsigned)(s[i] - '0')) / 10)
						return -1;
					v = v * 10 + (unsigned)(s[i] - '0');
				}
				if (d == 0)
					return -1;
				st->index = neg ? -(long)v : (long)v;
				r->n++;
			}
			if (s[i] != ']')
				return -1;
			i++;
		} else {
			return -1;
		}
	}
	return 0;
}

static void
ref_free(struct ref *r)
{
	free(r->step);
	free(r->keys);
}

/*
 * Member name key[0..len) followed by suffix, as a JSON string and a
 * colon: plain escapes only what must be escaped, else every ASCII byte
 * is a \u escape (bytes past ASCII stay as they are).
 */
static void
json_key(struct buf *b, const char *key, size_t len, const char *suffix,
    int plain)
{
	static const char hex[] = "0123456789abcdef";
	struct buf name;
	size_t i;

	buf_init(&name, 0);
	buf_add(&name, key, len);
	buf_adds(&name, suffix);
	buf_addc(b, '"');
	for (i = 0; i < name.len; i++) {
		unsigned char c = (unsigned char)name.data[i];
		char u[7] = "\\u00";

		if (plain && c == '\n') {
			buf_adds(b, "\\n");
		} else if (plain && (c == '"' || c == '\\')) {
			buf_addc(b, '\\');
			buf_addc(b, c);
		} else if (c < 0x20 || (!plain && c < 0x80)) {
			u[4] = hex[c >> 4];
			u[5] = i % 2 ? hex[c & 15] : "0123456789ABCDEF"[c & 15];
			buf_add(b, u, 6);
		} else {
			buf_addc(b, c);
		}
	}
	buf_adds(b, "\":");
	buf_free(&name);
}

enum { HIT, MISSING, WRONG_TYPE };

/*
 * Write the document for steps k.. of r, broken at level at as kind says
 * (HIT: nowhere).  *leaf is set to the leaf's offset if it is written.
 * Returns 1 if the path leads to the leaf: it is not broken and no index
 * was too far from 0 to build.
 */
static int
build(struct buf *b, const struct ref *r, size_t k, int kind, size_t at,
    size_t *leaf)
{
	const struct rstep *s = &r->step[k];
	int broken = kind != HIT && k == at, ok;
	long len, pos, i;

	if (k == r->n) {
		*leaf = b->len;
		buf_adds(b, LEAF);
		return 1;
	}
	if (broken && kind == WRONG_TYPE) {
		/* An array where an object was, and the other way round. */
		buf_adds(b, s->is_key ? "[" : "{\"0\":");
		build(b, r, k + 1, kind, at, leaf);
		buf_adds(b, s->is_key ? "]" : "}");
		return 0;
	}
	if (s->is_key) {
		/*
		 * Decoys: the key and one more byte, the key but its last
		 * byte, the key escaped (the last member of a key counts),
		 * and "\u0000".  Missing, the path goes on under the longer
		 * key.
		 */
		buf_addc(b, '{');
		json_key(b, s->key, s->len, "x", 1);
		if (broken)
			build(b, r, k + 1, kind, at, leaf);
		else
			buf_addc(b, '2');
		if (s->len > 0) {
			buf_addc(b, ',');
			json_key(b, s->key, s->len - 1, "", 1);
			buf_addc(b, '3');
		}
		ok = 0;
		if (!broken) {
			buf_addc(b, ',');
			json_key(b, s->key, s->len, "", 0);
			buf_adds(b, "4,");
			json_key(b, s->key, s->len, "", 1);
			ok = build(b, r, k + 1, kind, at, leaf);
		}
		buf_adds(b, ",\"\\u0000\":5}");
		return ok;
	}
	if (s->index > MAX_INDEX || s->index < -MAX_INDEX) {
		buf_adds(b, "[7,8,9]");
		return 0;
	}
	/* The element, with 0 to 2 more after it; missing, one too few. */
	if (s->index >= 0) {
		pos = s->index;
		len = broken ? pos : pos + 1 + (long)(k % 3);
	} else {
		len = broken ? -s->index - 1 : -s->index + (long)(k % 3);
		pos = len + s->index;
	}
	ok = !broken;
	buf_addc(b, '[');
	for (i = 0; i < len; i++) {
		if (i > 0)
			buf_addc(b, ',');
		if (i == pos)
			ok = build(b, r, k + 1, kind, at, leaf) && ok;
		else
			buf_adds(b, i % 2 ? "{\"a\":[10]}" : "11");
	}
	buf_addc(b, ']');
	return ok;
}

/* Write the steps of r as text that jpath_compile() must read back. */
static char *
render(const struct ref *r, int quoted)
{
	struct buf b;
	size_t i, j;
	char num[32];

	buf_init(&b, 0);
	buf_addc(&b, '$');
	for (i = 0; i < r->n; i++) {
		const struct rstep *s = &r->step[i];
		int bare = !quoted && s->is_key && s->len > 0;

		if (!s->is_key) {
			snprintf(num, sizeof(num), "[%ld]", s->index);
			buf_adds(&b, num);
			continue;
		}
		for (j = 0; bare && j < s->len; j++)
			bare = is_namechar((unsigned char)s->key[j]);
		if (bare) {
			buf_addc(&b, '.');
			buf_add(&b, s->key, s->len);
			continue;
		}
		buf_adds(&b, quoted ? "[\"" : "['");
		for (j = 0; j < s->len; j++) {
			if (strchr(quoted ? "\"\\" : "'\\", s->key[j]) != NULL)
				buf_addc(&b, '\\');
			buf_addc(&b, s->key[j]);
		}
		buf_adds(&b, quoted ? "\"]" : "']");
	}
	if (quoted)
		buf_adds(&b, "[*]");
	return buf_str(&b);
}

/* Build the document of kind, and check what jp finds in it. */
static void
check_doc(const struct jpath *jp, const struct ref *r, int kind, size_t at)
{
	struct json_error err;
	struct json js;
	struct buf b;
	size_t leaf = 0;
	int reach, t, v;

	buf_init(&b, 0);
	reach = build(&b, r, 0, kind, at, &leaf);
	json_init(&js);
	check(json_parse(&js, b.data, b.len, &err) == 0);
	t = jpath_eval(jp, &js, 0);
	if (!reach) {
		check(t == -1);
	} else {
		check(t >= 0 && t < js.ntok);
		check(js.tok[t].start == (int)leaf);
	}
	/* The same selector, written back in two spellings. */
	for (v = 0; v < 2; v++) {
		const char *why;
		char *text = render(r, v);
		struct jpath *again = jpath_compile(text, &why);

		check(again != NULL);
		check(jpath_depth(again) == r->n);
		check(jpath_eval(again, &js, 0) == t);
		jpath_free(again);
		free(text);
	}
	json_free(&js);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jpath *jp;
	struct ref r;
	const char *why = NULL;
	char *sel;
	int accepted;

	sel = xstrndup((const char *)data, size);
	accepted = ref_parse(sel, &r) == 0;
	jp = jpath_compile(sel, &why);
	check((jp != NULL) == accepted);
	if (jp == NULL) {
		check(why != NULL);
	} else {
		check(jpath_depth(jp) == r.n);
		check(jpath_is_root(jp) == (r.n == 0));
		if (r.n <= MAX_BUILT) {
			check_doc(jp, &r, HIT, 0);
			if (r.n > 0) {
				check_doc(jp, &r, MISSING, size % r.n);
				check_doc(jp, &r, WRONG_TYPE, size * 7 % r.n);
			}
		}
		jpath_free(jp);
	}
	ref_free(&r);
	free(sel);
	return 0;
}
