#include <sys/stat.h>

#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "stop.h"

#define MAX_ABORT	4

static volatile sig_atomic_t deferred;
static void (*abort_fn[MAX_ABORT])(void);
static volatile sig_atomic_t nabort;

static void
on_signal(int sig)
{
	sig_atomic_t i;

	if (deferred == 0) {
		deferred = sig;
		return;
	}
	for (i = nabort; i > 0; i--)
		abort_fn[i - 1]();
	signal(sig, SIG_DFL);
	raise(sig);
}

void
stop_defer(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
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
}

int
stop_is_pipe(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));
}
