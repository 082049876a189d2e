/*
 * plan.c: what a run does, decided before any request: the resources of
 * a configuration, each resolved and checked (its table file, its state
 * beside it, what a configuration may not ask of rest-sync), its parents
 * to sync or to drive first, and the command line of each program that
 * syncs it, from the options and the configuration.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/hash.h"
#include "base/opt.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/name.h"
#include "sync.h"

#define MAX_CONFIG	(16L * 1024 * 1024)

/* DIR/NAME, or NAME alone when DIR is ".". */
static char *
in_dir(const char *dir, const char *fmt, const char *table, const char *ext)
{
	struct buf b;

	buf_init(&b, 0);
	if (strcmp(dir, ".") != 0) {
		buf_adds(&b, dir);
		if (b.len > 0 && b.data[b.len - 1] != '/')
			buf_addc(&b, '/');
	}
	buf_printf(&b, fmt, table, ext);
	return buf_str(&b);
}

/*
 * Whether resource i of the file, or the defaults, ask for incremental
 * loading (endpoint.incremental): the other programs do not read it, so
 * it is looked for here.  The file was read once already.
 */
static int
incremental(const char *file, size_t i)
{
	struct json_error jerr;
	struct err e = { 0 };
	struct json js;
	struct buf text;
	int list, res, ep, d, found = 0;

	buf_init(&text, MAX_CONFIG);
	json_init(&js);
	if (file_read(file, MAX_CONFIG, &text, &e) == 0 &&
	    json_parse(&js, text.data, text.len, &jerr) == 0) {
		list = json_get(&js, 0, "resources", 9);
		res = json_index(&js, list, (long)i);
		ep = json_is_object(&js, res) ? json_get(&js, res, "endpoint",
		    8) : -1;
		found = json_is_object(&js, ep) && json_get(&js, ep,
		    "incremental", 11) >= 0;
		d = json_get(&js, 0, "resource_defaults", 17);
		ep = json_is_object(&js, d) ? json_get(&js, d, "endpoint", 8) :
		    -1;
		found |= json_is_object(&js, ep) && json_get(&js, ep,
		    "incremental", 11) >= 0;
	}
	err_free(&e);
	json_free(&js);
	buf_free(&text);
	return found;
}

/* Append n bytes of s to b, their length first: no two lists the same. */
static void
field(struct buf *b, const char *s, size_t n)
{
	buf_printf(b, "%zu:", n);
	if (n > 0)
		buf_add(b, s, n);
	buf_addc(b, '\n');
}

static void
sfield(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_adds(b, "-\n");
	else
		field(b, s, strlen(s));
}

/*
 * A hash of what decides which pages a run fetches and what it selects
 * of them: the request rest-paginate makes (less the secret), who makes
 * it, its paginator, the parent and the columns taken from it, the
 * incremental cursor and the data selector.  A pending resume is good
 * only for a configuration with the same.
 */
