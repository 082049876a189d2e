/*
 * merge/merge.h: key identities (key_of, key_part, key_scan) and the
 * dedup-sort order (sort_cmp).
 */
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "json/json.h"
#include "merge.h"
#include "unit.h"

/* a against b, compact JSON text ("": none): the sign of sort_cmp(). */
static const struct {
	const char	*a, *b;
	int		 sign;
} order[] = {
	/* Kinds: none and null < false < true < numbers < strings < rest. */
	{ "", "", 0 },
	{ "", "null", 0 },
	{ "null", "null", 0 },
	{ "", "false", -1 },
	{ "null", "false", -1 },
	{ "false", "true", -1 },
	{ "true", "true", 0 },
	{ "true", "-5", -1 },
	{ "99", "\"\"", -1 },
	{ "\"z\"", "[]", -1 },
	{ "\"z\"", "{}", -1 },
	{ "null", "{}", -1 },
	/* Numbers by value, integers exactly. */
	{ "2", "10", -1 },
	{ "-1", "0", -1 },
	{ "-10", "-2", -1 },
	{ "1.5", "1", 1 },
	{ "0.1", "0.2", -1 },
	{ "1e2", "99", 1 },
	{ "100", "1e2", 0 },
	{ "1.0", "1", 0 },
	{ "-0", "0", 0 },
	{ "9007199254740993", "9007199254740992", 1 },
	{ "-9223372036854775808", "9223372036854775807", -1 },
	/* Strings by their unescaped bytes, unsigned. */
	{ "\"a\"", "\"b\"", -1 },
	{ "\"ab\"", "\"a\"", 1 },
	{ "\"\"", "\"a\"", -1 },
	{ "\"B\"", "\"a\"", -1 },
	{ "\"10\"", "\"9\"", -1 },
	{ "\"2023-01-02\"", "\"2023-01-10\"", -1 },
	{ "\"\\u0041\"", "\"A\"", 0 },
	{ "\"\\u007a\"", "\"b\"", 1 },
	{ "\"a\\\"b\"", "\"a\\u0022b\"", 0 },
	{ "\"\xc3\xa9\"", "\"z\"", 1 },
	/* The rest by their text. */
	{ "[1,2]", "[1,3]", -1 },
	{ "{\"a\":1}", "[0]", 1 },
	{ "[1]", "[1]", 0 },
};

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static void
test_order(void)
{
	const char *a, *b;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		a = order[i].a;
		b = order[i].b;
		unit_long(sign(sort_cmp(a, strlen(a), b, strlen(b))),
		    order[i].sign, "sort_cmp(%s, %s) is %s", unit_quotes(a),
		    unit_quotes(b), order[i].sign < 0 ? "< 0" :
		    order[i].sign > 0 ? "> 0" : "0");
		unit_long(sign(sort_cmp(b, strlen(b), a, strlen(a))),
		    -order[i].sign, "... and the opposite the other way round");
	}
}

/* key_part(): a tuple's parts carry their lengths, a single key none. */
static void
test_key_part(void)
{
	struct buf a, b;
	uint32_t len = 2;
	char want[6];

	buf_init(&a, 0);
	buf_init(&b, 0);
	key_part(&a, 1, "ab", 2);
	unit_mem(a.data, a.len, "ab", 2, "key_part() of a single key: bytes");
	buf_reset(&a);
	key_part(&a, 2, "ab", 2);
	memcpy(want, &len, 4);
	memcpy(want + 4, "ab", 2);
	unit_mem(a.data, a.len, want, 6,
	    "key_part() of a tuple: the length, then the bytes");

	buf_reset(&a);
	key_part(&a, 2, "a", 1);
	key_part(&a, 2, "bc", 2);
	key_part(&b, 2, "ab", 2);
	key_part(&b, 2, "c", 1);
	unit_check(a.len == b.len && memcmp(a.data, b.data, a.len) != 0,
	    "tuples (\"a\", \"bc\") and (\"ab\", \"c\") differ");
	buf_reset(&a);
	buf_reset(&b);
	key_part(&a, 2, "", 0);
	key_part(&a, 2, "a", 1);
	key_part(&b, 2, "a", 1);
	key_part(&b, 2, "", 0);
	unit_check(a.len == b.len && memcmp(a.data, b.data, a.len) != 0,
	    "tuples (\"\", \"a\") and (\"a\", \"\") differ");
	buf_free(&a);
	buf_free(&b);
}

