/*
 * incr.h: dlt's incremental loading: a cursor read from each record,
 * the values of the last run kept beside the table, the range of a run
 * [start, end) and the boundary records already loaded.  Cursor values
 * are compact JSON text: numbers compare as numbers, strings byte by
 * byte (as dlt compares the strings of a JSON response).
 */
#ifndef INCR_H
#define INCR_H

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/diag.h"

/* dlt's on_cursor_value_missing. */
enum incr_missing { INCR_RAISE, INCR_INCLUDE, INCR_EXCLUDE };

/* An incremental definition, as a configuration gives it. */
struct incremental {
	char	*cursor_path;	/* a plain path: names joined by dots */
	char	*initial;	/* compact JSON, or NULL */
	char	*end;		/* compact JSON, or NULL */
	char	*start_param;	/* the parameter for the start, or NULL */
	char	*end_param;	/* the parameter for the end, or NULL */
	int	 min;		/* last_value_func min, else max */
	char	*lag;		/* a JSON number, or NULL */
	int	 missing;	/* enum incr_missing */
	int	 dedup;		/* 0: primary_key [] turned it off */
	int	 placeholders;	/* {incremental.*} marks wait for values */
};

/*
 * The byte that marks an {incremental.*} placeholder in a request the
 * configuration read, followed by a letter: s(tart), l(ast), e(nd) or
 * i(nitial) value.  config_bind_incremental() fills them in; the
 * configuration may not hold the byte itself.
 */
#define INCR_PLACEHOLDER	'\001'


/* The state of one resource and cursor path, kept beside its table. */
struct incr_state {
	char	*last;		/* compact JSON, or NULL: none */
	char	**hashes;	/* the boundary records' hashes */
	size_t	 nhash;
};

/*
 * The line rest-paginate ends the pages of an incremental resource with,
 * once it fetched them all, up to its start value (JSON) and "}": it
 * tells rest-merge that the input is whole and where it started.
 */
#define INCR_END_MARK	"{\"_restpipe_incremental_end\":"

/* Free what an incremental definition holds, and the struct. */
void	incr_free(struct incremental *);

/* 1 if the n bytes at s are a plain cursor path, else 0. */
int	incr_plain_path(const char *s);

/*
 * Compare the values a and b (compact JSON): *cmp < 0, 0 or > 0.
 * Returns 0, or -1 if they do not compare (a string and a number).
 */
int	incr_cmp(const char *a, const char *b, int *cmp);

/* 1 if a is past b in the order of last_value_func (later), else 0. */
int	incr_later(const struct incremental *, const char *a, const char *b);

/*
 * The state file of the table file: FILE.state.json, a new string.
 */
char	*incr_state_file(const char *table);

/*
 * Read the state of resource and the cursor path of inc from path into
 * st.  Returns 1, 0 if there is none (no file, or another resource's or
 * cursor's), or -1 with e set (EX_DATAERR, EX_IOERR).
 */
int	incr_state_load(struct incr_state *st, const char *path,
	    const char *resource, const struct incremental *inc,
	    struct err *e);

void	incr_state_free(struct incr_state *);

/* Write st for resource and inc to fp, as incr_state_load() reads it. */
void	incr_state_write(FILE *fp, const char *resource,
	    const struct incremental *inc, const struct incr_state *st);

/*
 * The start value of a run, as dlt's Incremental.last_value gives it: the
 * initial value without a state (st NULL or empty) or with an end value,
 * else the last value less the lag, never past the initial value.  A new
 * string (compact JSON) or NULL for none; -1 with e set (EX_DATAERR) if
 * the lag does not apply to the value.
 */
int	incr_start(const struct incremental *, const struct incr_state *st,
	    char **start, struct err *e);

/*
 * The value v (compact JSON) as a parameter sends it: a string
 * unescaped, anything else as written.  Appends to b.
 */
void	incr_param_value(const char *v, struct buf *b);

#endif
