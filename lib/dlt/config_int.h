/*
 * config_int.h: private to lib/dlt/config*.c, never included elsewhere.
 * What the files that read a configuration share: the reader, which
 * walks the parsed file by token, and the functions one file offers the
 * others, each named rd_ (the reader's).  The public interface is
 * config.h.
 *
 *    config.c          the entry points: the file, the resource, the parts
 *    config_read.c     typed values, known keys, resource_defaults merged in
 *    config_place.c    placeholders: parent fields, incremental marks
 *    config_request.c  the request: URL, params, body, headers, actions
 *    config_auth.c     the auth and its secret, .dlt/secrets.toml
 *    config_pager.c    the paginator and its stop rules
 *    config_table.c    primary_key, write_disposition, column hints
 *    config_incr.c     incremental loading: endpoint.incremental or a param
 */
#ifndef CONFIG_INT_H
#define CONFIG_INT_H

#include <stddef.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/opt.h"
#include "json/json.h"
#include "dlt/config.h"
#include "dlt/incr.h"

#define MAX_CONFIG	(16L * 1024 * 1024)

/* One reading of a configuration file, by config_load(). */
struct reader {
	const char	*file;
	struct err	*err;
	struct json	 js;
	struct buf	 text;
	int		 res;		/* the resource token, or -1 */
	int		 defaults;	/* resource_defaults, or -1 */
	int		 client;	/* client, or -1 */
	char		 respath[64];	/* "$.resources[N]" */
	/* What {incremental.*} placeholders may name, rd_incremental()'s. */
	struct incremental *incr;	/* endpoint.incremental, or NULL */
	char		*incr_param;	/* the path of a parameter's, or NULL */
	int		 incr_off;	/* not here: the client's headers */
	struct config	*cfg;		/* the configuration being read */
	int		 quiet;		/* CONFIG_QUIET_ENV: no warnings */
	/* The parent record a child's requests are filled from, or NULL. */
	const char	*rec;
	size_t		 reclen;
};

/* Fail with EX_CONFIG: what is wrong at path of the file.  Returns -1. */
static inline int
bad(struct reader *r, const char *path, const char *what)
{
	return err_set(r->err, EX_CONFIG, "%s: %s: %s", r->file, path, what);
}

/* The value of member key of object obj; -1 if none, or obj is none. */
static inline int
get(struct reader *r, int obj, const char *key)
{
	if (obj < 0 || !json_is_object(&r->js, obj))
		return -1;
	return json_get(&r->js, obj, key, strlen(key));
}

/* config_read.c: the value at token i (at path): 0 or -1, or NULL. */
char	*rd_string_at(struct reader *r, int i, const char *path);
int	 rd_take_string(struct reader *r, int i, const char *path, char **s);
int	 rd_long_at(struct reader *r, int i, const char *path, long *v);
int	 rd_bool_at(struct reader *r, int i, const char *path, int *v);
int	 rd_name_at(struct reader *r, int i, const char *path,
	    const struct name *t, int *v);
int	 rd_bad_name(struct reader *r, const char *path,
	    const struct name *t);
void	 rd_join(char *out, size_t n, const char *path, const char *key);
int	 rd_has_control(const char *s, size_t n);
/* config_read.c: the keys of object obj at path against known. */
int	 rd_check_keys(struct reader *r, int obj, const char *path,
	    const char *const *known);
int	 rd_refuse_keys(struct reader *r, int obj, const char *path,
	    const char *const *known);
/* config_read.c: the resource with resource_defaults under it. */
int	 rd_res_get(struct reader *r, const char *key, char *path, size_t n);
int	 rd_endpoint_of(struct reader *r, int res);
int	 rd_ep_get(struct reader *r, const char *key, char *path, size_t n);
int	 rd_member_wins(struct reader *r, int later, int k);
void	 rd_add_pair(struct pair **v, size_t *n, char *name, size_t namelen,
	    char *value, size_t valuelen);

/* config.c */
int	 rd_resource_exists(struct reader *r, const char *name);

/* config_place.c: placeholders expanded as dlt expands them. */
void	 rd_add_encoded(struct buf *b, const char *s, size_t n, int plus);
int	 rd_expand_text(struct reader *r, const char *s, size_t n,
	    const char *path, struct buf *out, struct config *c, char *bound);
int	 rd_unbrace(struct reader *r, char **s, const char *path);
int	 rd_take_parent(struct reader *r, const char *path, const char *res,
	    const char *field, struct buf *out, int enc);
int	 rd_parent_field(struct reader *r, const char *path, const char *f,
	    size_t n, struct buf *out, int enc);

/*
 * The parts of a configuration, each read into c: 0, or -1 with r->err
 * set.  Each is its file's: config_request.c, config_auth.c,
 * config_pager.c, config_table.c, config_incr.c.
 */
int	 rd_request(struct reader *r, struct config *c);
int	 rd_auth(struct reader *r, struct config *c);
int	 rd_pager(struct reader *r, struct config *c);
int	 rd_table(struct reader *r, struct config *c);
int	 rd_incremental(struct reader *r, struct config *c);

#endif
