/*
 * rest-paginate: fetch every page of a REST API resource, one page per
 * line on stdout, in order, paging as dlt's paginators do (offset,
 * page_number, json_link, header_link, cursor, header_cursor,
 * single_page, or one detected from the first response), and stopping
 * where they stop.  main() only: pager.h says which file does what.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "json/wire.h"
#include "dlt/config.h"
#include "dlt/reqopt.h"
#include "pager.h"

int
main(int argc, char *argv[])
{
	struct pager_opts o;
	struct config cfg;
	struct err e = { 0 };
	struct pager pg;
	struct wire end;
	/* Static: reachable still when a check exits, for LeakSanitizer. */
	static char **args;
	char *rec;
	int one_parent;

	setprog(PROGRAM_NAME);
	/* A run for one parent record of a child resource (parents.c). */
	rec = parents_record();
	args = xcalloc((size_t)argc + 1, sizeof(*args));
	memcpy(args, argv, (size_t)argc * sizeof(*args));
	options_read(&o, &argc, &argv, &cfg, rec);
	if (cfg.parent != NULL && rec == NULL)
		return parents_main(&cfg, &o, args);
	free(args);
	one_parent = parents_one(&cfg, rec, &o);
	settle_incremental(&o);
	pager_init(&pg, &o);
	if (reqopt_finish(&o.req, &e) == -1)
		die_err(&e);
	catch_stops(&o);
	if (one_parent)
		signal(SIGINT, SIG_IGN);
	run(&pg);
	/* A run for one parent is part of a run: its starter ends that. */
	if (!one_parent)
		end_incremental(&o);
	end_counts(&pg, &end);
	pager_free(&pg);
	options_free(&o, &cfg);
	return o.req.http.dry_run ? finish_stdout() : report_end(&o, &end);
}
