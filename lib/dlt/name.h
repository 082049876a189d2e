/* name.h: names as dlt's snake_case naming convention writes them. */
#ifndef NAME_H
#define NAME_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Append name[0..n) to b as dlt's snake_case names it: a column, or a
 * table whose name becomes a file, so the result never holds a '/' or
 * is "." or "..".  Returns 0, or -1 if it is empty or blank.
 */
int	normalize(const char *name, size_t n, struct buf *b);

#endif
