/*
 * lib/base/buf.h: growable buffers stop at their maximum, append nothing when
 * refused, and keep what they held.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "unit.h"

/* Two appends to a buffer of maximum max, the second maybe refused. */
static const struct {
	size_t		 max;
	const char	*first, *second;
	int		 ret;		/* of the second buf_adds() */
	const char	*want;
} adds[] = {
	{ 8, "abcd", "efgh", 0, "abcdefgh" },		/* exactly full */
	{ 8, "abcd", "efghi", -1, "abcd" },		/* one byte past */
	{ 8, "abcdefgh", "", 0, "abcdefgh" },		/* nothing, when full */
	{ 8, "abcdefgh", "i", -1, "abcdefgh" },
	{ 8, "", "abcdefghi", -1, "" },
	{ 1, "", "a", 0, "a" },
	{ 1, "a", "b", -1, "a" },
	{ 0, "abcd", "efghijklmnopqrstuvwxyz", 0,	/* 0: no maximum */
	    "abcdefghijklmnopqrstuvwxyz" },
	{ 300, "", "", 0, "" },
};

static void
test_adds(void)
{
	struct buf b;
	size_t i;
	int r;

	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		buf_init(&b, adds[i].max);
		buf_adds(&b, adds[i].first);
		r = buf_adds(&b, adds[i].second);
		unit_long(r, adds[i].ret, "buf_adds(max %zu, %s then %s) "
		    "returns %d", adds[i].max, unit_quotes(adds[i].first),
		    unit_quotes(adds[i].second), adds[i].ret);
		unit_str(buf_str(&b), adds[i].want, "... and holds %s",
		    unit_quotes(adds[i].want));
		unit_long((long long)b.len, (long long)strlen(adds[i].want),
		    "... its len is %zu", strlen(adds[i].want));
		buf_free(&b);
	}
}

/* The byte appenders refuse past the maximum alike. */
static void
test_addc(void)
{
	struct buf b;

	buf_init(&b, 3);
	unit_long(buf_addc(&b, 'a') + buf_addc(&b, 'b') + buf_addc(&b, 'c'),
	    0, "buf_addc() fills a buffer of max 3");
	unit_long(buf_addc(&b, 'd'), -1, "buf_addc() past max returns -1");
	unit_mem(b.data, b.len, "abc", 3, "... and appends nothing");
	unit_long(buf_add(&b, "xyz", 0), 0,
	    "buf_add() of 0 bytes to a full buffer returns 0");
	unit_long(buf_addc(&b, '\0'), -1, "buf_addc(NUL) counts too");
	buf_free(&b);

	buf_init(&b, 4);
	buf_addc(&b, '\0');
	buf_addc(&b, 'x');
	unit_mem(b.data, b.len, "\0x", 2, "buf_addc() appends a NUL byte");
	buf_free(&b);
}

/* buf_grow(): room for n more bytes and a NUL, within the maximum. */
static const struct {
	size_t	max, have, n;
	int	ret;
} grows[] = {
	{ 8, 0, 8, 0 },
	{ 8, 0, 9, -1 },
	{ 8, 5, 3, 0 },
	{ 8, 5, 4, -1 },
	{ 8, 8, 0, 0 },
	{ 8, 8, 1, -1 },
	{ 0, 3, 1000, 0 },
	{ 0, 3, SIZE_MAX, -1 },		/* len + n + 1 would wrap */
	{ 0, 3, SIZE_MAX - 3, -1 },
	{ 8, 3, SIZE_MAX - 4, -1 },	/* len + n + 1 == SIZE_MAX */
	{ 8, 3, SIZE_MAX - 2, -1 },
};

