#include "memtrim.h"

#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Kept below the caller: room for the calls that follow without faults. */
#define MEMTRIM_KEEP (4u << 10)
/* A block big enough to be cut from the top of the heap, not from a hole. */
#define MEMTRIM_SEAL_EDGE (64u << 10)
/* How far below that the stack is released; more than any call reaches. */
#define MEMTRIM_SPAN (4u << 20)

__attribute__((noinline)) void memtrim(void)
{
	malloc_trim(0);
	volatile char here = 0;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t top = ((uintptr_t)&here - MEMTRIM_KEEP) & ~(page - 1);
	if (top <= MEMTRIM_SPAN)
		return;
	/* Parts of the span that are not mapped are skipped (ENOMEM). */
	(void)madvise((void *)(top - MEMTRIM_SPAN), MEMTRIM_SPAN, MADV_DONTNEED);
	(void)here;
}

void memtrim_range(void *p, size_t n)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t end = ((uintptr_t)p + n) & ~(page - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_DONTNEED);
}

/* malloc fills a request from a free chunk that fits, cutting up a larger
 * one if need be, before it cuts from the top of the heap; so each smallest
 * request that lands below a block just cut from the top took free space,
 * and the first one that lands above it means none is left. Larger sizes
 * are left alone: measured, holding their free chunks too costs more than
 * it saves. */
void memtrim_seal(void)
{
	char *edge = malloc(MEMTRIM_SEAL_EDGE);
	if (!edge)
		return;
	for (unsigned kept = 0; kept < MEMTRIM_SEAL_MAX; kept++) {
		char *p = malloc(1);
		if (!p)
			break;
		if (p > edge) {
			free(p);
			break;
		}
		/* Free space, now held for the life of the process. */
	}
	free(edge);
}