/*
 * key_of() on a record: the key's paths (one or two), the fault and
 * which path it concerns, and the identity's parts; and what key_scan()
 * returns on the same jsonl row.
 */
static const struct {
	enum format	 fmt;
	const char	*key[2];
	const char	*rec;
	enum keyfault	 fault;
	size_t		 which;
	const char	*part[2];
	int		 scan;
} keys[] = {
	{ FMT_JSONL, { "id" }, "{\"id\":1}", KEY_OK, 0, { "1" }, 0 },
	{ FMT_JSONL, { "id" }, "{\"id\":\"a\"}", KEY_OK, 0, { "\"a\"" }, 0 },
	{ FMT_JSONL, { "id" }, "{ \"id\" : \"a b\" }", KEY_OK, 0,
	    { "\"a b\"" }, 0 },
	{ FMT_JSONL, { "id" }, "{\"id\":\"\\u0041\"}", KEY_OK, 0,
	    { "\"\\u0041\"" }, 0 },		/* escapes are kept */
	{ FMT_JSONL, { "id" }, "{\"id\":1.0}", KEY_OK, 0, { "1.0" }, 0 },
	{ FMT_JSONL, { "id" }, "{\"id\" : true }", KEY_OK, 0, { "true" }, 0 },
	{ FMT_JSONL, { "id" }, "{\"id\":1,\"id\":2}", KEY_OK, 0, { "2" }, 0 },
	{ FMT_JSONL, { "id" }, "{\"id\":1,\"idx\":5,\"i\":7}", KEY_OK, 0,
	    { "1" }, 0 },
	{ FMT_JSONL, { "a.b" }, "{\"a\":{\"b\":2}}", KEY_OK, 0, { "2" }, 0 },
	{ FMT_JSONL, { "a.b" }, "{\"x\":[1,{\"b\":3}],\"a\":{\"c\":{},"
	    "\"b\":\"y\"}}", KEY_OK, 0, { "\"y\"" }, 0 },
	{ FMT_JSONL, { "id", "name" }, "{\"name\":\"x\",\"id\":1}", KEY_OK, 0,
	    { "1", "\"x\"" }, 0 },
	{ FMT_JSONL, { "id" }, "{\"i\\u0064\":1}", KEY_OK, 0, { "1" }, -1 },
	{ FMT_CSV, { "id" }, "{\"id\":\"a\"}", KEY_OK, 0, { "a" }, 0 },
	{ FMT_CSV, { "id" }, "{\"id\":1}", KEY_OK, 0, { "1" }, 0 },
	{ FMT_CSV, { "id" }, "{\"id\":\"\\u0041\\n\"}", KEY_OK, 0,
	    { "A\n" }, 0 },
	{ FMT_TSV, { "id", "n" }, "{\"id\":\"1\",\"n\":false}", KEY_OK, 0,
	    { "1", "false" }, 0 },
	/* Faults, and which key part has them. */
	{ FMT_JSONL, { "id" }, "{\"x\":1}", KEY_MISSING, 0, { NULL }, -1 },
	{ FMT_JSONL, { "id" }, "{}", KEY_MISSING, 0, { NULL }, -1 },
	{ FMT_JSONL, { "a.b" }, "{\"a\":1}", KEY_MISSING, 0, { NULL }, -1 },
	{ FMT_JSONL, { "a.b" }, "{\"a\":[{\"b\":1}]}", KEY_MISSING, 0,
	    { NULL }, -1 },
	{ FMT_JSONL, { "id" }, "{\"ID\":1}", KEY_MISSING, 0, { NULL }, -1 },
	{ FMT_JSONL, { "id" }, "{\"id\":null}", KEY_NULL, 0, { NULL }, -1 },
	{ FMT_JSONL, { "id" }, "{\"id\":{}}", KEY_NESTED, 0, { NULL }, -1 },
	{ FMT_JSONL, { "id" }, "{\"id\":[1]}", KEY_NESTED, 0, { NULL }, -1 },
	{ FMT_CSV, { "id" }, "{\"id\":{\"a\":1}}", KEY_NESTED, 0, { NULL },
	    -1 },
	{ FMT_JSONL, { "id", "n" }, "{\"id\":1}", KEY_MISSING, 1, { NULL },
	    -1 },
	{ FMT_JSONL, { "id", "n" }, "{\"id\":1,\"n\":null}", KEY_NULL, 1,
	    { NULL }, -1 },
	{ FMT_JSONL, { "id", "n" }, "{\"id\":[],\"n\":1}", KEY_NESTED, 0,
	    { NULL }, -1 },
};

