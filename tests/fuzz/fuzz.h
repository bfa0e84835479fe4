/* Shared by the libFuzzer targets: a small deterministic generator driven by
 * the input, so that chunk sizes and choices vary with it reproducibly. */
#ifndef IMAPD_FUZZ_H
#define IMAPD_FUZZ_H

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fuzz_rng {
	uint64_t s;
};

/* Seeds from the bytes themselves (FNV-1a), so seeds stay plain text. */
static inline void fuzz_rng_init(struct fuzz_rng *r, const uint8_t *d, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 1099511628211ULL;
	r->s = h | 1;
}

static inline uint32_t fuzz_rng_next(struct fuzz_rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

/* A chunk size for feeding n more bytes: often tiny, sometimes large. */
static inline size_t fuzz_chunk(struct fuzz_rng *r, size_t n)
{
	uint32_t x = fuzz_rng_next(r);
	size_t k = (x & 3) == 0 ? 1 : (x & 3) == 1 ? 1 + (x >> 8) % 16 : 1 + (x >> 8) % 4096;
	return k < n ? k : n;
}

/* A private directory under /dev/shm (else /tmp), removed at exit. */
static char fuzz_dir_path[64];

static int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void fuzz_dir_remove(void)
{
	if (fuzz_dir_path[0])
		nftw(fuzz_dir_path, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static inline const char *fuzz_dir(void)
{
	if (!fuzz_dir_path[0]) {
		strcpy(fuzz_dir_path, access("/dev/shm", W_OK) == 0 ? "/dev/shm/imapd-fuzz-XXXXXX"
								    : "/tmp/imapd-fuzz-XXXXXX");
		if (!mkdtemp(fuzz_dir_path))
			abort();
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir_path;
}

#endif
