/*
 * lib/json/wire.h: every member of every kind of record survives a round
 * trip; a version not known, a kind not known, a member of the wrong type
 * and lines that are no record are refused with a message that says so;
 * and the position grammar takes what rest-paginate writes and nothing
 * else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/wire.h"
#include "unit.h"

/* A record with every member set, of kind k. */
static void
full(struct wire *w, enum wire_kind k)
{
	wire_init(w, k, "rest-paginate");
	w->position = "--next-url https://x.test/a?b=\"c\"\\d";
	w->pages = 1;
	w->requests = 2;
	w->records = 3;
	w->values = 4;
	w->total = 5;
	w->inserted = 6;
	w->updated = 7;
	w->unchanged = 8;
	w->deleted = 9;
	w->rows = 10;
	w->already = 1;
	w->cause = "503";
	w->attempt = 11;
	w->attempts = 12;
	w->wait = 2.5;
	w->longest_wait = 8;
	w->url = "https://x.test/v1?api_key=***";
	wire_tally_add(w->sent, &w->nsent, "2xx", 20);
	wire_tally_add(w->sent, &w->nsent, "5xx", 3);
	wire_tally_add(w->retries, &w->nretries, "503", 2);
	wire_tally_add(w->retries, &w->nretries, "timeout", 1);
	w->cursor_path = "updated_at";
	w->value = "\"2026-12-07T00:00:00Z\"";
	w->status = 75;
	w->reason = "HTTP 503 (gave up after 4 attempts)\ttab \xc3\xa9";
}

static int
same_tallies(const struct wire_tally *a, size_t na,
    const struct wire_tally *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) != 0 || a[i].n != b[i].n)
			return 0;
	return 1;
}

static void
round_trip(enum wire_kind k)
{
	const char *name = wire_kind_name(k);
	struct wire w, r;
	struct err e = { 0 };
	struct buf b;

	full(&w, k);
	buf_init(&b, 0);
	wire_format(&w, &b);
	unit_check(b.len > 0 && b.data[b.len - 1] == '\n' &&
	    memchr(b.data, '\n', b.len - 1) == NULL, "%s: one line", name);
	if (!unit_check(wire_parse(b.data, b.len, &r, &e) == 0,
	    "%s: read back", name)) {
		printf("#   %s\n", e.msg);
		err_free(&e);
		buf_free(&b);
		return;
	}
	unit_long(r.kind, k, "%s: kind", name);
	unit_str(r.stage, w.stage, "%s: stage", name);
	unit_str(r.position, w.position, "%s: position", name);
	unit_str(r.cause, w.cause, "%s: cause", name);
	unit_str(r.url, w.url, "%s: url", name);
	unit_str(r.cursor_path, w.cursor_path, "%s: cursor_path", name);
	unit_str(r.value, w.value, "%s: value", name);
	unit_str(r.reason, w.reason, "%s: reason", name);
	unit_long(r.pages, 1, "%s: pages", name);
	unit_long(r.requests, 2, "%s: requests", name);
	unit_long(r.records, 3, "%s: records", name);
	unit_long(r.values, 4, "%s: values", name);
	unit_long(r.total, 5, "%s: total", name);
	unit_long(r.inserted, 6, "%s: inserted", name);
	unit_long(r.updated, 7, "%s: updated", name);
	unit_long(r.unchanged, 8, "%s: unchanged", name);
	unit_long(r.deleted, 9, "%s: deleted", name);
	unit_long(r.rows, 10, "%s: rows", name);
	unit_long(r.already, 1, "%s: already", name);
	unit_long(r.attempt, 11, "%s: attempt", name);
	unit_long(r.attempts, 12, "%s: attempts", name);
	unit_double(r.wait, 2.5, "%s: wait", name);
	unit_double(r.longest_wait, 8, "%s: longest_wait", name);
	unit_long(r.status, 75, "%s: status", name);
	unit_check(same_tallies(r.sent, r.nsent, w.sent, w.nsent),
	    "%s: sent", name);
	unit_check(same_tallies(r.retries, r.nretries, w.retries, w.nretries),
	    "%s: retries", name);
	wire_free(&r);
	buf_free(&b);
}

/* A record with nothing known reads back with nothing known. */
static void
empty(void)
{
	struct wire w, r;
	struct err e = { 0 };
	struct buf b;

	wire_init(&w, WIRE_END, NULL);
	buf_init(&b, 0);
	wire_format(&w, &b);
	unit_str(buf_str(&b), "{\"wire\":1,\"kind\":\"end\"}\n",
	    "a record of nothing known is its version and kind");
	unit_check(wire_parse(b.data, b.len, &r, &e) == 0 && r.stage == NULL &&
	    r.pages == -1 && r.status == -1 && r.wait == -1 &&
	    r.nsent == 0 && !r.already, "and reads back so");
	wire_free(&r);
	buf_free(&b);
}

