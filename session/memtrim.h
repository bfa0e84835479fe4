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

/* Before a fork: takes the free space of the heap for good, in the
 * smallest blocks (at most MEMTRIM_SEAL_MAX of them). It is mostly holes
 * between long-lived blocks that libraries set up at start (GnuTLS's ASN.1
 * tables leave one after nearly every node); malloc would reuse them after
 * the fork, and each reuse writes into a page the two processes share, so
 * that each gets its own copy. Sealed, later allocations take fresh pages.
 */
#define MEMTRIM_SEAL_MAX 4096
void memtrim_seal(void);

/* Gives back the whole pages inside [p, p + n): the caller holds nothing
 * there; reading it later yields zero bytes. */
void memtrim_range(void *p, size_t n);

#endif
