/*
 * schema.c: the columns of the records, their types widened as values
 * come, and the sidecar file (FILE.schema.json) that records them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/hash.h"
#include "json/json.h"
#include "merge.h"

#define MAX_SCHEMA	((size_t)64 << 20)	/* largest sidecar read */

static const char *const type_name[] = {
	[T_NONE] = "null", [T_BIGINT] = "bigint", [T_DOUBLE] = "double",
	[T_BOOL] = "bool", [T_TIMESTAMP] = "timestamp", [T_TEXT] = "text",
	[T_JSON] = "json"
};

void
schema_init(struct schema *s, enum format fmt)
{
	s->fmt = fmt;
	strtab_init(&s->names);
	strtab_init(&s->paths);
	s->col = NULL;
	s->ncol = s->cap = 0;
	s->pathcol = NULL;
	s->typed = 0;
	s->where = "";
	s->line = 0;
	s->loaded = 0;
	s->pk = NULL;
	s->last_id = s->last_at = NULL;
	s->npk = 0;
	for (s->leaf = 0; s->leaf < SHAPE; s->leaf++)
		s->shape[s->leaf] = -1;
	buf_init(&s->path, 0);
	buf_init(&s->name, 0);
}

void
schema_free(struct schema *s)
{
	size_t i;

	free(s->last_id);
	free(s->last_at);
	for (i = 0; i < s->npk; i++)
		path_free(&s->pk[i]);
	free(s->pk);
	strtab_free(&s->names);
	strtab_free(&s->paths);
	free(s->col);
	free(s->pathcol);
	buf_free(&s->path);
	buf_free(&s->name);
}

size_t
schema_column(struct schema *s, const char *name, size_t n)
{
	struct column *c;
	size_t id;
	int added;

	id = strtab_add(&s->names, name, n, &added);
	if (!added)
		return id;
	if (s->ncol == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->col = xrealloc(s->col, s->cap * sizeof(*s->col));
	}
	c = &s->col[s->ncol++];
	c->type = c->old = T_NONE;
	c->old_nullable = 0;
	c->seen = c->stamp = 0;
	/* New columns follow the sidecar's, in the order first seen. */
	c->order = ((long long)1 << 40) + (long long)id;
	return id;
}

/* The widest of two types: bigint < double < text, json takes all. */
static enum ctype
join(enum ctype a, enum ctype b)
{
	if (a == T_NONE || a == b)
		return b;
	if (b == T_NONE)
		return a;
	if ((a == T_BIGINT && b == T_DOUBLE) ||
	    (a == T_DOUBLE && b == T_BIGINT))
		return T_DOUBLE;
	if (a == T_JSON || b == T_JSON)
		return T_JSON;
	return T_TEXT;
}

/* n digits at s, as a number in [min, max]; -1 if not. */
static int
digits(const char *s, size_t n, int min, int max)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v < min || v > max ? -1 : v;
}

/*
 * An ISO 8601 date-time: YYYY-MM-DD, 'T' or ' ', hh:mm, optionally :ss
 * and a fraction, optionally 'Z' or an offset +hh, +hhmm or +hh:mm.
 */
static int
is_timestamp(const char *s, size_t n)
{
	size_t i;

	if (n < 16 || digits(s, 4, 0, 9999) == -1 || s[4] != '-' ||
	    digits(s + 5, 2, 1, 12) == -1 || s[7] != '-' ||
	    digits(s + 8, 2, 1, 31) == -1 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, 0, 23) == -1 || s[13] != ':' ||
	    digits(s + 14, 2, 0, 59) == -1)
		return 0;
	i = 16;
	if (i < n && s[i] == ':') {
		if (i + 3 > n || digits(s + i + 1, 2, 0, 60) == -1)
			return 0;
		i += 3;
		if (i < n && (s[i] == '.' || s[i] == ',')) {
			if (++i == n || s[i] < '0' || s[i] > '9')
				return 0;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (i < n && (s[i] == 'Z' || s[i] == 'z'))
		return i + 1 == n;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		if (i + 3 > n || digits(s + i + 1, 2, 0, 23) == -1)
			return 0;
		i += 3;
		if (i < n && s[i] == ':')
			i++;
		if (i + 2 != n || digits(s + i, 2, 0, 59) == -1)
			return i == n && s[i - 1] != ':';
		return 1;
	}
	return i == n;
}

