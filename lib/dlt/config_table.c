/*
 * config_table.c: the table's settings, which every program checks:
 * primary_key, write_disposition and its merge strategy, table_name, and
 * the dedup_sort and hard_delete hints of columns, merged per column and
 * hint with resource_defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/diag.h"
#include "base/opt.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/config_int.h"

static const char *const disposition_keys[] = {
	"disposition", "strategy", NULL
};

const struct name write_dispositions[] = {
	{ "merge",	WRITE_MERGE },
	{ "append",	WRITE_APPEND },
	{ "replace",	WRITE_REPLACE },
	{ NULL,		0 }
};

const struct name sort_orders[] = {
	{ "asc",	SORT_ASC },
	{ "desc",	SORT_DESC },
	{ NULL,		0 }
};

/*
 * The hints of column col in columns, an object of them by name or, as
 * dlt also takes them, a list of columns with a name; or -1.
 */
static int
column_of(struct reader *r, int columns, const char *col)
{
	int end, k, nm;

	if (columns < 0)
		return -1;
	if (json_is_object(&r->js, columns))
		return json_get(&r->js, columns, col, strlen(col));
	if (!json_is_array(&r->js, columns))
		return -1;
	end = json_skip(&r->js, columns);
	for (k = columns + 1; k < end; k = json_skip(&r->js, k))
		if ((nm = get(r, k, "name")) >= 0 &&
		    json_streq(&r->js, nm, col, strlen(col)))
			return k;
	return -1;
}

/* Whether the resource's columns give column col the hint, even false. */
static int
own_hint(struct reader *r, int columns, const char *col, const char *hint)
{
	int o;

	if ((o = column_of(r, columns, col)) < 0)
		return 0;
	return get(r, o, hint) >= 0;
}

/*
 * The hints of column col (hints at token h, at path) that no earlier
 * column set; a hint of the resource's (columns), even false, hides the
 * defaults' for the same column, read when res is 0.
 */
static int
read_hints(struct reader *r, struct config *c, int h, const char *col,
    const char *path, int columns, int res)
{
	char hp[300];
	int i, v;

	if (!json_is_object(&r->js, h))
		return bad(r, path, "expected an object of hints");
	if ((i = get(r, h, "dedup_sort")) >= 0 && c->dedup_sort == NULL &&
	    (res || !own_hint(r, columns, col, "dedup_sort"))) {
		snprintf(hp, sizeof(hp), "%s.dedup_sort", path);
		if (rd_take_string(r, i, hp, &c->dedup_order) == -1)
			return -1;
		if (name_value(sort_orders, c->dedup_order) == -1)
			return rd_bad_name(r, hp, sort_orders);
		c->dedup_sort = xstrdup(col);
	}
	if ((i = get(r, h, "hard_delete")) >= 0 && c->hard_delete == NULL &&
	    (res || !own_hint(r, columns, col, "hard_delete"))) {
		snprintf(hp, sizeof(hp), "%s.hard_delete", path);
		if (rd_bool_at(r, i, hp, &v) == -1)
			return -1;
		if (v)
			c->hard_delete = xstrdup(col);
	}
	return 0;
}

