/* config: the imapd.conf file and every tunable limit.
 *
 * Format: one "key = value" per line, '#' starts a comment, blank lines are
 * ignored. An unknown key or a bad value is an error that names the file and
 * line. Every key, its default and its reason is in the table in config.c,
 * which is also what `imapd --check-config` prints and what imapd.conf(5)
 * documents.
 */
#ifndef IMAPD_CONFIG_H
#define IMAPD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Bytes of a file path, program or template value, NUL included. The
 * struct is copied into both processes of a connection, so it stays small. */
#define CONFIG_PATH_MAX 512

enum plaintext_auth { PLAINTEXT_NEVER, PLAINTEXT_LOOPBACK, PLAINTEXT_ALWAYS };

struct config {
	/* Authentication */
	char passdb[16];		   /* "passwd-file", "pam" or "checkpassword" */
	char passwd_file[CONFIG_PATH_MAX]; /* user:{SCHEME}hash:uid:gid::home[:extra] */
	char checkpassword[CONFIG_PATH_MAX];
	char checkpassword_reply[CONFIG_PATH_MAX]; /* reply program; "" = the running imapd */
	unsigned checkpassword_timeout;		   /* seconds before the checker is killed */
	char pam_service[64];
	char auth_mechanisms[64];    /* SASL mechanisms offered: PLAIN, SCRAM-SHA-256 */
	unsigned auth_fail_delay_ms; /* base delay after a failed login */
	unsigned auth_max_failures;  /* failed logins before BYE */
	int plaintext_auth;	     /* enum plaintext_auth */
	bool treat_loopback_as_remote;

	/* Storage */
	/* template: %u user, %n local part, %d domain, %h home */
	char mail_location[CONFIG_PATH_MAX];

	/* Protocol limits */
	uint32_t max_line_length;   /* one command line, literals excluded */
	uint32_t max_literal_size;  /* a literal outside APPEND */
	uint32_t max_nesting_depth; /* parenthesis depth in one command */
	uint32_t max_command_size;  /* all bytes held for one command */
	uint32_t max_append_size;   /* one APPEND message (APPENDLIMIT) */
	uint32_t max_output_buffer; /* unsent output before we stop reading */

	/* Message parsing for FETCH and SEARCH (see message/limits.h) */
	uint32_t mime_max_depth;	/* multipart and message/rfc822 nesting */
	uint32_t mime_max_parts;	/* MIME parts in one message */
	uint32_t mime_max_header_field; /* bytes of one header field kept */
	uint32_t mime_max_header_held;	/* bytes of header values kept per message */

	/* Timeouts, seconds */
	unsigned timeout_preauth;
	unsigned timeout_idle;
	unsigned timeout_write;	     /* one write waiting for the client to read */
	unsigned idle_keepalive;     /* "* OK Still here" while idling */
	unsigned idle_poll_interval; /* IDLE without inotify: stat this often */
	bool idle_force_poll;	     /* test switch: IDLE polls as without inotify */

	/* TLS, see session/tls.h. Every file is read anew for each connection,
	 * so a renewed certificate is served at once.
	 *   tls_cert, tls_key  the default certificate: PEM chain, leaf first,
	 *                      and its unencrypted PEM private key
	 *   tls_sni_dir        "" or a folder of <name>.pem + <name>.key pairs
	 *                      (at most 256; other files are ignored); the pair
	 *                      whose certificate names match the client's SNI is
	 *                      served, else the default
	 *   tls_priority       GnuTLS priority string; default TLS 1.2 and 1.3
	 *   tls_ticket_key     session ticket key file (64 random bytes) shared by
	 *                      all connections, so a client resumes with any later
	 *                      process; created 0600 when missing; "" turns session
	 *                      tickets off (a full handshake every time)
	 *   tls_ticket_rotate  age in seconds at which the key file is replaced by
	 *                      a new key; tickets made with the old key then lapse
	 */
	char tls_cert[CONFIG_PATH_MAX];
	char tls_key[CONFIG_PATH_MAX];
	char tls_sni_dir[CONFIG_PATH_MAX];
	char tls_priority[512];
	char tls_ticket_key[CONFIG_PATH_MAX];
	unsigned tls_ticket_rotate; /* seconds */

	/* Privilege separation, when started as root (session/privsep.h). */
	char login_user[64]; /* runs everything before login; shares no uid with mail */
	char login_chroot[CONFIG_PATH_MAX]; /* empty root-owned folder it is locked into */

	/* Logging */
	char log_path[CONFIG_PATH_MAX]; /* empty: syslog, facility mail */
	char log_ident[64];
};

/* Fills in every default. */
void config_defaults(struct config *cfg);

/* Reads path over the defaults already in cfg. On error returns false and
 * puts "FILE:LINE: reason" into err. */
bool config_load(struct config *cfg, const char *path, struct buf *err);

/* Applies one "key = value" line; lineno and file only label errors. */
bool config_set_line(struct config *cfg, const char *line, const char *file, unsigned lineno,
		     struct buf *err);

/* Writes the effective configuration, one "key = value" per line. */
bool config_dump(const struct config *cfg, struct buf *out);

#endif
