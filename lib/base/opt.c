#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/opt.h"

int
parse_long(const char *opt, const char *s, long min, long max, long *v,
    struct err *e)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE)
		return err_set(e, EX_CONFIG, "%s: '%s' is not an integer", opt,
		    s);
	if (n < min || n > max)
		return err_set(e, EX_CONFIG, "%s: %s is out of range (%ld to "
		    "%ld)", opt, s, min, max);
	*v = n;
	return 0;
}

int
parse_double(const char *opt, const char *s, double min, double max,
    double *v, struct err *e)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno == ERANGE || !isfinite(n))
		return err_set(e, EX_CONFIG, "%s: '%s' is not a number", opt,
		    s);
	if (n < min || n > max)
		return err_set(e, EX_CONFIG, "%s: %s is out of range (%g to "
		    "%g)", opt, s, min, max);
	*v = n;
	return 0;
}

int
name_value(const struct name *t, const char *s)
{
	for (; t->name != NULL; t++)
		if (strcmp(t->name, s) == 0)
			return t->value;
	return -1;
}

const char *
name_of(const struct name *t, int v)
{
	for (; t->name != NULL; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

void
name_list(const struct name *t, struct buf *b)
{
	name_join(t, " or ", b);
}

void
name_join(const struct name *t, const char *last, struct buf *b)
{
	const struct name *p;
	size_t n = 0, i = 0;

	for (p = t; p->name != NULL; p++)
		n += name_of(t, p->value) == p->name;
	for (p = t; p->name != NULL; p++) {
		if (name_of(t, p->value) != p->name)
			continue;
		if (i++ > 0)
			buf_adds(b, i == n ? last : ", ");
		buf_adds(b, p->name);
	}
}

int
parse_name(const char *opt, const char *s, const struct name *t, int *v,
    struct err *e)
{
	struct buf list;

	if ((*v = name_value(t, s)) != -1)
		return 0;
	buf_init(&list, 0);
	name_list(t, &list);
	err_set(e, EX_CONFIG, "%s: '%s' is not %s", opt, s, buf_str(&list));
	buf_free(&list);
	return -1;
}
