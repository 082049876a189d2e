/*
 * merge/merge.h: normalize() names columns as dlt's snake_case does, and
 * path_parse() joins a dotted path's normalized names with "__".
 */
#include <string.h>

#include "base/buf.h"
#include "merge.h"
#include "unit.h"

static const struct {
	const char	*name;
	const char	*want;		/* NULL: refused */
} names[] = {
	{ "id", "id" },
	{ "already_snake", "already_snake" },
	{ "camelCase", "camel_case" },
	{ "CamelCase", "camel_case" },
	{ "Snake_Case", "snake_case" },
	{ "HTTPServer", "http_server" },
	{ "XMLHttpRequest", "xml_http_request" },
	{ "getID", "get_id" },
	{ "ABC", "abc" },
	{ "ABCdef", "ab_cdef" },
	{ "userID2Name", "user_id2_name" },
	{ "v2Beta", "v2_beta" },
	{ "a1B2", "a1_b2" },
	{ "Total Amount", "total_amount" },
	/* Other bytes: a run of them is one '_'. */
	{ "a-b", "a_b" },
	{ "a.b", "a_b" },
	{ "a  b", "a_b" },
	{ "a__b", "a_b" },
	{ "-a", "_a" },
	{ "caf\xc3\xa9 menu", "caf_menu" },
	{ "na\xc3\xafve", "na_ve" },
	{ "\xc3\x84\xc3\x96\xc3\x9c", "x" },
	/* dlt's reduced alphabet. */
	{ "a+b*c@d|e", "axbxcadle" },
	{ "*", "x" },
	{ "@home", "ahome" },
	/* Leading digits, trailing and leading underscores. */
	{ "1abc", "_1abc" },
	{ "123", "_123" },
	{ "x_", "xx" },
	{ "a-", "ax" },
	{ "trail__", "trailxx" },
	{ "price ($)", "pricex" },
	{ "_", "x" },
	{ "__", "xx" },
	{ "-", "x" },
	{ "_leading", "_leading" },
	{ "__init__", "_initxx" },
	/* Space around is trimmed; nothing left is refused. */
	{ "  spaced out  ", "spaced_out" },
	{ "\tfield\r\n", "field" },
	{ "", NULL },
	{ "   ", NULL },
	{ "\t\n\v\f\r", NULL },
};

static void
test_names(void)
{
	struct buf b;
	size_t i;
	int r;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		buf_reset(&b);
		buf_adds(&b, "<");
		r = normalize(names[i].name, strlen(names[i].name), &b);
		if (names[i].want == NULL) {
			unit_check(r == -1 && b.len == 1,
			    "normalize(%s) is refused and appends nothing",
			    unit_quotes(names[i].name));
			continue;
		}
		unit_check(r == 0 && b.len > 1 && b.data[0] == '<',
		    "normalize(%s) returns 0 and appends",
		    unit_quotes(names[i].name));
		unit_mem(b.data + 1, b.len - 1, names[i].want,
		    strlen(names[i].want), "... %s",
		    unit_quotes(names[i].want));
	}
	buf_free(&b);
}

/* Only n bytes are read: the name need not end in a NUL. */
static void
test_length(void)
{
	struct buf b;

	buf_init(&b, 0);
	normalize("camelCaseTail", 9, &b);
	unit_mem(b.data, b.len, "camel_case", 10,
	    "normalize(\"camelCaseTail\", 9) reads 9 bytes");
	buf_free(&b);
}

static const struct {
	const char	*text;
	const char	*column;	/* NULL: refused */
	size_t		 nparts;
} paths[] = {
	{ "id", "id", 1 },
	{ "a.b", "a__b", 2 },
	{ "User.firstName", "user__first_name", 2 },
	{ "a.b.c", "a__b__c", 3 },
	{ "1st.x_", "_1st__xx", 2 },
	{ "", NULL, 0 },
	{ ".a", NULL, 0 },
	{ "a.", NULL, 0 },
	{ "a..b", NULL, 0 },
	{ "a. ", NULL, 0 },		/* a name that normalizes to nothing */
};

static void
test_paths(void)
{
	struct path p;
	size_t i;
	int r;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		r = path_parse(&p, paths[i].text);
		if (paths[i].column == NULL) {
			unit_long(r, -1, "path_parse(%s) is refused",
			    unit_quotes(paths[i].text));
			continue;
		}
		if (!unit_long(r, 0, "path_parse(%s) returns 0",
		    unit_quotes(paths[i].text)))
			continue;
		unit_str(p.column, paths[i].column, "... column %s",
		    unit_quotes(paths[i].column));
		unit_check(p.nparts == paths[i].nparts &&
		    strcmp(p.text, paths[i].text) == 0,
		    "... %zu parts, and the text as given", paths[i].nparts);
		path_free(&p);
	}
}

int
main(void)
{
	test_names();
	test_length();
	test_paths();
	return unit_done();
}