static char *
fingerprint(const struct config *c)
{
	const char *const strings[] = {
		c->key_name, c->username, c->offset_param, c->limit_param,
		c->page_param, c->total_path, c->total_header,
		c->has_more_path, c->data_selector,
		/* Where the other paginators find and put their positions. */
		c->offset_body_path, c->limit_body_path, c->page_body_path,
		c->next_url_path, c->links_next_key, c->cursor_path,
		c->cursor_param, c->cursor_body_path, c->cursor_key,
		/* Another client may be shown other records. */
		c->token_url, c->client_id,
		/* A child's pages carry columns of its parent's records. */
		c->parent
	};
	const struct incremental *in = c->incr;
	struct buf b, hex;
	size_t i;

	buf_init(&b, 0);
	sfield(&b, c->url);
	sfield(&b, c->method);
	for (i = 0; i < c->nheaders; i++) {
		field(&b, c->headers[i].name, c->headers[i].namelen);
		field(&b, c->headers[i].value, c->headers[i].valuelen);
	}
	buf_adds(&b, "params\n");
	for (i = 0; i < c->nparams; i++) {
		field(&b, c->params[i].name, c->params[i].namelen);
		field(&b, c->params[i].value, c->params[i].valuelen);
	}
	sfield(&b, c->json);
	sfield(&b, c->data);
	for (i = 0; i < c->nactions; i++) {
		buf_printf(&b, "ignore %ld\n", c->actions[i].status);
		sfield(&b, c->actions[i].content);
	}
	buf_printf(&b, "%d %d %d %ld %ld %ld %ld %ld %d %d\n", c->auth,
	    c->key_location, (int)c->pager, c->limit, c->offset, c->maximum,
	    c->base_page, c->page, c->total_path_set, c->stop_after_empty);
	for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
		sfield(&b, strings[i]);
	buf_printf(&b, "%d %d\n", c->allow_other_host, c->data_form);
	/* The names only: the values may be secret. */
	for (i = 0; i < c->ntoken_data; i++)
		field(&b, c->token_data[i].name, c->token_data[i].namelen);
	for (i = 0; i < c->nparent_fields; i++)
		sfield(&b, c->parent_fields[i]);
	buf_adds(&b, "include\n");
	for (i = 0; i < c->ninclude; i++)
		sfield(&b, c->include[i]);
	if (in != NULL) {
		const char *const incr[] = {
			in->cursor_path, in->initial, in->end, in->start_param,
			in->end_param, in->lag
		};

		for (i = 0; i < sizeof(incr) / sizeof(incr[0]); i++)
			sfield(&b, incr[i]);
		buf_printf(&b, "%d %d %d\n", in->min, in->missing, in->dedup);
	}
	buf_init(&hex, 0);
	buf_printf(&hex, "%016" PRIx64, hash_bytes(b.data, b.len));
	buf_free(&b);
	return buf_str(&hex);
}

/* The table of c and where it goes; exits if its name gives no file. */
static void
place(const struct sync_opts *o, const struct config *c, struct resource *r)
{
	struct buf t, pre;

	buf_init(&t, 0);
	if (normalize(c->table, strlen(c->table), &t) == -1)
		die(EX_CONFIG, "%s: resource '%s': table name '%s' gives no "
		    "file name", o->config, c->name, c->table);
	r->name = xstrdup(c->name);
	r->table = buf_str(&t);
	r->file = in_dir(o->dir, "%s.%s", r->table, o->ext);
	/* Its lock and run state: in DIR/.restpipe, none beside the table. */
	r->statedir = in_dir(o->dir, RUN_DIR "/%s.sync", r->table, "");
	r->lockfile = in_dir(o->dir, RUN_DIR "/%s.lock", r->table, "");
	r->rundir = in_dir(o->dir, "%s", RUN_DIR, "");
	r->failfile = in_dir(".", "%s.failure", r->table, "");
	buf_init(&pre, 0);
	buf_printf(&pre, "rest-sync: %s", c->name);
	r->prefix = buf_str(&pre);
}

/* Check c, resource i of the file, to sync into r; exits on a fault. */
static void
check(const struct sync_opts *o, const struct config *c, size_t i,
    struct resource *r)
{
	struct buf side;

	r->wd = c->write_disposition == NULL ? WRITE_APPEND :
	    name_value(write_dispositions, c->write_disposition);
	r->fingerprint = fingerprint(c);
	r->incremental = c->incr != NULL || incremental(o->config, i);
	if (c->incr != NULL)
		r->cursor_path = xstrdup(c->incr->cursor_path);
	if (o->prune && r->wd == WRITE_MERGE && r->incremental)
		die(EX_CONFIG, "--prune: resource '%s' loads incrementally "
		    "(endpoint.incremental): its input is never complete, so "
		    "no key it lacks may be deleted", c->name);
	r->prune = o->prune && r->wd == WRITE_MERGE;
	buf_init(&side, 0);
	buf_printf(&side, "%s.schema.json", r->file);
	if (r->wd == WRITE_MERGE && c->nprimary_key == 0 &&
	    access(side.data, F_OK) == -1)
		die(EX_CONFIG, "%s: resource '%s' merges but has no "
		    "primary_key", o->config, c->name);
	buf_free(&side);
}

