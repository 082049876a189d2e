/*
 * libFuzzer: secret_excerpt() on a secret and a body made from the input.
 *
 * The input is a length byte, an options byte, the secret, then the body,
 * in which 0xfe F puts form F of the secret, 0xfd F N the first N bytes of
 * it, and 0xfc F O N the N bytes of it from O; the forms are written here
 * again, apart from lib/net/secret.c.  The excerpt must show none of them, no
 * 8 bytes of the secret, and no start of the secret that ends the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "net/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NFORMS	12

static const char hexup[] = "0123456789ABCDEF", hexlow[] = "0123456789abcdef";

static void
add_hex(struct buf *b, const char *lead, int c, const char *digits)
{
	buf_adds(b, lead);
	buf_addc(b, digits[c >> 4]);
	buf_addc(b, digits[c & 15]);
}

/* s in base64 with the alphabet's two last digits as given, padded. */
static void
add_base64(struct buf *b, const unsigned char *s, size_t n, const char *last2,
    int pad)
{
	char digits[65] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned long v;
	size_t i;

	memcpy(digits + 62, last2, 2);
	for (i = 0; i < n; i += 3) {
		v = (unsigned long)s[i] << 16;
		v |= i + 1 < n ? (unsigned long)s[i + 1] << 8 : 0;
		v |= i + 2 < n ? s[i + 2] : 0;
		buf_addc(b, digits[v >> 18 & 63]);
		buf_addc(b, digits[v >> 12 & 63]);
		if (i + 1 < n || pad)
			buf_addc(b, i + 1 < n ? digits[v >> 6 & 63] : '=');
		if (i + 2 < n || pad)
			buf_addc(b, i + 2 < n ? digits[v & 63] : '=');
	}
}

/*
 * The digits of base64(pre, s, "!") that s alone decides, pre being a
 * bytes long: from bit 8a to bit 8(a + n), whole digits only.
 */
static void
add_middle(struct buf *b, const unsigned char *s, size_t n, int a,
    const char *last2)
{
	unsigned char *t = malloc(n + 4);
	struct buf all;
	size_t from = (8 * (size_t)a + 5) / 6, to = 8 * ((size_t)a + n) / 6;

	if (t == NULL)
		__builtin_trap();
	memcpy(t, "\x01\x02", 2);
	memcpy(t + a, s, n);
	t[a + n] = '!';
	buf_init(&all, 0);
	add_base64(&all, t, a + n + 1, last2, 1);
	buf_add(b, all.data + from, to - from);
	buf_free(&all);
	free(t);
}

static int
unreserved(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c != 0 && strchr("-._~", c) != NULL);
}

/*
 * Form f of secret s, n bytes, as a server might echo it: 0 raw; 1 and 2
 * %XX in upper and lower case; 3 as a form encodes it; 4 as JSON escapes
 * it; 5 and 6 all \u00XX; 7 and 8 base64, standard and URL-safe; 9, 10
 * and 11 base64 inside a longer text, at each alignment.
 */
static void
add_form(struct buf *b, const unsigned char *s, size_t n, int f)
{
	size_t i;
	int c;

	for (i = 0; f <= 6 && i < n; i++) {
		c = s[i];
		if (f == 0 || (f == 3 && unreserved(c)))
			buf_addc(b, c);
		else if (f == 3 && c == ' ')
			buf_addc(b, '+');
		else if (f == 1 || f == 3)
			add_hex(b, "%", c, hexup);
		else if (f == 2)
			add_hex(b, "%", c, hexlow);
		else if (f == 4 && c != 0 && strchr("\"\\/", c) != NULL) {
			buf_addc(b, '\\');
			buf_addc(b, c);
		} else if (f == 4 && c >= 0x20 && c != 0x7f)
			buf_addc(b, c);
		else
			add_hex(b, "\\u00", c, f == 6 ? hexlow : hexup);
	}
	if (f == 7)
		add_base64(b, s, n, "+/", 1);
	else if (f == 8)
		add_base64(b, s, n, "-_", 0);
	else if (f >= 9)
		add_middle(b, s, n, f - 9, f == 10 ? "-_" : "+/");
}

