/* date: RFC 5322 date-time to time_t, obsolete forms included.
 *
 * Accepts: optional day name and comma; day; month name (any case);
 * 2-, 3- or 4-digit year (2-digit: < 50 is 20xx, else 19xx; 3-digit: +1900,
 * RFC 5322 4.3); hh:mm[:ss]; a numeric zone, an obsolete zone name (UT,
 * GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT) or none; military and unknown
 * zone letters count as +0000 as RFC 5322 asks. Comments and extra white
 * space are skipped. Returns 0 with *t (seconds since the epoch, UTC) and
 * *tz (the zone, minutes east of UTC), or -1 when it is no date.
 */
#ifndef IMAPD_MESSAGE_DATE_H
#define IMAPD_MESSAGE_DATE_H

#include <stddef.h>
#include <time.h>

#include "parser.h"

int msg_date_parse(const char *s, size_t len, time_t *t, int *tz);
/* The Date: field of a message node (SENTON, SENTBEFORE, SENTSINCE, SORT). */
int msg_part_date(const struct msg_tree *t, unsigned node, time_t *when, int *tz);

#endif
