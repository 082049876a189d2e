/*
 * merge/merge.h: schema_record() types each column by its values and
 * widens the type as records disagree: bigint < double < text, json
 * takes all, a null makes no type.  The widening itself is static in
 * merge/schema.c, so it is tested through schema_record().
 */
#include <string.h>

#include "json/json.h"
#include "merge.h"
#include "unit.h"

static const char *const tname[] = {
	[T_NONE] = "none", [T_BIGINT] = "bigint", [T_DOUBLE] = "double",
	[T_BOOL] = "bool", [T_TIMESTAMP] = "timestamp", [T_TEXT] = "text",
	[T_JSON] = "json"
};

#define TS	"\"2023-11-14T22:13:20Z\""

/* The values of column v in up to four records, in turn; its type. */
static const struct {
	const char	*v[4];
	enum ctype	 want;
} widen[] = {
	{ { "1" }, T_BIGINT },
	{ { "-9223372036854775808" }, T_BIGINT },
	{ { "9223372036854775808" }, T_DOUBLE },	/* past long long */
	{ { "2.5" }, T_DOUBLE },
	{ { "1e3" }, T_DOUBLE },
	{ { "1.0" }, T_DOUBLE },
	{ { "true" }, T_BOOL },
	{ { "\"x\"" }, T_TEXT },
	{ { "\"\"" }, T_TEXT },
	{ { TS }, T_TIMESTAMP },
	{ { "[1]" }, T_JSON },
	{ { "{\"a\":1}" }, T_JSON },
	{ { "null" }, T_NONE },
	/* Two records, both ways round. */
	{ { "1", "2" }, T_BIGINT },
	{ { "1", "2.5" }, T_DOUBLE },
	{ { "2.5", "1" }, T_DOUBLE },
	{ { "1", "\"x\"" }, T_TEXT },
	{ { "\"x\"", "1" }, T_TEXT },
	{ { "2.5", "\"x\"" }, T_TEXT },
	{ { "true", "false" }, T_BOOL },
	{ { "true", "1" }, T_TEXT },
	{ { "1", "true" }, T_TEXT },
	{ { TS, TS }, T_TIMESTAMP },
	{ { TS, "\"x\"" }, T_TEXT },
	{ { "\"x\"", TS }, T_TEXT },
	{ { TS, "1" }, T_TEXT },
	{ { "1", "[1]" }, T_JSON },
	{ { "[1]", "1" }, T_JSON },
	{ { "\"x\"", "{}" }, T_JSON },
	{ { "true", "[]" }, T_JSON },
	/* A null neither makes nor changes a type. */
	{ { "null", "1" }, T_BIGINT },
	{ { "1", "null" }, T_BIGINT },
	{ { "null", "null", "2.5" }, T_DOUBLE },
	{ { "true", "null", "true" }, T_BOOL },
	/* Wider never narrows back. */
	{ { "1", "2.5", "3" }, T_DOUBLE },
	{ { "1", "\"x\"", "2" }, T_TEXT },
	{ { "1", "2.5", "\"x\"", "4" }, T_TEXT },
	{ { "[1]", "1", "\"x\"", "2.5" }, T_JSON },
};

/* Type record texts rec[0..) in a schema of format fmt. */
static int
type_records(struct schema *s, const char *const *rec, size_t n)
{
	struct json_error err;
	struct err e = { 0 };
	struct json j;
	size_t i;

	json_init(&j);
	for (i = 0; i < n && rec[i] != NULL; i++) {
		if (json_parse(&j, rec[i], strlen(rec[i]), &err) == -1) {
			printf("# %s: %s\n", unit_quotes(rec[i]), err.msg);
			json_free(&j);
			return -1;
		}
		if (schema_record(s, &j, &e) == -1) {
			printf("# %s: %s\n", unit_quotes(rec[i]), e.msg);
			err_free(&e);
			json_free(&j);
			return -1;
		}
	}
	json_free(&j);
	return 0;
}

/* The type of column name, T_NONE if there is none. */
static enum ctype
type_of(const struct schema *s, const char *name)
{
	long id = strtab_find(&s->names, name, strlen(name));

	return id == -1 ? T_NONE : s->col[id].type;
}

static void
test_widen(void)
{
	struct schema s;
	char text[4][128];
	const char *rec[4];
	size_t i, k;

	for (i = 0; i < sizeof(widen) / sizeof(widen[0]); i++) {
		for (k = 0; k < 4; k++) {
			rec[k] = NULL;
			if (widen[i].v[k] == NULL)
				break;
			snprintf(text[k], sizeof(text[k]),
			    "{\"id\":%zu,\"v\":%s}", k, widen[i].v[k]);
			rec[k] = text[k];
		}
		schema_init(&s, FMT_JSONL);
		if (type_records(&s, rec, 4) == 0)
			unit_str(tname[type_of(&s, "v")], tname[widen[i].want],
			    "%s, %s, %s, %s: %s", unit_quotes(widen[i].v[0]),
			    unit_quotes(widen[i].v[1]),
			    unit_quotes(widen[i].v[2]),
			    unit_quotes(widen[i].v[3]), tname[widen[i].want]);
		schema_free(&s);
	}
}

