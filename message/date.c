#include "date.h"

#include <string.h>
#include <strings.h>

struct lex {
	const char *s;
	size_t len, i;
};

static void skip(struct lex *x)
{
	while (x->i < x->len) {
		char c = x->s[x->i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
			x->i++;
		} else if (c == '(') {
			unsigned depth = 0;
			while (x->i < x->len) {
				c = x->s[x->i++];
				if (c == '\\' && x->i < x->len)
					x->i++;
				else if (c == '(')
					depth++;
				else if (c == ')' && --depth == 0)
					break;
			}
		} else {
			break;
		}
	}
}

/* Reads up to maxd digits; returns the count read. */
static int number(struct lex *x, int maxd, int *v)
{
	int n = 0;
	*v = 0;
	while (x->i < x->len && n < maxd && x->s[x->i] >= '0' && x->s[x->i] <= '9') {
		*v = *v * 10 + (x->s[x->i++] - '0');
		n++;
	}
	return n;
}

static size_t word(struct lex *x, const char **w)
{
	*w = x->s + x->i;
	size_t st = x->i;
	while (x->i < x->len && ((x->s[x->i] | 0x20) >= 'a' && (x->s[x->i] | 0x20) <= 'z'))
		x->i++;
	return x->i - st;
}

static const char *const months[12] = {"jan", "feb", "mar", "apr", "may", "jun",
				       "jul", "aug", "sep", "oct", "nov", "dec"};

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static int zone_name(const char *w, size_t n, int *tz)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = {{"ut", 0},	  {"gmt", 0},  {"utc", 0},  {"est", -5}, {"edt", -4}, {"cst", -6},
		     {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
	for (size_t k = 0; k < sizeof(zones) / sizeof(zones[0]); k++) {
		if (strlen(zones[k].name) == n && strncasecmp(w, zones[k].name, n) == 0) {
			*tz = zones[k].hours * 60;
			return 0;
		}
	}
	*tz = 0; /* military letters and unknown names: no zone information */
	return 0;
}

int msg_date_parse(const char *s, size_t len, time_t *t, int *tz)
{
	struct lex x = {s, len, 0};
	const char *w;
	size_t n;
	int day, year, hh, mm, ss = 0;
	skip(&x);
	n = word(&x, &w);
	if (n > 0) { /* day name */
		skip(&x);
	}
	if (number(&x, 2, &day) == 0 || day < 1 || day > 31)
		return -1;
	skip(&x);
	if (x.i < x.len && x.s[x.i] == '-') /* "5-Jan-99" seen in the wild */
		x.i++;
	n = word(&x, &w);
	int mon = -1;
	for (int k = 0; k < 12 && n >= 3; k++)
		if (strncasecmp(w, months[k], 3) == 0)
			mon = k;
	if (mon < 0)
		return -1;
	skip(&x);
	if (x.i < x.len && x.s[x.i] == '-')
		x.i++;
	int yd = number(&x, 4, &year);
	if (yd < 2)
		return -1;
	if (yd == 2)
		year += year < 50 ? 2000 : 1900;
	else if (yd == 3)
		year += 1900;
	skip(&x);
	if (number(&x, 2, &hh) == 0 || x.i >= x.len || x.s[x.i] != ':')
		return -1;
	x.i++;
	if (number(&x, 2, &mm) != 2)
		return -1;
	if (x.i < x.len && x.s[x.i] == ':') {
		x.i++;
		if (number(&x, 2, &ss) != 2)
			return -1;
	}
	if (hh > 23 || mm > 59 || ss > 60)
		return -1;
	skip(&x);
	int zone = 0;
	if (x.i < x.len && (x.s[x.i] == '+' || x.s[x.i] == '-')) {
		int sign = x.s[x.i++] == '-' ? -1 : 1, v;
		if (number(&x, 4, &v) != 4 || v % 100 > 59)
			return -1;
		zone = sign * (v / 100 * 60 + v % 100);
	} else if ((n = word(&x, &w)) > 0) {
		zone_name(w, n, &zone);
	}
	long days = days_from_civil(year, (unsigned)mon + 1, (unsigned)day);
	*t = (time_t)(days * 86400L + hh * 3600L + mm * 60L + ss - zone * 60L);
	*tz = zone;
	return 0;
}

int msg_part_date(const struct msg_tree *t, unsigned node, time_t *when, int *tz)
{
	const struct msg_part *p = msg_tree_part(t, node);
	struct str v;
	if (!p || !msg_part_field(t, p, MSG_F_DATE, &v))
		return -1;
	return msg_date_parse(v.s, v.len, when, tz);
}
