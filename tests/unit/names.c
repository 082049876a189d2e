/*
 * lib/base/opt.h: the name tables every enum has, read by the options and by
 * the configuration alike; and the lists their messages give.
 */
#include <stddef.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/opt.h"
#include "net/auth.h"
#include "dlt/config.h"
#include "unit.h"

static const struct name one[] = {
	{ "only",	7 },
	{ NULL,		0 }
};

static const struct name none[] = {
	{ NULL,		0 }
};

/* What name_list() and name_join(" and ") make of each table. */
static const struct {
	const char		*what;
	const struct name	*t;
	const char		*list, *join;
} lists[] = {
	{ "auth types", auth_names,
	    "api_key, bearer, http_basic or oauth2_client_credentials",
	    "api_key, bearer, http_basic and oauth2_client_credentials" },
	/* "param" is a second name of query: lists give the first only. */
	{ "key locations", key_location_names, "header, query or cookie",
	    "header, query and cookie" },
	{ "dispositions", write_dispositions, "merge, append or replace",
	    "merge, append and replace" },
	{ "sort orders", sort_orders, "asc or desc", "asc and desc" },
	{ "one name", one, "only", "only" },
	{ "no name", none, "", "" },
};

static const struct {
	const struct name	*t;
	const char		*s;
	int			 value;		/* -1: not a name */
} values[] = {
	{ auth_names, "api_key", AUTH_API_KEY },
	{ auth_names, "bearer", AUTH_BEARER },
	{ auth_names, "http_basic", AUTH_BASIC },
	{ auth_names, "oauth2_client_credentials", AUTH_OAUTH2 },
	{ auth_names, "basic", -1 },
	{ auth_names, "API_KEY", -1 },
	{ auth_names, "", -1 },
	{ key_location_names, "query", KEY_QUERY },
	{ key_location_names, "param", KEY_QUERY },
	{ key_location_names, "cookie", KEY_COOKIE },
	{ key_location_names, "body", -1 },
	{ write_dispositions, "replace", WRITE_REPLACE },
	{ write_dispositions, "upsert", -1 },
	{ sort_orders, "desc", SORT_DESC },
	{ sort_orders, "desc ", -1 },
	{ none, "anything", -1 },
};

int
main(void)
{
	struct err e = { 0 };
	struct buf b;
	size_t i;
	int v;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		buf_reset(&b);
		name_list(lists[i].t, &b);
		unit_str(buf_str(&b), lists[i].list, "name_list: %s",
		    lists[i].what);
		buf_reset(&b);
		name_join(lists[i].t, " and ", &b);
		unit_str(buf_str(&b), lists[i].join, "name_join: %s",
		    lists[i].what);
	}
	buf_free(&b);

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		unit_long(name_value(values[i].t, values[i].s),
		    values[i].value, "name_value: %s",
		    unit_quotes(values[i].s));
	unit_str(name_of(key_location_names, KEY_QUERY), "query",
	    "name_of: the first name of a value with two");
	unit_str(name_of(auth_names, AUTH_NONE), NULL,
	    "name_of: a value without a name");

	v = -2;
	unit_long(parse_name("-w", "append", write_dispositions, &v, &e), 0,
	    "parse_name: a name");
	unit_long(v, WRITE_APPEND, "parse_name: its value");
	unit_long(parse_name("-w", "upsert", write_dispositions, &v, &e), -1,
	    "parse_name: not a name");
	unit_long(e.status, EX_CONFIG, "parse_name: the status");
	unit_str(e.msg, "-w: 'upsert' is not merge, append or replace",
	    "parse_name: the message names the option and lists the names");
	err_free(&e);
	return unit_done();
}
