/*
 * config_pager.c: the paginator (CONFIG_PAGER), as dlt chooses it from
 * the endpoint, resource_defaults and the client: its type, its members
 * and the stop rules of the offset and page number paginators.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/opt.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/config_int.h"

static const char *const offset_keys[] = {
	"has_more_path", "limit", "limit_body_path", "limit_param",
	"maximum_offset", "offset", "offset_body_path", "offset_param",
	"stop_after_empty_page", "total_header", "total_path", "type", NULL
};

static const char *const page_keys[] = {
	"base_page", "has_more_path", "maximum_page", "page", "page_body_path",
	"page_param", "stop_after_empty_page", "total_header", "total_path",
	"type", NULL
};

/* allow_other_host is restpipe's, not dlt's. */
static const char *const json_link_keys[] = {
	"allow_other_host", "next_url_path", "type", NULL
};

static const char *const header_link_keys[] = {
	"allow_other_host", "links_next_key", "type", NULL
};

static const char *const cursor_keys[] = {
	"cursor_body_path", "cursor_param", "cursor_path", "has_more_path",
	"stop_after_empty_page", "type", NULL
};

static const char *const header_cursor_keys[] = {
	"cursor_key", "cursor_param", "type", NULL
};

/*
 * The optional string member key of paginator p at path into *s: a name
 * or a path, never empty.  Returns 0 or -1.
 */
static int
opt_string(struct reader *r, int p, const char *path, const char *key,
    char **s)
{
	char fp[160];
	int i;

	snprintf(fp, sizeof(fp), "%s.%s", path, key);
	if ((i = get(r, p, key)) < 0 || json_is_null(&r->js, i))
		return 0;
	if (rd_take_string(r, i, fp, s) == -1)
		return -1;
	if (**s == '\0')
		return bad(r, fp, "expected a name, not an empty string");
	return 0;
}

/*
 * The body path key of p into *s, which the parameter param must not be
 * given with (dlt refuses both).  Returns 0 or -1.
 */
static int
body_path(struct reader *r, int p, const char *path, const char *key,
    const char *param, char **s)
{
	char fp[160];
	const char *dot;

	if (opt_string(r, p, path, key, s) == -1)
		return -1;
	if (*s == NULL)
		return 0;
	snprintf(fp, sizeof(fp), "%s.%s", path, key);
	if (get(r, p, param) >= 0 && !json_is_null(&r->js, get(r, p, param)))
		return bad(r, fp, param[0] == 'c' ? "give cursor_param or "
		    "cursor_body_path, not both" : "give the parameter or the "
		    "body path, not both");
	for (dot = *s; (dot = strchr(dot, '.')) != NULL; dot++)
		if (dot == *s || dot[1] == '\0' || dot[1] == '.')
			return bad(r, fp, "an empty key in a dotted path");
	if ((*s)[strlen(*s) - 1] == '.')
		return bad(r, fp, "an empty key in a dotted path");
	return 0;
}

/* The restpipe key allow_other_host of p at path. */
static int
read_other_host(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	snprintf(fp, sizeof(fp), "%s.allow_other_host", path);
	if ((i = get(r, p, "allow_other_host")) >= 0)
		return rd_bool_at(r, i, fp, &c->allow_other_host);
	return 0;
}

/* The members of the link and cursor paginators p at path. */
static int
read_ref(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	switch (c->pager) {
	case PAGER_JSON_LINK:
		if (rd_check_keys(r, p, path, json_link_keys) == -1 ||
		    opt_string(r, p, path, "next_url_path",
		    &c->next_url_path) == -1)
			return -1;
		return read_other_host(r, c, p, path);
	case PAGER_HEADER_LINK:
		if (rd_check_keys(r, p, path, header_link_keys) == -1 ||
		    opt_string(r, p, path, "links_next_key",
		    &c->links_next_key) == -1)
			return -1;
		return read_other_host(r, c, p, path);
	case PAGER_CURSOR:
		if (rd_check_keys(r, p, path, cursor_keys) == -1 ||
		    opt_string(r, p, path, "cursor_path", &c->cursor_path) ==
		    -1 || opt_string(r, p, path, "cursor_param",
		    &c->cursor_param) == -1 || body_path(r, p, path,
		    "cursor_body_path", "cursor_param", &c->cursor_body_path) ==
		    -1)
			return -1;
		snprintf(fp, sizeof(fp), "%s.stop_after_empty_page", path);
		if ((i = get(r, p, "stop_after_empty_page")) >= 0 &&
		    rd_bool_at(r, i, fp, &c->stop_after_empty) == -1)
			return -1;
		return opt_string(r, p, path, "has_more_path",
		    &c->has_more_path);
	default:
		if (rd_check_keys(r, p, path, header_cursor_keys) == -1 ||
		    opt_string(r, p, path, "cursor_key", &c->cursor_key) == -1)
			return -1;
		return opt_string(r, p, path, "cursor_param", &c->cursor_param);
	}
}

