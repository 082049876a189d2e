/*
 * commit.c: FILE's lock and its commit.  A run takes the lock beside
 * FILE, finishes the commit an earlier run left half done in the journal,
 * and removes the temporary files earlier runs left; the new FILE, its
 * sidecar and the incremental state are written beside the old ones and
 * renamed over them together, through the journal.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "base/atomic.h"
#include "base/diag.h"
#include "dlt/config.h"
#include "merge.h"
#include "run.h"

void
check_regular(const char *file)
{
	struct stat st;

	if (stat(file, &st) == 0 && !S_ISREG(st.st_mode))
		die(EX_NOINPUT, "%s: not a regular file", file);
}

int
open_file(const char *file)
{
	int fd;

	check_regular(file);
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return -1;
		die(EX_NOINPUT, "%s: cannot open:", file);
	}
	return fd;
}

/*
 * Remove the temporary files that a run killed as it wrote (SIGKILL, a
 * crash) left beside FILE, its sidecar, its state and its journal: each
 * may be as large as FILE, and no later run would remove them otherwise.
 * One that stays costs only space, so it is said once, and the run goes
 * on.
 */
static void
clean(const struct opts *o)
{
	char *state = incr_state_file(o->file);
	const char *path[] = { o->file, o->schema, state, o->journal };
	size_t i;
	int said = 0;

	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++)
		if (atomic_clean(path[i]) == -1 && !said) {
			warnmsg("%s: cannot remove the temporary files an "
			    "earlier run left beside it:", path[i]);
			said = 1;
		}
	free(state);
}

/*
 * Take FILE's lock, then finish a commit an earlier run left half done,
 * and only then, the journal's files renamed, remove the temporary files
 * left: holding the lock, no other run is writing one.
 */
void
lock_file(const struct opts *o)
{
	switch (atomic_lock(o->file)) {
	case -1:
		die(EX_IOERR, "%s.lock: cannot lock:", o->file);
	case -2:
		die(EX_IOERR, "%s.lock: not a regular file; will not lock "
		    "through it", o->file);
	}
	switch (atomic_recover(o->journal)) {
	case -1:
		die(EX_IOERR, "%s: cannot finish the commit an earlier run "
		    "left in %s:", o->file, o->journal);
	case 1:
		warnmsg("%s: finished the commit an earlier run left in %s",
		    o->file, o->journal);
	}
	clean(o);
}

void
commit_files(const struct opts *o, const struct schema *s,
    struct atomic *file)
{
	struct atomic side, state, *both[3];
	int nfile = 2;

	if (atomic_open(&side, o->schema) == -1) {
		atomic_abort(file);
		die(EX_IOERR, "%s: cannot create a temporary file:", o->schema);
	}
	schema_write(s, o, side.fp);
	if (atomic_close(file) == -1) {
		atomic_abort(file);
		atomic_abort(&side);
		die(EX_IOERR, "%s: write failed:", o->file);
	}
	if (atomic_close(&side) == -1) {
		atomic_abort(file);
		atomic_abort(&side);
		die(EX_IOERR, "%s: write failed:", o->schema);
	}
	both[0] = &side;
	both[1] = file;
	if (o->incr != NULL && incr_writes(o->incr)) {
		if (atomic_open(&state, o->incr->path) == -1) {
			atomic_abort(file);
			atomic_abort(&side);
			die(EX_IOERR, "%s: cannot create a temporary file:",
			    o->incr->path);
		}
		incr_run_write(o->incr, state.fp);
		if (atomic_close(&state) == -1) {
			atomic_abort(file);
			atomic_abort(&side);
			atomic_abort(&state);
			die(EX_IOERR, "%s: write failed:", o->incr->path);
		}
		both[nfile++] = &state;
	}
	switch (atomic_commit_all(both, (size_t)nfile, o->journal)) {
	case -1:
		die(EX_IOERR, "%s: cannot commit:", o->file);
	case 1:
		die(EX_IOERR, "%s: the commit stopped half way; the next run "
		    "finishes it from %s:", o->file, o->journal);
	}
}
