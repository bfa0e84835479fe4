#include "pam.h"

#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"

/* The Linux-PAM calls imapd makes. libpam is loaded when a PAM login is
 * first checked: every connection process would otherwise map it, with
 * libaudit and libcap-ng, and pay for their relocation, though only
 * system-account setups use it. */
struct pam_api {
	int (*start)(const char *, const char *, const struct pam_conv *, pam_handle_t **);
	int (*set_item)(pam_handle_t *, int, const void *);
	int (*authenticate)(pam_handle_t *, int);
	int (*acct_mgmt)(pam_handle_t *, int);
	const char *(*strerror)(pam_handle_t *, int);
	int (*get_item)(const pam_handle_t *, int, const void **);
	int (*end)(pam_handle_t *, int);
};

/* dlopen keeps one reference per call and the library stays loaded for
 * the process's life, so repeated calls are cheap and pointers stay valid. */
static bool load(struct pam_api *a, struct buf *err)
{
	void *lib = dlopen(PAM_LIBRARY, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		(void)buf_appendf(err, "cannot load %s: %s", PAM_LIBRARY, why ? why : "?");
		return false;
	}
	struct {
		const char *name;
		void **slot;
	} syms[] = {
	    {"pam_start", (void **)&a->start},
	    {"pam_set_item", (void **)&a->set_item},
	    {"pam_authenticate", (void **)&a->authenticate},
	    {"pam_acct_mgmt", (void **)&a->acct_mgmt},
	    {"pam_strerror", (void **)&a->strerror},
	    {"pam_get_item", (void **)&a->get_item},
	    {"pam_end", (void **)&a->end},
	};
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].slot = dlsym(lib, syms[i].name);
		if (!*syms[i].slot) {
			(void)buf_appendf(err, "%s lacks %s", PAM_LIBRARY, syms[i].name);
			return false;
		}
	}
	return true;
}

bool pam_available(struct buf *err)
{
	struct pam_api a;
	return load(&a, err);
}

struct conv_data {
	const char *user;
	const char *pass;
};

static void free_responses(struct pam_response *r, int n)
{
	for (int i = 0; i < n; i++)
		if (r[i].resp) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
}

/* Answers the prompts of the PAM modules: the password to hidden prompts,
 * the user name to visible ones; informational text is logged. */
static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	const struct conv_data *d = data;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
			r[i].resp = strdup(d->pass);
			break;
		case PAM_PROMPT_ECHO_ON:
			r[i].resp = strdup(d->user);
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			log_info("pam: %s", msg[i]->msg ? msg[i]->msg : "");
			continue;
		default:
			free_responses(r, n);
			return PAM_CONV_ERR;
		}
		if (!r[i].resp) {
			free_responses(r, n);
			return PAM_BUF_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

#ifdef PAM_FAIL_DELAY
/* Replaces PAM's sleep after a failure: the session has its own delay. */
static void no_delay(int status, unsigned delay, void *data)
{
	(void)status;
	(void)delay;
	(void)data;
}
#endif

static enum auth_result map(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
		return AUTH_OK;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_ACCT_EXPIRED:
	case PAM_AUTHTOK_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_PERM_DENIED:
		return AUTH_FAIL;
	default:
		return AUTH_TEMPFAIL;
	}
}

/* uid, gid and home of name from the system's user database. */
static enum auth_result lookup(const char *name, struct auth_user *out)
{
	struct passwd pw, *res = NULL;
	char *buf = malloc(PAM_PWBUF_SIZE);
	if (!buf)
		return AUTH_TEMPFAIL;
	int err = getpwnam_r(name, &pw, buf, PAM_PWBUF_SIZE, &res);
	enum auth_result r = AUTH_TEMPFAIL;
	if (err) {
		log_err("pam: getpwnam_r(%s): %s", name, strerror(err));
	} else if (!res) {
		log_err("pam: %s authenticated but is no system user", name);
		r = AUTH_FAIL;
	} else if (!strlcpy_ok(out->name, name, sizeof(out->name)) ||
		   !strlcpy_ok(out->home, pw.pw_dir ? pw.pw_dir : "", sizeof(out->home))) {
		log_err("pam: %s: name or home too long", name);
	} else {
		out->uid = pw.pw_uid;
		out->gid = pw.pw_gid;
		out->mail[0] = '\0';
		r = AUTH_OK;
	}
	free(buf);
	return r;
}

enum auth_result pam_verify(const struct config *cfg, struct str user, const char *pass,
			    struct auth_user *out)
{
	char name[AUTH_USER_MAX + 1];
	if (!str_copy(name, sizeof(name), user))
		return AUTH_FAIL;
	struct pam_api pam;
	struct buf err = BUF_INIT(512);
	if (!load(&pam, &err)) {
		log_err("pam: %s", err.s ? err.s : "cannot load the PAM library");
		buf_free(&err);
		return AUTH_TEMPFAIL;
	}
	struct conv_data d = {name, pass};
	struct pam_conv pc = {conv, &d};
	pam_handle_t *h = NULL;
	int rc = pam.start(cfg->pam_service, name, &pc, &h);
	if (rc != PAM_SUCCESS) {
		log_err("pam: pam_start(%s) failed: %d", cfg->pam_service, rc);
		return AUTH_TEMPFAIL;
	}
#ifdef PAM_FAIL_DELAY
	(void)pam.set_item(h, PAM_FAIL_DELAY, (const void *)no_delay);
#endif
	rc = pam.authenticate(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	if (rc == PAM_SUCCESS)
		rc = pam.acct_mgmt(h, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
	enum auth_result r = map(rc);
	if (r == AUTH_TEMPFAIL)
		log_err("pam: %s: %s", cfg->pam_service, pam.strerror(h, rc));
	else if (rc == PAM_NEW_AUTHTOK_REQD || rc == PAM_ACCT_EXPIRED)
		log_info("pam: %s: %s", name, pam.strerror(h, rc));
	/* A module may have mapped the login name to another one. */
	const void *item = NULL;
	char final[AUTH_USER_MAX + 1];
	if (r == AUTH_OK) {
		if (pam.get_item(h, PAM_USER, &item) != PAM_SUCCESS || !item ||
		    !passdb_user_valid((struct str){item, strlen(item)}) ||
		    !strlcpy_ok(final, item, sizeof(final))) {
			log_err("pam: no usable PAM_USER after authentication");
			r = AUTH_TEMPFAIL;
		}
	}
	pam.end(h, rc);
	if (r == AUTH_OK)
		r = lookup(final, out);
	explicit_bzero(&d, sizeof(d));
	return r;
}
