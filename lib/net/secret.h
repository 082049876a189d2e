/* secret.h: the one credential, never taken from the command line. */
#ifndef SECRET_H
#define SECRET_H

#include <stddef.h>

#include "base/buf.h"

struct err;

/*
 * Read the secret from the first line of file (when not NULL) or else from
 * the environment variable env into *secret, a string the caller frees,
 * or NULL when the variable is unset or empty.  Returns 0, or -1 with e
 * set: EX_NOINPUT for an unreadable file, EX_CONFIG for one whose first
 * line is empty.
 */
int	secret_load(const char *env, const char *file, char **secret,
	    struct err *e);

/*
 * The secret named name (as .dlt/secrets.toml keys it: "api_key") from
 * the environment as dlt names it for a rest_api source, the most
 * specific first: SOURCES__REST_API__REST_API__CREDENTIALS__API_KEY,
 * SOURCES__REST_API__CREDENTIALS__API_KEY, SOURCES__CREDENTIALS__API_KEY,
 * CREDENTIALS__API_KEY, SOURCES__REST_API__API_KEY, SOURCES__API_KEY.
 * A new string, or NULL when none of them is set and not empty.
 */
char	*secret_dlt_env(const char *name);

/*
 * Append to out the len bytes of s as one line of text that shows none of
 * the n strings of hide (NULL and empty ones are skipped), and return 1 if
 * that text was cut after max bytes, else 0.  max 0 never cuts.
 *
 * Each occurrence of a string is replaced by "***" in any form a server
 * may echo it in: each byte raw, as %XX in either case, a space as '+', or
 * as a JSON escape (\/ \" \\ \b \f \n \r \t, or \uXXXX in either case, of
 * the byte or of its UTF-8 character); or the whole string in base64,
 * standard or URL-safe, padded or not, alone or, for a string of 7 bytes
 * or more, inside a longer encoded text, in any of the forms above.  Any
 * run of 8 bytes or more of a string, and a start of one that s ends with
 * (4 bytes of s or more), is hidden too.  This is done on the raw bytes,
 * first; then control bytes are shown as spaces, and the text is cut: at
 * most max bytes, never part of a "***".
 */
int	secret_excerpt(struct buf *out, const char *s, size_t len,
	    char *const hide[], size_t n, size_t max);

/*
 * Make the process non-dumpable where the system allows it, so that no
 * core dump and no other user's debugger can read a secret from memory.
 */
void	secret_nodump(void);

#endif
