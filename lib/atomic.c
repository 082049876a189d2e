#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "buf.h"
#include "stop.h"

#define ATOMIC_MAX	4		/* temporary files open at once */
#define ATOMIC_BUFSIZ	(1 << 20)	/* stdio buffer of a temporary file */

/*
 * The temporary files not yet committed, for the exit and signal handlers.
 * A slot is filled only once its string is complete and emptied before
 * the string is freed, so a handler never sees half of one.
 */
static char *volatile pending[ATOMIC_MAX];

static void
remove_pending(void)
{
	int i;

	for (i = 0; i < ATOMIC_MAX; i++)
		if (pending[i] != NULL)
			unlink(pending[i]);
}

static void
on_signal(int sig)
{
	remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Install the handlers once, only where the signal's action is the default:
 * a signal the parent ignored stays ignored, and one the program defers
 * (stop.h) removes the files when a second one ends the process.
 */
static void
install_handlers(void)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	static int done;
	struct sigaction sa, old;
	size_t i;

	if (done)
		return;
	done = 1;
	atexit(remove_pending);
	stop_on_abort(remove_pending);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler != SIG_DFL)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

static int
track(char *tmp)
{
	int i;

	for (i = 0; i < ATOMIC_MAX; i++)
		if (pending[i] == NULL) {
			pending[i] = tmp;
			return 0;
		}
	errno = EMFILE;
	return -1;
}

static void
untrack(const char *tmp)
{
	int i;

	for (i = 0; i < ATOMIC_MAX; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
}

/* The directory part of path as a new string: "." when there is none. */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

int
atomic_lock(const char *path)
{
	size_t n = strlen(path);
	char *name = xmalloc(n + sizeof(".lock"));
	int fd;

	memcpy(name, path, n);
	memcpy(name + n, ".lock", sizeof(".lock"));
	fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(name);
	if (fd == -1)
		return -1;
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return 0;
}

int
atomic_open(struct atomic *a, const char *path)
{
	const char *base = strrchr(path, '/');
	char *dir = dir_of(path);
	struct stat st;
	mode_t mode, mask;
	size_t n;
	int fd, saved;

	base = base == NULL ? path : base + 1;
	n = strlen(dir) + strlen(base) + sizeof("/..XXXXXX");
	a->tmp = xmalloc(n);
	snprintf(a->tmp, n, "%s/.%s.XXXXXX", dir, base);
	free(dir);
	a->path = xstrdup(path);
	a->fp = NULL;
	a->iobuf = NULL;
	if (stat(path, &st) == 0)
		mode = st.st_mode & 07777;
	else {
		mask = umask(0);
		umask(mask);
		mode = 0666 & ~mask;
	}

	install_handlers();
	if (track(a->tmp) == -1)
		goto fail;
	if ((fd = mkstemp(a->tmp)) == -1) {
		saved = errno;
		untrack(a->tmp);
		errno = saved;
		goto fail;
	}
	if (fchmod(fd, mode) == -1 || (a->fp = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		atomic_abort(a);
		errno = saved;
		return -1;
	}
	/* glibc takes the size only with a buffer: without, it uses 4 KiB. */
	a->iobuf = xmalloc(ATOMIC_BUFSIZ);
	setvbuf(a->fp, a->iobuf, _IOFBF, ATOMIC_BUFSIZ);
	return 0;
fail:
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	return -1;
}

int
atomic_close(struct atomic *a)
{
	FILE *fp = a->fp;
	int bad;

	if (fp == NULL)
		return 0;
	a->fp = NULL;
	bad = fflush(fp) == EOF || ferror(fp) || fsync(fileno(fp)) == -1;
	if (fclose(fp) == EOF)
		bad = 1;
	free(a->iobuf);
	a->iobuf = NULL;
	return bad ? -1 : 0;
}

/* Make a rename in dir durable; file systems that cannot are excused. */
static int
sync_dir(const char *dir)
{
	int fd, r;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	r = fsync(fd);
	if (r == -1 && errno == EINVAL)
		r = 0;
	close(fd);
	return r;
}

int
atomic_commit(struct atomic *a)
{
	char *dir;
	int r, saved;

	if (atomic_close(a) == -1 || rename(a->tmp, a->path) == -1) {
		saved = errno;
		atomic_abort(a);
		errno = saved;
		return -1;
	}
	untrack(a->tmp);
	dir = dir_of(a->path);
	r = sync_dir(dir);
	saved = errno;
	free(dir);
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	errno = saved;
	return r;
}

void
atomic_abort(struct atomic *a)
{
	int saved = errno;

	if (a->fp != NULL) {
		fclose(a->fp);
		a->fp = NULL;
	}
	free(a->iobuf);
	a->iobuf = NULL;
	if (a->tmp != NULL) {
		unlink(a->tmp);
		untrack(a->tmp);
	}
	free(a->tmp);
	free(a->path);
	a->tmp = a->path = NULL;
	errno = saved;
}
