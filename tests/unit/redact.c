/*
 * lib/net/secret.h: secret_excerpt() hides a secret in every form a server
 * may echo it in, and cuts the excerpt without splitting a "***".
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "net/secret.h"
#include "unit.h"

#define S_KEY	"s3cr3tKEY"
#define S_TOK	"Tok3n/Value+Z"
#define S_SPACE	"my secret pass"
#define S_RUN	"ABCDEFGHIJKLMNOP"

/* Hide hide[0] and hide[1] (NULL: none) in body; want the excerpt. */
static const struct {
	const char	*hide[2];
	const char	*body;
	const char	*want;
} rows[] = {
	/* Raw. */
	{ { S_KEY }, "key=s3cr3tKEY&x=1", "key=***&x=1" },
	{ { S_KEY }, "s3cr3tKEY", "***" },
	{ { S_KEY }, "s3cr3tKEY s3cr3tKEY", "*** ***" },
	{ { S_KEY }, "s3cr3tKEYs3cr3tKEY", "******" },
	{ { S_KEY }, "S3CR3TKEY", "S3CR3TKEY" },	/* case matters */
	{ { S_KEY }, "nothing here", "nothing here" },
	{ { "abc" }, "xabcx", "x***x" },		/* short, whole */
	/* %XX in either case, and mixed with raw bytes. */
	{ { S_TOK }, "t=Tok3n%2fValue%2bZ&", "t=***&" },
	{ { S_TOK }, "t=Tok3n%2FValue%2BZ&", "t=***&" },
	{ { S_TOK }, "%54%6F%6B%33%6E%2F%56%61%6C%75%65%2B%5A", "***" },
	{ { S_TOK }, "%54%6f%6B%33n%2fV%61lue+Z", "***" },
	{ { S_TOK }, "Tok3n%2gValue+Z", "Tok3n%2gValue+Z" },	/* no hex */
	/* A space as '+', %20, \u0020 or a control byte. */
	{ { S_SPACE }, "q=my+secret+pass&", "q=***&" },
	{ { S_SPACE }, "q=my%20secret%20pass", "q=***" },
	{ { S_SPACE }, "\"my\\u0020secret pass\"", "\"***\"" },
	{ { S_SPACE }, "my\tsecret\npass!", "***!" },
	/* JSON escapes, \u in either case. */
	{ { S_TOK }, "{\"t\":\"Tok3n\\/Value+Z\"}", "{\"t\":\"***\"}" },
	{ { S_TOK }, "Tok3n\\u002fValue+Z", "***" },
	{ { S_TOK }, "Tok3n\\u002FValue+Z", "***" },
	{ { S_TOK }, "\\u0054ok3n/Value\\u002bZ", "***" },
	{ { "pa\"ss\\word" }, "{\"p\":\"pa\\\"ss\\\\word\"}",
	    "{\"p\":\"***\"}" },
	{ { "line1\nline2" }, "[\"line1\\nline2\"]", "[\"***\"]" },
	{ { "tab\there12" }, "tab\\there12", "***" },
	{ { "tab\there12" }, "tab\\u0009here12", "***" },
	/* UTF-8: raw, %XX, \u of the character; a surrogate pair. */
	{ { "p\xc3\xa4ssw\xc3\xb6rt-123" }, "=p\xc3\xa4ssw\xc3\xb6rt-123",
	    "=***" },
	{ { "p\xc3\xa4ssw\xc3\xb6rt-123" }, "p%C3%A4ssw%c3%b6rt-123", "***" },
	{ { "p\xc3\xa4ssw\xc3\xb6rt-123" }, "p\\u00e4ssw\\u00F6rt-123",
	    "***" },
	{ { "key\xf0\x9f\x94\x91" "12345678" },
	    "\"key\\ud83d\\udd1112345678\"", "\"***\"" },
	{ { "key\xf0\x9f\x94\x91" "12345678" },
	    "\"key\\uD83D\\uDD1112345678\"", "\"***\"" },
	/* base64, standard and URL-safe, padded or not, escaped too. */
	{ { "hunter22" }, "Basic aHVudGVyMjI=", "Basic ***" },
	{ { "hunter22" }, "x aHVudGVyMjI y", "x *** y" },
	{ { "pass?>?word" }, "b=cGFzcz8+P3dvcmQ=;", "b=***;" },
	{ { "pass?>?word" }, "b=cGFzcz8-P3dvcmQ=;", "b=***;" },
	{ { "pass?>?word" }, "b=cGFzcz8-P3dvcmQ;", "b=***;" },
	{ { "pass?>?word" }, "b=cGFzcz8%2BP3dvcmQ%3D&", "b=***&" },
	{ { "ab?\?>>cd" }, "\"YWI\\/Pz4+Y2Q=\"", "\"***\"" },
	{ { "ab?\?>>cd" }, "YWI_Pz4-Y2Q", "***" },
	/* basic user:password, and the password inside it. */
	{ { "alice:correct-horse" },
	    "Authorization: Basic YWxpY2U6Y29ycmVjdC1ob3JzZQ==",
	    "Authorization: Basic ***" },
	{ { "correct-horse" }, "Basic YWxpY2U6Y29ycmVjdC1ob3JzZQ==",
	    "Basic YWxpY2U6***" },
	{ { "correct-horse" }, "Basic Ym9iOmNvcnJlY3QtaG9yc2U=",
	    "Basic Ym9iOm***U=" },
	{ { "correct-horse" }, "Basic YWxleDpjb3JyZWN0LWhvcnNl",
	    "Basic YWxleDp***" },
	/* Any run of 8 bytes or more; 7 are shown. */
	{ { S_RUN }, "xxCDEFGHIJxx", "xx***xx" },
	{ { S_RUN }, "xxCDEFGHIxx", "xxCDEFGHIxx" },
	{ { S_RUN }, "xxIJKLMNOPxx", "xx***xx" },
	{ { S_KEY }, "s3cr3tKEX", "***X" },
	{ { S_RUN }, "x%43%44%45FGHIJx", "x***x" },
	/* A start of the secret that ends the body, 4 bytes or more. */
	{ { S_RUN }, "id=ABCD", "id=***" },
	{ { S_RUN }, "id=ABC", "id=ABC" },
	{ { S_RUN }, "id=ABCDx", "id=ABCDx" },
	{ { S_RUN }, "id=%41%42", "id=***" },
	{ { S_RUN }, "id=AB%4", "id=***" },
	{ { S_RUN }, "id=AB\\u00", "id=***" },
	{ { S_RUN }, "id=BCDE", "id=BCDE" },		/* not a start */
	/* Several strings; NULL and empty ones are skipped. */
	{ { S_KEY, "hunter22" }, "s3cr3tKEY:hunter22", "***:***" },
	{ { NULL, S_KEY }, "a s3cr3tKEY", "a ***" },
	{ { "", S_KEY }, "a s3cr3tKEY", "a ***" },
	{ { "", NULL }, "all shown", "all shown" },
	/* Control bytes are shown as spaces. */
	{ { NULL }, "a\nb\tc\x7f" "d\x01", "a b c d " },
	{ { S_KEY }, "\rs3cr3tKEY\n", " *** " },
};

