/* pam: the "pam" passdb backend.
 *
 * Runs pam_authenticate and pam_acct_mgmt for the service named by the
 * config key pam_service (default "imapd", i.e. /etc/pam.d/imapd), answering
 * password prompts with the password and text prompts with the user name.
 * uid, gid and home come from getpwnam_r for the name PAM reports after
 * authentication. PAM's own failure delay is disabled where Linux-PAM allows
 * it: the session applies auth_fail_delay_ms itself. libpam is loaded
 * (dlopen) when a PAM login is first checked, not linked: see pam.c.
 *
 * A user whose passwd entry does not fit PAM_PWBUF_SIZE bytes of scratch
 * space is AUTH_TEMPFAIL. PAM_USER may not be changed by a module into a
 * name that breaks the passdb.h rules.
 */
#ifndef IMAPD_AUTH_PAM_H
#define IMAPD_AUTH_PAM_H

#include "auth/passdb.h"

#define PAM_PWBUF_SIZE 16384 /* getpwnam_r scratch space */
#ifndef PAM_LIBRARY
#define PAM_LIBRARY "libpam.so.0" /* Linux-PAM, loaded on first use */
#endif

/* Loads the PAM library; false with the reason in err if it cannot be. */
bool pam_available(struct buf *err);

/* passdb_verify for this backend; user and pass are already validated. */
enum auth_result pam_verify(const struct config *cfg, struct str user, const char *pass,
			    struct auth_user *out);

#endif
