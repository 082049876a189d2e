/* secret.h: the one credential, never taken from the command line. */
#ifndef SECRET_H
#define SECRET_H

/*
 * Read the secret from the first line of file (when not NULL) or else from
 * the environment variable env.  Returns a string the caller frees, or
 * NULL when the variable is unset or empty.  An unreadable file exits
 * with EX_NOINPUT; a file with an empty first line with EX_CONFIG.
 */
char	*secret_load(const char *env, const char *file);

/*
 * Replace every occurrence of secret, of its URL-encoded form and of its
 * JSON-escaped form in s with "***", in place, and return s.  NULL or
 * empty secrets do nothing.
 */
char	*secret_redact(char *s, const char *secret);

#endif
