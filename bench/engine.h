/* engine: runs one scripted IMAP session per client, many clients at once.
 *
 * A script is a list of steps (connect, a tagged command, APPEND, IDLE, a
 * barrier...). engine_run() drives every client through it over one poll(2)
 * loop: it starts each step, reads the responses, times the steps that carry
 * a label and adds them up per step in accs[]. A tagged NO or BAD, a failed
 * TLS handshake or a silent server (timeout) makes the step's label n/a with
 * the reason; a failure of an essential step, or of the connection, ends the
 * connection and marks the labels up to the next connect n/a as well.
 * With repeat set, clients run the script again and again until count
 * sessions have started (connection churn). When every live client waits at
 * OP_BARRIER the barrier callback runs once, then all go on.
 */
#ifndef BENCH_ENGINE_H
#define BENCH_ENGINE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "imapc.h"

enum op {
	OP_CONNECT,	/* connect (and TLS), wait for the greeting */
	OP_CMD,		/* send arg as a tagged command, wait for its answer */
	OP_APPEND,	/* APPEND a body from the body callback, `times` times */
	OP_IDLE,	/* IDLE, wait for the continuation */
	OP_BARRIER,	/* wait until every live client is here */
	OP_WAIT_EXISTS, /* wait for "* N EXISTS" after t_deliver */
	OP_DONE,	/* end IDLE, wait for its tagged answer */
	OP_CLOSE	/* close the connection */
};
enum rkind { R_NONE, R_MS, R_MBPS, R_RATE };
enum wait { W_NONE, W_GREETING, W_TAGGED, W_CONT, W_BARRIER, W_EXISTS, W_END };

#define ENGINE_MAX_STEPS 32
#define ENGINE_REASON	 300

struct step {
	enum op op;
	const char *arg;   /* command text for OP_CMD */
	const char *label; /* result name suffix, or NULL when not measured */
	enum rkind rk;	   /* how the label is reported */
	bool essential;	   /* failure ends this connection */
	unsigned times;	   /* OP_APPEND repetitions */
};

/* What the labelled step at the same index added up over all clients. */
struct acc {
	double secs;
	uint64_t bytes; /* literal bytes received during the step */
	unsigned count;
	char na[ENGINE_REASON]; /* non-empty: the step is n/a for this reason */
};

struct engine;

struct client {
	struct engine *e;
	struct imapc c;
	size_t si;	  /* current step */
	unsigned in_step; /* repetitions done of the current step */
	unsigned tagn;
	char tag[16];
	enum wait wait;
	double t0;
	uint64_t lit0;
	bool token, failed;
	long exists, hits; /* last EXISTS and SEARCH result count; -1 if none */
	double latency;	   /* seconds from t_deliver to EXISTS; -1 if none */
	struct buf msg;	   /* APPEND body waiting for "+" */
};

struct engine {
	const struct step *script;
	size_t nsteps;
	bool repeat;
	bool tls;
	unsigned count;	  /* sessions to start when repeating */
	unsigned ramp;	  /* clients between connect and barrier or close at once */
	unsigned timeout; /* seconds without any answer before giving up */
	struct sockaddr_in sa;
	void (*barrier)(struct engine *e);
	void (*body)(struct buf *m, unsigned i); /* APPEND body number i (from 1) */
	double t_deliver;			 /* set by the barrier callback */
	/* results */
	struct acc accs[ENGINE_MAX_STEPS];
	unsigned started, done, tokens;
	char first_err[ENGINE_REASON];
};

/* Monotonic seconds. */
double engine_now(void);

/* Keeps the first error as the reason for whole-workload failures. */
void engine_note_error(struct engine *e, const char *why);

/* Runs n clients to the end of the script. */
void engine_run(struct engine *e, struct client *cls, unsigned n);

#endif
