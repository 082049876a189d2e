/*
 * rest-merge: merge JSON Lines records into a flat file by primary key.
 *
 * merge.c holds main() and the merge driver: it reads the input into the
 * batch (batch.c, past the budget spill.c), then, holding FILE's lock,
 * writes the new FILE (stream.c) and commits it with its sidecar
 * (commit.c), and says what it did (report.c).  The command line is
 * cmdline.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/atomic.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/stop.h"
#include "json/json.h"
#include "dlt/config.h"
#include "merge.h"
#include "run.h"

static void
run_init(struct run *r, const struct opts *o)
{
	memset(r, 0, sizeof(*r));
	r->o = o;
	batch_init(&r->b);
	spill_init(&r->sp, o, o->memory);
	schema_init(&r->s, o->fmt);
	json_init(&r->j);
	buf_init(&r->key, 0);
	buf_init(&r->cell, 0);
	buf_init(&r->line, 0);
	buf_init(&r->old, 0);
}

static void
run_free(struct run *r)
{
	batch_free(&r->b);
	spill_free(&r->sp);
	schema_free(&r->s);
	json_free(&r->j);
	buf_free(&r->key);
	buf_free(&r->cell);
	buf_free(&r->line);
	buf_free(&r->old);
	free(r->hdr);
	free(r->keypos);
	free(r->cells);
}

/*
 * Whether the sidecar records this --run-id as the run that last
 * committed FILE: a run started again after its commit then changes
 * nothing, so that an append is never made twice.
 */
static int
committed_before(const struct run *r)
{
	const struct opts *o = r->o;
	struct err e = { 0 };
	struct schema s;
	int same;

	if (o->run_id == NULL)
		return 0;
	if (o->wd != WRITE_REPLACE)
		return r->s.last_id != NULL &&
		    strcmp(r->s.last_id, o->run_id) == 0;
	schema_init(&s, o->fmt);
	if (schema_load(&s, o, o->schema, &e) == -1)
		die_err(&e);
	same = s.last_id != NULL && strcmp(s.last_id, o->run_id) == 0;
	schema_free(&s);
	return same;
}

/*
 * Hold FILE's lock (with -n, only say that a commit is pending) and read
 * the sidecar into r->s.  Returns whether there was one.
 */
static int
take_file(struct run *r)
{
	const struct opts *o = r->o;
	struct err e = { 0 };
	int had_schema = 0;

	if (!o->dry_run)
		lock_file(o);
	else if (access(o->journal, F_OK) == 0)
		warnmsg("%s: %s holds a commit the next run finishes; the dry "
		    "run reads the files as they are", o->file, o->journal);
	check_regular(o->schema);
	if (o->wd != WRITE_REPLACE &&
	    (had_schema = schema_load(&r->s, o, o->schema, &e)) == -1)
		die_err(&e);
	return had_schema;
}

/*
 * Open r->out: the new FILE, a temporary file beside it in file; with -n,
 * /dev/null.
 */
static void
open_out(struct run *r, struct atomic *file)
{
	const struct opts *o = r->o;

	if (o->dry_run)
		r->out = fopen("/dev/null", "w");
	else if (atomic_open(file, o->file) == 0)
		r->out = file->fp;
	else
		r->out = NULL;
	if (r->out == NULL)
		die(EX_IOERR, "%s: cannot create a temporary file:", o->file);
}

/*
 * Write the new FILE from the old one (fd, or -1: none) and the input;
 * past the budget, FILE's keys are collected and joined with the input's
 * records first.
 */
static void
rewrite(struct run *r, int fd)
{
	const struct opts *o = r->o;
	struct err e = { 0 };

	if (r->spilled && o->wd == WRITE_MERGE && fd != -1)
		stream_collect(r, fd);
	if (r->spilled && spill_join(&r->sp, &e) == -1)
		die_err(&e);
	stream_file(r, fd);
	if (fd != -1)
		close(fd);
	spill_free(&r->sp);
	if (r->kept > 0)
		schema_kept_rows(&r->s);
}

/* Write FILE and the sidecar; with -n, only go through the motions. */
static void
merge(struct run *r)
{
	const struct opts *o = r->o;
	struct atomic file;
	int fd, had_schema;

	had_schema = take_file(r);
	if ((r->already = committed_before(r)))
		return;
	fd = open_file(o->file);
	open_out(r, &file);
	rewrite(r, fd);
	r->warn_schema = r->kept > 0 && !had_schema;
	if (o->dry_run) {
		fclose(r->out);
		return;
	}
	commit_files(o, &r->s, &file);
	mark_committed();
}

int
main(int argc, char *argv[])
{
	struct cmdline cl;
	const struct opts *o = &cl.o;
	struct config cfg;
	struct err e = { 0 };
	struct run r;
	int status;

	cmdline_start(&cl, argc, argv, &cfg);
	catch_signals(o);
	run_init(&r, o);
	if (batch_read(&r.b, o, &r.s, &r.sp, &e) == -1)
		die_err(&e);
	r.spilled = r.sp.in.nflush > 0;
	if (o->wd == WRITE_REPLACE && r.b.n == 0 && r.sp.nrec == 0 &&
	    !o->allow_empty)
		die(EX_DATAERR, "%s: no records in the input: a replace would "
		    "empty it; --allow-empty allows that", o->file);
	merge(&r);
	report_run(&r);
	status = report_end(&r, &cl, finish_stdout());

	run_free(&r);
	cmdline_free(&cl);
	config_free(&cfg);
	/* A signal that came during the commit ends the run only now. */
	atomic_unblock();
	if (status == EX_OK)
		stop_finish();
	return status;
}
