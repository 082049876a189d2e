/*
 * status.c: --status and --dry-run, which look and send nothing, and
 * write nothing but standard output.
 */
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
#include "json/json.h"
#include "dlt/incr.h"
#include "sync.h"

#define SIDECAR_MAX	(16L * 1024 * 1024)

/*
 * The rows of a table: its lines, less the header of a csv or tsv file;
 * a line break inside a quoted csv cell does not end a row.  Returns -1
 * when the file is there but cannot be read.
 */
static long
count_rows(const char *file, const char *ext)
{
	char chunk[65536];
	int csv = strcmp(ext, "csv") == 0, quoted = 0, fd;
	long lines = 0;
	ssize_t got, i;
	char last = '\n';

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : -1;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0) {
		for (i = 0; i < got; i++) {
			if (csv && chunk[i] == '"')
				quoted = !quoted;
			else if (chunk[i] == '\n' && !quoted)
				lines++;
		}
		last = chunk[got - 1];
	}
	close(fd);
	if (got == -1)
		return -1;
	if (last != '\n')
		lines++;
	if (strcmp(ext, "jsonl") != 0 && lines > 0)
		lines--;
	return lines;
}

/* When the sidecar says the last complete sync committed, or NULL. */
static char *
last_sync(const char *file)
{
	struct json_error jerr;
	struct err e = { 0 };
	struct buf path, text, at;
	struct json js;
	int run, i;
	char *s = NULL;

	buf_init(&path, 0);
	buf_printf(&path, "%s.schema.json", file);
	buf_init(&text, SIDECAR_MAX);
	json_init(&js);
	if (file_read(path.data, SIDECAR_MAX, &text, &e) == 0 &&
	    json_parse(&js, text.data, text.len, &jerr) == 0 &&
	    (run = json_get(&js, 0, "last_run", 8)) >= 0 &&
	    (i = json_get(&js, run, "at", 2)) >= 0 && json_is_string(&js, i)) {
		buf_init(&at, 64);
		if (json_unescape(&js, i, &at) == 0 && at.len > 0)
			s = xstrdup(buf_str(&at));
		buf_free(&at);
	}
	err_free(&e);
	json_free(&js);
	buf_free(&text);
	buf_free(&path);
	return s;
}

/*
 * The last value of an incremental resource, as its state beside the
 * table holds it, in words and as --json has it.
 */
static void
last_value(const struct resource *r, struct buf *words, struct buf *json)
{
	struct incremental inc = { 0 };
	struct incr_state st;
	struct err e = { 0 };
	char *path;
	int rc;

	if (r->cursor_path == NULL) {
		buf_adds(json, "null");
		return;
	}
	inc.cursor_path = r->cursor_path;
	path = incr_state_file(r->file);
	buf_adds(json, "{\"cursor_path\":");
	json_quote(json, r->cursor_path, strlen(r->cursor_path));
	buf_adds(json, ",\"last_value\":");
	if ((rc = incr_state_load(&st, path, r->name, &inc, &e)) == -1) {
		buf_printf(words, ", last %s unreadable: %s", r->cursor_path,
		    e.msg);
		buf_adds(json, "\"unreadable\"");
		err_free(&e);
	} else if (rc == 0 || st.last == NULL) {
		buf_printf(words, ", last %s none yet", r->cursor_path);
		buf_adds(json, "null");
	} else {
		buf_printf(words, ", last %s %s", r->cursor_path, st.last);
		buf_adds(json, st.last);
	}
	buf_addc(json, '}');
	if (rc == 1)
		incr_state_free(&st);
	free(path);
}

/*
 * The rest-sync that started the worker pid, which holds a table's lock;
 * or pid itself if it is not a worker.
 */
