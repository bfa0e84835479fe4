/* secret: helpers for handling passwords and keys.
 *
 * Passwords are wiped with explicit_bzero(3) by whoever owns the copy;
 * these helpers only add what libc lacks.
 */
#ifndef IMAPD_AUTH_SECRET_H
#define IMAPD_AUTH_SECRET_H

#include <stdbool.h>
#include <stddef.h>

/* True when the n bytes at a and b are equal. The time taken depends on n
 * only, never on where the first difference is. */
bool secret_equal(const void *a, const void *b, size_t n);

/* True when the strings are equal; the time depends on the lengths only.
 * Both are hashed first so that a length difference alone is not a fast
 * path either. False when hashing fails. */
bool secret_str_equal(const void *a, size_t alen, const void *b, size_t blen);

#endif
