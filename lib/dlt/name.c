#include <stddef.h>

#include "base/buf.h"
#include "dlt/name.h"

#define IS_UPPER(c)	((c) >= 'A' && (c) <= 'Z')
#define IS_LOWER(c)	((c) >= 'a' && (c) <= 'z')
#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define IS_SPACE(c)	((c) == ' ' || ((c) >= '\t' && (c) <= '\r'))

/* dlt's reduced alphabet: these become letters or '_' before the rest. */
static int
reduce(int c)
{
	switch (c) {
	case '+':
	case '*':
		return 'x';
	case '-':
		return '_';
	case '@':
		return 'a';
	case '|':
		return 'l';
	}
	return c;
}

/* "([^_])([A-Z][a-z]+)" -> "\1_\2", matches taken left to right. */
static void
break_words(const char *s, size_t n, struct buf *out)
{
	size_t i = 0, j;

	while (i < n) {
		if (s[i] != '_' && i + 2 < n && IS_UPPER(s[i + 1]) &&
		    IS_LOWER(s[i + 2])) {
			for (j = i + 3; j < n && IS_LOWER(s[j]); j++)
				;
			buf_addc(out, s[i]);
			buf_addc(out, '_');
			buf_add(out, s + i + 1, j - i - 1);
			i = j;
		} else
			buf_addc(out, s[i++]);
	}
}

/* "([a-z0-9])([A-Z])" -> "\1_\2", then lower case. */
static void
break_case(const char *s, size_t n, struct buf *out)
{
	size_t i = 0;

	while (i < n) {
		if ((IS_LOWER(s[i]) || IS_DIGIT(s[i])) && i + 1 < n &&
		    IS_UPPER(s[i + 1])) {
			buf_addc(out, s[i]);
			buf_addc(out, '_');
			buf_addc(out, s[i + 1] - 'A' + 'a');
			i += 2;
		} else {
			buf_addc(out, IS_UPPER(s[i]) ? s[i] - 'A' + 'a' : s[i]);
			i++;
		}
	}
}

int
normalize(const char *name, size_t n, struct buf *b)
{
	struct buf t, u;
	size_t i, trail;
	int c, run = 0;

	while (n > 0 && IS_SPACE(*name)) {
		name++;
		n--;
	}
	while (n > 0 && IS_SPACE(name[n - 1]))
		n--;
	if (n == 0)
		return -1;

	/* Every run of other bytes (so any UTF-8 sequence) is one '_'. */
	buf_init(&t, 0);
	buf_init(&u, 0);
	for (i = 0; i < n; i++) {
		c = reduce((unsigned char)name[i]);
		if (IS_UPPER(c) || IS_LOWER(c) || IS_DIGIT(c) || c == '_') {
			buf_addc(&t, c);
			run = 0;
		} else if (!run) {
			buf_addc(&t, '_');
			run = 1;
		}
	}
	break_words(t.data, t.len, &u);
	buf_reset(&t);
	if (IS_DIGIT(u.data[0]))
		buf_addc(&t, '_');
	break_case(u.data, u.len, &t);

	/* Each trailing '_' becomes 'x'; then runs of '_' become one. */
	for (trail = 0; trail < t.len && t.data[t.len - 1 - trail] == '_';
	    trail++)
		t.data[t.len - 1 - trail] = 'x';
	for (i = 0; i < t.len; i++)
		if (t.data[i] != '_' || i == 0 || t.data[i - 1] != '_')
			buf_addc(b, t.data[i]);
	buf_free(&t);
	buf_free(&u);
	return 0;
}
