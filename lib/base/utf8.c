/* utf8.c — UTF-8 text (utf8.h). */
#include <stdbool.h>
#include <stddef.h>

#include <string.h>

#include "base/utf8.h"

long
utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t k, i;
	long c;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return -1;
	if (k > n)
		return -1;
	c = s[0] & (0x7f >> k);
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min[k] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*len = k;
	return c;
}

bool
utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len;

	for (i = 0; i < n; i += len)
		if (utf8_next(u + i, n - i, &len) < 0)
			return false;
	return true;
}

size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

size_t
utf8_clean(char *dst, size_t size, const char *s)
{
	static const char bad[] = "\xef\xbf\xbd", cut[] = "\xe2\x80\xa6";
	const unsigned char *p;
	size_t n, o = 0, len, w, need = 1;
	bool fits;

	/* Whether all of it fits, U+FFFD (3 bytes) for each bad byte. */
	for (p = (const unsigned char *)s, n = strlen(s); n > 0; p += len,
	    n -= len)
		need += utf8_next(p, n, &len) < 0 ? 3 : len;
	fits = need <= size;
	for (p = (const unsigned char *)s, n = strlen(s); n > 0; p += len,
	    n -= len) {
		w = utf8_next(p, n, &len) < 0 ? 3 : len;
		/* Cut: room for the mark stays. */
		if (!fits && o + w + 3 + 1 > size) {
			memcpy(dst + o, cut, 3);
			o += 3;
			break;
		}
		memcpy(dst + o, w == len ? (const char *)p : bad, w);
		o += w;
	}
	dst[o] = '\0';
	return o;
}

bool
utf8_hides(long c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	    c == 0x2029 || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || utf8_bidi_mark(c) ||
	    c == 0x200b || c == 0x2060 || c == 0xfeff;
}

bool
utf8_bidi_mark(long c)
{
	return c == 0x200e || c == 0x200f || c == 0x061c;
}
