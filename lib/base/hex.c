/* hex.c — hexadecimal digits, keys and page cursors. */
#include <stdbool.h>
#include <string.h>

#include "base/arena.h"
#include "base/hex.h"

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
hex_key_ok(const char *s, size_t n, size_t max)
{
	size_t i;

	if (n == 0 || n % 2 != 0 || n > 2 * max ||
	    strspn(s, "0123456789abcdef") < n)
		return false;
	for (i = 0; i < n; i += 2)
		if (s[i] == '0' && s[i + 1] == '0')
			return false;
	return true;
}

bool
hex_cursor_read(struct arena *a, const char *c, const char *spec,
    size_t max, const char **key)
{
	size_t i, n, skip;

	for (i = 0; spec[i] != '\0'; i++) {
		n = strcspn(c, ".");
		skip = spec[i] == 's' && *c == '-' ? 1 : 0;
		if (spec[i] == 'h' ? !hex_key_ok(c, n, max) : n == skip ||
		    n - skip > 19 || strspn(c + skip, "0123456789") < n - skip)
			return false;
		key[i] = arena_strndup(a, c, n);
		c += n;
		if (spec[i + 1] != '\0' && *c++ != '.')
			return false;
	}
	return *c == '\0';
}