static enum ctype
classify(const struct json *j, int v)
{
	const jsmntok_t *t = &j->tok[v];
	long long ll;

	if (json_is_string(j, v))
		return is_timestamp(j->text + t->start,
		    (size_t)(t->end - t->start)) ? T_TIMESTAMP : T_TEXT;
	if (json_is_bool(j, v, NULL))
		return T_BOOL;
	if (json_is_number(j, v))
		return json_long(j, v, &ll) == 0 ? T_BIGINT : T_DOUBLE;
	return T_JSON;
}

/*
 * The id of the member path in s->path, whose name tokens are
 * s->stack[0..depth).  Paths are cached in their raw JSON spelling, so
 * names are unescaped and normalized once per distinct path; a path whose
 * names give no column name is not kept.  Returns the id, or -1 with e
 * set.
 */
static long
path_id(struct schema *s, const struct json *j, int depth, struct err *e)
{
	struct buf part;
	long id;
	int d;

	if ((id = strtab_find(&s->paths, s->path.data, s->path.len)) != -1)
		return id;
	buf_reset(&s->name);
	buf_init(&part, 0);
	for (d = 0; d < depth; d++) {
		if (s->fmt == FMT_JSONL) {
			json_unescape(j, s->stack[d], &s->name);
			continue;
		}
		if (d > 0)
			buf_adds(&s->name, "__");
		buf_reset(&part);
		json_unescape(j, s->stack[d], &part);
		if (normalize(part.data, part.len, &s->name) == -1) {
			err_set(e, EX_DATAERR, "%s:%lu: member name \"%s\" "
			    "gives no column name", s->where, s->line,
			    buf_str(&part));
			buf_free(&part);
			return -1;
		}
	}
	buf_free(&part);
	id = (long)strtab_add(&s->paths, s->path.data, s->path.len, NULL);
	s->pathcol = xrealloc(s->pathcol, s->paths.n * sizeof(*s->pathcol));
	s->pathcol[id] = (long)schema_column(s, s->name.data, s->name.len);
	return id;
}

/*
 * The column of the leaf in s->path, or -1 as path_id() says.  Records of
 * one input mostly share their shape, so the path of the last record's
 * leaf at the same place is tried first, which spares most lookups.
 */
static long
leaf_column(struct schema *s, const struct json *j, int depth, struct err *e)
{
	size_t i = s->leaf++, n;
	const char *p;
	long id;

	if (i < SHAPE && (id = s->shape[i]) != -1) {
		p = strtab_str(&s->paths, (size_t)id, &n);
		if (n == s->path.len && memcmp(p, s->path.data, n) == 0)
			return s->pathcol[id];
	}
	if ((id = path_id(s, j, depth, e)) == -1)
		return -1;
	if (i < SHAPE)
		s->shape[i] = id;
	return s->pathcol[id];
}

/*
 * Visit the values of object obj, flattened (csv, tsv) or top-level:
 * type them, or with cells, note where each column's value is.  Returns
 * 0, or -1 as path_id() says.
 */
