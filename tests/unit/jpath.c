/*
 * lib/json/jpath.h: jpath_compile() refuses each unsupported form with its own
 * message, and the accepted forms select what they name.
 */
#include <string.h>

#include "json/jpath.h"
#include "json/json.h"
#include "unit.h"

#define E_EXPECT	"expected an index, a quoted key or '*'"
#define E_NAME		"a name holds only letters, digits, '_' and '-'; " \
			"quote others as ['...']"

static const struct {
	const char	*selector;
	const char	*err;
} refused[] = {
	{ "", "empty selector" },
	{ "$..a", "recursive descent '..' is not supported" },
	{ "a..b", "recursive descent '..' is not supported" },
	{ "$.a[?(@.x)]", "filters are not supported" },
	{ "$[?(@.x == 1)]", "filters are not supported" },
	{ "$[(@.length-1)]", "script expressions are not supported" },
	{ "$[0:2]", "slices are not supported" },
	{ "$[:2]", E_EXPECT },
	{ "$[0,1]", "unions are not supported" },
	{ "$['a','b']", "unions are not supported" },
	{ "$[", "unterminated bracket" },
	{ "$[0", "unterminated bracket" },
	{ "$[*", "unterminated bracket" },
	{ "$['a'", "unterminated bracket" },
	{ "$['a", "unterminated quoted key" },
	{ "$[\"a]", "unterminated quoted key" },
	{ "$['a\\n']", "invalid escape in quoted key (only \\' \\\" \\\\)" },
	{ "$[99999999999999999999]", "index out of range" },
	{ "$[-99999999999999999999]", "index out of range" },
	{ "$[-]", E_EXPECT },
	{ "$[x]", E_EXPECT },
	{ "$[]", E_EXPECT },
	{ "$[ 0]", E_EXPECT },
	{ "$[0 ]", "expected ']'" },
	{ "$[0x]", "expected ']'" },
	{ "$['a'b]", "expected ']'" },
	{ "$.*.a", "a wildcard may only be the last step" },
	{ "data[*].id", "a wildcard may only be the last step" },
	{ "*.a", "a wildcard may only be the last step" },
	{ "$[*][0]", "a wildcard may only be the last step" },
	{ "$.", "empty name" },
	{ "a.", "empty name" },
	{ "$.@x", E_NAME },
	{ "$.a.b c", "expected '.' or '['" },
	{ "$a", "expected '.' or '['" },
	{ "a b", "expected '.' or '['" },
	{ "$$", "expected '.' or '['" },
	{ ".a", "a selector starts with '$', a name or '['" },
	{ "@.a", "a selector starts with '$', a name or '['" },
	{ " data", "a selector starts with '$', a name or '['" },
};

/*
 * Accepted selectors: how deep they look, and what they select in doc
 * (compact JSON text; NULL: nothing).
 */
static const char doc[] =
    "{\"data\":[1,2],\"results\":{\"items\":[{\"id\":7}]},"
    "\"odd.key\":{\"x\":1},\"odd key\":\"sp\",\"it's\":5,"
    "\"a\":[{\"b\":\"first\"},{\"b\":\"last\"}],\"a-b_c\":true,"
    "\"\xc3\xbcn\":\"u\",\"0\":\"zero\",\"@odata.nextLink\":\"n\"}";

static const struct {
	const char	*selector;
	size_t		 depth;
	const char	*want;
} accepted[] = {
	{ "$", 0, NULL },		/* NULL here: the whole doc */
	{ "*", 0, NULL },
	{ "$[*]", 0, NULL },
	{ "$.*", 0, NULL },
	{ "data", 1, "[1,2]" },
	{ "$.data", 1, "[1,2]" },
	{ "$.data[*]", 1, "[1,2]" },
	{ "data.*", 1, "[1,2]" },
	{ "$['data']", 1, "[1,2]" },
	{ "$[\"data\"][0]", 2, "1" },
	{ "results.items", 2, "[{\"id\":7}]" },
	{ "$.results.items[0].id", 4, "7" },
	{ "a[0].b", 3, "\"first\"" },
	{ "a[-1].b", 3, "\"last\"" },
	{ "a[1]", 2, "{\"b\":\"last\"}" },
	{ "$['odd.key']", 1, "{\"x\":1}" },
	{ "$['odd.key'].x", 2, "1" },
	{ "$[\"odd key\"]", 1, "\"sp\"" },
	{ "$['it\\'s']", 1, "5" },
	{ "$[\"it's\"]", 1, "5" },
	{ "a-b_c", 1, "true" },
	{ "$.\xc3\xbcn", 1, "\"u\"" },
	{ "$.0", 1, "\"zero\"" },
	{ "$['0']", 1, "\"zero\"" },
	{ "[0]", 1, "" },		/* "": selects nothing */
	{ "a[2]", 2, "" },
	{ "a[-3]", 2, "" },
	{ "missing", 1, "" },
	{ "data.x", 2, "" },
	{ "@odata.nextLink", 1, "\"n\"" },	/* OData's: one key */
	{ "@odata", 1, "" },
};

static void
test_refused(void)
{
	struct jpath *jp;
	const char *err;
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err = NULL;
		jp = jpath_compile(refused[i].selector, &err);
		unit_check(jp == NULL, "%s is refused",
		    unit_quotes(refused[i].selector));
		unit_str(err, refused[i].err, "... saying %s",
		    unit_quotes(refused[i].err));
		jpath_free(jp);
	}
}

static void
test_accepted(void)
{
	struct json_error jerr;
	struct jpath *jp;
	struct json j;
	struct buf b;
	const char *err;
	size_t i;
	int t;

	json_init(&j);
	buf_init(&b, 0);
	if (json_parse(&j, doc, strlen(doc), &jerr) == -1) {
		unit_check(0, "the document parses: %s", jerr.msg);
		return;
	}
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		err = NULL;
		jp = jpath_compile(accepted[i].selector, &err);
		if (!unit_check(jp != NULL, "%s is accepted",
		    unit_quotes(accepted[i].selector))) {
			printf("#   refused: %s\n", err);
			continue;
		}
		unit_long((long long)jpath_depth(jp),
		    (long long)accepted[i].depth, "... looks %zu levels deep",
		    accepted[i].depth);
		unit_long(jpath_is_root(jp), accepted[i].depth == 0,
		    "... is%s the root", accepted[i].depth == 0 ? "" : " not");
		t = jpath_eval(jp, &j, 0);
		buf_reset(&b);
		if (t != -1)
			json_compact(&j, t, &b);
		if (accepted[i].want == NULL)
			unit_long(t, 0, "... and selects the whole document");
		else
			unit_mem(b.data, b.len, accepted[i].want,
			    strlen(accepted[i].want), "... and selects %s",
			    unit_quotes(accepted[i].want));
		jpath_free(jp);
	}
	buf_free(&b);
	json_free(&j);
}

int
main(void)
{
	test_refused();
	test_accepted();
	return unit_done();
}
