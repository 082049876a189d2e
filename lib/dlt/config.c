/*
 * config.c: dlt's REST API source configuration, read.  The file is
 * parsed once with the JSON layer and read by token; nothing is copied
 * into a tree.  Here are the entry points (config.h): the file read, the
 * resource chosen, the top-level keys checked, and the parts a program
 * asks for read by the other config_*.c files (config_int.h lists them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/config_int.h"

static const char *const top_keys[] = {
	"client", "resource_defaults", "resources", NULL
};

/* restpipe's own settings, on the client or a resource (read_own()). */
static const char *const own_keys[] = { "allow_short", NULL };

static const char *const resource_keys[] = {
	"columns", "endpoint", "file_format", "include_from_parent",
	"max_table_nesting", "merge_key", "name", "nested_hints",
	"parallelized", "parent_table_name", "primary_key",
	"processing_steps", "references", "restpipe", "schema_contract",
	"selected", "table_format", "table_name", "write_disposition", NULL
};

static const char *const endpoint_keys[] = {
	"auth", "data", "data_selector", "headers", "incremental", "json",
	"method",
	"paginator", "params", "path", "response_actions", NULL
};

static int
read_file(struct reader *r, const char *file)
{
	struct json_error err;
	struct err fe = { 0 };
	size_t line, col;

	if (file_read(file, MAX_CONFIG, &r->text, &fe) == -1) {
		/* The messages configuration files always had. */
		if (fe.status == EX_DATAERR)
			err_set(r->err, EX_CONFIG, "%s: larger than 16 MiB",
			    file);
		else
			err_set(r->err, EX_NOINPUT, "%s:", file);
		err_free(&fe);
		return -1;
	}
	buf_str(&r->text);
	if (json_parse(&r->js, r->text.data, r->text.len, &err) == -1) {
		json_linecol(r->text.data, err.off, &line, &col);
		return err_set(r->err, EX_CONFIG, "%s:%zu:%zu: %s", file, line,
		    col, err.msg);
	}
	if (!json_is_object(&r->js, 0))
		return bad(r, "$", "expected an object");
	return 0;
}

/* The name of resource res; the caller frees it.  NULL on a fault. */
static char *
resource_name(struct reader *r, int res, const char *path)
{
	char p[96];
	int i;

	if (json_is_string(&r->js, res))
		return rd_string_at(r, res, path);
	if (!json_is_object(&r->js, res)) {
		bad(r, path, "expected an object or a string");
		return NULL;
	}
	snprintf(p, sizeof(p), "%s.name", path);
	if ((i = get(r, res, "name")) < 0) {
		bad(r, path, "a resource needs a name");
		return NULL;
	}
	return rd_string_at(r, i, p);
}

/*
 * Refuse a second resource named name, at path, among the n before it:
 * dlt refuses it too, and which one a name means would be a guess.
 */
static int
check_unique(struct reader *r, char **seen, int n, const char *name,
    const char *path, int res)
{
	int k;

	for (k = 0; k < n; k++)
		if (strcmp(seen[k], name) == 0)
			return err_set(r->err, EX_CONFIG, "%s: %s%s: a second "
			    "resource named '%s' (the first is "
			    "$.resources[%d])", r->file, path,
			    json_is_object(&r->js, res) ? ".name" : "", name,
			    k);
	return 0;
}

