/*
 * libFuzzer: the JSON layer and rest-select's selection on any bytes.
 * Each way of reading JSON bytes is held to a second one: the shallow
 * parse to jsmn's tokens, the scanner's value ends to the parser's, the
 * scan in pieces to the scan in one, the member lookup without tokens to
 * json_get(), and json_quote() to json_unescape().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "json/jpath.h"
#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const selectors[] = {
	"$", "data", "$.data[*]", "a[0].b", "a[-1]", "$['odd.key']"
};

#define NSELECTORS	(sizeof(selectors) / sizeof(selectors[0]))

/* What json_write_lines() writes for token t of j. */
static char *
lines(const struct json *j, int t, size_t *n)
{
	char *s = NULL;
	FILE *fp;

	if ((fp = open_memstream(&s, n)) == NULL)
		__builtin_trap();
	if (json_write_lines(j, t, fp) == -1)
		__builtin_trap();
	if (fclose(fp) == EOF)
		__builtin_trap();
	return s;
}

/* The level of each token: the root's is 0, a member's value its key's. */
static int *
levels(const struct json *j)
{
	const jsmntok_t *a;
	int *level, i;

	if ((level = calloc((size_t)j->ntok + 1, sizeof(*level))) == NULL)
		__builtin_trap();
	/* Parents come first. */
	for (i = 0; i < j->ntok; i++) {
		a = &j->tok[i];
		if (a->parent == -1)
			level[i] = 0;
		else if (j->tok[a->parent].type == JSMN_STRING)
			level[i] = level[a->parent];
		else
			level[i] = level[a->parent] + 1;
	}
	return level;
}

/*
 * The shallow parse must be the full parse cut at a depth: the same error
 * at the same offset, or exactly the full parse's tokens down to that
 * depth (renumbered), and the same selections written the same way.
 */
static void
check_shallow(const uint8_t *data, size_t size, const struct json *full,
    int fullrc, const struct json_error *fullerr, struct jpath **jp,
    const int *level)
{
	static const size_t depths[] = { 0, 1, 2, 3, 4, JSON_ALL_LEVELS };
	struct json_error err;
	struct json sh;
	const jsmntok_t *a, *b;
	size_t d, depth, k, na, nb;
	int *idx, i, kept, rc, ta, tb;
	char *sa, *sb;

	if ((idx = calloc((size_t)full->ntok + 1, sizeof(*idx))) == NULL)
		__builtin_trap();
	json_init(&sh);
	/* Every depth that matters here, and no limit at all (rest-merge). */
	for (d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		depth = depths[d];
		rc = json_parse_shallow(&sh, (const char *)data, size, depth,
		    &err);
		if (rc != fullrc)
			__builtin_trap();
		if (rc == -1) {
			if (err.off != fullerr->off ||
			    strcmp(err.msg, fullerr->msg) != 0)
				__builtin_trap();
			continue;
		}
		for (i = 0, kept = 0; i < full->ntok; i++) {
			if ((size_t)level[i] > depth)
				continue;
			a = &full->tok[i];
			b = &sh.tok[kept];
			if (kept >= sh.ntok || a->type != b->type ||
			    a->start != b->start || a->end != b->end ||
			    a->size != b->size || b->parent !=
			    (a->parent == -1 ? -1 : idx[a->parent]))
				__builtin_trap();
			idx[i] = kept++;
		}
		if (kept != sh.ntok)
			__builtin_trap();
		for (k = 0; k < NSELECTORS; k++) {
			if (jpath_depth(jp[k]) + 1 != depth)
				continue;
			ta = jpath_eval(jp[k], full, 0);
			tb = jpath_eval(jp[k], &sh, 0);
			if ((ta == -1) != (tb == -1))
				__builtin_trap();
			if (ta == -1)
				continue;
			sa = lines(full, ta, &na);
			sb = lines(&sh, tb, &nb);
			if (na != nb || memcmp(sa, sb, na) != 0)
				__builtin_trap();
			free(sa);
			free(sb);
		}
	}
	json_free(&sh);
	free(idx);
}

/* Token t's bytes: a string's with its quotes. */
static void
span(const struct json *j, int t, const char **s, const char **e)
{
	int q = j->tok[t].type == JSMN_STRING;

	*s = j->text + j->tok[t].start - q;
	*e = j->text + j->tok[t].end + q;
}

/*
 * Scanned in pieces of step bytes, as rest-select's reader gets them, the
 * value at text[0] ends where one scan of all the bytes says.
 */
static void
check_pieces(const char *text, size_t len, size_t step, int whole,
    size_t wpos)
{
	struct json_scan sc;
	size_t have = 0, pos = 0;
	int r;

	json_scan_init(&sc);
	do {
		have = len - have > step ? have + step : len;
		r = json_scan(&sc, text, have, have == len, &pos);
	} while (r == 0 && have < len);
	if (r != whole || (r == 1 && pos != wpos) || (r == 0 && pos != len))
		__builtin_trap();
}

/*
 * Any bytes: the scan in pieces equals the scan in one.  JSON text: the
 * end json_value_end() finds for a token of the first levels is the
 * token's end, and so is json_scan()'s for the root.
 */