static int
walk(struct schema *s, const struct json *j, int obj, int depth, int *cells,
    size_t ncells, struct err *e)
{
	size_t keep = s->path.len, c;
	struct column *col;
	long lc;
	int i, k, v;

	for (i = 0, k = obj + 1; i < j->tok[obj].size;
	    i++, k = json_skip(j, v)) {
		v = k + 1;
		s->path.len = keep;
		if (depth > 0)
			buf_addc(&s->path, 0x1f);
		buf_add(&s->path, j->text + j->tok[k].start,
		    (size_t)(j->tok[k].end - j->tok[k].start));
		s->stack[depth] = k;
		if (s->fmt != FMT_JSONL && json_is_object(j, v)) {
			if (walk(s, j, v, depth + 1, cells, ncells, e) == -1)
				goto fail;
			continue;
		}
		/* Like dlt, a column is made by its first value, not a null. */
		if (json_is_null(j, v))
			continue;
		if ((lc = leaf_column(s, j, depth + 1, e)) == -1)
			goto fail;
		c = (size_t)lc;
		if (cells != NULL) {
			if (c < ncells)
				cells[c] = v;
			continue;
		}
		col = &s->col[c];
		/* What no value of the kind can widen is not looked at. */
		if (col->type != T_JSON && (col->type != T_TEXT ||
		    !json_is_string(j, v)) && (col->type != T_DOUBLE ||
		    !json_is_number(j, v)))
			col->type = join(col->type, classify(j, v));
		if (col->stamp != s->typed) {
			col->stamp = s->typed;
			col->seen++;
		}
	}
	s->path.len = keep;
	return 0;
fail:
	s->path.len = keep;
	return -1;
}

int
schema_record(struct schema *s, const struct json *j, struct err *e)
{
	s->typed++;
	s->leaf = 0;
	return walk(s, j, 0, 0, NULL, 0, e);
}

int
schema_cells(struct schema *s, const struct json *j, int *cells,
    size_t ncells, struct err *e)
{
	s->leaf = 0;
	return walk(s, j, 0, 0, cells, ncells, e);
}

static int
bad_schema(struct err *e, const char *path, const char *what)
{
	return err_set(e, EX_DATAERR, "%s: %s", path, what);
}

/* The type named by string token t, or T_NONE if it names none. */
static enum ctype
type_of(const struct json *j, int t)
{
	size_t i;

	for (i = T_BIGINT; i <= T_JSON; i++)
		if (json_streq(j, t, type_name[i], strlen(type_name[i])))
			return (enum ctype)i;
	return T_NONE;
}

static int
load_columns(struct schema *s, const struct json *j, int cols,
    const char *path, struct err *e)
{
	struct buf name;
	struct column *c;
	int i, k, t, nullable, status = -1;
	size_t id;

	buf_init(&name, 0);
	for (i = 0, k = cols + 1; i < j->tok[cols].size; i++,
	    k = json_skip(j, k)) {
		if (!json_is_string(j, t = json_get(j, k, "name", 4))) {
			bad_schema(e, path, "a column without a name");
			goto out;
		}
		buf_reset(&name);
		json_unescape(j, t, &name);
		id = schema_column(s, name.data, name.len);
		c = &s->col[id];
		if ((c->old = type_of(j, json_get(j, k, "type", 4))) ==
		    T_NONE) {
			bad_schema(e, path, "unknown column type");
			goto out;
		}
		if (!json_is_bool(j, json_get(j, k, "nullable", 8), &nullable))
			nullable = 1;
		c->old_nullable = nullable;
		c->order = i;
	}
	status = 0;
out:
	buf_free(&name);
	return status;
}

/* The paths' texts joined by '+', for messages. */
static void
key_text(const struct path *p, size_t n, struct buf *b)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(b, '+');
		buf_adds(b, p[i].text);
	}
}

