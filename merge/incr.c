/*
 * incr.c: rest-merge's part of dlt's incremental loading
 * (dlt/extract/incremental/transform.py): the records outside [start,
 * end) dropped, the boundary records of the last run dropped again, and
 * the new state, committed with the table once the input is whole.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/hash.h"
#include "json/jpath.h"
#include "json/json.h"
#include "dlt/incr.h"
#include "merge.h"

int
incr_run_init(struct incr_run *ir, const struct incremental *inc,
    const char *resource, const char *file, int full_refresh, struct err *e)
{
	const char *msg;
	size_t i;
	int added;

	memset(ir, 0, sizeof(*ir));
	ir->inc = inc;
	ir->resource = resource;
	ir->path = incr_state_file(file);
	strtab_init(&ir->seen);
	strtab_init(&ir->bound);
	if ((ir->cursor = jpath_compile(inc->cursor_path, &msg)) == NULL)
		return err_set(e, EX_CONFIG, "cursor_path '%s': %s",
		    inc->cursor_path, msg);
	if (!full_refresh && (ir->had = incr_state_load(&ir->old, ir->path,
	    resource, inc, e)) == -1)
		return -1;
	if (incr_start(inc, ir->had ? &ir->old : NULL, &ir->start, e) == -1)
		return -1;
	/* dlt deduplicates only without an end value and a lag. */
	ir->dedup = inc->dedup && inc->end == NULL && (inc->lag == NULL ||
	    strtod(inc->lag, NULL) == 0);
	if (ir->dedup && ir->had && ir->old.last != NULL &&
	    ir->start != NULL && strcmp(ir->old.last, ir->start) == 0)
		for (i = 0; i < ir->old.nhash; i++)
			strtab_add(&ir->seen, ir->old.hashes[i],
			    strlen(ir->old.hashes[i]), &added);
	if (ir->start != NULL)
		ir->last = xstrdup(ir->start);
	return 0;
}

int
incr_mark(struct incr_run *ir, const char *line, size_t len,
    const char *where, unsigned long lineno, struct err *e)
{
	size_t n = sizeof(INCR_END_MARK) - 1;
	char *v;
	int same;

	if (len <= n || memcmp(line, INCR_END_MARK, n) != 0)
		return 0;
	v = xstrndup(line + n, len - n - 1);
	same = ir->start == NULL ? strcmp(v, "null") == 0 :
	    strcmp(v, ir->start) == 0;
	if (!same) {
		err_set(e, EX_DATAERR, "%s:%lu: rest-paginate started from %s, "
		    "the state of the table from %s: give --full-refresh to both "
		    "or neither, and run one pipeline at a time", where, lineno,
		    v, ir->start != NULL ? ir->start : "null");
		free(v);
		return -1;
	}
	free(v);
	ir->complete = 1;
	return 1;
}

/* The hash that identifies a boundary record, as a new hex string. */
static void
record_hash(const struct json *j, const char *key, size_t keylen,
    char hex[17])
{
	struct buf b;
	uint64_t h;

	if (keylen > 0) {
		h = hash_bytes(key, keylen);
	} else {
		buf_init(&b, 0);
		json_compact(j, 0, &b);
		h = hash_bytes(b.data, b.len);
		buf_free(&b);
	}
	snprintf(hex, 17, "%016" PRIx64, h);
}

int
incr_keep(struct incr_run *ir, const struct json *j, const char *key,
    size_t keylen, const char *where, unsigned long lineno, struct err *e)
{
	const struct incremental *inc = ir->inc;
	struct buf v;
	char hex[17];
	int t, c, s, added;

	t = jpath_eval(ir->cursor, j, 0);
	if (t == -1 || json_is_null(j, t)) {
		if (inc->missing == INCR_RAISE)
			return err_set(e, EX_DATAERR, "%s:%lu: the cursor '%s' "
			    "is %s in the record (on_cursor_value_missing: "
			    "include or exclude accepts that)", where, lineno,
			    inc->cursor_path, t == -1 ? "missing" : "null");
		return inc->missing == INCR_INCLUDE;
	}
	buf_init(&v, 0);
	json_compact(j, t, &v);
	buf_str(&v);
	if (inc->end != NULL) {
		if (incr_cmp(v.data, inc->end, &c) == -1)
			goto incomparable;
		/* [start, end): the end itself is out, as dlt's "open". */
		if (inc->min ? c <= 0 : c >= 0)
			goto skip;
	}
	c = 1;
	if (ir->last != NULL && incr_cmp(v.data, ir->last, &c) == -1)
		goto incomparable;
	if (ir->last != NULL && inc->min)
		c = -c;
	if (c <= 0 && ir->start != NULL) {
		if (incr_cmp(v.data, ir->start, &s) == -1)
			goto incomparable;
		if (inc->min)
			s = -s;
		if (s < 0)
			goto skip;
		if (s == 0 && ir->dedup) {
			record_hash(j, key, keylen, hex);
			if (strtab_find(&ir->seen, hex, 16) >= 0)
				goto skip;
		}
	}
	if (c > 0) {
		free(ir->last);
		ir->last = xstrdup(v.data);
		strtab_free(&ir->bound);
		strtab_init(&ir->bound);
	}
	if (c >= 0 && ir->dedup) {
		record_hash(j, key, keylen, hex);
		strtab_add(&ir->bound, hex, 16, &added);
	}
	buf_free(&v);
	return 1;
skip:
	ir->skipped++;
	buf_free(&v);
	return 0;
incomparable:
	err_set(e, EX_DATAERR, "%s:%lu: the cursor '%s' is %s, which does not "
	    "compare with %s", where, lineno, inc->cursor_path, v.data,
	    ir->last != NULL ? ir->last : inc->end);
	buf_free(&v);
	return -1;
}

int
incr_writes(const struct incr_run *ir)
{
	return ir->complete && ir->inc->end == NULL;
}

void
incr_run_write(const struct incr_run *ir, FILE *fp)
{
	struct incr_state st = { 0 };
	const char *h;
	size_t i, n;
	int sameold;

	st.last = ir->last;
	/* A run that found nothing past the start keeps the old hashes too. */
	sameold = ir->had && ir->old.last != NULL && ir->last != NULL &&
	    strcmp(ir->old.last, ir->last) == 0;
	st.hashes = xcalloc(ir->bound.n + (sameold ? ir->seen.n : 0) + 1,
	    sizeof(char *));
	for (i = 0; i < ir->bound.n; i++) {
		h = strtab_str(&ir->bound, i, &n);
		st.hashes[st.nhash++] = xstrndup(h, n);
	}
	for (i = 0; sameold && i < ir->seen.n; i++) {
		h = strtab_str(&ir->seen, i, &n);
		if (strtab_find(&ir->bound, h, n) < 0)
			st.hashes[st.nhash++] = xstrndup(h, n);
	}
	incr_state_write(fp, ir->resource, ir->inc, &st);
	st.last = NULL;
	incr_state_free(&st);
}

void
incr_run_free(struct incr_run *ir)
{
	free(ir->path);
	free(ir->start);
	free(ir->last);
	incr_state_free(&ir->old);
	jpath_free(ir->cursor);
	strtab_free(&ir->seen);
	strtab_free(&ir->bound);
}
