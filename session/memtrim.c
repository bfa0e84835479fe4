#include "memtrim.h"

#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Kept below the caller: room for the calls that follow without faults. */
#define MEMTRIM_KEEP (8u << 10)
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