static int
choose_resource(struct reader *r, struct config *c, const char *want)
{
	int list = get(r, 0, "resources"), end, i, n = 0, rc = 0;
	struct buf names;
	char path[64];
	char *name, **seen;

	if (list < 0)
		return bad(r, "$", "no resources");
	if (!json_is_array(&r->js, list))
		return bad(r, "$.resources", "expected an array");
	buf_init(&names, 0);
	end = json_skip(&r->js, list);
	seen = xcalloc((size_t)r->js.tok[list].size + 1, sizeof(*seen));
	r->res = -1;
	for (i = list + 1; i < end; i = json_skip(&r->js, i), n++) {
		snprintf(path, sizeof(path), "$.resources[%d]", n);
		if ((name = resource_name(r, i, path)) == NULL ||
		    check_unique(r, seen, n, name, path, i) == -1) {
			free(name);
			rc = -1;
			break;
		}
		seen[n] = name;
		if (n > 0)
			buf_adds(&names, ", ");
		buf_adds(&names, name);
		if (want == NULL ? n == 0 : strcmp(want, name) == 0) {
			if (r->res < 0) {
				r->res = i;
				c->name = xstrdup(name);
				snprintf(r->respath, sizeof(r->respath), "%s",
				    path);
			}
		}
	}
	while (n > 0)
		free(seen[--n]);
	free(seen);
	n = r->js.tok[list].size;
	buf_str(&names);
	if (rc == -1) {
		buf_free(&names);
		return -1;
	}
	if (n == 0)
		rc = bad(r, "$.resources", "no resources");
	else if (want == NULL && n > 1)
		rc = err_set(r->err, EX_USAGE, "%s: %d resources, choose one "
		    "with -r: %s", r->file, n, names.data);
	else if (r->res < 0)
		rc = err_set(r->err, EX_USAGE, "%s: no resource '%s'; there "
		    "are: %s", r->file, want, names.data);
	buf_free(&names);
	return rc;
}

/* Whether the file has a resource named name. */
int
rd_resource_exists(struct reader *r, const char *name)
{
	int list = get(r, 0, "resources"), end, i, found = 0;
	char *s;

	end = json_skip(&r->js, list);
	for (i = list + 1; !found && i < end; i = json_skip(&r->js, i)) {
		/* choose_resource() checked every name. */
		if ((s = resource_name(r, i, "$.resources")) == NULL)
			continue;
		found = strcmp(s, name) == 0;
		free(s);
	}
	return found;
}

/* The endpoints' own keys, of the defaults then the resource's. */
static int
check_endpoints(struct reader *r, int parts)
{
	char path[128];
	int i, res, e;

	for (i = 0; i < 2; i++) {
		res = i == 0 ? r->defaults : r->res;
		if (res < 0 || !json_is_object(&r->js, res) ||
		    (e = get(r, res, "endpoint")) < 0)
			continue;
		snprintf(path, sizeof(path), "%s.endpoint",
		    i == 0 ? "$.resource_defaults" : r->respath);
		if (i == 1 && json_is_string(&r->js, e))
			continue;
		if (i == 1 && !json_is_object(&r->js, e))
			return bad(r, path, "expected an object or a string");
		if (parts & CONFIG_REQUEST) {
			if (rd_refuse_keys(r, e, path, endpoint_keys) == -1)
				return -1;
		} else if (!json_is_object(&r->js, e)) {
			return bad(r, path, "expected an object");
		}
	}
	return 0;
}

/*
 * Refuse what dlt would do to the rows that restpipe cannot: processing
 * steps (Python callables).  Ignored, they would load other rows than
 * dlt's.
 */
static int
refuse_unsupported(struct reader *r, int parts)
{
	char path[128];
	int i;

	if ((i = rd_res_get(r, "processing_steps", path, sizeof(path))) >= 0 &&
	    !json_is_null(&r->js, i) && !(json_is_array(&r->js, i) &&
	    r->js.tok[i].size == 0))
		return bad(r, path, "processing steps are Python callables "
		    "that restpipe cannot run: filter or map the records "
		    "between the stages (rest-select, jq) instead");
	(void)parts;
	return 0;
}

