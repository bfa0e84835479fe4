#include "memtrim.h"

#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

/* Kept below the caller: room for the calls that follow without faults. */
#define MEMTRIM_KEEP (32u << 10)
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
