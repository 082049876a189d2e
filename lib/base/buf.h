/* buf.h: growable byte buffers with a maximum size. */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char	*data;	/* owned; NUL-terminated after buf_str() */
	size_t	 len;
	size_t	 cap;
	size_t	 max;	/* refuse to grow past this many bytes; 0: no limit */
};

/* Initialize an empty buffer that may hold at most max bytes (0: any). */
void	buf_init(struct buf *, size_t max);

/* Append n bytes; returns 0, or -1 (nothing appended) past the maximum. */
int	buf_add(struct buf *, const void *, size_t n);

/* Append a C string or one byte; like buf_add(). */
int	buf_adds(struct buf *, const char *);
int	buf_addc(struct buf *, int c);

/* Append what printf(3) would print; like buf_add(). */
int	buf_printf(struct buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Append s as one word of a POSIX shell: as it is if it holds only
 * characters no shell treats specially, else in single quotes.
 */
void	buf_shell_word(struct buf *, const char *s);

/* Ensure room for n more bytes (and a NUL); returns 0 or -1 past max. */
int	buf_grow(struct buf *, size_t n);

/* The contents as a NUL-terminated string, owned by the buffer. */
char	*buf_str(struct buf *);

/* Forget the contents but keep the memory. */
void	buf_reset(struct buf *);

/* Free the memory; the buffer is empty and reusable afterwards. */
void	buf_free(struct buf *);

/* malloc/realloc/strdup that exit with EX_OSERR when memory runs out. */
void	*xmalloc(size_t);
void	*xrealloc(void *, size_t);
void	*xcalloc(size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

/*
 * What printf(3) would print, in a new string the caller frees; exits
 * with EX_OSERR when memory runs out, EX_SOFTWARE if it cannot format.
 */
char	*xasprintf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

#endif
