/*
 * config.h: dlt's REST API source configuration (the rest_api_source
 * dict written as JSON), resolved for one resource: resource_defaults
 * merged in as dlt merges them, the URL joined, the paginator chosen.
 * Each program reads only the parts it needs.  The code is in
 * config*.c, by concern; config_int.h, private, says which file holds
 * what.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/opt.h"
#include "net/auth.h"
#include "dlt/incr.h"

/*
 * Set in the environment of the programs a rest-sync runs: it has said
 * the configuration's warnings already, so they do not say them again.
 */
#define CONFIG_QUIET_ENV	"RESTPIPE_CONFIG_QUIET"

/* The parts of a configuration a program reads. */
#define CONFIG_REQUEST	0x01	/* client, endpoint: URL, auth, params */
#define CONFIG_PAGER	0x02	/* the paginator */
#define CONFIG_SELECT	0x04	/* endpoint.data_selector */
#define CONFIG_TABLE	0x08	/* primary_key, write_disposition, columns */

/*
 * PAGER_NONE: no paginator anywhere; PAGER_AUTO: "auto" where none else
 * applies.  Both are dlt's detection from the first response.
 */
enum pager_type {
	PAGER_NONE, PAGER_OFFSET, PAGER_PAGE_NUMBER, PAGER_SINGLE, PAGER_AUTO,
	PAGER_JSON_LINK, PAGER_HEADER_LINK, PAGER_CURSOR, PAGER_HEADER_CURSOR
};

/* dlt's paginator types, and their names (--paginator's too). */
extern const struct name paginators[];

/* dlt's write dispositions, and their names (the option -w's too). */
enum write_disposition { WRITE_MERGE, WRITE_APPEND, WRITE_REPLACE };
extern const struct name write_dispositions[];

/* The orders of a dedup_sort hint, and their names (--dedup-sort's too). */
enum sort_order { SORT_ASC, SORT_DESC };
extern const struct name sort_orders[];

/*
 * A name and its value as the file holds them, unescaped.  The lengths
 * count a NUL byte that a parameter's name or value may hold.
 */
struct pair {
	char	*name;
	size_t	 namelen;
	char	*value;
	size_t	 valuelen;
};

/*
 * One of dlt's response_actions, all "ignore": a response with this
 * status (0: any) whose body holds content (NULL: any) is taken as an
 * empty page.
 */
struct response_action {
	long	 status;
	char	*content;
};

