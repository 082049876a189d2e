/*
 * libFuzzer: rest-merge's record and key handling, its typing and its
 * csv/tsv cells.  The input is one record line.  Two properties are
 * checked besides memory safety and leaks: the light key scan of FILE's
 * rows, when it answers, agrees with the full parser; and every string of
 * the record written as a csv or tsv row reads back as the same cells.
 * Bad records come back as errors, as they do to rest-merge's main.
 * Then the input's lines are merged as records in memory and past a
 * small memory budget (spill.c), the keys of all of them also the rows of
 * FILE: the rows that change and the new records must be the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "json/json.h"
#include "merge.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A merge on "id", deleting on "del", keeping the highest "ts". */
static const struct opts *
merge_opts(void)
{
	static struct opts o;
	static struct path key, del, ts;

	if (o.key == NULL) {
		if (path_parse(&key, "id") == -1 ||
		    path_parse(&del, "del") == -1 ||
		    path_parse(&ts, "ts") == -1)
			abort();
		o.key = &key;
		o.nkey = 1;
		o.hard_delete = &del;
		o.dedup_sort = &ts;
		o.dedup_desc = 1;
		o.wd = WRITE_MERGE;
		o.fmt = FMT_JSONL;
		o.file = "fuzz-merge.jsonl";
	}
	return &o;
}

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

/* The keys of the records among the lines of text, back to back. */
static size_t
line_keys(const struct opts *o, const char *text, size_t size,
    struct buf *keys, size_t *end, size_t max)
{
	const char *p = text, *nl, *stop = text + size;
	struct err e = { 0 };
	struct json j;
	size_t n = 0;

	json_init(&j);
	for (; p < stop && n < max; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(stop - p))) == NULL)
			nl = stop;
		if (record_parse(&j, "<fuzz>", 1, 1, p, (size_t)(nl - p),
		    &e) == 0 && record_key(o, &j, keys, "<fuzz>", 1, &e) == 0)
			end[n++] = keys->len;
	}
	json_free(&j);
	err_free(&e);
	return n;
}

static void
same(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn || (an > 0 && memcmp(a, b, an) != 0))
		__builtin_trap();
}

/*
 * Merge the lines as records in memory and past a budget of 16K (where
 * records of a hundred keys or so, whose text kept passes 8K, spool their
 * text and keep their index) or of 40K to 64K, through spill.c: the text
 * spooled reads back as in memory, in the order of the keys, and the hash
 * join's file is written out even if the budget held.
 */
static void
spill_differs(const uint8_t *data, size_t size)
{
	const struct opts *o = merge_opts();
	struct batch mem, got;
	struct schema s;
	struct spill sp;
	struct buf keys;
	struct err e = { 0 };
	struct rec *r;
	const char *text;
	size_t end[512], nrow, i, k, len, at;
	long id, g;
	FILE *fp;
	int ok;

	/* batch_read() reads the standard input. */
	if ((fp = tmpfile()) == NULL || write(fileno(fp), data, size) !=
	    (ssize_t)size || dup2(fileno(fp), 0) == -1)
		abort();
	fclose(fp);
	lseek(0, 0, SEEK_SET);
	batch_init(&mem);
	schema_init(&s, FMT_JSONL);
	ok = batch_read(&mem, o, &s, NULL, &e) == 0;
	schema_free(&s);
	batch_init(&got);
	buf_init(&keys, 0);
	k = size > 0 ? data[0] % 4 : 1;
	spill_init(&sp, o, (k == 0 ? (size_t)16 : 32 + k * 8) << 10);
	lseek(0, 0, SEEK_SET);
	schema_init(&s, FMT_JSONL);
	if (!ok || batch_read(&got, o, &s, &sp, &e) == -1)
		goto out;
	for (i = 0; sp.spooled && i < mem.n; i++) {
		r = &mem.rec[i];
		text = strtab_str(&mem.keys, i, &len);
		g = strtab_find(&got.keys, text, len);
		if (g == -1 || got.rec[g].del != r->del ||
		    (text = spill_text(&sp, got.rec[g].off, got.rec[g].len,
		    &e)) == NULL)
			__builtin_trap();
		same(mem.text.data + r->off, r->len, text, got.rec[g].len);
	}
	if (sp.in.nflush == 0 && spill_batch(&sp, &got, &e) == -1)
		goto out;
	nrow = line_keys(o, (const char *)data, size, &keys, end, 512);
	for (i = 0, at = 0; i < nrow; at = end[i++])
		if (spill_row(&sp, keys.data + at, end[i] - at, &e) == -1)
			__builtin_trap();
	if (spill_join(&sp, &e) == -1)
		__builtin_trap();
	/* The rows of FILE as hit() in merge/stream.c makes them. */
	for (i = 0, at = 0; i < nrow; at = end[i++]) {
		if (spill_find(&sp, &got, 1, &id, &e) == -1)
			__builtin_trap();
		k = (size_t)strtab_find(&mem.keys, keys.data + at,
		    end[i] - at);
		r = &mem.rec[k];
		if (id == -1 || got.rec[id].del != (r->done || r->del))
			__builtin_trap();
		if (!got.rec[id].del)
			same(mem.text.data + r->off, r->len,
			    got.text.data + got.rec[id].off, got.rec[id].len);
		r->done = 1;
	}
	for (i = 0; i < mem.n; i++) {
		r = &mem.rec[i];
		if (r->done || r->del)
			continue;
		if (spill_new(&sp, &text, &len, &e) != 1)
			__builtin_trap();
		same(mem.text.data + r->off, r->len, text, len);
	}
	if (spill_new(&sp, &text, &len, &e) != 0)
		__builtin_trap();
out:
	spill_free(&sp);
	schema_free(&s);
	batch_free(&mem);
	batch_free(&got);
	buf_free(&keys);
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
	spill_differs(data, size);
	buf_free(&full);
	buf_free(&light);
	json_free(&j);
	err_free(&e);
	return 0;
}
