/* libFuzzer: the JSON layer and rest-select's selection on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jpath.h"
#include "json.h"

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

/*
 * The shallow parse must be the full parse cut at a depth: the same error
 * at the same offset, or exactly the full parse's tokens down to that
 * depth (renumbered), and the same selections written the same way.
 */
static void
check_shallow(const uint8_t *data, size_t size, const struct json *full,
    int fullrc, const struct json_error *fullerr, struct jpath **jp)
{
	static const size_t depths[] = { 0, 1, 2, 3, 4, JSON_ALL_LEVELS };
	struct json_error err;
	struct json sh;
	const jsmntok_t *a, *b;
	size_t d, depth, k, na, nb;
	int *level, *idx, i, kept, rc, ta, tb;
	char *sa, *sb;

	level = calloc((size_t)full->ntok + 1, sizeof(*level));
	idx = calloc((size_t)full->ntok + 1, sizeof(*idx));
	if (level == NULL || idx == NULL)
		__builtin_trap();
	/* A member's value sits at its key's level; parents come first. */
	for (i = 0; i < full->ntok; i++) {
		a = &full->tok[i];
		if (a->parent == -1)
			level[i] = 0;
		else if (full->tok[a->parent].type == JSMN_STRING)
			level[i] = level[a->parent];
		else
			level[i] = level[a->parent] + 1;
	}
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
	free(level);
	free(idx);
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
	int rc, t;

	for (i = 0; i < NSELECTORS; i++)
		if ((jp[i] = jpath_compile(selectors[i], &why)) == NULL)
			__builtin_trap();
	json_init(&js);
	buf_init(&out, 0);
	rc = json_parse(&js, (const char *)data, size, &err);
	check_shallow(data, size, &js, rc, &err, jp);
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