/* The members of the offset paginator p at path. */
static int
read_offset(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

#define FIELD(name) (snprintf(fp, sizeof(fp), "%s.%s", path, name), \
	get(r, p, name))
	if (p < 0)
		return bad(r, path, "the offset paginator needs a limit: write "
		    "it as {\"type\": \"offset\", \"limit\": N}");
	if (rd_check_keys(r, p, path, offset_keys) == -1)
		return -1;
	if ((i = FIELD("limit")) < 0)
		return bad(r, path, "the offset paginator needs a limit");
	if (rd_long_at(r, i, fp, &c->limit) == -1)
		return -1;
	if (c->limit == 0)
		return bad(r, fp, "expected a limit of 1 or more");
	if ((i = FIELD("offset")) >= 0 &&
	    rd_long_at(r, i, fp, &c->offset) == -1)
		return -1;
	if ((i = FIELD("offset_param")) >= 0 &&
	    rd_take_string(r, i, fp, &c->offset_param) == -1)
		return -1;
	if ((i = FIELD("limit_param")) >= 0 &&
	    rd_take_string(r, i, fp, &c->limit_param) == -1)
		return -1;
	if ((i = FIELD("maximum_offset")) >= 0 &&
	    rd_long_at(r, i, fp, &c->maximum) == -1)
		return -1;
	if (body_path(r, p, path, "offset_body_path", "offset_param",
	    &c->offset_body_path) == -1)
		return -1;
	return body_path(r, p, path, "limit_body_path", "limit_param",
	    &c->limit_body_path);
}

/* The members of the page number paginator p at path. */
static int
read_page_number(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	if (rd_check_keys(r, p, path, page_keys) == -1)
		return -1;
	if ((i = FIELD("base_page")) >= 0 &&
	    rd_long_at(r, i, fp, &c->base_page) == -1)
		return -1;
	if ((i = FIELD("page")) >= 0 && rd_long_at(r, i, fp, &c->page) == -1)
		return -1;
	if ((i = FIELD("page_param")) >= 0 &&
	    rd_take_string(r, i, fp, &c->page_param) == -1)
		return -1;
	if ((i = FIELD("maximum_page")) >= 0 &&
	    rd_long_at(r, i, fp, &c->maximum) == -1)
		return -1;
	return body_path(r, p, path, "page_body_path", "page_param",
	    &c->page_body_path);
}

const struct name paginators[] = {
	{ "offset",		PAGER_OFFSET },
	{ "page_number",	PAGER_PAGE_NUMBER },
	{ "single_page",	PAGER_SINGLE },
	{ "json_link",		PAGER_JSON_LINK },
	{ "header_link",	PAGER_HEADER_LINK },
	{ "cursor",		PAGER_CURSOR },
	{ "header_cursor",	PAGER_HEADER_CURSOR },
	{ "auto",		PAGER_AUTO },
	{ NULL,			0 }
};

/* Say that the paginator type at path is not one restpipe has. */
static int
unsupported_pager(struct reader *r, const char *path, const char *type)
{
	struct buf list;

	buf_init(&list, 0);
	name_join(paginators, " and ", &list);
	err_set(r->err, EX_CONFIG, "%s: %s: paginator '%s' is not supported "
	    "(%s are)", r->file, path, type, buf_str(&list));
	buf_free(&list);
	return -1;
}