static void
test_grow(void)
{
	struct buf b;
	size_t i, cap;
	int r;

	for (i = 0; i < sizeof(grows) / sizeof(grows[0]); i++) {
		buf_init(&b, grows[i].max);
		buf_add(&b, "abcdefgh", grows[i].have);
		cap = b.cap;
		r = buf_grow(&b, grows[i].n);
		unit_long(r, grows[i].ret, "buf_grow(max %zu, len %zu, n %zu) "
		    "returns %d", grows[i].max, grows[i].have, grows[i].n,
		    grows[i].ret);
		if (r == 0)
			unit_check(b.cap >= grows[i].have + grows[i].n + 1,
			    "... leaves room for %zu bytes and a NUL (cap %zu)",
			    grows[i].n, b.cap);
		else
			unit_check(b.cap == cap && b.len == grows[i].have,
			    "... changes neither len nor cap");
		buf_free(&b);
	}
}

/* buf_str() terminates, allocates when empty, and does not count the NUL. */
static void
test_str(void)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	s = buf_str(&b);
	unit_check(s != NULL && *s == '\0' && b.len == 0,
	    "buf_str() of a new buffer is \"\" with len 0");
	buf_adds(&b, "ab");
	unit_str(buf_str(&b), "ab", "buf_str() after \"ab\"");
	unit_long((long long)b.len, 2, "... len stays 2");
	buf_adds(&b, "cd");
	unit_str(buf_str(&b), "abcd", "buf_str() again after \"cd\"");
	buf_free(&b);

	buf_init(&b, 4);
	buf_adds(&b, "wxyz");
	unit_str(buf_str(&b), "wxyz", "buf_str() of a buffer full at max 4");
	buf_free(&b);
}

/* Growing keeps the contents; reset and free keep the maximum. */
static void
test_growth(void)
{
	static const char big[5001];
	struct buf b;
	size_t i;
	int ok = 1;

	buf_init(&b, 5000);
	for (i = 0; i < 5000; i++)
		ok &= buf_addc(&b, 'a' + (int)(i % 26)) == 0;
	unit_check(ok && b.len == 5000, "5000 buf_addc() to max 5000 succeed");
	for (i = 0; i < 5000 && b.data[i] == 'a' + (int)(i % 26); i++)
		;
	unit_long((long long)i, 5000, "... and the bytes survive each growth");
	unit_long(buf_addc(&b, 'x'), -1, "... the 5001st is refused");

	buf_reset(&b);
	unit_check(b.len == 0 && b.cap >= 5001,
	    "buf_reset() empties and keeps the memory");
	unit_long(buf_add(&b, big, sizeof(big)), -1,
	    "... and the maximum still holds");
	buf_free(&b);
	unit_check(b.data == NULL && b.len == 0 && b.cap == 0,
	    "buf_free() leaves an empty buffer");
	unit_long(buf_adds(&b, "123456"), 0, "... that is reusable");
	unit_str(buf_str(&b), "123456", "... and holds what was added");
	buf_free(&b);
}

static void
test_xstrndup(void)
{
	char *s = xstrndup("abcdef", 3), *t = xstrdup("");

	unit_str(s, "abc", "xstrndup(\"abcdef\", 3)");
	unit_str(t, "", "xstrdup(\"\")");
	free(s);
	free(t);
}

static void
test_shell_word(void)
{
	static const struct {
		const char	*in, *want;
	} t[] = {
		{ "--offset", "--offset" },
		{ "a=b/c.d:e@f%g+h,i_j", "a=b/c.d:e@f%g+h,i_j" },
		{ "", "''" },
		{ "two words", "'two words'" },
		{ "it's", "'it'\\''s'" },
		{ "$HOME", "'$HOME'" },
		{ "a\nb", "'a\nb'" },
		{ "*", "'*'" }
	};
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		buf_shell_word(&b, t[i].in);
		unit_str(buf_str(&b), t[i].want, "buf_shell_word(%s)",
		    unit_quote(t[i].in, strlen(t[i].in)));
	}
	buf_free(&b);
}

int
main(void)
{
	test_adds();
	test_addc();
	test_grow();
	test_str();
	test_growth();
	test_xstrndup();
	test_shell_word();
	return unit_done();
}
