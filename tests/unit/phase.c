/*
 * sync/state.c: the rules of a run's state, walked over every way its
 * three programs can end (rest-paginate, rest-select and rest-merge
 * each exiting 0, failing, killed, never started, or, for rest-merge,
 * still waiting for its input), with and without a signal, the "end"
 * records said or not, the spool whole or not.  A run is marked
 * fetched, and a fetched run committed, only when everything went
 * right; anything else leaves it resumable after the pages logged.
 */
#include <stdio.h>

#include "sync.h"
#include "unit.h"

static const char *const names[] = {
	"never started", "running", "exit 0", "failing", "killed"
};

int
main(void)
{
	struct run_facts f = { 0 };
	int p, s, m, pe, se, sig, whole, fetched, failed, marked, may, ok;
	int bad = 0, cases = 0, allowed = 0;
	enum phase ph;

	for (p = STAGE_NOT_STARTED; p <= STAGE_KILLED; p++)
	for (s = STAGE_NOT_STARTED; s <= STAGE_KILLED; s++)
	for (m = STAGE_NOT_STARTED; m <= STAGE_KILLED; m++)
	for (pe = 0; pe <= 1; pe++)
	for (se = 0; se <= 1; se++)
	for (sig = 0; sig <= 1; sig++)
	for (whole = 0; whole <= 1; whole++)
	for (failed = 0; failed <= 1; failed++)
	for (fetched = 0; fetched <= 1; fetched++) {
		f.paginate = p;
		f.select = s;
		f.merge = m;
		f.paginate_end = pe;
		f.select_end = se;
		f.signalled = sig;
		f.whole = whole;
		f.failed = failed;
		f.fetched = fetched;
		f.merge_end = 0;
		f.pages = 7;
		cases++;
		may = phase_may_commit(&f);
		/* Everything right, or nothing at all. */
		ok = (fetched || (p == STAGE_OK && pe)) && s == STAGE_OK &&
		    se && m == STAGE_RUNNING && !sig && whole && !failed;
		if (may != ok) {
			bad++;
			printf("# may_commit %d: paginate %s%s, select %s%s, "
			    "merge %s, signal %d, whole %d, failed %d, "
			    "fetched %d\n", may, names[p], pe ? " end" : "",
			    names[s], se ? " end" : "", names[m], sig, whole,
			    failed, fetched);
		}
		allowed += may;
		/* A run that failed before the commit: never fetched. */
		ph = phase_after(&f, 0);
		if (ph != (fetched ? PHASE_FETCHED : PHASE_FETCHING)) {
			bad++;
			printf("# not marked, fetched %d: phase %d\n", fetched,
			    ph);
		}
	}
	unit_check(bad == 0, "phase_may_commit() allows exactly the runs where "
	    "everything went right, of %d", cases);
	/* One fetched now; ten fetched before, rest-paginate not needed. */
	unit_long(allowed, 11, "of them, eleven: one fetched now, and ten "
	    "fetched before whatever rest-paginate did");

	/* After the mark, rest-merge decides, by how it ends. */
	for (marked = 0; marked <= 1; marked++)
	for (m = STAGE_NOT_STARTED; m <= STAGE_KILLED; m++)
	for (pe = 0; pe <= 1; pe++) {
		f.fetched = 0;
		f.merge = m;
		f.merge_end = pe;
		f.pages = 3;
		ph = phase_after(&f, marked);
		if (marked && m == STAGE_OK && pe)
			unit_long(ph, PHASE_COMMITTED, "marked, rest-merge %s "
			    "and said end: committed", names[m]);
		else if (marked)
			unit_long(ph, PHASE_FETCHED, "marked, rest-merge %s%s: "
			    "still fetched, the next run commits", names[m],
			    pe ? " and said end" : "");
		else
			unit_long(ph, PHASE_FETCHING, "not marked, rest-merge "
			    "%s%s: fetching, resumed after the pages", names[m],
			    pe ? " and said end" : "");
	}
	f.fetched = 0;
	f.pages = 0;
	unit_long(phase_after(&f, 0), PHASE_NONE, "no page and not marked: "
	    "nothing to keep");
	f.fetched = 1;
	unit_long(phase_after(&f, 0), PHASE_FETCHED, "fetched by a run before, "
	    "not committed now: still fetched");

	/* A link or cursor is never shown: it may carry the key. */
	unit_str(state_shown("--offset 350"), "--offset 350",
	    "an offset is shown");
	unit_str(state_shown("--next-url https://x.test/?api_key=K&p=2"),
	    "--next-url, not shown", "a link is not");
	unit_str(state_shown("--cursor K"), "--cursor, not shown",
	    "nor a cursor");
	unit_str(state_shown("--parent-start 3:00000000000000ff --next-url "
	    "https://x.test/?api_key=K"),
	    "--parent-start 3:00000000000000ff --next-url, not shown",
	    "nor a child's link: its parent is");
	unit_str(state_shown("--parent-start 2 --cursor K"),
	    "--parent-start 2 --cursor, not shown", "nor a child's cursor");
	unit_str(state_shown("--parent-start 2 --page 4"),
	    "--parent-start 2 --page 4", "a child's page number is shown");
	return unit_done();
}