/* include_from_parent and selected, which every program reads. */
static int
read_child(struct reader *r, struct config *c)
{
	char path[128], ip[160];
	int i, end, k;

	if ((i = rd_res_get(r, "selected", path, sizeof(path))) >= 0 &&
	    !json_is_null(&r->js, i) && !json_is_bool(&r->js, i, &c->selected))
		return bad(r, path, "expected true or false");
	if ((i = rd_res_get(r, "include_from_parent", path,
	    sizeof(path))) < 0 || json_is_null(&r->js, i))
		return 0;
	if (!json_is_array(&r->js, i))
		return bad(r, path, "expected an array of field names");
	end = json_skip(&r->js, i);
	for (k = i + 1; k < end; k = json_skip(&r->js, k)) {
		snprintf(ip, sizeof(ip), "%s[%zu]", path, c->ninclude);
		c->include = xrealloc(c->include, (c->ninclude + 1) *
		    sizeof(*c->include));
		if (rd_take_string(r, k, ip, &c->include[c->ninclude]) == -1)
			return -1;
		c->ninclude++;
		if (*c->include[c->ninclude - 1] == '\0')
			return bad(r, ip, "expected a field name");
	}
	return 0;
}

/*
 * restpipe's own settings, keys dlt does not have, in one namespace:
 * "restpipe": {"allow_short": true} on the resource (or the defaults),
 * else on the client.  Every setting a hint names has its key here, so
 * that rest-sync, which takes the configuration alone, can follow it.
 */
static int
read_own(struct reader *r, struct config *c)
{
	char path[128], key[160];
	int o, i;

	if ((o = rd_res_get(r, "restpipe", path, sizeof(path))) < 0 &&
	    r->client >= 0) {
		snprintf(path, sizeof(path), "$.client.restpipe");
		o = get(r, r->client, "restpipe");
	}
	if (o < 0)
		return 0;
	if (!json_is_object(&r->js, o))
		return bad(r, path, "expected an object");
	if (rd_refuse_keys(r, o, path, own_keys) == -1)
		return -1;
	if ((i = get(r, o, "allow_short")) >= 0) {
		rd_join(key, sizeof(key), path, "allow_short");
		return rd_bool_at(r, i, key, &c->allow_short);
	}
	return 0;
}

/* Read the parts asked for, once the file is parsed. */
static int
read_parts(struct reader *r, struct config *c, const char *resource,
    int parts)
{
	char path[128];
	int i;

	if (rd_check_keys(r, 0, "$", top_keys) == -1)
		return -1;
	r->client = get(r, 0, "client");
	if (r->client >= 0 && !json_is_object(&r->js, r->client))
		return bad(r, "$.client", "expected an object");
	r->defaults = get(r, 0, "resource_defaults");
	if (rd_refuse_keys(r, r->defaults, "$.resource_defaults",
	    resource_keys) == -1 || choose_resource(r, c, resource) == -1)
		return -1;
	if (json_is_object(&r->js, r->res) &&
	    rd_refuse_keys(r, r->res, r->respath, resource_keys) == -1)
		return -1;
	if (refuse_unsupported(r, parts) == -1)
		return -1;
	if (check_endpoints(r, parts) == -1)
		return -1;
	if (rd_incremental(r, c) == -1)
		return -1;
	if ((parts & CONFIG_REQUEST) && rd_request(r, c) == -1)
		return -1;
	if ((parts & CONFIG_PAGER) && (rd_pager(r, c) == -1 ||
	    read_own(r, c) == -1))
		return -1;
	if ((parts & CONFIG_SELECT) &&
	    (i = rd_ep_get(r, "data_selector", path, sizeof(path))) >= 0 &&
	    rd_take_string(r, i, path, &c->data_selector) == -1)
		return -1;
	/*
	 * Every program checks the table's settings, so that a pipeline
	 * whose last stage would refuse them stops before its first request.
	 */
	if (rd_table(r, c) == -1)
		return -1;
	return read_child(r, c);
}

int
config_load(struct config *c, const char *file, const char *resource,
    int parts, struct err *e)
{
	return config_load_record(c, file, resource, parts, NULL, 0, e);
}