/* Each line is refused with a message holding want. */
static void
refused(void)
{
	static const struct {
		const char	*line, *want;
	} bad[] = {
		{ "", "not a record" },
		{ "not json", "not a record" },
		{ "[1,2]", "not an object" },
		{ "{\"kind\":\"page\"}", "no version" },
		{ "{\"wire\":\"1\",\"kind\":\"page\"}", "no version" },
		{ "{\"wire\":2,\"kind\":\"page\"}",
		    "version 2; this program reads version 1" },
		{ "{\"wire\":0,\"kind\":\"page\"}", "version 0" },
		{ "{\"wire\":1}", "no kind this program knows" },
		{ "{\"wire\":1,\"kind\":\"pages\"}", "no kind" },
		{ "{\"wire\":1,\"kind\":1}", "no kind" },
		{ "{\"wire\":1,\"kind\":\"page\",\"pages\":\"3\"}",
		    "'pages' is not a count" },
		{ "{\"wire\":1,\"kind\":\"page\",\"pages\":-3}",
		    "'pages' is not a count" },
		{ "{\"wire\":1,\"kind\":\"page\",\"pages\":1.5}",
		    "'pages' is not a count" },
		{ "{\"wire\":1,\"kind\":\"page\",\"position\":3}",
		    "'position' is not a string" },
		{ "{\"wire\":1,\"kind\":\"page\",\"stage\":null}",
		    "'stage' is not a string" },
		{ "{\"wire\":1,\"kind\":\"end\",\"already\":1}",
		    "'already' is not true or false" },
		{ "{\"wire\":1,\"kind\":\"fail\",\"status\":300}",
		    "'status' is not a status" },
		{ "{\"wire\":1,\"kind\":\"fail\",\"status\":7.5}",
		    "'status' is not a status" },
		{ "{\"wire\":1,\"kind\":\"retry\",\"wait\":\"2\"}",
		    "'wait' is not a number of seconds" },
		{ "{\"wire\":1,\"kind\":\"end\",\"sent\":[1]}",
		    "'sent' is not an object" },
		{ "{\"wire\":1,\"kind\":\"end\",\"retries\":{\"503\":\"x\"}}",
		    "'retries': a count by name expected" },
		{ "{\"wire\":1,\"kind\":\"page\"} {}", "not a record" },
		{ "{\"wire\":1,\"kind\":\"page\"}\n\n", "not a record" },
	};
	struct wire r;
	struct err e = { 0 };
	size_t i;
	int rc;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = wire_parse(bad[i].line, strlen(bad[i].line), &r, &e);
		unit_check(rc == -1 && e.status == EX_DATAERR && e.msg != NULL &&
		    strstr(e.msg, bad[i].want) != NULL, "refused: %s (%s)",
		    unit_quotes(bad[i].line), e.msg != NULL ? e.msg : "taken");
		err_free(&e);
		if (rc == 0)
			wire_free(&r);
	}
}

/* A member a later version adds is passed over; the rest is read. */
static void
unknown_member(void)
{
	static const char line[] = "{\"wire\":1,\"kind\":\"page\","
	    "\"later\":{\"a\":[1,2]},\"pages\":4}\n";
	struct wire r;
	struct err e = { 0 };

	unit_check(wire_parse(line, sizeof(line) - 1, &r, &e) == 0 &&
	    r.pages == 4, "a member not known is passed over");
	wire_free(&r);
	err_free(&e);
}

static void
positions(void)
{
	static const char *const good[] = {
		"--offset 0", "--offset 123456789012345678", "--page 7",
		"--next-url https://x.test/a?b=c d", "--next-url ",
		"--cursor ", "--cursor a b c",
		"--parent-start 0", "--parent-start 12",
		"--parent-start 3:0123456789abcdef",
		"--parent-start 3:0123456789abcdef --offset 50",
		"--parent-start 3 --cursor x y",
	};
	static const char *const bad[] = {
		"", "--offset", "--offset ", "--offset -1", "--offset 1x",
		"--offset 1234567890123456789", "--offset  1", "--limit 3",
		"--next-url a\nb", "--cursor a\rb", "--parent-start ",
		"--parent-start x", "--parent-start 3:0123456789ABCDEF",
		"--parent-start 3:0123456789abcde",
		"--parent-start 3 --parent-start 4",
		"--parent-start 3  --offset 1", "--parent-start 3 ",
		"--offset 1 --offset 2",
	};
	struct wire_pos p;
	struct buf b;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		unit_check(wire_pos_parse(good[i], &p) == 0, "a position: %s",
		    unit_quotes(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		unit_check(wire_pos_parse(bad[i], &p) == -1,
		    "not a position: %s", unit_quotes(bad[i]));

	wire_pos_parse("--parent-start 3:00000000000000ff --page 9", &p);
	unit_check(p.parent && p.parent_n == 3 && p.hashed &&
	    p.parent_hash == 255 && p.kind == POS_PAGE && p.n == 9,
	    "a parent's position, parsed");
	wire_pos_parse("--cursor a b", &p);
	unit_check(!p.parent && p.kind == POS_CURSOR &&
	    strcmp(p.ref, "a b") == 0, "a cursor, the rest of the line");

	buf_init(&b, 0);
	wire_pos_number(&b, POS_OFFSET, 500);
	unit_str(buf_str(&b), "--offset 500", "an offset written");
	buf_reset(&b);
	wire_pos_ref(&b, POS_NEXT_URL, NULL);
	unit_str(buf_str(&b), "--next-url ", "the link after the last page");
	buf_reset(&b);
	wire_pos_parent(&b, 4, 0xabc, 1, "--page 2");
	unit_str(buf_str(&b), "--parent-start 4:0000000000000abc --page 2",
	    "a parent's position written");
	buf_reset(&b);
	wire_pos_parent(&b, 0, 0, 0, NULL);
	unit_str(buf_str(&b), "--parent-start 0", "the first parent");
	buf_free(&b);
}

int
main(void)
{
	enum wire_kind k;

	for (k = WIRE_PAGE; k <= WIRE_FAIL; k++)
		round_trip(k);
	empty();
	refused();
	unknown_member();
	positions();
	return unit_done();
}