static pid_t
run_of(pid_t pid)
{
	char path[64], comm[32], stat[512], *p;
	long ppid;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return pid;
	p = fgets(stat, sizeof(stat), fp);
	fclose(fp);
	if (p == NULL || (p = strrchr(stat, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return pid;
	snprintf(path, sizeof(path), "/proc/%ld/comm", ppid);
	if ((fp = fopen(path, "r")) == NULL)
		return pid;
	p = fgets(comm, sizeof(comm), fp);
	fclose(fp);
	return p != NULL && strcmp(comm, "rest-sync\n") == 0 ? (pid_t)ppid :
	    pid;
}

/*
 * Read the state of r's pending run, if there is one: as state_read(),
 * the folder opened without following a link.
 */
static int
read_state(const struct resource *r, struct state *st, struct err *e)
{
	int dir, rc;

	memset(st, 0, sizeof(*st));
	if ((dir = durable_dir(r->statedir, 0, e)) == -1) {
		if (errno != ENOENT)
			return -1;
		err_free(e);
		return 0;
	}
	rc = state_read(st, dir, r->statedir, e);
	close(dir);
	return rc;
}

/* The last failure of r, if the next run has not succeeded since. */
static void
last_failure(const struct resource *r, struct buf *words, struct buf *json)
{
	struct lastfail lf;

	if (!lastfail_read(r->rundir, r->failfile, &lf)) {
		buf_adds(json, "null");
		return;
	}
	buf_printf(words, ", last failure %s: exit %d (%s)%s%s", lf.at,
	    lf.status, lf.stage != NULL ? lf.stage : "rest-sync",
	    lf.message != NULL && *lf.message != '\0' ? ": " : "",
	    lf.message != NULL ? lf.message : "");
	buf_adds(json, "{\"at\":");
	json_quote(json, lf.at, strlen(lf.at));
	buf_printf(json, ",\"status\":%d,\"stage\":", lf.status);
	json_quote(json, lf.stage != NULL ? lf.stage : "rest-sync",
	    strlen(lf.stage != NULL ? lf.stage : "rest-sync"));
	buf_adds(json, ",\"message\":");
	if (lf.message != NULL && *lf.message != '\0')
		json_quote(json, lf.message, strlen(lf.message));
	else
		buf_adds(json, "null");
	buf_addc(json, '}');
	lastfail_free(&lf);
}

/* The last run of the mirror, in words and as --json has it. */
static void
last_run(const char *rundir, struct buf *words, struct buf *json)
{
	struct lastrun lr;

	if (rundir == NULL || !lastrun_read(rundir, &lr)) {
		buf_adds(json, "null");
		return;
	}
	buf_printf(words, "last run: started %s, ended %s, exit %d",
	    lr.started, lr.ended, lr.status);
	buf_adds(json, "{\"started\":");
	json_quote(json, lr.started, strlen(lr.started));
	buf_adds(json, ",\"ended\":");
	json_quote(json, lr.ended, strlen(lr.ended));
	buf_printf(json, ",\"status\":%d}", lr.status);
	lastrun_free(&lr);
}

/* What waits for the next run, in words and as --json has it. */
static void
pending(const struct resource *r, struct buf *words, struct buf *json)
{
	struct state st;
	struct err e = { 0 };
	int rc;

	rc = read_state(r, &st, &e);
	if (rc == -1) {
		buf_printf(words, ", pending: %s", e.msg);
		buf_adds(json, "\"unreadable\"");
		err_free(&e);
		return;
	}
	if (rc == 0 || (!st.fetched && st.pages == 0)) {
		buf_adds(json, "null");
		if (rc == 1)
			state_free(&st);
		return;
	}
	buf_printf(words, ", pending: the run %s, ", st.run_id);
	state_describe(&st, words);
	if (st.fetched)
		buf_adds(json, "\"commit\"");
	else
		json_quote(json, state_shown(st.position),
		    strlen(state_shown(st.position)));
	state_free(&st);
}

/*
 * The start of the --json line of r into b: its name, table, file, rows,
 * last sync (at) and the process syncing it now (holder), if one is.
 */
static void
json_row(const struct resource *r, long rows, const char *at, pid_t holder,
    struct buf *b)
{
	resource_json(r, b);
	buf_printf(b, ",\"rows\":%ld,\"last_sync\":", rows);
	if (at != NULL)
		json_quote(b, at, strlen(at));
	else
		buf_adds(b, "null");
	if (holder > 0)
		buf_printf(b, ",\"running\":%ld", (long)holder);
	else
		buf_adds(b, ",\"running\":null");
}

int
show_status(const struct sync_opts *o, const struct resource *r, size_t n)
{
	struct buf words, json, lwords, ljson, fjson, rjson, rwords;
	size_t i;
	long rows;
	char *at;
	int status = 0;
	pid_t holder;

	buf_init(&words, 0);
	buf_init(&json, 0);
	buf_init(&lwords, 0);
	buf_init(&ljson, 0);
	buf_init(&fjson, 0);
	buf_init(&rjson, 0);
	buf_init(&rwords, 0);
	last_run(n > 0 ? r[0].rundir : NULL, &rwords, &rjson);
	for (i = 0; i < n; i++) {
		buf_reset(&words);
		buf_reset(&json);
		buf_reset(&lwords);
		buf_reset(&ljson);
		buf_reset(&fjson);
		if ((rows = count_rows(r[i].file, o->ext)) == -1) {
			warnmsg("%s: cannot read:", r[i].file);
			status = worse(status, EX_NOINPUT);
			continue;
		}
		at = last_sync(r[i].file);
		last_value(&r[i], &lwords, &ljson);
		/* A run under way is not a pending one to resume. */
		if ((holder = durable_holder(r[i].lockfile)) > 0)
			holder = run_of(holder);
		if (holder > 0 && !o->json)
			buf_printf(&words, ", running now: the rest-sync of "
			    "process %ld holds %s", (long)holder,
			    r[i].lockfile);
		else
			pending(&r[i], &words, &json);
		last_failure(&r[i], &words, &fjson);
		if (o->json) {
			buf_reset(&words);
			json_row(&r[i], rows, at, holder, &words);
			printf("%s,\"incremental\":%s,\"pending\":%s,"
			    "\"last_failure\":%s,\"last_run\":%s}\n",
			    buf_str(&words), buf_str(&ljson), buf_str(&json),
			    buf_str(&fjson), buf_str(&rjson));
		} else
			printf("%s: %s: %ld row%s, %s%s%s%s\n", r[i].name,
			    r[i].file, rows, rows == 1 ? "" : "s", at != NULL ?
			    "last synced " : "never synced", at != NULL ? at :
			    "", buf_str(&lwords), buf_str(&words));
		free(at);
	}
	if (!o->json && rwords.len > 0)
		printf("%s\n", buf_str(&rwords));
	buf_free(&words);
	buf_free(&json);
	buf_free(&lwords);
	buf_free(&ljson);
	buf_free(&fjson);
	buf_free(&rjson);
	buf_free(&rwords);
	return status;
}

/*
 * The options that the next run would resume with, into args (their
 * text in opt and val), if a run is pending for this configuration:
 * "--offset" "N", or "--next-url" "@FILE" as state_resume_args() writes
 * it.  Returns 1 if the pending run has all its pages (no request is
 * due), else 0.
 */
static int
resume_args(const struct resource *r, char **args, struct state *st,
    struct buf *opt, struct buf *val)
{
	struct err e = { 0 };
	int rc, dir;

	rc = read_state(r, st, &e);
	err_free(&e);
	if (rc != 1 || strcmp(r->fingerprint, st->fingerprint) != 0 ||
	    (st->position == NULL && !st->fetched))
		return 0;
	if (st->fetched)
		return 1;
	dir = durable_dir(r->statedir, 0, &e);
	if (dir == -1 || state_resume_args(st, dir, r->statedir, opt, val,
	    &e) == -1) {
		warnmsg("%s", e.msg);
		err_free(&e);
		if (dir != -1)
			close(dir);
		return 0;
	}
	close(dir);
	args[0] = opt->data;
	args[1] = val->data;
	return 0;
}

/* Each line of out after the resource's name. */
static void
print_lines(const char *name, const struct buf *out)
{
	const char *p, *nl;

	for (p = out->data; p != NULL && p < out->data + out->len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(out->data + out->len - p))) ==
		    NULL)
			nl = out->data + out->len;
		printf("%s: %.*s\n", name, (int)(nl - p), p);
	}
}

