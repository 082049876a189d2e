/*
 * spill.h: what the two files of the spill share beyond merge.h: spill.c,
 * which writes the temporary file, and join.c, which reads it back.
 */
#ifndef SPILL_H
#define SPILL_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "merge.h"

#define RUN_BUF_MIN	((size_t)4 << 10)	/* a run reader's buffer */
#define RUN_BUF_MAX	((size_t)1 << 20)

/* A changed row or a new record, as a part writes them to its runs. */
struct hit {
	uint64_t	 no;		/* row number, or place in the input */
	size_t		 id;		/* of the record in the part's batch */
	int		 del;
};

/* Write out the bytes buffered for the file. */
int	spill_drain(struct spill *, struct err *e);

/* Write out FILE's keys not written yet, as one flush. */
int	spill_flush_rows(struct spill *, struct err *e);

/* Add the run at start..end of the file to r, unless it is empty. */
void	spill_add_run(struct runs *r, uint64_t start, uint64_t end);

/* Write the n hits, sorted, of records of bt as a run of r. */
int	spill_write_run(struct spill *, struct runs *r, const struct batch *bt,
	    struct hit *hit, size_t n, struct err *e);

#endif