/* The stop rules the offset and page number paginators share. */
static int
read_stops(struct reader *r, struct config *c, int p, const char *path)
{
	char fp[160];
	int i;

	if ((i = FIELD("total_path")) >= 0) {
		c->total_path_set = 1;
		if (!json_is_null(&r->js, i) &&
		    rd_take_string(r, i, fp, &c->total_path) == -1)
			return -1;
	}
	/* restpipe's own: the total from a response header. */
	if ((i = FIELD("total_header")) >= 0 && !json_is_null(&r->js, i) &&
	    rd_take_string(r, i, fp, &c->total_header) == -1)
		return -1;
	if ((i = FIELD("stop_after_empty_page")) >= 0 &&
	    rd_bool_at(r, i, fp, &c->stop_after_empty) == -1)
		return -1;
	if ((i = FIELD("has_more_path")) >= 0 && !json_is_null(&r->js, i) &&
	    rd_take_string(r, i, fp, &c->has_more_path) == -1)
		return -1;
	if (c->total_path_set && (c->total_path == NULL ||
	    *c->total_path == '\0') && c->total_header == NULL &&
	    c->stop_after_empty == 0 && c->maximum < 0 &&
	    c->has_more_path == NULL)
		return err_set(r->err, EX_CONFIG, "%s: %s: paging would never "
		    "stop: total_path is null and stop_after_empty_page false; "
		    "give a total_path, %s or has_more_path", r->file, path,
		    c->pager == PAGER_OFFSET ? "maximum_offset" :
		    "maximum_page");
	return 0;
#undef FIELD
}

static int
read_pager_object(struct reader *r, struct config *c, int p,
    const char *path)
{
	char fp[160];
	char *type;
	int i, rc;

	snprintf(fp, sizeof(fp), "%s.type", path);
	if (json_is_string(&r->js, p)) {
		/* A bare type name: every member left out, as dlt allows. */
		snprintf(fp, sizeof(fp), "%s", path);
		i = p;
		p = -1;
	} else if ((i = get(r, p, "type")) < 0) {
		return bad(r, path, "a paginator needs a type");
	}
	if ((type = rd_string_at(r, i, fp)) == NULL)
		return -1;
	switch (name_value(paginators, type)) {
	case PAGER_OFFSET:
		c->pager = PAGER_OFFSET;
		rc = read_offset(r, c, p, path);
		break;
	case PAGER_PAGE_NUMBER:
		c->pager = PAGER_PAGE_NUMBER;
		rc = read_page_number(r, c, p, path);
		break;
	case PAGER_SINGLE:
		c->pager = PAGER_SINGLE;
		free(type);
		return 0;
	case PAGER_JSON_LINK:
	case PAGER_HEADER_LINK:
	case PAGER_CURSOR:
	case PAGER_HEADER_CURSOR:
		c->pager = (enum pager_type)name_value(paginators, type);
		free(type);
		return read_ref(r, c, p, path);
	default:
		rc = unsupported_pager(r, fp, type);
	}
	free(type);
	if (rc == -1 || read_stops(r, c, p, path) == -1)
		return -1;
	return 0;
}

/* Whether paginator p is "auto" or {"type": "auto", ...}. */
static int
is_auto(struct reader *r, int p, const char *path)
{
	static const char *const auto_keys[] = { "type", NULL };
	int t;

	if (json_is_string(&r->js, p))
		return json_streq(&r->js, p, "auto", 4);
	if ((t = get(r, p, "type")) < 0 || !json_streq(&r->js, t, "auto", 4))
		return 0;
	rd_check_keys(r, p, path, auto_keys);
	return 1;
}

/*
 * The paginator as dlt chooses it: the endpoint's, the defaults', the
 * client's.  An endpoint's "auto" or null is no paginator there, so the
 * client's applies; null is none given, as in dlt: an endpoint's hides
 * the defaults' but not the client's.
 */
int
rd_pager(struct reader *r, struct config *c)
{
	char path[128];
	int p, cp = get(r, r->client, "paginator"), detect = 0;

	if ((p = rd_ep_get(r, "paginator", path, sizeof(path))) >= 0 &&
	    json_is_null(&r->js, p) && cp >= 0 && !json_is_null(&r->js, cp) &&
	    !r->quiet)
		warnmsg("warning: %s: %s: null takes the client's paginator, "
		    "as in dlt; write \"single_page\" for one page", r->file,
		    path);
	if (p >= 0 && (json_is_null(&r->js, p) || is_auto(r, p, path))) {
		detect = !json_is_null(&r->js, p);
		p = -1;
	}
	if (p < 0) {
		snprintf(path, sizeof(path), "$.client.paginator");
		if ((p = cp) < 0 || json_is_null(&r->js, p)) {
			c->pager = detect ? PAGER_AUTO : PAGER_NONE;
			return 0;
		}
	}
	if (is_auto(r, p, path)) {
		c->pager = PAGER_AUTO;
		return 0;
	}
	if (!json_is_object(&r->js, p) && !json_is_string(&r->js, p))
		return bad(r, path, "expected an object or a string");
	return read_pager_object(r, c, p, path);
}