/* The sidecar's primary key, which must be the one given, if any. */
static int
load_key(struct schema *s, const struct opts *o, const struct json *j,
    int pk, const char *path, struct err *e)
{
	struct buf text, given;
	int i, k, status = -1;

	buf_init(&text, 0);
	buf_init(&given, 0);
	s->pk = xcalloc((size_t)j->tok[pk].size, sizeof(*s->pk));
	for (i = 0, k = pk + 1; i < j->tok[pk].size; i++, k++) {
		if (!json_is_string(j, k)) {
			bad_schema(e, path, "a primary key that is not a "
			    "string");
			goto out;
		}
		buf_reset(&text);
		json_unescape(j, k, &text);
		if (path_parse(&s->pk[s->npk], buf_str(&text)) == -1) {
			bad_schema(e, path, "a primary key with an empty name");
			goto out;
		}
		s->npk++;
	}
	if (o->nkey > 0 && s->npk > 0 && o->wd != WRITE_REPLACE) {
		buf_reset(&text);
		key_text(o->key, o->nkey, &given);
		key_text(s->pk, s->npk, &text);
		if (strcmp(buf_str(&given), buf_str(&text)) != 0) {
			err_set(e, EX_CONFIG, "primary key '%s' differs from "
			    "'%s' in %s", given.data, text.data, path);
			goto out;
		}
	}
	status = 0;
out:
	buf_free(&given);
	buf_free(&text);
	return status;
}

/* The run that last committed FILE, as rest-merge --run-id recorded it. */
static void
load_last_run(struct schema *s, const struct json *j, int t)
{
	struct buf b;
	int v;

	if (json_is_string(j, v = json_get(j, t, "id", 2))) {
		buf_init(&b, 0);
		json_unescape(j, v, &b);
		s->last_id = buf_str(&b);
	}
	if (json_is_string(j, v = json_get(j, t, "at", 2))) {
		buf_init(&b, 0);
		json_unescape(j, v, &b);
		s->last_at = buf_str(&b);
	}
}

int
schema_load(struct schema *s, const struct opts *o, const char *path,
    struct err *e)
{
	struct json_error err;
	struct buf text;
	struct json j;
	size_t line, col;
	int t, status = -1;

	buf_init(&text, 0);
	json_init(&j);
	if (file_read(path, MAX_SCHEMA, &text, e) == -1) {
		/* No sidecar yet is no error. */
		if (e->status == EX_NOINPUT && errno == ENOENT) {
			err_free(e);
			status = 0;
		}
		goto out;
	}
	if (json_parse(&j, text.data, text.len, &err) == -1) {
		json_linecol(text.data, err.off, &line, &col);
		err_set(e, EX_DATAERR, "%s:%zu:%zu: %s", path, line, col,
		    err.msg);
		goto out;
	}
	if (!json_is_array(&j, t = json_get(&j, 0, "columns", 7))) {
		bad_schema(e, path, "no \"columns\" array");
		goto out;
	}
	if (load_columns(s, &j, t, path, e) == -1)
		goto out;
	if (json_is_array(&j, t = json_get(&j, 0, "primary_key", 11)) &&
	    load_key(s, o, &j, t, path, e) == -1)
		goto out;
	if (json_is_object(&j, t = json_get(&j, 0, "last_run", 8)))
		load_last_run(s, &j, t);
	s->loaded = 1;
	status = 1;
out:
	json_free(&j);
	buf_free(&text);
	return status;
}

static enum ctype
final_type(const struct column *c)
{
	enum ctype t = join(c->old, c->type);

	return t == T_NONE ? T_TEXT : t;
}

void
schema_report(const struct schema *s, const char *file)
{
	const char *name;
	size_t i, n;

	for (i = 0; i < s->ncol; i++) {
		if (s->col[i].old == T_NONE ||
		    final_type(&s->col[i]) == s->col[i].old)
			continue;
		name = strtab_str(&s->names, i, &n);
		warnmsg("%s: column '%.*s' widened from %s to %s", file,
		    (int)n, name, type_name[s->col[i].old],
		    type_name[final_type(&s->col[i])]);
	}
}

void
schema_kept_rows(struct schema *s)
{
	size_t i;

	for (i = 0; i < s->ncol; i++)
		if (s->col[i].old == T_NONE)
			s->col[i].old_nullable = 1;
}

