/*
 * libFuzzer: placeholder_next(), against the string it split.
 *
 * The input is a format string.  Writing each piece back (a text piece
 * with its braces doubled, a field as {name}) must give the input again,
 * up to where an error stopped the scan; an error must stand where a
 * reference reading of the grammar finds one: a '}' not doubled, or a
 * '{' not doubled whose field is empty, unterminated, or holds one of
 * "{!:[]".  Field names hold none of those; placeholder_any() agrees.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "dlt/placeholder.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check(int ok)
{
	if (!ok)
		__builtin_trap();
}

/* Whether the reference finds an error at s[i], a brace not doubled. */
static int
bad_at(const char *s, size_t n, size_t i)
{
	size_t j;

	if (s[i] == '}')
		return 1;
	for (j = i + 1; j < n && s[j] != '}'; j++)
		if (memchr("{!:[]", s[j], 5) != NULL)
			return 1;
	return j == n || j == i + 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *p;
	struct ph_scan sc = { s, size, 0 };
	struct buf back;
	enum ph_kind k;
	size_t len, i, at;
	int any = 0;

	buf_init(&back, 0);
	for (;;) {
		at = sc.pos;
		k = placeholder_next(&sc, &p, &len);
		if (k == PH_END || k == PH_ERROR)
			break;
		check(sc.pos > at);
		if (k == PH_FIELD) {
			any = 1;
			check(len > 0 && !bad_at(s, size, at));
			for (i = 0; i < len; i++)
				check(strchr("{}!:[]", p[i]) == NULL ||
				    p[i] == '\0');
			buf_addc(&back, '{');
			buf_add(&back, p, len);
			buf_addc(&back, '}');
			continue;
		}
		for (i = 0; i < len; i++) {
			if (p[i] == '{' || p[i] == '}') {
				/* An escaped brace: no error was there. */
				check(at + 1 < size && s[at + 1] == p[i]);
				any = 1;
				buf_addc(&back, p[i]);
			}
			buf_addc(&back, p[i]);
		}
	}
	/* What was read is written back byte for byte. */
	check(back.len == sc.pos);
	check(back.len == 0 || memcmp(back.data, s, back.len) == 0);
	if (k == PH_END) {
		check(sc.pos == size);
		check(placeholder_any(s, size) == any);
	} else {
		check(sc.pos < size);
		check(bad_at(s, size, sc.pos));
		check(placeholder_any(s, size) == -1);
	}
	buf_free(&back);
	return 0;
}