int
config_load_record(struct config *c, const char *file, const char *resource,
    int parts, const char *rec, size_t n, struct err *e)
{
	struct reader r = {
		.file = file, .err = e, .cfg = c, .rec = rec, .reclen = n,
		.quiet = getenv(CONFIG_QUIET_ENV) != NULL
	};
	int rc;

	memset(c, 0, sizeof(*c));
	c->file = xstrdup(file);
	c->selected = 1;
	c->auth = -1;
	c->key_location = -1;
	c->limit = c->offset = c->maximum = c->base_page = c->page = -1;
	c->stop_after_empty = -1;
	c->allow_other_host = -1;
	c->allow_short = -1;
	c->token_expiration = -1;
	buf_init(&r.text, MAX_CONFIG);
	json_init(&r.js);
	if ((rc = read_file(&r, file)) == 0)
		rc = read_parts(&r, c, resource, parts);
	json_free(&r.js);
	buf_free(&r.text);
	free(r.incr_param);
	if (rc == -1)
		config_free(c);
	return rc;
}

int
config_resources(const char *file, char ***names, size_t *n, struct err *e)
{
	struct reader r = { .file = file, .err = e };
	int list, end, i, rc = 0;
	char path[64], *name;

	*names = NULL;
	*n = 0;
	buf_init(&r.text, MAX_CONFIG);
	json_init(&r.js);
	if ((rc = read_file(&r, file)) == 0) {
		if ((list = get(&r, 0, "resources")) < 0)
			rc = bad(&r, "$", "no resources");
		else if (!json_is_array(&r.js, list))
			rc = bad(&r, "$.resources", "expected an array");
	}
	end = rc == 0 ? json_skip(&r.js, list) : 0;
	for (i = rc == 0 ? list + 1 : 0; rc == 0 && i < end;
	    i = json_skip(&r.js, i)) {
		snprintf(path, sizeof(path), "$.resources[%zu]", *n);
		if ((name = resource_name(&r, i, path)) == NULL) {
			rc = -1;
			break;
		}
		*names = xrealloc(*names, (*n + 1) * sizeof(**names));
		(*names)[(*n)++] = name;
	}
	if (rc == 0 && *n == 0)
		rc = bad(&r, "$.resources", "no resources");
	json_free(&r.js);
	buf_free(&r.text);
	if (rc == -1) {
		while (*n > 0)
			free((*names)[--*n]);
		free(*names);
		*names = NULL;
	}
	return rc;
}

static void
free_pairs(struct pair *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void
config_free(struct config *c)
{
	size_t k;
	int i;

	free(c->file);
	free(c->name);
	free(c->url);
	free(c->parent);
	for (k = 0; k < c->nparent_fields; k++)
		free(c->parent_fields[k]);
	free(c->parent_fields);
	for (k = 0; k < c->ninclude; k++)
		free(c->include[k]);
	free(c->include);
	free(c->method);
	free_pairs(c->headers, c->nheaders);
	free_pairs(c->params, c->nparams);
	free(c->json);
	free(c->data);
	for (k = 0; k < c->nactions; k++)
		free(c->actions[k].content);
	free(c->actions);
	free(c->key_name);
	free(c->secret);
	free(c->secret_env);
	free(c->username);
	free(c->token_url);
	free(c->client_id);
	free_pairs(c->token_data, c->ntoken_data);
	free(c->offset_param);
	free(c->limit_param);
	free(c->page_param);
	free(c->total_path);
	free(c->total_header);
	free(c->has_more_path);
	free(c->offset_body_path);
	free(c->limit_body_path);
	free(c->page_body_path);
	free(c->next_url_path);
	free(c->links_next_key);
	free(c->cursor_path);
	free(c->cursor_param);
	free(c->cursor_body_path);
	free(c->cursor_key);
	free(c->data_selector);
	for (i = 0; i < c->nprimary_key; i++)
		free(c->primary_key[i]);
	free(c->primary_key);
	free(c->write_disposition);
	free(c->dedup_sort);
	free(c->dedup_order);
	free(c->hard_delete);
	free(c->table);
	incr_free(c->incr);
	memset(c, 0, sizeof(*c));
}
