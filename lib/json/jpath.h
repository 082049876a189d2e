/*
 * jpath.h: dlt's data_selector, the JSONPath subset people write:
 * data, $.data, $.data[*], $, results.items, a[0].b, a[-1], $['odd.key'],
 * $["odd key"], and OData's annotations as one key: @odata.nextLink.
 */
#ifndef JPATH_H
#define JPATH_H

#include "json/json.h"

struct jpath;

/* What jpath_compile() accepts, for error messages and --help. */
extern const char jpath_syntax[];

/*
 * Compile a selector.  Returns a path the caller frees with jpath_free(),
 * or NULL with *err set to a static message saying what is wrong.
 */
struct jpath *jpath_compile(const char *selector, const char **err);

/* The token path selects, starting at token root; -1 when nothing matches. */
int	jpath_eval(const struct jpath *, const struct json *, int root);

/*
 * How many levels below root jpath_eval() looks: the level of the token it
 * returns.  json_parse_shallow() to that depth plus one holds the selected
 * value and its elements.
 */
size_t	jpath_depth(const struct jpath *);

/* 1 if the path is "$" (the value itself). */
int	jpath_is_root(const struct jpath *);

void	jpath_free(struct jpath *);

#endif
