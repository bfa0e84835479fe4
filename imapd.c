/* imapd: entry point.
 *
 * Started once per connection by systemd (Accept=yes) or inetd, with the
 * client on fd 0 and fd 1. Reads the config, then hands the connection to
 * a session. In server mode nothing is ever written to stderr (under inetd
 * it is the client's socket): start-up errors go to syslog and the client
 * gets a BYE. Exit codes: 0 done, 100 usage or configuration error, 111
 * temporary failure.
 */
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/checkpassword.h"
#include "auth/hash.h"
#include "auth/pam.h"

#include "lib/config.h"
#include "lib/log.h"
#include "session/privsep.h"
#include "session/sandbox.h"
#include "session/session.h"
#include "session/tls.h"

#define DEFAULT_CONFIG "/etc/imapd/imapd.conf"

static void usage(FILE *f)
{
	fputs("usage: imapd [--tls] [--config FILE]\n"
	      "       imapd --check-config [--config FILE]\n"
	      "       imapd --hash [--scheme SCHEME] USER\n"
	      "       imapd --version\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *config_path = NULL;
	bool tls = false, check = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tls"))
			tls = true;
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config_path = argv[++i];
		else if (!strcmp(argv[i], "--check-config"))
			check = true;
		else if (!strcmp(argv[i], "--hash"))
			return hash_main(argc - i, argv + i);
		else if (!strcmp(argv[i], "--checkpassword-reply"))
			return checkpassword_reply_main();
		else if (!strcmp(argv[i], "--version")) {
			puts("imapd " IMAPD_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			if (check || !isatty(2))
				; /* stderr may be the client's socket */
			else
				usage(stderr);
			return 100;
		}
	}

	struct config cfg;
	config_defaults(&cfg);
	struct buf err = BUF_INIT(4096);
	bool ok = true;
	if (config_path || access(DEFAULT_CONFIG, F_OK) == 0)
		ok = config_load(&cfg, config_path ? config_path : DEFAULT_CONFIG, &err);

	if (check) {
		/* A command-line tool: stdout and stderr are the admin's. */
		if (!ok) {
			fprintf(stderr, "imapd: %s\n", err.s);
			return 100;
		}
		/* With TLS configured, the credentials must load too. */
		if (cfg.tls_cert[0]) {
			struct tls_server *t = NULL;
			if (tls_server_new(&cfg, &t, &err) < 0) {
				fprintf(stderr, "imapd: %s\n", err.s ? err.s : "TLS error");
				return 100;
			}
			tls_server_free(&t);
		}
		/* PAM is loaded at the first login: make sure it can be. */
		if (!strcmp(cfg.passdb, "pam") && !pam_available(&err)) {
			fprintf(stderr, "imapd: passdb pam: %s\n", err.s ? err.s : "");
			return 100;
		}
		/* As root the pre-login user and its chroot must be usable. */
		if (geteuid() == 0) {
			struct passwd *pw = getpwnam(cfg.login_user);
			if (!pw || pw->pw_uid == 0) {
				fprintf(stderr, "imapd: login_user %s: %s\n", cfg.login_user,
					pw ? "must not be root" : "no such user");
				return 100;
			}
			if (sandbox_dir_ready(cfg.login_chroot, &err) < 0) {
				fprintf(stderr, "imapd: %s\n", err.s);
				return 100;
			}
		}
		struct buf out = BUF_INIT(0);
		config_dump(&cfg, &out);
		fputs(out.s, stdout);
		buf_free(&out);
		return 0;
	}

	log_open(cfg.log_ident, cfg.log_path);
	signal(SIGPIPE, SIG_IGN);
	if (!ok) {
		log_err("configuration error: %s", err.s);
		static const char bye[] = "* BYE Server configuration error\r\n";
		ssize_t w = write(1, bye, sizeof(bye) - 1);
		(void)w;
		return 100;
	}
	buf_free(&err);

	struct session *s = session_new(&cfg, 0, 1);
	if (!s) {
		log_err("out of memory");
		return 111;
	}
	io_socket_options(1);
	s->implicit_tls = tls;
	s->self_path = argv[0];
	/* As root, the connection is served by two processes: see privsep.h. */
	int rc = geteuid() == 0 ? privsep_run(s) : session_run(s);
	session_delete(s);
	log_close();
	return rc;
}
