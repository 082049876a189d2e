/* clock.h: time as the programs measure it. */
#ifndef CLOCK_H
#define CLOCK_H

/* Seconds on the monotonic clock, for intervals; never goes back. */
double	clock_now(void);

#endif