/* Which strings are timestamps: ISO 8601 date-times. */
static const struct {
	const char	*s;
	int		 ts;
} stamps[] = {
	{ "2023-11-14T22:13:20Z", 1 },
	{ "2023-11-14T22:13", 1 },
	{ "2023-11-14 22:13", 1 },
	{ "2023-11-14t22:13z", 1 },
	{ "2023-11-14T22:13:20", 1 },
	{ "2023-11-14T22:13:60Z", 1 },		/* a leap second */
	{ "2023-11-14T22:13:20.123456Z", 1 },
	{ "2023-11-14T22:13:20,5Z", 1 },
	{ "2023-11-14T22:13:20+01:00", 1 },
	{ "2023-11-14T22:13:20+0100", 1 },
	{ "2023-11-14T22:13:20+01", 1 },
	{ "2023-11-14T22:13:20-05:30", 1 },
	{ "0000-01-01T00:00", 1 },
	{ "2023-11-14", 0 },
	{ "2023-11-14T22", 0 },
	{ "2023-11-14T22:1", 0 },
	{ "2023-13-14T22:13", 0 },
	{ "2023-00-14T22:13", 0 },
	{ "2023-11-32T22:13", 0 },
	{ "2023-11-00T22:13", 0 },
	{ "2023-11-14T24:00", 0 },
	{ "2023-11-14T22:60", 0 },
	{ "2023-11-14T22:13:61", 0 },
	{ "2023-11-14X22:13", 0 },
	{ "2023/11/14T22:13", 0 },
	{ "2023-11-14T22:13:20.Z", 0 },
	{ "2023-11-14T22:13:20+01:", 0 },
	{ "2023-11-14T22:13:20+24:00", 0 },
	{ "2023-11-14T22:13:20+01:60", 0 },
	{ "2023-11-14T22:13:20+1", 0 },
	{ "2023-11-14T22:13:20Zx", 0 },
	{ "2023-11-14T22:13:20 ", 0 },
	{ " 2023-11-14T22:13:20", 0 },
};

static void
test_stamps(void)
{
	struct schema s;
	char text[128];
	const char *rec[1] = { text };
	enum ctype want;
	size_t i;

	for (i = 0; i < sizeof(stamps) / sizeof(stamps[0]); i++) {
		want = stamps[i].ts ? T_TIMESTAMP : T_TEXT;
		snprintf(text, sizeof(text), "{\"v\":\"%s\"}", stamps[i].s);
		schema_init(&s, FMT_JSONL);
		if (type_records(&s, rec, 1) == 0)
			unit_str(tname[type_of(&s, "v")], tname[want],
			    "%s is %s", unit_quotes(stamps[i].s), tname[want]);
		schema_free(&s);
	}
}

/*
 * Columns: jsonl keeps top-level members as they are; csv flattens
 * objects into parent__child, normalized, and counts records with a
 * value.
 */
static void
test_columns(void)
{
	static const char *const recs[] = {
		"{\"userId\":1,\"Meta\":{\"createdAt\":\"x\",\"n\":null},"
		    "\"tags\":[1]}",
		"{\"userId\":2.5,\"Meta\":{\"createdAt\":1},\"extra\":null}",
		"{\"userId\":null,\"Meta\":{}}",
	};
	struct schema s;

	schema_init(&s, FMT_CSV);
	if (type_records(&s, recs, 3) == 0) {
		unit_str(tname[type_of(&s, "user_id")], "double",
		    "csv: userId is column user_id, double");
		unit_str(tname[type_of(&s, "meta__created_at")], "text",
		    "csv: Meta.createdAt is column meta__created_at, text");
		unit_str(tname[type_of(&s, "tags")], "json",
		    "csv: an array is json");
		unit_long(strtab_find(&s.names, "meta__n", 7), -1,
		    "csv: a null alone makes no column");
		unit_long(strtab_find(&s.names, "extra", 5), -1,
		    "csv: nor does a null at the top");
		unit_long(strtab_find(&s.names, "Meta", 4), -1,
		    "csv: an object is no column of its own");
		unit_long((long long)s.col[strtab_find(&s.names, "user_id",
		    7)].seen, 2, "csv: user_id has a value in 2 records");
		unit_long((long long)s.typed, 3, "csv: 3 records typed");
	}
	schema_free(&s);

	schema_init(&s, FMT_JSONL);
	if (type_records(&s, recs, 3) == 0) {
		unit_str(tname[type_of(&s, "userId")], "double",
		    "jsonl: userId keeps its name, double");
		unit_str(tname[type_of(&s, "Meta")], "json",
		    "jsonl: an object is one json column");
		unit_long(strtab_find(&s.names, "user_id", 7), -1,
		    "jsonl: names are not normalized");
		unit_long((long long)s.ncol, 3, "jsonl: 3 columns");
	}
	schema_free(&s);
}

int
main(void)
{
	test_widen();
	test_stamps();
	test_columns();
	return unit_done();
}
