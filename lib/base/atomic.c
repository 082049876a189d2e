#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/stop.h"

#define ATOMIC_MAX	4		/* temporary files open at once */
#define ATOMIC_BUFSIZ	(1 << 20)	/* stdio buffer of a temporary file */
#define JOURNAL_MAGIC	"restpipe journal 1\n"
#define JOURNAL_MAX	((size_t)1 << 20)	/* largest journal read */
#define TMP_SUFFIX	6		/* the X's of mkstemp(3) */
#define TMP_INFIX	"rp-"		/* before them: ours, not a user's */

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

static void (*kill_hook)(void);

/* The signal mask before atomic_commit_all() blocked signals. */
static sigset_t saved_mask;
static int blocked;

static void
cleanup(void)
{
	remove_pending();
	if (kill_hook != NULL)
		kill_hook();
}

static void
on_signal(int sig)
{
	cleanup();
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
	stop_on_abort(cleanup);
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

void
atomic_handlers(void (*on_kill)(void))
{
	kill_hook = on_kill;
	install_handlers();
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

/* The last part of path. */
static const char *
base_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? path : slash + 1;
}

/* a followed by b, as a new string. */
static char *
concat(const char *a, const char *b)
{
	size_t n = strlen(a), m = strlen(b);
	char *s = xmalloc(n + m + 1);

	memcpy(s, a, n);
	memcpy(s + n, b, m + 1);
	return s;
}

/* Open the lock file name: a descriptor, -1 (errno) or -2 (not regular). */
static int
open_lock(const char *name)
{
	struct stat st;
	int fd, saved;

	/* Looked at first, so that a device or FIFO there is never opened. */
	if (lstat(name, &st) == 0 && !S_ISREG(st.st_mode))
		return -2;
	fd = open(name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0666);
	if (fd == -1) {
		saved = errno;
		if (saved == ELOOP && lstat(name, &st) == 0 &&
		    S_ISLNK(st.st_mode))
			return -2;
		errno = saved;
		return -1;
	}
	/* Something put there since the lstat(2) is no better. */
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -2;
	}
	return fd;
}

/* The lock this process holds, to remove as it exits. */
static char *lock_name;

/*
 * Remove the lock file while still holding it: a process waiting on it
 * finds, once it has it, that the name is no longer its file, and tries
 * again (atomic_lock()).  So no lock file is left beside the table.
 */
static void
remove_lock(void)
{
	if (lock_name != NULL)
		unlink(lock_name);
}

int
atomic_lock(const char *path)
{
	char *name = concat(path, ".lock");
	int fd;

	for (;;) {
		if ((fd = open_lock(name)) < 0) {
			free(name);
			return fd;
		}
		while (flock(fd, LOCK_EX) == -1)
			if (errno != EINTR) {
				close(fd);
				free(name);
				return -1;
			}
		if (fd_still_named(fd, name))
			break;
		/* Removed by the process that held it: lock the new one. */
		close(fd);
	}
	lock_name = name;
	atexit(remove_lock);
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
	n = strlen(dir) + strlen(base) + sizeof("/.." TMP_INFIX "XXXXXX");
	a->tmp = xmalloc(n);
	snprintf(a->tmp, n, "%s/.%s." TMP_INFIX "XXXXXX", dir, base);
	free(dir);
	a->path = xstrdup(path);
	a->fp = NULL;
	a->iobuf = NULL;
	/* Never setuid or setgid: whoever runs this did not choose that. */
	if (stat(path, &st) == 0)
		mode = st.st_mode & 0777;
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

static int
sync_dir_of(const char *path)
{
	char *dir = dir_of(path);
	int r, saved;

	r = sync_dir(dir);
	saved = errno;
	free(dir);
	errno = saved;
	return r;
}

static void
block_signals(void)
{
	sigset_t set;

	if (blocked)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &saved_mask);
	blocked = 1;
}

void
atomic_unblock(void)
{
	if (!blocked)
		return;
	blocked = 0;
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
}

/*
 * Append name to a journal in directory jdir, NUL-terminated: its last
 * part if it lies in jdir, else its absolute path, so that a run from
 * another directory finds it.  Returns 0, or -1 with errno set.
 */
static int
journal_name(struct buf *b, const char *name, const char *jdir)
{
	char *dir = dir_of(name), *real;

	if (strcmp(dir, jdir) == 0)
		buf_adds(b, base_of(name));
	else if (name[0] == '/')
		buf_adds(b, name);
	else {
		if ((real = realpath(dir, NULL)) == NULL) {
			free(dir);
			return -1;
		}
		buf_adds(b, real);
		if (strcmp(real, "/") != 0)
			buf_addc(b, '/');
		buf_adds(b, base_of(name));
		free(real);
	}
	buf_addc(b, '\0');
	free(dir);
	return 0;
}

