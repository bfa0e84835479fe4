#include "seccomp.h"

#if defined(__SANITIZE_ADDRESS__) && !defined(IMAPD_NO_SECCOMP)
#define IMAPD_NO_SECCOMP /* the sanitizers' runtime needs far more calls */
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer) && !defined(IMAPD_NO_SECCOMP)
#define IMAPD_NO_SECCOMP
#endif
#endif

#ifdef IMAPD_NO_SECCOMP

bool seccomp_preauth(void)
{
	return true;
}

#else

#include <errno.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/log.h"

/* Allowed without looking at the arguments. */
static const int allowed[] = {
    /* the client, the parent, the relay socket, the log */
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(recvfrom),
    SCMP_SYS(recvmsg),
    SCMP_SYS(sendto),
    SCMP_SYS(sendmsg),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(close),
    SCMP_SYS(shutdown),
    SCMP_SYS(fcntl),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(lseek),
    /* memory */
    SCMP_SYS(brk),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap),
    SCMP_SYS(madvise),
    /* TLS, clocks, the failure delay, log lines */
    SCMP_SYS(getrandom),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(nanosleep),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid),
    SCMP_SYS(getgid),
    SCMP_SYS(getegid),
    SCMP_SYS(futex),
    SCMP_SYS(sched_yield),
    /* signals and the end */
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
};

/* Refused with EACCES rather than fatal: a library may try, and copes. */
static const int refused[] = {
    SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(socket), SCMP_SYS(connect),
    SCMP_SYS(stat), SCMP_SYS(lstat),  SCMP_SYS(access), SCMP_SYS(faccessat),
};

bool seccomp_preauth(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		log_err("seccomp: cannot set up the filter");
		return false;
	}
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof(allowed) / sizeof(allowed[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	for (size_t i = 0; r == 0 && i < sizeof(refused) / sizeof(refused[0]); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), refused[i], 0);
	/* Memory, but never executable. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
				     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r != 0) {
		log_err("seccomp: cannot install the filter: %s", strerror(-r));
		return false;
	}
	return true;
}

#endif