/* The columns given as a list (objs[i], of base), as read_columns(). */
static int
read_column_list(struct reader *r, struct config *c, const int *objs,
    int i, const char *base)
{
	char path[256], np[272], *col;
	int end, k, n, nm, rc;

	end = json_skip(&r->js, objs[i]);
	for (k = objs[i] + 1, n = 0; k < end; k = json_skip(&r->js, k), n++) {
		snprintf(path, sizeof(path), "%s.columns[%d]", base, n);
		if (!json_is_object(&r->js, k))
			return bad(r, path, "expected a column (an object with "
			    "a name)");
		if ((nm = get(r, k, "name")) < 0)
			return bad(r, path, "a column needs a name");
		snprintf(np, sizeof(np), "%s.name", path);
		if ((col = rd_string_at(r, nm, np)) == NULL)
			return -1;
		rc = read_hints(r, c, k, col, path, objs[1], i);
		free(col);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* The first column of columns (merged) whose hint is set. */
static int
read_columns(struct reader *r, struct config *c)
{
	int objs[2], i, k, end, rc;
	char path[256];
	char *col;

	objs[0] = get(r, r->defaults, "columns");
	objs[1] = r->res >= 0 && json_is_object(&r->js, r->res) ?
	    get(r, r->res, "columns") : -1;
	for (i = 1; i >= 0; i--) {
		const char *base = i == 0 ? "$.resource_defaults" : r->respath;

		if (objs[i] < 0)
			continue;
		snprintf(path, sizeof(path), "%s.columns", base);
		if (json_is_array(&r->js, objs[i])) {
			if (read_column_list(r, c, objs, i, base) == -1)
				return -1;
			continue;
		}
		if (!json_is_object(&r->js, objs[i]))
			return bad(r, path, "expected an object or a list");
		end = json_skip(&r->js, objs[i]);
		for (k = objs[i] + 1; k < end; k = json_skip(&r->js, k + 1)) {
			if ((col = rd_string_at(r, k, path)) == NULL)
				return -1;
			snprintf(path, sizeof(path), "%s.columns.%s", base, col);
			rc = read_hints(r, c, k + 1, col, path, objs[1], i);
			free(col);
			if (rc == -1)
				return -1;
			snprintf(path, sizeof(path), "%s.columns", base);
		}
	}
	return 0;
}

/* Both merge strategies dlt has for a key are restpipe's merge. */
static int
read_strategy(struct reader *r, int wd, const char *wdpath)
{
	char path[160], *s;
	int i, rc = 0;

	if ((i = get(r, wd, "strategy")) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s.strategy", wdpath);
	if ((s = rd_string_at(r, i, path)) == NULL)
		return -1;
	if (strcmp(s, "delete-insert") != 0 && strcmp(s, "upsert") != 0)
		rc = err_set(r->err, EX_CONFIG, "%s: %s: merge strategy '%s' "
		    "is not supported (delete-insert and upsert are)",
		    r->file, path, s);
	free(s);
	return rc;
}

static int
read_primary_key(struct reader *r, struct config *c, int i, const char *path)
{
	char ep[160];
	int k, n, end;

	if (json_is_string(&r->js, i)) {
		c->primary_key = xcalloc(1, sizeof(char *));
		return rd_take_string(r, i, path,
		    &c->primary_key[c->nprimary_key++]);
	}
	if (!json_is_array(&r->js, i))
		return bad(r, path, "expected a string or a list of strings");
	end = json_skip(&r->js, i);
	c->primary_key = xcalloc((size_t)r->js.tok[i].size + 1,
	    sizeof(char *));
	for (k = i + 1, n = 0; k < end; k = json_skip(&r->js, k), n++) {
		snprintf(ep, sizeof(ep), "%s[%d]", path, n);
		if (rd_take_string(r, k, ep,
		    &c->primary_key[c->nprimary_key++]) == -1)
			return -1;
	}
	return 0;
}

static int
read_disposition(struct reader *r, struct config *c, int i, char *path)
{
	int k;

	if (json_is_object(&r->js, i)) {
		if (rd_check_keys(r, i, path, disposition_keys) == -1)
			return -1;
		if ((k = get(r, i, "disposition")) < 0)
			return bad(r, path, "no disposition");
		if (read_strategy(r, i, path) == -1)
			return -1;
		strcat(path, ".disposition");
		i = k;
	}
	if (rd_take_string(r, i, path, &c->write_disposition) == -1)
		return -1;
	if (name_value(write_dispositions, c->write_disposition) == -1)
		return rd_bad_name(r, path, write_dispositions);
	return 0;
}

int
rd_table(struct reader *r, struct config *c)
{
	char path[128];
	int i;

	if ((i = rd_res_get(r, "primary_key", path, sizeof(path))) >= 0 &&
	    read_primary_key(r, c, i, path) == -1)
		return -1;
	if ((i = rd_res_get(r, "write_disposition", path, sizeof(path))) >= 0 &&
	    read_disposition(r, c, i, path) == -1)
		return -1;
	if ((i = rd_res_get(r, "table_name", path, sizeof(path))) >= 0) {
		if (rd_take_string(r, i, path, &c->table) == -1)
			return -1;
	} else {
		c->table = xstrdup(c->name);
	}
	return read_columns(r, c);
}
