/*
 * libFuzzer: rest-merge's record and key handling, its typing and its
 * csv/tsv cells.  The input is one record line.  Two properties are
 * checked besides memory safety and leaks: the light key scan of FILE's
 * rows, when it answers, agrees with the full parser; and every string of
 * the record written as a csv or tsv row reads back as the same cells.
 * Bad records come back as errors, as they do to rest-merge's main.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "json.h"
#include "merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct opts *
keys(int which)
{
	static struct opts o[2];
	static int ready;

	if (!ready) {
		o[0].key = calloc(1, sizeof(struct path));
		o[1].key = calloc(2, sizeof(struct path));
		if (o[0].key == NULL || o[1].key == NULL ||
		    path_parse(&o[0].key[0], "id") == -1 ||
		    path_parse(&o[1].key[0], "id") == -1 ||
		    path_parse(&o[1].key[1], "a.b") == -1)
			abort();
		o[0].nkey = 1;
		o[1].nkey = 2;
		ready = 1;
	}
	return &o[which];
}

/* Write the strings of j as one row of fmt, read it back, compare. */
static void
round_trip(const struct json *j, enum format fmt)
{
	struct buf cells;	/* the strings, back to back */
	size_t *end, n = 0, i, len, at;
	struct lines l;
	struct row r;
	struct err e = { 0 };
	const char *cell;
	FILE *fp;
	int t, got;

	if ((fp = tmpfile()) == NULL)
		abort();
	buf_init(&cells, 0);
	/* Memory from the start: cells.data + 0 is no null pointer sum. */
	buf_grow(&cells, 1);
	end = calloc((size_t)j->ntok + 1, sizeof(*end));
	if (end == NULL)
		abort();
	for (t = 1; t < j->ntok; t++) {
		if (!json_is_string(j, t))
			continue;
		at = cells.len;
		json_unescape(j, t, &cells);
		if (n > 0)
			fputs(fmt_sep(fmt), fp);
		cell_write(fp, fmt, cells.data + at, cells.len - at, 0);
		end[n++] = cells.len;
	}
	fputs(fmt_eol(fmt), fp);
	fflush(fp);
	rewind(fp);
	lines_init(&l, fileno(fp), "<fuzz>");
	row_init(&r);
	/*
	 * What cell_write() wrote reads back, or cell_write() is wrong.  A
	 * row of one cell of spaces is a blank line: nothing to compare.
	 */
	got = n > 0 ? row_next(&r, &l, fmt, &e) : 0;
	if (n > 0 && got != 1)
		__builtin_trap();
	if (got == 1 && !(n == 1 && r.ncell == 0)) {
		if (r.ncell != n)
			__builtin_trap();
		for (i = 0, at = 0; i < n; at = end[i++]) {
			cell = row_cell(&r, i, &len);
			if (len != end[i] - at ||
			    memcmp(cell, cells.data + at, len) != 0)
				__builtin_trap();
		}
	}
	row_free(&r);
	lines_free(&l);
	fclose(fp);
	free(end);
	buf_free(&cells);
	err_free(&e);
}

/* Type the record as each format does; a bad name is an error, no more. */
static void
type(const struct json *j)
{
	static const enum format fmts[] = { FMT_JSONL, FMT_CSV };
	struct schema s;
	struct err e = { 0 };
	size_t f;
	int *cells;

	cells = calloc(64, sizeof(*cells));
	for (f = 0; f < sizeof(fmts) / sizeof(fmts[0]) && cells != NULL; f++) {
		schema_init(&s, fmts[f]);
		s.where = "<fuzz>";
		if (schema_record(&s, j, &e) == 0 &&
		    schema_cells(&s, j, cells, 64, &e) == -1)
			__builtin_trap();
		schema_free(&s);
	}
	free(cells);
	err_free(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct buf full, light;
	struct json j;
	struct err e = { 0 };
	size_t which;
	int k;

	json_init(&j);
	buf_init(&full, 0);
	buf_init(&light, 0);
	if (record_parse(&j, "<fuzz>", 1, 0, text, size, &e) == 0) {
		for (k = 0; k < 2; k++) {
			buf_reset(&full);
			buf_reset(&light);
			if (record_key(keys(k), &j, &full, "<fuzz>", 1,
			    &e) == -1)
				continue;
			if (key_scan(keys(k), text, size, &light) == 0 &&
			    (full.len != light.len ||
			    memcmp(full.data, light.data, full.len) != 0))
				__builtin_trap();
		}
		type(&j);
		round_trip(&j, FMT_CSV);
		round_trip(&j, FMT_TSV);
	}
	buf_free(&full);
	buf_free(&light);
	json_free(&j);
	err_free(&e);
	return 0;
}