static void
check_scan(const char *text, size_t size, const struct json *j, int rc,
    const int *level)
{
	static const size_t steps[] = { 1, 3, 64 };
	const char *p = text, *end = text + size, *s, *e;
	struct json_scan sc;
	size_t k, pos = 0;
	int i, whole;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' ||
	    *p == '\r'))
		p++;
	if (p < end) {
		json_scan_init(&sc);
		whole = json_scan(&sc, p, (size_t)(end - p), 1, &pos);
		for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
			check_pieces(p, (size_t)(end - p), steps[k], whole, pos);
		if (rc == 0) {
			span(j, 0, &s, &e);
			if (whole != 1 || p + pos != e)
				__builtin_trap();
		}
	}
	if (rc == -1)
		return;
	/* Deeper levels cost a scan of their bytes each: a few suffice. */
	for (i = 0; i < j->ntok; i++) {
		if (level[i] > 4)
			continue;
		span(j, i, &s, &e);
		if (json_value_end(s, end) != e)
			__builtin_trap();
	}
}

/*
 * json_member() on any bytes stays inside them.  On a JSON object, when
 * it answers, the value is the one json_get() finds; when no key holds
 * an escape, it answers whenever json_get() finds one.
 */
static void
check_member(const char *text, size_t size, const struct json *j, int rc)
{
	static const char *const fixed[] = { "id", "data", "a", "" };
	const char *names[12], *v, *e, *s, *te;
	size_t lens[12], n = 0, k;
	int i, m, t, escaped = 0;

	for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++) {
		names[n] = fixed[k];
		lens[n++] = strlen(fixed[k]);
	}
	if (rc == 0 && json_is_object(j, 0)) {
		for (i = 0, k = 1; i < j->tok[0].size; i++) {
			s = j->text + j->tok[k].start;
			te = j->text + j->tok[k].end;
			if (memchr(s, '\\', (size_t)(te - s)) != NULL)
				escaped = 1;
			if (n < sizeof(names) / sizeof(names[0])) {
				names[n] = s;
				lens[n++] = (size_t)(te - s);
			}
			k = json_skip(j, k + 1);
		}
	}
	for (k = 0; k < n; k++) {
		v = text;
		e = text + size;
		m = json_member(&v, &e, names[k], lens[k]);
		if (m == 0 && (v < text || e > text + size || v > e))
			__builtin_trap();
		if (rc == -1 || !json_is_object(j, 0))
			continue;
		t = json_get(j, 0, names[k], lens[k]);
		if (m == -1) {
			if (t != -1 && !escaped)
				__builtin_trap();
			continue;
		}
		if (t == -1)
			__builtin_trap();
		span(j, t, &s, &te);
		if (s != v || te != e)
			__builtin_trap();
	}
}

/* Any bytes, quoted, parse as one string that unescapes to them. */
static void
check_quote(const char *text, size_t size)
{
	struct json_error err;
	struct buf q, back;
	struct json j;

	buf_init(&q, 0);
	buf_init(&back, 0);
	json_init(&j);
	if (json_quote(&q, text, size) == -1 ||
	    json_parse(&j, q.data, q.len, &err) == -1 || j.ntok != 1 ||
	    !json_is_string(&j, 0) || json_unescape(&j, 0, &back) == -1 ||
	    back.len != size ||
	    (size > 0 && memcmp(back.data, text, size) != 0) ||
	    !json_streq(&j, 0, text, size))
		__builtin_trap();
	json_free(&j);
	buf_free(&q);
	buf_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_error err;
	struct jpath *jp[NSELECTORS];
	struct json js;
	struct buf out;
	const char *why;
	size_t i, line, col;
	int *level, rc, t;

	for (i = 0; i < NSELECTORS; i++)
		if ((jp[i] = jpath_compile(selectors[i], &why)) == NULL)
			__builtin_trap();
	json_init(&js);
	buf_init(&out, 0);
	rc = json_parse(&js, (const char *)data, size, &err);
	level = levels(&js);
	check_shallow(data, size, &js, rc, &err, jp, level);
	check_scan((const char *)data, size, &js, rc, level);
	check_member((const char *)data, size, &js, rc);
	check_quote((const char *)data, size);
	free(level);
	if (rc == -1) {
		json_linecol((const char *)data, err.off, &line, &col);
		if (err.off > size || err.msg == NULL)
			__builtin_trap();
		goto done;
	}
	for (i = 0; i < NSELECTORS; i++) {
		if ((t = jpath_eval(jp[i], &js, 0)) >= 0) {
			buf_reset(&out);
			json_compact(&js, t, &out);
		}
	}
	/* Every string unescapes; the compact form parses again. */
	for (t = 0; t < js.ntok; t++) {
		if (json_is_string(&js, t)) {
			buf_reset(&out);
			json_unescape(&js, t, &out);
		}
	}
	buf_reset(&out);
	json_compact(&js, 0, &out);
	{
		struct json again;

		json_init(&again);
		if (json_parse(&again, out.data, out.len, &err) == -1 ||
		    again.ntok != js.ntok)
			__builtin_trap();
		json_free(&again);
	}
done:
	buf_free(&out);
	json_free(&js);
	for (i = 0; i < NSELECTORS; i++)
		jpath_free(jp[i]);
	return 0;
}