/* Exit unless the names are the configuration's, listing those. */
static void
check_names(const struct sync_opts *o, char **all, size_t nall,
    char *const *want, size_t nwant)
{
	struct buf list;
	size_t i, j;

	for (i = 0; i < nwant; i++) {
		for (j = 0; j < nall && strcmp(all[j], want[i]) != 0; j++)
			;
		if (j < nall)
			continue;
		buf_init(&list, 0);
		for (j = 0; j < nall; j++)
			buf_printf(&list, "%s%s", j > 0 ? ", " : "", all[j]);
		die(EX_USAGE, "%s: no resource '%s'; there are: %s",
		    o->config, want[i], buf_str(&list));
	}
}

/* Whether names[i] is wanted: all when none is named; each once. */
static int
wanted(char **all, size_t i, char *const *want, size_t nwant)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(all[j], all[i]) == 0)
			return 0;
	if (nwant == 0)
		return 1;
	for (j = 0; j < nwant; j++)
		if (strcmp(all[i], want[j]) == 0)
			return 1;
	return 0;
}

/*
 * One table, one resource: two resources of the configuration writing
 * one file is 78 if either is to be synced.
 */
static void
check_tables(const struct sync_opts *o, const struct resource *r,
    const int *want, size_t n)
{
	size_t i, j;

	for (i = 0; i + 1 < n; i++)
		for (j = i + 1; j < n; j++) {
			if ((!want[i] && !want[j]) || r[i].file == NULL ||
			    r[j].file == NULL)
				continue;
			if (strcmp(r[i].name, r[j].name) == 0)
				die(EX_CONFIG, "%s: two resources are named "
				    "'%s'", o->config, r[i].name);
			if (strcmp(r[i].file, r[j].file) == 0)
				die(EX_CONFIG, "%s: resources '%s' and '%s' "
				    "both write %s: one table, one resource; "
				    "give one a table_name", o->config,
				    r[i].name, r[j].name, r[i].file);
		}
}

/*
 * The parents of the resources to sync that are not synced themselves
 * (selected: false, or not named) are fetched for them, once: want 2.
 */
static void
drive_parents(struct resource *r, int *want, size_t n)
{
	size_t k, p;
	int more = 1;

	while (more) {
		more = 0;
		for (k = 0; k < n; k++) {
			if (!want[k] || r[k].parent == NULL)
				continue;
			for (p = 0; p < n; p++)
				if (r[p].name != NULL &&
				    strcmp(r[p].name, r[k].parent) == 0)
					break;
			if (p < n && !want[p]) {
				want[p] = 2;
				r[p].drive_only = 1;
				more = 1;
			}
		}
	}
}

/*
 * A child synced with its parent reads the parent's records of the run,
 * DIR/.TABLE.records, instead of fetching them again.
 */
static void
link_parents(const struct sync_opts *o, struct resource *r, size_t n)
{
	struct buf name;
	size_t k, p;

	for (k = 0; k < n; k++) {
		for (p = 0; r[k].parent != NULL && p < n; p++)
			if (strcmp(r[p].name, r[k].parent) == 0)
				break;
		if (r[k].parent == NULL || p == n)
			continue;
		/* This run's own: another one's is no business of it. */
		if (r[p].records == NULL) {
			buf_init(&name, 0);
			buf_printf(&name, RUN_DIR "/%%s.%ld.records",
			    (long)getpid());
			r[p].records = in_dir(o->dir, buf_str(&name),
			    r[p].table, "");
			buf_free(&name);
		}
		r[k].parents = xstrdup(r[p].records);
	}
}

struct resource *
resources_load(const struct sync_opts *o, char *const *names, size_t nnames,
    size_t *nres)
{
	struct resource *r;
	struct config c;
	struct err e = { 0 };
	char **all;
	size_t nall, i, n = 0;
	int *want, held, rc;

	if (config_resources(o->config, &all, &nall, &e) == -1)
		die_err(&e);
	check_names(o, all, nall, names, nnames);
	r = xcalloc(nall, sizeof(*r));
	want = xcalloc(nall, sizeof(*want));
	for (i = 0; i < nall; i++) {
		want[i] = wanted(all, i, names, nnames);
		/*
		 * A resource not synced now only has to say its table; one
		 * to sync must be right, all of them before any request.
		 */
		held = warnings_hold();
		rc = config_load(&c, o->config, all[i], CONFIG_REQUEST |
		    CONFIG_PAGER | CONFIG_SELECT | CONFIG_TABLE, &e);
		warnings_release(held);
		if (rc == -1) {
			if (want[i])
				die_err(&e);
			err_free(&e);
			continue;
		}
		place(o, &c, &r[i]);
		/* As dlt: selected: false only drives its children. */
		if (!c.selected && nnames == 0)
			want[i] = 0;
		if (c.parent != NULL)
			r[i].parent = xstrdup(c.parent);
		if (want[i])
			check(o, &c, i, &r[i]);
		config_free(&c);
	}
	check_tables(o, r, want, nall);
	drive_parents(r, want, nall);
	for (i = 0; i < nall; i++) {
		if (want[i])
			r[n++] = r[i];
		else
			resources_free(&r[i], 1);
		free(all[i]);
	}
	free(all);
	free(want);
	link_parents(o, r, n);
	*nres = n;
	return r;
}

