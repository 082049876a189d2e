/* opt.h: option values checked once, named in every refusal. */
#ifndef OPT_H
#define OPT_H

/*
 * Parse s as a decimal integer in [min, max] for the option named opt;
 * exits with EX_CONFIG naming the option and the value otherwise.
 */
long	parse_long(const char *opt, const char *s, long min, long max);

/* Parse s as a decimal number in [min, max]; like parse_long(). */
double	parse_double(const char *opt, const char *s, double min, double max);

#endif
