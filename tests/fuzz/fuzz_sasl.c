/* SASL PLAIN and SCRAM-SHA-256 message parsers. The input is a mechanism
 * choice (first byte) and client messages separated by "\n--\n"; each is
 * passed to sasl_step as the server would. PLAIN may meet the real user
 * demo/demo, SCRAM the user "scram" (its proofs cannot be forged, so the
 * exchange ends in failure or malformed). The results must follow the
 * state machine: after anything but SASL_CONTINUE no more steps are taken,
 * and only SASL_OK gives a user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/sasl.h"
#include "auth/scram.h"
#include "lib/log.h"
#include "tests/fuzz/fuzz.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static struct config cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = fuzz_dir();
	config_defaults(&cfg);
	strcpy(cfg.auth_mechanisms, "PLAIN SCRAM-SHA-256");
	snprintf(cfg.passwd_file, sizeof(cfg.passwd_file), "%s/passwd", dir);
	struct scram_cred c;
	struct buf b = BUF_INIT(0);
	static const uint8_t salt[16] = "0123456789abcdef";
	CHECK(scram_cred_derive("pencil", 6, salt, sizeof(salt), SCRAM_MIN_ITERATIONS, &c));
	CHECK(buf_appends(&b, "demo:{PLAIN}demo:65534:65534::/nonexistent::\n"
			      "scram:{SCRAM-SHA-256}") &&
	      scram_cred_format(&c, &b) && buf_appends(&b, ":65534:65534::/nonexistent::\n"));
	FILE *f = fopen(cfg.passwd_file, "w");
	CHECK(f && fwrite(b.s, 1, b.len, f) == b.len && fclose(f) == 0);
	buf_free(&b);
	log_open("imapd-fuzz", "/dev/null");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct sasl *s =
	    sasl_new(&cfg, (data[0] & 1) ? STR_LIT("SCRAM-SHA-256") : STR_LIT("PLAIN"));
	CHECK(s != NULL);
	struct buf out = BUF_INIT(0);
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	/* A second bit: start without an initial response. */
	int r = SASL_CONTINUE;
	if (data[0] & 2) {
		r = sasl_step(s, (struct str){NULL, 0}, &out);
		CHECK(r == SASL_CONTINUE && out.len == 0);
	}
	while (r == SASL_CONTINUE && p <= end) {
		const char *sep = memmem(p, (size_t)(end - p), "\n--\n", 4);
		size_t n = sep ? (size_t)(sep - p) : (size_t)(end - p);
		r = sasl_step(s, (struct str){p, n}, &out);
		CHECK(r >= SASL_CONTINUE && r <= SASL_MALFORMED);
		CHECK((sasl_user(s) != NULL) == (r == SASL_OK));
		if (r != SASL_CONTINUE && r != SASL_OK)
			CHECK(out.len == 0);
		if (!sep)
			break;
		p = sep + 4;
	}
	if (r != SASL_CONTINUE) {
		/* The exchange is over: a further step is malformed. */
		CHECK(sasl_step(s, STR_LIT("x"), &out) == SASL_MALFORMED);
		CHECK(sasl_user(s) == NULL);
	}
	sasl_free(&s);
	CHECK(s == NULL);
	buf_free(&out);
	return 0;
}
