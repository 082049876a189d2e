/* durable.c: a program's own state, durably, and its locks (durable.h). */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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
#include "base/file.h"

#define TMP_SUFFIX	".tmp"

int
durable_dir(const char *path, int create, struct err *e)
{
	struct stat st;
	int fd;

	if (create && mkdir(path, 0700) == -1 && errno != EEXIST)
		return err_set(e, EX_CANTCREAT, "%s: cannot create:", path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && !create)
		return err_set(e, EX_NOINPUT, "%s: cannot open:", path);
	if (fd == -1 && (errno == ELOOP || errno == ENOTDIR))
		return err_set(e, EX_IOERR, "%s: %s; will not write through "
		    "it", path, lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ?
		    "a symbolic link" : "not a directory");
	if (fd == -1)
		return err_set(e, EX_CANTCREAT, "%s: cannot open:", path);
	if (fstat(fd, &st) == -1 || st.st_uid != geteuid()) {
		close(fd);
		return err_set(e, EX_IOERR, "%s: another user's directory; "
		    "will not write in it", path);
	}
	/* The spool may hold what a server echoed: the key, say. */
	if ((st.st_mode & 077) != 0 && fchmod(fd, 0700) == -1) {
		close(fd);
		return err_set(e, EX_IOERR, "%s: cannot make it private:",
		    path);
	}
	return fd;
}

int
durable_open(int dir, const char *name, int flags)
{
	return openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
}

int
durable_sync(int dir)
{
	/* A file system that cannot sync a directory is excused. */
	return fsync(dir) == -1 && errno != EINVAL ? -1 : 0;
}

int
durable_put(int dir, const char *where, const char *name, const void *data,
    size_t n, int sync, struct err *e)
{
	struct buf tmp;
	int fd, rc = -1, saved;

	/* Its own: two processes putting one name never mix. */
	buf_init(&tmp, 0);
	buf_printf(&tmp, "%s.%ld" TMP_SUFFIX, name, (long)getpid());
	fd = durable_open(dir, tmp.data, O_WRONLY | O_CREAT | O_TRUNC);
	if (fd != -1 && fd_write(fd, data, n) == 0 && (!sync ||
	    fsync(fd) == 0)) {
		rc = close(fd);
		fd = -1;
		if (rc == 0 && (renameat(dir, tmp.data, dir, name) == -1 ||
		    (sync && durable_sync(dir) == -1)))
			rc = -1;
	}
	if (rc == -1) {
		saved = errno;
		if (fd != -1)
			close(fd);
		unlinkat(dir, tmp.data, 0);
		errno = saved;
		err_set(e, EX_IOERR, "%s/%s: cannot write:", where, name);
	}
	buf_free(&tmp);
	return rc;
}

int
durable_read(int dir, const char *where, const char *name, size_t max,
    struct buf *b, struct err *e)
{
	struct buf path;
	int fd, rc, saved;

	buf_init(&path, 0);
	buf_printf(&path, "%s/%s", where, name);
	if ((fd = durable_open(dir, name, O_RDONLY)) == -1) {
		saved = errno;
		err_set(e, EX_NOINPUT, "%s: cannot open:", path.data);
		buf_free(&path);
		errno = saved;
		return -1;
	}
	rc = fd_read(fd, path.data, max, b, e);
	saved = errno;
	close(fd);
	buf_free(&path);
	errno = saved;
	return rc;
}

/* 1 if file is name's temporary file, "NAME.PID.tmp". */
static int
temp_of(const char *file, const char *name)
{
	size_t n = strlen(name), m = strlen(file), d;

	if (m <= n + 1 + sizeof(TMP_SUFFIX) - 1 || strncmp(file, name, n) !=
	    0 || file[n] != '.' || strcmp(file + m - (sizeof(TMP_SUFFIX) -
	    1), TMP_SUFFIX) != 0)
		return 0;
	d = strspn(file + n + 1, "0123456789");
	return d > 0 && n + 1 + d == m - (sizeof(TMP_SUFFIX) - 1);
}

void
durable_remove(int dir, const char *path, const char *const names[])
{
	struct dirent *ent;
	size_t i;
	DIR *d;
	int fd;

	for (i = 0; names[i] != NULL; i++)
		unlinkat(dir, names[i], 0);
	/* And what a process killed while it put one left. */
	if ((fd = dup(dir)) != -1 && (d = fdopendir(fd)) != NULL) {
		while ((ent = readdir(d)) != NULL)
			for (i = 0; names[i] != NULL; i++)
				if (temp_of(ent->d_name, names[i]))
					unlinkat(dir, ent->d_name, 0);
		closedir(d);
	} else if (fd != -1)
		close(fd);
	/* Only an empty directory goes, and never through a link. */
	rmdir(path);
}

int
durable_trylock(const char *path, struct err *e)
{
	struct stat st;
	const char *slash;
	char *dir;
	int fd, made = 0;

again:
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0600);
	/* Its folder, removed as the last run using it ended: again. */
	if (fd == -1 && errno == ENOENT && !made++ &&
	    (slash = strrchr(path, '/')) != NULL) {
		dir = xstrndup(path, (size_t)(slash - path));
		made = mkdir(dir, 0700) == 0 || errno == EEXIST;
		free(dir);
		if (made)
			goto again;
		errno = ENOENT;
	}
	if (fd == -1 && errno == ELOOP)
		return err_set(e, EX_IOERR, "%s: a symbolic link; will not "
		    "lock through it", path);
	if (fd == -1)
		return err_set(e, EX_CANTCREAT, "%s: cannot create:", path);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, EX_IOERR, "%s: not a regular file; will not "
		    "lock through it", path);
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		if (errno == EWOULDBLOCK)
			return err_set(e, EX_TEMPFAIL, "%s: busy: another "
			    "rest-sync is syncing this table; try again later",
			    path);
		return err_set(e, EX_IOERR, "%s: cannot lock:", path);
	}
	/* Its holder removed it as it ended: lock the file there now. */
	if (!fd_still_named(fd, path)) {
		close(fd);
		goto again;
	}
	return fd;
}

void
durable_unlock(int fd, const char *path)
{
	if (fd < 0)
		return;
	unlink(path);
	close(fd);
}

pid_t
durable_holder(const char *path)
{
	unsigned long maj, min;
	unsigned long long ino;
	char line[256], kind[16];
	struct stat st;
	long pid;
	FILE *fp;
	pid_t found = 0;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((fp = fopen("/proc/locks", "r")) == NULL)
		return -1;
	/* "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF" */
	while (found == 0 && fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%*d: %15s %*s %*s %ld %lx:%lx:%llu", kind,
		    &pid, &maj, &min, &ino) == 5 &&
		    strcmp(kind, "FLOCK") == 0 && ino == st.st_ino &&
		    makedev(maj, min) == st.st_dev)
			found = (pid_t)pid;
	fclose(fp);
	return found;
}
