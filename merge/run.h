/*
 * run.h: one run of rest-merge, as merge.c's main() drives it: what
 * merge.c shares with cmdline.c, stream.c, commit.c and report.c.
 * merge.h holds what the unit tests and the fuzzer use.
 */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"
#include "json/json.h"
#include "json/wire.h"
#include "dlt/config.h"
#include "merge.h"

struct atomic;

struct run {
	const struct opts *o;
	struct batch	 b;
	struct spill	 sp;		/* the input past the budget */
	int		 spilled;	/* the input went there */
	int		 collecting;	/* the first of two reads of FILE */
	struct schema	 s;
	FILE		*out;
	struct json	 j;
	struct buf	 key, cell;
	struct buf	 line, old;	/* a row of FILE, new and old */
	unsigned long	 inserted, updated, deleted, unchanged;
	unsigned long	 kept;		/* rows of FILE the input lacks */
	size_t		*hdr;		/* the output's columns (csv, tsv) */
	size_t		 nhdr, nold;	/* of them, in FILE's header */
	size_t		*keypos;	/* the key columns' places in FILE */
	int		*cells;		/* column id -> value token */
	size_t		 ncells;
	const char	*eol;
	int		 warn_schema;	/* FILE kept rows the sidecar lacks */
	int		 already;	/* --run-id committed FILE before */
	size_t		 behind;	/* bytes written since the last sync */
};

/* The command line: the options, and the names made for them. */
struct cmdline {
	struct opts	 o;
	const char	*format;	/* -f, or NULL: FILE's extension's */
	int		 config_keys;	/* o.key holds the configuration's */
	char		*table, *schema, *journal;
	const struct incremental *incr;	/* the configuration's, or NULL */
	const char	*resource;
	int		 full_refresh;
	struct incr_run	 ir;
	struct wire_args wire;		/* --report-fd, --report */
	struct wire_sink report;
};

/*
 * cmdline.c: read the command line and the configuration into cl, c
 * (open the report, catch die() for it) and settle the options: FILE, its
 * format, its sidecar and journal, its key, its incremental run.  Exits
 * on a usage or configuration error.
 */
void	cmdline_start(struct cmdline *cl, int argc, char *argv[],
	    struct config *c);
void	cmdline_free(struct cmdline *);

/*
 * stream.c: read FILE (fd; -1 if there is none yet) and write its rows,
 * merged with the batch's records, to r->out; then the new records.
 */
void	stream_file(struct run *, int fd);

/*
 * Past the budget, read FILE a first time for the keys of its rows alone,
 * as stream_file() will read them; then rewind it.
 */
void	stream_collect(struct run *, int fd);

/* commit.c: FILE's lock and its commit. */

/* Refuse to replace a directory, a device or the like. */
void	check_regular(const char *file);

/* FILE open for reading, or -1 if it does not exist yet. */
int	open_file(const char *file);

/*
 * Take FILE's lock, finish a commit an earlier run left half done, and
 * remove the temporary files earlier runs left.
 */
void	lock_file(const struct opts *);

/*
 * Write the sidecar (and the incremental state) beside file, the new
 * FILE written, and commit them together through the journal.
 */
void	commit_files(const struct opts *, const struct schema *,
	    struct atomic *file);

/* report.c: what the run says, at a signal that ends it and at its end. */

/* Catch SIGINT and SIGTERM, and say what they leave. */
void	catch_signals(const struct opts *);

/* The commit is done: a signal from now on has nothing to say. */
void	mark_committed(void);

/* What the run did, on stderr: the schema's news and the summary. */
void	report_run(const struct run *);

/*
 * What the run did, for --report: a "cursor" and an "end" record.
 * Returns the exit status.
 */
int	report_end(const struct run *, const struct cmdline *, int status);

#endif