/* Write the journal naming each a[i]'s rename and rename it into place. */
static int
write_journal(struct atomic *a[], size_t n, const char *journal,
    const char *jdir)
{
	struct atomic j;
	struct buf b;
	size_t i;
	int saved;

	buf_init(&b, 0);
	buf_adds(&b, JOURNAL_MAGIC);
	for (i = 0; i < n; i++)
		if (journal_name(&b, a[i]->tmp, jdir) == -1 ||
		    journal_name(&b, a[i]->path, jdir) == -1)
			goto fail;
	if (atomic_open(&j, journal) == -1)
		goto fail;
	if (fwrite(b.data, 1, b.len, j.fp) != b.len ||
	    atomic_close(&j) == -1) {
		saved = errno;
		atomic_abort(&j);
		errno = saved;
		goto fail;
	}
	buf_free(&b);
	block_signals();
	if (rename(j.tmp, j.path) == -1) {
		saved = errno;
		atomic_abort(&j);
		atomic_unblock();
		errno = saved;
		return -1;
	}
	/* The temporary files are the journal's now: they outlive us. */
	untrack(j.tmp);
	for (i = 0; i < n; i++)
		untrack(a[i]->tmp);
	free(j.tmp);
	free(j.path);
	return 0;
fail:
	saved = errno;
	buf_free(&b);
	errno = saved;
	return -1;
}

int
atomic_commit_all(struct atomic *a[], size_t n, const char *journal)
{
	char *jdir = dir_of(journal);
	size_t i;
	int r = 0, saved;

	for (i = 0; i < n; i++)
		if (atomic_close(a[i]) == -1)
			break;
	if (i < n || write_journal(a, n, journal, jdir) == -1) {
		saved = errno;
		for (i = 0; i < n; i++)
			atomic_abort(a[i]);
		free(jdir);
		errno = saved;
		return -1;
	}
	if (sync_dir(jdir) == -1)
		r = -1;
	for (i = 0; i < n && r == 0; i++)
		r = rename(a[i]->tmp, a[i]->path);
	for (i = 0; i < n && r == 0; i++)
		r = sync_dir_of(a[i]->path);
	if (r == 0 && (unlink(journal) == -1 || sync_dir(jdir) == -1))
		r = -1;
	saved = errno;
	for (i = 0; i < n; i++) {
		free(a[i]->tmp);
		free(a[i]->path);
		a[i]->tmp = a[i]->path = NULL;
	}
	free(jdir);
	errno = saved;
	return r == 0 ? 0 : 1;
}

/* Read the journal at fd into b; returns 0, or -1 with errno set. */
static int
read_journal(int fd, struct buf *b)
{
	ssize_t r;

	for (;;) {
		if (b->len > JOURNAL_MAX) {
			errno = EBADMSG;
			return -1;
		}
		if (buf_grow(b, 4096) == -1)
			return -1;
		r = read(fd, b->data + b->len, 4096);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			return 0;
		b->len += (size_t)r;
	}
}

/*
 * Whether the journal's pair (tmp, path) is one atomic_commit_all() wrote:
 * tmp is ".NAME.rp-XXXXXX" (or, of an earlier version, ".NAME.XXXXXX")
 * beside path NAME.  A journal that names other
 * files renames nothing.
 */
static int
good_pair(const char *tmp, const char *path)
{
	const char *tb = base_of(tmp), *pb = base_of(path);
	size_t n = strlen(pb);

	if (n == 0 || (size_t)(tb - tmp) != (size_t)(pb - path) ||
	    strncmp(tmp, path, (size_t)(tb - tmp)) != 0)
		return 0;
	if (tb[0] != '.' || strncmp(tb + 1, pb, n) != 0 || tb[n + 1] != '.' ||
	    strchr(tb + n + 2, '/') != NULL)
		return 0;
	/* Ours, and an earlier version's, which had no infix. */
	tb += n + 2;
	if (strncmp(tb, TMP_INFIX, sizeof(TMP_INFIX) - 1) == 0)
		tb += sizeof(TMP_INFIX) - 1;
	return strlen(tb) == TMP_SUFFIX;
}

/* A journal's name for a file, as a path from here; a new string. */
static char *
resolve(const char *name, const char *jdir)
{
	char *dir, *path;

	if (name[0] == '/')
		return xstrdup(name);
	dir = concat(jdir, "/");
	path = concat(dir, name);
	free(dir);
	return path;
}

