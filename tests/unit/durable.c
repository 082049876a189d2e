/*
 * lib/base/durable.h: a state folder is private (0700, files 0600), never
 * reached through a symbolic link, its files replaced whole; a lock is
 * exclusive, and /proc/locks names who holds it.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/durable.h"
#include "unit.h"

static char	 top[4096];

static const char *
at(const char *name)
{
	static char path[2][4200];
	static int n;
	char *p = path[n++ % 2];

	snprintf(p, sizeof(path[0]), "%s/%s", top, name);
	return p;
}

/* The files in folder path, . and .. aside. */
static long
entries(const char *path)
{
	struct dirent *e;
	long n = 0;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static int
mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void
folders(void)
{
	struct err e = { 0 };
	int fd;

	errno = 0;
	unit_check(durable_dir(at("none"), 0, &e) == -1 && errno == ENOENT &&
	    e.status == EX_NOINPUT, "a folder not there, not to create: ENOENT");
	err_free(&e);
	unit_check(access(at("none"), F_OK) == -1, "and it was not made");

	fd = durable_dir(at("new"), 1, &e);
	unit_check(fd >= 0 && mode_of(at("new")) == 0700,
	    "a folder made is 0700 (umask 0)");
	if (fd >= 0)
		close(fd);

	mkdir(at("loose"), 0777);
	chmod(at("loose"), 0777);
	fd = durable_dir(at("loose"), 1, &e);
	unit_check(fd >= 0 && mode_of(at("loose")) == 0700,
	    "a folder of mode 0777 is made 0700");
	if (fd >= 0)
		close(fd);

	unit_check(symlink(at("new"), at("link")) == 0, "a link to a folder");
	fd = durable_dir(at("link"), 1, &e);
	unit_check(fd == -1 && e.status == EX_IOERR && strstr(e.msg,
	    "link: a symbolic link; will not write through it") != NULL,
	    "a symbolic link to a folder is refused (%s)", e.msg);
	err_free(&e);

	close(open(at("file"), O_CREAT | O_WRONLY, 0600));
	fd = durable_dir(at("file"), 1, &e);
	unit_check(fd == -1 && e.status == EX_IOERR && strstr(e.msg,
	    "not a directory") != NULL, "a file is refused (%s)", e.msg);
	err_free(&e);
}

static void
files(void)
{
	struct err e = { 0 };
	struct buf b;
	int dir, fd;

	dir = durable_dir(at("files"), 1, &e);
	unit_check(durable_put(dir, at("files"), "state", "one\n", 4, 1,
	    &e) == 0 && mode_of(at("files/state")) == 0600,
	    "a file put is 0600");
	unit_check(durable_put(dir, at("files"), "state", "two\n", 4, 0,
	    &e) == 0, "and replaced");
	buf_init(&b, 0);
	unit_check(durable_read(dir, at("files"), "state", 100, &b, &e) == 0 &&
	    strcmp(buf_str(&b), "two\n") == 0, "read back whole");
	unit_long(entries(at("files")), 1, "no temporary file is left");
	buf_reset(&b);
	errno = 0;
	unit_check(durable_read(dir, at("files"), "none", 100, &b, &e) == -1 &&
	    errno == ENOENT, "a file not there: ENOENT");
	err_free(&e);

	/* A link planted where a file goes is neither followed nor kept. */
	close(open(at("target"), O_CREAT | O_WRONLY, 0644));
	unit_check(symlink(at("target"), at("files/spool")) == 0,
	    "a link where a file goes");
	fd = durable_open(dir, "spool", O_WRONLY | O_CREAT | O_TRUNC);
	unit_check(fd == -1 && errno == ELOOP, "a file that is a link is not "
	    "opened");
	unit_check(symlink(at("target"), at("files/pages")) == 0,
	    "a link where a file is put");
	unit_check(durable_put(dir, at("files"), "pages", "x", 1, 0, &e) == 0 &&
	    mode_of(at("files/pages")) == 0600 && mode_of(at("target")) ==
	    0644, "a file put over a link replaces the link, not its target");
	/* A temporary file a killed process left goes with its file. */
	close(open(at("files/state.4242.tmp"), O_CREAT | O_WRONLY, 0600));
	close(open(at("files/stateX.4242.tmp"), O_CREAT | O_WRONLY, 0600));
	{
		static const char *const names[] = { "state", "pages",
		    "spool", NULL };

		durable_remove(dir, at("files"), names);
	}
	unit_check(access(at("files/state.4242.tmp"), F_OK) == -1 &&
	    access(at("files/stateX.4242.tmp"), F_OK) == 0,
	    "its temporary files, and nothing else, removed with it");
	unlink(at("files/stateX.4242.tmp"));
	rmdir(at("files"));
	unit_check(access(at("files"), F_OK) == -1 && mode_of(at("target")) ==
	    0644, "removed, folder and all, the target kept");
	close(dir);
	buf_free(&b);
}

static void
locks(void)
{
	struct err e = { 0 };
	int fd, fd2, p[2], q[2];
	pid_t pid;
	char c;

	unit_long(durable_holder(at("lock")), 0, "no lock file: no holder");
	fd = durable_trylock(at("lock"), &e);
	unit_check(fd >= 0 && mode_of(at("lock")) == 0600, "a lock taken, "
	    "its file 0600");
	unit_long(durable_holder(at("lock")), getpid(), "its holder: this "
	    "process");
	close(fd);
	unit_long(durable_holder(at("lock")), 0, "released: no holder");

	/* Held by another process: busy, and that process named. */
	if (pipe(p) == -1 || pipe(q) == -1 || (pid = fork()) == -1)
		return;
	if (pid == 0) {
		fd = durable_trylock(at("lock"), &e);
		(void)!write(p[1], "x", 1);
		(void)!read(q[0], &c, 1);
		_exit(fd >= 0 ? 0 : 1);
	}
	(void)!read(p[0], &c, 1);
	fd2 = durable_trylock(at("lock"), &e);
	unit_check(fd2 == -1 && e.status == EX_TEMPFAIL && strstr(e.msg,
	    "busy") != NULL, "held by another: busy, 75");
	err_free(&e);
	unit_long(durable_holder(at("lock")), pid, "and that process named");
	(void)!write(q[1], "x", 1);
	waitpid(pid, NULL, 0);

	unit_check(symlink(at("lock"), at("locklink")) == 0, "a link to a lock");
	unit_check(durable_trylock(at("locklink"), &e) == -1 &&
	    e.status == EX_IOERR, "a lock through a link is refused");
	err_free(&e);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	umask(0);
	snprintf(top, sizeof(top), "%s/durable.XXXXXX", tmp != NULL ? tmp :
	    "/tmp");
	if (mkdtemp(top) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	folders();
	files();
	locks();
	return unit_done();
}
