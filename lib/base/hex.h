/*
 * hex.h — hexadecimal digits, keys and the API's page cursors.
 *
 * Hex digits of either case (percent-escapes, encoded secrets), and the
 * page cursors of the API made of hex-encoded keys.
 *
 * A cursor is fields separated by dots: numbers in decimal and text keys
 * hex-encoded (lowercase), so that any key, dots included, travels in a
 * query string and compares in the database as the bytes it was.
 */
#ifndef SLUICE_HEX_H
#define SLUICE_HEX_H

#include <stdbool.h>
#include <stddef.h>

struct arena;

/* The value of hex digit c (0-9, a-f, A-F): 0 to 15; -1 for another
 * character. */
int		 hex_digit(int c);

/*
 * Whether the n bytes at s are a hex-encoded key: lowercase hex, of an
 * even length, 1 to max bytes decoded, no NUL byte among them.
 */
bool		 hex_key_ok(const char *s, size_t n, size_t max);

/*
 * Reads the cursor c as the fields spec names, one letter a field: 'u'
 * a decimal number of 1 to 19 digits, 's' the same with a leading '-'
 * allowed, 'h' a key as hex_key_ok() with max.  The fields' text into
 * key[0..strlen(spec)-1] (in the arena); false, with key unspecified,
 * when c is not such a cursor (a field of another shape, too few or too
 * many fields).
 */
bool		 hex_cursor_read(struct arena *, const char *c,
		    const char *spec, size_t max, const char **key);

#endif
