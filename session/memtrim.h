/* memtrim: gives back memory a process touched once and will not need
 * again, so that a long idle connection costs little.
 *
 * memtrim() returns freed heap to the kernel (malloc_trim) and drops the
 * stack pages below the caller's frame that deeper calls left behind:
 * those are dead by the ABI, and a later call that reaches them again gets
 * fresh zero pages. Call it from a shallow frame, at a point where the
 * process moves to a long, light phase (the relay loop; a session after
 * its login).
 */
#ifndef IMAPD_SESSION_MEMTRIM_H
#define IMAPD_SESSION_MEMTRIM_H

#include <stddef.h>

void memtrim(void);

/* Gives back the whole pages inside [p, p + n): the caller holds nothing
 * there; reading it later yields zero bytes. */
void memtrim_range(void *p, size_t n);

#endif
