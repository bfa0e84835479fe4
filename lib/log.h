/* log: syslog(3), facility mail; or a file when log_path is set (tests, demo).
 *
 * Never writes to stderr: under inetd stderr is the client's socket.
 * Never pass a password here.
 */
#ifndef IMAPD_LOG_H
#define IMAPD_LOG_H

/* ident and path are copied; path NULL or "" means syslog. */
void log_open(const char *ident, const char *path);
/* Prefix for every line of this connection, e.g. "rip=127.0.0.1 user=alice". */
void log_set_context(const char *ctx);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_close(void);

#endif