int
show_dry_run(const struct sync_opts *o, const struct resource *r, size_t n)
{
	struct proc_relay rl;
	struct state st;
	struct buf out, opt, val;
	size_t i;
	int status = 0, rc;
	char *argv[] = { "rest-paginate", "-c", NULL, "-r", NULL,
	    "--dry-run", NULL, NULL, NULL, NULL, NULL };

	argv[2] = (char *)o->config;
	buf_init(&out, 0);
	buf_init(&opt, 0);
	buf_init(&val, 0);
	for (i = 0; i < n; i++) {
		proc_relay_init(&rl, r[i].prefix);
		buf_reset(&out);
		argv[4] = r[i].name;
		argv[6] = argv[7] = argv[8] = argv[9] = NULL;
		memset(&st, 0, sizeof(st));
		if (resume_args(&r[i], &argv[6], &st, &opt, &val))
			printf("%s: no request: the pages of the run %s are all "
			    "fetched; the next run commits them\n", r[i].name,
			    st.run_id);
		else if ((rc = child_capture(argv, &out, &rl)) != 0)
			status = worse(status, rc);
		else
			print_lines(r[i].name, &out);
		state_free(&st);
		proc_relay_free(&rl);
	}
	buf_free(&out);
	buf_free(&opt);
	buf_free(&val);
	return status;
}
