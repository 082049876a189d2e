/*
 * lib/dlt/placeholder.h: placeholder_next() splits a format string as
 * Python's str.format reads it, and refuses what restpipe does not bind.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "dlt/placeholder.h"
#include "unit.h"

/* The pieces of s: text as is, fields as <name>, an error as !message. */
static char *
pieces(const char *s)
{
	struct ph_scan sc = { s, strlen(s), 0 };
	struct buf b;
	const char *p;
	size_t len;
	enum ph_kind k;

	buf_init(&b, 0);
	while ((k = placeholder_next(&sc, &p, &len)) != PH_END) {
		if (k == PH_ERROR) {
			buf_addc(&b, '!');
			buf_adds(&b, p);
			break;
		}
		if (k == PH_FIELD)
			buf_addc(&b, '<');
		buf_add(&b, p, len);
		if (k == PH_FIELD)
			buf_addc(&b, '>');
	}
	return buf_str(&b);
}

#define E_SPEC	"!only {name} placeholders are supported (no conversion, " \
		"format spec or index)"

static const struct {
	const char	*in;
	const char	*want;
	int		 any;
} cases[] = {
	{ "", "", 0 },
	{ "users", "users", 0 },
	{ "users/{id}", "users/<id>", 1 },
	{ "{id}", "<id>", 1 },
	{ "{a}{b}", "<a><b>", 1 },
	{ "v1/{resources.users.id}/posts", "v1/<resources.users.id>/posts", 1 },
	{ "{last_run.value}", "<last_run.value>", 1 },
	{ "a{{b}}c", "a{b}c", 1 },
	{ "{{id}}", "{id}", 1 },
	{ "{{{id}}}", "{<id>}", 1 },
	{ "{ id }", "< id >", 1 },
	{ "{}", "!an empty placeholder '{}'", -1 },
	{ "a}b", "a!a single '}' (write '}}' for a brace)", -1 },
	{ "}", "!a single '}' (write '}}' for a brace)", -1 },
	{ "a{b", "a!a '{' without its '}' (write '{{' for a brace)", -1 },
	{ "{", "!a '{' without its '}' (write '{{' for a brace)", -1 },
	{ "{a{b}}", "!a '{' inside a placeholder", -1 },
	{ "{id:>5}", E_SPEC, -1 },
	{ "{id!r}", E_SPEC, -1 },
	{ "{a[0]}", E_SPEC, -1 },
	{ "{a}}", "<a>!a single '}' (write '}}' for a brace)", -1 },
	{ "{a]}", E_SPEC, -1 },
};

int
main(void)
{
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = pieces(cases[i].in);
		unit_str(got, cases[i].want, "%s reads as %s",
		    unit_quotes(cases[i].in), unit_quotes(cases[i].want));
		free(got);
		unit_long(placeholder_any(cases[i].in, strlen(cases[i].in)),
		    cases[i].any, "... and placeholder_any() says %d",
		    cases[i].any);
	}
	/* A NUL byte is text like any other. */
	{
		struct ph_scan sc = { "a\0{b}", 5, 0 };
		const char *p;
		size_t len;

		unit_long(placeholder_next(&sc, &p, &len), PH_TEXT,
		    "a NUL byte is text");
		unit_long((long long)len, 2, "... to the brace");
		unit_long(placeholder_next(&sc, &p, &len), PH_FIELD,
		    "... then the field");
		unit_mem(p, len, "b", 1, "... named b");
	}
	return unit_done();
}
