#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sysexits.h>

#include "diag.h"
#include "opt.h"

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