/* Write s[0..n) to fp as a JSON string, by way of the scratch buffer b. */
static void
write_string(FILE *fp, struct buf *b, const char *s, size_t n)
{
	buf_reset(b);
	json_quote(b, s, n);
	fwrite(b->data, 1, b->len, fp);
}

/* The column a field path fills: its flat name, or a top-level name. */
static int
is_path_column(const struct schema *s, const struct path *p,
    const char *name, size_t n)
{
	const char *col;

	if (p == NULL)
		return 0;
	if (s->fmt == FMT_JSONL) {
		if (p->nparts != 1)
			return 0;
		col = p->part[0];
	} else
		col = p->column;
	return strlen(col) == n && memcmp(col, name, n) == 0;
}

static const struct schema *sorting;

static int
by_order(const void *a, const void *b)
{
	long long x = sorting->col[*(const size_t *)a].order;
	long long y = sorting->col[*(const size_t *)b].order;

	return (x > y) - (x < y);
}

/* The run committing FILE now, with --run-id; else the one before. */
static void
write_last_run(const struct schema *s, const struct opts *o, FILE *fp,
    struct buf *str)
{
	const char *id = o->run_id != NULL ? o->run_id : s->last_id;
	const char *at = s->last_at;
	char now[32];
	struct tm tm;
	time_t t;

	if (id == NULL)
		return;
	if (o->run_id != NULL) {
		t = time(NULL);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ",
		    gmtime_r(&t, &tm));
		at = now;
	}
	fputs("  \"last_run\": {\"id\": ", fp);
	write_string(fp, str, id, strlen(id));
	fputs(", \"at\": ", fp);
	write_string(fp, str, at != NULL ? at : "", at != NULL ? strlen(at) :
	    0);
	fputs("},\n", fp);
}

void
schema_write(const struct schema *s, const struct opts *o, FILE *fp)
{
	const struct path *key = o->nkey > 0 ? o->key : s->pk;
	size_t nkey = o->nkey > 0 ? o->nkey : s->npk;
	const struct column *c;
	size_t *idx, i, k, n;
	const char *name;
	struct buf str;
	int pk;

	buf_init(&str, 0);
	fprintf(fp, "{\n  \"write_disposition\": \"%s\",\n"
	    "  \"primary_key\": [", name_of(write_dispositions, o->wd));
	for (k = 0; k < nkey; k++) {
		fputs(k > 0 ? ", " : "", fp);
		write_string(fp, &str, key[k].text, strlen(key[k].text));
	}
	fputs("],\n", fp);
	write_last_run(s, o, fp, &str);
	fputs("  \"columns\": [", fp);

	idx = xcalloc(s->ncol, sizeof(*idx));
	for (i = 0; i < s->ncol; i++)
		idx[i] = i;
	sorting = s;
	qsort(idx, s->ncol, sizeof(*idx), by_order);
	for (i = 0; i < s->ncol; i++) {
		c = &s->col[idx[i]];
		name = strtab_str(&s->names, idx[i], &n);
		fputs(i > 0 ? ",\n    {\"name\": " : "\n    {\"name\": ", fp);
		write_string(fp, &str, name, n);
		fprintf(fp, ", \"type\": \"%s\", \"nullable\": %s",
		    type_name[final_type(c)], c->old_nullable ||
		    c->seen < s->typed ? "true" : "false");
		for (k = pk = 0; k < nkey; k++)
			pk |= is_path_column(s, &key[k], name, n);
		if (pk)
			fputs(", \"primary_key\": true", fp);
		if (is_path_column(s, o->hard_delete, name, n))
			fputs(", \"hard_delete\": true", fp);
		if (is_path_column(s, o->dedup_sort, name, n))
			fprintf(fp, ", \"dedup_sort\": \"%s\"",
			    o->dedup_desc ? "desc" : "asc");
		putc('}', fp);
	}
	fputs(s->ncol > 0 ? "\n  ]\n}\n" : "]\n}\n", fp);
	free(idx);
	buf_free(&str);
}