void
resource_json(const struct resource *r, struct buf *b)
{
	buf_reset(b);
	buf_adds(b, "{\"resource\":");
	json_quote(b, r->name, strlen(r->name));
	buf_adds(b, ",\"table\":");
	json_quote(b, r->table, strlen(r->table));
	buf_adds(b, ",\"file\":");
	json_quote(b, r->file, strlen(r->file));
}

void
resources_free(struct resource *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].table);
		free(r[i].file);
		free(r[i].statedir);
		free(r[i].lockfile);
		free(r[i].rundir);
		free(r[i].failfile);
		free(r[i].prefix);
		free(r[i].cursor_path);
		free(r[i].fingerprint);
		free(r[i].parent);
		free(r[i].records);
		free(r[i].parents);
		memset(&r[i], 0, sizeof(r[i]));
	}
}

static void
arg(struct cmdline *a, const char *s)
{
	if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1)
		a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

/* Start a over as PROG -c CONFIG -r NAME: one of the programs for r. */
static void
command(struct cmdline *a, const char *prog, const struct sync_opts *o,
    const struct resource *r)
{
	a->n = 0;
	arg(a, prog);
	arg(a, "-c");
	arg(a, o->config);
	arg(a, "-r");
	arg(a, r->name);
}

void
plan_drive(struct cmdline *paginate, struct cmdline *select,
    const struct sync_opts *o, const struct resource *r)
{
	command(paginate, "rest-paginate", o, r);
	if (o->verbose)
		arg(paginate, "-v");
	if (r->parents != NULL) {
		arg(paginate, "--parents");
		arg(paginate, r->parents);
	}
	command(select, "rest-select", o, r);
}

void
plan_select(struct cmdline *a, const struct sync_opts *o,
    const struct resource *r)
{
	command(a, "rest-select", o, r);
	arg(a, "--report-fd");
	arg(a, "3");
}

void
plan_merge(struct cmdline *a, const struct sync_opts *o,
    const struct resource *r, const char *run_id)
{
	command(a, "rest-merge", o, r);
	/* Its summary is rest-sync's to say, from its report. */
	arg(a, "-s");
	arg(a, "--report-fd");
	arg(a, "3");
	arg(a, "--run-id");
	arg(a, run_id);
	if (r->prune)
		arg(a, "--prune");
	if (r->incremental && o->full_refresh)
		arg(a, "--full-refresh");
	/* A whole extract with no records is what the API has. */
	if (r->wd == WRITE_REPLACE)
		arg(a, "--allow-empty");
	arg(a, r->file);
}

void
plan_paginate(struct cmdline *a, const struct sync_opts *o,
    const struct resource *r, const char *opt, const char *val)
{
	command(a, "rest-paginate", o, r);
	if (o->verbose)
		arg(a, "-v");
	/* Its retries are summed up, or said from its report. */
	if (!o->verbose)
		arg(a, "-s");
	if (o->parallel != NULL) {
		arg(a, "-P");
		arg(a, o->parallel);
	}
	arg(a, "--report-fd");
	arg(a, "3");
	if (r->parents != NULL) {
		arg(a, "--parents");
		arg(a, r->parents);
	}
	/* The state of the table this run feeds. */
	if (r->incremental) {
		arg(a, "--table");
		arg(a, r->file);
	}
	if (r->incremental && o->full_refresh)
		arg(a, "--full-refresh");
	if (opt != NULL) {
		arg(a, opt);
		arg(a, val);
	}
}
