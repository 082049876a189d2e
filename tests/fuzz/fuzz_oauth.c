/*
 * libFuzzer: oauth_answer() on a token URL's answer made of the input.
 *
 * Whatever the answer, it is read the same way twice; a token taken is
 * not empty and holds no control character, and needs the name
 * access_token in the answer (or an escape that could spell it); a
 * lifetime taken is a count of seconds, and needs expires_in likewise;
 * a refusal is one of the fixed reasons, never a quote of the answer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "net/oauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define UNSET	-12345.0	/* the lifetime before the call */

static int
has(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const reasons[] = {
		"the answer is not a JSON object",
		"the answer has no \"access_token\" string",
		"its \"expires_in\" is not a count of seconds",
		"its \"access_token\" holds a control character",
	};
	struct buf tok, again;
	double life = UNSET, life2 = UNSET;
	const char *what, *what2;
	int escaped = has(data, size, "\\"), known = 0;
	size_t i;

	what = oauth_answer((const char *)data, size, &tok, &life);
	what2 = oauth_answer((const char *)data, size, &again, &life2);
	if (what != what2 || (what == NULL && (tok.len != again.len ||
	    memcmp(tok.data, again.data, tok.len) != 0 || life != life2)))
		abort();
	if (what != NULL) {
		for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
			known |= strcmp(what, reasons[i]) == 0;
		if (!known || tok.data != NULL)
			abort();
		return 0;
	}
	if (tok.len == 0 || (!escaped && !has(data, size, "access_token")))
		abort();
	for (i = 0; i < tok.len; i++)
		if ((unsigned char)tok.data[i] < ' ' || tok.data[i] == 0x7f)
			abort();
	if (life != UNSET && (life < 0 || (!escaped &&
	    !has(data, size, "expires_in"))))
		abort();
	buf_free(&tok);
	buf_free(&again);
	return 0;
}
