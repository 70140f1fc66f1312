/*
 * utf8.h — UTF-8 text: code points, validity and length (RFC 3629).
 *
 * What PostgreSQL accepts as UTF-8: no overlong forms, no surrogates,
 * nothing past U+10FFFF.  Nothing is allocated.
 */
#ifndef SLUICE_UTF8_H
#define SLUICE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The code point of the sequence at s (at most n bytes, n >= 1) and its
 * length in *len; -1 (with *len 1) for a byte that does not start a valid
 * sequence.
 */
long		 utf8_next(const unsigned char *s, size_t n, size_t *len);

/*
 * True for a code point that breaks a line or hides or reorders text: C0
 * and C1 controls, DEL, U+2028 and U+2029, the bidirectional embeddings
 * and overrides (U+202A..U+202E), isolates (U+2066..U+2069) and marks
 * (utf8_bidi_mark()), and the invisible ones: zero width space (U+200B),
 * word joiner (U+2060) and U+FEFF.  Names people type refuse them (a
 * name that reads "abc" but is not).  The joiners U+200C and U+200D are
 * letters' business (Persian, Indic scripts, emoji) and pass.
 */
bool		 utf8_hides(long c);

/*
 * True for the bidirectional marks: left-to-right (U+200E), right-to-left
 * (U+200F) and the Arabic letter mark (U+061C).  Invisible, they move the
 * neutral characters beside them; keyboards for right-to-left scripts
 * type them into running text, which may keep them (a message), where a
 * name may not.
 */
bool		 utf8_bidi_mark(long c);

/* True when the n bytes at s are valid UTF-8 (a NUL is a character). */
bool		 utf8_valid(const char *s, size_t n);

/* The characters (code points) of a NUL-terminated UTF-8 string: the
 * bytes that start one. */
size_t		 utf8_chars(const char *s);

/*
 * Copies the NUL-terminated s into dst (size >= 8 bytes, NUL included) as
 * valid UTF-8: a byte that starts no valid sequence becomes U+FFFD, and a
 * text longer than dst is cut on a character with "..." (U+2026) after
 * it.  Returns the bytes written, the NUL not counted.
 */
size_t		 utf8_clean(char *dst, size_t size, const char *s);

#endif