struct config {
	char			*file;		/* the file read */
	char			*name;		/* the resource's */
	/* CONFIG_REQUEST */
	char			*url;
	char			*method;
	struct pair		*headers;	/* the client's, endpoint's */
	size_t			 nheaders;
	struct pair		*params;	/* endpoint.params, merged */
	size_t			 nparams;
	char			*json;		/* endpoint.json, compact */
	char			*data;		/* endpoint.data, as sent */
	int			 data_form;	/* 1: form fields */
	struct response_action	*actions;	/* endpoint.response_actions */
	size_t			 nactions;
	int			 auth;		/* enum auth_type, -1: unset */
	char			*key_name;
	int			 key_location;	/* enum key_location, -1 */
	char			*secret;	/* written into the file */
	char			*secret_env;	/* or the variable to read */
	int			 secret_env_named; /* it is the file's "${VAR}" */
	const char		*secret_key;	/* its .dlt/secrets.toml key */
	char			*username;	/* http_basic */
	char			*token_url;	/* oauth2_client_credentials */
	char			*client_id;
	struct pair		*token_data;	/* access_token_request_data */
	size_t			 ntoken_data;
	long			 token_expiration;	/* -1: unset */
	/* CONFIG_PAGER; numbers are -1 and strings NULL when not given. */
	enum pager_type		 pager;
	long			 limit, offset, maximum;
	long			 base_page, page;
	char			*offset_param, *limit_param, *page_param;
	char			*total_path;
	int			 total_path_set; /* 1: given, maybe as null */
	char			*total_header;	/* restpipe's, not dlt's */
	int			 stop_after_empty;	/* -1: unset */
	char			*has_more_path;
	char			*offset_body_path, *limit_body_path;
	char			*page_body_path;
	char			*next_url_path;		/* json_link */
	char			*links_next_key;	/* header_link */
	char			*cursor_path;		/* cursor */
	char			*cursor_param;		/* cursor, header_ */
	char			*cursor_body_path;	/* cursor */
	char			*cursor_key;		/* header_cursor */
	int			 allow_other_host;	/* restpipe's, -1 */
	int			 allow_short;	/* "restpipe": {...}, -1 */
	/* CONFIG_SELECT */
	char			*data_selector;
	/* CONFIG_TABLE */
	char			**primary_key;
	int			 nprimary_key;
	char			*write_disposition;
	char			*dedup_sort;	/* a column hinted dedup_sort */
	char			*dedup_order;	/* "asc" or "desc" */
	char			*hard_delete;	/* a column hinted hard_delete */
	char			*table;		/* table_name, else name */
	/*
	 * A child resource (every part): the parent resource, the fields
	 * of its records the requests take (resolve fields and
	 * {resources.PARENT.FIELD} placeholders), include_from_parent.
	 */
	char			*parent;	/* NULL: not a child */
	char			**parent_fields;
	size_t			 nparent_fields;
	char			**include;	/* include_from_parent */
	size_t			 ninclude;
	int			 selected;	/* 0: selected: false */
	/* Every part: endpoint.incremental or an incremental parameter. */
	struct incremental	*incr;		/* NULL: none */
};

/*
 * Read FILE and resolve resource (NULL: the only one) for the parts
 * asked for, warning of unknown keys.  Returns 0, or -1 with c empty and
 * e set: EX_NOINPUT if FILE cannot be read, EX_USAGE if the resource
 * cannot be chosen, EX_CONFIG naming the JSON path of a value that is
 * invalid.  A child resource's placeholders and resolve parameters are
 * left empty: only c->parent and c->parent_fields tell it is a child.
 */
int	config_load(struct config *c, const char *file, const char *resource,
	    int parts, struct err *e);

/*
 * config_load(), filling a child resource's requests from rec, the
 * record (n bytes of JSON, an object) of its parent resource, or from
 * none when rec is NULL.  A field the record lacks is EX_DATAERR.
 */
int	config_load_record(struct config *c, const char *file,
	    const char *resource, int parts, const char *rec, size_t n,
	    struct err *e);

void	config_free(struct config *);

/*
 * Fill in the {incremental.*} placeholders of c's request (path, params,
 * headers, json, data) with start, the start value of the run (compact
 * JSON, or NULL: none), and the end and initial values of c->incr, as
 * dlt's paginate_resource() does.  Returns 0, or -1 with e set:
 * EX_CONFIG when a value is needed and there is none, EX_DATAERR when a
 * header would hold a line break.
 */
int	config_bind_incremental(struct config *c, const char *start,
	    struct err *e);

/*
 * The value of field (a JSON path) in the parent record json of n bytes
 * into b: a string unescaped, anything else as compact JSON; for
 * include_from_parent, with raw set, always as JSON.  Returns 0, or -1
 * when the record is not an object or lacks the field.
 */
int	config_parent_value(const char *json, size_t n, const char *field,
	    int raw, struct buf *b);

/*
 * The names of FILE's resources, in order, in a new array of n new
 * strings the caller frees.  Returns 0, or -1 with e set as
 * config_load() sets it.
 */
int	config_resources(const char *file, char ***names, size_t *n,
	    struct err *e);

/*
 * Look the secret named key ("api_key", "token", "password") up in
 * .dlt/secrets.toml of the current directory: a top-level line, or one in
 * [sources] or [sources.rest_api], the most specific winning.  Returns a
 * string the caller frees, or NULL.
 */
char	*config_secrets_toml(const char *key);

#endif