static void
test_rows(void)
{
	struct buf out;
	size_t i;
	int cut;

	buf_init(&out, 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		buf_reset(&out);
		cut = secret_excerpt(&out, rows[i].body, strlen(rows[i].body),
		    (char *const *)rows[i].hide, 2, 0);
		unit_mem(out.data, out.len, rows[i].want, strlen(rows[i].want),
		    "hiding %s and %s in %s",
		    unit_quotes(rows[i].hide[0]), unit_quotes(rows[i].hide[1]),
		    unit_quotes(rows[i].body));
		unit_long(cut, 0, "... with no max, nothing is cut");
	}
	buf_free(&out);
}

/*
 * The cut at max: pad bytes of 'a', then tail, shown in at most max
 * bytes; want is the excerpt's pad bytes, then wtail.
 */
static const struct {
	size_t		 pad;
	const char	*tail;
	size_t		 max;
	size_t		 wpad;
	const char	*wtail;
	int		 cut;
} cuts[] = {
	{ 197, S_KEY, 200, 197, "***", 0 },	/* just fits */
	{ 198, S_KEY, 200, 198, "", 1 },	/* "***" would not */
	{ 199, S_KEY, 200, 199, "", 1 },
	{ 197, S_KEY "b", 200, 197, "***", 1 },
	{ 196, S_KEY "b", 200, 196, "***b", 0 },
	{ 199, "b", 200, 199, "b", 0 },
	{ 200, "b", 200, 200, "", 1 },
	{ 0, S_KEY, 2, 0, "", 1 },
	{ 0, "", 200, 0, "", 0 },
	{ 1000, S_KEY, 0, 1000, "***", 0 },	/* max 0: never cut */
};

static void
test_cuts(void)
{
	char *hide[] = { S_KEY };
	struct buf body, want, out;
	size_t i;
	int cut;

	buf_init(&body, 0);
	buf_init(&want, 0);
	buf_init(&out, 0);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		buf_reset(&body);
		buf_reset(&want);
		buf_reset(&out);
		while (body.len < cuts[i].pad)
			buf_addc(&body, 'a');
		buf_adds(&body, cuts[i].tail);
		while (want.len < cuts[i].wpad)
			buf_addc(&want, 'a');
		buf_adds(&want, cuts[i].wtail);
		cut = secret_excerpt(&out, body.data, body.len, hide, 1,
		    cuts[i].max);
		unit_mem(out.data, out.len, want.data, want.len,
		    "max %zu: %zu bytes of 'a' then %s show as %zu, then %s",
		    cuts[i].max, cuts[i].pad, unit_quotes(cuts[i].tail),
		    cuts[i].wpad, unit_quotes(cuts[i].wtail));
		unit_long(cut, cuts[i].cut, "... and the excerpt is %s",
		    cuts[i].cut ? "cut" : "whole");
	}
	buf_free(&body);
	buf_free(&want);
	buf_free(&out);
}

/* The excerpt is appended: what the buffer held stays. */
static void
test_append(void)
{
	char *hide[] = { S_KEY };
	struct buf out;

	buf_init(&out, 0);
	buf_adds(&out, "status 401: ");
	secret_excerpt(&out, "bad key s3cr3tKEY", 17, hide, 1, 200);
	unit_str(buf_str(&out), "status 401: bad key ***",
	    "secret_excerpt() appends to what the buffer holds");
	buf_free(&out);
}

int
main(void)
{
	test_rows();
	test_cuts();
	test_append();
	return unit_done();
}
