/* location: expands the mail_location template for one user.
 *
 * Escapes: %u the user name, %n its local part (before '@'), %d its
 * domain (after '@'), %h the home directory, %% a '%'. Any other escape is
 * an error, so a typo never silently becomes a shared directory. The
 * values of %u %n %d may not contain '/', be "." or "..", or be empty, and
 * the result must be an absolute path with no "." or ".." component and no
 * control character, at most MD_PATH_MAX bytes.
 *
 * Returns 0 with the path in out (replaced), or -1 with the reason in err.
 */
#ifndef IMAPD_MD_LOCATION_H
#define IMAPD_MD_LOCATION_H

#include "lib/buf.h"

int md_location_expand(const char *tmpl, const char *user, const char *home, struct buf *out,
		       struct buf *err);

#endif