/* The body: the input with the forms of the secret put in. */
static void
make_body(struct buf *body, const uint8_t *p, size_t n,
    const unsigned char *s, size_t sn)
{
	struct buf form;
	size_t i, o, len;

	buf_init(&form, 0);
	for (i = 0; i < n; i++) {
		if (p[i] < 0xfc || i + 1 >= n) {
			buf_addc(body, p[i]);
			continue;
		}
		buf_reset(&form);
		add_form(&form, s, sn, p[i + 1] % NFORMS);
		o = 0;
		len = form.len;
		if (p[i] == 0xfd && i + 2 < n)
			len = p[i + 2] % (form.len + 1);
		if (p[i] == 0xfc && i + 3 < n) {
			o = p[i + 2] % (form.len + 1);
			len = p[i + 3] % (form.len - o + 1);
		}
		buf_add(body, form.data + o, len);
		i += p[i] == 0xfe ? 1 : p[i] == 0xfd ? 2 : 3;
	}
	buf_free(&form);
}

static int
has(const struct buf *text, const char *s, size_t n)
{
	size_t i;

	for (i = 0; n > 0 && i + n <= text->len; i++)
		if (memcmp(text->data + i, s, n) == 0)
			return 1;
	return 0;
}

/* What the excerpt must not show. */
static void
check(const struct buf *text, const struct buf *body, int cut,
    const unsigned char *s, size_t n)
{
	struct buf form;
	size_t i;
	int f;

	buf_init(&form, 0);
	for (f = 0; f < NFORMS; f++) {
		if (f >= 9 && n < 7)
			break;
		buf_reset(&form);
		add_form(&form, s, n, f);
		if (has(text, form.data, form.len))
			__builtin_trap();
	}
	buf_free(&form);
	for (i = 0; n >= 8 && i + 8 <= n; i++)
		if (has(text, (const char *)s + i, 8))
			__builtin_trap();
	/* A start of the secret that ends the body. */
	for (i = 4; !cut && i < n && i <= body->len && i <= text->len; i++)
		if (memcmp(body->data + body->len - i, s, i) == 0 &&
		    memcmp(text->data + text->len - i, s, i) == 0)
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t maxes[] = { 0, 200, 16, 61 };
	struct buf body, text;
	char *hide[2] = { NULL, NULL }, *colon;
	size_t n, max;
	int cut;

	if (size < 2 || (n = data[0] % 40 + 1) > size - 2)
		return 0;
	/* "***" is made of stars: a secret with one could end next to it. */
	if (memchr(data + 2, '\0', n) != NULL ||
	    memchr(data + 2, '*', n) != NULL)
		return 0;
	if ((hide[0] = strndup((const char *)data + 2, n)) == NULL)
		__builtin_trap();
	/* As for http_basic: user:password, and the password. */
	if ((data[1] & 4) && (colon = strchr(hide[0], ':')) != NULL)
		hide[1] = colon + 1;
	max = maxes[data[1] & 3];
	buf_init(&body, 0);
	buf_init(&text, 0);
	make_body(&body, data + 2 + n, size - 2 - n, (unsigned char *)hide[0],
	    n);
	cut = secret_excerpt(&text, body.data, body.len, hide, 2, max);
	buf_str(&text);
	if (max > 0 && text.len > max)
		__builtin_trap();
	check(&text, &body, cut, (unsigned char *)hide[0], n);
	if (hide[1] != NULL)
		check(&text, &body, cut, (unsigned char *)hide[1],
		    strlen(hide[1]));
	buf_free(&body);
	buf_free(&text);
	free(hide[0]);
	return 0;
}