static const char *const faultname[] = {
	[KEY_OK] = "ok", [KEY_MISSING] = "missing", [KEY_NULL] = "null",
	[KEY_NESTED] = "nested"
};

/* Run row i of keys: key_of(), then key_scan() on jsonl rows. */
static void
test_key_row(size_t i, struct opts *o, struct json *j)
{
	struct buf got, want, scanned;
	enum keyfault f;
	size_t which = 99, k;
	int r;

	buf_init(&got, 0);
	buf_init(&want, 0);
	buf_init(&scanned, 0);
	f = key_of(o, j, &got, &which);
	unit_str(faultname[f], faultname[keys[i].fault], "key_of(%s, %s): %s",
	    unit_quotes(keys[i].key[0]), unit_quotes(keys[i].rec),
	    faultname[keys[i].fault]);
	if (f != KEY_OK)
		unit_long((long long)which, (long long)keys[i].which,
		    "... in key part %zu", keys[i].which);
	else {
		for (k = 0; k < o->nkey; k++)
			key_part(&want, o->nkey, keys[i].part[k],
			    strlen(keys[i].part[k]));
		unit_mem(got.data, got.len, want.data, want.len,
		    "... identity %s, %s", unit_quotes(keys[i].part[0]),
		    unit_quotes(keys[i].part[1]));
	}
	if (o->fmt == FMT_JSONL) {
		r = key_scan(o, keys[i].rec, strlen(keys[i].rec), &scanned);
		unit_long(r, keys[i].scan, "... key_scan() returns %d",
		    keys[i].scan);
		if (r == 0)
			unit_mem(scanned.data, scanned.len, got.data, got.len,
			    "... and agrees with key_of()");
	}
	buf_free(&got);
	buf_free(&want);
	buf_free(&scanned);
}

static void
test_keys(void)
{
	struct json_error err;
	struct path path[2];
	struct opts o;
	struct json j;
	size_t i, k;

	json_init(&j);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		memset(&o, 0, sizeof(o));
		o.fmt = keys[i].fmt;
		o.key = path;
		for (k = 0; k < 2 && keys[i].key[k] != NULL; k++)
			if (path_parse(&path[o.nkey], keys[i].key[k]) == 0)
				o.nkey++;
		if (o.nkey != k)
			unit_check(0, "the key %s parses",
			    unit_quotes(keys[i].key[o.nkey]));
		else if (json_parse(&j, keys[i].rec, strlen(keys[i].rec),
		    &err) == 0)
			test_key_row(i, &o, &j);
		else
			unit_check(0, "%s parses: %s",
			    unit_quotes(keys[i].rec), err.msg);
		for (k = 0; k < o.nkey; k++)
			path_free(&path[k]);
	}
	json_free(&j);
}

int
main(void)
{
	test_order();
	test_key_part();
	test_keys();
	return unit_done();
}
