/*
 * cli.h: the start-up every program shares.  A program describes itself
 * in a struct cli; cli_start() does the rest the same way everywhere:
 * the program's name, its descriptors, -c/--config and -r/--resource,
 * -h/--help, --version and the usage error, as sbase's ARGBEGIN does
 * and curl's main hands over to operate().
 */
#ifndef CLI_H
#define CLI_H

#include <getopt.h>
#include <stdnoreturn.h>

#include "base/diag.h"
#include "dlt/config.h"

/*
 * Codes of long-only options: --version is cli's, the request options
 * (reqopt.h) start at OPT_REQUEST, a program's own at OPT_PROGRAM.
 */
enum { OPT_VERSION = 256, OPT_REQUEST = 300, OPT_PROGRAM = 512 };

/*
 * A flag of struct cli beside the START_* of startup(): reading a pipe,
 * SIGINT and SIGTERM end the input (stop_defer() of stop.h), from before
 * the options are read, as the stage before may already be writing.
 */
#define CLI_DEFER_STOP	0x100

/*
 * A flag of struct cli: -c FILE and -r NAME are the program's, handed to
 * p->option like its other options; cli loads no configuration.
 */
#define CLI_OWN_CONFIG	0x200

/* The help lines of -c and -r, for a struct cli's help. */
#define CLI_CONFIG_USAGE \
"  -c, --config FILE          read a dlt REST API source configuration\n" \
"  -r, --resource NAME        the resource to read from it\n"

struct cli {
	const char	*name;		/* "rest-fetch" */
	int		 flags;		/* START_* and CLI_DEFER_STOP */
	const char	*synopsis;	/* the usage lines */
	const char	*help;		/* the lines -h adds, before -h's own */
	/*
	 * More lines after help, or NULL: C17 promises string literals of
	 * 4095 bytes only.
	 */
	const char	*more;
	const char	*shortopts;	/* besides "c:hr:" */
	/* Tables of long options besides cli's, each ending in a zero entry. */
	const struct option *const *longopts;
	int		 parts;		/* CONFIG_* that -c FILE is read for */
	/* Apply a configuration to ctx, before the command line; or NULL. */
	void		(*config)(void *ctx, const struct config *);
	/*
	 * Apply option opt (a code of longopts, or a short option) with its
	 * argument to ctx.  Returns 1, 0 if it is not the program's (a usage
	 * error), or -1 with e set, for the program to die of.
	 */
	int		(*option)(void *ctx, int opt, const char *arg,
			    struct err *e);
	/*
	 * Codes of options the first reading hands to option() already,
	 * before config() (which they change), ending with 0; or NULL.
	 * They are handed over again in order, so must bear that.
	 */
	const int	*early;
};

/*
 * Start program p: startup(p->name, its START_* flags), deferring stops
 * with CLI_DEFER_STOP, and argv[0] set to the name for getopt's
 * messages.  Then read the command line twice: first -c FILE and
 * -r NAME alone, loading FILE's parts p->parts into c (zeroed without
 * -c) and handing it to p->config; then every option in order, to
 * p->option.  With CLI_OWN_CONFIG the first reading is skipped, c is
 * zeroed, and -c and -r go to p->option too.  -h prints the usage and the help to stdout and exits 0,
 * --version prints the version, an unknown option is a usage error.
 * Exits as config_load() says when FILE cannot be used, and with
 * EX_USAGE for -r without -c.  On return *argc and *argv hold only the
 * operands, and c->file is FILE (NULL without -c, or with
 * CLI_OWN_CONFIG).
 */
void	cli_start(const struct cli *p, int *argc, char ***argv,
	    struct config *c, void *ctx);

/*
 * cli_start(), loading FILE with config_load_record(): a child
 * resource's requests are filled from rec, the record of its parent (a
 * string of JSON, an object), or from none when rec is NULL.
 */
void	cli_start_record(const struct cli *p, int *argc, char ***argv,
	    struct config *c, void *ctx, const char *rec);

/*
 * With EX_OK, print the synopsis and the help to stdout; else the
 * synopsis to stderr.  Exit with status.
 */
noreturn void cli_usage(const struct cli *p, int status);

#endif