/* Rename the journal's temporary files that still exist; 0 or -1. */
static int
replay(const char *p, const char *end, const char *jdir)
{
	const char *tmp, *path;
	char *from, *to;
	struct stat st;
	int r = 0, saved;

	while (r == 0 && p < end) {
		tmp = p;
		path = tmp + strlen(tmp) + 1;
		p = path + strlen(path) + 1;
		from = resolve(tmp, jdir);
		to = resolve(path, jdir);
		if (lstat(from, &st) == 0) {
			if (!S_ISREG(st.st_mode)) {
				errno = EBADMSG;
				r = -1;
			} else if (rename(from, to) == -1 ||
			    sync_dir_of(to) == -1)
				r = -1;
		} else if (errno != ENOENT)
			r = -1;
		saved = errno;
		free(from);
		free(to);
		errno = saved;
	}
	return r;
}

int
atomic_recover(const char *journal)
{
	const size_t magic = sizeof(JOURNAL_MAGIC) - 1;
	const char *p, *end, *tmp;
	char *jdir;
	struct buf b;
	int fd, r, saved;

	if ((fd = open(journal, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	buf_init(&b, 0);
	r = read_journal(fd, &b);
	saved = errno;
	close(fd);
	errno = saved;
	if (r == -1) {
		buf_free(&b);
		return -1;
	}
	/* Check every pair before renaming anything. */
	p = b.data + magic;
	end = b.data + b.len;
	r = b.len > magic && memcmp(b.data, JOURNAL_MAGIC, magic) == 0 &&
	    end[-1] == '\0' ? 0 : -1;
	while (r == 0 && p < end) {
		tmp = p;
		p += strlen(p) + 1;
		if (p == end || !good_pair(tmp, p))
			r = -1;
		else
			p += strlen(p) + 1;
	}
	if (r == -1) {
		buf_free(&b);
		errno = EBADMSG;
		return -1;
	}
	jdir = dir_of(journal);
	r = replay(b.data + magic, end, jdir);
	if (r == 0 && (unlink(journal) == -1 || sync_dir(jdir) == -1))
		r = -1;
	saved = errno;
	free(jdir);
	buf_free(&b);
	errno = saved;
	return r == 0 ? 1 : -1;
}

/*
 * Whether name is one atomic_open() gives a temporary file of base: ".",
 * base, ".rp-" and the characters mkstemp(3) puts for the X's, which glibc,
 * musl and the BSDs all draw from the letters and digits.
 */
static int
temp_of(const char *name, const char *base)
{
	static const char drawn[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(base), i;

	if (name[0] != '.' || strncmp(name + 1, base, n) != 0 ||
	    name[n + 1] != '.' || strncmp(name + n + 2, TMP_INFIX,
	    sizeof(TMP_INFIX) - 1) != 0)
		return 0;
	name += n + 2 + sizeof(TMP_INFIX) - 1;
	for (i = 0; i < TMP_SUFFIX; i++)
		if (name[i] == '\0' || strchr(drawn, name[i]) == NULL)
			return 0;
	return name[TMP_SUFFIX] == '\0';
}

/*
 * Remove the entry name of the directory d if it is a regular file: a
 * symbolic link there is not ours, and its target is never touched.
 * Returns 1 if removed, 0 if not, -1 with errno set if it failed.
 */
static int
remove_temp(DIR *d, const char *name)
{
	struct stat st;

	if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISREG(st.st_mode))
		return 0;
	if (unlinkat(dirfd(d), name, 0) == -1)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

int
atomic_clean(const char *path)
{
	const char *base = base_of(path);
	struct dirent *de;
	char *dir;
	DIR *d;
	int n = 0, r, saved;

	if (base[0] == '\0')
		return 0;
	dir = dir_of(path);
	d = opendir(dir);
	saved = errno;
	free(dir);
	/* No directory there holds no temporary file either. */
	if (d == NULL) {
		errno = saved;
		return saved == ENOENT || saved == ENOTDIR ? 0 : -1;
	}
	saved = 0;
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL) {
			if (errno != 0 && saved == 0)
				saved = errno;
			break;
		}
		if (!temp_of(de->d_name, base))
			continue;
		/* One that will not go does not keep the others. */
		if ((r = remove_temp(d, de->d_name)) == -1 && saved == 0)
			saved = errno;
		else if (r == 1)
			n++;
	}
	closedir(d);
	errno = saved;
	return saved != 0 ? -1 : n;
}
