/*
 * utf8: checks of text read from files people edit (rosters, policies).
 */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True if s[0..n) is well-formed UTF-8: no overlong forms, no surrogates,
 * nothing above U+10FFFF, no sequence cut short. */
bool utf8_valid(const char *s, size_t n);

/* utf8_valid, and no control character (U+0000-U+001F, U+007F). */
bool utf8_text(const char *s, size_t n);

#endif
