/* opt.h: option values checked once, named in every refusal. */
#ifndef OPT_H
#define OPT_H

struct err;

/*
 * Parse s as a decimal integer in [min, max] for the option named opt
 * into *v.  Returns 0, or -1 with e set to EX_CONFIG naming the option
 * and the value.
 */
int	parse_long(const char *opt, const char *s, long min, long max, long *v,
	    struct err *e);

/* Parse s as a decimal number in [min, max] into *v; like parse_long(). */
int	parse_double(const char *opt, const char *s, double min, double max,
	    double *v, struct err *e);

#endif
