/* opt.h: option values checked once, named in every refusal. */
#ifndef OPT_H
#define OPT_H

struct buf;
struct err;

/*
 * One name of a value of an enum, as options and configurations spell
 * it.  A table of them ends with a NULL name; a value may have several
 * names, the first of which messages list.
 */
struct name {
	const char	*name;
	int		 value;
};

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

/* The value named s in t, or -1. */
int	name_value(const struct name *t, const char *s);

/* The first name of value v in t, or NULL. */
const char	*name_of(const struct name *t, int v);

/* Append the first name of each value of t to b: "a, b or c". */
void	name_list(const struct name *t, struct buf *b);

/* Like name_list(), with last before the last name: "a, b and c". */
void	name_join(const struct name *t, const char *last, struct buf *b);

/*
 * Parse s, the value of the option named opt, as a name of t into *v.
 * Returns 0, or -1 with e set to EX_CONFIG: "OPT: 'S' is not a, b or c".
 */
int	parse_name(const char *opt, const char *s, const struct name *t,
	    int *v, struct err *e);

#endif
