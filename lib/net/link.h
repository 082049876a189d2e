/*
 * link.h: the Link header of RFC 8288, as servers that page by links send
 * it: <https://api.example.com/items?page=2>; rel="next", <...>; rel="last".
 */
#ifndef LINK_H
#define LINK_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Find the first link of s[0..n) (one header value, or several joined
 * with commas) whose rel parameter names rel, compared without case
 * among the rel's space-separated values, and append its target (the
 * text between < and >, spaces trimmed) to out.  Commas and semicolons
 * inside <...> and quoted strings are kept; a link that cannot be read
 * is skipped up to the next comma outside of those.  Returns 1 if found,
 * else 0 and out is unchanged.
 */
int	link_find(const char *s, size_t n, const char *rel, struct buf *out);

#endif
