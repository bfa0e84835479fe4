#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"

/* Logging is process-wide by nature (syslog is); this is its only state. */
static struct {
	char ident[64];
	char ctx[512];
	int fd; /* -1: syslog */
} lg = {"imapd", "", -1};

void log_open(const char *ident, const char *path)
{
	strlcpy_ok(lg.ident, ident && *ident ? ident : "imapd", sizeof(lg.ident));
	if (path && *path) {
		lg.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (lg.fd >= 0)
			return;
	}
	lg.fd = -1;
	openlog(lg.ident, LOG_PID | LOG_NDELAY, LOG_MAIL);
}

void log_set_context(const char *ctx)
{
	if (!strlcpy_ok(lg.ctx, ctx, sizeof(lg.ctx)))
		lg.ctx[0] = '\0';
}

__attribute__((format(printf, 2, 0))) static void vlog(int prio, const char *fmt, va_list ap)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	/* Strip control characters: log lines may carry client-chosen names. */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (lg.fd < 0) {
		if (lg.ctx[0])
			syslog(prio, "%s: %s", lg.ctx, msg);
		else
			syslog(prio, "%s", msg);
		return;
	}
	char line[1700], ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof(ts), "%b %e %H:%M:%S", localtime_r(&now, &tm));
	int m = snprintf(line, sizeof(line), "%s %s[%ld]: %s%s%s\n", ts, lg.ident, (long)getpid(),
			 lg.ctx, lg.ctx[0] ? ": " : "", msg);
	if (m > 0) {
		size_t len = (size_t)m < sizeof(line) ? (size_t)m : sizeof(line) - 1;
		ssize_t w = write(lg.fd, line, len);
		(void)w;
	}
}

#define LOGFN(name, prio)                                                                          \
	void name(const char *fmt, ...)                                                            \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vlog(prio, fmt, ap);                                                               \
		va_end(ap);                                                                        \
	}
LOGFN(log_info, LOG_INFO)
LOGFN(log_warn, LOG_WARNING)
LOGFN(log_err, LOG_ERR)

void log_close(void)
{
	if (lg.fd >= 0)
		close(lg.fd);
	else
		closelog();
	lg.fd = -1;
}
