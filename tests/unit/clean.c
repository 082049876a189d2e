/*
 * lib/base/atomic.h: atomic_clean() removes the regular files named as
 * atomic_open() names the temporary files of a path, and nothing else.
 * The checks run in a directory of their own under $TMPDIR.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic.h"
#include "unit.h"

/* Names beside t.jsonl, and whether atomic_clean("t.jsonl") removes them. */
static const struct {
	const char	*name;
	int		 gone;
} names[] = {
	{ ".t.jsonl.rp-Ab3dE9", 1 },
	{ ".t.jsonl.rp-zzzzzz", 1 },
	{ ".t.jsonl.rp-ZZZZZZ", 1 },
	{ ".t.jsonl.rp-000000", 1 },
	{ ".t.jsonl.Ab3dE9", 0 },		/* no infix: a user's */
	{ ".t.jsonl.backup", 0 },
	{ ".t.jsonl.rp-Ab3dE", 0 },		/* 5 characters */
	{ ".t.jsonl.rp-Ab3dE9x", 0 },		/* 7 */
	{ ".t.jsonl.rp-Ab3d-9", 0 },		/* not mkstemp's */
	{ ".t.jsonl.rp-Ab3d_9", 0 },
	{ ".t.jsonl.rp-.Ab3dE", 0 },
	{ ".t.jsonl.rp-Ab3d\xc3\xa9", 0 },	/* 6 bytes, 5 letters */
	{ ".t.jsonl.bak", 0 },
	{ ".t.jsonl.rp-", 0 },
	{ "t.jsonl.rp-Ab3dE9", 0 },		/* no dot */
	{ "..t.jsonl.rp-Ab3dE9", 0 },
	{ ".t.jsonlxrp-Ab3dE9", 0 },
	{ ".t.json.rp-Ab3dE9", 0 },		/* another file's */
	{ ".t.jsonl2.rp-Ab3dE9", 0 },
	{ ".x.t.jsonl.rp-Ab3dE9", 0 },
	{ ".t.jsonl.schema.json.rp-Ab3dE9", 0 },	/* the sidecar's */
	{ ".t.jsonl.spill.rp-Ab3dE9", 0 },
};

static int
plant(const char *name)
{
	FILE *fp;

	if ((fp = fopen(name, "w")) == NULL)
		return -1;
	fputs("stale\n", fp);
	return fclose(fp);
}

static int
exists(const char *name)
{
	struct stat st;

	return lstat(name, &st) == 0;
}

/* Each name of the table, planted as a regular file. */
static void
test_names(void)
{
	size_t i, n = sizeof(names) / sizeof(names[0]);
	int want = 0;

	for (i = 0; i < n; i++) {
		if (plant(names[i].name) == -1)
			perror(names[i].name);
		want += names[i].gone;
	}
	unit_long(atomic_clean("t.jsonl"), want, "atomic_clean(\"t.jsonl\") "
	    "removes %d files", want);
	for (i = 0; i < n; i++)
		unit_check(exists(names[i].name) == !names[i].gone, "%s %s",
		    unit_quotes(names[i].name), names[i].gone ? "removed" :
		    "kept");
	for (i = 0; i < n; i++)
		unlink(names[i].name);
}

/* A matching name that is not a regular file stays, and so does a target. */
static void
test_kinds(void)
{
	plant("target");
	if (symlink("target", ".t.jsonl.rp-Lnk123") == -1 ||
	    symlink("nowhere", ".t.jsonl.rp-Dng123") == -1 ||
	    mkdir(".t.jsonl.rp-Dir123", 0700) == -1 ||
	    mkfifo(".t.jsonl.rp-Fif123", 0600) == -1)
		perror("planting");
	unit_long(atomic_clean("t.jsonl"), 0, "atomic_clean() removes no "
	    "symbolic link, directory or FIFO");
	unit_check(exists(".t.jsonl.rp-Lnk123") && exists(".t.jsonl.rp-Dng123") &&
	    exists(".t.jsonl.rp-Dir123") && exists(".t.jsonl.rp-Fif123"),
	    "... they are all there");
	unit_check(exists("target"), "... and so is the link's target");
	unlink(".t.jsonl.rp-Lnk123");
	unlink(".t.jsonl.rp-Dng123");
	unlink(".t.jsonl.rp-Fif123");
	rmdir(".t.jsonl.rp-Dir123");
	unlink("target");
}

/* The directory is the path's; none is no error. */
static void
test_dirs(void)
{
	if (mkdir("sub", 0700) == -1 || plant("sub/.t.jsonl.rp-Ab3dE9") == -1 ||
	    plant(".t.jsonl.rp-Ab3dE9") == -1 || plant("sub/..rp-Ab3dE9") == -1)
		perror("sub");
	unit_long(atomic_clean("sub/t.jsonl"), 1, "atomic_clean(\"sub/t.jsonl\")"
	    " removes one file");
	unit_check(!exists("sub/.t.jsonl.rp-Ab3dE9") && exists(".t.jsonl.rp-Ab3dE9"),
	    "... in sub, not here");
	unit_long(atomic_clean("sub/"), 0, "atomic_clean(\"sub/\"): no name, "
	    "nothing removed");
	unit_check(exists("sub/..rp-Ab3dE9"), "... not even \"..rp-Ab3dE9\"");
	unit_long(atomic_clean("none/t.jsonl"), 0, "atomic_clean() in a "
	    "directory that does not exist: 0");
	unit_long(atomic_clean(".t.jsonl.rp-Ab3dE9/t.jsonl"), 0, "atomic_clean() "
	    "under a file that is not a directory: 0");
	unlink(".t.jsonl.rp-Ab3dE9");
	unlink("sub/..rp-Ab3dE9");
	rmdir("sub");
}

/* The names atomic_open() really gives are the ones removed. */
static void
test_real(void)
{
	struct atomic a[3];
	char *tmp[3];
	int i, gone = 1;

	for (i = 0; i < 3; i++) {
		if (atomic_open(&a[i], "real.jsonl") == -1)
			perror("real.jsonl");
		tmp[i] = strdup(a[i].tmp);
	}
	unit_long(atomic_clean("real.jsonl"), 3, "atomic_clean() removes the "
	    "temporary files atomic_open() made");
	for (i = 0; i < 3; i++) {
		if (exists(tmp[i]))
			gone = 0;
		free(tmp[i]);
		atomic_abort(&a[i]);
	}
	unit_check(gone, "... all three");
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096];

	if (tmp == NULL || *tmp == '\0')
		tmp = P_tmpdir;
	snprintf(dir, sizeof(dir), "%s/unit-clean.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL || chdir(dir) == -1) {
		perror(dir);
		return 1;
	}
	test_names();
	test_kinds();
	test_dirs();
	test_real();
	if (chdir("..") == -1 || rmdir(dir) == -1)
		unit_check(0, "the directory is left empty: %s",
		    strerror(errno));
	return unit_done();
}
