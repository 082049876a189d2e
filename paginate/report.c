/*
 * report.c: what a run says of itself.  A failure goes to the report as
 * a "fail" record (the reason, the URL, the counts), and to people with
 * the position to resume from; a signal (SIGINT, SIGTERM) writes that
 * position too, from a line kept ready for its handler.  A run that
 * ended well writes the incremental end mark and the report's "end".
 * The driver and every paginator report through this file, and it
 * calls neither.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/file.h"
#include "base/stop.h"
#include "json/wire.h"
#include "net/http.h"
#include "dlt/incr.h"
#include "pager.h"

/*
 * The resume line, ready for a signal handler to write: SIGINT and SIGTERM
 * are held while a page is written, so the line always names the first
 * page not on stdout, and no page is ever cut in half.  After a short
 * page that may not be the last, that is where its records end, so that
 * a run resumed there asks again for the records a full page would have
 * held.
 */
static char resume_line[4096];
static size_t resume_len;
static sigset_t stop_signals;
static int progress_tty;	/* a progress line may be on the terminal */
static int starter_resumes;	/* the process that started this one says */

#define NO_SAFE_RESUME	"no resume position is safe to print (it could " \
	"carry the secret); rerun from the start"

/* The URL of the request that failed, for the report; static storage. */
static char *fail_url;

int
failed_request(struct http_req *r)
{
	int status = r->result;

	http_req_report(r);
	free(fail_url);
	fail_url = xstrdup(r->shown);
	http_req_free(r);
	return status;
}

void
pager_report_fail(const struct pager_opts *o, const struct http *h,
    int status, const struct wire *from)
{
	const struct http_stats *st;
	struct wire w;
	size_t i;

	wire_init(&w, WIRE_FAIL, NULL);
	w.status = status;
	w.reason = from != NULL && from->reason != NULL ? from->reason :
	    (char *)diag_last();
	w.url = from != NULL ? from->url : fail_url;
	/* What was sent before the failure, the request that failed too. */
	if (h != NULL) {
		st = http_stats(h);
		w.requests = st->requests;
		for (i = 0; i < st->nsent; i++)
			w.sent[i] = st->sent[i];
		w.nsent = st->nsent;
		for (i = 0; i < st->nretries; i++)
			w.retries[i] = st->retries[i];
		w.nretries = st->nretries;
		w.longest_wait = st->longest_wait;
	} else if (from != NULL)
		w.requests = from->requests;
	(void)wire_send(&o->report, &w);
}

noreturn void
fail(struct pager *pg, int status)
{
	fflush(stdout);
	pager_report_fail(pg->o, pg->http, status, NULL);
	if (pg->o->quiet_resume)
		exit(status);
	if (!pg->resume_safe)
		warnmsg(NO_SAFE_RESUME);
	else if (pg->resume.len == 0)
		warnmsg("resume: rerun from the start");
	else
		warnmsg("resume with %s", buf_str(&pg->resume));
	exit(status);
}

const char *
where(const struct pager *pg)
{
	static char s[64];

	snprintf(s, sizeof(s), pg->o->ref != PAGER_NONE ? "page %ld" :
	    "page at offset %ld", pg->pos);
	return s;
}

static void
say(const char *s, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = write(STDERR_FILENO, s, n)) > 0) {
		s += w;
		n -= (size_t)w;
	}
}

/*
 * The pages before the resume offset are safe only once the next stage
 * has read them: it then ends its input there and keeps them (stop.h).
 * If it is gone without reading them all, no offset is safe.  While this
 * waits, a second signal ends the process at once.
 */
static void
on_stop(int sig)
{
	static const char lost[] = ": interrupted: the next stage ended "
	    "before reading every page, so no resume offset is safe; rerun "
	    "from the start\n";
	const char *prog = getprog();

	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &stop_signals, NULL);
	/* The progress line the resume line would finish: off it first. */
	if (progress_tty)
		say("\r\033[K", 4);
	if (stop_drain(STDOUT_FILENO) > 0) {
		if (!starter_resumes) {
			say(prog, strlen(prog));
			say(lost, sizeof(lost) - 1);
		}
	} else if (!starter_resumes)
		say(resume_line, resume_len);
	raise(sig);
}

void
set_resume_ref(struct pager *pg, const char *position, int safe)
{
	const char *sp;
	int n;

	buf_reset(&pg->resume);
	pg->resume_safe = safe;
	if (position != NULL && safe) {
		sp = strchr(position, ' ');
		buf_add(&pg->resume, position, (size_t)(sp - position + 1));
		buf_shell_word(&pg->resume, sp + 1);
	}
	if (!safe)
		n = snprintf(resume_line, sizeof(resume_line), "%s: %s\n",
		    getprog(), NO_SAFE_RESUME);
	else if (pg->resume.len == 0)
		n = snprintf(resume_line, sizeof(resume_line), "%s: resume: "
		    "rerun from the start\n", getprog());
	else
		n = snprintf(resume_line, sizeof(resume_line), "%s: resume "
		    "with %s\n", getprog(), buf_str(&pg->resume));
	if (n < 0 || (size_t)n >= sizeof(resume_line))
		n = snprintf(resume_line, sizeof(resume_line), "%s: the resume "
		    "position is too long to print; rerun from the start\n",
		    getprog());
	resume_len = n > 0 && (size_t)n < sizeof(resume_line) ? (size_t)n : 0;
}

void
catch_stops(const struct pager_opts *o)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	progress_tty = o->progress && isatty(STDERR_FILENO);
	starter_resumes = o->quiet_resume;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void
hold_stops(sigset_t *saved)
{
	sigprocmask(SIG_BLOCK, &stop_signals, saved);
}

void
release_stops(const sigset_t *saved)
{
	sigprocmask(SIG_SETMASK, saved, NULL);
}

int
report_end(const struct pager_opts *o, const struct wire *end)
{
	int status = finish_stdout();

	if (status == EX_OK && wire_send(&o->report, end) == -1) {
		warnmsg("--report: write failed:");
		return EX_IOERR;
	}
	return status;
}

void
end_incremental(const struct pager_opts *o)
{
	if (o->incr == NULL)
		return;
	printf("%s%s}\n", INCR_END_MARK, o->incr_start != NULL ?
	    o->incr_start : "null");
}
