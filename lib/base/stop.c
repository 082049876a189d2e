#include <sys/ioctl.h>
#include <sys/stat.h>

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/stop.h"

#define MAX_ABORT	4
#define NSIGS		3
#define SAME_STOP_NS	100000000L	/* a signal sooner after: the same */

static const int sigs[NSIGS] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction before[NSIGS];
static int changed[NSIGS];

static volatile sig_atomic_t deferred, again, counting;
static struct timespec first;		/* when it came */
static void (*abort_fn[MAX_ABORT])(void);
static volatile sig_atomic_t nabort;

/*
 * Whether a signal now is the first one again: timeout(1) sends its
 * signal to the process and then to its group, so that the process gets
 * it twice at once, where the user meant one stop.
 */
static int
same_stop(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	return (now.tv_sec - first.tv_sec) * 1000000000L +
	    (now.tv_nsec - first.tv_nsec) < SAME_STOP_NS;
}

static void
on_signal(int sig)
{
	sig_atomic_t i;

	if (deferred == 0) {
		deferred = sig;
		clock_gettime(CLOCK_MONOTONIC, &first);
		/* A reader gone now is news to report, not a quiet end. */
		signal(SIGPIPE, SIG_IGN);
		return;
	}
	if (same_stop())
		return;
	if (counting) {
		again = 1;
		return;
	}
	for (i = nabort; i > 0; i--)
		abort_fn[i - 1]();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
stop_defer_flags(int flags)
{
	struct sigaction sa;
	int i;

	counting = (flags & STOP_COUNT) != 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NSIGS; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < NSIGS; i++) {
		if (sigs[i] == SIGHUP && !(flags & STOP_HUP))
			continue;
		if (changed[i] || sigaction(sigs[i], NULL, &before[i]) == -1 ||
		    before[i].sa_handler == SIG_IGN)
			continue;
		changed[i] = sigaction(sigs[i], &sa, NULL) == 0;
	}
}

void
stop_defer(void)
{
	stop_defer_flags(0);
}

int
stop_again(void)
{
	return again;
}

int
stop_cancel(void)
{
	int i;

	for (i = 0; i < NSIGS; i++)
		if (changed[i]) {
			sigaction(sigs[i], &before[i], NULL);
			changed[i] = 0;
		}
	return deferred;
}

int
stop_requested(void)
{
	return deferred;
}

void
stop_on_abort(void (*fn)(void))
{
	sig_atomic_t i;

	for (i = 0; i < nabort; i++)
		if (abort_fn[i] == fn)
			return;
	if (nabort < MAX_ABORT) {
		abort_fn[nabort] = fn;
		nabort = nabort + 1;
	}
}

void
stop_finish(void)
{
	sigset_t set;
	int sig = deferred;

	if (sig == 0)
		return;
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	/* Still here: PID 1, which its own default actions spare. */
	_exit(128 + sig);
}

long
stop_drain(int fd)
{
	static const struct timespec tick = { 0, 1000000 };
	struct pollfd p = { fd, 0, 0 };
	struct stat st;
	int unread;

	if (fstat(fd, &st) == -1 || !S_ISFIFO(st.st_mode))
		return 0;
	/* A pipe tells how much it holds on either end. */
	while (ioctl(fd, FIONREAD, &unread) == 0 && unread > 0) {
		if (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP)))
			return unread;
		nanosleep(&tick, NULL);
	}
	return 0;
}

int
stop_is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));
}
